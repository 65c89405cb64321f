#include "core/data/dataset.hpp"

namespace automix::data {

std::string_view to_string(Split s) {
    switch (s) {
    case Split::Train: return "train";
    case Split::Val: return "val";
    case Split::Other: break;
    }
    return "other";
}

std::string_view to_string(Category c) {
    switch (c) {
    case Category::Needy: return "NEEDY";
    case Category::Good: return "GOOD";
    case Category::Hopeless: return "HOPELESS";
    case Category::Undefined: break;
    }
    return "UNDEFINED";
}

int Dataset::find_dataset(std::string_view name) const {
    for (std::size_t i = 0; i < dataset_names.size(); ++i)
        if (dataset_names[i] == name) return static_cast<int>(i);
    return -1;
}

View Dataset::rows(int dataset, Split s) const {
    View v;
    for (std::size_t r = 0; r < size(); ++r)
        if ((dataset < 0 || dataset_index[r] == dataset) && split[r] == s) v.push_back(static_cast<RowIndex>(r));
    return v;
}

RowsByDataset::RowsByDataset(const Dataset& ds) : rows_(ds.dataset_names.size()) {
    for (std::size_t r = 0; r < ds.size(); ++r)
        rows_[ds.dataset_index[r]][static_cast<std::size_t>(ds.split[r])].push_back(static_cast<RowIndex>(r));
}

View Dataset::all_rows() const {
    View v(size());
    for (std::size_t r = 0; r < size(); ++r) v[r] = static_cast<RowIndex>(r);
    return v;
}

View Dataset::measured(View rows) const {
    if (unmeasured.empty()) return rows;
    std::erase_if(rows, [this](RowIndex r) { return r < unmeasured.size() && unmeasured[r]; });
    return rows;
}

MemoryUse memory_use(const Dataset& ds) {
    MemoryUse m;
    auto numbers = [&m](const auto& column) { m.numbers += column.size() * sizeof(column[0]); };
    for (const StringColumn* c : {&ds.id, &ds.pid, &ds.question, &ds.gold, &ds.extra_json, &ds.split_label})
        m.text += c->bytes_used();
    numbers(ds.dataset_index);
    numbers(ds.split);
    numbers(ds.category);
    numbers(ds.category_from_file);
    numbers(ds.unmeasured);
    numbers(ds.source_line);
    for (const ModelColumns& c : ds.models) {
        m.text += c.answer.bytes_used() + c.extra_json.bytes_used();
        numbers(c.has_answer);
        numbers(c.score);
        numbers(c.verifier_confidence);
        m.samples += c.verifier_samples.bytes_used();
    }
    if (ds.contexts) m.contexts = ds.contexts->bytes_used();
    return m;
}

Dataset Dataset::routing_subset(const View& rows) const {
    Dataset out;
    out.dataset_names = dataset_names;
    out.verifier_cost = verifier_cost;
    out.source_path = source_path;
    out.format = format;
    for (const auto& m : models) {
        ModelColumns c;
        c.name = m.name;
        c.display_name = m.display_name;
        c.call_cost = m.call_cost;
        out.models.push_back(std::move(c));
    }
    // Every row gets a value (`missing` past a short column); optional columns that are
    // empty (no row had one) stay empty.
    auto copy = [&rows](const auto& from, auto& to, auto missing, bool optional = false) {
        if (optional && from.empty()) return;
        to.reserve(rows.size());
        for (const RowIndex r : rows) to.push_back(r < from.size() ? from[r] : missing);
    };
    copy(id, out.id, std::string());
    copy(dataset_index, out.dataset_index, std::uint16_t{0});
    copy(split, out.split, Split::Other);
    copy(category, out.category, Category::Undefined);
    copy(category_from_file, out.category_from_file, std::uint8_t{0}, true);
    copy(unmeasured, out.unmeasured, std::uint8_t{0}, true);
    copy(source_line, out.source_line, std::uint32_t{0}, true);
    copy(split_label, out.split_label, std::string(), true);
    for (std::size_t m = 0; m < models.size(); ++m) {
        copy(models[m].answer, out.models[m].answer, std::string());
        copy(models[m].has_answer, out.models[m].has_answer, std::uint8_t{0});
        copy(models[m].score, out.models[m].score, kMissing);
        copy(models[m].verifier_confidence, out.models[m].verifier_confidence, kMissing);
    }
    return out;
}

}  // namespace automix::data

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
        if ((dataset < 0 || dataset_index[r] == dataset) && split[r] == s)
            v.push_back(static_cast<RowIndex>(r));
    return v;
}

View Dataset::all_rows() const {
    View v(size());
    for (std::size_t r = 0; r < size(); ++r) v[r] = static_cast<RowIndex>(r);
    return v;
}

}  // namespace automix::data

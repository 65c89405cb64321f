#include "core/eval/compare.hpp"

#include <stdexcept>

#include "core/data/json_parse.hpp"
#include "core/eval/trainer.hpp"

namespace automix::eval {

std::string RoutingChoice::label() const {
    const std::string name = method ? method->name() : std::string("?");
    return params ? name + "@" + params->dump() : name;
}

RoutingChoice parse_routing_choice(const std::string& text) {
    const std::size_t at = text.find('@');
    const std::string name = text.substr(0, at);
    RoutingChoice c;
    c.method = routing::find_method(name);
    if (!c.method) throw std::invalid_argument("unknown method '" + name + "' (automix eval --list-methods)");
    if (at != std::string::npos) {
        const std::string json = text.substr(at + 1);
        routing::Params p = data::json::parse_limited_or_discarded(json);
        if (p.is_discarded()) throw std::invalid_argument("parameters of " + name + ": '" + json + "' is not JSON");
        c.params = std::move(p);
    }
    return c;
}

ChoiceRouting route_choice(const data::Dataset& ds, const data::View& train, const data::View& rows,
                           const RoutingChoice& choice, const routing::Config& cfg) {
    if (!choice.method) throw std::invalid_argument("no method to route with");
    ChoiceRouting out;
    out.ladder = ScoredView::ladder_for(ds, *choice.method);
    if (choice.params) {
        out.params = *choice.params;
        out.decisions = choice.method->route(ds, rows, out.params, cfg);
    } else {
        if (train.empty()) throw std::invalid_argument(choice.method->name() + ": no train rows to train on");
        const ScoredView train_view = ScoredView::for_method(ds, train, *choice.method, CostModel::from(cfg));
        Fit fit = fit_and_route(*choice.method, ds, train_view, rows, cfg);
        out.params = fit.train.best_params();
        out.decisions = std::move(fit.decisions);
    }
    out.description = choice.method->describe(out.params, cfg);
    return out;
}

bool oracle_escalates(const data::Dataset& ds, data::RowIndex row) {
    if (ds.model_count() < 2) return false;
    const double first = ds.models.front().score[row];
    for (std::size_t m = 1; m < ds.model_count(); ++m)
        if (ds.models[m].score[row] > first) return true;
    return false;
}

CompareCounts count_decisions(const std::vector<bool>& a, const std::vector<bool>& b, const std::vector<bool>& oracle) {
    if (a.size() != b.size() || a.size() != oracle.size())
        throw std::invalid_argument("count_decisions: the decision lists differ in length");
    CompareCounts c;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const bool o = oracle[i];
        if (a[i] && b[i])
            ++c.both, c.oracle_both += o;
        else if (a[i])
            ++c.only_a, c.oracle_only_a += o;
        else if (b[i])
            ++c.only_b, c.oracle_only_b += o;
        else
            ++c.neither, c.oracle_neither += o;
    }
    return c;
}

DatasetComparison compare_on(const data::Dataset& ds, const std::string& dataset_name, const data::View& train,
                             const data::View& rows, const RoutingChoice& a, const RoutingChoice& b,
                             const routing::Config& cfg) {
    DatasetComparison c;
    c.dataset = dataset_name;
    c.rows = rows;
    c.a = route_choice(ds, train, rows, a, cfg);
    c.b = route_choice(ds, train, rows, b, cfg);
    std::vector<bool> ea(rows.size()), eb(rows.size());
    c.oracle.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        ea[i] = c.a.decisions[i] > 0;
        eb[i] = c.b.decisions[i] > 0;
        c.oracle[i] = oracle_escalates(ds, rows[i]);
    }
    c.counts = count_decisions(ea, eb, c.oracle);
    return c;
}

namespace {
std::string answering(const data::Dataset& ds, const ChoiceRouting& r, std::size_t i) {
    const auto level = static_cast<std::size_t>(r.decisions[i]);
    return level < r.ladder.size() ? ds.models[static_cast<std::size_t>(r.ladder[level])].name : std::string("?");
}
}  // namespace

DataTable disagreement_table(const data::Dataset& ds, const std::vector<DatasetComparison>& comparisons) {
    DataTable t;
    t.columns = {"dataset", "id", "split", "a_model", "b_model"};
    for (const auto& m : ds.models) t.columns.push_back(m.name + "_score");
    t.columns.insert(t.columns.end(), {"oracle_escalates", "oracle_sides_with", "a_params", "b_params"});
    for (const auto& c : comparisons)
        for (std::size_t i = 0; i < c.rows.size(); ++i) {
            const bool ea = c.a.decisions[i] > 0, eb = c.b.decisions[i] > 0;
            if (ea == eb) continue;
            const data::RowIndex r = c.rows[i];
            std::vector<Cell> line{c.dataset, std::string(ds.id[r]), std::string(data::to_string(ds.split[r])), answering(ds, c.a, i),
                                   answering(ds, c.b, i)};
            for (const auto& m : ds.models) line.emplace_back(m.score[r]);
            const bool o = c.oracle[i];
            line.emplace_back(o ? 1.0 : 0.0);
            line.emplace_back(std::string(o == ea ? "A" : "B"));
            line.emplace_back(c.a.params.dump());
            line.emplace_back(c.b.params.dump());
            t.add(std::move(line));
        }
    return t;
}

DataTable compare_counts_table(const std::vector<DatasetComparison>& comparisons) {
    DataTable t;
    t.columns = {"dataset",     "rows",          "both",          "only_a",         "only_b",
                 "neither",     "oracle_both",   "oracle_only_a", "oracle_only_b",  "oracle_neither",
                 "a_params",    "b_params"};
    for (const auto& c : comparisons) {
        const CompareCounts& n = c.counts;
        auto d = [](std::size_t x) { return Cell(static_cast<double>(x)); };
        t.add({c.dataset, d(n.total()), d(n.both), d(n.only_a), d(n.only_b), d(n.neither), d(n.oracle_both),
               d(n.oracle_only_a), d(n.oracle_only_b), d(n.oracle_neither), c.a.description, c.b.description});
    }
    return t;
}

}  // namespace automix::eval

#include "core/session/session_routing.hpp"

#include <stdexcept>

#include "core/eval/trainer.hpp"

namespace automix::session {

routing::Config session_config(const data::Dataset& ds, const Session& s) {
    routing::Config cfg = routing::Config::for_dataset(ds);
    cfg.num_bins = s.num_bins;
    if (cfg.call_costs.size() < 2) cfg.call_costs.resize(2, 0.0);
    cfg.call_costs.front() = s.small_cost;
    cfg.call_costs.back() = s.large_cost;
    cfg.verifier_cost = s.verifier_cost;
    return cfg;
}

data::View session_scope(const data::Dataset& ds, const Session& s) {
    int d = -1;
    if (!s.scope_dataset.empty()) {
        d = ds.find_dataset(s.scope_dataset);
        if (d < 0) throw std::invalid_argument("the session's dataset '" + s.scope_dataset + "' is not in the file");
    }
    if (s.split == "all") {
        data::View rows;
        for (std::size_t r = 0; r < ds.size(); ++r)
            if (d < 0 || ds.dataset_index[r] == d) rows.push_back(static_cast<data::RowIndex>(r));
        return rows;
    }
    return ds.rows(d, s.split == "train" ? data::Split::Train : data::Split::Val);
}

namespace {
data::View rows_of_dataset(const data::Dataset& ds, int d) {
    data::View all;
    for (std::size_t r = 0; r < ds.size(); ++r)
        if (ds.dataset_index[r] == d) all.push_back(static_cast<data::RowIndex>(r));
    return all;
}
}  // namespace

SessionRouting route_session(const data::Dataset& ds, const Session& s) {
    SessionRouting out;
    out.config = session_config(ds, s);
    out.scope = session_scope(ds, s);
    out.decisions.assign(ds.size(), -1);
    if (s.method.empty()) return out;
    const routing::MethodPtr method = routing::find_method(s.method);
    if (!method) throw std::invalid_argument("unknown method '" + s.method + "'");
    out.method = method->name();
    for (const auto& [name, params] : s.manual_params)
        if (ds.find_dataset(name) < 0)
            throw std::invalid_argument("manual parameters for dataset '" + name + "', which is not in the file");
    const eval::CostModel costs = eval::CostModel::from(out.config);
    for (std::size_t d = 0; d < ds.dataset_names.size(); ++d) {
        DatasetRouting dr;
        dr.dataset = ds.dataset_names[d];
        try {
            const auto manual = s.manual_params.find(dr.dataset);
            const data::View all = rows_of_dataset(ds, static_cast<int>(d));
            routing::Decisions decisions;
            if (manual != s.manual_params.end()) {
                dr.params = manual->second;
                dr.manual = true;
                decisions = method->route(ds, all, dr.params, out.config);
            } else {
                const data::View train_rows = ds.measured(ds.rows(static_cast<int>(d), data::Split::Train));
                if (train_rows.empty()) throw std::runtime_error("no train rows");
                const eval::ScoredView train = eval::ScoredView::for_method(ds, train_rows, *method, costs);
                eval::Fit fit = eval::fit_and_route(*method, ds, train, all, out.config);
                dr.params = fit.train.best_params();
                dr.train_lift = fit.train.train_lift();
                decisions = std::move(fit.decisions);
            }
            for (std::size_t i = 0; i < all.size(); ++i) out.decisions[all[i]] = decisions[i];
        } catch (const std::exception& e) {
            dr.error = e.what();
        }
        out.datasets.push_back(std::move(dr));
    }
    // Measured over the scope like the explorer's status bar (rows a live run left unscored
    // are shown there, not measured).
    const data::View rows = ds.measured(out.scope);
    routing::Decisions decisions;
    decisions.reserve(rows.size());
    for (const data::RowIndex r : rows) {
        if (out.decisions[r] < 0) return out;
        decisions.push_back(static_cast<routing::Decisions::value_type>(out.decisions[r]));
    }
    if (rows.empty()) return out;
    const eval::ScoredView view = eval::ScoredView::for_method(ds, rows, *method, costs);
    out.metrics = view.evaluate(decisions);
    out.valid = true;
    return out;
}

nlohmann::json routing_to_json(const SessionRouting& r) {
    nlohmann::json datasets = nlohmann::json::array();
    for (const auto& d : r.datasets) {
        nlohmann::json j = {{"dataset", d.dataset}, {"params", d.params}, {"manual", d.manual}};
        if (!d.manual && d.error.empty()) j["train_lift"] = d.train_lift;
        if (!d.error.empty()) j["error"] = d.error;
        datasets.push_back(std::move(j));
    }
    std::size_t escalated = 0;
    for (const data::RowIndex row : r.scope) escalated += r.decisions[row] > 0 ? 1 : 0;
    nlohmann::json j = {{"method", r.method},
                        {"costs", r.config.call_costs},
                        {"verifier_cost", r.config.verifier_cost},
                        {"num_bins", r.config.num_bins},
                        {"datasets", datasets},
                        {"scope_rows", r.scope.size()},
                        {"scope_escalated_rows", escalated}};
    if (r.valid) j["metrics"] = eval::metric_fields_json(r.metrics);
    return j;
}

}  // namespace automix::session

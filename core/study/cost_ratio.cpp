// Cost-ratio sweep: every method is retrained and evaluated (full protocol: whole train
// split → val) at each large/small call-cost ratio, because the lift that training
// maximises depends on the costs. With N models the intermediate costs are scaled linearly
// between the first (kept) and the last (first × ratio).
#include <cmath>
#include <map>

#include "core/study/study_detail.hpp"

namespace automix::study::detail {

namespace {

std::vector<double> costs_at_ratio(const std::vector<double>& base, double ratio) {
    std::vector<double> out = base;
    const double first = base.front(), last = base.back();
    const double target = first * ratio;
    if (base.size() == 2 || last == first) {
        out.back() = target;
        return out;
    }
    for (std::size_t j = 1; j < base.size(); ++j)
        out[j] = first + (base[j] - first) * (target - first) / (last - first);
    return out;
}

}  // namespace

StudyResult run_cost_ratio(const data::Dataset& ds, const StudyRequest& rq, const StudyControl& control) {
    if (rq.cost_ratios.empty()) throw std::invalid_argument("cost-ratio: no ratios given");
    for (const double r : rq.cost_ratios)
        if (!(r > 1) || !std::isfinite(r))
            throw std::invalid_argument("cost-ratio: ratios must be finite and greater than 1");
    if (rq.config.call_costs.empty() || !(rq.config.call_costs.front() > 0))
        throw std::invalid_argument("cost-ratio: the small model's cost must be positive");
    const std::vector<int> datasets = resolve_datasets(ds, rq.datasets);
    std::vector<std::vector<routing::MethodPtr>> methods;
    for (const int d : datasets) methods.push_back(methods_for(ds, rq, d));

    const std::size_t n_ratios = rq.cost_ratios.size();
    // outcomes[dataset][ratio][method]
    std::vector<std::vector<std::vector<Outcome>>> outcomes(datasets.size(),
                                                            std::vector<std::vector<Outcome>>(n_ratios));
    const data::RowsByDataset by_dataset(ds);
    parallel_tasks(datasets.size() * n_ratios, control, "cost ratios", [&](std::size_t task) {
        const std::size_t di = task / n_ratios, ri = task % n_ratios;
        routing::Config cfg = rq.config;
        cfg.call_costs = costs_at_ratio(rq.config.call_costs, rq.cost_ratios[ri]);
        const data::View train = by_dataset.rows(datasets[di], data::Split::Train);
        const data::View val = by_dataset.rows(datasets[di], data::Split::Val);
        for (const auto& m : methods[di]) {
            check_cancel(control);
            outcomes[di][ri].push_back(train_and_evaluate(*m, ds, train, val, cfg));
        }
    });

    StudyResult r;
    r.title = "IBC lift vs large/small cost ratio";
    r.chart = ChartKind::Lines;
    r.x_label = "cost ratio (large : small)";
    r.y_label = "val IBC lift";
    r.log_x = true;
    r.parameters["cost_ratios"] = rq.cost_ratios;
    r.parameters["base_costs"] = rq.config.call_costs;
    r.parameters["verifier_cost"] = rq.config.verifier_cost;
    r.parameters["num_bins"] = rq.config.num_bins;
    r.table.columns = {"dataset", "method", "cost_ratio", "call_costs", "ok", "best_param", "train_lift"};
    append_val_metric_columns(r.table.columns);
    r.table.columns.push_back("error");

    // Mean over datasets for the methods that ran (successfully) on every dataset.
    std::map<std::string, std::vector<std::vector<double>>> by_method;  // method → [ratio] lifts
    std::map<std::string, std::size_t> runs;
    for (std::size_t di = 0; di < datasets.size(); ++di) {
        const std::string dname = ds.dataset_names[datasets[di]];
        for (std::size_t mi = 0; mi < methods[di].size(); ++mi) {
            Series s{dname, methods[di][mi]->name(), {}};
            for (std::size_t ri = 0; ri < n_ratios; ++ri) {
                const Outcome& o = outcomes[di][ri][mi];
                const double ratio = rq.cost_ratios[ri];
                if (o.ok)
                    s.points.push_back({ratio, {o.val.lift, kNaN, kNaN, kNaN}, ""});
                else
                    r.warnings.push_back(dname + " / " + s.name + " at " + std::to_string(ratio) + ":1: " + o.error);
                auto& lifts = by_method[s.name];
                lifts.resize(n_ratios);
                if (o.ok) lifts[ri].push_back(o.val.lift);
                std::vector<nlohmann::json> row{dname, s.name, ratio, costs_at_ratio(rq.config.call_costs, ratio),
                                                o.ok,  o.ok ? o.best : nlohmann::json(), number_or_null(o.train_lift)};
                append_val_metric_cells(row, o.val);
                row.push_back(o.error);
                r.table.rows.push_back(std::move(row));
            }
            ++runs[s.name];
            r.series.push_back(std::move(s));
        }
    }
    if (datasets.size() > 1) {
        for (const auto& m : methods.front()) {
            const std::string name = m->name();
            if (runs[name] != datasets.size()) continue;
            const auto& lifts = by_method[name];
            Series s{"mean over datasets", name, {}};
            for (std::size_t ri = 0; ri < n_ratios; ++ri)
                if (lifts[ri].size() == datasets.size()) {
                    Estimate e = mean_std(lifts[ri]);
                    s.points.push_back({rq.cost_ratios[ri], e, ""});
                }
            r.series.push_back(std::move(s));
        }
    }
    return r;
}

}  // namespace automix::study::detail

// Latency view: what verification adds to the time per query. Each method is trained and
// evaluated as usual (full protocol); its expected latency per query is then the same
// accounting as its cost (ScoredView::evaluate) with seconds in place of prices: a row
// pays the latency of every model it was answered or escalated through plus one
// verification pass per verified step (calls run one after another; the k verifier
// samples are one batched pass). "small only" and "large only" are single calls, no
// verification.
#include <cmath>

#include "core/study/study_detail.hpp"

namespace automix::study::detail {

StudyResult run_latency(const data::Dataset& ds, const StudyRequest& rq, const StudyControl& control) {
    if (rq.model_latency.size() != 2 && rq.model_latency.size() != ds.models.size())
        throw std::invalid_argument("latency: give one latency per model (" + std::to_string(ds.models.size()) +
                                    ") or two (small, large), in seconds");
    for (const double l : rq.model_latency)
        if (!(l >= 0) || !std::isfinite(l)) throw std::invalid_argument("latency: latencies must be finite and >= 0");
    if (!(rq.verifier_latency >= 0) || !std::isfinite(rq.verifier_latency))
        throw std::invalid_argument("latency: give the latency of one verification pass (seconds, >= 0)");
    const std::vector<int> datasets = resolve_datasets(ds, rq.datasets);
    std::vector<std::vector<routing::MethodPtr>> methods;
    for (const int d : datasets) methods.push_back(methods_for(ds, rq, d));
    const eval::CostModel timing{rq.model_latency, rq.verifier_latency};

    struct Row {
        Outcome outcome;
        double latency = kNaN;
    };
    const data::RowsByDataset by_dataset(ds);
    std::vector<std::vector<Row>> rows(datasets.size());
    parallel_tasks(datasets.size(), control, "latency", [&](std::size_t di) {
        const data::View train = by_dataset.rows(datasets[di], data::Split::Train);
        const data::View val = by_dataset.rows(datasets[di], data::Split::Val);
        for (const auto& m : methods[di]) {
            check_cancel(control);
            Row row;
            row.outcome = train_and_evaluate(*m, ds, train, val, rq.config);
            if (row.outcome.ok) {
                try {
                    row.latency =
                        eval::ScoredView::for_method(ds, val, *m, timing).evaluate(row.outcome.decisions).avg_cost;
                } catch (const std::exception& e) {
                    row.outcome.ok = false;
                    row.outcome.error = e.what();
                }
            }
            rows[di].push_back(std::move(row));
        }
    });

    StudyResult r;
    r.title = "Expected latency per query vs cost (val)";
    r.chart = ChartKind::Scatter;
    r.x_label = "average cost per query";
    r.y_label = "expected latency per query (s)";
    r.parameters["model_latency_s"] = rq.model_latency;
    r.parameters["verifier_latency_s"] = rq.verifier_latency;
    r.parameters["call_costs"] = rq.config.call_costs;
    r.parameters["verifier_cost"] = rq.config.verifier_cost;
    r.parameters["num_bins"] = rq.config.num_bins;
    r.table.columns = {"dataset", "method", "ok", "best_param"};
    append_val_metric_columns(r.table.columns);
    for (const char* c : {"expected_latency_s", "verification_share", "latency_vs_large", "error"})
        r.table.columns.push_back(c);
    const double small_latency = rq.model_latency.front(), large_latency = rq.model_latency.back();
    for (std::size_t di = 0; di < datasets.size(); ++di) {
        const std::string dname = ds.dataset_names[datasets[di]];
        const data::View val = by_dataset.rows(datasets[di], data::Split::Val);
        // The two single-model baselines: one call each, nothing verified.
        try {
            const eval::ScoredView v(ds, val, {0, static_cast<int>(ds.models.size()) - 1},
                                     eval::CostModel::from(rq.config));
            const double costs[2] = {v.call_cost(0), v.call_cost(1)};
            const double perf[2] = {v.mean_score(0), v.mean_score(1)};
            const double lat[2] = {small_latency, large_latency};
            const char* names[2] = {"small only", "large only"};
            for (int j = 0; j < 2; ++j) {
                r.series.push_back({dname, names[j], {{costs[j], {lat[j], kNaN, kNaN, kNaN}, names[j]}}});
                // One call, nothing verified: not what ScoredView::evaluate_constant counts.
                eval::Metrics only;
                only.n = v.size();
                only.n_escalated = j == 0 ? 0 : v.size();
                only.avg_cost = costs[j];
                only.avg_perf = perf[j];
                only.escalated_fraction = j;
                only.calls_per_query = 1;
                std::vector<nlohmann::json> row{dname, names[j], true, nullptr};
                append_val_metric_cells(row, only);
                for (const nlohmann::json& cell : {nlohmann::json(lat[j]), nlohmann::json(0.0),
                                                   nlohmann::json(lat[j] / large_latency), nlohmann::json("")})
                    row.push_back(cell);
                r.table.rows.push_back(std::move(row));
            }
        } catch (const std::exception& e) {
            r.warnings.push_back(dname + ": " + e.what());
        }
        for (std::size_t mi = 0; mi < methods[di].size(); ++mi) {
            const std::string mname = methods[di][mi]->name();
            const Row& row = rows[di][mi];
            const Outcome& o = row.outcome;
            if (o.ok)
                r.series.push_back({dname, mname, {{o.val.avg_cost, {row.latency, kNaN, kNaN, kNaN}, mname}}});
            else
                r.warnings.push_back(dname + " / " + mname + ": " + o.error);
            // Share of the expected latency spent verifying (every routed query verifies once
            // per verified step; for two models exactly one pass).
            const double share = o.ok ? rq.verifier_latency / row.latency : kNaN;
            std::vector<nlohmann::json> cells{dname, mname, o.ok, o.ok ? o.best : nlohmann::json()};
            append_val_metric_cells(cells, o.val);
            cells.push_back(number_or_null(row.latency));
            cells.push_back(!methods[di][mi]->uses_all_models() ? number_or_null(share) : nlohmann::json());
            cells.push_back(number_or_null(row.latency / large_latency));
            cells.push_back(o.error);
            r.table.rows.push_back(std::move(cells));
        }
    }
    return r;
}

}  // namespace automix::study::detail

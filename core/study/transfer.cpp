// Cross-dataset transfer: each method is trained on dataset A's whole train split and its
// parameter routes dataset B's val split, for every pair (A, B). The diagonal is the
// ordinary full-protocol result. Lift on B uses B's own SLM/LLM means (method §4).
#include "core/study/study_detail.hpp"

namespace automix::study::detail {

StudyResult run_transfer(const data::Dataset& ds, const StudyRequest& rq, const StudyControl& control) {
    const std::vector<int> datasets = resolve_datasets(ds, rq.datasets);
    const std::vector<routing::MethodPtr> methods = methods_for_all(ds, rq, datasets);
    const std::size_t n = datasets.size();

    struct Cell {
        bool ok = false;
        std::string error;
        eval::Metrics val;
    };
    struct Trained {
        bool ok = false;
        std::string error;
        routing::Params best;
        double train_lift = kNaN;
    };
    // trained[method][A], cells[method][A][B]
    std::vector<std::vector<Trained>> trained(methods.size(), std::vector<Trained>(n));
    std::vector<std::vector<std::vector<Cell>>> cells(methods.size(),
                                                      std::vector<std::vector<Cell>>(n, std::vector<Cell>(n)));
    const data::RowsByDataset by_dataset(ds);
    parallel_tasks(methods.size() * n, control, "transfer", [&](std::size_t task) {
        const std::size_t mi = task / n, a = task % n;
        const routing::Method& m = *methods[mi];
        Trained& t = trained[mi][a];
        std::vector<data::View> val_rows;
        for (std::size_t b = 0; b < n; ++b) val_rows.push_back(by_dataset.rows(datasets[b], data::Split::Val));
        try {
            const eval::FitEach fit = eval::fit_and_score_each(
                m, ds, by_dataset.rows(datasets[a], data::Split::Train), val_rows, rq.config);
            t.best = fit.train.best_params();
            t.train_lift = fit.train.train_lift();
            t.ok = true;
            for (std::size_t b = 0; b < n; ++b) {
                Cell& c = cells[mi][a][b];
                c.ok = fit.errors[b].empty();
                c.error = fit.errors[b];
                if (c.ok) c.val = fit.scored[b];
            }
        } catch (const std::exception& e) {
            t.error = e.what();
            for (std::size_t b = 0; b < n; ++b) cells[mi][a][b].error = "training failed: " + t.error;
        }
    });

    StudyResult r;
    r.title = "Transfer: train on A (rows), evaluate on B (columns) — val IBC lift";
    r.chart = ChartKind::HeatMap;
    r.x_label = "evaluated on";
    r.y_label = "trained on";
    r.parameters["call_costs"] = rq.config.call_costs;
    r.parameters["verifier_cost"] = rq.config.verifier_cost;
    r.parameters["num_bins"] = rq.config.num_bins;
    r.table.columns = {"method", "trained_on", "evaluated_on", "ok", "best_param", "train_lift"};
    append_val_metric_columns(r.table.columns);
    for (const char* c : {"in_domain_val_lift", "transfer_gap", "error"}) r.table.columns.push_back(c);
    std::vector<std::string> labels;
    for (const int d : datasets) labels.push_back(ds.dataset_names[d]);
    for (std::size_t mi = 0; mi < methods.size(); ++mi) {
        Matrix mx{methods[mi]->name(), labels, labels,
                  std::vector<std::vector<double>>(n, std::vector<double>(n, kNaN))};
        for (std::size_t a = 0; a < n; ++a) {
            if (!trained[mi][a].ok)
                r.warnings.push_back(mx.name + " trained on " + labels[a] + ": " + trained[mi][a].error);
            for (std::size_t b = 0; b < n; ++b) {
                const Cell& c = cells[mi][a][b];
                if (c.ok)
                    mx.values[a][b] = c.val.lift;
                else if (trained[mi][a].ok)
                    r.warnings.push_back(mx.name + " " + labels[a] + " → " + labels[b] + ": " + c.error);
            }
        }
        for (std::size_t a = 0; a < n; ++a)
            for (std::size_t b = 0; b < n; ++b) {
                const Cell& c = cells[mi][a][b];
                const double in_domain = mx.values[b][b];
                std::vector<nlohmann::json> row{mx.name, labels[a], labels[b], c.ok,
                                                trained[mi][a].ok ? trained[mi][a].best : nlohmann::json(),
                                                number_or_null(trained[mi][a].train_lift)};
                append_val_metric_cells(row, c.val);
                row.push_back(number_or_null(in_domain));
                row.push_back(number_or_null(c.val.lift - in_domain));
                row.push_back(c.error);
                r.table.rows.push_back(std::move(row));
            }
        r.matrices.push_back(std::move(mx));
    }
    return r;
}

}  // namespace automix::study::detail

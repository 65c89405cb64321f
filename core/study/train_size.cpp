// Training-size sweep: for each size n and seed s, train on n rows sampled from the train
// split exactly like the paper protocol (pandas DataFrame.sample(n, random_state=s)), then
// evaluate on the whole val split; mean ± std (population) of the val lifts over seeds.
// Size 0 means the whole train split (deterministic: one run). A size at or above the
// split's row count uses every row, as the paper protocol does.
#include "core/eval/protocol.hpp"
#include "core/study/study_detail.hpp"

namespace automix::study::detail {

StudyResult run_train_size(const data::Dataset& ds, const StudyRequest& rq, const StudyControl& control) {
    if (rq.train_sizes.empty()) throw std::invalid_argument("train-size: no sizes given");
    if (rq.seeds < 1) throw std::invalid_argument("train-size: seeds must be at least 1");
    const std::vector<int> datasets = resolve_datasets(ds, rq.datasets);
    std::vector<std::vector<routing::MethodPtr>> methods;
    for (const int d : datasets) methods.push_back(methods_for(ds, rq, d));
    const std::size_t n_sizes = rq.train_sizes.size();
    const std::size_t n_seeds = static_cast<std::size_t>(rq.seeds);

    // outcomes[dataset][size][method][seed]
    std::vector<std::vector<std::vector<std::vector<Outcome>>>> outcomes(
        datasets.size(), std::vector<std::vector<std::vector<Outcome>>>(n_sizes));
    std::vector<std::vector<std::size_t>> used(datasets.size(), std::vector<std::size_t>(n_sizes));
    const data::RowsByDataset by_dataset(ds);
    parallel_tasks(datasets.size() * n_sizes, control, "training sizes", [&](std::size_t task) {
        const std::size_t di = task / n_sizes, si = task % n_sizes;
        const data::View train = by_dataset.rows(datasets[di], data::Split::Train);
        const data::View val = by_dataset.rows(datasets[di], data::Split::Val);
        const std::size_t size = rq.train_sizes[si];
        const bool whole = size == 0;
        const std::size_t n = whole ? train.size() : std::min(size, train.size());
        used[di][si] = n;
        std::vector<data::View> seed_rows;
        for (std::size_t s = 0; s < (whole ? 1 : n_seeds); ++s) {
            data::View v;
            if (whole) {
                v = train;
            } else {
                for (const std::size_t pos :
                     eval::pandas_sample_positions(train.size(), n, static_cast<std::uint32_t>(s)))
                    v.push_back(train[pos]);
            }
            seed_rows.push_back(std::move(v));
        }
        auto& out = outcomes[di][si];
        for (const auto& m : methods[di]) {
            check_cancel(control);
            std::vector<Outcome> per_seed;
            for (std::size_t s = 0; s < seed_rows.size(); ++s) {
                routing::Config cfg = rq.config;
                cfg.seed = rq.config.seed + s;  // like the paper protocol (random baselines)
                per_seed.push_back(train_and_evaluate(*m, ds, seed_rows[s], val, cfg));
            }
            out.push_back(std::move(per_seed));
        }
    });

    StudyResult r;
    r.title = "Val lift vs training rows (mean ± std over seeds)";
    r.chart = ChartKind::Lines;
    r.x_label = "training rows";
    r.y_label = "val IBC lift";
    r.log_x = true;
    nlohmann::json sizes = nlohmann::json::array();
    for (const std::size_t s : rq.train_sizes) sizes.push_back(s == 0 ? nlohmann::json("all") : nlohmann::json(s));
    r.parameters["train_sizes"] = sizes;
    r.parameters["seeds"] = rq.seeds;
    r.parameters["call_costs"] = rq.config.call_costs;
    r.parameters["verifier_cost"] = rq.config.verifier_cost;
    r.parameters["num_bins"] = rq.config.num_bins;
    r.table.columns = {
        "dataset",           "method",       "train_size",   "train_rows_used", "seeds",         "ok",
        "val_lift_mean",     "val_lift_std", "val_lift_min", "val_lift_max",    "val_cost_mean", "val_perf_mean",
        "val_lift_per_seed", "error"};
    for (std::size_t di = 0; di < datasets.size(); ++di) {
        const std::string dname = ds.dataset_names[datasets[di]];
        for (std::size_t mi = 0; mi < methods[di].size(); ++mi) {
            Series series{dname, methods[di][mi]->name(), {}};
            for (std::size_t si = 0; si < n_sizes; ++si) {
                const auto& runs = outcomes[di][si][mi];
                std::vector<double> lifts, costs, perfs;
                std::string error;
                for (const auto& o : runs) {
                    if (!o.ok) {
                        if (error.empty()) error = o.error;
                        continue;
                    }
                    lifts.push_back(o.val.lift);
                    costs.push_back(o.val.avg_cost);
                    perfs.push_back(o.val.avg_perf);
                }
                const bool ok = error.empty();
                const eval::Stat st = eval::stat_of(lifts);
                if (ok)
                    series.points.push_back({static_cast<double>(used[di][si]),
                                             {st.mean, st.std, kNaN, kNaN},
                                             rq.train_sizes[si] == 0 ? "all" : ""});
                else
                    r.warnings.push_back(dname + " / " + series.name + " with " + std::to_string(used[di][si]) +
                                         " rows: " + error);
                nlohmann::json per_seed = nlohmann::json::array();
                for (const double l : lifts) per_seed.push_back(number_or_null(l));
                r.table.rows.push_back(
                    {dname, series.name,
                     rq.train_sizes[si] == 0 ? nlohmann::json("all") : nlohmann::json(rq.train_sizes[si]), used[di][si],
                     runs.size(), ok, number_or_null(st.mean), number_or_null(st.std), number_or_null(st.min),
                     number_or_null(st.max), number_or_null(eval::stat_of(costs).mean),
                     number_or_null(eval::stat_of(perfs).mean), per_seed, error});
            }
            r.series.push_back(std::move(series));
        }
    }
    return r;
}

}  // namespace automix::study::detail

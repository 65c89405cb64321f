// Seeds / confidence: the paper's protocol — for each seed, train on `train_rows` rows
// sampled like pandas DataFrame.sample(n, random_state=seed), evaluate on val — reported as
// the mean and population std over seeds (the same numbers as `automix eval --protocol
// paper`) plus a percentile bootstrap interval of that mean.
//
// The bootstrap resamples both sources of noise at once: each replicate draws the seeds
// with replacement (training noise) and the val rows with replacement (test-set noise),
// and recomputes the mean lift of the drawn seeds' routers on the resampled rows, with the
// SLM/LLM means of the resample. The val resamples depend only on the dataset, so every
// method of a dataset sees the same replicates.
#include <algorithm>
#include <cmath>
#include <random>

#include "core/eval/bootstrap.hpp"
#include "core/eval/protocol.hpp"
#include "core/study/study_detail.hpp"

namespace automix::study::detail {

StudyResult run_seeds(const data::Dataset& ds, const StudyRequest& rq, const StudyControl& control) {
    if (rq.seeds < 1) throw std::invalid_argument("seeds: seeds must be at least 1");
    if (rq.train_rows < 1) throw std::invalid_argument("seeds: train rows must be at least 1");
    if (rq.bootstrap < 0) throw std::invalid_argument("seeds: bootstrap replicates must not be negative");
    if (!(rq.confidence > 0 && rq.confidence < 1)) throw std::invalid_argument("seeds: confidence must be in (0, 1)");
    const std::vector<int> datasets = resolve_datasets(ds, rq.datasets);
    std::vector<std::vector<routing::MethodPtr>> methods;
    std::vector<std::pair<std::size_t, std::size_t>> tasks;  // (dataset, method)
    for (std::size_t di = 0; di < datasets.size(); ++di) {
        methods.push_back(methods_for(ds, rq, datasets[di]));
        for (std::size_t mi = 0; mi < methods.back().size(); ++mi) tasks.emplace_back(di, mi);
    }
    const std::size_t n_seeds = static_cast<std::size_t>(rq.seeds);
    const eval::CostModel costs = eval::CostModel::from(rq.config);

    const data::RowsByDataset by_dataset(ds);
    // Seed samples per dataset (shared by its methods).
    std::vector<std::vector<data::View>> seed_rows(datasets.size());
    StudyResult r;
    for (std::size_t di = 0; di < datasets.size(); ++di) {
        const data::View train = by_dataset.rows(datasets[di], data::Split::Train);
        const std::size_t n = std::min(rq.train_rows, train.size());
        if (n < rq.train_rows)
            r.warnings.push_back(ds.dataset_names[datasets[di]] + ": train split has " + std::to_string(train.size()) +
                                 " rows, fewer than " + std::to_string(rq.train_rows) + ": every seed trains on all");
        for (std::size_t s = 0; s < n_seeds; ++s) {
            data::View v;
            for (const std::size_t pos : eval::pandas_sample_positions(train.size(), n, static_cast<std::uint32_t>(s)))
                v.push_back(train[pos]);
            seed_rows[di].push_back(std::move(v));
        }
    }

    struct Result {
        std::vector<Outcome> seeds;
        std::string error;
        Estimate lift;
        Estimate cost, perf;
    };
    std::vector<Result> results(tasks.size());
    const double alpha = (1.0 - rq.confidence) / 2.0;
    parallel_tasks(tasks.size(), control, "seeds", [&](std::size_t task) {
        const auto [di, mi] = tasks[task];
        const routing::Method& m = *methods[di][mi];
        Result& res = results[task];
        const data::View val_rows = by_dataset.rows(datasets[di], data::Split::Val);
        std::vector<double> lifts, cost_means, perf_means;
        for (std::size_t s = 0; s < n_seeds; ++s) {
            check_cancel(control);
            routing::Config cfg = rq.config;
            cfg.seed = rq.config.seed + s;
            Outcome o = train_and_evaluate(m, ds, seed_rows[di][s], val_rows, cfg);
            if (!o.ok && res.error.empty()) res.error = o.error;
            lifts.push_back(o.val.lift);
            cost_means.push_back(o.val.avg_cost);
            perf_means.push_back(o.val.avg_perf);
            res.seeds.push_back(std::move(o));
        }
        if (!res.error.empty()) return;
        const eval::Stat st = eval::stat_of(lifts);
        res.lift = {st.mean, st.std, kNaN, kNaN};
        res.cost = mean_std(cost_means);
        res.perf = mean_std(perf_means);
        if (rq.bootstrap == 0 || val_rows.empty()) return;

        const eval::ScoredView val = eval::ScoredView::for_method(ds, val_rows, m, costs);
        const std::size_t n = val.size(), last = val.levels() - 1;
        // Seeds that trained the same router share one decision vector (common with 1000
        // rows): evaluate each distinct vector once per replicate.
        std::vector<std::size_t> distinct_of(n_seeds);
        std::vector<std::size_t> distinct;  // seed index of each distinct vector
        for (std::size_t s = 0; s < n_seeds; ++s) {
            std::size_t k = 0;
            while (k < distinct.size() && res.seeds[distinct[k]].decisions != res.seeds[s].decisions) ++k;
            if (k == distinct.size()) distinct.push_back(s);
            distinct_of[s] = k;
        }
        std::vector<std::vector<double>> cost(distinct.size()), perf(distinct.size());
        for (std::size_t k = 0; k < distinct.size(); ++k)
            eval::row_costs(val, res.seeds[distinct[k]].decisions, cost[k], perf[k]);
        const double c_first = val.call_cost(0), c_last = val.call_cost(last);
        const std::vector<double>& first = val.scores(0);
        const std::vector<double>& lastv = val.scores(last);
        std::mt19937_64 rng(0xB0075EEDULL + static_cast<std::uint64_t>(datasets[di]));
        std::vector<std::uint32_t> weight(n);
        std::vector<std::size_t> seed_count(n_seeds);
        std::vector<double> replicate_means;
        replicate_means.reserve(static_cast<std::size_t>(rq.bootstrap));
        const double nd = static_cast<double>(n);
        for (int b = 0; b < rq.bootstrap; ++b) {
            if ((b & 63) == 0) check_cancel(control);
            eval::draw_row_weights(rng, weight);
            std::fill(seed_count.begin(), seed_count.end(), 0u);
            for (std::size_t s = 0; s < n_seeds; ++s) ++seed_count[distinct_of[rng() % n_seeds]];
            double f = 0, l = 0;
            for (std::size_t i = 0; i < n; ++i) {
                f += weight[i] * first[i];
                l += weight[i] * lastv[i];
            }
            const double p_first = f / nd, base = (l / nd - p_first) / (c_last - c_first);
            double sum = 0;
            for (std::size_t s = 0; s < distinct.size(); ++s) {
                if (seed_count[s] == 0) continue;
                double c = 0, p = 0;
                const double* cs = cost[s].data();
                const double* ps = perf[s].data();
                for (std::size_t i = 0; i < n; ++i) {
                    c += weight[i] * cs[i];
                    p += weight[i] * ps[i];
                }
                const double slope = (p / nd - p_first) / (c / nd - c_first);
                sum += static_cast<double>(seed_count[s]) * (slope - base) / base;
            }
            replicate_means.push_back(sum / static_cast<double>(n_seeds));
        }
        // A replicate can have an undefined lift (e.g. equal SLM and LLM means): drop it.
        replicate_means.erase(
            std::remove_if(replicate_means.begin(), replicate_means.end(), [](double x) { return !std::isfinite(x); }),
            replicate_means.end());
        res.lift.lo = eval::percentile(replicate_means, alpha);
        res.lift.hi = eval::percentile(replicate_means, 1.0 - alpha);
    });

    r.title = "Val lift over seeds: mean with " + std::to_string(static_cast<int>(std::lround(rq.confidence * 100))) +
              " % bootstrap interval";
    r.chart = ChartKind::ErrorBars;
    r.x_label = "dataset";
    r.y_label = "val IBC lift";
    r.parameters["seeds"] = rq.seeds;
    r.parameters["train_rows"] = rq.train_rows;
    r.parameters["bootstrap"] = rq.bootstrap;
    r.parameters["confidence"] = rq.confidence;
    r.parameters["call_costs"] = rq.config.call_costs;
    r.parameters["verifier_cost"] = rq.config.verifier_cost;
    r.parameters["num_bins"] = rq.config.num_bins;
    r.table.columns = {"dataset", "method",        "seeds",         "train_rows",
                       "ok",      "val_lift_mean", "val_lift_std",  "ci_lo",
                       "ci_hi",   "val_cost_mean", "val_perf_mean", "val_lift_per_seed",
                       "error"};
    std::vector<Series> series;  // one per method, in first-seen order
    for (std::size_t t = 0; t < tasks.size(); ++t) {
        const auto [di, mi] = tasks[t];
        const std::string dname = ds.dataset_names[datasets[di]];
        const std::string mname = methods[di][mi]->name();
        const Result& res = results[t];
        const bool ok = res.error.empty();
        auto it = std::find_if(series.begin(), series.end(), [&](const Series& s) { return s.name == mname; });
        if (it == series.end()) {
            series.push_back({"", mname, {}});
            it = series.end() - 1;
        }
        if (ok)
            it->points.push_back({static_cast<double>(di), res.lift, dname});
        else
            r.warnings.push_back(dname + " / " + mname + ": " + res.error);
        nlohmann::json per_seed = nlohmann::json::array();
        for (const auto& o : res.seeds) per_seed.push_back(number_or_null(o.val.lift));
        r.table.rows.push_back({dname, mname, rq.seeds, seed_rows[di].front().size(), ok,
                                number_or_null(res.lift.value), number_or_null(res.lift.std),
                                number_or_null(res.lift.lo), number_or_null(res.lift.hi),
                                number_or_null(res.cost.value), number_or_null(res.perf.value), per_seed, res.error});
    }
    r.series = std::move(series);
    return r;
}

}  // namespace automix::study::detail

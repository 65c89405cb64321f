// Verifier samples: how much of the lift survives with fewer self-verification samples.
// For each k and seed, the verifier confidence of every verified model (all but the last;
// the small one with two models) of every row is recomputed (method §3) from k of its samples
// — seed 0: the first k, seed s > 0: k samples drawn without replacement by a per-(seed, row,
// model) generator — and every method is retrained and evaluated (full protocol). A row with
// fewer than k samples uses all it has; a row without samples keeps the file's confidence
// (both counted in the warnings).
#include <algorithm>
#include <cstdint>

#include "core/scoring/verifier.hpp"
#include "core/study/study_detail.hpp"

namespace automix::study::detail {

namespace {

enum : std::uint8_t { kNone = 0, kIncorrect = 1, kCorrect = 2 };

std::uint64_t mix64(std::uint64_t x) {  // splitmix64 finaliser
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

}  // namespace

StudyResult run_samples(const data::Dataset& ds, const StudyRequest& rq, const StudyControl& control) {
    if (rq.sample_counts.empty()) throw std::invalid_argument("samples: no sample counts given");
    for (const int k : rq.sample_counts)
        if (k < 0) throw std::invalid_argument("samples: sample counts must be positive (0 = all)");
    if (rq.seeds < 1) throw std::invalid_argument("samples: seeds must be at least 1");
    const std::vector<int> all_datasets = resolve_datasets(ds, rq.datasets);
    // Verdict of every sample of every verified model, once: verdicts[j] with offset[j] per row.
    const std::size_t verified = ds.models.size() - 1;
    std::vector<std::vector<std::size_t>> offset(verified, std::vector<std::size_t>(ds.size() + 1, 0));
    std::vector<std::vector<std::uint8_t>> verdicts(verified);
    std::size_t max_samples = 0;
    for (std::size_t j = 0; j < verified; ++j) {
        const auto& samples = ds.models[j].verifier_samples;
        for (std::size_t r = 0; r < ds.size(); ++r) {
            // The verdicts found when the row was loaded: no text is read.
            const std::size_t n = samples.count(r);
            for (std::size_t i = 0; i < n; ++i) {
                const data::SampleVerdict v = samples.verdict(r, i);
                verdicts[j].push_back(v == data::SampleVerdict::Correct     ? kCorrect
                                      : v == data::SampleVerdict::Incorrect ? kIncorrect
                                                                            : kNone);
            }
            max_samples = std::max(max_samples, n);
            offset[j][r + 1] = verdicts[j].size();
        }
    }
    auto count = [&](std::size_t j, std::size_t row) { return offset[j][row + 1] - offset[j][row]; };

    StudyResult r;
    std::vector<int> datasets;
    for (const int d : all_datasets) {
        std::size_t with = 0, without = 0;
        for (std::size_t row = 0; row < ds.size(); ++row) {
            if (ds.dataset_index[row] != d) continue;
            (count(0, row) > 0 ? with : without) += 1;
        }
        if (with == 0) {
            r.warnings.push_back(ds.dataset_names[d] + ": no verifier samples, left out");
            continue;
        }
        if (without > 0)
            r.warnings.push_back(ds.dataset_names[d] + ": " + std::to_string(without) +
                                 " rows without verifier samples keep the file's confidence");
        datasets.push_back(d);
    }
    if (datasets.empty()) throw std::invalid_argument("samples: no selected dataset has verifier samples");

    std::vector<std::size_t> ks;
    for (const int k : rq.sample_counts) ks.push_back(k == 0 ? max_samples : static_cast<std::size_t>(k));
    std::size_t short_rows = 0;
    for (std::size_t row = 0; row < ds.size(); ++row) {
        bool short_row = false;
        for (std::size_t j = 0; j < verified; ++j) {
            const std::size_t have = count(j, row);
            short_row = short_row || (have > 0 && have < *std::max_element(ks.begin(), ks.end()));
        }
        short_rows += short_row ? 1 : 0;
    }
    if (short_rows > 0)
        r.warnings.push_back(std::to_string(short_rows) +
                             " rows have fewer samples than the largest k and use all they have");

    std::vector<std::vector<routing::MethodPtr>> methods;
    for (const int d : datasets) methods.push_back(methods_for(ds, rq, d));
    const data::Dataset base = ds.routing_subset(ds.all_rows());
    // Every copy below changes only confidences: datasets and splits are the base's.
    const data::RowsByDataset by_dataset(base);
    const std::size_t n_seeds = static_cast<std::size_t>(rq.seeds);

    // outcomes[k][seed][dataset][method]
    std::vector<std::vector<std::vector<std::vector<Outcome>>>> outcomes(
        ks.size(), std::vector<std::vector<std::vector<Outcome>>>(n_seeds));
    parallel_tasks(ks.size() * n_seeds, control, "sample counts", [&](std::size_t task) {
        const std::size_t ki = task / n_seeds, seed = task % n_seeds;
        const std::size_t k = ks[ki];
        data::Dataset copy = base;
        std::vector<std::uint32_t> pick;
        for (std::size_t j = 0; j < verified; ++j) {
            auto& conf = copy.models[j].verifier_confidence;
            conf.resize(copy.size(), data::kMissing);
            for (std::size_t row = 0; row < copy.size(); ++row) {
                const std::size_t have = count(j, row);
                if (have == 0) continue;
                const std::uint8_t* v = verdicts[j].data() + offset[j][row];
                const std::size_t take = std::min(k, have);
                pick.resize(have);
                for (std::size_t i = 0; i < have; ++i) pick[i] = static_cast<std::uint32_t>(i);
                if (seed > 0) {
                    // Model 0 keeps the stream it always had; the others get their own.
                    std::uint64_t state =
                        mix64((static_cast<std::uint64_t>(seed) << 32) ^ row ^ (static_cast<std::uint64_t>(j) << 56));
                    for (std::size_t i = 0; i < take; ++i) {  // partial Fisher–Yates
                        state = mix64(state);
                        const std::size_t p = i + static_cast<std::size_t>(state % (have - i));
                        std::swap(pick[i], pick[p]);
                    }
                }
                int correct = 0, valid = 0;
                for (std::size_t i = 0; i < take; ++i) {
                    correct += v[pick[i]] == kCorrect;
                    valid += v[pick[i]] != kNone;
                }
                conf[row] = valid == 0 ? 0.0 : static_cast<double>(correct) / valid;
            }
        }
        auto& out = outcomes[ki][seed];
        for (std::size_t di = 0; di < datasets.size(); ++di) {
            const data::View train = by_dataset.rows(datasets[di], data::Split::Train);
            const data::View val = by_dataset.rows(datasets[di], data::Split::Val);
            std::vector<Outcome> per_method;
            for (const auto& m : methods[di]) {
                check_cancel(control);
                per_method.push_back(train_and_evaluate(*m, copy, train, val, rq.config));
            }
            out.push_back(std::move(per_method));
        }
    });

    r.title = "Val lift vs verifier samples per query (mean ± std over seeds)";
    r.chart = ChartKind::Lines;
    r.x_label = "verifier samples k";
    r.y_label = "val IBC lift";
    r.log_x = true;
    r.parameters["sample_counts"] = ks;
    r.parameters["seeds"] = rq.seeds;
    r.parameters["seed_rule"] = "seed 0: the first k samples; seed s > 0: k samples drawn by seed";
    r.parameters["call_costs"] = rq.config.call_costs;
    r.parameters["verifier_cost"] = rq.config.verifier_cost;
    r.parameters["num_bins"] = rq.config.num_bins;
    r.table.columns = {"dataset",
                       "method",
                       "k",
                       "seeds",
                       "ok",
                       "val_lift_mean",
                       "val_lift_std",
                       "val_cost_mean",
                       "val_perf_mean",
                       "val_lift_per_seed",
                       "error"};
    for (std::size_t di = 0; di < datasets.size(); ++di) {
        const std::string dname = ds.dataset_names[datasets[di]];
        for (std::size_t mi = 0; mi < methods[di].size(); ++mi) {
            Series series{dname, methods[di][mi]->name(), {}};
            for (std::size_t ki = 0; ki < ks.size(); ++ki) {
                std::vector<double> lifts, costs, perfs;
                std::string error;
                for (std::size_t s = 0; s < n_seeds; ++s) {
                    const Outcome& o = outcomes[ki][s][di][mi];
                    if (!o.ok) {
                        if (error.empty()) error = o.error;
                        continue;
                    }
                    lifts.push_back(o.val.lift);
                    costs.push_back(o.val.avg_cost);
                    perfs.push_back(o.val.avg_perf);
                }
                const Estimate e = mean_std(lifts);
                if (error.empty())
                    series.points.push_back({static_cast<double>(ks[ki]), e, ""});
                else
                    r.warnings.push_back(dname + " / " + series.name + " with k = " + std::to_string(ks[ki]) + ": " +
                                         error);
                nlohmann::json per_seed = nlohmann::json::array();
                for (const double l : lifts) per_seed.push_back(number_or_null(l));
                r.table.rows.push_back({dname, series.name, ks[ki], rq.seeds, error.empty(), number_or_null(e.value),
                                        number_or_null(e.std), number_or_null(mean_std(costs).value),
                                        number_or_null(mean_std(perfs).value), per_seed, error});
            }
            r.series.push_back(std::move(series));
        }
    }
    return r;
}

}  // namespace automix::study::detail

#include "core/eval/protocol.hpp"

#include <sstream>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <numeric>
#include <random>
#include <stdexcept>
#include <system_error>

#include "core/routing/bins.hpp"

namespace automix::eval {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// numpy legacy random_interval: rejection sampling under the smallest covering bit mask.
std::uint64_t random_interval(std::mt19937& mt, std::uint64_t max) {
    if (max == 0) return 0;
    std::uint64_t mask = max;
    for (int s = 1; s <= 32; s <<= 1) mask |= mask >> s;
    std::uint64_t value;
    if (max <= 0xffffffffULL) {
        do value = mt() & mask;
        while (value > max);
    } else {
        do value = ((static_cast<std::uint64_t>(mt()) << 32) | mt()) & mask;
        while (value > max);
    }
    return value;
}

struct MethodRun {
    routing::MethodPtr method;
    std::vector<int> ladder;
};

}  // namespace

std::vector<std::size_t> pandas_sample_positions(std::size_t population, std::size_t n, std::uint32_t seed) {
    if (n > population)
        throw std::invalid_argument("cannot sample " + std::to_string(n) + " rows from " + std::to_string(population));
    // RandomState(seed): init_genrand(seed), which std::mt19937 reproduces; then
    // permutation(population) = legacy Fisher–Yates from the end; the first n are taken.
    std::mt19937 mt(seed);
    std::vector<std::size_t> perm(population);
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    for (std::size_t i = population; i-- > 1;) {
        const std::size_t j = static_cast<std::size_t>(random_interval(mt, i));
        std::swap(perm[i], perm[j]);
    }
    perm.resize(n);
    return perm;
}

Stat stat_of(const std::vector<double>& v) {
    Stat s;
    if (v.empty()) return s;
    const double n = static_cast<double>(v.size());
    // Mean like the reference's sum(lifts) / len(lifts); std like np.std (population).
    double sum = 0;
    for (const double x : v) sum += x;
    s.mean = sum / n;
    const double np_mean = routing::pairwise_sum(v.data(), v.size()) / n;
    std::vector<double> sq(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) sq[i] = (v[i] - np_mean) * (v[i] - np_mean);
    s.std = std::sqrt(routing::pairwise_sum(sq.data(), sq.size()) / n);
    s.min = s.max = v[0];
    for (const double x : v) {
        if (x < s.min || std::isnan(x)) s.min = x;
        if (x > s.max || std::isnan(x)) s.max = x;
    }
    return s;
}

std::vector<routing::MethodPtr> resolve_methods(const std::vector<std::string>& names) {
    std::vector<routing::MethodPtr> out;
    for (const auto& n : names) {
        auto m = routing::find_method(n);
        if (!m) {
            std::string known;
            for (const auto& k : routing::method_names()) known += (known.empty() ? "" : ", ") + k;
            throw std::invalid_argument("unknown method '" + n + "' (known: " + known + ")");
        }
        bool dup = false;
        for (const auto& x : out) dup = dup || x->name() == m->name();
        if (!dup) out.push_back(std::move(m));
    }
    return out;
}

std::vector<std::string> cost_warnings(const std::vector<double>& c, double verifier_cost) {
    std::vector<std::string> out;
    if (c.empty()) return out;
    auto list = [&] {
        std::string t;
        for (std::size_t i = 0; i < c.size(); ++i) {
            std::ostringstream one;
            one << c[i];
            t += (i ? ", " : "") + one.str();
        }
        return t;
    };
    bool all_zero = verifier_cost == 0;
    for (double x : c) all_zero = all_zero && x == 0;
    if (all_zero) {
        out.push_back("every cost is 0 (" + list() + "; verifier 0): average costs are 0 and lifts undefined");
        return out;
    }
    for (std::size_t i = 1; i < c.size(); ++i)
        if (c[i] < c[i - 1]) {
            out.push_back("model costs " + list() +
                          " are not cheapest first: the cascade assumes each model costs at least the one before");
            break;
        }
    if (c.size() >= 2 && c.front() == c.back())
        out.push_back("the first and the last model cost the same (" + list() +
                      "): the IBC baseline has no cost difference, so lifts are undefined");
    return out;
}

void drop_details(DatasetReport& d) {
    for (MethodReport& m : d.methods) {
        routing::Decisions().swap(m.decisions);
        std::vector<CandidateResult>().swap(m.train_candidates);
        std::vector<Metrics>().swap(m.val_candidates);
        m.extra = nullptr;
        m.extra_rows_key.clear();
        m.extra_rows = nullptr;
    }
}

Report run_evaluation(const data::Dataset& ds, const EvalOptions& options,
                      const std::function<void(std::size_t, std::size_t)>& progress,
                      const std::function<void(DatasetReport&)>& dataset_done) {
    const auto t_start = Clock::now();
    Report report;
    report.options = options;
    report.n_rows = ds.size();
    report.input_path = ds.source_path;
    if (ds.models.size() < 2) throw std::invalid_argument("the data has fewer than two models");

    const routing::Config& cfg = options.config;
    const CostModel costs = CostModel::from(cfg);
    (void)routing::Bins(cfg.num_bins);  // validates num_bins
    report.warnings = cost_warnings(cfg.call_costs, cfg.verifier_cost);

    std::vector<int> dataset_ids;
    if (options.datasets.empty()) {
        for (std::size_t i = 0; i < ds.dataset_names.size(); ++i) dataset_ids.push_back(static_cast<int>(i));
    } else {
        for (const auto& name : options.datasets) {
            const int d = ds.find_dataset(name);
            if (d < 0) {
                std::string known;
                for (const auto& k : ds.dataset_names) known += (known.empty() ? "" : ", ") + k;
                throw std::invalid_argument("no dataset '" + name + "' in the data (has: " + known + ")");
            }
            dataset_ids.push_back(d);
        }
    }
    const std::vector<routing::MethodPtr> explicit_methods = resolve_methods(options.methods);

    std::vector<std::vector<routing::MethodPtr>> plan;
    std::size_t total = 0;
    for (const int d : dataset_ids) {
        std::vector<routing::MethodPtr> ms;
        if (!explicit_methods.empty()) {
            ms = explicit_methods;
        } else {
            for (const auto& m : routing::all_methods())
                if (m->capabilities().in_default_set && m->runs_by_default_on(ds.dataset_names[d])) ms.push_back(m);
        }
        total += ms.size();
        plan.push_back(std::move(ms));
    }

    const data::RowsByDataset by_dataset(ds);
    std::mutex progress_mutex;
    std::size_t done = 0;
    auto method_done = [&] {
        if (!progress) return;
        const std::lock_guard lock(progress_mutex);
        progress(++done, total);
    };
    // One dataset's whole part of the report. Reads only shared const data (ds, plan, cfg); its
    // score views and caches are its own, so datasets can run on different threads.
    auto evaluate_dataset = [&](std::size_t di) {
        const int d = dataset_ids[di];
        DatasetReport dr;
        dr.name = ds.dataset_names[d];
        dr.train_rows = ds.measured(by_dataset.rows(d, data::Split::Train));
        dr.val_rows = ds.measured(by_dataset.rows(d, data::Split::Val));
        if (const std::size_t left_out = by_dataset.rows(d, data::Split::Train).size() + by_dataset.rows(d, data::Split::Val).size() -
                                         dr.train_rows.size() - dr.val_rows.size())
            dr.warnings.push_back(std::to_string(left_out) +
                                  " rows left out: a routed live run did not ask every model, so their scores are "
                                  "unknown");
        dr.n_train = dr.train_rows.size();
        dr.n_val = dr.val_rows.size();

        // Score views per ladder (most methods share {first, last}), built lazily.
        std::map<std::vector<int>, ScoredView> val_views, train_views;
        std::map<std::pair<std::vector<int>, std::uint32_t>, ScoredView> seed_views;
        std::map<std::uint32_t, data::View> seed_rows;
        std::string view_error;
        auto view_of = [&](auto& cache, const auto& key, const data::View& rows,
                           const std::vector<int>& ladder) -> const ScoredView& {
            auto it = cache.find(key);
            if (it == cache.end()) it = cache.emplace(key, ScoredView(ds, rows, ladder, costs)).first;
            return it->second;
        };

        try {
            const std::vector<int> two{0, static_cast<int>(ds.models.size()) - 1};
            const ScoredView& val2 = view_of(val_views, two, dr.val_rows, two);
            dr.slm_only = {val2.call_cost(0), val2.mean_score(0)};
            dr.llm_only = {val2.call_cost(1), val2.mean_score(1)};
            const ScoredView& train2 = view_of(train_views, two, dr.train_rows, two);
            dr.train_slm_perf = train2.mean_score(0);
            dr.train_llm_perf = train2.mean_score(1);
        } catch (const std::exception& e) {
            view_error = e.what();
            dr.warnings.push_back(view_error);
        }

        if (dr.n_train == 0) dr.warnings.push_back("no train rows: every method keeps its first candidate");
        if (dr.n_val == 0) dr.warnings.push_back("no val rows: nothing to evaluate");
        if (dr.n_val == 1) dr.warnings.push_back("only one val row: every figure describes that single query");
        // The IBC baseline joins (c_first, P_first) and (c_last, P_last); with equal
        // performance its slope is 0 and every lift and APGR divides by it.
        if (dr.n_val > 0 && view_error.empty() && dr.slm_only.perf == dr.llm_only.perf) {
            std::ostringstream perf;
            perf << dr.slm_only.perf;
            dr.warnings.push_back("the first and the last model have the same average performance on val (" +
                                  perf.str() + "): IBC lift and APGR are undefined (nan)");
        }
        std::size_t train_rows_used = std::min(options.train_rows, dr.n_train);
        if (options.protocol == Protocol::Paper && dr.n_train > 0 && train_rows_used < options.train_rows)
            dr.warnings.push_back("train split has " + std::to_string(dr.n_train) + " rows, fewer than the " +
                                  std::to_string(options.train_rows) + " to sample: every seed trains on all of them");

        for (const auto& method : plan[di]) {
            if (options.cancel && options.cancel->load()) throw EvalCancelled();
            const auto t0 = Clock::now();
            MethodReport mr;
            mr.key = method->name();
            try {
                if (!view_error.empty()) throw std::invalid_argument(view_error);
                const std::vector<int> ladder = ScoredView::ladder_for(ds, *method);
                const ScoredView& val = view_of(val_views, ladder, dr.val_rows, ladder);
                if (options.protocol == Protocol::Full) {
                    const ScoredView& train = view_of(train_views, ladder, dr.train_rows, ladder);
                    FitOptions fit_options;
                    fit_options.score_candidates = options.val_curves;
                    Fit fit = fit_and_score(*method, ds, train, val, cfg, fit_options);
                    TrainResult& t = fit.train;
                    mr.best = t.best_params();
                    mr.train_lift = t.train_lift();
                    mr.n_candidates = t.candidates.size();
                    mr.n_best_ties = t.n_best_ties;
                    mr.decisions = std::move(fit.decisions);
                    mr.val = fit.scored;
                    if (options.val_curves) {
                        mr.val_candidates = std::move(fit.scored_candidates);
                        mr.val_curve = summarize_curve(mr.val_candidates, val);
                    }
                    if (options.method_extras) {
                        routing::StreamedExtra e = method->extra_streamed(ds, dr.train_rows, mr.best, cfg);
                        if (options.stream_extra_rows) {
                            mr.extra = std::move(e.value);
                            mr.extra_rows_key = std::move(e.rows_key);
                            mr.extra_rows = std::move(e.rows);
                        } else {
                            mr.extra = std::move(e).whole();
                        }
                    }
                    if (options.keep_train_candidates) mr.train_candidates = std::move(t.candidates);
                } else {
                    std::vector<double> lifts, cost, perf;
                    for (int s = 0; s < options.seeds; ++s) {
                        const auto seed = static_cast<std::uint32_t>(s);
                        auto rows_it = seed_rows.find(seed);
                        if (rows_it == seed_rows.end()) {
                            data::View v;
                            for (const std::size_t pos : pandas_sample_positions(dr.n_train, train_rows_used, seed))
                                v.push_back(dr.train_rows[pos]);
                            rows_it = seed_rows.emplace(seed, std::move(v)).first;
                        }
                        const ScoredView& train =
                            view_of(seed_views, std::make_pair(ladder, seed), rows_it->second, ladder);
                        routing::Config seed_cfg = cfg;
                        seed_cfg.seed = cfg.seed + seed;
                        const Fit fit = fit_and_score(*method, ds, train, val, seed_cfg);
                        SeedResult sr;
                        sr.seed = seed;
                        sr.train_rows = train.size();
                        sr.best = fit.train.best_params();
                        sr.train_lift = fit.train.train_lift();
                        sr.val = fit.scored;
                        lifts.push_back(sr.val.lift);
                        cost.push_back(sr.val.avg_cost);
                        perf.push_back(sr.val.avg_perf);
                        mr.seeds.push_back(std::move(sr));
                    }
                    mr.val_lift_stat = stat_of(lifts);
                    mr.val_cost_stat = stat_of(cost);
                    mr.val_perf_stat = stat_of(perf);
                }
                mr.ok = true;
            } catch (const std::exception& e) {
                mr.ok = false;
                mr.error = e.what();
            }
            mr.seconds = seconds_since(t0);
            dr.methods.push_back(std::move(mr));
            method_done();
        }
        return dr;
    };
    auto deliver = [&](DatasetReport dr) {
        if (dataset_done) dataset_done(dr);
        report.datasets.push_back(std::move(dr));
    };

    const unsigned cores = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    const std::size_t n_workers = std::min<std::size_t>(cores, dataset_ids.size());
    if (n_workers <= 1) {
        for (std::size_t di = 0; di < dataset_ids.size(); ++di) deliver(evaluate_dataset(di));
    } else {
        // Workers take datasets in file order; this thread hands each one on as soon as it and
        // all before it are done, so a streaming writer overlaps with the next computations.
        struct Slot {
            std::optional<DatasetReport> report;
            std::exception_ptr error;
        };
        std::vector<Slot> slots(dataset_ids.size());
        std::mutex mutex;
        std::condition_variable ready;
        std::size_t next = 0;
        bool stop = false;
        auto work = [&] {
            for (;;) {
                std::size_t di;
                {
                    const std::lock_guard lock(mutex);
                    if (stop || next == slots.size()) return;
                    di = next++;
                }
                Slot result;
                try {
                    result.report = evaluate_dataset(di);
                } catch (...) {
                    result.error = std::current_exception();
                }
                const std::lock_guard lock(mutex);
                slots[di] = std::move(result);
                if (slots[di].error) stop = true;  // the others finish their dataset and quit
                ready.notify_all();
            }
        };
        std::vector<std::jthread> workers;
        try {
            for (std::size_t w = 0; w < n_workers; ++w) workers.emplace_back(work);
        } catch (const std::system_error&) {  // no more threads to be had: go on with those there are
        }
        if (workers.empty()) work();  // not even one: this thread computes them all first
        std::exception_ptr failure;
        for (std::size_t di = 0; di < slots.size() && !failure; ++di) {
            std::unique_lock lock(mutex);
            ready.wait(lock, [&] { return slots[di].report || slots[di].error; });
            if (slots[di].error) {
                failure = slots[di].error;
                break;
            }
            DatasetReport dr = std::move(*slots[di].report);
            slots[di].report.reset();
            lock.unlock();
            try {
                deliver(std::move(dr));
            } catch (...) {
                failure = std::current_exception();
            }
        }
        if (failure) {
            {
                const std::lock_guard lock(mutex);
                stop = true;  // the workers finish their dataset and take no other
            }
            workers.clear();  // joins
            std::rethrow_exception(failure);
        }
    }
    report.seconds = seconds_since(t_start);
    return report;
}

}  // namespace automix::eval

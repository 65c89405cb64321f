// The study registry and the helpers every study uses.
#include "core/study/study.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <thread>

#include "core/eval/protocol.hpp"
#include "core/study/study_detail.hpp"

namespace automix::study {

std::vector<std::string> StudyResult::groups() const {
    std::vector<std::string> out;
    for (const auto& s : series)
        if (std::find(out.begin(), out.end(), s.group) == out.end()) out.push_back(s.group);
    return out;
}

const std::vector<StudyInfo>& study_infos() {
    static const std::vector<StudyInfo> infos{
        {"cost-ratio", "lift of every method as the large/small cost ratio goes 2:1 ... 2000:1 (retrained per ratio)"},
        {"train-size", "val lift vs number of training rows, mean +- std over seeds"},
        {"transfer", "train on dataset A, evaluate on dataset B, for all pairs (matrix of lifts per method)"},
        {"samples", "lift vs k verifier samples per query (first k, or k chosen by seed)"},
        {"seeds", "the paper's protocol (seeds x 1000 train rows): mean, std and bootstrap interval"},
        {"latency", "expected latency per query of each method next to its cost, from per-model latencies"},
    };
    return infos;
}

std::vector<std::string> study_names() {
    std::vector<std::string> out;
    for (const auto& i : study_infos()) out.push_back(i.name);
    return out;
}

std::vector<std::string> default_methods() {
    // Reference points (Role::Reference) are left out: their lift does not depend on the
    // setting a study varies, and the oracle's dwarfs every other line. So are methods
    // outside the paper's default set (they run when named).
    std::vector<std::string> out;
    for (const auto& m : routing::all_methods()) {
        const routing::Capabilities c = m->capabilities();
        if (c.role != routing::Role::Reference && c.in_default_set) out.push_back(m->name());
    }
    return out;
}

StudyResult run_study(const data::Dataset& ds, const StudyRequest& request, const StudyControl& control) {
    using Runner = StudyResult (*)(const data::Dataset&, const StudyRequest&, const StudyControl&);
    static const std::vector<std::pair<std::string, Runner>> runners{
        {"cost-ratio", detail::run_cost_ratio}, {"train-size", detail::run_train_size},
        {"transfer", detail::run_transfer},     {"samples", detail::run_samples},
        {"seeds", detail::run_seeds},           {"latency", detail::run_latency},
    };
    if (ds.models.size() < 2) throw std::invalid_argument("the data has fewer than two models");
    if (request.config.num_bins < 1) throw std::invalid_argument("num_bins must be at least 1");
    for (const auto& [name, run] : runners) {
        if (name != request.study) continue;
        const auto t0 = std::chrono::steady_clock::now();
        StudyResult r = run(ds, request, control);
        r.study = name;
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return r;
    }
    std::string known;
    for (const auto& n : study_names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown study '" + request.study + "' (known: " + known + ")");
}

namespace detail {

std::vector<int> resolve_datasets(const data::Dataset& ds, const std::vector<std::string>& names) {
    std::vector<int> out;
    if (names.empty()) {
        for (std::size_t i = 0; i < ds.dataset_names.size(); ++i) out.push_back(static_cast<int>(i));
        return out;
    }
    for (const auto& n : names) {
        const int d = ds.find_dataset(n);
        if (d < 0) {
            std::string known;
            for (const auto& k : ds.dataset_names) known += (known.empty() ? "" : ", ") + k;
            throw std::invalid_argument("no dataset '" + n + "' in the data (has: " + known + ")");
        }
        if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    }
    return out;
}

std::vector<routing::MethodPtr> methods_for(const data::Dataset& ds, const StudyRequest& rq, int dataset) {
    if (!rq.methods.empty()) return eval::resolve_methods(rq.methods);
    std::vector<routing::MethodPtr> out;
    for (const auto& m : eval::resolve_methods(default_methods()))
        if (m->runs_by_default_on(ds.dataset_names[dataset])) out.push_back(m);
    return out;
}

std::vector<routing::MethodPtr> methods_for_all(const data::Dataset& ds, const StudyRequest& rq,
                                                const std::vector<int>& datasets) {
    if (!rq.methods.empty()) return eval::resolve_methods(rq.methods);
    std::vector<routing::MethodPtr> out;
    for (const auto& m : eval::resolve_methods(default_methods())) {
        bool everywhere = true;
        for (const int d : datasets) everywhere = everywhere && m->runs_by_default_on(ds.dataset_names[d]);
        if (everywhere) out.push_back(m);
    }
    return out;
}

Outcome train_and_evaluate(const routing::Method& m, const data::Dataset& ds, const data::View& train,
                           const data::View& val, const routing::Config& cfg) {
    Outcome o;
    try {
        eval::Fit fit = eval::fit_and_score(m, ds, train, val, cfg);
        o.best = fit.train.best_params();
        o.train_lift = fit.train.train_lift();
        o.decisions = std::move(fit.decisions);
        o.val = fit.scored;
        o.ok = true;
    } catch (const std::exception& e) {
        o.ok = false;
        o.error = e.what();
    }
    return o;
}

void check_cancel(const StudyControl& control) {
    if (control.cancel && control.cancel->load()) throw StudyCancelled();
}

void parallel_tasks(std::size_t count, const StudyControl& control, const std::string& stage,
                    const std::function<void(std::size_t)>& task) {
    check_cancel(control);
    std::atomic<std::size_t> next{0};
    std::size_t done = 0;  // guarded by `mutex`
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex mutex;  // guards `error` and `done`, and serialises progress callbacks
    auto worker = [&] {
        for (;;) {
            if (failed.load() || (control.cancel && control.cancel->load())) return;
            const std::size_t i = next.fetch_add(1);
            if (i >= count) return;
            try {
                task(i);
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex);
                if (!error) error = std::current_exception();
                failed = true;
                return;
            }
            // Counted under the lock that orders the callbacks: counted outside it, a thread
            // could report 4 before another reported 3 (a progress bar stepping back).
            std::lock_guard<std::mutex> lock(mutex);
            ++done;
            if (control.progress) control.progress(done, count, stage);
        }
    };
    const std::size_t hw = std::max(1u, std::thread::hardware_concurrency());
    const std::size_t threads = std::min(hw, count);
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
    check_cancel(control);
}

nlohmann::json number_or_null(double x) {
    return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json();
}

Estimate mean_std(const std::vector<double>& values) {
    Estimate e;
    if (values.empty()) return e;
    // eval::stat_of: the same mean and population std as the paper protocol's report.
    const eval::Stat s = eval::stat_of(values);
    e.value = s.mean;
    e.std = s.std;
    return e;
}

}  // namespace detail
}  // namespace automix::study

// Benchmarks of routing + evaluation on release-sized synthetic data (core/demo generator,
// 40 720 rows in the release's dataset/split proportions):
//   BM_PaperProtocol   — `paper` protocol, 5 datasets, 10 seeds × 1000 train rows
//                        (reference methods + baselines; and with every registered method)
//   BM_FullProtocol    — `full` protocol, every candidate also scored on val (curves)
//   BM_Reroute50k/...  — one parameter on a 50 000-row view: route + all metrics
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "core/data/reader.hpp"
#include "core/demo/generator.hpp"
#include "core/eval/metrics.hpp"
#include "core/eval/protocol.hpp"
#include "core/routing/method.hpp"

namespace {

using namespace automix;

const data::Dataset& release_sized() {
    static std::unique_ptr<data::Dataset> ds = [] {
        const auto path = std::filesystem::temp_directory_path() / "automix_bench_eval.jsonl";
        demo::GeneratorOptions g;
        g.seed = 5;
        g.rows = 40720;
        demo::generate_file(g, path.string());
        auto loaded = data::load_file(path.string());
        std::filesystem::remove(path);
        return std::make_unique<data::Dataset>(std::move(loaded.dataset));
    }();
    return *ds;
}

std::vector<std::string> reference_and_baselines() {
    std::vector<std::string> out;
    for (const auto& n : routing::method_names())
        if (n.rfind("Cascade", 0) != 0) out.push_back(n);
    return out;
}

void run_protocol(benchmark::State& state, eval::Protocol protocol, bool every_method) {
    const auto& ds = release_sized();
    eval::EvalOptions o;
    o.protocol = protocol;
    if (!every_method) o.methods = reference_and_baselines();
    std::size_t runs = 0, failed = 0;
    for (auto _ : state) {
        const eval::Report r = eval::run_evaluation(ds, o);
        runs = failed = 0;
        for (const auto& d : r.datasets)
            for (const auto& m : d.methods) {
                ++runs;
                failed += m.ok ? 0 : 1;
            }
        benchmark::DoNotOptimize(r.datasets.data());
    }
    state.counters["rows"] = static_cast<double>(ds.size());
    state.counters["dataset_x_method"] = static_cast<double>(runs);
    state.counters["failed"] = static_cast<double>(failed);
}

void BM_PaperProtocol(benchmark::State& state) {
    run_protocol(state, eval::Protocol::Paper, state.range(0) != 0);
}
BENCHMARK(BM_PaperProtocol)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("all_registered")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->Repetitions(3);

void BM_FullProtocol(benchmark::State& state) {
    run_protocol(state, eval::Protocol::Full, state.range(0) != 0);
}
BENCHMARK(BM_FullProtocol)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("all_registered")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->Repetitions(3);

// A 50 000-row view (the file's rows, repeated as needed).
data::View view_50k() {
    const auto& ds = release_sized();
    data::View v(50000);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<data::RowIndex>(i % ds.size());
    return v;
}

void reroute(benchmark::State& state, const char* method, const routing::Params& p) {
    const auto& ds = release_sized();
    const auto m = routing::find_method(method);
    const eval::ScoredView view = eval::ScoredView::for_method(ds, view_50k(), *m, {});
    const routing::Config cfg;
    for (auto _ : state) {
        const routing::Decisions d = m->route(ds, view.rows(), p, cfg);
        const eval::Metrics metrics = view.evaluate(d);
        benchmark::DoNotOptimize(metrics.lift);
    }
    state.counters["rows"] = static_cast<double>(view.size());
}

void BM_Reroute50k_Threshold(benchmark::State& s) {
    reroute(s, "Threshold", 0.375);
}
BENCHMARK(BM_Reroute50k_Threshold)->Unit(benchmark::kMicrosecond);
void BM_Reroute50k_TripleThreshold(benchmark::State& s) {
    reroute(s, "TripleThreshold", routing::Params::array({0.125, 0.5, 0.75}));
}
BENCHMARK(BM_Reroute50k_TripleThreshold)->Unit(benchmark::kMicrosecond);
void BM_Reroute50k_POMDP(benchmark::State& s) {
    reroute(s, "POMDP", routing::Params::array({routing::Params::array({0, 1, 0, 0, 1, 0, 0, 1, 1}), 0}));
}
BENCHMARK(BM_Reroute50k_POMDP)->Unit(benchmark::kMicrosecond);

void BM_Metrics50k(benchmark::State& state) {
    const auto& ds = release_sized();
    const auto m = routing::find_method("Threshold");
    const eval::ScoredView view = eval::ScoredView::for_method(ds, view_50k(), *m, {});
    const routing::Decisions d = m->route(ds, view.rows(), 0.5, {});
    for (auto _ : state) benchmark::DoNotOptimize(view.evaluate(d).lift);
}
BENCHMARK(BM_Metrics50k)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

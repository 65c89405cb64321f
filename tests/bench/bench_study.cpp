// Studies on release-sized data (45 000 rows, the public release's split sizes scaled by
// the demo generator): each should take seconds, not minutes. Run:
//   build/tests/bench/bench_study [--benchmark_filter=transfer]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "core/data/reader.hpp"
#include "core/demo/generator.hpp"
#include "core/study/study.hpp"

using namespace automix;

namespace {

const data::Dataset& release_sized() {
    static const data::Dataset ds = [] {
        const std::string path = (std::filesystem::temp_directory_path() / "automix-bench-study-45k.jsonl").string();
        demo::GeneratorOptions o;
        o.rows = 45000;
        o.seed = 7;
        demo::generate_file(o, path);
        data::Dataset d = data::load_file(path).dataset;
        std::filesystem::remove(path);
        return d;
    }();
    return ds;
}

void run(benchmark::State& state, study::StudyRequest rq) {
    const auto& ds = release_sized();
    std::size_t rows = 0;
    for (auto _ : state) {
        const auto r = study::run_study(ds, rq);
        rows += r.table.rows.size();
        benchmark::DoNotOptimize(rows);
    }
    state.counters["rows"] = static_cast<double>(ds.size());
    state.counters["table_rows"] = static_cast<double>(rows) / static_cast<double>(state.iterations());
}

void BM_Transfer(benchmark::State& s) {
    study::StudyRequest rq;
    rq.study = "transfer";
    run(s, rq);
}
void BM_TrainSize(benchmark::State& s) {  // 8 sizes × 10 seeds × every method × 5 datasets
    study::StudyRequest rq;
    rq.study = "train-size";
    run(s, rq);
}
void BM_CostRatio(benchmark::State& s) {  // 10 ratios
    study::StudyRequest rq;
    rq.study = "cost-ratio";
    run(s, rq);
}
void BM_Seeds(benchmark::State& s) {  // 10 seeds × 1000 rows, 1000 bootstrap replicates
    study::StudyRequest rq;
    rq.study = "seeds";
    run(s, rq);
}
void BM_Samples(benchmark::State& s) {  // k = 1..32, 5 seeds
    study::StudyRequest rq;
    rq.study = "samples";
    rq.seeds = 5;
    run(s, rq);
}
void BM_Latency(benchmark::State& s) {
    study::StudyRequest rq;
    rq.study = "latency";
    rq.model_latency = {0.5, 3.0};
    rq.verifier_latency = 0.8;
    run(s, rq);
}

}  // namespace

BENCHMARK(BM_Transfer)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_TrainSize)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_CostRatio)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_Seeds)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_Samples)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Latency)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_MAIN();

// Throughput of answer scoring (F1, verifier confidence) and of the demo generator.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/demo/generator.hpp"
#include "core/scoring/f1.hpp"
#include "core/scoring/verifier.hpp"

namespace {

void BM_F1ShortAnswers(benchmark::State& state) {
    const std::string prediction = "In November, to guard the fragile telescope.";
    const std::string gold = "in November, to guard the old telescope near the north harbour";
    for (auto _ : state) benchmark::DoNotOptimize(automix::scoring::f1(prediction, gold));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_F1ShortAnswers);

void BM_VerifierConfidence32(benchmark::State& state) {
    std::vector<std::string> samples;
    for (int i = 0; i < 32; ++i)
        samples.push_back(i % 3 ? " Stated.\nSo the AI generated answer is correct."
                                : "The AI Generated Answer is INCORRECT");
    for (auto _ : state) benchmark::DoNotOptimize(automix::scoring::verifier_confidence(samples));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifierConfidence32);

void BM_GenerateReleaseRows(benchmark::State& state) {
    automix::demo::GeneratorOptions options;
    options.rows = 5000;
    options.min_context_bytes = static_cast<std::size_t>(state.range(0));
    std::size_t bytes = 0;
    for (auto _ : state) {
        automix::demo::generate(options, [&](std::string_view line) { bytes += line.size(); });
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(options.rows));
}
BENCHMARK(BM_GenerateReleaseRows)->Arg(0)->Arg(5000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

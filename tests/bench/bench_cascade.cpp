// Cascade POMDP benchmarks (targets from the cascade issue): 50k queries × 3 models × 9 bins
//   BM_LearnSolveRoute   learn the tables, solve for all λ, gather the rows, route at the
//                        trained λ                                     target < 50 ms
//   BM_LambdaReroute     a λ change: derive the policy from the thresholds and re-route
//                        the prepared rows                             target < 5 ms
//   BM_CostQualityCurve  every distinct policy routed and scored (the whole curve)
//   BM_SolveOnly         the exact solve of the 90-node history tree alone
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/routing/cascade_router.hpp"

using namespace automix;
using namespace automix::routing::cascade;

namespace {

constexpr std::size_t kRows = 50'000;

const data::Dataset& dataset() {
    static const data::Dataset ds = [] {
        data::Dataset d;
        d.dataset_names = {"bench"};
        const double costs[] = {1, 10, 50};
        for (int j = 0; j < 3; ++j) {
            data::ModelColumns m;
            m.name = "m" + std::to_string(j + 1);
            m.call_cost = costs[j];
            m.score.reserve(kRows);
            m.verifier_confidence.reserve(kRows);
            d.models.push_back(std::move(m));
        }
        std::mt19937 rng(42);
        std::uniform_real_distribution<double> u(0, 1);
        for (std::size_t i = 0; i < kRows; ++i) {
            d.id.push_back("q" + std::to_string(i));
            d.split.push_back(data::Split::Train);
            d.dataset_index.push_back(0);
            const double difficulty = u(rng);
            const double acc[] = {0.75 - 0.6 * difficulty, 0.9 - 0.5 * difficulty, 0.97 - 0.3 * difficulty};
            for (int j = 0; j < 3; ++j) {
                const double s = u(rng) < acc[j] ? 1.0 : u(rng) * 0.5;
                d.models[j].score.push_back(s);
                const double conf = std::clamp((s >= 0.5 ? 0.7 : 0.3) + 0.4 * (u(rng) - 0.5), 0.0, 1.0);
                d.models[j].verifier_confidence.push_back(j < 2 ? std::round(conf * 32) / 32 : data::kMissing);
            }
        }
        return d;
    }();
    return ds;
}

const CascadeCosts kCosts{{1, 10, 50}, 1};

void BM_LearnSolveRoute(benchmark::State& state) {
    const data::Dataset& ds = dataset();
    const data::View rows = ds.all_rows();
    std::size_t escalated = 0;
    for (auto _ : state) {
        const CascadeSolution sol(learn_cascade_model(ds, rows, {}, kCosts));
        const CascadeRows cr(ds, rows, 8);
        const CascadeResult r = route_rows(sol, sol.policy_at(0.005), cr);
        escalated = kRows - r.per_model[0];
        benchmark::DoNotOptimize(r.avg_cost);
    }
    state.counters["escalated"] = static_cast<double>(escalated);
}
BENCHMARK(BM_LearnSolveRoute)->Unit(benchmark::kMillisecond);

void BM_LambdaReroute(benchmark::State& state) {
    const data::Dataset& ds = dataset();
    const CascadeSolution sol(learn_cascade_model(ds, ds.all_rows(), {}, kCosts));
    const CascadeRows cr(ds, ds.all_rows(), 8);
    double lambda = 1e-4;
    for (auto _ : state) {
        lambda = lambda > 0.05 ? 1e-4 : lambda * 1.3;  // a slider moving
        const CascadeResult r = route_rows(sol, sol.policy_at(lambda), cr);
        benchmark::DoNotOptimize(r.avg_score);
    }
}
BENCHMARK(BM_LambdaReroute)->Unit(benchmark::kMillisecond);

void BM_CostQualityCurve(benchmark::State& state) {
    const data::Dataset& ds = dataset();
    const CascadeSolution sol(learn_cascade_model(ds, ds.all_rows(), {}, kCosts));
    const CascadeRows cr(ds, ds.all_rows(), 8);
    std::size_t points = 0;
    for (auto _ : state) {
        const auto curve = cost_quality_curve(sol, cr, kCosts.call_costs);
        points = curve.size();
        benchmark::DoNotOptimize(curve.data());
    }
    state.counters["policies"] = static_cast<double>(points);
}
BENCHMARK(BM_CostQualityCurve)->Unit(benchmark::kMillisecond);

void BM_SolveOnly(benchmark::State& state) {
    const data::Dataset& ds = dataset();
    const CascadeModel m = learn_cascade_model(ds, ds.all_rows(), {}, kCosts);
    for (auto _ : state) {
        const CascadeSolution sol(m);
        benchmark::DoNotOptimize(sol.threshold(0));
    }
}
BENCHMARK(BM_SolveOnly)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

// Live tuning at 50k rows: one slider step (re-route every row through RoutingState, core
// metrics for the summary and the tuning figures, the query table refresh and the chart's
// ring moved) must stay under a frame (16 ms); the candidate curves of every chart method on
// one 50k-row dataset must take under 100 ms. Runs offscreen.
#include <QApplication>
#include <QSlider>
#include <benchmark/benchmark.h>

#include "core/data/reader.hpp"
#include "core/eval/cost_quality.hpp"
#include "ui/charts/chart_tabs.hpp"
#include "ui/main_window.hpp"
#include "ui/routing_state.hpp"
#include "ui/tuning_panel.hpp"
#include "tests/bench/slider_steps.hpp"

using namespace automix;

namespace {

// The demo rows repeated until `rows`, all in one dataset (the charts work per dataset).
std::shared_ptr<const data::Dataset> bigDataset(std::size_t rows) {
    static std::shared_ptr<const data::Dataset> cached;
    if (cached && cached->size() == rows) return cached;
    const QString demo = ui::extractDemoFile();
    const data::LoadResult loaded = data::load_file(demo.toStdString());
    const data::Dataset& src = loaded.dataset;
    auto ds = std::make_shared<data::Dataset>();
    ds->dataset_names = {"coqa"};
    ds->format = src.format;
    ds->verifier_cost = src.verifier_cost;
    for (const auto& m : src.models) {
        data::ModelColumns c;
        c.name = m.name;
        c.display_name = m.display_name;
        c.call_cost = m.call_cost;
        ds->models.push_back(std::move(c));
    }
    for (std::size_t i = 0; ds->size() < rows; ++i) {
        const std::size_t r = i % src.size();
        ds->id.push_back(std::string(src.id[r]) + "-" + std::to_string(i));
        ds->pid.push_back(src.pid[r]);
        ds->question.push_back(src.question[r]);
        ds->gold.push_back(src.gold[r]);
        ds->dataset_index.push_back(0);
        ds->split.push_back(src.split[r]);
        ds->category.push_back(src.category[r]);
        ds->category_from_file.push_back(src.category_from_file[r]);
        ds->extra_json.push_back(src.extra_json[r]);
        ds->source_line.push_back(static_cast<std::uint32_t>(i + 1));
        for (std::size_t m = 0; m < src.models.size(); ++m) {
            const auto& a = src.models[m];
            auto& b = ds->models[m];
            b.answer.push_back(a.answer[r]);
            b.has_answer.push_back(a.has_answer[r]);
            b.score.push_back(a.score[r]);
            b.verifier_samples.emplace_back();
            b.verifier_confidence.push_back(a.verifier_confidence[r]);
        }
    }
    cached = ds;
    return cached;
}

void BM_SliderStep(benchmark::State& state) {
    ui::MainWindow window;
    window.resize(1500, 1000);
    window.show();
    window.routingState()->setDataset(bigDataset(50000));
    bench::stepThresholdSlider(state, window);
}
BENCHMARK(BM_SliderStep)->Unit(benchmark::kMillisecond)->Iterations(300);

void BM_AllCurves(benchmark::State& state) {
    const auto ds = bigDataset(50000);
    const auto train = ds->rows(0, data::Split::Train), val = ds->rows(0, data::Split::Val);
    routing::Config cfg;
    const auto methods = eval::chart_methods("coqa");
    std::size_t points = 0;
    for (auto _ : state) {
        const auto cq = eval::cost_quality(*ds, train, val, methods, cfg);
        points = 0;
        for (const auto& m : cq.methods) points += m.points.size();
        benchmark::DoNotOptimize(points);
    }
    state.counters["methods"] = static_cast<double>(methods.size());
    state.counters["points"] = static_cast<double>(points);
}
BENCHMARK(BM_AllCurves)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

// One method's curve (train + every candidate on val), to see where BM_AllCurves spends.
static void BM_MethodCurve(benchmark::State& state) {
    const auto ds = bigDataset(50000);
    const auto train = ds->rows(0, data::Split::Train), val = ds->rows(0, data::Split::Val);
    routing::Config cfg;
    const auto methods = eval::chart_methods("coqa");
    const auto& m = methods[static_cast<std::size_t>(state.range(0))];
    for (auto _ : state) benchmark::DoNotOptimize(eval::cost_quality(*ds, train, val, {m}, cfg, {}, 0));
    state.SetLabel(m->name());
}
BENCHMARK(BM_MethodCurve)->DenseRange(0, 8)->Unit(benchmark::kMillisecond)->Iterations(3);

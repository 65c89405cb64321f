#pragma once
// The slider-step measurement shared by bench_reroute (a generated 50 000-row dataset) and
// bench_reroute_scale (a release-shaped file of a million rows): Threshold trained, curves done,
// then one step of its slider per iteration.
#include <QCoreApplication>
#include <QSlider>
#include <benchmark/benchmark.h>

#include "ui/charts/chart_tabs.hpp"
#include "ui/main_window.hpp"
#include "ui/routing_state.hpp"
#include "ui/tuning_panel.hpp"

namespace automix::bench {

inline void stepThresholdSlider(benchmark::State& state, ui::MainWindow& window) {
    auto* routing = window.routingState();
    window.selectMethod(QStringLiteral("Threshold"));
    routing->waitForTraining();
    auto* tabs = window.findChild<ui::charts::ChartTabs*>();
    tabs->waitForCurves();
    QSlider* slider = tabs->tuning()->parameterSlider(QStringLiteral("threshold"));
    int value = 0;
    for (auto _ : state) {
        value = (value + 37) % 1000;
        slider->setValue(value);            // re-route + metrics + table + figures + chart ring, synchronously
        QCoreApplication::processEvents();  // and the repaint it schedules
    }
    state.counters["rows"] = static_cast<double>(routing->dataset()->size());
}

}  // namespace automix::bench

// The explorer on a million rows (issue 16): opening a release-shaped file until the query
// table holds its rows (target ≤ 5 s), then one slider step that re-routes every row through
// the real RoutingState, table, tuning figures and charts (target ≤ 50 ms), one search of the
// table, and how long the GUI thread went without serving events while the file opened (and
// why: running, waiting for a core, or for the disk). Runs offscreen.
//
// The file: $AUTOMIX_BENCH_SCALE_FILE when set (not deleted), else `automix gen-demo`'s rows
// ($AUTOMIX_BENCH_SCALE_ROWS, default 1 000 000; about 2.8 GB) generated into a temporary
// directory under $TMPDIR and deleted at the end. Skipped, with a message, when that
// directory has less than three times the file's size free (the disk is shared).
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <QSlider>
#include <QStorageInfo>
#include <QTemporaryDir>
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "core/demo/generator.hpp"
#include "tests/bench/slider_steps.hpp"
#include "ui/charts/chart_tabs.hpp"
#include "ui/job_runner.hpp"
#include "ui/main_window.hpp"
#include "ui/query_table_model.hpp"
#include "ui/routing_state.hpp"
#include "ui/tuning_panel.hpp"

using namespace automix;

namespace {

double peakRssMiB() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;  // KiB on Linux
}

// CPU time of the calling thread and its time runnable but waiting for a core (Linux schedstat).
struct ThreadTimes {
    double ranMs = 0, waitedMs = 0;
    long majorFaults = 0;  // page faults that waited for the disk
};
ThreadTimes guiThreadTimes() {
    ThreadTimes t;
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    t.majorFaults = u.ru_majflt;
    if (FILE* f = std::fopen("/proc/thread-self/schedstat", "r")) {
        unsigned long long ran = 0, waited = 0;
        if (std::fscanf(f, "%llu %llu", &ran, &waited) == 2)
            t.ranMs = static_cast<double>(ran) / 1e6, t.waitedMs = static_cast<double>(waited) / 1e6;
        std::fclose(f);
    }
    return t;
}

std::size_t scaleRows() {
    const QByteArray v = qgetenv("AUTOMIX_BENCH_SCALE_ROWS");
    return v.isEmpty() ? 1000000 : static_cast<std::size_t>(v.toULongLong());
}

// The data file, generated once for every benchmark of the run; "" when skipped.
QString scaleFile(std::string& skipReason) {
    static std::unique_ptr<QTemporaryDir> dir;
    static QString path;
    static std::string reason;
    if (!path.isEmpty() || !reason.empty()) {
        skipReason = reason;
        return path;
    }
    if (const QByteArray given = qgetenv("AUTOMIX_BENCH_SCALE_FILE"); !given.isEmpty()) return path = QString::fromLocal8Bit(given);
    dir = std::make_unique<QTemporaryDir>();
    const std::size_t rows = scaleRows();
    const double needGiB = 3.0 * 2800.0 * static_cast<double>(rows) / 1e9;  // ~2.8 KB a row
    const double freeGiB = static_cast<double>(QStorageInfo(dir->path()).bytesAvailable()) / 1e9;
    if (!dir->isValid() || freeGiB < needGiB) {
        reason = "needs " + std::to_string(static_cast<int>(needGiB)) + " GB free in " + dir->path().toStdString() +
                 ", has " + std::to_string(static_cast<int>(freeGiB));
        skipReason = reason;
        return {};
    }
    demo::GeneratorOptions o;
    o.rows = rows;
    o.min_context_bytes = 200;
    path = dir->filePath(QStringLiteral("scale.jsonl"));
    std::fprintf(stderr, "generating %zu rows into %s ...\n", rows, qPrintable(path));
    demo::generate_file(o, path.toStdString());
    return path;
}

struct Opened {
    std::unique_ptr<ui::MainWindow> window;
    double seconds = 0;
};

Opened openScaleFile(benchmark::State& state) {
    Opened o;
    std::string skip;
    const QString path = scaleFile(skip);
    if (path.isEmpty()) {
        state.SkipWithError(("skipped: " + skip).c_str());
        return o;
    }
    o.window = std::make_unique<ui::MainWindow>();
    o.window->resize(1500, 1000);
    o.window->show();
    QString error;
    const auto t0 = std::chrono::steady_clock::now();
    const bool ok = o.window->openFile(path, &error);
    QCoreApplication::processEvents();  // the table's first paint
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!ok || o.window->queryModel()->rowCount() == 0) {
        state.SkipWithError(("could not open: " + error.toStdString()).c_str());
        o.window.reset();
    }
    return o;
}

// Load + table shown (the training and chart jobs go on in the background).
void BM_OpenTable(benchmark::State& state) {
    double seconds = 0;
    int shownRows = 0;
    for (auto _ : state) {
        Opened o = openScaleFile(state);
        if (!o.window) return;
        seconds = o.seconds;
        state.SetIterationTime(seconds);
        shownRows = o.window->queryModel()->rowCount();
        state.counters["rows"] = static_cast<double>(o.window->routingState()->dataset()->size());
        state.PauseTiming();
        o.window.reset();
        state.ResumeTiming();
    }
    state.counters["table_rows"] = shownRows;
    state.counters["open_s"] = seconds;
    state.counters["peak_rss_MiB"] = peakRssMiB();
}
BENCHMARK(BM_OpenTable)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);

// One slider step on every row of the file, once training and the charts are done.
void BM_SliderStep(benchmark::State& state) {
    Opened o = openScaleFile(state);
    if (!o.window) return;
    bench::stepThresholdSlider(state, *o.window);
    state.counters["peak_rss_MiB"] = peakRssMiB();
}
BENCHMARK(BM_SliderStep)->Unit(benchmark::kMillisecond)->Iterations(20);

// Scope changes once the file is routed, one per iteration (`change(i)` makes the i-th): wall time
// until the events it posted are handled, and the GUI thread's CPU. The first `firstVisits`
// changes visit scopes for the first time (their row lists are made then); the later ones come
// back to scopes seen before.
template <typename Change>
void measureScopeChanges(benchmark::State& state, ui::MainWindow& window, int firstVisits, Change change) {
    int i = 0;
    double firstMs = 0, laterMaxMs = 0, cpuMaxMs = 0;
    for (auto _ : state) {
        const ThreadTimes before = guiThreadTimes();
        const auto t0 = std::chrono::steady_clock::now();
        change(i);
        QCoreApplication::processEvents();
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        cpuMaxMs = std::max(cpuMaxMs, guiThreadTimes().ranMs - before.ranMs);
        double& worst = i++ < firstVisits ? firstMs : laterMaxMs;
        worst = std::max(worst, ms);
    }
    state.counters["first_ms"] = firstMs;
    state.counters["later_max_ms"] = laterMaxMs;
    state.counters["gui_cpu_max_ms"] = cpuMaxMs;
    state.counters["table_rows"] = window.queryModel()->rowCount();
}

// The split box switched between "all" and "val": the GUI thread's share of a scope change (row
// lists, metrics of the scope, the table's rows; the charts keep theirs, the same for both).
void BM_ScopeChange(benchmark::State& state) {
    Opened o = openScaleFile(state);
    if (!o.window) return;
    if (!o.window->jobs()->waitForIdle()) state.SkipWithError("background jobs did not end");
    measureScopeChanges(state, *o.window, 1, [&](int i) {
        o.window->selectSplit(i % 2 == 0 ? QStringLiteral("all") : QStringLiteral("val"));
    });
}
BENCHMARK(BM_ScopeChange)->Unit(benchmark::kMillisecond)->Iterations(6);

// The dataset box switched between the first two datasets (val split): unlike a split change this
// gives the charts other rows, so they and the tuning figures follow.
void BM_DatasetChange(benchmark::State& state) {
    Opened o = openScaleFile(state);
    if (!o.window) return;
    if (!o.window->jobs()->waitForIdle()) state.SkipWithError("background jobs did not end");
    const data::Dataset& ds = *o.window->routingState()->dataset();
    if (ds.dataset_names.size() < 2) {
        state.SkipWithError("needs two datasets");
        return;
    }
    o.window->selectSplit(QStringLiteral("val"));
    measureScopeChanges(state, *o.window, 2, [&](int i) {
        o.window->selectDataset(QString::fromStdString(ds.dataset_names[static_cast<std::size_t>(1 - i % 2)]));
    });
}
BENCHMARK(BM_DatasetChange)->Unit(benchmark::kMillisecond)->Iterations(6);

// A search the filter bar hands to the table (after its 180 ms debounce): text that no row holds,
// so every row's id, question, gold answer and answers are searched; then the search cleared.
// The time is until the rows are shown; in a file of kBackgroundSearchRows rows or more the
// search is a job, and `gui_ms` is the longest the GUI thread was held by one setFilter call.
void BM_FilterText(benchmark::State& state) {
    Opened o = openScaleFile(state);
    if (!o.window) return;
    ui::QueryTableModel* model = o.window->queryModel();
    bool on = false;
    double gui_ms = 0;
    for (auto _ : state) {
        on = !on;
        ui::QueryFilter f;
        if (on) f.text = QStringLiteral("no row says this");
        const auto t0 = std::chrono::steady_clock::now();
        model->setFilter(f);
        gui_ms =
            std::max(gui_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (model->isSearching() && !o.window->jobs()->waitFor(ui::QueryTableModel::kSearchJob))
            state.SkipWithError("search did not end");
        QCoreApplication::processEvents();
    }
    state.counters["gui_ms"] = gui_ms;
    state.counters["peak_rss_MiB"] = peakRssMiB();
}
BENCHMARK(BM_FilterText)->Unit(benchmark::kMillisecond)->Iterations(4);

// Opening as a user does (File > Open: the load runs as a job) while the GUI thread keeps
// serving events: the longest gap between two ticks of a 5 ms timer until the table holds the
// rows, and until training and the charts' first jobs are done too.
void BM_OpenStaysResponsive(benchmark::State& state) {
    std::string skip;
    const QString path = scaleFile(skip);
    if (path.isEmpty()) {
        state.SkipWithError(("skipped: " + skip).c_str());
        return;
    }
    for (auto _ : state) {
        ui::MainWindow window;
        window.resize(1500, 1000);
        window.show();
        QElapsedTimer clock;
        qint64 last = 0, maxGap = 0, tableAt = -1, loadedAt = -1, gapEnd = 0;
        // How the longest gap divides: the GUI thread running, or waiting for a core.
        ThreadTimes lastTimes = guiThreadTimes(), gapTimes;
        QTimer tick;
        tick.setInterval(5);
        QObject::connect(&tick, &QTimer::timeout, [&] {
            const qint64 now = clock.elapsed();
            const ThreadTimes times = guiThreadTimes();
            if (now - last > maxGap) {
                gapTimes = {times.ranMs - lastTimes.ranMs, times.waitedMs - lastTimes.waitedMs,
                            times.majorFaults - lastTimes.majorFaults};
                gapEnd = now;
            }
            maxGap = std::max(maxGap, now - last);
            last = now;
            lastTimes = times;
        });
        bool finished = false, ok = false;
        QObject::connect(&window, &ui::MainWindow::loadFinished, [&](bool success, const QString&) {
            finished = true;
            ok = success;
            loadedAt = clock.elapsed();
        });
        clock.start();
        tick.start();
        window.startLoad(path);
        // Waits as the application does, in its event loop (a polling loop here would take a core
        // from the load). The window fills the table before it says the load finished.
        QEventLoop loop;
        QObject::connect(&window, &ui::MainWindow::loadFinished, &loop, &QEventLoop::quit);
        if (!finished) loop.exec();
        if (!ok || window.queryModel()->rowCount() == 0) {
            state.SkipWithError("could not open the file");
            return;
        }
        QCoreApplication::processEvents();  // the table's first paint
        tableAt = clock.elapsed();
        const qint64 gapUntilTable = maxGap;
        const ThreadTimes gapTimesUntilTable = gapTimes;
        const qint64 gapEndUntilTable = gapEnd;
        window.routingState()->waitForTraining();
        const qint64 trainedAt = clock.elapsed();
        state.SetIterationTime(static_cast<double>(tableAt) / 1000.0);
        state.counters["loaded_s"] = static_cast<double>(loadedAt) / 1000.0;
        state.counters["table_s"] = static_cast<double>(tableAt) / 1000.0;
        state.counters["trained_s"] = static_cast<double>(trainedAt) / 1000.0;
        state.counters["max_gui_gap_ms_until_table"] = static_cast<double>(gapUntilTable);
        // That gap: when it ended, and how the GUI thread spent it.
        state.counters["gap_ended_s"] = static_cast<double>(gapEndUntilTable) / 1000.0;
        state.counters["gap_ran_ms"] = gapTimesUntilTable.ranMs;
        state.counters["gap_major_faults"] = static_cast<double>(gapTimesUntilTable.majorFaults);
        // The training's result arrives after the table: the longest gap until it was shown.
        state.counters["max_gui_gap_ms_until_trained"] = static_cast<double>(maxGap);
        state.counters["gap_waited_for_cpu_ms"] = gapTimesUntilTable.waitedMs;
        state.counters["rows"] = static_cast<double>(window.routingState()->dataset()->size());
    }
    state.counters["peak_rss_MiB"] = peakRssMiB();
}
BENCHMARK(BM_OpenStaysResponsive)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);

}  // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

// One Threshold slider step of the explorer, timed step by step on a big file (issue 16): opens
// the file offscreen (time until the query table holds its rows), trains Threshold, waits for the
// curves, then moves the slider `steps` times and prints, per step, the wall and GUI-thread CPU
// time of the step itself (slider → re-route → every view updated) and of the repaint after it.
//
//   bench_reroute_profile FILE [steps]
//
// With AUTOMIX_PERF_CTL=FIFO it writes "enable" / "disable" to that FIFO around the steps, so
// `perf record -D -1 --control fifo:FIFO …` samples the steps only.
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QGraphicsScene>
#include <QSlider>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>
#include <vector>

#include "ui/charts/chart_tabs.hpp"
#include "ui/main_window.hpp"
#include "ui/query_table_model.hpp"
#include "ui/routing_state.hpp"
#include "ui/tuning_panel.hpp"

using namespace automix;

namespace {

double nowMs() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double threadCpuMs() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double peakRssMiB() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

void perfControl(const char* command) {
    if (const char* fifo = std::getenv("AUTOMIX_PERF_CTL")) {
        std::ofstream(fifo) << command << '\n';
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

// Which charts re-lay themselves out during the steps (QtCharts does that in a posted
// LayoutRequest, outside any of our functions in a profile): counted per chart view.
class LayoutCounter : public QObject {
  public:
    std::map<QString, int> counts;
    bool eventFilter(QObject* o, QEvent* e) override {
        if (e->type() == QEvent::LayoutRequest)
            if (auto* chart = qobject_cast<QChart*>(o)) {
                QString name = QStringLiteral("(chart without view)");
                if (chart->scene())
                    for (QGraphicsView* v : chart->scene()->views())
                        name = v->objectName().isEmpty() ? QString::fromLatin1(v->metaObject()->className()) : v->objectName();
                if (name.isEmpty() || name.startsWith(QLatin1String("QChartView")))
                    for (QObject* p = chart->scene() ? chart->scene()->views().value(0) : nullptr; p; p = p->parent())
                        if (!p->objectName().isEmpty()) {
                            name = p->objectName();
                            break;
                        }
                ++counts[name + QStringLiteral(" \"") + chart->title().left(40) + QStringLiteral("\"")];
            }
        return false;
    }
};

struct Stats {
    double median = 0, p90 = 0, max = 0;
};

Stats stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    if (v.empty()) return {};
    return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 9 / 10)], v.back()};
}

}  // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE [steps]\n", argv[0]);
        return 2;
    }
    const int steps = argc > 2 ? std::atoi(argv[2]) : 40;
    ui::MainWindow window;
    window.resize(1500, 1000);
    window.show();
    QString error;
    const double t0 = nowMs(), guiCpu0 = threadCpuMs();
    if (!window.openFile(QString::fromLocal8Bit(argv[1]), &error)) {
        std::fprintf(stderr, "cannot open: %s\n", qPrintable(error));
        return 1;
    }
    QCoreApplication::processEvents();
    const double opened = nowMs() - t0, guiCpu = threadCpuMs() - guiCpu0;
    // The load itself runs on a worker; what the GUI thread spent is the window taking the rows.
    std::printf("rows %zu, table rows %d, time to table %.0f ms (GUI thread CPU %.0f ms), peak RSS %.0f MiB\n",
                window.routingState()->dataset()->size(), window.queryModel()->rowCount(), opened, guiCpu,
                peakRssMiB());

    auto* routing = window.routingState();
    window.selectMethod(QStringLiteral("Threshold"));
    const double t1 = nowMs();
    routing->waitForTraining();
    auto* tabs = window.findChild<ui::charts::ChartTabs*>();
    tabs->waitForCurves();
    std::printf("trained and curves in %.0f ms\n", nowMs() - t1);
    QSlider* slider = tabs->tuning()->parameterSlider(QStringLiteral("threshold"));

    std::vector<double> stepWall, stepCpu, paintWall, paintCpu;
    int value = slider->value();
    LayoutCounter layouts;
    qApp->installEventFilter(&layouts);
    perfControl("enable");
    for (int i = 0; i < steps; ++i) {
        value = (value + 37) % 1000;
        const double w0 = nowMs(), c0 = threadCpuMs();
        slider->setValue(value);
        const double w1 = nowMs(), c1 = threadCpuMs();
        QCoreApplication::processEvents();
        const double w2 = nowMs(), c2 = threadCpuMs();
        stepWall.push_back(w1 - w0);
        stepCpu.push_back(c1 - c0);
        paintWall.push_back(w2 - w1);
        paintCpu.push_back(c2 - c1);
    }
    perfControl("disable");
    qApp->removeEventFilter(&layouts);
    for (const auto& [name, n] : layouts.counts) std::printf("chart layouts during the steps: %4d  %s\n", n, qPrintable(name));
    const Stats sw = stats(stepWall), sc = stats(stepCpu), pw = stats(paintWall), pc = stats(paintCpu);
    std::printf("%d steps: step wall median %.1f p90 %.1f max %.1f ms; GUI CPU median %.1f ms; "
                "repaint median %.1f p90 %.1f max %.1f ms, GUI CPU median %.1f ms; peak RSS %.0f MiB\n",
                steps, sw.median, sw.p90, sw.max, sc.median, pw.median, pw.p90, pw.max, pc.median, peakRssMiB());
    double l[3] = {0, 0, 0};
    if (getloadavg(l, 3) > 0) std::printf("load average %.2f\n", l[0]);
    return 0;
}

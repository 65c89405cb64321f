#include "ui/charts/chart_page.hpp"

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QCoreApplication>
#include <QDir>
#include <QEvent>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <mutex>

#include "ui/charts/chart_export.hpp"
#include "ui/charts/chart_legend.hpp"
#include "ui/charts/chart_style.hpp"
#include "ui/routing_state.hpp"

namespace automix::ui::charts {

namespace {
constexpr QSize kExportSize(1100, 680);

std::vector<ChartTabInfo>& registry() {
    static std::vector<ChartTabInfo> tabs;
    return tabs;
}
std::mutex& registryMutex() {
    static std::mutex m;
    return m;
}
}  // namespace

bool registerChartTab(ChartTabInfo info) {
    const std::lock_guard lock(registryMutex());
    registry().push_back(std::move(info));
    return true;
}

std::vector<ChartTabInfo> chartTabRegistry() {
    const std::lock_guard lock(registryMutex());
    std::vector<ChartTabInfo> tabs = registry();
    std::stable_sort(tabs.begin(), tabs.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
    return tabs;
}

void writeExports(const QList<ChartExport>& exports, const QDir& dir, QStringList* files, QStringList* errors) {
    auto note = [&](const QString& path, const QString& error) {
        if (error.isEmpty())
            *files << path;
        else
            *errors << error;
    };
    for (const ChartExport& e : exports) {
        if (e.view) {
            const QString png = dir.filePath(e.name + QStringLiteral(".png"));
            note(png, exportPng(e.view, png, kExportSize));
            const QString svg = dir.filePath(e.name + QStringLiteral(".svg"));
            note(svg, exportSvg(e.view, svg, kExportSize));
        }
        const QString csv = dir.filePath(e.name + QStringLiteral(".csv"));
        if (e.table) {
            note(csv, exportCsv(e.table(), csv, e.provenance));
        } else if (e.csvText) {
            const std::string text = "# computed on: " + e.provenance.toStdString() + "\n" + e.csvText();
            note(csv, writeTextFile(csv, QByteArray(text.data(), static_cast<qsizetype>(text.size()))));
        }
    }
}

namespace {
class StyleWatcher : public QObject {
  public:
    StyleWatcher(QWidget* chart, std::function<void()> redraw) : QObject(chart), redraw_(std::move(redraw)) {
        chart->installEventFilter(this);
    }

  protected:
    bool eventFilter(QObject* watched, QEvent* e) override {
        if (e->type() == QEvent::PaletteChange || e->type() == QEvent::ApplicationPaletteChange ||
            e->type() == QEvent::FontChange) {
            // Several of these arrive for one change: one redraw once they are through.
            if (!pending_) {
                pending_ = true;
                QTimer::singleShot(0, this, [this] {
                    pending_ = false;
                    redraw_();
                });
            }
        }
        return QObject::eventFilter(watched, e);
    }

  private:
    std::function<void()> redraw_;
    bool pending_ = false;
};
}  // namespace

QString provenanceTip(const QString& provenance, const QString& help) {
    if (provenance.isEmpty()) return help;
    const QString computed = QCoreApplication::translate("ChartWidget", "Computed on: %1").arg(provenance);
    return help.isEmpty() ? computed : computed + QLatin1Char('\n') + help;
}

void redrawOnStyleChange(QWidget* chart, std::function<void()> redraw) {
    new StyleWatcher(chart, std::move(redraw));
}

ChartWidget::ChartWidget(QWidget* parent, Qt::Orientation legend) : QWidget(parent) {
    redrawOnStyleChange(this, [this] { redraw(); });
    chart_ = new QChart();
    view_ = makeChartView(chart_, this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(viewWithLegend(view_, nullptr, this, legend));
    title_ = tr("No data");
    redraw();
}

void ChartWidget::setTitle(const QString& title, const QString& provenance) {
    title_ = title;
    provenance_ = provenance;
    empty_ = false;
}

void ChartWidget::showEmpty(const QString& why) {
    title_ = why;
    provenance_.clear();
    empty_ = true;
    redraw();
}

void ChartWidget::redraw() {
    // A fresh chart each time: axes removed from a chart while it is hidden (the cascade beside
    // the belief chart) leave their old drawings behind.
    QChart* old = chart_;
    chart_ = new QChart();
    view_->setChart(chart_);
    delete old;
    styleChart(chart_);
    chart_->setTitle(title_);
    // The long part (file, dataset, split, costs, method) where it never gets cut; draw() may add
    // how to read the chart.
    view_->setToolTip(provenanceTip(provenance_, {}));
    if (!empty_) draw();
}

ChartPage::ChartPage(RoutingState* state, QWidget* parent) : ChartWidget(parent), state_(state) {
    // A slider step re-routes many times a second: compute once the state rests.
    rest_ = new QTimer(this);
    rest_->setSingleShot(true);
    rest_->setInterval(120);
    connect(rest_, &QTimer::timeout, this, &ChartPage::refresh);
    for (auto signal : {&RoutingState::chartScopeChanged, &RoutingState::routingChanged})
        connect(state_, signal, rest_, qOverload<>(&QTimer::start));
    connect(state_, &RoutingState::currentRowChanged, rest_, qOverload<>(&QTimer::start));
    // The first refresh once the derived class is constructed.
    QTimer::singleShot(0, this, &ChartPage::refresh);
    showEmpty(tr("Load data to see this chart"));
}

void ChartPage::refreshNow() {
    rest_->stop();
    refresh();
}

QList<ChartExport> ChartPage::exports() const {
    return {ChartExport{objectName().isEmpty() ? QStringLiteral("chart") : objectName(), view(), {}, provenance()}};
}

}  // namespace automix::ui::charts

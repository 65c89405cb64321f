#include "ui/charts/chart_page.hpp"

#include <QAbstractAxis>
#include <QChart>
#include <QChartView>
#include <QCoreApplication>
#include <QDir>
#include <QEvent>
#include <QGraphicsObject>
#include <QPointer>
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
    layout->addWidget(viewWithLegend(view_, &legend_, this, legend), 1);
    title_ = tr("No data");
    redraw();
}

void ChartWidget::addBelowChart(QWidget* widget) {
    layout()->setSpacing(2);
    layout()->addWidget(widget);
}

DrawnChart::DrawnChart(QWidget* parent, Qt::Orientation legend, std::function<void(DrawnChart&)> draw)
    : ChartWidget(parent, legend), draw_(std::move(draw)) {}

void DrawnChart::display(const QString& title, const QString& provenance) {
    setTitle(title, provenance);
    redraw();
}

void ChartWidget::setTitle(const QString& title, const QString& provenance) {
    title_ = title;
    provenance_ = provenance;
    empty_ = false;
}

void ChartWidget::showEmpty(const QString& why, const QString& provenance) {
    title_ = why;
    provenance_ = provenance;
    empty_ = true;
    redraw();
}

namespace {
// The QGraphicsObjects under `item` whose class inherits `className`.
void collectItems(QGraphicsItem* item, const char* className, QList<QPointer<QGraphicsObject>>* out) {
    for (QGraphicsItem* child : item->childItems()) {
        if (QGraphicsObject* o = child->toGraphicsObject(); o && o->inherits(className)) *out << o;
        collectItems(child, className, out);
    }
}
}  // namespace

void ChartWidget::clearChart() {
    // The chart stays for the widget's life (its view, legend, zoom and sessions point at it);
    // only what the last draw() added goes. Series: removeAllSeries deletes them.
    chart_->removeAllSeries();
    const QList<QAbstractAxis*> axes = chart_->axes();
    for (QAbstractAxis* a : axes) chart_->removeAxis(a);
    // removeAxis hides QtCharts' drawing of the axis (a ChartAxisElement) and deletes it later.
    // Its grid lines, labels and title are not children of that hidden item: they stay drawn
    // until the event loop deletes it — on a chart hidden meanwhile (the cascade beside the
    // belief chart) or exported first, old axes then show through the new ones. Every axis is
    // removed, so every axis drawing left is one of those: delete them now.
    QList<QPointer<QGraphicsObject>> drawings;
    collectItems(chart_, "ChartAxisElement", &drawings);
    for (const QPointer<QGraphicsObject>& d : drawings) delete d.data();
    // A drawing reads its axis until it is gone: the axis goes after it — at the next event
    // loop turn (posted after the drawing's own deleteLater), or with this widget, its parent
    // until then. Never before: deleting a chart or an axis under a live drawing corrupted the heap.
    for (QAbstractAxis* a : axes) {
        a->setParent(this);
        a->deleteLater();
    }
}

void ChartWidget::redraw() {
    clearChart();
    styleChart(chart_);
    chart_->setTitle(title_);
    // The long part (file, dataset, split, costs, method) where it never gets cut; draw() may add
    // how to read the chart.
    view_->setToolTip(provenanceTip(provenance_, {}));
    if (!empty_) draw();
    // The side legend lists the new series now (it would also notice at the next event loop turn,
    // unless a new series happened to get an old one's address).
    if (legend_) legend_->refresh();
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

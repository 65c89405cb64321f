#pragma once
// The chart tabs of the main window's bottom area — Cost–quality (with the tuning panel),
// Belief states, Verifier, Per dataset — and the glue that keeps them linked to the
// RoutingState: curves are recomputed through the window's job runner when the file, chart
// dataset, split or costs change (the old curves are cleared at once, so nothing stale stays
// clickable); with "all datasets" the charts show the dataset of the selected row and say so; the tuning panel and
// chart clicks re-route through RoutingState::setParameters; the exports write every chart (PNG, SVG) and its table
// (CSV), and "Export report" adds the JSON report of core/eval.
//
//   ChartTabs* tabs = installChartTabs(host, compare);   // one call in installWindowPanels
//
// It sees the window only through ui/panel_host.hpp and is handed the panels it links to.
#include <QObject>
#include <QPointer>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/eval/cost_quality.hpp"
#include "ui/charts/chart_page.hpp"
#include "ui/routing_state.hpp"

class QLabel;
class QProgressBar;
class QTimer;
class QTabWidget;
class QWidget;

namespace automix::ui {
class JobRunner;
class CompareRouting;
class PanelHost;
class TuningPanel;
}  // namespace automix::ui

namespace automix::ui::charts {

class BeliefChart;
class InteractiveChartView;
class CascadePanel;
class CostQualityChart;
class PerDatasetView;
class VerifierCharts;

class ChartTabs : public QObject {
    Q_OBJECT
  public:
    // `compare`: the routing B of Method ▸ Compare With, ringed on the cost–quality chart (may be null).
    ChartTabs(PanelHost* host, CompareRouting* compare);
    ~ChartTabs() override;

    CostQualityChart* costQuality() const { return costQuality_; }
    TuningPanel* tuning() const { return tuning_; }
    BeliefChart* belief() const { return belief_; }
    CascadePanel* cascade() const { return cascade_; }
    VerifierCharts* verifier() const { return verifier_; }
    PerDatasetView* perDataset() const { return perDataset_; }

    // Dataset the charts show (the toolbar's, or with "all datasets" the selected row's) and
    // its rows, from the current snapshot.
    int chartDataset() const { return state_->snapshot()->rows->chartDataset; }
    const data::View& trainRows() const { return state_->snapshot()->rows->chartTrain(); }
    const data::View& evalRows() const { return state_->snapshot()->rows->chartEval(); }
    // The snapshot the drawn curves were computed on (null while none is drawn).
    SnapshotPtr curvesSnapshot() const { return curvesSnap_; }
    // A line under the charts naming what they show ("All datasets: the charts show qasper…").
    QString scopeNote() const;

    bool isComputingCurves() const;
    // Rebuilds the belief chart now (it otherwise follows routing changes after a short rest).
    void flushBelief();
    void waitForCurves();
    // What a click on a candidate point does: make that method and parameter the routing.
    // Switching method trains it first (in the background); the parameter is applied after.
    void selectCandidate(int method, int point);
    // Lift vs k of the methods marked for it (Capabilities::on_samples_curve: Threshold, POMDP) and
    // the current method on the chart dataset (Charts menu).
    void computeSamplesCurve();

    // Writes every chart as PNG + SVG and every table/curve as CSV into `folder`, plus
    // report.json / report.csv of the per-dataset evaluation (run first when needed).
    // Returns the error, "" on success; the written files in *written.
    QString exportReport(const QString& folder, QStringList* written = nullptr);
    // The charts of one chart tab (its index among the chart tabs) into `folder` (PNG, SVG, CSV).
    QString exportTab(int tab, const QString& folder, QStringList* written = nullptr);
    int chartTabCount() const { return static_cast<int>(tabList_.size()); }
    QWidget* chartTabPage(int tab) const { return tabList_.at(static_cast<std::size_t>(tab)).page; }
    // The page of a registered chart (chart_page.hpp) by its id; null when none.
    ChartPage* registeredPage(const QString& id) const;
    // Every chart view of the tabs (zoom, pan), each named for sessions; they live as long as the tabs.
    QList<InteractiveChartView*> zoomableViews() const;

  signals:
    void curvesUpdated();

  private:
    void buildTabs();
    // Adds a tab with its own Export… button (unless it brings its own) and what it exports.
    QWidget* addChartTab(QWidget* content, const QString& title, std::function<QList<ChartExport>()> exports,
                         bool exportButton = true);
    QString askFolder(const QString& title) const;
    void exportTabInteractively(int tab);
    void reportExport(const QString& error, const QStringList& files, const QString& folder);
    // The cost–quality curves of every dataset of the file (the drawn ones reused), for exports.
    std::vector<std::pair<std::string, eval::CostQuality>> curvesOfEveryDataset();
    void onChartScopeChanged();
    void onRoutingChanged();
    void startCurves();
    void onCurvesEnded();
    void updateBelief();
    void updateVerifier();
    void updateCascade();
    // Marks the selected query on the histogram, the reliability diagram and the belief chart.
    void updateSelection();
    void updateCurrentPoint();
    void updateConstraint();  // the tuning panel's calibration on the cost–quality chart
    void applyPendingSelection();
    // Runs a GUI-thread use of core; an exception becomes an error dialog, never a terminate.
    template <class F>
    void guarded(const QString& what, F&& f);

    PanelHost* host_;
    CompareRouting* compare_;
    RoutingState* state_;
    JobRunner* jobs_;
    QTabWidget* tabs_;
    CostQualityChart* costQuality_ = nullptr;
    TuningPanel* tuning_ = nullptr;
    BeliefChart* belief_ = nullptr;
    CascadePanel* cascade_ = nullptr;
    VerifierCharts* verifier_ = nullptr;
    PerDatasetView* perDataset_ = nullptr;
    QProgressBar* curvesProgress_ = nullptr;
    QLabel* curvesStatus_ = nullptr;
    struct ChartTab {
        QWidget* page;
        std::function<QList<ChartExport>()> exports;
    };
    std::vector<ChartTab> tabList_;
    QList<ChartPage*> registered_;
    QTimer* beliefTimer_ = nullptr;
    SnapshotPtr curvesSnap_;
    SnapshotPtr beliefSnap_;  // the inputs of the belief bins shown or being computed
    struct PendingSelection {
        QString method;
        int dataset = -1;
        routing::Params params;
        SnapshotPtr snap;  // the curves it was clicked on
    };
    std::optional<PendingSelection> pending_;
};

// Adds the chart tabs to the window's bottom tab area and an Export menu; returns the
// controller (owned by the window).
ChartTabs* installChartTabs(PanelHost* host, CompareRouting* compare = nullptr);

}  // namespace automix::ui::charts

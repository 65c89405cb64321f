#pragma once
// The chart tabs of the main window's bottom area — Cost–quality (with the tuning panel),
// Belief states, Verifier, Per dataset — and the glue that keeps them linked to the
// RoutingState: curves are recomputed on a worker thread when the data, scope or costs
// change; the tuning panel and chart clicks re-route through RoutingState::setParameters; the
// exports write every chart (PNG, SVG) and its table (CSV), and "Export report" adds the JSON
// report of core/eval.
//
//   ChartTabs* tabs = installChartTabs(mainWindow);   // one call in MainWindow's constructor
#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <memory>
#include <optional>

#include "core/eval/cost_quality.hpp"

class QLabel;
class QProgressBar;
class QTimer;
class QTabWidget;
class QWidget;

namespace automix::ui {
class MainWindow;
class RoutingState;
class TuningPanel;
}  // namespace automix::ui

namespace automix::ui::charts {

class BeliefChart;
class CascadePanel;
class CostQualityChart;
class PerDatasetView;
class VerifierCharts;

class ChartTabs : public QObject {
    Q_OBJECT
  public:
    explicit ChartTabs(MainWindow* window);
    ~ChartTabs() override;

    CostQualityChart* costQuality() const { return costQuality_; }
    TuningPanel* tuning() const { return tuning_; }
    BeliefChart* belief() const { return belief_; }
    CascadePanel* cascade() const { return cascade_; }
    VerifierCharts* verifier() const { return verifier_; }
    PerDatasetView* perDataset() const { return perDataset_; }

    // Dataset the charts show (the toolbar's, or the first when "all datasets") and its rows.
    int chartDataset() const { return dataset_; }
    const data::View& trainRows() const { return trainRows_; }
    const data::View& evalRows() const { return evalRows_; }

    bool isComputingCurves() const { return curvesPending_; }
    // Rebuilds the belief chart now (it otherwise follows routing changes after a short rest).
    void flushBelief();
    void waitForCurves();
    // What a click on a candidate point does: make that method and parameter the routing.
    // Switching method trains it first (in the background); the parameter is applied after.
    void selectCandidate(int method, int point);

    // Writes every chart as PNG + SVG and every table/curve as CSV into `folder`, plus
    // report.json / report.csv of the per-dataset evaluation (run first when needed).
    // Returns the error, "" on success; the written files in *written.
    QString exportReport(const QString& folder, QStringList* written = nullptr);
    // The charts of one tab (by title) into `folder` (PNG, SVG, CSV).
    QString exportTab(int tab, const QString& folder, QStringList* written = nullptr);

  signals:
    void curvesUpdated();

  private:
    struct CurvesResult {
        quint64 generation = 0;
        eval::CostQuality data;
        QString error;
    };
    void buildTabs();
    void onDataOrScopeChanged();
    void onStateChanged();
    void onRoutingChanged();
    void startCurves();
    void onCurvesDone();
    void updateBelief();
    void updateVerifier();
    void updateCascade();
    void updateCurrentPoint();
    void applyPendingSelection();
    void computeSamplesCurve();
    QString titleSuffix() const;

    MainWindow* window_;
    RoutingState* state_;
    QTabWidget* tabs_;
    CostQualityChart* costQuality_ = nullptr;
    TuningPanel* tuning_ = nullptr;
    BeliefChart* belief_ = nullptr;
    CascadePanel* cascade_ = nullptr;
    VerifierCharts* verifier_ = nullptr;
    PerDatasetView* perDataset_ = nullptr;
    QProgressBar* curvesProgress_ = nullptr;
    QLabel* curvesStatus_ = nullptr;
    QList<QWidget*> tabPages_;
    QTimer* beliefTimer_ = nullptr;

    int dataset_ = -1;
    data::View trainRows_, evalRows_;
    QString evalName_;
    std::vector<double> lastCosts_;
    quint64 generation_ = 0;
    bool curvesPending_ = false;
    QFutureWatcher<std::shared_ptr<CurvesResult>>* watcher_ = nullptr;
    struct PendingSelection {
        QString method;
        int dataset = -1;
        routing::Params params;
    };
    std::optional<PendingSelection> pending_;
};

// Adds the chart tabs to the window's bottom tab area and an Export menu; returns the
// controller (owned by the window).
ChartTabs* installChartTabs(MainWindow* window);

}  // namespace automix::ui::charts

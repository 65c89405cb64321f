#pragma once
// Experiments panel: pick a study (core/study) and its parameters, run it off the GUI thread
// with progress and Cancel, and see the result as a chart (lines, error bars, scatter or a
// transfer heat map) plus a table; export PNG / SVG / CSV / JSON. Also imports external
// router scores (core/eval/router_scores) as the method ExternalRouter(NAME).
// No maths here: every number comes from core::study.
#include <QDateTime>
#include <QPointer>
#include <QString>
#include <QWidget>
#include <atomic>
#include <memory>
#include <optional>

#include "core/data/dataset.hpp"
#include "core/study/study.hpp"

class QChart;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTableWidget;

namespace automix::ui {

namespace charts {
class DrawnChart;
class InteractiveChartView;
}
class JobRunner;
class PanelHost;
namespace settings {
class Settings;
}
class StudyHeatMap;

class StudiesPanel : public QWidget {
    Q_OBJECT
  public:
    // Studies run through `jobs` (the window's runner); a panel on its own gets its own runner.
    // The study parameters are bound to `store` (ui/settings: range, default, remembered in
    // QSettings); without one the panel makes its own.
    explicit StudiesPanel(QWidget* parent = nullptr, JobRunner* jobs = nullptr, settings::Settings* store = nullptr);

    // A new file, or other costs, drop the result shown (and a running study's result): a
    // study result is only ever shown over the data and costs it was computed on.
    void setDataset(std::shared_ptr<const data::Dataset> ds, const QString& displayName = {});
    // Call costs (one per model, cheapest first) and verification cost; default: the file's.
    void setCosts(std::vector<double> callCosts, double verifierCost);
    // What the shown result was computed on: file, datasets, costs ("" without a result).
    QString resultProvenance() const { return resultProvenance_; }
    // The request the shown result was computed with, and when (empty without a result).
    const std::optional<study::StudyRequest>& resultRequest() const { return resultRequest_; }
    QDateTime resultComputedAt() const { return resultComputedAt_; }
    // Shows a result computed earlier (a saved session) without recomputing it, labelled with
    // what it was computed on (`rq`, `fileName`) and when. Refused (false, *why) while a study
    // runs, without data, or when the current costs are not the ones it was computed with.
    bool showSavedResult(study::StudyResult r, const study::StudyRequest& rq, const QString& fileName,
                         const QDateTime& computedAt, QString* why = nullptr);
    // No result, and why (e.g. a saved result dropped because the data changed): `why` in the
    // status line, `title` (short enough to fit; default `why`) over the empty chart.
    void explainNoResult(const QString& why, const QString& title = {});
    QString statusText() const;

    // Selection and parameters (also what the widgets edit).
    void setStudy(const QString& name);
    QString study() const;
    // The request the widgets describe; empty optional + *error when a field is invalid.
    std::optional<study::StudyRequest> request(QString* error = nullptr) const;
    QLineEdit* parameterEdit(const QString& name) const;  // "ratios", "sizes", "k", "latency"
    QSpinBox* parameterSpin(const QString& name) const;   // "seeds", "trainRows", "bootstrap"
    QDoubleSpinBox* verifierLatencySpin() const { return verifierLatency_; }
    void setSelectedDatasets(const QStringList& names);  // empty = all
    void setSelectedMethods(const QStringList& names);   // empty = the defaults
    QStringList selectedDatasets() const;
    QStringList selectedMethods() const;

    // Runs in the background; false (with *error) when the request is invalid or busy.
    bool run(QString* error = nullptr);
    void cancel();
    bool isRunning() const;
    bool waitForFinished(int timeoutMs = 120000);  // tests: spins the event loop
    const std::optional<study::StudyResult>& result() const { return result_; }
    QString lastError() const { return lastError_; }

    // Chart shown: one group (dataset, or method for the heat map) at a time.
    QStringList chartGroups() const;
    void setChartGroup(const QString& group);
    QString currentChartGroup() const;
    QWidget* chartWidget() const;  // the visible chart (chart view or heat map)
    charts::InteractiveChartView* chartView() const;  // the study's chart view (zoom kept in sessions)
    QTableWidget* table() const { return table_; }

    // Exports; each returns "" on success or what went wrong.
    QString exportPng(const QString& path) const;
    QString exportSvg(const QString& path) const;
    QString exportCsv(const QString& path) const;
    QString exportJson(const QString& path) const;

    // Loads FILE[:NAME[:high|low]] (README "Router scores format") and registers
    // ExternalRouter(NAME); returns "" or the error (with file:line). *method = its name.
    QString importRouterScores(const QString& spec, QString* method = nullptr);
    // File dialog + import + message box; the action behind File ▸ Import Router Scores.
    void chooseAndImportRouterScores();

  signals:
    void finished(bool ok);
    void routerImported(const QString& methodName, const QString& coverage);

  private:
    void buildUi();
    void fillLists();
    void onRunEnded(bool delivered);
    void clearResult(const QString& why);
    QString provenance(const study::StudyRequest& rq, const QString& fileName = {}) const;
    void showResult();
    void drawChart();
    void drawStudyChart(QChart* chart);  // the lines, error bars or scatter of the result
    void fillTable();
    void exportDialog(const QString& kind);

    JobRunner* jobs_ = nullptr;
    settings::Settings* store_ = nullptr;  // the study parameters (ui/settings)
    std::shared_ptr<const data::Dataset> dataset_;
    QString displayName_;
    std::vector<double> callCosts_;
    double verifierCost_ = 1.0;
    bool costsSet_ = false;

    QComboBox* studyCombo_ = nullptr;
    QLabel* studyHelp_ = nullptr;
    QListWidget* datasetList_ = nullptr;
    QListWidget* methodList_ = nullptr;
    QStackedWidget* pages_ = nullptr;
    QLineEdit* ratios_ = nullptr;
    QLineEdit* sizes_ = nullptr;
    QLineEdit* ks_ = nullptr;
    QLineEdit* latency_ = nullptr;
    QDoubleSpinBox* verifierLatency_ = nullptr;
    QSpinBox* sizeSeeds_ = nullptr;
    QSpinBox* sampleSeeds_ = nullptr;
    QSpinBox* seeds_ = nullptr;
    QSpinBox* trainRows_ = nullptr;
    QSpinBox* bootstrap_ = nullptr;
    QPushButton* runButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QComboBox* groupCombo_ = nullptr;
    QStackedWidget* chartStack_ = nullptr;
    charts::DrawnChart* studyChart_ = nullptr;
    StudyHeatMap* heatMap_ = nullptr;
    QTableWidget* table_ = nullptr;
    QList<QPushButton*> exportButtons_;

    std::optional<study::StudyResult> result_;
    std::optional<study::StudyRequest> resultRequest_;
    QDateTime resultComputedAt_;
    QString resultProvenance_;
    QString lastError_;
};

// Adds the panel to a main window: a "Studies" bottom tab fed with the loaded dataset and
// costs, and File ▸ Import Router Scores…; an imported router is also added to the
// window's method combo (objectName "methodCombo") and logged.
StudiesPanel* installStudiesPanel(PanelHost* window);

}  // namespace automix::ui

#pragma once
// The paper's main table: IBC lift on val of every method on every dataset (trained on each
// dataset's train split), as a table and a grouped bar chart; with the paper protocol (seeds ×
// 1000 sampled train rows) the mean ± std over seeds. Runs eval::run_evaluation on a worker
// thread with progress; the Report is kept for the JSON/CSV export.
#include <QWidget>
#include <memory>

#include "core/eval/protocol.hpp"
#include "ui/charts/chart_page.hpp"
#include "ui/routing_state.hpp"

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace automix::ui::settings {
class Settings;
}

namespace automix::ui::charts {

class PerDatasetView : public QWidget {
    Q_OBJECT
  public:
    // `store`: the window's settings (the seeds box is its charts/perDatasetSeeds); null = private defaults.
    PerDatasetView(RoutingState* state, settings::Settings* store, QWidget* parent = nullptr);

    // Runs on the current snapshot's file and costs through the window's job runner; the
    // report is dropped (never shown) once the file or the costs change.
    void run();  // with the protocol chosen in the combo
    void run(eval::Protocol protocol, int seeds);
    bool isRunning() const;
    void waitForRun();
    bool hasReport() const { return report_ != nullptr; }
    const eval::Report* report() const { return report_.get(); }
    std::shared_ptr<const data::Dataset> reportDataset() const { return reportSnap_ ? reportSnap_->data : nullptr; }
    // What the report was computed on (file, costs); "" without a report.
    QString reportProvenance() const;

    QChartView* view() const { return chart_->view(); }
    QTableWidget* table() const { return table_; }
    QPushButton* runButton() const { return runButton_; }
    QComboBox* protocolCombo() const { return protocol_; }
    QSpinBox* seedsBox() const { return seeds_; }
    // The chart as drawn (series, title): tests and exports.
    DrawnChart* chart() const { return chart_; }

  signals:
    void runFinished(bool ok);

  private:
    void onStateChanged();
    void onRunEnded();
    void rebuild();
    void drawChart(QChart* chart);

    RoutingState* state_;
    SnapshotPtr reportSnap_;
    std::shared_ptr<const eval::Report> report_;
    DrawnChart* chart_;
    QTableWidget* table_;
    QComboBox* protocol_;
    QSpinBox* seeds_;
    QPushButton* runButton_;
    QProgressBar* progress_;
    QLabel* status_;
};

}  // namespace automix::ui::charts

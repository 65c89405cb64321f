#pragma once
// The paper's main table: IBC lift on val of every method on every dataset (trained on each
// dataset's train split), as a table and a grouped bar chart; with the paper protocol (seeds ×
// 1000 sampled train rows) the mean ± std over seeds. Runs eval::run_evaluation on a worker
// thread with progress; the Report is kept for the JSON/CSV export.
#include <QFutureWatcher>
#include <QWidget>
#include <memory>

#include "core/eval/protocol.hpp"

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace automix::ui::charts {

class PerDatasetView : public QWidget {
    Q_OBJECT
  public:
    explicit PerDatasetView(QWidget* parent = nullptr);
    ~PerDatasetView() override;

    void setDataset(std::shared_ptr<const data::Dataset> ds, const routing::Config& cfg);
    void run();  // with the protocol chosen in the combo
    void run(eval::Protocol protocol, int seeds);
    bool isRunning() const { return pending_; }
    void waitForRun();
    bool hasReport() const { return report_ != nullptr; }
    const eval::Report* report() const { return report_.get(); }
    std::shared_ptr<const data::Dataset> reportDataset() const { return reportDataset_; }

    QChartView* view() const { return view_; }
    QTableWidget* table() const { return table_; }
    QPushButton* runButton() const { return runButton_; }
    QComboBox* protocolCombo() const { return protocol_; }

  signals:
    void runFinished(bool ok);

  private:
    struct RunResult {
        std::shared_ptr<eval::Report> report;
        std::shared_ptr<const data::Dataset> dataset;
        QString error;
    };
    void onRunDone();
    void rebuild();

    std::shared_ptr<const data::Dataset> dataset_, reportDataset_;
    routing::Config config_;
    std::shared_ptr<eval::Report> report_;
    QChart* chart_;
    QChartView* view_;
    QTableWidget* table_;
    QComboBox* protocol_;
    QSpinBox* seeds_;
    QPushButton* runButton_;
    QProgressBar* progress_;
    QLabel* status_;
    QFutureWatcher<std::shared_ptr<RunResult>>* watcher_;
    bool pending_ = false;
};

}  // namespace automix::ui::charts

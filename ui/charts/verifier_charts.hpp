#pragma once
// Verifier quality: a histogram of the small model's verifier confidence split by whether its
// answer was right, a reliability diagram with its ECE, and the IBC lift on val as a function
// of the number of verifier samples k = 1..32 (computed on a worker thread). Numbers from
// eval::confidence_histogram, eval::reliability and eval::samples_curve.
#include <QFutureWatcher>
#include <QWidget>
#include <atomic>
#include <memory>

#include "core/eval/calibration.hpp"
#include "core/eval/samples_curve.hpp"

class QChart;
class QChartView;
class QLabel;
class QProgressBar;
class QPushButton;

namespace automix::ui::charts {

class VerifierCharts : public QWidget {
    Q_OBJECT
  public:
    explicit VerifierCharts(QWidget* parent = nullptr);
    ~VerifierCharts() override;

    void setData(const eval::ConfidenceHistogram& h, const eval::Reliability& r, const QString& scope);
    // Starts the lift-vs-k computation for one dataset (cancels a running one).
    void computeSamplesCurve(std::shared_ptr<const data::Dataset> ds, int dataset,
                             std::vector<routing::MethodPtr> methods, const routing::Config& cfg);
    bool isComputing() const;
    void waitForSamplesCurve();
    void cancel();

    const eval::ConfidenceHistogram& histogram() const { return histogram_; }
    const eval::Reliability& reliabilityData() const { return reliability_; }
    const eval::SamplesCurve& samplesCurve() const { return samples_; }
    QString samplesError() const { return samplesError_; }
    QChartView* histogramView() const { return histogramView_; }
    QChartView* reliabilityView() const { return reliabilityView_; }
    QChartView* samplesView() const { return samplesView_; }
    QPushButton* computeButton() const { return compute_; }

  signals:
    void computeRequested();
    // A click on a histogram bar: its confidence bin and whether it is the "small right" part.
    void histogramBarClicked(int bin, bool smallRight);
    void samplesCurveFinished();

  private:
    struct SamplesResult {
        eval::SamplesCurve curve;
        QString error;
    };
    void rebuildHistogram();
    void rebuildReliability();
    void rebuildSamples();
    void onSamplesDone();

    eval::ConfidenceHistogram histogram_;
    eval::Reliability reliability_;
    eval::SamplesCurve samples_;
    QString samplesError_, scope_;
    QChart *histogramChart_, *reliabilityChart_, *samplesChart_;
    QChartView *histogramView_, *reliabilityView_, *samplesView_;
    QPushButton* compute_;
    QProgressBar* progress_;
    QLabel* status_;
    QFutureWatcher<std::shared_ptr<SamplesResult>>* watcher_;
    std::shared_ptr<std::atomic<bool>> cancel_;
    bool pending_ = false;
};

}  // namespace automix::ui::charts

#pragma once
// Verifier quality: a histogram of the small model's verifier confidence split by whether its
// answer was right, a reliability diagram with its ECE, and the IBC lift on val as a function
// of the number of verifier samples k = 1..32 (computed on a worker thread). Numbers from
// eval::confidence_histogram, eval::reliability and eval::samples_curve.
#include <QWidget>
#include <optional>
#include <memory>

#include "core/eval/calibration.hpp"
#include "core/eval/samples_curve.hpp"
#include "ui/routing_state.hpp"

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;

namespace automix::ui::charts {

class VerifierCharts : public QWidget {
    Q_OBJECT
  public:
    explicit VerifierCharts(RoutingState* state, QWidget* parent = nullptr);

    void setData(const eval::ConfidenceHistogram& h, const eval::Reliability& r, const QString& scope);
    // The models that verify themselves (every model but the last): the histogram and the
    // reliability diagram show the chosen one. The chooser is hidden with two models.
    void setVerifiedModels(const QStringList& names);
    int verifiedModel() const;
    // Starts the lift-vs-k computation on the charts' dataset of the current snapshot, through
    // the window's job runner (a running one is cancelled). The curve is shown only while file,
    // chart dataset, split and costs are still the ones it was computed on.
    void computeSamplesCurve(std::vector<routing::MethodPtr> methods);
    bool isComputing() const;
    void waitForSamplesCurve();
    void cancel();
    // Forgets the curve (the scope it was computed on is gone).
    void clearSamplesCurve();
    // What the shown curve was computed on ("" when none).
    QString samplesProvenance() const { return samplesProvenance_; }

    const eval::ConfidenceHistogram& histogram() const { return histogram_; }
    const eval::Reliability& reliabilityData() const { return reliability_; }
    const eval::SamplesCurve& samplesCurve() const { return samples_; }
    QString samplesError() const { return samplesError_; }
    QChartView* histogramView() const { return histogramView_; }
    QChartView* reliabilityView() const { return reliabilityView_; }
    QChartView* samplesView() const { return samplesView_; }
    QPushButton* computeButton() const { return compute_; }
    // Marks the query selected elsewhere: its confidence bin on the histogram and its
    // confidence on the reliability diagram (nullopt = none).
    void setSelectedQuery(std::optional<double> confidence, int bin);
    std::optional<double> selectedConfidence() const { return selectedConfidence_; }
    int selectedBin() const { return selectedBin_; }

  signals:
    void computeRequested();
    // A click on a histogram bar: its confidence bin and whether it is the "small right" part.
    void histogramBarClicked(int bin, bool smallRight);
    // A click on a bin's point of the reliability diagram (its index among the bins).
    void reliabilityBinClicked(int bin);
    void samplesCurveFinished();
    void verifiedModelChanged();

  private:
    void rebuildHistogram();
    void rebuildReliability();
    void rebuildSamples();
    void onSamplesEnded();

    RoutingState* state_;

    eval::ConfidenceHistogram histogram_;
    eval::Reliability reliability_;
    eval::SamplesCurve samples_;
    QString samplesError_, scope_, samplesProvenance_;
    std::optional<double> selectedConfidence_;
    int selectedBin_ = -1;
    QChart *histogramChart_, *reliabilityChart_, *samplesChart_;
    QChartView *histogramView_, *reliabilityView_, *samplesView_;
    QPushButton* compute_;
    QProgressBar* progress_;
    QLabel* status_;
    QLabel* modelLabel_;
    QComboBox* model_;
};

}  // namespace automix::ui::charts

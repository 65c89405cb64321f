#pragma once
// Verifier quality: a histogram of the small model's verifier confidence split by whether its
// answer was right, a reliability diagram with its ECE, and the IBC lift on val as a function
// of the number of verifier samples k = 1..K (computed on a worker thread). Numbers from
// eval::confidence_histogram, eval::reliability and eval::samples_curve. The reliability
// diagram's bins and K are settings (ui/settings: charts/reliabilityBins, charts/samplesMaxK)
// with spin boxes in the tab's toolbar. The three charts are ChartWidgets (chart_page.hpp).
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
class QSpinBox;

namespace automix::ui::settings {
class Settings;
}

namespace automix::ui::charts {

class DrawnChart;

class VerifierCharts : public QWidget {
    Q_OBJECT
  public:
    // `store`: the window's settings (bins, K); null = a private one with the defaults.
    VerifierCharts(RoutingState* state, settings::Settings* store, QWidget* parent = nullptr);

    // The reliability diagram's bin count n (centres 0, 1/n, …, 1) and the largest k of the
    // lift-vs-k curve, as the toolbar's spin boxes set them.
    int reliabilityBins() const;
    int maxSamples() const;
    QSpinBox* binsBox() const { return binsBox_; }
    QSpinBox* maxKBox() const { return maxKBox_; }
    // What the reliability diagram was computed on, bins included ("" without data).
    QString reliabilityProvenance() const;

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
    QChartView* histogramView() const;
    QChartView* reliabilityView() const;
    QChartView* samplesView() const;
    DrawnChart* histogramChart() const { return histogramChart_; }
    DrawnChart* reliabilityChart() const { return reliabilityChart_; }
    DrawnChart* samplesChart() const { return samplesChart_; }
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
    // The reliability bins were changed (the owner recomputes the diagram with them).
    void reliabilityBinsChanged();

  private:
    void rebuildHistogram();
    void rebuildReliability();
    void rebuildSamples();
    void drawHistogram(QChart* chart);
    void drawReliability(QChart* chart);
    void drawSamples(QChart* chart);
    void onSamplesEnded();
    void onMaxSamplesChanged();

    RoutingState* state_;

    eval::ConfidenceHistogram histogram_;
    eval::Reliability reliability_;
    eval::SamplesCurve samples_;
    QString samplesError_, scope_, samplesProvenance_;
    std::optional<double> selectedConfidence_;
    int selectedBin_ = -1;
    settings::Settings* store_;
    DrawnChart *histogramChart_, *reliabilityChart_, *samplesChart_;
    QSpinBox* binsBox_;
    QSpinBox* maxKBox_;
    QPushButton* compute_;
    QProgressBar* progress_;
    QLabel* status_;
    QLabel* modelLabel_;
    QComboBox* model_;
};

}  // namespace automix::ui::charts

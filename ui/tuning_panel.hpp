#pragma once
// Hand tuning of the current method's parameter on one dataset: one slider per control the
// method declares (routing::Capabilities::controls: a threshold, DoubleThreshold's lo and hi,
// the cascade's log-scale λ, ...), or a candidate slider for a method that declares none.
// The panel knows no method by name. Each move re-routes
// every row of the dataset through RoutingState::setParameters (so the table, drill-down and
// summary follow) and shows cost / performance / IBC lift / APGR / % escalated on the train
// and the evaluation rows side by side, all computed by core (eval::ScoredView). "Train" runs
// the spec's training and the sliders jump to the chosen parameters. The cost fields edit the
// main toolbar's costs (ratio c_l / c_s and verifier cost).
//
// "Calibrate" (issue #21) picks, through the JobRunner, the candidate that best meets a limit
// on cost, escalated share, performance or lift on the train rows (core eval::calibrate),
// applies it and shows its train and evaluation figures with the bootstrap interval; "Deploy…"
// writes the models config of the routing on screen (live::routing_models_config), like
// `automix calibrate --emit-config`.
#include <QWidget>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/eval/calibrate.hpp"
#include "core/eval/metrics.hpp"
#include "core/routing/method.hpp"
#include "ui/routing_state.hpp"

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGridLayout;
class QLabel;
class QPushButton;
class QSlider;

namespace automix::ui {

class RoutingState;
struct Snapshot;

class TuningPanel : public QWidget {
    Q_OBJECT
  public:
    explicit TuningPanel(RoutingState* state, QWidget* parent = nullptr);

    // Dataset whose parameters the sliders move, and the rows the figures are computed on
    // (train rows and the evaluation rows the chart shows).
    void setTarget(int datasetIndex, RowViews::Rows trainRows, RowViews::Rows evalRows, const QString& evalName);
    int targetDataset() const { return dataset_; }

    std::optional<eval::Metrics> trainFigures() const { return trainFigures_; }
    std::optional<eval::Metrics> evalFigures() const { return evalFigures_; }
    // The current method's control with that key ("threshold", "low", "high", "lambda"; the
    // slider's object name is "<key>Slider"), null when the method has none; all of them in
    // the method's order. The candidate slider is shown for methods without controls.
    QSlider* parameterSlider(const QString& key) const;
    QList<QSlider*> parameterSliders() const;
    QSlider* candidateSlider() const { return candidate_; }
    QPushButton* trainButton() const { return train_; }
    QDoubleSpinBox* costRatio() const { return ratio_; }
    QDoubleSpinBox* verifierCost() const { return verifier_; }
    QComboBox* constraintKind() const { return constraintKind_; }  // items in eval::Limit order
    QDoubleSpinBox* constraintValue() const { return constraintValue_; }  // percent for shares and lift
    QPushButton* calibrateButton() const { return calibrate_; }
    QPushButton* deployButton() const { return deploy_; }
    QLabel* calibrationText() const { return calibrationText_; }
    // The constraint the controls describe.
    eval::Constraint constraint() const;
    // The last calibration, while the file, costs, scope and method it ran on are current.
    const eval::Calibration* calibration() const { return calibration_ ? &*calibration_ : nullptr; }
    bool isCalibrating() const;
    void waitForCalibration();
    // Writes the models config of the target dataset's current routing to `path`; returns the
    // error ("" on success).
    QString writeModelsConfig(const QString& path) const;

  public slots:
    // Starts the calibration of the target dataset (job "calibrate").
    void calibrate();
    // Asks for a file and writes the models config of the current routing there.
    void deploy();

  signals:
    // The routing of the target dataset on the evaluation rows (for the chart's ring).
    void figuresChanged();
    // A calibration arrived or was dropped (stale): the chart's constraint line follows.
    void calibrationChanged();

  private:
    // One slider per control key, made the first time a method needs it and hidden while the
    // method on screen has no such control.
    struct ControlRow {
        routing::ParamControl spec;
        QLabel* label = nullptr;
        QSlider* slider = nullptr;
    };
    ControlRow& controlRow(const routing::ParamControl& spec);
    void refresh();
    void syncControls();
    void recomputeFigures();
    void onControlMoved();
    void onCostsEdited();
    void applyParams(const routing::Params& p);
    std::vector<routing::Params> candidates() const;
    void setFigure(int row, int column, const QString& text, const QString& tip = {});
    void onConstraintKindChanged();
    void showCalibration(std::shared_ptr<const Snapshot> snap, eval::Calibration c);
    void dropStaleCalibration();

    RoutingState* state_;
    int dataset_ = -1;
    // Shared with the snapshot's row lists (and the calibration job), not copies.
    RowViews::Rows trainRows_ = std::make_shared<const data::View>(), evalRows_ = trainRows_;
    QString evalName_;
    std::vector<routing::ParamControl> schema_;  // the current method's controls
    bool orderedControls_ = false;
    std::vector<ControlRow> rows_;  // every control row made so far
    bool syncing_ = false;
    std::optional<eval::Metrics> trainFigures_, evalFigures_;
    // What the figures were computed for: the snapshot's versions but the table scope's (which
    // they do not depend on), and the target's; std::nullopt until computed. A scope change at
    // ten million rows re-evaluated a million rows twice for figures that could not change.
    std::optional<std::array<std::uint64_t, kAspects + 1>> figuresFor_;
    std::uint64_t targetVersion_ = 0;

    QLabel* heading_;
    QLabel* paramText_;
    QFormLayout* controls_;
    QSlider* candidate_;
    QLabel* candidateLabel_;
    QPushButton* train_;
    QDoubleSpinBox* ratio_;
    QDoubleSpinBox* verifier_;
    QGridLayout* figures_;
    QComboBox* constraintKind_;
    QDoubleSpinBox* constraintValue_;
    QPushButton* calibrate_;
    QPushButton* deploy_;
    QLabel* calibrationText_;
    std::optional<eval::Calibration> calibration_;
    std::shared_ptr<const Snapshot> calibrationSnap_;
};

}  // namespace automix::ui

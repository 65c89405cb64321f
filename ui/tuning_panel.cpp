#include "ui/tuning_panel.hpp"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>
#include <cmath>
#include <memory>

#include "core/io/atomic_file.hpp"
#include "core/live/models_config.hpp"
#include "ui/job_runner.hpp"
#include "ui/metric_text.hpp"
#include "ui/routing_state.hpp"
#include "ui/settings/settings.hpp"

namespace automix::ui {

namespace {
const QString kCalibrateJob = QStringLiteral("calibrate");
// A calibration holds while the rows, costs and method it ran on are those on screen.
constexpr unsigned kCalibrationAspects = FileAspect | CostsAspect | ChartAspect | MethodAspect;

QString pct(double f) {
    return std::isnan(f) ? QStringLiteral("—") : QString::number(100.0 * f, 'f', 1) + QStringLiteral(" %");
}
QString num(double x, int decimals) {
    return std::isnan(x) ? QStringLiteral("—") : QString::number(x, 'f', decimals);
}

// The rows of the Figures box: the fields of eval::metric_fields() shown with chart points.
std::vector<const eval::MetricField*> figureFields() {
    std::vector<const eval::MetricField*> out;
    for (const eval::MetricField& f : eval::metric_fields())
        if (f.on_chart_points) out.push_back(&f);
    return out;
}

QSlider* makeSlider(QWidget* parent, const QString& name, int max) {
    auto* s = new QSlider(Qt::Horizontal, parent);
    s->setObjectName(name);
    s->setRange(0, max);
    s->setSingleStep(max >= 1000 ? 5 : 1);
    s->setPageStep(max >= 1000 ? 125 : 10);
    return s;
}
}  // namespace

TuningPanel::TuningPanel(RoutingState* state, QWidget* parent) : QWidget(parent), state_(state) {
    setObjectName(QStringLiteral("tuningPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    heading_ = new QLabel(this);
    heading_->setWordWrap(true);
    layout->addWidget(heading_);

    controls_ = new QFormLayout();
    controls_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    candidate_ = makeSlider(this, QStringLiteral("candidateSlider"), 0);
    candidate_->setToolTip(tr("Step through the method's candidate parameters (enumeration order)"));
    candidateLabel_ = new QLabel(tr("candidate"), this);
    candidateLabel_->setMinimumWidth(110);
    controls_->addRow(candidateLabel_, candidate_);
    layout->addLayout(controls_);
    paramText_ = new QLabel(this);
    paramText_->setObjectName(QStringLiteral("tuningParams"));
    paramText_->setWordWrap(true);
    paramText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(paramText_);

    auto* costRow = new QHBoxLayout();
    // Range, step and tooltip from ui/settings/setting_meta.cpp (the verifier cost is the toolbar's setting).
    ratio_ = new settings::SettingSpinBox(settings::setting(settings::key::CostRatio), this);
    ratio_->setObjectName(QStringLiteral("costRatio"));
    verifier_ = new settings::SettingSpinBox(settings::setting(settings::key::VerifierCost), this);
    verifier_->setObjectName(QStringLiteral("tuningVerifierCost"));
    verifier_->setSuffix(QString());
    costRow->addWidget(new QLabel(tr("c_l / c_s"), this));
    costRow->addWidget(ratio_);
    costRow->addWidget(new QLabel(tr("verifier"), this));
    costRow->addWidget(verifier_);
    train_ = new QPushButton(tr("Train ▶"), this);
    train_->setObjectName(QStringLiteral("tuningTrain"));
    train_->setToolTip(tr("Run the spec's training on the train split (highest IBC lift) and jump to its parameters"));
    costRow->addWidget(train_);
    layout->addLayout(costRow);

    auto* calibrateBox = new QGroupBox(tr("Calibrate to a constraint"), this);
    auto* calibrateLayout = new QVBoxLayout(calibrateBox);
    auto* constraintRow = new QHBoxLayout();
    constraintKind_ = new QComboBox(calibrateBox);
    constraintKind_->setObjectName(QStringLiteral("constraintKind"));
    // In eval::Limit order.
    constraintKind_->addItem(tr("max avg cost"));
    constraintKind_->addItem(tr("max escalated"));
    constraintKind_->addItem(tr("min avg perf"));
    constraintKind_->addItem(tr("min IBC lift"));
    constraintKind_->setToolTip(tr("What to limit: the best candidate on the train rows that meets it is chosen "
                                   "(highest performance; lowest cost for a performance floor)"));
    constraintValue_ = new QDoubleSpinBox(calibrateBox);
    constraintValue_->setObjectName(QStringLiteral("constraintValue"));
    constraintValue_->setKeyboardTracking(false);
    calibrate_ = new QPushButton(tr("Calibrate"), calibrateBox);
    calibrate_->setObjectName(QStringLiteral("calibrateButton"));
    calibrate_->setToolTip(tr("Choose on the train rows the candidate that meets the constraint, route with it and "
                              "check it on the evaluation rows (automix calibrate)"));
    deploy_ = new QPushButton(tr("Deploy…"), calibrateBox);
    deploy_->setObjectName(QStringLiteral("deployButton"));
    deploy_->setToolTip(tr("Write a models config that runs the current routing live (automix run / serve); "
                           "no API keys are written"));
    constraintRow->addWidget(constraintKind_);
    constraintRow->addWidget(constraintValue_, 1);
    constraintRow->addWidget(calibrate_);
    constraintRow->addWidget(deploy_);
    calibrateLayout->addLayout(constraintRow);
    calibrationText_ = new QLabel(calibrateBox);
    calibrationText_->setObjectName(QStringLiteral("calibrationText"));
    calibrationText_->setWordWrap(true);
    calibrationText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    calibrateLayout->addWidget(calibrationText_);
    layout->addWidget(calibrateBox);

    auto* box = new QGroupBox(tr("Figures"), this);
    figures_ = new QGridLayout(box);
    figures_->setHorizontalSpacing(14);
    const std::vector<const eval::MetricField*> fields = figureFields();
    for (int r = 0; r < static_cast<int>(fields.size()); ++r) {
        const eval::MetricField& f = *fields[static_cast<std::size_t>(r)];
        auto* l = new QLabel(metricLabel(f), box);
        l->setToolTip(QString::fromUtf8(f.description.data(), static_cast<qsizetype>(f.description.size())));
        figures_->addWidget(l, r + 1, 0);
        for (int c = 1; c <= 2; ++c) {
            auto* v = new QLabel(QStringLiteral("—"), box);
            v->setObjectName(QStringLiteral("figure_%1_%2").arg(r).arg(c));
            v->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
            v->setTextInteractionFlags(Qt::TextSelectableByMouse);
            figures_->addWidget(v, r + 1, c);
        }
    }
    figures_->addWidget(new QLabel(tr("<b>train</b>"), box), 0, 1, Qt::AlignRight);
    figures_->addWidget(new QLabel(tr("<b>val</b>"), box), 0, 2, Qt::AlignRight);
    layout->addWidget(box);
    layout->addStretch(1);

    connect(candidate_, &QSlider::valueChanged, this, &TuningPanel::onControlMoved);
    connect(ratio_, &QDoubleSpinBox::valueChanged, this, &TuningPanel::onCostsEdited);
    connect(verifier_, &QDoubleSpinBox::valueChanged, this, &TuningPanel::onCostsEdited);
    connect(train_, &QPushButton::clicked, state_, &RoutingState::train);
    connect(state_, &RoutingState::changed, this, &TuningPanel::refresh);
    connect(constraintKind_, &QComboBox::currentIndexChanged, this, &TuningPanel::onConstraintKindChanged);
    connect(calibrate_, &QPushButton::clicked, this, &TuningPanel::calibrate);
    connect(deploy_, &QPushButton::clicked, this, &TuningPanel::deploy);
    state_->jobs()->follow(kCalibrateJob, this,
                           {{},
                            [this](const QString& message) {
                                calibrationText_->setText(
                                    tr("<span style='color:#c0392b'>Cannot calibrate: %1</span>")
                                        .arg(message.toHtmlEscaped()));
                            },
                            [this](bool) { refresh(); }});
    onConstraintKindChanged();
    refresh();
}

void TuningPanel::setTarget(int datasetIndex, RowViews::Rows trainRows, RowViews::Rows evalRows,
                            const QString& evalName) {
    dataset_ = datasetIndex;
    const auto none = std::make_shared<const data::View>();
    trainRows_ = trainRows ? std::move(trainRows) : none;
    evalRows_ = evalRows ? std::move(evalRows) : none;
    evalName_ = evalName;
    ++targetVersion_;
    if (auto* header =
            qobject_cast<QLabel*>(figures_->itemAtPosition(0, 2) ? figures_->itemAtPosition(0, 2)->widget() : nullptr))
        header->setText(QStringLiteral("<b>%1</b>").arg(evalName.toHtmlEscaped()));
    // With the train split shown, the second column would repeat the first one.
    const bool secondColumn = evalName != QLatin1String("train");
    for (int row = 0; row < figures_->rowCount(); ++row)
        if (QLayoutItem* item = figures_->itemAtPosition(row, 2); item && item->widget())
            item->widget()->setVisible(secondColumn);
    refresh();
}

std::vector<routing::Params> TuningPanel::candidates() const {
    std::vector<routing::Params> out;
    if (const TrainedDataset* t = state_->trainedFor(dataset_))
        for (const auto& c : t->candidates) out.push_back(c.first);
    return out;
}

TuningPanel::ControlRow& TuningPanel::controlRow(const routing::ParamControl& spec) {
    const QString key = QString::fromStdString(spec.key);
    for (ControlRow& row : rows_)
        if (row.slider->objectName() == key + QStringLiteral("Slider")) {
            row.spec = spec;  // same key, the range of the method on screen
            settings::Settings::configure(row.slider, settings::method_setting(spec));
            return row;
        }
    ControlRow row;
    row.spec = spec;
    row.slider = makeSlider(this, key + QStringLiteral("Slider"), spec.positions);
    // Range and tooltip through the settings' metadata, like every other control.
    settings::Settings::configure(row.slider, settings::method_setting(spec));
    row.label = new QLabel(this);
    row.label->setMinimumWidth(110);
    // Above the candidate slider, in the order first needed.
    controls_->insertRow(controls_->rowCount() - 1, row.label, row.slider);
    connect(row.slider, &QSlider::valueChanged, this, &TuningPanel::onControlMoved);
    rows_.push_back(row);
    return rows_.back();
}

QSlider* TuningPanel::parameterSlider(const QString& key) const {
    for (const auto& spec : schema_)
        if (QString::fromStdString(spec.key) == key)
            for (const ControlRow& row : rows_)
                if (row.spec.key == spec.key) return row.slider;
    return nullptr;
}

QList<QSlider*> TuningPanel::parameterSliders() const {
    QList<QSlider*> out;
    for (const auto& spec : schema_)
        if (QSlider* s = parameterSlider(QString::fromStdString(spec.key))) out << s;
    return out;
}

void TuningPanel::refresh() {
    const data::Dataset* ds = state_->dataset();
    const routing::MethodPtr method = state_->method();
    const routing::Capabilities caps = method ? method->capabilities() : routing::Capabilities{};
    schema_ = caps.controls;
    orderedControls_ = caps.ordered_controls;
    for (const auto& spec : schema_) controlRow(spec);
    const bool usable = ds && method && dataset_ >= 0;
    const QString dsName =
        usable ? QString::fromStdString(ds->dataset_names[static_cast<std::size_t>(dataset_)]) : QString();
    heading_->setText(usable ? tr("<b>%1</b> on <b>%2</b>%3")
                                   .arg(state_->methodName().toHtmlEscaped(), dsName.toHtmlEscaped(),
                                        state_->isTraining() ? tr(" — training…") : QString())
                             : tr("Choose a method and a dataset to tune"));
    const QList<QSlider*> shown = parameterSliders();
    for (const ControlRow& row : rows_) {
        const bool visible = shown.contains(row.slider);
        row.slider->setVisible(visible);
        row.label->setVisible(visible);
    }
    const bool cand = schema_.empty();
    candidate_->setVisible(cand), candidateLabel_->setVisible(cand);
    for (const ControlRow& row : rows_) row.slider->setEnabled(usable && !state_->isTraining());
    candidate_->setEnabled(usable && !state_->isTraining());
    train_->setEnabled(ds && method && !state_->isTraining());
    dropStaleCalibration();
    calibrate_->setEnabled(usable && !trainRows_->empty() && !isCalibrating() && !state_->isTraining());
    deploy_->setEnabled(usable && state_->isRouted());
    {
        syncing_ = true;
        const Costs c = state_->costs();
        const QSignalBlocker b1(ratio_), b2(verifier_);
        ratio_->setValue(c.small > 0 ? c.large / c.small : c.large);
        verifier_->setValue(c.verifier);
        syncing_ = false;
    }
    syncControls();
    recomputeFigures();
}

void TuningPanel::syncControls() {
    const TrainedDataset* t = state_->trainedFor(dataset_);
    const routing::MethodPtr method = state_->method();
    syncing_ = true;
    std::vector<std::unique_ptr<QSignalBlocker>> blocks;
    for (const ControlRow& row : rows_) blocks.push_back(std::make_unique<QSignalBlocker>(row.slider));
    blocks.push_back(std::make_unique<QSignalBlocker>(candidate_));
    const std::vector<routing::Params> cands = candidates();
    candidate_->setRange(0, std::max<int>(0, static_cast<int>(cands.size()) - 1));
    const QList<QSlider*> sliders = parameterSliders();
    if (t && t->error.isEmpty() && method) {
        if (const auto values = method->controls_of(t->params); values && values->size() == schema_.size())
            for (std::size_t i = 0; i < schema_.size(); ++i)
                sliders[static_cast<int>(i)]->setValue(schema_[i].position_of((*values)[i]));
        for (std::size_t i = 0; i < cands.size(); ++i)
            if (cands[i] == t->params) candidate_->setValue(static_cast<int>(i));
        paramText_->setText(
            tr("Parameters: %1")
                .arg(QString::fromStdString(method->describe(t->params, state_->config())).toHtmlEscaped()));
    } else {
        paramText_->setText(state_->lastError().isEmpty() ? tr("Not routed yet — press Train or move a slider")
                                                          : state_->lastError());
    }
    for (const ControlRow& row : rows_)
        row.label->setText(QString::fromStdString(row.spec.display(row.spec.value_at(row.slider->value()))));
    candidateLabel_->setText(tr("candidate %1 / %2").arg(candidate_->value() + 1).arg(cands.size()));
    syncing_ = false;
}

void TuningPanel::onControlMoved() {
    const routing::MethodPtr method = state_->method();
    if (syncing_ || dataset_ < 0 || !method) return;
    const auto cands = candidates();
    if (schema_.empty()) {
        const auto i = static_cast<std::size_t>(candidate_->value());
        if (i < cands.size()) applyParams(cands[i]);
        return;
    }
    QSlider* moved = qobject_cast<QSlider*>(sender());
    const QList<QSlider*> sliders = parameterSliders();
    if (orderedControls_) {
        // The handles cannot cross: the ones not moved give way.
        const int at = static_cast<int>(sliders.indexOf(moved));
        for (int i = 0; i < sliders.size(); ++i) {
            const QSignalBlocker b(sliders[i]);
            if (at >= 0 && i < at && sliders[i]->value() > moved->value()) sliders[i]->setValue(moved->value());
            if (at >= 0 && i > at && sliders[i]->value() < moved->value()) sliders[i]->setValue(moved->value());
        }
    }
    std::vector<double> values;
    for (std::size_t i = 0; i < schema_.size() && static_cast<int>(i) < sliders.size(); ++i)
        values.push_back(schema_[i].value_at(sliders[static_cast<int>(i)]->value()));
    if (const auto p = method->params_from_controls(values, cands)) applyParams(*p);
}

void TuningPanel::applyParams(const routing::Params& p) {
    // setParameters re-routes and emits changed(), which refreshes this panel.
    if (!state_->setParameters(dataset_, p)) paramText_->setText(state_->lastError());
}

void TuningPanel::onCostsEdited() {
    if (syncing_) return;
    const Costs old = state_->costs();
    Costs c = old;  // the middle models' costs stay
    c.large = old.small * ratio_->value();
    c.verifier = verifier_->value();
    // Through the state: the window's toolbar follows the state's costs (and undo records them).
    state_->setCosts(c);
    state_->train();
}

void TuningPanel::setFigure(int row, int column, const QString& text, const QString& tip) {
    if (QLayoutItem* item = figures_->itemAtPosition(row + 1, column))
        if (auto* l = qobject_cast<QLabel*>(item->widget())) {
            l->setText(text);
            l->setToolTip(tip);
        }
}

void TuningPanel::recomputeFigures() {
    std::array<std::uint64_t, kAspects + 1> inputs{};
    const SnapshotPtr snap = state_->snapshot();
    for (int i = 0; i < kAspects; ++i)
        if ((1u << i) != ScopeAspect) inputs[static_cast<std::size_t>(i)] = snap->versions[i];
    inputs[kAspects] = targetVersion_;
    if (figuresFor_ == inputs) return;
    figuresFor_ = inputs;
    trainFigures_.reset();
    evalFigures_.reset();
    const data::Dataset* ds = state_->dataset();
    const routing::MethodPtr method = state_->method();
    if (ds && method && state_->isRouted()) {
        // Through the state: it keeps the rows' scores gathered, so a slider step only evaluates.
        auto figuresOf = [&](const data::View& rows) { return state_->routedMetrics(rows); };
        trainFigures_ = figuresOf(*trainRows_);
        evalFigures_ = figuresOf(*evalRows_);
    }
    int column = 1;
    for (const auto& f : {trainFigures_, evalFigures_}) {
        const std::vector<const eval::MetricField*> fields = figureFields();
        for (std::size_t r = 0; r < fields.size(); ++r)
            setFigure(static_cast<int>(r), column, f ? metricText(*fields[r], fields[r]->value(*f)) : QStringLiteral("—"));
        ++column;
    }
    emit figuresChanged();
}

// ---------------------------------------------------------------- calibration and deployment

void TuningPanel::onConstraintKindChanged() {
    // Each kind's unit and a starting value in the middle of the usual range.
    const QSignalBlocker block(constraintValue_);
    switch (static_cast<eval::Limit>(constraintKind_->currentIndex())) {
    case eval::Limit::MaxCost:
        constraintValue_->setRange(0.0, 1e6);
        constraintValue_->setDecimals(2);
        constraintValue_->setSuffix(tr(" per query"));
        constraintValue_->setSingleStep(1.0);
        constraintValue_->setValue(10.0);
        break;
    case eval::Limit::MaxEscalated:
        constraintValue_->setRange(0.0, 100.0);
        constraintValue_->setDecimals(1);
        constraintValue_->setSuffix(QStringLiteral(" %"));
        constraintValue_->setSingleStep(1.0);
        constraintValue_->setValue(30.0);
        break;
    case eval::Limit::MinPerf:
        constraintValue_->setRange(0.0, 1.0);
        constraintValue_->setDecimals(3);
        constraintValue_->setSuffix(QString());
        constraintValue_->setSingleStep(0.01);
        constraintValue_->setValue(0.5);
        break;
    case eval::Limit::MinLift:
        constraintValue_->setRange(-1000.0, 10000.0);
        constraintValue_->setDecimals(1);
        constraintValue_->setSuffix(QStringLiteral(" %"));
        constraintValue_->setSingleStep(5.0);
        constraintValue_->setValue(50.0);
        break;
    }
}

eval::Constraint TuningPanel::constraint() const {
    const auto limit = static_cast<eval::Limit>(constraintKind_->currentIndex());
    const bool percent = limit == eval::Limit::MaxEscalated || limit == eval::Limit::MinLift;
    return {limit, percent ? constraintValue_->value() / 100.0 : constraintValue_->value()};
}

bool TuningPanel::isCalibrating() const {
    return state_->jobs()->isRunning(kCalibrateJob);
}

void TuningPanel::waitForCalibration() {
    state_->jobs()->waitFor(kCalibrateJob);
}

void TuningPanel::calibrate() {
    const std::shared_ptr<const Snapshot> snap = state_->snapshot();
    const routing::MethodPtr method = state_->method();
    if (!snap->data || !method || dataset_ < 0 || trainRows_->empty()) {
        calibrationText_->setText(tr("Load data, choose a method and a dataset with train rows first"));
        return;
    }
    if (state_->isTraining()) {  // training's result would replace the calibrated parameter
        calibrationText_->setText(tr("Training is running: calibrate when it has finished"));
        return;
    }
    eval::CalibrationOptions options;
    options.constraint = constraint();
    const routing::Config cfg = state_->config();
    const RowViews::Rows train = trainRows_, evalRows = evalRows_;
    calibrationText_->setText(tr("Calibrating %1 to %2…")
                                  .arg(state_->methodName().toHtmlEscaped(),
                                       QString::fromStdString(eval::describe(options.constraint)).toHtmlEscaped()));
    RoutingState* state = state_;
    state_->jobs()->start<eval::Calibration>(
        kCalibrateJob, {this, [state, snap] { return state->isCurrent(*snap, kCalibrationAspects); }},
        [snap, method, cfg, train, evalRows, options](JobContext& job) {
            job.setStage("calibrating");
            return eval::calibrate(*method, *snap->data, *train, *evalRows, cfg, options);
        },
        [this, snap](eval::Calibration c) { showCalibration(snap, std::move(c)); });
    calibrate_->setEnabled(false);
}

void TuningPanel::showCalibration(std::shared_ptr<const Snapshot> snap, eval::Calibration c) {
    calibrationSnap_ = std::move(snap);
    calibration_ = std::move(c);
    const eval::Calibration& cal = *calibration_;
    const QString limit = QString::fromStdString(eval::describe(cal.constraint)).toHtmlEscaped();
    if (const eval::CalibrationCandidate* k = cal.choice()) {
        applyParams(k->params);  // re-routes the dataset: table, summary and ring follow
        auto line = [](const eval::Metrics& m) {
            return tr("cost %1 · perf %2 · escalated %3 · lift %4")
                .arg(num(m.avg_cost, 2), num(m.avg_perf, 4), pct(m.escalated_fraction), pct(m.lift));
        };
        QString text = tr("<b>%1</b> meets %2 on train: candidate %3 of %4 (%5 meet it)<br>train: %6")
                           .arg(QString::fromStdString(k->text).toHtmlEscaped(), limit)
                           .arg(*cal.chosen + 1)
                           .arg(cal.candidates.size())
                           .arg(cal.n_feasible)
                           .arg(line(k->train));
        if (cal.n_val > 0) {
            text += tr("<br>%1: %2").arg(evalName_.toHtmlEscaped(), line(k->val));
            if (cal.bootstrap > 0)
                text += tr("<br>%1 % interval (%2 resamples, the choice remade on each train resample: same "
                           "candidate in %9): cost [%3, %4] · perf [%5, %6] · lift [%7, %8]")
                            .arg(100.0 * cal.confidence, 0, 'f', 0)
                            .arg(cal.bootstrap)
                            .arg(num(cal.val_cost.lo, 2), num(cal.val_cost.hi, 2), num(cal.val_perf.lo, 4),
                                 num(cal.val_perf.hi, 4), pct(cal.val_lift.lo), pct(cal.val_lift.hi),
                                 pct(cal.same_choice_share));
            text += cal.val_meets ? tr("<br>Holds on %1").arg(evalName_.toHtmlEscaped())
                                  : tr("<br><span style='color:#c0392b'>Does not hold on %1</span>")
                                        .arg(evalName_.toHtmlEscaped());
            if (cal.bootstrap > 0) text += tr(" (in %1 of the resamples)").arg(pct(cal.val_meets_share));
        }
        calibrationText_->setText(text);
    } else {
        calibrationText_->setText(tr("<span style='color:#c0392b'>%1</span>")
                                      .arg(QString::fromStdString(cal.message).toHtmlEscaped()));
    }
    emit calibrationChanged();
}

void TuningPanel::dropStaleCalibration() {
    if (!calibrationSnap_ || state_->isCurrent(*calibrationSnap_, kCalibrationAspects)) return;
    calibrationSnap_.reset();
    calibration_.reset();
    calibrationText_->clear();
    emit calibrationChanged();
}

QString TuningPanel::writeModelsConfig(const QString& path) const {
    const data::Dataset* ds = state_->dataset();
    const routing::MethodPtr method = state_->method();
    const TrainedDataset* t = state_->trainedFor(dataset_);
    if (!ds || !method || !t || !t->error.isEmpty() || !state_->isRouted())
        return tr("Nothing to deploy: train, tune or calibrate a routing of this dataset first");
    try {
        const nlohmann::json cfg =
            live::routing_models_config(nullptr, *ds, *t->trainRows, method->name(), t->params, state_->config());
        io::write_file(path.toStdString(), cfg.dump(2) + "\n");
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void TuningPanel::deploy() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Deploy: write the models config"),
                                                      QDir::current().filePath(QStringLiteral("models.json")),
                                                      tr("JSON (*.json)"));
    if (path.isEmpty()) return;
    const QString error = writeModelsConfig(path);
    calibrationText_->setText(
        error.isEmpty()
            ? tr("Wrote %1: run it with <tt>automix run --config %1</tt> or <tt>automix serve --config %1</tt> "
                 "(set base_url, model and api_key_env for real servers)")
                  .arg(path.toHtmlEscaped())
            : tr("<span style='color:#c0392b'>Cannot deploy: %1</span>").arg(error.toHtmlEscaped()));
}

}  // namespace automix::ui

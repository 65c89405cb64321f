#include "ui/charts/chart_tabs.hpp"

#include <QAction>
#include <QApplication>
#include <QChartView>
#include <QDir>
#include <QEventLoop>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "core/eval/calibration.hpp"
#include "core/eval/report_json.hpp"
#include "core/routing/bins.hpp"
#include "ui/charts/belief_chart.hpp"
#include "ui/charts/cascade_panel.hpp"
#include "ui/charts/chart_export.hpp"
#include "ui/charts/chart_interaction.hpp"
#include "ui/charts/chart_style.hpp"
#include "ui/charts/cost_quality_chart.hpp"
#include "ui/charts/per_dataset_view.hpp"
#include "ui/charts/verifier_charts.hpp"
#include "ui/compare_routing.hpp"
#include "ui/job_runner.hpp"
#include "ui/panel_host.hpp"
#include "ui/qt_text.hpp"
#include "ui/routing_state.hpp"
#include "ui/tuning_panel.hpp"

namespace automix::ui::charts {

namespace {
const QString kCurves = QStringLiteral("curves");
const QString kBelief = QStringLiteral("belief states");
constexpr unsigned kChartAspects = FileAspect | CostsAspect | ChartAspect;

QPushButton* exportButton(QWidget* parent) {
    auto* b = new QPushButton(QObject::tr("Export…"), parent);
    b->setToolTip(QObject::tr("Save the charts of this tab as PNG and SVG and their data as CSV into a folder"));
    return b;
}
}  // namespace

ChartTabs::ChartTabs(PanelHost* host, CompareRouting* compare)
    : QObject(host->hostWidget()), host_(host), compare_(compare), state_(host->routingState()), jobs_(host->jobs()) {
    tabs_ = host->bottomTabs();
    buildTabs();
    beliefTimer_ = new QTimer(this);
    beliefTimer_->setSingleShot(true);
    beliefTimer_->setInterval(120);
    connect(beliefTimer_, &QTimer::timeout, this, &ChartTabs::updateBelief);
    connect(state_, &RoutingState::chartScopeChanged, this, &ChartTabs::onChartScopeChanged);
    connect(state_, &RoutingState::routingChanged, this, &ChartTabs::onRoutingChanged);
    connect(state_, &RoutingState::trainingFinished, this, &ChartTabs::applyPendingSelection);
    connect(state_, &RoutingState::currentRowChanged, this, [this] {
        updateSelection();  // linked brushing: the selected query on every chart at once
        beliefTimer_->start();
    });
    jobs_->follow(kCurves, this,
                  {JobRunner::intoBar(curvesProgress_),
                   [this](const QString& message) {
                       costQuality_->clear(tr("Cannot compute the curves: %1").arg(message));
                       curvesStatus_->setText(message);
                   },
                   [this](bool) { onCurvesEnded(); }});
    jobs_->follow(kBelief, this,
                  {{},
                   [this](const QString& message) {
                       belief_->setData({}, tr("Belief states"));  // empty, not stale, when core refuses
                       host_->reportError(tr("Belief states"), message);
                   },
                   {}});
    onChartScopeChanged();
}

ChartTabs::~ChartTabs() = default;

template <class F>
void ChartTabs::guarded(const QString& what, F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        host_->reportError(what, QString::fromStdString(e.what()));
    }
}

void ChartTabs::buildTabs() {
    // Cost–quality: chart | tuning panel.
    auto* cq = new QWidget(tabs_);
    cq->setObjectName(QStringLiteral("costQualityTab"));
    costQuality_ = new CostQualityChart(cq);
    tuning_ = new TuningPanel(state_, cq);
    auto* split = new QSplitter(Qt::Horizontal, cq);
    split->addWidget(costQuality_);
    split->addWidget(tuning_);
    split->setSizes({900, 380});
    curvesProgress_ = new QProgressBar(cq);
    curvesProgress_->setMaximumWidth(180);
    curvesProgress_->setVisible(false);
    curvesStatus_ = new QLabel(cq);
    curvesStatus_->setObjectName(QStringLiteral("curvesStatus"));
    // A long list of methods that failed must not widen the window: wrap, full text in the tooltip.
    curvesStatus_->setWordWrap(true);
    curvesStatus_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto* bar = new QHBoxLayout();
    bar->addWidget(curvesStatus_, 1);
    bar->addWidget(curvesProgress_);
    QPushButton* cqExport = exportButton(cq);
    auto* report = new QPushButton(tr("Export report…"), cq);
    report->setObjectName(QStringLiteral("exportReport"));
    report->setToolTip(tr("Every chart (PNG, SVG), every table and curve (CSV) and the JSON report into a folder"));
    bar->addWidget(cqExport);
    bar->addWidget(report);
    auto* layout = new QVBoxLayout(cq);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(split, 1);
    layout->addLayout(bar);
    const int costQualityTab = chartTabCount();
    addChartTab(cq, tr("Cost–quality"), [this] {
        const SnapshotPtr snap = state_->snapshot();
        // Every dataset of the file, each line led by its dataset (the chart shows one).
        const QString provenance =
            snap->data ? QStringLiteral("%1 · every dataset · %2 · %3")
                             .arg(snap->file.displayName, snap->split == SplitScope::Train ? tr("train") : tr("val"),
                                  snap->costsText())
                       : tr("no data");
        return QList<ChartExport>{{QStringLiteral("cost_quality"), costQuality_->view(),
                                   [this] { return eval::cost_quality_table(curvesOfEveryDataset()); }, provenance}};
    }, false);

    auto* beliefPage = new QWidget(tabs_);
    belief_ = new BeliefChart(beliefPage);
    cascade_ = new CascadePanel(beliefPage);
    cascade_->setVisible(false);
    auto* beliefSplit = new QSplitter(Qt::Horizontal, beliefPage);
    beliefSplit->addWidget(belief_);
    beliefSplit->addWidget(cascade_);
    beliefSplit->setStretchFactor(0, 1);  // the bins need the room more than the cascade's few steps
    beliefSplit->setStretchFactor(1, 1);
    addChartTab(beliefSplit, tr("Belief states"), [this] {
        flushBelief();
        const QString provenance = state_->snapshot()->chartProvenance(true);
        QList<ChartExport> out{{QStringLiteral("belief_states"), belief_->view(),
                                [this] { return eval::belief_table(belief_->data()); }, provenance}};
        if (cascade_->isVisibleTo(cascade_->parentWidget()))
            out.append({QStringLiteral("cascade_trace"), cascade_->chartView(),
                        [this] { return eval::cascade_trace_table(cascade_->view()); }, provenance});
        return out;
    });

    verifier_ = new VerifierCharts(state_, host_->settings(), tabs_);
    addChartTab(verifier_, tr("Verifier"), [this] {
        const QString provenance = state_->snapshot()->chartProvenance();
        const VerifierCharts* v = verifier_;
        return QList<ChartExport>{{QStringLiteral("verifier_histogram"), v->histogramView(),
                                   [v] { return eval::histogram_table(v->histogram()); }, provenance},
                                  {QStringLiteral("reliability"), v->reliabilityView(),
                                   [v] { return eval::reliability_table(v->reliabilityData()); },
                                   v->reliabilityProvenance()},
                                  {QStringLiteral("lift_vs_samples"), v->samplesView(),
                                   [v] { return eval::samples_table(v->samplesCurve()); },
                                   v->samplesProvenance().isEmpty() ? tr("not computed") : v->samplesProvenance()}};
    });

    perDataset_ = new PerDatasetView(state_, host_->settings(), tabs_);
    addChartTab(perDataset_, tr("Per dataset"), [this] {
        ChartExport e{QStringLiteral("per_dataset"), perDataset_->view(), {}, perDataset_->reportProvenance()};
        if (const eval::Report* r = perDataset_->report()) e.csvText = [r] { return eval::report_to_csv(*r); };
        return QList<ChartExport>{e};
    });

    // Every chart registered from its own file (chart_page.hpp), after the built-in ones.
    for (const ChartTabInfo& info : chartTabRegistry()) {
        ChartPage* page = info.make(state_, tabs_);
        page->setObjectName(info.id);
        registered_ << page;
        // Computed now: an export right after a change must not write the numbers of before.
        addChartTab(page, QCoreApplication::translate("ChartTabs", info.title), [page] {
            page->refreshNow();
            return page->exports();
        });
    }

    connect(cqExport, &QPushButton::clicked, this, [this, costQualityTab] { exportTabInteractively(costQualityTab); });
    auto exportAll = [this] {
        const QString folder = askFolder(tr("Export report to folder"));
        if (folder.isEmpty()) return;
        QStringList files;
        reportExport(exportReport(folder, &files), files, folder);
    };
    connect(report, &QPushButton::clicked, this, exportAll);

    // Menu entry next to the window's own menus (before Help).
    QMenu* menu = new QMenu(tr("&Charts"), host_->hostWidget());
    menu->setObjectName(QStringLiteral("chartsMenu"));
    QAction* exportAction = menu->addAction(tr("Export &Report to Folder…"), this, exportAll);
    exportAction->setObjectName(QStringLiteral("exportReportAction"));
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    menu->addAction(tr("Run &Per-dataset Evaluation"), perDataset_, qOverload<>(&PerDatasetView::run));
    menu->addAction(tr("Compute Lift vs &Verifier Samples"), this, &ChartTabs::computeSamplesCurve);
    host_->addPanelMenu(menu);
    // Calibrate and Deploy… also from the window's Method menu (issue #21).
    QMenu* methodMenu = host_->menu(WindowMenu::Method);
    methodMenu->addSeparator();
    QAction* calibrate = methodMenu->addAction(tr("&Calibrate to the Constraint"), tuning_, &TuningPanel::calibrate);
    calibrate->setObjectName(QStringLiteral("calibrateAction"));
    QAction* deploy = methodMenu->addAction(tr("&Deploy…"), tuning_, &TuningPanel::deploy);
    deploy->setObjectName(QStringLiteral("deployAction"));
    deploy->setToolTip(tr("Write a models config that runs the current routing live"));

    connect(costQuality_, &CostQualityChart::candidateClicked, this, &ChartTabs::selectCandidate);
    // A click on a belief bar narrows the query table to that confidence bin of the dataset.
    connect(belief_, &BeliefChart::binClicked, this, [this](int bin) {
        const auto ds = state_->datasetPtr();
        const int d = chartDataset();
        if (!ds || d < 0 || ds->models.empty()) return;
        const routing::Bins bins(state_->config().num_bins);
        state_->setLinkedFilter(tr("confidence bin %1 of %2")
                                    .arg(bins.centre(bin), 0, 'f', 3)
                                    .arg(QString::fromStdString(ds->dataset_names[static_cast<std::size_t>(d)])),
                                [ds, bins, bin, d](data::RowIndex r) {
                                    return ds->dataset_index[r] == d &&
                                           bins.nearest(ds->small().verifier_confidence[r]) == bin;
                                });
    });
    // A click on a histogram bar narrows the table to that bin's right (or wrong) small answers.
    connect(verifier_, &VerifierCharts::histogramBarClicked, this, [this](int bin, bool smallRight) {
        const auto ds = state_->datasetPtr();
        const int d = chartDataset();
        if (!ds || d < 0 || ds->models.empty()) return;
        const int bins = state_->config().num_bins;
        const double tau = verifier_->histogram().tau;
        const auto model = static_cast<std::size_t>(verifier_->verifiedModel());
        if (model + 1 >= ds->model_count()) return;
        state_->setLinkedFilter(tr("confidence bin %1 of %2, %3 answer %4")
                                    .arg(routing::Bins(bins).centre(bin), 0, 'f', 3)
                                    .arg(QString::fromStdString(ds->dataset_names[static_cast<std::size_t>(d)]),
                                         QString::fromStdString(ds->models[model].name),
                                         smallRight ? tr("right") : tr("wrong")),
                                [ds, bins, tau, bin, smallRight, d, model](data::RowIndex r) {
                                    if (ds->dataset_index[r] != d) return false;
                                    const eval::HistogramCell c = eval::histogram_cell(*ds, r, bins, tau, model);
                                    return c.bin == bin && c.correct == smallRight;
                                });
    });
    // A click on a reliability point narrows the table to that confidence bin's evaluation rows.
    connect(verifier_, &VerifierCharts::reliabilityBinClicked, this, [this](int bin) {
        const auto ds = state_->datasetPtr();
        const int d = chartDataset();
        if (!ds || d < 0 || ds->model_count() < 2) return;
        const int drawn = static_cast<int>(verifier_->reliabilityData().bins.size()) - 1;  // the diagram's bins
        if (drawn < 1) return;
        const routing::Bins bins(drawn);
        const auto model = static_cast<std::size_t>(
            std::clamp<int>(verifier_->verifiedModel(), 0, static_cast<int>(ds->model_count()) - 2));
        const std::vector<data::RowIndex> rows(evalRows().begin(), evalRows().end());
        auto inEval = std::make_shared<std::vector<data::RowIndex>>(rows);
        std::sort(inEval->begin(), inEval->end());
        state_->setLinkedFilter(tr("reliability bin %1 of %2").arg(shortNumber(bins.centre(bin)), state_->snapshot()->datasetName(d)),
                                [ds, bins, bin, model, inEval](data::RowIndex r) {
                                    return std::binary_search(inEval->begin(), inEval->end(), r) &&
                                           bins.nearest(ds->models[model].verifier_confidence[r]) == bin;
                                });
    });
    connect(tuning_, &TuningPanel::figuresChanged, this, &ChartTabs::updateCurrentPoint);
    if (compare_) connect(compare_, &CompareRouting::changed, this, &ChartTabs::updateCurrentPoint);
    connect(tuning_, &TuningPanel::calibrationChanged, this, &ChartTabs::updateConstraint);
    connect(verifier_, &VerifierCharts::computeRequested, this, &ChartTabs::computeSamplesCurve);
    connect(verifier_, &VerifierCharts::verifiedModelChanged, this, &ChartTabs::updateVerifier);
    connect(verifier_, &VerifierCharts::reliabilityBinsChanged, this, &ChartTabs::updateVerifier);
}

QString ChartTabs::scopeNote() const {
    const SnapshotPtr snap = state_->snapshot();
    if (!snap->data || snap->scopeDataset >= 0 || snap->rows->chartDataset < 0) return {};
    return tr("All datasets: the charts and tuning show %1, the dataset of the selected row (select a row of "
              "another dataset to switch)")
        .arg(snap->datasetName(snap->rows->chartDataset));
}

void ChartTabs::onChartScopeChanged() {
    const SnapshotPtr snap = state_->snapshot();
    const RowLists& rows = *snap->rows;
    tuning_->setTarget(rows.chartDataset, rows.chartTrainRows, rows.chartEvalRows, rows.evalName);
    // A lift-vs-k curve belongs to the scope it was computed on: it goes with it.
    if (!verifier_->samplesProvenance().isEmpty() || verifier_->isComputing()) verifier_->clearSamplesCurve();
    const QString note = scopeNote();
    curvesStatus_->setToolTip(note);
    startCurves();
    updateBelief();
    updateVerifier();
}

void ChartTabs::onRoutingChanged() {
    // The belief chart is rebuilt once the slider rests, so a slider step stays within a frame.
    beliefTimer_->start();
}

bool ChartTabs::isComputingCurves() const {
    return jobs_->isRunning(kCurves);
}

void ChartTabs::startCurves() {
    // The old curves go at once: nothing of another scope stays on screen or clickable.
    curvesSnap_.reset();
    const SnapshotPtr snap = state_->snapshot();
    const RowLists& rows = *snap->rows;
    if (!snap->data || rows.chartDataset < 0 || rows.chartEval().empty() || rows.chartTrain().empty()) {
        jobs_->cancel(kCurves);
        costQuality_->clear(snap->data ? tr("No train or evaluation rows in %1").arg(snap->chartProvenance())
                                       : tr("Load data to see the cost–quality curves"));
        curvesStatus_->clear();
        onCurvesEnded();
        return;
    }
    const std::string name = snap->data->dataset_names[static_cast<std::size_t>(rows.chartDataset)];
    const auto methods = eval::chart_methods(name);
    curvesProgress_->setRange(0, static_cast<int>(methods.size()));
    curvesProgress_->setValue(0);
    curvesProgress_->setVisible(true);
    costQuality_->clear(tr("Computing the curves of %1…").arg(snap->chartProvenance()));
    curvesStatus_->setText(tr("Computing the curves of %1 methods…").arg(methods.size()));
    RoutingState* state = state_;
    jobs_->start<eval::CostQuality>(
        kCurves, {this, [state, snap] { return state->isCurrent(*snap, kChartAspects); }},
        [snap, methods](JobContext& job) {
            eval::CostQuality cq = eval::cost_quality(*snap->data, snap->rows->chartTrain(), snap->rows->chartEval(),
                                                      methods, snap->routing->config, job.continueCallback());
            if (cq.cancelled) throw JobCancelled();
            return cq;
        },
        [this, snap](eval::CostQuality cq) {
            curvesSnap_ = snap;
            costQuality_->setData(
                cq, tr("Cost–quality · %1 %2").arg(snap->datasetName(snap->rows->chartDataset), snap->rows->evalName),
                snap->chartProvenance());
            QStringList failed;
            for (const auto& m : cq.methods)
                if (!m.ok)
                    failed << QStringLiteral("%1 (%2)").arg(QString::fromStdString(m.method),
                                                            QString::fromStdString(m.error));
            const QString note = scopeNote();
            curvesStatus_->setText(
                failed.isEmpty()
                    ? (note.isEmpty() ? tr("Hover a point for its figures; click a candidate to route with it") : note)
                    : tr("Not drawn: %1").arg(failed.join(QStringLiteral("; "))));
            curvesStatus_->setToolTip(curvesStatus_->text());
            updateCurrentPoint();
        });
}

void ChartTabs::onCurvesEnded() {
    if (isComputingCurves()) return;
    curvesProgress_->setVisible(false);
    emit curvesUpdated();
}

void ChartTabs::waitForCurves() {
    jobs_->waitFor(kCurves);
}

void ChartTabs::updateCurrentPoint() {
    const auto m = tuning_->evalFigures();
    costQuality_->setCurrent(m, m ? tr("current: %1").arg(state_->methodName()) : QString());
    // Both rings while two routings are compared: A (solid) and B (dashed).
    const auto b = compare_ && compare_->isActive() ? compare_->figures(evalRows()) : std::nullopt;
    costQuality_->setCompared(b, b ? tr("B: %1").arg(compare_->label()) : QString());
}

void ChartTabs::updateConstraint() {
    const eval::Calibration* c = tuning_->calibration();
    if (!c) {
        costQuality_->setConstraint(std::nullopt);
        return;
    }
    CostQualityChart::ConstraintMark mark;
    mark.constraint = c->constraint;
    mark.config = state_->config();
    mark.levels = state_->ladder().size();
    if (const eval::CalibrationCandidate* k = c->choice(); k && c->n_val > 0)
        mark.chosen = QPointF(k->val.avg_cost, k->val.avg_perf);
    costQuality_->setConstraint(mark);
}

void ChartTabs::flushBelief() {
    beliefTimer_->stop();
    updateBelief();
    jobs_->waitFor(kBelief);
}

void ChartTabs::updateBelief() {
    const SnapshotPtr snap = state_->snapshot();
    const int d = snap->rows->chartDataset;
    if (!snap->data || d < 0) {
        jobs_->cancel(kBelief);
        beliefSnap_.reset();
        belief_->setData({}, tr("Load data to see the belief states"));
        cascade_->setVisible(false);
        return;
    }
    guarded(tr("Cascade view"), [&] { updateCascade(); });
    // The bins are a pass over the dataset's train rows: a job, so that ten million rows do not
    // hold up the GUI thread. Nothing of other inputs stays on screen meanwhile; the same inputs
    // (another selected row) keep what is shown or coming.
    constexpr unsigned kBeliefAspects = kChartAspects | MethodAspect | RoutingAspect;
    if (beliefSnap_ && state_->isCurrent(*beliefSnap_, kBeliefAspects)) return;
    beliefSnap_ = snap;
    belief_->setData({}, tr("Computing the belief states of %1…").arg(snap->datasetName(d)),
                     tr("%1 train rows of %2 · %3")
                         .arg(snap->rows->chartTrain().size())
                         .arg(snap->datasetName(d), snap->file.displayName));
    struct Bins {
        std::vector<eval::BeliefBin> bins;
        bool routed = false;
    };
    RoutingState* state = state_;
    jobs_->start<Bins>(
        kBelief, {this, [state, snap] { return state->isCurrent(*snap, kBeliefAspects); }},
        [snap, bins = state_->config().num_bins](JobContext&) {
            // Every train row needs a decision for the routed view; else the chart is of beliefs only.
            const routing::Decisions decisions =
                snap->routing->decisionsOf(snap->rows->chartTrain()).value_or(routing::Decisions{});
            const bool routed = !decisions.empty();
            return Bins{eval::belief_bins(*snap->data, snap->rows->chartTrain(), decisions, bins), routed};
        },
        [this, snap, d](Bins b) {
            // Named after what is drawn (beliefs per confidence bin of the small model), not after
            // one method: the routing beside it may be any method, the Cascade included. Short
            // enough to fit the chart; the parameters, row count and file go to the tooltip.
            const QString title = tr("Belief states · %1 train · %2")
                                      .arg(snap->datasetName(d), b.routed ? state_->methodName() : tr("not routed"));
            const QString provenance =
                tr("%1 train rows of %2 · action: %3 · %4")
                    .arg(snap->rows->chartTrain().size())
                    .arg(snap->datasetName(d),
                         b.routed ? state_->methodName() + QLatin1Char(' ') + state_->paramsText() : tr("not routed"),
                         snap->file.displayName);
            belief_->setData(std::move(b.bins), title, provenance);
        });
}

void ChartTabs::updateSelection() {
    const SnapshotPtr snap = state_->snapshot();
    const auto row = state_->currentRow();
    const int d = snap->rows->chartDataset;
    std::optional<double> confidence;
    int bin = -1, smallBin = -1;
    if (snap->data && row && *row < snap->data->size() && snap->data->dataset_index[*row] == d &&
        snap->data->model_count() > 1) {
        const data::Dataset& ds = *snap->data;
        const routing::Bins bins(state_->config().num_bins);
        const auto model = static_cast<std::size_t>(
            std::clamp<int>(verifier_->verifiedModel(), 0, static_cast<int>(ds.model_count()) - 2));
        const double c = ds.models[model].verifier_confidence[*row];
        if (std::isfinite(c)) {
            confidence = c;
            bin = bins.nearest(c);
        }
        smallBin = bins.nearest(ds.small().verifier_confidence[*row]);
    }
    verifier_->setSelectedQuery(confidence, bin);
    belief_->setSelectedBin(smallBin);
}

void ChartTabs::updateCascade() {
    // The N-model cascade: belief trajectory of the selected query (or the first evaluation
    // row) and the policy table, for the parameters in use on this dataset.
    const SnapshotPtr snap = state_->snapshot();
    const int d = snap->rows->chartDataset;
    const data::View& evalRows = snap->rows->chartEval();
    const TrainedDataset* t = state_->trainedFor(d);
    const bool cascade = state_->method() && state_->method()->capabilities().panel == "cascade" &&
                         state_->isRouted() && t && t->error.isEmpty() && !evalRows.empty();
    cascade_->setVisible(cascade);
    if (!cascade) return;
    const data::Dataset& ds = *snap->data;
    data::RowIndex row = evalRows.front();
    if (const auto current = state_->currentRow(); current && ds.dataset_index[*current] == d) row = *current;
    cascade_->setView(eval::cascade_view(ds, *t->trainRows, row, t->params, state_->config()),
                      tr("Cascade trajectory · %1").arg(toQString(ds.id[row])), snap->chartProvenance(true));
}

void ChartTabs::updateVerifier() {
    const SnapshotPtr snap = state_->snapshot();
    if (!snap->data || snap->rows->chartDataset < 0) {
        verifier_->setData({}, {}, QString());
        return;
    }
    const int bins = state_->config().num_bins;
    const data::View& rows = snap->rows->chartEval();
    const data::Dataset& ds = *snap->data;
    QStringList verifying;  // every model but the last verifies its own answer
    for (std::size_t m = 0; m + 1 < ds.model_count(); ++m)
        verifying << QString::fromStdString(ds.models[m].display_name.empty() ? ds.models[m].name : ds.models[m].display_name);
    verifier_->setVerifiedModels(verifying);
    const auto model = static_cast<std::size_t>(std::min(verifier_->verifiedModel(), std::max<int>(0, verifying.size() - 1)));
    QString scope = snap->chartProvenance();
    if (verifying.size() > 1) scope += tr(" · verifier of %1").arg(verifying[static_cast<int>(model)]);
    guarded(tr("Verifier charts"), [&] {
        verifier_->setData(eval::confidence_histogram(ds, rows, bins, 0.5, model),
                           eval::reliability(ds, rows, verifier_->reliabilityBins(), model), scope);
    });
    updateSelection();
}

void ChartTabs::computeSamplesCurve() {
    if (!state_->dataset() || chartDataset() < 0) return;
    std::vector<routing::MethodPtr> methods;
    auto add = [&methods](routing::MethodPtr m) {
        if (!m || routing::is_reference(*m) || m->uses_all_models()) return;
        for (const auto& x : methods)
            if (x->name() == m->name()) return;
        methods.push_back(std::move(m));
    };
    for (const routing::MethodPtr& m : routing::all_methods())
        if (m->capabilities().on_samples_curve) add(m);
    add(state_->method());
    verifier_->computeSamplesCurve(std::move(methods));
}

void ChartTabs::selectCandidate(int method, int point) {
    // Only curves of the current file, dataset, split and costs may set the routing.
    if (!curvesSnap_ || !state_->isCurrent(*curvesSnap_, kChartAspects)) return;
    const int dataset = curvesSnap_->rows->chartDataset;
    const eval::CostQuality& cq = costQuality_->data();
    if (method < 0 || static_cast<std::size_t>(method) >= cq.methods.size()) return;
    const eval::MethodCurve& c = cq.methods[static_cast<std::size_t>(method)];
    if (point < 0 || static_cast<std::size_t>(point) >= c.points.size()) return;
    const QString name = QString::fromStdString(c.method);
    const routing::Params params = c.points[static_cast<std::size_t>(point)].params;
    if (state_->methodName() == name && !state_->isTraining()) {
        state_->setParameters(dataset, params);
        return;
    }
    // Choosing the method in the toolbar trains it on every dataset; the clicked parameter then
    // replaces the trained one on this dataset.
    pending_ = PendingSelection{name, dataset, params, curvesSnap_};
    host_->selectMethod(name);
    if (state_->methodName() != name) state_->setMethod(name);
    if (!state_->isTraining()) state_->train();
}

void ChartTabs::applyPendingSelection() {
    if (!pending_ || state_->isTraining()) return;
    const PendingSelection p = *pending_;
    pending_.reset();
    if (state_->methodName() == p.method && state_->isCurrent(*p.snap, kChartAspects))
        state_->setParameters(p.dataset, p.params);
}

// ---------------------------------------------------------------- export

QString ChartTabs::exportTab(int tab, const QString& folder, QStringList* written) {
    if (tab < 0 || tab >= chartTabCount()) return tr("no chart tab %1").arg(tab);
    if (!QDir().mkpath(folder)) return tr("cannot create %1").arg(folder);
    QStringList files, errors;
    writeExports(tabList_[static_cast<std::size_t>(tab)].exports(), QDir(folder), &files, &errors);
    if (written) *written << files;
    return errors.join(QLatin1Char('\n'));
}

QWidget* ChartTabs::addChartTab(QWidget* content, const QString& title, std::function<QList<ChartExport>()> exports,
                                bool withButton) {
    QWidget* page = content;
    if (withButton) {
        page = new QWidget(tabs_);
        content->setParent(page);
        auto* layout = new QVBoxLayout(page);
        layout->setContentsMargins(2, 2, 2, 2);
        layout->addWidget(content, 1);
        QPushButton* button = exportButton(page);
        button->setObjectName(QStringLiteral("exportTab"));
        layout->addWidget(button, 0, Qt::AlignRight);
        const int index = chartTabCount();
        connect(button, &QPushButton::clicked, this, [this, index] { exportTabInteractively(index); });
    }
    tabs_->addTab(page, title);
    tabList_.push_back({page, std::move(exports)});
    return page;
}

QString ChartTabs::askFolder(const QString& title) const {
    return QFileDialog::getExistingDirectory(host_->hostWidget(), title, QDir::homePath());
}

void ChartTabs::reportExport(const QString& error, const QStringList& files, const QString& folder) {
    if (!error.isEmpty()) {
        QMessageBox::warning(host_->hostWidget(), tr("Export"), error);
        return;
    }
    host_->log(tr("Exported %1 files to %2").arg(files.size()).arg(folder));
    host_->showStatus(tr("Exported %1 files to %2").arg(files.size()).arg(folder), 6000);
}

void ChartTabs::exportTabInteractively(int tab) {
    const QString folder = askFolder(tr("Export charts to folder"));
    if (folder.isEmpty()) return;
    QStringList files;
    reportExport(exportTab(tab, folder, &files), files, folder);
}

ChartPage* ChartTabs::registeredPage(const QString& id) const {
    for (ChartPage* p : registered_)
        if (p->objectName() == id) return p;
    return nullptr;
}

QList<InteractiveChartView*> ChartTabs::zoomableViews() const {
    QList<QChartView*> views = {
        costQuality_->view(),         belief_->view(),          cascade_->chartView(), verifier_->histogramView(),
        verifier_->reliabilityView(), verifier_->samplesView(), perDataset_->view()};
    for (ChartPage* p : registered_) views << p->view();
    QList<InteractiveChartView*> out;
    for (QChartView* v : views)
        if (auto* interactive = qobject_cast<InteractiveChartView*>(v)) out << interactive;
    return out;
}

std::vector<std::pair<std::string, eval::CostQuality>> ChartTabs::curvesOfEveryDataset() {
    const SnapshotPtr snap = state_->snapshot();
    std::vector<std::pair<std::string, eval::CostQuality>> out;
    if (!snap->data) return out;
    waitForCurves();
    // The drawn curves are reused; the other datasets are computed the same way (train on
    // their train rows, evaluate on the scope's split), in the background, waited for here.
    const bool drawnIsCurrent = curvesSnap_ && state_->isCurrent(*curvesSnap_, kChartAspects);
    const int drawn = drawnIsCurrent ? curvesSnap_->rows->chartDataset : -1;
    const eval::CostQuality drawnCurves = costQuality_->data();
    const bool onTrain = snap->split == SplitScope::Train;
    std::optional<std::vector<std::pair<std::string, eval::CostQuality>>> computed;
    RoutingState* state = state_;
    jobs_->start<std::vector<std::pair<std::string, eval::CostQuality>>>(
        QStringLiteral("export-curves"),
        {this, [state, snap] { return state->isCurrent(*snap, kChartAspects); }},
        [snap, drawn, drawnCurves, onTrain](JobContext& job) {
            const data::Dataset& ds = *snap->data;
            std::vector<std::pair<std::string, eval::CostQuality>> all;
            for (std::size_t d = 0; d < ds.dataset_names.size(); ++d) {
                job.checkCancelled();
                job.progress(d, ds.dataset_names.size());
                const std::string& name = ds.dataset_names[d];
                if (static_cast<int>(d) == drawn) {
                    all.emplace_back(name, drawnCurves);
                    continue;
                }
                const data::View train = ds.measured(ds.rows(static_cast<int>(d), data::Split::Train));
                const data::View evalRows =
                    onTrain ? train : ds.measured(ds.rows(static_cast<int>(d), data::Split::Val));
                if (train.empty() || evalRows.empty()) continue;
                eval::CostQuality cq = eval::cost_quality(ds, train, evalRows, eval::chart_methods(name),
                                                          snap->routing->config, job.continueCallback());
                if (cq.cancelled) throw JobCancelled();
                all.emplace_back(name, std::move(cq));
            }
            return all;
        },
        [&computed](std::vector<std::pair<std::string, eval::CostQuality>> all) { computed = std::move(all); });
    jobs_->waitFor(QStringLiteral("export-curves"), 600000);
    jobs_->cancel(QStringLiteral("export-curves"));  // after a timeout nothing may reach `computed`
    if (computed) out = std::move(*computed);
    return out;
}

QString ChartTabs::exportReport(const QString& folder, QStringList* written) {
    waitForCurves();
    if (state_->dataset() && !perDataset_->hasReport()) {
        perDataset_->run();
        perDataset_->waitForRun();
    }
    QStringList errors;
    for (int tab = 0; tab < chartTabCount(); ++tab) {
        const QString e = exportTab(tab, folder, written);
        if (!e.isEmpty()) errors << e;
    }
    if (const eval::Report* r = perDataset_->report()) {
        const std::string json = eval::report_to_json(*r, *perDataset_->reportDataset()).dump(2) + "\n";
        const QString path = QDir(folder).filePath(QStringLiteral("report.json"));
        const QString e = writeTextFile(path, QByteArray(json.data(), static_cast<qsizetype>(json.size())));
        if (e.isEmpty()) {
            if (written) *written << path;
        } else {
            errors << e;
        }
    } else if (state_->dataset()) {
        errors << tr("the per-dataset evaluation failed; no JSON report");
    }
    return errors.join(QLatin1Char('\n'));
}

ChartTabs* installChartTabs(PanelHost* host, CompareRouting* compare) {
    return new ChartTabs(host, compare);
}

}  // namespace automix::ui::charts

#include "ui/charts/per_dataset_view.hpp"

#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QEventLoop>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPalette>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <cmath>

#include "core/eval/cost_quality.hpp"
#include "ui/charts/chart_page.hpp"
#include "ui/charts/chart_style.hpp"
#include "ui/job_runner.hpp"
#include "ui/settings/settings.hpp"

namespace automix::ui::charts {

namespace {
const QString kPerDataset = QStringLiteral("per-dataset");

bool paper(const eval::Report& r) {
    return r.options.protocol == eval::Protocol::Paper;
}
double liftOf(const eval::Report& r, const eval::MethodReport& m) {
    if (!m.ok) return std::nan("");
    return paper(r) ? m.val_lift_stat.mean : m.val.lift;
}
double stdOf(const eval::Report& r, const eval::MethodReport& m) {
    return m.ok && paper(r) ? m.val_lift_stat.std : std::nan("");
}
// The report of `method` on one dataset; null when it did not run there.
const eval::MethodReport* methodIn(const eval::DatasetReport& d, const QString& method) {
    for (const auto& x : d.methods)
        if (QString::fromStdString(x.key) == method) return &x;
    return nullptr;
}
// Methods in report order that are routers (reference points left out), over all datasets.
QStringList methodsOf(const eval::Report& r) {
    QStringList out;
    for (const auto& d : r.datasets)
        for (const auto& m : d.methods)
            if (!routing::is_reference(m.key) && !out.contains(QString::fromStdString(m.key)))
                out << QString::fromStdString(m.key);
    return out;
}
}  // namespace

PerDatasetView::PerDatasetView(RoutingState* state, settings::Settings* store, QWidget* parent)
    : QWidget(parent), state_(state) {
    if (!store) store = new settings::Settings(this);
    // The methods listed beside the chart, scrolling.
    chart_ = new DrawnChart(this, Qt::Horizontal, [this](DrawnChart& c) { drawChart(c.chart()); });
    view()->setObjectName(QStringLiteral("perDatasetView"));
    view()->setWindowTitle(tr("Lift per dataset"));
    table_ = new QTableWidget(this);
    table_->setObjectName(QStringLiteral("perDatasetTable"));
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->setVisible(true);

    protocol_ = new QComboBox(this);
    protocol_->setObjectName(QStringLiteral("protocolCombo"));
    protocol_->addItem(tr("full: train on the whole train split"), static_cast<int>(eval::Protocol::Full));
    protocol_->addItem(tr("paper: seeds × 1000 sampled train rows (mean ± std)"),
                       static_cast<int>(eval::Protocol::Paper));
    // Range, default and tooltip from ui/settings/setting_meta.cpp; remembered between runs.
    seeds_ = store->spinBox(settings::key::PerDatasetSeeds, this);
    seeds_->setPrefix(tr("seeds "));
    runButton_ = new QPushButton(tr("Run evaluation"), this);
    runButton_->setObjectName(QStringLiteral("runEvaluation"));
    progress_ = new QProgressBar(this);
    progress_->setMaximumWidth(200);
    progress_->setVisible(false);
    status_ = new QLabel(this);
    auto* bar = new QHBoxLayout();
    bar->addWidget(protocol_);
    bar->addWidget(seeds_);
    bar->addWidget(runButton_);
    bar->addWidget(progress_);
    bar->addWidget(status_, 1);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(chart_);
    split->addWidget(table_);
    split->setSizes({600, 500});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    JobRunner* jobs = state_->jobs();
    jobs->follow(kPerDataset, this,
                 {JobRunner::intoBar(progress_),
                  [this](const QString& message) { status_->setText(tr("Evaluation failed: %1").arg(message)); },
                  [this](bool delivered) {
                      onRunEnded();
                      emit runFinished(delivered);
                  }});
    connect(state_, &RoutingState::changed, this, &PerDatasetView::onStateChanged);
    connect(runButton_, &QPushButton::clicked, this, qOverload<>(&PerDatasetView::run));
    // A paper-protocol table on screen follows the seeds box (recomputed through the job runner).
    connect(store, &settings::Settings::valueChanged, this, [this](const QString& key) {
        if (key == settings::qtKey(settings::key::PerDatasetSeeds) && report_ && paper(*report_) && state_->dataset())
            run(eval::Protocol::Paper, seeds_->value());
    });
    onStateChanged();
    rebuild();
}

bool PerDatasetView::isRunning() const {
    return state_->jobs()->isRunning(kPerDataset);
}

QString PerDatasetView::reportProvenance() const {
    if (!reportSnap_ || !report_) return {};
    const QString protocol =
        paper(*report_) ? tr("paper protocol, %1 seeds").arg(report_->options.seeds) : tr("full train split");
    return QStringLiteral("%1 · %2 · %3").arg(reportSnap_->file.displayName, reportSnap_->costsText(), protocol);
}

void PerDatasetView::onStateChanged() {
    // A report (or a running evaluation) of another file or other costs is never shown as current.
    if (reportSnap_ && !state_->isCurrent(*reportSnap_, FileAspect | CostsAspect)) {
        reportSnap_.reset();
        report_.reset();
        status_->setText(tr("The evaluation was for other data or costs; run it again"));
        rebuild();
    } else if (!report_ && !isRunning()) {
        status_->setText(state_->dataset() ? tr("Press Run evaluation for the table of lifts") : QString());
    }
    runButton_->setEnabled(state_->dataset() && !isRunning());
}

void PerDatasetView::run() {
    run(static_cast<eval::Protocol>(protocol_->currentData().toInt()), seeds_->value());
}

void PerDatasetView::run(eval::Protocol protocol, int seeds) {
    const SnapshotPtr snap = state_->snapshot();
    if (!snap->data) return;
    eval::EvalOptions options;
    options.protocol = protocol;
    options.seeds = seeds;
    options.config = snap->routing->config;
    runButton_->setEnabled(false);
    progress_->setVisible(true);
    progress_->setValue(0);
    status_->setText(tr("evaluating %1…").arg(snap->file.displayName));
    RoutingState* state = state_;
    state_->jobs()->start<std::shared_ptr<const eval::Report>>(
        kPerDataset, {this, [state, snap] { return state->isCurrent(*snap, FileAspect | CostsAspect); }},
        [snap, options](JobContext& job) mutable {
            options.cancel = job.cancelFlag();
            try {
                auto report = std::make_shared<eval::Report>(eval::run_evaluation(
                    *snap->data, options, [&job](std::size_t done, std::size_t total) { job.progress(done, total); }));
                report->input_path = snap->file.reportPath.isEmpty() ? snap->data->source_path
                                                                     : snap->file.reportPath.toStdString();
                report->input_sha256 = snap->file.sha256;
                return std::shared_ptr<const eval::Report>(std::move(report));
            } catch (const eval::EvalCancelled&) {
                throw JobCancelled();
            }
        },
        [this, snap](std::shared_ptr<const eval::Report> report) {
            report_ = std::move(report);
            reportSnap_ = snap;
            status_->setText(tr("%1 datasets in %2 s").arg(report_->datasets.size()).arg(report_->seconds, 0, 'f', 2));
            rebuild();
        });
}

void PerDatasetView::waitForRun() {
    state_->jobs()->waitFor(kPerDataset);
}

void PerDatasetView::onRunEnded() {
    if (isRunning()) return;
    runButton_->setEnabled(state_->dataset() != nullptr);
    progress_->setVisible(false);
}

void PerDatasetView::rebuild() {
    table_->clear();
    table_->setRowCount(0);
    table_->setColumnCount(0);
    if (!report_) return chart_->showReason(tr("IBC lift per dataset: run the evaluation"));
    const eval::Report& r = *report_;
    const QStringList methods = methodsOf(r);
    QStringList datasets;
    for (const auto& d : r.datasets) datasets << QString::fromStdString(d.name);

    // Table: one row per method, one column per dataset.
    table_->setRowCount(static_cast<int>(methods.size()));
    table_->setColumnCount(static_cast<int>(datasets.size()));
    table_->setHorizontalHeaderLabels(datasets);
    table_->setVerticalHeaderLabels(methods);
    for (int mi = 0; mi < methods.size(); ++mi)
        for (int di = 0; di < datasets.size(); ++di) {
            const eval::MethodReport* m = methodIn(r.datasets[static_cast<std::size_t>(di)], methods[mi]);
            const double lift = m ? liftOf(r, *m) : std::nan("");
            const double sd = m ? stdOf(r, *m) : std::nan("");
            QString text = !m       ? QStringLiteral("")
                           : !m->ok ? tr("error")
                                    : QString::number(100.0 * lift, 'f', 1) + QStringLiteral(" %");
            if (std::isfinite(sd)) text += QStringLiteral(" ± %1").arg(100.0 * sd, 0, 'f', 1);
            auto* item = new QTableWidgetItem(text);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (m && !m->ok)
                item->setToolTip(QString::fromStdString(m->error));
            else if (m)
                item->setToolTip(QString::fromStdString(m->best.dump()));
            table_->setItem(mi, di, item);
        }
    table_->resizeColumnsToContents();
    // A title that fits; the protocol and what it was computed on in the tooltip.
    chart_->display(paper(r) ? tr("IBC lift on val per dataset · mean of %1 seeds").arg(r.options.seeds)
                             : tr("IBC lift on val per dataset"),
                    reportProvenance());
}

void PerDatasetView::drawChart(QChart* chart) {
    if (!report_) return;
    const eval::Report& r = *report_;
    view()->setToolTip(provenanceTip(
        reportProvenance(), paper(r) ? tr("Mean over %1 seeds; ± std in the table").arg(r.options.seeds)
                                     : tr("Trained on the whole train split")));
    const QStringList methods = methodsOf(r);
    QStringList datasets;
    for (const auto& d : r.datasets) datasets << QString::fromStdString(d.name);
    const bool dark = paletteIsDark();
    ChartColours colours(dark);  // no colour twice (the baselines included)
    auto* series = new QBarSeries(chart);
    double lo = 0, hi = 0.1;
    for (int mi = 0; mi < methods.size(); ++mi) {
        auto* set = new QBarSet(methods[mi], series);
        const QColor colour = colours.take(methods[mi]);
        set->setColor(colour);
        set->setBorderColor(colour.darker(130));
        for (const eval::DatasetReport& d : r.datasets) {
            const eval::MethodReport* m = methodIn(d, methods[mi]);
            const double lift = m ? liftOf(r, *m) : std::nan("");
            *set << (std::isfinite(lift) ? lift : 0.0);
            if (std::isfinite(lift)) lo = std::min(lo, lift), hi = std::max(hi, lift);
        }
        series->append(set);
    }
    chart->addSeries(series);
    const QColor text = QApplication::palette().color(QPalette::Text);
    auto* x = new QBarCategoryAxis(chart);
    x->append(datasets);
    x->setLabelsColor(text);
    auto* y = new QValueAxis(chart);
    niceAxis(y, lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo), 6);
    y->setTitleText(tr("IBC lift (fraction)"));
    y->setLabelsColor(text);
    y->setTitleBrush(text);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
}

}  // namespace automix::ui::charts

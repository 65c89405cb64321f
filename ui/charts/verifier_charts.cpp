#include "ui/charts/verifier_charts.hpp"

#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QEventLoop>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPalette>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStackedBarSeries>
#include <QVBoxLayout>
#include <QValueAxis>
#include <cmath>

#include "ui/charts/chart_legend.hpp"
#include "ui/charts/chart_page.hpp"
#include "ui/charts/chart_style.hpp"
#include "ui/job_runner.hpp"
#include "ui/settings/settings.hpp"

namespace automix::ui::charts {

namespace {
const QString kLiftVsK = QStringLiteral("lift-vs-k");

void colourAxis(QAbstractAxis* a) {
    const QColor text = QApplication::palette().color(QPalette::Text);
    a->setLabelsColor(text);
    a->setTitleBrush(text);
}

QValueAxis* valueAxis(QChart* chart, const QString& title, double lo, double hi, Qt::Alignment where,
                      const QString& format = QStringLiteral("%.2f")) {
    auto* a = new QValueAxis(chart);
    a->setTitleText(title);
    a->setRange(lo, hi);
    a->setLabelFormat(format);
    colourAxis(a);
    chart->addAxis(a, where);
    return a;
}
}  // namespace

VerifierCharts::VerifierCharts(RoutingState* state, settings::Settings* store, QWidget* parent)
    : QWidget(parent), state_(state), store_(store ? store : new settings::Settings(this)) {
    // Three charts side by side are narrow: each legend goes under its chart, wrapping. Each is a
    // ChartWidget: the base clears, themes, titles and restyles; these draw their series.
    histogramChart_ = new DrawnChart(this, Qt::Vertical, [this](DrawnChart& c) { drawHistogram(c.chart()); });
    reliabilityChart_ = new DrawnChart(this, Qt::Vertical, [this](DrawnChart& c) { drawReliability(c.chart()); });
    samplesChart_ = new DrawnChart(this, Qt::Vertical, [this](DrawnChart& c) { drawSamples(c.chart()); });
    histogramView()->setObjectName(QStringLiteral("confidenceHistogramView"));
    reliabilityView()->setObjectName(QStringLiteral("reliabilityView"));
    samplesView()->setObjectName(QStringLiteral("samplesCurveView"));
    histogramView()->setWindowTitle(tr("Verifier confidence histogram"));
    reliabilityView()->setWindowTitle(tr("Reliability diagram"));
    samplesView()->setWindowTitle(tr("Lift vs verifier samples"));

    compute_ = new QPushButton(tr("Compute lift vs k"), this);
    compute_->setObjectName(QStringLiteral("computeSamplesCurve"));
    compute_->setToolTip(tr("Recompute every confidence from the first k verifier samples (k = 1 to the \"k up "
                            "to\" box), retrain and score on val — runs in the background"));
    progress_ = new QProgressBar(this);
    progress_->setMaximumWidth(200);
    progress_->setVisible(false);
    status_ = new QLabel(this);
    modelLabel_ = new QLabel(tr("Verifier of"), this);
    model_ = new QComboBox(this);
    model_->setObjectName(QStringLiteral("verifierModel"));
    model_->setToolTip(tr("Whose self-verification the histogram and the reliability diagram show"));
    connect(model_, &QComboBox::currentIndexChanged, this, &VerifierCharts::verifiedModelChanged);
    // The settings' spin boxes (range, default, tooltip from ui/settings/setting_meta.cpp; remembered).
    binsBox_ = store_->spinBox(settings::key::ReliabilityBins, this);
    maxKBox_ = store_->spinBox(settings::key::SamplesMaxK, this);
    auto* binsLabel = new QLabel(tr("Reliability bins"), this);
    binsLabel->setBuddy(binsBox_);
    auto* maxKLabel = new QLabel(tr("k up to"), this);
    maxKLabel->setBuddy(maxKBox_);
    connect(store_, &settings::Settings::valueChanged, this, [this](const QString& key) {
        if (key == settings::qtKey(settings::key::ReliabilityBins)) emit reliabilityBinsChanged();
        if (key == settings::qtKey(settings::key::SamplesMaxK)) onMaxSamplesChanged();
    });
    auto* bar = new QHBoxLayout();
    bar->addWidget(modelLabel_);
    bar->addWidget(model_);
    bar->addWidget(binsLabel);
    bar->addWidget(binsBox_);
    bar->addWidget(maxKLabel);
    bar->addWidget(maxKBox_);
    bar->addWidget(compute_);
    bar->addWidget(progress_);
    bar->addWidget(status_, 1);

    auto* charts = new QHBoxLayout();
    charts->addWidget(histogramChart_);
    charts->addWidget(reliabilityChart_);
    charts->addWidget(samplesChart_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(charts, 1);
    layout->addLayout(bar);

    JobRunner* jobs = state_->jobs();
    jobs->follow(kLiftVsK, this,
                 {JobRunner::intoBar(progress_),
                  [this](const QString& message) {
                      samplesError_ = message;
                      status_->setText(message);
                      rebuildSamples();
                  },
                  [this](bool) { onSamplesEnded(); }});
    connect(compute_, &QPushButton::clicked, this, &VerifierCharts::computeRequested);
    setData({}, {}, QString());
    rebuildSamples();
}

QChartView* VerifierCharts::histogramView() const {
    return histogramChart_->view();
}
QChartView* VerifierCharts::reliabilityView() const {
    return reliabilityChart_->view();
}
QChartView* VerifierCharts::samplesView() const {
    return samplesChart_->view();
}

int VerifierCharts::reliabilityBins() const {
    return store_->intValue(settings::key::ReliabilityBins);
}

int VerifierCharts::maxSamples() const {
    return store_->intValue(settings::key::SamplesMaxK);
}

QString VerifierCharts::reliabilityProvenance() const {
    if (scope_.isEmpty()) return {};
    return tr("%1 · %2 bins").arg(scope_).arg(static_cast<int>(reliability_.bins.size()) - 1);
}

void VerifierCharts::onMaxSamplesChanged() {
    // A curve on screen (or on its way) is recomputed for the new range; otherwise the title says it.
    if (isComputing() || !samplesProvenance_.isEmpty())
        emit computeRequested();
    else
        rebuildSamples();
}

void VerifierCharts::setVerifiedModels(const QStringList& names) {
    QStringList now;
    for (int i = 0; i < model_->count(); ++i) now << model_->itemText(i);
    if (now != names) {
        const QSignalBlocker block(model_);  // the caller recomputes with the new list anyway
        model_->clear();
        model_->addItems(names);
        model_->setCurrentIndex(names.isEmpty() ? -1 : 0);
    }
    const bool choice = names.size() > 1;
    model_->setVisible(choice);
    modelLabel_->setVisible(choice);
}

int VerifierCharts::verifiedModel() const {
    return std::max(0, model_->currentIndex());
}

void VerifierCharts::setData(const eval::ConfidenceHistogram& h, const eval::Reliability& r, const QString& scope) {
    histogram_ = h;
    reliability_ = r;
    scope_ = scope;
    rebuildHistogram();
    rebuildReliability();
}

void VerifierCharts::setSelectedQuery(std::optional<double> confidence, int bin) {
    if (confidence == selectedConfidence_ && bin == selectedBin_) return;
    selectedConfidence_ = confidence;
    selectedBin_ = confidence ? bin : -1;
    rebuildHistogram();
    rebuildReliability();
}

void VerifierCharts::rebuildHistogram() {
    // Short titles that fit; what they were computed on leads the tooltip.
    histogramChart_->display(tr("Verifier confidence"), scope_);
}

void VerifierCharts::drawHistogram(QChart* chart) {
    const bool dark = paletteIsDark();
    auto* series = new QStackedBarSeries(chart);
    auto* right = new QBarSet(tr("answer right (score ≥ %1)").arg(histogram_.tau), series);
    auto* wrong = new QBarSet(tr("answer wrong"), series);
    right->setColor(categoryColor(1, dark));
    wrong->setColor(categoryColor(0, dark));
    QStringList categories;
    double top = 1;
    for (std::size_t k = 0; k < histogram_.centres.size(); ++k) {
        *right << static_cast<double>(histogram_.correct[k]);
        *wrong << static_cast<double>(histogram_.wrong[k]);
        top = std::max(top, static_cast<double>(histogram_.correct[k] + histogram_.wrong[k]));
        categories << QString::number(histogram_.centres[k], 'f', 3);
    }
    series->append(right);
    series->append(wrong);
    connect(series, &QStackedBarSeries::clicked, this,
            [this, right](int index, QBarSet* set) { emit histogramBarClicked(index, set == right); });
    chart->addSeries(series);
    // The bars sit on a category axis without labels; a value axis in confidence units, aligned
    // with it, names round confidences instead (a label per bin is cut short on a narrow chart).
    auto* x = new QBarCategoryAxis(chart);
    x->append(categories);
    x->setLabelsVisible(false);
    x->setGridLineVisible(false);
    chart->addAxis(x, Qt::AlignBottom);
    QValueAxis* y = valueAxis(chart, tr("queries"), 0, top * 1.05, Qt::AlignLeft, QStringLiteral("%.0f"));
    niceAxis(y, 0, top * 1.05, 5);
    series->attachAxis(x);
    series->attachAxis(y);
    if (histogram_.centres.size() > 1) {
        const double first = histogram_.centres.front(), last = histogram_.centres.back();
        const double half = (last - first) / static_cast<double>(histogram_.centres.size() - 1) / 2;
        auto* confidence = new QValueAxis(chart);
        confidence->setTitleText(tr("verifier confidence"));
        confidence->setRange(first - half, last + half);
        confidence->setTickType(QValueAxis::TicksDynamic);
        confidence->setTickAnchor(0.0);
        confidence->setTickInterval(0.25);
        confidence->setLabelFormat(QStringLiteral("%.2f"));
        confidence->setGridLineVisible(false);
        colourAxis(confidence);
        chart->addAxis(confidence, Qt::AlignBottom);
        auto* anchor = new QLineSeries(chart);  // unnamed: holds the axis, draws nothing
        chart->addSeries(anchor);
        anchor->attachAxis(confidence);
        anchor->attachAxis(y);
        // Nor a blank entry in an exported picture's legend.
        for (QLegendMarker* m : chart->legend()->markers(anchor)) m->setVisible(false);
    }
    histogramView()->setToolTip(
        provenanceTip(scope_, tr("x: verifier confidence, by nearest bin centre · y: queries of the evaluation rows\n"
                                 "Click a bar to list its rows")));
    // The selected query's bin: a band over its bar, on a hidden axis aligned with the bars.
    if (selectedBin_ >= 0 && selectedBin_ < static_cast<int>(histogram_.centres.size())) {
        auto* slotAxis = new QValueAxis(chart);
        slotAxis->setRange(-0.5, static_cast<double>(histogram_.centres.size()) - 0.5);
        slotAxis->setVisible(false);
        chart->addAxis(slotAxis, Qt::AlignTop);
        auto* band = new QLineSeries(chart);
        band->setObjectName(QStringLiteral("selectedQuery"));
        band->setName(tr("selected query"));
        QColor c = QApplication::palette().color(QPalette::Text);
        c.setAlpha(90);
        band->setPen(QPen(c, 8, Qt::SolidLine, Qt::FlatCap));
        band->append(selectedBin_, y->min());
        band->append(selectedBin_, y->max());
        chart->addSeries(band);
        band->attachAxis(slotAxis);
        band->attachAxis(y);
    }
}

void VerifierCharts::rebuildReliability() {
    // The bins in the title: a change of the Bins box shows at once.
    const int n = static_cast<int>(reliability_.bins.size()) - 1;
    reliabilityChart_->display(n > 0 ? tr("Reliability · %1 bins · ECE %2").arg(n).arg(reliability_.ece, 0, 'f', 3)
                                     : tr("Reliability"),
                               reliabilityProvenance());
}

void VerifierCharts::drawReliability(QChart* chart) {
    const QColor text = QApplication::palette().color(QPalette::Text);
    QValueAxis* x = valueAxis(chart, tr("mean confidence"), 0, 1, Qt::AlignBottom);
    QValueAxis* y = valueAxis(chart, tr("mean score"), 0, 1, Qt::AlignLeft);
    // A little room around [0, 1], ticks still at 0, 0.2, …, 1: the two "0.0" at the corner
    // would otherwise overlap.
    for (QValueAxis* a : {x, y}) {
        a->setRange(-0.04, 1.04);
        a->setTickType(QValueAxis::TicksDynamic);
        a->setTickAnchor(0.0);
        a->setTickInterval(0.2);
        a->setLabelFormat(QStringLiteral("%.1f"));
    }
    reliabilityView()->setToolTip(provenanceTip(
        reliabilityProvenance(), tr("Per confidence bin: x = mean verifier confidence, y = mean score of the answers\n"
                                    "Click a bin's point to list its rows")));
    auto* ideal = new QLineSeries(chart);
    ideal->setName(tr("perfectly calibrated"));
    QColor grey = text;
    grey.setAlpha(120);
    ideal->setPen(QPen(grey, 1.2, Qt::DashLine));
    ideal->append(0, 0);
    ideal->append(1, 1);
    auto* line = new QLineSeries(chart);
    line->setName(tr("verifier"));
    const QColor colour = paletteColor(0, paletteIsDark());  // the first palette colour, as the Threshold's
    line->setPen(QPen(colour, 2));
    auto* marks = new QScatterSeries(chart);
    marks->setName(tr("confidence bins"));
    marks->setColor(colour);
    marks->setMarkerSize(9);
    std::vector<int> binOfMark;
    for (std::size_t k = 0; k < reliability_.bins.size(); ++k) {
        const eval::ReliabilityBin& b = reliability_.bins[k];
        if (b.rows == 0) continue;
        line->append(b.mean_confidence, b.mean_score);
        marks->append(b.mean_confidence, b.mean_score);
        binOfMark.push_back(static_cast<int>(k));
    }
    connect(marks, &QScatterSeries::clicked, this, [this, chart, marks, binOfMark](const QPointF& p) {
        // The nearest bin point to the click.
        int best = -1;
        qreal bestDist = 0;
        for (int i = 0; i < marks->count(); ++i) {
            const QPointF d = chart->mapToPosition(marks->at(i), marks) - chart->mapToPosition(p, marks);
            const qreal dist = d.x() * d.x() + d.y() * d.y();
            if (best < 0 || dist < bestDist) best = i, bestDist = dist;
        }
        if (best >= 0) emit reliabilityBinClicked(binOfMark[static_cast<std::size_t>(best)]);
    });
    for (QXYSeries* s : std::initializer_list<QXYSeries*>{ideal, line, marks}) {
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    // The bins' dots belong to the verifier line: one legend entry for both.
    for (QLegendMarker* m : chart->legend()->markers(marks)) m->setVisible(false);
    marks->setProperty(ChartLegend::kGroupProperty, line->name());
    if (selectedConfidence_) {
        auto* at = new QLineSeries(chart);
        at->setObjectName(QStringLiteral("selectedQuery"));
        at->setName(tr("selected query"));
        QColor c = text;
        c.setAlpha(160);
        at->setPen(QPen(c, 1.5, Qt::DashDotLine));
        at->append(*selectedConfidence_, 0);
        at->append(*selectedConfidence_, 1);
        chart->addSeries(at);
        at->attachAxis(x);
        at->attachAxis(y);
    }
}

void VerifierCharts::rebuildSamples() {
    // The k range in the title: the curve's own once computed, else the box's.
    const int kMax = samples_.ks.empty() ? maxSamples() : samples_.ks.back();
    QString title = tr("IBC lift vs verifier samples k = 1…%1").arg(kMax);
    if (!samplesError_.isEmpty())
        title = tr("Lift vs k: %1").arg(samplesError_);
    else if (samplesProvenance_.isEmpty())
        title = tr("Lift vs samples k = 1…%1: press Compute").arg(kMax);
    samplesChart_->display(title, samplesProvenance_);
}

void VerifierCharts::drawSamples(QChart* chart) {
    const int kMax = samples_.ks.empty() ? maxSamples() : samples_.ks.back();
    auto* x = new QLogValueAxis(chart);
    x->setBase(2);
    x->setRange(1, std::max(2, kMax));
    x->setLabelFormat(QStringLiteral("%.0f"));
    x->setTitleText(tr("verifier samples k"));
    colourAxis(x);
    chart->addAxis(x, Qt::AlignBottom);
    double lo = 0, hi = 0.1;
    for (const auto& p : samples_.points)
        if (p.ok && std::isfinite(p.val.lift)) lo = std::min(lo, p.val.lift), hi = std::max(hi, p.val.lift);
    QValueAxis* y =
        valueAxis(chart, tr("IBC lift (fraction)"), lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo), Qt::AlignLeft);
    niceAxis(y, lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo), 5);
    const bool dark = paletteIsDark();
    for (const std::string& m : samples_.methods) {
        const QString name = QString::fromStdString(m);
        auto* line = new QLineSeries(chart);
        line->setName(name);
        line->setPen(QPen(methodColor(name, dark), 2));
        line->setPointsVisible(true);
        for (const auto& p : samples_.points)
            if (p.method == m && p.ok && std::isfinite(p.val.lift)) line->append(p.k, p.val.lift);
        chart->addSeries(line);
        line->attachAxis(x);
        line->attachAxis(y);
    }
}

void VerifierCharts::computeSamplesCurve(std::vector<routing::MethodPtr> methods) {
    const SnapshotPtr snap = state_->snapshot();
    if (!snap->data || snap->rows->chartDataset < 0) return;
    std::vector<int> ks;
    for (int k = 1; k <= maxSamples(); ++k) ks.push_back(k);
    progress_->setRange(0, static_cast<int>(ks.size()));
    progress_->setValue(0);
    progress_->setVisible(true);
    status_->setText(tr("computing on %1…").arg(snap->chartProvenance()));
    compute_->setEnabled(false);
    RoutingState* state = state_;
    state_->jobs()->start<eval::SamplesCurve>(
        kLiftVsK, {this, [state, snap] { return state->isCurrent(*snap, FileAspect | CostsAspect | ChartAspect); }},
        [snap, methods = std::move(methods), ks](JobContext& job) {
            eval::SamplesCurve curve = eval::samples_curve(*snap->data, snap->rows->chartDataset, methods, ks,
                                                           snap->routing->config, job.continueCallback());
            if (curve.cancelled) throw JobCancelled();
            return curve;
        },
        [this, snap](eval::SamplesCurve curve) {
            samples_ = std::move(curve);
            samplesError_.clear();
            samplesProvenance_ =
                tr("%1 · k = 1…%2").arg(snap->chartProvenance()).arg(samples_.ks.empty() ? 0 : samples_.ks.back());
            status_->setText(tr("%1 rows, up to %2 samples each%3")
                                 .arg(samples_.rows)
                                 .arg(samples_.max_samples)
                                 .arg(samples_.rows_without_samples
                                          ? tr("; %1 rows without samples keep their file confidence")
                                                .arg(samples_.rows_without_samples)
                                          : QString()));
            rebuildSamples();
        });
}

bool VerifierCharts::isComputing() const {
    return state_->jobs()->isRunning(kLiftVsK);
}

void VerifierCharts::cancel() {
    state_->jobs()->cancel(kLiftVsK);
    onSamplesEnded();
}

void VerifierCharts::clearSamplesCurve() {
    const bool had = isComputing() || !samples_.points.empty() || !samplesError_.isEmpty();
    state_->jobs()->cancel(kLiftVsK);
    samples_ = {};
    samplesError_.clear();
    samplesProvenance_.clear();
    onSamplesEnded();
    if (had) status_->setText(tr("The curve was for another scope; press Compute lift vs k for this one"));
    rebuildSamples();
}

void VerifierCharts::waitForSamplesCurve() {
    state_->jobs()->waitFor(kLiftVsK);
}

void VerifierCharts::onSamplesEnded() {
    if (isComputing()) return;
    progress_->setVisible(false);
    compute_->setEnabled(true);
    emit samplesCurveFinished();
}

}  // namespace automix::ui::charts

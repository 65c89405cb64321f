#include "ui/charts/cost_quality_chart.hpp"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPalette>
#include <QScatterSeries>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "ui/charts/chart_interaction.hpp"
#include "ui/charts/chart_legend.hpp"
#include "ui/charts/chart_page.hpp"
#include "ui/charts/chart_style.hpp"
#include "ui/metric_text.hpp"

namespace automix::ui::charts {

namespace {
// The fields of eval::metric_fields() marked for chart points: cost and perf on the first line.
QString metricsText(const eval::Metrics& m) {
    QStringList parts = metricParts(m, [](const eval::MetricField& f) { return f.on_chart_points; });
    const QStringList first = parts.mid(0, 2);
    parts.remove(0, std::min<qsizetype>(2, parts.size()));
    return first.join(QStringLiteral(" · ")) + QStringLiteral("<br>") + parts.join(QStringLiteral(" · "));
}

bool finitePoint(const eval::Metrics& m) {
    return std::isfinite(m.avg_cost) && std::isfinite(m.avg_perf);
}
}  // namespace

CostQualityChart::CostQualityChart(QWidget* parent) : ChartWidget(parent) {
    view()->setObjectName(QStringLiteral("costQualityView"));
    view()->setWindowTitle(tr("Cost–quality"));
    // The figures of the last point hovered stay here (a tooltip alone vanishes too soon).
    info_ = new QLabel(this);
    info_->setObjectName(QStringLiteral("costQualityInfo"));
    info_->setTextFormat(Qt::RichText);
    info_->setWordWrap(true);
    info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    info_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    info_->setToolTip(tr("The figures of the last point hovered"));
    addBelowChart(info_);
    clear(tr("Load data and choose a dataset to see the cost–quality curves"));
}

void CostQualityChart::clear(const QString& message) {
    data_ = {};
    // No curves: no rings either (they come back with the next routing's figures).
    currentAt_.reset();
    comparedAt_.reset();
    setTitle(message, {});  // the axes are drawn all the same
    redraw();
}

void CostQualityChart::setData(const eval::CostQuality& cq, const QString& title, const QString& provenance) {
    data_ = cq;
    setTitle(title, provenance);
    redraw();
}

void CostQualityChart::hideFromLegend(QScatterSeries* s) {
    for (QLegendMarker* marker : chart()->legend()->markers(s)) marker->setVisible(false);
}

void CostQualityChart::attach(QScatterSeries* s) {
    chart()->addSeries(s);
    s->attachAxis(axisX_);
    s->attachAxis(axisY_);
}

void CostQualityChart::attachLine(QLineSeries* s) {
    chart()->addSeries(s);
    s->attachAxis(axisX_);
    s->attachAxis(axisY_);
}

void CostQualityChart::draw() {
    // ChartWidget::redraw removed the series and axes of the last draw: forget them.
    refs_.clear();
    current_ = nullptr;
    compared_ = nullptr;
    constraintLine_ = nullptr;
    chosen_ = nullptr;
    const bool dark = paletteIsDark();
    const QColor text = QApplication::palette().color(QPalette::Text);

    axisX_ = new QValueAxis(chart());
    axisY_ = new QValueAxis(chart());
    // Short titles that fit a small chart; what they mean exactly is in the view's tooltip.
    axisX_->setTitleText(tr("avg cost per query"));
    axisY_->setTitleText(tr("avg performance"));
    view()->setToolTip(provenanceTip(
        provenance(), tr("x: average cost per query, verification included · y: average performance (mean score "
                        "of the answer used)\nWheel: zoom · drag: pan · Shift+drag: zoom to a box · double-click "
                        "or Home: reset · legend: click to hide or show")));
    for (QValueAxis* a : {axisX_, axisY_}) {
        a->setLabelsColor(text);
        a->setTitleBrush(text);
        QColor grid = text;
        grid.setAlpha(40);
        a->setGridLineColor(grid);
    }
    chart()->addAxis(axisX_, Qt::AlignBottom);
    chart()->addAxis(axisY_, Qt::AlignLeft);

    if (!finitePoint(data_.small_only)) {
        niceAxis(axisX_, 0, 1, 5);
        niceAxis(axisY_, 0, 1, 5);
        return;
    }
    addReferenceSeries(dark);
    for (std::size_t m = 0; m < data_.methods.size(); ++m) addMethodSeries(m, dark);

    // Range over every finite point drawn.
    double x0 = data_.small_only.avg_cost, x1 = x0, y0 = data_.small_only.avg_perf, y1 = y0;
    auto extend = [&](const eval::Metrics& m) {
        if (!finitePoint(m)) return;
        x0 = std::min(x0, m.avg_cost), x1 = std::max(x1, m.avg_cost);
        y0 = std::min(y0, m.avg_perf), y1 = std::max(y1, m.avg_perf);
    };
    extend(data_.large_only);
    extend(data_.oracle);
    for (const auto& p : data_.random_mix) extend(p.metrics);
    for (const auto& c : data_.methods)
        for (const auto& p : c.points) extend(p.metrics);
    const double dy = std::max(1e-3, y1 - y0);
    niceAxis(axisX_, 0, x1 + 0.04 * std::max(1.0, x1 - x0));
    niceAxis(axisY_, y0 - 0.06 * dy, y1 + 0.06 * dy);

    current_ = new QScatterSeries(chart());
    current_->setMarkerSize(20);
    current_->setColor(Qt::transparent);
    current_->setBorderColor(text);
    current_->setPen(QPen(text, 2.5));
    current_->setName(currentName_.isEmpty() ? tr("current routing") : currentName_);
    attach(current_);
    if (currentAt_) current_->append(*currentAt_);

    compared_ = new QScatterSeries(chart());
    compared_->setObjectName(QStringLiteral("comparedRouting"));
    compared_->setName(comparedName_.isEmpty() ? tr("compared routing B") : comparedName_);
    compared_->setMarkerSize(20);
    compared_->setColor(Qt::transparent);
    compared_->setBorderColor(text);
    compared_->setPen(QPen(text, 2.0, Qt::DashLine));
    attach(compared_);
    if (comparedAt_) compared_->append(*comparedAt_);
    // Only listed while there is a B to show.
    for (QLegendMarker* marker : chart()->legend()->markers(compared_)) marker->setVisible(comparedAt_.has_value());
    compared_->setProperty(ChartLegend::kHiddenProperty, !comparedAt_.has_value());
    addConstraintSeries();
}

void CostQualityChart::addReferenceSeries(bool dark) {
    QColor baselineColour = QApplication::palette().color(QPalette::Text);
    baselineColour.setAlpha(150);
    auto* baseline = new QLineSeries(chart());
    baseline->setName(tr("IBC baseline (small → large)"));
    baseline->setPen(QPen(baselineColour, 1.5, Qt::DashLine));
    baseline->append(data_.small_only.avg_cost, data_.small_only.avg_perf);
    baseline->append(data_.large_only.avg_cost, data_.large_only.avg_perf);
    attachLine(baseline);

    if (!data_.random_mix.empty()) {
        auto* random = new QLineSeries(chart());
        random->setName(tr("random mix"));
        random->setPen(QPen(methodColor(QStringLiteral("random_mix"), dark), 1.5, Qt::DotLine));
        for (const auto& p : data_.random_mix)
            if (finitePoint(p.metrics)) random->append(p.metrics.avg_cost, p.metrics.avg_perf);
        attachLine(random);
    }

    // Pareto frontier of all candidate points, drawn under the methods' own markers.
    if (data_.pareto.size() > 1) {
        QColor c = QApplication::palette().color(QPalette::Text);
        c.setAlpha(70);
        auto* pareto = new QLineSeries(chart());
        pareto->setName(tr("Pareto frontier"));
        pareto->setPen(QPen(c, 7, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        for (const auto& e : data_.pareto) {
            const auto& m = data_.methods[e.method].points[e.point].metrics;
            pareto->append(m.avg_cost, m.avg_perf);
        }
        attachLine(pareto);
    }

    auto addPoint = [&](const QString& name, const QString& key, const eval::Metrics& m,
                        QScatterSeries::MarkerShape shape, qreal size) {
        if (!finitePoint(m)) return;
        auto* s = new QScatterSeries(chart());
        s->setName(name);
        styleMethodMarkers(s, key, size, dark);
        s->setMarkerShape(shape);
        s->append(m.avg_cost, m.avg_perf);
        attach(s);
        connect(s, &QScatterSeries::hovered, this, [this, name, m, s](const QPointF& p, bool on) {
            if (on) showInfo(referenceTooltip(name, m), s, p);
        });
    };
    addPoint(tr("small model only"), QStringLiteral("always_small"), data_.small_only,
             QScatterSeries::MarkerShapeRectangle, 12);
    addPoint(tr("large model only"), QStringLiteral("always_large"), data_.large_only,
             QScatterSeries::MarkerShapeRectangle, 12);
    addPoint(tr("oracle router"), QStringLiteral("oracle"), data_.oracle, QScatterSeries::MarkerShapeStar, 18);
}

void CostQualityChart::addMethodSeries(std::size_t m, bool dark) {
    const eval::MethodCurve& c = data_.methods[m];
    if (!c.ok || c.points.empty()) return;
    const QString name = QString::fromStdString(c.method);
    const QColor colour = methodColor(name, dark);
    const QColor text = QApplication::palette().color(QPalette::Text);

    // The method's own non-dominated candidates, joined: its cost–quality curve.
    std::vector<eval::Metrics> metrics;
    for (const auto& p : c.points) metrics.push_back(p.metrics);
    auto* line = new QLineSeries(chart());
    line->setName(name);
    line->setPen(QPen(colour, 1.8));
    for (std::size_t i : eval::pareto_frontier(metrics)) line->append(metrics[i].avg_cost, metrics[i].avg_perf);
    attachLine(line);

    SeriesRef all;
    all.series = new QScatterSeries(chart());
    all.series->setName(name + tr(" candidates"));
    all.series->setProperty(ChartLegend::kGroupProperty, name);  // hidden and shown with the method
    styleMethodMarkers(all.series, name, 9, dark);
    all.method = m;
    for (std::size_t i = 0; i < c.points.size(); ++i) {
        if (!finitePoint(c.points[i].metrics)) continue;
        all.series->append(c.points[i].metrics.avg_cost, c.points[i].metrics.avg_perf);
        all.points.push_back(i);
    }
    all.series->setObjectName(QStringLiteral("candidates:") + name);
    attach(all.series);
    hideFromLegend(all.series);

    SeriesRef trained;
    trained.series = new QScatterSeries(chart());
    trained.series->setName(name + tr(" (trained)"));
    trained.series->setProperty(ChartLegend::kGroupProperty, name);
    // The method's own shape, large and outlined in the text colour.
    trained.series->setMarkerSize(16);
    trained.series->setColor(colour);
    trained.series->setBorderColor(text);
    trained.series->setMarkerShape(builtInShape(methodShape(name)));
    trained.method = m;
    if (c.trained < c.points.size() && finitePoint(c.points[c.trained].metrics)) {
        trained.series->append(c.points[c.trained].metrics.avg_cost, c.points[c.trained].metrics.avg_perf);
        trained.points.push_back(c.trained);
    }
    trained.series->setObjectName(QStringLiteral("trained:") + name);
    attach(trained.series);
    hideFromLegend(trained.series);

    for (SeriesRef* ref : {&all, &trained}) {
        QScatterSeries* s = ref->series;
        connect(s, &QScatterSeries::hovered, this, [this, s](const QPointF& p, bool on) {
            if (!on) return;  // the tooltip leaves with the pointer (its rectangle), the info box stays
            const SeriesRef* r = refOf(s);
            if (!r) return;
            if (auto i = pointAt(*r, p)) showInfo(tooltipFor(r->method, *i), s, p);
        });
        connect(s, &QScatterSeries::clicked, this, [this, s](const QPointF& p) {
            const SeriesRef* r = refOf(s);
            if (!r) return;
            if (auto i = pointAt(*r, p)) emit candidateClicked(static_cast<int>(r->method), static_cast<int>(*i));
        });
        refs_.push_back(*ref);
    }
}

const CostQualityChart::SeriesRef* CostQualityChart::refOf(QScatterSeries* s) const {
    for (const SeriesRef& r : refs_)
        if (r.series == s) return &r;
    return nullptr;
}

std::optional<std::size_t> CostQualityChart::pointAt(const SeriesRef& ref, const QPointF& p) const {
    // The signal gives the series point itself (or, for a mouse click, the data position under
    // the cursor): take the nearest marker in screen space.
    const QList<QPointF> pts = ref.series->points();
    std::optional<std::size_t> best;
    qreal bestDist = 0;
    const QPointF at = chart()->mapToPosition(p, ref.series);
    for (qsizetype i = 0; i < pts.size(); ++i) {
        const QPointF d = chart()->mapToPosition(pts[i], ref.series) - at;
        const qreal dist = d.x() * d.x() + d.y() * d.y();
        if (!best || dist < bestDist) best = ref.points[static_cast<std::size_t>(i)], bestDist = dist;
    }
    return best;
}

QString CostQualityChart::tooltipFor(std::size_t method, std::size_t point) const {
    if (method >= data_.methods.size() || point >= data_.methods[method].points.size()) return {};
    const eval::MethodCurve& c = data_.methods[method];
    const eval::CurvePoint& p = c.points[point];
    return tr("<b>%1</b>%2<br>%3<br>%4")
        .arg(QString::fromStdString(c.method).toHtmlEscaped(), point == c.trained ? tr(" — trained choice") : QString(),
             QString::fromStdString(p.text).toHtmlEscaped(), metricsText(p.metrics));
}

void CostQualityChart::showInfo(const QString& text, QAbstractSeries* s, const QPointF& p) {
    lastTooltip_ = text;
    info_->setText(text);
    // Stays while the pointer is within a few pixels of the point hovered.
    const QPoint at = view()->mapFromScene(chart()->mapToScene(chart()->mapToPosition(p, s)));
    if (auto* interactive = qobject_cast<InteractiveChartView*>(view()))
        interactive->showPointTip(text, QRect(at - QPoint(8, 8), QSize(16, 16)));
}

QString CostQualityChart::referenceTooltip(const QString& name, const eval::Metrics& m) const {
    return QStringLiteral("<b>%1</b><br>%2").arg(name.toHtmlEscaped(), metricsText(m));
}

void CostQualityChart::setCurrent(const std::optional<eval::Metrics>& m, const QString& label) {
    if (!current_) return;  // no curves drawn: no ring
    if (!m || !finitePoint(*m)) {
        currentAt_.reset();
        current_->clear();
        return;
    }
    currentAt_ = QPointF(m->avg_cost, m->avg_perf);
    currentName_ = label;
    current_->setName(label.isEmpty() ? tr("current routing") : label);
    if (current_->count() == 1)
        current_->replace(0, *currentAt_);
    else {
        current_->clear();
        current_->append(*currentAt_);
    }
}

void CostQualityChart::setCompared(const std::optional<eval::Metrics>& m, const QString& label) {
    if (!compared_) return;
    const bool show = m && finitePoint(*m);
    compared_->clear();
    comparedAt_.reset();
    if (show) {
        comparedAt_ = QPointF(m->avg_cost, m->avg_perf);
        comparedName_ = label;
        compared_->setName(label);
        compared_->append(*comparedAt_);
    }
    for (QLegendMarker* marker : chart()->legend()->markers(compared_)) marker->setVisible(show);
    compared_->setProperty(ChartLegend::kHiddenProperty, !show);
    if (legend()) legend()->refresh();
}

std::optional<QPointF> CostQualityChart::comparedPoint() const {
    if (!compared_ || compared_->count() == 0) return std::nullopt;
    return compared_->at(0);
}

std::optional<QPointF> CostQualityChart::currentPoint() const {
    if (!current_ || current_->count() == 0) return std::nullopt;
    return current_->at(0);
}

QScatterSeries* CostQualityChart::seriesNamed(const QString& objectName) const {
    for (const SeriesRef& r : refs_)
        if (r.series->objectName() == objectName) return r.series;
    return nullptr;
}

QScatterSeries* CostQualityChart::candidateSeries(const QString& method) const {
    return seriesNamed(QStringLiteral("candidates:") + method);
}

QScatterSeries* CostQualityChart::trainedSeries(const QString& method) const {
    return seriesNamed(QStringLiteral("trained:") + method);
}

void CostQualityChart::setConstraint(std::optional<ConstraintMark> mark) {
    mark_ = std::move(mark);
    addConstraintSeries();
}

void CostQualityChart::addConstraintSeries() {
    if (constraintLine_) {
        chart()->removeSeries(constraintLine_);
        delete constraintLine_;
        constraintLine_ = nullptr;
    }
    if (chosen_) {
        chart()->removeSeries(chosen_);
        delete chosen_;
        chosen_ = nullptr;
    }
    if (!mark_ || !current_ || !finitePoint(data_.small_only)) return;
    // A vertical or horizontal limit outside the drawn range widens the axes to show it.
    const eval::Constraint& c = mark_->constraint;
    auto range = [&] {
        return eval::constraint_segment(c, data_.small_only, data_.large_only, mark_->config, axisX_->min(),
                                        axisX_->max(), axisY_->min(), axisY_->max(), mark_->levels);
    };
    std::optional<eval::Segment> seg = range();
    if (!seg) return;
    if (seg->x0 == seg->x1 && std::isfinite(seg->x0) && seg->x0 > axisX_->max()) {
        axisX_->setMax(seg->x0 * 1.04);
        axisX_->applyNiceNumbers();
    }
    if (seg->y0 == seg->y1 && std::isfinite(seg->y0) && (seg->y0 > axisY_->max() || seg->y0 < axisY_->min())) {
        axisY_->setRange(std::min(axisY_->min(), seg->y0 - 0.02), std::max(axisY_->max(), seg->y0 + 0.02));
        axisY_->applyNiceNumbers();
        axisY_->setLabelFormat(QStringLiteral("%.2f"));
    }
    seg = range();
    if (!seg) return;
    const QColor colour(0xc0, 0x39, 0x2b);
    constraintLine_ = new QLineSeries(chart());
    constraintLine_->setObjectName(QStringLiteral("constraint"));
    constraintLine_->setName(tr("constraint: %1").arg(QString::fromStdString(eval::describe(c))));
    constraintLine_->setPen(QPen(colour, 2.0, Qt::DashLine));
    constraintLine_->append(seg->x0, seg->y0);
    constraintLine_->append(seg->x1, seg->y1);
    attachLine(constraintLine_);
    if (mark_->chosen) {
        chosen_ = new QScatterSeries(chart());
        chosen_->setObjectName(QStringLiteral("calibrated"));
        chosen_->setName(tr("calibrated choice"));
        chosen_->setMarkerShape(QScatterSeries::MarkerShapeStar);
        chosen_->setMarkerSize(22);
        chosen_->setColor(colour);
        chosen_->setBorderColor(colour);
        chosen_->append(*mark_->chosen);
        attach(chosen_);
    }
}

}  // namespace automix::ui::charts

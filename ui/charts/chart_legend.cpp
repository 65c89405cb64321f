#include "ui/charts/chart_legend.hpp"

#include <QAbstractBarSeries>
#include <QAreaSeries>
#include <QBarLegendMarker>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QHBoxLayout>
#include <QVBoxLayout>
#include <QKeyEvent>
#include <QLegend>
#include <QLegendMarker>
#include <QPainter>
#include <QScatterSeries>
#include <QTimer>
#include <QXYSeries>

#include "ui/charts/chart_style.hpp"

namespace automix::ui::charts {

namespace {
constexpr int kIcon = 16;
}  // namespace

void setBuiltInLegendShown(QChart* chart, bool shown) {
    // Hidden by taking it out of the chart's layout, out of sight and transparent, not with
    // setVisible(false): a hidden legend reports every marker hidden, and which markers the
    // charts hid on purpose is what says which series get an entry here.
    QLegend* legend = chart->legend();
    if (shown) {
        legend->setOpacity(1.0);
        if (!legend->isAttachedToChart()) legend->attachToChart();
        legend->setAlignment(Qt::AlignRight);
        legend->setVisible(true);
        return;
    }
    if (legend->isAttachedToChart()) legend->detachFromChart();
    legend->setVisible(true);
    legend->setOpacity(0.0);
    // Large enough for every marker: a detached legend hides the markers it cannot place.
    legend->setGeometry(QRectF(-30000, -30000, 4000, 4000));
}

namespace {

bool hasVisibleMarker(QChart*, QAbstractSeries* s) {
    return ChartLegend::isListed(s);
}

// Bars of one set (a grouped bar chart's method) with a visible legend marker.
QList<QBarSet*> listedBarSets(QChart*, QAbstractBarSeries* bars) {
    QList<QBarSet*> out;
    for (QBarSet* set : bars->barSets())
        if (!set->label().isEmpty()) out << set;
    return out;
}

// A hidden bar set keeps its place (the groups stay aligned) but is drawn transparent.
void showBarSet(QBarSet* set, bool shown) {
    if (!shown && !set->property("legendColour").isValid()) {
        set->setProperty("legendColour", set->color());
        set->setProperty("legendBorder", set->borderColor());
        set->setColor(Qt::transparent);
        set->setBorderColor(Qt::transparent);
    } else if (shown && set->property("legendColour").isValid()) {
        set->setColor(set->property("legendColour").value<QColor>());
        set->setBorderColor(set->property("legendBorder").value<QColor>());
        set->setProperty("legendColour", QVariant());
        set->setProperty("legendBorder", QVariant());
    }
}

QIcon barIcon(QBarSet* set);
}  // namespace

bool ChartLegend::isListed(QAbstractSeries* s) {
    // Not from the chart's own legend markers: those read as hidden while it is out of sight.
    if (s->name().isEmpty() || s->property(kHiddenProperty).toBool()) return false;
    const QString group = s->property(kGroupProperty).toString();
    return group.isEmpty() || group == s->name();
}

namespace {
QIcon barIcon(QBarSet* set) {
    QPixmap pm(kIcon * 2, kIcon * 2);
    pm.setDevicePixelRatio(2);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    const QVariant saved = set->property("legendColour");
    p.fillRect(QRectF(3, 3, kIcon - 6, kIcon - 6), saved.isValid() ? saved.value<QColor>() : set->color());
    return QIcon(pm);
}

QString groupOf(QAbstractSeries* s) {
    const QString g = s->property(ChartLegend::kGroupProperty).toString();
    return g.isEmpty() ? s->name() : g;
}

// A small picture of the series: its line (with its style) and/or its marker.
QIcon iconFor(QAbstractSeries* s, QAbstractSeries* dots = nullptr) {
    QPixmap pm(kIcon * 2, kIcon * 2);
    pm.setDevicePixelRatio(2);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    if (auto* scatter = qobject_cast<QScatterSeries*>(s)) {
        if (!scatter->lightMarker().isNull()) {
            const QImage img = scatter->lightMarker();
            const QSizeF size = QSizeF(img.size()) / img.devicePixelRatio();
            const qreal scale = std::min<qreal>(1.0, (kIcon - 2) / std::max(size.width(), size.height()));
            const QSizeF drawn = size * scale;
            p.drawImage(QRectF(QPointF((kIcon - drawn.width()) / 2, (kIcon - drawn.height()) / 2), drawn), img);
        } else {
            // The series' own marker shape, so the entry matches the dots on the chart.
            p.setPen(QPen(scatter->borderColor(), 1.2));
            p.setBrush(scatter->color().alpha() == 0 ? Qt::NoBrush : QBrush(scatter->color()));
            if (scatter->color().alpha() == 0) p.setPen(scatter->pen());
            p.translate(kIcon / 2.0, kIcon / 2.0);
            p.drawPath(markerPath(shapeIndexOf(scatter->markerShape()), kIcon - 4));
        }
    } else if (auto* xy = qobject_cast<QXYSeries*>(s)) {
        QPen pen = xy->pen();
        pen.setWidthF(std::min<qreal>(pen.widthF(), 4));
        p.setPen(pen);
        p.drawLine(QPointF(1, kIcon / 2.0), QPointF(kIcon - 1, kIcon / 2.0));
        if (auto* scatter = qobject_cast<QScatterSeries*>(dots)) {
            p.setPen(QPen(scatter->borderColor(), 1));
            p.setBrush(scatter->color());
            p.translate(kIcon / 2.0, kIcon / 2.0);
            p.drawPath(markerPath(shapeIndexOf(scatter->markerShape()), 8));
        } else if (xy->pointsVisible()) {
            p.setBrush(xy->color());
            p.drawEllipse(QPointF(kIcon / 2.0, kIcon / 2.0), 2.5, 2.5);
        }
    } else if (auto* area = qobject_cast<QAreaSeries*>(s)) {
        p.fillRect(QRectF(2, 4, kIcon - 4, kIcon - 8), area->brush());
    }
    return QIcon(pm);
}
}  // namespace

ChartLegend::ChartLegend(QChartView* view, QWidget* parent) : QListWidget(parent), view_(view) {
    setObjectName(QStringLiteral("chartLegend"));
    setIconSize(QSize(kIcon, kIcon));
    setMouseTracking(true);
    setSelectionMode(QAbstractItemView::NoSelection);
    setFocusPolicy(Qt::StrongFocus);  // Space toggles the current entry from the keyboard
    setTextElideMode(Qt::ElideNone);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setFrameShape(QFrame::NoFrame);
    setToolTip(tr("Click an entry to hide or show its series"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Expanding);
    // A click anywhere on the entry (its box, icon or name) toggles it; the box only shows the state.
    connect(this, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) { toggle(item); });
    connect(this, &QListWidget::itemEntered, this,
            [this](QListWidgetItem* item) { highlight(item->data(Qt::UserRole).toString(), true); });
    // The chart rebuilds its series at will; the entries follow once the event loop runs.
    if (view_ && view_->scene())
        connect(view_->scene(), &QGraphicsScene::changed, this, [this] {
            if (pending_) return;
            pending_ = true;
            QTimer::singleShot(0, this, [this] {
                pending_ = false;
                if (signature() != shown_) refresh();
            });
        });
    refresh();
}

QString ChartLegend::signature() const {
    if (!view_ || !view_->chart()) return {};
    QString sig = QString::number(reinterpret_cast<quintptr>(view_->chart()));
    for (QAbstractSeries* s : view_->chart()->series())
        if (auto* bars = qobject_cast<QAbstractBarSeries*>(s))
            for (QBarSet* set : listedBarSets(view_->chart(), bars))
                sig += QStringLiteral("|bar:%1:%2").arg(reinterpret_cast<quintptr>(set)).arg(set->label());
    for (QAbstractSeries* s : view_->chart()->series())
        sig += QStringLiteral("|%1:%2:%3:%4")
                   .arg(reinterpret_cast<quintptr>(s))
                   .arg(s->name(), hasVisibleMarker(view_->chart(), s) ? QStringLiteral("1") : QStringLiteral("0"),
                        groupOf(s));
    return sig;
}

void ChartLegend::refresh() {
    if (!view_) return;
    QChart* chart = view_->chart();
    shown_ = signature();
    const QSignalBlocker block(this);
    clear();
    normalWidth_.clear();
    highlighted_.clear();
    if (!chart) return;
    setBuiltInLegendShown(chart, false);  // this list replaces it
    QStringList names;
    for (QAbstractSeries* s : chart->series()) {
        if (auto* bars = qobject_cast<QAbstractBarSeries*>(s)) {
            for (QBarSet* set : listedBarSets(chart, bars)) {
                if (names.contains(set->label())) continue;
                names << set->label();
                if (hidden_.contains(set->label())) showBarSet(set, false);
                auto* item = new QListWidgetItem(barIcon(set), set->label(), this);
                item->setData(Qt::UserRole, set->label());
                item->setToolTip(set->label());
                item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
                item->setCheckState(hidden_.contains(set->label()) ? Qt::Unchecked : Qt::Checked);
            }
            continue;
        }
        if (!hasVisibleMarker(chart, s) || names.contains(s->name())) continue;
        names << s->name();
        // A method's curve and its dots share one entry: its icon shows the line and the dot.
        QAbstractSeries* dots = nullptr;
        for (QAbstractSeries* other : chart->series())
            if (other != s && qobject_cast<QScatterSeries*>(other) &&
                other->property(kGroupProperty).toString() == s->name() && !dots)
                dots = other;
        auto* item = new QListWidgetItem(iconFor(s, dots), s->name(), this);
        item->setData(Qt::UserRole, s->name());
        item->setToolTip(s->name());
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
        item->setCheckState(hidden_.contains(s->name()) ? Qt::Unchecked : Qt::Checked);
    }
    // Beside the chart, never narrower than its names (up to a limit; then it scrolls).
    if (!below_) setMinimumWidth(std::min(sizeHint().width(), 200));
    // Series of hidden entries stay hidden in the rebuilt chart.
    for (QAbstractSeries* s : chart->series())
        if (hidden_.contains(groupOf(s))) s->setVisible(false);
    updateGeometry();
}

void ChartLegend::toggle(QListWidgetItem* item) {
    if (item) setEntryShown(item->data(Qt::UserRole).toString(), item->checkState() != Qt::Checked);
}

void ChartLegend::keyPressEvent(QKeyEvent* e) {
    if (e->key() == Qt::Key_Space || e->key() == Qt::Key_Return || e->key() == Qt::Key_Enter) {
        toggle(currentItem());
        e->accept();
        return;
    }
    QListWidget::keyPressEvent(e);
}

void ChartLegend::leaveEvent(QEvent* e) {
    highlight({}, false);
    QListWidget::leaveEvent(e);
}

QStringList ChartLegend::names() const {
    QStringList out;
    for (int i = 0; i < count(); ++i) out << item(i)->data(Qt::UserRole).toString();
    return out;
}

QList<QAbstractSeries*> ChartLegend::seriesOf(const QString& name) const {
    QList<QAbstractSeries*> out;
    if (!view_ || !view_->chart()) return out;
    for (QAbstractSeries* s : view_->chart()->series())
        if (!qobject_cast<QAbstractBarSeries*>(s) && groupOf(s) == name) out << s;
    return out;
}

void ChartLegend::setEntryShown(const QString& name, bool shown) {
    if (shown)
        hidden_.remove(name);
    else
        hidden_.insert(name);
    for (QAbstractSeries* s : seriesOf(name)) s->setVisible(shown);
    if (view_ && view_->chart())
        for (QAbstractSeries* s : view_->chart()->series())
            if (auto* bars = qobject_cast<QAbstractBarSeries*>(s))
                for (QBarSet* set : bars->barSets())
                    if (set->label() == name) showBarSet(set, shown);
    for (int i = 0; i < count(); ++i)
        if (item(i)->data(Qt::UserRole).toString() == name) {
            const QSignalBlocker block(this);
            item(i)->setCheckState(shown ? Qt::Checked : Qt::Unchecked);
        }
    emit entryToggled(name, shown);
}

void ChartLegend::highlight(const QString& name, bool on) {
    // One entry at a time: restore the previous one first.
    // (Series the chart has deleted since are skipped: the pointers are guarded.)
    for (const auto& [series, width] : normalWidth_)
        if (auto* xy = qobject_cast<QXYSeries*>(series.data()); xy && !qobject_cast<QScatterSeries*>(xy)) {
            QPen pen = xy->pen();
            pen.setWidthF(width);
            xy->setPen(pen);
        }
    normalWidth_.clear();
    highlighted_.clear();
    if (!on) return;
    highlighted_ = name;
    for (QAbstractSeries* s : seriesOf(name))
        if (auto* xy = qobject_cast<QXYSeries*>(s); xy && !qobject_cast<QScatterSeries*>(xy)) {
            normalWidth_.append({QPointer<QAbstractSeries>(s), xy->pen().widthF()});
            QPen pen = xy->pen();
            pen.setWidthF(pen.widthF() * 2.2);
            xy->setPen(pen);
        }
}

void ChartLegend::setBelowChart(bool below) {
    below_ = below;
    setFlow(below ? QListView::LeftToRight : QListView::TopToBottom);
    setWrapping(below);
    setResizeMode(below ? QListView::Adjust : QListView::Fixed);
    setHorizontalScrollBarPolicy(below ? Qt::ScrollBarAlwaysOff : Qt::ScrollBarAsNeeded);
    setSizePolicy(below ? QSizePolicy::Ignored : QSizePolicy::Preferred,
                  below ? QSizePolicy::Fixed : QSizePolicy::Expanding);
    updateGeometry();
}

void ChartLegend::resizeEvent(QResizeEvent* e) {
    QListWidget::resizeEvent(e);
    if (below_) updateGeometry();  // the rows needed depend on the width
}

QSize ChartLegend::sizeHint() const {
    if (below_) {
        // Rows the entries need at this width (each entry: box, icon, name), at most three.
        const int available = std::max(120, viewport()->width() - 4);
        int rows = 1, x = 0;
        for (int i = 0; i < count(); ++i) {
            const int w = fontMetrics().horizontalAdvance(item(i)->text()) + kIcon + 40;
            if (x > 0 && x + w > available) ++rows, x = 0;
            x += w;
        }
        const int rowHeight = std::max(fontMetrics().height(), kIcon) + 8;
        return {160, std::min(rows, 3) * rowHeight + 2 * frameWidth() + 4};
    }
    // As wide as the longest name (never elided), within reason; the list scrolls otherwise.
    int width = 0;
    for (int i = 0; i < count(); ++i) width = std::max(width, fontMetrics().horizontalAdvance(item(i)->text()));
    return {std::min(width + kIcon + 44, 260), 120};
}

QWidget* viewWithLegend(QChartView* view, ChartLegend** legend, QWidget* parent, Qt::Orientation orientation) {
    auto* box = new QWidget(parent);
    QBoxLayout* layout = orientation == Qt::Horizontal ? static_cast<QBoxLayout*>(new QHBoxLayout(box))
                                                       : static_cast<QBoxLayout*>(new QVBoxLayout(box));
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto* list = new ChartLegend(view, box);
    list->setBelowChart(orientation == Qt::Vertical);
    view->setParent(box);
    layout->addWidget(view, 1);
    layout->addWidget(list, 0);
    view->setProperty(ChartLegend::kSideLegendProperty, true);
    if (legend) *legend = list;
    return box;
}

LegendForExport::LegendForExport(QWidget* view) {
    auto* chartView = qobject_cast<QChartView*>(view);
    if (!chartView || !chartView->chart() || !view->property(ChartLegend::kSideLegendProperty).toBool()) return;
    chart_ = chartView->chart();
    setBuiltInLegendShown(chart_, true);
    // The layout places it now, not at the next event loop turn: the picture is taken before.
    if (QGraphicsLayout* layout = chart_->layout()) layout->activate();
}

LegendForExport::~LegendForExport() {
    if (chart_) setBuiltInLegendShown(chart_, false);
}

}  // namespace automix::ui::charts

#include "ui/charts/chart_interaction.hpp"

#include <QApplication>
#include <QChart>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QHelpEvent>
#include <QRubberBand>
#include <QValueAxis>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

namespace automix::ui::charts {

InteractiveChartView::InteractiveChartView(QChart* chart, QWidget* parent) : QChartView(chart, parent) {
    setFocusPolicy(Qt::StrongFocus);  // keyboard zoom and pan; F6 and Tab reach it
    setRubberBand(QChartView::NoRubberBand);  // our own: a plain drag pans
    band_ = new QRubberBand(QRubberBand::Rectangle, viewport());
    band_->hide();
    setToolTip(tr("Wheel: zoom · drag: pan · Shift+drag or right-drag: zoom to a box · double-click or Home: reset"));
}

void InteractiveChartView::showPointTip(const QString& text, const QRect& area) {
    pointTip_ = text;
    pointArea_ = area;
    QToolTip::showText(viewport()->mapToGlobal(area.center()), text, viewport(), area, 30000);
}

bool InteractiveChartView::viewportEvent(QEvent* e) {
    if (e->type() == QEvent::ToolTip && !pointTip_.isEmpty()) {
        auto* help = static_cast<QHelpEvent*>(e);
        if (pointArea_.contains(help->pos())) {
            QToolTip::showText(help->globalPos(), pointTip_, viewport(), pointArea_, 30000);
            return true;
        }
        pointTip_.clear();  // the pointer left the point: the view's own help again
    }
    return QChartView::viewportEvent(e);
}

namespace {
QValueAxis* valueAxis(QChart* chart, Qt::Orientation o) {
    const QList<QAbstractAxis*> axes = chart ? chart->axes(o) : QList<QAbstractAxis*>();
    for (QAbstractAxis* a : axes)
        if (a->isVisible())
            if (auto* v = qobject_cast<QValueAxis*>(a)) return v;
    return nullptr;
}
}  // namespace

std::optional<QRectF> InteractiveChartView::zoomRanges() const {
    QValueAxis* x = valueAxis(chart(), Qt::Horizontal);
    QValueAxis* y = valueAxis(chart(), Qt::Vertical);
    if (!isZoomed() || !x || !y) return std::nullopt;
    return QRectF(QPointF(x->min(), y->min()), QPointF(x->max(), y->max()));
}

bool InteractiveChartView::setZoomRanges(const QRectF& ranges) {
    QValueAxis* x = valueAxis(chart(), Qt::Horizontal);
    QValueAxis* y = valueAxis(chart(), Qt::Vertical);
    if (!x || !y || !(x->max() > x->min()) || !(y->max() > y->min()) || ranges.width() <= 0 || ranges.height() <= 0)
        return false;
    // The ranges as a box in the plot area of the current (unzoomed or zoomed) axes.
    const QRectF area = chart()->plotArea();
    auto px = [&](double v) { return area.left() + (v - x->min()) / (x->max() - x->min()) * area.width(); };
    auto py = [&](double v) { return area.bottom() - (v - y->min()) / (y->max() - y->min()) * area.height(); };
    chart()->zoomIn(QRectF(QPointF(px(ranges.left()), py(ranges.bottom())), QPointF(px(ranges.right()), py(ranges.top())))
                        .normalized());
    emit zoomChanged();
    return true;
}

QRectF InteractiveChartView::plotAreaInView() const {
    return chart() ? mapFromScene(chart()->mapToScene(chart()->plotArea())).boundingRect() : QRectF();
}

bool InteractiveChartView::isZoomed() const {
    return chart() && chart()->isZoomed();
}

void InteractiveChartView::resetZoom() {
    if (!chart()) return;
    chart()->zoomReset();
    emit zoomChanged();
}

void InteractiveChartView::zoomAt(const QPointF& at, qreal factor) {
    if (!chart() || factor <= 0) return;
    const QRectF area = chart()->plotArea();
    const QPointF p = chart()->mapFromScene(mapToScene(at.toPoint()));
    const QPointF anchor(std::clamp(p.x(), area.left(), area.right()), std::clamp(p.y(), area.top(), area.bottom()));
    const QRectF zoomed(anchor.x() - (anchor.x() - area.left()) / factor,
                        anchor.y() - (anchor.y() - area.top()) / factor, area.width() / factor,
                        area.height() / factor);
    chart()->zoomIn(zoomed);
    emit zoomChanged();
}

void InteractiveChartView::zoomToRect(const QRectF& viewRect) {
    if (!chart()) return;
    const QRectF inChart = chart()->mapFromScene(mapToScene(viewRect.toRect())).boundingRect();
    const QRectF target = inChart.intersected(chart()->plotArea());
    if (target.width() < 3 || target.height() < 3) return;
    chart()->zoomIn(target);
    emit zoomChanged();
}

void InteractiveChartView::panBy(const QPointF& pixels) {
    if (!chart()) return;
    chart()->scroll(-pixels.x(), pixels.y());
    emit zoomChanged();
}

void InteractiveChartView::wheelEvent(QWheelEvent* e) {
    const qreal steps = e->angleDelta().y() / 120.0;
    if (steps == 0) return QChartView::wheelEvent(e);
    zoomAt(e->position(), std::pow(1.25, steps));
    e->accept();
}

void InteractiveChartView::mousePressEvent(QMouseEvent* e) {
    pressPos_ = lastPos_ = e->position().toPoint();
    panning_ = false;
    banding_ = e->button() == Qt::RightButton || (e->button() == Qt::LeftButton && (e->modifiers() & Qt::ShiftModifier));
    pressed_ = e->button() == Qt::LeftButton && !banding_;
    if (banding_) {
        band_->setGeometry(QRect(pressPos_, QSize()));
        band_->show();
        e->accept();
        return;
    }
    QChartView::mousePressEvent(e);  // a click on a point still reaches its series
}

void InteractiveChartView::mouseMoveEvent(QMouseEvent* e) {
    if (banding_) {
        band_->setGeometry(QRect(pressPos_, e->position().toPoint()).normalized());
        e->accept();
        return;
    }
    if (pressed_ && (e->buttons() & Qt::LeftButton)) {
        if (!panning_ && (e->position().toPoint() - pressPos_).manhattanLength() >= QApplication::startDragDistance()) panning_ = true;
        if (panning_) {
            panBy(e->position().toPoint() - lastPos_);
            lastPos_ = e->position().toPoint();
            e->accept();
            return;
        }
    }
    QChartView::mouseMoveEvent(e);
}

void InteractiveChartView::mouseReleaseEvent(QMouseEvent* e) {
    if (banding_) {
        banding_ = false;
        band_->hide();
        const QRect box = QRect(pressPos_, e->position().toPoint()).normalized();
        if (box.width() > 4 && box.height() > 4) zoomToRect(box);
        e->accept();
        return;
    }
    pressed_ = false;
    if (panning_) {  // a drag is not a click on what lies under its end
        panning_ = false;
        e->accept();
        return;
    }
    QChartView::mouseReleaseEvent(e);
}

void InteractiveChartView::mouseDoubleClickEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton) {
        resetZoom();
        e->accept();
        return;
    }
    QChartView::mouseDoubleClickEvent(e);
}

void InteractiveChartView::keyPressEvent(QKeyEvent* e) {
    const QPointF centre = plotAreaInView().center();
    const qreal step = 40;
    switch (e->key()) {
    case Qt::Key_Home: resetZoom(); break;
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomAt(centre, 1.25); break;
    case Qt::Key_Minus: zoomAt(centre, 1 / 1.25); break;
    case Qt::Key_Left: panBy({step, 0}); break;
    case Qt::Key_Right: panBy({-step, 0}); break;
    case Qt::Key_Up: panBy({0, step}); break;
    case Qt::Key_Down: panBy({0, -step}); break;
    default: QChartView::keyPressEvent(e); return;
    }
    e->accept();
}

}  // namespace automix::ui::charts

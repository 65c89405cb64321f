#pragma once
// A chart view a researcher can explore: the mouse wheel zooms around the pointer, a drag with
// Shift (or the right button) zooms into the rectangle drawn, a plain drag pans, a double click
// or Home resets; + / − zoom and the arrow keys pan from the keyboard. A click that does not
// drag still reaches the series (candidate clicks, bar clicks).
#include <QChartView>
#include <QPoint>
#include <QRectF>
#include <optional>

class QRubberBand;

namespace automix::ui::charts {

class InteractiveChartView : public QChartView {
    Q_OBJECT
  public:
    explicit InteractiveChartView(QChart* chart, QWidget* parent = nullptr);

    bool isZoomed() const;
    void resetZoom();
    // factor > 1 zooms in, keeping the data point under `at` (view coordinates) in place.
    void zoomAt(const QPointF& at, qreal factor);
    void zoomToRect(const QRectF& viewRect);
    void panBy(const QPointF& pixels);
    // The visible ranges of the value axes (x: left..right, y: bottom..top) while zoomed; none
    // when not zoomed or when an axis is not a linear value axis. Sessions keep them.
    std::optional<QRectF> zoomRanges() const;
    // Zooms so that these ranges are visible (as a box zoom would, so reset still works).
    bool setZoomRanges(const QRectF& ranges);
    // A data point's tooltip that stays while the pointer is within `area` (viewport
    // coordinates) — also when the pointer rests there, where the scene would otherwise replace
    // it by the (empty) tooltip of the items under it and so hide it.
    void showPointTip(const QString& text, const QRect& area);
    QString pointTip() const { return pointTip_; }

  signals:
    void zoomChanged();

  protected:
    void wheelEvent(QWheelEvent* e) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    bool viewportEvent(QEvent* e) override;

  private:
    QRectF plotAreaInView() const;

    QPoint pressPos_;
    QPoint lastPos_;
    bool pressed_ = false;
    bool panning_ = false;
    bool banding_ = false;
    QRubberBand* band_ = nullptr;
    QString pointTip_;
    QRect pointArea_;
};

}  // namespace automix::ui::charts

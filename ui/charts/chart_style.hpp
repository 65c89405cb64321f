#pragma once
// Look shared by every chart: one colour per routing method (the same in every chart, by the
// method's place in the registry), theme and text colours that follow the system palette
// (dark mode), and a chart view set up the same way everywhere.
#include <QColor>
#include <QImage>
#include <QPainterPath>
#include <QScatterSeries>
#include <QSet>
#include <QString>

class QChart;
class QChartView;
class QValueAxis;
class QWidget;

namespace automix::ui::charts {

// Stable colour of a method (report name, e.g. "Threshold"): Okabe–Ito first, then Paul Tol's
// muted colours, one per registered method so that no two methods of a chart share one;
// reference routers get neutral colours. Dark mode gets lighter variants of the same hues.
QColor methodColor(const QString& method, bool dark);
// Colour of palette slot `slot` (a method with Capabilities::colour_slot `slot` has it).
QColor paletteColor(int slot, bool dark);
// Stable marker shape of a method (0..5: circle, square, diamond, triangle, star, pentagon);
// with the colour it tells methods apart without relying on colour vision.
int methodShape(const QString& method);
QScatterSeries::MarkerShape builtInShape(int shape);
int shapeIndexOf(QScatterSeries::MarkerShape shape);  // index into markerPath's shapes
constexpr int kMarkerShapes = 12;
// Outline of marker shape `shape` (circle, square, diamond, triangles, star, plus, cross, …)
// centred on (0, 0) and `size` pixels across.
QPainterPath markerPath(int shape, qreal size);
// The marker drawn as an image (for QXYSeries::setLightMarker), crisp at `dpr`.
QImage markerImage(int shape, const QColor& fill, const QColor& border, qreal size, qreal dpr = 2.0);
// Colour, border and shape of a method's scatter markers.
void styleMethodMarkers(QScatterSeries* series, const QString& method, qreal size, bool dark);
// Colours of the series of one chart: the method's own colour when no other series of the
// chart has it, else the next palette colour nobody in the chart uses.
class ChartColours {
  public:
    explicit ChartColours(bool dark) : dark_(dark) {}
    QColor take(const QString& method);
    QColor takeFixed(const QColor& colour);  // a neutral colour (reference series), remembered

  private:
    bool dark_;
    QSet<QRgb> used_;
};
// Category colours of the hidden states (NEEDY / GOOD / HOPELESS / UNDEFINED).
QColor categoryColor(int category, bool dark);
bool paletteIsDark();
// Range [lo, hi] widened to whole steps of 1, 2, 2.5 or 5 × 10^k (about `ticks` of them), the
// tick count to match and labels with just the decimals the step needs: 0 / 0.25 / 0.5, never
// 13.5 / 27.0 / 40.4 or 0 0 1 1 1.
void niceAxis(QValueAxis* axis, double lo, double hi, int ticks = 6);
// Text of a number for a person: 3 significant digits ("0.367", "12.4", "1.23e+04").
QString shortNumber(double x);
// Light or dark chart theme to match the palette, transparent-free background, legend at the
// bottom, antialiased view.
void styleChart(QChart* chart);
QChartView* makeChartView(QChart* chart, QWidget* parent);

}  // namespace automix::ui::charts

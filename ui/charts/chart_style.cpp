#include "ui/charts/chart_style.hpp"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QPainter>
#include <QPalette>
#include <QScatterSeries>
#include <QValueAxis>
#include <cmath>
#include <numbers>

#include "core/routing/method.hpp"
#include "ui/charts/chart_interaction.hpp"

namespace automix::ui::charts {

namespace {
// Okabe & Ito's colour-blind-safe set (black left out: it is the text colour), then Paul Tol's
// muted scheme, then two more of Tol's: enough for every registered method to have its own.
// Ordered so that the methods drawn together (the first seven, then the cascades) never get
// two look-alikes (Okabe–Ito's yellow is last: it reads poorly on white).
const QColor kPalette[] = {
    QColor(0xE6, 0x9F, 0x00), QColor(0x56, 0xB4, 0xE9), QColor(0x00, 0x9E, 0x73), QColor(0x00, 0x72, 0xB2),
    QColor(0xD5, 0x5E, 0x00), QColor(0xCC, 0x79, 0xA7), QColor(0x33, 0x22, 0x88), QColor(0x88, 0x22, 0x55),
    QColor(0x44, 0xAA, 0x99), QColor(0x99, 0x99, 0x33), QColor(0xAA, 0x44, 0x99), QColor(0xCC, 0x66, 0x77),
    QColor(0x11, 0x77, 0x33), QColor(0x66, 0x33, 0x00), QColor(0x77, 0x77, 0xCC), QColor(0xDD, 0xCC, 0x77),
    QColor(0x88, 0xCC, 0xEE), QColor(0xC9, 0xB8, 0x2C),
};
constexpr int kPaletteSize = static_cast<int>(sizeof kPalette / sizeof kPalette[0]);

// The method's declared look (routing::Capabilities): a fixed palette slot or a neutral tone.
routing::Capabilities looksOf(const QString& method) {
    const routing::MethodPtr m = routing::find_method(method.toStdString());
    return m ? m->capabilities() : routing::Capabilities{};
}

QColor forPalette(QColor c, bool dark) {
    return dark ? c.lighter(125) : c;
}
}  // namespace

QColor methodColor(const QString& method, bool dark) {
    // Neutral, and apart from each other: small = dark grey, random mix = light grey, large =
    // near the text colour, oracle = dark gold.
    using Tone = routing::Capabilities::Tone;
    const routing::Capabilities look = looksOf(method);
    switch (look.tone) {
    case Tone::SmallModel: return dark ? QColor(150, 150, 150) : QColor(96, 96, 96);
    case Tone::RandomMix: return dark ? QColor(95, 95, 95) : QColor(170, 170, 170);
    case Tone::LargeModel: return dark ? QColor(235, 235, 235) : QColor(20, 20, 20);
    case Tone::Oracle: return dark ? QColor(255, 215, 0) : QColor(150, 110, 0);
    case Tone::Palette: break;
    }
    const int slot = look.colour_slot >= 0 ? look.colour_slot : static_cast<int>(qHash(method) % kPaletteSize);
    return paletteColor(slot, dark);
}

QColor paletteColor(int slot, bool dark) {
    return forPalette(kPalette[slot % kPaletteSize], dark);
}

int methodShape(const QString& method) {
    using Tone = routing::Capabilities::Tone;
    const routing::Capabilities look = looksOf(method);
    if (look.tone == Tone::SmallModel || look.tone == Tone::LargeModel) return 1;  // squares
    if (look.tone == Tone::Oracle) return 4;                                       // star
    return (look.colour_slot >= 0 ? look.colour_slot : static_cast<int>(qHash(method) % 6)) % 6;
}

QPainterPath markerPath(int shape, qreal size) {
    const qreal r = size / 2;
    QPainterPath p;
    auto polygon = [&p](std::initializer_list<QPointF> pts) {
        QPolygonF poly(pts);
        poly << *pts.begin();
        p.addPolygon(poly);
        p.closeSubpath();
    };
    auto regular = [&](int corners, qreal rotation, qreal inner) {
        QPolygonF poly;
        const int steps = inner > 0 ? 2 * corners : corners;
        for (int i = 0; i <= steps; ++i) {
            const qreal a = rotation + 2 * std::numbers::pi * i / steps;
            const qreal radius = inner > 0 && i % 2 ? r * inner : r;
            poly << QPointF(radius * std::sin(a), -radius * std::cos(a));
        }
        p.addPolygon(poly);
        p.closeSubpath();
    };
    switch (((shape % kMarkerShapes) + kMarkerShapes) % kMarkerShapes) {
    case 0: p.addEllipse(QPointF(0, 0), r, r); break;                                  // circle
    case 1: p.addRect(QRectF(-r * 0.85, -r * 0.85, 1.7 * r, 1.7 * r)); break;           // square
    case 2: polygon({{0, -r}, {r, 0}, {0, r}, {-r, 0}}); break;                        // diamond
    case 3: regular(3, 0, 0); break;                                                   // triangle up
    case 4: regular(3, std::numbers::pi, 0); break;                                                // triangle down
    case 5: regular(5, 0, 0.45); break;                                                // star
    case 6: {                                                                          // plus
        const qreal w = r * 0.38;
        polygon({{-w, -r}, {w, -r}, {w, -w}, {r, -w}, {r, w}, {w, w}, {w, r}, {-w, r}, {-w, w}, {-r, w}, {-r, -w},
                 {-w, -w}});
        break;
    }
    case 7: {  // cross (a plus turned 45°)
        QPainterPath plus = markerPath(6, size);
        QTransform t;
        t.rotate(45);
        return t.map(plus);
    }
    case 8: regular(5, 0, 0); break;                    // pentagon
    case 9: regular(6, 0, 0); break;                    // hexagon
    case 10: regular(3, std::numbers::pi / 2, 0); break;            // triangle right
    case 11: polygon({{-r, -r}, {r, -r}, {-r, r}, {r, r}}); break;  // hourglass
    }
    return p;
}

QImage markerImage(int shape, const QColor& fill, const QColor& border, qreal size, qreal dpr) {
    const int side = static_cast<int>(std::ceil((size + 2) * dpr));
    QImage image(side, side, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    image.setDevicePixelRatio(dpr);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.translate(side / dpr / 2, side / dpr / 2);
    painter.setPen(QPen(border, 1.2));
    painter.setBrush(fill);
    painter.drawPath(markerPath(shape, size));
    return image;
}

QScatterSeries::MarkerShape builtInShape(int shape) {
    // QtCharts' own shapes, not images: image ("light") markers take clicks meant for the series
    // under them, and candidates must be clickable.
    static const QScatterSeries::MarkerShape shapes[] = {
        QScatterSeries::MarkerShapeCircle,   QScatterSeries::MarkerShapeRectangle,
        QScatterSeries::MarkerShapeRotatedRectangle, QScatterSeries::MarkerShapeTriangle,
        QScatterSeries::MarkerShapeStar,     QScatterSeries::MarkerShapePentagon};
    return shapes[((shape % 6) + 6) % 6];
}

int shapeIndexOf(QScatterSeries::MarkerShape shape) {
    switch (shape) {
    case QScatterSeries::MarkerShapeRectangle: return 1;
    case QScatterSeries::MarkerShapeRotatedRectangle: return 2;
    case QScatterSeries::MarkerShapeTriangle: return 3;
    case QScatterSeries::MarkerShapeStar: return 5;
    case QScatterSeries::MarkerShapePentagon: return 8;
    default: return 0;
    }
}

void styleMethodMarkers(QScatterSeries* series, const QString& method, qreal size, bool dark) {
    const QColor colour = methodColor(method, dark);
    const QColor border = dark ? colour.lighter(150) : colour.darker(150);
    series->setColor(colour);
    series->setBorderColor(border);
    series->setMarkerSize(size);
    series->setMarkerShape(builtInShape(methodShape(method)));
}

QColor ChartColours::take(const QString& method) {
    QColor c = methodColor(method, dark_);
    for (int i = 0; used_.contains(c.rgb()) && i < kPaletteSize; ++i) c = forPalette(kPalette[i], dark_);
    used_.insert(c.rgb());
    return c;
}

QColor ChartColours::takeFixed(const QColor& colour) {
    used_.insert(colour.rgb());
    return colour;
}

QColor categoryColor(int category, bool dark) {
    // NEEDY / GOOD / HOPELESS / UNDEFINED (and wrong / right): vermillion and blue, which stay
    // apart for every kind of colour vision, then greys.
    static const QColor light[] = {QColor(0xD5, 0x5E, 0x00), QColor(0x00, 0x72, 0xB2), QColor(120, 120, 120),
                                   QColor(190, 190, 190)};
    static const QColor darkC[] = {QColor(0xF0, 0x80, 0x30), QColor(0x56, 0xB4, 0xE9), QColor(160, 160, 160),
                                   QColor(95, 95, 95)};
    const int i = category < 0 || category > 3 ? 3 : category;
    return dark ? darkC[i] : light[i];
}

void niceAxis(QValueAxis* axis, double lo, double hi, int ticks) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
    if (hi < lo) std::swap(lo, hi);
    if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
    const double raw = (hi - lo) / std::max(1, ticks - 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * magnitude >= raw * (1 - 1e-9)) {
            step = m * magnitude;
            break;
        }
    const double first = std::floor(lo / step + 1e-9) * step;
    const double last = std::ceil(hi / step - 1e-9) * step;
    const int count = static_cast<int>(std::lround((last - first) / step)) + 1;
    // Decimals of the step itself: 2.5e-2 needs 3, 0.2 needs 1, 50 needs none.
    int decimals = 0;
    while (decimals < 10 && std::abs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) >
                                1e-6 * step * std::pow(10.0, decimals))
        ++decimals;
    axis->setTickType(QValueAxis::TicksFixed);
    axis->setRange(first, last);
    axis->setTickCount(std::max(2, count));
    axis->setLabelFormat(QStringLiteral("%.") + QString::number(decimals) + QStringLiteral("f"));
}

QString shortNumber(double x) {
    if (!std::isfinite(x)) return QStringLiteral("—");
    return QString::number(x, 'g', 3);
}

bool paletteIsDark() {
    return QApplication::palette().color(QPalette::Window).lightness() < 128;
}

void styleChart(QChart* chart) {
    const bool dark = paletteIsDark();
    chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    const QPalette pal = QApplication::palette();
    chart->setBackgroundBrush(pal.color(QPalette::Base));
    chart->setTitleBrush(pal.color(QPalette::Text));
    chart->legend()->setLabelColor(pal.color(QPalette::Text));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(6, 6, 6, 6));
    chart->setAnimationOptions(QChart::NoAnimation);  // live re-routing redraws many times a second
}

QChartView* makeChartView(QChart* chart, QWidget* parent) {
    auto* view = new InteractiveChartView(chart, parent);  // zoom, pan, reset (chart_interaction)
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(320, 220);
    return view;
}

}  // namespace automix::ui::charts

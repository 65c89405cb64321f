#include "ui/charts/chart_style.hpp"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QPalette>
#include <string>

#include "core/routing/method.hpp"

namespace automix::ui::charts {

namespace {
// Hues picked to stay apart from each other on light and dark backgrounds (Tableau-like).
const QColor kPalette[] = {
    QColor(31, 119, 180),  QColor(255, 127, 14),  QColor(44, 160, 44),   QColor(214, 39, 40),   QColor(148, 103, 189),
    QColor(140, 86, 75),   QColor(227, 119, 194), QColor(188, 189, 34),  QColor(23, 190, 207),  QColor(174, 199, 232),
    QColor(255, 187, 120), QColor(152, 223, 138), QColor(255, 152, 150), QColor(197, 176, 213), QColor(196, 156, 148),
    QColor(247, 182, 210), QColor(127, 127, 127), QColor(219, 219, 141), QColor(158, 218, 229), QColor(57, 59, 121),
    QColor(99, 121, 57),   QColor(140, 109, 49),
};
constexpr int kPaletteSize = static_cast<int>(sizeof kPalette / sizeof kPalette[0]);
}  // namespace

QColor methodColor(const QString& method, bool dark) {
    if (method == QLatin1String("always_small") || method == QLatin1String("always_large") ||
        method == QLatin1String("random_mix"))
        return dark ? QColor(190, 190, 190) : QColor(90, 90, 90);
    if (method == QLatin1String("oracle")) return dark ? QColor(255, 215, 0) : QColor(184, 134, 11);
    const std::vector<std::string> names = routing::method_names();
    int index = 0;
    for (const std::string& n : names) {
        if (QString::fromStdString(n) == method) break;
        ++index;
    }
    if (index >= static_cast<int>(names.size())) index = static_cast<int>(qHash(method) % kPaletteSize);
    QColor c = kPalette[index % kPaletteSize];
    return dark ? c.lighter(125) : c;
}

QColor categoryColor(int category, bool dark) {
    static const QColor light[] = {QColor(214, 96, 77), QColor(77, 146, 33), QColor(120, 120, 120),
                                   QColor(190, 190, 190)};
    static const QColor darkC[] = {QColor(244, 129, 110), QColor(127, 196, 83), QColor(160, 160, 160),
                                   QColor(95, 95, 95)};
    const int i = category < 0 || category > 3 ? 3 : category;
    return dark ? darkC[i] : light[i];
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
    auto* view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(320, 220);
    return view;
}

}  // namespace automix::ui::charts

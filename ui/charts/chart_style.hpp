#pragma once
// Look shared by every chart: one colour per routing method (the same in every chart, by the
// method's place in the registry), theme and text colours that follow the system palette
// (dark mode), and a chart view set up the same way everywhere.
#include <QColor>
#include <QString>

class QChart;
class QChartView;
class QWidget;

namespace automix::ui::charts {

// Stable colour of a method (report name, e.g. "Threshold"); reference routers get neutral
// colours. Dark mode gets lighter variants of the same hues.
QColor methodColor(const QString& method, bool dark);
// Category colours of the hidden states (NEEDY / GOOD / HOPELESS / UNDEFINED).
QColor categoryColor(int category, bool dark);
bool paletteIsDark();
// Light or dark chart theme to match the palette, transparent-free background, legend at the
// bottom, antialiased view.
void styleChart(QChart* chart);
QChartView* makeChartView(QChart* chart, QWidget* parent);

}  // namespace automix::ui::charts

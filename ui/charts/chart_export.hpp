#pragma once
// Export of charts (PNG, SVG) and of the tables behind them (CSV). Each returns "" on
// success or what went wrong.
#include <QSize>
#include <QString>

#include "core/eval/data_table.hpp"

class QChartView;
class QImage;
class QWidget;

namespace automix::ui::charts {

// Renders the view at `size` (its current size when empty) into a PNG.
QString exportPng(QWidget* view, const QString& path, QSize size = {});
// Vector output through QSvgGenerator.
QString exportSvg(QWidget* view, const QString& path, QSize size = {});
// With a provenance, the first line is "# computed on: <provenance>" (what the numbers describe:
// file, dataset, split, costs, method); read it with e.g. pandas.read_csv(comment="#").
QString exportCsv(const eval::DataTable& table, const QString& path, const QString& provenance = {});
QString writeTextFile(const QString& path, const QByteArray& bytes);
// PNG through a temporary file renamed into place; "" on success, else the reason.
QString savePng(const QImage& image, const QString& path);

}  // namespace automix::ui::charts

#pragma once
// How the GUI prints the metrics of eval::metric_fields() (status bar, chart tooltips): the
// table's label and format, and "—" for a figure that is undefined (IBC lift with equal small
// and large performance), as the charts show it.
#include <QString>
#include <QStringList>

#include "core/eval/metrics.hpp"

namespace automix::ui {

QString metricLabel(const eval::MetricField& f);
QString metricText(const eval::MetricField& f, double value);
// "label <b>value</b>" for every field that `pick` selects, in table order.
QStringList metricParts(const eval::Metrics& m, bool (*pick)(const eval::MetricField&));

}  // namespace automix::ui

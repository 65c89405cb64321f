#include "ui/metric_text.hpp"

#include <cmath>
#include <string>

namespace automix::ui {

QString metricLabel(const eval::MetricField& f) {
    return QString::fromUtf8(f.label.data(), static_cast<qsizetype>(f.label.size()));
}

QString metricText(const eval::MetricField& f, double value) {
    if (!std::isfinite(value)) return QStringLiteral("—");
    return QString::fromStdString(eval::format_metric(f, value));
}

QStringList metricParts(const eval::Metrics& m, bool (*pick)(const eval::MetricField&)) {
    QStringList parts;
    for (const eval::MetricField& f : eval::metric_fields())
        if (pick(f)) parts << QStringLiteral("%1 <b>%2</b>").arg(metricLabel(f), metricText(f, f.value(m)));
    return parts;
}

}  // namespace automix::ui

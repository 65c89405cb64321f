#include <string>

#include "core/study/study_detail.hpp"

namespace automix::study::detail {

void append_val_metric_columns(std::vector<std::string>& columns) {
    for (const eval::MetricField& f : eval::metric_fields())
        if (f.headline) columns.push_back("val_" + std::string(f.key));
}

void append_val_metric_cells(std::vector<nlohmann::json>& row, const eval::Metrics& val) {
    for (const eval::MetricField& f : eval::metric_fields())
        if (f.headline) row.push_back(number_or_null(f.value(val)));
}

}  // namespace automix::study::detail

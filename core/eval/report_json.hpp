#pragma once
// Writers for an evaluation Report: the JSON report in the oracle's
// "automix-oracle-v1" format (README, section "eval") plus our extra fields, a CSV
// with one line per dataset × method, and the readable table the CLI prints.
// Non-finite numbers are written as the strings "nan", "inf", "-inf".
#include <string>

#include <nlohmann/json.hpp>

#include "core/data/dataset.hpp"
#include "core/eval/protocol.hpp"

namespace automix::eval {

nlohmann::json json_number(double x);
nlohmann::json metrics_to_json(const Metrics& m);
// Keys in written order (nlohmann::ordered_json), so the file reads top-down.
nlohmann::ordered_json report_to_json(const Report& r, const data::Dataset& ds);
// report_to_json(r, ds).dump(indent), written without building the per-row arrays as JSON
// values (the same bytes; a fraction of the time and memory for a large file).
std::string report_to_json_text(const Report& r, const data::Dataset& ds, int indent);
std::string report_to_csv(const Report& r);
std::string report_to_table(const Report& r);

}  // namespace automix::eval

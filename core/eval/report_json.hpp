#pragma once
// Writers for an evaluation Report: the JSON report in the oracle's
// "automix-oracle-v1" format (README, section "eval") plus our extra fields, a CSV
// with one line per dataset × method, and the readable table the CLI prints.
// Non-finite numbers are written as the strings "nan", "inf", "-inf".
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/data/dataset.hpp"
#include "core/eval/protocol.hpp"

namespace automix::eval {

nlohmann::json json_number(double x);
nlohmann::json metrics_to_json(const Metrics& m);
// Keys in written order (nlohmann::ordered_json), so the file reads top-down: format, input,
// warnings, config, datasets, and last the generator (with the run's duration).
nlohmann::ordered_json report_to_json(const Report& r, const data::Dataset& ds);
// report_to_json(r, ds).dump(indent), written without building the per-row arrays as JSON
// values (the same bytes; a fraction of the time and memory for a large file).
std::string report_to_json_text(const Report& r, const data::Dataset& ds, int indent);

// The same text written while the evaluation runs, one dataset at a time, so memory holds one
// dataset's part and not the whole report (20 000 small datasets make a report of a gigabyte).
// `head` gives the input, warnings and options (its datasets are ignored); the sink receives
// consecutive pieces of the text.
class ReportJsonStream {
  public:
    using Sink = std::function<void(std::string_view)>;
    ReportJsonStream(const Report& head, const data::Dataset& ds, int indent, Sink sink);
    ~ReportJsonStream();
    ReportJsonStream(const ReportJsonStream&) = delete;
    ReportJsonStream& operator=(const ReportJsonStream&) = delete;
    void dataset(const DatasetReport& d);  // in report order
    void finish(double seconds);           // once, after the last dataset

  private:
    struct State;
    std::string member(const std::string& key, std::size_t depth) const;
    void write_head();
    std::unique_ptr<State> s_;
};
std::string report_to_csv(const Report& r);
std::string report_to_table(const Report& r);

}  // namespace automix::eval

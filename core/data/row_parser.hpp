#pragma once
// What a file format implements: turning the lines of a file into rows. The loader
// (reader.cpp) does everything else once for all formats: reading plain/.gz/pipes, progress and
// cancel, strict and lenient modes, duplicate ids, dataset names, splits, categories, the
// columns, lazy contexts and samples, and the warnings about suspect data.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/data/line_source.hpp"
#include "core/data/reader.hpp"

namespace automix::data {

// One model's part of a parsed row.
struct PendingModel {
    std::string name;
    std::string answer;
    bool has_answer = false;
    double score = kMissing;
    bool has_score = false;
    // Verifier samples: the raw token (array, or string holding a Python list) and its position
    // in the line; the texts stay in the file, only each sample's verdict is kept.
    std::string_view samples_raw;
    std::size_t samples_offset = 0;
    std::vector<SampleVerdict> verdicts;
    bool has_samples = false;
    double confidence = kMissing;
    bool has_confidence = false;
    // `score: null` and where: unknown, which only a live row may say (the model was not asked).
    bool null_score = false;
    std::size_t null_score_at = 0;
    std::string extra;  // compact JSON object of unknown fields, "" when none

    // Back to "nothing read", keeping the buffers' capacity (no allocation per row).
    void reset() {
        name.clear(), answer.clear(), extra.clear();
        has_answer = has_score = has_samples = has_confidence = null_score = false;
        null_score_at = 0;
        score = confidence = kMissing;
        samples_raw = {};
        samples_offset = 0;
        verdicts.clear();
    }
};

// One parsed row, before the loader checks it and commits it to the columns.
struct PendingRow {
    std::string id, pid, question, gold, dataset, split, category;
    bool has_id = false, has_pid = false, has_question = false, has_gold = false;
    bool has_dataset = false, has_split = false, has_category = false;
    std::string_view context_raw;    // raw JSON string token (quotes included), empty when absent
    std::size_t context_offset = 0;  // in the line
    std::vector<PendingModel> models;
    std::string extra;  // compact JSON object of unknown fields, "" when none

    void clear(std::size_t model_count) {
        id.clear(), pid.clear(), question.clear(), gold.clear(), dataset.clear(), split.clear(), category.clear();
        has_id = has_pid = has_question = has_gold = has_dataset = has_split = has_category = false;
        context_raw = {};
        context_offset = 0;
        models.resize(model_count);
        for (PendingModel& m : models) m.reset();
        extra.clear();
    }
};

// A row-level problem that has no useful column (missing fields, duplicate id).
struct RowError {
    std::string message;
};

// A problem at a known line and column (1-based; 0 = unknown), for records that span lines
// and for header lines. Thrown from RowParser::start it ends the load in every mode.
struct LineError {
    std::size_t line = 0;
    std::size_t column = 0;
    std::string message;
};

// A model of the file, cheapest first.
struct ModelInfo {
    std::string name, display_name;
    double cost = 1.0;
};
// Makes the dataset's models exactly `models` (names, display names, call costs).
inline void set_models(Dataset& d, const std::vector<ModelInfo>& models) {
    d.models.resize(models.size());
    for (std::size_t i = 0; i < models.size(); ++i) {
        d.models[i].name = models[i].name;
        d.models[i].display_name = models[i].display_name;
        d.models[i].call_cost = models[i].cost;
    }
}

// method §3 from the verdicts: exactly scoring::verifier_confidence on the texts.
double confidence_of(const std::vector<SampleVerdict>& verdicts);

class RowParser {
  public:
    virtual ~RowParser() = default;
    // The file's first non-blank line, before any row: sets up `d.models` (names, display
    // names, costs) and `d.verifier_cost`. Returns true when the line was a header (a manifest,
    // a CSV header) rather than a row. Throws LineError.
    virtual bool start(const Line& first, Dataset& d) = 0;
    // One record into `row`. `next_line` hands out the following lines, for a record that
    // spans lines (false at the end of the input). Throws json::ScanError (offset in `line`),
    // RowError or LineError.
    virtual void parse(const Line& line, const std::function<bool(Line&)>& next_line, PendingRow& row) = 0;
    // A parser for another thread that parses every later line exactly as this one would, each
    // line on its own; null when the format cannot (records spanning lines) or cannot yet (the
    // first row still decides the models). The loader then parses chunks of lines on worker
    // threads and commits their rows in file order.
    virtual std::unique_ptr<RowParser> worker_copy() const { return nullptr; }
    // After a successful parse, before the loader checks and commits the row.
    virtual void accept(PendingRow& row, Dataset& d) {
        (void)row, (void)d;
    }
    // The error when the file has no rows after a header line.
    virtual std::string header_only_message() const { return "no rows (the file has only its header line)"; }
    // Whole-file remarks added to the load's warnings at the end.
    virtual void add_warnings(std::vector<std::string>& warnings) const { (void)warnings; }
};

}  // namespace automix::data

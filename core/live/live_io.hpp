#pragma once
// Input and output of `automix run`. The input is JSONL with at least `id` and `question`
// per line (plus optional `base_ctx`/`context`, `output`/`gold`, `dataset`, `split`,
// `options`); a release-format file qualifies, so does a file of new questions. The output is
// the input lines with the model fields filled in: with 2 models the release field names
// (`llama13b_pred_ans`, `llama13b_ver`, `p_ver_13b`, `llama13b_f1`, `llama70b_pred_ans`,
// `llama70b_f1`), so every offline view loads it; with more models, or when the input was in
// the native format, the native format (manifest line + a `models` array per row). A `live`
// object records the routed path, its cost and any error.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/dataset.hpp"
#include "core/live/models_config.hpp"
#include "core/live/pipeline.hpp"

namespace automix::live {

struct LiveInput {
    data::Dataset dataset;                // contexts held in memory
    std::vector<nlohmann::json> records;  // the original objects, aligned with rows
    bool native = false;                  // input was native format: write native output
};

// Throws std::runtime_error "file:line:column: reason" on malformed input or a duplicate id.
// Plain or .gz.
LiveInput read_live_input(const std::string& path);
// The given rows of a loaded dataset as live input (questions, contexts, gold, extra fields),
// with no model columns yet: what the GUI runs for "selected queries".
LiveInput live_input_from(const data::Dataset& source, const data::View& rows);
// One typed question (the GUI playground); `id` names it in the output.
LiveInput live_input_from_question(const std::string& id, const std::string& context, const std::string& question,
                                   const std::string& gold = "");

// The output record of one row (input object + filled fields).
nlohmann::json output_record(const LiveInput& in, data::RowIndex row, const RowOutcome& outcome,
                             const ModelsConfig& cfg);
// Throws std::runtime_error with the reason when `path` cannot be written (checked by creating
// and removing its temporary file): called before the first paid call.
void check_output_writable(const std::string& path);
// Writes all rows (outcomes aligned with rows 0..n-1) to `path` via a temporary file + rename.
void write_live_output(const std::string& path, const LiveInput& in, const std::vector<RowOutcome>& outcomes,
                       const ModelsConfig& cfg);

}  // namespace automix::live

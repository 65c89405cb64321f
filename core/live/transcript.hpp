#pragma once
// What one live row did, step by step, as a reader wants to see it: the prompt each model got,
// its reply, each verification sample with its verdict, and what the calls cost and took.
// Built once when a run ends (off the GUI thread); the drill-down and the table only show it.
#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/live/models_config.hpp"
#include "core/live/pipeline.hpp"
#include "core/live/prompts.hpp"

namespace automix::live {

// One step of a row: model j answering, or model j verifying its answer (k samples, possibly
// over several HTTP calls when the server ignores `n`).
struct StepTranscript {
    int model_index = 0;
    std::string model;  // config name
    std::string kind;   // "answer" or "verify"
    std::string prompt;
    std::vector<std::string> replies;
    std::vector<std::string> verdicts;  // verify only, per reply: "correct", "incorrect" or "none"
    int calls = 0;                      // records (HTTP calls or cache hits) behind this step
    int cached = 0;                     // of which served from the cache
    int attempts = 0;
    long http_status = 0;  // of the last call
    double latency_s = 0.0;
    std::string error;
};

struct RowTranscript {
    std::string id;
    std::string path;         // "small → large": the models that answered, in order
    std::string final_model;  // "" when the row did not finish
    std::string answer;
    double score = data::kMissing;  // of the final answer against the gold
    double money = 0.0;             // the row's total (this run + cached calls' original cost)
    double paid = 0.0;              // paid in this run
    bool money_estimated = false;
    double latency_s = 0.0;  // sum over the row's calls that went to a server
    bool done = false;
    std::string error;
    std::vector<StepTranscript> steps;  // by model, each model's answer before its verification
};

// `ran` is the dataset the run filled (LiveInput::dataset), `row` a row of it, `outcome` what
// the pipeline reported for that row.
RowTranscript transcribe_row(const data::Dataset& ran, data::RowIndex row, const RowOutcome& outcome,
                             const ModelsConfig& cfg, const PromptTemplates& prompts);

// The live rows of a loaded file: every row whose `live` object (an `automix run` output, the
// request log of `automix serve`) says what it did, as transcripts for the table and the
// drill-down (prompts are not stored, so they stay empty). Rows without one, or skipped by
// --limit, are left out; a set `cancel` stops early with what is done.
std::vector<std::pair<data::RowIndex, RowTranscript>> transcripts_from_data(const data::Dataset& ds,
                                                                            const std::atomic<bool>* cancel = nullptr);

}  // namespace automix::live

#pragma once
// The live AutoMix pipeline: the cheapest model answers, verifies itself k times, the
// meta-verifier decides, larger models answer when escalated (and verify, except the last).
// Every call goes through the response cache, and results land in the Dataset's model
// columns (answer, score, verifier samples, confidence), so every offline view works on them.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/live/call_engine.hpp"
#include "core/live/models_config.hpp"
#include "core/live/prompts.hpp"
#include "core/live/response_cache.hpp"
#include "core/routing/method.hpp"

namespace automix::live {

struct ModelUsage {
    std::uint64_t calls = 0;   // HTTP calls that succeeded
    std::uint64_t cached = 0;  // samples served from the cache
    std::uint64_t failed = 0;  // calls that failed for good
    std::int64_t prompt_tokens = 0;
    std::int64_t completion_tokens = 0;
    double money = 0.0;  // paid in this run
};

struct Progress {
    std::size_t rows_total = 0, rows_done = 0, rows_failed = 0;
    std::vector<ModelUsage> per_model;
    double money = 0.0;
    double elapsed_s = 0.0;
    double eta_s = -1.0;  // negative until something is done
};

struct RowOutcome {
    int final_model = -1;                 // whose answer is reported; -1 when the row did not finish
    std::vector<std::uint8_t> escalated;  // decision after each verified step (1 = escalate)
    double cost_units = 0.0;              // spec §4 cost of the routed path (calls + verifications)
    double money = 0.0;                   // paid in this run for this row (cache hits are free)
    std::string error;                    // why the row stopped ("small answer: HTTP 401: ...")
    bool done = false;
};

struct RunResult {
    bool cancelled = false;
    std::vector<RowOutcome> rows;  // aligned with the view given to run()
    Progress totals;
    EngineStats engine;
    std::vector<std::string> warnings;  // e.g. a cache write that failed (the run went on)
};

struct RunOptions {
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(const Progress&)> on_progress;  // called on the run thread
    std::function<void(const CallEvent&)> on_event;    // one line per call event
};

// Makes `ds` hold one model column per configured model (keeping existing columns when the
// count matches, so a release file stays a release file), sized to the rows, and sets the
// routing costs from the config.
void prepare_model_columns(data::Dataset& ds, const ModelsConfig& cfg);

// Score of an answer against the row's gold (option letter for `quality`, else token F1);
// kMissing when the row has no gold answer.
double score_answer(const data::Dataset& ds, data::RowIndex row, const std::string& answer);

class Pipeline {
  public:
    // Throws ConfigError when the meta-verifier method is unknown or rejects its parameter.
    Pipeline(ModelsConfig cfg, std::vector<std::string> api_keys, PromptTemplates prompts,
             std::shared_ptr<ResponseCache> cache);
    // Runs `rows` of `ds` (prepare_model_columns must have been applied). Blocking; call from
    // a worker thread in a GUI.
    RunResult run(data::Dataset& ds, const data::View& rows, const RunOptions& options);
    // The meta-verifier's decision for model `step`'s answer on `row` (1 = escalate).
    std::uint8_t decide(const data::Dataset& ds, data::RowIndex row, std::size_t step) const;
    const ModelsConfig& config() const { return cfg_; }

  private:
    ModelsConfig cfg_;
    std::vector<std::string> keys_;
    PromptTemplates prompts_;
    std::shared_ptr<ResponseCache> cache_;
    routing::MethodPtr method_;
    routing::Config routing_cfg_;
};

}  // namespace automix::live

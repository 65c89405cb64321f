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
#include <utility>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/live/call_engine.hpp"
#include "core/live/models_config.hpp"
#include "core/live/prompts.hpp"
#include "core/live/response_cache.hpp"
#include "core/routing/method.hpp"

namespace automix::live {

struct ModelUsage {
    std::uint64_t calls = 0;     // HTTP calls that succeeded (billed)
    std::uint64_t rejected = 0;  // 2xx replies validation rejected: billed all the same, counted in money
    std::uint64_t cached = 0;    // samples served from the cache (or shared with an identical call in flight)
    std::uint64_t failed = 0;    // calls that failed for good
    std::uint64_t estimated = 0;  // billed replies without `usage`: their money is estimated
    std::int64_t prompt_tokens = 0;
    std::int64_t completion_tokens = 0;
    double money = 0.0;            // paid in this run (estimates included)
    double money_estimated = 0.0;  // the part of `money` estimated from text length
    double cached_money = 0.0;     // what the cached samples cost when they were paid
    // Self-verification: samples read (this run and cached) and how many had a verdict phrase.
    std::uint64_t verify_samples = 0, verify_with_verdict = 0;
    bool ignores_n = false;  // the server answered an n > 1 request with fewer choices
};

struct Progress {
    std::size_t rows_total = 0, rows_done = 0, rows_failed = 0;
    std::vector<ModelUsage> per_model;
    double money = 0.0;            // paid this run
    double money_total = 0.0;      // paid this run + the cached calls' original cost
    double money_estimated = 0.0;  // part of `money` estimated (no `usage` in the reply)
    double elapsed_s = 0.0;
    double eta_s = -1.0;  // negative until something is done
};

// One model call of a row (or its cache hit), for the output and the GUI call log.
struct CallRecord {
    int model = 0;
    std::string kind;  // "answer" or "verify"
    int first_sample = 0, samples = 1;
    bool cached = false;  // from the cache or shared with an identical call in flight
    long http_status = 0;
    int attempts = 0;
    double latency_s = 0.0;  // first attempt start to completion, retries included
    std::string error;
};

struct RowOutcome {
    int final_model = -1;                 // whose answer is reported; -1 when the row did not finish
    std::vector<std::uint8_t> escalated;  // decision after each verified step (1 = escalate)
    double cost_units = 0.0;              // method §4 cost of the routed path (calls + verifications)
    double money = 0.0;                   // the row's total: paid this run + cached calls' original cost
    double paid = 0.0;                    // paid in this run for this row (cache hits are free)
    bool money_estimated = false;         // some of `money` is estimated (a reply had no `usage`)
    std::vector<CallRecord> calls;
    std::string error;  // why the row stopped ("small answer: HTTP 401: ...")
    bool done = false;
    bool skipped = false;  // not part of the run (--limit): written back as it was read
};

struct RunResult {
    bool cancelled = false;
    std::string stopped;  // the circuit breaker's reason when it ended the run ("" otherwise)
    std::vector<RowOutcome> rows;  // aligned with the view given to run()
    Progress totals;
    EngineStats engine;
    std::vector<std::string> warnings;  // e.g. a cache write that failed, verdicts missing (the run went on)
};

struct RunOptions {
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(const Progress&)> on_progress;  // called on the run thread
    std::function<void(const CallEvent&)> on_event;    // one line per call event (retries, failures)
    // Every finished call or cache hit, with the index of its row in the view.
    std::function<void(std::size_t view_index, const CallRecord&)> on_call;
    // Streaming the answer that ends a route (`automix serve` with `stream: true`): when
    // stream_piece is set, the last model's answer (not with run_all_models, not from the
    // cache) is asked for with `stream: true` if its provider streams, and its text is handed
    // on as it arrives, on the run thread. stream_begin is called once, when the server has
    // begun to answer (the route up to that model is decided by then).
    std::function<void(std::size_t view_index, std::size_t model)> stream_begin;
    std::function<void(std::size_t view_index, const std::string& text)> stream_piece;
    // An idle engine to make the calls on (reset for this run; its connections stay open for
    // the next one): `automix serve` keeps one per server thread. Null = a new engine.
    CallEngine* engine = nullptr;
};

// Makes `ds` hold one model column per configured model (keeping existing columns when the
// count matches, so a release file stays a release file), sized to the rows, and sets the
// routing costs from the config.
void prepare_model_columns(data::Dataset& ds, const ModelsConfig& cfg);

// The prompts the pipeline sends for `row` of `ds`: the answer prompt, and the verification
// prompt of `answer` (trimmed, as sent). One place, so the GUI shows exactly what was asked.
std::string answer_prompt(const PromptTemplates& t, const data::Dataset& ds, data::RowIndex row);
std::string verify_prompt(const PromptTemplates& t, const data::Dataset& ds, data::RowIndex row, std::string_view answer);

// Score of an answer against the row's gold (option letter for `quality`, else token F1);
// kMissing when the row has no gold answer.
double score_answer(const data::Dataset& ds, data::RowIndex row, const std::string& answer);

class Pipeline {
  public:
    // Throws ConfigError when the meta-verifier method is unknown, offline-only (oracle,
    // random_mix, CascadeOracle) or rejects its parameter.
    Pipeline(ModelsConfig cfg, std::vector<std::string> api_keys, PromptTemplates prompts,
             std::shared_ptr<ResponseCache> cache);
    // Runs `rows` of `ds` (prepare_model_columns must have been applied). Blocking; call from
    // a worker thread in a GUI.
    RunResult run(data::Dataset& ds, const data::View& rows, const RunOptions& options);
    // The meta-verifier's decision for model `step`'s answer on `row` (1 = escalate). A
    // two-model method sees models step and step + 1; an N-model method (Cascade,
    // CascadeThresholds) sees the whole ladder, later models not yet asked (their values
    // cannot change a decision at `step`).
    std::uint8_t decide(const data::Dataset& ds, data::RowIndex row, std::size_t step) const;
    // Why decide() decided as it did, in the method's words ("conf 0.25 ≤ threshold 0.375 → escalate").
    std::string explain(const data::Dataset& ds, data::RowIndex row, std::size_t step) const;
    const ModelsConfig& config() const { return cfg_; }

  private:
    // The one-row dataset and routing config the method sees for model `step`'s decision.
    std::pair<data::Dataset, routing::Config> decision_input(const data::Dataset& ds, data::RowIndex row,
                                                             std::size_t step) const;
    ModelsConfig cfg_;
    std::vector<std::string> keys_;
    PromptTemplates prompts_;
    std::shared_ptr<ResponseCache> cache_;
    routing::MethodPtr method_;
    routing::Config routing_cfg_;
};

}  // namespace automix::live

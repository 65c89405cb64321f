#pragma once
// `automix serve`: OpenAI-compatible /v1/chat/completions and /v1/models answered by AutoMix.
// Each request runs the live pipeline on one row (the first model answers and verifies
// itself, the meta-verifier decides, larger models answer when escalated) and gets the
// answering model's reply as a normal chat completion, with the route in `automix` and in
// X-AutoMix-* headers. The model name chooses the routing: "automix" (the config's),
// "automix:METHOD" (the same, named), "automix:METHOD:PARAMS" (PARAMS as JSON, e.g.
// automix:Threshold:0.375). Bounded concurrency, a per-request timeout, a circuit breaker
// across requests, a request log in the native format. Socket-free: handle() is the server.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "core/live/chat_api.hpp"
#include "core/live/http_server.hpp"
#include "core/live/models_config.hpp"
#include "core/live/pipeline.hpp"
#include "core/live/prompts.hpp"
#include "core/live/request_log.hpp"
#include "core/live/response_cache.hpp"

namespace automix::live {

struct ServeOptions {
    int max_concurrent = 64;                  // requests routed at once; more wait for a slot
    double request_timeout_s = 120.0;         // waiting for a slot included; then 504
    double queue_timeout_s = 0.0;             // longest wait for a slot before 503; <= 0 = the request timeout
    std::string required_token;               // clients must send "Authorization: Bearer <token>"; "" = open
    double run_all_fraction = 0.0;            // share of requests asked of every model (complete rows)
    // Labelled requests (automix.gold) go to the request log as train rows, this share of them
    // (drawn by request id) as val, so the log trains and evaluates as it is; unlabelled rows
    // keep the split "served".
    double labelled_val_share = 0.3;
    std::uint64_t seed = 1;                   // of the run-all-models draw
    bool log_prompts = false;                 // the access log line shows the question
    double breaker_cooldown_s = 10.0;         // requests refused (503) after a streak of upstream failures
    std::shared_ptr<RequestLog> request_log;  // null = none
    // One line per request (no keys; no prompt unless log_prompts). Called on request threads.
    std::function<void(const std::string&)> access_log;
};

struct ServeStats {
    std::uint64_t requests = 0, answered = 0, client_errors = 0, upstream_errors = 0, timeouts = 0, refused = 0;
    std::uint64_t run_all = 0;  // answered with every model asked
};

class ChatRouter {
  public:
    // Throws ConfigError when the config's meta-verifier cannot route live.
    ChatRouter(ModelsConfig cfg, std::vector<std::string> api_keys, PromptTemplates prompts,
               std::shared_ptr<ResponseCache> cache, ServeOptions options);
    ~ChatRouter();
    ChatRouter(const ChatRouter&) = delete;
    ChatRouter& operator=(const ChatRouter&) = delete;

    HttpReply handle(const HttpRequest& req);
    // The model names /v1/models lists.
    std::vector<std::string> model_names() const;
    // "Threshold:0.375": the config's routing, as a model name takes it after "automix:".
    std::string default_routing() const;
    ServeStats stats() const;

  private:
    struct Routing;
    struct Outcome;
    class Deadlines;

    HttpReply chat(const HttpRequest& req, const std::string& request_id, Outcome& out);
    HttpReply models_reply() const;
    // The routing a model name asks for; null with *error when it names none.
    std::shared_ptr<Routing> routing_for(const std::string& model, ApiError* error);
    std::shared_ptr<Pipeline> pipeline_of(Routing& r, bool run_all);
    bool acquire_slot(std::chrono::steady_clock::time_point deadline);
    void release_slot();
    // "" when requests may go upstream, else why not (the breaker is open).
    std::string breaker_refusal(double* retry_after_s);
    void breaker_result(bool upstream_failed, const std::string& reason);
    bool draw_run_all();

    ModelsConfig cfg_;
    std::vector<std::string> keys_;
    PromptTemplates prompts_;
    std::shared_ptr<ResponseCache> cache_;
    ServeOptions options_;
    std::string id_prefix_;
    std::atomic<std::uint64_t> next_id_{1};
    std::unique_ptr<Deadlines> deadlines_;

    mutable std::mutex mutex_;  // routings_, rng_, stats_, breaker
    std::map<std::string, std::shared_ptr<Routing>> routings_;
    std::shared_ptr<Routing> default_;
    std::mt19937_64 rng_;
    ServeStats stats_;
    int failure_streak_ = 0;
    std::string last_failure_;
    std::chrono::steady_clock::time_point open_until_{};

    std::mutex slot_mutex_;
    std::condition_variable slot_free_;
    int active_ = 0;
};

}  // namespace automix::live

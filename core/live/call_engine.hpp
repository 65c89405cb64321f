#pragma once
// Runs HTTP POST calls with libcurl's multi interface on the calling thread: bounded
// concurrency per endpoint, retries with exponential backoff and jitter (honouring
// Retry-After) on 429/500/502/503/504, timeouts and dropped connections, and cancellation
// that takes effect within ~100 ms. Completion callbacks run on the run() thread and may
// submit further calls, which is how the pipeline chains answer -> verify -> escalate.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace automix::live {

struct RetryPolicy {
    int max_attempts = 6;            // first try included
    double initial_backoff_s = 0.5;  // doubled after every failed attempt
    double max_backoff_s = 30.0;
    double jitter = 0.25;  // each delay is scaled by a uniform factor in [1-j, 1+j]
};

struct CallResult {
    enum class Status { Ok, Failed, Cancelled };
    Status status = Status::Failed;
    long http_status = 0;  // of the last attempt; 0 when no HTTP answer arrived
    std::string body;      // of the successful attempt
    std::string error;     // why it failed (server message for 4xx), never holds the API key
    int attempts = 0;
    double seconds = 0.0;  // from first attempt start to completion
};

struct HttpCall {
    int endpoint = 0;  // from CallEngine::add_endpoint, for the concurrency bound
    std::string url;
    std::string body;
    std::string api_key;  // sent as a Bearer token when non-empty; kept in memory only
    double timeout_s = 60.0;
    std::string label;  // for logs ("small answer q17")
    // Checks a 2xx body; returns an error text when it is unusable (treated as retryable,
    // since a truncated or garbled body is usually transient).
    std::function<std::optional<std::string>(const std::string& body)> validate;
    std::function<void(const CallResult&)> done;
};

// One line per noteworthy event, for progress logs and the GUI call log.
struct CallEvent {
    std::string label;
    int attempt = 0;
    long http_status = 0;
    std::string what;  // "ok", "retry in 1.2 s: HTTP 429 ...", "failed: ..."
};

struct EngineStats {
    std::uint64_t attempts = 0, retries = 0, succeeded = 0, failed = 0, cancelled = 0;
};

class CallEngine {
  public:
    explicit CallEngine(RetryPolicy policy = {}, std::uint64_t seed = 0x5eed);
    ~CallEngine();
    CallEngine(const CallEngine&) = delete;
    CallEngine& operator=(const CallEngine&) = delete;

    int add_endpoint(int max_concurrency);
    // Queue a call. Call before run() or from a completion callback (same thread).
    void submit(HttpCall call);
    // Processes calls until none is left (returns true) or *cancel became true (returns
    // false after every pending call got a Cancelled result).
    bool run(const std::atomic<bool>* cancel = nullptr);
    EngineStats stats() const { return stats_; }
    std::function<void(const CallEvent&)> on_event;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    EngineStats stats_;
};

}  // namespace automix::live

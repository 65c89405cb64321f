#pragma once
// Runs HTTP calls with libcurl's multi interface on the calling thread: bounded concurrency
// per endpoint, retries as the OpenAI SDKs do them (408, 409, 429 and >= 500, timeouts and
// dropped connections; `x-should-retry` overrides; `retry-after-ms` / `Retry-After` honoured
// up to a cap; exponential backoff with jitter otherwise), a circuit breaker that stops the
// run after a streak of identical failures, and cancellation within ~100 ms. Completion
// callbacks run on the run() thread and may submit further calls, which is how the pipeline
// chains answer -> verify -> escalate.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/live/openai_protocol.hpp"

namespace automix::live {

struct RetryPolicy {
    int max_attempts = 6;            // first try included
    double initial_backoff_s = 0.5;  // doubled after every failed attempt
    double max_backoff_s = 30.0;
    double jitter = 0.25;  // each delay is scaled by a uniform factor in [1-j, 1+j]
    // A server's Retry-After is waited for up to this long (a "retry in 1 hour" would
    // otherwise stall the run; the OpenAI SDKs use 60 s).
    double max_retry_after_s = 60.0;
    // Stop the whole run after this many calls in a row failed for good with the same error,
    // or this many attempts in a row could not connect; 0 = never.
    int breaker_threshold = 5;
};

struct CallResult {
    enum class Status { Ok, Failed, Cancelled };
    Status status = Status::Failed;
    long http_status = 0;  // of the last attempt; 0 when no HTTP answer arrived
    std::string body;      // of the successful attempt
    std::string error;     // why it failed (server message for 4xx), never holds the API key
    std::string content_type;  // of the last answer
    int attempts = 0;
    double seconds = 0.0;  // from first attempt start to completion
};

struct HttpCall {
    int endpoint = 0;  // from CallEngine::add_endpoint, for the concurrency bound
    std::string url;
    std::string body;
    bool get = false;     // GET without a body (preflight) instead of POST
    // Kept in memory only, and cut out of every error text. The provider puts it into `headers`
    // (ModelEndpoint::call); the engine itself sends no key.
    std::string api_key;
    std::vector<std::string> headers;  // "Name: value" lines
    std::string ca_file;  // CA bundle; "" = $SSL_CERT_FILE, else $CURL_CA_BUNDLE, else the system's
    std::size_t max_response_bytes = 8u << 20;  // a larger body is cut off and the call fails
    double timeout_s = 60.0;
    std::string label;  // for logs ("small answer q17")
    // Checks a 2xx body; returns the problem when it is unusable (retried when it says so).
    std::function<std::optional<ParseProblem>(const std::string& body)> validate;
    // Streaming: each piece of a 2xx body as it arrives (the whole body still goes to validate
    // and done). Once a piece went out, a failure of that attempt is final: what was passed
    // on cannot be taken back by a retry.
    std::function<void(std::string_view piece)> on_data;
    // Every 2xx body that validation rejected: the server billed it all the same.
    std::function<void(const std::string& body)> on_rejected;
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
    // Requests on the wire when the run was cancelled or stopped: the server may bill them.
    std::uint64_t abandoned = 0;
};

class CallEngine {
  public:
    explicit CallEngine(RetryPolicy policy = {}, std::uint64_t seed = 0x5eed);
    ~CallEngine();
    CallEngine(const CallEngine&) = delete;
    CallEngine& operator=(const CallEngine&) = delete;

    // Makes an idle engine new again (endpoints, stats, breaker, policy, on_event) while it
    // keeps its open connections and handles, so a server running one run after another on
    // the same engine does not connect (and handshake) anew for every call. Throws
    // std::logic_error when calls are still pending.
    void reset(RetryPolicy policy);
    int add_endpoint(int max_concurrency);
    // Queue a call. Call before run() or from a completion callback (same thread).
    void submit(HttpCall call);
    // Processes calls until none is left (returns true) or *cancel became true (returns
    // false after every pending call got a Cancelled result).
    bool run(const std::atomic<bool>* cancel = nullptr);
    EngineStats stats() const { return stats_; }
    // Why the circuit breaker stopped the run ("" when it did not); run() returned false.
    const std::string& stopped_reason() const;
    std::function<void(const CallEvent&)> on_event;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    EngineStats stats_;
};

}  // namespace automix::live

#pragma once
// An OpenAI-compatible server on 127.0.0.1 that answers from a loaded Dataset: the stored
// answer of the requested model for the question found in the prompt, or its stored verifier
// samples for a self-verification prompt. Latency and faults (429, 500, slow replies,
// malformed bodies, connections cut mid-body, 401 without the right key) are injectable,
// which makes the live mode demonstrable without keys and is what the tests run against.
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/dataset.hpp"
#include "core/live/http_server.hpp"

namespace automix::live {

enum class Fault { None, TooManyRequests, ServerError, Slow, Malformed, CutConnection, Unauthorized };
const char* to_string(Fault f);
// "429", "500", "slow", "malformed", "close", "401"; Fault::None when unknown.
Fault parse_fault(const std::string& name);

struct ReplayOptions {
    int latency_ms = 0;       // added to every answer
    double fault_rate = 0.0;  // probability that a request gets a random fault
    std::vector<Fault> fault_kinds = {Fault::TooManyRequests, Fault::ServerError, Fault::Slow, Fault::Malformed,
                                      Fault::CutConnection};
    int slow_ms = 3000;        // delay of a Slow fault
    // A request with `stream: true` is answered with server-sent events, a word per chunk, this
    // long apart (after latency_ms for the first).
    int stream_chunk_ms = 0;
    int retry_after_s = 1;     // Retry-After sent with 429 (negative: header omitted)
    std::string required_key;  // when set, other keys get 401 (kept in memory only)
    std::uint64_t seed = 1;
};

// One answered request, for assertions in tests ("no call was paid twice").
struct ReplayLogEntry {
    std::string body_sha256;  // of the request body
    std::string model;
    int row = -1;  // matched dataset row, -1 when none
    bool verification = false;
    std::int64_t seed = -1;
    int n = 1;
    int status = 0;
    Fault fault = Fault::None;
};

class ReplayServer {
  public:
    ReplayServer(std::shared_ptr<const data::Dataset> data, ReplayOptions options);
    ~ReplayServer();
    int start(int port);  // 0 = any free port; returns the port
    void stop();
    int port() const { return http_.port(); }
    std::string base_url() const;  // "http://127.0.0.1:<port>/v1"

    // Faults for the next requests, in order, before any random ones (deterministic tests).
    void script_faults(std::vector<Fault> faults);
    std::vector<ReplayLogEntry> log() const;
    std::size_t request_count() const;
    void clear_log();

    // Handles one request (exposed so the logic is testable without sockets).
    HttpReply handle(const HttpRequest& req);

  private:
    HttpReply complete(const HttpRequest& req, bool chat);
    // `whole` (the non-streamed reply) as server-sent events.
    HttpReply stream_reply(const HttpRequest& req, const nlohmann::json& whole, bool chat, Fault fault,
                           const nlohmann::json& request);
    int model_index(const std::string& model) const;
    int find_row(const std::string& prompt, std::string* answer_in_prompt, bool* verification) const;

    std::shared_ptr<const data::Dataset> data_;
    ReplayOptions options_;
    std::unordered_map<std::string, std::vector<int>> rows_by_question_;
    HttpServer http_;
    mutable std::mutex mutex_;
    std::mt19937_64 rng_;
    std::deque<Fault> scripted_;
    std::vector<ReplayLogEntry> log_;
    std::map<std::pair<int, int>, std::int64_t> unseeded_next_;  // (row, model) -> next sample
};

}  // namespace automix::live

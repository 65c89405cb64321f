#pragma once
// A loopback OpenAI-compatible server that behaves like servers we did not write: it can
// ignore `n`, omit `usage`, echo the prompt, reply without verdict phrases, stop at
// `finish_reason: length`, send `content: null` or huge bodies, and play scripted replies
// (HTML error pages, 200 with {"error": ...}, Retry-After / retry-after-ms, 408/409/529,
// insufficient_quota, x-should-retry). It answers every question "Paris" and every
// verification "So the AI generated answer is <verdict>."
#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/live/http_server.hpp"

namespace live_test {

struct ForeignOptions {
    bool ignore_n = false;     // one choice whatever n asks for (llama.cpp's server)
    bool omit_usage = false;   // no `usage` object
    bool echo_prompt = false;  // content = prompt + reply
    bool no_verdicts = false;  // verification replies without a verdict phrase
    std::string verdict = "correct";
    std::string finish_reason = "stop";
    bool null_content = false;
    std::size_t answer_bytes = 0;  // > 0: the answer padded to this size
    bool models_route = true;      // GET /v1/models exists
    std::vector<std::string> listed = {"small-model", "large-model"};
    std::vector<std::string> known = {"small-model", "large-model"};  // others get 404 model_not_found
    std::string required_key;  // other keys get 401 (Bearer or api-key header)
    int prompt_tokens_per_4_bytes = 1;
};

class ForeignServer {
  public:
    explicit ForeignServer(ForeignOptions options = {});
    ~ForeignServer();
    std::string base_url() const;  // http://127.0.0.1:PORT/v1
    int port() const { return http_.port(); }
    // Replies for the next POST requests, in order, before the normal behaviour.
    void script(std::vector<automix::live::HttpReply> replies);
    void set_options(const ForeignOptions& o);
    std::size_t posts() const;
    std::size_t gets() const;
    std::vector<automix::live::HttpRequest> requests() const;
    std::vector<double> post_times() const;  // seconds since start, per POST

    static automix::live::HttpReply html_error(int status);
    static automix::live::HttpReply json_error(int status, const std::string& message, const std::string& code = "",
                                               std::vector<std::pair<std::string, std::string>> headers = {});

  private:
    automix::live::HttpReply handle(const automix::live::HttpRequest& req);
    automix::live::HttpReply complete(const automix::live::HttpRequest& req);

    mutable std::mutex mutex_;
    ForeignOptions options_;
    std::vector<automix::live::HttpReply> script_;
    std::vector<automix::live::HttpRequest> seen_;
    std::vector<double> post_times_;
    std::size_t posts_ = 0, gets_ = 0;
    double start_ = 0;
    automix::live::HttpServer http_;
};

}  // namespace live_test

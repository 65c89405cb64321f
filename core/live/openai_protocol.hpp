#pragma once
// Request bodies and response parsing for OpenAI-compatible `/chat/completions` and
// `/completions` (llama.cpp server, vLLM, Ollama, OpenAI, ...).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace automix::live {

enum class Api { Chat, Completions };
std::string_view to_string(Api api);  // "chat" / "completions"
std::optional<Api> parse_api(std::string_view text);

struct Sampling {
    double temperature = 0.0;
    int max_tokens = 64;
    std::vector<std::string> stop;
    int n = 1;                         // samples in one request
    std::optional<std::int64_t> seed;  // makes repeated samples distinct yet reproducible
};

// `base_url` ends with the API root, e.g. "http://127.0.0.1:8080/v1".
std::string completion_url(const std::string& base_url, Api api);
std::string request_body(Api api, const std::string& model_id, const std::string& prompt, const Sampling& s);
// The parameters that identify a call for caching (everything but n, prompt and seed).
std::string sampling_identity(const Sampling& s);

struct Completion {
    std::vector<std::string> texts;  // by choice index
    std::int64_t prompt_tokens = 0;
    std::int64_t completion_tokens = 0;
    bool has_usage = false;
};

// Parses a 2xx body; nullopt (with *why) when it is not a usable completion or holds fewer
// than `expected_choices` choices.
std::optional<Completion> parse_completion(Api api, const std::string& body, int expected_choices, std::string* why);

}  // namespace automix::live

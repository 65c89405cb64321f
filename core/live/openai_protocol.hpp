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
// `extra_body` (a JSON object's text, "" for none) is merged in last: per-model fields such as
// `max_completion_tokens`; a null value removes a field (e.g. "max_tokens": null).
std::string request_body(Api api, const std::string& model_id, const std::string& prompt, const Sampling& s,
                         const std::string& extra_body = "");
// The parameters that identify a call for caching (everything but n, prompt and seed).
// Extra body fields change the reply, so they are part of it (only when set, so caches of
// configs without them keep their keys).
std::string sampling_identity(const Sampling& s, const std::string& extra_body = "");

struct Completion {
    std::vector<std::string> texts;  // by choice index; at most the n asked for, at least 1
    std::vector<std::string> finish_reasons;  // aligned with texts ("" when the server sent none)
    std::int64_t prompt_tokens = 0;
    std::int64_t completion_tokens = 0;
    bool has_usage = false;
};

struct ParseOptions {
    int max_choices = 1;  // the n asked for: extra choices are ignored, fewer are fine
    // The prompt sent: a reply that starts with it (a server that echoes) has it cut off, so
    // only generated text is read (the few-shot verdicts inside the prompt must not count).
    std::string_view prompt;
    // A choice cut at max_tokens is an error for answers; verification samples keep it (the
    // verdict phrase comes first in the reply format).
    bool allow_length = false;
};

struct ParseProblem {
    ParseProblem(std::string m, bool r = true) : message(std::move(m)), retryable(r) {}  // NOLINT: implicit on purpose
    std::string message;
    bool retryable = true;  // garbled or truncated bodies are usually transient
};

// Parses a 2xx body; nullopt (with *why) when it is not a usable completion.
std::optional<Completion> parse_completion(Api api, const std::string& body, const ParseOptions& options,
                                           ParseProblem* why);
// The older strict form (tests, fuzzing): fewer than `expected_choices` choices is a problem.
std::optional<Completion> parse_completion(Api api, const std::string& body, int expected_choices, std::string* why);
// Token usage of a body, if it reports one (for billed responses that were rejected).
std::optional<std::pair<std::int64_t, std::int64_t>> parse_usage(const std::string& body);
// Rough token count of a text (4 bytes a token), used when a server reports no usage.
std::int64_t estimate_tokens(std::string_view text);
// The message of an error body as a server wrote it: OpenAI's {"error": {"message", "type",
// "code"}}, {"error": "X", "message": "..."}, FastAPI's {"detail": ...}; "" when none.
std::string error_body_message(const std::string& body);
// True for OpenAI's "insufficient_quota" 429 (billing, not rate): retrying cannot help.
bool is_quota_error(const std::string& body);
// A short printable excerpt of a body: whitespace collapsed, at most `max` bytes.
std::string body_snippet(const std::string& body, std::size_t max = 160);

}  // namespace automix::live

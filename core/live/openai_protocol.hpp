#pragma once
// What every provider's requests and replies share (sampling, a parsed completion, parse
// options) and the reading of error bodies as OpenAI-compatible servers write them. The wire
// formats themselves are providers (core/live/provider.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace automix::live {

struct Sampling {
    double temperature = 0.0;
    int max_tokens = 64;
    std::vector<std::string> stop;
    int n = 1;                         // samples in one request
    std::optional<std::int64_t> seed;  // makes repeated samples distinct yet reproducible
};

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

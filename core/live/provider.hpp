#pragma once
// An LLM provider: how one wire format asks for a completion and how its reply reads. A model
// in models.json names its provider with "api" ("chat", "completions", "anthropic", ...).
// What every provider shares is written once here: the URL with its query, extra body fields,
// the key's header, and the checks of a reply (echoed prompt, choice order, n, a cut answer,
// no text, no usage). A provider says only what differs, so adding one is one file:
// core/live/providers/<name>.cpp with a class derived from Provider and AUTOMIX_PROVIDER(...).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/live/openai_protocol.hpp"

namespace automix::live {

// What a request is for: the stop sequences differ.
enum class Purpose { Answer, Verify };

// One choice of a reply as the server sent it, before the shared checks.
struct ReplyChoice {
    std::int64_t index = 0;
    // nullopt: no text field at all; a null or non-string value is judged by the caller.
    std::optional<nlohmann::json> text;
    std::string finish;  // "length" when cut at the token limit (in any provider's words), "" when none
};

struct ReplyParts {
    std::vector<ReplyChoice> choices;
    std::optional<std::pair<std::int64_t, std::int64_t>> usage;  // prompt, completion tokens
};

class Provider {
  public:
    virtual ~Provider() = default;
    // The "api" value of models.json.
    virtual std::string name() const = 0;
    // One line for messages ("OpenAI chat completions (POST /chat/completions)").
    virtual std::string description() const = 0;
    // Below base_url: where completions are POSTed, and what a preflight GETs to list models.
    virtual std::string completion_path() const = 0;
    virtual std::string models_path() const { return "/models"; }
    // The request body for one prompt; extra_body is merged in afterwards by request_body().
    virtual nlohmann::json request(const std::string& model_id, const std::string& prompt, const Sampling& s) const = 0;
    // The header lines carrying `key`. `key_header` is the model's api_key_header: "" asks for
    // the provider's own way, a name sends "NAME: KEY" (Azure's api-key). Keys live in memory only.
    virtual std::vector<std::string> auth_headers(const std::string& key, const std::string& key_header) const;
    // Header lines every request of this provider carries (an API version, say).
    virtual std::vector<std::string> fixed_headers() const { return {}; }
    // Whether one request may ask for several samples (n); if not, the pipeline asks one by one.
    virtual bool takes_n() const { return true; }
    // Stop sequences the pipeline sends; a raw completion runs on past the answer without them.
    virtual std::vector<std::string> stop_sequences(Purpose) const { return {}; }
    // The choices and usage of a 2xx body that parsed as a JSON object; nullopt with *why when
    // the body holds no reply in this format.
    virtual std::optional<ReplyParts> read_reply(const nlohmann::json& body, std::string* why) const = 0;
};

using ProviderPtr = std::shared_ptr<const Provider>;

// The registry. The two OpenAI providers are always there; others register from their file.
// Throws std::logic_error for a name already taken.
void register_provider(ProviderPtr provider);
const Provider* find_provider(std::string_view name);  // null when there is none
std::vector<std::string> provider_names();             // sorted
// find_provider that throws std::invalid_argument naming the known providers.
const Provider& provider_for(std::string_view name);

struct ProviderRegistration {
    explicit ProviderRegistration(ProviderPtr p) { register_provider(std::move(p)); }
};

// The OpenAI wire formats, built in: "chat" (/chat/completions) and "completions" (/completions).
const Provider& openai_chat_provider();
const Provider& openai_completions_provider();

// base_url (the API root, "http://127.0.0.1:8080/v1") + the provider's path + "?query".
std::string completion_url(const Provider& p, const std::string& base_url, const std::string& url_query = "");
std::string models_url(const Provider& p, const std::string& base_url, const std::string& url_query = "");
// `extra_body` (a JSON object's text, "" for none) is merged in last: per-model fields such as
// `max_completion_tokens`; a null value removes a field (e.g. "max_tokens": null).
std::string request_body(const Provider& p, const std::string& model_id, const std::string& prompt, const Sampling& s,
                         const std::string& extra_body = "");
// Parses a 2xx body; nullopt (with *why) when it is not a usable completion.
std::optional<Completion> parse_completion(const Provider& p, const std::string& body, const ParseOptions& options,
                                           ParseProblem* why);
// The older strict form (tests, fuzzing): fewer than `expected_choices` choices is a problem.
std::optional<Completion> parse_completion(const Provider& p, const std::string& body, int expected_choices,
                                           std::string* why);
// Token usage of a body, if it reports one (for billed responses that were rejected).
std::optional<std::pair<std::int64_t, std::int64_t>> parse_usage(const Provider& p, const std::string& body);

}  // namespace automix::live

#define AUTOMIX_PROVIDER_CONCAT_INNER(a, b) a##b
#define AUTOMIX_PROVIDER_CONCAT(a, b) AUTOMIX_PROVIDER_CONCAT_INNER(a, b)
// In a provider's file: AUTOMIX_PROVIDER(std::make_shared<MyProvider>());
#define AUTOMIX_PROVIDER(...)                                                                                          \
    static const ::automix::live::ProviderRegistration AUTOMIX_PROVIDER_CONCAT(automix_provider_, __LINE__)(__VA_ARGS__)

#include "core/live/provider.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>

#include "core/data/json_parse.hpp"

namespace automix::live {

using nlohmann::json;

namespace {

struct Registry {
    std::mutex mutex;
    std::map<std::string, ProviderPtr, std::less<>> by_name;
};

// Built on first use, so providers registering from static objects in other files find it
// whatever the order of initialisation; the built-in providers are always in it.
Registry& registry() {
    static Registry* r = [] {
        auto* reg = new Registry;  // never destroyed: lookups may come from other static destructors
        for (const Provider* p : {&openai_chat_provider(), &openai_completions_provider()})
            reg->by_name.emplace(p->name(), ProviderPtr(p, [](const Provider*) {}));
        return reg;
    }();
    return *r;
}

std::string root(const std::string& base_url) {
    std::string url = base_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

}  // namespace

std::vector<std::string> Provider::auth_headers(const std::string& key, const std::string& key_header) const {
    if (key.empty()) return {};
    if (!key_header.empty()) return {key_header + ": " + key};
    return {"Authorization: Bearer " + key};
}

void register_provider(ProviderPtr provider) {
    if (!provider) throw std::logic_error("register_provider: null provider");
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    const std::string name = provider->name();
    if (!r.by_name.emplace(name, std::move(provider)).second)
        throw std::logic_error("register_provider: two providers are named \"" + name + "\"");
}

const Provider* find_provider(std::string_view name) {
    link_registered_providers();
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    const auto it = r.by_name.find(name);
    return it == r.by_name.end() ? nullptr : it->second.get();
}

std::vector<std::string> provider_names() {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    std::vector<std::string> out;
    for (const auto& [name, p] : r.by_name) out.push_back(name);
    return out;
}

const Provider& provider_for(std::string_view name) {
    if (const Provider* p = find_provider(name)) return *p;
    std::string known;
    for (const auto& n : provider_names()) known += (known.empty() ? "\"" : ", \"") + n + "\"";
    throw std::invalid_argument("unknown api \"" + std::string(name) + "\" (known: " + known + ")");
}

std::string completion_url(const Provider& p, const std::string& base_url, const std::string& url_query) {
    return root(base_url) + p.completion_path() + (url_query.empty() ? "" : "?" + url_query);
}

std::string models_url(const Provider& p, const std::string& base_url, const std::string& url_query) {
    return root(base_url) + p.models_path() + (url_query.empty() ? "" : "?" + url_query);
}

std::string request_body(const Provider& p, const std::string& model_id, const std::string& prompt, const Sampling& s,
                         const std::string& extra_body) {
    json j = p.request(model_id, prompt, s);
    if (!extra_body.empty()) {
        const json extra = data::json::parse_limited_or_discarded(extra_body);
        if (extra.is_object())
            for (auto it = extra.begin(); it != extra.end(); ++it) {
                if (it.value().is_null())
                    j.erase(it.key());
                else
                    j[it.key()] = it.value();
            }
    }
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<std::pair<std::int64_t, std::int64_t>> parse_usage(const Provider& p, const std::string& body) {
    const json j = data::json::parse_limited_or_discarded(body);
    if (!j.is_object()) return std::nullopt;
    std::string ignored;
    const auto parts = p.read_reply(j, &ignored);
    return parts ? parts->usage : std::nullopt;
}

std::optional<Completion> parse_completion(const Provider& p, const std::string& body, const ParseOptions& options,
                                           ParseProblem* why) {
    auto fail = [&](std::string reason, bool retryable = true) -> std::optional<Completion> {
        if (why) *why = ParseProblem{std::move(reason), retryable};
        return std::nullopt;
    };
    const json j = data::json::parse_limited_or_discarded(body);
    if (j.is_discarded()) return fail("body is not JSON");
    if (!j.is_object()) return fail("body is not a JSON object");
    std::string problem;
    auto parts = p.read_reply(j, &problem);
    if (!parts) {
        if (j.contains("error")) return fail("the server answered 200 with an error: " + error_body_message(body));
        return fail(problem.empty() ? "no reply in the " + p.name() + " format" : problem);
    }
    if (parts->choices.empty()) return fail("empty `choices` array");
    struct Item {
        std::int64_t index;
        std::string text, finish;
    };
    std::vector<Item> items;
    for (std::size_t i = 0; i < parts->choices.size(); ++i) {
        ReplyChoice& c = parts->choices[i];
        Item item{c.index, {}, std::move(c.finish)};
        const std::string finish_note = item.finish.empty() ? "" : " (finish_reason: " + item.finish + ")";
        // No text at all is never an empty answer: it is a refusal, a filter or a tool call.
        if (!c.text || c.text->is_null())
            return fail(std::string("choice ") + std::to_string(i) + " has no content" +
                            (c.text ? " (content: null)" : "") + finish_note,
                        false);
        if (!c.text->is_string()) return fail("choice text is not a string");
        item.text = c.text->get<std::string>();
        if (item.finish == "length" && !options.allow_length)
            return fail("the answer was cut at max_tokens (finish_reason: length); raise max_tokens for this model",
                        false);
        // An echoing server returns the prompt in front of the generated text.
        if (!options.prompt.empty() && item.text.size() >= options.prompt.size() &&
            std::string_view(item.text).substr(0, options.prompt.size()) == options.prompt)
            item.text.erase(0, options.prompt.size());
        items.push_back(std::move(item));
    }
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.index < b.index; });
    if (static_cast<int>(items.size()) > options.max_choices)
        items.resize(static_cast<std::size_t>(options.max_choices));
    Completion out;
    for (auto& it : items) {
        out.texts.push_back(std::move(it.text));
        out.finish_reasons.push_back(std::move(it.finish));
    }
    if (parts->usage && parts->usage->first >= 0 && parts->usage->second >= 0) {
        out.prompt_tokens = parts->usage->first;
        out.completion_tokens = parts->usage->second;
        out.has_usage = true;
    }
    return out;
}

std::optional<Completion> parse_completion(const Provider& p, const std::string& body, int expected_choices,
                                           std::string* why) {
    ParseOptions o;
    o.max_choices = std::max(1, expected_choices);
    o.allow_length = true;
    ParseProblem problem("");
    auto c = parse_completion(p, body, o, &problem);
    if (c && static_cast<int>(c->texts.size()) < expected_choices) {
        problem = ParseProblem("expected " + std::to_string(expected_choices) + " choices, got " +
                               std::to_string(c->texts.size()));
        c.reset();
    }
    if (!c && why) *why = problem.message;
    return c;
}

}  // namespace automix::live

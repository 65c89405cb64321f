#include "core/live/openai_protocol.hpp"
#include "core/data/json_parse.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace automix::live {

using nlohmann::json;

std::string_view to_string(Api api) {
    return api == Api::Chat ? "chat" : "completions";
}

std::optional<Api> parse_api(std::string_view text) {
    if (text == "chat") return Api::Chat;
    if (text == "completions") return Api::Completions;
    return std::nullopt;
}

std::string completion_url(const std::string& base_url, Api api) {
    std::string url = base_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url + (api == Api::Chat ? "/chat/completions" : "/completions");
}

std::string request_body(Api api, const std::string& model_id, const std::string& prompt, const Sampling& s,
                         const std::string& extra_body) {
    json j = {{"model", model_id}, {"temperature", s.temperature}, {"max_tokens", s.max_tokens}};
    if (api == Api::Chat)
        j["messages"] = json::array({json{{"role", "user"}, {"content", prompt}}});
    else
        j["prompt"] = prompt;
    if (s.n != 1) j["n"] = s.n;
    if (!s.stop.empty()) j["stop"] = s.stop;
    if (s.seed) j["seed"] = *s.seed;
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

std::string sampling_identity(const Sampling& s, const std::string& extra_body) {
    json id = {{"temperature", s.temperature}, {"max_tokens", s.max_tokens}, {"stop", s.stop}};
    if (!extra_body.empty()) id["extra_body"] = data::json::parse_limited_or_discarded(extra_body);
    return id.dump();
}

std::string body_snippet(const std::string& body, std::size_t max) {
    std::string out;
    bool space = false;
    for (char c : body) {
        if (out.size() >= max) {
            out += "...";
            break;
        }
        const auto u = static_cast<unsigned char>(c);
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += u < 0x20 ? '?' : c;
    }
    return out;
}

namespace {

std::string text_of(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return {};
    return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string error_body_message(const std::string& body) {
    const json j = data::json::parse_limited_or_discarded(body);
    if (!j.is_object()) return {};
    if (j.contains("error")) {
        const auto& e = j["error"];
        if (e.is_object()) {
            std::string msg = e.contains("message") ? text_of(e["message"]) : e.dump();
            std::string tag;
            for (const char* k : {"code", "type"})
                if (e.contains(k) && e[k].is_string() && !e[k].get<std::string>().empty()) {
                    tag = e[k].get<std::string>();
                    break;
                }
            return tag.empty() ? msg : msg + " (" + tag + ")";
        }
        std::string msg = text_of(e);
        if (j.contains("message")) msg += (msg.empty() ? "" : ": ") + text_of(j["message"]);
        return msg;
    }
    if (j.contains("detail")) return text_of(j["detail"]);
    if (j.contains("message") && !j.contains("choices")) return text_of(j["message"]);
    return {};
}

bool is_quota_error(const std::string& body) {
    const json j = data::json::parse_limited_or_discarded(body);
    if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return false;
    const auto& e = j["error"];
    for (const char* k : {"code", "type"})
        if (e.contains(k) && e[k].is_string() && e[k].get<std::string>() == "insufficient_quota") return true;
    return false;
}

std::optional<std::pair<std::int64_t, std::int64_t>> parse_usage(const std::string& body) {
    const json j = data::json::parse_limited_or_discarded(body);
    if (!j.is_object() || !j.contains("usage") || !j["usage"].is_object()) return std::nullopt;
    const auto& u = j["usage"];
    std::int64_t pt = 0, ct = 0;
    bool any = false;
    if (u.contains("prompt_tokens") && u["prompt_tokens"].is_number_integer()) {
        pt = u["prompt_tokens"].get<std::int64_t>();
        any = true;
    }
    if (u.contains("completion_tokens") && u["completion_tokens"].is_number_integer()) {
        ct = u["completion_tokens"].get<std::int64_t>();
        any = true;
    }
    if (!any) return std::nullopt;
    return std::make_pair(pt, ct);
}

std::int64_t estimate_tokens(std::string_view text) {
    return static_cast<std::int64_t>((text.size() + 3) / 4);
}

std::optional<Completion> parse_completion(Api api, const std::string& body, const ParseOptions& options,
                                           ParseProblem* why) {
    auto fail = [&](std::string reason, bool retryable = true) -> std::optional<Completion> {
        if (why) *why = ParseProblem{std::move(reason), retryable};
        return std::nullopt;
    };
    json j = data::json::parse_limited_or_discarded(body);
    if (j.is_discarded()) return fail("body is not JSON");
    if (!j.is_object()) return fail("body is not a JSON object");
    if (!j.contains("choices") && j.contains("error"))
        return fail("the server answered 200 with an error: " + error_body_message(body));
    if (!j.contains("choices") || !j["choices"].is_array()) return fail("no `choices` array");
    const auto& choices = j["choices"];
    if (choices.empty()) return fail("empty `choices` array");
    struct Item {
        std::int64_t index;
        std::string text, finish;
    };
    std::vector<Item> items;
    for (std::size_t i = 0; i < choices.size(); ++i) {
        const auto& c = choices[i];
        if (!c.is_object()) return fail("choice is not an object");
        Item item{static_cast<std::int64_t>(i), {}, {}};
        if (c.contains("index") && c["index"].is_number_integer()) item.index = c["index"].get<std::int64_t>();
        if (c.contains("finish_reason") && c["finish_reason"].is_string())
            item.finish = c["finish_reason"].get<std::string>();
        const json* text = nullptr;
        if (api == Api::Chat) {
            if (c.contains("message") && c["message"].is_object() && c["message"].contains("content"))
                text = &c["message"]["content"];
        } else if (c.contains("text")) {
            text = &c["text"];
        }
        const std::string finish_note = item.finish.empty() ? "" : " (finish_reason: " + item.finish + ")";
        // No text at all is never an empty answer: it is a refusal, a filter or a tool call.
        if (!text || text->is_null())
            return fail(std::string("choice ") + std::to_string(i) + " has no content" +
                            (text ? " (content: null)" : "") + finish_note,
                        false);
        if (!text->is_string()) return fail("choice text is not a string");
        item.text = text->get<std::string>();
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
    if (auto u = parse_usage(body)) {
        out.prompt_tokens = u->first;
        out.completion_tokens = u->second;
        out.has_usage = true;
    }
    return out;
}

std::optional<Completion> parse_completion(Api api, const std::string& body, int expected_choices, std::string* why) {
    ParseOptions o;
    o.max_choices = std::max(1, expected_choices);
    o.allow_length = true;
    ParseProblem p("");
    auto c = parse_completion(api, body, o, &p);
    if (c && static_cast<int>(c->texts.size()) < expected_choices) {
        p = ParseProblem("expected " + std::to_string(expected_choices) + " choices, got " +
                         std::to_string(c->texts.size()));
        c.reset();
    }
    if (!c && why) *why = p.message;
    return c;
}

}  // namespace automix::live

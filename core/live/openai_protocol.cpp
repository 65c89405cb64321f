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

std::string request_body(Api api, const std::string& model_id, const std::string& prompt, const Sampling& s) {
    json j = {{"model", model_id}, {"temperature", s.temperature}, {"max_tokens", s.max_tokens}};
    if (api == Api::Chat)
        j["messages"] = json::array({json{{"role", "user"}, {"content", prompt}}});
    else
        j["prompt"] = prompt;
    if (s.n != 1) j["n"] = s.n;
    if (!s.stop.empty()) j["stop"] = s.stop;
    if (s.seed) j["seed"] = *s.seed;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string sampling_identity(const Sampling& s) {
    return json{{"temperature", s.temperature}, {"max_tokens", s.max_tokens}, {"stop", s.stop}}.dump();
}

std::optional<Completion> parse_completion(Api api, const std::string& body, int expected_choices, std::string* why) {
    auto fail = [&](std::string reason) -> std::optional<Completion> {
        if (why) *why = std::move(reason);
        return std::nullopt;
    };
    json j = data::json::parse_limited_or_discarded(body);
    if (j.is_discarded()) return fail("body is not JSON");
    if (!j.is_object() || !j.contains("choices") || !j["choices"].is_array()) return fail("no `choices` array");
    const auto& choices = j["choices"];
    std::vector<std::pair<std::int64_t, std::string>> indexed;
    for (std::size_t i = 0; i < choices.size(); ++i) {
        const auto& c = choices[i];
        if (!c.is_object()) return fail("choice is not an object");
        std::int64_t index = static_cast<std::int64_t>(i);
        if (c.contains("index") && c["index"].is_number_integer()) index = c["index"].get<std::int64_t>();
        const json* text = nullptr;
        if (api == Api::Chat) {
            if (c.contains("message") && c["message"].is_object() && c["message"].contains("content"))
                text = &c["message"]["content"];
        } else if (c.contains("text")) {
            text = &c["text"];
        }
        if (!text) return fail(api == Api::Chat ? "choice without `message.content`" : "choice without `text`");
        if (text->is_null())
            indexed.emplace_back(index, std::string());
        else if (text->is_string())
            indexed.emplace_back(index, text->get<std::string>());
        else
            return fail("choice text is not a string");
    }
    if (static_cast<int>(indexed.size()) < expected_choices)
        return fail("expected " + std::to_string(expected_choices) + " choices, got " + std::to_string(indexed.size()));
    std::stable_sort(indexed.begin(), indexed.end(), [](auto& a, auto& b) { return a.first < b.first; });
    Completion out;
    for (auto& [i, t] : indexed) out.texts.push_back(std::move(t));
    if (j.contains("usage") && j["usage"].is_object()) {
        const auto& u = j["usage"];
        if (u.contains("prompt_tokens") && u["prompt_tokens"].is_number_integer()) {
            out.prompt_tokens = u["prompt_tokens"].get<std::int64_t>();
            out.has_usage = true;
        }
        if (u.contains("completion_tokens") && u["completion_tokens"].is_number_integer()) {
            out.completion_tokens = u["completion_tokens"].get<std::int64_t>();
            out.has_usage = true;
        }
    }
    return out;
}

}  // namespace automix::live

#include "core/live/chat_api.hpp"

#include <algorithm>
#include <cctype>

#include "core/data/json_parse.hpp"

namespace automix::live {

using nlohmann::json;

namespace {

json null_or(const std::string& s) {
    return s.empty() ? json(nullptr) : json(s);
}

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

ApiError bad(std::string message, std::string param = "", std::string code = "") {
    ApiError e;
    e.status = 400;
    e.message = std::move(message);
    e.param = std::move(param);
    e.code = std::move(code);
    return e;
}

// A message's text: a string, or the text parts of a content array (images are refused).
std::optional<std::string> message_text(const json& content, const std::string& where, ApiError* error) {
    if (content.is_string()) return content.get<std::string>();
    if (content.is_null()) return std::string();
    if (!content.is_array()) {
        *error = bad(where + ".content: expected a string or an array of content parts", where + ".content");
        return std::nullopt;
    }
    std::string text;
    for (std::size_t i = 0; i < content.size(); ++i) {
        const json& part = content[i];
        const std::string at = where + ".content[" + std::to_string(i) + "]";
        if (!part.is_object() || !part.contains("type") || !part["type"].is_string()) {
            *error = bad(at + ": expected an object with a `type`", at);
            return std::nullopt;
        }
        if (part["type"] != "text" || !part.contains("text") || !part["text"].is_string()) {
            *error = bad(at + ": only text parts are supported (got type " + part["type"].get<std::string>() + ")", at);
            return std::nullopt;
        }
        if (!text.empty()) text += "\n";
        text += part["text"].get<std::string>();
    }
    return text;
}

std::string role_label(const std::string& role) {
    if (role == "assistant") return "Assistant";
    if (role == "tool" || role == "function") return "Tool";
    return "User";
}

}  // namespace

HttpReply error_reply(const ApiError& e) {
    HttpReply r;
    r.status = e.status;
    r.body = dump(json{
        {"error", {{"message", e.message}, {"type", e.type}, {"param", null_or(e.param)}, {"code", null_or(e.code)}}}});
    return r;
}

std::optional<ChatRequest> parse_chat_request(const std::string& body, ApiError* error) {
    json j;
    try {
        j = data::json::parse_limited(body);
    } catch (const data::json::LimitError& e) {
        *error = bad("We could not parse the JSON body of your request: byte " + std::to_string(e.offset + 1) + ": " +
                     e.what());
        return std::nullopt;
    } catch (const json::parse_error& e) {
        *error = bad("We could not parse the JSON body of your request: invalid JSON at byte " +
                     std::to_string(e.byte) + " (expected a JSON object)");
        return std::nullopt;
    }
    if (!j.is_object()) {
        *error = bad(std::string("the request body must be a JSON object, got ") + j.type_name());
        return std::nullopt;
    }
    ChatRequest req;
    if (!j.contains("model") || !j["model"].is_string() || j["model"].get<std::string>().empty()) {
        *error = bad("you must provide a model parameter (a string such as \"automix\")", "model");
        return std::nullopt;
    }
    req.model = j["model"].get<std::string>();
    if (!j.contains("messages")) {
        *error = bad("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
        return std::nullopt;
    }
    const json& messages = j["messages"];
    if (!messages.is_array() || messages.empty()) {
        *error = bad("'messages' must be a non-empty array of messages", "messages");
        return std::nullopt;
    }
    if (j.contains("stream") && !j["stream"].is_null()) {
        if (!j["stream"].is_boolean()) {
            *error = bad("'stream' must be a boolean", "stream");
            return std::nullopt;
        }
        req.stream = j["stream"].get<bool>();
    }
    if (j.contains("stream_options") && j["stream_options"].is_object()) {
        const json& so = j["stream_options"];
        req.include_usage_in_stream =
            so.contains("include_usage") && so["include_usage"].is_boolean() && so["include_usage"].get<bool>();
    }
    if (j.contains("n") && !j["n"].is_null() && !(j["n"].is_number_integer() && j["n"].get<long long>() == 1)) {
        *error = bad("n: AutoMix answers with one choice; only n = 1 is supported", "n");
        return std::nullopt;
    }
    if (j.contains("automix") && !j["automix"].is_null()) {
        const json& a = j["automix"];
        if (!a.is_object()) {
            *error =
                bad("'automix' must be an object such as {\"gold\": \"Paris\", \"dataset\": \"support\"}", "automix");
            return std::nullopt;
        }
        for (auto it = a.begin(); it != a.end(); ++it) {
            const std::string where = "automix." + it.key();
            if (it.key() != "gold" && it.key() != "dataset") {
                *error = bad(where + ": unknown field (automix takes gold and dataset)", where);
                return std::nullopt;
            }
            if (!it.value().is_string()) {
                *error = bad(where + ": expected a string", where);
                return std::nullopt;
            }
        }
        req.gold = a.value("gold", "");
        req.dataset = a.value("dataset", "");
        const bool name_ok =
            req.dataset.size() <= 64 && std::all_of(req.dataset.begin(), req.dataset.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
            });
        if (!name_ok) {
            *error = bad("automix.dataset: expected up to 64 letters, digits, '_', '-' or '.'", "automix.dataset");
            return std::nullopt;
        }
    }
    std::string system, turns;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const json& m = messages[i];
        const std::string where = "messages[" + std::to_string(i) + "]";
        if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) {
            *error = bad(where + ": expected an object with a string `role`", where);
            return std::nullopt;
        }
        const std::string role = m["role"].get<std::string>();
        static const char* known[] = {"system", "developer", "user", "assistant", "tool", "function"};
        if (std::none_of(std::begin(known), std::end(known), [&](const char* k) { return role == k; })) {
            *error = bad(where + ".role: unknown role '" + role + "' (system, developer, user, assistant, tool)",
                         where + ".role");
            return std::nullopt;
        }
        auto text = message_text(m.contains("content") ? m["content"] : json(nullptr), where, error);
        if (!text) return std::nullopt;
        const bool last = i + 1 == messages.size();
        if (last) {
            if (role != "user") {
                *error = bad(where + ": the last message must be the user's question (role user), got " + role,
                             where + ".role");
                return std::nullopt;
            }
            req.question = std::move(*text);
        } else if (role == "system" || role == "developer") {
            system += (system.empty() ? "" : "\n\n") + *text;
        } else {
            turns += (turns.empty() ? "" : "\n") + role_label(role) + ": " + *text;
        }
    }
    if (req.question.find_first_not_of(" \t\r\n") == std::string::npos) {
        *error = bad("the user's question (last message) is empty", "messages");
        return std::nullopt;
    }
    req.context = system;
    if (!turns.empty()) req.context += (req.context.empty() ? "" : "\n\n") + turns;
    return req;
}

json completion_object(const std::string& id, long long created, const std::string& model, const std::string& content,
                       const json& usage, const json& automix) {
    return json{{"id", id},
                {"object", "chat.completion"},
                {"created", created},
                {"model", model},
                {"choices", json::array({{{"index", 0},
                                          {"message", {{"role", "assistant"}, {"content", content}}},
                                          {"logprobs", nullptr},
                                          {"finish_reason", "stop"}}})},
                {"usage", usage},
                {"automix", automix}};
}

namespace {

json stream_chunk(const std::string& id, long long created, const std::string& model, json delta, json finish) {
    return json{{"id", id},
                {"object", "chat.completion.chunk"},
                {"created", created},
                {"model", model},
                {"choices", json::array({{{"index", 0},
                                          {"delta", std::move(delta)},
                                          {"logprobs", nullptr},
                                          {"finish_reason", std::move(finish)}}})}};
}

std::string sse(const json& j) {
    return "data: " + dump(j) + "\n\n";
}

}  // namespace

std::string stream_role_event(const std::string& id, long long created, const std::string& model) {
    return sse(stream_chunk(id, created, model, {{"role", "assistant"}, {"content", ""}}, nullptr));
}

std::string stream_content_event(const std::string& id, long long created, const std::string& model,
                                 const std::string& text) {
    return sse(stream_chunk(id, created, model, {{"content", text}}, nullptr));
}

std::string stream_end_events(const std::string& id, long long created, const std::string& model, const json& usage,
                              const json& automix, bool include_usage) {
    json last = stream_chunk(id, created, model, json::object(), "stop");
    last["automix"] = automix;
    std::string out = sse(last);
    if (include_usage) {
        json u = stream_chunk(id, created, model, json::object(), nullptr);
        u["choices"] = json::array();
        u["usage"] = usage;
        out += sse(u);
    }
    return out + "data: [DONE]\n\n";
}

std::string stream_error_events(const ApiError& e, const json& automix) {
    json body = json::parse(error_reply(e).body);
    body["error"]["automix"] = automix;
    return sse(body) + "data: [DONE]\n\n";
}

std::string completion_stream(const std::string& id, long long created, const std::string& model,
                              const std::string& content, const json& usage, const json& automix, bool include_usage) {
    std::string out = stream_role_event(id, created, model);
    // Pieces end after whitespace, as token streams do, so a client printing them as they
    // come shows whole words.
    std::size_t at = 0;
    while (at < content.size()) {
        std::size_t end = content.find_first_of(" \n", std::min(content.size(), at + 12));
        end = end == std::string::npos ? content.size() : end + 1;
        out += stream_content_event(id, created, model, content.substr(at, end - at));
        at = end;
    }
    return out + stream_end_events(id, created, model, usage, automix, include_usage);
}

}  // namespace automix::live

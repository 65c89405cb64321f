#include "core/live/openai_protocol.hpp"
#include "core/data/json_parse.hpp"

#include <nlohmann/json.hpp>

namespace automix::live {

using nlohmann::json;

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

std::int64_t estimate_tokens(std::string_view text) {
    return static_cast<std::int64_t>((text.size() + 3) / 4);
}

}  // namespace automix::live

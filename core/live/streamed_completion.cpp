#include "core/live/streamed_completion.hpp"

#include "core/data/json_parse.hpp"

namespace automix::live {

using nlohmann::json;

std::string StreamedCompletion::feed(std::string_view bytes) {
    std::string text;
    for (char c : bytes) {
        if (c != '\n') {
            // Lines are kept as bytes until they end, so a character split across reads is whole again.
            line_ += c;
            continue;
        }
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        if (line_.empty()) {  // a blank line ends an event
            if (!data_.empty()) event(data_, &text);
            data_.clear();
        } else if (line_.rfind("data:", 0) == 0) {
            std::string_view v(line_);
            v.remove_prefix(5);
            if (!v.empty() && v.front() == ' ') v.remove_prefix(1);
            if (!data_.empty()) data_ += '\n';
            data_.append(v);
        }  // comments (":"), event names and ids say nothing about the text
        line_.clear();
    }
    return text;
}

void StreamedCompletion::event(const std::string& data, std::string* text) {
    if (data == "[DONE]") return;
    const json j = data::json::parse_limited_or_discarded(data);
    ++events_;
    if (j.is_discarded()) {  // a garbled event: the answer may miss a piece
        if (error_.is_null()) error_ = {{"message", "a streamed event is not JSON: " + data.substr(0, 80)}};
        return;
    }
    if (!j.is_object()) return;  // not part of the answer
    if (j.contains("error") && !j["error"].is_null()) {
        error_ = j["error"];
        return;
    }
    if (j.contains("usage") && j["usage"].is_object()) usage_ = j["usage"];
    if (!j.contains("choices") || !j["choices"].is_array()) return;
    for (const auto& c : j["choices"]) {
        if (!c.is_object()) continue;
        if (c.contains("index") && c["index"].is_number_integer() && c["index"].get<long long>() != 0) continue;
        const json* piece = nullptr;
        if (chat_) {
            if (c.contains("delta") && c["delta"].is_object() && c["delta"].contains("content"))
                piece = &c["delta"]["content"];
        } else if (c.contains("text")) {
            piece = &c["text"];
        }
        if (piece && piece->is_string()) {
            const auto& s = piece->get_ref<const std::string&>();
            text_ += s;
            *text += s;
        }
        if (c.contains("finish_reason") && c["finish_reason"].is_string())
            finish_ = c["finish_reason"].get<std::string>();
    }
}

std::string StreamedCompletion::assembled(const std::string& raw) const {
    if (events_ == 0) return raw;
    if (!error_.is_null()) return json{{"error", error_}}.dump(-1, ' ', false, json::error_handler_t::replace);
    json choice = {{"index", 0}, {"finish_reason", finish_.empty() ? json(nullptr) : json(finish_)}};
    if (chat_)
        choice["message"] = {{"role", "assistant"}, {"content", text_}};
    else
        choice["text"] = text_;
    json out = {{"choices", json::array({choice})}};
    if (!usage_.is_null()) out["usage"] = usage_;
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string assemble_streamed_body(const std::string& raw, bool chat) {
    StreamedCompletion s(chat);
    s.feed(raw);
    s.finish();
    return s.assembled(raw);
}

std::string streaming_request_body(const std::string& body) {
    json j = data::json::parse_limited_or_discarded(body);
    if (!j.is_object()) return body;
    j["stream"] = true;
    j["stream_options"] = {{"include_usage", true}};
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace automix::live

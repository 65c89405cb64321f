#include "core/demo/json_text.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "core/data/json_scan.hpp"

namespace automix::demo {

void append_json_string(std::string& out, std::string_view s) { data::json::append_quoted(out, s); }

void append_json_number(std::string& out, double v) {
    if (!std::isfinite(v)) throw std::invalid_argument("JSON cannot hold a non-finite number");
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    const std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));
    out += text;
    // Python writes integral floats as "1.0"; to_chars writes "1".
    if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

void append_json_string_array(std::string& out, const std::vector<std::string>& items) {
    out += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        append_json_string(out, items[i]);
    }
    out += ']';
}

void JsonObject::key(std::string_view k) {
    if (!first_) text_ += ", ";
    first_ = false;
    append_json_string(text_, k);
    text_ += ": ";
}

JsonObject& JsonObject::string(std::string_view k, std::string_view value) {
    key(k);
    append_json_string(text_, value);
    return *this;
}

JsonObject& JsonObject::number(std::string_view k, double value) {
    key(k);
    append_json_number(text_, value);
    return *this;
}

JsonObject& JsonObject::integer(std::string_view k, long long value) {
    key(k);
    text_ += std::to_string(value);
    return *this;
}

JsonObject& JsonObject::strings(std::string_view k, const std::vector<std::string>& values) {
    key(k);
    append_json_string_array(text_, values);
    return *this;
}

JsonObject& JsonObject::raw(std::string_view k, std::string_view json) {
    key(k);
    text_ += json;
    return *this;
}

std::string JsonObject::finish() {
    text_ += '}';
    return std::move(text_);
}

}  // namespace automix::demo

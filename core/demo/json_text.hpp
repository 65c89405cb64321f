#pragma once
// Minimal JSON text building with a fixed key order and exact number formatting,
// so generated files are byte-for-byte reproducible (nlohmann::json would reorder keys).
#include <string>
#include <string_view>
#include <vector>

namespace automix::demo {

// Appends s as a JSON string literal (UTF-8 kept as is; control characters escaped).
void append_json_string(std::string& out, std::string_view s);
// Shortest text that reads back to the same double, written like Python's repr
// ("1.0", "0.5", "0.6666666666666666") so the files look like the public release.
void append_json_number(std::string& out, double v);
void append_json_string_array(std::string& out, const std::vector<std::string>& items);

// Builds one JSON object, keys in call order: {"a": 1, "b": "x"} with ", " and ": "
// separators (the style of Python's json.dumps, which produced the release files).
class JsonObject {
  public:
    JsonObject& string(std::string_view key, std::string_view value);
    JsonObject& number(std::string_view key, double value);
    JsonObject& integer(std::string_view key, long long value);
    JsonObject& strings(std::string_view key, const std::vector<std::string>& values);
    JsonObject& raw(std::string_view key, std::string_view json);  // already-encoded value
    std::string finish();                                          // the text, with the closing brace

  private:
    void key(std::string_view k);
    std::string text_ = "{";
    bool first_ = true;
};

}  // namespace automix::demo

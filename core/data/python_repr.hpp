#pragma once
// Parses a Python `repr()` of a list of strings, e.g. "['a', \"it's\", 'b\\n']".
// Some AutoMix releases store `llama13b_ver` that way (a string, not a JSON array).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace automix::data {

struct ReprError {
    std::size_t offset;  // byte offset in the repr text
    std::string message;
};

// Throws ReprError on anything that is not a list of string literals.
std::vector<std::string> parse_python_string_list(std::string_view repr);

}  // namespace automix::data

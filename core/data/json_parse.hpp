#pragma once
// nlohmann parses under the program's JSON limits (json_scan.hpp): nesting at most
// json::kMaxDepth levels and numbers within the double range. nlohmann itself parses
// iteratively but copies and dumps recursively, so a 100 000-level value must never get in.
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/data/json_scan.hpp"

namespace automix::data::json {

// A limit (or, when asked, a duplicate key) broken; what() is the reason alone.
struct LimitError : std::runtime_error {
    LimitError(std::size_t at, const std::string& why) : std::runtime_error(why), offset(at) {}
    std::size_t offset;  // byte offset into the parsed text
};

// Throws LimitError for a limit or, with refuse_duplicate_keys, a key repeated in one object;
// nlohmann's parse_error for bad grammar.
template <class Json = nlohmann::json>
Json parse_limited(std::string_view text, bool refuse_duplicate_keys = false) {
    try {
        check_limits(text, refuse_duplicate_keys);
    } catch (const ScanError& e) {
        throw LimitError(e.offset, e.message);
    }
    // A second guard on nlohmann's own view of the depth, should the two grammars ever differ.
    typename Json::parser_callback_t guard = [](int depth, typename Json::parse_event_t, Json&) {
        if (depth > kMaxDepth) throw LimitError(0, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
        return true;
    };
    return Json::parse(text.begin(), text.end(), guard);
}

// As parse_limited, but a discarded value instead of any exception (for `parse(..., false)` callers).
template <class Json = nlohmann::json>
Json parse_limited_or_discarded(std::string_view text) {
    try {
        return parse_limited<Json>(text);
    } catch (const LimitError&) {
    } catch (const nlohmann::json::exception&) {
    }
    return Json(Json::value_t::discarded);
}

}  // namespace automix::data::json

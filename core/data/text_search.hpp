#pragma once
// Substring search for the query table's filter: ASCII letters compared case-insensitively,
// every other byte (UTF-8 included) exactly. Ten million rows are searched on every edit of
// the filter, so the search looks at 16 candidate places at a time.
#include <string_view>

namespace automix::data {

// ASCII lower-case of one byte; other bytes unchanged.
inline char fold_ascii(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Whether `hay` contains `needle` up to ASCII case; `needle` must be folded already
// (fold_ascii on each byte). An empty needle is everywhere.
bool contains_folded(std::string_view hay, std::string_view needle);

}  // namespace automix::data

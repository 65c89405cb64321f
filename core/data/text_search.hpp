#pragma once
// Substring search for the query table's filter: ASCII letters compared case-insensitively,
// every other byte (UTF-8 included) exactly. Ten million rows are searched on every edit of
// the filter, so the search looks at 16 candidate places at a time.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "core/data/dataset.hpp"

namespace automix::data {

// ASCII lower-case of one byte; other bytes unchanged.
inline char fold_ascii(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Whether `hay` contains `needle` up to ASCII case; `needle` must be folded already
// (fold_ascii on each byte). An empty needle is everywhere.
bool contains_folded(std::string_view hay, std::string_view needle);

// Whether row `r`'s id, question, gold answer or any model's answer contains `needle` (folded).
bool row_contains(const Dataset& ds, RowIndex r, std::string_view needle);

// One byte per row of `ds`, 1 where row_contains: the table's search over every row at once, so
// that it can run off the GUI thread and serve any scope. `keep_going(done, total)` is asked
// every 65 536 rows; when it says false the search stops and the result is empty.
std::vector<std::uint8_t> rows_containing(const Dataset& ds, std::string_view needle,
                                          const std::function<bool(std::size_t, std::size_t)>& keep_going = {});

}  // namespace automix::data

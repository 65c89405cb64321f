#include "core/data/text_search.hpp"

#include <algorithm>
#include <cstddef>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace automix::data {

namespace {

bool equal_folded(const char* hay, std::string_view needle) {
    for (std::size_t i = 0; i < needle.size(); ++i)
        if (fold_ascii(hay[i]) != needle[i]) return false;
    return true;
}

}  // namespace

bool contains_folded(std::string_view hay, std::string_view needle) {
    const std::size_t m = needle.size(), n = hay.size();
    if (m == 0) return true;
    if (n < m) return false;
    const char* h = hay.data();
    const char first = needle.front(), last = needle.back();
    const std::size_t candidates = n - m + 1;  // starts 0 .. n - m
    std::size_t i = 0;
#if defined(__SSE2__)
    // Starts whose byte matches the needle's first byte and whose byte m - 1 further on matches
    // its last, sixteen at a time (the loads stay inside `hay`). OR-ing 0x20 into a byte maps
    // exactly 'X' and 'x' to 'x', so it is done only where the needle has a letter.
    auto case_bit = [](char c) { return _mm_set1_epi8(c >= 'a' && c <= 'z' ? 0x20 : 0); };
    const __m128i want_first = _mm_set1_epi8(first), want_last = _mm_set1_epi8(last);
    const __m128i first_case = case_bit(first), last_case = case_bit(last);
    for (; i + 16 <= candidates; i += 16) {
        const __m128i a = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i)), first_case);
        const __m128i b = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i + m - 1)), last_case);
        auto starts = static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, want_first),
                                                                            _mm_cmpeq_epi8(b, want_last))));
        for (; starts != 0; starts &= starts - 1)
            if (equal_folded(h + i + static_cast<std::size_t>(__builtin_ctz(starts)), needle)) return true;
    }
#endif
    for (; i < candidates; ++i)
        if (fold_ascii(h[i]) == first && fold_ascii(h[i + m - 1]) == last && equal_folded(h + i, needle)) return true;
    return false;
}

bool row_contains(const Dataset& ds, RowIndex r, std::string_view needle) {
    if (contains_folded(ds.id[r], needle) || contains_folded(ds.question[r], needle) ||
        contains_folded(ds.gold[r], needle))
        return true;
    for (const ModelColumns& m : ds.models)
        if (contains_folded(m.answer[r], needle)) return true;
    return false;
}

std::vector<std::uint8_t> rows_containing(const Dataset& ds, std::string_view needle,
                                          const std::function<bool(std::size_t, std::size_t)>& keep_going) {
    const std::size_t n = ds.size();
    std::vector<std::uint8_t> match(n, 0);
    constexpr std::size_t kStep = 65536;
    for (std::size_t begin = 0; begin < n; begin += kStep) {
        if (keep_going && !keep_going(begin, n)) return {};
        const std::size_t end = std::min(n, begin + kStep);
        for (std::size_t r = begin; r < end; ++r) match[r] = row_contains(ds, static_cast<RowIndex>(r), needle) ? 1 : 0;
    }
    if (keep_going) keep_going(n, n);
    return match;
}

}  // namespace automix::data

// Verifier verdicts by lower-cased substring search (method §3). The phrases are ASCII,
// so ASCII lower-casing finds exactly what Python's str.lower() would: no non-ASCII
// character lower-cases into one of the phrase's letters. Multibyte UTF-8 sequences
// are left untouched (all their bytes are >= 0x80).
#include "core/scoring/verifier.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace automix::scoring {

namespace {

constexpr std::string_view kVerdictPhrase = "the ai generated answer is";
constexpr std::string_view kCorrectTail = " correct";  // kVerdictPhrase + this = the "correct" phrase
constexpr std::size_t kLen = kVerdictPhrase.size();    // 26
static_assert(kLen >= 24 && kLen <= 32 && kCorrectTail.size() == 8);

std::uint64_t load8(const char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}

// A text compared with ASCII lower-casing, eight bytes at a time: OR-ing 0x20 into a byte maps
// exactly 'X' and 'x' to 'x', so the letters' bytes get 0x20 and the spaces' bytes nothing.
struct Pattern {
    std::uint64_t word[4], mask[4];
    std::size_t at[4];
    std::size_t words;
    Pattern(std::string_view lower, std::size_t n) : words(n) {
        char m[32] = {};
        for (std::size_t i = 0; i < lower.size(); ++i) m[i] = lower[i] >= 'a' && lower[i] <= 'z' ? 0x20 : 0;
        for (std::size_t k = 0; k < n; ++k) {
            at[k] = std::min(8 * k, lower.size() - 8);  // the last word overlaps its neighbour
            word[k] = load8(lower.data() + at[k]);
            mask[k] = load8(m + at[k]);
        }
    }
    bool matches(const char* p) const {
        for (std::size_t k = 0; k < words; ++k)
            if ((load8(p + at[k]) | mask[k]) != word[k]) return false;
        return true;
    }
};

const Pattern& verdict_pattern() {
    static const Pattern p(kVerdictPhrase, 4);
    return p;
}
const Pattern& tail_pattern() {
    static const Pattern p(kCorrectTail, 1);
    return p;
}

char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// True when the byte at `at` is the letter of an escape sequence (an odd run of backslashes
// before it).
bool escaped(const char* d, std::size_t at) {
    std::size_t run = 0;
    while (at > run && d[at - run - 1] == '\\') ++run;
    return run % 2 == 1;
}

// No lower-cased copy: every place where the verdict phrase may start is checked in place.
// The "correct" phrase is the verdict phrase followed by " correct", so a sample is Correct
// when some occurrence of the verdict phrase continues that way, Incorrect when some
// occurrence does not (and none does), None without one: the same answers as two substring
// searches in the lower-cased text (the phrase cannot overlap itself).
// `json_body`: the text is the inside of a JSON string token without \u escapes. Its other
// escapes decode to bytes outside the phrases, and a phrase byte can only be part of one as
// the letter after a backslash, which only the leading 't' can be: so the decoded text has an
// occurrence exactly where the raw text has one whose 't' is not escaped.
Verdict find_verdict(std::string_view text, bool json_body) {
    if (text.size() < kLen) return Verdict::None;
    const char* d = text.data();
    const std::size_t n = text.size();
    const std::size_t last = n - kLen;  // candidate starts are 0..last
    const Pattern& phrase = verdict_pattern();
    const Pattern& tail = tail_pattern();
    bool any = false;
    auto check = [&](std::size_t at) {
        if (!phrase.matches(d + at) || (json_body && escaped(d, at))) return false;
        any = true;
        return at + kLen + kCorrectTail.size() <= n && tail.matches(d + at + kLen);
    };
    std::size_t i = 0;
#if defined(__SSE2__)
    // Candidates: 't' or 'T' at the start and 's' or 'S' at the end of the phrase (OR 0x20 maps
    // exactly those two bytes to the lower-case letter); the last block overlaps the one before.
    if (last + 1 >= 16) {
        const __m128i case_bit = _mm_set1_epi8(0x20);
        const __m128i first = _mm_set1_epi8('t');
        const __m128i final = _mm_set1_epi8('s');
        std::size_t done = 0;  // candidates below this were looked at
        for (;;) {
            const std::size_t base = std::min(i, last + 1 - 16);
            const __m128i a = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(d + base)), case_bit);
            const __m128i b =
                _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(d + base + kLen - 1)), case_bit);
            auto mask = static_cast<unsigned>(
                _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, final))));
            mask &= ~0u << (done - base);  // done - base < 16
            while (mask != 0) {
                if (check(base + static_cast<std::size_t>(__builtin_ctz(mask)))) return Verdict::Correct;
                mask &= mask - 1;
            }
            done = base + 16;
            if (done > last) break;
            i = done;
        }
        return any ? Verdict::Incorrect : Verdict::None;
    }
#endif
    for (; i <= last; ++i)
        if (ascii_lower(d[i]) == 't' && check(i)) return Verdict::Correct;
    return any ? Verdict::Incorrect : Verdict::None;
}

}  // namespace

Verdict verdict(std::string_view sample) {
    return find_verdict(sample, false);
}

Verdict verdict_of_json_body(std::string_view body) {
    return find_verdict(body, true);
}

VerdictCounts count_verdicts(const std::vector<std::string>& samples) {
    VerdictCounts counts;
    for (const auto& s : samples) {
        switch (verdict(s)) {
        case Verdict::Correct: ++counts.correct; break;
        case Verdict::Incorrect: ++counts.incorrect; break;
        case Verdict::None: ++counts.none; break;
        }
    }
    return counts;
}

double verifier_confidence(const std::vector<std::string>& samples) {
    const VerdictCounts c = count_verdicts(samples);
    const int denominator = c.correct + c.incorrect;
    if (denominator == 0) return 0.0;
    return static_cast<double>(c.correct) / static_cast<double>(denominator);
}

}  // namespace automix::scoring

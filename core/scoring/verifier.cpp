// Verifier verdicts by lower-cased substring search (method §3). The phrases are ASCII,
// so ASCII lower-casing finds exactly what Python's str.lower() would: no non-ASCII
// character lower-cases into one of the phrase's letters. Multibyte UTF-8 sequences
// are left untouched (all their bytes are >= 0x80).
#include "core/scoring/verifier.hpp"
#include "core/scoring/utf8.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
// One pass over a JSON sample token, with AVX2 where the processor has it (see scan_json_sample).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define AUTOMIX_SAMPLE_SCAN 1
#include <immintrin.h>
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
// Built at compile time; the vector scan (scan_json_sample) reads `lower` and `case_bits` too.
struct Pattern {
    std::array<char, 32> lower{}, case_bits{};
    std::uint64_t word[4]{}, mask[4]{};
    std::size_t at[4]{};
    std::size_t words = 0;
    constexpr Pattern(std::string_view text, std::size_t n) : words(n) {
        for (std::size_t i = 0; i < text.size(); ++i) {
            lower[i] = text[i];
            case_bits[i] = text[i] >= 'a' && text[i] <= 'z' ? 0x20 : 0;
        }
        for (std::size_t k = 0; k < n; ++k) {
            at[k] = std::min(8 * k, text.size() - 8);  // the last word overlaps its neighbour
            word[k] = pack8(lower, at[k]);
            mask[k] = pack8(case_bits, at[k]);
        }
    }
    bool matches(const char* p) const {
        for (std::size_t k = 0; k < words; ++k)
            if ((load8(p + at[k]) | mask[k]) != word[k]) return false;
        return true;
    }

  private:
    // The eight bytes at `from` as load8 would read them from memory.
    static constexpr std::uint64_t pack8(const std::array<char, 32>& bytes, std::size_t from) {
        std::array<char, 8> eight{};
        for (std::size_t i = 0; i < 8; ++i) eight[i] = bytes[from + i];
        return std::bit_cast<std::uint64_t>(eight);
    }
};

constexpr Pattern kPhrase(kVerdictPhrase, 4), kTail(kCorrectTail, 1);

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
    const Pattern& phrase = kPhrase;
    const Pattern& tail = kTail;
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

#if defined(AUTOMIX_SAMPLE_SCAN)
namespace {

__attribute__((target("avx2"))) std::optional<JsonSampleScan> scan_json_sample_avx2(const char* open,
                                                                                    const char* limit) {
    auto load16 = [](const char* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); };
    // The phrase is 26 bytes: two overlapping 16-byte words, at 0 and at 10.
    const __m128i want_a = load16(kPhrase.lower.data()), case_a = load16(kPhrase.case_bits.data());
    const __m128i want_b = load16(kPhrase.lower.data() + 10), case_b = load16(kPhrase.case_bits.data() + 10);
    auto phrase_at = [&](const char* q) {
        const __m128i a = _mm_cmpeq_epi8(_mm_or_si128(load16(q), case_a), want_a);
        const __m128i b = _mm_cmpeq_epi8(_mm_or_si128(load16(q + 10), case_b), want_b);
        return _mm_movemask_epi8(_mm_and_si128(a, b)) == 0xFFFF;
    };
    const __m256i case_bit = _mm256_set1_epi8(0x20), first = _mm256_set1_epi8('t'), final = _mm256_set1_epi8('s');
    const __m256i quote = _mm256_set1_epi8('"'), backslash = _mm256_set1_epi8('\\');
    // Room for a block, the phrase's last letter loaded 25 bytes on, and a phrase + tail match
    // starting in the block's last byte.
    constexpr std::ptrdiff_t kRoom = 32 + kLen + 8;
    bool any = false, correct = false;
    const char* p = open + 1;
    while (limit - p >= kRoom) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        // Quote, backslash, control bytes and (signed compare) bytes >= 0x80.
        const auto special = static_cast<std::uint32_t>(_mm256_movemask_epi8(
            _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, backslash)),
                            _mm256_cmpgt_epi8(case_bit, v))));
        // Phrase starts before the first special byte: no phrase holds a quote or a backslash,
        // so a match never reaches past the token's end or into an escape, and an escape's
        // letter (the 't' of \t) is never a start, as the next block begins after it.
        if (!correct) {
            const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + kLen - 1));
            auto starts = static_cast<std::uint32_t>(
                _mm256_movemask_epi8(_mm256_and_si256(_mm256_cmpeq_epi8(_mm256_or_si256(v, case_bit), first),
                                                      _mm256_cmpeq_epi8(_mm256_or_si256(w, case_bit), final))));
            if (special != 0) starts &= (std::uint32_t{1} << __builtin_ctz(special)) - 1;
            for (; starts != 0 && !correct; starts &= starts - 1) {
                const char* at = p + __builtin_ctz(starts);
                if (!phrase_at(at)) continue;
                any = true;
                correct = kTail.matches(at + kLen);
            }
        }
        if (special == 0) {
            p += 32;
            continue;
        }
        const char* s = p + __builtin_ctz(special);
        if (*s == '"')
            return JsonSampleScan{s + 1, correct ? Verdict::Correct : any ? Verdict::Incorrect : Verdict::None};
        if (*s != '\\') return std::nullopt;  // a control byte or non-ASCII: validated elsewhere
        if (!is_short_json_escape(s[1])) return std::nullopt;  // \u (decoded first) or an invalid escape
        p = s + 2;
    }
    return std::nullopt;
}

}  // namespace
#endif

std::optional<JsonSampleScan> scan_json_sample(const char* open, const char* limit) {
#if defined(AUTOMIX_SAMPLE_SCAN)
    static const bool avx2 = __builtin_cpu_supports("avx2");
    if (avx2 && open < limit && *open == '"') return scan_json_sample_avx2(open, limit);
#else
    (void)open, (void)limit;
#endif
    return std::nullopt;
}

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

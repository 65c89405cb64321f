// Verifier verdicts by lower-cased substring search (spec §3). The phrases are ASCII,
// so ASCII lower-casing finds exactly what Python's str.lower() would: no non-ASCII
// character lower-cases into one of the phrase's letters. Multibyte UTF-8 sequences
// are left untouched (all their bytes are >= 0x80).
#include "core/scoring/verifier.hpp"

namespace automix::scoring {

namespace {

constexpr std::string_view kCorrectPhrase = "the ai generated answer is correct";
constexpr std::string_view kVerdictPhrase = "the ai generated answer is";

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

Verdict verdict(std::string_view sample) {
    const std::string lower = ascii_lower(sample);
    // "is correct" also matches "is correctly"; a sample with both phrases counts as correct.
    if (lower.find(kCorrectPhrase) != std::string::npos) return Verdict::Correct;
    if (lower.find(kVerdictPhrase) != std::string::npos) return Verdict::Incorrect;
    return Verdict::None;
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

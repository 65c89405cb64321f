#pragma once
// Verifier confidence from raw self-verification samples (method §3).
#include <string>
#include <string_view>
#include <vector>

namespace automix::scoring {

enum class Verdict { Correct, Incorrect, None };

// "the ai generated answer is correct" (lower-cased substring) -> Correct;
// else "the ai generated answer is" -> Incorrect; else None.
Verdict verdict(std::string_view sample);
// The verdict of the text a JSON string token decodes to, from the inside of the token (no
// quotes) when it has no \u escapes (other escapes are fine): no decoding needed.
Verdict verdict_of_json_body(std::string_view body);
// (#Correct) / (#Correct + #Incorrect); 0 when no sample has a verdict.
double verifier_confidence(const std::vector<std::string>& samples);

struct VerdictCounts {
    int correct = 0, incorrect = 0, none = 0;
};
VerdictCounts count_verdicts(const std::vector<std::string>& samples);

}  // namespace automix::scoring

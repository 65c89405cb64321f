#pragma once
// Verifier confidence from raw self-verification samples (method §3).
#include <optional>
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
// For the loaders: a JSON string token (`open` on its opening quote, `limit` the end of the
// readable bytes) read and judged in one pass, when it is plain: ASCII without control
// characters, escapes other than \u. The verdict of the text it decodes to, and the byte after
// its closing quote. nullopt for any other token, and for one ending less than 66 bytes before
// `limit` (the vector loads read ahead): the caller then validates
// and decodes it the general way (which also reports what is wrong with it).
struct JsonSampleScan {
    const char* end;
    Verdict verdict;
};
std::optional<JsonSampleScan> scan_json_sample(const char* open, const char* limit);
// (#Correct) / (#Correct + #Incorrect); 0 when no sample has a verdict.
double verifier_confidence(const std::vector<std::string>& samples);

struct VerdictCounts {
    int correct = 0, incorrect = 0, none = 0;
};
VerdictCounts count_verdicts(const std::vector<std::string>& samples);

}  // namespace automix::scoring

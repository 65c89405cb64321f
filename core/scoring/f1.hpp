#pragma once
// SQuAD-style answer scoring (method §3).
#include <string>
#include <string_view>
#include <vector>

namespace automix::scoring {

// Lower-case, strip ASCII punctuation, drop articles a/an/the, collapse whitespace.
std::string normalize_answer(std::string_view s);
std::vector<std::string> tokens(std::string_view normalized);
// Token F1 of prediction vs gold after normalisation; empty vs empty = 1.
double f1(std::string_view prediction, std::string_view gold);
// Multiple choice (quality): 1 when the chosen option letter matches gold's, else 0.
double option_letter_score(std::string_view prediction, std::string_view gold);
// The option letter a text picks ("(B) blue" -> 'B'), or 0 when none.
char option_letter(std::string_view text);
// The letter of the option in `question` ("... (A) red (B) blue ...") whose text equals
// `answer` after normalisation, or 0.
char option_letter_in_question(std::string_view question, std::string_view answer);
// As above, but a gold answer given as the option's text ("blue") is matched against
// the options listed in the question. The prediction still has to name a letter.
double option_letter_score(std::string_view prediction, std::string_view gold, std::string_view question);
// The score the release data uses for a dataset: option letter for `quality`, F1 otherwise.
double answer_score(std::string_view dataset, std::string_view prediction, std::string_view gold);
double answer_score(std::string_view dataset, std::string_view prediction, std::string_view gold,
                    std::string_view question);

}  // namespace automix::scoring

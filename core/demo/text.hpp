#pragma once
// Synthetic passages, questions and model answers for the demo generator.
// Each dataset gets its own shape (contract NLI, conversational QA, story QA,
// paper QA with unanswerable questions, multiple choice), built from word lists.
#include <cstddef>
#include <string>
#include <vector>

#include "core/demo/rng.hpp"

namespace automix::demo {

enum class DemoDataset { Cnli, Coqa, NarrativeQa, Qasper, Quality };
inline constexpr int kDemoDatasetCount = 5;
const char* dataset_name(DemoDataset d);

// How well a simulated model did on a question; the answer text is built to match and
// its score is then *computed* from it against the gold answer (core/scoring).
enum class Outcome { Exact, Partial, Wrong };

struct QuestionItem {
    std::string context;
    std::string question;
    std::string gold;
    // Plausible wrong answers of the same kind (other people, places, labels, options...).
    std::vector<std::string> distractors;
    // Words from the context a verbose answer may add.
    std::vector<std::string> padding;
    // Multiple choice (quality): the options in order and the gold's index.
    std::vector<std::string> options;
    std::size_t gold_option = 0;
};

// A passage and one question about it. Contexts are padded with more sentences until
// they hold at least min_context_bytes (0 = their natural length of a few sentences).
QuestionItem make_question(DemoDataset d, Rng& rng, std::size_t min_context_bytes);

// A model's answer with the given outcome.
std::string make_answer(const QuestionItem& item, DemoDataset d, Outcome outcome, Rng& rng);

// k self-verification completions; each states "correct" with probability p_correct,
// "incorrect" otherwise, or (with probability no_verdict_rate) no verdict at all.
std::vector<std::string> make_verifier_samples(Rng& rng, double p_correct, double no_verdict_rate, int k);

}  // namespace automix::demo

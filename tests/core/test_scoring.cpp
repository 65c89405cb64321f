// SQuAD F1, option-letter scoring and verifier confidence (method §3), on hand-worked cases.
#include <QtTest>

#include <map>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "core/scoring/f1.hpp"
#include "core/scoring/verifier.hpp"

using namespace automix::scoring;

class TestScoring : public QObject {
    Q_OBJECT
  private slots:
    void normalisesCaseWhitespaceAndPunctuation() {
        QCOMPARE(normalize_answer("  Hello,   World!  "), std::string("hello world"));
        QCOMPARE(normalize_answer("don't"),
                 std::string("dont"));  // removed, not replaced by a space
        QCOMPARE(normalize_answer("a-b_c"), std::string("abc"));
        QCOMPARE(normalize_answer("tab\there\nnewline"), std::string("tab here newline"));
        QCOMPARE(normalize_answer(""), std::string());
        QCOMPARE(normalize_answer("?!..."), std::string());
    }
    void dropsArticlesOnlyAsWholeWords() {
        QCOMPARE(normalize_answer("The cat and a dog ate an apple"), std::string("cat and dog ate apple"));
        QCOMPARE(normalize_answer("theatre another anathema"), std::string("theatre another anathema"));
        QCOMPARE(normalize_answer("THE AN A"), std::string());
        // Punctuation goes first, so "the," is still the article.
        QCOMPARE(normalize_answer("the, end"), std::string("end"));
        // ... and "the-end" becomes one word "theend", which is not an article.
        QCOMPARE(normalize_answer("the-end"), std::string("theend"));
        // Like the official script's regex \b(a|an|the)\b: a Unicode dash or a zero-width
        // space is not a word character, so "the" next to it is still an article...
        QCOMPARE(normalize_answer("the\xE2\x80\x94"
                                  "end"),
                 std::string("\xE2\x80\x94"
                             "end"));  // the—end
        QCOMPARE(normalize_answer("the\xE2\x80\x8B"
                                  "end"),
                 std::string("\xE2\x80\x8B"
                             "end"));
        // ... and so is a combining accent: "the" + U+0301 leaves the lone accent.
        QCOMPARE(normalize_answer("the\xCC\x81"), std::string("\xCC\x81"));
        // Superscript two is alphanumeric, so "a²" is one word.
        QCOMPARE(normalize_answer("a\xC2\xB2"), std::string("a\xC2\xB2"));
    }
    void handlesUnicodeWithoutCorruptingIt() {
        QCOMPARE(normalize_answer("\xC3\x9C"
                                  "ber \xC3\x89"
                                  "COLE"),  // "Über ÉCOLE"
                 std::string("\xC3\xBC"
                             "ber \xC3\xA9"
                             "cole"));                                                  // "über école"
        QCOMPARE(normalize_answer("\xCE\x91\xCE\x92\xCE\x93"),                          // "ΑΒΓ"
                 std::string("\xCE\xB1\xCE\xB2\xCE\xB3"));                              // "αβγ"
        QCOMPARE(normalize_answer("\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0"),  // "Москва"
                 std::string("\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0"));      // "москва"
        // Python's lower(): final sigma at the end of a word, İ -> i + combining dot,
        // fullwidth letters.
        QCOMPARE(normalize_answer("\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3"),   // "ΟΔΟΣ"
                 std::string("\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x82"));       // "οδος"
        QCOMPARE(normalize_answer("\xCE\xA3\xCE\x9F\xCE\xA3 \xCE\xA3"),  // "ΣΟΣ Σ"
                 std::string("\xCF\x83\xCE\xBF\xCF\x82 \xCF\x83"));      // "σος σ"
        QCOMPARE(normalize_answer("\xC4\xB0stanbul"), std::string("i\xCC\x87stanbul"));
        QCOMPARE(normalize_answer("\xEF\xBC\xA1\xEF\xBC\xA2"), std::string("\xEF\xBD\x81\xEF\xBD\x82"));
        // CJK has no case and no spaces: one token, bytes unchanged.
        QCOMPARE(normalize_answer("\xE6\x9D\xB1\xE4\xBA\xAC"), std::string("\xE6\x9D\xB1\xE4\xBA\xAC"));
        // A non-breaking space separates words (Python's str.split does), a zero-width
        // space does not.
        QCOMPARE(normalize_answer("x\xC2\xA0y"), std::string("x y"));
        QCOMPARE(normalize_answer("x\xE2\x80\x8By"), std::string("x\xE2\x80\x8By"));
        // Unicode punctuation is not ASCII punctuation and stays (as in the official script).
        QCOMPARE(normalize_answer("\xE2\x80\x9Cquoted\xE2\x80\x9D"), std::string("\xE2\x80\x9Cquoted\xE2\x80\x9D"));
        // Combining marks are kept in place.
        QCOMPARE(normalize_answer("Cafe\xCC\x81"), std::string("cafe\xCC\x81"));
        // Invalid UTF-8 bytes pass through untouched instead of being dropped or crashing.
        QCOMPARE(normalize_answer("A\xFF"
                                  "B"),
                 std::string("a\xFF"
                             "b"));
        QCOMPARE(normalize_answer("\xC3"), std::string("\xC3"));
    }
    void tokensSplitOnSingleSpaces() {
        QCOMPARE(tokens("cat sat"), (std::vector<std::string>{"cat", "sat"}));
        QVERIFY(tokens("").empty());
    }
    void f1HandWorked() {
        // pred {cat, sat}, gold {cat, sat, on, mat}: 2 common, P = 1, R = 1/2, F1 = 2/3.
        QCOMPARE(f1("The Cat sat.", "cat sat on the mat"), 2.0 / 3.0);
        // Word order does not matter.
        QCOMPARE(f1("a b c", "c b a"), 1.0);
        // Multiset overlap: pred {blue, blue, red}, gold {blue, red, red}: common 2,
        // P = R = 2/3, F1 = 2/3.
        QCOMPARE(f1("blue blue red", "blue red red"), 2.0 / 3.0);
        // One common word out of 1 predicted and 4 gold: P = 1, R = 1/4, F1 = 0.4.
        QCOMPARE(f1("Paris", "in the city of Paris"), 0.4);
        QCOMPARE(f1("London", "Paris"), 0.0);
        QCOMPARE(f1("\xC3\x9C"
                    "BER",
                    "\xC3\xBC"
                    "ber"),
                 1.0);
    }
    void f1EmptyCases() {
        QCOMPARE(f1("", ""), 1.0);
        QCOMPARE(f1("the", "!!"), 1.0);  // both normalise to empty
        QCOMPARE(f1("", "something"), 0.0);
        QCOMPARE(f1("something", ""), 0.0);
        QCOMPARE(f1("an", "answer"), 0.0);
    }
    void optionLetters() {
        QCOMPARE(option_letter("(B) blue"), 'B');
        QCOMPARE(option_letter("The answer is (c)."), 'C');
        QCOMPARE(option_letter("D"), 'D');
        QCOMPARE(option_letter(" C)"), 'C');
        QCOMPARE(option_letter("A. red"), 'A');
        QCOMPARE(option_letter("A dog barked"), '\0');  // the article, not an option
        QCOMPARE(option_letter("blue"), '\0');
        QCOMPARE(option_letter(""), '\0');
    }
    void optionLetterScore() {
        QCOMPARE(option_letter_score("(B) blue", "(B) blue"), 1.0);
        QCOMPARE(option_letter_score("B", "(B) blue"), 1.0);
        QCOMPARE(option_letter_score("(B) red", "(B) blue"), 1.0);  // the letter decides
        QCOMPARE(option_letter_score("(C) blue", "(B) blue"), 0.0);
        QCOMPARE(option_letter_score("blue", "(B) blue"), 0.0);  // no letter chosen
        QCOMPARE(option_letter_score("(B)", "blue"), 0.0);       // gold names no option
    }
    void goldGivenAsOptionText() {
        const std::string question = "What did Anna find? (A) the red key (B) a blue box (C) the map";
        QCOMPARE(option_letter_in_question(question, "blue box"), 'B');  // article dropped
        QCOMPARE(option_letter_in_question(question, "The map."), 'C');
        QCOMPARE(option_letter_in_question(question, "red"), '\0');  // whole option only
        QCOMPARE(option_letter_in_question(question, ""), '\0');
        QCOMPARE(option_letter_in_question("no options here", "map"), '\0');
        QCOMPARE(option_letter_score("(B)", "blue box", question), 1.0);
        QCOMPARE(option_letter_score("B)'.", "blue box", question), 1.0);
        QCOMPARE(option_letter_score("(A) the red key", "blue box", question), 0.0);
        // The prediction must name a letter, even when its text is the right option.
        QCOMPARE(option_letter_score("a blue box", "blue box", question), 0.0);
        // A gold with its own letter wins over the question.
        QCOMPARE(option_letter_score("(C)", "(C) the map", question), 1.0);
        QCOMPARE(answer_score("quality", "(B)", "blue box", question), 1.0);
        QCOMPARE(answer_score("coqa", "blue box", "a blue box", question), 1.0);
    }
    void matchesTheOracleSampleScores() {
        // The oracle sample's f1 and p_ver_13b columns were computed by the reference
        // tooling; every one must come out identical from core/scoring.
        gzFile f = gzopen(AUTOMIX_TEST_DATA "/oracle/sample_seed1.jsonl.gz", "rb");
        QVERIFY(f);
        std::string text;
        char buffer[1 << 16];
        int n = 0;
        while ((n = gzread(f, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
        gzclose(f);
        std::size_t rows = 0, start = 0;
        std::map<std::string, int> per_dataset;
        while (start < text.size()) {
            std::size_t end = text.find('\n', start);
            if (end == std::string::npos) end = text.size();
            if (end == start) break;
            const auto row = nlohmann::json::parse(text.substr(start, end - start));
            start = end + 1;
            ++rows;
            const std::string dataset = row["dataset"], gold = row["output"], question = row["question"];
            per_dataset[dataset]++;
            const std::string id = row["id"];
            QVERIFY2(answer_score(dataset, row["llama13b_pred_ans"].get<std::string>(), gold, question) ==
                         row["llama13b_f1"].get<double>(),
                     id.c_str());
            QVERIFY2(answer_score(dataset, row["llama70b_pred_ans"].get<std::string>(), gold, question) ==
                         row["llama70b_f1"].get<double>(),
                     id.c_str());
            QVERIFY2(verifier_confidence(row["llama13b_ver"].get<std::vector<std::string>>()) ==
                         row["p_ver_13b"].get<double>(),
                     id.c_str());
        }
        QCOMPARE(rows, std::size_t(4000));
        QCOMPARE(per_dataset.size(), std::size_t(5));
    }
    void verdicts() {
        QCOMPARE(verdict("So the AI generated answer is correct."), Verdict::Correct);
        QCOMPARE(verdict("THE AI GENERATED ANSWER IS CORRECT"), Verdict::Correct);
        QCOMPARE(verdict("The AI generated answer is incorrect."), Verdict::Incorrect);
        QCOMPARE(verdict("The AI Generated Answer is INCORRECT"), Verdict::Incorrect);
        // "is correctly" contains "is correct".
        QCOMPARE(verdict("The AI generated answer is correctly grounded."), Verdict::Correct);
        // Any continuation of "... answer is" that is not "correct" is a negative verdict.
        QCOMPARE(verdict("The AI generated answer is partially right."), Verdict::Incorrect);
        // Both phrases in one sample: correct wins.
        QCOMPARE(verdict("The AI generated answer is incorrect. No wait, the AI generated answer "
                         "is correct."),
                 Verdict::Correct);
        QCOMPARE(verdict("It is correct."), Verdict::None);
        QCOMPARE(verdict(""), Verdict::None);
        QCOMPARE(verdict("The AI  generated answer is correct."), Verdict::None);  // two spaces
        // Non-ASCII bytes around the phrase do not disturb the match.
        QCOMPARE(verdict("\xC3\x89tant donn\xC3\xA9: the AI generated answer is correct \xE2\x9C\x93"),
                 Verdict::Correct);
    }
    void confidence() {
        // 2 correct, 1 incorrect, 1 without verdict: 2 / 3.
        const std::vector<std::string> samples = {"The AI generated answer is correct.",
                                                  "the ai generated answer is CORRECT",
                                                  "The AI generated answer is incorrect.", "I am not sure."};
        QCOMPARE(verifier_confidence(samples), 2.0 / 3.0);
        const VerdictCounts c = count_verdicts(samples);
        QCOMPARE(c.correct, 2);
        QCOMPARE(c.incorrect, 1);
        QCOMPARE(c.none, 1);

        QCOMPARE(verifier_confidence({}), 0.0);
        QCOMPARE(verifier_confidence({"no verdict", "none here either"}), 0.0);
        QCOMPARE(verifier_confidence({"The AI generated answer is incorrect."}), 0.0);
        QCOMPARE(verifier_confidence({"The AI generated answer is correct."}), 1.0);

        // 32 samples, 11 correct and 21 incorrect: 11/32 = 0.34375 exactly.
        std::vector<std::string> k32;
        for (int i = 0; i < 11; ++i) k32.push_back("The AI generated answer is correct.");
        for (int i = 0; i < 21; ++i) k32.push_back("The AI generated answer is incorrect.");
        QCOMPARE(verifier_confidence(k32), 0.34375);
    }
};

QTEST_GUILESS_MAIN(TestScoring)
#include "test_scoring.moc"

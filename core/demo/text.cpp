#include "core/demo/text.hpp"

#include <algorithm>
#include <string_view>

#include "core/scoring/f1.hpp"

namespace automix::demo {

namespace {

const char* const kFirstNames[] = {"Anna",  "Bruno",  "Clara", "Dmitri", "Elena",  "Farid",  "Greta", "Hugo",
                                   "Ines",  "Jonas",  "Keiko", "Liam",   "Maria",  "Nadia",  "Oscar", "Priya",
                                   "Quinn", "Rosa",   "Samir", "Tomas",  "Ursula", "Victor", "Wanda", "Xavier",
                                   "Yara",  "Zoltan", "Amara", "Boris",  "Chloe",  "Diego"};
const char* const kLastNames[] = {"Lopez", "Novak",  "Okafor",  "Petrov",  "Quist",  "Rahman", "Silva", "Tanaka",
                                  "Ueda",  "Varga",  "Weber",   "Xu",      "Young",  "Zhang",  "Adler", "Brandt",
                                  "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito",   "Jensen"};
struct Verb {
    const char* past;
    const char* base;
};
const Verb kVerbs[] = {{"found", "find"},        {"repaired", "repair"},  {"painted", "paint"},
                       {"sold", "sell"},         {"buried", "bury"},      {"stole", "steal"},
                       {"carried", "carry"},     {"hid", "hide"},         {"opened", "open"},
                       {"delivered", "deliver"}, {"lost", "lose"},        {"borrowed", "borrow"},
                       {"built", "build"},       {"cleaned", "clean"},    {"photographed", "photograph"},
                       {"wrapped", "wrap"},      {"measured", "measure"}, {"guarded", "guard"}};
const char* const kAdjectives[] = {"red",     "old",   "broken",  "silver", "wooden", "heavy",   "tiny",   "golden",
                                   "rusty",   "green", "ancient", "narrow", "bright", "secret",  "empty",  "fragile",
                                   "painted", "iron",  "velvet",  "copper", "hollow", "striped", "frozen", "quiet"};
const char* const kNouns[] = {"lantern",   "map",    "violin", "compass",  "letter",   "key",    "clock",   "box",
                              "boat",      "statue", "ring",   "kettle",   "mirror",   "ledger", "bicycle", "painting",
                              "telescope", "chest",  "bell",   "notebook", "umbrella", "anchor", "carpet",  "radio"};
const char* const kPlaceAdjectives[] = {"north", "south", "old",   "east",  "west",
                                        "upper", "lower", "royal", "stone", "little"};
const char* const kPlaceNouns[] = {"harbour", "mill",    "market", "library", "bridge", "chapel", "station",   "garden",
                                   "tower",   "orchard", "bakery", "quarry",  "square", "school", "lighthouse"};
const char* const kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                               "July",    "August",   "September", "October", "November", "December"};
const char* const kFillers[] = {"The weather turned cold that week.",
                                "Nobody in the village talked about it for years.",
                                "The town council met every Thursday evening.",
                                "A storm had damaged several roofs the winter before.",
                                "Children played by the river until dark.",
                                "The old road was closed for repairs.",
                                "Letters from the city arrived only twice a month.",
                                "Most families kept a small garden behind the house.",
                                "The baker opened his shop before sunrise.",
                                "Travellers often stopped at the inn on their way north."};

// qasper: paper-like passages.
const char* const kMethods[] = {"GraphTagger", "LexiNet", "DeepAlign", "SparseBERT", "TreeFormer",
                                "CopyGen",     "QuillQA", "MetaParse", "RankFuse",   "SpanCraft"};
const char* const kCorpora[] = {"SQuAD", "WikiQA",   "SNLI", "CoNLL-2003", "MultiWOZ", "OntoNotes",
                                "XNLI",  "HotpotQA", "TREC", "AG News",    "PubMedQA", "FEVER"};
const char* const kBaselines[] = {"BiLSTM-CRF",       "BERT-base", "RoBERTa-large", "a logistic regression",
                                  "TF-IDF retrieval", "fastText",  "ELMo",          "T5-small"};
const char* const kMetrics[] = {"F1", "accuracy", "BLEU", "exact match", "recall", "ROUGE-L"};
const char* const kTasks[] = {"named entity recognition", "question answering", "text classification",
                              "machine translation",      "summarisation",      "relation extraction"};
const char* const kLanguages[] = {"English", "German", "Chinese", "Spanish", "Hindi", "Arabic"};
const char* const kSources[] = {"Amazon Mechanical Turk", "a university", "a news agency", "Wikipedia editors",
                                "a hospital"};
const char* const kPaperFillers[] = {"We release our code and data to the community.",
                                     "Section 4 discusses the limitations of this work.",
                                     "Hyper-parameters were tuned on the development set.",
                                     "All results are averaged over five runs.",
                                     "Prior work has mostly focused on high-resource settings.",
                                     "Error analysis shows that long inputs remain difficult.",
                                     "We leave multilingual evaluation to future work.",
                                     "The appendix lists the full set of hyper-parameters."};
const char* const kUnanswerableQuestions[] = {"What hardware was used for training?", "How long did training take?",
                                              "What is the size of the vocabulary?", "Who funded this work?",
                                              "How many annotators labelled each example?"};

// cnli: contract clauses.
const char* const kCompanies[] = {"Arbor Systems Ltd",     "Bluefin Analytics Inc", "Cedar Health LLC",
                                  "Delta Robotics GmbH",   "Everline Media SA",     "Foxglove Labs Ltd",
                                  "Granite Logistics Inc", "Harbor Foods LLC"};
const char* const kInformation[] = {"technical data",       "customer lists",   "pricing information", "source code",
                                    "financial statements", "product roadmaps", "supplier contracts",  "trade secrets"};
const char* const kStates[] = {"New York", "Delaware", "California", "England and Wales",
                               "Ontario",  "Texas",    "Bavaria",    "Singapore"};
const char* const kLabels[] = {"Entailment", "Contradiction", "Neutral"};

// Verifier completions.
const char* const kCorrectVerdicts[] = {"The AI generated answer is correct.", "So the AI generated answer is correct.",
                                        "The AI Generated Answer is CORRECT",
                                        "Therefore, the AI generated answer is correct.",
                                        "the AI generated answer is correctly supported by the context."};
const char* const kIncorrectVerdicts[] = {
    "The AI generated answer is incorrect.", "So the AI generated answer is incorrect.",
    "The AI Generated Answer is INCORRECT", "Therefore, the AI generated answer is incorrect.",
    "The AI generated answer is not supported by the context."};
const char* const kSupportingReasons[] = {"The context states this directly.", "This matches the passage.",
                                          "The passage mentions it in the second sentence.", "Stated.",
                                          "Implied by the context."};
const char* const kOpposingReasons[] = {"The context says otherwise.", "Nothing in the passage supports this.",
                                        "The passage names someone else.", "Not stated.", "Implied otherwise."};
const char* const kNoVerdicts[] = {"The context does not mention this.", "Verification: unclear.",
                                   "I cannot verify the answer from the context.", "Let me re-read the context.", ""};

template <std::size_t N>
std::size_t count_of(const char* const (&)[N]) {
    return N;
}

// Distinct indices into an array of n items.
std::vector<std::size_t> distinct_indices(Rng& rng, std::size_t n, std::size_t count) {
    std::vector<std::size_t> all(n);
    for (std::size_t i = 0; i < n; ++i) all[i] = i;
    for (std::size_t i = 0; i < count && i < n; ++i) std::swap(all[i], all[i + rng.below(n - i)]);
    all.resize(std::min(count, n));
    return all;
}

template <class T>
void shuffle(std::vector<T>& v, Rng& rng) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

std::vector<std::string> split_words(const std::string& s) {
    std::vector<std::string> out;
    std::string word;
    for (char c : s) {
        if (c == ' ') {
            if (!word.empty()) out.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) out.push_back(word);
    return out;
}

std::string capitalised(std::string s) {
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s;
}

// One event of a story: somebody did something to an object at a place in a month.
struct Fact {
    std::string first, last, verb_past, verb_base, object, place, month;
    std::string full_name() const { return first + " " + last; }
    std::string sentence() const {
        return "In " + month + ", " + full_name() + " went to the " + place + " and " + verb_past + " the " + object +
               ".";
    }
};

std::vector<Fact> make_facts(Rng& rng, std::size_t count) {
    const auto people = distinct_indices(rng, count_of(kFirstNames), count);
    const auto objects = distinct_indices(rng, count_of(kNouns), count);
    std::vector<Fact> facts;
    for (std::size_t i = 0; i < people.size(); ++i) {
        const Verb& verb = rng.pick(kVerbs);
        Fact f;
        f.first = kFirstNames[people[i]];
        f.last = rng.pick(kLastNames);
        f.verb_past = verb.past;
        f.verb_base = verb.base;
        f.object = std::string(rng.pick(kAdjectives)) + " " + kNouns[objects[i]];
        // Drawn one by one: the operands of + have no set order, and the shipped demo files were
        // made with GCC's (right first).
        const std::string noun = rng.pick(kPlaceNouns);
        f.place = std::string(rng.pick(kPlaceAdjectives)) + " " + noun;
        f.month = rng.pick(kMonths);
        facts.push_back(std::move(f));
    }
    return facts;
}

template <std::size_t N>
std::string story_context(const std::vector<Fact>& facts, Rng& rng, const char* const (&fillers)[N],
                          std::size_t min_bytes) {
    std::vector<std::string> sentences;
    for (const auto& f : facts) sentences.push_back(f.sentence());
    const std::size_t filler_count = 1 + rng.below(3);
    for (std::size_t i = 0; i < filler_count; ++i) sentences.push_back(rng.pick(fillers));
    shuffle(sentences, rng);
    std::string text = join(sentences, " ");
    while (text.size() < min_bytes) {
        text += ' ';
        text += rng.pick(fillers);
    }
    return text;
}

void add_padding_words(QuestionItem& item, const Fact& f) {
    item.padding = {"near the " + f.place, "in " + f.month, f.verb_past};
}

QuestionItem story_question(Rng& rng, std::size_t min_bytes, bool long_answers) {
    const auto facts = make_facts(rng, 3 + rng.below(3));
    QuestionItem item;
    item.context = story_context(facts, rng, kFillers, min_bytes);
    const Fact& f = facts[0];
    add_padding_words(item, f);
    const std::size_t kind = rng.below(long_answers ? 4 : 5);
    for (std::size_t i = 1; i < facts.size(); ++i) {
        const Fact& other = facts[i];
        switch (kind) {
        case 0: item.distractors.push_back(long_answers ? other.full_name() : other.first); break;
        case 1:
            item.distractors.push_back(long_answers ? other.verb_past + " the " + other.object : "the " + other.object);
            break;
        case 2: item.distractors.push_back("the " + other.place); break;
        case 3: item.distractors.push_back("in " + other.month); break;
        default: break;
        }
    }
    switch (kind) {
    case 0:
        item.question = "Who " + f.verb_past + " the " + f.object + "?";
        item.gold = long_answers ? f.full_name() : f.first;
        break;
    case 1:
        if (long_answers) {
            item.question = "What did " + f.full_name() + " do at the " + f.place + "?";
            item.gold = f.verb_past + " the " + f.object;
        } else {
            item.question = "What did " + f.first + " " + f.verb_base + "?";
            item.gold = "the " + f.object;
        }
        break;
    case 2:
        item.question = "Where did " + f.first + " " + f.verb_base + " the " + f.object + "?";
        item.gold = long_answers ? "at the " + f.place + " in " + f.month : "the " + f.place;
        break;
    case 3:
        item.question = "When did " + f.first + " go to the " + f.place + "?";
        item.gold = long_answers ? "in " + f.month + ", to " + f.verb_base + " the " + f.object : "in " + f.month;
        break;
    default: {
        // Yes/no question (conversational QA has many of these).
        const bool yes = rng.chance(0.5);
        const std::string& object = yes ? f.object : facts[1].object;
        item.question = "Did " + f.first + " " + f.verb_base + " the " + object + "?";
        item.gold = yes ? "yes" : "no";
        item.distractors = {yes ? "no" : "yes"};
        break;
    }
    }
    return item;
}

QuestionItem quality_question(Rng& rng, std::size_t min_bytes) {
    const auto facts = make_facts(rng, 4 + rng.below(2));
    QuestionItem item;
    item.context = story_context(facts, rng, kFillers, min_bytes);
    const Fact& f = facts[0];
    add_padding_words(item, f);
    const std::size_t kind = rng.below(3);
    auto option_of = [kind](const Fact& x) {
        return kind == 0 ? x.full_name() : kind == 1 ? "the " + x.object : "the " + x.place;
    };
    switch (kind) {
    case 0: item.question = "Who " + f.verb_past + " the " + f.object + "?"; break;
    case 1: item.question = "What did " + f.full_name() + " " + f.verb_base + "?"; break;
    default: item.question = "Where did " + f.full_name() + " go in " + f.month + "?"; break;
    }
    for (std::size_t i = 0; i < 4; ++i) item.options.push_back(option_of(facts[i]));
    shuffle(item.options, rng);
    const std::string right = option_of(f);
    for (std::size_t i = 0; i < item.options.size(); ++i) {
        if (item.options[i] == right) item.gold_option = i;
        item.question += std::string(" (") + static_cast<char>('A' + i) + ") " + item.options[i];
    }
    item.gold = std::string("(") + static_cast<char>('A' + item.gold_option) + ") " + right;
    return item;
}

QuestionItem qasper_question(Rng& rng, std::size_t min_bytes) {
    const std::string method = rng.pick(kMethods);
    const auto corpora = distinct_indices(rng, count_of(kCorpora), 3);
    const auto baselines = distinct_indices(rng, count_of(kBaselines), 2);
    const std::string d1 = kCorpora[corpora[0]], d2 = kCorpora[corpora[1]], unused = kCorpora[corpora[2]];
    const std::string baseline = kBaselines[baselines[0]], other_baseline = kBaselines[baselines[1]];
    const std::string metric = rng.pick(kMetrics), task = rng.pick(kTasks);
    const std::size_t language_index = rng.below(count_of(kLanguages));
    const std::string language = kLanguages[language_index], source = rng.pick(kSources);
    const std::string other_language =
        kLanguages[(language_index + 1 + rng.below(count_of(kLanguages) - 1)) % count_of(kLanguages)];
    const std::string tenths = std::to_string(rng.below(10));  // drawn first, as above
    const std::string gain = std::to_string(1 + rng.below(9)) + "." + tenths;

    std::vector<std::string> sentences = {
        "We present " + method + ", a new approach to " + task + ".",
        "We evaluate " + method + " on " + d1 + " and " + d2 + ".",
        "Compared with " + baseline + ", " + method + " improves " + metric + " by " + gain + " points.",
        "All experiments use " + language + " data.", "Annotations were collected from " + source + "."};
    const std::size_t filler_count = 1 + rng.below(3);
    for (std::size_t i = 0; i < filler_count; ++i) sentences.push_back(rng.pick(kPaperFillers));
    shuffle(sentences, rng);
    QuestionItem item;
    item.context = join(sentences, " ");
    while (item.context.size() < min_bytes) item.context += std::string(" ") + rng.pick(kPaperFillers);
    item.padding = {"on " + d1, "using " + metric, "in " + language};

    if (rng.chance(0.15)) {
        item.question = rng.pick(kUnanswerableQuestions);
        item.gold = "unanswerable";
        item.distractors = {d1, baseline, gain + " points", language};
        return item;
    }
    switch (rng.below(6)) {
    case 0:
        item.question = "Which datasets do they evaluate on?";
        item.gold = d1 + " and " + d2;
        item.distractors = {d1 + " and " + unused, unused, baseline};
        break;
    case 1:
        item.question = "What baseline do they compare against?";
        item.gold = baseline;
        item.distractors = {other_baseline, method, d1};
        break;
    case 2:
        item.question = "How much does " + method + " improve " + metric + "?";
        item.gold = gain + " points";
        item.distractors = {std::to_string(2 + rng.below(20)) + " points", "significantly", metric};
        break;
    case 3:
        item.question = "What language is the data in?";
        item.gold = language;
        item.distractors = {other_language, "multilingual"};
        break;
    case 4:
        item.question = "Where do the annotations come from?";
        item.gold = source;
        item.distractors = {"crowdworkers", "the authors", language + " speakers"};
        break;
    default: {
        const bool yes = rng.chance(0.5);
        item.question = "Do they compare against " + (yes ? baseline : other_baseline) + "?";
        item.gold = yes ? "Yes" : "No";
        item.distractors = {yes ? "No" : "Yes"};
        break;
    }
    }
    return item;
}

QuestionItem cnli_question(Rng& rng, std::size_t min_bytes) {
    const auto parties = distinct_indices(rng, count_of(kCompanies), 2);
    const auto info = distinct_indices(rng, count_of(kInformation), 3);
    const auto states = distinct_indices(rng, count_of(kStates), 2);
    const std::string discloser = kCompanies[parties[0]], recipient = kCompanies[parties[1]];
    const std::string info1 = kInformation[info[0]], info2 = kInformation[info[1]], info_absent = kInformation[info[2]];
    const std::string state = kStates[states[0]], other_state = kStates[states[1]];
    const std::size_t days = 10 * (1 + rng.below(9)), years = 1 + rng.below(5);

    std::vector<std::string> clauses = {
        "Confidential Information includes " + info1 + " and " + info2 + ".",
        "The Receiving Party shall not disclose Confidential Information to any third party "
        "without the prior written consent of the Disclosing Party.",
        "The Receiving Party may share Confidential Information with its employees who need to "
        "know it.",
        "The Receiving Party shall return or destroy all Confidential Information within " + std::to_string(days) +
            " days of termination.",
        "This Agreement is governed by the laws of " + state + ".",
        "The obligations of this Agreement survive for " + std::to_string(years) + " years after termination."};
    shuffle(clauses, rng);
    std::string text = "This Non-Disclosure Agreement is made between " + discloser + " (the Disclosing Party) and " +
                       recipient + " (the Receiving Party).";
    for (std::size_t i = 0; i < clauses.size(); ++i) text += " " + std::to_string(i + 1) + ". " + clauses[i];
    std::size_t next_clause = clauses.size() + 1;
    while (text.size() < min_bytes) {
        text += " " + std::to_string(next_clause++) + ". Notices under this Agreement shall be given in writing.";
    }

    QuestionItem item;
    item.context = std::move(text);
    const double u = rng.uniform();
    const std::size_t label = u < 0.45 ? 0 : u < 0.65 ? 1 : 2;  // release-like label mix
    const std::size_t variant = rng.below(4);
    switch (label) {
    case 0: {
        const std::string hypotheses[] = {"Receiving Party may share some Confidential Information with its employees.",
                                          "The " + info1 + " of the Disclosing Party are confidential.",
                                          "The agreement is governed by the laws of " + state + ".",
                                          "Confidential Information must be returned or destroyed after termination."};
        item.question = hypotheses[variant];
        break;
    }
    case 1: {
        const std::string hypotheses[] = {
            "Receiving Party may disclose Confidential Information to any third party freely.",
            "The agreement is governed by the laws of " + other_state + ".",
            "Receiving Party may keep Confidential Information indefinitely after termination.",
            "Receiving Party may not share Confidential Information with its own employees."};
        item.question = hypotheses[variant];
        break;
    }
    default: {
        const std::string hypotheses[] = {"Receiving Party must pay a fee to access the " + info_absent + ".",
                                          "Receiving Party may reverse engineer the Disclosing Party's products.",
                                          "Receiving Party shall notify the Disclosing Party of any court order.",
                                          "Some obligations apply to the affiliates of the Receiving Party."};
        item.question = hypotheses[variant];
        break;
    }
    }
    item.gold = kLabels[label];
    for (std::size_t i = 0; i < 3; ++i)
        if (i != label) item.distractors.push_back(kLabels[i]);
    return item;
}

// Same meaning after normalisation, different surface (case, article, full stop, or the
// release's stray "'." suffix).
std::string exact_variant(const std::string& gold, Rng& rng) {
    const double u = rng.uniform();
    if (u < 0.45) return gold;
    if (u < 0.65) return capitalised(gold);
    if (u < 0.85) return capitalised(gold) + ".";
    if (u < 0.93) return gold + "'.";
    return gold.rfind("the ", 0) == 0 ? gold.substr(4) : gold;
}

// A partly right answer: drop, add or swap words of the gold answer.
std::string partial_variant(const QuestionItem& item, Rng& rng) {
    const auto gold_words = split_words(item.gold);
    for (int attempt = 0; attempt < 6; ++attempt) {
        std::vector<std::string> words = gold_words;
        const std::size_t how = rng.below(3);
        if (how == 0 && words.size() >= 2) {
            words.erase(words.begin() + static_cast<long>(rng.below(words.size())));
        } else if (how == 1 || words.size() < 2) {
            const std::size_t extra = 1 + rng.below(3);
            for (std::size_t i = 0; i < extra; ++i) {
                const std::string& w = item.padding[rng.below(item.padding.size())];
                for (auto& part : split_words(w)) words.push_back(part);
            }
        } else if (!item.distractors.empty()) {
            const auto other = split_words(item.distractors[rng.below(item.distractors.size())]);
            if (!other.empty()) words[rng.below(words.size())] = other[rng.below(other.size())];
        }
        std::string candidate = capitalised(join(words, " "));
        const double score = scoring::f1(candidate, item.gold);
        if (score > 0.0 && score < 1.0) return candidate;
    }
    return item.gold + " " + item.padding.front();
}

std::string wrong_variant(const QuestionItem& item, Rng& rng) {
    const bool unrelated = item.distractors.empty() || rng.chance(0.1);
    if (unrelated && !item.padding.empty()) {
        // A fluent but unrelated phrase built from the context.
        return capitalised(item.padding[rng.below(item.padding.size())]);
    }
    if (item.distractors.empty()) return "I don't know";
    const std::string& d = item.distractors[rng.below(item.distractors.size())];
    return rng.chance(0.8) ? d : capitalised(d) + ".";
}

std::string quality_answer(const QuestionItem& item, Outcome outcome, Rng& rng) {
    std::size_t choice = item.gold_option;
    if (outcome != Outcome::Exact) {
        choice = (item.gold_option + 1 + rng.below(item.options.size() - 1)) % item.options.size();
        // Sometimes the model names an option without its letter, which scores 0.
        if (rng.chance(0.06)) return item.options[item.gold_option];
    }
    const char letter = static_cast<char>('A' + choice);
    const double u = rng.uniform();
    if (u < 0.6) return std::string("(") + letter + ") " + item.options[choice];
    if (u < 0.8) return std::string("(") + letter + ")";
    if (u < 0.92) return std::string(1, letter);
    return std::string(1, letter) + ")'.";
}

std::string qasper_answer(const QuestionItem& item, Outcome outcome, Rng& rng) {
    if (item.gold == "unanswerable") {
        if (outcome == Outcome::Exact) {
            const double u = rng.uniform();
            return u < 0.7 ? "unanswerable" : u < 0.85 ? "Unanswerable" : "unanswerable.";
        }
        if (outcome == Outcome::Partial) return "The paper does not say, so unanswerable";
        return wrong_variant(item, rng);
    }
    if (outcome == Outcome::Wrong) {
        // Models often give up on answerable questions; the empty and lower-case forms are
        // what FixedAnswerRouting catches.
        const double u = rng.uniform();
        if (u < 0.14) return "unanswerable";
        if (u < 0.19) return "Unanswerable";
        if (u < 0.23) return "";
        return wrong_variant(item, rng);
    }
    return outcome == Outcome::Exact ? exact_variant(item.gold, rng) : partial_variant(item, rng);
}

}  // namespace

const char* dataset_name(DemoDataset d) {
    switch (d) {
    case DemoDataset::Cnli: return "cnli";
    case DemoDataset::Coqa: return "coqa";
    case DemoDataset::NarrativeQa: return "narrative_qa";
    case DemoDataset::Qasper: return "qasper";
    case DemoDataset::Quality: return "quality";
    }
    return "?";
}

QuestionItem make_question(DemoDataset d, Rng& rng, std::size_t min_context_bytes) {
    switch (d) {
    case DemoDataset::Cnli: return cnli_question(rng, min_context_bytes);
    case DemoDataset::Coqa: return story_question(rng, min_context_bytes, false);
    case DemoDataset::NarrativeQa: return story_question(rng, min_context_bytes, true);
    case DemoDataset::Qasper: return qasper_question(rng, min_context_bytes);
    case DemoDataset::Quality: return quality_question(rng, min_context_bytes);
    }
    return {};
}

std::string make_answer(const QuestionItem& item, DemoDataset d, Outcome outcome, Rng& rng) {
    switch (d) {
    case DemoDataset::Quality: return quality_answer(item, outcome, rng);
    case DemoDataset::Qasper: return qasper_answer(item, outcome, rng);
    case DemoDataset::Cnli:
        // Labels are all or nothing: a "partial" label is a wrong one.
        if (outcome == Outcome::Exact) return exact_variant(item.gold, rng);
        return wrong_variant(item, rng);
    default:
        if (outcome == Outcome::Exact) return exact_variant(item.gold, rng);
        if (outcome == Outcome::Partial) return partial_variant(item, rng);
        return wrong_variant(item, rng);
    }
}

std::vector<std::string> make_verifier_samples(Rng& rng, double p_correct, double no_verdict_rate, int k) {
    std::vector<std::string> samples;
    samples.reserve(static_cast<std::size_t>(k));
    for (int i = 0; i < k; ++i) {
        if (rng.chance(no_verdict_rate)) {
            samples.emplace_back(rng.pick(kNoVerdicts));
            continue;
        }
        const bool correct = rng.chance(p_correct);
        std::string text;
        if (rng.chance(0.5)) {
            text = std::string(" ") + (correct ? rng.pick(kSupportingReasons) : rng.pick(kOpposingReasons)) + "\n";
        }
        text += correct ? rng.pick(kCorrectVerdicts) : rng.pick(kIncorrectVerdicts);
        samples.push_back(std::move(text));
    }
    return samples;
}

}  // namespace automix::demo

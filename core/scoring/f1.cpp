// SQuAD-style normalisation and token F1, written to agree with the official
// evaluation script (which the reference code uses) on every input, including
// non-ASCII text: Python's str.lower() and str.split() are Unicode-aware, so we
// decode UTF-8 for those two steps instead of working byte by byte.
#include "core/scoring/f1.hpp"

#include <algorithm>
#include <cstdint>
#include <unordered_map>

#include "core/scoring/utf8.hpp"

namespace automix::scoring {

namespace {

// Decodes one UTF-8 code point starting at s[i]. Returns its length in bytes
// (1 for an invalid byte, which is then passed through unchanged).
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    std::size_t len = 0;
    char32_t value = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2;
        value = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3;
        value = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4;
        value = b0 & 0x07;
    } else {
        cp = 0xFFFFFFFF;  // stray continuation or invalid lead byte (kInvalid)
        return 1;
    }
    if (i + len > s.size()) {
        cp = 0xFFFFFFFF;
        return 1;
    }
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) {
            cp = 0xFFFFFFFF;
            return 1;
        }
        value = (value << 6) | (b & 0x3F);
    }
    // Reject overlong encodings so that re-encoding gives back the same bytes.
    const bool overlong = (len == 2 && value < 0x80) || (len == 3 && value < 0x800) ||
                          (len == 4 && (value < 0x10000 || value > 0x10FFFF));
    if (overlong) {
        cp = 0xFFFFFFFF;
        return 1;
    }
    cp = value;
    return len;
}

// Simple (one-to-one) lower-case mapping for the alphabets that appear in QA data:
// ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic. Other code points are kept.
char32_t to_lower(char32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c < 0x80) return c;
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;                     // À..Þ except ×
    if (c >= 0x100 && c <= 0x137 && c != 0x130) return (c % 2 == 0) ? c + 1 : c;  // Ā..ķ pairs
    if (c >= 0x139 && c <= 0x148) return (c % 2 == 1) ? c + 1 : c;                // Ĺ..ň pairs
    if (c >= 0x14A && c <= 0x177) return (c % 2 == 0) ? c + 1 : c;                // Ŋ..ŷ pairs
    if (c == 0x178) return 0xFF;                                                  // Ÿ
    if (c >= 0x179 && c <= 0x17E) return (c % 2 == 1) ? c + 1 : c;                // Ź..ž pairs
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;                    // Greek capitals
    if (c == 0x386) return 0x3AC;
    if (c >= 0x388 && c <= 0x38A) return c + 37;
    if (c == 0x38C) return 0x3CC;
    if (c == 0x38E || c == 0x38F) return c + 63;
    if (c >= 0x410 && c <= 0x42F) return c + 32;  // Cyrillic А..Я
    if (c >= 0x400 && c <= 0x40F) return c + 80;  // Ѐ..Џ
    if (c >= 0x460 && c <= 0x4FF && c != 0x482 && !(c >= 0x483 && c <= 0x489) && c != 0x4C0 &&
        !(c >= 0x4C1 && c <= 0x4CE))
        return (c % 2 == 0) ? c + 1 : c;            // Cyrillic pairs (Ѡ..ӿ)
    if (c >= 0x531 && c <= 0x556) return c + 48;    // Armenian
    if (c >= 0xFF21 && c <= 0xFF3A) return c + 32;  // fullwidth Ａ..Ｚ
    return c;
}

// Python's str.isspace() set (what str.split() with no argument splits on).
bool is_space(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Python's string.punctuation: every printable ASCII character that is not alphanumeric
// or space. Only these are removed (the official script does not strip Unicode dashes
// or quotes).
bool is_ascii_punctuation(char32_t c) {
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

constexpr char32_t kInvalid = 0xFFFFFFFF;
constexpr char32_t kRawByteBase = 0x110000;

// Python's \w outside ASCII is "alphanumeric in Unicode". We approximate that by excluding
// the blocks of spaces, marks, punctuation and symbols that appear in real text; anything
// else non-ASCII (letters of every script, undecodable bytes) counts as a word character.
bool is_word_char(char32_t c) {
    if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (c >= kRawByteBase) return true;
    if (is_space(c)) return false;
    if (c >= 0xA1 && c <= 0xBF)  // Latin-1 signs, except ª ² ³ µ ¹ º ¼ ½ ¾
        return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 || c == 0xBA || (c >= 0xBC && c <= 0xBE);
    if (c == 0xD7 || c == 0xF7) return false;  // × ÷
    const struct {
        char32_t first, last;
    } non_word[] = {
        {0x0300, 0x036F},                      // combining diacritical marks
        {0x1AB0, 0x1AFF},   {0x1DC0, 0x1DFF},  // more combining marks
        {0x2000, 0x206F},                      // general punctuation (dashes, quotes, zero-width characters)
        {0x20A0, 0x20FF},                      // currency signs, combining marks for symbols
        {0x2190, 0x2BFF},                      // arrows, maths, technical, box drawing, shapes, dingbats
        {0x3000, 0x303F},                      // CJK punctuation
        {0xFE00, 0xFE0F},                      // variation selectors
        {0xFE20, 0xFE2F},                      // combining half marks
        {0xFEFF, 0xFEFF},                      // byte order mark
        {0xFF01, 0xFF0F},   {0xFF1A, 0xFF20}, {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65},  // fullwidth punctuation
        {0x1F000, 0x1FAFF},                                                        // emoji and pictographs
    };
    for (const auto& range : non_word)
        if (c >= range.first && c <= range.last) return false;
    return true;
}

// "Cased" letters for the final-sigma rule: the scripts with upper and lower case.
bool is_cased(char32_t c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) ||
           (c >= 0x370 && c <= 0x3FF && c != 0x37E && c != 0x387) ||
           (c >= 0x400 && c <= 0x52F && !(c >= 0x482 && c <= 0x489)) || (c >= 0x531 && c <= 0x587) ||
           (c >= 0x1E00 && c <= 0x1FFF) || (c >= 0xFB00 && c <= 0xFB06) || (c >= 0xFF21 && c <= 0xFF3A) ||
           (c >= 0xFF41 && c <= 0xFF5A);
}

// Characters the final-sigma rule looks through (Unicode "case-ignorable"): combining
// marks and the in-word punctuation ' . : · ’.
bool is_case_ignorable(char32_t c) {
    return (c >= 0x300 && c <= 0x36F) || c == '\'' || c == '.' || c == ':' || c == 0xB7 || c == 0x2019 || c == 0x2018 ||
           c == 0x2024 || c == 0x200B || c == 0x200C || c == 0x200D;
}

// Python's lower() writes a capital sigma as final ς when it ends a word: preceded by a
// cased letter and not followed by one, looking through case-ignorable characters.
bool is_final_sigma(const std::vector<char32_t>& text, std::size_t at) {
    std::size_t before = at;
    while (before > 0 && is_case_ignorable(text[before - 1])) --before;
    if (before == 0 || !is_cased(text[before - 1])) return false;
    std::size_t after = at + 1;
    while (after < text.size() && is_case_ignorable(text[after])) ++after;
    return after == text.size() || !is_cased(text[after]);
}

}  // namespace

std::string normalize_answer(std::string_view s) {
    // Decode; undecodable bytes become code points above U+10FFFF so that they survive
    // unchanged (and count as word characters).
    std::vector<char32_t> decoded;
    decoded.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        const std::size_t len = decode_utf8(s, i, cp);
        decoded.push_back(cp == kInvalid ? kRawByteBase + static_cast<unsigned char>(s[i]) : cp);
        i += len;
    }

    // 1. Lower-case (str.lower()), 2. drop ASCII punctuation.
    std::vector<char32_t> text;
    text.reserve(decoded.size());
    for (std::size_t i = 0; i < decoded.size(); ++i) {
        const char32_t cp = decoded[i];
        if (cp == 0x130) {  // İ lower-cases to i + combining dot above
            text.push_back('i');
            text.push_back(0x307);
        } else if (cp == 0x3A3) {
            text.push_back(is_final_sigma(decoded, i) ? 0x3C2 : 0x3C3);
        } else if (!is_ascii_punctuation(cp)) {
            text.push_back(to_lower(cp));
        }
    }

    // 3. Articles as regex \b(a|an|the)\b: replaced by a space where they stand between
    // non-word characters (so "the—end" loses "the", "theatre" keeps it).
    auto matches_at = [&](std::size_t i, std::string_view word) {
        if (i + word.size() > text.size()) return false;
        for (std::size_t k = 0; k < word.size(); ++k)
            if (text[i + k] != static_cast<char32_t>(word[k])) return false;
        return true;
    };
    std::vector<char32_t> without_articles;
    without_articles.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        std::size_t article = 0;
        if (i == 0 || !is_word_char(text[i - 1])) {
            for (std::string_view word : {"a", "an", "the"}) {
                const std::size_t end = i + word.size();
                if (matches_at(i, word) && (end == text.size() || !is_word_char(text[end]))) {
                    article = word.size();
                    break;
                }
            }
        }
        if (article) {
            without_articles.push_back(' ');
            i += article;
        } else {
            without_articles.push_back(text[i++]);
        }
    }

    // 4. Collapse whitespace (" ".join(s.split())).
    std::string out;
    bool pending_space = false;
    for (const char32_t cp : without_articles) {
        if (is_space(cp)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        if (cp >= kRawByteBase)
            out += static_cast<char>(cp - kRawByteBase);
        else
            append_utf8(out, cp);
    }
    return out;
}

std::vector<std::string> tokens(std::string_view normalized) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < normalized.size()) {
        const std::size_t end = std::min(normalized.find(' ', start), normalized.size());
        if (end > start) out.emplace_back(normalized.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

double f1(std::string_view prediction, std::string_view gold) {
    const auto pred_tokens = tokens(normalize_answer(prediction));
    const auto gold_tokens = tokens(normalize_answer(gold));
    if (pred_tokens.empty() || gold_tokens.empty()) return pred_tokens.empty() && gold_tokens.empty() ? 1.0 : 0.0;

    // Multiset intersection size (collections.Counter & Counter in the official script).
    std::unordered_map<std::string_view, int> gold_counts;
    for (const auto& t : gold_tokens) ++gold_counts[t];
    int common = 0;
    for (const auto& t : pred_tokens) {
        auto it = gold_counts.find(t);
        if (it != gold_counts.end() && it->second > 0) {
            --it->second;
            ++common;
        }
    }
    if (common == 0) return 0.0;
    // Same operation order as the Python script so results agree to the last bit.
    const double precision = 1.0 * common / static_cast<double>(pred_tokens.size());
    const double recall = 1.0 * common / static_cast<double>(gold_tokens.size());
    return (2 * precision * recall) / (precision + recall);
}

char option_letter(std::string_view text) {
    auto upper = [](char c) -> char { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; };
    auto is_letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
    // "(B)" anywhere, e.g. "(B) blue" or "The answer is (B)".
    for (std::size_t i = 0; i + 2 < text.size(); ++i) {
        if (text[i] == '(' && is_letter(text[i + 1]) && text[i + 2] == ')') return upper(text[i + 1]);
    }
    // A bare leading letter: "B", "B)", "B.", "B: blue" — but not the word "A dog".
    std::size_t i = 0;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
    if (i < text.size() && text[i] >= 'A' && text[i] <= 'Z') {
        const std::size_t next = i + 1;
        if (next == text.size() || text[next] == ')' || text[next] == '.' || text[next] == ':') return text[i];
    }
    return 0;
}

double option_letter_score(std::string_view prediction, std::string_view gold) {
    const char gold_letter = option_letter(gold);
    if (gold_letter == 0) return 0.0;
    return option_letter(prediction) == gold_letter ? 1.0 : 0.0;
}

char option_letter_in_question(std::string_view question, std::string_view answer) {
    const std::string wanted = normalize_answer(answer);
    if (wanted.empty()) return 0;
    // Options are "(X) text" runs; a text ends where the next "(Y)" marker starts.
    auto is_marker = [&](std::size_t i) {
        return i + 2 < question.size() && question[i] == '(' && question[i + 1] >= 'A' && question[i + 1] <= 'Z' &&
               question[i + 2] == ')';
    };
    for (std::size_t i = 0; i < question.size(); ++i) {
        if (!is_marker(i)) continue;
        const char letter = question[i + 1];
        std::size_t end = i + 3;
        while (end < question.size() && !is_marker(end)) ++end;
        if (normalize_answer(question.substr(i + 3, end - i - 3)) == wanted) return letter;
        i = end - 1;
    }
    return 0;
}

double option_letter_score(std::string_view prediction, std::string_view gold, std::string_view question) {
    char gold_letter = option_letter(gold);
    if (gold_letter == 0) gold_letter = option_letter_in_question(question, gold);
    if (gold_letter == 0) return 0.0;
    return option_letter(prediction) == gold_letter ? 1.0 : 0.0;
}

double answer_score(std::string_view dataset, std::string_view prediction, std::string_view gold,
                    std::string_view question) {
    return dataset == "quality" ? option_letter_score(prediction, gold, question) : f1(prediction, gold);
}

double answer_score(std::string_view dataset, std::string_view prediction, std::string_view gold) {
    return dataset == "quality" ? option_letter_score(prediction, gold) : f1(prediction, gold);
}

}  // namespace automix::scoring

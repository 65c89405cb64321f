// SQuAD-style normalisation and token F1, written to agree with the official
// evaluation script (which the reference code uses) on every input, including
// non-ASCII text: Python's str.lower() and str.split() are Unicode-aware, so we
// decode UTF-8 for those two steps instead of working byte by byte.
#include "core/scoring/f1.hpp"

#include <algorithm>
#include <cstdint>
#include <unordered_map>

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
        cp = 0xFFFFFFFF;  // stray continuation or invalid lead byte
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

void encode_utf8(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Simple (one-to-one) lower-case mapping for the alphabets that appear in QA data:
// ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic. Other code points are kept.
char32_t to_lower(char32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c < 0x80) return c;
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;  // À..Þ except ×
    if (c >= 0x100 && c <= 0x137 && c != 0x130) return (c % 2 == 0) ? c + 1 : c;  // Ā..ķ pairs
    if (c >= 0x139 && c <= 0x148) return (c % 2 == 1) ? c + 1 : c;  // Ĺ..ň pairs
    if (c >= 0x14A && c <= 0x177) return (c % 2 == 0) ? c + 1 : c;  // Ŋ..ŷ pairs
    if (c == 0x178) return 0xFF;                                   // Ÿ
    if (c >= 0x179 && c <= 0x17E) return (c % 2 == 1) ? c + 1 : c;  // Ź..ž pairs
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;       // Greek capitals
    if (c == 0x386) return 0x3AC;
    if (c >= 0x388 && c <= 0x38A) return c + 37;
    if (c == 0x38C) return 0x3CC;
    if (c == 0x38E || c == 0x38F) return c + 63;
    if (c >= 0x410 && c <= 0x42F) return c + 32;  // Cyrillic А..Я
    if (c >= 0x400 && c <= 0x40F) return c + 80;  // Ѐ..Џ
    return c;
}

// Python's str.isspace() set (what str.split() with no argument splits on).
bool is_space(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

// Python's string.punctuation: every printable ASCII character that is not alphanumeric
// or space. Only these are removed (the official script does not strip Unicode dashes
// or quotes).
bool is_ascii_punctuation(char32_t c) {
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
}

bool is_article(std::string_view word) { return word == "a" || word == "an" || word == "the"; }

}  // namespace

std::string normalize_answer(std::string_view s) {
    // Lower-case and drop punctuation, turning every whitespace run into one split point.
    std::vector<std::string> words;
    std::string current;
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        const std::size_t len = decode_utf8(s, i, cp);
        if (cp == 0xFFFFFFFF) {
            current.append(s.substr(i, len));  // keep undecodable bytes as they are
        } else if (is_space(cp)) {
            if (!current.empty()) words.push_back(std::move(current));
            current.clear();
        } else if (cp == 0x130) {
            current += "i\xCC\x87";  // İ lower-cases to i + combining dot above, as in Python
        } else if (!is_ascii_punctuation(cp)) {
            encode_utf8(to_lower(cp), current);
        }
        i += len;
    }
    if (!current.empty()) words.push_back(std::move(current));

    // Articles go as whole words; the remaining words are joined by single spaces.
    std::string out;
    for (const auto& w : words) {
        if (is_article(w)) continue;
        if (!out.empty()) out += ' ';
        out += w;
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
    if (pred_tokens.empty() || gold_tokens.empty())
        return pred_tokens.empty() && gold_tokens.empty() ? 1.0 : 0.0;

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
        if (next == text.size() || text[next] == ')' || text[next] == '.' || text[next] == ':')
            return text[i];
    }
    return 0;
}

double option_letter_score(std::string_view prediction, std::string_view gold) {
    const char gold_letter = option_letter(gold);
    if (gold_letter == 0) return 0.0;
    return option_letter(prediction) == gold_letter ? 1.0 : 0.0;
}

double answer_score(std::string_view dataset, std::string_view prediction, std::string_view gold) {
    return dataset == "quality" ? option_letter_score(prediction, gold) : f1(prediction, gold);
}

}  // namespace automix::scoring

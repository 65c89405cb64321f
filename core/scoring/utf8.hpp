#pragma once
// UTF-8 encoding of one code point, shared by the F1 normaliser and the data readers (the JSON
// scanner, the Python-repr parser): all three decode escapes or case-fold and write UTF-8 back.
// It lives in scoring, the lower module, so that data may use it without scoring needing data;
// so does the JSON escape test that the scanner and the verifier's one-pass sample read share.
#include <string>

namespace automix::scoring {

inline void append_utf8(std::string& out, char32_t cp) {
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

// The letter of a two-byte JSON escape (\" \\ \/ \b \f \n \r \t); \u and anything else: false.
constexpr bool is_short_json_escape(char letter) {
    switch (letter) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't': return true;
    default: return false;
    }
}

}  // namespace automix::scoring

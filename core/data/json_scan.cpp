#include "core/data/json_scan.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_set>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/data/utf8.hpp"

namespace automix::data::json {

namespace {

bool is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string describe_byte(unsigned char c) {
    static const char* hex = "0123456789abcdef";
    std::string s = "0x";
    s += hex[c >> 4];
    s += hex[c & 15];
    return s;
}

unsigned hex4_validated(const char* p) {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
        char c = p[i];
        v = (v << 4) | static_cast<unsigned>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

// Decodes the inside of a string token that raw_string() has already validated.
void unescape_validated(std::string_view body, std::string& out) {
    const char* p = body.data();
    const char* end = p + body.size();
    while (p != end) {
        const char* slash = static_cast<const char*>(std::memchr(p, '\\', static_cast<std::size_t>(end - p)));
        if (slash == nullptr) {
            out.append(p, end);
            return;
        }
        out.append(p, slash);
        char e = slash[1];
        p = slash + 2;
        switch (e) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
            unsigned cp = hex4_validated(p);
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {  // validated: a low surrogate follows
                unsigned low = hex4_validated(p + 2);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                p += 6;
            }
            append_utf8(out, cp);
            break;
        }
        default: out += e;  // '"', '\\', '/'
        }
    }
}
}  // namespace

std::string_view kind_name(Kind k) {
    switch (k) {
    case Kind::String: return "string";
    case Kind::Number: return "number";
    case Kind::Object: return "object";
    case Kind::Array: return "array";
    case Kind::True:
    case Kind::False: return "boolean";
    case Kind::Null: return "null";
    case Kind::NotANumber: return "NaN";
    case Kind::Infinite: return "Infinity";
    case Kind::Invalid: break;
    }
    return "invalid token";
}

void Cursor::fail(std::string message) const {
    throw ScanError{offset(), std::move(message)};
}
void Cursor::fail_at(const char* where, std::string message) const {
    throw ScanError{static_cast<std::size_t>(where - begin_), std::move(message)};
}

Kind Cursor::next_kind() {
    skip_ws();
    if (p_ == end_) return Kind::Invalid;
    switch (*p_) {
    case '"': return Kind::String;
    case '{': return Kind::Object;
    case '[': return Kind::Array;
    case 't': return Kind::True;
    case 'f': return Kind::False;
    case 'n': return Kind::Null;
    case 'N': return Kind::NotANumber;
    case 'I': return Kind::Infinite;
    case '-':
        if (end_ - p_ > 1 && p_[1] == 'I') return Kind::Infinite;
        return Kind::Number;
    default:
        if (*p_ >= '0' && *p_ <= '9') return Kind::Number;
        return Kind::Invalid;
    }
}

void Cursor::expect_failed(std::string_view what) const {
    if (p_ == end_) fail("unexpected end of line, expected " + std::string(what));
    unsigned char b = static_cast<unsigned char>(*p_);
    std::string got = b >= 0x20 && b < 0x7f ? std::string("'") + *p_ + "'" : describe_byte(b);
    fail("expected " + std::string(what) + ", got " + got);
}

// Skips bytes that need no attention inside a string: everything except the quote,
// the backslash, control characters and non-ASCII bytes (which need UTF-8 checks).
const char* Cursor::scan_plain_run(const char* p) const {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end_ - p >= 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // Signed compare: bytes >= 0x80 are negative, so one compare finds both
        // control characters and the start of multi-byte sequences.
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                   _mm_cmplt_epi8(v, space));
        int mask = _mm_movemask_epi8(hit);
        if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
        p += 16;
    }
#endif
    while (p != end_) {
        unsigned char c = static_cast<unsigned char>(*p);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return p;
        ++p;
    }
    return p;
}

const char* Cursor::utf8_sequence(const char* p) const {
    auto at = [&](std::ptrdiff_t i) { return static_cast<unsigned char>(p[i]); };
    unsigned char c = at(0);
    std::ptrdiff_t left = end_ - p;
    auto cont = [&](std::ptrdiff_t i) { return i < left && (at(i) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) {
        if (cont(1)) return p + 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        if (cont(1) && cont(2)) {
            unsigned cp = ((c & 0x0Fu) << 12) | ((at(1) & 0x3Fu) << 6) | (at(2) & 0x3Fu);
            if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) return p + 3;
        }
    } else if (c >= 0xF0 && c <= 0xF4) {
        if (cont(1) && cont(2) && cont(3)) {
            unsigned cp = ((c & 0x07u) << 18) | ((at(1) & 0x3Fu) << 12) | ((at(2) & 0x3Fu) << 6) | (at(3) & 0x3Fu);
            if (cp >= 0x10000 && cp <= 0x10FFFF) return p + 4;
        }
    }
    fail_at(p, "invalid UTF-8 byte " + describe_byte(c));
}

unsigned Cursor::hex4(const char* p) const {
    if (end_ - p < 4) fail_at(p, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= static_cast<unsigned>(c - 'A' + 10);
        else
            fail_at(p + i, "invalid hex digit in \\u escape");
    }
    return v;
}

std::string Cursor::string() {
    std::string out;
    string_into(out);
    return out;
}

void Cursor::string_into(std::string& out) {
    // Validate and find the end first, then build the value with one allocation:
    // growing the string piecewise was the reader's main cost.
    std::string_view raw = raw_string();
    std::string_view body = raw.substr(1, raw.size() - 2);
    if (body.find('\\') == std::string_view::npos) {
        out.assign(body);
        return;
    }
    out.clear();
    out.reserve(body.size());
    unescape_validated(body, out);
}

std::string_view Cursor::raw_string() {
    skip_ws();
    const char* open = p_;
    if (p_ == end_ || *p_ != '"') fail("expected string");
    const char* p = p_ + 1;
    unicode_escape_ = false;
    for (;;) {
        p = scan_plain_run(p);
        if (p == end_) fail_at(open, "unterminated string");
        unsigned char c = static_cast<unsigned char>(*p);
        if (c == '"') {
            p_ = p + 1;
            return {open, static_cast<std::size_t>(p_ - open)};
        }
        if (c >= 0x80) {
            p = utf8_sequence(p);
            continue;
        }
        if (c < 0x20) fail_at(p, "control character " + describe_byte(c) + " inside string (must be escaped)");
        if (end_ - p < 2) fail_at(p, "unterminated string");
        char e = p[1];
        if (e == 'u') {
            unicode_escape_ = true;
            unsigned cp = hex4(p + 2);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (end_ - p >= 12 && p[6] == '\\' && p[7] == 'u') {
                    unsigned low = hex4(p + 8);
                    if (low >= 0xDC00 && low <= 0xDFFF) {
                        p += 12;
                        continue;
                    }
                }
                fail_at(p, "unpaired surrogate in \\u escape");
            }
            if (cp >= 0xDC00 && cp <= 0xDFFF) fail_at(p, "unpaired surrogate in \\u escape");
            p += 6;
            continue;
        }
        if (!is_short_json_escape(e)) fail_at(p, std::string("invalid escape \\") + e);
        p += 2;
    }
}

namespace {
// For a number literal (no sign) that does not fit a double: true if it is too large, false if
// too small. The power of ten of its first non-zero digit plus the exponent decides.
bool magnitude_overflows(const char* p, const char* end) {
    long long lead = 0;  // power of ten of the first non-zero digit
    bool found = false;
    const char* q = p;
    while (q != end && *q >= '0' && *q <= '9') {
        if (!found && *q != '0') {
            found = true;
            lead = -1;  // counted up below
        }
        if (found) ++lead;
        ++q;
    }
    if (!found && q != end && *q == '.') {
        ++q;
        long long place = -1;
        while (q != end && *q >= '0' && *q <= '9') {
            if (*q != '0') {
                found = true;
                lead = place;
                break;
            }
            --place;
            ++q;
        }
    }
    if (!found) return false;
    while (q != end && *q != 'e' && *q != 'E') ++q;
    long long exponent = 0;
    if (q != end) {
        ++q;
        bool neg = false;
        if (q != end && (*q == '+' || *q == '-')) neg = *q++ == '-';
        for (; q != end; ++q) exponent = std::min<long long>(exponent * 10 + (*q - '0'), 1'000'000'000);
        if (neg) exponent = -exponent;
    }
    return lead + exponent > 0;
}
}  // namespace

double Cursor::number() {
    skip_ws();
    const char* start = p_;
    const char* p = p_;
    auto word = [&](std::string_view w) {
        return static_cast<std::size_t>(end_ - p) >= w.size() && std::string_view(p, w.size()) == w;
    };
    bool negative = false;
    if (p != end_ && *p == '-') {
        negative = true;
        ++p;
    }
    if (word("Infinity")) {
        p_ = p + 8;
        return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    }
    if (!negative && word("NaN")) {
        p_ = p + 3;
        return std::numeric_limits<double>::quiet_NaN();
    }
    // JSON number grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
    auto digit = [&](const char* q) { return q != end_ && *q >= '0' && *q <= '9'; };
    if (!digit(p)) fail_at(start, "invalid number");
    if (*p == '0') {
        ++p;
        if (digit(p)) fail_at(start, "invalid number (leading zero)");
    } else {
        while (digit(p)) ++p;
    }
    if (p != end_ && *p == '.') {
        ++p;
        if (!digit(p)) fail_at(start, "invalid number (no digit after '.')");
        while (digit(p)) ++p;
    }
    if (p != end_ && (*p == 'e' || *p == 'E')) {
        ++p;
        if (p != end_ && (*p == '+' || *p == '-')) ++p;
        if (!digit(p)) fail_at(start, "invalid number (bad exponent)");
        while (digit(p)) ++p;
    }
    double v = 0;
    auto [ptr, ec] = std::from_chars(start, p, v);
    if (ec == std::errc::result_out_of_range) {
        // from_chars leaves v unchanged on range errors. Too small reads as ±0 (like strtod);
        // too large is refused, whether written 1e400 or as 400 digits.
        if (magnitude_overflows(negative ? start + 1 : start, p)) {
            std::string text(start, p);
            if (text.size() > 24) text = text.substr(0, 16) + "... (" + std::to_string(text.size()) + " characters)";
            throw ScanError{static_cast<std::size_t>(start - begin_), "number " + text + " is out of range", true};
        }
        v = negative ? -0.0 : 0.0;
    } else if (ec != std::errc() || ptr != p) {
        fail_at(start, "invalid number");
    }
    p_ = p;
    return v;
}

std::string_view Cursor::skip_value(int depth) {
    if (depth > kMaxDepth)
        throw ScanError{offset(), "nesting deeper than " + std::to_string(kMaxDepth) + " levels", true};
    skip_ws();
    const char* start = p_;
    auto literal = [&](std::string_view w) {
        if (static_cast<std::size_t>(end_ - p_) < w.size() || std::string_view(p_, w.size()) != w)
            fail("invalid literal");
        p_ += w.size();
    };
    switch (next_kind()) {
    case Kind::String: raw_string(); break;
    case Kind::Number:
    case Kind::NotANumber:
    case Kind::Infinite: number(); break;
    case Kind::True: literal("true"); break;
    case Kind::False: literal("false"); break;
    case Kind::Null: literal("null"); break;
    case Kind::Array:
        ++p_;
        if (!consume(']')) {
            do skip_value(depth + 1);
            while (consume(','));
            expect(']', "',' or ']'");
        }
        break;
    case Kind::Object:
        ++p_;
        if (!consume('}')) {
            std::unordered_set<std::string> keys;  // only filled when duplicates are refused
            do {
                skip_ws();
                if (peek() != '"') fail("expected field name");
                const std::size_t key_at = offset();
                const std::string_view raw = raw_string();
                if (refuse_duplicates_ && !keys.insert(decode_raw_string(raw)).second)
                    throw ScanError{key_at, "duplicate field `" + decode_raw_string(raw) + "`", true};
                expect(':', "':'");
                skip_value(depth + 1);
            } while (consume(','));
            expect('}', "',' or '}'");
        }
        break;
    case Kind::Invalid:
        if (p_ == end_) fail("unexpected end of line, expected a value");
        {
            unsigned char b = static_cast<unsigned char>(*p_);
            fail(b >= 0x80 ? "invalid UTF-8 or unexpected byte " + describe_byte(b)
                           : std::string("unexpected character '") + *p_ + "'");
        }
    }
    return {start, static_cast<std::size_t>(p_ - start)};
}

void check_limits(std::string_view text, bool refuse_duplicate_keys) {
    Cursor c(text.data(), text.data() + text.size());
    if (refuse_duplicate_keys) c.refuse_duplicate_keys();
    try {
        c.skip_value();
    } catch (const ScanError& e) {
        if (e.limit) throw;
    }
}

std::string decode_raw_string(std::string_view raw) {
    Cursor c(raw.data(), raw.data() + raw.size());
    try {
        return c.string();
    } catch (const ScanError&) {
        return {};
    }
}

void append_quoted(std::string& out, std::string_view s) {
    static const char* hex = "0123456789abcdef";
    out += '"';
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
}

void append_number(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "NaN";
        return;
    }
    if (std::isinf(v)) {
        out += v < 0 ? "-Infinity" : "Infinity";
        return;
    }
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out.append(buf, end);
}

std::string minify(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            out += c;
            if (c == '\\' && i + 1 < text.size())
                out += text[++i];
            else if (c == '"')
                in_string = false;
        } else if (!is_ws(c)) {
            out += c;
            if (c == '"') in_string = true;
        }
    }
    return out;
}

}  // namespace automix::data::json

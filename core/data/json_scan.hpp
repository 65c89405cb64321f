#pragma once
// A small, fast JSON scanner for one JSONL record. It decodes only what the
// reader asks for and can skip a value while reporting its raw byte span, which
// is what makes lazy contexts and verbatim unknown fields possible.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace automix::data::json {

// Every JSON parse in the program keeps these limits (json::check_limits for nlohmann parses):
// deeper values would overflow the stack in recursive copies and dumps, and a number beyond
// the double range has no faithful value.
constexpr int kMaxDepth = 256;

// Thrown while scanning one line; `offset` is the byte offset in the line. `limit` marks a
// nesting or number-range violation (as opposed to a grammar error).
struct ScanError {
    std::size_t offset;
    std::string message;
    bool limit = false;
};

enum class Kind { String, Number, Object, Array, True, False, Null, NotANumber, Infinite, Invalid };
std::string_view kind_name(Kind k);  // "string", "number", ... as used in messages

class Cursor {
  public:
    Cursor(const char* begin, const char* end) : begin_(begin), p_(begin), end_(end) {}

    // Inline: called several times per field, the calls cost more than the work.
    void skip_ws() {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
    }
    bool at_end() const { return p_ == end_; }
    char peek() const { return p_ == end_ ? '\0' : *p_; }
    std::size_t offset() const { return static_cast<std::size_t>(p_ - begin_); }
    const char* pos() const { return p_; }
    std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
    const char* end() const { return end_; }
    // Moves on to `p` (between pos() and end()), past a token the caller scanned itself.
    void skip_to(const char* p) { p_ = p; }
    // Kind of the value starting at the current position (after whitespace).
    Kind next_kind();
    // Consumes `c` (after whitespace) or throws "expected 'c'".
    void expect(char c, std::string_view what) {
        skip_ws();
        if (p_ != end_ && *p_ == c) {
            ++p_;
            return;
        }
        expect_failed(what);
    }
    bool consume(char c) {  // after whitespace
        skip_ws();
        if (p_ != end_ && *p_ == c) {
            ++p_;
            return true;
        }
        return false;
    }

    // Decodes a string (cursor on its opening quote).
    std::string string();
    void string_into(std::string& out);
    // Validates a string and returns its raw token span including the quotes.
    std::string_view raw_string();
    // Whether the last string raw_string() (or string(), string_into()) read had a \u escape.
    bool had_unicode_escape() const { return unicode_escape_; }
    // Parses a number (ints allowed). NaN / Infinity tokens are returned as such;
    // callers decide whether they are acceptable. A literal beyond the double range
    // (1e400, a 400-digit integer) is refused: "number 1e400 is out of range" (limit = true).
    double number();
    // Validates any value and returns its raw span.
    std::string_view skip_value(int depth = 0);
    // Makes skip_value refuse a key repeated within one object ("duplicate field `k`", limit).
    void refuse_duplicate_keys() { refuse_duplicates_ = true; }

    [[noreturn]] void fail(std::string message) const;
    [[noreturn]] void fail_at(const char* where, std::string message) const;

  private:
    [[noreturn]] void expect_failed(std::string_view what) const;
    const char* scan_plain_run(const char* p) const;
    const char* utf8_sequence(const char* p) const;  // returns end of a valid sequence
    unsigned hex4(const char* p) const;

    const char* begin_;
    const char* p_;
    const char* end_;
    bool refuse_duplicates_ = false;
    bool unicode_escape_ = false;
};

// Checks a whole JSON text (one value, whitespace around) against the limits above and throws
// ScanError{limit = true} at the first violation (also at a key repeated within one object, if
// asked). Grammar errors are left to the caller's own parser, whose messages they already are.
void check_limits(std::string_view text, bool refuse_duplicate_keys = false);

// Decodes a raw JSON string token (with quotes) that was validated before.
std::string decode_raw_string(std::string_view raw);
// Appends `s` as a JSON string token (quotes, escapes) to out. Non-ASCII is kept as UTF-8.
void append_quoted(std::string& out, std::string_view s);
// Appends a number with the shortest text that reads back exactly; NaN/inf as NaN/Infinity.
void append_number(std::string& out, double v);
// Removes insignificant whitespace from valid JSON text.
std::string minify(std::string_view json_text);

}  // namespace automix::data::json

#include "core/data/python_repr.hpp"

#include "core/data/utf8.hpp"

namespace automix::data {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

class ReprParser {
  public:
    explicit ReprParser(std::string_view s) : s_(s) {}

    std::vector<std::string> list() {
        std::vector<std::string> items;
        skip_ws();
        expect('[');
        skip_ws();
        if (peek() == ']') {
            ++i_;
        } else {
            for (;;) {
                skip_ws();
                items.push_back(literal());
                skip_ws();
                if (peek() == ',') {
                    ++i_;
                    skip_ws();
                    if (peek() == ']') {  // Python allows a trailing comma
                        ++i_;
                        break;
                    }
                    continue;
                }
                expect(']');
                break;
            }
        }
        skip_ws();
        if (i_ != s_.size()) fail("unexpected text after the list");
        return items;
    }

  private:
    [[noreturn]] void fail(std::string message) const { throw ReprError{i_, std::move(message)}; }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    void skip_ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
    }
    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++i_;
    }

    unsigned long hex_digits(int n) {
        unsigned long v = 0;
        for (int k = 0; k < n; ++k) {
            int h = i_ < s_.size() ? hex_value(s_[i_]) : -1;
            if (h < 0) fail("truncated \\x/\\u escape");
            v = v * 16 + static_cast<unsigned long>(h);
            ++i_;
        }
        return v;
    }

    std::string literal() {
        // Optional string prefixes Python could print are not produced by repr() of str,
        // so only plain '...' and "..." are accepted.
        char quote = peek();
        if (quote != '\'' && quote != '"') fail("expected a quoted string");
        ++i_;
        std::string out;
        for (;;) {
            if (i_ >= s_.size()) fail("unterminated string literal");
            char c = s_[i_++];
            if (c == quote) return out;
            if (c == '\n') fail("newline inside string literal");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i_ >= s_.size()) fail("unterminated string literal");
            char e = s_[i_++];
            switch (e) {
            case '\\': out += '\\'; break;
            case '\'': out += '\''; break;
            case '"': out += '"'; break;
            case 'a': out += '\a'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'v': out += '\v'; break;
            case '\n': break;  // line continuation
            case 'x': append_utf8(out, hex_digits(2)); break;
            case 'u': append_utf8(out, hex_digits(4)); break;
            case 'U': {
                unsigned long cp = hex_digits(8);
                if (cp > 0x10FFFF) fail("\\U escape out of range");
                append_utf8(out, cp);
                break;
            }
            default:
                if (e >= '0' && e <= '7') {
                    unsigned long v = static_cast<unsigned long>(e - '0');
                    for (int k = 0; k < 2 && i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '7'; ++k)
                        v = v * 8 + static_cast<unsigned long>(s_[i_++] - '0');
                    append_utf8(out, v);
                } else {
                    // Python keeps unknown escapes verbatim.
                    out += '\\';
                    out += e;
                }
            }
        }
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

}  // namespace

std::vector<std::string> parse_python_string_list(std::string_view repr) {
    return ReprParser(repr).list();
}

}  // namespace automix::data

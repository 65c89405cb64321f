#include "args.hpp"

#include <cmath>
#include <cstdio>

#include "core/io/atomic_file.hpp"

namespace automix::cli {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& valued,
           const std::set<std::string>& flags) {
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.rfind("--", 0) != 0 || a == "--") {
            positional_.push_back(a);
            continue;
        }
        std::string name = a.substr(2), value;
        const auto eq = name.find('=');
        const bool inline_value = eq != std::string::npos;
        if (inline_value) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (valued.count(name)) {
            if (!inline_value) {
                if (i + 1 >= argv.size()) throw UsageError("option --" + name + " needs a value");
                value = argv[++i];
            }
            values_[name] = value;
        } else if (flags.count(name)) {
            if (inline_value) throw UsageError("option --" + name + " takes no value");
            values_[name] = "1";
        } else {
            throw UsageError("unknown option --" + name);
        }
    }
}

std::optional<std::string> Args::get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
    return get(name).value_or(fallback);
}

std::string Args::require(const std::string& name) const {
    auto v = get(name);
    if (!v) throw UsageError("missing required option --" + name);
    return *v;
}

long long Args::get_int(const std::string& name, long long fallback) const {
    auto v = get(name);
    if (!v) return fallback;
    try {
        std::size_t used = 0;
        long long x = std::stoll(*v, &used);
        if (used != v->size()) throw std::invalid_argument("trailing");
        return x;
    } catch (const std::exception&) {
        throw UsageError("option --" + name + ": expected an integer, got '" + *v + "'");
    }
}

double Args::get_double(const std::string& name, double fallback) const {
    auto v = get(name);
    if (!v) return fallback;
    try {
        std::size_t used = 0;
        double x = std::stod(*v, &used);
        if (used != v->size()) throw std::invalid_argument("trailing");
        return x;
    } catch (const std::exception&) {
        throw UsageError("option --" + name + ": expected a number, got '" + *v + "'");
    }
}

std::vector<std::string> split_list(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        const auto b = cur.find_first_not_of(" \t");
        const auto e = cur.find_last_not_of(" \t");
        if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
        cur.clear();
    };
    for (char c : s) {
        if (c == sep)
            flush();
        else
            cur += c;
    }
    flush();
    return out;
}

std::vector<double> number_list(const std::string& option, const std::string& text, std::size_t min_count,
                                std::optional<double> all_value) {
    std::vector<double> out;
    for (const auto& part : split_list(text)) {
        if (all_value && part == "all") {
            out.push_back(*all_value);
            continue;
        }
        try {
            std::size_t used = 0;
            const double v = std::stod(part, &used);
            if (used != part.size() || !std::isfinite(v) || v < 0) throw std::invalid_argument("bad");
            out.push_back(v);
        } catch (const std::exception&) {
            throw UsageError("option --" + option + ": expected non-negative numbers" + (all_value ? " or 'all'" : "") +
                             ", got '" + part + "'");
        }
    }
    if (out.size() < min_count)
        throw UsageError("option --" + option + ": expected at least " + std::to_string(min_count) + " value" +
                         (min_count == 1 ? "" : "s"));
    return out;
}

std::string terminal_safe(std::string_view text) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    auto escape = [&](unsigned char c) {
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 15];
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
            escape(c);
        } else if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
            escape(static_cast<unsigned char>(text[++i]));  // U+0080..U+009F, the C1 controls
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

void write_output(const std::string& path, const std::string& text) {
    io::write_file(path, text);
}

}  // namespace automix::cli

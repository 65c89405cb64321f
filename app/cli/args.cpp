#include "args.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>

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

void write_output(const std::string& path, const std::string& text) {
    if (path == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace automix::cli

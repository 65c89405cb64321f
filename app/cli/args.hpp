#pragma once
// A small option parser for subcommands: --name value, --name=value, --flag, positionals.
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace automix::cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Args {
  public:
    // `valued` lists options that take a value; `flags` those that do not.
    Args(const std::vector<std::string>& argv, const std::set<std::string>& valued, const std::set<std::string>& flags);
    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::optional<std::string> get(const std::string& name) const;
    std::string get_or(const std::string& name, const std::string& fallback) const;
    std::string require(const std::string& name) const;
    long long get_int(const std::string& name, long long fallback) const;
    double get_double(const std::string& name, double fallback) const;
    const std::vector<std::string>& positional() const { return positional_; }

  private:
    std::map<std::string, std::string> values_;
    std::vector<std::string> positional_;
};

// "a,b , c" -> {"a","b","c"}
std::vector<std::string> split_list(const std::string& s, char sep = ',');

// The value of --option as a list of non-negative finite numbers, at least `min_count` of
// them; with `all_value`, the word "all" stands for it (e.g. "all training rows").
std::vector<double> number_list(const std::string& option, const std::string& text, std::size_t min_count = 1,
                                std::optional<double> all_value = std::nullopt);

// Writes a report to `path`, or to stdout for "-", all or nothing (io::AtomicFile); throws
// io::AtomicFileError with the system's reason when it cannot.
void write_output(const std::string& path, const std::string& text);

// Text from the data (dataset names, ids, messages quoting them) made safe for a terminal:
// control characters (ESC, BEL, CR, ..., also the C1 range) become visible \xNN escapes, so a
// file cannot clear the screen or retitle the window. Newlines and tabs stay.
std::string terminal_safe(std::string_view text);

}  // namespace automix::cli

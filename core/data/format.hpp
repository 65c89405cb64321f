#pragma once
// File formats by name. Each format's file (core/data/formats/*.cpp) registers one FormatReader
// for itself; loading (load_file), saving (save_file), the Open dialog's filter, the CLI's
// `formats` list and help all come from this registry, so a new format is one new file.
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/dataset.hpp"

namespace automix::data {

class RowParser;  // core/data/row_parser.hpp

// How sure a format is that a file is its own, from its path and its first non-blank line
// (decompressed, without BOM). score 0 = not this format; the highest score reads the file.
// decided = false: the line is broken before it shows the format; lenient loading then reports
// that line and sniffs the next one.
struct Sniff {
    int score = 0;
    bool decided = true;
};

struct FormatReader {
    std::string name;                     // "release", "native", "csv": Dataset::format, CLI values
    std::string description;              // one line for humans
    std::vector<std::string> extensions;  // ".jsonl", ".csv" (a ".gz" after any of them is read too)
    int order = 100;                      // position in lists (dialog filter, `automix formats`)
    std::function<Sniff(std::string_view path, std::string_view first_line)> sniff;
    // A fresh parser for one load (the loader owns reading, progress, ids, columns, warnings).
    std::function<std::unique_ptr<RowParser>()> make_parser;
    // Writing, empty when the format is read-only. Throws WriteError.
    std::function<void(const Dataset&, const View&, std::ostream&)> write;
};

// Called from a static initialiser in the format's own file:
//   const bool registered = register_format({...});
bool register_format(FormatReader format);
// Every registered format, by `order` then name.
const std::vector<FormatReader>& formats();
// By name (exact), or null.
const FormatReader* find_format(std::string_view name);
// The registered formats' names, comma-separated ("release, native, csv"), for help texts.
std::string format_names();
// "*.jsonl *.jsonl.gz *.csv *.csv.gz ...": the extensions of every registered format.
std::vector<std::string> format_patterns();

}  // namespace automix::data

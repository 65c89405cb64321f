#pragma once
// Writing a Dataset (or any View of it) back out: release JSONL, native JSONL, CSV.
// Unknown fields kept by the reader (extra_json) are written back, so read -> write
// -> read gives the same Dataset.
#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/data/dataset.hpp"

namespace automix::data {

struct WriteError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The AutoMix release format (method §2). Needs exactly two models (small, large);
// throws WriteError otherwise. `category` is written only for rows that had one in the file.
void write_release_jsonl(const Dataset& d, const View& rows, std::ostream& out);
// The native N-model format (README "File formats"), manifest line first.
void write_native_jsonl(const Dataset& d, const View& rows, std::ostream& out);

// Column names write_csv understands for this dataset, in a sensible default order:
// id, pid, dataset, split, category, question, gold, context, line, then per model m
// "m.answer", "m.score", "m.verifier_confidence", "m.verifier_samples" (a JSON array).
std::vector<std::string> csv_columns(const Dataset& d);
// RFC 4180 CSV (CRLF line ends, quotes doubled, fields with , " CR LF quoted).
// Missing numbers are empty cells. Throws WriteError for an unknown column name.
void write_csv(const Dataset& d, const View& rows, const std::vector<std::string>& columns, std::ostream& out);

enum class FileFormat { ReleaseJsonl, NativeJsonl, Csv };
// Writes to `path` through io::AtomicFile (temporary file, fsync, rename: never a half-written
// file); gzip-compressed when the path ends in ".gz". Throws WriteError with the reason.
void save_file(const Dataset& d, const View& rows, const std::string& path, FileFormat format,
               const std::vector<std::string>& csv_columns = {});
// The same with a registered format's writer (core/data/format.hpp), by name; WriteError when the
// format is unknown or cannot be written.
void save_file(const Dataset& d, const View& rows, const std::string& path, const std::string& format_name);
// Writes what `write` produces to `path` atomically, gzip-compressed when it ends in ".gz".
void save_with(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace automix::data

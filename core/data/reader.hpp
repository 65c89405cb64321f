#pragma once
// Loading a data file (any registered format, core/data/format.hpp; plain or .gz) into a Dataset.
#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/data/dataset.hpp"

namespace automix::data {

struct LoadProblem {
    std::string file;
    std::size_t line = 0;           // 1-based; 0 = whole file
    std::size_t column = 0;         // 1-based byte column; 0 = unknown
    std::string message;            // "field `llama13b_f1`: expected number, got string"
    std::string to_string() const;  // "file:line:column: message"
};

// Thrown in strict mode (and for whole-file problems in any mode).
class LoadError : public std::runtime_error {
  public:
    explicit LoadError(LoadProblem p);
    const LoadProblem& problem() const { return problem_; }

  private:
    LoadProblem problem_;
};

// Thrown when LoadOptions::cancel became true.
struct LoadCancelled : std::runtime_error {
    LoadCancelled() : std::runtime_error("loading cancelled") {}
};

struct LoadOptions {
    bool skip_bad_lines = false;  // lenient mode: keep good rows, report bad ones
    // Called now and then with (bytes done, bytes total); may be empty.
    std::function<void(std::uint64_t, std::uint64_t)> progress;
    // Checked between lines and within long lines (every refill of the read buffer).
    const std::atomic<bool>* cancel = nullptr;
    std::size_t max_reported_problems = 20;
    // Hash the input as it is read (LoadResult::content_sha256), for reports: a pipe can be
    // read only once and a file may change after loading.
    bool content_sha256 = false;
};

struct LoadResult {
    Dataset dataset;
    std::size_t bad_lines = 0;          // skipped in lenient mode
    std::vector<LoadProblem> problems;  // first max_reported_problems of them
    std::vector<std::string> warnings;  // e.g. "312 rows have no context"
    std::string content_sha256;         // of the decompressed bytes read; "" unless asked
};

// The format is the registered one whose sniff of the first non-blank line is surest; the
// compression is detected from the bytes.
LoadResult load_file(const std::string& path, const LoadOptions& options = {});

}  // namespace automix::data

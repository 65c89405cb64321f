#pragma once
// Deterministic synthetic AutoMix data (`automix gen-demo`): the five release datasets,
// model answers scored against gold with core/scoring, and k = 32 self-verification
// samples whose verdicts track the small model's correctness with per-dataset noise.
//
// Model of a row: a latent difficulty u ~ U(0,1); model j sees u + e_j (e_j uniform
// noise) and answers exactly when that is below its skill a_j, partly within a band
// above it, wrongly otherwise. Bigger models have higher skill, so they are right on
// mostly a superset of rows; the noise makes some rows small-right/large-wrong and the
// tail makes rows where every model fails. The verifier says "correct" per sample with
// probability bias + separation·(score − ½) + row noise, so its usefulness differs by
// dataset (cnli sharp, quality close to a coin). Every row has its own PRNG stream
// derived from (seed, dataset, row), so output depends only on the options.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace automix::demo {

enum class OutputFormat { Release, Native };

// Costs grow ×5 per model, so beyond this they would leave the range a reader accepts.
inline constexpr int kMaxDemoModels = 100;

struct GeneratorOptions {
    std::uint64_t seed = 1;
    std::size_t rows = 5000;
    OutputFormat format = OutputFormat::Release;
    int models = 2;                     // 2 (small, large) .. kMaxDemoModels; more than 2 native only
    std::size_t min_context_bytes = 0;  // pad contexts to at least this size (benchmarks)
    // Cut contexts to at most this many characters, at a word's end (0 = as generated): the
    // release's contexts of ordinary length, for load benchmarks. Cut after every random draw,
    // so everything else in the row stays as without it.
    std::size_t max_context_chars = 0;
    int verifier_samples = 32;          // k
};

// Empty when the options are usable, else the reason ("--models 3 needs --format native").
std::string check_options(const GeneratorOptions& options);

// Rows per (dataset, split) for a total, in the release's proportions (largest remainder).
struct SplitCounts {
    std::string dataset;
    std::size_t train = 0, val = 0;
};
std::vector<SplitCounts> allocate_rows(std::size_t total);

// Streams the JSONL lines (each ending in '\n') to sink. Throws std::invalid_argument
// for bad options.
void generate(const GeneratorOptions& options, const std::function<void(std::string_view)>& sink);

// Writes to a file: gzip (level 9, no time stamp) when the name ends in ".gz", "-" for
// stdout. Throws std::runtime_error with the path on I/O failure.
void generate_file(const GeneratorOptions& options, const std::string& path);

}  // namespace automix::demo

#pragma once
// Columnar in-memory dataset: one vector per field, one block per model.
// A split or filter is a View (row indices), never a copy of rows.
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/sample_column.hpp"
#include "core/data/string_column.hpp"

namespace automix::data {

using RowIndex = std::uint32_t;
using View = std::vector<RowIndex>;

// A model's position in the cascade (0 = cheapest); routing decisions hold one per row.
// The readers refuse files with more than kMaxModels models, so every index fits.
using ModelIndex = std::uint16_t;
inline constexpr std::size_t kMaxModels = 1000;

enum class Split : std::uint8_t { Train, Val, Other };
// Hidden "difficulty" category of method §5.
enum class Category : std::uint8_t { Needy, Good, Hopeless, Undefined };

std::string_view to_string(Split s);
std::string_view to_string(Category c);

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// Reads context passages on demand (the bulk of a file's bytes), so a multi-GB
// file does not become multi-GB of RAM. Implemented by the readers.
class ContextStore {
  public:
    virtual ~ContextStore() = default;
    // Decoded context of a row; empty when the row has none.
    virtual std::string context(RowIndex row) const = 0;
    virtual bool has_context(RowIndex row) const = 0;
    // Bytes in use by what it keeps in memory (the texts themselves stay in the file).
    virtual std::size_t bytes_used() const = 0;
};

// One model of the cascade (index 0 = cheapest). Release format: 0 = llama13b, 1 = llama70b.
struct ModelColumns {
    std::string name;                                        // key in the file ("llama13b", "small", ...)
    std::string display_name;                                // for humans ("LLaMA-13B")
    double call_cost = 1.0;                                  // cost of one call (method §4: small 1, large 50)
    StringColumn answer;                                     // "" when absent
    std::vector<std::uint8_t> has_answer;                    // 0/1
    std::vector<double> score;                               // in [0,1]; kMissing when absent
    // Per row: each sample's verdict in memory, the texts read on demand (sample_column.hpp).
    SampleColumn verifier_samples;
    std::vector<double> verifier_confidence;                 // kMissing when not verified
    // Native format: unknown fields of this model's per-row object, as compact JSON
    // object text ("" when none). Empty vector when no row had any.
    StringColumn extra_json;
};

class Dataset {
  public:
    // Row columns (all of length size()).
    StringColumn id;
    StringColumn pid;
    StringColumn question;
    StringColumn gold;                         // release field `output`
    std::vector<std::uint16_t> dataset_index;  // into dataset_names
    std::vector<Split> split;
    std::vector<Category> category;
    std::vector<std::uint8_t> category_from_file;  // 1 when `category` was given
    // A routed `automix run` output asks a larger model only when it escalates: 1 where some
    // model's score is therefore unknown. Such rows are shown but left out of training and
    // metrics. Empty for every other file.
    std::vector<std::uint8_t> unmeasured;
    // Unknown fields of each row, as a compact JSON object text ("" when none),
    // kept so that they round-trip on write.
    StringColumn extra_json;
    std::vector<std::uint32_t> source_line;  // 1-based line in the file it came from
    // The file's own split text for rows whose split is Split::Other ("test", "dev", ...),
    // "" otherwise. Empty vector when every row is train or val.
    StringColumn split_label;

    std::vector<std::string> dataset_names;  // e.g. "cnli", "coqa", ...
    std::vector<ModelColumns> models;        // ordered by cost
    double verifier_cost = 1.0;
    std::shared_ptr<const ContextStore> contexts;  // may be null
    std::string source_path;
    std::string format;  // the name of the registered format it was read in ("release", "native", "csv")
    // Native format: unknown fields of the manifest object, compact JSON ("" when none).
    std::string manifest_extra_json;

    std::size_t size() const { return id.size(); }
    std::size_t model_count() const { return models.size(); }
    const ModelColumns& small() const { return models.front(); }
    const ModelColumns& large() const { return models.back(); }

    std::string context(RowIndex r) const { return contexts ? contexts->context(r) : std::string(); }
    // Index of a dataset name, or -1.
    int find_dataset(std::string_view name) const;
    std::string_view dataset_name(RowIndex r) const { return dataset_names[dataset_index[r]]; }

    // Rows of one dataset (or all, with dataset = -1) and one split, in file order.
    View rows(int dataset, Split s) const;
    View all_rows() const;
    // `rows` without the unmeasured ones (the same view when there are none).
    View measured(View rows) const;
    // The columns routing and scoring read (ids, splits, categories, answers, scores,
    // confidences; no questions, contexts or verifier samples) of `rows`, renumbered 0..n−1
    // in view order: what a study re-routes many times without carrying the texts along.
    Dataset routing_subset(const View& rows) const;
};

// Bytes a dataset's columns use (by size, not capacity), by kind: what the scale benchmark
// compares its peak RSS with (contexts and verifier-sample texts stay in the file; only where
// they are is here).
struct MemoryUse {
    std::size_t text = 0;      // ids, questions, answers, ... (StringColumn)
    std::size_t numbers = 0;   // scores, confidences, splits, line numbers, ...
    std::size_t samples = 0;   // verifier samples: verdicts and where the texts are
    std::size_t contexts = 0;  // where the contexts are
    std::size_t columns() const { return text + numbers; }  // without samples and contexts
    std::size_t total() const { return columns() + samples + contexts; }
};
MemoryUse memory_use(const Dataset& ds);

// Every dataset's rows of each split, in file order, from one pass over the file. For loops
// over the datasets: Dataset::rows scans the whole file each time, which is quadratic in the
// number of datasets (20 000 small datasets took minutes).
class RowsByDataset {
  public:
    explicit RowsByDataset(const Dataset& ds);
    const View& rows(int dataset, Split s) const { return rows_[static_cast<std::size_t>(dataset)][static_cast<std::size_t>(s)]; }

  private:
    std::vector<std::array<View, 3>> rows_;  // [dataset][split]
};

}  // namespace automix::data

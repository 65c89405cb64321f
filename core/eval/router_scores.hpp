#pragma once
// External router scores: one number per query from another routing system (a RouteLLM
// win-rate, a Hybrid-LLM quality-gap prediction, a FrugalGPT scorer output, ...),
// imported from CSV or JSONL keyed by row id and evaluated as a threshold router on the
// same rows, costs and metrics as the AutoMix methods.
//
//   RouterScores s = load_router_scores("routellm.csv");            // throws RouterScoresError
//   routing::MethodPtr m = make_external_router(std::make_shared<const RouterScores>(s));
//   routing::register_method(m);   // now "ExternalRouter(routellm)" is an eval/study method
//
// File format (README "Router scores format"):
//   CSV  : header line, then one row per query; columns `id` (required), `dataset`
//          (optional: then ids only need to be unique within a dataset) and the score column:
//          the one named like the router, else `score`, else the only other column.
//   JSONL: one object per line with the same keys ("id" a string or an integer).
//   Plain or gzip-compressed. Scores must be finite numbers; ids unique.
// The router: escalate iff score ≥ t (direction high, default: higher = more in need of
// the large model) or iff score ≤ t (direction low); candidates t = the distinct
// percentiles (nearest rank, 0..100) of the train rows' scores, fewest escalations first,
// so ties in training go to the cheaper router.
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/routing/method.hpp"

namespace automix::eval {

enum class ScoreDirection { HighEscalates, LowEscalates };

// A problem with the file: "file:line: message" (line 0 = the whole file).
class RouterScoresError : public std::runtime_error {
  public:
    RouterScoresError(const std::string& file, std::size_t line, const std::string& message);
    const std::string& file() const { return file_; }
    std::size_t line() const { return line_; }

  private:
    std::string file_;
    std::size_t line_;
};

struct RouterScores {
    std::string name;    // router name (the method is "ExternalRouter(<name>)")
    std::string source;  // file path
    std::string column;  // the score column/key used
    ScoreDirection direction = ScoreDirection::HighEscalates;
    bool keyed_by_dataset = false;  // the file has a `dataset` column
    // Key: id, or dataset + '\x1f' + id when keyed_by_dataset.
    std::unordered_map<std::string, double> scores;

    // Score of a dataset row; NaN when the file has none for it.
    double score_of(const data::Dataset& ds, data::RowIndex row) const;
};

// "FILE", "FILE:NAME" or "FILE:NAME:high|low". A spec naming an existing file as a whole
// is that file (so a path may contain ':').
struct RouterScoresSpec {
    std::string path;
    std::string name;  // "" = derived from the file name
    ScoreDirection direction = ScoreDirection::HighEscalates;
};
RouterScoresSpec parse_router_scores_spec(const std::string& spec);

// Reads the file. `name` picks the score column when the file has one by that name and
// names the router ("" = the file name without directory and extensions).
RouterScores load_router_scores(const std::string& path, const std::string& name = "",
                                ScoreDirection direction = ScoreDirection::HighEscalates);

// How the file's ids meet a dataset's rows.
struct RouterScoresCoverage {
    std::size_t rows = 0, matched = 0;
    std::size_t unused_scores = 0;         // file entries matching no row
    std::vector<std::string> missing_ids;  // first few rows without a score
    std::string summary() const;           // "4000 of 4000 rows have a score; 0 unused"
};
RouterScoresCoverage coverage(const RouterScores& s, const data::Dataset& ds);

// The threshold router over the scores (see the top of this file). Rows without a score
// are a RoutingError naming the row and the file.
routing::MethodPtr make_external_router(std::shared_ptr<const RouterScores> scores, int percentiles = 100);
std::string external_router_name(const std::string& router_name);  // "ExternalRouter(<name>)"

// Parse the spec, load, build the method and register it (replacing one of the same name).
struct ImportedRouter {
    std::shared_ptr<const RouterScores> scores;
    routing::MethodPtr method;
    RouterScoresCoverage coverage;
};
ImportedRouter import_router_scores(const std::string& spec, const data::Dataset& ds);

}  // namespace automix::eval

#pragma once
// Training (method §6): score every candidate of a method on the train rows with the train
// split's own SLM/LLM means and keep the highest IBC lift; ties → the first candidate in
// enumeration order (the reference's max over an insertion-ordered dict, NaN included).
//
//   ScoredView train = ScoredView::for_method(ds, train_rows, method, costs);
//   TrainResult t = train_method(method, ds, train, cfg);   // throws routing::RoutingError
//   t.best_params(), t.train_lift(), t.candidates[i].metrics  (the whole train curve)
//   std::vector<Metrics> val_curve = evaluate_candidates(method, ds, params_of(t), val, cfg);
//
// Train, route, score in one call (the protocols, studies, curves and the GUI all use it):
//   Fit f = fit_and_score(method, ds, train_rows, val_rows, cfg);   // f.train, f.decisions, f.scored
#include <cstddef>
#include <string>
#include <vector>

#include "core/eval/metrics.hpp"
#include "core/routing/method.hpp"

namespace automix::eval {

struct CandidateResult {
    routing::Params params;
    Metrics metrics;
};

struct TrainResult {
    std::vector<CandidateResult> candidates;  // in enumeration order, train metrics
    std::size_t best = 0;                     // index into candidates
    std::size_t n_best_ties = 0;              // candidates whose lift equals the best one's
    const routing::Params& best_params() const { return candidates.at(best).params; }
    double train_lift() const { return candidates.at(best).metrics.lift; }
};

// Index of the first maximum with Python `max` semantics: a later value replaces the
// current best only when strictly greater (so a NaN in first place stays). Empty → 0.
std::size_t first_max_index(const std::vector<double>& values);

TrainResult train_method(const routing::Method& m, const data::Dataset& ds, const ScoredView& train,
                         const routing::Config& cfg);

std::vector<routing::Params> params_of(const TrainResult& t);
std::vector<Metrics> evaluate_candidates(const routing::Method& m, const data::Dataset& ds,
                                         const std::vector<routing::Params>& params, const ScoredView& view,
                                         const routing::Config& cfg);

// Train on one view, route another with the chosen parameter, score it.
struct FitOptions {
    bool route_chosen = true;       // route (and score) the rows with the chosen parameter
    bool score_candidates = false;  // score every candidate on the rows too (a curve)
};
struct Fit {
    TrainResult train;                       // every candidate on the train rows; the chosen one
    routing::Decisions decisions;            // of the routed rows, in their order (route_chosen)
    Metrics scored;                          // of those decisions (route_chosen, when scored)
    std::vector<Metrics> scored_candidates;  // every candidate on the rows (score_candidates)
};
// On score views the caller keeps (several methods share one per ladder).
Fit fit_and_score(const routing::Method& m, const data::Dataset& ds, const ScoredView& train, const ScoredView& rows,
                  const routing::Config& cfg, const FitOptions& options = {});
// On plain views: the score views are built for the method with the config's costs.
Fit fit_and_score(const routing::Method& m, const data::Dataset& ds, const data::View& train, const data::View& rows,
                  const routing::Config& cfg, const FitOptions& options = {});
// Train, then route `rows` without scoring them (rows whose scores may be unknown).
Fit fit_and_route(const routing::Method& m, const data::Dataset& ds, const ScoredView& train, const data::View& rows,
                  const routing::Config& cfg);
// Train once, then route and score each of several row sets with the chosen parameter (train on
// A, evaluate on every B). A training error throws; a row set that cannot be routed or scored
// keeps its error and default figures, the others are scored.
struct FitEach {
    TrainResult train;
    std::vector<Metrics> scored;      // per row set
    std::vector<std::string> errors;  // per row set, "" when scored
};
FitEach fit_and_score_each(const routing::Method& m, const data::Dataset& ds, const data::View& train,
                           const std::vector<data::View>& rows, const routing::Config& cfg);

}  // namespace automix::eval

#pragma once
// Calibration to a constraint (issue #21, RouteLLM's "calibrate" with more kinds of limit):
// among a method's candidate parameters, pick on the *train* rows the best one that meets
// a limit on average cost, on the share of escalated queries, on performance or on IBC lift,
// then report how that routing holds on the *val* rows, with a percentile bootstrap interval
// over val rows (the row draw of the seeds study) that also makes the choice again on each
// resample of the train rows, so it carries the noise of choosing on train (IntervalKind).
//
// "Best": under a ceiling (max cost, max escalated) or a lift floor, the highest train
// performance; under a performance floor, the lowest train cost. Ties go to the cheaper
// (resp. better) one, then to the earlier candidate, as training's ties do. Candidates are
// those training scores (eval::train_method), their figures come from ScoredView::evaluate,
// so every number equals what `automix eval` and the cost–quality chart show.
//
//   Calibration c = calibrate(method, ds, train_rows, val_rows, cfg, {{Limit::MaxCost, 5.0}});
//   if (c.chosen) { c.candidates[*c.chosen].params; c.val(); c.val_interval.lift; } else c.message
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/dataset.hpp"
#include "core/eval/metrics.hpp"
#include "core/routing/method.hpp"

namespace automix::eval {

enum class Limit { MaxCost, MaxEscalated, MinPerf, MinLift };

struct Constraint {
    Limit limit = Limit::MaxCost;
    // Cost units per query; escalated and lift as fractions (0.3 = 30 %); perf in score units.
    double value = kNaN;
};

// "max-cost", "max-escalated", "min-perf", "min-lift" (CLI option names without dashes).
std::string limit_name(Limit l);
std::optional<Limit> limit_from_name(const std::string& name);
// "avg cost ≤ 5", "escalated ≤ 30 %", "avg perf ≥ 0.62", "IBC lift ≥ 50 %".
std::string describe(const Constraint& c);
// The figure the constraint limits, and whether a routing's figures meet it (NaN never does).
double constrained_figure(Limit l, const Metrics& m);
bool meets(const Constraint& c, const Metrics& m);
// Throws std::invalid_argument for a value that cannot be a limit of that kind (not finite,
// negative cost, escalated share outside [0, 1]).
void validate(const Constraint& c);

// The constraint as a line on a cost–quality chart (x = avg cost, y = avg perf) whose
// small-only and large-only points are given, over x in [x_lo, x_hi]: a cost ceiling is
// vertical; an escalation ceiling too, at the cost of that share (exact for a two-model ladder
// only: nullopt for `levels` > 2); a performance floor is horizontal; a lift floor is the line
// through (c_first, P_first) with slope (1 + L) × the baseline's (costs of `cfg`). The allowed side is left
// of a vertical line and above the others.
struct Segment {
    double x0 = kNaN, y0 = kNaN, x1 = kNaN, y1 = kNaN;
};
std::optional<Segment> constraint_segment(const Constraint& c, const Metrics& small_only, const Metrics& large_only,
                                          const routing::Config& cfg, double x_lo, double x_hi, double y_lo,
                                          double y_hi, std::size_t levels = 2);

// What the val interval holds fixed. Reselected (the default) also resamples the train rows
// and makes the choice again on each resample (the candidates stay those trained on all train
// rows), so the interval carries the noise of the choice as well as that of the val rows;
// FixedRouting keeps the routing chosen on all train rows and resamples val only.
enum class IntervalKind { Reselected, FixedRouting };
std::string interval_kind_name(IntervalKind k);  // "reselected", "fixed"
std::optional<IntervalKind> interval_kind_from_name(const std::string& name);

struct CalibrationOptions {
    Constraint constraint;
    IntervalKind interval = IntervalKind::Reselected;
    int bootstrap = 1000;  // val resamples; 0 = no interval
    double confidence = 0.95;
    std::uint64_t seed = 0xCA11B8A7EULL;
};

struct CalibrationCandidate {
    routing::Params params;
    std::string text;  // Method::describe
    Metrics train, val;
    bool feasible = false;  // meets the constraint on train
    bool pareto = false;    // on the train Pareto frontier of the method
};

struct Interval {
    double lo = kNaN, hi = kNaN;
};

struct Calibration {
    std::string method;
    Constraint constraint;
    std::vector<CalibrationCandidate> candidates;  // enumeration order
    std::size_t trained = 0;                       // training's own pick (best train lift)
    std::size_t n_feasible = 0;
    std::optional<std::size_t> chosen;  // none when no candidate meets the constraint on train
    // Why nothing was chosen (with the nearest candidate), or a note on the choice.
    std::string message;
    // The chosen routing on val: decisions (aligned with the val rows), the bootstrap
    // intervals of its figures and the share of resamples in which it meets the constraint.
    routing::Decisions val_decisions;
    bool val_meets = false;
    Interval val_cost, val_perf, val_escalated, val_lift;
    double val_meets_share = kNaN;
    IntervalKind interval_kind = IntervalKind::Reselected;
    // Reselected: the share of resamples whose train resample chose the same candidate as all
    // train rows did, and the share in which no candidate met the constraint on the train
    // resample (those resamples count as not meeting it and give no figures).
    double same_choice_share = kNaN, none_feasible_share = kNaN;
    int bootstrap = 0;
    double confidence = 0.95;
    std::size_t n_train = 0, n_val = 0;

    const CalibrationCandidate* choice() const { return chosen ? &candidates.at(*chosen) : nullptr; }
};

// Throws std::invalid_argument (bad constraint, no train rows) and routing::RoutingError
// (the method cannot train or route these rows).
Calibration calibrate(const routing::Method& m, const data::Dataset& ds, const data::View& train,
                      const data::View& val, const routing::Config& cfg, const CalibrationOptions& options);

// {"method", "constraint": {kind, value, text}, "met", "message", "chosen": {index, params,
// description, train: {...}, val: {...}, val_interval: {...}, val_meets, val_meets_share},
// "trained_index", "candidates": [...], "n_train", "n_val", "bootstrap", "confidence"}.
nlohmann::ordered_json calibration_to_json(const Calibration& c);

}  // namespace automix::eval

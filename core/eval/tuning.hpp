#pragma once
// How the tuning panel moves a method's parameter by hand: which control fits a method and
// how control values become Params (and back), so the GUI holds no knowledge of parameter
// layouts.
//
//   TuningKind k = tuning_kind(method);                   // Threshold → Threshold
//   Params p = threshold_params(0.42);                    // 0.42
//   std::optional<double> t = threshold_of(method, p);    // 0.42
#include <optional>
#include <utility>
#include <vector>

#include "core/routing/method.hpp"

namespace automix::eval {

enum class TuningKind {
    Threshold,   // one threshold t: escalate iff conf ≤ t (Threshold, SelfConsistency, their
                 // FixedAnswerRouting wrappers)
    Range,       // lo ≤ conf ≤ hi (DoubleThreshold and its wrapper)
    Lambda,      // the cascade: the cost weight λ picks one of its candidate policies
    Candidates,  // anything else: step through the trained candidate list
};

TuningKind tuning_kind(const routing::Method& m);

routing::Params threshold_params(double t);
routing::Params range_params(double lo, double hi);
// The control values of a parameter of that kind; nullopt when it does not have that layout.
std::optional<double> threshold_of(const routing::Params& p);
std::optional<std::pair<double, double>> range_of(const routing::Params& p);
// Cascade candidates carry the λ range [lambda, lambda_hi) where they are optimal: the index
// of the candidate optimal at `lambda` (nullopt when none covers it), and a λ inside a
// candidate's range (its lower end, or a small positive value for the λ = 0 policy).
std::optional<std::size_t> candidate_for_lambda(const std::vector<routing::Params>& candidates, double lambda);
std::optional<double> lambda_of(const routing::Params& p);

}  // namespace automix::eval

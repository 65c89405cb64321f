#pragma once
// One-stop object for views of the cascade (GUI panels, charts): learns and solves on the
// train rows once, prepares the rows to show, scores the whole λ-family on both, and then
// answers λ changes (re-route: well under a millisecond per 10k rows) and trace requests.
//
//   CascadeSession s = CascadeSession::build(ds, train_rows, val_rows, {}, cfg);
//   s.curve[k] / s.train_curve[k]   same policy k (increasing λ) scored on shown / train rows
//   s.trained                        index picked by train IBC lift (ties → cheaper)
//   CascadeResult r = s.route(lambda);              // per shown row: final model, cost
//   std::vector<TraceStep> t = s.trace(i, lambda);  // belief trajectory of shown row i
//   s.solution.tree(), s.solution.threshold(node), s.solution.belief(node)  // policy table
#include "core/routing/cascade_router.hpp"

namespace automix::routing::cascade {

struct CascadeSession {
    CascadeCosts costs;
    CascadeSolution solution;
    CascadeRows train_rows, rows;  // rows = the ones shown / evaluated
    std::vector<CurvePoint> train_curve, curve;
    std::size_t trained = 0;
    double trained_lambda = 0;  // representative λ of the trained policy

    // Throws RoutingError for data the cascade cannot use (naming the row),
    // std::invalid_argument for options that do not fit.
    static CascadeSession build(const data::Dataset& ds, const data::View& train, const data::View& shown,
                                CascadeOptions options, const Config& cfg);
    CascadeResult route(double lambda) const { return route_rows(solution, solution.policy_at(lambda), rows); }
    std::vector<TraceStep> trace(std::size_t i, double lambda) const { return trace_row(solution, lambda, rows, i); }
};

}  // namespace automix::routing::cascade

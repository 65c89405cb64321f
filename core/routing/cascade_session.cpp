#include "core/routing/cascade_session.hpp"

namespace automix::routing::cascade {

CascadeSession CascadeSession::build(const data::Dataset& ds, const data::View& train, const data::View& shown,
                                     CascadeOptions options, const Config& cfg) {
    options.num_bins = cfg.num_bins;
    CascadeSession s;
    s.costs = cascade_costs(ds, cfg);
    s.solution = CascadeSolution(learn_cascade_model(ds, train, options, s.costs));
    s.train_rows = CascadeRows(ds, train, cfg.num_bins);
    s.rows = CascadeRows(ds, shown, cfg.num_bins);
    s.train_curve = cost_quality_curve(s.solution, s.train_rows, s.costs.call_costs);
    s.curve = cost_quality_curve(s.solution, s.rows, s.costs.call_costs);
    s.trained = best_by_lift(s.train_curve);
    const CurvePoint& best = s.train_curve.at(s.trained);
    s.trained_lambda = representative_lambda(best.lambda_lo, best.lambda_hi);
    return s;
}

}  // namespace automix::routing::cascade

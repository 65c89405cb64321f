#pragma once
// Applying a solved cascade to data: per-row routing, belief traces, the cost–quality curve
// and training (pick λ by IBC lift relative to the m_1 → m_N line, method §7 / §4).
//
//   CascadeRows rows(ds, view, cfg.num_bins);            // gather once (bins, scores)
//   CascadeSolution sol(learn_cascade_model(ds, train, opts, costs));
//   CascadeResult r = route_rows(sol, sol.policy_at(lambda), rows);   // ~µs per 1k rows
//   r.final_model[i], r.cost[i], r.avg_cost, r.avg_score
//   std::vector<TraceStep> t = trace_row(sol, lambda, rows, i);       // for the GUI
//   std::vector<CurvePoint> curve = cost_quality_curve(sol, rows);    // one per policy
//   std::size_t best = best_by_lift(curve);                           // training choice
//
// Costs follow eval::ScoredView's N-model cost model (cost_to_reach in cascade_model.hpp),
// so these numbers equal what `automix eval` reports for the same decisions.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data/dataset.hpp"
#include "core/routing/cascade_solver.hpp"

namespace automix::routing::cascade {

// The rows of a view with what routing needs: each row's node at every depth of the
// history tree (from its verifier bins) and its per-model scores. A missing or
// out-of-range confidence is recorded, not thrown: it is an error only when a route
// actually reaches that step.
class CascadeRows {
  public:
    CascadeRows() = default;
    CascadeRows(const data::Dataset& ds, data::View rows, int num_bins);

    std::size_t size() const { return rows_.size(); }
    int models() const { return models_; }
    int observations() const { return observations_; }
    const data::View& rows() const { return rows_; }
    const std::string& row_id(std::size_t i) const { return ids_[i]; }
    // Verifier bin of model j (j < N−1) for row i; −1 when missing or outside every bin.
    int bin(std::size_t i, int j) const { return bins_[i * (models_ - 1) + j]; }
    // History-tree node after models 0..j; kNoNode when a bin on the way is missing.
    std::size_t node(std::size_t i, int j) const { return nodes_[i * (models_ - 1) + j]; }
    double score(std::size_t i, int j) const { return scores_[static_cast<std::size_t>(j) * rows_.size() + i]; }
    const double* scores(int j) const { return scores_.data() + static_cast<std::size_t>(j) * rows_.size(); }
    // Mean score of model j over the rows (numpy pairwise summation, like eval); NaN when
    // a score is missing.
    double mean_score(int j) const { return means_[j]; }
    // Why row i has no bin for model j ("row x: verifier confidence of model y missing").
    std::string bin_problem(std::size_t i, int j) const;

    static constexpr std::size_t kNoNode = static_cast<std::size_t>(-1);

  private:
    int models_ = 0, observations_ = 0;
    data::View rows_;
    std::vector<std::string> ids_, model_names_;
    std::vector<int> bins_;
    std::vector<double> confidences_;
    std::vector<std::size_t> nodes_;
    std::vector<double> scores_;  // model-major
    std::vector<double> means_;
};

struct CascadeResult {
    std::vector<ModelIndex> final_model;    // per row: index of the model whose answer is used
    std::vector<double> cost;               // per row: cost_to_reach[final_model]
    std::vector<std::size_t> per_model;     // rows answered by each model
    double avg_cost = 0;
    double avg_score = 0;  // NaN when a used score is missing
};

// Routes every row with a policy. Throws RoutingError (naming the row) when a route
// reaches a model whose verifier bin is missing.
CascadeResult route_rows(const CascadeSolution& sol, const Policy& policy, const CascadeRows& rows);
// Same from the reach costs and tree alone (what a saved policy needs).
CascadeResult route_rows(const HistoryTree& tree, const std::vector<double>& reach_cost, const Policy& policy,
                         const CascadeRows& rows);

// One step of a query's walk through the cascade.
struct TraceStep {
    int model = 0;                            // 0-based model index
    int bin = -1;                             // its verifier bin; −1 for the last model (never verified)
    std::size_t node = CascadeRows::kNoNode;  // history-tree node; kNoNode at the last model
    Belief belief;                            // P(s | bins so far)
    std::vector<double> categories;           // §5 view: P(NEEDY, GOOD, HOPELESS, UNDEFINED | bins); may be empty
    double q_report = 0;
    double q_escalate = 0;  // NaN at the last model
    bool escalate = false;
    double cost_so_far = 0;  // cost_to_reach[model]
};
// The walk of row i under the optimal policy for λ (actions from the solution's thresholds).
std::vector<TraceStep> trace_row(const CascadeSolution& sol, double lambda, const CascadeRows& rows, std::size_t i);
nlohmann::json trace_to_json(const std::vector<TraceStep>& steps);

// The m_1 → m_N straight line of a set of rows (method §4 with the first and last model).
struct LineBaseline {
    double first_cost = 0, first_perf = 0, last_cost = 0, last_perf = 0;
    double slope() const { return (last_perf - first_perf) / (last_cost - first_cost); }
};
LineBaseline line_baseline(const CascadeRows& rows, const std::vector<double>& call_costs);
// IBC lift of a (cost, perf) point relative to the line: (slope − base) / base.
double line_lift(double avg_cost, double avg_perf, const LineBaseline& line);

// One distinct optimal policy, evaluated on rows.
struct CurvePoint {
    double lambda_lo = 0, lambda_hi = kInfinity;
    Policy policy;
    PolicyValue expected;  // the model's own prediction
    double avg_cost = 0, avg_score = 0, lift = 0;
    std::vector<std::size_t> per_model;
};
// In increasing λ (decreasing cost). `call_costs` = the models' call costs (for the line).
std::vector<CurvePoint> cost_quality_curve(const CascadeSolution& sol, const CascadeRows& rows,
                                           const std::vector<double>& call_costs);
// Training choice: the highest lift; ties → the cheaper policy (higher λ), which is also the
// first in the Cascade method's candidate order. Empty curve → 0.
std::size_t best_by_lift(const std::vector<CurvePoint>& curve);

// A λ strictly inside [lo, hi) — the midpoint, or 2·lo (1 when lo = 0) for the last,
// unbounded range — so that Q values shown for a policy are not the tie at a breakpoint.
double representative_lambda(double lo, double hi);

// Policy ↔ JSON parameters of the `Cascade` method:
//   {"lambda": representative_lambda(lo, hi), "lambda_lo": lo, "lambda_hi": hi (absent = ∞),
//    "models": N, "bins": B, "escalate_nodes": [node ids where the policy escalates]}
nlohmann::json policy_to_params(const PolicySegment& seg, int models, int observations);
// Throws RoutingError when malformed or not fitting `tree`.
Policy policy_from_params(const nlohmann::json& p, const HistoryTree& tree);
double lambda_of_params(const nlohmann::json& p);

}  // namespace automix::routing::cascade

namespace automix::routing::cascade {

// Display tables (the report's `extra` and `automix cascade --json`):
//   model_to_json: states (labels, prior, train rows), value table, observation model,
//                  reach costs, τ, α;
//   policy_table_json: every node the policy can reach, with history, P(h), belief, λ*_h,
//                  Q_report / Q_escalate at λ and the action.
nlohmann::json model_to_json(const CascadeModel& m);
nlohmann::json policy_table_json(const CascadeSolution& sol, const Policy& policy, double lambda);
nlohmann::json curve_to_json(const std::vector<CurvePoint>& curve);

}  // namespace automix::routing::cascade

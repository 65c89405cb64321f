#pragma once
// Cost model and metrics (method §4).
//
// API in short:
//   ScoredView v = ScoredView::for_method(ds, rows, method, costs);  // gather once
//   Metrics m = v.evaluate(method.route(ds, v.rows(), params, cfg));  // per parameter
//   m.avg_cost, m.avg_perf, m.lift, m.apgr, m.escalated_fraction ...
//   CurveSummary c = summarize_curve(points, v);  // AIQ, call-% for 50/80 % of gap, Pareto
// A ScoredView holds the scores of its rows per ladder model in contiguous arrays and the
// per-model means, so evaluating one decision vector is one pass over the rows
// (50k rows: well under a millisecond).
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/routing/method.hpp"

namespace automix::eval {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Costs per call of each ladder model (cheapest first) and of one verification pass.
// Two-model methods use the first and last entry.
struct CostModel {
    std::vector<double> call_costs{1.0, 50.0};
    double verifier_cost = 1.0;
    static CostModel from(const routing::Config& cfg) { return {cfg.call_costs, cfg.verifier_cost}; }
};

struct Metrics {
    std::size_t n = 0;
    std::size_t n_escalated = 0;  // rows answered by any model but the first
    // avg cost = Σ_rows (calls made) / n + verification cost; for two models exactly
    // (#stay·c_s + #escalate·(c_l + c_s)) / n + c_v.
    double avg_cost = kNaN;
    double avg_perf = kNaN;            // mean score of the answering model
    double slope = kNaN;               // IBC slope (P − P_first) / (C − c_first)
    double lift = kNaN;                // IBC lift (slope − base) / base, a fraction
    double escalated_fraction = kNaN;  // n_escalated / n
    double apgr = kNaN;                // performance gap recovered (P − P_first) / (P_last − P_first)
    // Model calls per query, verification not counted: a row answered by ladder model j
    // called models 0..j (1 + escalated_fraction for two models).
    double calls_per_query = kNaN;
};

// The metrics field table. Everything that prints a Metrics — the JSON report and its CSV
// (core/eval/report_json.cpp), study tables, the GUI's status bar and chart tooltips —
// iterates metric_fields(), so a new metric is a member of Metrics, its computation in
// ScoredView::evaluate and one row of the table in metrics.cpp.
enum class MetricFormat {
    Count,     // a whole number of rows
    Number,    // printed with `digits` decimals
    Fraction,  // stored as a fraction, shown as a percentage with `digits` decimals
};
struct MetricField {
    std::string_view key;          // "avg_cost": the name in JSON and CSV ("val_avg_cost" per split)
    std::string_view label;        // "avg cost": what the GUI calls it
    std::string_view description;  // one line for tooltips and documentation
    MetricFormat format = MetricFormat::Number;
    int digits = 3;
    double (*value)(const Metrics&) = nullptr;
    // Part of the automix-oracle-v1 report layout (compared byte for byte with the reference).
    // A field added later appears in the JSON report and its CSV only when asked for
    // (EvalOptions::all_metrics, `automix eval --all-metrics`); in the GUI and the study
    // tables at once, according to the flags below.
    bool in_report_v1 = false;
    bool headline = false;         // shown in the GUI's status bar and as study table columns
    bool on_chart_points = false;  // in the tooltip of a cost–quality chart point
};
const std::vector<MetricField>& metric_fields();
// The field named `key`; throws std::out_of_range for an unknown key.
const MetricField& metric_field(std::string_view key);
// "0.375", "12.5 %", "40": the value as the GUI and text outputs print it ("nan" when undefined).
std::string format_metric(const MetricField& f, double value);
// Every field of the table by its key: a count as an integer, an undefined value as null.
nlohmann::json metric_fields_json(const Metrics& m);
// "avg cost 3.21 · avg perf 0.612 · …": the fields `pick` chooses, labelled, in table order.
std::string metrics_text(const Metrics& m, bool (*pick)(const MetricField&), std::string_view separator = " · ");

class ScoredView {
  public:
    ScoredView() = default;
    // `ladder` = indices into ds.models, cheapest first; `costs.call_costs` holds either one
    // cost per dataset model (indexed like ds.models) or exactly one per ladder model.
    ScoredView(const data::Dataset& ds, data::View rows, std::vector<int> ladder, const CostModel& costs);
    // The ladder the method decides over: {0, last} or every model.
    static ScoredView for_method(const data::Dataset& ds, data::View rows, const routing::Method& m,
                                 const CostModel& costs);
    static std::vector<int> ladder_for(const data::Dataset& ds, const routing::Method& m);

    std::size_t size() const { return rows_.size(); }
    const data::View& rows() const { return rows_; }
    std::size_t levels() const { return scores_.size(); }
    const std::vector<double>& scores(std::size_t level) const { return scores_[level]; }
    // Mean score of one ladder model over the view (numpy pairwise summation, like the
    // reference's pandas mean).
    double mean_score(std::size_t level) const { return means_[level]; }
    double call_cost(std::size_t level) const { return call_costs_[level]; }
    double verifier_cost() const { return verifier_cost_; }
    // (P_last − P_first) / (c_last − c_first), no verifier cost.
    double base_slope() const;

    // Throws std::invalid_argument when the vector's length or a value does not fit.
    // Reuses an internal buffer: use one ScoredView per thread.
    Metrics evaluate(const routing::Decisions& d) const;
    // Every row answered by ladder model `level` (what an "always X" router would get).
    Metrics evaluate_constant(std::size_t level) const;

  private:
    data::View rows_;
    std::vector<std::vector<double>> scores_;
    std::vector<double> means_;
    std::vector<double> call_costs_;
    double verifier_cost_ = 1.0;
    mutable std::vector<double> perf_buffer_;  // reused by evaluate()
};

// Lift of a (cost, perf) point against a view's baselines (method §4).
double ibc_slope(double avg_cost, double avg_perf, double first_perf, double first_cost);
double ibc_lift(double slope, double base_slope);

// Summary of a cost–quality curve (e.g. every candidate of a method scored on val).
struct CurveSummary {
    // RouterBench AIQ: area under the non-decreasing upper convex hull of the points plus
    // the two endpoints (c_first, P_first) and (c_last, P_last), over that cost range,
    // divided by its width — i.e. the average quality the router family reaches.
    double aiq = kNaN;
    // RouteLLM "call-% for X % of the gap": the smallest escalated fraction among points
    // whose APGR ≥ X; NaN when no point reaches it.
    double calls_for_50pct_gap = kNaN;
    double calls_for_80pct_gap = kNaN;
    // Indices of the Pareto-optimal points (no other point is at most as costly and at least
    // as good with one strict), sorted by cost.
    std::vector<std::size_t> pareto;
};

std::vector<std::size_t> pareto_frontier(const std::vector<Metrics>& points);
double area_under_hull(std::vector<std::pair<double, double>> cost_perf);
double calls_for_gap(const std::vector<Metrics>& points, double gap_fraction);
CurveSummary summarize_curve(const std::vector<Metrics>& points, const ScoredView& view);

}  // namespace automix::eval

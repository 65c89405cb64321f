#pragma once
// Percentile bootstrap over evaluation rows, shared by the seeds study (core/study/seeds.cpp)
// and calibration (core/eval/calibrate.hpp): per-row cost and score of a routing, weighted
// resamples of the rows, and percentiles.
//
//   std::vector<double> cost, perf;  row_costs(view, decisions, cost, perf);
//   std::vector<Metrics> reps = bootstrap_metrics(view, decisions, 1000, seed);
//   double lo = percentile(values, 0.025);
#include <cstdint>
#include <random>
#include <vector>

#include "core/eval/metrics.hpp"

namespace automix::eval {

// Linear interpolation between order statistics (numpy's default); NaN for no values.
double percentile(std::vector<double> values, double q);

// Per-row cost and score of a decision vector, with the accounting of ScoredView::evaluate
// (calls up to the answering model plus its verifications).
void row_costs(const ScoredView& view, const routing::Decisions& d, std::vector<double>& cost,
               std::vector<double>& perf);

// One bootstrap draw of n rows with replacement, as multiplicities per row (weight[i] = how
// often row i was drawn); the seeds study's draw order.
void draw_row_weights(std::mt19937_64& rng, std::vector<std::uint32_t>& weight);

// One routing's per-row figures on a view, ready to be summed over resamples.
struct RowFigures {
    std::vector<double> cost, perf, first, last;  // first/last: the ladder ends' scores
    std::vector<std::uint8_t> escalated;
    double c_first = 0, c_last = 0;
};
RowFigures row_figures(const ScoredView& view, const routing::Decisions& d);
// The routing's figures on one resample (weights from draw_row_weights), with the resample's
// own first/last-model means for the lift, as bootstrap_metrics computes them.
Metrics resampled_metrics(const RowFigures& r, const std::vector<std::uint32_t>& weight);

// The figures of one fixed routing on `replicates` resamples of the view's rows (each with
// the resample's own first/last-model means for the lift): avg_cost, avg_perf,
// escalated_fraction, slope, lift and apgr are set; n is the row count.
std::vector<Metrics> bootstrap_metrics(const ScoredView& view, const routing::Decisions& d, int replicates,
                                       std::uint64_t seed);

}  // namespace automix::eval

#pragma once
// Verifier quality and the beliefs the POMDP learns, per confidence bin. Every function bins
// a confidence p with the nearest bin of the routing methods (routing::Bins::nearest, centres
// k/num_bins, k = 0..num_bins), so the charts use the same bins as the routers.
//
//   ConfidenceHistogram h = confidence_histogram(ds, rows, 8);   // split by small correct
//   Reliability r = reliability(ds, rows, 8);                    // r.ece, r.bins[k]
//   std::vector<BeliefBin> b = belief_bins(ds, train_rows, decisions, 8);
#include <cstddef>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/eval/data_table.hpp"
#include "core/eval/metrics.hpp"
#include "core/routing/method.hpp"

namespace automix::eval {

// Rows per bin whose answer was right (score ≥ tau) and wrong, plus rows without a usable
// confidence (missing, NaN, outside every bin). `model` is the model whose self-verification
// is binned (0 = the small model; any non-final model of an N-model ladder).
struct ConfidenceHistogram {
    std::vector<double> centres;
    std::vector<std::size_t> correct, wrong;
    std::size_t invalid = 0;
    double tau = 0.5;
};
ConfidenceHistogram confidence_histogram(const data::Dataset& ds, const data::View& rows, int num_bins,
                                         double tau = 0.5, std::size_t model = 0);
// The histogram cell a row is counted in: its confidence bin (−1 when the row has no usable
// confidence or score) and whether the small answer counts as right. Linked views filter by it.
struct HistogramCell {
    int bin = -1;
    bool correct = false;
};
HistogramCell histogram_cell(const data::Dataset& ds, data::RowIndex r, int num_bins, double tau = 0.5,
                             std::size_t model = 0);

// Reliability diagram: per bin, the mean confidence and the mean small-model score of its rows
// (the score is the "accuracy" for F1-scored answers). ECE = Σ_b (n_b / n)·|score_b − conf_b|
// over non-empty bins, n = rows with a usable confidence.
struct ReliabilityBin {
    double centre = 0;
    std::size_t rows = 0;
    double mean_confidence = 0, mean_score = 0;  // 0 when the bin is empty
};
struct Reliability {
    std::vector<ReliabilityBin> bins;
    std::size_t rows = 0;     // rows counted
    std::size_t invalid = 0;  // rows without a usable confidence
    double ece = 0;
};
Reliability reliability(const data::Dataset& ds, const data::View& rows, int num_bins, std::size_t model = 0);

// Calibration gap per non-empty bin of a reliability diagram: observed accuracy (mean score)
// minus mean confidence. Positive: the verifier is under-confident there; negative: it
// promises more than the answers deliver. Σ (rows/n)·|gap| over the bins is the ECE.
struct CalibrationGapBin {
    double centre = 0;
    std::size_t rows = 0;
    double mean_confidence = 0, mean_score = 0, gap = 0;
};
std::vector<CalibrationGapBin> calibration_gap(const Reliability& r);

// What a 2-model POMDP learns per bin on the train rows (method §5/§6): the share of rows of each
// hidden category among the rows in the bin (POMDPSimple's strict training window, so the
// shares are exactly its observation table; UNDEFINED makes up the rest), and the share of
// the bin's rows (nearest bin) that the given routing escalates — 0 or 1 for the
// confidence-only methods.
struct BeliefBin {
    double centre = 0;
    std::size_t rows = 0;  // rows in the training window
    double p_needy = 0, p_good = 0, p_hopeless = 0, p_undefined = 0;
    std::size_t routed_rows = 0;    // rows whose nearest bin is this one
    double escalated_share = kNaN;  // of routed_rows; NaN without decisions or rows
};
// `decisions` is aligned with `rows` (may be empty: no action shown).
std::vector<BeliefBin> belief_bins(const data::Dataset& ds, const data::View& rows, const routing::Decisions& decisions,
                                   int num_bins);

DataTable histogram_table(const ConfidenceHistogram& h);
DataTable reliability_table(const Reliability& r);
DataTable belief_table(const std::vector<BeliefBin>& bins);
DataTable calibration_gap_table(const std::vector<CalibrationGapBin>& bins);

}  // namespace automix::eval

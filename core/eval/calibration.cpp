#include "core/eval/calibration.hpp"

#include <cmath>

#include "core/routing/bins.hpp"
#include "core/routing/pomdp_simple.hpp"

namespace automix::eval {

namespace {
// Nearest bin of a row's confidence (model `m`'s self-verification), −1 when it has none usable.
int bin_of(const data::Dataset& ds, const routing::Bins& bins, data::RowIndex r, std::size_t m) {
    const auto& conf = ds.models[m].verifier_confidence;
    if (r >= conf.size() || std::isnan(conf[r])) return -1;
    return bins.nearest(conf[r]);
}

HistogramCell cell_of(const data::Dataset& ds, const routing::Bins& bins, data::RowIndex r, double tau,
                      std::size_t m) {
    const int k = bin_of(ds, bins, r, m);
    const auto& score = ds.models[m].score;
    if (k < 0 || std::isnan(score[r])) return {};
    return {k, score[r] >= tau};
}
}  // namespace

ConfidenceHistogram confidence_histogram(const data::Dataset& ds, const data::View& rows, int num_bins, double tau,
                                         std::size_t model) {
    const routing::Bins bins(num_bins);
    ConfidenceHistogram h;
    h.tau = tau;
    for (int k = 0; k < bins.count(); ++k) h.centres.push_back(bins.centre(k));
    h.correct.assign(static_cast<std::size_t>(bins.count()), 0);
    h.wrong.assign(static_cast<std::size_t>(bins.count()), 0);
    if (model >= ds.models.size()) return h;
    for (data::RowIndex r : rows) {
        const HistogramCell c = cell_of(ds, bins, r, tau, model);
        if (c.bin < 0) {
            ++h.invalid;
            continue;
        }
        ++(c.correct ? h.correct : h.wrong)[static_cast<std::size_t>(c.bin)];
    }
    return h;
}

HistogramCell histogram_cell(const data::Dataset& ds, data::RowIndex r, int num_bins, double tau, std::size_t model) {
    if (model >= ds.models.size()) return {};
    return cell_of(ds, routing::Bins(num_bins), r, tau, model);
}

Reliability reliability(const data::Dataset& ds, const data::View& rows, int num_bins, std::size_t model) {
    const routing::Bins bins(num_bins);
    Reliability out;
    std::vector<double> sum_conf(static_cast<std::size_t>(bins.count()), 0.0);
    std::vector<double> sum_score(sum_conf.size(), 0.0);
    for (int k = 0; k < bins.count(); ++k) out.bins.push_back({bins.centre(k), 0, 0, 0});
    if (model >= ds.models.size()) return out;
    const auto& conf = ds.models[model].verifier_confidence;
    const auto& score = ds.models[model].score;
    for (data::RowIndex r : rows) {
        const int k = bin_of(ds, bins, r, model);
        if (k < 0 || std::isnan(score[r])) {
            ++out.invalid;
            continue;
        }
        const auto b = static_cast<std::size_t>(k);
        ++out.bins[b].rows;
        sum_conf[b] += conf[r];
        sum_score[b] += score[r];
        ++out.rows;
    }
    for (std::size_t b = 0; b < out.bins.size(); ++b) {
        ReliabilityBin& bin = out.bins[b];
        if (bin.rows == 0) continue;
        bin.mean_confidence = sum_conf[b] / static_cast<double>(bin.rows);
        bin.mean_score = sum_score[b] / static_cast<double>(bin.rows);
        out.ece += static_cast<double>(bin.rows) / static_cast<double>(out.rows) *
                   std::fabs(bin.mean_score - bin.mean_confidence);
    }
    return out;
}

std::vector<BeliefBin> belief_bins(const data::Dataset& ds, const data::View& rows, const routing::Decisions& decisions,
                                   int num_bins) {
    const routing::Bins bins(num_bins);
    std::vector<BeliefBin> out(static_cast<std::size_t>(bins.count()));
    if (ds.models.empty()) return out;
    const std::vector<routing::ObservationRow> table = routing::observation_table(ds, rows, bins);
    std::vector<std::size_t> escalated(out.size(), 0);
    for (std::size_t i = 0; i < rows.size() && i < decisions.size(); ++i) {
        const int k = bin_of(ds, bins, rows[i], 0);
        if (k < 0) continue;
        ++out[static_cast<std::size_t>(k)].routed_rows;
        if (decisions[i] > 0) ++escalated[static_cast<std::size_t>(k)];
    }
    for (std::size_t k = 0; k < out.size(); ++k) {
        BeliefBin& b = out[k];
        b.centre = bins.centre(static_cast<int>(k));
        if (k < table.size()) {
            const routing::ObservationRow& o = table[k];
            b.rows = o.rows;
            b.p_needy = o.p_needy;
            b.p_good = o.p_good;
            b.p_hopeless = o.p_hopeless;
            b.p_undefined = o.rows ? 1.0 - (o.p_needy + o.p_good + o.p_hopeless) : 0.0;
            if (b.p_undefined < 0) b.p_undefined = 0;  // rounding
        }
        if (b.routed_rows > 0)
            b.escalated_share = static_cast<double>(escalated[k]) / static_cast<double>(b.routed_rows);
    }
    return out;
}

DataTable histogram_table(const ConfidenceHistogram& h) {
    DataTable t{{"bin", "centre", "small_correct", "small_wrong"}, {}};
    for (std::size_t k = 0; k < h.centres.size(); ++k)
        t.add(
            {static_cast<double>(k), h.centres[k], static_cast<double>(h.correct[k]), static_cast<double>(h.wrong[k])});
    return t;
}

std::vector<CalibrationGapBin> calibration_gap(const Reliability& r) {
    std::vector<CalibrationGapBin> out;
    for (const ReliabilityBin& b : r.bins)
        if (b.rows > 0) out.push_back({b.centre, b.rows, b.mean_confidence, b.mean_score, b.mean_score - b.mean_confidence});
    return out;
}

DataTable calibration_gap_table(const std::vector<CalibrationGapBin>& bins) {
    DataTable t{{"centre", "rows", "mean_confidence", "mean_score", "gap"}, {}};
    for (const CalibrationGapBin& b : bins)
        t.add({b.centre, static_cast<double>(b.rows), b.mean_confidence, b.mean_score, b.gap});
    return t;
}

DataTable reliability_table(const Reliability& r) {
    DataTable t{{"bin", "centre", "rows", "mean_confidence", "mean_score"}, {}};
    for (std::size_t k = 0; k < r.bins.size(); ++k) {
        const ReliabilityBin& b = r.bins[k];
        t.add({static_cast<double>(k), b.centre, static_cast<double>(b.rows), b.mean_confidence, b.mean_score});
    }
    return t;
}

DataTable belief_table(const std::vector<BeliefBin>& bins) {
    DataTable t{
        {"bin", "centre", "rows", "p_needy", "p_good", "p_hopeless", "p_undefined", "routed_rows", "escalated_share"},
        {}};
    for (std::size_t k = 0; k < bins.size(); ++k) {
        const BeliefBin& b = bins[k];
        t.add({static_cast<double>(k), b.centre, static_cast<double>(b.rows), b.p_needy, b.p_good, b.p_hopeless,
               b.p_undefined, static_cast<double>(b.routed_rows), b.escalated_share});
    }
    return t;
}

}  // namespace automix::eval

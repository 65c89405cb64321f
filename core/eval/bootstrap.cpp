#include "core/eval/bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace automix::eval {

double percentile(std::vector<double> v, double q) {
    if (v.empty()) return kNaN;
    std::sort(v.begin(), v.end());
    const double pos = q * static_cast<double>(v.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

void row_costs(const ScoredView& view, const routing::Decisions& d, std::vector<double>& cost,
               std::vector<double>& perf) {
    const std::size_t levels = view.levels();
    std::vector<double> cumulative(levels);
    for (std::size_t j = 0; j < levels; ++j) cumulative[j] = view.call_cost(j) + (j ? cumulative[j - 1] : 0.0);
    cost.resize(d.size());
    perf.resize(d.size());
    for (std::size_t i = 0; i < d.size(); ++i) {
        const std::size_t j = d[i];
        const double verifications = levels == 2 ? 1.0 : static_cast<double>(std::min(j, levels - 2) + 1);
        cost[i] = cumulative[j] + verifications * view.verifier_cost();
        perf[i] = view.scores(j)[i];
    }
}

void draw_row_weights(std::mt19937_64& rng, std::vector<std::uint32_t>& weight) {
    const std::size_t n = weight.size();
    std::fill(weight.begin(), weight.end(), 0u);
    for (std::size_t i = 0; i < n; ++i) ++weight[rng() % n];
}

RowFigures row_figures(const ScoredView& view, const routing::Decisions& d) {
    if (d.size() != view.size()) throw std::invalid_argument("bootstrap: decisions do not match the rows");
    RowFigures r;
    row_costs(view, d, r.cost, r.perf);
    const std::size_t last = view.levels() - 1;
    r.first = view.scores(0);
    r.last = view.scores(last);
    r.escalated.resize(d.size());
    for (std::size_t i = 0; i < d.size(); ++i) r.escalated[i] = d[i] > 0 ? 1 : 0;
    r.c_first = view.call_cost(0);
    r.c_last = view.call_cost(last);
    return r;
}

Metrics resampled_metrics(const RowFigures& r, const std::vector<std::uint32_t>& weight) {
    const std::size_t n = r.cost.size();
    const double nd = static_cast<double>(n);
    double f = 0, l = 0, c = 0, p = 0;
    std::size_t escalated = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double w = weight[i];
        f += w * r.first[i];
        l += w * r.last[i];
        c += w * r.cost[i];
        p += w * r.perf[i];
        if (r.escalated[i]) escalated += weight[i];
    }
    Metrics m;
    m.n = n;
    m.n_escalated = escalated;
    m.avg_cost = c / nd;
    m.avg_perf = p / nd;
    m.escalated_fraction = static_cast<double>(escalated) / nd;
    m.slope = ibc_slope(m.avg_cost, m.avg_perf, f / nd, r.c_first);
    m.lift = ibc_lift(m.slope, (l / nd - f / nd) / (r.c_last - r.c_first));
    m.apgr = (m.avg_perf - f / nd) / (l / nd - f / nd);
    return m;
}

std::vector<Metrics> bootstrap_metrics(const ScoredView& view, const routing::Decisions& d, int replicates,
                                       std::uint64_t seed) {
    const std::size_t n = view.size();
    if (d.size() != n) throw std::invalid_argument("bootstrap: decisions do not match the rows");
    std::vector<Metrics> out;
    if (n == 0 || replicates <= 0) return out;
    const RowFigures figures = row_figures(view, d);
    std::mt19937_64 rng(seed);
    std::vector<std::uint32_t> weight(n);
    out.reserve(static_cast<std::size_t>(replicates));
    for (int b = 0; b < replicates; ++b) {
        draw_row_weights(rng, weight);
        out.push_back(resampled_metrics(figures, weight));
    }
    return out;
}

}  // namespace automix::eval

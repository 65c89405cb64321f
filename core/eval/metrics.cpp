#include "core/eval/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "core/routing/bins.hpp"

namespace automix::eval {

ScoredView::ScoredView(const data::Dataset& ds, data::View rows, std::vector<int> ladder, const CostModel& costs)
    : rows_(std::move(rows)), verifier_cost_(costs.verifier_cost) {
    if (ladder.size() < 2) throw std::invalid_argument("routing needs at least two models");
    for (const int m : ladder)
        if (m < 0 || static_cast<std::size_t>(m) >= ds.models.size())
            throw std::invalid_argument("model index " + std::to_string(m) + " out of range");
    if (costs.call_costs.size() == ds.models.size()) {
        for (const int m : ladder) call_costs_.push_back(costs.call_costs[m]);
    } else if (costs.call_costs.size() == ladder.size()) {
        call_costs_ = costs.call_costs;
    } else {
        throw std::invalid_argument("got " + std::to_string(costs.call_costs.size()) + " call costs for " +
                                    std::to_string(ds.models.size()) + " models");
    }
    for (const int m : ladder) {
        const auto& col = ds.models[m].score;
        std::vector<double> s(rows_.size());
        for (std::size_t i = 0; i < rows_.size(); ++i) {
            const data::RowIndex r = rows_[i];
            const double v = r < col.size() ? col[r] : kNaN;
            if (std::isnan(v))
                throw std::invalid_argument("row " + (r < ds.id.size() ? std::string(ds.id[r]) : std::to_string(r)) +
                                            ": no score for model " + ds.models[m].name);
            s[i] = v;
        }
        means_.push_back(routing::numpy_mean(s));
        scores_.push_back(std::move(s));
    }
}

std::vector<int> ScoredView::ladder_for(const data::Dataset& ds, const routing::Method& m) {
    const int n = static_cast<int>(ds.models.size());
    if (m.uses_all_models()) {
        std::vector<int> all(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) all[i] = i;
        return all;
    }
    return {0, n - 1};
}

ScoredView ScoredView::for_method(const data::Dataset& ds, data::View rows, const routing::Method& m,
                                  const CostModel& costs) {
    return ScoredView(ds, std::move(rows), ladder_for(ds, m), costs);
}

double ScoredView::base_slope() const {
    const std::size_t last = levels() - 1;
    return (means_[last] - means_[0]) / (call_costs_[last] - call_costs_[0]);
}

double ibc_slope(double avg_cost, double avg_perf, double first_perf, double first_cost) {
    return (avg_perf - first_perf) / (avg_cost - first_cost);
}

double ibc_lift(double slope, double base_slope) {
    return (slope - base_slope) / base_slope;
}

Metrics ScoredView::evaluate(const routing::Decisions& d) const {
    const std::size_t n = size();
    const std::size_t levels_n = levels();
    if (d.size() != n)
        throw std::invalid_argument("decision vector has " + std::to_string(d.size()) + " entries for " +
                                    std::to_string(n) + " rows");
    perf_buffer_.resize(n);
    std::vector<std::size_t> count(levels_n, 0);
    if (levels_n == 2) {
        const double* s = scores_[0].data();
        const double* l = scores_[1].data();
        const routing::ModelIndex* x = d.data();
        double* perf = perf_buffer_.data();
        // Validation and counting first, so that the select loop below has no exit.
        routing::ModelIndex any = 0;
        std::size_t esc = 0;
        for (std::size_t i = 0; i < n; ++i) {
            any |= x[i];
            esc += x[i];
        }
        if (any > 1) throw std::invalid_argument("decision > 1 for a two-model ladder");
        for (std::size_t i = 0; i < n; ++i) perf[i] = x[i] ? l[i] : s[i];
        count[0] = n - esc;
        count[1] = esc;
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            const routing::ModelIndex x = d[i];
            if (x >= levels_n)
                throw std::invalid_argument("decision " + std::to_string(x) + " for a " + std::to_string(levels_n) +
                                            "-model ladder");
            ++count[x];
            perf_buffer_[i] = scores_[x][i];
        }
    }
    Metrics m;
    m.n = n;
    m.n_escalated = n - count[0];
    const double nd = static_cast<double>(n);
    // Calls: a row answered by model j paid for models 0..j (the reference's
    // #stay·c_s + #escalate·(c_l + c_s) for two models).
    double total = 0.0, cumulative = 0.0;
    for (std::size_t j = 0; j < levels_n; ++j) {
        cumulative = j == 0 ? call_costs_[0] : call_costs_[j] + cumulative;
        total += static_cast<double>(count[j]) * cumulative;
    }
    m.avg_cost = total / nd;
    std::size_t calls = 0;
    for (std::size_t j = 0; j < levels_n; ++j) calls += count[j] * (j + 1);
    m.calls_per_query = static_cast<double>(calls) / nd;
    if (levels_n == 2) {
        m.avg_cost += verifier_cost_;
    } else {
        // Every model but the last is verified before deciding to go on.
        double verifications = 0.0;
        for (std::size_t j = 0; j < levels_n; ++j)
            verifications += static_cast<double>(count[j]) * static_cast<double>(std::min(j, levels_n - 2) + 1);
        m.avg_cost += verifications * verifier_cost_ / nd;
    }
    m.avg_perf = routing::pairwise_sum(perf_buffer_.data(), n) / nd;
    m.slope = ibc_slope(m.avg_cost, m.avg_perf, means_[0], call_costs_[0]);
    m.lift = ibc_lift(m.slope, base_slope());
    m.escalated_fraction = static_cast<double>(m.n_escalated) / nd;
    m.apgr = (m.avg_perf - means_[0]) / (means_[levels_n - 1] - means_[0]);
    return m;
}

const std::vector<MetricField>& metric_fields() {
    using F = MetricFormat;
    // {key, label, description, format, digits, value, in_report_v1, headline, on_chart_points}
    // in the order of the report's per-seed "val" objects; new fields go at the end.
    static const std::vector<MetricField> fields{
        {"n", "rows", "rows routed", F::Count, 0, [](const Metrics& m) { return static_cast<double>(m.n); }, true,
         false, false},
        {"n_escalated", "escalated rows", "rows answered by a model other than the cheapest", F::Count, 0,
         [](const Metrics& m) { return static_cast<double>(m.n_escalated); }, true, false, false},
        {"avg_cost", "avg cost", "cost per query: the calls made plus verification", F::Number, 2,
         [](const Metrics& m) { return m.avg_cost; }, true, true, true},
        {"avg_perf", "avg perf", "mean score of the answering model", F::Number, 3,
         [](const Metrics& m) { return m.avg_perf; }, true, true, true},
        {"slope", "IBC slope", "(perf − small perf) / (cost − small cost)", F::Number, 4,
         [](const Metrics& m) { return m.slope; }, true, false, false},
        {"lift", "IBC lift", "(slope − base slope) / base slope", F::Fraction, 1,
         [](const Metrics& m) { return m.lift; }, true, true, true},
        {"escalated_fraction", "escalated", "share of rows answered by a model other than the cheapest",
         F::Fraction, 1, [](const Metrics& m) { return m.escalated_fraction; }, true, true, true},
        {"apgr", "gap recovered", "(perf − small perf) / (large perf − small perf)", F::Fraction, 1,
         [](const Metrics& m) { return m.apgr; }, true, false, true},
        {"calls_per_query", "calls/query", "model calls per query, verification not counted", F::Number, 2,
         [](const Metrics& m) { return m.calls_per_query; }, false, true, true},
    };
    return fields;
}

const MetricField& metric_field(std::string_view key) {
    for (const MetricField& f : metric_fields())
        if (f.key == key) return f;
    throw std::out_of_range("no metric named '" + std::string(key) + "'");
}

std::string format_metric(const MetricField& f, double value) {
    if (std::isnan(value)) return "nan";
    char buf[64];
    switch (f.format) {
        case MetricFormat::Count: std::snprintf(buf, sizeof buf, "%.0f", value); break;
        case MetricFormat::Number: std::snprintf(buf, sizeof buf, "%.*f", f.digits, value); break;
        case MetricFormat::Fraction: std::snprintf(buf, sizeof buf, "%.*f %%", f.digits, 100 * value); break;
    }
    return buf;
}

nlohmann::json metric_fields_json(const Metrics& m) {
    nlohmann::json j = nlohmann::json::object();
    for (const MetricField& f : metric_fields()) {
        const double v = f.value(m);
        if (!std::isfinite(v))
            j[std::string(f.key)] = nullptr;
        else if (f.format == MetricFormat::Count)
            j[std::string(f.key)] = static_cast<std::size_t>(v);
        else
            j[std::string(f.key)] = v;
    }
    return j;
}

std::string metrics_text(const Metrics& m, bool (*pick)(const MetricField&), std::string_view separator) {
    std::string out;
    for (const MetricField& f : metric_fields()) {
        if (!pick(f)) continue;
        if (!out.empty()) out += separator;
        out += std::string(f.label) + " " + format_metric(f, f.value(m));
    }
    return out;
}

Metrics ScoredView::evaluate_constant(std::size_t level) const {
    return evaluate(routing::Decisions(size(), static_cast<routing::ModelIndex>(level)));
}

std::vector<std::size_t> pareto_frontier(const std::vector<Metrics>& points) {
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < points.size(); ++i)
        if (std::isfinite(points[i].avg_cost) && std::isfinite(points[i].avg_perf)) idx.push_back(i);
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
        if (points[a].avg_cost != points[b].avg_cost) return points[a].avg_cost < points[b].avg_cost;
        return points[a].avg_perf > points[b].avg_perf;
    });
    std::vector<std::size_t> out;
    double best = -INFINITY;
    for (const std::size_t i : idx) {
        if (points[i].avg_perf > best) {
            out.push_back(i);
            best = points[i].avg_perf;
        }
    }
    return out;
}

double area_under_hull(std::vector<std::pair<double, double>> pts) {
    pts.erase(std::remove_if(pts.begin(), pts.end(),
                             [](const auto& p) { return !std::isfinite(p.first) || !std::isfinite(p.second); }),
              pts.end());
    if (pts.empty()) return kNaN;
    std::sort(pts.begin(), pts.end());
    // Upper convex hull (monotone chain), left to right.
    std::vector<std::pair<double, double>> hull;
    for (const auto& p : pts) {
        while (hull.size() >= 2) {
            const auto& a = hull[hull.size() - 2];
            const auto& b = hull.back();
            const double cross =
                (b.first - a.first) * (p.second - a.second) - (b.second - a.second) * (p.first - a.first);
            if (cross >= 0)
                hull.pop_back();  // b is on or below the chord a→p
            else
                break;
        }
        if (!hull.empty() && hull.back().first == p.first) {
            hull.back().second = std::max(hull.back().second, p.second);
            continue;
        }
        hull.push_back(p);
    }
    // Non-decreasing: quality never drops when more budget is allowed.
    for (std::size_t i = 1; i < hull.size(); ++i) hull[i].second = std::max(hull[i].second, hull[i - 1].second);
    const double width = hull.back().first - hull.front().first;
    if (hull.size() == 1 || width <= 0) return hull.front().second;
    double area = 0;
    for (std::size_t i = 1; i < hull.size(); ++i)
        area += (hull[i].first - hull[i - 1].first) * (hull[i].second + hull[i - 1].second) / 2;
    return area / width;
}

double calls_for_gap(const std::vector<Metrics>& points, double gap_fraction) {
    double best = kNaN;
    for (const auto& p : points)
        if (p.apgr >= gap_fraction && (std::isnan(best) || p.escalated_fraction < best)) best = p.escalated_fraction;
    return best;
}

CurveSummary summarize_curve(const std::vector<Metrics>& points, const ScoredView& view) {
    CurveSummary c;
    std::vector<std::pair<double, double>> pts;
    pts.emplace_back(view.call_cost(0), view.mean_score(0));
    pts.emplace_back(view.call_cost(view.levels() - 1), view.mean_score(view.levels() - 1));
    for (const auto& p : points) pts.emplace_back(p.avg_cost, p.avg_perf);
    c.aiq = area_under_hull(std::move(pts));
    c.calls_for_50pct_gap = calls_for_gap(points, 0.5);
    c.calls_for_80pct_gap = calls_for_gap(points, 0.8);
    c.pareto = pareto_frontier(points);
    return c;
}

}  // namespace automix::eval

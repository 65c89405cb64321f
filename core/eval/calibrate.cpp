#include "core/eval/calibrate.hpp"

#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>

#include "core/eval/bootstrap.hpp"
#include "core/eval/trainer.hpp"

namespace automix::eval {

namespace {

std::string number(double x, const char* format = "%.6g") {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, x);
    return buf;
}

bool is_ceiling(Limit l) {
    return l == Limit::MaxCost || l == Limit::MaxEscalated;
}

std::string figure_text(Limit l, double x) {
    switch (l) {
    case Limit::MaxCost: return number(x, "%.4g");
    case Limit::MinPerf: return number(x, "%.4g");
    case Limit::MaxEscalated:
    case Limit::MinLift: return number(100.0 * x, "%.4g") + " %";
    }
    return number(x);
}

// True when candidate a is a better choice than b (both feasible). Equal figures keep b,
// the earlier one (the caller scans in enumeration order).
bool better(Limit l, const Metrics& a, const Metrics& b) {
    if (l == Limit::MinPerf) {
        if (a.avg_cost != b.avg_cost) return a.avg_cost < b.avg_cost;
        return a.avg_perf > b.avg_perf;
    }
    if (a.avg_perf != b.avg_perf) return a.avg_perf > b.avg_perf;
    return a.avg_cost < b.avg_cost;
}

nlohmann::ordered_json number_or_null(double x) {
    return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
}

// Every metric by its key, as the other JSON outputs write them (eval::metric_fields()).
nlohmann::ordered_json figures_json(const Metrics& m) { return nlohmann::ordered_json(metric_fields_json(m)); }

nlohmann::ordered_json interval_json(const Interval& i) {
    return nlohmann::ordered_json::array({number_or_null(i.lo), number_or_null(i.hi)});
}

}  // namespace

std::string limit_name(Limit l) {
    switch (l) {
    case Limit::MaxCost: return "max-cost";
    case Limit::MaxEscalated: return "max-escalated";
    case Limit::MinPerf: return "min-perf";
    case Limit::MinLift: return "min-lift";
    }
    return "?";
}

std::optional<Limit> limit_from_name(const std::string& name) {
    for (const Limit l : {Limit::MaxCost, Limit::MaxEscalated, Limit::MinPerf, Limit::MinLift})
        if (limit_name(l) == name) return l;
    return std::nullopt;
}

std::string interval_kind_name(IntervalKind k) {
    return k == IntervalKind::Reselected ? "reselected" : "fixed";
}

std::optional<IntervalKind> interval_kind_from_name(const std::string& name) {
    for (const IntervalKind k : {IntervalKind::Reselected, IntervalKind::FixedRouting})
        if (interval_kind_name(k) == name) return k;
    return std::nullopt;
}

std::string describe(const Constraint& c) {
    switch (c.limit) {
    case Limit::MaxCost: return "avg cost ≤ " + figure_text(c.limit, c.value);
    case Limit::MaxEscalated: return "escalated ≤ " + figure_text(c.limit, c.value);
    case Limit::MinPerf: return "avg perf ≥ " + figure_text(c.limit, c.value);
    case Limit::MinLift: return "IBC lift ≥ " + figure_text(c.limit, c.value);
    }
    return "?";
}

double constrained_figure(Limit l, const Metrics& m) {
    switch (l) {
    case Limit::MaxCost: return m.avg_cost;
    case Limit::MaxEscalated: return m.escalated_fraction;
    case Limit::MinPerf: return m.avg_perf;
    case Limit::MinLift: return m.lift;
    }
    return kNaN;
}

bool meets(const Constraint& c, const Metrics& m) {
    const double x = constrained_figure(c.limit, m);
    return is_ceiling(c.limit) ? x <= c.value : x >= c.value;  // NaN: false either way
}

void validate(const Constraint& c) {
    const std::string what = limit_name(c.limit) + ": ";
    if (!std::isfinite(c.value)) throw std::invalid_argument(what + "expected a finite number");
    if (c.limit == Limit::MaxCost && c.value < 0)
        throw std::invalid_argument(what + "a cost limit must not be negative, got " + number(c.value));
    if (c.limit == Limit::MaxEscalated && !(c.value >= 0 && c.value <= 1))
        throw std::invalid_argument(what + "the escalated share must be within 0 % … 100 %, got " +
                                    number(100.0 * c.value) + " %");
}

std::optional<Segment> constraint_segment(const Constraint& c, const Metrics& small_only, const Metrics& large_only,
                                          const routing::Config& cfg, double x_lo, double x_hi, double y_lo,
                                          double y_hi, std::size_t levels) {
    switch (c.limit) {
    case Limit::MaxCost: return Segment{c.value, y_lo, c.value, y_hi};
    case Limit::MaxEscalated: {
        if (levels != 2) return std::nullopt;
        // Two models: avg cost = c_s + c_v + share × c_l, on the way between the two ends.
        const double x = small_only.avg_cost + c.value * (large_only.avg_cost - small_only.avg_cost);
        return Segment{x, y_lo, x, y_hi};
    }
    case Limit::MinPerf: return Segment{x_lo, c.value, x_hi, c.value};
    case Limit::MinLift: {
        // lift ≥ L ⇔ (P − P_first) / (C − c_first) ≥ (1 + L) · base (method §4).
        if (cfg.call_costs.size() < 2) return std::nullopt;
        const double c_first = cfg.call_costs.front(), c_last = cfg.call_costs.back();
        const double base = (large_only.avg_perf - small_only.avg_perf) / (c_last - c_first);
        const double slope = (1.0 + c.value) * base;
        if (!std::isfinite(slope)) return std::nullopt;
        return Segment{x_lo, small_only.avg_perf + slope * (x_lo - c_first), x_hi,
                       small_only.avg_perf + slope * (x_hi - c_first)};
    }
    }
    return std::nullopt;
}

Calibration calibrate(const routing::Method& m, const data::Dataset& ds, const data::View& train,
                      const data::View& val, const routing::Config& cfg, const CalibrationOptions& options) {
    validate(options.constraint);
    if (train.empty()) throw std::invalid_argument("no train rows to calibrate on");
    if (options.bootstrap < 0) throw std::invalid_argument("bootstrap: replicates must not be negative");
    if (!(options.confidence > 0 && options.confidence < 1))
        throw std::invalid_argument("bootstrap: confidence must be in (0, 1)");
    const Constraint& limit = options.constraint;
    const CostModel costs = CostModel::from(cfg);

    // Training's own path: the candidates and their train figures, then the same candidates on val.
    const ScoredView train_view = ScoredView::for_method(ds, train, m, costs);
    const TrainResult t = train_method(m, ds, train_view, cfg);
    std::optional<ScoredView> val_view;
    if (!val.empty()) val_view.emplace(ScoredView::for_method(ds, val, m, costs));
    const std::vector<routing::Params> params = params_of(t);
    const std::vector<Metrics> val_metrics =
        val_view ? evaluate_candidates(m, ds, params, *val_view, cfg) : std::vector<Metrics>(params.size());

    Calibration c;
    c.method = m.name();
    c.constraint = limit;
    c.trained = t.best;
    c.n_train = train.size();
    c.n_val = val.size();
    c.confidence = options.confidence;
    std::vector<Metrics> train_metrics;
    for (std::size_t i = 0; i < params.size(); ++i) {
        CalibrationCandidate k;
        k.params = params[i];
        k.text = m.describe(params[i], cfg);
        k.train = t.candidates[i].metrics;
        k.val = val_metrics[i];
        k.feasible = meets(limit, k.train);
        train_metrics.push_back(k.train);
        c.candidates.push_back(std::move(k));
    }
    for (const std::size_t i : pareto_frontier(train_metrics)) c.candidates[i].pareto = true;

    std::size_t nearest = 0;
    bool have_nearest = false;
    for (std::size_t i = 0; i < c.candidates.size(); ++i) {
        const CalibrationCandidate& k = c.candidates[i];
        const double x = constrained_figure(limit.limit, k.train);
        if (std::isfinite(x)) {
            const double best = constrained_figure(limit.limit, c.candidates[nearest].train);
            if (!have_nearest || (is_ceiling(limit.limit) ? x < best : x > best)) nearest = i;
            have_nearest = true;
        }
        if (!k.feasible) continue;
        ++c.n_feasible;
        if (!c.chosen || better(limit.limit, k.train, c.candidates[*c.chosen].train)) c.chosen = i;
    }

    if (!c.chosen) {
        c.message = "no candidate of " + m.name() + " meets " + describe(limit) + " on the train rows (" +
                    std::to_string(c.candidates.size()) + " candidates";
        if (have_nearest) {
            const CalibrationCandidate& k = c.candidates[nearest];
            const char* closest = limit.limit == Limit::MaxCost        ? "the cheapest costs "
                                  : limit.limit == Limit::MaxEscalated ? "the fewest escalations: "
                                  : limit.limit == Limit::MinPerf      ? "the best performance: "
                                                                       : "the highest lift: ";
            c.message += "; " + std::string(closest) + figure_text(limit.limit, constrained_figure(limit.limit, k.train)) +
                         ", " + k.text;
        }
        c.message += ")";
        return c;
    }

    const CalibrationCandidate& chosen = c.candidates[*c.chosen];
    c.message = "chose candidate " + std::to_string(*c.chosen + 1) + " of " + std::to_string(c.candidates.size()) +
                " (" + chosen.text + "), " + std::to_string(c.n_feasible) + " meet " + describe(limit) + " on train";
    if (!val_view) return c;
    c.val_decisions = m.route(ds, val, chosen.params, cfg);
    c.val_meets = meets(limit, chosen.val);
    c.interval_kind = options.interval;
    std::vector<Metrics> reps;
    std::size_t held = 0;
    if (options.interval == IntervalKind::FixedRouting) {
        reps = bootstrap_metrics(*val_view, c.val_decisions, options.bootstrap, options.seed);
        for (const Metrics& r : reps) held += meets(limit, r) ? 1 : 0;
        c.bootstrap = static_cast<int>(reps.size());
    } else {
        // Each replicate: a train resample chooses among the candidates by the rule above,
        // and a val resample (the same draws as the fixed interval's) measures that choice.
        std::vector<RowFigures> on_train, on_val;
        for (const auto& p : params) {
            on_train.push_back(row_figures(train_view, m.route(ds, train, p, cfg)));
            on_val.push_back(row_figures(*val_view, m.route(ds, val, p, cfg)));
        }
        std::mt19937_64 val_rng(options.seed), train_rng(options.seed ^ 0x7EA1A5EEDULL);
        std::vector<std::uint32_t> val_weight(val.size()), train_weight(train.size());
        std::size_t same = 0, none = 0;
        for (int b = 0; b < options.bootstrap; ++b) {
            draw_row_weights(val_rng, val_weight);
            draw_row_weights(train_rng, train_weight);
            std::optional<std::size_t> pick;
            Metrics pick_train;
            for (std::size_t i = 0; i < params.size(); ++i) {
                const Metrics mt = resampled_metrics(on_train[i], train_weight);
                if (!meets(limit, mt)) continue;
                if (!pick || better(limit.limit, mt, pick_train)) {
                    pick = i;
                    pick_train = mt;
                }
            }
            if (!pick) {
                ++none;
                continue;
            }
            same += *pick == *c.chosen ? 1 : 0;
            reps.push_back(resampled_metrics(on_val[*pick], val_weight));
            held += meets(limit, reps.back()) ? 1 : 0;
        }
        c.bootstrap = options.bootstrap;
        if (options.bootstrap > 0) {
            c.same_choice_share = static_cast<double>(same) / options.bootstrap;
            c.none_feasible_share = static_cast<double>(none) / options.bootstrap;
        }
    }
    if (c.bootstrap == 0) return c;
    c.val_meets_share = static_cast<double>(held) / static_cast<double>(c.bootstrap);
    if (reps.empty()) return c;
    const double alpha = (1.0 - options.confidence) / 2.0;
    auto interval = [&](double Metrics::*field) {
        std::vector<double> v;
        for (const Metrics& r : reps)
            if (std::isfinite(r.*field)) v.push_back(r.*field);
        return Interval{percentile(v, alpha), percentile(std::move(v), 1.0 - alpha)};
    };
    c.val_cost = interval(&Metrics::avg_cost);
    c.val_perf = interval(&Metrics::avg_perf);
    c.val_escalated = interval(&Metrics::escalated_fraction);
    c.val_lift = interval(&Metrics::lift);
    return c;
}

nlohmann::ordered_json calibration_to_json(const Calibration& c) {
    nlohmann::ordered_json j;
    j["method"] = c.method;
    j["constraint"] = {{"kind", limit_name(c.constraint.limit)},
                       {"value", number_or_null(c.constraint.value)},
                       {"text", describe(c.constraint)}};
    j["met"] = c.chosen.has_value();
    j["message"] = c.message;
    j["n_train"] = c.n_train;
    j["n_val"] = c.n_val;
    j["n_candidates"] = c.candidates.size();
    j["n_feasible"] = c.n_feasible;
    j["trained_index"] = c.trained;
    if (const CalibrationCandidate* k = c.choice()) {
        nlohmann::ordered_json ch;
        ch["index"] = *c.chosen;
        ch["params"] = k->params;
        ch["description"] = k->text;
        ch["train"] = figures_json(k->train);
        ch["val"] = figures_json(k->val);
        ch["val_meets"] = c.val_meets;
        ch["val_interval"] = {{"bootstrap", c.bootstrap},
                              {"confidence", c.confidence},
                              {"kind", interval_kind_name(c.interval_kind)},
                              {"resamples",
                               c.interval_kind == IntervalKind::Reselected
                                   ? "train and val rows; the choice made again on each train resample"
                                   : "val rows; the routing chosen on all train rows"},
                              {"avg_cost", interval_json(c.val_cost)},
                              {"avg_perf", interval_json(c.val_perf)},
                              {"escalated_fraction", interval_json(c.val_escalated)},
                              {"lift", interval_json(c.val_lift)},
                              {"meets_share", number_or_null(c.val_meets_share)}};
        if (c.interval_kind == IntervalKind::Reselected) {
            ch["val_interval"]["same_choice_share"] = number_or_null(c.same_choice_share);
            ch["val_interval"]["none_feasible_share"] = number_or_null(c.none_feasible_share);
        }
        j["chosen"] = ch;
    } else {
        j["chosen"] = nullptr;
    }
    nlohmann::ordered_json cands = nlohmann::ordered_json::array();
    for (const auto& k : c.candidates) {
        nlohmann::ordered_json e;
        e["params"] = k.params;
        e["description"] = k.text;
        e["feasible"] = k.feasible;
        e["pareto"] = k.pareto;
        e["train"] = figures_json(k.train);
        e["val"] = figures_json(k.val);
        cands.push_back(e);
    }
    j["candidates"] = cands;
    return j;
}

}  // namespace automix::eval

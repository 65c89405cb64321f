#include "core/eval/trainer.hpp"

#include <cmath>
#include <exception>

namespace automix::eval {

std::size_t first_max_index(const std::vector<double>& values) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < values.size(); ++i)
        if (values[i] > values[best]) best = i;
    return best;
}

TrainResult train_method(const routing::Method& m, const data::Dataset& ds, const ScoredView& train,
                         const routing::Config& cfg) {
    TrainResult t;
    auto params = m.candidates(ds, train.rows(), cfg);
    if (params.empty()) throw routing::RoutingError(m.name() + ": no candidate parameters");
    std::vector<double> lifts;
    lifts.reserve(params.size());
    t.candidates.reserve(params.size());
    std::vector<Metrics> metrics;
    metrics.reserve(params.size());
    m.route_each(ds, train.rows(), params, cfg,
                 [&](std::size_t, const routing::Decisions& d) { metrics.push_back(train.evaluate(d)); });
    for (std::size_t i = 0; i < params.size(); ++i) {
        lifts.push_back(metrics[i].lift);
        t.candidates.push_back({std::move(params[i]), metrics[i]});
    }
    t.best = first_max_index(lifts);
    const double best = lifts[t.best];
    for (const double l : lifts)
        if (l == best || (std::isnan(l) && std::isnan(best))) ++t.n_best_ties;
    return t;
}

std::vector<routing::Params> params_of(const TrainResult& t) {
    std::vector<routing::Params> out;
    out.reserve(t.candidates.size());
    for (const auto& c : t.candidates) out.push_back(c.params);
    return out;
}

std::vector<Metrics> evaluate_candidates(const routing::Method& m, const data::Dataset& ds,
                                         const std::vector<routing::Params>& params, const ScoredView& view,
                                         const routing::Config& cfg) {
    std::vector<Metrics> out;
    out.reserve(params.size());
    m.route_each(ds, view.rows(), params, cfg,
                 [&](std::size_t, const routing::Decisions& d) { out.push_back(view.evaluate(d)); });
    return out;
}

Fit fit_and_route(const routing::Method& m, const data::Dataset& ds, const ScoredView& train, const data::View& rows,
                  const routing::Config& cfg) {
    Fit f;
    f.train = train_method(m, ds, train, cfg);
    f.decisions = m.route(ds, rows, f.train.best_params(), cfg);
    return f;
}

Fit fit_and_score(const routing::Method& m, const data::Dataset& ds, const ScoredView& train, const ScoredView& rows,
                  const routing::Config& cfg, const FitOptions& options) {
    Fit f;
    f.train = train_method(m, ds, train, cfg);
    if (options.route_chosen) {
        f.decisions = m.route(ds, rows.rows(), f.train.best_params(), cfg);
        f.scored = rows.evaluate(f.decisions);
    }
    if (options.score_candidates) f.scored_candidates = evaluate_candidates(m, ds, params_of(f.train), rows, cfg);
    return f;
}

Fit fit_and_score(const routing::Method& m, const data::Dataset& ds, const data::View& train, const data::View& rows,
                  const routing::Config& cfg, const FitOptions& options) {
    const CostModel costs = CostModel::from(cfg);
    const ScoredView train_view = ScoredView::for_method(ds, train, m, costs);
    const ScoredView rows_view = ScoredView::for_method(ds, rows, m, costs);
    return fit_and_score(m, ds, train_view, rows_view, cfg, options);
}

FitEach fit_and_score_each(const routing::Method& m, const data::Dataset& ds, const data::View& train,
                           const std::vector<data::View>& rows, const routing::Config& cfg) {
    const CostModel costs = CostModel::from(cfg);
    FitEach f;
    f.train = train_method(m, ds, ScoredView::for_method(ds, train, m, costs), cfg);
    f.scored.resize(rows.size());
    f.errors.resize(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        try {
            const ScoredView view = ScoredView::for_method(ds, rows[i], m, costs);
            f.scored[i] = view.evaluate(m.route(ds, rows[i], f.train.best_params(), cfg));
        } catch (const std::exception& e) {
            f.errors[i] = e.what();
        }
    }
    return f;
}

}  // namespace automix::eval

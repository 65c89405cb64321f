#include "core/eval/trainer.hpp"

#include <cmath>

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

}  // namespace automix::eval

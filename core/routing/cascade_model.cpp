#include "core/routing/cascade_model.hpp"

#include <cmath>
#include <stdexcept>

#include "core/routing/bins.hpp"
#include "core/routing/common.hpp"

namespace automix::routing::cascade {

CascadeCosts cascade_costs(const data::Dataset& ds, const Config& cfg) {
    CascadeCosts c;
    c.verifier_cost = cfg.verifier_cost;
    if (cfg.call_costs.size() == ds.model_count()) {
        c.call_costs = cfg.call_costs;
    } else {
        for (const auto& m : ds.models) c.call_costs.push_back(m.call_cost);
    }
    return c;
}

std::vector<double> cost_to_reach(const CascadeCosts& costs) {
    const std::size_t n = costs.call_costs.size();
    std::vector<double> out(n);
    double calls = 0;
    for (std::size_t j = 0; j < n; ++j) {
        calls += costs.call_costs[j];
        const double verified = static_cast<double>(std::min(j + 1, n > 0 ? n - 1 : 0));
        out[j] = calls + costs.verifier_cost * verified;
    }
    return out;
}

namespace {

bool is_probability_vector(const double* p, int n) {
    double sum = 0;
    for (int i = 0; i < n; ++i) {
        if (!(p[i] >= 0.0) || p[i] > 1.0) return false;
        sum += p[i];
    }
    return std::fabs(sum - 1.0) < 1e-9;
}

}  // namespace

std::string CascadeModel::check() const {
    if (models < 2 || models > kMaxModels)
        return "cascade needs 2.." + std::to_string(kMaxModels) + " models, got " + std::to_string(models);
    if (observations < 1) return "cascade needs at least one observation bin";
    if (states != (1 << models)) return "state count must be 2^N";
    const auto S = static_cast<std::size_t>(states), B = static_cast<std::size_t>(observations);
    const auto N = static_cast<std::size_t>(models);
    if (prior.size() != S) return "prior has the wrong size";
    if (observation.size() != (N - 1) * S * B) return "observation table has the wrong size";
    if (value.size() != N * S) return "value table has the wrong size";
    if (reach_cost.size() != N) return "reach_cost needs one entry per model";
    if (!is_probability_vector(prior.data(), states)) return "prior is not a probability vector";
    for (std::size_t js = 0; js < (N - 1) * S; ++js)
        if (!is_probability_vector(observation.data() + js * B, observations))
            return "observation row " + std::to_string(js) + " is not a probability vector";
    for (double v : value)
        if (!std::isfinite(v)) return "value table has a non-finite entry";
    for (std::size_t j = 0; j < N; ++j) {
        if (!std::isfinite(reach_cost[j]) || reach_cost[j] < 0) return "costs must be finite and ≥ 0";
        if (j > 0 && reach_cost[j] < reach_cost[j - 1]) return "reach costs must not decrease";
    }
    return "";
}

CascadeModel make_empty_model(int models, int observations, std::vector<double> reach_cost) {
    if (models < 2 || models > kMaxModels)
        throw std::invalid_argument("cascade needs 2.." + std::to_string(kMaxModels) + " models");
    if (observations < 1) throw std::invalid_argument("cascade needs at least one observation bin");
    CascadeModel m;
    m.models = models;
    m.observations = observations;
    m.states = 1 << models;
    const auto S = static_cast<std::size_t>(m.states);
    m.prior.assign(S, 1.0 / m.states);
    m.observation.assign((models - 1) * S * observations, 1.0 / observations);
    m.value.assign(models * S, 0.0);
    m.reach_cost = std::move(reach_cost);
    return m;
}

int state_of_scores(const std::vector<double>& scores, double tau) {
    int s = 0;
    for (std::size_t j = 0; j < scores.size(); ++j)
        if (scores[j] >= tau) s |= 1 << j;
    return s;
}

std::string state_label(int state, int models) {
    std::string out;
    for (int j = 0; j < models; ++j) out += (state >> j) & 1 ? "✓" : "✗";
    if (models == 2) {
        static const char* const kCategory[] = {" HOPELESS-like", " UNDEFINED-like", " NEEDY-like", " GOOD-like"};
        out += kCategory[state & 3];
    }
    return out;
}

CascadeModel learn_cascade_model(const data::Dataset& ds, const data::View& rows, const CascadeOptions& options,
                                 const CascadeCosts& costs) {
    const int N = static_cast<int>(ds.model_count());
    if (N < 2 || N > kMaxModels)
        throw std::invalid_argument("cascade needs 2.." + std::to_string(kMaxModels) + " models, the dataset has " +
                                    std::to_string(N));
    if (costs.call_costs.size() != ds.model_count())
        throw std::invalid_argument("cascade needs one call cost per model");
    if (!(options.alpha >= 0) || !std::isfinite(options.alpha))
        throw std::invalid_argument("cascade: Laplace alpha must be a finite number ≥ 0");
    if (!std::isfinite(options.tau)) throw std::invalid_argument("cascade: tau must be finite");
    const Bins bins(options.num_bins);
    CascadeModel m = make_empty_model(N, bins.count(), cost_to_reach(costs));
    m.options = options;
    m.train_rows = rows.size();
    const auto S = static_cast<std::size_t>(m.states), B = static_cast<std::size_t>(m.observations);

    std::vector<double> obs_count((N - 1) * S * B, 0.0);
    std::vector<double> score_sum(N * S, 0.0);
    const bool has_categories = ds.category.size() == ds.size();
    std::vector<double> category_count(has_categories ? S * 4 : 0, 0.0);
    m.state_rows.assign(S, 0);
    std::vector<double> scores(N);
    std::vector<int> bins_of_row(N - 1);
    for (data::RowIndex r : rows) {
        for (int j = 0; j < N; ++j) {
            const double x = ds.models[j].score[r];
            if (std::isnan(x))
                throw RoutingError("row " + detail::row_name(ds, r) + ": no score for model " + ds.models[j].name);
            scores[j] = x;
        }
        for (int j = 0; j + 1 < N; ++j) {
            const double p = ds.models[j].verifier_confidence[r];
            const int o = bins.nearest(p);
            if (o < 0)
                throw RoutingError(
                    "row " + detail::row_name(ds, r) + ": verifier confidence of model " + ds.models[j].name +
                    (std::isnan(p) ? " missing" : " outside every bin (" + detail::format_number(p) + ")"));
            bins_of_row[j] = o;
        }
        const int s = state_of_scores(scores, options.tau);
        ++m.state_rows[s];
        for (int j = 0; j + 1 < N; ++j) obs_count[(j * S + s) * B + bins_of_row[j]] += 1;
        for (int j = 0; j < N; ++j) score_sum[j * S + s] += scores[j];
        if (has_categories) category_count[s * 4 + static_cast<std::size_t>(ds.category[r])] += 1;
    }
    if (has_categories) {
        m.category_given_state.assign(S * 4, 0.25);
        for (std::size_t s = 0; s < S; ++s) {
            const double denom = static_cast<double>(m.state_rows[s]) + 4 * options.alpha;
            if (denom > 0)
                for (std::size_t c = 0; c < 4; ++c)
                    m.category_given_state[s * 4 + c] = (category_count[s * 4 + c] + options.alpha) / denom;
        }
    }

    const double n = static_cast<double>(rows.size()), a = options.alpha;
    for (std::size_t s = 0; s < S; ++s) {
        const double ns = static_cast<double>(m.state_rows[s]);
        // With α = 0 and no rows the prior is undefined; fall back to uniform so that the
        // tables stay probability vectors (the solver then sees a model with no evidence).
        m.prior[s] = n + a * S > 0 ? (ns + a) / (n + a * S) : 1.0 / S;
        for (int j = 0; j + 1 < N; ++j)
            for (std::size_t o = 0; o < B; ++o) {
                const double denom = ns + a * B;
                m.observation[(j * S + s) * B + o] = denom > 0 ? (obs_count[(j * S + s) * B + o] + a) / denom : 1.0 / B;
            }
        for (int j = 0; j < N; ++j)
            m.value[j * S + s] = ns > 0 ? score_sum[j * S + s] / ns : ((s >> j) & 1 ? 1.0 : 0.0);
    }
    return m;
}

double update_belief(const CascadeModel& m, Belief& b, int j, int o) {
    double z = 0;
    for (int s = 0; s < m.states; ++s) z += b[s] * m.obs(j, s, o);
    if (z <= 0) return 0;
    for (int s = 0; s < m.states; ++s) b[s] = b[s] * m.obs(j, s, o) / z;
    return z;
}

std::vector<double> category_belief(const CascadeModel& m, const Belief& b) {
    if (m.category_given_state.size() != static_cast<std::size_t>(m.states) * 4) return {};
    std::vector<double> out(4, 0.0);
    for (int s = 0; s < m.states; ++s)
        for (int c = 0; c < 4; ++c) out[c] += b[s] * m.category_given_state[s * 4 + c];
    return out;
}

double expected_value(const CascadeModel& m, const Belief& b, int j) {
    double v = 0;
    for (int s = 0; s < m.states; ++s) v += b[s] * m.val(j, s);
    return v;
}

}  // namespace automix::routing::cascade

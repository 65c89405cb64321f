#pragma once
// The POMDP of the N-model cascade (method §7): hidden states, prior, observation model,
// value table, step costs, and the Bayes belief update. Pure maths plus one learner that
// reads a Dataset; the solver (cascade_solver.hpp) and router (cascade_router.hpp) build
// on it.
//
//   CascadeOptions o;                                   // τ = 0.5, α = 1, 8 → 9 bins
//   CascadeCosts c = cascade_costs(ds, cfg);            // c_1..c_N and c_v
//   CascadeModel m = learn_cascade_model(ds, train_rows, o, c);
//   Belief b = m.prior;                                 // before any observation
//   double p_o = update_belief(m, b, /*model*/ 0, /*bin*/ 5);   // b ← P(s | o_0 = 5)
//   double v = expected_value(m, b, 0);                 // Σ_s b(s) V_0(s)
//
// States: s is a bit vector, bit j set ⇔ model j "correct" (score_j ≥ τ), so N models give
// 2^N states; state_label(s, N) prints it ("✓✗✓" reads model 1 first).
#include <cstddef>
#include <string>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/routing/method.hpp"

namespace automix::routing::cascade {

// Hard limits that keep the history tree and the state space small enough to solve
// exactly in memory (B^(N−1) leaves).
inline constexpr int kMaxModels = 8;
inline constexpr std::size_t kMaxTreeNodes = 4'000'000;

struct CascadeOptions {
    double tau = 0.5;    // model j counts as correct on a row iff its score ≥ τ
    double alpha = 1.0;  // Laplace smoothing of prior and observation model (α ≥ 0)
    int num_bins = 8;    // observation = nearest bin 0..num_bins of the verifier confidence
};

// Costs in the method §4 units: one call of model j, and one verification pass.
struct CascadeCosts {
    std::vector<double> call_costs;  // cheapest first, one per model
    double verifier_cost = 1.0;
};

// cfg.call_costs when it has one entry per dataset model, otherwise the dataset's own
// per-model costs (the release format's {1, 50} come from the loader); c_v from cfg.
CascadeCosts cascade_costs(const data::Dataset& ds, const Config& cfg);

// Total cost paid when the answer of model j (0-based) is reported: every model up to j
// was called, and every model before the last that was reached was verified:
// Σ_{i≤j} c_i + c_v · min(j + 1, N − 1).
std::vector<double> cost_to_reach(const CascadeCosts& costs);

using Belief = std::vector<double>;  // one probability per hidden state, sums to 1

struct CascadeModel {
    int models = 0;                   // N ≥ 2
    int observations = 0;             // B = num_bins + 1
    int states = 0;                   // S = 2^N
    std::vector<double> prior;        // [s] = P(s)
    std::vector<double> observation;  // [(j·S + s)·B + o] = P(o_j = o | s), j = 0..N−2
    std::vector<double> value;        // [j·S + s] = V_j(s), expected score of model j in s
    std::vector<double> reach_cost;   // [j] = cost_to_reach(costs)[j]
    // What the tables were learned from (for display; empty for hand-built models).
    std::vector<std::size_t> state_rows;  // [s] = number of train rows in state s
    // The §5 category view (NEEDY, GOOD, HOPELESS, UNDEFINED of the first vs the last model):
    // [s·4 + c] = P(category c | s) among the train rows, Laplace α. Empty when the dataset
    // has no categories (hand-built models).
    std::vector<double> category_given_state;
    std::size_t train_rows = 0;
    CascadeOptions options;

    double obs(int j, int s, int o) const {
        return observation[(static_cast<std::size_t>(j) * states + s) * observations + o];
    }
    double val(int j, int s) const { return value[static_cast<std::size_t>(j) * states + s]; }
    // "" when the tables have consistent sizes, probabilities are valid and costs are
    // non-negative and finite; otherwise what is wrong.
    std::string check() const;
};

// An empty model of the right shape (uniform prior and observations, zero values), for
// building one by hand.
CascadeModel make_empty_model(int models, int observations, std::vector<double> reach_cost);

// Learns prior, observation model and value table from `rows` (method §7):
//   P(s) = (n_s + α) / (n + α·S)
//   P(o_j = o | s) = (n_{j,s,o} + α) / (n_s + α·B)
//   V_j(s) = mean score_j over the rows in s; a state without rows gets its nominal value
//            (1 if model j is correct in s, else 0), so the solver still has a number.
// Throws RoutingError naming the row when a score is missing, or a verifier confidence of
// a model other than the last is missing or outside every bin; std::invalid_argument for
// options or costs that do not fit the dataset.
CascadeModel learn_cascade_model(const data::Dataset& ds, const data::View& rows, const CascadeOptions& options,
                                 const CascadeCosts& costs);

// Hidden state of a row from its per-model scores (bit j ⇔ score_j ≥ τ).
int state_of_scores(const std::vector<double>& scores, double tau);
// "✓✗" style label, model 1 first; for N = 2 the closest §5 category is appended
// ("✗✓ NEEDY-like"): ✗✓ ≈ NEEDY, ✓✓ ≈ GOOD, ✗✗ ≈ HOPELESS, ✓✗ ≈ UNDEFINED.
std::string state_label(int state, int models);

// Bayes update after observing bin `o` of model `j`: b(s) ← b(s)·P(o | s) / Z. Returns
// Z = P(o | history) = Σ_s b(s) P(o | s), the predictive probability of that observation.
// When Z = 0 (only possible with α = 0) the belief is left unchanged and 0 is returned.
double update_belief(const CascadeModel& m, Belief& b, int j, int o);
// P(category | belief) = Σ_s b(s) P(c | s), in data::Category order; empty when the model
// has no category view.
std::vector<double> category_belief(const CascadeModel& m, const Belief& b);
// Σ_s b(s) V_j(s): the expected score of reporting model j's answer.
double expected_value(const CascadeModel& m, const Belief& b, int j);

}  // namespace automix::routing::cascade

#pragma once
// Exact solution of the cascade POMDP (method §7) over its finite history tree.
//
// A decision node is a history h = (o_0, …, o_j) of verifier bins after models 0..j were
// called and verified, j = 0..N−2 (the last model is never verified, it only reports).
// At h the actions are report m_j (Q_report = E_b[V_j] − λ·cost_to_reach[j]) or escalate to
// m_{j+1} (Q_escalate = Σ_o P(o | h)·max-action value at h+o; at j = N−2 it is
// E_b[V_{N−1}] − λ·cost_to_reach[N−1]). Ties → report.
//
// Why a single threshold per node: as a function of λ, the optimal escalation value minus
// the report value is convex (a sum of maxima of lines minus a line) with slope ≤ −(extra
// cost) < 0, so it crosses zero once. Every node therefore has one λ*_h with
//   escalate at h  ⇔  λ < λ*_h,
// and the whole λ-family of optimal policies is the vector of λ*_h: the breakpoints of the
// cost–quality curve are the distinct λ*_h, and a λ change re-derives the policy in
// O(nodes) without solving again.
//
//   CascadeSolution sol(model);                 // solves once (thresholds per node)
//   Policy p = sol.policy_at(0.01);             // optimal policy for λ = 0.01
//   auto segs = sol.distinct_policies();        // every optimal policy over λ ∈ [0, ∞)
//   NodeQ q = sol.q_values(node, 0.01);         // for traces and the policy table
//   Belief b = sol.belief(node);                // P(s | h)
//   auto direct = backward_induction(model, 0.01);  // plain solve at one λ (same policy)
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/routing/cascade_model.hpp"

namespace automix::routing::cascade {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Indexing of the decision nodes: depth j holds B^(j+1) nodes, stored after all shallower
// ones; within a depth a node's local index is the history read as a base-B number
// (o_0 most significant). The children of a node are B consecutive nodes.
class HistoryTree {
  public:
    HistoryTree() = default;
    // Throws std::invalid_argument when the tree would exceed kMaxTreeNodes.
    HistoryTree(int models, int observations);
    int models() const { return models_; }
    int observations() const { return observations_; }
    int depths() const { return models_ - 1; }  // decision depths 0..N−2
    std::size_t size() const { return size_; }
    std::size_t offset(int depth) const { return offset_[depth]; }
    std::size_t count(int depth) const { return count_[depth]; }
    int depth_of(std::size_t node) const;
    // Node of the one-step history (o_0).
    std::size_t root(int o) const { return static_cast<std::size_t>(o); }
    // Node of h + o for a node h at depth < N−2.
    std::size_t child(std::size_t node, int o) const;
    // The bins (o_0, …, o_j) leading to a node.
    std::vector<int> history(std::size_t node) const;

  private:
    int models_ = 0, observations_ = 0;
    std::size_t size_ = 0;
    std::vector<std::size_t> offset_, count_;
};

// Escalate flags per decision node. Canonical form (what policy_at and the solvers return):
// a node that cannot be reached under the policy itself holds 0, so two policies that route
// every query the same way compare equal.
struct Policy {
    std::vector<std::uint8_t> escalate;
    bool operator==(const Policy&) const = default;
    std::size_t escalating_nodes() const;
};

struct NodeQ {
    double q_report = 0;    // E_b[V_j] − λ·cost_to_reach[j]
    double q_escalate = 0;  // expected value of escalating (and acting optimally after)
    bool escalate = false;  // q_escalate > q_report (ties → report)
};

// Expected score and cost of a policy under the model (the model's own prediction).
struct PolicyValue {
    double score = 0;
    double cost = 0;
    std::vector<double> final_model_probability;  // [j] = P(the answer of m_j is reported)
    double objective(double lambda) const { return score - lambda * cost; }
};

// One optimal policy and the λ range [lambda_lo, lambda_hi) where it is optimal.
struct PolicySegment {
    double lambda_lo = 0, lambda_hi = kInfinity;
    Policy policy;
    PolicyValue expected;
};

class CascadeSolution {
  public:
    CascadeSolution() = default;
    // Throws std::invalid_argument when model.check() fails or the tree is too large.
    explicit CascadeSolution(CascadeModel model);

    const CascadeModel& model() const { return model_; }
    const HistoryTree& tree() const { return tree_; }

    // λ*_h: the optimal action at h is escalate iff λ < λ*_h (0 = never for λ ≥ 0,
    // +∞ = always, when escalating costs nothing and gains something).
    double threshold(std::size_t node) const { return threshold_[node]; }
    // P(h): probability of reaching the history (if the policy escalates along it).
    double probability(std::size_t node) const { return mass_[node]; }
    // P(s | h).
    Belief belief(std::size_t node) const;
    // Sorted distinct finite λ*_h > 0: the λ values where the optimal policy can change.
    std::vector<double> breakpoints() const;

    Policy policy_at(double lambda) const;
    NodeQ q_values(std::size_t node, double lambda) const;
    // Σ_h max(Q) over the first step: the optimal expected score − λ·cost.
    double optimal_objective(double lambda) const;
    PolicyValue evaluate(const Policy& p) const;
    // Every distinct optimal policy for λ ∈ [0, ∞), ordered by increasing λ (so from the most
    // to the least escalating); the first starts at 0, the last ends at +∞.
    std::vector<PolicySegment> distinct_policies() const;

  private:
    struct Line {
        double a = 0, b = 0;  // a − λ·b, both weighted by P(h)
    };
    Line report_line(std::size_t node) const;
    Line continuation(std::size_t node, double lambda) const;
    Line node_value(std::size_t node, double lambda) const;
    void solve_threshold(std::size_t node);

    CascadeModel model_;
    HistoryTree tree_;
    std::vector<double> mass_;         // P(h)
    std::vector<double> report_;       // Σ_s P(s, h) V_j(s)
    std::vector<double> last_report_;  // depth N−2 only: Σ_s P(s, h) V_{N−1}(s), by local index
    std::vector<double> threshold_;
};

// Plain backward induction at one λ, independent of the threshold machinery (the spec's
// definition; used to cross-check and by callers wanting Q values for every node).
struct InductionResult {
    Policy policy;             // canonical
    std::vector<NodeQ> nodes;  // per node, normalised by P(h)
    double objective = 0;      // optimal expected score − λ·cost
};
InductionResult backward_induction(const CascadeModel& model, double lambda);

// Expected score − λ·cost of any (not necessarily canonical) policy, by enumerating the
// tree — used for brute-force checks.
double policy_objective(const CascadeModel& model, const Policy& p, double lambda);

}  // namespace automix::routing::cascade

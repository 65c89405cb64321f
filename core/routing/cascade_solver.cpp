#include "core/routing/cascade_solver.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace automix::routing::cascade {

// ---- HistoryTree ------------------------------------------------------------------------

HistoryTree::HistoryTree(int models, int observations) : models_(models), observations_(observations) {
    if (models < 2) throw std::invalid_argument("cascade needs at least 2 models");
    if (observations < 1) throw std::invalid_argument("cascade needs at least one observation bin");
    std::size_t width = 1;
    for (int j = 0; j < models - 1; ++j) {
        if (width > kMaxTreeNodes / static_cast<std::size_t>(observations))
            throw std::invalid_argument("cascade history tree too large (" + std::to_string(models) + " models × " +
                                        std::to_string(observations) + " bins)");
        width *= static_cast<std::size_t>(observations);
        offset_.push_back(size_);
        count_.push_back(width);
        size_ += width;
        if (size_ > kMaxTreeNodes)
            throw std::invalid_argument("cascade history tree too large (" + std::to_string(models) + " models × " +
                                        std::to_string(observations) + " bins)");
    }
}

int HistoryTree::depth_of(std::size_t node) const {
    for (int j = 0; j < depths(); ++j)
        if (node < offset_[j] + count_[j]) return j;
    throw std::out_of_range("history tree node out of range");
}

std::size_t HistoryTree::child(std::size_t node, int o) const {
    const int j = depth_of(node);
    if (j + 1 >= depths()) throw std::out_of_range("history tree node has no children");
    return offset_[j + 1] + (node - offset_[j]) * observations_ + static_cast<std::size_t>(o);
}

std::vector<int> HistoryTree::history(std::size_t node) const {
    const int j = depth_of(node);
    std::size_t local = node - offset_[j];
    std::vector<int> h(static_cast<std::size_t>(j) + 1);
    for (int i = j; i >= 0; --i) {
        h[i] = static_cast<int>(local % observations_);
        local /= observations_;
    }
    return h;
}

std::size_t Policy::escalating_nodes() const {
    return static_cast<std::size_t>(std::count(escalate.begin(), escalate.end(), 1));
}

// ---- CascadeSolution --------------------------------------------------------------------

CascadeSolution::CascadeSolution(CascadeModel model) : model_(std::move(model)) {
    if (const std::string problem = model_.check(); !problem.empty())
        throw std::invalid_argument("cascade model: " + problem);
    tree_ = HistoryTree(model_.models, model_.observations);
    const int N = model_.models, S = model_.states, B = model_.observations;
    if (tree_.count(N - 2) * static_cast<std::size_t>(S) > 16'000'000)
        throw std::invalid_argument("cascade history tree too large to solve in memory");

    mass_.assign(tree_.size(), 0.0);
    report_.assign(tree_.size(), 0.0);
    last_report_.assign(tree_.count(N - 2), 0.0);
    threshold_.assign(tree_.size(), 0.0);

    // Joint weights P(s, h) level by level: a child's are its parent's times P(o | s).
    std::vector<double> level(static_cast<std::size_t>(B) * S), next;
    for (int o = 0; o < B; ++o)
        for (int s = 0; s < S; ++s) level[o * S + s] = model_.prior[s] * model_.obs(0, s, o);
    for (int j = 0; j < N - 1; ++j) {
        const std::size_t count = tree_.count(j);
        for (std::size_t local = 0; local < count; ++local) {
            const double* w = &level[local * S];
            double mass = 0, report = 0, last = 0;
            for (int s = 0; s < S; ++s) {
                mass += w[s];
                report += w[s] * model_.val(j, s);
                last += w[s] * model_.val(N - 1, s);
            }
            const std::size_t node = tree_.offset(j) + local;
            mass_[node] = mass;
            report_[node] = report;
            if (j == N - 2) last_report_[local] = last;
        }
        if (j + 1 < N - 1) {
            next.assign(count * B * S, 0.0);
            for (std::size_t local = 0; local < count; ++local)
                for (int o = 0; o < B; ++o)
                    for (int s = 0; s < S; ++s)
                        next[(local * B + o) * S + s] = level[local * S + s] * model_.obs(j + 1, s, o);
            level.swap(next);
        }
    }
    // Deepest nodes first: a node's threshold needs its descendants' thresholds.
    for (int j = N - 2; j >= 0; --j)
        for (std::size_t local = 0; local < tree_.count(j); ++local) solve_threshold(tree_.offset(j) + local);
}

CascadeSolution::Line CascadeSolution::report_line(std::size_t node) const {
    const int j = tree_.depth_of(node);
    return {report_[node], model_.reach_cost[j] * mass_[node]};
}

CascadeSolution::Line CascadeSolution::continuation(std::size_t node, double lambda) const {
    const int j = tree_.depth_of(node);
    if (j == model_.models - 2)
        return {last_report_[node - tree_.offset(j)], model_.reach_cost[model_.models - 1] * mass_[node]};
    Line sum;
    const std::size_t first = tree_.child(node, 0);
    for (int o = 0; o < model_.observations; ++o) {
        const Line v = node_value(first + o, lambda);
        sum.a += v.a;
        sum.b += v.b;
    }
    return sum;
}

CascadeSolution::Line CascadeSolution::node_value(std::size_t node, double lambda) const {
    return lambda < threshold_[node] ? continuation(node, lambda) : report_line(node);
}

void CascadeSolution::solve_threshold(std::size_t node) {
    const Line report = report_line(node);
    // The escalation value is linear between the thresholds of the descendants.
    std::vector<double> points{0.0};
    const int j = tree_.depth_of(node);
    std::size_t first = node - tree_.offset(j), width = 1;
    for (int d = j + 1; d < model_.models - 1; ++d) {
        first *= model_.observations;
        width *= model_.observations;
        for (std::size_t local = first; local < first + width; ++local) {
            const double t = threshold_[tree_.offset(d) + local];
            if (t > 0 && std::isfinite(t)) points.push_back(t);
        }
    }
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());

    auto gain = [&](std::size_t k) {  // (escalate − report) at points[k], and its slope
        const Line esc = continuation(node, points[k]);
        const double slope = esc.b - report.b;
        return std::pair<double, double>{(esc.a - report.a) - points[k] * slope, slope};
    };
    if (gain(0).first <= 0) {
        threshold_[node] = 0;  // reporting is at least as good for every λ ≥ 0
        return;
    }
    // The gain decreases in λ: find the last point where it is still positive.
    std::size_t lo = 0, hi = points.size();  // gain(lo) > 0; gain(k) ≤ 0 for k ≥ hi
    while (hi - lo > 1) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (gain(mid).first > 0)
            lo = mid;
        else
            hi = mid;
    }
    const auto [g, slope] = gain(lo);
    const bool last_piece = lo + 1 == points.size();
    double root;
    if (slope <= 0)
        root = last_piece ? kInfinity : points[lo + 1];  // escalating costs nothing extra here
    else
        root = points[lo] + g / slope;
    if (!last_piece) root = std::min(root, points[lo + 1]);
    threshold_[node] = root;
}

Belief CascadeSolution::belief(std::size_t node) const {
    Belief b = model_.prior;
    const std::vector<int> h = tree_.history(node);
    for (std::size_t i = 0; i < h.size(); ++i) update_belief(model_, b, static_cast<int>(i), h[i]);
    return b;
}

std::vector<double> CascadeSolution::breakpoints() const {
    std::vector<double> out;
    for (double t : threshold_)
        if (t > 0 && std::isfinite(t)) out.push_back(t);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Policy CascadeSolution::policy_at(double lambda) const {
    Policy p;
    p.escalate.assign(tree_.size(), 0);
    const int B = model_.observations;
    for (std::size_t node = 0; node < tree_.count(0); ++node) p.escalate[node] = lambda < threshold_[node];
    for (int j = 1; j < tree_.depths(); ++j) {
        for (std::size_t parent = 0; parent < tree_.count(j - 1); ++parent) {
            if (!p.escalate[tree_.offset(j - 1) + parent]) continue;
            const std::size_t first = tree_.offset(j) + parent * B;
            for (int o = 0; o < B; ++o) p.escalate[first + o] = lambda < threshold_[first + o];
        }
    }
    return p;
}

NodeQ CascadeSolution::q_values(std::size_t node, double lambda) const {
    const Line report = report_line(node), esc = continuation(node, lambda);
    const double m = mass_[node];
    NodeQ q;
    if (m > 0) {
        q.q_report = (report.a - lambda * report.b) / m;
        q.q_escalate = (esc.a - lambda * esc.b) / m;
    } else {
        q.q_report = q.q_escalate = std::nan("");
    }
    q.escalate = lambda < threshold_[node];
    return q;
}

double CascadeSolution::optimal_objective(double lambda) const {
    double total = 0;
    for (std::size_t node = 0; node < tree_.count(0); ++node) {
        const Line v = node_value(node, lambda);
        total += v.a - lambda * v.b;
    }
    return total;
}

PolicyValue CascadeSolution::evaluate(const Policy& p) const {
    if (p.escalate.size() != tree_.size()) throw std::invalid_argument("policy does not fit the history tree");
    const int N = model_.models, B = model_.observations;
    PolicyValue v;
    v.final_model_probability.assign(N, 0.0);
    std::vector<std::uint8_t> reached(tree_.size(), 0);
    for (std::size_t node = 0; node < tree_.count(0); ++node) reached[node] = 1;
    for (int j = 0; j < N - 1; ++j) {
        for (std::size_t local = 0; local < tree_.count(j); ++local) {
            const std::size_t node = tree_.offset(j) + local;
            if (!reached[node]) continue;
            if (!p.escalate[node]) {
                v.score += report_[node];
                v.cost += model_.reach_cost[j] * mass_[node];
                v.final_model_probability[j] += mass_[node];
            } else if (j == N - 2) {
                v.score += last_report_[local];
                v.cost += model_.reach_cost[N - 1] * mass_[node];
                v.final_model_probability[N - 1] += mass_[node];
            } else {
                const std::size_t first = tree_.offset(j + 1) + local * B;
                for (int o = 0; o < B; ++o) reached[first + o] = 1;
            }
        }
    }
    return v;
}

std::vector<PolicySegment> CascadeSolution::distinct_policies() const {
    std::vector<double> lambdas{0.0};
    for (double t : breakpoints()) lambdas.push_back(t);
    std::vector<PolicySegment> out;
    for (double lambda : lambdas) {
        Policy p = policy_at(lambda);
        if (!out.empty() && out.back().policy == p) continue;
        if (!out.empty()) out.back().lambda_hi = lambda;
        PolicySegment seg;
        seg.lambda_lo = lambda;
        seg.expected = evaluate(p);
        seg.policy = std::move(p);
        out.push_back(std::move(seg));
    }
    return out;
}

// ---- Direct backward induction ----------------------------------------------------------

namespace {

struct Inductor {
    const CascadeModel& m;
    const HistoryTree& tree;
    double lambda;
    std::vector<NodeQ>& nodes;

    // Value of acting optimally at `node` (depth j) with belief b = P(s | h).
    double solve(std::size_t node, int j, const Belief& b) {
        NodeQ q;
        q.q_report = expected_value(m, b, j) - lambda * m.reach_cost[j];
        if (j == m.models - 2) {
            q.q_escalate = expected_value(m, b, m.models - 1) - lambda * m.reach_cost[m.models - 1];
        } else {
            q.q_escalate = 0;
            for (int o = 0; o < m.observations; ++o) {
                Belief next = b;
                const double p_o = update_belief(m, next, j + 1, o);
                q.q_escalate += p_o * solve(tree.child(node, o), j + 1, next);
            }
        }
        q.escalate = q.q_escalate > q.q_report;
        nodes[node] = q;
        return std::max(q.q_report, q.q_escalate);
    }
};

Policy canonical(const HistoryTree& tree, const std::vector<std::uint8_t>& flags) {
    Policy p;
    p.escalate.assign(tree.size(), 0);
    std::vector<std::uint8_t> reached(tree.size(), 0);
    for (std::size_t n = 0; n < tree.count(0); ++n) reached[n] = 1;
    for (int j = 0; j < tree.depths(); ++j)
        for (std::size_t local = 0; local < tree.count(j); ++local) {
            const std::size_t n = tree.offset(j) + local;
            if (!reached[n] || !flags[n]) continue;
            p.escalate[n] = 1;
            if (j + 1 < tree.depths())
                for (int o = 0; o < tree.observations(); ++o) reached[tree.child(n, o)] = 1;
        }
    return p;
}

}  // namespace

InductionResult backward_induction(const CascadeModel& model, double lambda) {
    if (const std::string problem = model.check(); !problem.empty())
        throw std::invalid_argument("cascade model: " + problem);
    const HistoryTree tree(model.models, model.observations);
    InductionResult r;
    r.nodes.resize(tree.size());
    Inductor ind{model, tree, lambda, r.nodes};
    for (int o = 0; o < model.observations; ++o) {
        Belief b = model.prior;
        const double p_o = update_belief(model, b, 0, o);
        r.objective += p_o * ind.solve(tree.root(o), 0, b);
    }
    std::vector<std::uint8_t> flags(tree.size());
    for (std::size_t n = 0; n < tree.size(); ++n) flags[n] = r.nodes[n].escalate;
    r.policy = canonical(tree, flags);
    return r;
}

double policy_objective(const CascadeModel& model, const Policy& p, double lambda) {
    const HistoryTree tree(model.models, model.observations);
    if (p.escalate.size() != tree.size()) throw std::invalid_argument("policy does not fit the history tree");
    const int N = model.models;
    // Follows the policy through the tree carrying P(s, h) (unnormalised beliefs).
    auto walk = [&](auto&& self, std::size_t node, int j, const std::vector<double>& w) -> double {
        if (!p.escalate[node]) {
            double v = 0;
            for (int s = 0; s < model.states; ++s) v += w[s] * (model.val(j, s) - lambda * model.reach_cost[j]);
            return v;
        }
        if (j == N - 2) {
            double v = 0;
            for (int s = 0; s < model.states; ++s) v += w[s] * (model.val(N - 1, s) - lambda * model.reach_cost[N - 1]);
            return v;
        }
        double v = 0;
        std::vector<double> next(w.size());
        for (int o = 0; o < model.observations; ++o) {
            for (int s = 0; s < model.states; ++s) next[s] = w[s] * model.obs(j + 1, s, o);
            v += self(self, tree.child(node, o), j + 1, next);
        }
        return v;
    };
    double total = 0;
    std::vector<double> w(model.states);
    for (int o = 0; o < model.observations; ++o) {
        for (int s = 0; s < model.states; ++s) w[s] = model.prior[s] * model.obs(0, s, o);
        total += walk(walk, tree.root(o), 0, w);
    }
    return total;
}

}  // namespace automix::routing::cascade

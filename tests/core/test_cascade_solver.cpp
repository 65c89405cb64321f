// The cascade POMDP's pure maths (method §7): Bayes belief updates against hand computation,
// optimality of the exact solve against brute force over every deterministic policy, the
// λ limits and the shape of the λ-family of policies.
#include <QtTest>

#include <cmath>
#include <random>

#include "core/routing/cascade_model.hpp"
#include "core/routing/cascade_solver.hpp"

using namespace automix::routing::cascade;

namespace {

// A random but valid model: Dirichlet-ish prior and observation rows, values in [0, 1].
CascadeModel random_model(int models, int bins, std::mt19937& rng) {
    std::vector<double> reach;
    double c = 0;
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int j = 0; j < models; ++j) {
        c += 1.0 + 20.0 * unit(rng) * j;
        reach.push_back(c);
    }
    CascadeModel m = make_empty_model(models, bins, reach);
    auto normalise = [](double* p, int n) {
        double z = 0;
        for (int i = 0; i < n; ++i) z += p[i];
        for (int i = 0; i < n; ++i) p[i] /= z;
    };
    for (auto& p : m.prior) p = 0.05 + unit(rng);
    normalise(m.prior.data(), m.states);
    for (std::size_t r = 0; r < m.observation.size() / bins; ++r) {
        for (int o = 0; o < bins; ++o) m.observation[r * bins + o] = 0.05 + unit(rng);
        normalise(m.observation.data() + r * bins, bins);
    }
    for (auto& v : m.value) v = unit(rng);
    return m;
}

// Every deterministic policy (one flag per node, unreachable ones included) — 2^nodes.
double brute_force_best(const CascadeModel& m, double lambda) {
    const HistoryTree tree(m.models, m.observations);
    const std::size_t n = tree.size();
    double best = -INFINITY;
    Policy p;
    p.escalate.assign(n, 0);
    for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << n); ++mask) {
        for (std::size_t i = 0; i < n; ++i) p.escalate[i] = (mask >> i) & 1;
        best = std::max(best, policy_objective(m, p, lambda));
    }
    return best;
}

}  // namespace

class TestCascadeSolver : public QObject {
    Q_OBJECT

  private slots:
    void belief_update_matches_hand_bayes() {
        // Two models, two bins. States: bit 0 = small correct, bit 1 = large correct.
        CascadeModel m = make_empty_model(2, 2, {2, 52});
        m.prior = {0.1, 0.2, 0.3, 0.4};
        // P(o = 1 | s): 0.2, 0.5, 0.6, 0.9 (and the complement for o = 0).
        const double p1[] = {0.2, 0.5, 0.6, 0.9};
        for (int s = 0; s < 4; ++s) {
            m.observation[s * 2 + 1] = p1[s];
            m.observation[s * 2 + 0] = 1 - p1[s];
        }
        QCOMPARE(m.check(), std::string());
        Belief b = m.prior;
        // By hand: joint 0.02, 0.10, 0.18, 0.36; evidence 0.66.
        const double z = update_belief(m, b, 0, 1);
        QVERIFY(std::fabs(z - 0.66) < 1e-15);
        QVERIFY(std::fabs(b[0] - 0.02 / 0.66) < 1e-15);
        QVERIFY(std::fabs(b[1] - 0.10 / 0.66) < 1e-15);
        QVERIFY(std::fabs(b[2] - 0.18 / 0.66) < 1e-15);
        QVERIFY(std::fabs(b[3] - 0.36 / 0.66) < 1e-15);
        // Observing o = 0 instead: joint 0.08, 0.10, 0.12, 0.04; evidence 0.34.
        Belief b0 = m.prior;
        QVERIFY(std::fabs(update_belief(m, b0, 0, 0) - 0.34) < 1e-15);
        QVERIFY(std::fabs(b0[2] - 0.12 / 0.34) < 1e-15);
        // Expected value of reporting: V_0 = (0, 1, 0, 1) ⇒ P(small correct | o = 1).
        m.value = {0, 1, 0, 1, 0, 0, 1, 1};
        QVERIFY(std::fabs(expected_value(m, b, 0) - (0.10 + 0.36) / 0.66) < 1e-15);
        QVERIFY(std::fabs(expected_value(m, b, 1) - (0.18 + 0.36) / 0.66) < 1e-15);
    }

    void two_observations_chain_like_bayes() {
        // Three models: the second update multiplies by model 1's likelihood.
        CascadeModel m = make_empty_model(3, 2, {1, 11, 61});
        for (int s = 0; s < 8; ++s) {
            m.prior[s] = (s + 1) / 36.0;                                // 1..8 / 36
            m.observation[(0 * 8 + s) * 2 + 1] = 0.25 + 0.5 * (s & 1);  // model 0 sees its own bit
            m.observation[(0 * 8 + s) * 2 + 0] = 1 - m.observation[(0 * 8 + s) * 2 + 1];
            m.observation[(1 * 8 + s) * 2 + 1] = 0.1 + 0.8 * ((s >> 1) & 1);
            m.observation[(1 * 8 + s) * 2 + 0] = 1 - m.observation[(1 * 8 + s) * 2 + 1];
        }
        QCOMPARE(m.check(), std::string());
        Belief b = m.prior;
        update_belief(m, b, 0, 1);
        update_belief(m, b, 1, 0);
        // By hand for state s: (s+1) · (0.25 or 0.75) · (0.9 or 0.1), normalised.
        double joint[8], z = 0;
        for (int s = 0; s < 8; ++s) {
            joint[s] = (s + 1) * ((s & 1) ? 0.75 : 0.25) * (((s >> 1) & 1) ? 0.1 : 0.9);
            z += joint[s];
        }
        for (int s = 0; s < 8; ++s) QVERIFY(std::fabs(b[s] - joint[s] / z) < 1e-14);
        // The solver's belief for the same history agrees.
        const CascadeSolution sol(m);
        const std::size_t node = sol.tree().child(sol.tree().root(1), 0);
        QCOMPARE(sol.tree().history(node), (std::vector<int>{1, 0}));
        const Belief bs = sol.belief(node);
        for (int s = 0; s < 8; ++s) QVERIFY(std::fabs(bs[s] - joint[s] / z) < 1e-14);
    }

    void history_tree_indexing() {
        const HistoryTree t(3, 9);
        QCOMPARE(t.size(), std::size_t{90});
        QCOMPARE(t.count(0), std::size_t{9});
        QCOMPARE(t.count(1), std::size_t{81});
        QCOMPARE(t.child(4, 7), std::size_t{9 + 4 * 9 + 7});
        QCOMPARE(t.depth_of(89), 1);
        QCOMPARE(t.history(9 + 4 * 9 + 7), (std::vector<int>{4, 7}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, HistoryTree(8, 9));
    }

    void exact_solve_beats_every_deterministic_policy() {
        std::mt19937 rng(7);
        const double lambdas[] = {0.0, 1e-4, 0.002, 0.01, 0.03, 0.1, 1.0};
        for (int trial = 0; trial < 12; ++trial) {
            const int models = trial % 2 ? 3 : 2;
            const int bins = models == 3 ? 2 : 4;  // 6 or 4 decision nodes
            const CascadeModel m = random_model(models, bins, rng);
            const CascadeSolution sol(m);
            for (double lambda : lambdas) {
                const double brute = brute_force_best(m, lambda);
                const double solved = sol.optimal_objective(lambda);
                const auto direct = backward_induction(m, lambda);
                QVERIFY2(
                    std::fabs(brute - solved) < 1e-12,
                    qPrintable(
                        QString("trial %1 λ %2: brute %3 solved %4").arg(trial).arg(lambda).arg(brute).arg(solved)));
                QVERIFY(std::fabs(brute - direct.objective) < 1e-12);
                // The policy the thresholds give achieves the optimum.
                QVERIFY(std::fabs(policy_objective(m, sol.policy_at(lambda), lambda) - brute) < 1e-12);
                QVERIFY(std::fabs(sol.evaluate(sol.policy_at(lambda)).objective(lambda) - brute) < 1e-12);
            }
        }
    }

    void thresholds_agree_with_direct_induction() {
        std::mt19937 rng(11);
        for (int trial = 0; trial < 6; ++trial) {
            const CascadeModel m = random_model(3, 9, rng);
            const CascadeSolution sol(m);
            const auto bps = sol.breakpoints();
            for (double lambda = 0.0005; lambda < 0.2; lambda *= 1.37) {
                bool near_breakpoint = false;
                for (double t : bps) near_breakpoint |= std::fabs(t - lambda) < 1e-9;
                if (near_breakpoint) continue;
                const auto direct = backward_induction(m, lambda);
                QVERIFY(direct.policy == sol.policy_at(lambda));
                for (std::size_t n = 0; n < sol.tree().size(); ++n) {
                    const NodeQ q = sol.q_values(n, lambda);
                    QVERIFY(std::fabs(q.q_report - direct.nodes[n].q_report) < 1e-9);
                    QVERIFY(std::fabs(q.q_escalate - direct.nodes[n].q_escalate) < 1e-9);
                }
            }
        }
    }

    void tiny_lambda_escalates_to_the_best_model() {
        std::mt19937 rng(3);
        CascadeModel m = random_model(3, 3, rng);
        // The last model is the best in every state.
        for (int s = 0; s < m.states; ++s) {
            m.value[0 * m.states + s] = 0.2;
            m.value[1 * m.states + s] = 0.5;
            m.value[2 * m.states + s] = 0.9;
        }
        PolicyValue v = CascadeSolution(m).evaluate(CascadeSolution(m).policy_at(1e-9));
        QVERIFY(std::fabs(v.final_model_probability[2] - 1.0) < 1e-12);
        // The middle model is the best: the cascade stops there, never pays for the last.
        for (int s = 0; s < m.states; ++s) m.value[2 * m.states + s] = 0.4;
        const CascadeSolution mid(m);
        v = mid.evaluate(mid.policy_at(1e-9));
        QVERIFY(std::fabs(v.final_model_probability[1] - 1.0) < 1e-12);
        QCOMPARE(v.final_model_probability[2], 0.0);
        // The first model is best: nothing is worth escalating even for free-ish.
        for (int s = 0; s < m.states; ++s) m.value[0 * m.states + s] = 0.95;
        const CascadeSolution first(m);
        QCOMPARE(first.policy_at(1e-9).escalating_nodes(), std::size_t{0});
    }

    void huge_lambda_never_escalates() {
        std::mt19937 rng(5);
        for (int trial = 0; trial < 5; ++trial) {
            const CascadeSolution sol(random_model(3, 9, rng));
            const Policy p = sol.policy_at(1e6);
            QCOMPARE(p.escalating_nodes(), std::size_t{0});
            QVERIFY(std::fabs(sol.evaluate(p).final_model_probability[0] - 1.0) < 1e-12);
            const auto segs = sol.distinct_policies();
            QCOMPARE(segs.back().policy.escalating_nodes(), std::size_t{0});
        }
    }

    void policy_family_is_monotone_in_lambda() {
        std::mt19937 rng(9);
        std::size_t total_segments = 0;
        for (int trial = 0; trial < 8; ++trial) {
            const CascadeSolution sol(random_model(trial % 3 == 0 ? 2 : 3, 9, rng));
            const auto segs = sol.distinct_policies();
            QVERIFY(!segs.empty());
            total_segments += segs.size();
            QCOMPARE(segs.front().lambda_lo, 0.0);
            QVERIFY(std::isinf(segs.back().lambda_hi));
            for (std::size_t i = 0; i < segs.size(); ++i) {
                QVERIFY(segs[i].lambda_lo < segs[i].lambda_hi);
                // Inside its range the segment's policy is the optimal one.
                const double mid = std::isinf(segs[i].lambda_hi) ? segs[i].lambda_lo * 2 + 1
                                                                 : (segs[i].lambda_lo + segs[i].lambda_hi) / 2;
                QVERIFY(sol.policy_at(mid) == segs[i].policy);
                if (i == 0) continue;
                QCOMPARE(segs[i].lambda_lo, segs[i - 1].lambda_hi);
                QVERIFY(!(segs[i].policy == segs[i - 1].policy));
                // Higher λ: never more cost, never more expected score.
                QVERIFY(segs[i].expected.cost <= segs[i - 1].expected.cost + 1e-12);
                QVERIFY(segs[i].expected.score <= segs[i - 1].expected.score + 1e-12);
                // Escalation sets shrink.
                for (std::size_t n = 0; n < segs[i].policy.escalate.size(); ++n)
                    QVERIFY(segs[i].policy.escalate[n] <= segs[i - 1].policy.escalate[n]);
            }
        }
        QVERIFY(total_segments > 8 * 3);  // the checks above saw real families of policies
    }

    void ties_report() {
        // Escalating gains exactly what it costs at λ = 0: no gain ⇒ report.
        CascadeModel m = make_empty_model(2, 1, {1, 1});
        m.value = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
        const CascadeSolution sol(m);
        QCOMPARE(sol.threshold(0), 0.0);
        QCOMPARE(sol.policy_at(0.0).escalating_nodes(), std::size_t{0});
        // Gain 0.3 for one extra unit of cost: escalate iff λ < 0.3.
        for (int s = 0; s < 4; ++s) m.value[1 * 4 + s] = 0.8;
        m.reach_cost = {1, 2};
        const CascadeSolution sol2(m);
        QVERIFY(std::fabs(sol2.threshold(0) - 0.3) < 1e-15);
        QCOMPARE(sol2.policy_at(0.29).escalating_nodes(), std::size_t{1});
        QCOMPARE(sol2.policy_at(sol2.threshold(0)).escalating_nodes(), std::size_t{0});
    }

    void rejects_bad_models() {
        CascadeModel m = make_empty_model(2, 3, {1, 51});
        m.prior[0] += 0.5;
        QVERIFY(!m.check().empty());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, CascadeSolution{m});
        CascadeModel c = make_empty_model(2, 3, {5, 1});
        QVERIFY(!c.check().empty());
    }
};

QTEST_GUILESS_MAIN(TestCascadeSolver)
#include "test_cascade_solver.moc"

// Cost model and metrics on tiny vectors (method §4), numpy-compatible summation, AIQ,
// Pareto frontier and call-% for a share of the gap.
#include <QtTest>

#include <cmath>
#include <set>
#include <string_view>

#include "core/eval/metrics.hpp"
#include "core/routing/bins.hpp"
#include "routing_fixtures.hpp"

using namespace automix;
using automix::testing::make_dataset;

namespace {
bool close(double a, double b, double tol = 1e-12) {
    return std::abs(a - b) <= tol;
}
}  // namespace

class TestMetrics : public QObject {
    Q_OBJECT
  private slots:
    void twoModelFormulas() {
        // slm {0, 1, .5, .5}, llm {1, 1, 0, 1}; escalate rows 0 and 3.
        const auto ds = make_dataset({{0, 0, 1}, {0, 1, 1}, {0, 0.5, 0}, {0, 0.5, 1}});
        const eval::ScoredView v(ds, ds.all_rows(), {0, 1}, {{1, 50}, 1});
        QCOMPARE(v.mean_score(0), 0.5);
        QCOMPARE(v.mean_score(1), 0.75);
        QVERIFY(close(v.base_slope(), 0.25 / 49));
        const eval::Metrics m = v.evaluate({1, 0, 0, 1});
        QCOMPARE(m.n, std::size_t(4));
        QCOMPARE(m.n_escalated, std::size_t(2));
        QCOMPARE(m.avg_cost, 27.0);   // (2·1 + 2·51) / 4 + 1
        QCOMPARE(m.avg_perf, 0.875);  // (1 + 1 + .5 + 1) / 4
        QVERIFY(close(m.slope, 0.375 / 26));
        QVERIFY(close(m.lift, (0.375 * 49) / (26 * 0.25) - 1));  // 1.8269…
        QCOMPARE(m.escalated_fraction, 0.5);
        QCOMPARE(m.apgr, 1.5);
        QCOMPARE(m.calls_per_query, 1.5);  // two rows call one model, two call both
        // Keeping everything small costs c_s + c_v and has lift −1.
        const eval::Metrics none = v.evaluate_constant(0);
        QCOMPARE(none.avg_cost, 2.0);
        QCOMPARE(none.lift, -1.0);
        // Escalating everything: cost 51 + 1, performance of the LLM.
        const eval::Metrics all = v.evaluate_constant(1);
        QCOMPARE(all.avg_cost, 52.0);
        QVERIFY(close(all.lift, 49.0 / 51.0 - 1));
    }
    void costsAreConfigurable() {
        const auto ds = make_dataset({{0, 0, 1}, {0, 1, 1}});
        const eval::ScoredView v(ds, ds.all_rows(), {0, 1}, {{2, 30}, 0.5});
        const eval::Metrics m = v.evaluate({1, 0});
        QCOMPARE(m.avg_cost, (2.0 + 32.0) / 2 + 0.5);
        QVERIFY(close(v.base_slope(), 0.5 / 28));
    }
    void threeModelLadder() {
        auto ds = make_dataset({{0, 0.1, 0.9}, {0, 0.2, 0.8}, {0, 0.3, 0.7}});
        ds.models.insert(ds.models.begin() + 1, ds.models[0]);
        ds.models[1].name = "medium";
        ds.models[1].score = {0.5, 0.5, 0.5};
        const eval::ScoredView v(ds, ds.all_rows(), {0, 1, 2}, {{1, 10, 50}, 1});
        const eval::Metrics m = v.evaluate({0, 1, 2});
        // Calls 1, 1+10, 1+10+50; verifications 1, 2, 2 (the last model is never verified).
        QCOMPARE(m.avg_cost, (1.0 + 11 + 61) / 3 + 5.0 / 3);
        QVERIFY(close(m.avg_perf, (0.1 + 0.5 + 0.7) / 3));
        QCOMPARE(m.n_escalated, std::size_t(2));
        QCOMPARE(m.calls_per_query, 2.0);  // (1 + 2 + 3) / 3
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, v.evaluate({0, 3, 0}));
        // Two-model view of the same data uses the first and last model.
        const eval::ScoredView two(ds, ds.all_rows(), {0, 2}, {{1, 10, 50}, 1});
        QCOMPARE(two.call_cost(1), 50.0);
    }
    // The field table names every figure once and reads it from Metrics.
    void fieldTable() {
        const auto ds = make_dataset({{0, 0, 1}, {0, 1, 1}, {0, 0.5, 0}, {0, 0.5, 1}});
        const eval::ScoredView v(ds, ds.all_rows(), {0, 1}, {{1, 50}, 1});
        const eval::Metrics m = v.evaluate({1, 0, 0, 1});
        std::set<std::string_view> keys;
        for (const eval::MetricField& f : eval::metric_fields()) {
            QVERIFY2(keys.insert(f.key).second, std::string(f.key).c_str());
            QVERIFY(!f.label.empty() && !f.description.empty() && f.value);
        }
        QCOMPARE(eval::metric_field("avg_cost").value(m), m.avg_cost);
        QCOMPARE(eval::metric_field("n_escalated").value(m), 2.0);
        QCOMPARE(eval::metric_field("calls_per_query").value(m), m.calls_per_query);
        QVERIFY(!eval::metric_field("calls_per_query").in_report_v1);
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, eval::metric_field("no_such_metric"));
        QCOMPARE(eval::format_metric(eval::metric_field("avg_cost"), 27.0), std::string("27.00"));
        QCOMPARE(eval::format_metric(eval::metric_field("escalated_fraction"), 0.5), std::string("50.0 %"));
        QCOMPARE(eval::format_metric(eval::metric_field("n"), 4.0), std::string("4"));
        QCOMPARE(eval::format_metric(eval::metric_field("lift"), eval::kNaN), std::string("nan"));
    }

    void badInputIsReported() {
        auto ds = make_dataset({{0, 0, 1}, {0, 1, 1}});
        const eval::ScoredView v(ds, ds.all_rows(), {0, 1}, {{1, 50}, 1});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, v.evaluate({1}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, v.evaluate({1, 2}));
        ds.models[1].score[1] = std::nan("");
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::ScoredView(ds, ds.all_rows(), {0, 1}, {{1, 50}, 1}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::ScoredView(ds, ds.all_rows(), {0, 1}, {{1, 50, 3}, 1}));
    }
    void emptyViewGivesNaN() {
        const auto ds = make_dataset({{0, 0, 1}});
        const eval::ScoredView v(ds, {}, {0, 1}, {{1, 50}, 1});
        const eval::Metrics m = v.evaluate({});
        QVERIFY(std::isnan(m.avg_perf));
        QVERIFY(std::isnan(m.lift));
    }
    void equalMeansGiveNonFiniteLift() {
        // P_llm == P_slm → base slope 0 → lift ±inf or NaN, reported, not hidden.
        const auto ds = make_dataset({{0, 0.5, 0.5}, {0, 1, 1}});
        const eval::ScoredView v(ds, ds.all_rows(), {0, 1}, {{1, 50}, 1});
        QCOMPARE(v.base_slope(), 0.0);
        QVERIFY(!std::isfinite(v.evaluate({1, 0}).lift));
    }

    void pairwiseSumLikeNumpy() {
        // numpy: np.sum([1e16, 1, 1, 1, -1e16, 1, 1, 1, 1]) == 5.0 (8 accumulators, then the
        // tail); naive left-to-right summation gives 4.
        const double a[] = {1e16, 1, 1, 1, -1e16, 1, 1, 1, 1};
        QCOMPARE(routing::pairwise_sum(a, 9), 5.0);
        double naive = 0;
        for (double x : a) naive += x;
        QCOMPARE(naive, 4.0);
        QCOMPARE(routing::pairwise_sum(a, 3), 1e16);  // short arrays: plain loop
        std::vector<double> many(1000, 0.1);
        QVERIFY(close(routing::pairwise_sum(many.data(), many.size()), 100.0, 1e-12));
        QCOMPARE(routing::pairwise_sum(nullptr, 0), 0.0);
    }

    void areaUnderHull() {
        // Endpoints (1, .5), (50, .75) and a point (27, .875): hull rises to .875 then stays
        // flat (non-decreasing) → area 26·(.5 + .875)/2 + 23·.875 = 38, over width 49.
        QVERIFY(close(eval::area_under_hull({{1, 0.5}, {50, 0.75}, {27, 0.875}}), 38.0 / 49));
        // A point under the chord does not count.
        QVERIFY(close(eval::area_under_hull({{0, 0}, {10, 1}, {5, 0.2}}), 0.5));
        QVERIFY(close(eval::area_under_hull({{0, 0}, {10, 1}, {5, 0.8}}), (5 * 0.4 + 5 * 0.9) / 10));
        QVERIFY(std::isnan(eval::area_under_hull({})));
    }
    void paretoFrontier() {
        std::vector<eval::Metrics> pts(5);
        const double cp[5][2] = {{10, .5}, {20, .6}, {15, .4}, {20, .7}, {30, .7}};
        for (int i = 0; i < 5; ++i) {
            pts[i].avg_cost = cp[i][0];
            pts[i].avg_perf = cp[i][1];
        }
        QCOMPARE(eval::pareto_frontier(pts), (std::vector<std::size_t>{0, 3}));
    }
    void callsForGap() {
        std::vector<eval::Metrics> pts(3);
        pts[0].apgr = 0.4, pts[0].escalated_fraction = 0.1;
        pts[1].apgr = 0.6, pts[1].escalated_fraction = 0.5;
        pts[2].apgr = 0.9, pts[2].escalated_fraction = 0.3;
        QCOMPARE(eval::calls_for_gap(pts, 0.5), 0.3);
        QCOMPARE(eval::calls_for_gap(pts, 0.8), 0.3);
        QVERIFY(std::isnan(eval::calls_for_gap(pts, 0.95)));
    }
    void curveSummaryIncludesEndpoints() {
        const auto ds = make_dataset({{0, 0, 1}, {0, 1, 1}, {0, 0.5, 0}, {0, 0.5, 1}});
        const eval::ScoredView v(ds, ds.all_rows(), {0, 1}, {{1, 50}, 1});
        const auto c = eval::summarize_curve({v.evaluate({1, 0, 0, 1})}, v);
        QVERIFY(close(c.aiq, 38.0 / 49));
        QCOMPARE(c.calls_for_50pct_gap, 0.5);
        QCOMPARE(c.pareto, (std::vector<std::size_t>{0}));
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "test_metrics.moc"

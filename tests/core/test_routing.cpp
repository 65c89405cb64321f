// Hand-computed cases for every routing method (method §6): candidate enumeration, inclusive
// and half-open bin edges (1/16, 3/16), empty bins, ties, the substring quirk, the registry.
#include <QtTest>

#include <cmath>

#include "core/routing/bins.hpp"
#include "core/routing/greedy_pomdp.hpp"
#include "core/routing/method.hpp"
#include "core/routing/pomdp_simple.hpp"
#include "routing_fixtures.hpp"

using namespace automix;
using automix::testing::bytes;
using automix::testing::confidences;
using automix::testing::decisions;
using automix::testing::make_dataset;
using automix::testing::RowSpec;
using data::Category;

namespace {

routing::MethodPtr method(const char* name) {
    auto m = routing::find_method(name);
    if (!m) qFatal("method %s not registered", name);
    return m;
}

routing::Decisions route_all(const char* name, const data::Dataset& ds, const routing::Params& p,
                             const routing::Config& cfg = {}) {
    return method(name)->route(ds, ds.all_rows(), p, cfg);
}

}  // namespace

class TestRouting : public QObject {
    Q_OBJECT
  private slots:
    void binsNearestIsHalfOpen() {
        const routing::Bins b(8);
        QCOMPARE(b.nearest(0.0), 0);
        QCOMPARE(b.nearest(1.0 / 16), 1);  // exactly on the half-way point → upper bin
        QCOMPARE(b.nearest(std::nextafter(1.0 / 16, 0.0)), 0);
        QCOMPARE(b.nearest(3.0 / 16), 2);
        QCOMPARE(b.nearest(15.0 / 16), 8);
        QCOMPARE(b.nearest(1.0), 8);
        QCOMPARE(b.nearest(std::nextafter(17.0 / 16, 0.0)), 8);
        QCOMPARE(b.nearest(17.0 / 16), -1);  // ≥ 1 + gap/2 is invalid
        QCOMPARE(b.nearest(-0.01), -1);
        QCOMPARE(b.nearest(std::nan("")), -1);
    }
    void binsTrainingWindowIsStrict() {
        const routing::Bins b(8);
        QVERIFY(!b.in_training_window(1.0 / 16, 0));
        QVERIFY(!b.in_training_window(1.0 / 16, 1));
        QVERIFY(b.in_training_window(0.1, 1));
        QVERIFY(b.in_training_window(0.0, 0));
        QVERIFY(!b.in_training_window(0.0, 1));
    }
    void binsFloorAndPythonFloordiv() {
        const routing::Bins b(8);
        QCOMPARE(b.floor_bin(1.0), 8);  // bin 8 holds only p = 1
        QCOMPARE(b.floor_bin(0.999), 7);
        QCOMPARE(b.floor_bin(0.125), 1);
        QCOMPARE(b.floor_bin(std::nextafter(0.125, 0.0)), 0);
        QCOMPARE(b.floor_bin(1.2), -1);
        QCOMPARE(b.floor_bin(-0.1), -1);
        // CPython: 1.0 // 0.1 == 9.0, 0.3 // 0.1 == 2.0, 0.7 // 0.1 == 6.0.
        QCOMPARE(routing::python_floordiv(1.0, 0.1), 9.0);
        QCOMPARE(routing::python_floordiv(0.3, 0.1), 2.0);
        QCOMPARE(routing::python_floordiv(0.7, 0.1), 6.0);
        QCOMPARE(routing::python_floordiv(-0.5, 0.125), -4.0);
        // With 10 bins the reference maps centres through `k*gap // gap` (CPython gives
        // 0,1,2,3,4,4,6,7,8,8,9), so p = 1.0 routes with bin index 9 and floor-bins to 9.
        const routing::Bins ten(10);
        QCOMPARE(ten.nearest(1.0), 9);
        QCOMPARE(ten.nearest(0.5), 4);
        QCOMPARE(ten.nearest(0.4), 4);
        QCOMPARE(ten.floor_bin(1.0), 9);
    }

    void thresholdIsInclusive() {
        const auto ds = confidences({0.0, 0.125, 0.3, 0.375, 0.5, 1.0});
        QCOMPARE(route_all("Threshold", ds, 0.375), decisions({1, 1, 1, 1, 0, 0}));
        QCOMPARE(route_all("Threshold", ds, 1.0), decisions({1, 1, 1, 1, 1, 1}));
        QCOMPARE(route_all("Threshold", ds, 0.0), decisions({1, 0, 0, 0, 0, 0}));
        const auto c = method("Threshold")->candidates(ds, ds.all_rows(), {});
        QCOMPARE(c.size(), std::size_t(9));
        QCOMPARE(c.front().get<double>(), 0.0);
        QCOMPARE(c[3].get<double>(), 0.375);
        QCOMPARE(c.back().get<double>(), 1.0);
    }
    void thresholdRejectsMissingConfidence() {
        auto ds = confidences({0.2, std::nan("")});
        QVERIFY_THROWS_EXCEPTION(routing::RoutingError, route_all("Threshold", ds, 0.5));
        try {
            route_all("Threshold", ds, 0.5);
        } catch (const routing::RoutingError& e) {
            QVERIFY2(std::string(e.what()).find("r1") != std::string::npos, e.what());
        }
    }
    void selfConsistencyHasOneCandidate() {
        const auto ds = confidences({0.5, 0.51});
        const auto c = method("self_consistency")->candidates(ds, ds.all_rows(), {});
        QCOMPARE(c.size(), std::size_t(1));
        QCOMPARE(c[0].get<double>(), 0.5);
        QCOMPARE(route_all("SelfConsistency", ds, 0.5), decisions({1, 0}));
    }
    void doubleThreshold() {
        const auto ds = confidences({0.25, 0.5, 0.2499, 0.5001, 0.375});
        QCOMPARE(route_all("DoubleThreshold", ds, routing::Params::array({0.25, 0.5})), decisions({1, 1, 0, 0, 1}));
        const auto c = method("DoubleThreshold")->candidates(ds, ds.all_rows(), {});
        QCOMPARE(c.size(), std::size_t(28));
        QCOMPARE(c.front(), routing::Params::array({0.0, 0.125}));
        QCOMPARE(c[7], routing::Params::array({0.125, 0.25}));  // after (0, 1/8) .. (0, 7/8)
        QCOMPARE(c.back(), routing::Params::array({0.75, 0.875}));
    }
    void tripleThreshold() {
        const auto ds = confidences({0.0, 0.125, 0.2, 0.5, 0.75, 0.8});
        QCOMPARE(route_all("TripleThreshold", ds, routing::Params::array({0.125, 0.5, 0.75})),
                 decisions({1, 1, 0, 1, 1, 0}));
        const auto c = method("triple_threshold")->candidates(ds, ds.all_rows(), {});
        QCOMPARE(c.size(), std::size_t(56));
        QCOMPARE(c.front(), routing::Params::array({0.0, 0.125, 0.25}));
        QCOMPARE(c.back(), routing::Params::array({0.625, 0.75, 0.875}));
    }

    void pomdpSimpleObservationTable() {
        // bin 0: 2 NEEDY; bin 4: 3 GOOD + 1 UNDEFINED; bin 8: HOPELESS + NEEDY; a NEEDY row
        // exactly on 1/16 is in no training window; bins 1-3, 5-7 are empty.
        const auto ds = make_dataset({{0.0, 0, 1, Category::Needy},
                                      {0.05, 0, 1, Category::Needy},
                                      {0.5, 1, 1, Category::Good},
                                      {0.5, 1, 1, Category::Good},
                                      {0.52, 1, 1, Category::Good},
                                      {0.45, 1, 0, Category::Undefined},
                                      {1.0, 0, 0, Category::Hopeless},
                                      {1.0, 0, 1, Category::Needy},
                                      {1.0 / 16, 0, 1, Category::Needy}});
        const auto t = routing::observation_table(ds, ds.all_rows(), routing::Bins(8));
        QCOMPARE(t.size(), std::size_t(9));
        QCOMPARE(t[0].rows, std::size_t(2));
        QCOMPARE(t[0].p_needy, 1.0);
        QCOMPARE(t[1].rows, std::size_t(0));
        QCOMPARE(t[1].p_needy + t[1].p_good + t[1].p_hopeless, 0.0);
        QCOMPARE(t[4].rows, std::size_t(4));
        QCOMPARE(t[4].p_good, 0.75);  // UNDEFINED counts in the denominator
        QCOMPARE(t[8].p_hopeless, 0.5);
        QCOMPARE(t[8].p_needy, 0.5);

        // Bin 0: stay −r, escalate −100 → escalate from r = 101 (r = 100 ties → stay).
        // Bin 8: stay −r − ½, escalate −100 − r/2 → escalate from r = 200 (199 ties).
        QCOMPARE(routing::policy_for_reward(t, 100), bytes({0, 0, 0, 0, 0, 0, 0, 0, 0}));
        QCOMPARE(routing::policy_for_reward(t, 101), bytes({1, 0, 0, 0, 0, 0, 0, 0, 0}));
        QCOMPARE(routing::policy_for_reward(t, 199), bytes({1, 0, 0, 0, 0, 0, 0, 0, 0}));
        QCOMPARE(routing::policy_for_reward(t, 200), bytes({1, 0, 0, 0, 0, 0, 0, 0, 1}));
        QCOMPARE(routing::policy_for_reward(t, 4999), bytes({1, 0, 0, 0, 0, 0, 0, 0, 1}));

        // Three distinct policies, listed in CPython's set iteration order, which for these
        // tuples is (all 0), (1,0..0,1), (1,0..0) (checked with CPython 3.11).
        const auto c = routing::find_method("POMDPSimple")->candidates(ds, ds.all_rows(), {});
        QCOMPARE(c.size(), std::size_t(3));
        QCOMPARE(c[0], routing::Params::array({0, 0, 0, 0, 0, 0, 0, 0, 0}));
        QCOMPARE(c[1], routing::Params::array({1, 0, 0, 0, 0, 0, 0, 0, 1}));
        QCOMPARE(c[2], routing::Params::array({1, 0, 0, 0, 0, 0, 0, 0, 0}));

        // Routing uses the nearest (half-open) bin: 1/16 → bin 1 → stays; 0.05 → bin 0.
        QCOMPARE(route_all("POMDPSimple", ds, c[1]), decisions({1, 1, 0, 0, 0, 0, 1, 1, 0}));
        const std::string why = routing::find_method("POMDPSimple")->explain(ds, ds.all_rows(), 0, c[1], {});
        QVERIFY2(why.find("bin 0") != std::string::npos && why.find("pN 1.000") != std::string::npos &&
                     why.find("escalate") != std::string::npos && why.find("r = 200") != std::string::npos,
                 why.c_str());
    }
    void pythonSetOrderMatchesCPython() {
        // 19 distinct 9-bit tuples (bits of 5, 300, 17, 511, 0, 256, 3, 129, 64, 200, 77, 31,
        // 488, 1, 2, 4, 8, 16, 32, low bit first) inserted in that order: CPython 3.11's
        // list(set(...)) gives these positions (this also exercises two table resizes).
        const int keys[] = {5, 300, 17, 511, 0, 256, 3, 129, 64, 200, 77, 31, 488, 1, 2, 4, 8, 16, 32};
        std::vector<std::vector<std::uint8_t>> items;
        for (int k : keys) {
            std::vector<std::uint8_t> t;
            for (int b = 0; b < 9; ++b) t.push_back(static_cast<std::uint8_t>((k >> b) & 1));
            items.push_back(t);
        }
        const std::vector<std::size_t> expected{9, 11, 2, 1, 0, 7, 3, 5, 18, 13, 14, 4, 10, 16, 8, 6, 17, 15, 12};
        QCOMPARE(routing::python_set_order(items), expected);
    }
    void pomdpRoutingRejectsOutOfRange() {
        const auto ds = confidences({0.5, 1.07});
        const auto p = routing::Params::array({1, 1, 1, 1, 1, 1, 1, 1, 1});
        QVERIFY_THROWS_EXCEPTION(routing::RoutingError, route_all("POMDPSimple", ds, p));
        QVERIFY_THROWS_EXCEPTION(routing::RoutingError, route_all("GreedyPOMDP", ds, p));
        QVERIFY_THROWS_EXCEPTION(routing::RoutingError, route_all("POMDPSimple", ds, routing::Params::array({1, 0})));
    }

    void greedyAllEqualGainsPutsHigherBinsFirst() {
        // Every gain 0 (empty bins and llm == slm) → equal smoothed values → 8, 7, ..., 0.
        const auto ds = make_dataset({{0.3, 0.5, 0.5}, {0.9, 1, 1}});
        const auto g = routing::greedy_gains(ds, ds.all_rows(), routing::Bins(8));
        QCOMPARE(g.order, (std::vector<int>{8, 7, 6, 5, 4, 3, 2, 1, 0}));
        const auto c = routing::find_method("GreedyPOMDP")->candidates(ds, ds.all_rows(), {});
        QCOMPARE(c.size(), std::size_t(9));  // "escalate nothing" is not a candidate
        QCOMPARE(c.front(), routing::Params::array({0, 0, 0, 0, 0, 0, 0, 0, 1}));
        QCOMPARE(c.back(), routing::Params::array({1, 1, 1, 1, 1, 1, 1, 1, 1}));
    }
    void greedyOrderFollowsReflectSmoothing() {
        // One gain in floor bin 2 (p = 0.25 → 0.25 // 0.125 = 2); p = 0.24 is floor bin 1 with
        // gain 0. With the reflect boundary an impulse at 2 smooths to
        // out[l] ∝ w(l−2) + w(l+3) (the mirror image sits at −3): out[2] = w0 + w5,
        // out[1] = w1 + w4, out[0] = w2 + w3, out[3] = w1 + w6, then w2 + w7, w3 + w8, w4, w5, w6
        // with w(j) = exp(−j²/8): 1.044 > 1.018 > 0.931 > 0.894 > 0.609 > 0.325 > ...
        const auto ds = make_dataset({{0.25, 0.0, 0.5}, {0.24, 0.3, 0.3}});
        const auto g = routing::greedy_gains(ds, ds.all_rows(), routing::Bins(8));
        QCOMPARE(g.rows[2], std::size_t(1));
        QCOMPARE(g.rows[1], std::size_t(1));
        QCOMPARE(g.raw[2], 0.5);
        QCOMPARE(g.order, (std::vector<int>{2, 1, 0, 3, 4, 5, 6, 7, 8}));
        const auto c = routing::find_method("GreedyPOMDP")->candidates(ds, ds.all_rows(), {});
        QCOMPARE(c[1], routing::Params::array({0, 1, 1, 0, 0, 0, 0, 0, 0}));
        // Routing with nearest bins: 0.24 → bin 2 (escalated in c[0]), floor bin was 1.
        QCOMPARE(route_all("GreedyPOMDP", ds, c[0]), decisions({1, 1}));
    }
    void gaussianSmoothingReflectBoundary() {
        // Impulse at 0 of length 9: the reflected copy sits at −1, so
        // out[l] = (exp(−l²/8) + exp(−(l+1)²/8)) / Z with Z = Σ_{j=−8..8} exp(−j²/8), the second
        // term only while l + 1 ≤ 8 (the kernel is truncated at radius 8).
        std::vector<double> x(9, 0.0);
        x[0] = 1.0;
        const auto y = routing::gaussian_smooth_reflect(x, 2.0);
        double z = 0;
        for (int j = -8; j <= 8; ++j) z += std::exp(-j * j / 8.0);
        for (int l = 0; l < 9; ++l) {
            const double mirror = l + 1 <= 8 ? std::exp(-(l + 1) * (l + 1) / 8.0) : 0.0;
            QVERIFY(std::abs(y[l] - (std::exp(-l * l / 8.0) + mirror) / z) < 1e-15);
        }
        // scipy.ndimage.gaussian_filter(x, sigma=2) (scipy 1.10), radius 8 > length 4, so the
        // reflection repeats: [1, 0, 0, 0] → these values.
        const auto s = routing::gaussian_smooth_reflect({1.0, 0, 0, 0}, 2.0);
        const double scipy4[] = {0.3760805883491874, 0.2996755608432427, 0.1967276939054589, 0.127516156902111};
        for (int i = 0; i < 4; ++i) QVERIFY(std::abs(s[i] - scipy4[i]) < 1e-15);
        const auto r = routing::gaussian_smooth_reflect({0.31, -0.05, 0.12, 0.0, 0.4, 0.4, -0.2, 0.07, 0.55}, 2.0);
        const double scipy9[] = {0.14208453686279487, 0.13965823579852588, 0.14359683282989746,
                                 0.15717704828843937, 0.17261036571219407, 0.18411498194984674,
                                 0.19821590927829918, 0.22104890242798328, 0.2414931868520193};
        for (int i = 0; i < 9; ++i) QVERIFY2(std::abs(r[i] - scipy9[i]) < 1e-15, qPrintable(QString::number(i)));
    }

    void unionCandidatesAreMembersInOrder() {
        const auto ds = make_dataset({{0.0, 0, 1, Category::Needy}, {0.5, 1, 1, Category::Good}});
        const auto c = method("POMDP")->candidates(ds, ds.all_rows(), {});
        const auto simple = method("POMDPSimple")->candidates(ds, ds.all_rows(), {});
        QCOMPARE(c.size(), simple.size() + 9 + 28 + 9);
        QCOMPARE(c.front(), routing::Params::array({simple.front(), 0}));
        QCOMPARE(c[simple.size()][1].get<int>(), 1);
        QCOMPARE(c[simple.size() + 9], routing::Params::array({routing::Params::array({0.0, 0.125}), 2}));
        QCOMPARE(c.back(), routing::Params::array({1.0, 3}));
        // Dispatch: member 3 = Threshold.
        QCOMPARE(route_all("automix_union", ds, routing::Params::array({0.25, 3})), decisions({1, 0}));
        QVERIFY_THROWS_EXCEPTION(routing::RoutingError, route_all("POMDP", ds, routing::Params::array({0.25, 4})));
        QVERIFY(method("POMDP")->describe(routing::Params::array({0.25, 3}), {}).find("Threshold") == 0);
    }

    void fixedAnswerIsASubstringTest() {
        std::vector<RowSpec> rows;
        for (const char* a : {"", "unanswerable", "answer", "'.", "Unanswerable", "unanswerable.", "Yes",
                              "unanswerable'.", " unanswerable"})
            rows.push_back({1.0, 0, 1, Category::Undefined, a});
        const auto ds = make_dataset(rows, "qasper");
        const auto m = method("FixedAnswerRouting(Threshold)");
        QCOMPARE(m->route(ds, ds.all_rows(), 0.0, {}), decisions({1, 1, 1, 1, 0, 0, 0, 1, 0}));
        // The inner method still escalates on its own.
        QCOMPARE(m->route(ds, ds.all_rows(), 1.0, {}), decisions({1, 1, 1, 1, 1, 1, 1, 1, 1}));
        QVERIFY(m->runs_by_default_on("qasper"));
        QVERIFY(!m->runs_by_default_on("coqa"));
        QCOMPARE(m->candidates(ds, ds.all_rows(), {}).size(), std::size_t(9));
        auto missing = ds;
        missing.models[0].has_answer[2] = 0;
        QVERIFY_THROWS_EXCEPTION(routing::RoutingError, m->route(missing, missing.all_rows(), 0.0, {}));
    }

    void baselines() {
        const auto ds = make_dataset({{0.1, 0.2, 0.9}, {0.9, 0.5, 0.5}, {0.5, 1.0, 0.0}});
        QCOMPARE(route_all("always_small", ds, nullptr), decisions({0, 0, 0}));
        QCOMPARE(route_all("always_large", ds, nullptr), decisions({1, 1, 1}));
        QCOMPARE(route_all("oracle", ds, nullptr), decisions({1, 0, 0}));  // ties stay
        // random_mix: fraction 0 and 1 are exact; a row's draw does not depend on the view.
        QCOMPARE(route_all("random_mix", ds, 0.0), decisions({0, 0, 0}));
        QCOMPARE(route_all("random_mix", ds, 1.0), decisions({1, 1, 1}));
        const auto m = method("random_mix");
        const auto all = m->route(ds, ds.all_rows(), 0.5, {});
        const auto one = m->route(ds, data::View{2}, 0.5, {});
        QCOMPARE(one[0], all[2]);
    }

    void registryNamesAndAliases() {
        const auto names = routing::method_names();
        const std::vector<std::string> reference{
            "Threshold", "DoubleThreshold", "TripleThreshold", "SelfConsistency", "POMDPSimple", "GreedyPOMDP",
            "POMDP"};
        QVERIFY(names.size() >= reference.size() + 6 + 4);
        for (std::size_t i = 0; i < reference.size(); ++i) QCOMPARE(names[i], reference[i]);
        QCOMPARE(method("pomdp")->name(), std::string("POMDP"));
        QCOMPARE(method("AUTOMIX_UNION")->name(), std::string("POMDP"));
        QCOMPARE(method("double_threshold")->name(), std::string("DoubleThreshold"));
        QCOMPARE(method("greedy_pomdp")->name(), std::string("GreedyPOMDP"));
        QCOMPARE(method("fixedanswerrouting(pomdp)")->name(), std::string("FixedAnswerRouting(POMDP)"));
        QCOMPARE(method("fixed_answer_double_threshold")->name(), std::string("FixedAnswerRouting(DoubleThreshold)"));
        QVERIFY(!routing::find_method("no_such_method"));
        QVERIFY(!routing::find_method("FixedAnswerRouting(SelfConsistency)"));
    }

    // What callers used to decide by name, now by what a method declares.
    void capabilitiesReplaceNameTests() {
        using Tone = routing::Capabilities::Tone;
        QCOMPARE(routing::find_reference(Tone::Oracle)->name(), method("oracle")->name());
        QCOMPARE(routing::find_reference(Tone::RandomMix)->name(), method("random_mix")->name());
        QCOMPARE(routing::find_reference(Tone::SmallModel)->name(), method("always_small")->name());
        QVERIFY(routing::is_reference(*routing::find_reference(Tone::Oracle)));
        // The lift-vs-samples curve: Threshold and POMDP, in registry order; no wrapper.
        std::vector<std::string> onCurve;
        for (const auto& m : routing::all_methods())
            if (m->capabilities().on_samples_curve) onCurve.push_back(m->name());
        QCOMPARE(onCurve, (std::vector<std::string>{"Threshold", "POMDP"}));
        // The per-bin policy: POMDPSimple's parameter itself, the union's only through that member.
        const routing::Params flags = routing::Params::array({0, 1, 1, 0});
        QCOMPARE(method("POMDPSimple")->bin_policy(flags), flags);
        QCOMPARE(method("POMDP")->bin_policy(routing::Params::array({flags, 0})), flags);
        QVERIFY(method("POMDP")->bin_policy(routing::Params::array({0.25, 3})).is_null());
        QVERIFY(method("POMDP")->bin_policy(routing::Params::array({flags, 9})).is_null());
        QVERIFY(method("POMDP")->bin_policy(flags).is_null());
        QVERIFY(method("Threshold")->bin_policy(0.25).is_null());
        QVERIFY(method("FixedAnswerRouting(POMDPSimple)")->bin_policy(flags).is_null());
    }

    void explainTexts() {
        const auto ds = confidences({0.3125, 0.5, 0.36666666666666664, 0.36711});
        const auto t = method("Threshold");
        // Reasons print 3 significant digits (0.3125 rounds to even), more only to tell two
        // compared values apart.
        QCOMPARE(QString::fromStdString(t->explain(ds, {}, 0, 0.375, {})),
                 QStringLiteral("conf 0.312 ≤ threshold 0.375 → escalate"));
        QCOMPARE(QString::fromStdString(t->explain(ds, {}, 2, 0.375, {})),
                 QStringLiteral("conf 0.367 ≤ threshold 0.375 → escalate"));
        QCOMPARE(QString::fromStdString(t->explain(ds, {}, 3, 0.3668, {})),
                 QStringLiteral("conf 0.3671 > threshold 0.3668 → keep small"));
        QCOMPARE(QString::fromStdString(t->explain(ds, {}, 1, 0.375, {})),
                 QStringLiteral("conf 0.5 > threshold 0.375 → keep small"));
        QCOMPARE(QString::fromStdString(t->describe(0.375, {})), QStringLiteral("t = 0.375"));
        const std::string g =
            method("GreedyPOMDP")
                ->explain(ds, ds.all_rows(), 0, routing::Params::array({0, 0, 1, 0, 0, 0, 0, 0, 0}), {});
        QVERIFY2(g.find("bin 3") != std::string::npos && g.find("keep small") != std::string::npos, g.c_str());
    }
};

QTEST_GUILESS_MAIN(TestRouting)
#include "test_routing.moc"

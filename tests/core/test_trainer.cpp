// Training (first maximum wins, Python max semantics), the POMDP union's member order,
// pandas-compatible sampling and the evaluation protocols on hand-built data.
#include <QtTest>

#include <cmath>

#include "core/eval/protocol.hpp"
#include "core/eval/report_json.hpp"
#include "core/eval/trainer.hpp"
#include "routing_fixtures.hpp"

using namespace automix;
using automix::testing::make_dataset;
using automix::testing::RowSpec;
using data::Category;
using data::Split;

namespace {

// A (0.1): escalating helps; B (0.15): escalating hurts, and B shares A's nearest bin, so
// only a threshold can separate them; C (0.9): escalating helps a little.
data::Dataset separable() {
    return make_dataset(
        {{0.10, 0.0, 1.0, Category::Needy}, {0.15, 1.0, 0.0, Category::Undefined}, {0.90, 0.5, 1.0, Category::Needy}});
}

eval::TrainResult train(const char* name, const data::Dataset& ds) {
    const auto m = routing::find_method(name);
    const eval::ScoredView v = eval::ScoredView::for_method(ds, ds.all_rows(), *m, {});
    return eval::train_method(*m, ds, v, {});
}

}  // namespace

class TestTrainer : public QObject {
    Q_OBJECT
  private slots:
    void firstMaxWithPythonSemantics() {
        QCOMPARE(eval::first_max_index({1, 3, 3, 2}), std::size_t(1));
        QCOMPARE(eval::first_max_index({std::nan(""), 5}), std::size_t(0));  // NaN first stays
        QCOMPARE(eval::first_max_index({1, std::nan(""), 2}), std::size_t(2));
        QCOMPARE(eval::first_max_index({2, std::nan(""), 1}), std::size_t(0));
        QCOMPARE(eval::first_max_index({}), std::size_t(0));
    }
    void thresholdTiesGoToTheFirstCandidate() {
        // Thresholds 0.125 … 0.5 make the same decisions on {0.1, 0.6, 0.9}; 0.125 must win.
        const auto ds = make_dataset({{0.1, 0, 1}, {0.6, 1, 1}, {0.9, 1, 1}});
        const auto t = train("Threshold", ds);
        QCOMPARE(t.best_params().get<double>(), 0.125);
        QCOMPARE(t.n_best_ties, std::size_t(4));
        QCOMPARE(t.candidates.size(), std::size_t(9));
        // Escalate row 0: cost 56/3, perf 1; P_slm 2/3, P_llm 1 → lift 147/53 − 1.
        QVERIFY(std::abs(t.train_lift() - (147.0 / 53 - 1)) < 1e-12);
        QCOMPARE(t.candidates[0].metrics.lift, -1.0);  // t = 0 escalates nothing
    }
    void unionPrefersDoubleThresholdOverThreshold() {
        const auto ds = separable();
        const auto th = train("Threshold", ds);
        QCOMPARE(th.best_params().get<double>(), 0.125);
        // P_slm 1/2, P_llm 2/3: base 1/294; escalate A: slope (5/6 − 1/2)/(56/3 − 1) = 1/53.
        QVERIFY(std::abs(th.train_lift() - 241.0 / 53) < 1e-12);
        const auto u = train("POMDP", ds);
        QCOMPARE(u.best_params(), routing::Params::array({routing::Params::array({0.0, 0.125}), 2}));
        QCOMPARE(u.n_best_ties, std::size_t(2));  // DoubleThreshold (0, 1/8) and Threshold 1/8
        QVERIFY(std::abs(u.train_lift() - 241.0 / 53) < 1e-12);
    }
    void candidatesCanBeScoredOnAnotherView() {
        const auto ds = separable();
        const auto m = routing::find_method("Threshold");
        const auto t = train("Threshold", ds);
        const eval::ScoredView part = eval::ScoredView::for_method(ds, data::View{0, 2}, *m, {});
        const auto curve = eval::evaluate_candidates(*m, ds, eval::params_of(t), part, {});
        QCOMPARE(curve.size(), t.candidates.size());
        QCOMPARE(curve.back().n_escalated, std::size_t(2));
        QCOMPARE(curve[0].n_escalated, std::size_t(0));
    }

    // One training scored on several row sets (transfer) = fit_and_score on each, to the bit;
    // a row set that cannot be routed keeps its error and leaves the others scored.
    void fitAndScoreEachEqualsFitAndScore() {
        auto ds = separable();
        const auto m = routing::find_method("Threshold");
        const data::View train = ds.all_rows(), first{0, 1}, second{2};
        const eval::FitEach each = eval::fit_and_score_each(*m, ds, train, {first, second}, {});
        for (const auto& [i, rows] : {std::pair{0, first}, std::pair{1, second}}) {
            const eval::Fit one = eval::fit_and_score(*m, ds, train, rows, {});
            QVERIFY(each.errors[static_cast<std::size_t>(i)].empty());
            QVERIFY(one.train.best_params() == each.train.best_params());
            const eval::Metrics& a = each.scored[static_cast<std::size_t>(i)];
            QVERIFY(a.avg_cost == one.scored.avg_cost && a.avg_perf == one.scored.avg_perf);
            QVERIFY(a.lift == one.scored.lift || (std::isnan(a.lift) && std::isnan(one.scored.lift)));
        }
        ds.models[0].verifier_confidence[2] = std::nan("");  // Threshold cannot route row 2
        const eval::FitEach broken = eval::fit_and_score_each(*m, ds, data::View{0, 1}, {first, second}, {});
        QVERIFY(broken.errors[0].empty());
        QVERIFY(!broken.errors[1].empty());
    }
    void pandasSampleMatchesNumpy() {
        // np.random.RandomState(seed).permutation(N)[:k] with numpy 1.24 — what pandas
        // DataFrame.sample(k, random_state=seed) takes.
        QCOMPARE(eval::pandas_sample_positions(2556, 8, 0),
                 (std::vector<std::size_t>{602, 563, 1633, 276, 1160, 2242, 916, 1602}));
        QCOMPARE(eval::pandas_sample_positions(10, 10, 1), (std::vector<std::size_t>{2, 9, 6, 4, 0, 3, 1, 7, 8, 5}));
        QCOMPARE(eval::pandas_sample_positions(1000, 5, 9), (std::vector<std::size_t>{2, 879, 57, 496, 611}));
        QCOMPARE(eval::pandas_sample_positions(70000, 6, 3),
                 (std::vector<std::size_t>{2758, 37134, 29158, 5365, 52942, 58513}));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::pandas_sample_positions(5, 6, 0));
    }
    void statIsPopulationStd() {
        const auto s = eval::stat_of({1, 2, 3, 4});
        QCOMPARE(s.mean, 2.5);
        QVERIFY(std::abs(s.std - std::sqrt(1.25)) < 1e-15);
        QCOMPARE(s.min, 1.0);
        QCOMPARE(s.max, 4.0);
    }

    void fullProtocolReportsEveryMethod() {
        std::vector<RowSpec> rows;
        for (int i = 0; i < 40; ++i) {
            const double conf = (i % 9) / 8.0;
            const bool needy = i % 3 == 0;
            rows.push_back({conf, needy ? 0.0 : 1.0, 1.0, needy ? Category::Needy : Category::Good, "ans",
                            i < 24 ? Split::Train : Split::Val});
        }
        rows[30].conf = 1.2;  // a val row outside every bin: bin methods fail, thresholds do not
        auto ds = make_dataset(rows, "qasper");
        eval::EvalOptions o;
        const eval::Report r = eval::run_evaluation(ds, o);
        QCOMPARE(r.datasets.size(), std::size_t(1));
        const auto& d = r.datasets[0];
        QCOMPARE(d.n_train, std::size_t(24));
        QCOMPARE(d.n_val, std::size_t(16));
        std::size_t in_default_set = 0;  // qasper: Fixed* included; methods run only when named left out
        for (const auto& m : routing::all_methods()) in_default_set += m->capabilities().in_default_set;
        QCOMPARE(d.methods.size(), in_default_set);
        for (const auto& m : d.methods) {
            if (m.key.rfind("Cascade", 0) == 0) continue;  // N-model methods: tested elsewhere
            const bool bins = m.key.find("POMDP") != std::string::npos;
            QVERIFY2(m.ok != bins, m.key.c_str());
            if (!m.ok)
                QVERIFY2(m.error.find("r30") != std::string::npos, m.error.c_str());
            else
                QCOMPARE(m.decisions.size(), std::size_t(16));
        }
        // The JSON report carries the oracle keys.
        const auto j = eval::report_to_json(r, ds);
        QCOMPARE(j["format"].get<std::string>(), std::string("automix-oracle-v1"));
        const auto& th = j["datasets"]["qasper"]["methods"]["Threshold"];
        QVERIFY(th["ok"].get<bool>());
        QVERIFY(th.contains("best_param") && th.contains("train_lift") && th.contains("val_lift"));
        QCOMPARE(th["decisions"].size(), std::size_t(16));
        QCOMPARE(th["train_candidates"].size(), std::size_t(9));
        QCOMPARE(j["datasets"]["qasper"]["val_ids"][0].get<std::string>(), std::string("r24"));
        QVERIFY(!j["datasets"]["qasper"]["methods"]["POMDP"]["ok"].get<bool>());
    }
    void paperProtocolAveragesSeeds() {
        std::vector<RowSpec> rows;
        for (int i = 0; i < 300; ++i) {
            const double conf = ((i * 7) % 33) / 32.0;
            const double slm = (i % 5) / 4.0, llm = ((i * 3) % 5) / 4.0;
            const Category cat =
                slm < llm ? Category::Needy : (slm == llm && slm != 0 ? Category::Good : Category::Undefined);
            rows.push_back({conf, slm, llm, cat, "a", i < 200 ? Split::Train : Split::Val});
        }
        const auto ds = make_dataset(rows, "coqa");
        eval::EvalOptions o;
        o.protocol = eval::Protocol::Paper;
        o.seeds = 4;
        o.train_rows = 50;
        o.methods = {"threshold", "pomdp"};
        const eval::Report r = eval::run_evaluation(ds, o);
        const auto& d = r.datasets.at(0);
        QCOMPARE(d.methods.size(), std::size_t(2));
        for (const auto& m : d.methods) {
            QVERIFY2(m.ok, m.error.c_str());
            QCOMPARE(m.seeds.size(), std::size_t(4));
            std::vector<double> lifts;
            for (const auto& s : m.seeds) {
                QCOMPARE(s.train_rows, std::size_t(50));
                lifts.push_back(s.val.lift);
            }
            QCOMPARE(m.val_lift_stat.mean, (lifts[0] + lifts[1] + lifts[2] + lifts[3]) / 4);
        }
        // Seed s trains on the rows pandas would sample: re-train seed 2 by hand.
        const auto pos = eval::pandas_sample_positions(200, 50, 2);
        data::View v;
        for (auto p : pos) v.push_back(d.train_rows[p]);
        const auto m = routing::find_method("Threshold");
        const auto t = eval::train_method(*m, ds, eval::ScoredView::for_method(ds, v, *m, {}), {});
        QCOMPARE(t.best_params(), d.methods[0].seeds[2].best);
        QCOMPARE(t.train_lift(), d.methods[0].seeds[2].train_lift);

        o.train_rows = 500;  // more than the train split has: warned, every seed uses all rows
        const eval::Report all = eval::run_evaluation(ds, o);
        // (Small and large perform the same on val here, which is warned about too.)
        QCOMPARE(all.datasets[0].warnings.size(), std::size_t(2));
        QVERIFY(all.datasets[0].warnings[0].find("same average performance on val (0.5)") != std::string::npos);
        QVERIFY(all.datasets[0].warnings[1].find("fewer than the 500 to sample") != std::string::npos);
        QCOMPARE(all.datasets[0].methods[0].seeds[0].train_rows, std::size_t(200));
    }
    void cancelStopsTheRun() {
        const auto ds = make_dataset(
            {{0.1, 0, 1, Category::Needy, "a", Split::Train}, {0.2, 1, 1, Category::Good, "a", Split::Val}});
        std::atomic<bool> cancel{true};
        eval::EvalOptions o;
        o.cancel = &cancel;
        QVERIFY_THROWS_EXCEPTION(eval::EvalCancelled, eval::run_evaluation(ds, o));
        cancel = false;
        QCOMPARE(eval::run_evaluation(ds, o).datasets.size(), std::size_t(1));
    }
    void unknownNamesAreErrors() {
        const auto ds = make_dataset({{0.1, 0, 1}});
        eval::EvalOptions o;
        o.methods = {"nope"};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::run_evaluation(ds, o));
        o.methods = {};
        o.datasets = {"cnli"};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::run_evaluation(ds, o));
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"

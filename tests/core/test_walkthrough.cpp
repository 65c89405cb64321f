// The walk-through of one query (core/eval/walkthrough): the samples revealed one by one end
// at the row's confidence, the bin is the one routing uses, the decision equals the method's
// routing of the whole dataset, and the POMDP and cascade steps agree with that decision.
#include <QtTest>
#include <set>

#include "core/data/reader.hpp"
#include "core/eval/metrics.hpp"
#include "core/eval/trainer.hpp"
#include "core/eval/walkthrough.hpp"
#include "core/routing/bins.hpp"
#include "core/scoring/verifier.hpp"

using namespace automix;

namespace {

const std::string kDemo = AUTOMIX_SOURCE_DIR "/resources/demo/demo.jsonl.gz";
const std::string kDemo3 = AUTOMIX_SOURCE_DIR "/resources/demo/demo-3model.jsonl.gz";

struct Trained {
    routing::MethodPtr method;
    routing::Config cfg;
    data::View train, val;
    routing::Params params;
    routing::Decisions valDecisions;
};

Trained train(const data::Dataset& ds, const char* method, const char* dataset) {
    Trained t;
    t.method = routing::find_method(method);
    t.cfg.call_costs.clear();
    for (const auto& m : ds.models) t.cfg.call_costs.push_back(m.call_cost);
    t.cfg.verifier_cost = ds.verifier_cost;
    const int d = ds.find_dataset(dataset);
    t.train = ds.rows(d, data::Split::Train);
    t.val = ds.rows(d, data::Split::Val);
    const eval::CostModel costs = eval::CostModel::from(t.cfg);
    t.params = eval::train_method(*t.method, ds, eval::ScoredView::for_method(ds, t.train, *t.method, costs), t.cfg)
                   .best_params();
    t.valDecisions = t.method->route(ds, t.val, t.params, t.cfg);
    return t;
}

// What every walk-through must satisfy, whatever the method.
void checkCommon(const data::Dataset& ds, const Trained& t, std::size_t i, const eval::Walkthrough& w) {
    const data::RowIndex row = t.val[i];
    const auto& small = ds.small();
    QCOMPARE(w.samples.size(), small.verifier_samples.count(row));
    QVERIFY(!w.samples.empty());
    QCOMPARE(w.samples.back().confidence, small.verifier_confidence[row]);
    QCOMPARE(w.confidence, small.verifier_confidence[row]);
    int correct = 0;
    for (const auto& s : w.samples) {
        correct += s.verdict == data::SampleVerdict::Correct;
        QCOMPARE(s.correct, correct);
        // The verdict shown is the one the text reads as (method §3).
        const scoring::Verdict v = scoring::verdict(s.text);
        QCOMPARE(s.verdict, v == scoring::Verdict::Correct     ? data::SampleVerdict::Correct
                            : v == scoring::Verdict::Incorrect ? data::SampleVerdict::Incorrect
                                                               : data::SampleVerdict::None);
    }
    QCOMPARE(w.bin, routing::Bins(t.cfg.num_bins).nearest(w.confidence));
    QCOMPARE(w.decision, int(t.valDecisions[i]));
    QCOMPARE(w.small_answer, small.answer[row]);
    QCOMPARE(w.small_score, small.score[row]);
    QVERIFY(!w.reason.empty());
    QVERIFY(w.cost >= t.cfg.verifier_cost + t.cfg.call_costs.front());
    QCOMPARE(w.matches_oracle, w.answer_score >= ds.models[static_cast<std::size_t>(w.oracle_model)].score[row] &&
                                   w.cost <= w.oracle_cost);
}

}  // namespace

class TestWalkthrough : public QObject {
    Q_OBJECT
    data::LoadResult demo_ = data::load_file(kDemo);

  private slots:
    void thresholdMethod() {
        const data::Dataset& ds = demo_.dataset;
        const Trained t = train(ds, "Threshold", "coqa");
        int escalated = 0;
        for (std::size_t i = 0; i < 40; ++i) {
            const auto w = eval::walk_through(ds, t.val[i], *t.method, t.params, t.cfg, t.train);
            checkCommon(ds, t, i, w);
            escalated += w.decision;
            // Threshold escalates exactly when the confidence is at most t.
            QCOMPARE(w.decision == 1, w.confidence <= t.params.get<double>());
            QCOMPARE(w.cost, w.decision ? ds.verifier_cost + t.cfg.call_costs[0] + t.cfg.call_costs[1]
                                        : ds.verifier_cost + t.cfg.call_costs[0]);
            QVERIFY(w.belief.available);  // the bin's view is shown for every two-model method
            QVERIFY(!w.belief.has_values);
            QVERIFY(w.cascade.empty());
        }
        QVERIFY(escalated > 0 && escalated < 40);  // both decisions were walked
    }

    void pomdp() {
        const data::Dataset& ds = demo_.dataset;
        for (const char* name : {"POMDPSimple", "POMDP"}) {
            const Trained t = train(ds, name, "cnli");
            for (std::size_t i = 0; i < 40; ++i) {
                const auto w = eval::walk_through(ds, t.val[i], *t.method, t.params, t.cfg, t.train);
                checkCommon(ds, t, i, w);
                QVERIFY(w.belief.available);
                QVERIFY(std::abs(w.belief.needy + w.belief.good + w.belief.hopeless - 1.0) < 1e-9 ||
                        w.belief.train_rows == 0);
                if (std::string(name) == "POMDPSimple") {
                    // The action values of the policy's reward decide the bin.
                    QVERIFY(w.belief.has_values);
                    QCOMPARE(w.decision == 1, w.belief.escalate > w.belief.stay);
                }
            }
        }
    }

    void threeModelCascade() {
        const data::LoadResult loaded = data::load_file(kDemo3);
        const data::Dataset& ds = loaded.dataset;
        QCOMPARE(ds.model_count(), std::size_t(3));
        const Trained t = train(ds, "Cascade", "quality");
        std::set<int> answered;
        for (std::size_t i = 0; i < 60; ++i) {
            const auto w = eval::walk_through(ds, t.val[i], *t.method, t.params, t.cfg, t.train);
            checkCommon(ds, t, i, w);
            QVERIFY(!w.cascade.empty());
            QCOMPARE(w.cascade.front().model, 0);
            QCOMPARE(w.cascade.front().confidence, w.confidence);
            QCOMPARE(w.cascade.back().model, w.answering_model);  // the steps end where routing ends
            QVERIFY(!w.cascade.back().escalate);
            for (std::size_t s = 0; s + 1 < w.cascade.size(); ++s) {
                QVERIFY(w.cascade[s].escalate);
                QVERIFY(!std::isnan(w.cascade[s].q_escalate));  // a model that can escalate has a value for it
                double sum = 0;
                for (double b : w.cascade[s].belief) sum += b;
                QVERIFY(std::abs(sum - 1.0) < 1e-9);
                QCOMPARE(w.cascade[s].states.size(), std::size_t(8));
            }
            answered.insert(w.answering_model);
        }
        QVERIFY(answered.size() >= 2);
    }
};

QTEST_GUILESS_MAIN(TestWalkthrough)
#include "test_walkthrough.moc"

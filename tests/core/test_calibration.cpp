// Core maths behind the charts: confidence histogram, reliability/ECE, belief bins, lift vs
// verifier samples, cost–quality curves, tuning helpers and the CSV tables. Expected values
// are worked out by hand from the tiny hand-built datasets below.
#include <QTest>
#include <cmath>

#include "core/eval/calibration.hpp"
#include "core/eval/cost_quality.hpp"
#include "core/eval/data_table.hpp"
#include "core/eval/samples_curve.hpp"
#include "core/eval/trainer.hpp"

using namespace automix;

namespace {

struct Row {
    double conf, slm, llm;
    data::Split split = data::Split::Train;
    data::Category category = data::Category::Undefined;
    std::vector<std::string> samples = {};
};

data::Dataset build(const std::vector<Row>& rows) {
    data::Dataset ds;
    ds.dataset_names = {"coqa"};
    ds.models.resize(2);
    ds.models[0].name = "small";
    ds.models[1].name = "large";
    ds.models[0].call_cost = 1;
    ds.models[1].call_cost = 50;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const Row& r = rows[i];
        ds.id.push_back("r" + std::to_string(i));
        ds.pid.emplace_back();
        ds.question.emplace_back();
        ds.gold.emplace_back();
        ds.dataset_index.push_back(0);
        ds.split.push_back(r.split);
        ds.category.push_back(r.category);
        ds.category_from_file.push_back(1);
        ds.extra_json.emplace_back();
        ds.source_line.push_back(static_cast<std::uint32_t>(i + 1));
        for (int m = 0; m < 2; ++m) {
            auto& c = ds.models[static_cast<std::size_t>(m)];
            c.answer.push_back(m ? "big" : "small answer");
            c.has_answer.push_back(1);
            c.score.push_back(m ? r.llm : r.slm);
            c.verifier_samples.push_back(m ? std::vector<std::string>{} : r.samples);
            c.verifier_confidence.push_back(m ? data::kMissing : r.conf);
        }
    }
    return ds;
}

data::View allRows(const data::Dataset& ds) {
    return ds.all_rows();
}

const std::string kYes = "So the AI generated answer is correct.";
const std::string kNo = "So the AI generated answer is incorrect.";
const std::string kNone = "I cannot tell.";

}  // namespace

class TestCalibration : public QObject {
    Q_OBJECT
  private slots:
    void histogramSplitsByCorrectness() {
        // 8 bins → centres k/8; 0.1 → bin 1, 0.9 → bin 7, 1.0 → bin 8, NaN → invalid.
        const auto ds =
            build({{0.1, 1.0, 1.0}, {0.1, 0.2, 1.0}, {0.9, 0.5, 0.0}, {1.0, 0.0, 1.0}, {std::nan(""), 1, 1}});
        const auto h = eval::confidence_histogram(ds, allRows(ds), 8);
        QCOMPARE(h.centres.size(), std::size_t(9));
        QCOMPARE(h.correct[1], std::size_t(1));
        QCOMPARE(h.wrong[1], std::size_t(1));
        QCOMPARE(h.correct[7], std::size_t(1));  // 0.5 ≥ τ = 0.5
        QCOMPARE(h.wrong[8], std::size_t(1));
        QCOMPARE(h.invalid, std::size_t(1));
        std::size_t total = 0;
        for (std::size_t k = 0; k < 9; ++k) total += h.correct[k] + h.wrong[k];
        QCOMPARE(total, std::size_t(4));
    }

    void reliabilityAndEce() {
        // Bin 0: conf 0, 0.05 scores 0, 1 → mean conf 0.025, mean score 0.5.
        // Bin 8: conf 1, 1 scores 1, 1 → gap 0. ECE = 2/4 · |0.5 − 0.025| = 0.2375.
        const auto ds = build({{0.0, 0.0, 1}, {0.05, 1.0, 1}, {1.0, 1.0, 1}, {1.0, 1.0, 1}});
        const auto r = eval::reliability(ds, allRows(ds), 8);
        QCOMPARE(r.rows, std::size_t(4));
        QCOMPARE(r.bins[0].rows, std::size_t(2));
        QCOMPARE(r.bins[0].mean_confidence, 0.025);
        QCOMPARE(r.bins[0].mean_score, 0.5);
        QCOMPARE(r.bins[8].rows, std::size_t(2));
        QVERIFY(std::fabs(r.ece - 0.2375) < 1e-12);
        QCOMPARE(r.bins[4].rows, std::size_t(0));

        // The gap chart's numbers: the two non-empty bins only, score − confidence.
        const auto gap = eval::calibration_gap(r);
        QCOMPARE(gap.size(), std::size_t(2));
        QCOMPARE(gap[0].centre, 0.0);
        QCOMPARE(gap[0].rows, std::size_t(2));
        QCOMPARE(gap[0].gap, 0.475);
        QCOMPARE(gap[1].centre, 1.0);
        QCOMPARE(gap[1].gap, 0.0);
        QCOMPARE(eval::calibration_gap_table(gap).rows.size(), std::size_t(2));
    }

    void beliefBinsFollowCategoriesAndDecisions() {
        using C = data::Category;
        // Bin 4 (centre 0.5): NEEDY, GOOD, HOPELESS, UNDEFINED → a quarter each.
        // 1/16 = 0.0625 is on a half-way point: no training window (strict), but nearest bin 1.
        const auto ds = build({{0.5, 0, 1, data::Split::Train, C::Needy},
                               {0.5, 1, 1, data::Split::Train, C::Good},
                               {0.52, 0, 0, data::Split::Train, C::Hopeless},
                               {0.48, 1, 0, data::Split::Train, C::Undefined},
                               {0.0625, 0, 1, data::Split::Train, C::Needy}});
        const routing::Decisions d = {1, 1, 0, 1, 0};
        const auto bins = eval::belief_bins(ds, allRows(ds), d, 8);
        QCOMPARE(bins.size(), std::size_t(9));
        QCOMPARE(bins[4].rows, std::size_t(4));
        QCOMPARE(bins[4].p_needy, 0.25);
        QCOMPARE(bins[4].p_good, 0.25);
        QCOMPARE(bins[4].p_hopeless, 0.25);
        QCOMPARE(bins[4].p_undefined, 0.25);
        QCOMPARE(bins[4].routed_rows, std::size_t(4));
        QCOMPARE(bins[4].escalated_share, 0.75);
        QCOMPARE(bins[1].rows, std::size_t(0));
        QCOMPARE(bins[1].routed_rows, std::size_t(1));
        QCOMPARE(bins[1].escalated_share, 0.0);
        QVERIFY(std::isnan(bins[0].escalated_share));
        // Without decisions no action is shown.
        QVERIFY(std::isnan(eval::belief_bins(ds, allRows(ds), {}, 8)[4].escalated_share));
    }

    void confidenceFromFirstSamples() {
        const auto ds = build({{0.9, 1, 1, data::Split::Train, data::Category::Good, {kNo, kYes, kNone, kYes}},
                               {0.3, 1, 1, data::Split::Train, data::Category::Good, {}},
                               {0.3, 1, 1, data::Split::Train, data::Category::Good, {kNone, kNone}}});
        const auto rows = allRows(ds);
        const auto k1 = eval::confidence_from_first(ds, rows, 1);
        QCOMPARE(k1[0], 0.0);  // "incorrect" only
        QCOMPARE(k1[1], 0.3);  // no samples → the file's confidence
        QCOMPARE(k1[2], 0.0);  // no verdict → 0 (method §3)
        QCOMPARE(eval::confidence_from_first(ds, rows, 2)[0], 0.5);
        QCOMPARE(eval::confidence_from_first(ds, rows, 3)[0], 0.5);  // the third has no verdict
        QCOMPARE(eval::confidence_from_first(ds, rows, 4)[0], 2.0 / 3.0);
        QCOMPARE(eval::confidence_from_first(ds, rows, 32)[0], 2.0 / 3.0);
    }

    void samplesCurveRetrainsPerK() {
        // Two train and two val rows. With k = 1 every confidence is 0 (first sample "incorrect"),
        // with k = 2 the helpful rows read 0.5 and the others 0: Threshold can separate them
        // only at k = 2.
        std::vector<Row> rows;
        for (auto split : {data::Split::Train, data::Split::Val}) {
            rows.push_back({0, 0.0, 1.0, split, data::Category::Needy, {kNo, kNo}});  // escalation helps
            rows.push_back({0, 1.0, 1.0, split, data::Category::Good, {kNo, kYes}});  // small is right
        }
        const auto ds = build(rows);
        routing::Config cfg;
        const auto c = eval::samples_curve(ds, 0, {routing::find_method("Threshold")}, {1, 2}, cfg);
        QCOMPARE(c.points.size(), std::size_t(2));
        QVERIFY(c.points[0].ok && c.points[1].ok);
        // k = 1: the best Threshold escalates all (t = 0 escalates both rows at conf 0):
        // cost 1 + 50 + 1 = 52, perf 1.
        QCOMPARE(c.points[0].val.avg_cost, 52.0);
        // k = 2: t = 0 escalates only the helpful row: cost 1 + 25 + 1 = 27, perf 1.
        QCOMPARE(c.points[1].val.avg_cost, 27.0);
        QCOMPARE(c.points[1].val.avg_perf, 1.0);
        QVERIFY(c.points[1].val.lift > c.points[0].val.lift);
        const auto t = eval::samples_table(c);
        QCOMPARE(t.rows.size(), std::size_t(2));
        QCOMPARE(std::get<double>(t.rows[1][t.column("val_cost")]), 27.0);
        // No samples at all is an error, not a flat line.
        const auto bare = build({{0.5, 1, 1}, {0.5, 0, 1, data::Split::Val}});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 eval::samples_curve(bare, 0, {routing::find_method("Threshold")}, {1}, cfg));
    }

    void costQualityCurves() {
        std::vector<Row> rows;
        for (int i = 0; i < 16; ++i) {
            const double conf = (i % 9) / 8.0;
            const double slm = conf > 0.5 ? 1.0 : 0.0;
            rows.push_back({conf, slm, 1.0, i < 8 ? data::Split::Train : data::Split::Val});
        }
        const auto ds = build(rows);
        const auto train = ds.rows(0, data::Split::Train), val = ds.rows(0, data::Split::Val);
        routing::Config cfg;
        const auto threshold = routing::find_method("Threshold");
        const auto cq = eval::cost_quality(ds, train, val, {threshold}, cfg);
        // Constant routers: cost c_s + c_v and c_s + c_l + c_v.
        QCOMPARE(cq.small_only.avg_cost, 2.0);
        QCOMPARE(cq.large_only.avg_cost, 52.0);
        QCOMPARE(cq.large_only.avg_perf, 1.0);
        QCOMPARE(cq.random_mix.size(), std::size_t(11));
        QCOMPARE(cq.random_mix.front().metrics.avg_cost, 2.0);
        QCOMPARE(cq.random_mix.back().metrics.avg_cost, 52.0);
        // The oracle escalates exactly the rows where the large model is better.
        std::size_t better = 0;
        for (auto r : val) better += ds.models[1].score[r] > ds.models[0].score[r];
        QCOMPARE(cq.oracle.n_escalated, better);
        QCOMPARE(cq.methods.size(), std::size_t(1));
        const auto& curve = cq.methods[0];
        QVERIFY(curve.ok);
        QCOMPARE(curve.points.size(), std::size_t(9));  // t = k/8
        // The trained index is the trainer's.
        const auto tv = eval::ScoredView::for_method(ds, train, *threshold, eval::CostModel::from(cfg));
        QCOMPARE(curve.trained, eval::train_method(*threshold, ds, tv, cfg).best);
        // Each point is the candidate routed on val.
        const auto vv = eval::ScoredView::for_method(ds, val, *threshold, eval::CostModel::from(cfg));
        for (std::size_t i = 0; i < curve.points.size(); ++i) {
            const auto m = vv.evaluate(threshold->route(ds, val, curve.points[i].params, cfg));
            QCOMPARE(curve.points[i].metrics.avg_cost, m.avg_cost);
            QCOMPARE(curve.points[i].metrics.avg_perf, m.avg_perf);
        }
        // Pareto points: sorted by cost, none dominated by another candidate.
        QVERIFY(!cq.pareto.empty());
        for (std::size_t i = 1; i < cq.pareto.size(); ++i)
            QVERIFY(curve.points[cq.pareto[i - 1].point].metrics.avg_cost <=
                    curve.points[cq.pareto[i].point].metrics.avg_cost);
        for (const auto& e : cq.pareto)
            for (const auto& other : curve.points) {
                const auto& a = curve.points[e.point].metrics;
                const bool dominated = other.metrics.avg_cost <= a.avg_cost && other.metrics.avg_perf >= a.avg_perf &&
                                       (other.metrics.avg_cost < a.avg_cost || other.metrics.avg_perf > a.avg_perf);
                QVERIFY(!dominated);
            }
        // The table has one row per point: 3 reference + 11 random + 9 candidates.
        const auto t = eval::cost_quality_table(cq);
        QCOMPARE(t.rows.size(), std::size_t(3 + 11 + 9));
        QCOMPARE(std::get<std::string>(t.rows[0][0]), std::string("small_only"));
        // Every field of the metrics table is a column, by its key, holding that field's value.
        for (const eval::MetricField& f : eval::metric_fields()) {
            const std::size_t c = t.column(std::string(f.key));
            QVERIFY2(c < t.columns.size(), std::string(f.key).c_str());
            const double want = f.value(cq.small_only), got = std::get<double>(t.rows[0][c]);
            QVERIFY((std::isnan(want) && std::isnan(got)) || want == got);
            const double last = std::get<double>(t.rows.back()[c]);
            const double lastWant = f.value(cq.methods[0].points.back().metrics);
            QVERIFY((std::isnan(lastWant) && std::isnan(last)) || lastWant == last);
        }
        // A method that cannot route gets ok = false instead of throwing.
        auto broken = build(rows);
        broken.models[0].verifier_confidence[val[0]] = std::nan("");
        const auto cq2 = eval::cost_quality(broken, train, val, {threshold}, cfg);
        QVERIFY(!cq2.methods[0].ok);
        QVERIFY(!cq2.methods[0].error.empty());
    }

    void csvQuotingAndNumbers() {
        eval::DataTable t{{"name", "x"}, {}};
        t.add({std::string("a,b"), 0.1});
        t.add({std::string("say \"hi\""), std::nan("")});
        t.add({std::string("plain"), 1e-300});
        QCOMPARE(QString::fromStdString(eval::to_csv(t)),
                 QStringLiteral("name,x\n\"a,b\",0.1\n\"say \"\"hi\"\"\",nan\nplain,1e-300\n"));
        QCOMPARE(t.column("x"), std::size_t(1));
        QCOMPARE(t.column("nope"), std::size_t(2));
    }

    // The tuning controls each method declares (routing::Capabilities::controls) and how their
    // values become parameters and back; the tuning panel builds its sliders from these alone.
    void tuningControlsFromCapabilities() {
        auto keys = [](const char* name) {
            std::vector<std::string> out;
            for (const auto& c : routing::find_method(name)->capabilities().controls) out.push_back(c.key);
            return out;
        };
        QCOMPARE(keys("Threshold"), std::vector<std::string>{"threshold"});
        QCOMPARE(keys("SelfConsistency"), std::vector<std::string>{"threshold"});
        QCOMPARE(keys("FixedAnswerRouting(Threshold)"), std::vector<std::string>{"threshold"});
        QCOMPARE(keys("DoubleThreshold"), (std::vector<std::string>{"low", "high"}));
        QVERIFY(routing::find_method("DoubleThreshold")->capabilities().ordered_controls);
        QVERIFY(keys("POMDP").empty());  // stepped through its candidates
        QCOMPARE(keys("Cascade"), std::vector<std::string>{"lambda"});

        const auto threshold = routing::find_method("Threshold");
        QVERIFY(*threshold->params_from_controls({0.375}, {}) == routing::Params(0.375));
        QCOMPARE(*threshold->controls_of(routing::Params(0.375)), std::vector<double>{0.375});
        QVERIFY(!threshold->controls_of(routing::Params::array({0.0, 1.0})));
        const auto range = routing::find_method("DoubleThreshold");
        QVERIFY(*range->params_from_controls({0.125, 0.5}, {}) == routing::Params::array({0.125, 0.5}));
        QCOMPARE(*range->controls_of(routing::Params::array({0.125, 0.5})), (std::vector<double>{0.125, 0.5}));
        QVERIFY(!range->controls_of(routing::Params(0.3)));

        // The cascade's λ picks the candidate optimal at that λ.
        const auto cascade = routing::find_method("Cascade");
        const std::vector<routing::Params> cands = {
            {{"lambda", 0.0}, {"lambda_hi", 0.01}}, {{"lambda", 0.01}, {"lambda_hi", 0.5}}, {{"lambda", 0.5}}};
        QVERIFY(*cascade->params_from_controls({0.0}, cands) == cands[0]);
        QVERIFY(*cascade->params_from_controls({0.01}, cands) == cands[1]);
        QVERIFY(*cascade->params_from_controls({0.3}, cands) == cands[1]);
        QVERIFY(*cascade->params_from_controls({7.0}, cands) == cands[2]);
        QVERIFY(!cascade->params_from_controls({-1.0}, cands));
        QCOMPARE(*cascade->controls_of(cands[1]), std::vector<double>{0.01});

        // Slider positions: linear for a threshold, log for λ.
        const routing::ParamControl t = threshold->capabilities().controls.front();
        QCOMPARE(t.value_at(375), 0.375);
        QCOMPARE(t.position_of(0.375), 375);
        QCOMPARE(t.display(0.375), std::string("threshold t = 0.375"));
        const routing::ParamControl l = cascade->capabilities().controls.front();
        QVERIFY(std::fabs(l.value_at(0) - 1e-6) < 1e-18);
        QVERIFY(std::fabs(l.value_at(l.positions) - 1.0) < 1e-12);
        QVERIFY(std::fabs(l.value_at(l.positions / 2) - 1e-3) < 1e-12);
        QCOMPARE(l.position_of(1e-3), l.positions / 2);
        QCOMPARE(l.position_of(0.0), 0);
    }
};

QTEST_GUILESS_MAIN(TestCalibration)
#include "test_calibration.moc"

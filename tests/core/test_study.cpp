// Studies: each study's numbers equal what the single-evaluation path gives for the same
// settings (the `automix eval` CLI or the eval library), plus cancellation, progress,
// errors and the JSON/CSV writers.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/data/reader.hpp"
#include "core/eval/protocol.hpp"
#include "core/eval/samples_curve.hpp"
#include "core/routing/method.hpp"
#include "core/scoring/verifier.hpp"
#include "core/study/study.hpp"

using namespace automix;

namespace {

const std::string kDemo = std::string(AUTOMIX_SOURCE_DIR "/resources/demo/demo.jsonl.gz");

const data::Dataset& demo() {
    static const data::LoadResult loaded = data::load_file(kDemo);
    return loaded.dataset;
}

nlohmann::json run_cli(const QStringList& args) {
    QTemporaryDir dir;
    const QString out = dir.path() + "/out.json";
    QProcess p;
    p.start(AUTOMIX_CLI, QStringList(args) << "--json" << out << "--quiet");
    if (!p.waitForFinished(120000) || p.exitCode() != 0) {
        qWarning() << p.readAllStandardError();
        return nullptr;
    }
    std::ifstream in(out.toStdString());
    return nlohmann::json::parse(in);
}

// Table rows as JSON objects (column → value).
std::vector<nlohmann::json> rows_of(const study::StudyResult& r) {
    std::vector<nlohmann::json> out;
    for (const auto& row : r.table.rows) {
        nlohmann::json o;
        for (std::size_t c = 0; c < r.table.columns.size(); ++c) o[r.table.columns[c]] = row[c];
        out.push_back(o);
    }
    return out;
}

const std::vector<std::string> kMethods{"Threshold", "DoubleThreshold", "POMDPSimple", "GreedyPOMDP", "POMDP"};

study::StudyRequest request(const std::string& name) {
    study::StudyRequest rq;
    rq.study = name;
    rq.methods = kMethods;
    return rq;
}

}  // namespace

class TestStudy : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() { QVERIFY(demo().size() > 1000); }

    // Cost ratio 50:1 and 20:1 equal `automix eval --costs 1,50` / `--costs 1,20`.
    void costRatioEqualsEvalCli() {
        auto rq = request("cost-ratio");
        rq.cost_ratios = {20, 50};
        const auto r = study::run_study(demo(), rq);
        QVERIFY(r.log_x);
        for (const double ratio : {20.0, 50.0}) {
            const auto ref = run_cli({"eval", "--data", QString::fromStdString(kDemo), "--methods",
                                      "Threshold,DoubleThreshold,POMDPSimple,GreedyPOMDP,POMDP", "--costs",
                                      QString("1,%1").arg(ratio), "--no-candidates"});
            QVERIFY(!ref.is_null());
            std::size_t compared = 0;
            for (const auto& row : rows_of(r)) {
                if (row["cost_ratio"].get<double>() != ratio) continue;
                const auto& m =
                    ref["datasets"][row["dataset"].get<std::string>()]["methods"][row["method"].get<std::string>()];
                QVERIFY(row["ok"].get<bool>());
                QCOMPARE(row["val_lift"].get<double>(), m["val_lift"].get<double>());
                QCOMPARE(row["val_avg_cost"].get<double>(), m["val_avg_cost"].get<double>());
                QCOMPARE(row["val_avg_perf"].get<double>(), m["val_avg_perf"].get<double>());
                QCOMPARE(row["train_lift"].get<double>(), m["train_lift"].get<double>());
                QCOMPARE(row["best_param"].dump(), m["best_param"].dump());
                ++compared;
            }
            QCOMPARE(compared, demo().dataset_names.size() * kMethods.size());
        }
        // One line per dataset × method, plus the mean over datasets; lifts differ by ratio.
        QCOMPARE(r.series.size(), (demo().dataset_names.size() + 1) * kMethods.size());
        QVERIFY(r.series.front().points.at(0).y.value != r.series.front().points.at(1).y.value);
    }

    // Train size n over seeds equals the paper protocol with --train-rows n (library path);
    // "all" equals the full protocol.
    void trainSizeEqualsPaperProtocol() {
        auto rq = request("train-size");
        rq.train_sizes = {100, 0};
        rq.seeds = 4;
        rq.datasets = {"cnli", "coqa"};
        const auto r = study::run_study(demo(), rq);
        eval::EvalOptions paper;
        paper.protocol = eval::Protocol::Paper;
        paper.seeds = 4;
        paper.train_rows = 100;
        paper.methods = kMethods;
        paper.datasets = rq.datasets;
        const auto ref = eval::run_evaluation(demo(), paper);
        eval::EvalOptions full;
        full.methods = kMethods;
        full.datasets = rq.datasets;
        const auto ref_full = eval::run_evaluation(demo(), full);
        std::size_t compared = 0;
        for (const auto& row : rows_of(r)) {
            const std::string d = row["dataset"], m = row["method"];
            for (std::size_t di = 0; di < ref.datasets.size(); ++di) {
                if (ref.datasets[di].name != d) continue;
                for (std::size_t mi = 0; mi < kMethods.size(); ++mi) {
                    if (ref.datasets[di].methods[mi].key != m) continue;
                    if (row["train_size"] == 100) {
                        const auto& mr = ref.datasets[di].methods[mi];
                        QCOMPARE(row["val_lift_mean"].get<double>(), mr.val_lift_stat.mean);
                        QCOMPARE(row["val_lift_std"].get<double>(), mr.val_lift_stat.std);
                        QCOMPARE(row["val_lift_per_seed"].size(), std::size_t(4));
                        QCOMPARE(row["val_lift_per_seed"][3].get<double>(), mr.seeds[3].val.lift);
                    } else {
                        QCOMPARE(row["train_size"].get<std::string>(), std::string("all"));
                        QCOMPARE(row["val_lift_mean"].get<double>(), ref_full.datasets[di].methods[mi].val.lift);
                    }
                    ++compared;
                }
            }
        }
        QCOMPARE(compared, std::size_t(2 * 2 * kMethods.size()));
    }

    // Diagonal = full protocol; off-diagonal = train on A (library), route B's val.
    void transferMatchesSingleEvaluations() {
        auto rq = request("transfer");
        const auto r = study::run_study(demo(), rq);
        QCOMPARE(r.matrices.size(), kMethods.size());
        eval::EvalOptions full;
        full.methods = kMethods;
        const auto ref = eval::run_evaluation(demo(), full);
        const auto& ds = demo();
        const routing::Config cfg;
        const eval::CostModel costs = eval::CostModel::from(cfg);
        for (std::size_t mi = 0; mi < kMethods.size(); ++mi) {
            const auto& mx = r.matrices[mi];
            QCOMPARE(mx.name, kMethods[mi]);
            const auto method = routing::find_method(kMethods[mi]);
            for (std::size_t a = 0; a < ds.dataset_names.size(); ++a) {
                QCOMPARE(mx.values[a][a], ref.datasets[a].methods[mi].val.lift);
                const std::size_t b = (a + 1) % ds.dataset_names.size();
                const auto& params = ref.datasets[a].methods[mi].best;  // trained on A
                const auto val_rows = ds.rows(static_cast<int>(b), data::Split::Val);
                const auto val = eval::ScoredView::for_method(ds, val_rows, *method, costs);
                const double lift = val.evaluate(method->route(ds, val_rows, params, cfg)).lift;
                QCOMPARE(mx.values[a][b], lift);
            }
        }
    }

    // k = all with seed 0 equals the file's evaluation (the demo's confidences come from
    // all 32 samples); k = 1 with seed 0 equals an evaluation on confidences recomputed
    // here from each row's first sample.
    void samplesMatchRecomputedConfidences() {
        auto rq = request("samples");
        rq.sample_counts = {1, 0};
        rq.seeds = 1;
        rq.datasets = {"cnli", "qasper"};
        const auto r = study::run_study(demo(), rq);
        eval::EvalOptions full;
        full.methods = kMethods;
        full.datasets = rq.datasets;
        const auto ref_all = eval::run_evaluation(demo(), full);
        data::LoadResult copy = data::load_file(kDemo);
        auto& conf = copy.dataset.models.front().verifier_confidence;
        for (std::size_t row = 0; row < copy.dataset.size(); ++row) {
            const auto& s = copy.dataset.models.front().verifier_samples[row];
            conf[row] = scoring::verifier_confidence({s.begin(), s.begin() + 1});
        }
        const auto ref_one = eval::run_evaluation(copy.dataset, full);
        std::size_t compared = 0;
        for (const auto& row : rows_of(r)) {
            for (std::size_t di = 0; di < 2; ++di) {
                if (ref_all.datasets[di].name != row["dataset"]) continue;
                for (std::size_t mi = 0; mi < kMethods.size(); ++mi) {
                    if (kMethods[mi] != row["method"]) continue;
                    const auto& ref = row["k"] == 1 ? ref_one : ref_all;
                    QCOMPARE(row["val_lift_mean"].get<double>(), ref.datasets[di].methods[mi].val.lift);
                    ++compared;
                }
            }
        }
        QCOMPARE(compared, std::size_t(2 * 2 * kMethods.size()));
        // "all" is reported as the largest sample count.
        QCOMPARE(r.parameters["sample_counts"][1].get<int>(), 32);
    }

    // Issue 17.13: with three models every verified model's confidence comes from k samples,
    // so the study equals `automix eval` on the file with each model's samples cut to k (it
    // used to recompute only the first model's: CascadeThresholds 1.923 against 1.435).
    void samplesRecomputeEveryVerifiedModel() {
        const std::string path = std::string(AUTOMIX_SOURCE_DIR "/resources/demo/demo-3model.jsonl.gz");
        const data::LoadResult three = data::load_file(path);
        QCOMPARE(three.dataset.model_count(), std::size_t(3));
        const std::vector<std::string> methods{"CascadeThresholds", "Cascade", "Threshold"};
        study::StudyRequest rq;
        rq.study = "samples";
        rq.methods = methods;
        rq.sample_counts = {8};
        rq.seeds = 1;
        rq.datasets = {"cnli"};
        rq.config.call_costs = {1, 10, 50};
        const auto r = study::run_study(three.dataset, rq);

        data::LoadResult cut = data::load_file(path);
        for (std::size_t j = 0; j + 1 < cut.dataset.model_count(); ++j) {
            auto& m = cut.dataset.models[j];
            for (std::size_t row = 0; row < cut.dataset.size(); ++row) {
                const auto& s = m.verifier_samples[row];
                m.verifier_confidence[row] =
                    scoring::verifier_confidence({s.begin(), s.begin() + std::min<std::size_t>(8, s.size())});
            }
        }
        eval::EvalOptions full;
        full.methods = methods;
        full.datasets = rq.datasets;
        full.config.call_costs = rq.config.call_costs;
        const auto ref = eval::run_evaluation(cut.dataset, full);
        std::size_t compared = 0;
        for (const auto& row : rows_of(r)) {
            for (std::size_t mi = 0; mi < methods.size(); ++mi) {
                if (ref.datasets[0].methods[mi].key != row["method"]) continue;
                QVERIFY2(ref.datasets[0].methods[mi].ok, ref.datasets[0].methods[mi].error.c_str());
                QCOMPARE(row["val_lift_mean"].get<double>(), ref.datasets[0].methods[mi].val.lift);
                ++compared;
            }
        }
        QCOMPARE(compared, methods.size());
        // The GUI's curve (eval::samples_curve) recomputes the same confidences.
        std::vector<routing::MethodPtr> ms;
        for (const auto& m : methods) ms.push_back(routing::find_method(m));
        const auto curve = eval::samples_curve(three.dataset, three.dataset.find_dataset("cnli"), ms, {8}, rq.config);
        for (const auto& p : curve.points) {
            for (std::size_t mi = 0; mi < methods.size(); ++mi)
                if (ref.datasets[0].methods[mi].key == p.method)
                    QCOMPARE(p.val.lift, ref.datasets[0].methods[mi].val.lift);
        }
    }

    // Mean and std over seeds equal `automix eval --protocol paper`; the bootstrap interval
    // brackets a spread and is reproducible.
    void seedsEqualPaperProtocolCli() {
        auto rq = request("seeds");
        rq.seeds = 4;
        rq.train_rows = 200;
        rq.bootstrap = 300;
        const auto r = study::run_study(demo(), rq);
        const auto ref = run_cli({"eval", "--data", QString::fromStdString(kDemo), "--methods",
                                  "Threshold,DoubleThreshold,POMDPSimple,GreedyPOMDP,POMDP", "--protocol", "paper",
                                  "--seeds", "4", "--train-rows", "200"});
        QVERIFY(!ref.is_null());
        for (const auto& row : rows_of(r)) {
            const auto& m =
                ref["datasets"][row["dataset"].get<std::string>()]["methods"][row["method"].get<std::string>()];
            QCOMPARE(row["val_lift_mean"].get<double>(), m["val_lift_stat"]["mean"].get<double>());
            QCOMPARE(row["val_lift_std"].get<double>(), m["val_lift_stat"]["std"].get<double>());
            const double lo = row["ci_lo"], hi = row["ci_hi"];
            QVERIFY(lo < hi);
            QVERIFY(lo <= row["val_lift_mean"].get<double>() + 0.2 && hi >= row["val_lift_mean"].get<double>() - 0.2);
        }
        QCOMPARE(r.chart, study::ChartKind::ErrorBars);
        const auto again = study::run_study(demo(), rq);
        QCOMPARE(again.series.front().points.front().y.lo, r.series.front().points.front().y.lo);
    }

    // Two models: latency = small + verification + escalated fraction × large.
    void latencyIsCostAccountingInSeconds() {
        auto rq = request("latency");
        rq.model_latency = {0.4, 3.0};
        rq.verifier_latency = 0.7;
        const auto r = study::run_study(demo(), rq);
        std::size_t methods = 0;
        for (const auto& row : rows_of(r)) {
            const std::string m = row["method"];
            const double latency = row["expected_latency_s"];
            if (m == "small only")
                QCOMPARE(latency, 0.4);
            else if (m == "large only")
                QCOMPARE(latency, 3.0);
            else {
                const double f = row["val_escalated_fraction"];
                QVERIFY(std::abs(latency - (0.4 + 0.7 + f * 3.0)) < 1e-12);
                QVERIFY(std::abs(row["verification_share"].get<double>() - 0.7 / latency) < 1e-12);
                ++methods;
            }
        }
        QCOMPARE(methods, demo().dataset_names.size() * kMethods.size());
        rq.model_latency = {1.0};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, study::run_study(demo(), rq));
    }

    void defaultsProgressCancelAndErrors() {
        const auto defaults = study::default_methods();
        QVERIFY(std::find(defaults.begin(), defaults.end(), "POMDP") != defaults.end());
        QVERIFY(std::find(defaults.begin(), defaults.end(), "oracle") == defaults.end());
        QVERIFY(std::find(defaults.begin(), defaults.end(), "always_large") == defaults.end());

        auto rq = request("cost-ratio");
        std::vector<std::size_t> seen;
        study::StudyControl control;
        control.progress = [&](std::size_t done, std::size_t total, const std::string&) {
            QCOMPARE(total, demo().dataset_names.size() * rq.cost_ratios.size());
            seen.push_back(done);
        };
        (void)study::run_study(demo(), rq, control);
        QCOMPARE(seen.size(), demo().dataset_names.size() * rq.cost_ratios.size());
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));

        std::atomic<bool> cancel{false};
        control.cancel = &cancel;
        control.progress = [&](std::size_t, std::size_t, const std::string&) { cancel = true; };
        QVERIFY_THROWS_EXCEPTION(study::StudyCancelled, study::run_study(demo(), rq, control));

        rq.study = "nope";
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, study::run_study(demo(), rq));
        rq.study = "transfer";
        rq.datasets = {"nope"};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, study::run_study(demo(), rq));
    }

    void jsonAndCsv() {
        auto rq = request("transfer");
        rq.datasets = {"cnli", "coqa"};
        const auto r = study::run_study(demo(), rq);
        const auto j = study::study_to_json(r);
        QCOMPARE(j["format"].get<std::string>(), std::string("automix-study-v1"));
        QCOMPARE(j["chart"]["kind"].get<std::string>(), std::string("heat_map"));
        QCOMPARE(j["chart"]["matrices"].size(), kMethods.size());
        QCOMPARE(j["table"].size(), kMethods.size() * 4);
        const std::string csv = study::study_table_csv(r);
        QCOMPARE(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), kMethods.size() * 4 + 1);
        QVERIFY(csv.rfind("method,trained_on,evaluated_on,", 0) == 0);
    }

    void cliStudyWritesJson() {
        const auto j = run_cli({"study", "cost-ratio", "--data", QString::fromStdString(kDemo), "--datasets", "cnli",
                                "--methods", "Threshold", "--ratios", "2,50,2000"});
        QVERIFY(!j.is_null());
        QCOMPARE(j["study"].get<std::string>(), std::string("cost-ratio"));
        QCOMPARE(j["chart"]["series"][0]["points"].size(), std::size_t(3));
        QProcess p;
        p.start(AUTOMIX_CLI, {"study", "--help"});
        QVERIFY(p.waitForFinished(30000));
        const QByteArray help = p.readAllStandardOutput();
        for (const char* s : {"cost-ratio", "train-size", "transfer", "samples", "seeds", "latency"})
            QVERIFY2(help.contains(QByteArray("  ") + s), s);
    }
};

QTEST_GUILESS_MAIN(TestStudy)
#include "test_study.moc"

// Problem 7: the N-model methods that `automix eval` trains run live with the parameters it
// reports. `automix eval --emit-config` writes the models config; the pipeline runs it against
// the replay server of the same data and must make the decisions eval made offline.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/data/reader.hpp"
#include "core/live/live_io.hpp"
#include "core/live/pipeline.hpp"
#include "core/live/replay_server.hpp"

using namespace automix;
using namespace automix::live;
using nlohmann::json;

namespace {

struct CliResult {
    int code = -1;
    std::string out, err;
};

CliResult run_cli(const QStringList& args) {
    QProcess p;
    p.start(AUTOMIX_CLI, args);
    p.waitForFinished(120000);
    return {p.exitCode(), p.readAllStandardOutput().toStdString(), p.readAllStandardError().toStdString()};
}

const std::string kDemo3 = std::string(AUTOMIX_SOURCE_DIR "/resources/demo/demo-3model.jsonl.gz");

}  // namespace

class CascadeLiveTest : public QObject {
    Q_OBJECT
  private slots:
    void trainedCascadeRunsLiveWithEvalsDecisions_data();
    void trainedCascadeRunsLiveWithEvalsDecisions();
    void emitConfigRefusesOfflineOnlyAndAmbiguousRuns();
};

void CascadeLiveTest::trainedCascadeRunsLiveWithEvalsDecisions_data() {
    QTest::addColumn<QString>("method");
    QTest::newRow("Cascade") << "cascade";
    QTest::newRow("CascadeThresholds") << "cascade_thresholds";
    QTest::newRow("POMDP on 3 models (steps)") << "threshold";
}

void CascadeLiveTest::trainedCascadeRunsLiveWithEvalsDecisions() {
    QFETCH(QString, method);
    auto offline = std::make_shared<const data::Dataset>(data::load_file(kDemo3).dataset);
    QCOMPARE(offline->model_count(), std::size_t(3));
    ReplayServer server(offline, {});
    server.start(0);

    QTemporaryDir dir;
    const QString base = dir.filePath("base.json"), emitted = dir.filePath("models.json"),
                  report = dir.filePath("report.json");
    json models = json::array();
    for (const auto& m : offline->models)
        models.push_back({{"name", m.name}, {"base_url", server.base_url()}, {"model", m.name}, {"price_per_call", 0.001}});
    std::ofstream(base.toStdString()) << json{{"models", models},
                                              {"verifier", {{"k", 32}}},
                                              {"meta_verifier", {{"method", "Threshold"}, {"params", 0.5}}}}
                                             .dump();
    const auto ev = run_cli({"eval", "--data", QString::fromStdString(kDemo3), "--datasets", "coqa", "--methods",
                             method, "--json", report, "--emit-config", emitted, "--config-base", base, "--quiet"});
    QVERIFY2(ev.code == 0, ev.err.c_str());
    if (method == "threshold") return;  // a 2-model method on 3 models: emitted, routed step by step (not eval's)

    const ModelsConfig cfg = load_models_config(emitted.toStdString());
    QVERIFY(cfg.meta_verifier.method.rfind("Cascade", 0) == 0);
    std::ifstream rin(report.toStdString());
    const json rep = json::parse(rin);
    // The oracle-format report: per dataset and method, val_ids aligned with the decisions.
    const json& dataset = rep["datasets"]["coqa"];
    const json& entry = dataset["methods"][cfg.meta_verifier.method];
    const auto val_ids = dataset["val_ids"].get<std::vector<std::string>>();
    const auto decisions = entry["decisions"].get<std::vector<int>>();
    QCOMPARE(val_ids.size(), decisions.size());
    QVERIFY(val_ids.size() > 100);
    QCOMPARE(entry["best_param"].dump(), cfg.meta_verifier.params.dump());

    LiveInput in = read_live_input(kDemo3);
    prepare_model_columns(in.dataset, cfg);
    std::unordered_map<std::string, data::RowIndex> by_id;
    for (data::RowIndex r = 0; r < in.dataset.size(); ++r) by_id[std::string(in.dataset.id[r])] = r;
    data::View rows;
    for (const auto& id : val_ids) rows.push_back(by_id.at(id));
    Pipeline p(cfg, {}, load_prompt_templates("", ""), nullptr);
    const RunResult result = p.run(in.dataset, rows, {});
    QCOMPARE(result.totals.rows_failed, std::size_t(0));
    std::size_t escalated = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        QVERIFY2(result.rows[i].final_model == decisions[i], val_ids[i].c_str());
        escalated += result.rows[i].final_model > 0;
    }
    QVERIFY(escalated > 0 && escalated < rows.size());  // a real routing, not a constant
    // Only the models on each row's path were asked.
    std::size_t large_calls = 0;
    for (const auto& e : server.log()) large_calls += e.model == offline->models[2].name;
    std::size_t to_large = 0;
    for (int d : decisions) to_large += d == 2;
    QCOMPARE(large_calls, to_large);
}

void CascadeLiveTest::emitConfigRefusesOfflineOnlyAndAmbiguousRuns() {
    QTemporaryDir dir;
    const QString out = dir.filePath("m.json");
    auto r = run_cli({"eval", "--data", QString::fromStdString(kDemo3), "--datasets", "coqa", "--methods", "oracle",
                      "--emit-config", out, "--quiet"});
    QVERIFY(r.code != 0);
    QVERIFY2(r.err.find("cannot route a live run") != std::string::npos, r.err.c_str());
    r = run_cli({"eval", "--data", QString::fromStdString(kDemo3), "--methods", "cascade", "--emit-config", out,
                 "--quiet"});
    QVERIFY(r.code != 0);
    QVERIFY2(r.err.find("exactly one dataset and one method") != std::string::npos, r.err.c_str());
    // The template without --config-base loads as a models config.
    r = run_cli({"eval", "--data", QString::fromStdString(kDemo3), "--datasets", "coqa", "--methods",
                 "cascade_thresholds", "--emit-config", out, "--quiet"});
    QVERIFY2(r.code == 0, r.err.c_str());
    const auto cfg = load_models_config(out.toStdString());
    QCOMPARE(cfg.models.size(), std::size_t(3));
    QCOMPARE(cfg.meta_verifier.method, std::string("CascadeThresholds"));
    QVERIFY(cfg.meta_verifier.params.is_array());
}

QTEST_GUILESS_MAIN(CascadeLiveTest)
#include "test_cascade_live.moc"

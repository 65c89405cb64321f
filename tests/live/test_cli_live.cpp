// `automix serve-replay` and `automix run` as a user runs them: separate processes on
// 127.0.0.1, Ctrl+C (SIGTERM) and resume, config errors, the key kept out of every file.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/data/reader.hpp"
#include "support_live.hpp"

using nlohmann::json;

namespace {

struct ReplayProcess {
    QProcess process;
    std::string base_url;

    bool start(const QStringList& extra = {}) {
        QStringList args = {"serve-replay", "--data", QString::fromStdString(live_test::fixture_path()), "--port", "0"};
        args.append(extra);
        process.start(AUTOMIX_CLI, args);
        if (!process.waitForStarted(5000)) return false;
        for (int i = 0; i < 50 && base_url.empty(); ++i) {
            process.waitForReadyRead(200);
            const std::string out = process.readAllStandardOutput().toStdString();
            const auto at = out.find("http://127.0.0.1:");
            if (at != std::string::npos) base_url = out.substr(at, out.find('\n', at) - at);
        }
        return !base_url.empty();
    }
    // Stops the server (SIGTERM) and returns the request count it prints on the way out.
    int stop() {
        process.terminate();
        process.waitForFinished(5000);
        const std::string out = process.readAllStandardOutput().toStdString();
        const auto at = out.find("stopped after ");
        return at == std::string::npos ? -1 : std::stoi(out.substr(at + 14));
    }
    ~ReplayProcess() {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(2000);
        }
    }
};

std::string write_config(const QTemporaryDir& dir, const std::string& base_url, const std::string& key_env = "",
                         int concurrency = 4) {
    json small = {{"name", "small"},
                  {"base_url", base_url},
                  {"model", "llama13b"},
                  {"price_per_call", 0.001},
                  {"max_concurrency", concurrency}};
    json large = {{"name", "large"},
                  {"base_url", base_url},
                  {"model", "llama70b"},
                  {"price_per_call", 0.05},
                  {"max_concurrency", concurrency}};
    if (!key_env.empty()) small["api_key_env"] = large["api_key_env"] = key_env;
    json cfg = {{"models", {small, large}},
                {"verifier", {{"k", 32}}},
                {"meta_verifier", {{"method", "POMDP"}, {"params", {{0.125, 0.25}, 2}}}},
                {"retry", {{"initial_backoff_s", 0.01}}},
                {"run_all_models", true}};
    const std::string path = (dir.path() + "/models.json").toStdString();
    std::ofstream(path) << cfg.dump(2);
    return path;
}

struct CliResult {
    int code = -1;
    std::string out, err;
};

CliResult run_cli(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(AUTOMIX_CLI, args);
    p.waitForFinished(60000);
    return {p.exitCode(), p.readAllStandardOutput().toStdString(), p.readAllStandardError().toStdString()};
}

}  // namespace

class CliLiveTest : public QObject {
    Q_OBJECT
  private slots:
    void runAgainstReplayEqualsOfflineData();
    void interruptedRunResumesWithoutPayingTwice();
    void configErrorsExitWithTwo();
    void keyStaysOutOfEveryFile();
};

void CliLiveTest::runAgainstReplayEqualsOfflineData() {
    ReplayProcess server;
    QVERIFY(server.start());
    QTemporaryDir dir;
    const std::string cfg = write_config(dir, server.base_url);
    const QString out = dir.path() + "/out.jsonl";
    const auto r = run_cli({"run", "--config", QString::fromStdString(cfg), "--data",
                            QString::fromStdString(live_test::fixture_path()), "--out", out, "--quiet"});
    QVERIFY2(r.code == 0, (r.out + r.err).c_str());
    QVERIFY(r.out.find("rows: 60 done, 0 failed") != std::string::npos);
    QVERIFY(r.out.find("small: 120 calls") != std::string::npos);
    const auto offline = automix::data::load_file(live_test::fixture_path()).dataset;
    const auto live = automix::data::load_file(out.toStdString()).dataset;
    QCOMPARE(live.size(), offline.size());
    for (std::size_t i = 0; i < offline.size(); ++i) {
        QCOMPARE(live.models[0].answer[i], offline.models[0].answer[i]);
        QCOMPARE(live.models[1].answer[i], offline.models[1].answer[i]);
        QCOMPARE(live.models[0].verifier_samples[i], offline.models[0].verifier_samples[i]);
        QCOMPARE(live.models[0].verifier_confidence[i], offline.models[0].verifier_confidence[i]);
        QCOMPARE(live.models[0].score[i], offline.models[0].score[i]);
        QCOMPARE(live.models[1].score[i], offline.models[1].score[i]);
    }
    QCOMPARE(server.stop(), 180);
}

void CliLiveTest::interruptedRunResumesWithoutPayingTwice() {
    ReplayProcess server;
    QVERIFY(server.start({"--latency-ms", "50"}));
    QTemporaryDir dir;
    const std::string cfg = write_config(dir, server.base_url, "", 2);
    const QString out = dir.path() + "/out.jsonl";
    const QStringList args = {"run",
                              "--config",
                              QString::fromStdString(cfg),
                              "--data",
                              QString::fromStdString(live_test::fixture_path()),
                              "--out",
                              out,
                              "--cache",
                              dir.path() + "/cache"};
    QProcess first;
    first.start(AUTOMIX_CLI, args);
    QVERIFY(first.waitForStarted(5000));
    QTest::qWait(700);
    first.terminate();  // SIGTERM, handled like Ctrl+C
    QVERIFY(first.waitForFinished(3000));
    QCOMPARE(first.exitCode(), 130);
    QVERIFY(first.readAllStandardError().contains("run the same command again to resume"));
    const auto second = run_cli(args);
    QVERIFY2(second.code == 0, (second.out + second.err).c_str());
    QVERIFY(second.err.find("cache ") != std::string::npos);
    QVERIFY(second.out.find("rows: 60 done, 0 failed") != std::string::npos);
    // Everything was paid once, except at most the 2 + 2 calls in flight at the interrupt.
    const int served = server.stop();
    QVERIFY2(served >= 180 && served <= 184, std::to_string(served).c_str());
}

void CliLiveTest::configErrorsExitWithTwo() {
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/bad.json").toStdString();
    std::ofstream(path)
        << R"({"models":[{"name":"s","base_url":"http://127.0.0.1:1/v1","model":"a","price_per_call":0,"timeout_s":"slow"}],
                             "meta_verifier":{"method":"Threshold","params":0.5}})";
    auto r = run_cli({"run", "--config", QString::fromStdString(path), "--data",
                      QString::fromStdString(live_test::fixture_path()), "--out", dir.path() + "/o.jsonl"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.find("need at least 2 models") != std::string::npos, r.err.c_str());
    QVERIFY2(r.err.find("models[0].timeout_s: expected a number, got string") != std::string::npos, r.err.c_str());
    r = run_cli({"run", "--data", "x"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.find("missing required option --config") != std::string::npos);
    r = run_cli({"serve-replay", "--data", QString::fromStdString(live_test::fixture_path()), "--port", "0", "--faults",
                 "429,teapot"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.find("unknown kind 'teapot'") != std::string::npos);
}

void CliLiveTest::keyStaysOutOfEveryFile() {
    const QString key = "sk-cli-test-8d1f0c2b9e";
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("AUTOMIX_CLI_TEST_KEY", key);
    ReplayProcess server;
    server.process.setProcessEnvironment(env);
    QVERIFY(server.start({"--require-key-env", "AUTOMIX_CLI_TEST_KEY"}));
    QTemporaryDir dir;
    const std::string cfg = write_config(dir, server.base_url, "AUTOMIX_CLI_TEST_KEY");
    const auto r = run_cli({"run", "--config", QString::fromStdString(cfg), "--data",
                            QString::fromStdString(live_test::fixture_path()), "--out", dir.path() + "/out.jsonl"},
                           env);
    QVERIFY2(r.code == 0, (r.out + r.err).c_str());
    const std::string bytes = live_test::all_file_bytes(dir.path().toStdString());
    QVERIFY(bytes.find("llama13b_ver") != std::string::npos);     // the output is there...
    QVERIFY(bytes.find(key.toStdString()) == std::string::npos);  // ...the key is not
    QVERIFY((r.out + r.err).find(key.toStdString()) == std::string::npos);
    // Without the key the server refuses, and the run says why.
    env.insert("AUTOMIX_CLI_TEST_KEY", "sk-wrong");
    const auto denied = run_cli({"run", "--config", QString::fromStdString(cfg), "--data",
                                 QString::fromStdString(live_test::fixture_path()), "--out", dir.path() + "/out2.jsonl",
                                 "--no-cache", "--quiet"},
                                env);
    // The preflight finds the bad key before any row is run: one request per model.
    QCOMPARE(denied.code, 3);
    QVERIFY2(denied.err.find("key rejected (key from $AUTOMIX_CLI_TEST_KEY): HTTP 401 (application/json): Incorrect "
                             "API key provided") != std::string::npos,
             denied.err.c_str());
    QVERIFY(denied.err.find("sk-wrong") == std::string::npos);
    server.stop();
}

QTEST_GUILESS_MAIN(CliLiveTest)
#include "test_cli_live.moc"

// The live pipeline end to end against the replay server on 127.0.0.1: equality with the
// offline data, faults, routing, kill-and-resume through the cache, cancellation, keys.
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/data/reader.hpp"
#include "core/eval/protocol.hpp"
#include "core/live/http_server.hpp"
#include "core/live/live_io.hpp"
#include "core/live/pipeline.hpp"
#include "core/live/replay_server.hpp"
#include "core/routing/method.hpp"
#include "core/scoring/verifier.hpp"
#include "support_live.hpp"

using namespace automix;
using namespace automix::live;
using Clock = std::chrono::steady_clock;

namespace {

struct Setup {
    std::shared_ptr<const data::Dataset> offline = live_test::load_fixture();
    std::unique_ptr<ReplayServer> server;
    LiveInput input = read_live_input(live_test::fixture_path());

    explicit Setup(ReplayOptions o = {}) {
        server = std::make_unique<ReplayServer>(offline, o);
        server->start(0);
    }
    RunResult run(const ModelsConfig& cfg, std::shared_ptr<ResponseCache> cache = nullptr,
                  const RunOptions& opts = {}) {
        prepare_model_columns(input.dataset, cfg);
        Pipeline p(cfg, resolve_api_keys(cfg), load_prompt_templates("", ""), std::move(cache));
        return p.run(input.dataset, input.dataset.all_rows(), opts);
    }
    // Offline routing of the same rows with the same method and parameter.
    routing::Decisions offline_decisions(double threshold) const {
        routing::Config rc;
        return routing::find_method("Threshold")->route(*offline, offline->all_rows(), threshold, rc);
    }
};

std::size_t count_requests(const std::vector<ReplayLogEntry>& log, const std::string& model) {
    std::size_t n = 0;
    for (const auto& e : log) n += e.model == model;
    return n;
}

// Row by row, the live columns equal the stored ones; `samples` = how many verifier samples
// were asked for (the first `samples` stored ones must come back, in order).
void expect_offline_equal(const data::Dataset& live, const data::Dataset& off, std::size_t samples,
                          bool large_everywhere) {
    QCOMPARE(live.size(), off.size());
    for (std::size_t r = 0; r < off.size(); ++r) {
        QCOMPARE(live.id[r], off.id[r]);
        QCOMPARE(live.models[0].answer[r], off.models[0].answer[r]);
        QVERIFY2(std::abs(live.models[0].score[r] - off.models[0].score[r]) < 1e-9, std::string(off.id[r]).c_str());
        const auto& stored = off.models[0].verifier_samples[r];
        const std::vector<std::string> expected(stored.begin(),
                                                stored.begin() + static_cast<long>(std::min(samples, stored.size())));
        QCOMPARE(live.models[0].verifier_samples[r], expected);
        if (samples == stored.size())
            QVERIFY(std::abs(live.models[0].verifier_confidence[r] - off.models[0].verifier_confidence[r]) < 1e-12);
        if (large_everywhere) {
            QCOMPARE(live.models[1].answer[r], off.models[1].answer[r]);
            QVERIFY2(std::abs(live.models[1].score[r] - off.models[1].score[r]) < 1e-9, std::string(off.id[r]).c_str());
        }
    }
}

}  // namespace

class PipelineTest : public QObject {
    Q_OBJECT
  private slots:
    void happyPathEqualsOfflineData();
    void withoutNSupportAsksKTimes();
    void completionsApiWorksToo();
    void routedModeCallsLargeOnlyWhenEscalated();
    void randomFaultsStillGiveTheOfflineResult();
    void unauthorizedStopsEachQueryOnce();
    void killAndResumePaysNothingTwice();
    void corruptCacheTailCostsOneCall();
    void cancellationStopsWithinOneSecond();
    void apiKeyIsNeverWritten();
    void outputLoadsAsReleaseRecords();
    void selectedRowsAndTypedQuestion();
    void manyCachedRowsDoNotRecurse();
    void sharedFailedCallCountsOnce();
    void threeModelCascadeWritesNative();
    void routedOutputOpensInTheReader();
};

void PipelineTest::happyPathEqualsOfflineData() {
    Setup s;
    live_test::ConfigKnobs k;
    k.k = 32;
    const auto cfg = live_test::make_config(s.server->base_url(), k);
    const auto result = s.run(cfg);
    QVERIFY(!result.cancelled);
    QCOMPARE(result.totals.rows_done, std::size_t(60));
    QCOMPARE(result.totals.rows_failed, std::size_t(0));
    expect_offline_equal(s.input.dataset, *s.offline, 32, true);
    // Same decisions as the offline Threshold router on the stored confidences.
    const auto expected = s.offline_decisions(0.375);
    for (std::size_t r = 0; r < 60; ++r) {
        QCOMPARE(result.rows[r].final_model, int(expected[r]));
        QCOMPARE(result.rows[r].cost_units, expected[r] ? 52.0 : 2.0);
    }
    // One answer per model and one n=32 verification per row.
    QCOMPARE(result.totals.per_model[0].calls, std::uint64_t(120));
    QCOMPARE(result.totals.per_model[1].calls, std::uint64_t(60));
    QCOMPARE(s.server->request_count(), std::size_t(180));
    QCOMPARE(result.totals.per_model[1].money, 60 * 0.25);
    const auto& u = result.totals.per_model[0];
    QVERIFY(u.prompt_tokens > 0 && u.completion_tokens > 0);
    QVERIFY(std::abs(u.money - (u.prompt_tokens * 0.5 + u.completion_tokens * 1.5) / 1000.0) < 1e-9);
}

void PipelineTest::withoutNSupportAsksKTimes() {
    Setup s;
    live_test::ConfigKnobs k;
    k.k = 6;
    k.supports_n = false;
    const auto cfg = live_test::make_config(s.server->base_url(), k);
    const auto result = s.run(cfg);
    QCOMPARE(result.totals.rows_failed, std::size_t(0));
    QCOMPARE(result.totals.per_model[0].calls, std::uint64_t(60 + 60 * 6));
    expect_offline_equal(s.input.dataset, *s.offline, 6, true);
    for (std::size_t r = 0; r < 60; ++r) {
        const auto& stored = s.offline->models[0].verifier_samples[r];
        const double p = scoring::verifier_confidence({stored.begin(), stored.begin() + 6});
        QCOMPARE(s.input.dataset.models[0].verifier_confidence[r], p);
    }
}

void PipelineTest::completionsApiWorksToo() {
    Setup s;
    live_test::ConfigKnobs k;
    k.k = 32;
    k.api = "completions";
    const auto result = s.run(live_test::make_config(s.server->base_url(), k));
    QCOMPARE(result.totals.rows_failed, std::size_t(0));
    expect_offline_equal(s.input.dataset, *s.offline, 32, true);
}

void PipelineTest::routedModeCallsLargeOnlyWhenEscalated() {
    Setup s;
    live_test::ConfigKnobs k;
    k.k = 32;
    k.run_all = false;
    k.threshold = 0.5;
    const auto result = s.run(live_test::make_config(s.server->base_url(), k));
    const auto expected = s.offline_decisions(0.5);
    std::size_t escalations = 0;
    for (std::size_t r = 0; r < 60; ++r) {
        escalations += expected[r];
        QCOMPARE(result.rows[r].final_model, int(expected[r]));
        QCOMPARE(result.rows[r].escalated, std::vector<std::uint8_t>{static_cast<std::uint8_t>(expected[r])});
        QCOMPARE(bool(s.input.dataset.models[1].has_answer[r]), bool(expected[r]));
        if (expected[r]) QCOMPARE(s.input.dataset.models[1].answer[r], s.offline->models[1].answer[r]);
    }
    QVERIFY(escalations > 0 && escalations < 60);  // the fixture exercises both branches
    const auto log = s.server->log();
    QCOMPARE(count_requests(log, "llama70b"), escalations);
    QCOMPARE(count_requests(log, "llama13b"), std::size_t(120));
    expect_offline_equal(s.input.dataset, *s.offline, 32, false);
}

void PipelineTest::randomFaultsStillGiveTheOfflineResult() {
    ReplayOptions o;
    o.fault_rate = 0.3;
    o.fault_kinds = {Fault::TooManyRequests, Fault::ServerError, Fault::Malformed, Fault::CutConnection, Fault::Slow};
    o.retry_after_s = 0;
    o.slow_ms = 1500;
    o.seed = 7;
    Setup s(o);
    live_test::ConfigKnobs k;
    k.k = 32;
    k.timeout_s = 0.5;
    k.max_attempts = 20;
    k.concurrency = 16;
    const auto result = s.run(live_test::make_config(s.server->base_url(), k));
    QCOMPARE(result.totals.rows_failed, std::size_t(0));
    expect_offline_equal(s.input.dataset, *s.offline, 32, true);
    std::set<Fault> seen;
    for (const auto& e : s.server->log()) seen.insert(e.fault);
    QCOMPARE(seen.size(), std::size_t(6));  // every kind happened, plus clean replies
    QVERIFY(result.engine.retries > 0);
    QCOMPARE(result.engine.retries + 180, s.server->request_count());
}

void PipelineTest::unauthorizedStopsEachQueryOnce() {
    ReplayOptions o;
    o.required_key = "sk-right-key";
    Setup s(o);
    ::setenv("AUTOMIX_LIVE_TEST_WRONG", "sk-wrong-key", 1);
    live_test::ConfigKnobs k;
    k.api_key_env = "AUTOMIX_LIVE_TEST_WRONG";
    k.run_all = false;  // so every query starts with exactly one call
    const auto result = s.run(live_test::make_config(s.server->base_url(), k));
    // The circuit breaker: five identical failures stop the run with one message, instead of
    // one request and one error line per row.
    QVERIFY2(result.stopped.find("5 calls in a row failed with the same error: HTTP 401") != std::string::npos,
             result.stopped.c_str());
    QVERIFY(result.stopped.find("sk-wrong-key") == std::string::npos);
    std::size_t failed_401 = 0;
    for (const auto& r : result.rows) {
        QVERIFY(!r.done);
        if (r.error.find("small answer synth-") == 0) {
            QVERIFY2(r.error.find("HTTP 401 (application/json): Incorrect API key provided") != std::string::npos,
                     r.error.c_str());
            ++failed_401;
        } else {
            QVERIFY2(r.error.find("stopped the run") != std::string::npos, r.error.c_str());
        }
    }
    QVERIFY(failed_401 >= 5);
    QVERIFY(s.server->request_count() < 20);  // 5 + those already on the wire (concurrency 8)
    QCOMPARE(result.engine.retries, std::uint64_t(0));
}

void PipelineTest::killAndResumePaysNothingTwice() {
    ReplayOptions o;
    o.latency_ms = 15;
    Setup s(o);
    QTemporaryDir dir;
    live_test::ConfigKnobs k;
    k.k = 32;
    k.concurrency = 4;
    const auto cfg = live_test::make_config(s.server->base_url(), k);

    std::atomic<bool> cancel{false};
    RunOptions opts;
    opts.cancel = &cancel;
    int ok = 0;
    opts.on_event = [&](const CallEvent& e) {
        if (e.what == "ok" && ++ok == 70) cancel = true;
    };
    RunResult first;
    {
        auto cache = std::make_shared<ResponseCache>(dir.path().toStdString());
        first = s.run(cfg, cache, opts);
    }
    QVERIFY(first.cancelled);
    QVERIFY(first.totals.rows_done < 60);
    const auto log1 = s.server->log();
    s.server->clear_log();

    auto cache = std::make_shared<ResponseCache>(dir.path().toStdString());
    QVERIFY(cache->size() > 0);
    LiveInput fresh = read_live_input(live_test::fixture_path());
    s.input = std::move(fresh);
    const auto second = s.run(cfg, cache);
    QVERIFY(!second.cancelled);
    QCOMPARE(second.totals.rows_failed, std::size_t(0));
    expect_offline_equal(s.input.dataset, *s.offline, 32, true);
    const auto log2 = s.server->log();

    std::set<std::string> paid1;
    for (const auto& e : log1)
        if (e.status == 200) paid1.insert(e.body_sha256);
    std::size_t repeated = 0;
    for (const auto& e : log2) repeated += paid1.count(e.body_sha256);
    // Only calls that were still in flight when the run was cancelled may be asked again.
    QVERIFY2(repeated <= first.engine.cancelled,
             (std::to_string(repeated) + " > " + std::to_string(first.engine.cancelled)).c_str());
    QVERIFY(log2.size() < 180);
    QVERIFY(second.totals.per_model[0].cached > 0);

    // A third run finds everything in the cache and makes no call at all.
    s.server->clear_log();
    s.input = read_live_input(live_test::fixture_path());
    const auto third = s.run(cfg, cache);
    QCOMPARE(s.server->request_count(), std::size_t(0));
    QCOMPARE(third.totals.money, 0.0);
    expect_offline_equal(s.input.dataset, *s.offline, 32, true);
}

void PipelineTest::corruptCacheTailCostsOneCall() {
    Setup s;
    QTemporaryDir dir;
    live_test::ConfigKnobs k;
    k.k = 32;
    const auto cfg = live_test::make_config(s.server->base_url(), k);
    std::string path;
    {
        auto cache = std::make_shared<ResponseCache>(dir.path().toStdString());
        s.run(cfg, cache);
        path = cache->file_path();
    }
    {
        // Cut the last record in half, as a crash during the append would.
        std::ifstream in(path, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto last = bytes.rfind('\n', bytes.size() - 2) + 1;
        bytes.resize(last + (bytes.size() - last) / 2);
        std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    }
    s.server->clear_log();
    auto cache = std::make_shared<ResponseCache>(dir.path().toStdString());
    QCOMPARE(cache->warnings().size(), std::size_t(1));
    s.input = read_live_input(live_test::fixture_path());
    const auto again = s.run(cfg, cache);
    QCOMPARE(again.totals.rows_failed, std::size_t(0));
    QCOMPARE(s.server->request_count(), std::size_t(1));
    expect_offline_equal(s.input.dataset, *s.offline, 32, true);
}

void PipelineTest::cancellationStopsWithinOneSecond() {
    ReplayOptions o;
    o.latency_ms = 5000;
    Setup s(o);
    const auto cfg = live_test::make_config(s.server->base_url());
    std::atomic<bool> cancel{false};
    RunOptions opts;
    opts.cancel = &cancel;
    RunResult result;
    Clock::time_point returned;
    std::thread worker([&] {
        result = s.run(cfg, nullptr, opts);
        returned = Clock::now();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto cancelled_at = Clock::now();
    cancel = true;
    worker.join();
    const double lag = std::chrono::duration<double>(returned - cancelled_at).count();
    QVERIFY2(lag < 1.0, std::to_string(lag).c_str());
    QVERIFY(result.cancelled);
    QCOMPARE(result.totals.rows_done, std::size_t(0));
    for (const auto& r : result.rows) QCOMPARE(r.error, std::string("cancelled"));
}

void PipelineTest::apiKeyIsNeverWritten() {
    const std::string key = "sk-live-test-5f3c9a1e77d04b2b";
    ReplayOptions o;
    o.required_key = key;
    Setup s(o);
    ::setenv("AUTOMIX_LIVE_TEST_KEY", key.c_str(), 1);
    QTemporaryDir dir;
    live_test::ConfigKnobs k;
    k.api_key_env = "AUTOMIX_LIVE_TEST_KEY";
    const auto cfg = live_test::make_config(s.server->base_url(), k);
    RunOptions opts;
    std::string log_text;
    opts.on_event = [&](const CallEvent& e) { log_text += e.label + " " + e.what + "\n"; };
    RunResult result;
    {
        auto cache = std::make_shared<ResponseCache>((dir.path() + "/cache").toStdString());
        result = s.run(cfg, cache, opts);
    }
    QCOMPARE(result.totals.rows_failed, std::size_t(0));  // the key did reach the server
    write_live_output((dir.path() + "/out.jsonl").toStdString(), s.input, result.rows, cfg);
    const std::string bytes = live_test::all_file_bytes(dir.path().toStdString());
    QVERIFY(bytes.size() > 10000);
    QVERIFY(bytes.find(key) == std::string::npos);
    QVERIFY(bytes.find("5f3c9a1e77d04b2b") == std::string::npos);
    QVERIFY(!log_text.empty());
    QVERIFY(log_text.find(key) == std::string::npos);
    ::unsetenv("AUTOMIX_LIVE_TEST_KEY");
}

void PipelineTest::outputLoadsAsReleaseRecords() {
    Setup s;
    live_test::ConfigKnobs k;
    k.k = 32;
    const auto cfg = live_test::make_config(s.server->base_url(), k);
    const auto result = s.run(cfg);
    QTemporaryDir dir;
    const std::string out = (dir.path() + "/out.jsonl").toStdString();
    write_live_output(out, s.input, result.rows, cfg);
    // The output is a release-format file: the offline reader loads it with the same columns.
    auto reread = data::load_file(out);
    expect_offline_equal(reread.dataset, *s.offline, 32, true);
    for (std::size_t r = 0; r < 60; ++r)
        QCOMPARE(reread.dataset.models[0].verifier_confidence[r], s.offline->models[0].verifier_confidence[r]);
}

void PipelineTest::selectedRowsAndTypedQuestion() {
    Setup s;
    live_test::ConfigKnobs k;
    k.k = 32;
    const auto cfg = live_test::make_config(s.server->base_url(), k);
    const data::View picked = {3, 10, 40, 55};
    LiveInput in = live_input_from(*s.offline, picked);
    QCOMPARE(in.dataset.size(), picked.size());
    prepare_model_columns(in.dataset, cfg);
    Pipeline p(cfg, {}, load_prompt_templates("", ""), nullptr);
    const auto result = p.run(in.dataset, in.dataset.all_rows(), {});
    QCOMPARE(result.totals.rows_failed, std::size_t(0));
    for (std::size_t i = 0; i < picked.size(); ++i) {
        const auto r = picked[i];
        QCOMPARE(in.dataset.id[i], s.offline->id[r]);
        QCOMPARE(in.dataset.models[0].answer[i], s.offline->models[0].answer[r]);
        QCOMPARE(in.dataset.models[0].verifier_confidence[i], s.offline->models[0].verifier_confidence[r]);
        QVERIFY(std::abs(in.dataset.models[1].score[i] - s.offline->models[1].score[r]) < 1e-9);
    }
    // A typed question (the GUI playground) that the replay data happens to know.
    LiveInput typed = live_input_from_question("typed-1", s.offline->context(7), std::string(s.offline->question[7]));
    prepare_model_columns(typed.dataset, cfg);
    const auto one = p.run(typed.dataset, typed.dataset.all_rows(), {});
    QVERIFY(one.rows[0].done);
    QCOMPARE(typed.dataset.models[0].answer[0], s.offline->models[0].answer[7]);
    QVERIFY(std::isnan(typed.dataset.models[0].score[0]));  // no gold answer, so no score
}

void PipelineTest::manyCachedRowsDoNotRecurse() {
    // Identical rows share every call, so after the first few all come from the cache and
    // finish synchronously: 10000 of them must not grow the stack per row.
    std::atomic<int> requests{0};
    HttpServer fake([&](const HttpRequest& req) {
        ++requests;
        const auto body = nlohmann::json::parse(req.body);
        const int n = body.value("n", 1);
        nlohmann::json choices = nlohmann::json::array();
        for (int i = 0; i < n; ++i)
            choices.push_back(
                {{"index", i},
                 {"message", {{"role", "assistant"}, {"content", "So the AI generated answer is correct."}}}});
        HttpReply r;
        r.body =
            nlohmann::json{{"choices", choices}, {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 5}}}}.dump();
        return r;
    });
    fake.start(0);
    live_test::ConfigKnobs k;
    k.k = 2;
    const auto cfg = live_test::make_config("http://127.0.0.1:" + std::to_string(fake.port()) + "/v1", k);
    LiveInput in;
    {
        auto base = live_input_from_question("q", "some context", "same question?", "yes");
        data::View many(10000, 0);
        in = live_input_from(base.dataset, many);
    }
    QTemporaryDir dir;
    auto cache = std::make_shared<ResponseCache>(dir.path().toStdString());
    prepare_model_columns(in.dataset, cfg);
    Pipeline p(cfg, {}, load_prompt_templates("", ""), cache);
    const auto result = p.run(in.dataset, in.dataset.all_rows(), {});
    QCOMPARE(result.totals.rows_done, std::size_t(10000));
    QCOMPARE(result.totals.rows_failed, std::size_t(0));
    // Identical calls in flight together are sent once: one answer per model and one n = 2
    // verification, whatever the timing; every other row takes them as cache hits.
    QCOMPARE(requests.load(), 3);
    std::uint64_t calls = 0;
    for (const auto& u : result.totals.per_model) calls += u.calls;
    QCOMPARE(calls, std::uint64_t(3));
    QCOMPARE(cache->size(), std::size_t(4));  // 2 answers + 2 verifier samples
    QCOMPARE(in.dataset.models[0].verifier_confidence[9999], 1.0);
}

void PipelineTest::sharedFailedCallCountsOnce() {
    // Identical rows that waited on one refused call all fail, but the call counts once.
    std::atomic<int> requests{0};
    HttpServer fake([&](const HttpRequest&) {
        ++requests;
        HttpReply r;
        r.status = 400;
        r.body = R"({"error":{"message":"bad request","type":"invalid_request_error"}})";
        r.delay_ms = 50;
        return r;
    });
    fake.start(0);
    const auto cfg = live_test::make_config("http://127.0.0.1:" + std::to_string(fake.port()) + "/v1", {});
    LiveInput in;
    {
        auto base = live_input_from_question("q", "some context", "same question?", "yes");
        in = live_input_from(base.dataset, data::View(40, 0));
    }
    prepare_model_columns(in.dataset, cfg);
    Pipeline p(cfg, {}, load_prompt_templates("", ""), nullptr);
    const auto result = p.run(in.dataset, in.dataset.all_rows(), {});
    QCOMPARE(result.totals.rows_failed, std::size_t(40));
    QVERIFY2(requests.load() < 40, std::to_string(requests.load()).c_str());  // rows in flight shared calls
    std::uint64_t failed = 0;
    for (const auto& u : result.totals.per_model) failed += u.failed;
    QCOMPARE(failed, static_cast<std::uint64_t>(requests.load()));
}

void PipelineTest::threeModelCascadeWritesNative() {
    const std::string path = std::string(AUTOMIX_TEST_DATA "/live/native3_30.jsonl");
    auto offline = std::make_shared<const data::Dataset>(data::load_file(path).dataset);
    QCOMPARE(offline->model_count(), std::size_t(3));
    ReplayServer server(offline, {});
    server.start(0);
    nlohmann::json models = nlohmann::json::array();
    const char* names[] = {"small", "medium", "large"};
    const double costs[] = {1, 10, 50};
    for (int j = 0; j < 3; ++j)
        models.push_back({{"name", names[j]},
                          {"base_url", server.base_url()},
                          {"model", names[j]},
                          {"price_per_call", 0.01 * costs[j]},
                          {"call_cost", costs[j]}});
    const auto cfg = parse_models_config(nlohmann::json{{"models", models},
                                                        {"verifier", {{"k", 32}}},
                                                        {"meta_verifier", {{"method", "Threshold"}, {"params", 0.5}}},
                                                        {"run_all_models", true}}
                                             .dump(),
                                         "native-test");
    LiveInput in = read_live_input(path);
    QVERIFY(in.native);
    QCOMPARE(in.dataset.size(), offline->size());
    prepare_model_columns(in.dataset, cfg);
    Pipeline p(cfg, {}, load_prompt_templates("", ""), nullptr);
    const auto result = p.run(in.dataset, in.dataset.all_rows(), {});
    QCOMPARE(result.totals.rows_failed, std::size_t(0));
    QTemporaryDir dir;
    const std::string out = (dir.path() + "/out.jsonl").toStdString();
    write_live_output(out, in, result.rows, cfg);
    const auto reread = data::load_file(out).dataset;
    QCOMPARE(reread.format, std::string("native"));
    QCOMPARE(reread.model_count(), std::size_t(3));
    for (std::size_t r = 0; r < offline->size(); ++r) {
        QCOMPARE(reread.id[r], offline->id[r]);
        for (std::size_t j = 0; j < 3; ++j) {
            QCOMPARE(reread.models[j].answer[r], offline->models[j].answer[r]);
            QVERIFY(std::abs(reread.models[j].score[r] - offline->models[j].score[r]) < 1e-9);
        }
        for (std::size_t j = 0; j < 2; ++j)
            QCOMPARE(reread.models[j].verifier_samples[r], offline->models[j].verifier_samples[r]);
        // The cascade stops at the first model whose confidence is above the threshold.
        int expected = 2;
        for (int j = 0; j < 2; ++j)
            if (offline->models[static_cast<std::size_t>(j)].verifier_confidence[r] > 0.5) {
                expected = j;
                break;
            }
        QCOMPARE(result.rows[r].final_model, expected);
        QCOMPARE(result.rows[r].cost_units, expected == 0 ? 2.0 : expected == 1 ? 13.0 : 63.0);
    }
}

// Problem 9: a routed run's output (large model asked only when escalated) failed strict
// loading, and *Skip bad lines* dropped nearly every row.
void PipelineTest::routedOutputOpensInTheReader() {
    Setup s;
    live_test::ConfigKnobs k;
    k.k = 32;
    k.run_all = false;
    const auto cfg = live_test::make_config(s.server->base_url(), k);
    const auto result = s.run(cfg);
    QCOMPARE(result.totals.rows_failed, std::size_t(0));
    QTemporaryDir dir;
    const std::string out = (dir.path() + "/routed.jsonl").toStdString();
    write_live_output(out, s.input, result.rows, cfg);
    const auto loaded = data::load_file(out);  // strict
    const auto& ds = loaded.dataset;
    QCOMPARE(ds.size(), std::size_t(60));
    std::size_t kept = 0;
    for (std::size_t r = 0; r < 60; ++r) {
        QCOMPARE(ds.models[0].answer[r], s.offline->models[0].answer[r]);
        if (result.rows[r].final_model == 0) {
            ++kept;
            QVERIFY(std::isnan(ds.models[1].score[r]));  // never asked: unknown, not 0
            QCOMPARE(ds.models[1].has_answer[r], std::uint8_t(0));
        } else {
            QVERIFY(std::abs(ds.models[1].score[r] - s.offline->models[1].score[r]) < 1e-9);
        }
    }
    QVERIFY(kept > 0 && kept < 60);
    bool noted = false;
    for (const auto& w : loaded.warnings) noted = noted || w.find(std::to_string(kept) + " model scores are unknown") == 0;
    QVERIFY(noted);
    // Those rows are shown but left out of training and metrics, and evaluation says so.
    QCOMPARE(ds.unmeasured.size(), ds.size());
    for (std::size_t r = 0; r < 60; ++r) QCOMPARE(ds.unmeasured[r] != 0, result.rows[r].final_model == 0);
    eval::EvalOptions options;
    options.methods = {"Threshold"};
    const auto report = eval::run_evaluation(ds, options);
    std::size_t measured = 0, leftOut = 0;
    for (const auto& d : report.datasets) {
        QVERIFY2(d.methods.at(0).ok, d.methods[0].error.c_str());
        measured += d.n_train + d.n_val;
        for (const auto r : d.train_rows) QVERIFY(!ds.unmeasured[r]);
        for (const auto& w : d.warnings)
            if (const auto at = w.find(" rows left out: a routed live run"); at != std::string::npos)
                leftOut += std::stoul(w.substr(0, at));
    }
    QCOMPARE(leftOut, kept);
    QCOMPARE(measured + kept, std::size_t(60));
    // A release row without a `live` object still needs its large-model score.
    const std::string plain = (dir.path() + "/plain.jsonl").toStdString();
    std::ofstream(plain) << R"({"id":"a","dataset":"coqa","split":"val","llama13b_f1":1,"p_ver_13b":0.5})" << "\n";
    try {
        data::load_file(plain);
        QFAIL("accepted a row without llama70b_f1");
    } catch (const std::exception& e) {
        QVERIFY2(std::string(e.what()).find("missing required field `llama70b_f1`") != std::string::npos, e.what());
    }
}

QTEST_GUILESS_MAIN(PipelineTest)
#include "test_pipeline.moc"

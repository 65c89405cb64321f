// The client against a server we did not write (support_foreign.hpp): every way an
// OpenAI-compatible server can differ from ours, and what the user sees for it.
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/live/live_io.hpp"
#include "core/live/pipeline.hpp"
#include "core/live/preflight.hpp"
#include "core/live/response_cache.hpp"
#include "support_foreign.hpp"

using namespace automix;
using namespace automix::live;
using live_test::ForeignOptions;
using live_test::ForeignServer;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

struct Knobs {
    int k = 8;
    bool run_all = false;
    int max_attempts = 3;
    int breaker = 5;
    double max_retry_after_s = 60;
    int concurrency = 4;
    std::string method = "Threshold";
    json params = 0.375;
    json small_extra = json::object();  // merged into the small model's entry
    std::string large_model = "large-model";
};

ModelsConfig config(const std::string& base_url, const Knobs& k = {}) {
    json small = {{"name", "small"},          {"base_url", base_url},        {"model", "small-model"},
                  {"price_per_1k_input", 1.0}, {"price_per_1k_output", 2.0}, {"max_concurrency", k.concurrency},
                  {"timeout_s", 5}};
    for (auto it = k.small_extra.begin(); it != k.small_extra.end(); ++it) small[it.key()] = it.value();
    json large = {{"name", "large"},   {"base_url", base_url},          {"model", k.large_model},
                  {"price_per_call", 0.5}, {"max_concurrency", k.concurrency}, {"timeout_s", 5}};
    json cfg = {{"models", {small, large}},
                {"verifier", {{"k", k.k}}},
                {"meta_verifier", {{"method", k.method}, {"params", k.params}}},
                {"retry",
                 {{"max_attempts", k.max_attempts},
                  {"initial_backoff_s", 0.01},
                  {"max_backoff_s", 0.05},
                  {"max_retry_after_s", k.max_retry_after_s},
                  {"breaker_threshold", k.breaker}}},
                {"run_all_models", k.run_all}};
    return parse_models_config(cfg.dump(), "foreign-config");
}

// `n` distinct questions whose gold answer is the server's "Paris".
LiveInput questions(int n) {
    QTemporaryDir dir;
    const std::string path = dir.filePath("in.jsonl").toStdString();
    {
        std::ofstream out(path);
        for (int i = 0; i < n; ++i)
            out << json{{"id", "q" + std::to_string(i)},
                        {"question", "What is the capital of France? (" + std::to_string(i) + ")"},
                        {"base_ctx", "Paris is the capital of France."},
                        {"output", "Paris"}}
                       .dump()
                << "\n";
    }
    return read_live_input(path);
}

RunResult run(const ModelsConfig& cfg, LiveInput& in, std::shared_ptr<ResponseCache> cache = nullptr,
              RunOptions options = {}) {
    prepare_model_columns(in.dataset, cfg);
    Pipeline p(cfg, resolve_api_keys(cfg), load_prompt_templates("", ""), std::move(cache));
    return p.run(in.dataset, in.dataset.all_rows(), options);
}

bool any_warning(const RunResult& r, const std::string& part) {
    for (const auto& w : r.warnings)
        if (contains(w, part)) return true;
    return false;
}

}  // namespace

class ForeignTest : public QObject {
    Q_OBJECT
  private slots:
    void serverIgnoringNGetsTheMissingSamplesSeparately();
    void verdictsAreCountedAndTheirAbsenceWarned();
    void echoedPromptIsNotParsed();
    void missingUsageIsEstimatedAndMarked();
    void rejectedRepliesAreBilled();
    void rowMoneyIncludesCachedCalls();
    void finishReasonLengthAndNullContentAreErrors();
    void hugeBodyIsCutOff();
    void errorMessagesKeepTheServersWords();
    void retryAfterIsCappedAndRetryAfterMsHonoured();
    void sdkRetryStatuses();
    void quotaErrorIsNotRetried();
    void xShouldRetryOverrides();
    void breakerStopsARunOfIdenticalErrors();
    void breakerStopsAnUnreachableEndpointFast();
    void preflightFindsBadKeyDeadPortAndUnknownModel();
    void extraHeadersBodyFieldsAndKeyHeaderReachTheServer();
    void caFileFromConfigAndEnvironment();
    void perCallLatencyAttemptsAndStatusAreRecorded();
    void offlineOnlyMethodsAreRefused();
};

// Problem 1: llama.cpp answers n = 8 with one choice; every row used to fail after paying.
void ForeignTest::serverIgnoringNGetsTheMissingSamplesSeparately() {
    ForeignOptions o;
    o.ignore_n = true;
    ForeignServer server(o);
    LiveInput in = questions(6);
    Knobs k;
    k.concurrency = 1;  // rows one after another: only the first verification tries n
    const auto r = run(config(server.base_url(), k), in);
    QCOMPARE(r.totals.rows_failed, std::size_t(0));
    QCOMPARE(r.totals.rows_done, std::size_t(6));
    for (std::size_t i = 0; i < 6; ++i) QCOMPARE(in.dataset.models[0].verifier_samples[i].size(), std::size_t(8));
    QVERIFY(r.totals.per_model[0].ignores_n);
    QVERIFY(any_warning(r, "ignores `n`"));
    // 6 answers + 6 × 8 single samples: the first n = 8 reply is used as sample 0.
    QCOMPARE(server.posts(), std::size_t(6 + 6 * 8));
    // Each sample was asked with its own seed, so the resumed run asks for the same ones.
    std::set<long long> seeds;
    for (const auto& req : server.requests()) {
        const auto body = json::parse(req.body, nullptr, false);
        if (body.is_object() && body.contains("seed")) seeds.insert(body["seed"].get<long long>());
    }
    QCOMPARE(seeds.size(), std::size_t(8));
}

// Problem 2: verification replies without a verdict used to escalate silently.
void ForeignTest::verdictsAreCountedAndTheirAbsenceWarned() {
    ForeignOptions o;
    o.no_verdicts = true;
    ForeignServer server(o);
    LiveInput in = questions(3);
    const auto r = run(config(server.base_url()), in);
    QCOMPARE(r.totals.per_model[0].verify_samples, std::uint64_t(24));
    QCOMPARE(r.totals.per_model[0].verify_with_verdict, std::uint64_t(0));
    QVERIFY(any_warning(r, "only 0 of 24 verification samples had a verdict"));
    const auto rec = output_record(in, 0, r.rows[0], config(server.base_url()));
    QCOMPARE(rec["live"]["verdicts"]["small"]["samples"].get<int>(), 8);
    QCOMPARE(rec["live"]["verdicts"]["small"]["with_verdict"].get<int>(), 0);
    // With verdicts: counted, no warning.
    ForeignServer good;
    LiveInput in2 = questions(3);
    const auto r2 = run(config(good.base_url()), in2);
    QCOMPARE(r2.totals.per_model[0].verify_with_verdict, std::uint64_t(24));
    QVERIFY(!any_warning(r2, "had a verdict"));
}

// Problem 2: an echoing server put the few-shot verdicts of the prompt into the samples.
void ForeignTest::echoedPromptIsNotParsed() {
    ForeignOptions o;
    o.echo_prompt = true;
    o.verdict = "incorrect";
    ForeignServer server(o);
    LiveInput in = questions(2);
    Knobs k;
    k.run_all = true;
    const auto r = run(config(server.base_url(), k), in);
    QCOMPARE(r.totals.rows_failed, std::size_t(0));
    for (std::size_t i = 0; i < 2; ++i) {
        QCOMPARE(in.dataset.models[0].answer[i], std::string(" Paris"));
        QCOMPARE(in.dataset.models[0].verifier_confidence[i], 0.0);  // the prompt's "is correct" examples don't count
        QCOMPARE(r.rows[i].final_model, 1);
    }
}

// Problem 3: no `usage` used to cost $0 for per-token prices.
void ForeignTest::missingUsageIsEstimatedAndMarked() {
    ForeignOptions o;
    o.omit_usage = true;
    ForeignServer server(o);
    LiveInput in = questions(2);
    Knobs k;
    k.run_all = true;
    const auto cfg = config(server.base_url(), k);
    const auto r = run(cfg, in);
    QVERIFY(r.totals.per_model[0].money > 0);
    QCOMPARE(r.totals.per_model[0].money_estimated, r.totals.per_model[0].money);
    QCOMPARE(r.totals.per_model[0].estimated, std::uint64_t(4));  // 2 answers + 2 verifications
    QCOMPARE(r.totals.per_model[1].money_estimated, 0.0);          // per-call price: exact
    QCOMPARE(r.totals.per_model[1].money, 1.0);
    QVERIFY(any_warning(r, "had no `usage`"));
    QVERIFY(r.rows[0].money_estimated);
    const auto rec = output_record(in, 0, r.rows[0], cfg);
    QVERIFY(rec["live"]["money_estimated"].get<bool>());
}

// Problem 3: a 200 that validation rejected was billed but not counted.
void ForeignTest::rejectedRepliesAreBilled() {
    ForeignServer server;
    HttpReply bad;
    bad.body = R"({"choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":0}})";
    server.script({bad});
    LiveInput in = questions(1);
    Knobs k;
    k.k = 1;
    const auto cfg = config(server.base_url(), k);
    const auto r = run(cfg, in);
    QCOMPARE(r.totals.rows_failed, std::size_t(0));
    QCOMPARE(r.totals.per_model[0].rejected, std::uint64_t(1));
    // 1000 prompt tokens at $1 / 1k of the rejected reply are in the money.
    QVERIFY(r.totals.per_model[0].money > 1.0);
    QCOMPARE(r.rows[0].paid, r.totals.money);
}

// Problem 3: live.money covered only this run ($0 on a fully cached re-run).
void ForeignTest::rowMoneyIncludesCachedCalls() {
    ForeignServer server;
    QTemporaryDir dir;
    Knobs k;
    k.run_all = true;
    const auto cfg = config(server.base_url(), k);
    LiveInput a = questions(4);
    const auto first = run(cfg, a, std::make_shared<ResponseCache>(dir.path().toStdString()));
    const std::size_t posts = server.posts();
    LiveInput b = questions(4);
    const auto second = run(cfg, b, std::make_shared<ResponseCache>(dir.path().toStdString()));
    QCOMPARE(server.posts(), posts);  // nothing asked again
    QCOMPARE(second.totals.money, 0.0);
    QVERIFY(first.totals.money > 0);
    QVERIFY(std::abs(second.totals.money_total - first.totals.money) < 1e-9);
    for (std::size_t i = 0; i < 4; ++i) {
        QVERIFY(std::abs(second.rows[i].money - first.rows[i].money) < 1e-12);
        QCOMPARE(second.rows[i].paid, 0.0);
        QCOMPARE(first.rows[i].paid, first.rows[i].money);
    }
    const auto rec = output_record(b, 0, second.rows[0], cfg);
    QVERIFY(rec["live"]["money"].get<double>() > 0);
    QCOMPARE(rec["live"]["paid_this_run"].get<double>(), 0.0);
}

// Problem 10: `length` and `content: null` became empty answers that were verified.
void ForeignTest::finishReasonLengthAndNullContentAreErrors() {
    {
        ForeignOptions o;
        o.finish_reason = "length";
        ForeignServer server(o);
        LiveInput in = questions(1);
        const auto r = run(config(server.base_url()), in);
        QVERIFY(!r.rows[0].done);
        QVERIFY2(contains(r.rows[0].error, "finish_reason: length"), r.rows[0].error.c_str());
        QCOMPARE(server.posts(), std::size_t(1));  // not retried: the same prompt is cut the same way
        QCOMPARE(r.totals.per_model[0].rejected, std::uint64_t(1));
    }
    {
        ForeignOptions o;
        o.null_content = true;
        o.finish_reason = "content_filter";
        ForeignServer server(o);
        LiveInput in = questions(1);
        const auto r = run(config(server.base_url()), in);
        QVERIFY(!r.rows[0].done);
        QVERIFY2(contains(r.rows[0].error, "content: null"), r.rows[0].error.c_str());
        QVERIFY2(contains(r.rows[0].error, "content_filter"), r.rows[0].error.c_str());
        QCOMPARE(in.dataset.models[0].has_answer[0], std::uint8_t(0));
    }
}

// Problem 10: an 8 MB answer was read whole.
void ForeignTest::hugeBodyIsCutOff() {
    ForeignOptions o;
    o.answer_bytes = 2 << 20;
    ForeignServer server(o);
    LiveInput in = questions(1);
    Knobs k;
    k.small_extra = {{"max_response_bytes", 65536}};
    const auto r = run(config(server.base_url(), k), in);
    QVERIFY(!r.rows[0].done);
    QVERIFY2(contains(r.rows[0].error, "response larger than 65536 bytes"), r.rows[0].error.c_str());
    QCOMPARE(server.posts(), std::size_t(1));
}

// Problem 10: HTML pages, 200 with {"error"}, {"error": "X", "message": ...}.
void ForeignTest::errorMessagesKeepTheServersWords() {
    ForeignServer server;
    LiveInput in = questions(1);
    Knobs k;
    k.max_attempts = 1;
    const auto cfg = config(server.base_url(), k);
    server.script({ForeignServer::html_error(502)});
    auto r = run(cfg, in);
    QVERIFY2(contains(r.rows[0].error, "HTTP 502 (text/html"), r.rows[0].error.c_str());
    QVERIFY2(contains(r.rows[0].error, "Bad Gateway"), r.rows[0].error.c_str());

    HttpReply in200;
    in200.body = R"({"error":{"message":"upstream model overloaded","code":"overloaded"}})";
    server.script({in200});
    LiveInput in2 = questions(1);
    r = run(cfg, in2);
    QVERIFY2(contains(r.rows[0].error, "200 with an error: upstream model overloaded (overloaded)"),
             r.rows[0].error.c_str());

    HttpReply flat;
    flat.status = 400;
    flat.body = R"({"error":"BadRequest","message":"context is 9000 tokens, the limit is 8192"})";
    server.script({flat});
    LiveInput in3 = questions(1);
    r = run(cfg, in3);
    QVERIFY2(contains(r.rows[0].error, "HTTP 400 (application/json): BadRequest: context is 9000 tokens"),
             r.rows[0].error.c_str());

    HttpReply sse;
    sse.content_type = "text/event-stream";
    sse.body = "data: {\"choices\":[]}\n\ndata: [DONE]\n\n";
    server.script({sse});
    LiveInput in4 = questions(1);
    r = run(cfg, in4);
    QVERIFY2(contains(r.rows[0].error, "text/event-stream"), r.rows[0].error.c_str());
    QVERIFY2(contains(r.rows[0].error, "data: {"), r.rows[0].error.c_str());
}

// Problem 6: Retry-After: 120 used to wait 120 s; retry-after-ms was ignored.
void ForeignTest::retryAfterIsCappedAndRetryAfterMsHonoured() {
    ForeignServer server;
    Knobs k;
    k.k = 1;
    k.max_retry_after_s = 0.3;
    auto cfg = config(server.base_url(), k);
    server.script({ForeignServer::json_error(429, "slow down", "rate_limit_exceeded", {{"Retry-After", "120"}})});
    LiveInput in = questions(1);
    const auto t0 = Clock::now();
    auto r = run(cfg, in);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    QVERIFY(r.rows[0].done);
    QVERIFY2(s < 5.0, std::to_string(s).c_str());
    auto times = server.post_times();
    QVERIFY(times[1] - times[0] >= 0.28);

    k.max_retry_after_s = 60;
    cfg = config(server.base_url(), k);
    server.script({ForeignServer::json_error(429, "slow down", "rate_limit_exceeded",
                                             {{"retry-after-ms", "400"}, {"Retry-After", "30"}})});
    LiveInput in2 = questions(1);
    const std::size_t before = server.post_times().size();
    r = run(cfg, in2);
    QVERIFY(r.rows[0].done);
    times = server.post_times();
    const double gap = times[before + 1] - times[before];
    QVERIFY2(gap >= 0.38 && gap < 5.0, std::to_string(gap).c_str());  // the ms header wins, not 30 s
}

// Problem 6: 408, 409 and 529 were not retried.
void ForeignTest::sdkRetryStatuses() {
    for (int status : {408, 409, 529, 500}) {
        ForeignServer server;
        server.script({ForeignServer::json_error(status, "try again")});
        LiveInput in = questions(1);
        Knobs k;
        k.k = 1;
        const auto r = run(config(server.base_url(), k), in);
        QVERIFY2(r.rows[0].done, std::to_string(status).c_str());
        QCOMPARE(r.engine.retries, std::uint64_t(1));
    }
    ForeignServer server;  // 400 is not retried
    server.script({ForeignServer::json_error(400, "bad")});
    LiveInput in = questions(1);
    const auto r = run(config(server.base_url()), in);
    QVERIFY(!r.rows[0].done);
    QCOMPARE(server.posts(), std::size_t(1));
}

// Problem 5: insufficient_quota was retried 6 times per row.
void ForeignTest::quotaErrorIsNotRetried() {
    ForeignServer server;
    server.script({ForeignServer::json_error(429, "You exceeded your current quota", "insufficient_quota")});
    LiveInput in = questions(1);
    Knobs k;
    k.max_attempts = 6;
    const auto r = run(config(server.base_url(), k), in);
    QVERIFY(!r.rows[0].done);
    QCOMPARE(server.posts(), std::size_t(1));
    QVERIFY2(contains(r.rows[0].error, "insufficient_quota"), r.rows[0].error.c_str());
    QVERIFY2(contains(r.rows[0].error, "not retried"), r.rows[0].error.c_str());
}

// Problem 6: x-should-retry was not honoured.
void ForeignTest::xShouldRetryOverrides() {
    {
        ForeignServer server;
        server.script({ForeignServer::json_error(503, "maintenance", "", {{"x-should-retry", "false"}})});
        LiveInput in = questions(1);
        const auto r = run(config(server.base_url()), in);
        QVERIFY(!r.rows[0].done);
        QCOMPARE(server.posts(), std::size_t(1));
    }
    {
        ForeignServer server;
        server.script({ForeignServer::json_error(400, "transient", "", {{"x-should-retry", "true"}})});
        LiveInput in = questions(1);
        Knobs k;
        k.k = 1;
        const auto r = run(config(server.base_url(), k), in);
        QVERIFY(r.rows[0].done);
        QCOMPARE(r.engine.retries, std::uint64_t(1));
    }
}

// Problem 5: a bad key gave one request and one error line per row.
void ForeignTest::breakerStopsARunOfIdenticalErrors() {
    ForeignOptions o;
    o.required_key = "right-key";
    ForeignServer server(o);
    qputenv("AUTOMIX_FOREIGN_KEY", "wrong-key");
    LiveInput in = questions(300);
    Knobs k;
    k.small_extra = {{"api_key_env", "AUTOMIX_FOREIGN_KEY"}};
    k.concurrency = 2;
    const auto r = run(config(server.base_url(), k), in);
    QVERIFY2(contains(r.stopped, "5 calls in a row failed with the same error: HTTP 401"), r.stopped.c_str());
    QVERIFY(!contains(r.stopped, "wrong-key"));
    QVERIFY2(server.posts() <= 7, std::to_string(server.posts()).c_str());  // 5 + those already on the wire
    std::size_t not_run = 0;
    for (const auto& row : r.rows) not_run += contains(row.error, "not run: stopped the run") ? 1 : 0;
    QVERIFY2(not_run >= 280, std::to_string(not_run).c_str());  // only the rows in the window had started
    QVERIFY(!r.cancelled);
}

// Problem 5: an unreachable port took 31.7 s for 30 rows.
void ForeignTest::breakerStopsAnUnreachableEndpointFast() {
    int dead_port;
    {
        ForeignServer gone;
        dead_port = gone.port();
    }
    LiveInput in = questions(30);
    Knobs k;
    k.max_attempts = 6;
    const auto t0 = Clock::now();
    const auto r = run(config("http://127.0.0.1:" + std::to_string(dead_port) + "/v1", k), in);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    QVERIFY2(contains(r.stopped, "connection attempts in a row failed"), r.stopped.c_str());
    QVERIFY2(s < 3.0, std::to_string(s).c_str());
    qInfo("unreachable port, 30 rows: %.3f s", s);
}

// Problem 5: no preflight; a wrong large-model name was found after the small calls were paid.
void ForeignTest::preflightFindsBadKeyDeadPortAndUnknownModel() {
    ForeignServer server;
    {
        const auto checks = preflight(config(server.base_url()), {"", ""});
        QCOMPARE(checks.size(), std::size_t(2));
        QVERIFY2(checks[0].ok && checks[1].ok, checks[0].message.c_str());
        QCOMPARE(checks[0].how, std::string("GET /models"));
        QCOMPARE(server.posts(), std::size_t(0));
    }
    {
        Knobs k;
        k.large_model = "gpt-9";
        const auto checks = preflight(config(server.base_url(), k), {"", ""});
        QVERIFY(checks[0].ok);
        QVERIFY(!checks[1].ok);
        QVERIFY2(contains(checks[1].message, "\"gpt-9\" is not offered"), checks[1].message.c_str());
        QVERIFY2(contains(checks[1].message, "small-model, large-model"), checks[1].message.c_str());
    }
    {
        // llama.cpp style: /models lists a file name, the server answers to any model name.
        ForeignOptions o;
        o.listed = {"/models/ggml-model-q4.gguf"};
        ForeignServer llama(o);
        const auto checks = preflight(config(llama.base_url()), {"", ""});
        QVERIFY2(checks[0].ok, checks[0].message.c_str());
        QCOMPARE(checks[0].how, std::string("GET /models + 1-token call"));
    }
    {
        ForeignOptions o;
        o.models_route = false;
        ForeignServer bare(o);
        const auto checks = preflight(config(bare.base_url()), {"", ""});
        QVERIFY2(checks[0].ok, checks[0].message.c_str());
        QVERIFY(contains(checks[0].how, "1-token call"));
    }
    {
        ForeignOptions o;
        o.required_key = "right";
        ForeignServer keyed(o);
        const auto checks = preflight(config(keyed.base_url()), {"wrong", "wrong"});
        QVERIFY(!checks[0].ok);
        QVERIFY2(contains(checks[0].message, "key rejected"), checks[0].message.c_str());
        QVERIFY(!contains(checks[0].message, "wrong"));
        QCOMPARE(keyed.posts(), std::size_t(0));
    }
    {
        int dead_port;
        {
            ForeignServer gone;
            dead_port = gone.port();
        }
        const auto t0 = Clock::now();
        const auto checks = preflight(config("http://127.0.0.1:" + std::to_string(dead_port) + "/v1"), {"", ""});
        QVERIFY(!checks[0].ok);
        QVERIFY2(contains(checks[0].message, "cannot reach"), checks[0].message.c_str());
        QVERIFY(std::chrono::duration<double>(Clock::now() - t0).count() < 3.0);
    }
}

// Problem 11: Azure's api-key + api-version, max_completion_tokens could not be expressed.
void ForeignTest::extraHeadersBodyFieldsAndKeyHeaderReachTheServer() {
    ForeignOptions o;
    o.required_key = "azure-secret";
    ForeignServer server(o);
    qputenv("AUTOMIX_AZURE_KEY", "azure-secret");
    Knobs k;
    k.k = 1;
    k.small_extra = {{"api_key_env", "AUTOMIX_AZURE_KEY"},
                     {"api_key_header", "api-key"},
                     {"headers", {{"X-Tenant", "lab-7"}}},
                     {"url_query", "api-version=2024-06-01"},
                     {"extra_body", {{"max_completion_tokens", 32}, {"max_tokens", nullptr}}}};
    k.concurrency = 1;
    LiveInput in = questions(1);
    auto cfg = config(server.base_url(), k);
    cfg.models[1].api_key_env = "AUTOMIX_AZURE_KEY";
    cfg.models[1].api_key_header = "api-key";
    const auto r = run(cfg, in);
    QVERIFY2(r.rows[0].done, r.rows[0].error.c_str());
    const auto req = server.requests().front();
    QCOMPARE(req.header("api-key"), std::string("azure-secret"));
    QCOMPARE(req.header("authorization"), std::string());
    QCOMPARE(req.header("x-tenant"), std::string("lab-7"));
    const auto body = json::parse(req.body);
    QCOMPARE(body["max_completion_tokens"].get<int>(), 32);
    QVERIFY(!body.contains("max_tokens"));
    // Bad values are config errors naming the field.
    json bad = {{"models",
                 {{{"name", "a"}, {"base_url", "http://x/v1"}, {"model", "m"}, {"price_per_call", 0},
                   {"headers", {{"Bad Header", "x"}}}, {"extra_body", 3}, {"ca_file", "/nonexistent/ca.pem"}},
                  {{"name", "b"}, {"base_url", "http://x/v1"}, {"model", "m"}, {"price_per_call", 0}}}},
                {"meta_verifier", {{"method", "Threshold"}, {"params", 0.5}}}};
    try {
        parse_models_config(bad.dump(), "bad.json");
        QFAIL("accepted");
    } catch (const ConfigError& e) {
        const std::string w = e.what();
        QVERIFY2(contains(w, "models[0].headers.Bad Header: not a valid HTTP header name"), w.c_str());
        QVERIFY2(contains(w, "models[0].extra_body: expected an object"), w.c_str());
        QVERIFY2(contains(w, "models[0].ca_file: cannot read /nonexistent/ca.pem"), w.c_str());
    }
}

// Problem 11: SSL_CERT_FILE / CURL_CA_BUNDLE were ignored, a private CA could not be set.
void ForeignTest::caFileFromConfigAndEnvironment() {
    // No TLS server here: a CA bundle that cannot be loaded makes curl fail before any
    // handshake, which proves which bundle it was given.
    QTemporaryDir dir;
    const std::string garbage = dir.filePath("garbage.pem").toStdString();
    std::ofstream(garbage) << "not a certificate\n";
    ForeignServer plain_http;  // TCP connects; the TLS setup (and the CA load) happens next
    const std::string url = "https://127.0.0.1:" + std::to_string(plain_http.port()) + "/v1/models";
    auto attempt = [&url](const std::string& ca) {
        RetryPolicy p;
        p.max_attempts = 1;
        CallEngine engine(p);
        HttpCall c;
        c.endpoint = engine.add_endpoint(1);
        c.url = url;
        c.get = true;
        c.ca_file = ca;
        c.timeout_s = 2;
        std::string error;
        c.done = [&](const CallResult& r) { error = r.error; };
        engine.submit(std::move(c));
        engine.run();
        return error;
    };
    const std::string with_config = attempt(garbage);
    QVERIFY2(contains(with_config, "certificate") || contains(with_config, "CA") || contains(with_config, "cert"),
             with_config.c_str());
    qputenv("SSL_CERT_FILE", QByteArray::fromStdString(garbage));
    const std::string with_env = attempt("");
    qunsetenv("SSL_CERT_FILE");
    QCOMPARE(with_env, with_config);
    const std::string plain = attempt("");
    QVERIFY2(plain != with_config, plain.c_str());  // without the bundle: a connection error instead
}

// (e) Per call: latency, attempts, HTTP status, in the result and the output.
void ForeignTest::perCallLatencyAttemptsAndStatusAreRecorded() {
    ForeignServer server;
    server.script({ForeignServer::json_error(500, "oops")});
    LiveInput in = questions(1);
    Knobs k;
    k.run_all = true;
    k.k = 2;
    const auto cfg = config(server.base_url(), k);
    std::vector<CallRecord> seen;
    RunOptions opt;
    opt.on_call = [&](std::size_t, const CallRecord& c) { seen.push_back(c); };
    const auto r = run(cfg, in, nullptr, opt);
    QVERIFY(r.rows[0].done);
    QCOMPARE(r.rows[0].calls.size(), std::size_t(3));  // small answer, small verify (n = 2), large answer
    QCOMPARE(seen.size(), std::size_t(3));
    int retried = 0;
    for (const auto& c : r.rows[0].calls) {
        QCOMPARE(c.http_status, 200L);
        QVERIFY(c.latency_s > 0);
        if (c.attempts == 2) ++retried;
    }
    QCOMPARE(retried, 1);
    const auto rec = output_record(in, 0, r.rows[0], cfg);
    QCOMPARE(rec["live"]["calls"].size(), std::size_t(3));
    QCOMPARE(rec["live"]["calls"][0]["http_status"].get<int>(), 200);
    QVERIFY(rec["live"]["calls"][0].contains("latency_s"));
    QVERIFY(rec["live"]["calls"][0].contains("attempts"));
}

// Problem 8: oracle and random_mix ran live and never escalated.
void ForeignTest::offlineOnlyMethodsAreRefused() {
    for (const char* m : {"oracle", "random_mix", "CascadeOracle"}) {
        Knobs k;
        k.method = m;
        k.params = 0.5;
        const auto cfg = config("http://127.0.0.1:9/v1", k);
        try {
            Pipeline p(cfg, {"", ""}, load_prompt_templates("", ""), nullptr);
            QFAIL(m);
        } catch (const ConfigError& e) {
            QVERIFY2(contains(e.what(), "cannot route a live run"), e.what());
        }
    }
}

QTEST_GUILESS_MAIN(ForeignTest)
#include "test_foreign.moc"

// The Anthropic messages provider (core/live/providers/anthropic_messages.cpp) against a small
// fake of that API on loopback: the key in x-api-key with a version header, no `n` (samples one
// by one), usage as input/output tokens, max_tokens cut-offs, overloaded errors retried, the
// preflight, and a whole AutoMix run with an OpenAI-compatible model above it.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <mutex>

#include "core/live/http_server.hpp"
#include "core/live/live_io.hpp"
#include "core/live/pipeline.hpp"
#include "core/live/preflight.hpp"
#include "support_foreign.hpp"

using namespace automix::live;
using nlohmann::json;

namespace {

struct FakeOptions {
    bool omit_usage = false;
    std::string stop_reason = "end_turn";
    int overloaded_first = 0;  // answer this many POSTs with 529 overloaded_error first
};

// Speaks the Messages API as the real one does for the parts AutoMix uses.
class FakeAnthropic {
  public:
    explicit FakeAnthropic(FakeOptions o = {})
        : options_(o), http_([this](const HttpRequest& r) { return handle(r); }) {
        http_.start(0);
    }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(http_.port()) + "/v1"; }
    std::vector<HttpRequest> requests() const {
        std::lock_guard lock(mutex_);
        return seen_;
    }

  private:
    static HttpReply error(int status, const std::string& type, const std::string& message) {
        HttpReply r;
        r.status = status;
        r.body = json{{"type", "error"}, {"error", {{"type", type}, {"message", message}}}}.dump();
        return r;
    }
    HttpReply handle(const HttpRequest& req) {
        std::lock_guard lock(mutex_);
        seen_.push_back(req);
        if (req.header("x-api-key") != "ant-secret") return error(401, "authentication_error", "invalid x-api-key");
        if (req.header("anthropic-version").empty())
            return error(400, "invalid_request_error", "anthropic-version header is required");
        if (req.method == "GET" && req.path == "/v1/models") {
            HttpReply r;
            r.body = json{{"data", {{{"type", "model"}, {"id", "claude-small"}}}}, {"has_more", false}}.dump();
            return r;
        }
        if (req.method != "POST" || req.path != "/v1/messages") return error(404, "not_found_error", "no route");
        if (overloaded_ < options_.overloaded_first) {
            ++overloaded_;
            return error(529, "overloaded_error", "Overloaded");
        }
        const json body = json::parse(req.body, nullptr, false);
        // The real API refuses what it does not know; n and stop would be such mistakes.
        for (const char* k : {"n", "stop", "seed"})
            if (body.contains(k))
                return error(400, "invalid_request_error", std::string(k) + ": Extra inputs are not permitted");
        if (!body.contains("max_tokens")) return error(400, "invalid_request_error", "max_tokens: Field required");
        const std::string prompt = body["messages"][0]["content"].get<std::string>();
        const bool verify = prompt.find("AI Generated Answer:") != std::string::npos &&
                            prompt.rfind("Verification:") + 14 >= prompt.size();
        const std::string text = verify ? " So the AI generated answer is correct." : " Paris";
        json out = {{"id", "msg_1"},
                    {"type", "message"},
                    {"role", "assistant"},
                    {"model", body["model"]},
                    {"content", {{{"type", "text"}, {"text", text}}}},
                    {"stop_reason", options_.stop_reason}};
        if (!options_.omit_usage) out["usage"] = {{"input_tokens", 100}, {"output_tokens", 10}};
        HttpReply r;
        r.body = out.dump();
        return r;
    }

    FakeOptions options_;
    mutable std::mutex mutex_;
    std::vector<HttpRequest> seen_;
    int overloaded_ = 0;
    HttpServer http_;
};

ModelsConfig config(const std::string& anthropic_url, const std::string& openai_url, int k = 3) {
    json small = {{"name", "claude"},
                  {"api", "anthropic"},
                  {"base_url", anthropic_url},
                  {"model", "claude-small"},
                  {"api_key_env", "AUTOMIX_TEST_ANTHROPIC_KEY"},
                  {"price_per_1k_input", 1.0},
                  {"price_per_1k_output", 2.0},
                  {"timeout_s", 5}};
    json large = {{"name", "large"},
                  {"base_url", openai_url},
                  {"model", "large-model"},
                  {"price_per_call", 0.5},
                  {"timeout_s", 5}};
    json cfg = {{"models", {small, large}},
                {"verifier", {{"k", k}}},
                {"meta_verifier", {{"method", "Threshold"}, {"params", 0.5}}},
                {"retry", {{"max_attempts", 3}, {"initial_backoff_s", 0.01}, {"max_backoff_s", 0.02}}}};
    return parse_models_config(cfg.dump(), "anthropic.json");
}

LiveInput one_question() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("in.jsonl").toStdString();
    std::ofstream(path) << json{{"id", "q0"},
                                {"question", "What is the capital of France?"},
                                {"base_ctx", "Paris is the capital of France."},
                                {"output", "Paris"}}
                               .dump()
                        << "\n";
    return read_live_input(path);
}

RunResult run(const ModelsConfig& cfg, LiveInput& in) {
    prepare_model_columns(in.dataset, cfg);
    Pipeline p(cfg, resolve_api_keys(cfg), load_prompt_templates("", ""), nullptr);
    return p.run(in.dataset, in.dataset.all_rows(), {});
}

}  // namespace

class AnthropicProviderTest : public QObject {
    Q_OBJECT
  private slots:
    void init() { qputenv("AUTOMIX_TEST_ANTHROPIC_KEY", "ant-secret"); }
    void answersAndVerifiesOneSampleAtATime();
    void missingUsageIsEstimatedAndCutAnswersRefused();
    void overloadedIsRetriedAndErrorsKeepTheServersWords();
    void preflightListsTheModel();
};

void AnthropicProviderTest::answersAndVerifiesOneSampleAtATime() {
    FakeAnthropic fake;
    live_test::ForeignServer openai;
    LiveInput in = one_question();
    const auto r = run(config(fake.base_url(), openai.base_url()), in);
    QVERIFY2(r.rows[0].done, r.rows[0].error.c_str());
    QCOMPARE(in.dataset.models[0].answer[0], std::string(" Paris"));
    QCOMPARE(in.dataset.models[0].verifier_samples[0].size(), std::size_t(3));
    QCOMPARE(in.dataset.models[0].verifier_confidence[0], 1.0);
    QCOMPARE(r.rows[0].final_model, 0);  // confident: not escalated, the OpenAI model never asked
    QCOMPARE(openai.posts(), std::size_t(0));
    const auto seen = fake.requests();
    QCOMPARE(seen.size(), std::size_t(1 + 3));  // the answer, then k = 3 single samples (no n)
    for (const auto& req : seen) {
        QCOMPARE(req.header("x-api-key"), std::string("ant-secret"));
        QCOMPARE(req.header("anthropic-version"), std::string("2023-06-01"));
        QCOMPARE(req.header("authorization"), std::string());  // the key goes nowhere else
    }
    // usage read as input/output tokens: 4 calls × (100 in at $1/1k + 10 out at $2/1k).
    QCOMPARE(r.totals.per_model[0].prompt_tokens, std::int64_t(400));
    QCOMPARE(r.totals.per_model[0].completion_tokens, std::int64_t(40));
    QVERIFY(std::abs(r.totals.per_model[0].money - 4 * (0.1 + 0.02)) < 1e-12);
    QCOMPARE(r.totals.per_model[0].estimated, std::uint64_t(0));
}

void AnthropicProviderTest::missingUsageIsEstimatedAndCutAnswersRefused() {
    {
        FakeAnthropic fake({true, "end_turn", 0});
        live_test::ForeignServer openai;
        LiveInput in = one_question();
        const auto r = run(config(fake.base_url(), openai.base_url()), in);
        QVERIFY2(r.rows[0].done, r.rows[0].error.c_str());
        QCOMPARE(r.totals.per_model[0].estimated, std::uint64_t(4));
        QVERIFY(r.rows[0].money_estimated);
    }
    FakeAnthropic cut({false, "max_tokens", 0});
    live_test::ForeignServer openai;
    LiveInput in = one_question();
    const auto r = run(config(cut.base_url(), openai.base_url()), in);
    QVERIFY(!r.rows[0].done);
    QVERIFY2(r.rows[0].error.find("cut at max_tokens") != std::string::npos, r.rows[0].error.c_str());
    QCOMPARE(cut.requests().size(), std::size_t(1));  // not retried: a longer wait gives the same cut
}

void AnthropicProviderTest::overloadedIsRetriedAndErrorsKeepTheServersWords() {
    {
        FakeAnthropic fake({false, "end_turn", 2});
        live_test::ForeignServer openai;
        LiveInput in = one_question();
        const auto r = run(config(fake.base_url(), openai.base_url(), 1), in);
        QVERIFY2(r.rows[0].done, r.rows[0].error.c_str());
        QCOMPARE(fake.requests().size(), std::size_t(2 + 1 + 1));  // two 529s, the answer, one sample
    }
    qputenv("AUTOMIX_TEST_ANTHROPIC_KEY", "wrong");
    FakeAnthropic fake;
    live_test::ForeignServer openai;
    LiveInput in = one_question();
    const auto r = run(config(fake.base_url(), openai.base_url()), in);
    QVERIFY(!r.rows[0].done);
    QVERIFY2(r.rows[0].error.find("HTTP 401") != std::string::npos &&
                 r.rows[0].error.find("invalid x-api-key (authentication_error)") != std::string::npos,
             r.rows[0].error.c_str());
    QVERIFY(r.rows[0].error.find("wrong") == std::string::npos);  // never the key
}

void AnthropicProviderTest::preflightListsTheModel() {
    FakeAnthropic fake;
    live_test::ForeignServer openai;
    const auto cfg = config(fake.base_url(), openai.base_url());
    const auto checks = preflight(cfg, resolve_api_keys(cfg));
    QVERIFY2(checks[0].ok, checks[0].message.c_str());
    QCOMPARE(checks[0].message, std::string("\"claude-small\" is listed"));
    QVERIFY(checks[1].ok);
}

QTEST_GUILESS_MAIN(AnthropicProviderTest)
#include "test_provider_anthropic.moc"

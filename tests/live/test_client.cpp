// The curl-multi call engine against an in-test fake server on 127.0.0.1: retries, faults,
// non-retryable errors, timeouts, cancellation, the concurrency bound, and key handling.
#include <QtTest>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "core/live/call_engine.hpp"
#include "core/live/http_server.hpp"
#include "core/live/provider.hpp"

using namespace automix::live;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kOkBody =
    R"({"choices":[{"index":0,"message":{"role":"assistant","content":"Paris"}}],"usage":{"prompt_tokens":12,"completion_tokens":2}})";

// Replies from a script, one entry per request; after the script, a valid completion.
struct FakeServer {
    std::mutex mutex;
    std::vector<HttpReply> script;
    std::vector<HttpRequest> seen;
    std::atomic<int> in_flight{0}, max_in_flight{0};
    int base_delay_ms = 0;
    HttpServer http{[this](const HttpRequest& r) { return reply(r); }};

    HttpReply reply(const HttpRequest& r) {
        const int now = ++in_flight;
        int prev = max_in_flight.load();
        while (now > prev && !max_in_flight.compare_exchange_weak(prev, now)) {
        }
        HttpReply out;
        out.body = kOkBody;
        out.delay_ms = base_delay_ms;
        {
            std::lock_guard lock(mutex);
            const std::size_t i = seen.size();
            seen.push_back(r);
            if (i < script.size()) out = script[i];
        }
        // Hold the slot for the delay so the concurrency bound is observable.
        if (out.delay_ms > 0 && out.delay_ms < 1000) {
            std::this_thread::sleep_for(std::chrono::milliseconds(out.delay_ms));
            out.delay_ms = 0;
        }
        --in_flight;
        return out;
    }
    std::size_t requests() {
        std::lock_guard lock(mutex);
        return seen.size();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(http.port()) + "/v1/chat/completions"; }
};

HttpReply status_reply(int status, const std::string& message) {
    HttpReply r;
    r.status = status;
    r.body = R"({"error":{"message":")" + message + R"("}})";
    return r;
}

RetryPolicy fast_retries(int attempts = 5) {
    RetryPolicy p;
    p.max_attempts = attempts;
    p.initial_backoff_s = 0.01;
    p.max_backoff_s = 0.05;
    return p;
}

HttpCall make_call(FakeServer& s, int endpoint, CallResult* out, double timeout_s = 5.0) {
    HttpCall c;
    c.endpoint = endpoint;
    c.url = s.url();
    c.body = request_body(provider_for("chat"), "m", "What is the capital of France?", Sampling{});
    c.timeout_s = timeout_s;
    c.label = "test";
    c.validate = [](const std::string& body) -> std::optional<std::string> {
        std::string why;
        if (!parse_completion(provider_for("chat"), body, 1, &why)) return why;
        return std::nullopt;
    };
    c.done = [out](const CallResult& r) { *out = r; };
    return c;
}

CallResult run_one(FakeServer& s, RetryPolicy policy = fast_retries(), double timeout_s = 5.0,
                   const std::string& key = "") {
    CallEngine engine(policy);
    const int ep = engine.add_endpoint(4);
    CallResult r;
    HttpCall c = make_call(s, ep, &r, timeout_s);
    c.api_key = key;
    engine.submit(std::move(c));
    engine.run();
    return r;
}

}  // namespace

class ClientTest : public QObject {
    Q_OBJECT
  private slots:
    void happyCall();
    void retryAfterIsHonoured();
    void serverErrorThenSuccess();
    void everyRetryableStatusIsRetried();
    void malformedBodyIsRetried();
    void connectionCutMidBodyIsRetried();
    void timeoutIsRetried();
    void unauthorizedStopsWithTheServerMessage();
    void badRequestAndNotFoundAreNotRetried();
    void givesUpAfterMaxAttempts();
    void cancellationStopsWithinOneSecond();
    void concurrencyIsBoundedPerEndpoint();
    void followUpCallsFromCallbacks();
    void keyIsSentButNeverReported();
};

void ClientTest::happyCall() {
    FakeServer s;
    s.http.start(0);
    const auto r = run_one(s);
    QVERIFY(r.status == CallResult::Status::Ok);
    QCOMPARE(r.attempts, 1);
    QCOMPARE(r.http_status, 200L);
    const auto c = parse_completion(provider_for("chat"), r.body, 1, nullptr);
    QVERIFY(c.has_value());
    QCOMPARE(c->texts[0], std::string("Paris"));
    QCOMPARE(c->prompt_tokens, std::int64_t(12));
    QCOMPARE(s.requests(), std::size_t(1));
    const auto& req = s.seen[0];
    QCOMPARE(req.path, std::string("/v1/chat/completions"));
    QCOMPARE(req.header("content-type"), std::string("application/json"));
    QVERIFY(req.header("authorization").empty());
}

void ClientTest::retryAfterIsHonoured() {
    FakeServer s;
    HttpReply r429 = status_reply(429, "Rate limit reached");
    r429.headers.emplace_back("Retry-After", "1");
    s.script = {r429};
    s.http.start(0);
    const auto t0 = Clock::now();
    const auto r = run_one(s);  // backoff alone would be ~10 ms
    const double took = std::chrono::duration<double>(Clock::now() - t0).count();
    QVERIFY(r.status == CallResult::Status::Ok);
    QCOMPARE(r.attempts, 2);
    QVERIFY2(took >= 0.95, std::to_string(took).c_str());
    QVERIFY2(took < 3.0, std::to_string(took).c_str());
}

void ClientTest::serverErrorThenSuccess() {
    FakeServer s;
    s.script = {status_reply(500, "boom")};
    s.http.start(0);
    const auto r = run_one(s);
    QVERIFY(r.status == CallResult::Status::Ok);
    QCOMPARE(r.attempts, 2);
    QCOMPARE(s.requests(), std::size_t(2));
}

void ClientTest::everyRetryableStatusIsRetried() {
    FakeServer s;
    s.script = {status_reply(502, "a"), status_reply(503, "b"), status_reply(504, "c"), status_reply(429, "d")};
    s.http.start(0);
    const auto r = run_one(s);
    QVERIFY(r.status == CallResult::Status::Ok);
    QCOMPARE(r.attempts, 5);
}

void ClientTest::malformedBodyIsRetried() {
    FakeServer s;
    HttpReply bad;
    bad.body = R"({"choices":[{"index":0,"mess)";
    HttpReply no_choices;
    no_choices.body = R"({"object":"chat.completion"})";
    s.script = {bad, no_choices};
    s.http.start(0);
    std::vector<std::string> events;
    CallEngine engine(fast_retries());
    engine.on_event = [&](const CallEvent& e) { events.push_back(e.what); };
    CallResult r;
    engine.submit(make_call(s, engine.add_endpoint(1), &r));
    engine.run();
    QVERIFY(r.status == CallResult::Status::Ok);
    QCOMPARE(r.attempts, 3);
    QCOMPARE(events.size(), std::size_t(3));
    QVERIFY2(events[0].find("malformed response (HTTP 200, application/json, 28 bytes): body is not JSON: "
                            "{\"choices\":[{\"index\":0,\"mess") != std::string::npos,
             events[0].c_str());
    QVERIFY(events[1].find("no `choices` array") != std::string::npos);
    QCOMPARE(events[2], std::string("ok"));
}

void ClientTest::connectionCutMidBodyIsRetried() {
    FakeServer s;
    HttpReply cut;
    cut.body = kOkBody;
    cut.cut_mid_body = true;
    s.script = {cut, cut};
    s.http.start(0);
    const auto r = run_one(s);
    QVERIFY(r.status == CallResult::Status::Ok);
    QCOMPARE(r.attempts, 3);
}

void ClientTest::timeoutIsRetried() {
    FakeServer s;
    HttpReply slow;
    slow.body = kOkBody;
    slow.delay_ms = 3000;  // served by the HTTP layer, interrupted when the server stops
    s.script = {slow};
    s.http.start(0);
    const auto t0 = Clock::now();
    const auto r = run_one(s, fast_retries(), 0.3);
    const double took = std::chrono::duration<double>(Clock::now() - t0).count();
    QVERIFY(r.status == CallResult::Status::Ok);
    QCOMPARE(r.attempts, 2);
    QVERIFY2(took < 2.0, std::to_string(took).c_str());
}

void ClientTest::unauthorizedStopsWithTheServerMessage() {
    FakeServer s;
    s.script = {status_reply(401, "Incorrect API key provided")};
    s.http.start(0);
    const auto r = run_one(s);
    QVERIFY(r.status == CallResult::Status::Failed);
    QCOMPARE(r.attempts, 1);
    QCOMPARE(r.http_status, 401L);
    QCOMPARE(r.error, std::string("HTTP 401 (application/json): Incorrect API key provided"));
    QCOMPARE(s.requests(), std::size_t(1));
}

void ClientTest::badRequestAndNotFoundAreNotRetried() {
    for (int status : {400, 404}) {
        FakeServer s;
        s.script = {status_reply(status, "nope " + std::to_string(status))};
        s.http.start(0);
        const auto r = run_one(s);
        QVERIFY(r.status == CallResult::Status::Failed);
        QCOMPARE(r.attempts, 1);
        QCOMPARE(r.error, "HTTP " + std::to_string(status) + " (application/json): nope " + std::to_string(status));
    }
}

void ClientTest::givesUpAfterMaxAttempts() {
    FakeServer s;
    s.script = std::vector<HttpReply>(10, status_reply(503, "overloaded"));
    s.http.start(0);
    const auto r = run_one(s, fast_retries(3));
    QVERIFY(r.status == CallResult::Status::Failed);
    QCOMPARE(r.attempts, 3);
    QCOMPARE(s.requests(), std::size_t(3));
    QCOMPARE(r.error, std::string("gave up after 3 attempts: HTTP 503 (application/json): overloaded"));
}

void ClientTest::cancellationStopsWithinOneSecond() {
    FakeServer s;
    HttpReply slow;
    slow.body = kOkBody;
    slow.delay_ms = 20000;
    s.script = std::vector<HttpReply>(8, slow);
    s.http.start(0);
    CallEngine engine(fast_retries());
    const int ep = engine.add_endpoint(4);
    std::vector<CallResult> results(8);
    for (auto& r : results) engine.submit(make_call(s, ep, &r, 60.0));
    std::atomic<bool> cancel{false};
    Clock::time_point cancelled_at;
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        cancelled_at = Clock::now();
        cancel = true;
    });
    const bool finished = engine.run(&cancel);
    const auto returned_at = Clock::now();
    canceller.join();
    QVERIFY(!finished);
    const double lag = std::chrono::duration<double>(returned_at - cancelled_at).count();
    QVERIFY2(lag < 1.0, std::to_string(lag).c_str());
    for (const auto& r : results) QVERIFY(r.status == CallResult::Status::Cancelled);
    QCOMPARE(engine.stats().cancelled, std::uint64_t(8));
}

void ClientTest::concurrencyIsBoundedPerEndpoint() {
    FakeServer s;
    s.base_delay_ms = 40;
    s.http.start(0);
    CallEngine engine(fast_retries());
    const int ep = engine.add_endpoint(3);
    std::vector<CallResult> results(12);
    for (auto& r : results) engine.submit(make_call(s, ep, &r));
    QVERIFY(engine.run());
    for (const auto& r : results) QVERIFY(r.status == CallResult::Status::Ok);
    QCOMPARE(s.max_in_flight.load(), 3);
}

void ClientTest::followUpCallsFromCallbacks() {
    FakeServer s;
    s.http.start(0);
    CallEngine engine(fast_retries());
    const int ep = engine.add_endpoint(2);
    int chain = 0;
    CallResult last;
    std::function<void(const CallResult&)> next = [&](const CallResult& r) {
        last = r;
        if (r.status != CallResult::Status::Ok || ++chain == 5) return;
        HttpCall c = make_call(s, ep, &last);
        c.done = next;
        engine.submit(std::move(c));
    };
    HttpCall first = make_call(s, ep, &last);
    first.done = next;
    engine.submit(std::move(first));
    QVERIFY(engine.run());
    QCOMPARE(chain, 5);
    QCOMPARE(s.requests(), std::size_t(5));
}

void ClientTest::keyIsSentButNeverReported() {
    const std::string key = "sk-test-0123456789abcdef";
    FakeServer s;
    // A careless server that echoes the key in its error message.
    s.script = {status_reply(403, "key " + key + " lacks access")};
    s.http.start(0);
    std::vector<std::string> events;
    CallEngine engine(fast_retries());
    engine.on_event = [&](const CallEvent& e) { events.push_back(e.what); };
    CallResult r;
    HttpCall c = make_call(s, engine.add_endpoint(1), &r);
    c.api_key = key;  // what the engine cuts out of every message
    c.headers = openai_chat_provider().auth_headers(key, "");  // the provider sends it
    engine.submit(std::move(c));
    engine.run();
    QCOMPARE(s.seen[0].header("authorization"), "Bearer " + key);
    QVERIFY(r.status == CallResult::Status::Failed);
    QVERIFY(r.error.find(key) == std::string::npos);
    QVERIFY(r.error.find("lacks access") != std::string::npos);
    for (const auto& e : events) QVERIFY(e.find(key) == std::string::npos);
}

QTEST_GUILESS_MAIN(ClientTest)
#include "test_client.moc"

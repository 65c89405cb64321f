// The replay server: row matching, stored answers and verifier samples, model aliases,
// injected faults and loopback-only binding.
#include <QtTest>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/live/provider.hpp"
#include "core/live/prompts.hpp"
#include "core/live/replay_server.hpp"
#include "support_live.hpp"

using namespace automix;
using namespace automix::live;
using nlohmann::json;

namespace {

HttpRequest post(const std::string& path, const std::string& body) {
    HttpRequest r;
    r.method = "POST";
    r.path = path;
    r.body = body;
    return r;
}

std::string answer_prompt(const data::Dataset& ds, data::RowIndex r) {
    PromptFields f;
    f.context = ds.context(r);
    f.question = ds.question[r];
    return render_prompt(kBuiltinAnswerPrompt, f);
}

std::string verify_prompt(const data::Dataset& ds, data::RowIndex r) {
    PromptFields f;
    f.context = ds.context(r);
    f.question = ds.question[r];
    f.answer = ds.models[0].answer[r];
    return render_prompt(kBuiltinVerifyPrompt, f);
}

std::vector<std::string> texts(const HttpReply& rep, int n) {
    auto c = parse_completion(provider_for("chat"), rep.body, n, nullptr);
    return c ? c->texts : std::vector<std::string>{};
}

}  // namespace

class ReplayTest : public QObject {
    Q_OBJECT
  private slots:
    void answersWithTheStoredAnswer();
    void verificationReturnsStoredSamplesBySeed();
    void unseededVerificationRotates();
    void completionsEndpoint();
    void modelAliasesAndErrors();
    void scriptedFaults();
    void requiredKey();
    void listsModelsAndStats();
    void bindsLoopbackOnly();
};

void ReplayTest::answersWithTheStoredAnswer() {
    auto ds = live_test::load_fixture();
    ReplayServer server(ds, {});
    for (data::RowIndex r : {0u, 17u, 59u}) {
        for (std::size_t m = 0; m < 2; ++m) {
            const auto body = request_body(provider_for("chat"), ds->models[m].name, answer_prompt(*ds, r), Sampling{});
            const auto rep = server.handle(post("/v1/chat/completions", body));
            QCOMPARE(rep.status, 200);
            QCOMPARE(texts(rep, 1), std::vector<std::string>{std::string(ds->models[m].answer[r])});
        }
    }
    const auto log = server.log();
    QCOMPARE(log.size(), std::size_t(6));
    QCOMPARE(log[2].row, 17);
    QVERIFY(!log[2].verification);
}

void ReplayTest::verificationReturnsStoredSamplesBySeed() {
    auto ds = live_test::load_fixture();
    ReplayServer server(ds, {});
    Sampling s;
    s.n = 3;
    s.seed = 30;
    const auto rep =
        server.handle(post("/v1/chat/completions", request_body(provider_for("chat"), "llama13b", verify_prompt(*ds, 5), s)));
    QCOMPARE(rep.status, 200);
    const auto& stored = ds->models[0].verifier_samples[5];
    QCOMPARE(stored.size(), std::size_t(32));
    // Sample i of a call with seed s is stored sample (s + i) mod k.
    QCOMPARE(texts(rep, 3), (std::vector<std::string>{stored[30], stored[31], stored[0]}));
    QVERIFY(server.log().back().verification);
    QCOMPARE(server.log().back().row, 5);
    const auto usage = json::parse(rep.body)["usage"];
    QVERIFY(usage["prompt_tokens"].get<int>() > 100);
}

void ReplayTest::unseededVerificationRotates() {
    auto ds = live_test::load_fixture();
    ReplayServer server(ds, {});
    const auto body = request_body(provider_for("chat"), "llama13b", verify_prompt(*ds, 9), Sampling{});
    const auto& stored = ds->models[0].verifier_samples[9];
    for (std::size_t i = 0; i < 3; ++i)
        QCOMPARE(texts(server.handle(post("/v1/chat/completions", body)), 1), std::vector<std::string>{stored[i]});
}

void ReplayTest::completionsEndpoint() {
    auto ds = live_test::load_fixture();
    ReplayServer server(ds, {});
    const auto rep = server.handle(
        post("/v1/completions", request_body(provider_for("completions"), "llama70b", answer_prompt(*ds, 3), Sampling{})));
    QCOMPARE(rep.status, 200);
    const auto c = parse_completion(provider_for("completions"), rep.body, 1, nullptr);
    QVERIFY(c.has_value());
    QCOMPARE(c->texts[0], ds->models[1].answer[3]);
}

void ReplayTest::modelAliasesAndErrors() {
    auto ds = live_test::load_fixture();
    ReplayServer server(ds, {});
    const std::string prompt = answer_prompt(*ds, 4);
    QCOMPARE(texts(server.handle(post("/v1/chat/completions", request_body(provider_for("chat"), "small", prompt, {}))), 1)[0],
             ds->models[0].answer[4]);
    QCOMPARE(texts(server.handle(post("/v1/chat/completions", request_body(provider_for("chat"), "large", prompt, {}))), 1)[0],
             ds->models[1].answer[4]);
    QCOMPARE(texts(server.handle(post("/v1/chat/completions", request_body(provider_for("chat"), "m1", prompt, {}))), 1)[0],
             ds->models[1].answer[4]);
    auto rep = server.handle(post("/v1/chat/completions", request_body(provider_for("chat"), "gpt-9", prompt, {})));
    QCOMPARE(rep.status, 404);
    QVERIFY(rep.body.find("The model `gpt-9` does not exist") != std::string::npos);
    rep = server.handle(post("/v1/chat/completions", "{not json"));
    QCOMPARE(rep.status, 400);
    rep = server.handle(
        post("/v1/chat/completions", request_body(provider_for("chat"), "small", "Question: nobody asked this\nAnswer:", {})));
    QCOMPARE(rep.status, 400);
    QVERIFY(rep.body.find("no stored row matches") != std::string::npos);
    rep = server.handle(post("/v1/embeddings", "{}"));
    QCOMPARE(rep.status, 404);
}

void ReplayTest::scriptedFaults() {
    auto ds = live_test::load_fixture();
    ReplayOptions o;
    o.retry_after_s = 2;
    o.slow_ms = 1234;
    o.latency_ms = 10;
    ReplayServer server(ds, o);
    server.script_faults({Fault::TooManyRequests, Fault::ServerError, Fault::Malformed, Fault::CutConnection,
                          Fault::Slow, Fault::Unauthorized});
    const auto body = request_body(provider_for("chat"), "small", answer_prompt(*ds, 0), {});
    auto rep = server.handle(post("/v1/chat/completions", body));
    QCOMPARE(rep.status, 429);
    QCOMPARE(rep.headers.size(), std::size_t(1));
    QCOMPARE(rep.headers[0].first, std::string("Retry-After"));
    QCOMPARE(rep.headers[0].second, std::string("2"));
    QCOMPARE(server.handle(post("/v1/chat/completions", body)).status, 500);
    rep = server.handle(post("/v1/chat/completions", body));
    QCOMPARE(rep.status, 200);
    QVERIFY(!parse_completion(provider_for("chat"), rep.body, 1, nullptr).has_value());
    rep = server.handle(post("/v1/chat/completions", body));
    QVERIFY(rep.cut_mid_body);
    rep = server.handle(post("/v1/chat/completions", body));
    QCOMPARE(rep.delay_ms, 1244);
    QCOMPARE(texts(rep, 1), std::vector<std::string>{std::string(ds->models[0].answer[0])});
    QCOMPARE(server.handle(post("/v1/chat/completions", body)).status, 401);
    rep = server.handle(post("/v1/chat/completions", body));  // script used up: clean again
    QCOMPARE(rep.status, 200);
    QCOMPARE(rep.delay_ms, 10);
    QVERIFY(server.log()[0].fault == Fault::TooManyRequests);
}

void ReplayTest::requiredKey() {
    auto ds = live_test::load_fixture();
    ReplayOptions o;
    o.required_key = "sk-abc";
    ReplayServer server(ds, o);
    auto req = post("/v1/chat/completions", request_body(provider_for("chat"), "small", answer_prompt(*ds, 0), {}));
    auto rep = server.handle(req);
    QCOMPARE(rep.status, 401);
    QVERIFY(rep.body.find("sk-abc") == std::string::npos);
    req.headers["authorization"] = "Bearer sk-abc";
    QCOMPARE(server.handle(req).status, 200);
}

void ReplayTest::listsModelsAndStats() {
    auto ds = live_test::load_fixture();
    ReplayServer server(ds, {});
    HttpRequest get;
    get.method = "GET";
    get.path = "/v1/models";
    const auto models = json::parse(server.handle(get).body);
    QCOMPARE(models["data"].size(), std::size_t(2 + 2 + 2));  // names, small/large, m0/m1
    QCOMPARE(models["data"][0]["id"].get<std::string>(), ds->models[0].name);
    server.handle(post("/v1/chat/completions", request_body(provider_for("chat"), "small", answer_prompt(*ds, 0), {})));
    server.handle(post("/v1/chat/completions", request_body(provider_for("chat"), "nope", answer_prompt(*ds, 0), {})));
    get.path = "/replay/stats";
    const auto stats = json::parse(server.handle(get).body);
    QCOMPARE(stats["requests"].get<int>(), 2);
    QCOMPARE(stats["ok"].get<int>(), 1);
}

void ReplayTest::bindsLoopbackOnly() {
    auto ds = live_test::load_fixture();
    ReplayServer server(ds, {});
    const int port = server.start(0);
    QVERIFY(port > 0);
    // /proc/net/tcp lists the listening socket as 0100007F:<port hex> (127.0.0.1), state 0A.
    std::ifstream tcp("/proc/net/tcp");
    std::string line;
    char want[32];
    std::snprintf(want, sizeof want, ":%04X ", port);
    int listening = 0;
    while (std::getline(tcp, line)) {
        std::istringstream in(line);
        std::string sl, local, remote, state;
        in >> sl >> local >> remote >> state;
        if (local.size() > 9 && local.substr(8) == std::string(want).substr(0, 5) && state == "0A") {
            ++listening;
            QCOMPARE(local.substr(0, 8), std::string("0100007F"));
        }
    }
    QCOMPARE(listening, 1);
    server.stop();
}

QTEST_GUILESS_MAIN(ReplayTest)
#include "test_replay.moc"

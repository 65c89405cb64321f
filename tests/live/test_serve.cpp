// `automix serve` as a user runs it: a separate process on 127.0.0.1 in front of `automix
// serve-replay`, spoken to over raw HTTP like any OpenAI client. Answers and routing equal
// `automix run`; streaming; client mistakes and upstream faults get OpenAI-style errors with
// the right status; the request log loads with the reader; SIGTERM lets requests finish.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/data/reader.hpp"
#include "core/live/transcript.hpp"
#include "support_live.hpp"

using nlohmann::json;

namespace {

struct Process {
    QProcess process;
    std::string base_url;  // "http://127.0.0.1:PORT/v1"
    int port = 0;

    bool start(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
        process.setProcessEnvironment(env);
        process.start(AUTOMIX_CLI, args);
        if (!process.waitForStarted(5000)) return false;
        std::string out;
        for (int i = 0; i < 100 && base_url.empty(); ++i) {
            process.waitForReadyRead(100);
            out += process.readAllStandardOutput().toStdString();
            const auto at = out.find("http://127.0.0.1:");
            if (at != std::string::npos && out.find('\n', at) != std::string::npos) {
                base_url = out.substr(at, out.find('\n', at) - at);
                port = std::stoi(base_url.substr(17));
            }
        }
        return !base_url.empty();
    }
    std::string stop_output() {
        process.terminate();
        process.waitForFinished(10000);
        return process.readAllStandardOutput().toStdString();
    }
    ~Process() {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(2000);
        }
    }
};

struct Reply {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    json j() const { return json::parse(body, nullptr, false); }
};

// A TCP connection to the server on loopback, or -1.
int connect_loopback(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// One HTTP/1.1 request on a fresh connection; the whole reply (Content-Length framed).
Reply http(int port, const std::string& method, const std::string& path, const std::string& body,
           const std::vector<std::string>& headers = {}) {
    Reply r;
    const int fd = connect_loopback(port);
    if (fd < 0) return r;
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    for (const auto& h : headers) req += h + "\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    std::size_t sent = 0;
    while (sent < req.size()) {
        const ssize_t w = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
        if (w <= 0) break;  // the server may answer (413) before reading a huge body
        sent += static_cast<std::size_t>(w);
    }
    std::string in;
    char buf[65536];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) in.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    const auto head_end = in.find("\r\n\r\n");
    if (head_end == std::string::npos) return r;
    r.status = std::stoi(in.substr(9, 3));
    std::size_t at = in.find("\r\n") + 2;
    while (at < head_end) {
        const auto end = in.find("\r\n", at);
        const std::string line = in.substr(at, end - at);
        const auto colon = line.find(':');
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = line.substr(colon + 2);
        at = end + 2;
    }
    r.body = in.substr(head_end + 4);
    if (r.headers.count("transfer-encoding") && r.headers.at("transfer-encoding") == "chunked") {
        std::string body;  // a streamed reply: the chunks' data, without their framing
        std::size_t at = 0;
        for (;;) {
            const auto line_end = r.body.find("\r\n", at);
            if (line_end == std::string::npos) break;
            const std::size_t size = std::stoul(r.body.substr(at, line_end - at), nullptr, 16);
            if (size == 0) break;
            body += r.body.substr(line_end + 2, size);
            at = line_end + 2 + size + 2;
        }
        r.body = body;
    }
    return r;
}

// Several requests on one keep-alive connection (as OpenAI clients send them); the replies in order.
std::vector<Reply> http_keep_alive(int port, const std::vector<std::string>& bodies) {
    std::vector<Reply> out;
    const int fd = connect_loopback(port);
    if (fd < 0) return out;
    std::string in;
    char buf[65536];
    for (const auto& body : bodies) {
        const std::string req = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                "Content-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) break;
        std::size_t head_end;
        while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            in.append(buf, static_cast<std::size_t>(n));
        }
        if (head_end == std::string::npos) break;
        const auto cl = in.find("Content-Length: ");
        const std::size_t length = std::stoul(in.substr(cl + 16));
        while (in.size() < head_end + 4 + length) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            in.append(buf, static_cast<std::size_t>(n));
        }
        Reply r;
        r.status = std::stoi(in.substr(9, 3));
        r.body = in.substr(head_end + 4, length);
        in.erase(0, head_end + 4 + length);
        out.push_back(std::move(r));
    }
    ::close(fd);
    return out;
}

std::string chat_body(const std::string& context, std::string_view question, const std::string& model = "automix",
                      bool stream = false) {
    json messages = json::array();
    if (!context.empty()) messages.push_back({{"role", "system"}, {"content", context}});
    messages.push_back({{"role", "user"}, {"content", question}});
    json b = {{"model", model}, {"messages", messages}};
    if (stream) b["stream"] = true;
    return b.dump();
}

std::string write_config(const QTemporaryDir& dir, const std::string& base_url, const json& meta, double timeout_s = 10,
                         const std::string& name = "models.json") {
    json small = {{"name", "small"},         {"base_url", base_url}, {"model", "llama13b"},
                  {"price_per_call", 0.001}, {"max_concurrency", 4}, {"timeout_s", timeout_s}};
    json large = {{"name", "large"},        {"base_url", base_url}, {"model", "llama70b"},
                  {"price_per_call", 0.05}, {"max_concurrency", 4}, {"timeout_s", timeout_s}};
    json cfg = {{"models", {small, large}},
                {"verifier", {{"k", 8}}},
                {"meta_verifier", meta},
                {"retry", {{"max_attempts", 2}, {"initial_backoff_s", 0.01}, {"max_backoff_s", 0.02}}}};
    const std::string path = (dir.path() + "/" + QString::fromStdString(name)).toStdString();
    std::ofstream(path) << cfg.dump(2);
    return path;
}

const json kPomdp = {{"method", "POMDP"}, {"params", {{0.125, 0.25}, 2}}};
const json kThreshold = {{"method", "Threshold"}, {"params", 0.375}};

QStringList serve_args(const std::string& cfg, const QStringList& extra = {}) {
    QStringList a = {"serve", "--config", QString::fromStdString(cfg), "--port", "0", "--quiet"};
    a.append(extra);
    return a;
}

// `automix run` over the first `rows` fixture rows: the output records by id.
std::map<std::string, json> run_reference(const QTemporaryDir& dir, const std::string& cfg, int rows) {
    const QString out = dir.path() + "/run-" + QString::number(qHash(QString::fromStdString(cfg))) + ".jsonl";
    QProcess p;
    p.start(AUTOMIX_CLI, {"run", "--config", QString::fromStdString(cfg), "--data",
                          QString::fromStdString(live_test::fixture_path()), "--out", out, "--no-cache", "--quiet",
                          "--limit", QString::number(rows)});
    p.waitForFinished(60000);
    std::map<std::string, json> by_id;
    std::ifstream in(out.toStdString());
    std::string line;
    while (std::getline(in, line)) {
        const json j = json::parse(line);
        if (j.contains("live") && !j["live"].contains("skipped")) by_id[j["id"].get<std::string>()] = j;
    }
    return by_id;
}

}  // namespace

class ServeTest : public QObject {
    Q_OBJECT
  private slots:
    void answersAndDecisionsEqualRun();
    void streamsTheAnswer();
    void badClientInputGetsOpenAiErrors();
    void upstreamFaultsAre502And504();
    void requestLogLoadsWithTheReader();
    void sigtermLetsRequestsFinish();
    void keepAliveConnectionReusesItsEngine();
    void trainedCascadeServesEvalsDecisions();
    void concurrencyIsBounded();
    void logLinesKeepPromptsAndTokenOut();
};

void ServeTest::answersAndDecisionsEqualRun() {
    Process replay;
    QVERIFY(replay.start({"serve-replay", "--data", QString::fromStdString(live_test::fixture_path()), "--port", "0"}));
    QTemporaryDir dir;
    const std::string pomdp = write_config(dir, replay.base_url, kPomdp);
    const std::string threshold = write_config(dir, replay.base_url, kThreshold, 10, "threshold.json");
    const int rows = 24;
    const auto ref_pomdp = run_reference(dir, pomdp, rows);
    const auto ref_threshold = run_reference(dir, threshold, rows);
    QCOMPARE(static_cast<int>(ref_pomdp.size()), rows);
    QCOMPARE(static_cast<int>(ref_threshold.size()), rows);

    Process serve;
    QVERIFY(serve.start(serve_args(pomdp)));
    const auto models = http(serve.port, "GET", "/v1/models", "");
    QCOMPARE(models.status, 200);
    QCOMPARE(models.j()["data"][0]["id"].get<std::string>(), std::string("automix"));

    const auto fixture = automix::data::load_file(live_test::fixture_path()).dataset;
    int escalated = 0, kept = 0;
    for (int r = 0; r < rows; ++r) {
        const std::string id(fixture.id[static_cast<std::size_t>(r)]);
        for (const auto& [model, ref] : {std::pair{std::string("automix"), ref_pomdp.at(id)},
                                         std::pair{std::string("automix:Threshold:0.375"), ref_threshold.at(id)}}) {
            const auto reply = http(serve.port, "POST", "/v1/chat/completions",
                                    chat_body(fixture.context(static_cast<automix::data::RowIndex>(r)),
                                              fixture.question[static_cast<std::size_t>(r)], model));
            QVERIFY2(reply.status == 200, reply.body.c_str());
            const json j = reply.j();
            const json& live = ref["live"];
            QCOMPARE(j["object"].get<std::string>(), std::string("chat.completion"));
            QCOMPARE(j["choices"][0]["message"]["content"].get<std::string>(), live["final_answer"].get<std::string>());
            QCOMPARE(j["automix"]["final_model"].get<std::string>(), live["final_model"].get<std::string>());
            QCOMPARE(reply.headers.at("x-automix-model"), live["final_model"].get<std::string>());
            json decisions = json::array();
            for (const auto& s : j["automix"]["steps"])
                if (s.contains("reason")) decisions.push_back(s["decision"] == "escalate" ? 1 : 0);
            QCOMPARE(decisions.dump(), live["escalated"].dump());
            QCOMPARE(j["automix"]["cost_units"].get<double>(), live["cost_units"].get<double>());
            QCOMPARE(j["automix"]["money"].get<double>(), live["money"].get<double>());
            // The model that answered is the one the response names.
            QCOMPARE(j["model"].get<std::string>(),
                     std::string(live["final_model"] == "small" ? "llama13b" : "llama70b"));
            const double conf = j["automix"]["steps"][0]["confidence"].get<double>();
            QCOMPARE(conf, ref["llama13b_ver"].is_array() ? ref["p_ver_13b"].get<double>() : -1.0);
            QVERIFY(std::abs(std::stod(reply.headers.at("x-automix-confidence")) - conf) < 1e-5);
            QVERIFY(!j["automix"]["steps"][0]["reason"].get<std::string>().empty());
            (live["final_model"] == "large" ? escalated : kept) += 1;
        }
    }
    QVERIFY2(escalated > 0 && kept > 0, "the fixture rows must exercise both decisions");
    // The routing named in the model name is the one used.
    const auto named = http(serve.port, "POST", "/v1/chat/completions",
                            chat_body(fixture.context(0), fixture.question[0], "automix:Threshold:0.375"));
    QCOMPARE(named.headers.at("x-automix-routing"), std::string("Threshold:0.375"));
    QVERIFY(named.j()["automix"]["steps"][0]["reason"].get<std::string>().find("threshold 0.375") != std::string::npos);
    const std::string out = serve.stop_output();
    QVERIFY2(out.find("stopped after " + std::to_string(2 * rows + 2) + " requests (" + std::to_string(2 * rows + 2) +
                      " answered") != std::string::npos,
             out.c_str());
}

void ServeTest::streamsTheAnswer() {
    Process replay;  // streams `stream: true` requests a word per event, 5 ms apart
    QVERIFY(replay.start({"serve-replay", "--data", QString::fromStdString(live_test::fixture_path()), "--port", "0",
                          "--stream-chunk-ms", "5"}));
    QTemporaryDir dir;
    Process serve;
    QVERIFY(serve.start(serve_args(write_config(dir, replay.base_url, kPomdp))));
    const auto fixture = automix::data::load_file(live_test::fixture_path()).dataset;
    int streamed_through = 0, sent_at_once = 0;
    for (automix::data::RowIndex r : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 17u}) {
        const auto plain =
            http(serve.port, "POST", "/v1/chat/completions", chat_body(fixture.context(r), fixture.question[r]));
        const auto streamed = http(serve.port, "POST", "/v1/chat/completions",
                                   chat_body(fixture.context(r), fixture.question[r], "automix", true));
        QCOMPARE(streamed.status, 200);
        QCOMPARE(streamed.headers.at("content-type"), std::string("text/event-stream"));
        std::string content, last_event;
        json final_chunk;
        int events = 0;
        std::size_t at = 0;
        while ((at = streamed.body.find("data: ", at)) != std::string::npos) {
            const auto end = streamed.body.find("\n\n", at);
            QVERIFY(end != std::string::npos);
            last_event = streamed.body.substr(at + 6, end - at - 6);
            at = end + 2;
            ++events;
            if (last_event == "[DONE]") break;
            const json chunk = json::parse(last_event);
            QCOMPARE(chunk["object"].get<std::string>(), std::string("chat.completion.chunk"));
            const json& choice = chunk["choices"][0];
            if (choice["delta"].contains("content")) content += choice["delta"]["content"].get<std::string>();
            if (!choice["finish_reason"].is_null()) final_chunk = chunk;
        }
        QCOMPARE(last_event, std::string("[DONE]"));
        QVERIFY(events >= 4);  // role, at least one piece, finish, [DONE]
        QCOMPARE(content, plain.j()["choices"][0]["message"]["content"].get<std::string>());
        QCOMPARE(final_chunk["choices"][0]["finish_reason"].get<std::string>(), std::string("stop"));
        QCOMPARE(final_chunk["automix"]["path"], plain.j()["automix"]["path"]);
        // Escalated to the last model: its answer came through from the upstream's stream, the
        // transfer chunked; an answer the first model kept was complete before the reply began.
        const bool escalated = plain.j()["automix"]["path"].size() == 2;
        QCOMPARE(streamed.headers.count("x-automix-streamed") == 1, escalated);
        QCOMPARE(streamed.headers.count("transfer-encoding") == 1, escalated);
        QCOMPARE(final_chunk["automix"].value("streamed", false), escalated);
        (escalated ? streamed_through : sent_at_once) += 1;
    }
    QVERIFY2(streamed_through > 0 && sent_at_once > 0, "the rows must exercise both kinds of reply");
}

void ServeTest::badClientInputGetsOpenAiErrors() {
    Process replay;
    QVERIFY(replay.start({"serve-replay", "--data", QString::fromStdString(live_test::fixture_path()), "--port", "0"}));
    QTemporaryDir dir;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("AUTOMIX_SERVE_TEST_TOKEN", "tok-5e7a91");
    Process serve;
    QVERIFY(serve.start(serve_args(write_config(dir, replay.base_url, kPomdp),
                                   {"--token-env", "AUTOMIX_SERVE_TEST_TOKEN", "--max-body-bytes", "4096"}),
                        env));
    const std::vector<std::string> auth = {"Authorization: Bearer tok-5e7a91"};
    auto expect = [&](const Reply& r, int status, const std::string& type, const std::string& in_message,
                      const std::string& code = "") {
        QVERIFY2(r.status == status, (std::to_string(r.status) + " " + r.body).c_str());
        const json j = r.j();
        QVERIFY2(j.contains("error") && j["error"].is_object(), r.body.c_str());
        QCOMPARE(j["error"]["type"].get<std::string>(), type);
        QVERIFY2(j["error"]["message"].get<std::string>().find(in_message) != std::string::npos, r.body.c_str());
        if (!code.empty()) QCOMPARE(j["error"]["code"].get<std::string>(), code);
        QCOMPARE(r.headers.at("content-type"), std::string("application/json"));
    };
    const std::string ok = chat_body("ctx", "What?");
    expect(http(serve.port, "POST", "/v1/chat/completions", ok), 401, "invalid_request_error", "didn't provide",
           "invalid_api_key");
    expect(http(serve.port, "POST", "/v1/chat/completions", ok, {"Authorization: Bearer wrong"}), 401,
           "invalid_request_error", "Incorrect API key", "invalid_api_key");
    expect(http(serve.port, "POST", "/v1/chat/completions", "{\"model\": \"automix\", \"messages\": [", auth), 400,
           "invalid_request_error", "could not parse the JSON body");
    expect(http(serve.port, "POST", "/v1/chat/completions", R"({"model":"automix"})", auth), 400,
           "invalid_request_error", "Missing required parameter: 'messages'", "missing_required_parameter");
    expect(http(serve.port, "POST", "/v1/chat/completions", R"({"model":"automix","messages":[]})", auth), 400,
           "invalid_request_error", "non-empty array");
    expect(http(serve.port, "POST", "/v1/chat/completions",
                R"({"model":"automix","messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]})",
                auth),
           400, "invalid_request_error", "last message must be the user's question");
    expect(http(serve.port, "POST", "/v1/chat/completions", R"({"messages":[{"role":"user","content":"q"}]})", auth),
           400, "invalid_request_error", "must provide a model");
    expect(http(serve.port, "POST", "/v1/chat/completions", chat_body("c", "q", "gpt-4o"), auth), 404,
           "invalid_request_error", "does not exist", "model_not_found");
    expect(http(serve.port, "POST", "/v1/chat/completions", chat_body("c", "q", "automix:NoSuchMethod"), auth), 404,
           "invalid_request_error", "no routing method", "model_not_found");
    expect(http(serve.port, "POST", "/v1/chat/completions", chat_body("c", "q", "automix:Threshold"), auth), 404,
           "invalid_request_error", "automix:Threshold:PARAMS", "model_not_found");
    expect(http(serve.port, "POST", "/v1/chat/completions", chat_body("c", "q", "automix:Threshold:[1,"), auth), 400,
           "invalid_request_error", "not JSON");
    for (const std::size_t size : {std::size_t{8000}, std::size_t{8} << 20})  // the refusal arrives, also mid-upload
        expect(http(serve.port, "POST", "/v1/chat/completions", chat_body("c", std::string(size, 'x')), auth), 413,
               "invalid_request_error", "larger than the limit of 4096 bytes", "request_too_large");
    expect(http(serve.port, "GET", "/v1/chat/completions", "", auth), 405, "invalid_request_error", "not allowed");
    expect(http(serve.port, "POST", "/v1/embeddings", ok, auth), 404, "invalid_request_error", "Unknown request URL");
    {
        // Connections beyond --max-connections are refused with 503 (here: 2 idle keep-alive ones).
        Process small;
        QVERIFY(small.start(serve_args(write_config(dir, replay.base_url, kPomdp, 10, "m2.json"),
                                       {"--max-connections", "2", "--no-preflight"})));
        std::vector<int> idle;
        for (int i = 0; i < 2; ++i) {
            idle.push_back(::socket(AF_INET, SOCK_STREAM, 0));
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_port = htons(static_cast<std::uint16_t>(small.port));
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            QCOMPARE(::connect(idle.back(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        }
        QTest::qWait(300);  // accepted
        expect(http(small.port, "GET", "/v1/models", ""), 503, "server_error", "too many open connections");
        for (int fd : idle) ::close(fd);
        QTest::qWait(300);  // their threads end
        QCOMPARE(http(small.port, "GET", "/v1/models", "").status, 200);
    }
    // The server is still well after all that, and the token works.
    const auto fixture = automix::data::load_file(live_test::fixture_path()).dataset;
    QCOMPARE(http(serve.port, "POST", "/v1/chat/completions", chat_body(fixture.context(0), fixture.question[0]), auth)
                 .status,
             200);
}

void ServeTest::upstreamFaultsAre502And504() {
    QTemporaryDir dir;
    const auto fixture = automix::data::load_file(live_test::fixture_path()).dataset;
    const std::string q = chat_body(fixture.context(0), fixture.question[0]);
    {
        Process replay;  // every call answered with HTTP 500
        QVERIFY(replay.start({"serve-replay", "--data", QString::fromStdString(live_test::fixture_path()), "--port",
                              "0", "--fault-rate", "1", "--faults", "500"}));
        Process serve;
        QVERIFY(serve.start(
            serve_args(write_config(dir, replay.base_url, kPomdp), {"--no-preflight", "--breaker-cooldown", "60"})));
        const auto r = http(serve.port, "POST", "/v1/chat/completions", q);
        QVERIFY2(r.status == 502, r.body.c_str());
        const json e = r.j()["error"];
        QCOMPARE(e["type"].get<std::string>(), std::string("upstream_error"));
        QVERIFY2(e["message"].get<std::string>().find("small answer") != std::string::npos, r.body.c_str());
        QVERIFY2(e["message"].get<std::string>().find("HTTP 500") != std::string::npos, r.body.c_str());
        // After retry.breaker_threshold (5) failed requests the breaker refuses at once.
        for (int i = 0; i < 4; ++i) QCOMPARE(http(serve.port, "POST", "/v1/chat/completions", q).status, 502);
        const auto refused = http(serve.port, "POST", "/v1/chat/completions", q);
        QCOMPARE(refused.status, 503);
        QCOMPARE(refused.j()["error"]["code"].get<std::string>(), std::string("circuit_open"));
        QVERIFY(refused.headers.count("retry-after"));
    }
    {
        Process replay;  // slower than the request timeout
        QVERIFY(replay.start({"serve-replay", "--data", QString::fromStdString(live_test::fixture_path()), "--port",
                              "0", "--latency-ms", "3000"}));
        Process serve;
        QVERIFY(serve.start(
            serve_args(write_config(dir, replay.base_url, kPomdp), {"--no-preflight", "--request-timeout", "0.5"})));
        QElapsedTimer t;
        t.start();
        const auto r = http(serve.port, "POST", "/v1/chat/completions", q);
        QVERIFY2(r.status == 504, r.body.c_str());
        QVERIFY(t.elapsed() < 2500);
        QCOMPARE(r.j()["error"]["code"].get<std::string>(), std::string("upstream_timeout"));
        QVERIFY2(r.j()["error"]["message"].get<std::string>().find("request timeout of 0.5 s") != std::string::npos,
                 r.body.c_str());
        // An upstream call that times out by the model's own timeout_s is a 504 too.
        Process serve2;
        QVERIFY(serve2.start(
            serve_args(write_config(dir, replay.base_url, kPomdp, 0.3, "short.json"), {"--no-preflight"})));
        const auto r2 = http(serve2.port, "POST", "/v1/chat/completions", q);
        QVERIFY2(r2.status == 504, r2.body.c_str());
        QVERIFY2(r2.j()["error"]["message"].get<std::string>().find("timed out") != std::string::npos, r2.body.c_str());
    }
    {
        // No upstream at all: the connection is refused.
        Process serve;
        QVERIFY(serve.start(
            serve_args(write_config(dir, "http://127.0.0.1:1/v1", kPomdp, 10, "dead.json"), {"--no-preflight"})));
        const auto r = http(serve.port, "POST", "/v1/chat/completions", q);
        QVERIFY2(r.status == 502, r.body.c_str());
        QVERIFY2(r.j()["error"]["message"].get<std::string>().find("onnect") != std::string::npos, r.body.c_str());
    }
}

void ServeTest::requestLogLoadsWithTheReader() {
    Process replay;
    QVERIFY(replay.start({"serve-replay", "--data", QString::fromStdString(live_test::fixture_path()), "--port", "0"}));
    QTemporaryDir dir;
    const std::string cfg = write_config(dir, replay.base_url, kPomdp);
    const QString log = dir.path() + "/requests.jsonl";
    const auto fixture = automix::data::load_file(live_test::fixture_path()).dataset;
    std::vector<std::string> paths;
    {
        Process serve;
        QVERIFY(serve.start(serve_args(cfg, {"--request-log", log})));
        for (automix::data::RowIndex r = 0; r < 6; ++r) {
            const auto reply =
                http(serve.port, "POST", "/v1/chat/completions", chat_body(fixture.context(r), fixture.question[r]));
            QCOMPARE(reply.status, 200);
            paths.push_back(reply.headers.at("x-automix-path"));
        }
        QCOMPARE(http(serve.port, "POST", "/v1/chat/completions", "not json").status, 400);  // not logged
    }
    {
        // A restart appends; every request of this one is asked of every model.
        Process serve;
        QVERIFY(serve.start(serve_args(cfg, {"--request-log", log, "--run-all-models", "1"})));
        for (automix::data::RowIndex r = 6; r < 9; ++r) {
            const auto reply =
                http(serve.port, "POST", "/v1/chat/completions", chat_body(fixture.context(r), fixture.question[r]));
            QCOMPARE(reply.status, 200);
            QCOMPARE(reply.headers.at("x-automix-run-all-models"), std::string("1"));
            QVERIFY(reply.j()["automix"]["run_all_models"].get<bool>());
        }
    }
    {
        // A fraction: about that share of the requests is asked of every model (seeded draw).
        Process serve;
        QVERIFY(serve.start(serve_args(cfg, {"--run-all-models", "0.5", "--seed", "7"})));
        int all = 0;
        for (automix::data::RowIndex r = 0; r < 30; ++r)
            all += http(serve.port, "POST", "/v1/chat/completions", chat_body(fixture.context(r), fixture.question[r]))
                       .headers.count("x-automix-run-all-models");
        QVERIFY2(all >= 5 && all <= 25, std::to_string(all).c_str());
        const std::string out = serve.stop_output();
        QVERIFY2(out.find(std::to_string(all) + " asked of every model") != std::string::npos, out.c_str());
    }
    const auto loaded = automix::data::load_file(log.toStdString());
    const auto& ds = loaded.dataset;
    QCOMPARE(ds.format, std::string("native"));
    QCOMPARE(ds.size(), std::size_t{9});
    QCOMPARE(ds.model_count(), std::size_t{2});
    QCOMPARE(ds.models[0].name, std::string("small"));
    QCOMPARE(ds.unmeasured.size(), std::size_t{9});  // no gold answers: scores unknown
    for (std::size_t i = 0; i < 9; ++i) {
        QCOMPARE(ds.question[i], fixture.question[i]);
        QCOMPARE(ds.context(static_cast<automix::data::RowIndex>(i)),
                 fixture.context(static_cast<automix::data::RowIndex>(i)));
        QVERIFY(ds.unmeasured[i]);
        QVERIFY(ds.models[0].has_answer[i]);
        QCOMPARE(ds.models[0].answer[i], fixture.models[0].answer[i]);
        const json extra = json::parse(ds.extra_json[i]);
        QVERIFY2(extra.contains("live") && extra.contains("serve"), std::string(ds.extra_json[i]).c_str());
        if (i < 6) {
            QCOMPARE(extra["live"]["final_model"].get<std::string>() == "large" ? std::string("small>large")
                                                                                : std::string("small"),
                     paths[i]);
            QCOMPARE(static_cast<bool>(ds.models[1].has_answer[i]), paths[i] == "small>large");
        } else {
            QVERIFY(extra["serve"]["run_all_models"].get<bool>());
            QVERIFY(ds.models[1].has_answer[i]);  // complete: the large model answered too
            QCOMPARE(ds.models[1].answer[i], fixture.models[1].answer[i]);
        }
    }
    // What the explorer shows in its live columns: each request's route, as served.
    const auto transcripts = automix::live::transcripts_from_data(ds);
    QCOMPARE(transcripts.size(), std::size_t{9});
    for (std::size_t i = 0; i < 6; ++i) {
        const auto& t = transcripts[i].second;
        QCOMPARE(transcripts[i].first, static_cast<automix::data::RowIndex>(i));
        QVERIFY(t.done);
        QCOMPARE(t.path, paths[i] == "small>large" ? std::string("small → large") : std::string("small"));
        QCOMPARE(t.answer, ds.models[paths[i] == "small>large" ? 1 : 0].answer[i]);
        QVERIFY(!t.steps.empty() && t.steps[0].kind == "answer" && t.steps[0].http_status == 200);
    }
    // A log of other models is refused rather than mixed.
    const std::string other = (dir.path() + "/other.jsonl").toStdString();
    std::ofstream(other)
        << R"({"automix_manifest":{"format":"automix-native-v1","models":[{"name":"a"},{"name":"b"}]}})"
        << "\n";
    QProcess p;
    p.start(AUTOMIX_CLI, serve_args(cfg, {"--request-log", QString::fromStdString(other)}));
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 2);
    QVERIFY(p.readAllStandardError().contains("holds rows of the models a, b"));
}

void ServeTest::sigtermLetsRequestsFinish() {
    Process replay;
    QVERIFY(replay.start({"serve-replay", "--data", QString::fromStdString(live_test::fixture_path()), "--port", "0",
                          "--latency-ms", "400"}));
    QTemporaryDir dir;
    Process serve;
    QVERIFY(serve.start(serve_args(write_config(dir, replay.base_url, kPomdp))));
    const auto fixture = automix::data::load_file(live_test::fixture_path()).dataset;
    const int port = serve.port;
    auto pending = std::async(std::launch::async, [&] {
        return http(port, "POST", "/v1/chat/completions", chat_body(fixture.context(1), fixture.question[1]));
    });
    QTest::qWait(300);              // the request is on its first upstream call
    serve.process.terminate();      // SIGTERM
    const Reply r = pending.get();  // answered after the signal: at least 2 × 400 ms upstream
    QVERIFY2(r.status == 200, r.body.c_str());
    QVERIFY(serve.process.waitForFinished(10000));
    QCOMPARE(serve.process.exitCode(), 0);
    const std::string out = serve.process.readAllStandardOutput().toStdString();
    QVERIFY2(out.find("stopped after 1 requests (1 answered") != std::string::npos, out.c_str());
    // New connections are refused once it stopped.
    QCOMPARE(http(port, "GET", "/v1/models", "").status, 0);
}

// One server thread runs the requests of a keep-alive connection on one call engine, reset
// between them: every answer is that of a fresh engine, also after an upstream failure.
void ServeTest::keepAliveConnectionReusesItsEngine() {
    Process replay;
    QVERIFY(replay.start({"serve-replay", "--data", QString::fromStdString(live_test::fixture_path()), "--port", "0"}));
    QTemporaryDir dir;
    Process serve;
    QVERIFY(serve.start(serve_args(write_config(dir, replay.base_url, kPomdp), {"--no-preflight"})));
    const auto fixture = automix::data::load_file(live_test::fixture_path()).dataset;
    std::vector<std::string> bodies;
    for (automix::data::RowIndex r = 0; r < 8; ++r) {
        bodies.push_back(chat_body(fixture.context(r), fixture.question[r]));
        if (r == 3) bodies.push_back(chat_body("", "a question the upstream has never seen"));  // 502 in between
    }
    const auto replies = http_keep_alive(serve.port, bodies);
    QCOMPARE(replies.size(), bodies.size());
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        if (i == 4) {
            QCOMPARE(replies[i].status, 502);
            continue;
        }
        const auto fresh = http(serve.port, "POST", "/v1/chat/completions", bodies[i]);  // own connection
        QVERIFY2(replies[i].status == 200, replies[i].body.c_str());
        QCOMPARE(replies[i].j()["choices"][0]["message"]["content"], fresh.j()["choices"][0]["message"]["content"]);
        QCOMPARE(replies[i].j()["automix"]["path"], fresh.j()["automix"]["path"]);
        QCOMPARE(replies[i].j()["automix"]["money"], fresh.j()["automix"]["money"]);
    }
}

// The N-model cascade as `automix eval --emit-config` trains it: served requests take the
// path eval decided offline, and the request log of a 3-model ladder loads.
void ServeTest::trainedCascadeServesEvalsDecisions() {
    const QString demo3 =
        QString::fromStdString(std::string(AUTOMIX_SOURCE_DIR "/resources/demo/demo-3model.jsonl.gz"));
    Process replay;
    QVERIFY(replay.start({"serve-replay", "--data", demo3, "--port", "0"}));
    const auto offline = automix::data::load_file(demo3.toStdString()).dataset;
    QTemporaryDir dir;
    json models = json::array();
    for (const auto& m : offline.models)
        models.push_back(
            {{"name", m.name}, {"base_url", replay.base_url}, {"model", m.name}, {"price_per_call", 0.001}});
    const QString base = dir.filePath("base.json"), emitted = dir.filePath("models.json"),
                  report = dir.filePath("report.json"), log = dir.filePath("requests.jsonl");
    std::ofstream(base.toStdString()) << json{{"models", models},
                                              {"verifier", {{"k", 32}}},
                                              {"meta_verifier", {{"method", "Threshold"}, {"params", 0.5}}}}
                                             .dump();
    QProcess eval;
    eval.start(AUTOMIX_CLI, {"eval", "--data", demo3, "--datasets", "coqa", "--methods", "cascade", "--json", report,
                             "--emit-config", emitted, "--config-base", base, "--quiet"});
    QVERIFY(eval.waitForFinished(120000));
    QVERIFY2(eval.exitCode() == 0, eval.readAllStandardError().constData());
    std::ifstream rin(report.toStdString());
    const json rep = json::parse(rin);
    const json& dataset = rep["datasets"]["coqa"];
    const auto val_ids = dataset["val_ids"].get<std::vector<std::string>>();
    const auto decisions = dataset["methods"]["Cascade"]["decisions"].get<std::vector<int>>();
    std::map<std::string, automix::data::RowIndex> by_id;
    for (automix::data::RowIndex r = 0; r < offline.size(); ++r) by_id[std::string(offline.id[r])] = r;

    Process serve;
    QVERIFY(serve.start(serve_args(emitted.toStdString(), {"--request-log", log})));
    std::set<int> seen;
    const std::size_t n = std::min<std::size_t>(40, val_ids.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto r = by_id.at(val_ids[i]);
        const auto reply =
            http(serve.port, "POST", "/v1/chat/completions", chat_body(offline.context(r), offline.question[r]));
        QVERIFY2(reply.status == 200, reply.body.c_str());
        const json a = reply.j()["automix"];
        QCOMPARE(a["final_model"].get<std::string>(), offline.models[static_cast<std::size_t>(decisions[i])].name);
        QCOMPARE(a["path"].size(), static_cast<std::size_t>(decisions[i] + 1));
        QVERIFY(a["routing"].get<std::string>().rfind("Cascade:", 0) == 0);
        seen.insert(decisions[i]);
    }
    QVERIFY2(seen.size() >= 2, "the rows must take more than one path");
    serve.stop_output();
    const auto logged = automix::data::load_file(log.toStdString()).dataset;
    QCOMPARE(logged.size(), n);
    QCOMPARE(logged.model_count(), std::size_t(3));
    for (std::size_t i = 0; i < n; ++i) QCOMPARE(static_cast<bool>(logged.models[2].has_answer[i]), decisions[i] == 2);
}

// --max-concurrent 1: requests are routed one after another; one that waits longer than
// --queue-timeout for the slot gets 503.
void ServeTest::concurrencyIsBounded() {
    Process replay;
    QVERIFY(replay.start({"serve-replay", "--data", QString::fromStdString(live_test::fixture_path()), "--port", "0",
                          "--latency-ms", "150"}));
    QTemporaryDir dir;
    const auto fixture = automix::data::load_file(live_test::fixture_path()).dataset;
    const std::string cfg = write_config(dir, replay.base_url, kPomdp);
    auto request = [&](int port, automix::data::RowIndex r) {
        return std::async(std::launch::async, [&fixture, port, r] {
            return http(port, "POST", "/v1/chat/completions", chat_body(fixture.context(r), fixture.question[r]));
        });
    };
    {
        Process serve;  // waiting within the timeout: all answered, one at a time
        QVERIFY(serve.start(serve_args(cfg, {"--max-concurrent", "1", "--no-preflight"})));
        QElapsedTimer t;
        t.start();
        std::vector<std::future<Reply>> all;
        for (automix::data::RowIndex r = 0; r < 3; ++r) all.push_back(request(serve.port, r));
        for (auto& f : all) QCOMPARE(f.get().status, 200);
        QVERIFY2(t.elapsed() >= 3 * 2 * 150, std::to_string(t.elapsed()).c_str());  // >= 2 calls each, in series
    }
    {
        Process serve;
        QVERIFY(serve.start(serve_args(cfg, {"--max-concurrent", "1", "--queue-timeout", "0.1", "--no-preflight"})));
        auto first = request(serve.port, 0);
        QTest::qWait(50);
        const Reply second = request(serve.port, 1).get();
        QCOMPARE(second.status, 503);
        QCOMPARE(second.j()["error"]["code"].get<std::string>(), std::string("overloaded"));
        QCOMPARE(second.headers.at("retry-after"), std::string("1"));
        QCOMPARE(first.get().status, 200);
    }
}

// One line per request on stderr: no question unless --log-prompts, never the client token.
void ServeTest::logLinesKeepPromptsAndTokenOut() {
    Process replay;
    QVERIFY(replay.start({"serve-replay", "--data", QString::fromStdString(live_test::fixture_path()), "--port", "0"}));
    QTemporaryDir dir;
    const std::string cfg = write_config(dir, replay.base_url, kPomdp);
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("AUTOMIX_SERVE_TEST_TOKEN", "tok-log-31c4");
    const auto fixture = automix::data::load_file(live_test::fixture_path()).dataset;
    const std::string question(fixture.question[2]);
    for (const bool prompts : {false, true}) {
        QStringList args = {"serve", "--config",    QString::fromStdString(cfg), "--port",
                            "0",     "--token-env", "AUTOMIX_SERVE_TEST_TOKEN"};
        if (prompts) args << "--log-prompts";
        Process serve;
        QVERIFY(serve.start(args, env));
        const auto ok = http(serve.port, "POST", "/v1/chat/completions", chat_body(fixture.context(2), question),
                             {"Authorization: Bearer tok-log-31c4"});
        QCOMPARE(ok.status, 200);
        QCOMPARE(http(serve.port, "POST", "/v1/chat/completions", "{", {"Authorization: Bearer tok-log-31c4"}).status,
                 400);
        serve.stop_output();
        const std::string err = serve.process.readAllStandardError().toStdString();
        const std::string id = ok.headers.at("x-request-id");
        const auto line_at = err.find(id + " /v1/chat/completions 200");
        QVERIFY2(line_at != std::string::npos, err.c_str());
        const std::string line = err.substr(line_at, err.find('\n', line_at) - line_at);
        QVERIFY2(line.find("path=" + ok.headers.at("x-automix-path")) != std::string::npos, line.c_str());
        QVERIFY2(err.find(" 400 ") != std::string::npos, err.c_str());
        QCOMPARE(err.find(question.substr(0, 20)) != std::string::npos, prompts);
        QVERIFY(err.find("tok-log-31c4") == std::string::npos);
    }
    // Another address than loopback gets a warning.
    QProcess wide;
    wide.start(AUTOMIX_CLI, {"serve", "--config", QString::fromStdString(cfg), "--port", "0", "--host", "0.0.0.0",
                             "--no-preflight"});
    QVERIFY(wide.waitForStarted(5000));
    QString err;
    for (int i = 0; i < 50 && !err.contains("warning: listening on 0.0.0.0"); ++i) {
        wide.waitForReadyRead(100);
        err += wide.readAllStandardError();
    }
    wide.terminate();
    wide.waitForFinished(5000);
    QVERIFY2(err.contains("warning: listening on 0.0.0.0") && err.contains("no client token is required"),
             err.toStdString().c_str());
}

QTEST_GUILESS_MAIN(ServeTest)
#include "test_serve.moc"

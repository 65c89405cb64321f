// `automix serve` streaming the final model's answer as the upstream writes it, in process
// (ChatRouter behind a real HttpServer) in front of an upstream that streams the way other
// servers do: usage only in the last chunk or never, empty deltas, a UTF-8 character split
// across writes, no `[DONE]`, an error event or a cut connection mid-stream, `stream` ignored.
// The client always gets a well-formed stream that ends; the first piece arrives long before
// the last (time to first byte measured against the whole reply).
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/live/chat_router.hpp"
#include "core/live/http_server.hpp"

using namespace automix::live;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

enum class Mode { UsageLast, NoUsageNoDone, ErrorEvent, Cut, IgnoresStream, Slow };

// An upstream whose small model answers and doubts itself (so Threshold escalates) and whose
// large model streams "Paris, été." in the way `mode` says.
class StreamingUpstream {
  public:
    StreamingUpstream() : http_([this](const HttpRequest& r) { return handle(r); }) { http_.start(0); }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(http_.port()) + "/v1"; }
    std::atomic<Mode> mode{Mode::UsageLast};
    std::atomic<int> large_posts{0};

  private:
    static std::string event(const json& delta, const json& finish = nullptr) {
        json c = {{"id", "up-1"},
                  {"object", "chat.completion.chunk"},
                  {"model", "large-model"},
                  {"choices", {{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}}}};
        return "data: " + c.dump() + "\n\n";
    }
    HttpReply handle(const HttpRequest& req) {
        const json body = json::parse(req.body);
        const std::string prompt = body["messages"][0]["content"].get<std::string>();
        HttpReply r;
        if (prompt.find("AI Generated Answer:") != std::string::npos) {
            json choices = json::array();
            for (int i = 0; i < body.value("n", 1); ++i)
                choices.push_back({{"index", i},
                                   {"message", {{"role", "assistant"}, {"content", "So the AI generated answer is incorrect."}}},
                                   {"finish_reason", "stop"}});
            r.body = json{{"choices", choices}, {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 5}}}}.dump();
            return r;
        }
        if (body["model"] == "small-model") {
            r.body = json{{"choices", {{{"index", 0},
                                        {"message", {{"role", "assistant"}, {"content", "Lyon"}}},
                                        {"finish_reason", "stop"}}}},
                          {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 1}}}}
                         .dump();
            return r;
        }
        ++large_posts;
        const Mode m = mode.load();
        const bool streamed = body.value("stream", false);
        if (m == Mode::IgnoresStream || !streamed) {
            r.body = json{{"choices", {{{"index", 0},
                                        {"message", {{"role", "assistant"}, {"content", "Paris, été."}}},
                                        {"finish_reason", "stop"}}}}}
                         .dump();
            return r;
        }
        HttpReply head;
        head.content_type = "text/event-stream";
        ReplyStream* out = req.open_stream(head);
        const auto pause = [&](int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
        out->write(event({{"role", "assistant"}, {"content", ""}}));
        if (m == Mode::Slow) {
            for (const char* piece : {"Paris", ", ", "été", "."}) {
                out->write(event({{"content", piece}}));
                pause(150);
            }
        } else {
            out->write(event({{"content", "Paris"}}));
            if (m == Mode::ErrorEvent) {
                out->write("data: {\"error\": {\"message\": \"The server is overloaded\", \"type\": \"server_error\"}}\n\n");
                return {};
            }
            if (m == Mode::Cut) {
                pause(20);
                out->abort();
                return {};
            }
            out->write(event(json::object()));  // an empty delta
            out->write(event({{"content", ""}}));
            // "été" with its first character split between two writes, mid-byte-sequence.
            const std::string e = event({{"content", ", été"}});
            const auto split = e.find("\xC3") + 1;
            out->write(e.substr(0, split));
            pause(20);
            out->write(e.substr(split));
            out->write(event({{"content", "."}}, "stop"));
        }
        if (m == Mode::UsageLast || m == Mode::Slow) {
            out->write("data: " +
                       json{{"choices", json::array()}, {"usage", {{"prompt_tokens", 12}, {"completion_tokens", 7}}}}
                           .dump() +
                       "\n\n");
            out->write("data: [DONE]\n\n");
        }
        return {};  // NoUsageNoDone: the connection ends after the last delta
    }
    HttpServer http_;
};

json config_json(const std::string& base_url) {
    json small = {{"name", "small"}, {"base_url", base_url}, {"model", "small-model"}, {"price_per_call", 0.001}};
    json large = {{"name", "large"}, {"base_url", base_url}, {"model", "large-model"}, {"price_per_call", 0.05}};
    return {{"models", {small, large}},
            {"verifier", {{"k", 2}}},
            {"meta_verifier", {{"method", "Threshold"}, {"params", 0.5}}},
            {"retry", {{"max_attempts", 3}, {"initial_backoff_s", 0.01}, {"max_backoff_s", 0.02}}}};
}

// What a client saw of one streamed request: status, headers, the events in order, and when
// the first content piece and the end arrived (ms after sending).
struct Seen {
    int status = 0;
    std::string headers;
    std::vector<std::string> events;  // data payloads
    std::string content;
    double first_content_ms = -1, total_ms = -1;
    bool ended = false;  // the final chunk (0-length) arrived
};

Seen stream_request(int port, const std::string& body, int timeout_s = 10) {
    Seen s;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_s, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return s;
    const std::string req = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            "Connection: close\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body;
    const auto t0 = Clock::now();
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    std::string in, decoded, events_text;
    std::size_t at = 0;  // parse position in `in` (after the head)
    bool head_done = false, chunked = false;
    char buf[4096];
    while (!s.ended) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<std::size_t>(n));
        const double now_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (!head_done) {
            const auto end = in.find("\r\n\r\n");
            if (end == std::string::npos) continue;
            s.status = std::stoi(in.substr(9, 3));
            s.headers = in.substr(0, end);
            chunked = s.headers.find("Transfer-Encoding: chunked") != std::string::npos;
            head_done = true;
            at = end + 4;
        }
        if (!chunked) {
            decoded = in.substr(at);
        } else {
            for (;;) {  // whole chunks only
                const auto line_end = in.find("\r\n", at);
                if (line_end == std::string::npos) break;
                const std::size_t size = std::stoul(in.substr(at, line_end - at), nullptr, 16);
                if (in.size() < line_end + 2 + size + 2) break;
                if (size == 0) s.ended = true;
                decoded += in.substr(line_end + 2, size);
                at = line_end + 2 + size + 2;
            }
        }
        std::size_t e;
        while ((e = decoded.find("\n\n")) != std::string::npos) {
            const std::string ev = decoded.substr(0, e);
            decoded.erase(0, e + 2);
            if (ev.rfind("data: ", 0) != 0) continue;
            s.events.push_back(ev.substr(6));
            const json j = json::parse(s.events.back(), nullptr, false);
            if (j.is_object() && j.contains("choices") && !j["choices"].empty() &&
                j["choices"][0]["delta"].contains("content")) {
                const std::string piece = j["choices"][0]["delta"]["content"].get<std::string>();
                if (!piece.empty() && s.first_content_ms < 0) s.first_content_ms = now_ms;
                s.content += piece;
            }
        }
        s.total_ms = now_ms;
    }
    ::close(fd);
    return s;
}

std::string stream_body() {
    return json{{"model", "automix"},
                {"stream", true},
                {"stream_options", {{"include_usage", true}}},
                {"messages", {{{"role", "user"}, {"content", "What is the capital of France?"}}}}}
        .dump();
}

struct Front {
    explicit Front(const std::string& base_url)
        : router(parse_models_config(config_json(base_url).dump(), "stream.json"), {"", ""},
                 load_prompt_templates("", ""), nullptr, {}),
          http([this](const HttpRequest& r) { return router.handle(r); }) {
        port = http.start(0);
    }
    ChatRouter router;
    HttpServer http;
    int port = 0;
};

json last_json_event(const Seen& s) {
    for (auto it = s.events.rbegin(); it != s.events.rend(); ++it)
        if (*it != "[DONE]") return json::parse(*it);
    return nullptr;
}

}  // namespace

class ServeStreamTest : public QObject {
    Q_OBJECT
  private slots:
    void forwardsTheUpstreamStreamAsItComes();
    void toleratesForeignStreams();
    void midStreamFailuresEndWithAnErrorEvent();
    void firstByteComesLongBeforeTheLast();
    void clientLeavingMidStreamStopsTheRoute();
};

void ServeStreamTest::forwardsTheUpstreamStreamAsItComes() {
    StreamingUpstream up;
    Front front(up.base_url());
    const Seen s = stream_request(front.port, stream_body());
    QCOMPARE(s.status, 200);
    QVERIFY(s.ended);
    QVERIFY2(s.headers.find("X-AutoMix-Streamed: 1") != std::string::npos, s.headers.c_str());
    QVERIFY(s.headers.find("X-AutoMix-Path: small>large") != std::string::npos);
    QVERIFY(s.headers.find("Content-Type: text/event-stream") != std::string::npos);
    // The UTF-8 character split between two upstream writes arrives whole.
    QCOMPARE(s.content, std::string("Paris, été."));
    QCOMPARE(s.events.back(), std::string("[DONE]"));
    // Ours: a finish chunk with the route, then usage (asked for) counting the upstream's tokens.
    const json usage = last_json_event(s);
    QVERIFY(usage["usage"]["completion_tokens"].get<int>() >= 7);
    json finish;
    for (const auto& e : s.events)
        if (e != "[DONE]" && json::parse(e)["choices"].size() == 1 &&
            !json::parse(e)["choices"][0]["finish_reason"].is_null())
            finish = json::parse(e);
    QCOMPARE(finish["automix"]["path"], json({"small", "large"}));
    QCOMPARE(finish["automix"]["streamed"].get<bool>(), true);
    QCOMPARE(finish["automix"]["steps"][1]["tokens"]["completion"].get<int>(), 7);
    QCOMPARE(finish["model"].get<std::string>(), std::string("large-model"));
    QCOMPARE(up.large_posts.load(), 1);
}

void ServeStreamTest::toleratesForeignStreams() {
    StreamingUpstream up;
    Front front(up.base_url());
    // No usage and no [DONE]: the stream ends with the connection; ours still ends properly.
    up.mode = Mode::NoUsageNoDone;
    Seen s = stream_request(front.port, stream_body());
    QCOMPARE(s.status, 200);
    QVERIFY(s.ended);
    QCOMPARE(s.content, std::string("Paris, été."));
    QCOMPARE(s.events.back(), std::string("[DONE]"));
    QVERIFY(s.headers.find("X-AutoMix-Streamed: 1") != std::string::npos);
    // A server that ignores `stream` answers with one body: the client still gets a stream.
    up.mode = Mode::IgnoresStream;
    s = stream_request(front.port, stream_body());
    QCOMPARE(s.status, 200);
    QCOMPARE(s.content, std::string("Paris, été."));
    QCOMPARE(s.events.back(), std::string("[DONE]"));
    QVERIFY(s.headers.find("X-AutoMix-Streamed") == std::string::npos);
    // Not asked to stream: a normal completion from the same upstream.
    HttpRequest plain;
    plain.method = "POST";
    plain.path = "/v1/chat/completions";
    plain.body = json{{"model", "automix"}, {"messages", {{{"role", "user"}, {"content", "Capital of France?"}}}}}.dump();
    up.mode = Mode::UsageLast;
    const HttpReply r = front.router.handle(plain);
    QCOMPARE(r.status, 200);
    QCOMPARE(json::parse(r.body)["choices"][0]["message"]["content"].get<std::string>(), std::string("Paris, été."));
}

void ServeStreamTest::midStreamFailuresEndWithAnErrorEvent() {
    StreamingUpstream up;
    Front front(up.base_url());
    for (Mode m : {Mode::ErrorEvent, Mode::Cut}) {
        up.mode = m;
        up.large_posts = 0;
        const Seen s = stream_request(front.port, stream_body());
        QCOMPARE(s.status, 200);  // sent before the failure
        QVERIFY2(s.ended, "the stream must end, not hang");
        QCOMPARE(s.content, std::string("Paris"));
        QCOMPARE(s.events.back(), std::string("[DONE]"));
        const json err = last_json_event(s);
        QVERIFY2(err.contains("error"), err.dump().c_str());
        const std::string msg = err["error"]["message"].get<std::string>();
        QVERIFY2(msg.find("upstream") == 0, msg.c_str());
        if (m == Mode::ErrorEvent) QVERIFY2(msg.find("overloaded") != std::string::npos, msg.c_str());
        QCOMPARE(err["error"]["code"].get<std::string>(), std::string("upstream_error"));
        QCOMPARE(err["error"]["automix"]["path"], json({"small", "large"}));
        // Part of the answer went out: the call is not retried (the client would get it twice).
        QCOMPARE(up.large_posts.load(), 1);
    }
    QCOMPARE(front.router.stats().upstream_errors, 2u);
}

void ServeStreamTest::firstByteComesLongBeforeTheLast() {
    StreamingUpstream up;
    up.mode = Mode::Slow;  // four pieces, 150 ms apart
    Front front(up.base_url());
    const Seen s = stream_request(front.port, stream_body());
    QCOMPARE(s.content, std::string("Paris, été."));
    QVERIFY(s.first_content_ms >= 0);
    std::printf("streaming: first content after %.1f ms, whole reply after %.1f ms\n", s.first_content_ms,
                s.total_ms);
    // The first piece is forwarded at once, not after the upstream finished (>= 600 ms).
    QVERIFY2(s.total_ms >= 550, std::to_string(s.total_ms).c_str());
    QVERIFY2(s.first_content_ms + 400 < s.total_ms,
             (std::to_string(s.first_content_ms) + " vs " + std::to_string(s.total_ms)).c_str());
}

void ServeStreamTest::clientLeavingMidStreamStopsTheRoute() {
    StreamingUpstream up;
    up.mode = Mode::Slow;
    Front front(up.base_url());
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(front.port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QVERIFY(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    const std::string body = stream_body();
    const std::string req = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body;
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    std::string in;
    char buf[4096];
    while (in.find("Paris") == std::string::npos) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        QVERIFY(n > 0);
        in.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);  // gone after the first piece
    // The router notices at its next write, abandons the upstream call and counts the request
    // as the client's doing, not the upstream's (the breaker does not count it).
    QTRY_COMPARE_WITH_TIMEOUT(front.router.stats().client_errors, std::uint64_t{1}, 5000);
    QCOMPARE(front.router.stats().upstream_errors, std::uint64_t{0});
    QCOMPARE(front.router.stats().answered, std::uint64_t{0});
}

QTEST_GUILESS_MAIN(ServeStreamTest)
#include "test_serve_stream.moc"

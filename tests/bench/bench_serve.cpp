// Load benchmark of `automix serve` (issue 21): 2 000 chat requests from 64 concurrent
// keep-alive clients through the router (ChatRouter behind the shared HttpServer, as the CLI
// runs it) to a loopback upstream that answers every call after 20 ms. Each request is an
// answer + one verification call (n = 8), and a large-model answer when escalated (about half).
//
// Reported: throughput, client latency p50/p99, and the router's own time per request:
//   own        = client latency − the upstream calls on the route as curl timed them
//                (the goal: ≤ 2 ms p50 at 64 clients)
//   router CPU  = CPU time of the handler thread per request (the same work without the
//                waits for a core, which depend on the machine's load)
//   beyond_20ms = client latency − 20 ms × calls on the route (adds connection setup to the
//                upstream and the upstream server's own work)
#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/live/chat_router.hpp"
#include "core/live/http_server.hpp"
#include "core/live/models_config.hpp"

namespace {

using namespace automix::live;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kRequests = 2000;
constexpr int kClients = 64;
constexpr int kUpstreamMs = 20;

// Answers an answer prompt with a short answer; a verification prompt with n samples whose
// verdicts depend on the question, so about half the requests escalate.
HttpReply upstream(const HttpRequest& req) {
    const json body = json::parse(req.body, nullptr, false);
    HttpReply r;
    r.delay_ms = kUpstreamMs;
    const std::string prompt = body.value("messages", json::array()).empty()
                                   ? std::string()
                                   : body["messages"].back().value("content", std::string());
    const int n = body.value("n", 1);
    const bool verify = prompt.find("AI Generated Answer:") != std::string::npos;
    const auto q = prompt.rfind("Question:");
    const bool doubtful = std::hash<std::string>{}(prompt.substr(q == std::string::npos ? 0 : q)) % 2 == 0;
    json choices = json::array();
    for (int i = 0; i < n; ++i) {
        const std::string text = !verify    ? "Paris"
                                 : doubtful ? "No support. So the AI generated answer is incorrect."
                                            : "Stated. So the AI generated answer is correct.";
        choices.push_back(
            {{"index", i}, {"message", {{"role", "assistant"}, {"content", text}}}, {"finish_reason", "stop"}});
    }
    r.body = json{{"choices", choices}, {"usage", {{"prompt_tokens", 300}, {"completion_tokens", 8 * n}}}}.dump();
    return r;
}

ModelsConfig config(int upstream_port) {
    const std::string url = "http://127.0.0.1:" + std::to_string(upstream_port) + "/v1";
    json small = {{"name", "small"}, {"base_url", url}, {"model", "s"}, {"price_per_call", 0.001}};
    json large = {{"name", "large"}, {"base_url", url}, {"model", "l"}, {"price_per_call", 0.05}};
    json cfg = {{"models", {small, large}},
                {"verifier", {{"k", 8}}},
                {"meta_verifier", {{"method", "Threshold"}, {"params", 0.5}}}};
    return parse_models_config(cfg.dump(), "bench");
}

struct Sample {
    double client_ms = 0, upstream_ms = 0;
    int calls = 0;
    bool ok = false;
};

// One keep-alive client: sends requests until the shared counter runs out.
void client(int port, std::atomic<int>& next, std::vector<Sample>& out, std::mutex& m) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
    std::vector<Sample> mine;
    std::string buf;
    char chunk[65536];
    int i;
    while ((i = next.fetch_add(1)) < kRequests) {
        const std::string body = json{{"model", "automix"},
                                      {"messages",
                                       {{{"role", "system"}, {"content", std::string(2000, 'c')}},
                                        {{"role", "user"}, {"content", "Question number " + std::to_string(i) + "?"}}}}}
                                     .dump();
        const std::string req = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                "Content-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
        Sample s;
        const auto t0 = Clock::now();
        if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) break;
        std::size_t head_end, length = 0;
        buf.clear();
        // One more piece of the reply; false when the connection ended or failed.
        auto read_more = [&] {
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) return false;
            buf.append(chunk, static_cast<std::size_t>(n));
            return true;
        };
        bool reading = true;
        while (reading && (head_end = buf.find("\r\n\r\n")) == std::string::npos) reading = read_more();
        if (!reading) break;
        const auto cl = buf.find("Content-Length: ");
        length = std::stoul(buf.substr(cl + 16));
        while (reading && buf.size() < head_end + 4 + length) reading = read_more();
        if (!reading) break;
        s.client_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        const json j = json::parse(buf.substr(head_end + 4, length), nullptr, false);
        s.ok = buf.compare(9, 3, "200") == 0 && j.contains("automix");
        if (s.ok) {
            s.upstream_ms = j["automix"]["latency_ms"]["upstream"].get<double>();
            for (const auto& step : j["automix"]["steps"]) s.calls += step["calls"].get<int>();
        }
        mine.push_back(s);
    }
    ::close(fd);
    std::lock_guard lock(m);
    out.insert(out.end(), mine.begin(), mine.end());
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// Argument 1: with the request log (a file under $TMPDIR, removed after) and a log line per
// request (counted, not printed), as a deployment runs it.
void ServeLoad(benchmark::State& state) {
    HttpServer up(upstream);
    up.start(0);
    ServeOptions o;
    o.max_concurrent = kClients;
    const bool logged = state.range(0) != 0;
    const std::string log_path =
        std::filesystem::temp_directory_path() / ("bench_serve_" + std::to_string(::getpid()) + ".jsonl");
    std::atomic<std::size_t> log_lines{0};
    if (logged) {
        o.request_log = std::make_shared<RequestLog>(log_path, config(up.port()));
        o.access_log = [&log_lines](const std::string& line) { log_lines += !line.empty(); };
    }
    ChatRouter router(config(up.port()), {"", ""}, {kBuiltinAnswerPrompt, kBuiltinVerifyPrompt}, nullptr, o);
    // The CPU time of the handler thread per request: the router's own work (parsing, routing,
    // its curl client, JSON) without the waits, so it does not depend on the machine's load.
    std::mutex cpu_mutex;
    std::vector<double> cpu_ms;
    HttpServer front([&](const HttpRequest& r) {
        timespec a{}, b{};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
        HttpReply reply = router.handle(r);
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
        const double ms =
            static_cast<double>(b.tv_sec - a.tv_sec) * 1e3 + static_cast<double>(b.tv_nsec - a.tv_nsec) / 1e6;
        std::lock_guard lock(cpu_mutex);
        cpu_ms.push_back(ms);
        return reply;
    });
    front.start(0);
    for (auto _ : state) {
        std::vector<Sample> samples;
        std::mutex m;
        std::atomic<int> next{0};
        const auto t0 = Clock::now();
        std::vector<std::thread> clients;
        for (int c = 0; c < kClients; ++c)
            clients.emplace_back(client, front.port(), std::ref(next), std::ref(samples), std::ref(m));
        for (auto& t : clients) t.join();
        const double wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
        std::vector<double> own, beyond, latency;
        std::size_t ok = 0, escalated = 0;
        for (const auto& s : samples) {
            if (!s.ok) continue;
            ++ok;
            escalated += s.calls > 2;
            latency.push_back(s.client_ms);
            own.push_back(s.client_ms - s.upstream_ms);
            beyond.push_back(s.client_ms - kUpstreamMs * s.calls);
        }
        if (ok != kRequests) state.SkipWithError(("only " + std::to_string(ok) + " requests answered").c_str());
        state.counters["requests_per_s"] = static_cast<double>(ok) / wall_s;
        state.counters["latency_p50_ms"] = percentile(latency, 0.5);
        state.counters["latency_p99_ms"] = percentile(latency, 0.99);
        state.counters["own_p50_ms"] = percentile(own, 0.5);
        state.counters["own_p99_ms"] = percentile(own, 0.99);
        state.counters["beyond_20ms_p50_ms"] = percentile(beyond, 0.5);
        state.counters["beyond_20ms_p99_ms"] = percentile(beyond, 0.99);
        state.counters["router_cpu_p50_ms"] = percentile(cpu_ms, 0.5);
        state.counters["router_cpu_p99_ms"] = percentile(cpu_ms, 0.99);
        state.counters["escalated_share"] =
            static_cast<double>(escalated) / static_cast<double>(std::max<std::size_t>(ok, 1));
        std::printf(
            "serve load%s: %zu/%d requests, %d clients, upstream %d ms: %.0f req/s; latency p50 %.2f p99 %.2f ms; "
            "router own time p50 %.3f p99 %.3f ms (CPU p50 %.3f p99 %.3f ms); beyond 20 ms/call p50 %.3f p99 %.3f ms; "
            "%.0f%% escalated\n",
            logged ? " (request log on)" : "", ok, kRequests, kClients, kUpstreamMs, static_cast<double>(ok) / wall_s,
            percentile(latency, 0.5), percentile(latency, 0.99), percentile(own, 0.5), percentile(own, 0.99),
            percentile(cpu_ms, 0.5), percentile(cpu_ms, 0.99), percentile(beyond, 0.5), percentile(beyond, 0.99),
            100.0 * static_cast<double>(escalated) / static_cast<double>(std::max<std::size_t>(ok, 1)));
    }
    front.stop();
    up.stop();
    if (logged) {
        state.counters["log_lines"] = static_cast<double>(log_lines.load());
        std::filesystem::remove(log_path);
    }
}
BENCHMARK(ServeLoad)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();

// Live client benchmarks against a loopback server on 127.0.0.1:
//  * ClientOverhead: sequential calls to a zero-latency server; the CPU time column is the
//    client thread's own cost per call (the server runs on other threads); target < 1 ms.
//  * Concurrent1000: 1000 calls, 32 at a time, server latency 20 ms; target < 1 s wall.
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>

#include "core/live/call_engine.hpp"
#include "core/live/http_server.hpp"
#include "core/live/provider.hpp"

namespace {

using namespace automix::live;

const std::string kOkBody =
    R"({"choices":[{"index":0,"message":{"role":"assistant","content":"The AI generated answer is correct."}}],"usage":{"prompt_tokens":420,"completion_tokens":9}})";

struct Server {
    std::atomic<int> latency_ms{0};
    HttpServer http{[this](const HttpRequest&) {
        HttpReply r;
        r.body = kOkBody;
        r.delay_ms = latency_ms.load();
        return r;
    }};
    Server() { http.start(0); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(http.port()) + "/v1/chat/completions"; }
};

Server& server() {
    static Server s;
    return s;
}

// A prompt of realistic size (a few KB of context) so body handling is part of the cost.
const std::string& request() {
    static const std::string body =
        request_body(provider_for("chat"), "small", std::string(4000, 'x') + "\nQuestion: who?\nAnswer:", Sampling{});
    return body;
}

std::size_t run_calls(CallEngine& engine, int endpoint, int calls) {
    std::size_t ok = 0;
    for (int i = 0; i < calls; ++i) {
        HttpCall c;
        c.endpoint = endpoint;
        c.url = server().url();
        c.body = request();
        c.timeout_s = 10;
        c.validate = [](const std::string& b) -> std::optional<std::string> {
            std::string why;
            if (!parse_completion(provider_for("chat"), b, 1, &why)) return why;
            return std::nullopt;
        };
        c.done = [&ok](const CallResult& r) { ok += r.status == CallResult::Status::Ok; };
        engine.submit(std::move(c));
    }
    engine.run();
    return ok;
}

void ClientOverhead(benchmark::State& state) {
    server().latency_ms = 0;
    CallEngine engine;
    const int ep = engine.add_endpoint(1);
    run_calls(engine, ep, 20);  // warm the connection
    std::size_t ok = 0;
    for (auto _ : state) ok += run_calls(engine, ep, 1);
    if (ok != static_cast<std::size_t>(state.iterations())) state.SkipWithError("a call failed");
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(ClientOverhead)->Unit(benchmark::kMicrosecond)->MinTime(2.0);

void Concurrent1000(benchmark::State& state) {
    server().latency_ms = static_cast<int>(state.range(1));
    std::size_t ok = 0;
    for (auto _ : state) {
        CallEngine engine;
        const int ep = engine.add_endpoint(static_cast<int>(state.range(0)));
        ok += run_calls(engine, ep, 1000);
    }
    if (ok != 1000 * static_cast<std::size_t>(state.iterations())) state.SkipWithError("a call failed");
    state.SetItemsProcessed(1000 * static_cast<std::int64_t>(state.iterations()));
    state.counters["concurrency"] = static_cast<double>(state.range(0));
    state.counters["latency_ms"] = static_cast<double>(state.range(1));
}
BENCHMARK(Concurrent1000)->Args({32, 20})->Args({32, 0})->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

}  // namespace

BENCHMARK_MAIN();

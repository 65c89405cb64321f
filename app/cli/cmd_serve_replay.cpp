// `automix serve-replay`: an OpenAI-compatible server on 127.0.0.1 answering from a dataset.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "app/cli/args.hpp"
#include "app/cli/command.hpp"
#include "core/data/reader.hpp"
#include "core/live/replay_server.hpp"

namespace {

using namespace automix;

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) {
    g_stop = true;
}

const char* kHelp = "usage: automix serve-replay --data FILE --port P [options]\n\n"
                    "Serves /v1/chat/completions and /v1/completions on 127.0.0.1 from the stored answers and\n"
                    "verifier samples of FILE (release or native JSONL): the question in the prompt selects the\n"
                    "row, the `model` field the column (its name, `small`/`large`, or m0, m1, ...), and a prompt\n"
                    "with \"AI Generated Answer:\" gets verifier samples (sample i = stored sample (seed+i) mod k).\n\n"
                    "options:\n"
                    "  --port P             port on 127.0.0.1 (0 = any free port; printed on start)\n"
                    "  --latency-ms X       delay every reply by X ms (default 0)\n"
                    "  --fault-rate R       probability in [0,1] that a request gets a fault (default 0)\n"
                    "  --faults LIST        fault kinds to draw from: 429,500,slow,malformed,close,401\n"
                    "                       (default 429,500,slow,malformed,close)\n"
                    "  --slow-ms X          delay of a `slow` fault (default 3000)\n"
                    "  --stream-chunk-ms X  `stream: true` requests get their answer a word per event, X ms\n"
                    "                       apart (default 0)\n"
                    "  --retry-after S      Retry-After seconds sent with 429 (default 1; -1 = none)\n"
                    "  --require-key-env V  answer 401 unless the Bearer token equals $V\n"
                    "  --seed N             fault draw seed (default 1)\n"
                    "Stops on Ctrl+C / SIGTERM and prints the number of requests served.\n";

int serve_replay(const std::vector<std::string>& argv) {
    cli::Args args(
        argv,
        {"data", "port", "latency-ms", "fault-rate", "faults", "slow-ms", "stream-chunk-ms", "retry-after", "require-key-env",
         "seed"},
        {"help"});
    if (args.has("help")) {
        std::printf("%s", kHelp);
        return 0;
    }
    const std::string path = args.require("data");
    const long long port = args.get_int("port", -1);
    if (port < 0 || port > 65535) throw cli::UsageError("--port must be given, in [0, 65535]");
    live::ReplayOptions o;
    o.latency_ms = static_cast<int>(args.get_int("latency-ms", 0));
    o.fault_rate = args.get_double("fault-rate", 0.0);
    if (o.fault_rate < 0 || o.fault_rate > 1 || o.latency_ms < 0)
        throw cli::UsageError("--fault-rate must be in [0,1], --latency-ms >= 0");
    if (auto f = args.get("faults")) {
        o.fault_kinds.clear();
        for (const auto& name : cli::split_list(*f)) {
            const auto kind = live::parse_fault(name);
            if (kind == live::Fault::None)
                throw cli::UsageError("--faults: unknown kind '" + name + "' (429,500,slow,malformed,close,401)");
            o.fault_kinds.push_back(kind);
        }
    }
    o.slow_ms = static_cast<int>(args.get_int("slow-ms", 3000));
    o.stream_chunk_ms = static_cast<int>(args.get_int("stream-chunk-ms", 0));
    if (o.stream_chunk_ms < 0) throw cli::UsageError("--stream-chunk-ms must be >= 0");
    o.retry_after_s = static_cast<int>(args.get_int("retry-after", 1));
    o.seed = static_cast<std::uint64_t>(args.get_int("seed", 1));
    if (auto env = args.get("require-key-env")) {
        const char* v = std::getenv(env->c_str());
        if (!v || !*v) throw cli::UsageError("--require-key-env: environment variable " + *env + " is not set");
        o.required_key = v;
    }
    auto loaded = data::load_file(path);
    for (const auto& w : loaded.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    auto ds = std::make_shared<const data::Dataset>(std::move(loaded.dataset));
    live::ReplayServer server(ds, o);
    server.start(static_cast<int>(port));
    std::string models;
    for (const auto& m : ds->models) models += (models.empty() ? "" : ", ") + m.name;
    std::printf("serving %zu rows (models: %s) on %s\n", ds->size(), models.c_str(), server.base_url().c_str());
    std::fflush(stdout);
    g_stop = false;
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.stop();
    std::printf("stopped after %zu requests\n", server.request_count());
    return 0;
}

}  // namespace

AUTOMIX_COMMAND(automix::cli::Command{
    "serve-replay", "OpenAI-compatible replay server on 127.0.0.1 (for demos and tests)", serve_replay});

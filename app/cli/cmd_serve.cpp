// `automix serve`: the tuned router as an OpenAI-compatible endpoint.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "app/cli/args.hpp"
#include "app/cli/command.hpp"
#include "core/live/chat_router.hpp"
#include "core/live/preflight.hpp"

namespace {

using namespace automix;

std::atomic<bool> g_stop{false};
extern "C" void on_serve_signal(int) {
    g_stop = true;
}

const char* kHelp =
    "usage: automix serve --config MODELS.json --port P [options]\n\n"
    "Serves AutoMix as an OpenAI-compatible API: POST /v1/chat/completions and GET /v1/models.\n"
    "Each request runs the live pipeline: the first model answers and verifies itself k times,\n"
    "the config's meta-verifier decides, larger models answer when escalated. The reply is a\n"
    "normal chat completion from the model that answered, with the route in an `automix` field\n"
    "and X-AutoMix-* headers. The last user message is the question; system messages and earlier\n"
    "turns are its context. `stream: true` gets the answer as server-sent events once the route\n"
    "is done. The model name chooses the routing: \"automix\" (the config's), \"automix:METHOD\",\n"
    "\"automix:METHOD:PARAMS\" (PARAMS as JSON, e.g. automix:Threshold:0.375).\n\n"
    "options:\n"
    "  --config FILE          models config (`automix eval --emit-config` writes one)\n"
    "  --port P               port (0 = any free port; the URL is printed on start)\n"
    "  --host H               address to listen on (default 127.0.0.1; other addresses are\n"
    "                         reachable from other machines: use --token-env)\n"
    "  --token-env VAR        clients must send \"Authorization: Bearer $VAR\" (the value is never logged)\n"
    "  --max-concurrent N     requests routed at once (default 64); more wait for a slot\n"
    "  --queue-timeout S      longest wait for a slot, then 503 (default: the request timeout)\n"
    "  --request-timeout S    per request, waiting included (default 120): then 504\n"
    "  --max-body-bytes N     larger request bodies get 413 (default 1048576)\n"
    "  --max-connections N    open client connections beyond which new ones get 503 (default\n"
    "                         4 x --max-concurrent, at least 256)\n"
    "  --request-log FILE     append every request as a native-format row (open it in the explorer)\n"
    "  --run-all-models F     ask every model for a fraction F in [0,1] of the requests (complete\n"
    "                         rows for retraining, in the request log); the reply stays the routed one\n"
    "  --labelled-val-share F the share of labelled requests (automix.gold) logged as val rows, the\n"
    "                         rest as train (default 0.3; unlabelled rows are logged as \"served\")\n"
    "  --cache DIR            response cache (default: none)\n"
    "  --breaker-cooldown S   after retry.breaker_threshold requests in a row failed upstream, refuse\n"
    "                         requests with 503 for S seconds (default 10)\n"
    "  --drain-timeout S      on SIGTERM/Ctrl+C wait up to S s for requests in flight (default 30)\n"
    "  --seed N               seed of the --run-all-models draw (default 1)\n"
    "  --log-prompts          the per-request log line on stderr shows the question\n"
    "  --quiet                no per-request log lines\n"
    "  --no-preflight         skip the endpoint check at start\n"
    "API keys of the models come from the environment variables named in the config.\n"
    "Exit status: 0 stopped by a signal, 2 bad options or config, 3 an endpoint failed the preflight.\n";

bool is_loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

int serve_command(const std::vector<std::string>& argv) {
    cli::Args args(argv,
                   {"config", "port", "host", "token-env", "max-concurrent", "queue-timeout", "request-timeout",
                    "max-body-bytes", "max-connections", "request-log", "run-all-models", "cache", "breaker-cooldown",
                    "drain-timeout", "seed", "labelled-val-share"},
                   {"log-prompts", "quiet", "no-preflight", "help"});
    if (args.has("help")) {
        std::printf("%s", kHelp);
        return 0;
    }
    const std::string config_path = args.require("config");
    const long long port = args.get_int("port", -1);
    if (port < 0 || port > 65535) throw cli::UsageError("--port must be given, in [0, 65535]");
    const std::string host = args.get_or("host", "127.0.0.1");
    live::ServeOptions o;
    o.max_concurrent = static_cast<int>(args.get_int("max-concurrent", 64));
    o.request_timeout_s = args.get_double("request-timeout", 120.0);
    o.queue_timeout_s = args.get_double("queue-timeout", 0.0);
    o.run_all_fraction = args.get_double("run-all-models", 0.0);
    o.labelled_val_share = args.get_double("labelled-val-share", 0.3);
    o.breaker_cooldown_s = args.get_double("breaker-cooldown", 10.0);
    o.seed = static_cast<std::uint64_t>(args.get_int("seed", 1));
    o.log_prompts = args.has("log-prompts");
    const long long max_body = args.get_int("max-body-bytes", 1 << 20);
    const double drain_s = args.get_double("drain-timeout", 30.0);
    const long long max_connections =
        args.get_int("max-connections", std::max<long long>(256, 4LL * args.get_int("max-concurrent", 64)));
    if (o.max_concurrent < 1) throw cli::UsageError("--max-concurrent must be at least 1");
    if (!(o.request_timeout_s > 0) || !(o.queue_timeout_s >= 0))
        throw cli::UsageError("--request-timeout must be positive, --queue-timeout >= 0");
    if (!(o.run_all_fraction >= 0 && o.run_all_fraction <= 1))
        throw cli::UsageError("--run-all-models must be a fraction in [0, 1]");
    if (!(o.labelled_val_share >= 0 && o.labelled_val_share <= 1))
        throw cli::UsageError("--labelled-val-share must be a fraction in [0, 1]");
    if (max_body < 1 || max_connections < 1)
        throw cli::UsageError("--max-body-bytes and --max-connections must be positive");
    if (!(drain_s >= 0) || !(o.breaker_cooldown_s >= 0))
        throw cli::UsageError("--drain-timeout and --breaker-cooldown must be >= 0");
    if (auto env = args.get("token-env")) {
        const char* v = std::getenv(env->c_str());
        if (!v || !*v) throw cli::UsageError("--token-env: environment variable " + *env + " is not set");
        o.required_token = v;
    }

    live::ModelsConfig cfg;
    std::vector<std::string> keys;
    live::PromptTemplates prompts;
    try {
        cfg = live::load_models_config(config_path);
        keys = live::resolve_api_keys(cfg);
        prompts = live::load_prompt_templates(cfg.answer_prompt_file, cfg.verify_prompt_file);
    } catch (const live::ConfigError& e) {
        std::fprintf(stderr, "automix serve: invalid models config:\n%s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "automix serve: %s\n", e.what());
        return 2;
    }
    std::shared_ptr<live::ResponseCache> cache;
    try {
        if (auto dir = args.get("cache")) {
            cache = std::make_shared<live::ResponseCache>(*dir);
            for (const auto& w : cache->warnings()) std::fprintf(stderr, "warning: %s\n", w.c_str());
        }
        if (auto log = args.get("request-log")) o.request_log = std::make_shared<live::RequestLog>(*log, cfg);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "automix serve: %s\n", e.what());
        return 2;
    }
    if (o.run_all_fraction > 0 && !o.request_log)
        std::fprintf(stderr, "warning: --run-all-models without --request-log: the complete rows are not kept\n");
    if (cfg.run_all_models)
        std::fprintf(stderr, "note: the config's run_all_models is ignored by serve; use --run-all-models F\n");
    std::mutex log_mutex;
    if (!args.has("quiet"))
        o.access_log = [&log_mutex](const std::string& line) {
            std::lock_guard lock(log_mutex);
            std::fprintf(stderr, "%s\n", line.c_str());
        };

    std::unique_ptr<live::ChatRouter> router;
    try {
        router = std::make_unique<live::ChatRouter>(cfg, keys, prompts, cache, o);
    } catch (const live::ConfigError& e) {
        std::fprintf(stderr, "automix serve: invalid models config:\n%s\n", e.what());
        return 2;
    }
    g_stop = false;
    std::signal(SIGINT, on_serve_signal);
    std::signal(SIGTERM, on_serve_signal);
    if (!args.has("no-preflight")) {
        bool ok = true;
        for (const auto& c : live::preflight(cfg, keys, &g_stop)) {
            ok = ok && c.ok;
            if (!c.ok)
                std::fprintf(stderr, "preflight %s (%s): FAILED: %s\n", c.model.c_str(), c.how.c_str(),
                             c.message.c_str());
        }
        if (!ok) {
            std::fprintf(stderr, "automix serve: an endpoint failed the preflight (--no-preflight skips it)\n");
            return 3;
        }
    }

    live::HttpServerOptions http_options;
    http_options.host = host;
    http_options.max_body_bytes = static_cast<std::size_t>(max_body);
    http_options.max_connections = static_cast<std::size_t>(max_connections);
    http_options.error_reply = [](int status, const std::string& message) {
        live::ApiError e;
        e.status = status;
        e.message = message;
        e.type = status >= 500 ? "server_error" : "invalid_request_error";
        e.code = status == 413 ? "request_too_large" : "";
        return live::error_reply(e);
    };
    live::HttpServer server([&router](const live::HttpRequest& r) { return router->handle(r); }, http_options);
    try {
        server.start(static_cast<int>(port));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "automix serve: %s\n", e.what());
        return 2;
    }
    if (!is_loopback(host))
        std::fprintf(stderr,
                     "warning: listening on %s, which other machines may reach: every request spends the API budget "
                     "of the configured models%s\n",
                     host.c_str(), o.required_token.empty() ? "; no client token is required (--token-env)" : "");
    std::string ladder;
    for (const auto& m : cfg.models) ladder += (ladder.empty() ? "" : ">") + m.name;
    const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    std::printf("serving AutoMix (routing %s, models %s) on http://%s:%d/v1\n", router->default_routing().c_str(),
                ladder.c_str(), shown_host.c_str(), server.port());
    std::fflush(stdout);
    while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::fprintf(stderr, "stopping: no new requests; waiting up to %g s for the ones in flight\n", drain_s);
    const bool drained = server.drain(drain_s);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    const auto s = router->stats();
    std::printf("stopped after %llu requests (%llu answered, %llu client errors, %llu upstream errors, %llu timeouts, "
                "%llu refused, %llu asked of every model)%s\n",
                static_cast<unsigned long long>(s.requests), static_cast<unsigned long long>(s.answered),
                static_cast<unsigned long long>(s.client_errors), static_cast<unsigned long long>(s.upstream_errors),
                static_cast<unsigned long long>(s.timeouts), static_cast<unsigned long long>(s.refused),
                static_cast<unsigned long long>(s.run_all),
                drained ? "" : "; some requests were still running at the drain timeout and were cut");
    return 0;
}

}  // namespace

AUTOMIX_COMMAND(automix::cli::Command{"serve", "serve AutoMix as an OpenAI-compatible endpoint", serve_command});

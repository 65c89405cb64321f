// `automix run`: the live AutoMix pipeline over a JSONL file of questions.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "app/cli/args.hpp"
#include "app/cli/command.hpp"
#include "core/live/live_io.hpp"
#include "core/live/models_config.hpp"
#include "core/live/pipeline.hpp"
#include "core/live/prompts.hpp"
#include "core/live/response_cache.hpp"

namespace {

using namespace automix;

std::atomic<bool> g_cancel{false};
extern "C" void on_interrupt(int) {
    g_cancel = true;
}

const char* kHelp = "usage: automix run --config MODELS.json --data IN.jsonl --out OUT.jsonl [options]\n\n"
                    "Runs AutoMix live: the first model answers, verifies itself k times, the meta-verifier\n"
                    "decides, larger models answer when escalated. Every finished call is cached, so an\n"
                    "interrupted run (Ctrl+C) restarted with the same inputs pays for nothing twice.\n\n"
                    "options:\n"
                    "  --config FILE    models config (see resources/config/models.example.json)\n"
                    "  --data FILE      JSONL input: `id` and `question` per line, optional base_ctx/context,\n"
                    "                   output/gold, dataset, split, options (plain or .gz)\n"
                    "  --out FILE       JSONL output (input fields + answers, verifier samples, scores, `live`)\n"
                    "  --cache DIR      response cache directory (default: OUT.cache)\n"
                    "  --no-cache       do not read or write a cache\n"
                    "  --limit N        only the first N rows\n"
                    "  --quiet          no progress lines\n"
                    "API keys come from the environment variables named by `api_key_env` in the config.\n";

std::string money_text(double x) {
    char b[32];
    std::snprintf(b, sizeof b, "$%.4f", x);
    return b;
}

int run_command(const std::vector<std::string>& argv) {
    cli::Args args(argv, {"config", "data", "out", "cache", "limit"}, {"no-cache", "quiet", "help"});
    if (args.has("help")) {
        std::printf("%s", kHelp);
        return 0;
    }
    const std::string config_path = args.require("config");
    const std::string data_path = args.require("data");
    const std::string out_path = args.require("out");
    const long long limit = args.get_int("limit", -1);
    const bool quiet = args.has("quiet");

    live::ModelsConfig cfg;
    std::vector<std::string> keys;
    try {
        cfg = live::load_models_config(config_path);
        keys = live::resolve_api_keys(cfg);
    } catch (const live::ConfigError& e) {
        std::fprintf(stderr, "automix run: invalid models config:\n%s\n", e.what());
        return 2;
    }
    auto prompts = live::load_prompt_templates(cfg.answer_prompt_file, cfg.verify_prompt_file);
    std::shared_ptr<live::ResponseCache> cache;
    if (!args.has("no-cache")) {
        cache = std::make_shared<live::ResponseCache>(args.get_or("cache", out_path + ".cache"));
        for (const auto& w : cache->warnings()) std::fprintf(stderr, "warning: %s\n", w.c_str());
        if (!quiet) std::fprintf(stderr, "cache %s: %zu finished calls\n", cache->file_path().c_str(), cache->size());
    }
    live::LiveInput in = live::read_live_input(data_path);
    live::prepare_model_columns(in.dataset, cfg);
    std::unique_ptr<live::Pipeline> pipeline;
    try {
        pipeline = std::make_unique<live::Pipeline>(cfg, keys, prompts, cache);
    } catch (const live::ConfigError& e) {
        std::fprintf(stderr, "automix run: invalid models config:\n%s\n", e.what());
        return 2;
    }
    data::View rows = in.dataset.all_rows();
    if (limit >= 0 && static_cast<std::size_t>(limit) < rows.size()) rows.resize(static_cast<std::size_t>(limit));

    g_cancel = false;
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    live::RunOptions options;
    options.cancel = &g_cancel;
    auto last_print = std::chrono::steady_clock::now() - std::chrono::seconds(10);
    bool printed_last = false;
    options.on_progress = [&](const live::Progress& p) {
        if (quiet) return;
        const auto now = std::chrono::steady_clock::now();
        const bool last = p.rows_done == p.rows_total;
        if (last ? printed_last : now - last_print < std::chrono::seconds(1)) return;
        printed_last = last;
        last_print = now;
        std::string calls;
        for (std::size_t j = 0; j < p.per_model.size(); ++j)
            calls += " " + cfg.models[j].name + " " + std::to_string(p.per_model[j].calls) + " (cached " +
                     std::to_string(p.per_model[j].cached) + ")";
        std::fprintf(stderr, "rows %zu/%zu (failed %zu) · calls%s · %s · %.1f s", p.rows_done, p.rows_total,
                     p.rows_failed, calls.c_str(), money_text(p.money).c_str(), p.elapsed_s);
        if (p.eta_s >= 0) std::fprintf(stderr, " · ETA %.0f s", p.eta_s);
        std::fprintf(stderr, "\n");
    };
    options.on_event = [&](const live::CallEvent& e) {
        if (!quiet && e.what != "ok")
            std::fprintf(stderr, "  %s (attempt %d): %s\n", e.label.c_str(), e.attempt, e.what.c_str());
    };
    const live::RunResult result = pipeline->run(in.dataset, rows, options);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    for (const auto& w : result.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());

    std::vector<live::RowOutcome> outcomes(in.dataset.size());
    for (std::size_t i = 0; i < rows.size(); ++i) outcomes[rows[i]] = result.rows[i];
    for (std::size_t r = rows.size(); r < outcomes.size(); ++r) outcomes[r].error = "not run (--limit)";
    live::write_live_output(out_path, in, outcomes, cfg);

    std::size_t done = 0, escalated = 0, failed = 0;
    double cost = 0, score = 0;
    std::size_t scored = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& o = result.rows[i];
        if (!o.done) {
            if (!result.cancelled || o.error != "cancelled") ++failed;
            continue;
        }
        ++done;
        if (o.final_model > 0) ++escalated;
        cost += o.cost_units;
        const double s = in.dataset.models[static_cast<std::size_t>(o.final_model)].score[rows[i]];
        if (s == s) {
            score += s;
            ++scored;
        }
    }
    std::printf("rows: %zu done, %zu failed%s, %zu escalated beyond %s\n", done, failed,
                result.cancelled ? ", run cancelled" : "", escalated, cfg.models[0].name.c_str());
    if (done) std::printf("average cost: %.4f units/query", cost / static_cast<double>(done));
    if (scored) std::printf(", average score: %.4f", score / static_cast<double>(scored));
    if (done) std::printf("\n");
    for (std::size_t j = 0; j < cfg.models.size(); ++j) {
        const auto& u = result.totals.per_model[j];
        std::printf("%s: %llu calls, %llu cached samples, %llu failed, %lld prompt + %lld completion tokens, %s\n",
                    cfg.models[j].name.c_str(), static_cast<unsigned long long>(u.calls),
                    static_cast<unsigned long long>(u.cached), static_cast<unsigned long long>(u.failed),
                    static_cast<long long>(u.prompt_tokens), static_cast<long long>(u.completion_tokens),
                    money_text(u.money).c_str());
    }
    std::printf("paid this run: %s; retries: %llu; output: %s\n", money_text(result.totals.money).c_str(),
                static_cast<unsigned long long>(result.engine.retries), out_path.c_str());
    int shown = 0;
    for (std::size_t i = 0; i < rows.size() && shown < 5; ++i)
        if (!result.rows[i].done && result.rows[i].error != "cancelled") {
            std::fprintf(stderr, "row %s: %s\n", in.dataset.id[rows[i]].c_str(), result.rows[i].error.c_str());
            ++shown;
        }
    if (result.cancelled) {
        std::fprintf(stderr, "cancelled: finished calls are cached; run the same command again to resume\n");
        return 130;
    }
    return failed ? 1 : 0;
}

}  // namespace

AUTOMIX_COMMAND(automix::cli::Command{"run", "run AutoMix live against OpenAI-compatible endpoints", run_command});

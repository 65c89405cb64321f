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
#include "core/live/preflight.hpp"
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
                    "                   output/gold, dataset, split, options (plain or .gz); ids must be unique\n"
                    "  --out FILE       JSONL output (input fields + answers, verifier samples, scores, `live`)\n"
                    "  --cache DIR      response cache directory (default: OUT.cache)\n"
                    "  --no-cache       do not read or write a cache\n"
                    "  --limit N        only the first N rows (the others are written back unchanged)\n"
                    "  --no-preflight   skip the endpoint check (GET /models or a 1-token call per model)\n"
                    "  --quiet          no progress lines\n"
                    "API keys come from the environment variables named by `api_key_env` in the config.\n"
                    "Exit status: 0 all rows done, 1 some rows failed or the run was stopped, 2 bad input\n"
                    "or config, 3 an endpoint failed the preflight, 130 cancelled.\n";

std::string money_text(double x) {
    char b[32];
    std::snprintf(b, sizeof b, "$%.4f", x);
    return b;
}

// What was done and spent; printed on every exit after the run started, failures included.
void print_summary(const live::ModelsConfig& cfg, const live::LiveInput& in, const data::View& rows,
                   const live::RunResult& result, const std::string& out_note) {
    std::size_t done = 0, escalated = 0, failed = 0;
    double cost = 0, score = 0, total_money = 0;
    std::size_t scored = 0;
    for (std::size_t i = 0; i < result.rows.size(); ++i) {
        const auto& o = result.rows[i];
        total_money += o.money;
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
                result.cancelled ? ", run cancelled" : !result.stopped.empty() ? ", run stopped" : "", escalated,
                cfg.models[0].name.c_str());
    if (done) std::printf("average cost: %.4f units/query", cost / static_cast<double>(done));
    if (scored) std::printf(", average score: %.4f", score / static_cast<double>(scored));
    if (done) std::printf("\n");
    for (std::size_t j = 0; j < cfg.models.size() && j < result.totals.per_model.size(); ++j) {
        const auto& u = result.totals.per_model[j];
        std::string extra;
        if (u.rejected) extra += ", " + std::to_string(u.rejected) + " rejected replies (billed)";
        if (u.verify_samples)
            extra += ", verifier " + std::to_string(u.verify_samples) + " samples, " +
                     std::to_string(u.verify_with_verdict) + " with a verdict";
        if (u.ignores_n) extra += ", ignores n";
        std::printf("%s: %llu calls, %llu cached samples, %llu failed, %lld prompt + %lld completion tokens, %s%s%s\n",
                    cfg.models[j].name.c_str(), static_cast<unsigned long long>(u.calls),
                    static_cast<unsigned long long>(u.cached), static_cast<unsigned long long>(u.failed),
                    static_cast<long long>(u.prompt_tokens), static_cast<long long>(u.completion_tokens),
                    money_text(u.money).c_str(), u.money_estimated > 0 ? " (part estimated)" : "", extra.c_str());
    }
    std::printf("paid this run: %s", money_text(result.totals.money).c_str());
    if (result.totals.money_estimated > 0)
        std::printf(" (%s of it estimated: replies without `usage`)", money_text(result.totals.money_estimated).c_str());
    std::printf("; cost of these rows incl. cached calls: %s; retries: %llu; output: %s\n",
                money_text(total_money).c_str(), static_cast<unsigned long long>(result.engine.retries),
                out_note.c_str());
    if (result.engine.abandoned)
        std::printf("%llu calls were in flight when the run ended: a server may bill them, and a resumed run asks "
                    "for them again\n",
                    static_cast<unsigned long long>(result.engine.abandoned));
}

int run_command(const std::vector<std::string>& argv) {
    cli::Args args(argv, {"config", "data", "out", "cache", "limit"}, {"no-cache", "no-preflight", "quiet", "help"});
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
    live::PromptTemplates prompts;
    live::LiveInput in;
    try {
        prompts = live::load_prompt_templates(cfg.answer_prompt_file, cfg.verify_prompt_file);
        in = live::read_live_input(data_path);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "automix run: %s\n", e.what());
        return 2;
    }
    live::prepare_model_columns(in.dataset, cfg);
    std::unique_ptr<live::Pipeline> pipeline;
    try {
        // Built once without the cache only to reject a bad meta-verifier before touching files.
        pipeline = std::make_unique<live::Pipeline>(cfg, keys, prompts, nullptr);
    } catch (const live::ConfigError& e) {
        std::fprintf(stderr, "automix run: invalid models config:\n%s\n", e.what());
        return 2;
    }
    // Where the results go is checked before anything is paid for.
    std::shared_ptr<live::ResponseCache> cache;
    try {
        live::check_output_writable(out_path);
        if (!args.has("no-cache")) {
            cache = std::make_shared<live::ResponseCache>(args.get_or("cache", out_path + ".cache"));
            for (const auto& w : cache->warnings()) std::fprintf(stderr, "warning: %s\n", w.c_str());
            if (!quiet)
                std::fprintf(stderr, "cache %s: %zu finished calls\n", cache->file_path().c_str(), cache->size());
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "automix run: %s (nothing was called)\n", e.what());
        return 2;
    }
    pipeline = std::make_unique<live::Pipeline>(cfg, keys, prompts, cache);
    data::View rows = in.dataset.all_rows();
    if (limit >= 0 && static_cast<std::size_t>(limit) < rows.size()) rows.resize(static_cast<std::size_t>(limit));

    g_cancel = false;
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    if (!args.has("no-preflight") && !rows.empty()) {
        const auto checks = live::preflight(cfg, keys, &g_cancel);
        bool ok = true;
        for (const auto& c : checks) {
            ok = ok && c.ok;
            if (!quiet || !c.ok)
                std::fprintf(stderr, "preflight %s (%s, %.2f s): %s%s\n", c.model.c_str(), c.how.c_str(), c.seconds,
                             c.ok ? "ok, " : "FAILED: ", c.message.c_str());
        }
        if (!ok || g_cancel) {
            std::signal(SIGINT, SIG_DFL);
            std::signal(SIGTERM, SIG_DFL);
            std::fprintf(stderr, "automix run: %s; no row was run, nothing paid beyond the checks "
                                 "(--no-preflight skips them)\n",
                         g_cancel ? "cancelled during the preflight" : "an endpoint failed the preflight");
            return g_cancel ? 130 : 3;
        }
    }

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
    for (std::size_t r = rows.size(); r < outcomes.size(); ++r) outcomes[r].skipped = true;
    std::string write_error;
    try {
        live::write_live_output(out_path, in, outcomes, cfg);
    } catch (const std::exception& e) {
        write_error = e.what();
    }
    print_summary(cfg, in, rows, result, write_error.empty() ? out_path : "NOT WRITTEN");
    if (!result.stopped.empty()) std::fprintf(stderr, "automix run: %s\n", result.stopped.c_str());
    int shown = 0;
    std::size_t failed = 0;
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (!result.rows[i].done && result.rows[i].error != "cancelled") {
            ++failed;
            if (shown < 5 && result.stopped.empty()) {
                std::fprintf(stderr, "row %s: %s\n", std::string(in.dataset.id[rows[i]]).c_str(), result.rows[i].error.c_str());
                ++shown;
            }
        }
    if (!write_error.empty()) {
        std::fprintf(stderr, "automix run: cannot write the output: %s (the calls are in the cache; fix the path and "
                             "run again to write it without paying)\n",
                     write_error.c_str());
        return 1;
    }
    if (result.cancelled) {
        std::fprintf(stderr, "cancelled: finished calls are cached; run the same command again to resume\n");
        return 130;
    }
    return failed ? 1 : 0;
}

}  // namespace

AUTOMIX_COMMAND(automix::cli::Command{"run", "run AutoMix live against OpenAI-compatible endpoints", run_command});

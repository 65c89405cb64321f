// `automix eval`: train every meta-verifier on each dataset's train split, evaluate on val,
// print a table and write the JSON report (automix-oracle-v1) and optionally a CSV.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/cli/args.hpp"
#include "app/cli/command.hpp"
#include "app/cli/emit_config.hpp"
#include "core/data/reader.hpp"
#include "core/eval/protocol.hpp"
#include "core/eval/report_json.hpp"
#include "core/eval/router_scores.hpp"
#include "core/routing/method.hpp"

namespace {

const char* const kUsage = "usage: automix eval --data FILE [--datasets a,b] [--methods X,Y] [--protocol full|paper]\n"
                           "                    [--seeds 10] [--train-rows 1000] [--costs 1,50] [--verifier-cost 1]\n"
                           "                    [--num-bins 8] [--skip-bad-lines] [--json OUT] [--csv OUT]\n"
                           "                    [--no-candidates] [--quiet] [--list-methods]\n"
                           "                    [--router-scores FILE[:NAME[:high|low]]]\n"
                           "                    [--emit-config MODELS.json [--config-base BASE.json]]\n\n"
                           "Trains each routing method (meta-verifier) on every dataset's train split and evaluates\n"
                           "it on the val split (docs/method.md sections 4-6).\n\n"
                           "  --data FILE        release or native JSONL, plain or .gz\n"
                           "  --datasets LIST    comma list of dataset names (default: all in the file)\n"
                           "  --methods LIST     comma list of methods, case-insensitive, snake_case aliases work\n"
                           "                     (default: all; FixedAnswerRouting(X) only on qasper)\n"
                           "  --protocol P       full: train on the whole train split (deterministic, default);\n"
                           "                     paper: --seeds seeds x --train-rows rows sampled like pandas\n"
                           "                     DataFrame.sample(n, random_state=seed), mean +- std of val lifts\n"
                           "  --costs LIST       call cost per model, cheapest first (default: from the file,\n"
                           "                     release format 1,50)\n"
                           "  --verifier-cost C  cost of one self-verification pass (default: from the file, 1)\n"
                           "  --num-bins N       confidence bins (default 8)\n"
                           "  --skip-bad-lines   skip malformed lines (reported) instead of stopping\n"
                           "  --json OUT         write the report (automix-oracle-v1 + extra fields)\n"
                           "  --csv OUT          write one line per dataset x method\n"
                           "  --no-candidates    leave the per-candidate train/val curves out of the JSON\n"
                           "  --quiet            do not print the table\n"
                           "  --list-methods     print the method names and exit\n"
                           "  --router-scores S  also evaluate an external router's scores (CSV/JSONL keyed by id)\n"
                           "                     as the threshold method ExternalRouter(NAME) (README)\n"
                           "  --emit-config OUT  write a models config that runs the trained method live with the\n"
                           "                     reported parameters (one method and one dataset; `automix run`)\n"
                           "  --config-base F    models config whose endpoints, prices and options OUT keeps\n"
                           "                     (default: a template for `automix serve-replay --port 8431`)\n";

// The trained routing of the only dataset x method as a models config for `automix run`.
void emit_config(const automix::cli::Args& args, const automix::eval::Report& report, const automix::data::Dataset& ds,
                 const automix::eval::EvalOptions& options, const std::string& out) {
    using automix::cli::UsageError;
    if (report.datasets.size() != 1 || report.datasets[0].methods.size() != 1)
        throw UsageError("--emit-config: needs exactly one dataset and one method (--datasets X --methods Y); this "
                         "run has " +
                         std::to_string(report.datasets.size()) + " datasets and " +
                         std::to_string(report.datasets.empty() ? 0 : report.datasets[0].methods.size()) + " methods");
    const auto& m = report.datasets[0].methods[0];
    if (const auto method = automix::routing::find_method(m.key); method && !method->offline_only().empty())
        throw UsageError("--emit-config: " + m.key + " cannot route a live run: " + method->offline_only());
    if (!m.ok) throw UsageError("--emit-config: " + m.key + " did not train: " + m.error);
    if (m.best.is_null())
        throw UsageError("--emit-config: the paper protocol reports no single parameter; use --protocol full");
    automix::cli::emit_routing_config(args, ds, report.datasets[0].train_rows, m.key, m.best, options.config, out,
                                      report.datasets[0].name);
}

// Never destroyed (see run_eval). Volatile, so the stores stay and LSan sees both as reachable.
automix::data::LoadResult* volatile kept_data = nullptr;
automix::eval::Report* volatile kept_report = nullptr;

int run_eval(const std::vector<std::string>& argv) {
    using automix::cli::Args;
    using automix::cli::UsageError;
    namespace eval = automix::eval;
    const Args args(argv,
                    {"data", "datasets", "methods", "protocol", "seeds", "train-rows", "costs", "verifier-cost",
                     "num-bins", "json", "csv", "router-scores", "emit-config", "config-base"},
                    {"help", "skip-bad-lines", "no-candidates", "quiet", "list-methods"});
    if (args.has("help")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (args.has("list-methods")) {
        for (const auto& m : automix::routing::all_methods()) {
            std::string aliases;
            for (const auto& a : m->aliases()) aliases += (aliases.empty() ? "" : ", ") + a;
            std::printf("%-38s %s\n", m->name().c_str(), aliases.c_str());
        }
        return 0;
    }
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");

    eval::EvalOptions options;
    const std::string protocol = args.get_or("protocol", "full");
    if (protocol == "full")
        options.protocol = eval::Protocol::Full;
    else if (protocol == "paper")
        options.protocol = eval::Protocol::Paper;
    else
        throw UsageError("option --protocol: expected 'full' or 'paper', got '" + protocol + "'");
    const long long seeds = args.get_int("seeds", 10);
    const long long train_rows = args.get_int("train-rows", 1000);
    const long long num_bins = args.get_int("num-bins", 8);
    if (seeds < 1 || seeds > 100000) throw UsageError("option --seeds: expected a positive integer");
    if (train_rows < 1) throw UsageError("option --train-rows: expected a positive integer");
    if (num_bins < 1 || num_bins > 200) throw UsageError("option --num-bins: expected 1..200");
    options.seeds = static_cast<int>(seeds);
    options.train_rows = static_cast<std::size_t>(train_rows);
    options.config.num_bins = static_cast<int>(num_bins);
    if (auto d = args.get("datasets")) options.datasets = automix::cli::split_list(*d);
    if (auto m = args.get("methods")) {
        options.methods = automix::cli::split_list(*m);
        try {
            (void)eval::resolve_methods(options.methods);
        } catch (const std::invalid_argument& e) {
            throw UsageError(std::string("option --methods: ") + e.what());
        }
    }
    options.keep_train_candidates = !args.has("no-candidates");
    options.val_curves = true;
    const std::string path = args.require("data");

    automix::data::LoadOptions load_options;
    load_options.skip_bad_lines = args.has("skip-bad-lines");
    load_options.content_sha256 = true;  // from the bytes read: a pipe cannot be opened twice
    const auto load_start = std::chrono::steady_clock::now();
    // The data and the report live until the process ends and are not destroyed: the process
    // exits right after writing, and handing millions of rows' strings back one by one took
    // longer than writing the report (reachable from a global, so leak checkers stay quiet).
    kept_data = new automix::data::LoadResult(automix::data::load_file(path, load_options));
    automix::data::LoadResult& loaded = *kept_data;
    const double load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
    using automix::cli::terminal_safe;
    for (const auto& w : loaded.warnings) std::fprintf(stderr, "warning: %s\n", terminal_safe(w).c_str());
    for (const auto& p : loaded.problems) std::fprintf(stderr, "skipped: %s\n", terminal_safe(p.to_string()).c_str());
    if (loaded.bad_lines > loaded.problems.size())
        std::fprintf(stderr, "skipped %zu bad lines in all\n", loaded.bad_lines);
    const automix::data::Dataset& ds = loaded.dataset;

    options.config.call_costs.clear();
    for (const auto& m : ds.models) options.config.call_costs.push_back(m.call_cost);
    options.config.verifier_cost = ds.verifier_cost;
    if (auto c = args.get("costs")) {
        options.config.call_costs = automix::cli::number_list("costs", *c, 2);
        if (options.config.call_costs.size() != 2 && options.config.call_costs.size() != ds.models.size())
            throw UsageError("option --costs: expected 2 or " + std::to_string(ds.models.size()) +
                             " costs for this file's models");
    }
    // The file's own costs were checked when it was read; this is about the option only.
    options.config.verifier_cost = args.get_double("verifier-cost", options.config.verifier_cost);
    if (args.get("verifier-cost") &&
        !(options.config.verifier_cost >= 0 && std::isfinite(options.config.verifier_cost)))
        throw UsageError("option --verifier-cost: expected a non-negative number");

    // External router scores become one more method (core/eval/router_scores.hpp).
    if (auto spec = args.get("router-scores")) {
        const eval::ImportedRouter imported = eval::import_router_scores(*spec, ds);
        std::fprintf(stderr, "%s: %s\n", terminal_safe(imported.method->name()).c_str(),
                     terminal_safe(imported.coverage.summary()).c_str());
        if (!options.methods.empty()) options.methods.push_back(imported.method->name());
    }

    kept_report = new eval::Report();
    eval::Report& report = *kept_report;
    try {
        report = eval::run_evaluation(ds, options);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    report.input_path = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
    report.input_sha256 = loaded.content_sha256;
    for (const auto& w : report.warnings) std::fprintf(stderr, "warning: %s\n", terminal_safe(w).c_str());
    report.warnings.insert(report.warnings.begin(), loaded.warnings.begin(), loaded.warnings.end());

    const bool json_to_stdout = args.get_or("json", "") == "-";
    for (const auto& d : report.datasets)
        for (const auto& w : d.warnings)
            std::fprintf(stderr, "warning: %s: %s\n", terminal_safe(d.name).c_str(), terminal_safe(w).c_str());
    if (!args.has("quiet")) {
        const std::string table = terminal_safe(eval::report_to_table(report));
        std::fputs(table.c_str(), json_to_stdout ? stderr : stdout);
    }
    if (auto out = args.get("json")) automix::cli::write_output(*out, eval::report_to_json_text(report, ds, 1) + "\n");
    if (auto out = args.get("csv")) automix::cli::write_output(*out, eval::report_to_csv(report));

    if (auto out = args.get("emit-config")) emit_config(args, report, ds, options, *out);

    std::size_t failed = 0;
    for (const auto& d : report.datasets)
        for (const auto& m : d.methods) failed += m.ok ? 0 : 1;
    if (failed) std::fprintf(stderr, "%zu dataset x method runs failed (see the table / report)\n", failed);
    std::fprintf(stderr, "evaluated %zu rows in %.3f s (loaded in %.3f s)\n", ds.size(), report.seconds, load_seconds);
    return 0;
}

}  // namespace

AUTOMIX_COMMAND(automix::cli::Command{
    "eval", "train and evaluate the routing methods on a file (table, JSON report, CSV)", run_eval});

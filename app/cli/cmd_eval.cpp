// `automix eval`: train every meta-verifier on each dataset's train split, evaluate on val,
// print a table and write the JSON report (automix-oracle-v1) and optionally a CSV.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "app/cli/args.hpp"
#include "app/cli/command.hpp"
#include "app/cli/eval_session.hpp"
#include "core/data/json_parse.hpp"
#include "app/cli/emit_config.hpp"
#include "core/data/reader.hpp"
#include "core/eval/compare.hpp"
#include "core/eval/protocol.hpp"
#include "core/eval/report_json.hpp"
#include "core/eval/router_scores.hpp"
#include "core/io/atomic_file.hpp"
#include "core/live/models_config.hpp"
#include "core/routing/method.hpp"

namespace {

const char* const kUsage = "usage: automix eval --data FILE [--datasets a,b] [--methods X,Y] [--protocol full|paper]\n"
                           "                    [--seeds 10] [--train-rows 1000] [--costs 1,50] [--verifier-cost 1]\n"
                           "                    [--num-bins 8] [--skip-bad-lines] [--json OUT] [--csv OUT]\n"
                           "                    [--no-candidates] [--all-metrics] [--quiet] [--list-methods]\n"
                           "                    [--router-scores FILE[:NAME[:high|low]]]\n"
                           "                    [--emit-config MODELS.json [--config-base BASE.json]]\n"
                           "                    [--compare A,B]\n"
                           "       automix eval --session FILE [--data FILE] [--ignore-hash] [--json OUT]\n\n"
                           "Trains each routing method (meta-verifier) on every dataset's train split and evaluates\n"
                           "it on the val split (docs/method.md sections 4-6).\n\n"
                           "  --data FILE        a data file in a format of `automix formats`, plain or .gz\n"
                           "  --datasets LIST    comma list of dataset names (default: all in the file)\n"
                           "  --methods LIST     comma list of methods, case-insensitive, snake_case aliases work\n"
                           "                     (default: the paper's set, see --list-methods; FixedAnswerRouting(X)\n"
                           "                     only on qasper)\n"
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
                           "  --all-metrics      also write the metrics added after automix-oracle-v1 (calls per\n"
                           "                     query, ...) to the JSON and CSV (config.metrics = \"all\")\n"
                           "  --quiet            do not print the table\n"
                           "  --list-methods     print the method names and exit\n"
                           "  --router-scores S  also evaluate an external router's scores (CSV/JSONL keyed by id)\n"
                           "                     as the threshold method ExternalRouter(NAME) (README)\n"
                           "  --emit-config OUT  write a models config that runs the trained method live with the\n"
                           "                     reported parameters (one method and one dataset; `automix run`)\n"
                           "  --config-base F    models config whose endpoints, prices and options OUT keeps\n"
                           "                     (default: a template for `automix serve-replay --port 8431`)\n"
                           "  --compare A,B      compare two routings on each dataset's val rows instead: A and B\n"
                           "                     are method names, each optionally with its parameters as JSON\n"
                           "                     (Threshold@0.375); without, trained on the train split. Prints\n"
                           "                     the counts (both escalate / only A / only B / neither, and how\n"
                           "                     many of each the oracle escalates); --csv writes one line per\n"
                           "                     row where A and B decide differently\n";

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

// "A,B" split at the comma that is outside any JSON brackets or strings ("X@[0,1],Y").
std::pair<std::string, std::string> split_pair(const std::string& text) {
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '\\') ++i;
            else if (c == '"') quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == '[' || c == '{') {
            ++depth;
        } else if (c == ']' || c == '}') {
            --depth;
        } else if (c == ',' && depth == 0) {
            return {text.substr(0, i), text.substr(i + 1)};
        }
    }
    throw automix::cli::UsageError("option --compare: expected two routings A,B, got '" + text + "'");
}

// `--compare A,B`: both routings on every dataset's val rows (trained on its train rows when
// no parameters are given), the four counts, and the rows where they differ.
int run_compare(const automix::cli::Args& args, const automix::data::Dataset& ds,
                const automix::eval::EvalOptions& options, const std::string& spec) {
    namespace eval = automix::eval;
    using automix::cli::UsageError;
    const auto [a_text, b_text] = split_pair(spec);
    eval::RoutingChoice a, b;
    try {
        a = eval::parse_routing_choice(a_text);
        b = eval::parse_routing_choice(b_text);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("option --compare: ") + e.what());
    }
    std::vector<eval::DatasetComparison> all;
    for (std::size_t d = 0; d < ds.dataset_names.size(); ++d) {
        const std::string& name = ds.dataset_names[d];
        if (!options.datasets.empty() &&
            std::find(options.datasets.begin(), options.datasets.end(), name) == options.datasets.end())
            continue;
        const auto train = ds.measured(ds.rows(static_cast<int>(d), automix::data::Split::Train));
        const auto val = ds.measured(ds.rows(static_cast<int>(d), automix::data::Split::Val));
        if (val.empty()) continue;
        try {
            all.push_back(eval::compare_on(ds, name, train, val, a, b, options.config));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "compare: %s: %s\n", name.c_str(), e.what());
        }
    }
    if (all.empty()) throw UsageError("option --compare: no dataset could be compared");
    if (!args.has("quiet")) {
        std::printf("A = %s, B = %s (val rows; oracle = a larger model scores higher)\n", a.label().c_str(),
                    b.label().c_str());
        std::printf("%-14s %6s %16s %16s %16s %16s\n", "dataset", "rows", "both (oracle)", "only A (oracle)",
                    "only B (oracle)", "neither (oracle)");
        for (const auto& c : all) {
            const auto& n = c.counts;
            auto cell = [](std::size_t x, std::size_t o) { return std::to_string(x) + " (" + std::to_string(o) + ")"; };
            std::printf("%-14s %6zu %16s %16s %16s %16s\n", c.dataset.c_str(), n.total(),
                        cell(n.both, n.oracle_both).c_str(), cell(n.only_a, n.oracle_only_a).c_str(),
                        cell(n.only_b, n.oracle_only_b).c_str(), cell(n.neither, n.oracle_neither).c_str());
            std::printf("%-14s A: %s · B: %s\n", "", c.a.description.c_str(), c.b.description.c_str());
        }
    }
    if (auto out = args.get("csv")) automix::cli::write_output(*out, eval::to_csv(eval::disagreement_table(ds, all)));
    if (auto out = args.get("json")) {
        nlohmann::json j = nlohmann::json::array();
        const eval::DataTable t = eval::compare_counts_table(all);
        for (const auto& row : t.rows) {
            nlohmann::json line;
            for (std::size_t i = 0; i < t.columns.size(); ++i) {
                if (const double* x = std::get_if<double>(&row[i]))
                    line[t.columns[i]] = *x;
                else
                    line[t.columns[i]] = std::get<std::string>(row[i]);
            }
            j.push_back(line);
        }
        automix::cli::write_output(*out, j.dump(2) + "\n");
    }
    return 0;
}

// Never destroyed (see run_eval). Volatile, so the stores stay and LSan sees both as reachable.
automix::data::LoadResult* volatile kept_data = nullptr;
automix::eval::Report* volatile kept_report = nullptr;

int run_eval(const std::vector<std::string>& argv) {
    using automix::cli::Args;
    using automix::cli::UsageError;
    namespace eval = automix::eval;
    if (automix::cli::wants_session_eval(argv)) return automix::cli::run_session_eval(argv);
    const Args args(argv,
                    {"data", "datasets", "methods", "protocol", "seeds", "train-rows", "costs", "verifier-cost",
                     "num-bins", "json", "csv", "router-scores", "emit-config", "config-base", "compare"},
                    {"help", "skip-bad-lines", "no-candidates", "all-metrics", "quiet", "list-methods"});
    if (args.has("help")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (args.has("list-methods")) {
        for (const auto& m : automix::routing::all_methods()) {
            std::string aliases;
            for (const auto& a : m->aliases()) aliases += (aliases.empty() ? "" : ", ") + a;
            const automix::routing::Capabilities c = m->capabilities();
            std::string notes = c.role == automix::routing::Role::Baseline    ? "baseline"
                                : c.role == automix::routing::Role::Reference ? "reference"
                                                                              : "";
            if (!c.in_default_set) notes += std::string(notes.empty() ? "" : "; ") + "only when named";
            if (!notes.empty()) notes = "  [" + notes + "]";
            std::printf("%-38s %s%s\n", m->name().c_str(), aliases.c_str(), notes.c_str());
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
    options.all_metrics = args.has("all-metrics");
    // Every candidate scored on val feeds only the JSON report and the CSV (AIQ, call-%, Pareto);
    // the table does without, and on a million rows the scoring is about half of the evaluation.
    options.val_curves = args.has("json") || args.has("csv");
    const std::string path = args.require("data");

    automix::data::LoadOptions load_options;
    load_options.skip_bad_lines = args.has("skip-bad-lines");
    // Only the JSON report names the input's SHA-256; it is taken from the bytes as they are read
    // (a pipe cannot be opened twice), at ~1.4 GB/s on the reading thread, so not without a reader.
    load_options.content_sha256 = args.has("json");
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

    options.config = automix::routing::Config::for_dataset(ds);
    options.config.num_bins = static_cast<int>(num_bins);
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

    if (auto spec = args.get("compare")) return run_compare(args, ds, options, *spec);
    // The JSON report is written while the datasets are evaluated, each dataset's part as soon as
    // it is done; then its details are dropped (the table, the CSV and --emit-config need only the
    // figures and the chosen parameters), so
    // memory holds one dataset's candidates, not the whole report's.
    eval::Report head;
    head.input_path = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
    head.input_sha256 = loaded.content_sha256;
    head.n_rows = ds.size();
    head.options = options;
    head.warnings = loaded.warnings;
    const auto cost_warnings = eval::cost_warnings(options.config.call_costs, options.config.verifier_cost);
    head.warnings.insert(head.warnings.end(), cost_warnings.begin(), cost_warnings.end());
    std::unique_ptr<automix::io::AtomicFile> json_file;
    std::unique_ptr<eval::ReportJsonStream> json;
    if (auto out = args.get("json")) {
        json_file = std::make_unique<automix::io::AtomicFile>(*out);
        json = std::make_unique<eval::ReportJsonStream>(
            head, ds, 1, [file = json_file.get()](std::string_view piece) { file->write(piece); });
    }

    options.method_extras = json != nullptr;  // only the JSON report shows them
    options.stream_extra_rows = true;  // the JSON report is written as it goes
    kept_report = new eval::Report();
    eval::Report& report = *kept_report;
    try {
        report = eval::run_evaluation(ds, options, {}, [&](eval::DatasetReport& d) {
            if (json) json->dataset(d);
            eval::drop_details(d);
        });
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    report.input_path = head.input_path;
    report.input_sha256 = head.input_sha256;
    report.warnings = head.warnings;
    for (const auto& w : cost_warnings) std::fprintf(stderr, "warning: %s\n", terminal_safe(w).c_str());
    if (json) {
        json->finish(report.seconds);
        json_file->write("\n");
        json_file->commit();
    }

    const bool json_to_stdout = args.get_or("json", "") == "-";
    for (const auto& d : report.datasets)
        for (const auto& w : d.warnings)
            std::fprintf(stderr, "warning: %s: %s\n", terminal_safe(d.name).c_str(), terminal_safe(w).c_str());
    if (!args.has("quiet")) {
        const std::string table = terminal_safe(eval::report_to_table(report));
        std::fputs(table.c_str(), json_to_stdout ? stderr : stdout);
    }
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

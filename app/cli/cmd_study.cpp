// `automix study NAME`: the paper's analyses (core/study) from the command line: a short
// text summary on stdout, the full result as JSON (--json) and the table as CSV (--csv).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "app/cli/args.hpp"
#include "app/cli/command.hpp"
#include "core/data/reader.hpp"
#include "core/eval/protocol.hpp"
#include "core/eval/router_scores.hpp"
#include "core/study/study.hpp"

namespace {

using automix::cli::UsageError;
namespace study = automix::study;

std::string usage() {
    std::string u = "usage: automix study NAME --data FILE [options] [--json OUT] [--csv OUT]\n\n"
                    "Runs one of the AutoMix paper's analyses on a file (train on train splits, evaluate\n"
                    "on val, as `automix eval` does, under varied settings).\n\nStudies:\n";
    for (const auto& s : study::study_infos()) {
        char line[256];
        std::snprintf(line, sizeof line, "  %-11s %s\n", s.name.c_str(), s.summary.c_str());
        u += line;
    }
    u += "\nCommon options:\n"
         "  --data FILE            a data file in a format of `automix formats`, plain or .gz\n"
         "  --datasets LIST        comma list of dataset names (default: all)\n"
         "  --methods LIST         comma list of methods (default: every trained method;\n"
         "                         FixedAnswerRouting(X) only on qasper)\n"
         "  --costs LIST           call cost per model, cheapest first (default: from the file)\n"
         "  --verifier-cost C      cost of one verification pass (default: from the file)\n"
         "  --num-bins N           confidence bins (default 8)\n"
         "  --router-scores SPEC   add an external router: FILE[:NAME[:high|low]] (README)\n"
         "  --skip-bad-lines       skip malformed lines of --data instead of stopping\n"
         "  --json OUT             write the whole result ('-' = stdout)\n"
         "  --csv OUT              write the result table ('-' = stdout)\n"
         "  --quiet                no summary on stdout\n"
         "Study options:\n"
         "  cost-ratio   --ratios LIST      large:small ratios (default 2,5,10,20,50,100,200,500,1000,2000)\n"
         "  train-size   --sizes LIST       training rows, 'all' = whole split\n"
         "                                  (default 10,25,50,100,250,500,1000,all)\n"
         "               --seeds N          seeds per size (default 10)\n"
         "  transfer     (common options only)\n"
         "  samples      --k LIST           verifier samples per query, 'all' = every one\n"
         "                                  (default 1,2,4,8,16,32); --seeds N (default 5;\n"
         "                                  seed 0 = first k samples, others drawn by seed)\n"
         "  seeds        --seeds N (10) --train-rows N (1000) --bootstrap B (1000)\n"
         "               --confidence C (0.95)\n"
         "  latency      --latency LIST     seconds per call of each model, cheapest first\n"
         "               --verifier-latency S  seconds per verification pass\n";
    return u;
}

std::vector<std::size_t> parse_counts(const std::string& option, const std::string& text) {
    std::vector<std::size_t> out;
    for (const double v : automix::cli::number_list(option, text, 1, 0.0)) {
        if (v != std::floor(v)) throw UsageError("option --" + option + ": expected whole numbers or 'all'");
        out.push_back(static_cast<std::size_t>(v));
    }
    return out;
}

std::string fmt(double x, const char* f = "%.3f") {
    if (!std::isfinite(x)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, f, x);
    return buf;
}

// A compact readable summary: one block per chart group, one line per series.
std::string summary(const study::StudyResult& r) {
    std::string out = r.title + "\n";
    if (r.chart == study::ChartKind::HeatMap) {
        for (const auto& m : r.matrices) {
            out += "\n" + m.name + " (rows: trained on, columns: evaluated on)\n" + std::string(14, ' ');
            for (const auto& c : m.col_labels) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%13.13s", c.c_str());
                out += buf;
            }
            out += "\n";
            for (std::size_t a = 0; a < m.row_labels.size(); ++a) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%-14.14s", m.row_labels[a].c_str());
                out += buf;
                for (const double v : m.values[a]) {
                    std::snprintf(buf, sizeof buf, "%13s", fmt(v).c_str());
                    out += buf;
                }
                out += "\n";
            }
        }
    } else {
        for (const auto& g : r.groups()) {
            out += "\n" + (g.empty() ? r.y_label : g + " — " + r.y_label) + " by " + r.x_label + "\n";
            for (const auto& s : r.series) {
                if (s.group != g) continue;
                char buf[64];
                std::snprintf(buf, sizeof buf, "  %-36.36s", s.name.c_str());
                out += buf;
                for (const auto& p : s.points) {
                    if (r.chart == study::ChartKind::Scatter) {
                        out += " cost " + fmt(p.x) + "  " + r.y_label + " " + fmt(p.y.value);
                        continue;
                    }
                    const std::string x = p.label.empty() ? fmt(p.x, "%g") : p.label;
                    out += " " + x + ":" + fmt(p.y.value);
                    if (std::isfinite(p.y.lo))
                        out += "[" + fmt(p.y.lo) + "," + fmt(p.y.hi) + "]";
                    else if (std::isfinite(p.y.std) && p.y.std > 0)
                        out += "±" + fmt(p.y.std);
                }
                out += "\n";
            }
        }
    }
    for (const auto& w : r.warnings) out += "warning: " + w + "\n";
    return out;
}

int run_study_command(const std::vector<std::string>& argv) {
    const automix::cli::Args args(argv,
                                  {"data", "datasets", "methods", "costs", "verifier-cost", "num-bins", "router-scores",
                                   "json", "csv", "ratios", "sizes", "seeds", "k", "train-rows", "bootstrap",
                                   "confidence", "latency", "verifier-latency"},
                                  {"help", "skip-bad-lines", "quiet"});
    if (args.has("help") || args.positional().empty()) {
        std::fputs(usage().c_str(), args.has("help") ? stdout : stderr);
        return args.has("help") ? 0 : 2;
    }
    if (args.positional().size() > 1) throw UsageError("unexpected argument '" + args.positional()[1] + "'");
    study::StudyRequest rq;
    rq.study = args.positional()[0];
    const auto names = study::study_names();
    if (std::find(names.begin(), names.end(), rq.study) == names.end()) {
        std::string known;
        for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
        throw UsageError("unknown study '" + rq.study + "' (known: " + known + ")");
    }
    if (rq.study == "samples") rq.seeds = 5;
    if (auto v = args.get("datasets")) rq.datasets = automix::cli::split_list(*v);
    if (auto v = args.get("methods")) rq.methods = automix::cli::split_list(*v);
    const long long bins = args.get_int("num-bins", 8);
    if (bins < 1 || bins > 200) throw UsageError("option --num-bins: expected 1..200");
    rq.config.num_bins = static_cast<int>(bins);
    if (auto v = args.get("ratios")) rq.cost_ratios = automix::cli::number_list("ratios", *v);
    if (auto v = args.get("sizes")) rq.train_sizes = parse_counts("sizes", *v);
    if (auto v = args.get("k")) {
        rq.sample_counts.clear();
        for (const auto k : parse_counts("k", *v)) rq.sample_counts.push_back(static_cast<int>(k));
    }
    const long long seeds = args.get_int("seeds", rq.seeds);
    if (seeds < 1 || seeds > 10000) throw UsageError("option --seeds: expected 1..10000");
    rq.seeds = static_cast<int>(seeds);
    const long long train_rows = args.get_int("train-rows", 1000);
    if (train_rows < 1) throw UsageError("option --train-rows: expected a positive integer");
    rq.train_rows = static_cast<std::size_t>(train_rows);
    const long long boot = args.get_int("bootstrap", 1000);
    if (boot < 0 || boot > 1000000) throw UsageError("option --bootstrap: expected 0..1000000");
    rq.bootstrap = static_cast<int>(boot);
    rq.confidence = args.get_double("confidence", 0.95);
    if (auto v = args.get("latency")) rq.model_latency = automix::cli::number_list("latency", *v);
    if (auto v = args.get("verifier-latency"))
        rq.verifier_latency = automix::cli::number_list("verifier-latency", *v).front();
    if (rq.study == "latency" && (rq.model_latency.empty() || std::isnan(rq.verifier_latency)))
        throw UsageError("the latency study needs --latency (seconds per call of each model) and --verifier-latency");

    automix::data::LoadOptions load_options;
    load_options.skip_bad_lines = args.has("skip-bad-lines");
    const automix::data::LoadResult loaded = automix::data::load_file(args.require("data"), load_options);
    using automix::cli::terminal_safe;
    for (const auto& w : loaded.warnings) std::fprintf(stderr, "warning: %s\n", terminal_safe(w).c_str());
    for (const auto& p : loaded.problems) std::fprintf(stderr, "skipped: %s\n", terminal_safe(p.to_string()).c_str());
    const automix::data::Dataset& ds = loaded.dataset;

    rq.config = automix::routing::Config::for_dataset(ds);
    rq.config.num_bins = static_cast<int>(bins);
    if (auto v = args.get("costs")) {
        rq.config.call_costs = automix::cli::number_list("costs", *v);
        if (rq.config.call_costs.size() != 2 && rq.config.call_costs.size() != ds.models.size())
            throw UsageError("option --costs: expected 2 or " + std::to_string(ds.models.size()) + " costs");
    }
    // The file's own costs were checked when it was read; this is about the option only.
    rq.config.verifier_cost = args.get_double("verifier-cost", rq.config.verifier_cost);
    if (args.get("verifier-cost") && !(rq.config.verifier_cost >= 0 && std::isfinite(rq.config.verifier_cost)))
        throw UsageError("option --verifier-cost: expected a non-negative number");
    const auto suspect_costs = automix::eval::cost_warnings(rq.config.call_costs, rq.config.verifier_cost);
    for (const auto& w : suspect_costs) std::fprintf(stderr, "warning: %s\n", terminal_safe(w).c_str());

    if (auto spec = args.get("router-scores")) {
        const auto imported = automix::eval::import_router_scores(*spec, ds);
        std::fprintf(stderr, "%s: %s\n", terminal_safe(imported.method->name()).c_str(),
                     terminal_safe(imported.coverage.summary()).c_str());
        if (!rq.methods.empty()) rq.methods.push_back(imported.method->name());
    }
    if (!rq.methods.empty()) {
        try {
            for (const auto& m : rq.methods)
                if (!automix::routing::find_method(m)) throw std::invalid_argument("unknown method '" + m + "'");
        } catch (const std::invalid_argument& e) {
            throw UsageError(std::string("option --methods: ") + e.what());
        }
    }

    study::StudyControl control;
    study::StudyResult result;
    try {
        result = study::run_study(ds, rq, control);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    const bool stdout_taken = args.get_or("json", "") == "-" || args.get_or("csv", "") == "-";
    if (!args.has("quiet")) std::fputs(terminal_safe(summary(result)).c_str(), stdout_taken ? stderr : stdout);
    // The report carries the input's and the costs' warnings too (printed above already), ahead of the study's own.
    std::vector<std::string> warnings = loaded.warnings;
    warnings.insert(warnings.end(), suspect_costs.begin(), suspect_costs.end());
    result.warnings.insert(result.warnings.begin(), warnings.begin(), warnings.end());
    if (auto out = args.get("json")) automix::cli::write_output(*out, study::study_to_json(result).dump(1) + "\n");
    if (auto out = args.get("csv")) automix::cli::write_output(*out, study::study_table_csv(result));
    std::fprintf(stderr, "study %s on %zu rows in %.3f s\n", result.study.c_str(), ds.size(), result.seconds);
    return 0;
}

}  // namespace

AUTOMIX_COMMAND(automix::cli::Command{
    "study", "run one of the paper's analyses (cost-ratio, train-size, transfer, samples, seeds, latency)",
    run_study_command});

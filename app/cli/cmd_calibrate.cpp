// `automix calibrate`: pick, on each dataset's train split, the best candidate parameter of one
// method that meets a cost / escalation / performance / lift constraint, and report how it
// holds on val with a bootstrap interval (core/eval/calibrate.hpp).
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#include "app/cli/args.hpp"
#include "app/cli/command.hpp"
#include "app/cli/emit_config.hpp"
#include "core/data/reader.hpp"
#include "core/eval/calibrate.hpp"
#include "core/eval/protocol.hpp"
#include "core/routing/method.hpp"

namespace {

namespace eval = automix::eval;
using automix::cli::UsageError;

constexpr int kNotMet = 4;  // exit status when some dataset has no candidate meeting the constraint

const char* const kUsage =
    "usage: automix calibrate --data FILE --method M\n"
    "                         (--max-cost C | --max-escalated P% | --min-perf Q | --min-lift L%)\n"
    "                         [--datasets a,b] [--costs 1,50] [--verifier-cost 1] [--num-bins 8]\n"
    "                         [--bootstrap 1000] [--confidence 0.95] [--interval reselected|fixed]\n"
    "                         [--skip-bad-lines] [--quiet]\n"
    "                         [--json OUT] [--emit-config MODELS.json [--config-base BASE.json]]\n\n"
    "Among the method's candidate parameters, chooses on each dataset's train split the best one\n"
    "that meets the constraint, and reports how it holds on val (README, \"Calibrate to a\n"
    "constraint\").\n\n"
    "  --data FILE          a data file in a format of `automix formats`, plain or .gz\n"
    "  --method M           a routing method (`automix eval --list-methods`)\n"
    "  --max-cost C         average cost per query (units of --costs, verifier included) at most C;\n"
    "                       chooses the best performance\n"
    "  --max-escalated P%   share of queries sent to a larger model at most P percent (the % sign\n"
    "                       is optional: 30 = 30 %); chooses the best performance\n"
    "  --min-perf Q         average performance (score 0..1) at least Q; chooses the lowest cost\n"
    "  --min-lift L%        IBC lift at least L percent (50 = 50 %); chooses the best performance\n"
    "  --datasets LIST      comma list of datasets (default: every dataset in the file)\n"
    "  --costs LIST         call cost per model, cheapest first (default: from the file)\n"
    "  --verifier-cost C    cost of one self-verification pass (default: from the file)\n"
    "  --num-bins N         confidence bins (default 8)\n"
    "  --bootstrap N        val resamples for the interval (default 1000; 0 = none)\n"
    "  --confidence X       coverage of the interval (default 0.95)\n"
    "  --interval KIND      reselected (default): each resample also redraws the train rows and\n"
    "                       makes the choice again, so the interval includes the noise of choosing\n"
    "                       on train; fixed: the routing chosen on all train rows, val redrawn only\n"
    "  --skip-bad-lines     skip malformed lines (reported) instead of stopping\n"
    "  --json OUT           write the calibration per dataset (every candidate's train and val\n"
    "                       figures, the choice, the val interval)\n"
    "  --emit-config OUT    write a models config that runs the chosen routing live (`automix run`,\n"
    "                       `automix serve`); needs exactly one dataset; never contains keys\n"
    "  --config-base F      models config whose endpoints, prices and options OUT keeps\n"
    "  --quiet              do not print the summary\n\n"
    "Exit status: 0 when every dataset has a choice, 4 when on some dataset no candidate meets\n"
    "the constraint (nothing is emitted), 2 for a usage error, 1 for an input error.\n";

std::string fixed(double x, int decimals) {
    if (!std::isfinite(x)) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
    return buf;
}
std::string percent(double x) {
    return std::isfinite(x) ? fixed(100.0 * x, 1) + " %" : "-";
}

// The one constraint option given; percentages ("30", "30%") become fractions.
eval::Constraint constraint_of(const automix::cli::Args& args) {
    eval::Constraint c;
    int given = 0;
    for (const eval::Limit l :
         {eval::Limit::MaxCost, eval::Limit::MaxEscalated, eval::Limit::MinPerf, eval::Limit::MinLift}) {
        const std::string name = eval::limit_name(l);
        const auto v = args.get(name);
        if (!v) continue;
        ++given;
        const bool is_percent = l == eval::Limit::MaxEscalated || l == eval::Limit::MinLift;
        std::string text = *v;
        if (is_percent && !text.empty() && text.back() == '%') text.pop_back();
        double x = 0;
        try {
            std::size_t used = 0;
            x = std::stod(text, &used);
            if (used != text.size()) throw std::invalid_argument("trailing");
        } catch (const std::exception&) {
            throw UsageError("option --" + name + ": expected a number" + (is_percent ? " (a percentage)" : "") +
                             ", got '" + *v + "'");
        }
        c = {l, is_percent ? x / 100.0 : x};
        try {
            eval::validate(c);
        } catch (const std::invalid_argument& e) {
            throw UsageError(std::string("option --") + e.what());
        }
    }
    if (given != 1)
        throw UsageError(given == 0 ? "give one constraint: --max-cost, --max-escalated, --min-perf or --min-lift"
                                    : "give only one constraint, not " + std::to_string(given));
    return c;
}

void print_calibration(const std::string& dataset, const eval::Calibration& c, std::FILE* out) {
    using automix::cli::terminal_safe;
    std::fprintf(out, "%s · %s: %s\n", terminal_safe(dataset).c_str(), terminal_safe(c.method).c_str(),
                 terminal_safe(c.message).c_str());
    const eval::CalibrationCandidate* k = c.choice();
    if (!k) return;
    std::fprintf(out, "  %-10s %10s %10s %11s %10s\n", "", "avg cost", "avg perf", "escalated", "IBC lift");
    auto row = [&](const char* name, const eval::Metrics& m) {
        std::fprintf(out, "  %-10s %10s %10s %11s %10s\n", name, fixed(m.avg_cost, 3).c_str(),
                     fixed(m.avg_perf, 4).c_str(), percent(m.escalated_fraction).c_str(), percent(m.lift).c_str());
    };
    row("train", k->train);
    if (c.n_val == 0) {
        std::fprintf(out, "  no val rows: nothing to check the choice on\n");
        return;
    }
    row("val", k->val);
    if (c.bootstrap > 0) {
        auto span = [](const eval::Interval& i, bool pct, int decimals) {
            return pct ? percent(i.lo) + ".." + percent(i.hi) : fixed(i.lo, decimals) + ".." + fixed(i.hi, decimals);
        };
        const bool reselected = c.interval_kind == eval::IntervalKind::Reselected;
        std::fprintf(out, "  val %2.0f %% interval (%d resamples, %s): cost %s, perf %s, escalated %s, lift %s\n",
                     100.0 * c.confidence, c.bootstrap,
                     reselected ? "choice remade on each train resample" : "routing fixed, val resampled",
                     span(c.val_cost, false, 3).c_str(), span(c.val_perf, false, 4).c_str(),
                     span(c.val_escalated, true, 1).c_str(), span(c.val_lift, true, 1).c_str());
        if (reselected)
            std::fprintf(out, "  the train resamples chose this candidate in %s of the draws%s\n",
                         percent(c.same_choice_share).c_str(),
                         c.none_feasible_share > 0
                             ? (", none in " + percent(c.none_feasible_share)).c_str()
                             : "");
    }
    std::fprintf(out, "  on val: %s%s\n", c.val_meets ? "meets the constraint" : "does NOT meet the constraint",
                 c.bootstrap > 0 ? (" (in " + percent(c.val_meets_share) + " of the resamples)").c_str() : "");
}

int run_calibrate(const std::vector<std::string>& argv) {
    using automix::cli::Args;
    using automix::cli::terminal_safe;
    const Args args(argv,
                    {"data", "method", "max-cost", "max-escalated", "min-perf", "min-lift", "datasets", "costs",
                     "verifier-cost", "num-bins", "bootstrap", "confidence", "interval", "json", "emit-config",
                     "config-base"},
                    {"help", "skip-bad-lines", "quiet"});
    if (args.has("help")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");
    const std::string path = args.require("data");
    const std::string method_name = args.require("method");
    automix::routing::MethodPtr method;
    try {
        method = eval::resolve_methods({method_name}).at(0);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("option --method: ") + e.what());
    }
    eval::CalibrationOptions options;
    options.constraint = constraint_of(args);
    const long long bootstrap = args.get_int("bootstrap", 1000);
    if (bootstrap < 0 || bootstrap > 1000000) throw UsageError("option --bootstrap: expected 0..1000000");
    options.bootstrap = static_cast<int>(bootstrap);
    options.confidence = args.get_double("confidence", 0.95);
    if (const auto kind = args.get("interval")) {
        const auto k = eval::interval_kind_from_name(*kind);
        if (!k) throw UsageError("option --interval: expected reselected or fixed, got '" + *kind + "'");
        options.interval = *k;
    }
    if (!(options.confidence > 0 && options.confidence < 1))
        throw UsageError("option --confidence: expected a number between 0 and 1");
    const long long num_bins = args.get_int("num-bins", 8);
    if (num_bins < 1 || num_bins > 200) throw UsageError("option --num-bins: expected 1..200");

    automix::data::LoadOptions load_options;
    load_options.skip_bad_lines = args.has("skip-bad-lines");
    const automix::data::LoadResult loaded = automix::data::load_file(path, load_options);
    for (const auto& w : loaded.warnings) std::fprintf(stderr, "warning: %s\n", terminal_safe(w).c_str());
    for (const auto& p : loaded.problems) std::fprintf(stderr, "skipped: %s\n", terminal_safe(p.to_string()).c_str());
    const automix::data::Dataset& ds = loaded.dataset;

    automix::routing::Config cfg = automix::routing::Config::for_dataset(ds);
    cfg.num_bins = static_cast<int>(num_bins);
    if (auto c = args.get("costs")) {
        cfg.call_costs = automix::cli::number_list("costs", *c, 2);
        if (cfg.call_costs.size() != 2 && cfg.call_costs.size() != ds.models.size())
            throw UsageError("option --costs: expected 2 or " + std::to_string(ds.models.size()) +
                             " costs for this file's models");
    }
    cfg.verifier_cost = args.get_double("verifier-cost", cfg.verifier_cost);
    if (args.get("verifier-cost") && !(cfg.verifier_cost >= 0 && std::isfinite(cfg.verifier_cost)))
        throw UsageError("option --verifier-cost: expected a non-negative number");
    for (const auto& w : eval::cost_warnings(cfg.call_costs, cfg.verifier_cost))
        std::fprintf(stderr, "warning: %s\n", terminal_safe(w).c_str());

    std::vector<int> datasets;
    if (auto d = args.get("datasets")) {
        for (const auto& name : automix::cli::split_list(*d)) {
            const int d = ds.find_dataset(name);
            if (d < 0) throw UsageError("option --datasets: no dataset '" + name + "' in " + path);
            datasets.push_back(d);
        }
    } else {
        for (std::size_t d = 0; d < ds.dataset_names.size(); ++d) datasets.push_back(static_cast<int>(d));
    }
    if (datasets.empty()) throw UsageError("no datasets to calibrate in " + path);
    if (args.has("emit-config") && datasets.size() != 1)
        throw UsageError("--emit-config: needs exactly one dataset (--datasets X); this file has " +
                         std::to_string(datasets.size()));
    if (args.has("emit-config") && !method->offline_only().empty())
        throw UsageError("--emit-config: " + method->name() + " cannot route a live run: " + method->offline_only());

    nlohmann::ordered_json report;
    report["format"] = "automix-calibration-v1";
    report["input"] = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
    report["call_costs"] = cfg.call_costs;
    report["verifier_cost"] = cfg.verifier_cost;
    report["num_bins"] = cfg.num_bins;
    report["datasets"] = nlohmann::ordered_json::array();
    std::FILE* out = args.get_or("json", "") == "-" ? stderr : stdout;
    std::size_t not_met = 0;
    std::optional<eval::Calibration> only;
    automix::data::View only_train;
    for (const int d : datasets) {
        const std::string& name = ds.dataset_names[static_cast<std::size_t>(d)];
        const automix::data::View train = ds.measured(ds.rows(d, automix::data::Split::Train));
        const automix::data::View val = ds.measured(ds.rows(d, automix::data::Split::Val));
        eval::Calibration c;
        try {
            c = eval::calibrate(*method, ds, train, val, cfg, options);
        } catch (const std::exception& e) {
            throw std::runtime_error(name + ": " + method->name() + ": " + e.what());
        }
        if (!c.chosen) {
            ++not_met;
            std::fprintf(stderr, "%s: %s\n", terminal_safe(name).c_str(), terminal_safe(c.message).c_str());
        }
        if (!args.has("quiet")) print_calibration(name, c, out);
        nlohmann::ordered_json j;
        j["dataset"] = name;
        const nlohmann::ordered_json calibration = eval::calibration_to_json(c);
        for (auto it = calibration.begin(); it != calibration.end(); ++it) j[it.key()] = it.value();
        report["datasets"].push_back(std::move(j));
        only = std::move(c);
        only_train = train;
    }
    if (auto o = args.get("json")) automix::cli::write_output(*o, report.dump(1) + "\n");
    if (not_met) {
        std::fprintf(stderr, "the constraint cannot be met on %zu of %zu datasets%s\n", not_met, datasets.size(),
                     args.has("emit-config") ? "; no models config written" : "");
        return kNotMet;
    }
    if (auto o = args.get("emit-config"))
        automix::cli::emit_routing_config(args, ds, only_train, method->name(), only->choice()->params, cfg, *o,
                                          ds.dataset_names[static_cast<std::size_t>(datasets[0])] +
                                              " (calibrated to " + eval::describe(options.constraint) + ")");
    return 0;
}

}  // namespace

AUTOMIX_COMMAND(automix::cli::Command{
    "calibrate", "choose a method's parameter that meets a cost, escalation, performance or lift limit", run_calibrate});

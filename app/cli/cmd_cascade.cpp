// `automix cascade`: the N-model POMDP cascade (method §7) on each dataset of a file —
// learns the POMDP on train, solves it exactly for all λ, prints the cost–quality curve
// (one line per distinct optimal policy, train and val), the λ training picks by IBC lift
// (or the λ given), and writes the curve, the learned tables, the policy table and the
// per-query belief traces as JSON.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "app/cli/args.hpp"
#include "app/cli/command.hpp"
#include "core/data/reader.hpp"
#include "core/eval/metrics.hpp"
#include "core/eval/protocol.hpp"
#include "core/routing/cascade_router.hpp"
#include "core/routing/method.hpp"

namespace {

namespace cascade = automix::routing::cascade;
using automix::cli::UsageError;

const char* const kUsage =
    "usage: automix cascade --data FILE [--datasets a,b] [--lambda L[,L...]] [--tau 0.5]\n"
    "                       [--alpha 1] [--num-bins 8] [--costs c1,..,cN] [--verifier-cost C]\n"
    "                       [--json OUT] [--no-traces] [--skip-bad-lines] [--quiet]\n\n"
    "N-model cascade with a POMDP meta-verifier over belief states (spec section 7): per\n"
    "dataset, learns prior, observation model and value table on the train split, solves the\n"
    "POMDP exactly for every lambda (objective: expected score - lambda * cost), and prints the\n"
    "cost-quality curve: one line per distinct optimal policy, scored on train and val, with\n"
    "the IBC lift against the straight line from the first to the last model.\n\n"
    "  --data FILE        a data file in a format of `automix formats`, plain or .gz\n"
    "  --datasets LIST    comma list of dataset names (default: all in the file)\n"
    "  --lambda LIST      evaluate these lambdas instead of the one training picks by lift\n"
    "  --tau T            a model counts as correct when its score >= T (default 0.5)\n"
    "  --alpha A          Laplace smoothing of prior and observation model (default 1)\n"
    "  --num-bins N       confidence bins 0..N, nearest-bin (default 8, i.e. 9 observations)\n"
    "  --costs LIST       call cost per model (default: from the file)\n"
    "  --verifier-cost C  cost of one verification pass (default: from the file)\n"
    "  --json OUT         write curve, learned tables, policy table and belief traces ('-' = stdout)\n"
    "  --no-traces        leave the per-query belief traces out of the JSON\n"
    "  --quiet            do not print the curves\n";

nlohmann::json num(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return x;
}

std::string lambda_text(double x) {
    if (std::isinf(x)) return "inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", x);
    return buf;
}

// The cascade's figures as eval::Metrics, so that the table and the JSON print every field of
// eval::metric_fields() as everywhere else; slope, lift and gap recovered against the line from
// the first to the last model (cascade::line_lift).
automix::eval::Metrics metrics_of(const cascade::CascadeResult& r, const cascade::LineBaseline& line) {
    automix::eval::Metrics m;
    m.n = r.final_model.size();
    m.n_escalated = m.n - (r.per_model.empty() ? 0 : r.per_model.front());
    m.avg_cost = r.avg_cost;
    m.avg_perf = r.avg_score;
    m.slope = (r.avg_score - line.first_perf) / (r.avg_cost - line.first_cost);
    m.lift = cascade::line_lift(r.avg_cost, r.avg_score, line);
    const double n = static_cast<double>(m.n);
    m.escalated_fraction = static_cast<double>(m.n_escalated) / n;
    m.apgr = (r.avg_score - line.first_perf) / (line.last_perf - line.first_perf);
    std::size_t calls = 0;  // a row answered by model j called models 0..j
    for (std::size_t j = 0; j < r.per_model.size(); ++j) calls += r.per_model[j] * (j + 1);
    m.calls_per_query = static_cast<double>(calls) / n;
    return m;
}

struct Evaluated {
    cascade::CascadeResult train, val;
    automix::eval::Metrics train_metrics, val_metrics;
};

Evaluated evaluate_policy(const cascade::CascadeSolution& sol, const cascade::Policy& p,
                          const cascade::CascadeRows& train, const cascade::CascadeRows& val,
                          const cascade::LineBaseline& train_line, const cascade::LineBaseline& val_line) {
    Evaluated e;
    e.train = cascade::route_rows(sol, p, train);
    e.val = cascade::route_rows(sol, p, val);
    e.train_metrics = metrics_of(e.train, train_line);
    e.val_metrics = metrics_of(e.val, val_line);
    return e;
}

// Every field of the table by its key ("nan" for an undefined value, as the rest of the JSON)
// and the rows each model answered.
nlohmann::json figures_json(const automix::eval::Metrics& m, const std::vector<std::size_t>& per_model) {
    nlohmann::json j = automix::eval::metric_fields_json(m);
    for (const auto& f : automix::eval::metric_fields())
        if (j[std::string(f.key)].is_null()) j[std::string(f.key)] = num(f.value(m));
    j["per_model"] = per_model;
    return j;
}

// The table's columns: the headline fields of eval::metric_fields() on train, then on val.
bool headline(const automix::eval::MetricField& f) {
    return f.headline;
}
std::string figure_cells(const automix::eval::Metrics* m, const char* prefix) {
    std::string out;
    for (const auto& f : automix::eval::metric_fields()) {
        if (!headline(f)) continue;
        const std::string title = prefix + std::string(f.label);
        const std::string cell = m ? automix::eval::format_metric(f, f.value(*m)) : title;
        char buf[96];
        std::snprintf(buf, sizeof buf, " %*s", static_cast<int>(std::max<std::size_t>(title.size(), 9)), cell.c_str());
        out += buf;
    }
    return out;
}

std::string counts_text(const std::vector<std::size_t>& per_model) {
    std::string s;
    for (std::size_t j = 0; j < per_model.size(); ++j) s += (j ? "/" : "") + std::to_string(per_model[j]);
    return s;
}

int run_cascade(const std::vector<std::string>& argv) {
    using automix::cli::Args;
    const Args args(argv, {"data", "datasets", "lambda", "tau", "alpha", "num-bins", "costs", "verifier-cost", "json"},
                    {"help", "no-traces", "skip-bad-lines", "quiet"});
    if (args.has("help")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");
    cascade::CascadeOptions options;
    options.tau = args.get_double("tau", 0.5);
    options.alpha = args.get_double("alpha", 1.0);
    const long long num_bins = args.get_int("num-bins", 8);
    if (!std::isfinite(options.tau)) throw UsageError("option --tau: expected a number");
    if (!(options.alpha >= 0) || !std::isfinite(options.alpha))
        throw UsageError("option --alpha: expected a number >= 0");
    if (num_bins < 1 || num_bins > 200) throw UsageError("option --num-bins: expected 1..200");
    options.num_bins = static_cast<int>(num_bins);
    std::vector<double> lambdas;
    if (auto l = args.get("lambda")) lambdas = automix::cli::number_list("lambda", *l, 1);

    const std::string path = args.require("data");
    automix::data::LoadOptions load_options;
    load_options.skip_bad_lines = args.has("skip-bad-lines");
    const automix::data::LoadResult loaded = automix::data::load_file(path, load_options);
    using automix::cli::terminal_safe;
    for (const auto& w : loaded.warnings) std::fprintf(stderr, "warning: %s\n", terminal_safe(w).c_str());
    for (const auto& p : loaded.problems) std::fprintf(stderr, "skipped: %s\n", terminal_safe(p.to_string()).c_str());
    const automix::data::Dataset& ds = loaded.dataset;
    const int N = static_cast<int>(ds.model_count());
    if (N < 2) throw UsageError("the data has fewer than two models");

    automix::routing::Config cfg = automix::routing::Config::for_dataset(ds);
    cfg.num_bins = options.num_bins;
    if (auto c = args.get("costs")) {
        cfg.call_costs = automix::cli::number_list("costs", *c, 2);
        if (cfg.call_costs.size() != ds.model_count())
            throw UsageError("option --costs: expected " + std::to_string(N) + " costs for this file's models");
    }
    // The file's own costs were checked when it was read; this is about the option only.
    cfg.verifier_cost = args.get_double("verifier-cost", cfg.verifier_cost);
    if (args.get("verifier-cost") && !(cfg.verifier_cost >= 0 && std::isfinite(cfg.verifier_cost)))
        throw UsageError("option --verifier-cost: expected a non-negative number");
    for (const auto& w : automix::eval::cost_warnings(cfg.call_costs, cfg.verifier_cost))
        std::fprintf(stderr, "warning: %s\n", terminal_safe(w).c_str());
    const cascade::CascadeCosts costs = cascade::cascade_costs(ds, cfg);

    std::vector<int> dataset_ids;
    if (auto d = args.get("datasets")) {
        for (const auto& name : automix::cli::split_list(*d)) {
            const int id = ds.find_dataset(name);
            if (id < 0) throw UsageError("no dataset '" + name + "' in the data");
            dataset_ids.push_back(id);
        }
    } else {
        for (std::size_t i = 0; i < ds.dataset_names.size(); ++i) dataset_ids.push_back(static_cast<int>(i));
    }

    const bool quiet = args.has("quiet");
    FILE* const text_out = args.get_or("json", "") == "-" ? stderr : stdout;
    nlohmann::json report;
    report["format"] = "automix-cascade-v1";
    report["input"] = {
        {"path", path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1)},
        {"n_rows", ds.size()}};
    std::vector<std::string> model_names;
    for (const auto& m : ds.models) model_names.push_back(m.name);
    report["config"] = {{"models", model_names},
                        {"costs", costs.call_costs},
                        {"verifier_cost", costs.verifier_cost},
                        {"reach_cost", cascade::cost_to_reach(costs)},
                        {"num_bins", options.num_bins},
                        {"tau", options.tau},
                        {"alpha", options.alpha}};
    const automix::data::RowsByDataset by_dataset(ds);
    int failures = 0;
    for (const int d : dataset_ids) {
        const std::string& name = ds.dataset_names[d];
        nlohmann::json dj;
        try {
            const automix::data::View train_rows = by_dataset.rows(d, automix::data::Split::Train);
            const automix::data::View val_rows = by_dataset.rows(d, automix::data::Split::Val);
            if (train_rows.empty() || val_rows.empty())
                throw automix::routing::RoutingError("needs train and val rows");
            const cascade::CascadeSolution sol(cascade::learn_cascade_model(ds, train_rows, options, costs));
            const cascade::CascadeRows train(ds, train_rows, options.num_bins), val(ds, val_rows, options.num_bins);
            const auto train_line = cascade::line_baseline(train, costs.call_costs);
            const auto val_line = cascade::line_baseline(val, costs.call_costs);
            const auto curve = cascade::cost_quality_curve(sol, train, costs.call_costs);
            const std::size_t best = cascade::best_by_lift(curve);

            nlohmann::json points = nlohmann::json::array();
            if (!quiet)
                std::fprintf(text_out,
                             "\n%s: %zu train / %zu val rows, %zu distinct policies (%zu breakpoints)\n"
                             "  %-20s%s  %s  %s\n",
                             terminal_safe(name).c_str(), train.size(), val.size(), curve.size(),
                             sol.breakpoints().size(), "lambda range", figure_cells(nullptr, "tr ").c_str(),
                             figure_cells(nullptr, "val ").c_str(), "val rows per model");
            for (std::size_t k = 0; k < curve.size(); ++k) {
                const auto& c = curve[k];
                const Evaluated e = evaluate_policy(sol, c.policy, train, val, train_line, val_line);
                nlohmann::json pj;
                pj["lambda_lo"] = c.lambda_lo;
                pj["lambda_hi"] = num(c.lambda_hi);
                pj["train"] = figures_json(e.train_metrics, e.train.per_model);
                pj["val"] = figures_json(e.val_metrics, e.val.per_model);
                pj["expected"] = {{"avg_cost", c.expected.cost}, {"avg_perf", c.expected.score}};
                pj["escalating_nodes"] = c.policy.escalating_nodes();
                points.push_back(std::move(pj));
                if (!quiet) {
                    const std::string range = "[" + lambda_text(c.lambda_lo) + ", " + lambda_text(c.lambda_hi) + ")";
                    std::fprintf(text_out, "%s %-20s%s  %s  %s\n", k == best && lambdas.empty() ? "*" : " ",
                                 range.c_str(), figure_cells(&e.train_metrics, "tr ").c_str(),
                                 figure_cells(&e.val_metrics, "val ").c_str(), counts_text(e.val.per_model).c_str());
                }
            }
            dj["n_train"] = train.size();
            dj["n_val"] = val.size();
            dj["breakpoints"] = sol.breakpoints();
            dj["curve"] = std::move(points);
            dj["model"] = cascade::model_to_json(sol.model());
            dj["line"] = {{"train", {{"first_perf", train_line.first_perf}, {"last_perf", train_line.last_perf}}},
                          {"val", {{"first_perf", val_line.first_perf}, {"last_perf", val_line.last_perf}}}};

            // The policies reported in detail: the trained choice, or each --lambda.
            std::vector<std::pair<double, std::string>> chosen;
            if (lambdas.empty())
                chosen.emplace_back(cascade::representative_lambda(curve[best].lambda_lo, curve[best].lambda_hi),
                                    "trained");
            else
                for (double l : lambdas) chosen.emplace_back(l, "given");
            nlohmann::json picks = nlohmann::json::array();
            for (const auto& [lambda, how] : chosen) {
                const cascade::Policy policy = sol.policy_at(lambda);
                const Evaluated e = evaluate_policy(sol, policy, train, val, train_line, val_line);
                nlohmann::json pj;
                pj["lambda"] = lambda;
                pj["how"] = how;
                pj["train_lift"] = num(e.train_metrics.lift);
                pj["val"] = figures_json(e.val_metrics, e.val.per_model);
                pj["policy_table"] = cascade::policy_table_json(sol, policy, lambda);
                if (!args.has("no-traces")) {
                    nlohmann::json traces = nlohmann::json::array();
                    for (std::size_t i = 0; i < val.size(); ++i) {
                        const auto steps = cascade::trace_row(sol, lambda, val, i);
                        traces.push_back({{"id", val.row_id(i)},
                                          {"final_model", steps.back().model},
                                          {"steps", cascade::trace_to_json(steps)}});
                    }
                    pj["traces"] = std::move(traces);
                }
                picks.push_back(std::move(pj));
                if (!quiet)
                    std::fprintf(text_out, "  %s lambda %s: val %s (train IBC lift %s), rows per model %s\n",
                                 how.c_str(), lambda_text(lambda).c_str(),
                                 automix::eval::metrics_text(e.val_metrics, headline).c_str(),
                                 automix::eval::format_metric(automix::eval::metric_field("lift"), e.train_metrics.lift)
                                     .c_str(),
                                 counts_text(e.val.per_model).c_str());
            }
            dj["policies"] = std::move(picks);
            dj["ok"] = true;
        } catch (const std::exception& e) {
            ++failures;
            dj = {{"ok", false}, {"error", e.what()}};
            std::fprintf(stderr, "%s: %s\n", terminal_safe(name).c_str(), terminal_safe(e.what()).c_str());
        }
        report["datasets"][name] = std::move(dj);
    }
    if (auto out = args.get("json")) automix::cli::write_output(*out, report.dump(1) + "\n");
    return failures ? 1 : 0;
}

}  // namespace

AUTOMIX_COMMAND(automix::cli::Command{
    "cascade", "N-model POMDP cascade: solve exactly, print the cost-quality curve, belief traces as JSON",
    run_cascade});

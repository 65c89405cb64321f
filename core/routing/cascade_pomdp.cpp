// Cascade: the N-model POMDP meta-verifier over belief states (method §7). Training learns
// the POMDP from the train rows, solves it exactly for every λ at once (per-node
// thresholds, cascade_solver.hpp) and offers each distinct optimal policy as a candidate,
// cheapest first; the trainer keeps the highest IBC lift against the m_1 → m_N line.
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include "core/routing/cascade_methods.hpp"
#include "core/routing/cascade_router.hpp"
#include "core/routing/common.hpp"
#include "core/routing/registry.hpp"

namespace automix::routing {
namespace {

using namespace cascade;

std::string short_number(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", x);
    return buf;
}

class CascadeMethod : public Method {
  public:
    explicit CascadeMethod(CascadeOptions options) : options_(options) {}

    std::string name() const override { return "Cascade"; }
    std::vector<std::string> aliases() const override { return {"cascade", "cascade_pomdp", "belief_cascade"}; }
    // λ on a log scale picks the candidate policy optimal at that λ; its own chart panel.
    Capabilities capabilities() const override {
        Capabilities c;
        c.key = "cascade";
        c.controls = {{"lambda", "λ", 1e-6, 1.0, 600, true, "%.3g",
                       "Cascade: objective = expected score − λ · cost (log scale); a larger λ escalates less"}};
        c.colour_slot = 13;
        c.panel = "cascade";
        return c;
    }
    std::optional<Params> params_from_controls(const std::vector<double>& values,
                                               const std::vector<Params>& candidates) const override {
        if (values.size() != 1) return std::nullopt;
        for (const Params& p : candidates) {
            const auto lambda = controls_of(p);
            if (!lambda) continue;
            const double lo = lambda->front();
            const double hi = p.contains("lambda_hi") && p["lambda_hi"].is_number()
                                  ? p["lambda_hi"].get<double>()
                                  : std::numeric_limits<double>::infinity();
            if (lo <= values[0] && values[0] < hi) return p;
        }
        return std::nullopt;
    }
    std::optional<std::vector<double>> controls_of(const Params& p) const override {
        if (p.is_object() && p.contains("lambda") && p["lambda"].is_number())
            return std::vector<double>{p["lambda"].get<double>()};
        return std::nullopt;
    }
    bool uses_all_models() const override { return true; }

    std::vector<Params> candidates(const data::Dataset& ds, const data::View& train, const Config& cfg) const override {
        const CascadeSolution sol = solve(ds, train, cfg);
        auto segments = sol.distinct_policies();
        std::vector<Params> out;
        for (auto it = segments.rbegin(); it != segments.rend(); ++it)
            out.push_back(policy_to_params(*it, sol.model().models, sol.model().observations));
        return out;
    }

    Decisions route(const data::Dataset& ds, const data::View& rows, const Params& p,
                    const Config& cfg) const override {
        Decisions out;
        route_each(ds, rows, std::vector<Params>(1, p), cfg, [&out](std::size_t, const Decisions& d) { out = d; });
        return out;
    }

    // Bins and history tree once for the whole curve; only the policy changes per candidate.
    void route_each(const data::Dataset& ds, const data::View& rows, const std::vector<Params>& params,
                    const Config& cfg, const std::function<void(std::size_t, const Decisions&)>& sink) const override {
        const CascadeRows cr(ds, rows, cfg.num_bins);
        const HistoryTree tree(cr.models(), cr.observations());
        const std::vector<double> reach = cost_to_reach(cascade_costs(ds, cfg));
        for (std::size_t i = 0; i < params.size(); ++i)
            sink(i, route_rows(tree, reach, policy_from_params(params[i], tree), cr).final_model);
    }

    std::string describe(const Params& p, const Config&) const override {
        const double lo =
            p.contains("lambda_lo") && p["lambda_lo"].is_number() ? p["lambda_lo"].get<double>() : lambda_of_params(p);
        const bool bounded = p.contains("lambda_hi") && p["lambda_hi"].is_number();
        std::string text = "λ ∈ [" + short_number(lo) + ", " +
                           (bounded ? short_number(p["lambda_hi"].get<double>()) : std::string("∞")) + ")";
        if (p.contains("escalate_nodes") && p["escalate_nodes"].is_array())
        {
            const std::size_t n = p["escalate_nodes"].size();
            text += ", escalate at " + std::to_string(n) + (n == 1 ? " history" : " histories");
        }
        return text;
    }

    std::string explain(const data::Dataset& ds, const data::View& train, data::RowIndex row, const Params& p,
                        const Config& cfg) const override {
        const CascadeRows cr(ds, data::View{row}, cfg.num_bins);
        if (train.empty()) {
            const Decisions d = route(ds, data::View{row}, p, cfg);
            return "answered by " + ds.models.at(d.at(0)).name + " (train rows unknown: no beliefs)";
        }
        const CascadeSolution sol = solve(ds, train, cfg);
        const double lambda = lambda_of_params(p);
        std::string text;
        for (const TraceStep& s : trace_row(sol, lambda, cr, 0)) {
            if (!text.empty()) text += " → ";
            text += ds.models[s.model].name;
            if (s.bin >= 0) text += " bin " + std::to_string(s.bin);
            text += ": belief";
            for (int st = 0; st < sol.model().states; ++st)
                text += " " + state_label(st, sol.model().models).substr(0, 3 * sol.model().models) + " " +
                        detail::display_number(s.belief[st]);
            if (std::isnan(s.q_escalate)) {
                text += ", Q_report " + detail::display_number(s.q_report);
            } else {
                const auto [report, escalate] = detail::display_compared(s.q_report, s.q_escalate);
                text += ", Q_report " + report + " vs Q_escalate " + escalate;
            }
            text += s.escalate ? ", escalate" : ", report";
        }
        return text;
    }

    // The learned POMDP, the policy table at the chosen λ and a belief trace per val row
    // of the trained dataset (the split the report evaluates).
    nlohmann::json extra(const data::Dataset& ds, const data::View& train, const Params& p,
                         const Config& cfg) const override {
        return extra_streamed(ds, train, p, cfg).whole();
    }
    // The traces, one per val row, are the part that grows with the file: handed out one by one.
    StreamedExtra extra_streamed(const data::Dataset& ds, const data::View& train, const Params& p,
                                 const Config& cfg) const override {
        if (train.empty()) return {nullptr, {}, {}};
        auto sol = std::make_shared<const CascadeSolution>(solve(ds, train, cfg));
        const double lambda = lambda_of_params(p);
        const Policy policy = policy_from_params(p, sol->tree());
        nlohmann::json j;
        j["lambda"] = lambda;
        j["breakpoints"] = sol->breakpoints().size();
        j["model"] = model_to_json(sol->model());
        j["policy_table"] = policy_table_json(*sol, policy, lambda);
        auto val = std::make_shared<const CascadeRows>(
            ds, ds.rows(ds.dataset_index[train.front()], data::Split::Val), cfg.num_bins);
        auto traces = [sol, val, lambda](const std::function<void(const nlohmann::json&)>& write) {
            for (std::size_t i = 0; i < val->size(); ++i) {
                nlohmann::json t;
                t["id"] = val->row_id(i);
                try {
                    const auto steps = trace_row(*sol, lambda, *val, i);
                    t["final_model"] = steps.back().model;
                    t["steps"] = trace_to_json(steps);
                } catch (const RoutingError& e) {
                    t["error"] = e.what();
                }
                write(t);
            }
        };
        return {std::move(j), "traces", std::move(traces)};
    }

  private:
    CascadeSolution solve(const data::Dataset& ds, const data::View& train, const Config& cfg) const {
        CascadeOptions o = options_;
        o.num_bins = cfg.num_bins;
        try {
            return CascadeSolution(learn_cascade_model(ds, train, o, cascade_costs(ds, cfg)));
        } catch (const std::invalid_argument& e) {
            throw RoutingError(std::string("Cascade: ") + e.what());
        }
    }

    CascadeOptions options_;
};

}  // namespace

AUTOMIX_REGISTER_METHOD(cascade, 1300, [] { return std::make_shared<CascadeMethod>(cascade::CascadeOptions{}); })

}  // namespace automix::routing

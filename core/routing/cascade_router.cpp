#include "core/routing/cascade_router.hpp"

#include <cmath>
#include <stdexcept>

#include "core/routing/bins.hpp"
#include "core/routing/common.hpp"

namespace automix::routing::cascade {

// ---- CascadeRows ------------------------------------------------------------------------

CascadeRows::CascadeRows(const data::Dataset& ds, data::View rows, int num_bins)
    : models_(static_cast<int>(ds.model_count())), rows_(std::move(rows)) {
    if (models_ < 2) throw std::invalid_argument("cascade needs at least 2 models");
    const Bins bins(num_bins);
    observations_ = bins.count();
    const std::size_t n = rows_.size(), steps = static_cast<std::size_t>(models_ - 1);
    const HistoryTree tree(models_, observations_);
    for (const auto& m : ds.models) model_names_.push_back(m.name);
    ids_.reserve(n);
    bins_.assign(n * steps, -1);
    confidences_.assign(n * steps, std::nan(""));
    nodes_.assign(n * steps, kNoNode);
    scores_.assign(n * static_cast<std::size_t>(models_), std::nan(""));
    for (std::size_t i = 0; i < n; ++i) {
        const data::RowIndex r = rows_[i];
        ids_.push_back(detail::row_name(ds, r));
        std::size_t local = 0;
        bool path_ok = true;
        for (std::size_t j = 0; j < steps; ++j) {
            const auto& conf = ds.models[j].verifier_confidence;
            const double p = r < conf.size() ? conf[r] : std::nan("");
            const int o = bins.nearest(p);
            confidences_[i * steps + j] = p;
            bins_[i * steps + j] = o;
            path_ok = path_ok && o >= 0;
            if (!path_ok) continue;
            local = j == 0 ? static_cast<std::size_t>(o) : local * observations_ + o;
            nodes_[i * steps + j] = tree.offset(static_cast<int>(j)) + local;
        }
        for (int j = 0; j < models_; ++j) {
            const auto& col = ds.models[j].score;
            if (r < col.size()) scores_[static_cast<std::size_t>(j) * n + i] = col[r];
        }
    }
    for (int j = 0; j < models_; ++j) means_.push_back(pairwise_sum(scores(j), n) / static_cast<double>(n));
}

std::string CascadeRows::bin_problem(std::size_t i, int j) const {
    const std::size_t steps = static_cast<std::size_t>(models_ - 1);
    for (int k = 0; k <= j; ++k) {
        if (bins_[i * steps + k] >= 0) continue;
        const double p = confidences_[i * steps + k];
        return "row " + ids_[i] + ": verifier confidence of model " + model_names_[k] +
               (std::isnan(p) ? " missing" : " outside every bin (" + detail::format_number(p) + ")");
    }
    return "";
}

// ---- Routing ----------------------------------------------------------------------------

CascadeResult route_rows(const CascadeSolution& sol, const Policy& policy, const CascadeRows& rows) {
    return route_rows(sol.tree(), sol.model().reach_cost, policy, rows);
}

CascadeResult route_rows(const HistoryTree& tree, const std::vector<double>& reach_cost, const Policy& policy,
                         const CascadeRows& rows) {
    const int N = rows.models();
    if (tree.models() != N || tree.observations() != rows.observations())
        throw RoutingError("cascade policy is for " + std::to_string(tree.models()) + " models × " +
                           std::to_string(tree.observations()) + " bins, the data has " + std::to_string(N) +
                           " models × " + std::to_string(rows.observations()) + " bins");
    if (policy.escalate.size() != tree.size() || reach_cost.size() != static_cast<std::size_t>(N))
        throw RoutingError("cascade policy does not fit its history tree");
    const std::size_t n = rows.size();
    CascadeResult r;
    r.final_model.resize(n);
    r.cost.resize(n);
    r.per_model.assign(N, 0);
    std::vector<double> used(n);
    const std::uint8_t* esc = policy.escalate.data();
    for (std::size_t i = 0; i < n; ++i) {
        int j = 0;
        for (; j < N - 1; ++j) {
            const std::size_t node = rows.node(i, j);
            if (node == CascadeRows::kNoNode) throw RoutingError(rows.bin_problem(i, j));
            if (!esc[node]) break;
        }
        r.final_model[i] = static_cast<ModelIndex>(j);
        r.cost[i] = reach_cost[j];
        ++r.per_model[j];
        used[i] = rows.score(i, j);
    }
    double total_cost = 0;
    for (int j = 0; j < N; ++j) total_cost += static_cast<double>(r.per_model[j]) * reach_cost[j];
    r.avg_cost = total_cost / static_cast<double>(n);
    r.avg_score = pairwise_sum(used.data(), n) / static_cast<double>(n);
    return r;
}

// ---- Traces -----------------------------------------------------------------------------

std::vector<TraceStep> trace_row(const CascadeSolution& sol, double lambda, const CascadeRows& rows, std::size_t i) {
    const CascadeModel& m = sol.model();
    const int N = m.models;
    std::vector<TraceStep> out;
    for (int j = 0; j < N - 1; ++j) {
        const std::size_t node = rows.node(i, j);
        if (node == CascadeRows::kNoNode) throw RoutingError(rows.bin_problem(i, j));
        TraceStep step;
        step.model = j;
        step.bin = rows.bin(i, j);
        step.node = node;
        step.belief = sol.belief(node);
        step.categories = category_belief(m, step.belief);
        const NodeQ q = sol.q_values(node, lambda);
        step.q_report = q.q_report;
        step.q_escalate = q.q_escalate;
        step.escalate = q.escalate;
        step.cost_so_far = m.reach_cost[j];
        out.push_back(step);
        if (!q.escalate) return out;
    }
    TraceStep last;
    last.model = N - 1;
    last.belief = out.back().belief;  // the last model is not verified: nothing new is seen
    last.categories = out.back().categories;
    last.q_report = expected_value(m, last.belief, N - 1) - lambda * m.reach_cost[N - 1];
    last.q_escalate = std::nan("");
    last.cost_so_far = m.reach_cost[N - 1];
    out.push_back(last);
    return out;
}

namespace {
nlohmann::json number(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    return x;
}
}  // namespace

nlohmann::json trace_to_json(const std::vector<TraceStep>& steps) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : steps) {
        nlohmann::json j;
        j["model"] = s.model;
        j["bin"] = s.bin < 0 ? nlohmann::json(nullptr) : nlohmann::json(s.bin);
        j["belief"] = s.belief;
        if (!s.categories.empty()) j["categories"] = s.categories;
        j["q_report"] = number(s.q_report);
        j["q_escalate"] = number(s.q_escalate);
        j["action"] = s.escalate ? "escalate" : "report";
        j["cost_so_far"] = s.cost_so_far;
        out.push_back(std::move(j));
    }
    return out;
}

// ---- Curve and training -----------------------------------------------------------------

LineBaseline line_baseline(const CascadeRows& rows, const std::vector<double>& call_costs) {
    const int N = rows.models();
    if (call_costs.size() != static_cast<std::size_t>(N))
        throw std::invalid_argument("cascade needs one call cost per model");
    return {call_costs.front(), rows.mean_score(0), call_costs.back(), rows.mean_score(N - 1)};
}

double line_lift(double avg_cost, double avg_perf, const LineBaseline& line) {
    const double slope = (avg_perf - line.first_perf) / (avg_cost - line.first_cost);
    const double base = line.slope();
    return (slope - base) / base;
}

std::vector<CurvePoint> cost_quality_curve(const CascadeSolution& sol, const CascadeRows& rows,
                                           const std::vector<double>& call_costs) {
    const LineBaseline line = line_baseline(rows, call_costs);
    std::vector<CurvePoint> out;
    for (auto& seg : sol.distinct_policies()) {
        CurvePoint p;
        p.lambda_lo = seg.lambda_lo;
        p.lambda_hi = seg.lambda_hi;
        const CascadeResult r = route_rows(sol, seg.policy, rows);
        p.avg_cost = r.avg_cost;
        p.avg_score = r.avg_score;
        p.lift = line_lift(r.avg_cost, r.avg_score, line);
        p.per_model = r.per_model;
        p.expected = std::move(seg.expected);
        p.policy = std::move(seg.policy);
        out.push_back(std::move(p));
    }
    return out;
}

std::size_t best_by_lift(const std::vector<CurvePoint>& curve) {
    if (curve.empty()) return 0;
    // Python `max` over the candidates in the method's order (cheapest first): a later one
    // wins only when strictly better.
    std::size_t best = curve.size() - 1;
    for (std::size_t k = curve.size() - 1; k-- > 0;)
        if (curve[k].lift > curve[best].lift) best = k;
    return best;
}

// ---- Parameters -------------------------------------------------------------------------

double representative_lambda(double lo, double hi) {
    if (std::isfinite(hi)) return lo + (hi - lo) / 2;
    return lo > 0 ? 2 * lo : 1.0;
}

nlohmann::json policy_to_params(const PolicySegment& seg, int models, int observations) {
    nlohmann::json p;
    p["lambda"] = representative_lambda(seg.lambda_lo, seg.lambda_hi);
    p["lambda_lo"] = seg.lambda_lo;
    if (std::isfinite(seg.lambda_hi)) p["lambda_hi"] = seg.lambda_hi;
    p["models"] = models;
    p["bins"] = observations;
    nlohmann::json nodes = nlohmann::json::array();
    for (std::size_t n = 0; n < seg.policy.escalate.size(); ++n)
        if (seg.policy.escalate[n]) nodes.push_back(n);
    p["escalate_nodes"] = std::move(nodes);
    return p;
}

double lambda_of_params(const nlohmann::json& p) {
    if (!p.is_object() || !p.contains("lambda") || !p["lambda"].is_number())
        throw RoutingError("Cascade parameter: expected an object with a numeric \"lambda\", got " + p.dump());
    return p["lambda"].get<double>();
}

Policy policy_from_params(const nlohmann::json& p, const HistoryTree& tree) {
    lambda_of_params(p);
    if (!p.contains("escalate_nodes") || !p["escalate_nodes"].is_array())
        throw RoutingError("Cascade parameter: \"escalate_nodes\" missing — a Cascade policy comes from "
                           "training (candidates), a bare λ needs the train rows (use `automix cascade`)");
    if (!p.contains("models") || !p["models"].is_number_integer() || p["models"].get<int>() != tree.models() ||
        !p.contains("bins") || !p["bins"].is_number_integer() || p["bins"].get<int>() != tree.observations())
        throw RoutingError("Cascade parameter: policy is not for " + std::to_string(tree.models()) + " models × " +
                           std::to_string(tree.observations()) + " bins: " + p.dump());
    Policy policy;
    policy.escalate.assign(tree.size(), 0);
    for (const auto& v : p["escalate_nodes"]) {
        if (!v.is_number_unsigned() || v.get<std::size_t>() >= tree.size())
            throw RoutingError("Cascade parameter: bad node id " + v.dump());
        policy.escalate[v.get<std::size_t>()] = 1;
    }
    return policy;
}

}  // namespace automix::routing::cascade

namespace automix::routing::cascade {

nlohmann::json model_to_json(const CascadeModel& m) {
    nlohmann::json j;
    j["models"] = m.models;
    j["bins"] = m.observations;
    j["tau"] = m.options.tau;
    j["alpha"] = m.options.alpha;
    j["train_rows"] = m.train_rows;
    j["reach_cost"] = m.reach_cost;
    if (!m.category_given_state.empty()) j["category_names"] = {"NEEDY", "GOOD", "HOPELESS", "UNDEFINED"};
    nlohmann::json states = nlohmann::json::array();
    for (int s = 0; s < m.states; ++s) {
        nlohmann::json st;
        st["state"] = s;
        st["label"] = state_label(s, m.models);
        st["prior"] = m.prior[s];
        if (!m.state_rows.empty()) st["train_rows"] = m.state_rows[s];
        std::vector<double> values, obs;
        for (int k = 0; k < m.models; ++k) values.push_back(m.val(k, s));
        st["value"] = values;  // V_j(s) per model
        nlohmann::json per_model = nlohmann::json::array();
        for (int k = 0; k + 1 < m.models; ++k) {
            std::vector<double> row;
            for (int o = 0; o < m.observations; ++o) row.push_back(m.obs(k, s, o));
            per_model.push_back(row);
        }
        st["observation"] = per_model;  // [model][bin] = P(o | s)
        if (m.category_given_state.size() == static_cast<std::size_t>(m.states) * 4)
            st["categories"] =
                std::vector<double>(m.category_given_state.begin() + s * 4, m.category_given_state.begin() + s * 4 + 4);
        states.push_back(std::move(st));
    }
    j["states"] = std::move(states);
    return j;
}

nlohmann::json policy_table_json(const CascadeSolution& sol, const Policy& policy, double lambda) {
    const HistoryTree& tree = sol.tree();
    nlohmann::json out = nlohmann::json::array();
    std::vector<std::uint8_t> reached(tree.size(), 0);
    for (std::size_t n = 0; n < tree.count(0); ++n) reached[n] = 1;
    for (std::size_t n = 0; n < tree.size(); ++n) {
        if (!reached[n]) continue;
        const int depth = tree.depth_of(n);
        const NodeQ q = sol.q_values(n, lambda);
        nlohmann::json e;
        e["node"] = n;
        e["model"] = depth;
        e["history"] = tree.history(n);
        e["probability"] = sol.probability(n);
        e["belief"] = sol.belief(n);
        if (const auto c = category_belief(sol.model(), sol.belief(n)); !c.empty()) e["categories"] = c;
        e["threshold"] = number(sol.threshold(n));
        e["q_report"] = number(q.q_report);
        e["q_escalate"] = number(q.q_escalate);
        e["action"] = policy.escalate[n] ? "escalate" : "report";
        out.push_back(std::move(e));
        if (policy.escalate[n] && depth + 1 < tree.depths())
            for (int o = 0; o < tree.observations(); ++o) reached[tree.child(n, o)] = 1;
    }
    return out;
}

nlohmann::json curve_to_json(const std::vector<CurvePoint>& curve) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : curve) {
        nlohmann::json e;
        e["lambda_lo"] = p.lambda_lo;
        e["lambda_hi"] = number(p.lambda_hi);
        e["avg_cost"] = number(p.avg_cost);
        e["avg_perf"] = number(p.avg_score);
        e["lift"] = number(p.lift);
        e["per_model"] = p.per_model;
        e["expected_cost"] = p.expected.cost;
        e["expected_perf"] = p.expected.score;
        e["escalating_nodes"] = p.policy.escalating_nodes();
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace automix::routing::cascade

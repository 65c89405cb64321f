#include "core/eval/walkthrough.hpp"

#include <cmath>

#include "core/eval/metrics.hpp"
#include "core/routing/bins.hpp"
#include "core/routing/cascade_model.hpp"
#include "core/routing/cascade_router.hpp"
#include "core/routing/cascade_solver.hpp"
#include "core/routing/pomdp_simple.hpp"

namespace automix::eval {

namespace {

std::string model_name(const data::Dataset& ds, int m) {
    const auto& c = ds.models[static_cast<std::size_t>(m)];
    return c.display_name.empty() ? c.name : c.display_name;
}

// The per-bin escalate flags of the method's policy (Method::bin_policy: POMDPSimple, or the
// POMDP union when it picked that member). Empty when it has none.
std::vector<std::uint8_t> pomdp_flags(const routing::Method& method, const routing::Params& p, int bins) {
    const routing::Params flags = method.bin_policy(p);
    std::vector<std::uint8_t> out;
    if (!flags.is_array() || static_cast<int>(flags.size()) != bins) return {};
    for (const auto& f : flags) {
        if (!f.is_number_integer()) return {};
        out.push_back(static_cast<std::uint8_t>(f.get<int>() != 0));
    }
    return out;
}

void fill_belief(Walkthrough& w, const data::Dataset& ds, const routing::Method& method, const routing::Params& p,
                 const routing::Config& cfg, const data::View& train) {
    if (train.empty() || w.bin < 0) return;
    const routing::Bins bins(cfg.num_bins);
    const auto table = routing::observation_table(ds, train, bins);
    if (static_cast<std::size_t>(w.bin) >= table.size()) return;
    const routing::ObservationRow& o = table[static_cast<std::size_t>(w.bin)];
    w.belief.available = true;
    w.belief.train_rows = o.rows;
    w.belief.needy = o.p_needy;
    w.belief.good = o.p_good;
    w.belief.hopeless = o.p_hopeless;
    const auto flags = pomdp_flags(method, p, bins.count());
    if (flags.empty()) return;
    // The trained policy came from some reward r; its values are those of the first such r.
    for (int r = 0; r < routing::kPomdpRewards; ++r) {
        if (routing::policy_for_reward(table, r) != flags) continue;
        const routing::BinValues v = routing::bin_values(o, r);
        w.belief.has_values = true;
        w.belief.reward = r;
        w.belief.stay = v.stay;
        w.belief.escalate = v.escalate;
        break;
    }
}

void fill_cascade(Walkthrough& w, const data::Dataset& ds, data::RowIndex row, const routing::Params& p,
                  const routing::Config& cfg, const data::View& train) {
    using namespace routing::cascade;
    CascadeOptions options;
    options.num_bins = cfg.num_bins;
    // The Cascade method's own model: learned on the train rows with its default options.
    const CascadeSolution sol(learn_cascade_model(ds, train, options, cascade_costs(ds, cfg)));
    const CascadeRows rows(ds, data::View{row}, cfg.num_bins);
    const int models = sol.model().models;
    std::vector<std::string> labels;
    for (int s = 0; s < sol.model().states; ++s) labels.push_back(state_label(s, models));
    for (const TraceStep& t : trace_row(sol, lambda_of_params(p), rows, 0)) {
        WalkCascadeStep step;
        step.model = t.model;
        step.model_name = model_name(ds, t.model);
        const auto& conf = ds.models[static_cast<std::size_t>(t.model)].verifier_confidence;
        step.confidence = t.bin >= 0 && row < conf.size() ? conf[row] : std::nan("");
        step.bin = t.bin;
        step.states = labels;
        step.belief = t.belief;
        step.q_report = t.q_report;
        step.q_escalate = t.q_escalate;
        step.escalate = t.escalate;
        step.cost_so_far = t.cost_so_far;
        w.cascade.push_back(std::move(step));
    }
}

}  // namespace

Walkthrough walk_through(const data::Dataset& ds, data::RowIndex row, const routing::Method& method,
                         const routing::Params& params, const routing::Config& cfg, const data::View& train) {
    Walkthrough w;
    w.id = ds.id[row];
    w.dataset = std::string(ds.dataset_name(row));
    w.question = ds.question[row];
    w.gold = ds.gold[row];
    const data::ModelColumns& small = ds.small();
    w.small_name = model_name(ds, 0);
    w.small_answer = small.answer[row];
    w.small_score = small.score[row];

    const std::size_t k = small.verifier_samples.count(row);
    const auto texts = small.verifier_samples.texts(row);
    int correct = 0, incorrect = 0;
    for (std::size_t i = 0; i < k; ++i) {
        WalkSample s;
        s.text = i < texts.size() ? texts[i] : std::string();
        s.verdict = small.verifier_samples.verdict(row, i);
        correct += s.verdict == data::SampleVerdict::Correct ? 1 : 0;
        incorrect += s.verdict == data::SampleVerdict::Incorrect ? 1 : 0;
        s.correct = correct;
        s.incorrect = incorrect;
        s.confidence = small.verifier_samples.confidence(row, i + 1);
        w.samples.push_back(std::move(s));
    }
    w.confidence = row < small.verifier_confidence.size() ? small.verifier_confidence[row] : std::nan("");
    const routing::Bins bins(cfg.num_bins);
    w.num_bins = cfg.num_bins;
    w.bin = bins.nearest(w.confidence);
    w.bin_centre = w.bin >= 0 ? bins.centre(w.bin) : std::nan("");

    w.method = method.name();
    w.params = method.describe(params, cfg);
    const std::vector<int> ladder = ScoredView::ladder_for(ds, method);
    w.decision = method.route(ds, data::View{row}, params, cfg).at(0);
    w.answering_model = ladder.at(static_cast<std::size_t>(w.decision));
    w.answering_name = model_name(ds, w.answering_model);
    w.answer = ds.models[static_cast<std::size_t>(w.answering_model)].answer[row];
    w.answer_score = ds.models[static_cast<std::size_t>(w.answering_model)].score[row];
    w.reason = method.explain(ds, train, row, params, cfg);

    // Cost as the explorer's table counts it: every ladder model called up to the answering
    // one, plus one verification.
    auto cost_of = [&](int level) {
        double c = cfg.verifier_cost;
        for (int l = 0; l <= level; ++l) c += cfg.call_costs.at(static_cast<std::size_t>(ladder[static_cast<std::size_t>(l)]));
        return c;
    };
    w.cost = cost_of(w.decision);
    int best = 0;
    for (int l = 1; l < static_cast<int>(ladder.size()); ++l)
        if (ds.models[static_cast<std::size_t>(ladder[static_cast<std::size_t>(l)])].score[row] >
            ds.models[static_cast<std::size_t>(ladder[static_cast<std::size_t>(best)])].score[row])
            best = l;
    w.oracle_model = ladder[static_cast<std::size_t>(best)];
    w.oracle_name = model_name(ds, w.oracle_model);
    w.oracle_cost = cost_of(best);
    w.matches_oracle = best == w.decision;

    if (!method.uses_all_models()) fill_belief(w, ds, method, params, cfg, train);
    if (method.capabilities().panel == "cascade" && !train.empty()) fill_cascade(w, ds, row, params, cfg, train);
    return w;
}

}  // namespace automix::eval

// The cascade on data: learning the POMDP tables from rows (hand-counted Laplace
// estimates), routing and traces, the `Cascade` method and the fixed cascades through the
// registry, trainer and evaluation protocol, and the `automix cascade` CLI.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "core/data/dataset.hpp"
#include "core/eval/metrics.hpp"
#include "core/eval/protocol.hpp"
#include "core/eval/trainer.hpp"
#include "core/routing/cascade_methods.hpp"
#include "core/routing/cascade_router.hpp"
#include "core/routing/cascade_session.hpp"

using namespace automix;
using namespace automix::routing::cascade;

namespace {

struct RowSpec {
    std::vector<double> scores;
    std::vector<double> confidences;  // one per model but the last
    data::Split split = data::Split::Train;
};

data::Dataset build_dataset(const std::vector<RowSpec>& rows, std::vector<double> costs) {
    data::Dataset ds;
    ds.dataset_names = {"toy"};
    ds.verifier_cost = 1;
    const std::size_t N = costs.size();
    for (std::size_t j = 0; j < N; ++j) {
        data::ModelColumns m;
        m.name = "m" + std::to_string(j + 1);
        m.call_cost = costs[j];
        ds.models.push_back(m);
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        ds.id.push_back("r" + std::to_string(i));
        ds.split.push_back(rows[i].split);
        ds.dataset_index.push_back(0);
        ds.category.push_back(data::Category::Undefined);
        for (std::size_t j = 0; j < N; ++j) {
            ds.models[j].score.push_back(rows[i].scores[j]);
            ds.models[j].verifier_confidence.push_back(j + 1 < N ? rows[i].confidences[j] : data::kMissing);
        }
    }
    return ds;
}

// A 3-model dataset whose verifier confidences are informative about correctness.
data::Dataset synthetic_three_models(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<RowSpec> rows;
    for (std::size_t i = 0; i < n; ++i) {
        const double difficulty = u(rng);
        RowSpec r;
        const double acc[] = {0.75 - 0.6 * difficulty, 0.9 - 0.5 * difficulty, 0.97 - 0.3 * difficulty};
        for (double a : acc) r.scores.push_back(u(rng) < a ? 1.0 : (u(rng) < 0.3 ? 0.4 : 0.0));
        for (int j = 0; j < 2; ++j) {
            const double noisy = (r.scores[j] >= 0.5 ? 0.7 : 0.3) + 0.35 * (u(rng) - 0.5);
            r.confidences.push_back(std::round(std::clamp(noisy, 0.0, 1.0) * 32) / 32);
        }
        r.split = i % 3 == 0 ? data::Split::Val : data::Split::Train;
        rows.push_back(r);
    }
    return build_dataset(rows, {1, 10, 50});
}

routing::Config config_for(const data::Dataset& ds) {
    routing::Config cfg;
    cfg.call_costs.clear();
    for (const auto& m : ds.models) cfg.call_costs.push_back(m.call_cost);
    cfg.verifier_cost = ds.verifier_cost;
    return cfg;
}

}  // namespace

class TestCascadeMethod : public QObject {
    Q_OBJECT

  private slots:
    void learns_laplace_tables_by_hand() {
        // Two models, num_bins 1 → bins {0, 1} (nearest: p < 0.5 → 0, else 1).
        auto ds = build_dataset(
            {{{1, 1}, {0.9}}, {{0, 1}, {0.2}}, {{0, 1}, {0.7}}, {{0, 0}, {0.1}}, {{0.8, 0.3}, {1.0}}}, {1, 50});
        using C = data::Category;
        ds.category = {C::Good, C::Needy, C::Needy, C::Hopeless, C::Undefined};
        CascadeOptions o;
        o.num_bins = 1;
        o.alpha = 1;
        const CascadeModel m = learn_cascade_model(ds, ds.all_rows(), o, {{1, 50}, 1});
        QCOMPARE(m.states, 4);
        QCOMPARE(m.observations, 2);
        // States (bit0 = m1 correct, bit1 = m2): rows → 3, 2, 2, 0, 1. n = 5, S = 4, α = 1.
        QVERIFY(std::fabs(m.prior[0] - 2.0 / 9) < 1e-15);  // (1 + 1) / (5 + 4)
        QVERIFY(std::fabs(m.prior[1] - 2.0 / 9) < 1e-15);
        QVERIFY(std::fabs(m.prior[2] - 3.0 / 9) < 1e-15);
        QVERIFY(std::fabs(m.prior[3] - 2.0 / 9) < 1e-15);
        // State 2 (m2 correct only): bins 0 and 1 once each → (1+1)/(2+2) each.
        QVERIFY(std::fabs(m.obs(0, 2, 0) - 0.5) < 1e-15);
        // State 3: one row in bin 1 → (0+1)/(1+2), (1+1)/(1+2).
        QVERIFY(std::fabs(m.obs(0, 3, 0) - 1.0 / 3) < 1e-15);
        QVERIFY(std::fabs(m.obs(0, 3, 1) - 2.0 / 3) < 1e-15);
        // Values: mean actual score; state 1 holds the row with scores (0.8, 0.3).
        QVERIFY(std::fabs(m.val(0, 1) - 0.8) < 1e-15);
        QVERIFY(std::fabs(m.val(1, 1) - 0.3) < 1e-15);
        QCOMPARE(m.val(1, 2), 1.0);
        QCOMPARE(m.state_rows, (std::vector<std::size_t>{1, 1, 2, 1}));
        // Category view: state 2 holds two NEEDY rows → (2+1)/(2+4); GOOD there (0+1)/(2+4).
        QVERIFY(std::fabs(m.category_given_state[2 * 4 + 0] - 0.5) < 1e-15);
        QVERIFY(std::fabs(m.category_given_state[2 * 4 + 1] - 1.0 / 6) < 1e-15);
        QVERIFY(std::fabs(m.category_given_state[0 * 4 + 2] - 2.0 / 5) < 1e-15);  // HOPELESS row in state 0
        // P(NEEDY) under the prior: states 0, 1, 3 have no NEEDY row → 1/5 each; state 2 → 1/2.
        const auto cats = category_belief(m, m.prior);
        QVERIFY(std::fabs(cats[0] - (2.0 / 9 * 0.2 + 2.0 / 9 * 0.2 + 3.0 / 9 * 0.5 + 2.0 / 9 * 0.2)) < 1e-15);
        // Reach costs: m1 + verification = 2; + m2 = 52.
        QCOMPARE(m.reach_cost, (std::vector<double>{2, 52}));
        QCOMPARE(cost_to_reach({{1, 10, 50}, 1}), (std::vector<double>{2, 13, 63}));
    }

    void bad_confidence_names_the_row() {
        const auto ds = build_dataset({{{1, 1}, {0.9}}, {{0, 1}, {std::nan("")}}}, {1, 50});
        try {
            learn_cascade_model(ds, ds.all_rows(), {}, {{1, 50}, 1});
            QFAIL("expected a RoutingError");
        } catch (const routing::RoutingError& e) {
            QVERIFY(std::string(e.what()).find("r1") != std::string::npos);
        }
    }

    void routing_and_traces_follow_the_policy() {
        const auto ds = synthetic_three_models(900, 1);
        const auto train = ds.rows(0, data::Split::Train), val = ds.rows(0, data::Split::Val);
        const CascadeCosts costs{{1, 10, 50}, 1};
        const CascadeSolution sol(learn_cascade_model(ds, train, {}, costs));
        const CascadeRows rows(ds, val, 8);
        const auto segs = sol.distinct_policies();
        QVERIFY(segs.size() >= 3);
        for (const auto& seg : segs) {
            const double lambda = representative_lambda(seg.lambda_lo, seg.lambda_hi);
            const CascadeResult r = route_rows(sol, seg.policy, rows);
            double cost = 0;
            for (std::size_t i = 0; i < rows.size(); ++i) {
                // Walk by hand: escalate while the policy says so at the row's node.
                int j = 0;
                while (j < 2 && seg.policy.escalate[rows.node(i, j)]) ++j;
                QCOMPARE(int(r.final_model[i]), j);
                cost += sol.model().reach_cost[j];
                if (i % 37 != 0) continue;
                const auto steps = trace_row(sol, lambda, rows, i);
                QCOMPARE(steps.back().model, j);
                QCOMPARE(steps.back().cost_so_far, sol.model().reach_cost[j]);
                // Beliefs are the Bayes posteriors of the bins seen so far.
                Belief b = sol.model().prior;
                for (const auto& s : steps) {
                    if (s.bin >= 0) update_belief(sol.model(), b, s.model, s.bin);
                    for (int st = 0; st < sol.model().states; ++st) QVERIFY(std::fabs(b[st] - s.belief[st]) < 1e-12);
                    if (s.model < 2) QCOMPARE(s.escalate, s.q_escalate > s.q_report);
                }
            }
            QVERIFY(std::fabs(r.avg_cost - cost / rows.size()) < 1e-9);
        }
        // The cheapest policy keeps everything at m1, the λ = 0 one escalates most.
        QCOMPARE(route_rows(sol, segs.back().policy, rows).per_model[0], rows.size());
        QVERIFY(route_rows(sol, segs.front().policy, rows).avg_cost >
                route_rows(sol, segs.back().policy, rows).avg_cost);
        // Escalation sets shrink with λ, so per-row costs never grow along the curve.
        for (std::size_t k = 1; k < segs.size(); ++k) {
            const auto before = route_rows(sol, segs[k - 1].policy, rows),
                       after = route_rows(sol, segs[k].policy, rows);
            for (std::size_t i = 0; i < rows.size(); ++i) QVERIFY(after.final_model[i] <= before.final_model[i]);
        }
    }

    void cascade_method_trains_like_its_own_curve() {
        const auto ds = synthetic_three_models(1500, 2);
        const auto cfg = config_for(ds);
        const auto method = routing::find_method("cascade_pomdp");
        QVERIFY(method);
        QCOMPARE(method->name(), std::string("Cascade"));
        QVERIFY(method->uses_all_models());
        const auto train_rows = ds.rows(0, data::Split::Train);
        const auto cands = method->candidates(ds, train_rows, cfg);
        QVERIFY(cands.size() >= 3);
        // Cheapest first: the first candidate never escalates.
        QCOMPARE(cands.front()["escalate_nodes"].size(), std::size_t{0});
        const eval::ScoredView train(ds, train_rows, {0, 1, 2}, eval::CostModel::from(cfg));
        const eval::TrainResult t = eval::train_method(*method, ds, train, cfg);
        // The trainer's pick equals the router's own best-by-lift on the train curve.
        const CascadeSolution sol(learn_cascade_model(ds, train_rows, {}, cascade_costs(ds, cfg)));
        const auto curve = cost_quality_curve(sol, CascadeRows(ds, train_rows, 8), cascade_costs(ds, cfg).call_costs);
        QCOMPARE(curve.size(), cands.size());
        const auto& best = curve[best_by_lift(curve)];
        QCOMPARE(t.best_params()["lambda_lo"].get<double>(), best.lambda_lo);
        QVERIFY(sol.policy_at(t.best_params()["lambda"].get<double>()) == best.policy);
        QVERIFY(std::fabs(t.train_lift() - best.lift) < 1e-12);
        // And eval's metrics of the same decisions agree with ours.
        const auto d = method->route(ds, train_rows, t.best_params(), cfg);
        const auto metrics = train.evaluate(d);
        QVERIFY(std::fabs(metrics.avg_cost - best.avg_cost) < 1e-9);
        QVERIFY(std::fabs(metrics.avg_perf - best.avg_score) < 1e-12);
        QVERIFY(best.lift > 0);  // informative confidences beat the straight line
        // A parameter without a policy is refused with a reason.
        QVERIFY_THROWS_EXCEPTION(routing::RoutingError, method->route(ds, train_rows, {{"lambda", 0.01}}, cfg));
        QVERIFY(!method->explain(ds, train_rows, ds.rows(0, data::Split::Val)[0], t.best_params(), cfg).empty());
    }

    void session_matches_the_parts() {
        const auto ds = synthetic_three_models(900, 5);
        const auto cfg = config_for(ds);
        const auto train = ds.rows(0, data::Split::Train), val = ds.rows(0, data::Split::Val);
        const auto s = CascadeSession::build(ds, train, val, {}, cfg);
        QCOMPARE(s.curve.size(), s.train_curve.size());
        for (std::size_t k = 0; k < s.curve.size(); ++k) QVERIFY(s.curve[k].policy == s.train_curve[k].policy);
        QVERIFY(s.solution.policy_at(s.trained_lambda) == s.train_curve[s.trained].policy);
        // The trained policy equals what the Cascade method picks through the trainer.
        const auto method = routing::find_method("Cascade");
        const eval::ScoredView tv(ds, train, {0, 1, 2}, eval::CostModel::from(cfg));
        const auto t = eval::train_method(*method, ds, tv, cfg);
        QCOMPARE(method->route(ds, val, t.best_params(), cfg), s.route(s.trained_lambda).final_model);
        QCOMPARE(s.trace(0, s.trained_lambda).back().model, int(s.route(s.trained_lambda).final_model[0]));
    }

    void fixed_cascades() {
        // Hand rows for the oracle and thresholds: (scores m1 m2 m3; confidences m1 m2).
        const auto ds = build_dataset({{{1, 1, 1}, {0.9, 0.9}},
                                       {{0, 1, 1}, {0.2, 0.9}},
                                       {{0, 0, 1}, {0.1, 0.3}},
                                       {{0, 0, 0}, {0.6, 0.1}},
                                       {{0.4, 0.6, 0.2}, {0.5, 0.5}}},
                                      {1, 10, 50});
        const auto cfg = config_for(ds);
        const auto all = ds.all_rows();
        const auto oracle = routing::find_method("CascadeOracle");
        QVERIFY(oracle);
        QCOMPARE(oracle->route(ds, all, oracle->candidates(ds, all, cfg).at(0), cfg),
                 (routing::Decisions{0, 1, 2, 0, 1}));
        const auto always = routing::find_method("cascade_always");
        QCOMPARE(always->route(ds, all, always->candidates(ds, all, cfg).at(0), cfg),
                 (routing::Decisions{2, 2, 2, 2, 2}));
        const auto thr = routing::find_method("CascadeThresholds");
        // Escalate from m1 iff p1 ≤ 0.5, from m2 iff p2 ≤ 0.3 (inclusive).
        QCOMPARE(thr->route(ds, all, nlohmann::json{0.5, 0.3}, cfg), (routing::Decisions{0, 1, 2, 0, 1}));
        QCOMPARE(thr->route(ds, all, nlohmann::json{0.5, 0.5}, cfg), (routing::Decisions{0, 1, 2, 0, 2}));
    }

    void greedy_thresholds_pick_the_best_first_step() {
        const auto ds = synthetic_three_models(1200, 3);
        const auto cfg = config_for(ds);
        const auto train = ds.rows(0, data::Split::Train);
        const auto thr = routing::find_method("CascadeThresholds");
        const auto cands = thr->candidates(ds, train, cfg);
        QCOMPARE(cands.size(), std::size_t{9});
        const double t0 = cands[0][0].get<double>();
        for (const auto& c : cands) QCOMPARE(c[0].get<double>(), t0);
        // Brute force over t0 of the two-step cascade (m3 never called), lift vs m1→m3 line.
        const eval::ScoredView view(ds, train, {0, 1, 2}, eval::CostModel::from(cfg));
        double best_lift = -INFINITY, best_t = -1;
        for (int k = 0; k <= 8; ++k) {
            routing::Decisions d;
            for (auto r : train) d.push_back(ds.models[0].verifier_confidence[r] <= k / 8.0 ? 1 : 0);
            const double lift = view.evaluate(d).lift;
            if (lift > best_lift) best_lift = lift, best_t = k / 8.0;
        }
        QCOMPARE(t0, best_t);
    }

    void evaluation_reports_cascade_with_traces() {
        const auto ds = synthetic_three_models(900, 4);
        eval::EvalOptions o;
        o.methods = {"Cascade", "CascadeThresholds", "CascadeOracle", "CascadeAlways"};
        o.config = config_for(ds);
        const eval::Report r = eval::run_evaluation(ds, o);
        QCOMPARE(r.datasets.size(), std::size_t{1});
        const auto& dr = r.datasets[0];
        QCOMPARE(dr.methods.size(), std::size_t{4});
        for (const auto& m : dr.methods) QVERIFY2(m.ok, m.error.c_str());
        const auto& c = dr.methods[0];
        QCOMPARE(c.key, std::string("Cascade"));
        QCOMPARE(c.decisions.size(), dr.n_val);
        QVERIFY(c.extra.is_object());
        QCOMPARE(c.extra["traces"].size(), dr.n_val);
        // Each trace ends where the decision says.
        for (std::size_t i = 0; i < dr.n_val; ++i)
            QCOMPARE(c.extra["traces"][i]["final_model"].get<int>(), int(c.decisions[i]));
        QVERIFY(!c.extra["policy_table"].empty());
        // The oracle is an upper bound on performance for its cost class.
        QVERIFY(dr.methods[2].val.avg_perf >= c.val.avg_perf - 0.05);
        QVERIFY(dr.methods[3].val.lift < 0);  // calling everything costs more than m3 alone
    }

    void cli_prints_the_curve() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString data = dir.filePath("three.jsonl");
        QProcess gen;
        gen.start(AUTOMIX_CLI, {"gen-demo", "--format", "native", "--models", "3", "--rows", "1500", "--out", data});
        QVERIFY(gen.waitForFinished(60000));
        QCOMPARE(gen.exitCode(), 0);
        const QString out = dir.filePath("cascade.json");
        QProcess p;
        p.start(AUTOMIX_CLI, {"cascade", "--data", data, "--datasets", "coqa", "--json", out});
        QVERIFY(p.waitForFinished(60000));
        const QString text = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardError())));
        QVERIFY(text.contains("distinct policies"));
        QVERIFY(text.contains("trained lambda"));
        std::ifstream in(out.toStdString());
        const auto j = nlohmann::json::parse(in);
        QCOMPARE(j["format"].get<std::string>(), std::string("automix-cascade-v1"));
        const auto& curve = j["datasets"]["coqa"]["curve"];
        QVERIFY(curve.size() >= 2);
        for (std::size_t k = 1; k < curve.size(); ++k)
            QVERIFY(curve[k]["train"]["avg_cost"].get<double>() <=
                    curve[k - 1]["train"]["avg_cost"].get<double>() + 1e-12);
        // Every field of the metrics table on train and val, by its key; the text table has the
        // headline fields as columns, and the figures agree with the JSON.
        for (const eval::MetricField& f : eval::metric_fields()) {
            QVERIFY2(curve[0]["train"].contains(std::string(f.key)), std::string(f.key).c_str());
            QVERIFY2(curve[0]["val"].contains(std::string(f.key)), std::string(f.key).c_str());
            if (f.headline) QVERIFY2(text.contains(QString::fromStdString("val " + std::string(f.label))), qPrintable(text));
        }
        const auto& val0 = curve[0]["val"];
        QCOMPARE(val0["n"].get<std::size_t>(), j["datasets"]["coqa"]["n_val"].get<std::size_t>());
        std::size_t answered = 0, calls = 0;
        for (std::size_t m = 0; m < val0["per_model"].size(); ++m) {
            answered += val0["per_model"][m].get<std::size_t>();
            calls += val0["per_model"][m].get<std::size_t>() * (m + 1);
        }
        QCOMPARE(answered, val0["n"].get<std::size_t>());
        QCOMPARE(val0["n_escalated"].get<std::size_t>(), answered - val0["per_model"][0].get<std::size_t>());
        QCOMPARE(val0["calls_per_query"].get<double>(), static_cast<double>(calls) / static_cast<double>(answered));
        QVERIFY(text.contains(QString::fromStdString(
            eval::format_metric(eval::metric_field("avg_cost"), curve[0]["val"]["avg_cost"].get<double>()))));
        const auto& pick = j["datasets"]["coqa"]["policies"][0];
        QCOMPARE(pick["traces"].size(), j["datasets"]["coqa"]["n_val"].get<std::size_t>());
        const auto& step = pick["traces"][0]["steps"][0];
        QCOMPARE(step["model"].get<int>(), 0);
        QCOMPARE(step["belief"].size(), std::size_t{8});
        // A usage error is reported, not a crash.
        QProcess bad;
        bad.start(AUTOMIX_CLI, {"cascade", "--data", data, "--alpha", "-1"});
        QVERIFY(bad.waitForFinished(60000));
        QVERIFY(bad.exitCode() != 0);
    }
};

QTEST_GUILESS_MAIN(TestCascadeMethod)
#include "test_cascade_method.moc"

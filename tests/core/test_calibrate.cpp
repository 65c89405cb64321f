// Calibration to a constraint (core/eval/calibrate): the choice equals a brute force over the
// method's candidates on the train rows for every kind of limit, the val figures equal routing
// val with the chosen parameter, the interval is sane, an impossible limit is refused with a
// message naming the nearest candidate, and `automix calibrate` writes the same numbers and a
// models config the live reader loads.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "core/data/reader.hpp"
#include "core/eval/bootstrap.hpp"
#include "core/eval/calibrate.hpp"
#include "core/eval/cost_quality.hpp"
#include "core/live/models_config.hpp"
#include "core/routing/method.hpp"

using namespace automix;

namespace {

const std::string kDemo = std::string(AUTOMIX_SOURCE_DIR "/resources/demo/demo.jsonl.gz");
const std::string kDemo3 = std::string(AUTOMIX_SOURCE_DIR "/resources/demo/demo-3model.jsonl.gz");

const data::Dataset& demo() {
    static const data::LoadResult loaded = data::load_file(kDemo);
    return loaded.dataset;
}

routing::Config config_of(const data::Dataset& ds) {
    routing::Config cfg;
    cfg.call_costs.clear();
    for (const auto& m : ds.models) cfg.call_costs.push_back(m.call_cost);
    cfg.verifier_cost = ds.verifier_cost;
    return cfg;
}

// The brute force: every candidate routed and scored on train by hand; the best feasible one
// under the documented rule (ceilings and the lift floor: highest perf, then lowest cost;
// perf floor: lowest cost, then highest perf; then the earlier candidate).
std::optional<std::size_t> brute_force(const routing::Method& m, const data::Dataset& ds, const data::View& train,
                                       const routing::Config& cfg, const eval::Constraint& c,
                                       std::vector<eval::Metrics>* train_out = nullptr) {
    const eval::ScoredView view = eval::ScoredView::for_method(ds, train, m, eval::CostModel::from(cfg));
    const auto params = m.candidates(ds, train, cfg);
    std::optional<std::size_t> best;
    std::vector<eval::Metrics> all;
    for (std::size_t i = 0; i < params.size(); ++i) {
        const eval::Metrics x = view.evaluate(m.route(ds, train, params[i], cfg));
        all.push_back(x);
        double f = 0;
        switch (c.limit) {
        case eval::Limit::MaxCost: f = x.avg_cost; break;
        case eval::Limit::MaxEscalated: f = x.escalated_fraction; break;
        case eval::Limit::MinPerf: f = x.avg_perf; break;
        case eval::Limit::MinLift: f = x.lift; break;
        }
        const bool ok = (c.limit == eval::Limit::MaxCost || c.limit == eval::Limit::MaxEscalated) ? f <= c.value
                                                                                                 : f >= c.value;
        if (!ok) continue;
        if (!best) {
            best = i;
            continue;
        }
        const eval::Metrics& b = all[*best];
        const bool better = c.limit == eval::Limit::MinPerf
                                ? (x.avg_cost < b.avg_cost || (x.avg_cost == b.avg_cost && x.avg_perf > b.avg_perf))
                                : (x.avg_perf > b.avg_perf || (x.avg_perf == b.avg_perf && x.avg_cost < b.avg_cost));
        if (better) best = i;
    }
    if (train_out) *train_out = all;
    return best;
}

// A limit that binds: the median of the candidates' train figures of that kind.
double median_figure(const std::vector<eval::Metrics>& all, eval::Limit l) {
    std::vector<double> v;
    for (const auto& m : all)
        if (std::isfinite(eval::constrained_figure(l, m))) v.push_back(eval::constrained_figure(l, m));
    std::sort(v.begin(), v.end());
    return v.empty() ? NAN : v[v.size() / 2];
}

int run_cli(const QStringList& args, QString* err = nullptr) {
    QProcess p;
    p.start(AUTOMIX_CLI, args);
    if (!p.waitForFinished(180000)) return -1;
    if (err) *err = QString::fromUtf8(p.readAllStandardError());
    return p.exitCode();
}

}  // namespace

class TestCalibrate : public QObject {
    Q_OBJECT
  private slots:
    void choice_equals_brute_force_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("dataset");
        QTest::addColumn<int>("limit");
        for (const char* m : {"Threshold", "DoubleThreshold", "POMDP", "GreedyPOMDP"})
            for (const char* d : {"coqa", "cnli"})
                for (int l = 0; l < 4; ++l)
                    QTest::newRow((std::string(m) + "/" + d + "/" + eval::limit_name(static_cast<eval::Limit>(l))).c_str())
                        << QString(m) << QString(d) << l;
    }
    void choice_equals_brute_force() {
        QFETCH(QString, method);
        QFETCH(QString, dataset);
        QFETCH(int, limit);
        const data::Dataset& ds = demo();
        const int d = ds.find_dataset(dataset.toStdString());
        QVERIFY(d >= 0);
        const auto m = routing::find_method(method.toStdString());
        QVERIFY(m);
        const routing::Config cfg = config_of(ds);
        const data::View train = ds.measured(ds.rows(d, data::Split::Train));
        const data::View val = ds.measured(ds.rows(d, data::Split::Val));
        const auto l = static_cast<eval::Limit>(limit);
        std::vector<eval::Metrics> all;
        (void)brute_force(*m, ds, train, cfg, {l, 0.0}, &all);
        const eval::Constraint c{l, median_figure(all, l)};
        const auto expected = brute_force(*m, ds, train, cfg, c);
        QVERIFY2(expected, "the median limit is met by some candidate");

        eval::CalibrationOptions o;
        o.constraint = c;
        o.bootstrap = 200;
        const eval::Calibration cal = eval::calibrate(*m, ds, train, val, cfg, o);
        QVERIFY(cal.chosen);
        QCOMPARE(*cal.chosen, *expected);
        QCOMPARE(cal.candidates.size(), all.size());
        const eval::CalibrationCandidate& k = *cal.choice();
        QVERIFY(eval::meets(c, k.train));
        // Exact: the train figures of the choice are the brute force's, to the bit.
        QCOMPARE(k.train.avg_cost, all[*expected].avg_cost);
        QCOMPARE(k.train.avg_perf, all[*expected].avg_perf);
        QCOMPARE(k.train.escalated_fraction, all[*expected].escalated_fraction);
        // Every candidate flagged feasible meets the limit, none of the others does.
        std::size_t feasible = 0;
        for (std::size_t i = 0; i < cal.candidates.size(); ++i) {
            QCOMPARE(cal.candidates[i].feasible, eval::meets(c, all[i]));
            feasible += cal.candidates[i].feasible;
        }
        QCOMPARE(cal.n_feasible, feasible);
        // Val: the chosen parameter routes the val rows; same figures, exactly.
        const eval::ScoredView vv = eval::ScoredView::for_method(ds, val, *m, eval::CostModel::from(cfg));
        const eval::Metrics v = vv.evaluate(m->route(ds, val, k.params, cfg));
        QCOMPARE(k.val.avg_cost, v.avg_cost);
        QCOMPARE(k.val.avg_perf, v.avg_perf);
        QCOMPARE(k.val.escalated_fraction, v.escalated_fraction);
        QCOMPARE(k.val.lift, v.lift);
        QCOMPARE(k.val.n, val.size());
        QCOMPARE(cal.val_meets, eval::meets(c, v));
        // The interval: 200 resamples, ordered, around the point estimate for cost and perf.
        QCOMPARE(cal.bootstrap, 200);
        QVERIFY(cal.val_cost.lo <= v.avg_cost && v.avg_cost <= cal.val_cost.hi);
        QVERIFY(cal.val_perf.lo <= v.avg_perf && v.avg_perf <= cal.val_perf.hi);
        QVERIFY(cal.val_escalated.lo <= cal.val_escalated.hi);
        QVERIFY(cal.val_lift.lo < cal.val_lift.hi);
        QVERIFY(cal.val_meets_share >= 0 && cal.val_meets_share <= 1);
    }

    // The chart and calibration agree: the chosen candidate's val figures are the chart's point.
    void val_figures_equal_the_cost_quality_chart() {
        const data::Dataset& ds = demo();
        const int d = ds.find_dataset("coqa");
        const routing::Config cfg = config_of(ds);
        const data::View train = ds.measured(ds.rows(d, data::Split::Train));
        const data::View val = ds.measured(ds.rows(d, data::Split::Val));
        const auto m = routing::find_method("POMDP");
        eval::CalibrationOptions o;
        o.constraint = {eval::Limit::MaxEscalated, 0.25};
        o.bootstrap = 0;
        const eval::Calibration cal = eval::calibrate(*m, ds, train, val, cfg, o);
        QVERIFY(cal.chosen);
        QCOMPARE(cal.bootstrap, 0);
        QVERIFY(std::isnan(cal.val_lift.lo));
        const eval::CostQuality cq = eval::cost_quality(ds, train, val, {m}, cfg, {}, 0);
        QCOMPARE(cq.methods.at(0).points.size(), cal.candidates.size());
        QCOMPARE(cq.methods[0].trained, cal.trained);
        const eval::Metrics& chart = cq.methods[0].points[*cal.chosen].metrics;
        QCOMPARE(cal.choice()->val.avg_cost, chart.avg_cost);
        QCOMPARE(cal.choice()->val.avg_perf, chart.avg_perf);
        QCOMPARE(cal.choice()->val.lift, chart.lift);
    }

    void three_model_cascade() {
        const data::LoadResult loaded = data::load_file(kDemo3);
        const data::Dataset& ds = loaded.dataset;
        const routing::Config cfg = config_of(ds);
        const data::View train = ds.measured(ds.rows(0, data::Split::Train));
        const data::View val = ds.measured(ds.rows(0, data::Split::Val));
        const auto m = routing::find_method("Cascade");
        QVERIFY(m);
        std::vector<eval::Metrics> all;
        (void)brute_force(*m, ds, train, cfg, {eval::Limit::MaxCost, 0}, &all);
        const eval::Constraint c{eval::Limit::MaxCost, median_figure(all, eval::Limit::MaxCost)};
        eval::CalibrationOptions o;
        o.constraint = c;
        o.bootstrap = 100;
        const eval::Calibration cal = eval::calibrate(*m, ds, train, val, cfg, o);
        QVERIFY(cal.chosen);
        QCOMPARE(cal.chosen, brute_force(*m, ds, train, cfg, c));
        QVERIFY(cal.choice()->train.avg_cost <= c.value);
    }

    // The default interval makes the choice again on each train resample: recomputed here the
    // slow way (each resample materialised as a row list and evaluated from scratch), with the
    // documented draws: val resamples from `seed` (those of the fixed interval), train
    // resamples from seed ^ 0x7EA1A5EED. The point estimate is the fixed interval's.
    void reselected_interval_remakes_the_choice() {
        const data::Dataset& ds = demo();
        const int d = ds.find_dataset("coqa");
        const routing::Config cfg = config_of(ds);
        const data::View train = ds.measured(ds.rows(d, data::Split::Train));
        const data::View val = ds.measured(ds.rows(d, data::Split::Val));
        const auto m = routing::find_method("Threshold");
        eval::CalibrationOptions o;
        o.constraint = {eval::Limit::MaxCost, 20.0};
        o.bootstrap = 60;
        const eval::Calibration re = eval::calibrate(*m, ds, train, val, cfg, o);
        o.interval = eval::IntervalKind::FixedRouting;
        const eval::Calibration fixed = eval::calibrate(*m, ds, train, val, cfg, o);
        QVERIFY(re.chosen && fixed.chosen);
        QCOMPARE(re.interval_kind, eval::IntervalKind::Reselected);
        // The point estimate does not change.
        QCOMPARE(*re.chosen, *fixed.chosen);
        QCOMPARE(re.choice()->val.avg_cost, fixed.choice()->val.avg_cost);
        QCOMPARE(re.choice()->val.avg_perf, fixed.choice()->val.avg_perf);
        QCOMPARE(re.val_meets, fixed.val_meets);
        QVERIFY(std::isnan(fixed.same_choice_share));

        const auto params = m->candidates(ds, train, cfg);
        const eval::CostModel costs = eval::CostModel::from(cfg);
        std::mt19937_64 val_rng(o.seed), train_rng(o.seed ^ 0x7EA1A5EEDULL);
        std::vector<std::uint32_t> vw(val.size()), tw(train.size());
        std::vector<double> cost, perf;
        int same = 0, none = 0;
        auto expand = [](const data::View& rows, const std::vector<std::uint32_t>& w) {
            data::View out;
            for (std::size_t i = 0; i < rows.size(); ++i) out.insert(out.end(), w[i], rows[i]);
            return out;
        };
        for (int b = 0; b < o.bootstrap; ++b) {
            eval::draw_row_weights(val_rng, vw);
            eval::draw_row_weights(train_rng, tw);
            const data::View t = expand(train, tw), v = expand(val, vw);
            const eval::ScoredView tv = eval::ScoredView::for_method(ds, t, *m, costs);
            std::optional<std::size_t> pick;
            eval::Metrics best;
            for (std::size_t i = 0; i < params.size(); ++i) {
                const eval::Metrics x = tv.evaluate(m->route(ds, t, params[i], cfg));
                if (!eval::meets(o.constraint, x)) continue;
                if (!pick || x.avg_perf > best.avg_perf + 1e-12 ||
                    (std::abs(x.avg_perf - best.avg_perf) <= 1e-12 && x.avg_cost < best.avg_cost - 1e-12)) {
                    pick = i;
                    best = x;
                }
            }
            if (!pick) {
                ++none;
                continue;
            }
            same += *pick == *re.chosen;
            const eval::ScoredView vv = eval::ScoredView::for_method(ds, v, *m, costs);
            const eval::Metrics x = vv.evaluate(m->route(ds, v, params[*pick], cfg));
            cost.push_back(x.avg_cost);
            perf.push_back(x.avg_perf);
        }
        std::printf("reselected: same choice in %d of %d train resamples, none feasible in %d; cost [%g, %g] vs "
                    "fixed [%g, %g]\n",
                    same, o.bootstrap, none, re.val_cost.lo, re.val_cost.hi, fixed.val_cost.lo, fixed.val_cost.hi);
        QCOMPARE(re.same_choice_share, same / double(o.bootstrap));
        QCOMPARE(re.none_feasible_share, none / double(o.bootstrap));
        const double a = (1 - o.confidence) / 2;
        QVERIFY(std::abs(re.val_cost.lo - eval::percentile(cost, a)) < 1e-9);
        QVERIFY(std::abs(re.val_cost.hi - eval::percentile(cost, 1 - a)) < 1e-9);
        QVERIFY(std::abs(re.val_perf.lo - eval::percentile(perf, a)) < 1e-9);
        QVERIFY(std::abs(re.val_perf.hi - eval::percentile(perf, 1 - a)) < 1e-9);
        // A limit near the chosen candidate's train cost: resampled train rows choose others too,
        // so this interval differs from the fixed routing's.
        QVERIFY2(same < o.bootstrap, "expected the choice to move on some train resamples");
        QVERIFY(re.val_cost.lo != fixed.val_cost.lo || re.val_cost.hi != fixed.val_cost.hi);
        // Said in the JSON.
        const auto j = eval::calibration_to_json(re);
        QCOMPARE(j["chosen"]["val_interval"]["kind"].get<std::string>(), std::string("reselected"));
        QCOMPARE(j["chosen"]["val_interval"]["same_choice_share"].get<double>(), re.same_choice_share);
    }

    void impossible_constraint_is_refused() {
        const data::Dataset& ds = demo();
        const int d = ds.find_dataset("coqa");
        const routing::Config cfg = config_of(ds);
        const data::View train = ds.measured(ds.rows(d, data::Split::Train));
        const data::View val = ds.measured(ds.rows(d, data::Split::Val));
        const auto m = routing::find_method("Threshold");
        eval::CalibrationOptions o;
        // Every query pays c_s + c_v = 2: a budget of 1.5 cannot be met.
        o.constraint = {eval::Limit::MaxCost, 1.5};
        eval::Calibration cal = eval::calibrate(*m, ds, train, val, cfg, o);
        QVERIFY(!cal.chosen);
        QCOMPARE(cal.n_feasible, std::size_t(0));
        QVERIFY(cal.choice() == nullptr);
        QVERIFY2(cal.message.find("no candidate of Threshold meets avg cost ≤ 1.5") != std::string::npos,
                 cal.message.c_str());
        // It names the nearest candidate: the cheapest one, with its train cost.
        std::size_t cheapest = 0;
        for (std::size_t i = 0; i < cal.candidates.size(); ++i)
            if (cal.candidates[i].train.avg_cost < cal.candidates[cheapest].train.avg_cost) cheapest = i;
        char cost[32];
        std::snprintf(cost, sizeof cost, "%.4g", cal.candidates[cheapest].train.avg_cost);
        const std::string nearest = std::string("the cheapest costs ") + cost + ", " + cal.candidates[cheapest].text;
        QVERIFY2(cal.message.find(nearest) != std::string::npos, cal.message.c_str());
        QVERIFY(cal.val_decisions.empty());
        const auto j = eval::calibration_to_json(cal);
        QCOMPARE(j["met"].get<bool>(), false);
        QVERIFY(j["chosen"].is_null());

        o.constraint = {eval::Limit::MinPerf, 1.01};
        cal = eval::calibrate(*m, ds, train, val, cfg, o);
        QVERIFY(!cal.chosen);
        QVERIFY2(cal.message.find("the best performance: ") != std::string::npos, cal.message.c_str());
        o.constraint = {eval::Limit::MinLift, 100.0};
        QVERIFY(!eval::calibrate(*m, ds, train, val, cfg, o).chosen);
    }

    void bad_limits_throw() {
        const data::Dataset& ds = demo();
        const auto m = routing::find_method("Threshold");
        const routing::Config cfg = config_of(ds);
        const data::View train = ds.measured(ds.rows(0, data::Split::Train));
        eval::CalibrationOptions o;
        for (const eval::Constraint c : {eval::Constraint{eval::Limit::MaxEscalated, 1.5},
                                         eval::Constraint{eval::Limit::MaxCost, -1.0},
                                         eval::Constraint{eval::Limit::MinPerf, NAN}}) {
            o.constraint = c;
            QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::calibrate(*m, ds, train, train, cfg, o));
        }
        o.constraint = {eval::Limit::MaxCost, 10};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, eval::calibrate(*m, ds, {}, train, cfg, o));
        QCOMPARE(eval::limit_from_name("max-escalated"), std::optional(eval::Limit::MaxEscalated));
        QVERIFY(!eval::limit_from_name("max-money"));
        QCOMPARE(eval::describe({eval::Limit::MaxEscalated, 0.3}), std::string("escalated ≤ 30 %"));
    }

    void constraint_lines() {
        eval::Metrics small, large;
        small.avg_cost = 2, small.avg_perf = 0.4;  // c_s + c_v
        large.avg_cost = 52, large.avg_perf = 0.6;  // c_s + c_l + c_v
        routing::Config cfg;  // costs 1, 50
        auto seg = eval::constraint_segment({eval::Limit::MaxCost, 7}, small, large, cfg, 0, 60, 0.3, 0.7);
        QVERIFY(seg);
        QCOMPARE(seg->x0, 7.0);
        QCOMPARE(seg->x1, 7.0);
        seg = eval::constraint_segment({eval::Limit::MaxEscalated, 0.3}, small, large, cfg, 0, 60, 0.3, 0.7);
        QVERIFY(seg);
        QCOMPARE(seg->x0, 2.0 + 0.3 * 50.0);
        QVERIFY(!eval::constraint_segment({eval::Limit::MaxEscalated, 0.3}, small, large, cfg, 0, 60, 0.3, 0.7, 3));
        seg = eval::constraint_segment({eval::Limit::MinPerf, 0.55}, small, large, cfg, 0, 60, 0.3, 0.7);
        QVERIFY(seg);
        QCOMPARE(seg->y0, 0.55);
        QCOMPARE(seg->y1, 0.55);
        // Every point of the lift line has that lift (method §4, c_first = 1).
        seg = eval::constraint_segment({eval::Limit::MinLift, 0.5}, small, large, cfg, 0, 60, 0.3, 0.7);
        QVERIFY(seg);
        const double base = (0.6 - 0.4) / 49.0;
        const double lift = eval::ibc_lift(eval::ibc_slope(seg->x1, seg->y1, 0.4, 1.0), base);
        QVERIFY(std::abs(lift - 0.5) < 1e-12);
    }

    void percentile_interpolates() {
        QCOMPARE(eval::percentile({3, 1, 2, 4}, 0.5), 2.5);
        QCOMPARE(eval::percentile({5}, 0.9), 5.0);
        QVERIFY(std::isnan(eval::percentile({}, 0.5)));
    }

    void cli_end_to_end() {
        QTemporaryDir dir;
        const QString json = dir.path() + "/cal.json", models = dir.path() + "/models.json";
        QString err;
        const int rc = run_cli({"calibrate", "--data", QString::fromStdString(kDemo), "--method", "threshold",
                                "--datasets", "coqa", "--max-escalated", "30%", "--bootstrap", "100", "--json", json,
                                "--emit-config", models, "--quiet"},
                               &err);
        QVERIFY2(rc == 0, qPrintable(err));
        std::ifstream in(json.toStdString());
        const auto j = nlohmann::json::parse(in);
        QCOMPARE(j["format"].get<std::string>(), std::string("automix-calibration-v1"));
        QCOMPARE(j["datasets"].size(), std::size_t(1));
        const auto& c = j["datasets"][0];
        QCOMPARE(c["dataset"].get<std::string>(), std::string("coqa"));
        QCOMPARE(c["method"].get<std::string>(), std::string("Threshold"));
        QCOMPARE(c["constraint"]["kind"].get<std::string>(), std::string("max-escalated"));
        QCOMPARE(c["constraint"]["value"].get<double>(), 0.3);
        QVERIFY(c["met"].get<bool>());
        QVERIFY(c["chosen"]["train"]["escalated_fraction"].get<double>() <= 0.3);
        // The figures are every metric of eval::metric_fields(), by key.
        for (const auto& f : eval::metric_fields()) QVERIFY(c["chosen"]["val"].contains(std::string(f.key)));
        for (const char* f : {"avg_cost", "avg_perf", "escalated_fraction", "lift"}) {
            QVERIFY(c["chosen"]["val"][f].is_number());
            QCOMPARE(c["chosen"]["val_interval"][f].size(), std::size_t(2));
        }
        QCOMPARE(c["chosen"]["val_interval"]["bootstrap"].get<int>(), 100);

        // The same numbers as the library.
        const data::Dataset& ds = demo();
        const int d = ds.find_dataset("coqa");
        eval::CalibrationOptions o;
        o.constraint = {eval::Limit::MaxEscalated, 0.3};
        o.bootstrap = 100;
        const eval::Calibration cal =
            eval::calibrate(*routing::find_method("Threshold"), ds, ds.measured(ds.rows(d, data::Split::Train)),
                            ds.measured(ds.rows(d, data::Split::Val)), config_of(ds), o);
        QCOMPARE(c["chosen"]["index"].get<std::size_t>(), *cal.chosen);
        QCOMPARE(c["chosen"]["val"]["avg_perf"].get<double>(), cal.choice()->val.avg_perf);
        QCOMPARE(c["chosen"]["val_interval"]["lift"][0].get<double>(), cal.val_lift.lo);

        // The emitted config loads with the live reader and routes with the chosen parameter.
        const live::ModelsConfig mc = live::load_models_config(models.toStdString());
        QCOMPARE(mc.meta_verifier.method, std::string("Threshold"));
        QCOMPARE(mc.meta_verifier.params, cal.choice()->params);
        QCOMPARE(mc.models.size(), std::size_t(2));
        QCOMPARE(mc.models[1].call_cost, 50.0);
        std::ifstream raw(models.toStdString());
        const std::string text((std::istreambuf_iterator<char>(raw)), std::istreambuf_iterator<char>());
        QVERIFY(text.find("api_key\"") == std::string::npos);
    }

    void cli_refuses_impossible_and_bad_input() {
        QTemporaryDir dir;
        const QString models = dir.path() + "/models.json";
        QString err;
        int rc = run_cli({"calibrate", "--data", QString::fromStdString(kDemo), "--method", "POMDP", "--datasets",
                          "coqa", "--max-cost", "1.5", "--emit-config", models, "--quiet"},
                         &err);
        QCOMPARE(rc, 4);
        QVERIFY2(err.contains("no candidate of POMDP meets avg cost ≤ 1.5"), qPrintable(err));
        QVERIFY2(err.contains("no models config written"), qPrintable(err));
        QVERIFY(!QFile::exists(models));

        rc = run_cli({"calibrate", "--data", QString::fromStdString(kDemo), "--method", "POMDP"}, &err);
        QCOMPARE(rc, 2);
        QVERIFY2(err.contains("give one constraint"), qPrintable(err));
        rc = run_cli({"calibrate", "--data", QString::fromStdString(kDemo), "--method", "POMDP", "--max-cost", "5",
                      "--min-perf", "0.5"},
                     &err);
        QCOMPARE(rc, 2);
        QVERIFY2(err.contains("only one constraint"), qPrintable(err));
        rc = run_cli({"calibrate", "--data", QString::fromStdString(kDemo), "--method", "POMDP", "--max-escalated",
                      "150%"},
                     &err);
        QCOMPARE(rc, 2);
        QVERIFY2(err.contains("max-escalated"), qPrintable(err));
        rc = run_cli({"calibrate", "--data", QString::fromStdString(kDemo), "--method", "nope", "--max-cost", "5"},
                     &err);
        QCOMPARE(rc, 2);
        QVERIFY2(err.contains("--method"), qPrintable(err));
        rc = run_cli({"calibrate", "--data", QString::fromStdString(kDemo), "--method", "POMDP", "--max-cost", "5",
                      "--emit-config", models},
                     &err);
        QCOMPARE(rc, 2);
        QVERIFY2(err.contains("exactly one dataset"), qPrintable(err));
        rc = run_cli({"calibrate", "--data", QString::fromStdString(kDemo), "--method", "oracle", "--datasets", "coqa",
                      "--max-cost", "5", "--emit-config", models},
                     &err);
        QCOMPARE(rc, 2);
        QVERIFY2(err.contains("cannot route a live run"), qPrintable(err));
        rc = run_cli({"calibrate", "--help"}, &err);
        QCOMPARE(rc, 0);
    }
};

QTEST_GUILESS_MAIN(TestCalibrate)
#include "test_calibrate.moc"

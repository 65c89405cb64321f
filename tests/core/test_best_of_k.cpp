// BestOfK, a baseline of our own (docs/method.md §6): keep the small model's answer iff at least
// a share a = 2/3 of the verifier samples call it correct. Hand-computed decisions at and around
// the edge; it is registered with its capabilities (baseline, one tuning control, its own
// colour), runs when named but not in the paper's default set (so no default report changes),
// is drawn among the cost–quality curves, and `automix eval` prints it.
#include <QProcess>
#include <QtTest>

#include <set>

#include "core/eval/cost_quality.hpp"
#include "core/eval/protocol.hpp"
#include "core/eval/trainer.hpp"
#include "core/routing/method.hpp"
#include "core/study/study.hpp"
#include "routing_fixtures.hpp"

using namespace automix;

namespace {

routing::MethodPtr best_of_k() {
    auto m = routing::find_method("BestOfK");
    if (!m) qFatal("BestOfK not registered");
    return m;
}

// Half train, half val; confidences spread over [0, 1]; the large model right where the small
// one is not sure.
data::Dataset spread() {
    std::vector<testing::RowSpec> rows;
    for (int i = 0; i < 48; ++i) {
        const double conf = (i % 13) / 12.0;
        rows.push_back({conf, conf > 0.5 ? 1.0 : 0.0, 1.0, data::Category::Undefined, "ans",
                        i % 2 ? data::Split::Val : data::Split::Train});
    }
    return testing::make_dataset(rows, "coqa");
}

QString cli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(AUTOMIX_CLI), args);
    if (!p.waitForFinished(120000)) return QStringLiteral("timeout");
    return QString::fromUtf8(p.readAllStandardOutput()) + QString::fromUtf8(p.readAllStandardError());
}

}  // namespace

class TestBestOfK : public QObject {
    Q_OBJECT
  private slots:
    void registeredWithItsCapabilities() {
        QVERIFY(routing::find_method("best_of_k") == best_of_k());
        const routing::Capabilities c = best_of_k()->capabilities();
        QVERIFY(c.role == routing::Role::Baseline);
        QVERIFY(!c.in_default_set);
        QCOMPARE(c.controls.size(), std::size_t(1));
        QCOMPARE(c.controls[0].key, std::string("agreement"));
        QVERIFY(best_of_k()->offline_only().empty());  // reads only what a live run has
        // Its own colour: no other method's slot, so adding it recoloured none.
        for (const auto& m : routing::all_methods())
            if (m != best_of_k()) QVERIFY2(m->capabilities().colour_slot != c.colour_slot, m->name().c_str());
        // The registry's order is the report order: it comes after every paper method.
        QCOMPARE(routing::method_names().back(), std::string("BestOfK"));
    }

    void escalatesBelowTheAgreementShare() {
        const auto ds = testing::confidences({0.0, 0.5, 0.65, 2.0 / 3.0, 0.7, 1.0});
        const auto p = best_of_k()->candidates(ds, {}, {});
        QCOMPARE(p.size(), std::size_t(1));
        QCOMPARE(p[0].get<double>(), 2.0 / 3.0);
        QCOMPARE(best_of_k()->route(ds, ds.all_rows(), p[0], {}), testing::decisions({1, 1, 1, 0, 0, 0}));
        QCOMPARE(best_of_k()->route(ds, ds.all_rows(), routing::Params(0.5), {}),
                 testing::decisions({1, 0, 0, 0, 0, 0}));
        QCOMPARE(QString::fromStdString(best_of_k()->explain(ds, {}, 2, p[0], {})),
                 QStringLiteral("samples agreeing 0.65 < required 0.667 → escalate"));
        QCOMPARE(QString::fromStdString(best_of_k()->describe(p[0], {})),
                 QStringLiteral("keep iff agreement ≥ 0.667"));
        // The tuning control's value is the parameter.
        QVERIFY(*best_of_k()->params_from_controls({0.8}, p) == routing::Params(0.8));
        QVERIFY_THROWS_EXCEPTION(routing::RoutingError,
                                 best_of_k()->route(ds, ds.all_rows(), routing::Params("x"), {}));
    }

    void runsWhenNamedNotByDefault() {
        const auto ds = spread();
        eval::EvalOptions o;
        const eval::Report all = eval::run_evaluation(ds, o);
        for (const auto& m : all.datasets.at(0).methods) QVERIFY(m.key != "BestOfK");
        for (const auto& name : study::default_methods()) QVERIFY(name != "BestOfK");

        o.methods = {"best_of_k"};
        const eval::Report one = eval::run_evaluation(ds, o);
        const auto& d = one.datasets.at(0);
        QCOMPARE(d.methods.size(), std::size_t(1));
        const auto& m = d.methods[0];
        QVERIFY2(m.ok, m.error.c_str());
        QCOMPARE(m.key, std::string("BestOfK"));
        QVERIFY(m.decisions == best_of_k()->route(ds, d.val_rows, routing::Params(2.0 / 3.0), {}));
        const eval::Fit fit = eval::fit_and_score(*best_of_k(), ds, d.train_rows, d.val_rows, o.config);
        QCOMPARE(m.val.avg_cost, fit.scored.avg_cost);
        QCOMPARE(m.val.avg_perf, fit.scored.avg_perf);
    }

    void drawnAmongTheCostQualityCurves() {
        const auto ds = spread();
        const auto methods = eval::chart_methods("coqa");
        std::set<std::string> names;
        for (const auto& m : methods) names.insert(m->name());
        QVERIFY(names.count("BestOfK"));
        QVERIFY(!names.count("oracle"));  // reference points are drawn on their own
        const data::View train = ds.rows(0, data::Split::Train), val = ds.rows(0, data::Split::Val);
        const eval::CostQuality cq = eval::cost_quality(ds, train, val, methods, {});
        const eval::MethodCurve* curve = nullptr;
        for (const auto& c : cq.methods)
            if (c.method == "BestOfK") curve = &c;
        QVERIFY(curve && curve->ok);
        QCOMPARE(curve->points.size(), std::size_t(1));
        const auto costs = eval::CostModel::from(routing::Config{});
        const auto expect = eval::ScoredView::for_method(ds, val, *best_of_k(), costs)
                                .evaluate(best_of_k()->route(ds, val, routing::Params(2.0 / 3.0), {}));
        QCOMPARE(curve->points[0].metrics.avg_cost, expect.avg_cost);
        QCOMPARE(curve->points[0].metrics.avg_perf, expect.avg_perf);
        // In the CSV export of the curves too.
        const std::string csv = eval::to_csv(eval::cost_quality_table(cq));
        QVERIFY(csv.find("candidate,BestOfK,") != std::string::npos);
    }

    void inTheCli() {
        const QString list = cli({QStringLiteral("eval"), QStringLiteral("--list-methods")});
        QVERIFY2(list.contains(QStringLiteral("BestOfK")) && list.contains(QStringLiteral("only when named")),
                 qPrintable(list));
        const QString sample = QStringLiteral(AUTOMIX_TEST_DATA "/oracle/sample_seed1.jsonl.gz");
        const QString named = cli({QStringLiteral("eval"), QStringLiteral("--data"), sample, QStringLiteral("--datasets"),
                                   QStringLiteral("coqa"), QStringLiteral("--methods"), QStringLiteral("best_of_k")});
        QVERIFY2(named.contains(QStringLiteral("BestOfK")) && named.contains(QStringLiteral("agreement")),
                 qPrintable(named));
        const QString defaults = cli({QStringLiteral("eval"), QStringLiteral("--data"), sample,
                                      QStringLiteral("--datasets"), QStringLiteral("coqa")});
        QVERIFY2(defaults.contains(QStringLiteral("POMDP")), qPrintable(defaults));
        QVERIFY(!defaults.contains(QStringLiteral("BestOfK")));
    }
};

QTEST_GUILESS_MAIN(TestBestOfK)
#include "test_best_of_k.moc"

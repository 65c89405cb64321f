// `automix eval` as a user runs it: options, method names and aliases, protocols, outputs,
// and clear errors.
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

namespace {

struct Run {
    int exit_code;
    QString out, err;
};

const QString kSample = QStringLiteral(AUTOMIX_TEST_DATA "/oracle/sample_seed1.jsonl.gz");

Run eval(QStringList args) {
    args.prepend(QStringLiteral("eval"));
    QProcess p;
    p.start(QStringLiteral(AUTOMIX_CLI), args);
    if (!p.waitForFinished(120000)) return {-1, {}, QStringLiteral("timeout")};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

nlohmann::json read_json(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return nullptr;
    return nlohmann::json::parse(f.readAll().toStdString());
}

}  // namespace

class TestRoutingCli : public QObject {
    Q_OBJECT
  private slots:
    void helpDescribesOptions() {
        const Run r = eval({QStringLiteral("--help")});
        QCOMPARE(r.exit_code, 0);
        QVERIFY(r.out.contains(QStringLiteral("--protocol")));
        QVERIFY(r.out.contains(QStringLiteral("--methods")));
    }
    void listMethods() {
        const Run r = eval({QStringLiteral("--list-methods")});
        QCOMPARE(r.exit_code, 0);
        QVERIFY(r.out.contains(QStringLiteral("FixedAnswerRouting(GreedyPOMDP)")));
        QVERIFY(r.out.contains(QStringLiteral("automix_union")));
    }
    void selectedMethodsAndDatasetsWithAliases() {
        QTemporaryDir dir;
        const QString json = dir.filePath(QStringLiteral("r.json"));
        const QString csv = dir.filePath(QStringLiteral("r.csv"));
        const Run r =
            eval({QStringLiteral("--data"), kSample, QStringLiteral("--datasets"), QStringLiteral("cnli,qasper"),
                  QStringLiteral("--methods"), QStringLiteral("threshold,AUTOMIX_UNION,fixed_answer_threshold,oracle"),
                  QStringLiteral("--json"), json, QStringLiteral("--csv"), csv});
        QVERIFY2(r.exit_code == 0, qPrintable(r.err));
        // The table names each dataset and method with its parameter.
        QVERIFY2(r.out.contains(QStringLiteral("cnli")) &&
                     r.out.contains(QStringLiteral("POMDPSimple: escalate bins {7, 8}")),
                 qPrintable(r.out));
        const auto j = read_json(json);
        QCOMPARE(j["datasets"].size(), std::size_t(2));
        const auto& methods = j["datasets"]["cnli"]["methods"];
        QCOMPARE(methods.size(), std::size_t(4));
        QVERIFY(methods.contains("Threshold") && methods.contains("POMDP") && methods.contains("oracle") &&
                methods.contains("FixedAnswerRouting(Threshold)"));
        QCOMPARE(methods["POMDP"]["best_param"].dump(), std::string("[[0,0,0,0,0,0,0,1,1],0]"));
        QVERIFY(methods["POMDP"]["val_curve"].contains("aiq"));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 2 * 4);
        QVERIFY(lines[0].startsWith(QStringLiteral("dataset,method,ok,param,train_lift")));
    }
    void costsChangeTheResult() {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a.json")), b = dir.filePath(QStringLiteral("b.json"));
        QCOMPARE(eval({QStringLiteral("--data"), kSample, QStringLiteral("--datasets"), QStringLiteral("coqa"),
                       QStringLiteral("--methods"), QStringLiteral("Threshold"), QStringLiteral("--json"), a,
                       QStringLiteral("--quiet")})
                     .exit_code,
                 0);
        QCOMPARE(eval({QStringLiteral("--data"), kSample, QStringLiteral("--datasets"), QStringLiteral("coqa"),
                       QStringLiteral("--methods"), QStringLiteral("Threshold"), QStringLiteral("--costs"),
                       QStringLiteral("2,30"), QStringLiteral("--verifier-cost"), QStringLiteral("0"),
                       QStringLiteral("--json"), b, QStringLiteral("--quiet")})
                     .exit_code,
                 0);
        const auto ja = read_json(a), jb = read_json(b);
        QCOMPARE(jb["config"]["costs"].dump(), std::string("[2.0,30.0]"));
        QCOMPARE(jb["datasets"]["coqa"]["llm_only"]["cost"].get<double>(), 30.0);
        // Same decisions would give cost (#stay·2 + #esc·32)/n with no verifier cost.
        const auto& m = jb["datasets"]["coqa"]["methods"]["Threshold"];
        const double n = static_cast<double>(m["decisions"].size());
        const double esc = m["n_routed"].get<double>();
        QCOMPARE(m["val_avg_cost"].get<double>(), ((n - esc) * 2 + esc * 32) / n);
        QVERIFY(ja["datasets"]["coqa"]["methods"]["Threshold"]["val_avg_cost"] != m["val_avg_cost"]);
    }
    void paperProtocolOnASmallTrainSplitWarns() {
        QTemporaryDir dir;
        const QString json = dir.filePath(QStringLiteral("p.json"));
        const Run r =
            eval({QStringLiteral("--data"), kSample, QStringLiteral("--datasets"), QStringLiteral("coqa"),
                  QStringLiteral("--methods"), QStringLiteral("Threshold,SelfConsistency"),
                  QStringLiteral("--protocol"), QStringLiteral("paper"), QStringLiteral("--seeds"), QStringLiteral("3"),
                  QStringLiteral("--train-rows"), QStringLiteral("100"), QStringLiteral("--json"), json});
        QVERIFY2(r.exit_code == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QStringLiteral("±")));
        const auto j = read_json(json);
        QCOMPARE(j["config"]["protocol"].get<std::string>(), std::string("paper"));
        const auto& th = j["datasets"]["coqa"]["methods"]["Threshold"];
        QCOMPARE(th["seeds"].size(), std::size_t(3));
        QCOMPARE(th["seeds"][0]["train_rows"].get<int>(), 100);
        // SelfConsistency has nothing to train: every seed gives the same val result, std 0.
        QCOMPARE(j["datasets"]["coqa"]["methods"]["SelfConsistency"]["val_lift_stat"]["std"].get<double>(), 0.0);

        const Run big = eval({QStringLiteral("--data"), kSample, QStringLiteral("--datasets"), QStringLiteral("coqa"),
                              QStringLiteral("--methods"), QStringLiteral("Threshold"), QStringLiteral("--protocol"),
                              QStringLiteral("paper"), QStringLiteral("--quiet")});
        QCOMPARE(big.exit_code, 0);
        QVERIFY2(big.err.contains(QStringLiteral("fewer than the 1000")) ||
                     big.out.contains(QStringLiteral("fewer than the 1000")),
                 qPrintable(big.err));
    }
    void errorsAreClear() {
        Run r = eval({QStringLiteral("--data"), kSample, QStringLiteral("--methods"), QStringLiteral("Thresh")});
        QCOMPARE(r.exit_code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("unknown method 'Thresh'")), qPrintable(r.err));
        r = eval({QStringLiteral("--data"), kSample, QStringLiteral("--datasets"), QStringLiteral("squad")});
        QCOMPARE(r.exit_code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("squad")), qPrintable(r.err));
        r = eval({QStringLiteral("--data"), kSample, QStringLiteral("--protocol"), QStringLiteral("fast")});
        QCOMPARE(r.exit_code, 2);
        r = eval({QStringLiteral("--data"), kSample, QStringLiteral("--costs"), QStringLiteral("1,x")});
        QCOMPARE(r.exit_code, 2);
        r = eval({QStringLiteral("--methods"), QStringLiteral("Threshold")});
        QCOMPARE(r.exit_code, 2);
        QVERIFY(r.err.contains(QStringLiteral("--data")));
        r = eval({QStringLiteral("--data"), QStringLiteral("/nonexistent/file.jsonl")});
        QCOMPARE(r.exit_code, 1);
        QVERIFY(r.err.contains(QStringLiteral("/nonexistent/file.jsonl")));
    }
};

QTEST_GUILESS_MAIN(TestRoutingCli)
#include "test_routing_cli.moc"

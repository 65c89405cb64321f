// The CLI's top-level behaviour: help, version, unknown commands and exit codes.
#include <QProcess>
#include <QtTest>

namespace {

struct Run {
    int exit_code;
    QString out, err;
};

Run run_cli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(AUTOMIX_CLI), args);
    if (!p.waitForFinished(60000)) return {-1, {}, QStringLiteral("timeout")};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace

class TestCli : public QObject {
    Q_OBJECT
  private slots:
    void helpListsCommands() {
        const Run r = run_cli({QStringLiteral("--help")});
        QCOMPARE(r.exit_code, 0);
        QVERIFY(r.out.contains(QStringLiteral("usage: automix <command>")));
        QVERIFY2(r.out.contains(QStringLiteral("gen-demo")), qPrintable(r.out));
    }
    void noArgumentsIsAUsageError() {
        const Run r = run_cli({});
        QCOMPARE(r.exit_code, 2);
        QVERIFY(r.out.contains(QStringLiteral("commands:")));
    }
    void versionMatchesProject() {
        const Run r = run_cli({QStringLiteral("--version")});
        QCOMPARE(r.exit_code, 0);
        QCOMPARE(r.out.trimmed(), QStringLiteral("automix " AUTOMIX_VERSION));
    }
    void unknownCommandNamesIt() {
        const Run r = run_cli({QStringLiteral("frobnicate")});
        QCOMPARE(r.exit_code, 2);
        QVERIFY(r.err.contains(QStringLiteral("unknown command 'frobnicate'")));
    }
    void unknownOptionIsAUsageError() {
        const Run r = run_cli({QStringLiteral("gen-demo"), QStringLiteral("--no-such-option")});
        QCOMPARE(r.exit_code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--no-such-option")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"

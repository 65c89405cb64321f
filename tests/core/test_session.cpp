// Session files (core/session): the JSON round trip, clear errors naming the field, finding
// moved data, the headless routing (hand-set parameters kept) and `automix eval --session`.
#include <cmath>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/data/reader.hpp"
#include "core/eval/trainer.hpp"
#include "core/session/session.hpp"
#include "core/session/session_routing.hpp"
#include "core/study/study.hpp"

using namespace automix;

namespace {

const QString kSample = QStringLiteral(AUTOMIX_TEST_DATA "/oracle/sample_seed1.jsonl.gz");
const QString kTiny = QStringLiteral(AUTOMIX_TEST_DATA "/study/tiny.jsonl");

// A study result computed here (cost-ratio and transfer on a tiny file), with its provenance.
session::SavedStudy savedStudy(const std::string& which) {
    const data::Dataset ds = data::load_file(kTiny.toStdString()).dataset;
    study::StudyRequest rq;
    rq.study = which;
    rq.methods = {"Threshold", "POMDP"};
    rq.cost_ratios = {2, 50, 2000};
    session::SavedStudy st;
    st.result = study::run_study(ds, rq);
    st.data_sha256 = std::string(64, 'b');
    st.data_name = "tiny.jsonl";
    st.methods = rq.methods;
    st.call_costs = {1, 50};
    st.verifier_cost = 1;
    st.computed_at = "2026-12-01T23:30:00Z";
    return st;
}

session::Session fullSession() {
    session::Session s;
    s.data_path = "/somewhere/data.jsonl.gz";
    s.data_relative_path = "data.jsonl.gz";
    s.data_sha256 = std::string(64, 'a');
    s.data_format = "release";
    s.small_cost = 2;
    s.large_cost = 40;
    s.verifier_cost = 0.5;
    s.middle_costs = {4.5, 12};  // a 4-model file
    s.method = "Threshold";
    s.manual_params["cnli"] = 0.375;
    s.manual_params["quality"] = nlohmann::json::array({0, 1});
    s.scope_dataset = "cnli";
    s.split = "all";
    s.filter = {"lighthouse", "NEEDY", "escalated", true};
    s.linked_filter = session::LinkedFilter{"confidence bin 0.250 of cnli", {1, 5, 9}};
    s.selected_row_id = "row-7";
    s.open_tab = "Studies";
    s.chart_zoom["costQualityView"] = {2.5, 20, 0.45, 0.6};
    s.chart_zoom["reliabilityView"] = {-0.04, 0.5, 0.1, 0.9};
    s.study = {{"study", "cost-ratio"}, {"fields", {{"ratios", "10,50"}}}};
    s.live_config_path = "/etc/models.json";
    return s;
}

void expectError(const nlohmann::json& j, const char* needle) {
    try {
        (void)session::from_json(j, "x.automix-session");
        QFAIL(qPrintable(QStringLiteral("no error; expected one about %1").arg(needle)));
    } catch (const session::SessionError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(QLatin1String(needle)), e.what());
        QVERIFY2(QString::fromUtf8(e.what()).startsWith(QLatin1String("x.automix-session")), e.what());
    }
}

data::View rowsOf(const data::Dataset& ds, int d) {
    data::View v;
    for (std::size_t r = 0; r < ds.size(); ++r)
        if (ds.dataset_index[r] == d) v.push_back(static_cast<data::RowIndex>(r));
    return v;
}

struct Run {
    int exit_code;
    QString out, err;
};

Run cli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(AUTOMIX_CLI), args);
    if (!p.waitForFinished(120000)) return {-1, {}, QStringLiteral("timeout")};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace

class TestSession : public QObject {
    Q_OBJECT
  private slots:
    void jsonRoundTrip() {
        const session::Session s = fullSession();
        const nlohmann::json j = session::to_json(s);
        QCOMPARE(QString::fromStdString(j["format"].get<std::string>()), QStringLiteral("automix-session"));
        QCOMPARE(j["version"].get<int>(), 3);
        QVERIFY(j.dump().find("key") == std::string::npos);  // nothing that looks like a credential
        const session::Session back = session::from_json(nlohmann::json::parse(j.dump()), "x");
        QVERIFY(back == s);
        // And through a file.
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("a.automix-session")).toStdString();
        session::write_session(path, s);
        QVERIFY(session::read_session(path) == s);
    }

    void versionOneStillOpens() {
        // A session written before chart zoom existed: version 1, no view.chart_zoom.
        nlohmann::json j = session::to_json(fullSession());
        j["version"] = 1;
        j["view"].erase("chart_zoom");
        const session::Session old = session::from_json(j, "old.automix-session");
        QVERIFY(old.chart_zoom.empty());
        session::Session expect = fullSession();
        expect.chart_zoom.clear();
        QVERIFY(old == expect);
    }

    void studyResultRoundTrip() {
        for (const std::string which : {"cost-ratio", "transfer"}) {
            session::Session s = fullSession();
            s.study_result = savedStudy(which);
            const study::StudyResult& r = s.study_result->result;
            QVERIFY(!r.table.rows.empty());
            QVERIFY(!r.series.empty() || !r.matrices.empty());
            QTemporaryDir dir;
            const std::string path = dir.filePath(QStringLiteral("s.automix-session")).toStdString();
            session::write_session(path, s);
            const session::Session back = session::read_session(path);
            QVERIFY(back == s);
            QVERIFY(back.study_result);
            const session::SavedStudy& st = *back.study_result;
            QCOMPARE(st.data_sha256, std::string(64, 'b'));
            QCOMPARE(st.data_name, std::string("tiny.jsonl"));
            QVERIFY(st.methods == s.study_result->methods);
            QVERIFY(st.call_costs == (std::vector<double>{1, 50}));
            QCOMPARE(st.split, std::string("train/val"));
            QCOMPARE(st.computed_at, std::string("2026-12-01T23:30:00Z"));
            // The result itself, field by field: kind, labels, every point, matrix and cell.
            const study::StudyResult& b = st.result;
            QCOMPARE(b.study, which);
            QCOMPARE(b.title, r.title);
            QVERIFY(b.chart == r.chart);
            QCOMPARE(b.log_x, r.log_x);
            QVERIFY(b.table.columns == r.table.columns);  // in their order, not the JSON's key order
            QCOMPARE(b.table.rows.size(), r.table.rows.size());
            for (std::size_t i = 0; i < r.table.rows.size(); ++i)
                QCOMPARE(nlohmann::json(b.table.rows[i]).dump(), nlohmann::json(r.table.rows[i]).dump());
            QCOMPARE(b.series.size(), r.series.size());
            for (std::size_t i = 0; i < r.series.size(); ++i) {
                QCOMPARE(b.series[i].name, r.series[i].name);
                QCOMPARE(b.series[i].points.size(), r.series[i].points.size());
                for (std::size_t k = 0; k < r.series[i].points.size(); ++k) {
                    QCOMPARE(b.series[i].points[k].x, r.series[i].points[k].x);
                    const double y = r.series[i].points[k].y.value, by = b.series[i].points[k].y.value;
                    QVERIFY((std::isnan(y) && std::isnan(by)) || y == by);
                }
            }
            QCOMPARE(b.matrices.size(), r.matrices.size());
            for (std::size_t i = 0; i < r.matrices.size(); ++i) {
                QVERIFY(b.matrices[i].row_labels == r.matrices[i].row_labels);
                for (std::size_t row = 0; row < r.matrices[i].values.size(); ++row)
                    for (std::size_t c = 0; c < r.matrices[i].values[row].size(); ++c) {
                        const double v = r.matrices[i].values[row][c], bv = b.matrices[i].values[row][c];
                        QVERIFY((std::isnan(v) && std::isnan(bv)) || v == bv);
                    }
            }
            QCOMPARE(study::study_table_csv(b), study::study_table_csv(r));
        }
    }

    void olderVersionsStillOpen() {
        // Version 2 (chart zoom, no study result) as the previous release wrote it.
        const session::Session v2 = session::read_session(AUTOMIX_TEST_DATA "/session/v2-zoom.automix-session");
        QVERIFY(!v2.study_result);
        QCOMPARE(v2.chart_zoom.size(), std::size_t(1));
        QCOMPARE(v2.study["study"].get<std::string>(), std::string("cost-ratio"));
        // Version 1: the tutorial's sessions.
        const QDir tutorial(QStringLiteral(AUTOMIX_SOURCE_DIR "/docs/tutorial"));
        const QStringList v1 = tutorial.entryList({QStringLiteral("*.automix-session")});
        QVERIFY(v1.size() >= 7);
        for (const QString& name : v1) {
            const session::Session s = session::read_session(tutorial.filePath(name).toStdString());
            QVERIFY2(s.is_demo() && !s.study_result, qPrintable(name));
        }
    }

    void brokenStudyResultNamesTheField() {
        session::Session s = fullSession();
        s.study_result = savedStudy("cost-ratio");
        const nlohmann::json good = session::to_json(s);
        auto with = [&](const char* ptr, nlohmann::json v) {
            nlohmann::json j = good;
            j[nlohmann::json::json_pointer(ptr)] = std::move(v);
            return j;
        };
        expectError(with("/study_result/result/chart/kind", "pie"), "field 'study_result.result.chart.kind'");
        expectError(with("/study_result/result/chart/series/0/points/1/y", "high"),
                    "field 'study_result.result.chart.series[0].points[1].y'");
        expectError(with("/study_result/result/study", "nope"), "field 'study_result.result.study'");
        expectError(with("/study_result/result/table/0", 5), "field 'study_result.result.table[0]'");
        expectError(with("/study_result/data/sha256", "abc"), "field 'study_result.data.sha256'");
        expectError(with("/study_result/costs/calls", nlohmann::json::array({-1})), "field 'study_result.costs.calls'");
        nlohmann::json noResult = good;
        noResult["study_result"].erase("result");
        expectError(noResult, "field 'study_result.result'");
    }

    void errorsNameTheField() {
        nlohmann::json good = session::to_json(fullSession());
        auto with = [&](const char* ptr, nlohmann::json v) {
            nlohmann::json j = good;
            j[nlohmann::json::json_pointer(ptr)] = std::move(v);
            return j;
        };
        expectError(with("/format", "something-else"), "field 'format'");
        expectError(with("/version", 4), "the file is version 4");
        expectError(with("/version", 0), "the file is version 0");
        expectError(with("/view/chart_zoom", 1), "field 'view.chart_zoom'");
        expectError(with("/view/chart_zoom/costQualityView/x", nlohmann::json::array({5, 1})),
                    "field 'view.chart_zoom.costQualityView.x'");
        expectError(with("/view/chart_zoom/costQualityView/y", "wide"), "field 'view.chart_zoom.costQualityView.y'");
        expectError(with("/view/split", "test"), "field 'view.split'");
        expectError(with("/costs/small", "cheap"), "field 'costs.small'");
        expectError(with("/costs/large", -1), "field 'costs.large'");
        expectError(with("/costs/middle", nlohmann::json::array({3, -1})), "field 'costs.middle'");
        expectError(with("/costs/middle", 3), "field 'costs.middle'");
        expectError(with("/view/filter/category", "SMART"), "field 'view.filter.category'");
        expectError(with("/data/path", ""), "field 'data.path'");
        expectError(with("/data/sha256", "abc"), "field 'data.sha256'");
        expectError(with("/routing/manual_params", 3), "field 'routing.manual_params'");
        expectError(with("/view/linked_filter/rows", nlohmann::json::array({-1})), "field 'view.linked_filter.rows'");

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.automix-session"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\n  \"format\": \"automix-session\",\n  oops\n}\n");
        f.close();
        try {
            (void)session::read_session(path.toStdString());
            QFAIL("no error for broken JSON");
        } catch (const session::SessionError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(path + QStringLiteral(":3:")), e.what());
        }
    }

    void findsDataMovedWithTheSession() {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("a/data")));
        const QString data = dir.filePath(QStringLiteral("a/data/d.jsonl.gz"));
        QVERIFY(QFile::copy(kSample, data));
        const std::string sessionPath = dir.filePath(QStringLiteral("a/s.automix-session")).toStdString();
        session::Session s;
        s.data_path = data.toStdString();
        s.data_relative_path = session::relative_to_session(s.data_path, sessionPath);
        QCOMPARE(QString::fromStdString(s.data_relative_path), QStringLiteral("data/d.jsonl.gz"));
        QCOMPARE(QString::fromStdString(*session::locate_data(s, sessionPath)), data);
        // Both moved: the recorded path is gone, the relative one still works.
        QVERIFY(QDir(dir.path()).rename(QStringLiteral("a"), QStringLiteral("b")));
        const std::string moved = dir.filePath(QStringLiteral("b/s.automix-session")).toStdString();
        QCOMPARE(QString::fromStdString(*session::locate_data(s, moved)), dir.filePath(QStringLiteral("b/data/d.jsonl.gz")));
        // The data alone gone: nothing found (the GUI asks, the CLI wants --data).
        QVERIFY(QFile::remove(dir.filePath(QStringLiteral("b/data/d.jsonl.gz"))));
        QVERIFY(!session::locate_data(s, moved).has_value());
    }

    void routingKeepsHandSetParameters() {
        const data::LoadResult loaded = data::load_file(kSample.toStdString());
        const data::Dataset& ds = loaded.dataset;
        QVERIFY(ds.dataset_names.size() >= 2);
        session::Session s;
        s.data_path = kSample.toStdString();
        s.method = "Threshold";
        s.large_cost = 30;
        s.manual_params[ds.dataset_names[0]] = 0.5;
        const session::SessionRouting r = session::route_session(ds, s);
        QVERIFY(r.valid);
        QCOMPARE(r.config.call_costs.back(), 30.0);
        const auto method = routing::find_method("Threshold");
        // The hand-set dataset routes with 0.5 ...
        const data::View first = rowsOf(ds, 0);
        const routing::Decisions manual = method->route(ds, first, 0.5, r.config);
        for (std::size_t i = 0; i < first.size(); ++i) QCOMPARE(r.decisions[first[i]], int(manual[i]));
        QVERIFY(r.datasets[0].manual);
        // ... the others with their trained best parameter.
        const data::View train = ds.measured(ds.rows(1, data::Split::Train));
        const eval::CostModel costs = eval::CostModel::from(r.config);
        const auto trained =
            eval::train_method(*method, ds, eval::ScoredView::for_method(ds, train, *method, costs), r.config);
        QCOMPARE(QString::fromStdString(r.datasets[1].params.dump()),
                 QString::fromStdString(trained.best_params().dump()));
        QVERIFY(!r.datasets[1].manual);
        // Figures of the scope (val of every dataset) as the evaluator measures them.
        const data::View scope = ds.rows(-1, data::Split::Val);
        routing::Decisions d;
        for (auto row : scope) d.push_back(static_cast<routing::ModelIndex>(r.decisions[row]));
        const eval::Metrics m = eval::ScoredView::for_method(ds, scope, *method, costs).evaluate(d);
        QCOMPARE(r.metrics.avg_cost, m.avg_cost);
        QCOMPARE(r.metrics.lift, m.lift);

        s.manual_params["no-such-dataset"] = 0.5;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, session::route_session(ds, s));
        s.manual_params.erase("no-such-dataset");
        s.method = "NoSuchMethod";
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, session::route_session(ds, s));
    }

    void cliReproducesAndChecksTheHash() {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("d.jsonl.gz"));
        QVERIFY(QFile::copy(kSample, data));
        data::LoadOptions options;
        options.content_sha256 = true;
        const data::LoadResult loaded = data::load_file(data.toStdString(), options);
        session::Session s;
        s.data_path = data.toStdString();
        s.data_sha256 = loaded.content_sha256;
        s.method = "POMDP";
        s.scope_dataset = loaded.dataset.dataset_names[0];
        const QString sessionPath = dir.filePath(QStringLiteral("s.automix-session"));
        session::write_session(sessionPath.toStdString(), s);

        const QString out = dir.filePath(QStringLiteral("out.json"));
        Run run = cli({QStringLiteral("eval"), QStringLiteral("--session"), sessionPath, QStringLiteral("--json"), out});
        QVERIFY2(run.exit_code == 0, qPrintable(run.err));
        QVERIFY(run.out.contains(QStringLiteral("IBC lift")));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const nlohmann::json j = nlohmann::json::parse(f.readAll().toStdString());
        const session::SessionRouting r = session::route_session(loaded.dataset, s);
        QCOMPARE(j["metrics"]["avg_cost"].get<double>(), r.metrics.avg_cost);
        QCOMPARE(j["metrics"]["lift"].get<double>(), r.metrics.lift);
        QCOMPARE(j["metrics"]["avg_perf"].get<double>(), r.metrics.avg_perf);
        // Every field of the metrics table, by its key; the text prints the status bar's fields.
        for (const eval::MetricField& f : eval::metric_fields()) {
            QVERIFY2(j["metrics"].contains(std::string(f.key)), std::string(f.key).c_str());
            if (f.headline)
                QVERIFY2(run.out.contains(QString::fromStdString(std::string(f.label) + " " +
                                                                 eval::format_metric(f, f.value(r.metrics)))),
                         qPrintable(run.out));
        }
        QCOMPARE(j["metrics"]["n"].get<std::size_t>(), r.metrics.n);

        // Another content: refused unless asked, with both hashes named.
        s.data_sha256 = std::string(64, '0');
        session::write_session(sessionPath.toStdString(), s);
        run = cli({QStringLiteral("eval"), QStringLiteral("--session"), sessionPath});
        QVERIFY(run.exit_code != 0);
        QVERIFY2(run.err.contains(QStringLiteral("changed since the session was saved")), qPrintable(run.err));
        QVERIFY(run.err.contains(QString::fromStdString(loaded.content_sha256)));
        run = cli({QStringLiteral("eval"), QStringLiteral("--session"), sessionPath, QStringLiteral("--ignore-hash"),
                   QStringLiteral("--quiet")});
        QVERIFY2(run.exit_code == 0, qPrintable(run.err));

        // Moved away: the error says how to point at it.
        QVERIFY(QFile::rename(data, dir.filePath(QStringLiteral("elsewhere.gz"))));
        run = cli({QStringLiteral("eval"), QStringLiteral("--session"), sessionPath});
        QVERIFY(run.exit_code != 0);
        QVERIFY2(run.err.contains(QStringLiteral("--data")), qPrintable(run.err));
        run = cli({QStringLiteral("eval"), QStringLiteral("--session"), sessionPath, QStringLiteral("--data"),
                   dir.filePath(QStringLiteral("elsewhere.gz")), QStringLiteral("--ignore-hash"), QStringLiteral("--quiet")});
        QVERIFY2(run.exit_code == 0, qPrintable(run.err));
    }
};

QTEST_GUILESS_MAIN(TestSession)
#include "test_session.moc"

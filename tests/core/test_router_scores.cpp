// External router scores: the CSV/JSONL import, its error messages, the ExternalRouter
// threshold method (checked against a brute-force evaluation written out here), and the
// `automix eval --router-scores` path.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/data/reader.hpp"
#include "core/eval/protocol.hpp"
#include "core/eval/router_scores.hpp"

using namespace automix;

namespace {

const std::string kData = std::string(AUTOMIX_TEST_DATA "/study/");

std::string write_file(const QTemporaryDir& dir, const std::string& name, const std::string& text) {
    const std::string path = dir.path().toStdString() + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

// The error message of loading `text` as a router file.
std::string load_error(const QTemporaryDir& dir, const std::string& name, const std::string& text,
                       const std::string& router = "") {
    const std::string path = write_file(dir, name, text);
    try {
        (void)eval::load_router_scores(path, router);
    } catch (const eval::RouterScoresError& e) {
        const std::string msg = e.what();
        return msg.substr(0, path.size()) == path ? "F" + msg.substr(path.size()) : "wrong file: " + msg;
    }
    return "no error";
}

struct Brute {
    double t = NAN, cost = NAN, perf = NAN, lift = NAN;
    std::vector<int> escalate;
};

// Costs 1 / 50, verifier 1 (method §4), written out independently of eval::ScoredView.
double lift_of(const std::vector<double>& slm, const std::vector<double>& llm, const std::vector<int>& esc,
               double* cost_out = nullptr, double* perf_out = nullptr) {
    const double n = static_cast<double>(slm.size());
    double ps = 0, pl = 0, perf = 0, cost = 0;
    for (std::size_t i = 0; i < slm.size(); ++i) {
        ps += slm[i] / n;
        pl += llm[i] / n;
        perf += (esc[i] ? llm[i] : slm[i]) / n;
        cost += (esc[i] ? 51.0 : 1.0) / n;
    }
    cost += 1.0;
    if (cost_out) *cost_out = cost;
    if (perf_out) *perf_out = perf;
    const double base = (pl - ps) / 49.0;
    return ((perf - ps) / (cost - 1.0) - base) / base;
}

}  // namespace

class TestRouterScores : public QObject {
    Q_OBJECT
  private slots:
    void csvImport() {
        const auto s = eval::load_router_scores(kData + "router.csv");
        QCOMPARE(s.name, std::string("router"));
        QCOMPARE(s.column, std::string("score"));
        QCOMPARE(s.scores.size(), std::size_t(16));
        QVERIFY(!s.keyed_by_dataset);
        QCOMPARE(s.scores.at("a9"), 0.55);
        QCOMPARE(s.scores.at("b6"), 0.45);
    }

    void jsonlImportByDatasetAndNamedColumn() {
        // Two candidate keys (winrate, note): the router's name picks the column.
        const auto s = eval::load_router_scores(kData + "router.jsonl", "winrate");
        QCOMPARE(s.column, std::string("winrate"));
        QVERIFY(s.keyed_by_dataset);
        const auto loaded = data::load_file(kData + "tiny.jsonl");
        const auto cov = eval::coverage(s, loaded.dataset);
        QCOMPARE(cov.matched, std::size_t(16));
        QCOMPARE(cov.unused_scores, std::size_t(0));
        // Without a name the file is ambiguous.
        try {
            (void)eval::load_router_scores(kData + "router.jsonl");
            QFAIL("expected an error");
        } catch (const eval::RouterScoresError& e) {
            QVERIFY2(std::string(e.what()).find(":1: several score columns (winrate, note)") != std::string::npos,
                     e.what());
        }
    }

    void quotedCsvWithCrlf() {
        const auto s = eval::load_router_scores(kData + "quoted.csv");
        QCOMPARE(s.column, std::string("frugal score"));
        QCOMPARE(s.scores.at("a1"), 0.5);
    }

    void errorsNameFileAndLine() {
        QTemporaryDir dir;
        QCOMPARE(load_error(dir, "a.csv", "key,score\nx,1\n"), std::string("F:1: header has no `id` column"));
        QCOMPARE(load_error(dir, "b.csv", "id,score\nx,0.5\ny,abc\n"),
                 std::string("F:3: column `score`: score 'abc' is not a number"));
        QCOMPARE(load_error(dir, "c.csv", "id,score\nx,0.5\n\ny,0.1\nx,0.2\n"),
                 std::string("F:5: duplicate id 'x' (first at line 2)"));
        QCOMPARE(load_error(dir, "d.csv", "id,score\nx,nan\n"),
                 std::string("F:2: column `score`: score 'nan' is not a finite number"));
        QCOMPARE(load_error(dir, "e.csv", "id,score\nx,0.5,7\n"), std::string("F:2: expected 2 fields, got 3"));
        QCOMPARE(load_error(dir, "f.csv", "id,score\n\"x,0.5\n"), std::string("F:2: unterminated quoted field"));
        QCOMPARE(load_error(dir, "g.csv", ""), std::string("F: empty file (expected a header line `id,score`)"));
        QCOMPARE(load_error(dir, "h.csv", "id,score\n,0.3\n"), std::string("F:2: empty id"));
        QCOMPARE(load_error(dir, "a.jsonl", "{\"id\": \"x\", \"score\": 0.5}\n{\"id\": \"y\", \"score\": \"high\"}\n"),
                 std::string("F:2: field `score`: expected a number, got string"));
        QCOMPARE(load_error(dir, "b.jsonl", "{\"id\": \"x\", \"score\": 0.5}\n{\"id\": \"y\", \"score\": 0.5\n"),
                 std::string("F:2: invalid JSON at column 25"));
        QCOMPARE(load_error(dir, "c.jsonl", "{\"id\": \"x\", \"score\": 0.5}\n{\"score\": 0.5}\n"),
                 std::string("F:2: missing field `id`"));
        QCOMPARE(load_error(dir, "d.jsonl", "{\"id\": [1], \"score\": 0.5}\n"),
                 std::string("F:1: field `id`: expected a string or an integer, got array"));
        // Integer ids are accepted and become their decimal text.
        const std::string ok = write_file(dir, "e.jsonl", "{\"id\": 17, \"score\": 0.25}\n");
        QCOMPARE(eval::load_router_scores(ok).scores.at("17"), 0.25);
        try {
            (void)eval::load_router_scores(dir.path().toStdString() + "/missing.csv");
            QFAIL("expected an error");
        } catch (const eval::RouterScoresError& e) {
            QVERIFY2(std::string(e.what()).find("missing.csv: cannot open the file") != std::string::npos, e.what());
        }
    }

    void specParsing() {
        auto s = eval::parse_router_scores_spec("/nonexistent/r.csv:RouteLLM:low");
        QCOMPARE(s.path, std::string("/nonexistent/r.csv"));
        QCOMPARE(s.name, std::string("RouteLLM"));
        QVERIFY(s.direction == eval::ScoreDirection::LowEscalates);
        s = eval::parse_router_scores_spec("/nonexistent/r.csv:Hybrid");
        QCOMPARE(s.name, std::string("Hybrid"));
        QVERIFY(s.direction == eval::ScoreDirection::HighEscalates);
        s = eval::parse_router_scores_spec(kData + "router.csv");
        QCOMPARE(s.path, kData + "router.csv");
        QCOMPARE(s.name, std::string());
    }

    // The imported router on the hand-built file: candidates, routing and the trained result
    // equal a brute-force search over thresholds written out in this test.
    void thresholdRouterMatchesBruteForce() {
        const auto loaded = data::load_file(kData + "tiny.jsonl");
        const auto& ds = loaded.dataset;
        auto scores =
            std::make_shared<const eval::RouterScores>(eval::load_router_scores(kData + "router.csv", "hand"));
        const auto method = eval::make_external_router(scores);
        QCOMPARE(method->name(), std::string("ExternalRouter(hand)"));
        routing::Config cfg;
        const data::View train = ds.rows(ds.find_dataset("alpha"), data::Split::Train);
        const auto cands = method->candidates(ds, train, cfg);
        // alpha train scores 0.05 0.90 0.70 0.10 0.60 0.30: every one, highest first.
        const std::vector<double> want{0.90, 0.70, 0.60, 0.30, 0.10, 0.05};
        QCOMPARE(cands.size(), want.size());
        for (std::size_t i = 0; i < want.size(); ++i) QCOMPARE(cands[i].get<double>(), want[i]);
        // Escalate iff score >= t: t = 0.6 escalates a2, a3, a5.
        QCOMPARE(method->route(ds, train, 0.6, cfg), (routing::Decisions{0, 1, 1, 0, 1, 0}));

        routing::register_method(method);
        eval::EvalOptions o;
        o.methods = {"ExternalRouter(hand)"};
        const eval::Report report = eval::run_evaluation(ds, o);
        for (const auto& d : report.datasets) {
            const auto& mr = d.methods.at(0);
            QVERIFY2(mr.ok, mr.error.c_str());
            std::vector<double> s, l, rs;
            for (const auto r : d.train_rows) {
                s.push_back(ds.small().score[r]);
                l.push_back(ds.large().score[r]);
                rs.push_back(scores->scores.at(std::string(ds.id[r])));
            }
            // Brute force: every distinct train score as t, ties to the fewest escalations.
            std::vector<double> ts = rs;
            std::sort(ts.begin(), ts.end(), std::greater<>());
            ts.erase(std::unique(ts.begin(), ts.end()), ts.end());
            Brute best;
            for (const double t : ts) {
                std::vector<int> esc;
                for (const double x : rs) esc.push_back(x >= t);
                const double lift = lift_of(s, l, esc);
                if (std::isnan(best.lift) || lift > best.lift) best = {t, NAN, NAN, lift, esc};
            }
            QCOMPARE(mr.best.get<double>(), best.t);
            QCOMPARE(mr.train_lift, best.lift);
            std::vector<double> vs, vl;
            std::vector<int> vesc;
            for (const auto r : d.val_rows) {
                vs.push_back(ds.small().score[r]);
                vl.push_back(ds.large().score[r]);
                vesc.push_back(scores->scores.at(std::string(ds.id[r])) >= best.t);
            }
            double cost = 0, perf = 0;
            const double lift = lift_of(vs, vl, vesc, &cost, &perf);
            QCOMPARE(std::vector<int>(mr.decisions.begin(), mr.decisions.end()), vesc);
            QVERIFY(std::abs(mr.val.avg_cost - cost) < 1e-12);
            QVERIFY(std::abs(mr.val.avg_perf - perf) < 1e-12);
            QVERIFY(std::abs(mr.val.lift - lift) < 1e-12);
        }
    }

    void lowDirectionAndMissingRows() {
        const auto loaded = data::load_file(kData + "tiny.jsonl");
        const auto& ds = loaded.dataset;
        QTemporaryDir dir;
        // Only alpha rows: beta cannot be routed, and the error names a row and the file.
        std::string text = "id,score\n";
        for (const char* id : {"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"})
            text += std::string(id) + ",0.5\n";
        text.replace(text.find("a2,0.5"), 6, "a2,0.1");
        const std::string path = write_file(dir, "partial.csv", text);
        auto scores = std::make_shared<eval::RouterScores>(
            eval::load_router_scores(path, "partial", eval::ScoreDirection::LowEscalates));
        const auto method = eval::make_external_router(scores);
        routing::Config cfg;
        const data::View train = ds.rows(ds.find_dataset("alpha"), data::Split::Train);
        // Low direction: ascending thresholds, escalate iff score <= t.
        const auto cands = method->candidates(ds, train, cfg);
        QCOMPARE(cands.size(), std::size_t(2));
        QCOMPARE(cands[0].get<double>(), 0.1);
        QCOMPARE(method->route(ds, train, 0.1, cfg), (routing::Decisions{0, 1, 0, 0, 0, 0}));
        const data::View beta = ds.rows(ds.find_dataset("beta"), data::Split::Train);
        try {
            (void)method->route(ds, beta, 0.1, cfg);
            QFAIL("expected a routing error");
        } catch (const routing::RoutingError& e) {
            QVERIFY2(std::string(e.what()).find("row b1: no score in " + path) != std::string::npos, e.what());
        }
        const auto cov = eval::coverage(*scores, ds);
        QCOMPARE(cov.matched, std::size_t(10));
        QCOMPARE(cov.missing_ids.front(), std::string("b1"));
    }

    // `automix eval --router-scores FILE:NAME` adds the router to the report.
    void cliEval() {
        QTemporaryDir dir;
        const QString out = dir.path() + "/report.json";
        QProcess p;
        p.start(AUTOMIX_CLI,
                {"eval", "--data", QString::fromStdString(kData + "tiny.jsonl"), "--methods", "Threshold",
                 "--router-scores", QString::fromStdString(kData + "router.csv") + ":hand", "--json", out, "--quiet"});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        std::ifstream in(out.toStdString());
        const auto j = nlohmann::json::parse(in);
        for (const char* d : {"alpha", "beta"}) {
            const auto& m = j["datasets"][d]["methods"];
            QVERIFY(m.contains("Threshold"));
            QVERIFY(m.contains("ExternalRouter(hand)"));
            QCOMPARE(m["ExternalRouter(hand)"]["ok"].get<bool>(), true);
        }
        // A bad file is an error with file:line, exit status 1.
        const std::string bad = write_file(dir, "bad.csv", "id,score\nx,oops\n");
        p.start(AUTOMIX_CLI, {"eval", "--data", QString::fromStdString(kData + "tiny.jsonl"), "--router-scores",
                              QString::fromStdString(bad), "--quiet"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(p.readAllStandardError().contains("bad.csv:2: column `score`: score 'oops' is not a number"));
    }
};

QTEST_GUILESS_MAIN(TestRouterScores)
#include "test_router_scores.moc"

// Exactness against the reference implementation: the oracle sample (tests/data/oracle,
// the public sample data and its reference report) evaluated with the deterministic `full` protocol must give
// the reference report's chosen parameters, every val decision (matched by id) and every
// number within 1e-9 — through the CLI and through the library.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "core/data/reader.hpp"
#include "core/eval/protocol.hpp"
#include "core/eval/report_json.hpp"

using nlohmann::json;

namespace {

const std::string kSample = std::string(AUTOMIX_TEST_DATA "/oracle/sample_seed1.jsonl.gz");
const std::string kReference = std::string(AUTOMIX_TEST_DATA "/oracle/ref_sample_seed1.json");
constexpr double kTol = 1e-9;

json read_json(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return json::parse(in);
}

double number(const json& v) {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (s == "nan") return std::nan("");
        if (s == "inf") return INFINITY;
        if (s == "-inf") return -INFINITY;
    }
    throw std::runtime_error("not a number: " + v.dump());
}

bool numbers_close(const json& a, const json& b) {
    const double x = number(a), y = number(b);
    if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
    if (std::isinf(x) || std::isinf(y)) return x == y;
    return std::abs(x - y) <= kTol;
}

bool params_equal(const json& a, const json& b) {
    if (a.is_array() || b.is_array()) {
        if (!a.is_array() || !b.is_array() || a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!params_equal(a[i], b[i])) return false;
        return true;
    }
    if (a.is_number() && b.is_number()) return numbers_close(a, b);
    return a == b;
}

// Returns the list of differences (empty = identical within tolerance).
std::vector<std::string> compare_reports(const json& ref, const json& cand, std::size_t& methods_checked) {
    std::vector<std::string> problems;
    auto fail = [&](const std::string& where, const std::string& what) { problems.push_back(where + ": " + what); };
    for (const auto& [dset, rd] : ref["datasets"].items()) {
        if (!cand["datasets"].contains(dset)) {
            fail(dset, "dataset missing");
            continue;
        }
        const json& cd = cand["datasets"][dset];
        for (const char* key : {"slm_only", "llm_only"})
            for (const char* f : {"cost", "perf"})
                if (!numbers_close(rd[key][f], cd[key][f])) fail(dset, std::string(key) + "." + f);
        if (rd["val_ids"] != cd["val_ids"]) fail(dset, "val_ids differ");
        std::map<std::string, std::size_t> cand_pos;
        for (std::size_t i = 0; i < cd["val_ids"].size(); ++i) cand_pos[cd["val_ids"][i].get<std::string>()] = i;
        for (const auto& [name, rm] : rd["methods"].items()) {
            const std::string where = dset + " / " + name;
            if (!cd["methods"].contains(name)) {
                fail(where, "method missing");
                continue;
            }
            const json& cm = cd["methods"][name];
            if (!cm.value("ok", false)) {
                fail(where, "failed: " + cm.value("error", std::string()));
                continue;
            }
            ++methods_checked;
            if (!params_equal(rm["best_param"], cm["best_param"]))
                fail(where, "best_param " + rm["best_param"].dump() + " vs " + cm["best_param"].dump());
            for (const char* f : {"train_lift", "val_avg_cost", "val_avg_perf", "val_lift"})
                if (!numbers_close(rm[f], cm[f])) fail(where, f + (": " + rm[f].dump() + " vs " + cm[f].dump()));
            const json& rdec = rm["decisions"];
            const json& cdec = cm["decisions"];
            if (cdec.size() != cd["val_ids"].size()) {
                fail(where, "decision count");
            } else {
                std::size_t differ = 0;
                for (std::size_t i = 0; i < rdec.size(); ++i) {
                    const auto it = cand_pos.find(rd["val_ids"][i].get<std::string>());
                    if (it == cand_pos.end() || (rdec[i].get<int>() != 0) != (cdec[it->second].get<int>() != 0))
                        ++differ;
                }
                if (differ) fail(where, std::to_string(differ) + " decisions differ");
            }
            // Candidate lists: same parameters in the same order, same train lifts.
            const json& rc = rm["train_candidates"];
            const json& cc = cm.value("train_candidates", json::array());
            if (rc.size() != cc.size()) {
                fail(where, "candidate count " + std::to_string(rc.size()) + " vs " + std::to_string(cc.size()));
            } else {
                for (std::size_t i = 0; i < rc.size(); ++i)
                    if (!params_equal(rc[i][0], cc[i][0]) || !numbers_close(rc[i][1], cc[i][1])) {
                        fail(where, "candidate " + std::to_string(i) + " " + rc[i].dump() + " vs " + cc[i].dump());
                        break;
                    }
            }
            if (rm["n_best_ties"] != cm["n_best_ties"]) fail(where, "n_best_ties");
        }
    }
    return problems;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size() && i < 20; ++i) s += v[i] + "\n";
    return s;
}

}  // namespace

class TestExactness : public QObject {
    Q_OBJECT
  private slots:
    void referenceReportIsWhatWeThinkItIs() {
        const json ref = read_json(kReference);
        QCOMPARE(ref["format"].get<std::string>(), std::string("automix-oracle-v1"));
        QCOMPARE(ref["datasets"].size(), std::size_t(5));
        QCOMPARE(ref["datasets"]["qasper"]["methods"].size(), std::size_t(13));
    }
    void cliMatchesReference() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString out = dir.filePath(QStringLiteral("report.json"));
        QProcess p;
        p.start(QStringLiteral(AUTOMIX_CLI),
                {QStringLiteral("eval"), QStringLiteral("--data"), QString::fromStdString(kSample),
                 QStringLiteral("--protocol"), QStringLiteral("full"), QStringLiteral("--json"), out,
                 QStringLiteral("--quiet")});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const json ref = read_json(kReference);
        const json cand = read_json(out.toStdString());
        std::size_t checked = 0;
        const auto problems = compare_reports(ref, cand, checked);
        QVERIFY2(problems.empty(), joined(problems).c_str());
        QCOMPARE(checked, std::size_t(4 * 7 + 13));
        // We hash the decompressed bytes, like the reference hashed the plain file.
        QCOMPARE(cand["input"]["sha256"], ref["input"]["sha256"]);
        QCOMPARE(cand["input"]["n_rows"], ref["input"]["n_rows"]);
    }
    void libraryMatchesReference() {
        const auto loaded = automix::data::load_file(kSample);
        automix::eval::EvalOptions o;
        o.protocol = automix::eval::Protocol::Full;
        const auto report = automix::eval::run_evaluation(loaded.dataset, o);
        const json cand = json::parse(automix::eval::report_to_json(report, loaded.dataset).dump());
        std::size_t checked = 0;
        const auto problems = compare_reports(read_json(kReference), cand, checked);
        QVERIFY2(problems.empty(), joined(problems).c_str());
        QCOMPARE(checked, std::size_t(41));
    }
    void comparisonDetectsADifference() {
        // The checker itself must be able to fail: flip one decision and one number.
        const json ref = read_json(kReference);
        json bad = ref;
        auto& m = bad["datasets"]["coqa"]["methods"]["Threshold"];
        m["decisions"][0] = 1 - m["decisions"][0].get<int>();
        bad["datasets"]["cnli"]["methods"]["POMDP"]["val_lift"] =
            number(ref["datasets"]["cnli"]["methods"]["POMDP"]["val_lift"]) + 1e-8;
        std::size_t checked = 0;
        const auto problems = compare_reports(ref, bad, checked);
        QCOMPARE(problems.size(), std::size_t(2));
    }
};

QTEST_GUILESS_MAIN(TestExactness)
#include "test_exactness.moc"

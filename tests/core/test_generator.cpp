// The demo generator (`automix gen-demo`): determinism, the release and native schemas,
// scores and confidences consistent with core/scoring, and the intended data properties
// (large model better, verifier sharp on cnli and weak on quality, qasper/quality quirks).
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "core/data/reader.hpp"
#include "core/scoring/f1.hpp"
#include "core/scoring/verifier.hpp"

using nlohmann::json;

namespace {

struct Run {
    int exit_code;
    QString err;
};

Run run_cli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(AUTOMIX_CLI), args);
    if (!p.waitForFinished(120000)) return {-1, QStringLiteral("timeout")};
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardError())};
}

// Whole file, decompressed when it is gzip (zlib reads plain files unchanged too).
std::string read_all(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) return {};
    std::string out;
    char buffer[1 << 16];
    int n = 0;
    while ((n = gzread(f, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<std::size_t>(n));
    gzclose(f);
    return out;
}

std::string read_raw(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            out.push_back(text.substr(start));
            break;
        }
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// Probability that a random correct row has higher confidence than a random wrong one.
double auc(const std::vector<double>& positives, const std::vector<double>& negatives) {
    if (positives.empty() || negatives.empty()) return std::nan("");
    double wins = 0;
    for (double p : positives)
        for (double n : negatives) wins += p > n ? 1.0 : p == n ? 0.5 : 0.0;
    return wins / (static_cast<double>(positives.size()) * static_cast<double>(negatives.size()));
}

const std::vector<std::string> kReleaseKeys = {
    "id",        "pid",         "base_ctx",          "question",          "output",
    "dataset",   "split",       "llama13b_pred_ans", "llama70b_pred_ans", "llama13b_ver",
    "p_ver_13b", "llama13b_f1", "llama70b_f1"};

// Release sizes of method §2: dataset -> {train, val}.
const std::map<std::string, std::pair<int, int>> kReleaseSizes = {{"cnli", {7191, 1037}},
                                                                  {"coqa", {3941, 3908}},
                                                                  {"narrative_qa", {9946, 5826}},
                                                                  {"qasper", {2556, 1715}},
                                                                  {"quality", {2515, 2085}}};

}  // namespace

class TestGenerator : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string path(const char* name) { return dir_.filePath(QString::fromUtf8(name)).toStdString(); }

    // Generates into a temp file and returns its decompressed text.
    std::string generate(const QStringList& options, const char* name) {
        const std::string out = path(name);
        const Run r = run_cli(QStringList{QStringLiteral("gen-demo")} + options +
                              QStringList{QStringLiteral("--out"), QString::fromStdString(out)});
        if (r.exit_code != 0) qWarning("gen-demo failed: %s", qPrintable(r.err));
        return r.exit_code == 0 ? read_all(out) : std::string();
    }

    std::vector<json> release_rows_;  // 6000 rows, seed 3

  private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const std::string text = generate({"--seed", "3", "--rows", "6000"}, "release6000.jsonl");
        for (const auto& line : lines_of(text)) release_rows_.push_back(json::parse(line));
        QCOMPARE(release_rows_.size(), std::size_t(6000));
    }

    void sameSeedGivesIdenticalBytes() {
        for (const char* format : {"release", "native"}) {
            const QStringList opts = {"--seed", "42", "--rows", "700", "--format", format};
            const std::string a = path("same-a.jsonl"), b = path("same-b.jsonl");
            QCOMPARE(
                run_cli(QStringList{"gen-demo"} + opts + QStringList{"--out", QString::fromStdString(a)}).exit_code, 0);
            QCOMPARE(
                run_cli(QStringList{"gen-demo"} + opts + QStringList{"--out", QString::fromStdString(b)}).exit_code, 0);
            const std::string bytes_a = read_raw(a);
            QVERIFY(bytes_a.size() > 100000);
            QVERIFY2(bytes_a == read_raw(b), format);
        }
        // Compressed output is byte-identical too (no time stamp in the gzip header).
        const std::string gz_a = path("same-a.jsonl.gz"), gz_b = path("same-b.jsonl.gz");
        for (const auto& p : {gz_a, gz_b})
            QCOMPARE(run_cli({"gen-demo", "--seed", "42", "--rows", "300", "--format", "native", "--models", "3",
                              "--out", QString::fromStdString(p)})
                         .exit_code,
                     0);
        const std::string raw = read_raw(gz_a);
        QVERIFY(raw.size() > 10 && static_cast<unsigned char>(raw[0]) == 0x1f &&
                static_cast<unsigned char>(raw[1]) == 0x8b);
        QCOMPARE(raw.substr(4, 4), std::string(4, '\0'));  // MTIME = 0
        QVERIFY(raw == read_raw(gz_b));
    }

    void differentSeedGivesDifferentBytes() {
        const std::string a = generate({"--seed", "1", "--rows", "200"}, "seed1.jsonl");
        const std::string b = generate({"--seed", "2", "--rows", "200"}, "seed2.jsonl");
        QVERIFY(!a.empty() && !b.empty());
        QVERIFY(a != b);
        // Same number of lines though: the row allocation depends only on --rows.
        QCOMPARE(lines_of(a).size(), lines_of(b).size());
    }

    void releaseRowsHaveTheSchemaAndComputedScores() {
        std::set<std::string> ids;
        for (const json& row : release_rows_) {
            QCOMPARE(row.size(), kReleaseKeys.size());
            for (const auto& key : kReleaseKeys) QVERIFY2(row.contains(key), key.c_str());
            for (const char* key : {"id", "pid", "base_ctx", "question", "output", "dataset", "split",
                                    "llama13b_pred_ans", "llama70b_pred_ans"})
                QVERIFY2(row[key].is_string(), key);
            for (const char* key : {"p_ver_13b", "llama13b_f1", "llama70b_f1"}) QVERIFY2(row[key].is_number(), key);
            QVERIFY(ids.insert(row["id"].get<std::string>()).second);
            const std::string split = row["split"];
            QVERIFY(split == "train" || split == "val");

            const auto& ver = row["llama13b_ver"];
            QVERIFY(ver.is_array());
            QCOMPARE(ver.size(), std::size_t(32));
            std::vector<std::string> samples;
            for (const auto& s : ver) {
                QVERIFY(s.is_string());
                samples.push_back(s.get<std::string>());
            }
            QCOMPARE(row["p_ver_13b"].get<double>(), automix::scoring::verifier_confidence(samples));

            const std::string dataset = row["dataset"], gold = row["output"];
            QCOMPARE(row["llama13b_f1"].get<double>(),
                     automix::scoring::answer_score(dataset, row["llama13b_pred_ans"].get<std::string>(), gold));
            QCOMPARE(row["llama70b_f1"].get<double>(),
                     automix::scoring::answer_score(dataset, row["llama70b_pred_ans"].get<std::string>(), gold));
        }
    }

    void numbersAreWrittenLikeTheRelease() {
        // Scores are floats written the way Python does ("1.0", "0.0"), not integers.
        const std::string text = generate({"--seed", "5", "--rows", "50"}, "numbers.jsonl");
        QVERIFY(text.find("\"llama13b_f1\": 1.0") != std::string::npos ||
                text.find("\"llama13b_f1\": 0.0") != std::string::npos);
        QVERIFY(text.find("\"llama13b_f1\": 1,") == std::string::npos);
        QVERIFY(text.find("\"llama13b_f1\": 1}") == std::string::npos);
        // Keys come in the documented order on every line.
        for (const auto& line : lines_of(text)) {
            std::size_t previous = 0;
            for (const auto& key : kReleaseKeys) {
                const std::size_t at = line.find("\"" + key + "\": ");
                QVERIFY2(at != std::string::npos && at >= previous, key.c_str());
                previous = at;
            }
        }
        QCOMPARE(text.rfind("{\"id\": \"demo-cnli-000000\", \"pid\": ", 0), std::size_t(0));
    }

    void rowsFollowTheReleaseProportions() {
        std::map<std::string, std::pair<int, int>> counts;
        for (const json& row : release_rows_) {
            auto& c = counts[row["dataset"].get<std::string>()];
            (row["split"] == "train" ? c.first : c.second)++;
        }
        QCOMPARE(counts.size(), kReleaseSizes.size());
        int release_total = 0;
        for (const auto& [name, size] : kReleaseSizes) release_total += size.first + size.second;
        for (const auto& [name, size] : kReleaseSizes) {
            const double want_train = 6000.0 * size.first / release_total;
            const double want_val = 6000.0 * size.second / release_total;
            QVERIFY2(std::abs(counts[name].first - want_train) < 1.0, name.c_str());
            QVERIFY2(std::abs(counts[name].second - want_val) < 1.0, name.c_str());
        }
    }

    void largeModelIsBetterAndVerifierQualityDiffersByDataset() {
        std::map<std::string, std::vector<const json*>> by_dataset;
        for (const json& row : release_rows_) by_dataset[row["dataset"]].push_back(&row);
        std::map<std::string, double> auc_by_dataset;
        for (const auto& [name, rows] : by_dataset) {
            double small = 0, large = 0;
            std::vector<double> right, wrong;
            for (const json* r : rows) {
                const double s = (*r)["llama13b_f1"], l = (*r)["llama70b_f1"];
                small += s;
                large += l;
                ((s >= 0.5) ? right : wrong).push_back((*r)["p_ver_13b"].get<double>());
            }
            small /= static_cast<double>(rows.size());
            large /= static_cast<double>(rows.size());
            const double gap = large - small;
            QVERIFY2(gap > 0.07 && gap < 0.3,
                     qPrintable(QString::fromStdString(name) + QStringLiteral(" gap %1").arg(gap)));
            auc_by_dataset[name] = auc(right, wrong);
        }
        // cnli's verifier separates right from wrong answers well; quality's barely does.
        QVERIFY2(auc_by_dataset["cnli"] > 0.9, qPrintable(QString::number(auc_by_dataset["cnli"])));
        QVERIFY2(auc_by_dataset["quality"] < 0.7, qPrintable(QString::number(auc_by_dataset["quality"])));
        for (const char* middle : {"coqa", "narrative_qa", "qasper"}) {
            QVERIFY2(auc_by_dataset[middle] < auc_by_dataset["cnli"], middle);
            QVERIFY2(auc_by_dataset[middle] > auc_by_dataset["quality"], middle);
        }
    }

    void scoresMixExactPartialAndBothWrong() {
        int exact = 0, zero = 0, partial = 0, both_wrong = 0;
        for (const json& row : release_rows_) {
            const double s = row["llama13b_f1"], l = row["llama70b_f1"];
            (s == 1.0 ? exact : s == 0.0 ? zero : partial)++;
            if (s == 0.0 && l == 0.0) both_wrong++;
        }
        QVERIFY(exact > 1000);
        QVERIFY(zero > 1000);
        QVERIFY(partial > 300);
        QVERIFY(both_wrong > 300);
    }

    void datasetSpecificShapes() {
        std::set<std::string> qasper_small_answers, cnli_golds;
        int unanswerable_gold = 0, quality_rows = 0;
        for (const json& row : release_rows_) {
            const std::string dataset = row["dataset"], gold = row["output"];
            if (dataset == "qasper") {
                if (gold == "unanswerable") unanswerable_gold++;
                qasper_small_answers.insert(row["llama13b_pred_ans"].get<std::string>());
            } else if (dataset == "quality") {
                quality_rows++;
                const std::string question = row["question"];
                for (const char* option : {"(A) ", "(B) ", "(C) ", "(D) "})
                    QVERIFY(question.find(option) != std::string::npos);
                QVERIFY(automix::scoring::option_letter(gold) != 0);
            } else if (dataset == "cnli") {
                cnli_golds.insert(gold);
            }
        }
        QVERIFY(unanswerable_gold > 20);
        // The strings FixedAnswerRouting treats differently all occur.
        for (const char* s : {"", "unanswerable", "Unanswerable"}) QVERIFY2(qasper_small_answers.count(s), s);
        QVERIFY(quality_rows > 500);
        QCOMPARE(cnli_golds, (std::set<std::string>{"Contradiction", "Entailment", "Neutral"}));
    }

    void nativeThreeModelFormat() {
        const std::string text =
            generate({"--seed", "9", "--rows", "3000", "--format", "native", "--models", "3"}, "native3.jsonl");
        const auto lines = lines_of(text);
        QCOMPARE(lines.size(), std::size_t(3001));
        // The agreed manifest, verbatim.
        const std::string manifest = std::string(R"x({"automix_manifest": {"format": "automix-native-v1", "models": [)x"
                                                 R"x({"name": "small", "display_name": "Small (13B)", "cost": 1}, )x"
                                                 R"x({"name": "medium", "display_name": "Medium (34B)", "cost": 10}, )x"
                                                 R"x({"name": "large", "display_name": "Large (70B)", "cost": 50}], )x"
                                                 R"x("verifier_cost": 1}})x");
        QCOMPARE(lines[0], manifest);
        double sums[3] = {0, 0, 0};
        const std::vector<std::string> names = {"small", "medium", "large"};
        for (std::size_t i = 1; i < lines.size(); ++i) {
            const json row = json::parse(lines[i]);
            for (const char* key : {"id", "dataset", "split", "context", "question", "gold"})
                QVERIFY2(row.contains(key) && row[key].is_string(), key);
            const auto& models = row["models"];
            QCOMPARE(models.size(), std::size_t(3));
            const std::string dataset = row["dataset"], gold = row["gold"];
            for (std::size_t m = 0; m < 3; ++m) {
                const json& model = models[m];
                QCOMPARE(model["name"].get<std::string>(), names[m]);
                QCOMPARE(model["score"].get<double>(),
                         automix::scoring::answer_score(dataset, model["answer"].get<std::string>(), gold));
                sums[m] += model["score"].get<double>();
                if (m == 2) {
                    QVERIFY(!model.contains("verifier_samples"));
                    QVERIFY(!model.contains("verifier_confidence"));
                    continue;
                }
                const auto samples = model["verifier_samples"].get<std::vector<std::string>>();
                QCOMPARE(samples.size(), std::size_t(32));
                QCOMPARE(model["verifier_confidence"].get<double>(), automix::scoring::verifier_confidence(samples));
            }
        }
        QVERIFY2(sums[0] < sums[1] && sums[1] < sums[2],
                 qPrintable(QStringLiteral("%1 %2 %3").arg(sums[0]).arg(sums[1]).arg(sums[2])));
    }

    void twoModelNativeHasTwoModels() {
        const std::string text = generate({"--rows", "20", "--format", "native"}, "native2.jsonl");
        const auto lines = lines_of(text);
        QCOMPARE(lines.size(), std::size_t(21));
        const json manifest = json::parse(lines[0]);
        QCOMPARE(manifest["automix_manifest"]["models"].size(), std::size_t(2));
        QCOMPARE(json::parse(lines[1])["models"].size(), std::size_t(2));
    }

    void contextsCanBePadded() {
        const std::string text = generate({"--rows", "30", "--context-bytes", "5000"}, "padded.jsonl");
        const auto lines = lines_of(text);
        QCOMPARE(lines.size(), std::size_t(30));
        for (const auto& line : lines) QVERIFY(json::parse(line)["base_ctx"].get<std::string>().size() >= 5000);
    }

    void contextsCanBeCutWithoutChangingTheRest() {
        const auto plain = lines_of(generate({"--rows", "40"}, "plain.jsonl"));
        const auto cut = lines_of(generate({"--rows", "40", "--context-chars", "120"}, "cut.jsonl"));
        QCOMPARE(cut.size(), plain.size());
        std::size_t shortened = 0;
        for (std::size_t i = 0; i < cut.size(); ++i) {
            json a = json::parse(plain[i]), b = json::parse(cut[i]);
            const std::string full = a["base_ctx"], shorter = b["base_ctx"];
            QVERIFY(shorter.size() <= 120);  // the demo's contexts are ASCII: bytes are characters
            QVERIFY(full.compare(0, shorter.size(), shorter) == 0);
            if (shorter.size() < full.size()) {
                ++shortened;
                QVERIFY(shorter.back() != ' ');
                QCOMPARE(full[shorter.size()], ' ');  // cut at a word's end
            }
            a.erase("base_ctx"), b.erase("base_ctx");
            QCOMPARE(b.dump(), a.dump());  // every other field as without the option
        }
        QVERIFY(shortened > 30);
    }

    void badOptionsAreUsageErrors() {
        const QList<QStringList> bad = {
            {"--rows", "10", "--models", "3", "--out", "x"},  // 3 models need native
            {"--rows", "0", "--out", "x"},
            {"--rows", "ten", "--out", "x"},
            {"--format", "csv", "--out", "x"},
            {"--models", "101", "--format", "native", "--out", "x"},
            {"--models", "1", "--format", "native", "--out", "x"},
            {"--rows", "10"},  // no --out
            {"--rows", "10", "--context-chars", "-1", "--out", "x"},
        };
        for (const auto& args : bad) {
            const Run r = run_cli(QStringList{"gen-demo"} + args);
            QVERIFY2(r.exit_code == 2, qPrintable(args.join(' ') + " -> " + r.err));
            QVERIFY(!r.err.isEmpty());
        }
        const Run unwritable = run_cli({"gen-demo", "--rows", "5", "--out", "/nonexistent-dir/x.jsonl"});
        QCOMPARE(unwritable.exit_code, 1);
        QVERIFY(unwritable.err.contains(QStringLiteral("/nonexistent-dir/x.jsonl")));
    }

    void shippedDemoFilesMatchTheirRegenerationCommands() {
        // resources/demo/README.md documents the commands that made the shipped files; run
        // each (into a temp file) and compare, so the demo data never drifts from the
        // generator or from its documentation.
        const std::string source = AUTOMIX_SOURCE_DIR;
        const std::string readme = read_raw(source + "/resources/demo/README.md");
        std::set<std::string> regenerated;
        int index = 0;
        for (const auto& line : lines_of(readme)) {
            const std::string prefix = "build/app/automix gen-demo ";
            if (line.rfind(prefix, 0) != 0) continue;
            QStringList args =
                QString::fromStdString(line.substr(prefix.size())).split(QLatin1Char(' '), Qt::SkipEmptyParts);
            const qsizetype out_at = args.indexOf(QStringLiteral("--out"));
            QVERIFY(out_at >= 0 && out_at + 1 < args.size());
            const std::string shipped_path = source + "/" + args[out_at + 1].toStdString();
            const std::string temp = path(("regen" + std::to_string(index++) + ".jsonl").c_str());
            args[out_at + 1] = QString::fromStdString(temp);
            QCOMPARE(run_cli(QStringList{QStringLiteral("gen-demo")} + args).exit_code, 0);
            const std::string expected = read_all(shipped_path);
            QVERIFY2(!expected.empty() && read_raw(temp) == expected, shipped_path.c_str());
            regenerated.insert(shipped_path);
        }
        QCOMPARE(regenerated.size(), std::size_t(2));
        const std::string shipped = source + "/resources/demo/";
        for (const char* name : {"demo.jsonl.gz", "demo-3model.jsonl.gz"}) {
            const std::string raw = read_raw(shipped + name);
            QVERIFY2(raw.size() > 100000 && raw.size() < 5u * 1024 * 1024, name);
        }
    }

    void shippedDemoFilesLoad() {
        namespace data = automix::data;
        const std::string shipped = std::string(AUTOMIX_SOURCE_DIR "/resources/demo/");

        const data::LoadResult release = data::load_file(shipped + "demo.jsonl.gz");
        QCOMPARE(release.dataset.size(), std::size_t(10000));
        QCOMPARE(release.bad_lines, std::size_t(0));
        QCOMPARE(release.dataset.format, std::string("release"));
        QCOMPARE(release.dataset.model_count(), std::size_t(2));
        QCOMPARE(release.dataset.dataset_names.size(), std::size_t(5));
        // Contexts come back through the lazy store.
        QVERIFY(release.dataset.context(0).rfind("This Non-Disclosure Agreement", 0) == 0);
        for (std::size_t r = 0; r < release.dataset.size(); ++r) {
            const auto& small = release.dataset.small();
            QCOMPARE(small.verifier_samples[r].size(), std::size_t(32));
            QCOMPARE(small.verifier_confidence[r], automix::scoring::verifier_confidence(small.verifier_samples[r]));
        }

        const data::LoadResult native = data::load_file(shipped + "demo-3model.jsonl.gz");
        QCOMPARE(native.dataset.size(), std::size_t(8000));
        QCOMPARE(native.bad_lines, std::size_t(0));
        QCOMPARE(native.dataset.format, std::string("native"));
        QCOMPARE(native.dataset.model_count(), std::size_t(3));
        QCOMPARE(native.dataset.models[1].name, std::string("medium"));
        QCOMPARE(native.dataset.models[1].display_name, std::string("Medium (34B)"));
        QCOMPARE(native.dataset.models[1].call_cost, 10.0);
        QCOMPARE(native.dataset.models[2].call_cost, 50.0);
        QCOMPARE(native.dataset.verifier_cost, 1.0);
        QVERIFY(native.dataset.context(0).rfind("This Non-Disclosure Agreement", 0) == 0);
    }
};

QTEST_GUILESS_MAIN(TestGenerator)
#include "test_generator.moc"

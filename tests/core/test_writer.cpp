// Writers: read -> write -> read gives the same Dataset (release and native, plain and
// gzip), unknown fields survive, CSV follows RFC 4180.
#include <QtTest>

#include <cmath>
#include <sstream>

#include "core/data/reader.hpp"
#include "core/data/writer.hpp"
#include "test_reader_util.hpp"

using namespace automix::data;
using namespace test_data;

namespace {

bool same_number(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

std::string split_text(const Dataset& d, RowIndex r) {
    if (d.split[r] == Split::Other && r < d.split_label.size()) return std::string(d.split_label[r]);
    return std::string(to_string(d.split[r]));
}

// Compares every column; returns "" when equal, else the first difference.
std::string difference(const Dataset& a, const Dataset& b) {
    if (a.size() != b.size()) return "row count " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
    if (a.model_count() != b.model_count()) return "model count";
    for (std::size_t m = 0; m < a.model_count(); ++m) {
        if (a.models[m].name != b.models[m].name) return "model name";
        if (a.models[m].call_cost != b.models[m].call_cost) return "model cost";
    }
    for (RowIndex r = 0; r < a.size(); ++r) {
        std::string at = " at row " + std::to_string(r);
        if (a.id[r] != b.id[r]) return "id" + at;
        if (a.pid[r] != b.pid[r]) return "pid" + at;
        if (a.question[r] != b.question[r]) return "question" + at;
        if (a.gold[r] != b.gold[r]) return "gold" + at;
        if (a.dataset_name(r) != b.dataset_name(r)) return "dataset" + at;
        if (split_text(a, r) != split_text(b, r)) return "split" + at;
        if (a.category[r] != b.category[r]) return "category" + at;
        if (a.category_from_file[r] != b.category_from_file[r]) return "category_from_file" + at;
        if (a.extra_json[r] != b.extra_json[r])
            return "extra_json" + at + ": " + std::string(a.extra_json[r]) + " vs " + std::string(b.extra_json[r]);
        if (a.context(r) != b.context(r)) return "context" + at;
        if (a.contexts->has_context(r) != b.contexts->has_context(r)) return "has_context" + at;
        for (std::size_t m = 0; m < a.model_count(); ++m) {
            const ModelColumns& x = a.models[m];
            const ModelColumns& y = b.models[m];
            std::string where = " of model " + x.name + at;
            if (x.answer[r] != y.answer[r] || x.has_answer[r] != y.has_answer[r]) return "answer" + where;
            if (!same_number(x.score[r], y.score[r])) return "score" + where;
            if (!same_number(x.verifier_confidence[r], y.verifier_confidence[r])) return "confidence" + where;
            if (x.verifier_samples[r] != y.verifier_samples[r]) return "samples" + where;
            std::string_view ex = r < x.extra_json.size() ? x.extra_json[r] : "";
            std::string_view ey = r < y.extra_json.size() ? y.extra_json[r] : "";
            if (ex != ey) return "model extra_json" + where;
        }
    }
    return {};
}

std::string tricky_release_file() {
    std::string s;
    auto a = release_row("a", 0.25, 1);
    a["base_ctx"] = "line1\nline2 \"quoted\" \\ tab\t caf\xC3\xA9 \xE2\x80\xAE rtl";
    a["category"] = "GOOD";
    a["custom"] = {{"nested", {1, 2, 3}}, {"s", "x"}};
    s += a.dump() + "\n";
    auto b = release_row("b", 1, 0);
    b.erase("base_ctx");
    b.erase("question");
    b.erase("llama70b_pred_ans");
    b["split"] = "test";
    b["big"] = 12345678901234567890.0;
    s += b.dump() + "\n";
    auto c = release_row("c", 0, 0);
    c.erase("p_ver_13b");
    c["llama13b_ver"] = {"The AI generated answer is incorrect."};
    s += c.dump() + "\n";
    return s;
}

}  // namespace

class TestWriter : public QObject {
    Q_OBJECT

  private slots:
    void releaseRoundTripOnOracleSample() {
        QTemporaryDir dir;
        Dataset original = load_file(data_path("oracle/sample_seed1.jsonl.gz")).dataset;
        std::string once = dir.filePath("once.jsonl").toStdString();
        save_file(original, original.all_rows(), once, FileFormat::ReleaseJsonl);
        Dataset again = load_file(once).dataset;
        QCOMPARE(difference(original, again), std::string());
        // Writing what was read gives the same bytes (the writer is deterministic).
        std::string twice = dir.filePath("twice.jsonl.gz").toStdString();
        save_file(again, again.all_rows(), twice, FileFormat::ReleaseJsonl);
        Dataset third = load_file(twice).dataset;
        std::ostringstream x, y;
        write_release_jsonl(again, again.all_rows(), x);
        write_release_jsonl(third, third.all_rows(), y);
        QCOMPARE(x.str(), y.str());
    }

    void releaseRoundTripKeepsUnknownFieldsAndGaps() {
        QTemporaryDir dir;
        Dataset original = load_file(write_text(dir, "t.jsonl", tricky_release_file())).dataset;
        QCOMPARE(original.extra_json[0], std::string(R"({"custom":{"nested":[1,2,3],"s":"x"}})"));
        for (const char* name : {"o.jsonl", "o.jsonl.gz"}) {
            std::string out = dir.filePath(name).toStdString();
            save_file(original, original.all_rows(), out, FileFormat::ReleaseJsonl);
            Dataset again = load_file(out).dataset;
            QCOMPARE(difference(original, again), std::string());
            QCOMPARE(again.category[0], Category::Good);
            QCOMPARE(split_text(again, 1), std::string("test"));
            QVERIFY(!again.contexts->has_context(1));
        }
    }

    void nativeRoundTrip() {
        QTemporaryDir dir;
        Dataset release = load_file(write_text(dir, "t.jsonl", tricky_release_file())).dataset;
        std::string native_path = dir.filePath("n.jsonl").toStdString();
        save_file(release, release.all_rows(), native_path, FileFormat::NativeJsonl);
        Dataset native = load_file(native_path).dataset;
        QCOMPARE(native.format, std::string("native"));
        QCOMPARE(difference(release, native), std::string());
        QCOMPARE(native.models[0].display_name, std::string("LLaMA-13B"));
        // And back to release.
        std::string back = dir.filePath("back.jsonl").toStdString();
        save_file(native, native.all_rows(), back, FileFormat::ReleaseJsonl);
        QCOMPARE(difference(release, load_file(back).dataset), std::string());
    }

    void nativeThreeModelsRoundTrip() {
        QTemporaryDir dir;
        std::string text = "{\"automix_manifest\":{\"format\":\"automix-native-v1\",\"models\":[{\"name\":\"s\","
                           "\"display_name\":\"S\",\"cost\":1},"
                           "{\"name\":\"m\",\"cost\":7.5},{\"name\":\"l\",\"cost\":60}],\"verifier_cost\":2,\"origin\":"
                           "{\"tool\":\"t\"}}}\n"
                           "{\"id\":\"1\",\"dataset\":\"d\",\"split\":\"train\",\"context\":\"c\",\"models\":[{"
                           "\"name\":\"s\",\"score\":0.5,"
                           "\"verifier_confidence\":0.25,\"latency\":3},{\"name\":\"m\",\"score\":1,\"verifier_"
                           "samples\":[\"x\"]},{\"name\":\"l\",\"score\":1}],\"u\":null}\n";
        Dataset a = load_file(write_text(dir, "n3.jsonl", text)).dataset;
        std::string out = dir.filePath("n3out.jsonl").toStdString();
        save_file(a, a.all_rows(), out, FileFormat::NativeJsonl);
        Dataset b = load_file(out).dataset;
        QCOMPARE(difference(a, b), std::string());
        QCOMPARE(b.verifier_cost, 2.0);
        QCOMPARE(b.manifest_extra_json, std::string(R"({"origin":{"tool":"t"}})"));
        QCOMPARE(b.models[0].extra_json[0], std::string(R"({"latency":3})"));
        QCOMPARE(b.extra_json[0], std::string(R"({"u":null})"));
        std::ostringstream sink;
        QVERIFY_THROWS_EXCEPTION(WriteError, write_release_jsonl(a, a.all_rows(), sink));
    }

    void csvQuotingAndColumns() {
        QTemporaryDir dir;
        std::string text =
            "{\"id\":\"a,1\",\"dataset\":\"x\",\"split\":\"train\",\"question\":\"say "
            "\\\"hi\\\"\\nnow\",\"base_ctx\":\"c\","
            "\"llama13b_pred_ans\":\"plain\",\"llama13b_ver\":[\"v\"],\"p_ver_13b\":0.5,\"llama13b_f1\":0.25,"
            "\"llama70b_f1\":1}\n"
            "{\"id\":\"b\",\"dataset\":\"x\",\"split\":\"val\",\"p_ver_13b\":1,\"llama13b_f1\":0,\"llama70b_f1\":0}\n";
        Dataset d = load_file(write_text(dir, "c.jsonl", text)).dataset;
        std::ostringstream out;
        write_csv(d, {1, 0},
                  {"id", "split", "question", "llama13b.answer", "llama13b.score", "llama70b.verifier_confidence",
                   "llama13b.verifier_samples", "context", "line"},
                  out);
        QCOMPARE(out.str(), std::string("id,split,question,llama13b.answer,llama13b.score,llama70b.verifier_confidence,"
                                        "llama13b.verifier_samples,context,line\r\n"
                                        "b,val,,,0,,[],,2\r\n"
                                        "\"a,1\",train,\"say \"\"hi\"\"\nnow\",plain,0.25,,\"[\"\"v\"\"]\",c,1\r\n"));
        std::ostringstream sink;
        QVERIFY_THROWS_EXCEPTION(WriteError, write_csv(d, {0}, {"nope"}, sink));
        QCOMPARE(csv_columns(d).size(), std::size_t(9 + 2 * 4));
    }

    void saveFileReplacesAtomically() {
        QTemporaryDir dir;
        Dataset d = load_file(write_text(dir, "a.jsonl", release_lines(3))).dataset;
        std::string out = dir.filePath("x.csv").toStdString();
        write_text(dir, "x.csv", "old");
        save_file(d, {2}, out, FileFormat::Csv, {"id"});
        QCOMPARE(read_text(out), std::string("id\r\nr2\r\n"));
        QVERIFY(!QFile::exists(QString::fromStdString(out + ".part")));
        QVERIFY_THROWS_EXCEPTION(WriteError,
                                 save_file(d, {0}, dir.filePath("no/such/dir/x.csv").toStdString(), FileFormat::Csv));
    }
};

QTEST_GUILESS_MAIN(TestWriter)
#include "test_writer.moc"

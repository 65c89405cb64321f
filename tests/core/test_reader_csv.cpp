// The "csv" per-query score table (core/data/formats/csv_scores.cpp): header-driven columns,
// RFC 4180 quoting, confidences or verdict counts, costs, and exact file:line:column errors.
#include <QtTest>

#include <cmath>
#include <cstdio>
#include <string>

#include "core/data/format.hpp"
#include "core/data/reader.hpp"
#include "test_reader_util.hpp"

using namespace automix::data;
using namespace test_data;

namespace {

std::string load_error(const std::string& path, bool lenient = false) {
    LoadOptions o;
    o.skip_bad_lines = lenient;
    try {
        load_file(path, o);
    } catch (const LoadError& e) {
        return e.what();
    }
    return "(loaded)";
}

std::string exact(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

}  // namespace

class TestReaderCsv : public QObject {
    Q_OBJECT

  private slots:
    void isRegisteredAndListed() {
        const FormatReader* csv = find_format("csv");
        QVERIFY(csv != nullptr);
        QVERIFY(!csv->write);  // read-only
        QVERIFY(format_names().find("csv") != std::string::npos);
        const auto patterns = format_patterns();
        QVERIFY(std::find(patterns.begin(), patterns.end(), "*.csv") != patterns.end());
        QVERIFY(std::find(patterns.begin(), patterns.end(), "*.csv.gz") != patterns.end());
    }

    void readsColumnsInAnyOrderWithQuoting() {
        QTemporaryDir dir;
        const std::string path = write_text(dir, "t.csv",
                                            "split,llm_score,id,slm_score,slm_confidence,question,gold,dataset\r\n"
                                            "train,1,q1,0.25,0.75,\"What, exactly?\",\"say \"\"hi\"\"\",coqa\r\n"
                                            "val,0.5,q2,0,1,\"two\nlines\",,quality\r\n"
                                            "\r\n"
                                            "test,0,q3,1,0,,,coqa\r\n");
        const LoadResult r = load_file(path);
        const Dataset& d = r.dataset;
        QCOMPARE(d.format, std::string("csv"));
        QCOMPARE(d.size(), std::size_t(3));
        QCOMPARE(d.model_count(), std::size_t(2));
        QCOMPARE(d.small().name, std::string("slm"));
        QCOMPARE(d.large().name, std::string("llm"));
        QCOMPARE(d.small().call_cost, 1.0);
        QCOMPARE(d.large().call_cost, 50.0);
        QCOMPARE(d.id[1], std::string("q2"));
        QCOMPARE(d.question[0], std::string("What, exactly?"));
        QCOMPARE(d.gold[0], std::string("say \"hi\""));
        QCOMPARE(d.question[1], std::string("two\nlines"));
        QCOMPARE(d.source_line[2], std::uint32_t(6));  // after a two-line record and a blank line
        QCOMPARE(std::string(d.dataset_name(1)), std::string("quality"));
        QCOMPARE(d.split[0], Split::Train);
        QCOMPARE(d.split[1], Split::Val);
        QCOMPARE(d.split[2], Split::Other);
        QCOMPARE(d.small().score[0], 0.25);
        QCOMPARE(d.large().score[1], 0.5);
        QCOMPARE(d.small().verifier_confidence[0], 0.75);
        QCOMPARE(d.small().verifier_confidence[2], 0.0);
        QVERIFY(std::isnan(d.large().verifier_confidence[0]));  // the last model is never verified
    }

    void verdictCountsGiveTheConfidenceAndCostsAreRead() {
        QTemporaryDir dir;
        const std::string path = write_text(dir, "counts.csv",
                                            "id,split,slm_score,llm_score,slm_correct,slm_incorrect,slm_cost,llm_cost,"
                                            "verifier_cost,note\n"
                                            "a,train,0.5,1,24,8,2,60,0.5,x\n"
                                            "b,val,0.5,1,0,0,2,60,0.5,y\n"
                                            "c,val,0.5,1,1,2,,,,z\n");
        const LoadResult r = load_file(path);
        const Dataset& d = r.dataset;
        QCOMPARE(d.small().verifier_confidence[0], 24.0 / 32.0);
        QCOMPARE(d.small().verifier_confidence[1], 0.0);  // no verdict: confidence 0 (method §3)
        QCOMPARE(d.small().verifier_confidence[2], 1.0 / 3.0);
        QCOMPARE(d.small().call_cost, 2.0);
        QCOMPARE(d.large().call_cost, 60.0);
        QCOMPARE(d.verifier_cost, 0.5);
        QCOMPARE(std::string(d.dataset_name(0)), std::string("all"));  // no dataset column
        QVERIFY(std::any_of(r.warnings.begin(), r.warnings.end(),
                            [](const std::string& w) { return w == "CSV columns not used: `note`"; }));
    }

    void missingColumnsAreNamed() {
        QTemporaryDir dir;
        const std::string path = write_text(dir, "m.csv", "id,slm_score,dataset\na,1,d\n");
        QCOMPARE(load_error(path), path + ":1: missing columns `split`, `llm_score`, `slm_confidence` (or both "
                                          "`slm_correct` and `slm_incorrect`) in the header");
        // Whole-file problems stop lenient loading too.
        QCOMPARE(load_error(path, true), load_error(path));
        const std::string twice = write_text(dir, "twice.csv", "id,split,id,slm_score,llm_score,slm_confidence\n");
        QCOMPARE(load_error(twice), twice + ":1:10: column `id` appears twice");
    }

    void badCellsGiveLineAndColumn() {
        QTemporaryDir dir;
        const std::string head = "id,split,slm_score,llm_score,slm_confidence\n";
        const std::string good = "a,train,0.5,1,0.5\n";
        struct Case {
            std::string row, message;
        };
        const Case cases[] = {
            {"b,train,abc,1,0.5", ":3:9: column `slm_score`: expected a finite number, got `abc`"},
            {"b,train,0.5,,0.5", ":3:13: column `llm_score`: empty, but every row needs a number"},
            {",train,0.5,1,0.5", ":3:1: column `id`: empty, but every row needs one"},
            {"b,train,0.5,1", ":3:13: expected 5 cells (as in the header), got 4"},
            {"b,train,0.5,1,0.5,9", ":3:19: expected 5 cells (as in the header), got 6"},
            {"b,train,0.5,1,\"0.5\"x", ":3:20: expected ',' or the end of the line after a quoted cell"},
            {"b,tr\"ain,0.5,1,0.5", ":3:5: a quote inside an unquoted cell (quote the whole cell and double the quote)"},
            {"a,val,0.5,1,0.5", ":3: duplicate id `a` (first on line 2)"},
            {"b,train,nan,1,0.5", ":3:9: column `slm_score`: expected a finite number, got `nan`"},
        };
        int n = 0;
        for (const Case& c : cases) {
            const std::string path = write_text(dir, "bad" + std::to_string(n++) + ".csv", head + good + c.row + "\n");
            QCOMPARE(load_error(path), path + c.message);
            // Lenient: the good row stays, the bad one is reported with the same words.
            LoadOptions o;
            o.skip_bad_lines = true;
            const LoadResult r = load_file(path, o);
            QCOMPARE(r.dataset.size(), std::size_t(1));
            QCOMPARE(r.bad_lines, std::size_t(1));
            QCOMPARE(r.problems.at(0).to_string(), path + c.message);
        }
        const std::string open = write_text(dir, "open.csv", head + good + "b,train,0.5,1,\"0.5\n\n");
        QCOMPARE(load_error(open), open + ":3:15: quoted cell is not closed before the end of the file");
    }

    void costsAreOneValuePerFile() {
        QTemporaryDir dir;
        const std::string path = write_text(dir, "c.csv",
                                            "id,split,slm_score,llm_score,slm_confidence,llm_cost\n"
                                            "a,train,0.5,1,0.5,50\nb,train,0.5,1,0.5,40\n");
        QCOMPARE(load_error(path),
                 path + ":3:19: column `llm_cost`: costs are one value for the whole file; an earlier row has a "
                        "different one");
    }

    void detectedFromTheHeaderOrTheExtension() {
        QTemporaryDir dir;
        const std::string text = "id,split,slm_score,llm_score,slm_confidence\na,train,0.5,1,0.5\n";
        // A header naming `id` and a score column is CSV whatever the file is called...
        QCOMPARE(load_file(write_text(dir, "scores.txt", text)).dataset.format, std::string("csv"));
        // ...and a .csv(.gz) file is read as CSV even with a header that names no score.
        QCOMPARE(load_file(write_gz(dir, "scores.csv.gz", text)).dataset.size(), std::size_t(1));
        const std::string odd = write_text(dir, "odd.csv", "key,value\nx,1\n");
        QVERIFY(load_error(odd).find(":1: missing columns `id`, `split`") != std::string::npos);
        // A file that is neither still gets the JSONL reader's message.
        const std::string plain = write_text(dir, "plain.txt", "hello world\n");
        QCOMPARE(load_error(plain), plain + ":1:1: expected a JSON object ('{') at the start of the line");
    }

    // The routing columns of a release file, written as CSV, load bit for bit the same.
    void sameRoutingColumnsAsTheReleaseFile() {
        const LoadResult release = load_file(data_path("oracle/sample_seed1.jsonl.gz"));
        const Dataset& a = release.dataset;
        std::string text = "id,dataset,split,slm_score,llm_score,slm_confidence\n";
        for (std::size_t r = 0; r < a.size(); ++r)
            text += std::string(a.id[r]) + "," + std::string(a.dataset_name(static_cast<RowIndex>(r))) + "," +
                    std::string(to_string(a.split[r])) + "," + exact(a.small().score[r]) + "," +
                    exact(a.large().score[r]) + "," + exact(a.small().verifier_confidence[r]) + "\n";
        QTemporaryDir dir;
        const LoadResult csv = load_file(write_text(dir, "same.csv", text));
        const Dataset& b = csv.dataset;
        QCOMPARE(b.size(), a.size());
        QCOMPARE(b.dataset_names, a.dataset_names);
        for (std::size_t r = 0; r < a.size(); ++r) {
            QCOMPARE(b.split[r], a.split[r]);
            QCOMPARE(b.dataset_index[r], a.dataset_index[r]);
            QCOMPARE(b.category[r], a.category[r]);
            QCOMPARE(b.small().score[r], a.small().score[r]);
            QCOMPARE(b.large().score[r], a.large().score[r]);
            QCOMPARE(b.small().verifier_confidence[r], a.small().verifier_confidence[r]);
        }
    }
};

QTEST_GUILESS_MAIN(TestReaderCsv)
#include "test_reader_csv.moc"

// Reader tests: the oracle sample, both formats, plain and gzip, lazy contexts,
// malformed input with exact messages, lenient mode.
#include <QtTest>

#include <zlib.h>

#include <cmath>
#include <fstream>
#include <string>

#include "core/data/categories.hpp"
#include "core/data/context_store.hpp"
#include "core/data/raw_file.hpp"
#include "core/data/reader.hpp"
#include "test_reader_util.hpp"

using namespace automix::data;
using namespace test_data;

class TestReader : public QObject {
    Q_OBJECT

  private slots:
    // The context index packs offset and length into one word a row; a token longer than
    // 16 MiB or past 1 TiB goes to a side table and still reads back exactly.
    void contextIndexKeepsLongAndFarTokens() {
        automix::data::FileContextStore store(automix::data::RawFile::temporary());
        const std::string small = "\"short one\"";
        const std::string big = "\"" + std::string((std::size_t{1} << 24) + 10, 'x') + "\"";
        store.append(0, small);
        store.append(2, big);
        store.append(3, "\"after\"");
        store.set(4, std::uint64_t{1} << 41, 12);  // past the file's end: nothing to read
        QCOMPARE(store.context(0), std::string("short one"));
        QVERIFY(!store.has_context(1));
        QCOMPARE(store.context(2).size(), (std::size_t{1} << 24) + 10);
        QCOMPARE(store.raw_token(2), big);
        QCOMPARE(store.context(3), std::string("after"));
        QVERIFY(store.has_context(4));
        QCOMPARE(store.raw_token(4), std::string());
        QCOMPARE(store.bytes_referenced(), small.size() + big.size() + 7 + 12);
        store.set(2, 0, 0);  // a row's context taken away
        QVERIFY(!store.has_context(2));
        store.resize(4);  // the far row 4 goes with the resize
        QVERIFY(!store.has_context(4));
        QCOMPARE(store.bytes_referenced(), small.size() + 7);
        QCOMPARE(store.bytes_used(), 4 * sizeof(std::uint64_t));
    }

    void oracleSampleLoads() {
        LoadResult r = load_file(data_path("oracle/sample_seed1.jsonl.gz"));
        const Dataset& d = r.dataset;
        QCOMPARE(d.size(), std::size_t(4000));
        QCOMPARE(d.format, std::string("release"));
        QCOMPARE(d.dataset_names.size(), std::size_t(5));
        QVERIFY(d.find_dataset("cnli") >= 0);
        QVERIFY(d.find_dataset("qasper") >= 0);
        QCOMPARE(d.model_count(), std::size_t(2));
        QCOMPARE(d.small().name, std::string("llama13b"));
        QCOMPARE(d.large().name, std::string("llama70b"));
        QCOMPARE(d.small().call_cost, 1.0);
        QCOMPARE(d.large().call_cost, 50.0);
        // First line of the sample, read by eye.
        QCOMPARE(d.id[0], std::string("synth-cnli-000000"));
        QCOMPARE(d.pid[0], std::string("pcnli-00001"));
        QCOMPARE(d.gold[0], std::string("Entailment"));
        QCOMPARE(d.small().answer[0], std::string("Contradiction'."));
        QCOMPARE(d.large().answer[0], std::string("Entailment"));
        QCOMPARE(d.small().verifier_confidence[0], 0.6875);
        QCOMPARE(d.small().score[0], 0.0);
        QCOMPARE(d.large().score[0], 1.0);
        QCOMPARE(d.small().verifier_samples[0].size(), std::size_t(32));
        QCOMPARE(d.small().verifier_samples[0][0], std::string(" Stated.\nThe AI generated answer is correct."));
        QVERIFY(std::isnan(d.large().verifier_confidence[0]));
        QCOMPARE(d.split[0], Split::Train);
        QCOMPARE(d.dataset_name(0), std::string_view("cnli"));
        QCOMPARE(d.context(0), std::string("Wimtasqua lojo pitorka markawim senol kapies jonuren briulwim marmar torgu "
                                           "vekhel gunokvor yorsen kapi midarol."));
        QCOMPARE(d.category[0], Category::Needy);  // 0 < 1
        QCOMPARE(d.rows(d.find_dataset("cnli"), Split::Train).size() +
                     d.rows(d.find_dataset("cnli"), Split::Val).size(),
                 std::size_t(800));
        QVERIFY(r.problems.empty());
    }

    void gzipAndPlainGiveTheSameRows() {
        QTemporaryDir dir;
        std::string text = release_lines(50);
        Dataset plain = load_file(write_text(dir, "a.jsonl", text)).dataset;
        Dataset gz = load_file(write_gz(dir, "a.jsonl.gz", text)).dataset;
        QCOMPARE(plain.size(), std::size_t(50));
        QCOMPARE(gz.size(), std::size_t(50));
        for (RowIndex r = 0; r < 50; ++r) {
            QCOMPARE(gz.id[r], plain.id[r]);
            QCOMPARE(gz.context(r), plain.context(r));
            QCOMPARE(gz.small().verifier_samples[r], plain.small().verifier_samples[r]);
        }
        QCOMPARE(gz.context(7), std::string("Context of r7."));
    }

    void concatenatedGzipMembersAreOneStream() {
        QTemporaryDir dir;
        std::string a = read_text(write_gz(dir, "a.gz", release_lines(3, 0)));
        std::string b = read_text(write_gz(dir, "b.gz", release_lines(4, 3)));
        Dataset d = load_file(write_text(dir, "ab.jsonl.gz", a + b)).dataset;
        QCOMPARE(d.size(), std::size_t(7));
        QCOMPARE(d.id[6], std::string("r6"));
        QCOMPARE(d.context(6), std::string("Context of r6."));
    }

    void truncatedGzipIsAnError() {
        QTemporaryDir dir;
        std::string full = read_text(write_gz(dir, "a.gz", release_lines(200)));
        std::string path = write_text(dir, "cut.jsonl.gz", full.substr(0, full.size() / 2));
        try {
            load_file(path);
            QFAIL("expected LoadError");
        } catch (const LoadError& e) {
            QVERIFY2(e.problem().message.find("gzip") != std::string::npos, e.what());
        }
    }

    void bomCrlfAndBlankLinesAreAccepted() {
        QTemporaryDir dir;
        std::string text =
            "\xEF\xBB\xBF" + release_row("a").dump() + "\r\n\r\n" + release_row("b").dump() + "\r\n\r\n  \n\n";
        LoadResult r = load_file(write_text(dir, "bom.jsonl", text));
        QCOMPARE(r.dataset.size(), std::size_t(2));
        QCOMPARE(r.dataset.id[0], std::string("a"));
        QCOMPARE(r.dataset.id[1], std::string("b"));
        QCOMPARE(r.dataset.source_line[1], std::uint32_t(3));
        QCOMPARE(r.dataset.context(1), std::string("Context of b."));  // offsets survive the BOM and CRs
        QCOMPARE(r.dataset.gold[1], std::string("gold b"));
    }

    void lastLineWithoutNewline() {
        QTemporaryDir dir;
        std::string text = release_lines(2);
        text.pop_back();
        QCOMPARE(load_file(write_text(dir, "a.jsonl", text)).dataset.size(), std::size_t(2));
    }

    void integerScoresAndExactFloats() {
        QTemporaryDir dir;
        std::string text =
            R"({"id":"a","dataset":"cnli","split":"val","p_ver_13b":0.06666666666666667,"llama13b_f1":1,"llama70b_f1":0,"llama13b_ver":[]})"
            "\n"
            R"({"id":"b","dataset":"cnli","split":"val","p_ver_13b":1e-3,"llama13b_f1":0.1,"llama70b_f1":-0.0})"
            "\n";
        Dataset d = load_file(write_text(dir, "a.jsonl", text)).dataset;
        QCOMPARE(d.small().score[0], 1.0);
        QCOMPARE(d.large().score[0], 0.0);
        QCOMPARE(d.small().verifier_confidence[0], std::strtod("0.06666666666666667", nullptr));
        QCOMPARE(d.small().verifier_confidence[1], 0.001);
        QCOMPARE(d.small().score[1], std::strtod("0.1", nullptr));
        QCOMPARE(d.split[0], Split::Val);
    }

    void missingConfidenceIsComputedFromSamples() {
        QTemporaryDir dir;
        auto row = release_row("a");
        row.erase("p_ver_13b");
        // 2 correct ("is correctly" counts), 1 incorrect, 1 without a verdict: 2 / 3.
        row["llama13b_ver"] = {"The AI generated answer is correct.", "the ai generated answer is correctly stated",
                               "The AI generated answer is incorrect.", "No idea."};
        LoadResult r = load_file(write_text(dir, "a.jsonl", row.dump() + "\n"));
        QCOMPARE(r.dataset.small().verifier_confidence[0], 2.0 / 3.0);
        QVERIFY(!r.warnings.empty());
    }

    void pythonReprSamplesAreParsed() {
        QTemporaryDir dir;
        auto row = release_row("a");
        row.erase("p_ver_13b");
        // What str(list) gives in Python: single quotes, double quotes when the item has a ',
        // backslash escapes for newlines, backslashes and non-printables.
        row["llama13b_ver"] =
            "[' Stated.\\nThe AI generated answer is correct.', \"It's: The AI generated answer is incorrect.\", "
            "'back\\\\slash \\'q\\' \\x07 \\u00e9'] ";
        Dataset d = load_file(write_text(dir, "a.jsonl", row.dump() + "\n")).dataset;
        const auto& samples = d.small().verifier_samples[0];
        QCOMPARE(samples.size(), std::size_t(3));
        QCOMPARE(samples[0], std::string(" Stated.\nThe AI generated answer is correct."));
        QCOMPARE(samples[1], std::string("It's: The AI generated answer is incorrect."));
        QCOMPARE(samples[2], std::string("back\\slash 'q' \x07 \xC3\xA9"));
        QCOMPARE(d.small().verifier_confidence[0], 0.5);
    }

    void unicodeEscapesDecode() {
        QTemporaryDir dir;
        std::string line =
            "{\"id\":\"u\",\"dataset\":\"x\",\"split\":\"train\",\"question\":\"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" "
            "\\\\ \\/ \\t\","
            "\"base_ctx\":\"RTL \\u202e ZW \\u200b e\\u0301\",\"p_ver_13b\":0,\"llama13b_f1\":0,\"llama70b_f1\":0}";
        Dataset d = load_file(write_text(dir, "u.jsonl", line + "\n")).dataset;
        QCOMPARE(d.question[0], std::string("caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\" \\ / \t"));
        QCOMPARE(d.context(0), std::string("RTL \xE2\x80\xAE ZW \xE2\x80\x8B"
                                           " e\xCC\x81"));
    }

    void contextsAreReadLazilyFromTheFile() {
        QTemporaryDir dir;
        std::string text = release_lines(3);
        std::string path = write_text(dir, "lazy.jsonl", text);
        Dataset d = load_file(path).dataset;
        QCOMPARE(d.context(1), std::string("Context of r1."));
        // Overwrite the bytes of row 1's context in place (same length): a lazy store sees it.
        std::size_t at = text.find("Context of r1.");
        text.replace(at, 14, "Changed on r1!");
        write_text(dir, "lazy.jsonl", text);
        QCOMPARE(d.context(1), std::string("Changed on r1!"));
        QVERIFY(d.contexts->has_context(2));
    }

    void rowsWithoutOptionalFieldsLoadWithWarnings() {
        QTemporaryDir dir;
        std::string line =
            R"({"id":"a","dataset":"x","split":"val","p_ver_13b":0.5,"llama13b_f1":0,"llama70b_f1":1,"base_ctx":null})";
        LoadResult r = load_file(write_text(dir, "a.jsonl", line + "\n"));
        QCOMPARE(r.dataset.size(), std::size_t(1));
        QVERIFY(!r.dataset.contexts->has_context(0));
        QCOMPARE(r.dataset.context(0), std::string());
        QCOMPARE(r.dataset.small().has_answer[0], std::uint8_t(0));
        QCOMPARE(r.warnings.size(), std::size_t(3));
        QCOMPARE(r.warnings[0], std::string("1 row has no context"));
        QCOMPARE(r.warnings[1], std::string("1 row has no question"));
    }

    void unknownFieldsAreKept() {
        QTemporaryDir dir;
        std::string line =
            R"({"id":"a", "note" : { "k" : [1, 2.5, "x y"] },"dataset":"x","split":"dev","p_ver_13b":0.5,"llama13b_f1":0,"llama70b_f1":1,"flag":true})";
        Dataset d = load_file(write_text(dir, "a.jsonl", line + "\n")).dataset;
        QCOMPARE(d.extra_json[0], std::string(R"({"note":{"k":[1,2.5,"x y"]},"flag":true})"));
        QCOMPARE(d.split[0], Split::Other);
        QCOMPARE(d.split_label[0], std::string("dev"));
    }

    void categoryFromFileIsKept() {
        QTemporaryDir dir;
        auto a = release_row("a", 0.0, 1.0);  // would be NEEDY
        a["category"] = "hopeless";
        auto b = release_row("b", 0.0, 1.0);
        LoadResult r = load_file(write_text(dir, "a.jsonl", a.dump() + "\n" + b.dump() + "\n"));
        QCOMPARE(r.dataset.category[0], Category::Hopeless);
        QCOMPARE(r.dataset.category_from_file[0], std::uint8_t(1));
        QCOMPARE(r.dataset.category[1], Category::Needy);
        QCOMPARE(r.dataset.category_from_file[1], std::uint8_t(0));
    }

    void veryLongLine() {
        QTemporaryDir dir;
        auto row = release_row("big");
        row["base_ctx"] = std::string(12u << 20, 'x') + "\xC3\xA9";
        std::string text = release_row("a").dump() + "\n" + row.dump() + "\n" + release_row("b").dump() + "\n";
        Dataset d = load_file(write_text(dir, "big.jsonl", text)).dataset;
        QCOMPARE(d.size(), std::size_t(3));
        QCOMPARE(d.context(1).size(), std::size_t((12u << 20) + 2));
        QCOMPARE(d.context(2), std::string("Context of b."));
        Dataset g = load_file(write_gz(dir, "big.jsonl.gz", text)).dataset;
        QCOMPARE(g.context(1).size(), std::size_t((12u << 20) + 2));
    }

    // Rows parsed on worker threads in batches come out in file order, every value in place,
    // also around lines longer than a read chunk (which move to a buffer of their own while
    // earlier batches still point into the chunk) and with bad lines in many batches.
    void batchesOnWorkersKeepFileOrderAndProblems() {
        QTemporaryDir dir;
        std::string text;
        std::vector<std::size_t> bad_lines;
        std::vector<std::string> ids;
        const std::size_t lines = 30000;
        for (std::size_t n = 1; n <= lines; ++n) {
            if (n % 2477 == 0) {
                text += "{\"id\": broken\n";
                bad_lines.push_back(n);
                continue;
            }
            if (n % 5003 == 0) {
                text += "\n";  // blank: skipped, not a problem
                continue;
            }
            const std::string id = "r" + std::to_string(n);
            auto row = release_row(id, double(n % 7) / 8.0);
            if (n % 9001 == 0) row["base_ctx"] = std::string((1u << 20) + 70000, 'c');  // > one chunk
            text += row.dump() + "\n";
            ids.push_back(id);
        }
        for (const std::string& path : {write_text(dir, "many.jsonl", text), write_gz(dir, "many.jsonl.gz", text)}) {
            LoadOptions lenient;
            lenient.skip_bad_lines = true;
            lenient.max_reported_problems = 100;
            const LoadResult r = load_file(path, lenient);
            const Dataset& d = r.dataset;
            QCOMPARE(d.size(), ids.size());
            QCOMPARE(r.bad_lines, bad_lines.size());
            QCOMPARE(r.problems.size(), bad_lines.size());
            for (std::size_t i = 0; i < bad_lines.size(); ++i) {
                QCOMPARE(r.problems[i].line, bad_lines[i]);
                QCOMPARE(r.problems[i].column, std::size_t(8));
            }
            std::size_t long_contexts = 0;
            for (std::size_t row = 0; row < d.size(); ++row) {
                QCOMPARE(d.id[row], ids[row]);
                const std::size_t line = std::stoul(ids[row].substr(1));
                QCOMPARE(std::size_t(d.source_line[row]), line);
                QCOMPARE(d.small().score[row], double(line % 7) / 8.0);
                QCOMPARE(d.question[row], "Question " + ids[row] + "?");
                QCOMPARE(d.small().verifier_samples.count(row), std::size_t(2));
                if (line % 9001 == 0) {
                    QCOMPARE(d.context(static_cast<RowIndex>(row)).size(), std::size_t((1u << 20) + 70000));
                    ++long_contexts;
                } else if (row % 997 == 0) {
                    QCOMPARE(d.context(static_cast<RowIndex>(row)), "Context of " + ids[row] + ".");
                }
            }
            QCOMPARE(long_contexts, std::size_t(3));
            // Strict mode stops at the first bad line, whatever the workers parsed after it.
            try {
                load_file(path);
                QFAIL("expected a LoadError");
            } catch (const LoadError& e) {
                QCOMPARE(e.problem().line, bad_lines.front());
            }
        }
    }

    void progressAndCancel() {
        QTemporaryDir dir;
        std::string path = write_text(dir, "p.jsonl", release_lines(20000));
        std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
        LoadOptions o;
        o.progress = [&](std::uint64_t done, std::uint64_t total) { calls.emplace_back(done, total); };
        load_file(path, o);
        QVERIFY(calls.size() >= 3);
        const std::uint64_t size = read_text(path).size();
        QCOMPARE(calls.front().first, std::uint64_t(0));
        QCOMPARE(calls.back().first, size);
        for (std::size_t i = 1; i < calls.size(); ++i) {
            QVERIFY(calls[i].first >= calls[i - 1].first);
            QCOMPARE(calls[i].second, size);
        }
        std::atomic<bool> cancel{false};
        LoadOptions c;
        c.cancel = &cancel;
        c.progress = [&](std::uint64_t, std::uint64_t) { cancel = true; };
        QVERIFY_THROWS_EXCEPTION(LoadCancelled, load_file(path, c));
        // Cancelling a gzip load also stops its inflating thread (the test would hang otherwise).
        std::string gz = write_gz(dir, "p.jsonl.gz", read_text(path));
        cancel = false;
        QVERIFY_THROWS_EXCEPTION(LoadCancelled, load_file(gz, c));
    }

    void nativeFormatWithManifest() {
        QTemporaryDir dir;
        std::string text =
            R"({"automix_manifest":{"format":"automix-native-v1","models":[{"name":"s","display_name":"Small","cost":2},{"name":"m","cost":10},{"name":"l","display_name":"Large","cost":60}],"verifier_cost":0.5,"note":"x"}})"
            "\n"
            R"({"id":"1","dataset":"d","split":"train","context":"ctx 1","question":"q","gold":"g","models":[{"name":"s","answer":"a","score":0,"verifier_confidence":0.25},{"name":"m","score":1,"verifier_samples":["The AI generated answer is correct."],"tokens":7},{"name":"l","answer":"b","score":1}],"extra":1})"
            "\n"
            R"({"id":"2","dataset":"d","split":"val","models":[{"name":"l","score":0.5},{"name":"s","score":1,"verifier_confidence":1},{"name":"m","score":0,"verifier_confidence":0}]})"
            "\n";
        LoadResult r = load_file(write_text(dir, "n.jsonl", text));
        const Dataset& d = r.dataset;
        QCOMPARE(d.format, std::string("native"));
        QCOMPARE(d.model_count(), std::size_t(3));
        QCOMPARE(d.models[0].display_name, std::string("Small"));
        QCOMPARE(d.models[1].display_name, std::string("m"));
        QCOMPARE(d.models[2].call_cost, 60.0);
        QCOMPARE(d.verifier_cost, 0.5);
        QCOMPARE(d.manifest_extra_json, std::string(R"({"note":"x"})"));
        QCOMPARE(d.size(), std::size_t(2));
        QCOMPARE(d.context(0), std::string("ctx 1"));
        QCOMPARE(d.models[0].verifier_confidence[0], 0.25);
        QCOMPARE(d.models[1].verifier_confidence[0], 1.0);  // computed from the samples
        QVERIFY(std::isnan(d.models[2].verifier_confidence[0]));
        QCOMPARE(d.models[1].extra_json[0], std::string(R"({"tokens":7})"));
        QCOMPARE(d.models[1].extra_json[1], std::string());
        QCOMPARE(d.extra_json[0], std::string(R"({"extra":1})"));
        // Row 2 lists its models in another order: matched by name.
        QCOMPARE(d.models[0].score[1], 1.0);
        QCOMPARE(d.models[2].score[1], 0.5);
    }

    void nativeFormatWithoutManifestUsesDefaults() {
        QTemporaryDir dir;
        std::string text =
            R"({"id":"1","dataset":"d","split":"train","models":[{"name":"a","score":0,"verifier_confidence":0.5},{"name":"b","score":1}]})"
            "\n";
        Dataset d = load_file(write_text(dir, "n.jsonl", text)).dataset;
        QCOMPARE(d.format, std::string("native"));
        QCOMPARE(d.models[0].name, std::string("a"));
        QCOMPARE(d.models[0].call_cost, 1.0);
        QCOMPARE(d.models[1].call_cost, 50.0);
        QCOMPARE(d.category[0], Category::Needy);
    }
};

QTEST_GUILESS_MAIN(TestReader)
#include "test_reader.moc"

// Malformed input: every kind gives an exact `file:line:column: reason`, strict mode stops,
// lenient mode keeps every good row and reports the bad ones.
#include <QtTest>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/data/reader.hpp"
#include "test_reader_util.hpp"

using namespace automix::data;
using namespace test_data;

namespace {

struct Case {
    const char* name;
    std::string bad_line;
    std::string message;
    std::size_t column;  // 1-based, 0 = whole row
};

std::string without(nlohmann::ordered_json j, std::initializer_list<const char*> keys) {
    for (const char* k : keys) j.erase(k);
    return j.dump();
}

template <class T>
std::string with(nlohmann::ordered_json j, const char* key, T value) {
    j[key] = value;
    return j.dump();
}

std::size_t column_of(const std::string& line, const std::string& needle) {
    return line.find(needle) + 1;
}

std::vector<Case> release_cases() {
    const auto good = release_row("bad");
    const std::string good_text = good.dump();
    std::vector<Case> cases;
    {
        std::string l = with(good, "llama13b_f1", "0.5");
        cases.push_back(
            {"string score", l, "field `llama13b_f1`: expected number, got string", column_of(l, "\"0.5\"")});
    }
    cases.push_back({"missing required", without(good, {"llama70b_f1"}), "missing required field `llama70b_f1`", 0});
    cases.push_back({"missing several", without(good, {"id", "split"}), "missing required fields `id`, `split`", 0});
    cases.push_back({"no confidence", without(good, {"p_ver_13b", "llama13b_ver"}),
                     "missing required field `p_ver_13b` or `llama13b_ver`", 0});
    {
        std::string l = good_text.substr(0, good_text.size() - 1);
        cases.push_back({"truncated line", l, "unexpected end of line, expected ',' or '}'", l.size() + 1});
    }
    cases.push_back({"unterminated string", "{\"id\":\"abc", "unterminated string", 7});
    cases.push_back({"not an object", "[1,2]", "expected a JSON object ('{') at the start of the line", 1});
    cases.push_back({"trailing text", good_text + " x", "unexpected text after the JSON object", good_text.size() + 2});
    {
        std::string l = with(good, "question", "abXMARK");
        std::size_t at = l.find("XMARK");
        l.replace(at, 5, "\xFF");
        cases.push_back({"invalid UTF-8", l, "invalid UTF-8 byte 0xff", at + 1});
    }
    {
        std::string l = with(good, "question", "abXMARK");
        std::size_t at = l.find("XMARK");
        l.replace(at, 5, "\xC0\xAF");  // overlong encoding of '/'
        cases.push_back({"overlong UTF-8", l, "invalid UTF-8 byte 0xc0", at + 1});
    }
    cases.push_back({"duplicate id", release_row("r0").dump(), "duplicate id `r0` (first on line 1)", 0});
    {
        std::string l = "{\"id\":\"a\",\"id\":\"b\"," + good_text.substr(good_text.find("\"pid\""));
        cases.push_back({"duplicate field", l, "duplicate field `id`", 11});
    }
    {
        std::string l = with(good, "llama13b_f1", 0.25);
        std::size_t at = l.find("0.25");
        l.replace(at, 4, "NaN");
        cases.push_back({"NaN score", l, "field `llama13b_f1`: expected a finite number, got NaN", at + 1});
    }
    {
        std::string l = with(good, "llama70b_f1", 0.25);
        std::size_t at = l.find("0.25");
        l.replace(at, 4, "-Infinity");
        cases.push_back({"Infinity score", l, "field `llama70b_f1`: expected a finite number, got Infinity", at + 1});
    }
    {
        std::string l = with(good, "p_ver_13b", 0.25);
        std::size_t at = l.find("0.25");
        l.replace(at, 4, "1e400");
        cases.push_back({"number out of range", l, "field `p_ver_13b`: number 1e400 is out of range", at + 1});
    }
    {
        std::string l = with(good, "question", "aXMARK");
        std::size_t at = l.find("XMARK");
        l.replace(at, 5, "\\q");
        cases.push_back({"bad escape", l, "invalid escape \\q", at + 1});
    }
    {
        std::string l = with(good, "id", nullptr);
        cases.push_back({"null id", l, "field `id`: expected string, got null", column_of(l, "null")});
    }
    cases.push_back({"bad category", with(good, "category", "meh"),
                     "field `category`: expected NEEDY, GOOD, HOPELESS or UNDEFINED, got `meh`", 0});
    {
        std::string l = with(good, "llama13b_ver", nlohmann::json::array({"x", 1}));
        cases.push_back({"sample not a string", l,
                         "field `llama13b_ver`: expected an array of strings, got number at index 1",
                         column_of(l, "1]")});
    }
    {
        std::string l = with(good, "llama13b_ver", "[oops");
        cases.push_back({"broken repr", l,
                         "field `llama13b_ver`: string is not a list of strings (expected a quoted string at character "
                         "2 of the value)",
                         column_of(l, "\"[oops")});
    }
    {
        std::string l = with(good, "question", "aXMARK");
        std::size_t at = l.find("XMARK");
        l.replace(at, 5, "\t");
        cases.push_back({"raw control character", l, "control character 0x09 inside string (must be escaped)", at + 1});
    }
    {
        std::string l = with(good, "llama13b_f1", 0.25);
        std::size_t at = l.find("0.25");
        l.replace(at, 4, "01");
        cases.push_back({"leading zero", l, "invalid number (leading zero)", at + 1});
    }
    {
        std::string l = with(good, "question", "aXMARK");
        std::size_t at = l.find("XMARK");
        l.replace(at, 5, "\\ud800x");
        cases.push_back({"lone surrogate", l, "unpaired surrogate in \\u escape", at + 1});
    }
    {
        std::string l = with(good, "split", 3);
        cases.push_back({"number split", l, "field `split`: expected string, got number", column_of(l, "3,")});
    }
    {
        std::string l = good_text;
        l.insert(l.size() - 1, ",\"extra\":[1,2,}");
        cases.push_back({"broken unknown field", l, "unexpected character '}'", l.size() - 1});
    }
    return cases;
}

}  // namespace

class TestReaderErrors : public QObject {
    Q_OBJECT

  private slots:
    void strictModeStopsWithExactMessage_data() {
        QTest::addColumn<int>("index");
        auto cases = release_cases();
        for (std::size_t i = 0; i < cases.size(); ++i) QTest::newRow(cases[i].name) << static_cast<int>(i);
    }

    void strictModeStopsWithExactMessage() {
        QFETCH(int, index);
        const Case c = release_cases()[static_cast<std::size_t>(index)];
        QTemporaryDir dir;
        // Two good lines first, so the line number is not trivially 1.
        std::string path = write_text(dir, "bad.jsonl", release_lines(2) + c.bad_line + "\n" + release_lines(1, 5));
        try {
            load_file(path);
            QFAIL("expected a LoadError");
        } catch (const LoadError& e) {
            const LoadProblem& p = e.problem();
            QCOMPARE(p.message, c.message);
            QCOMPARE(p.line, std::size_t(3));
            QCOMPARE(p.column, c.column);
            QCOMPARE(p.file, path);
            std::string expected =
                path + ":3:" + (c.column ? std::to_string(c.column) + ":" : std::string()) + " " + c.message;
            QCOMPARE(std::string(e.what()), expected);
        }
    }

    void lenientModeKeepsGoodRows_data() { strictModeStopsWithExactMessage_data(); }

    void lenientModeKeepsGoodRows() {
        QFETCH(int, index);
        const Case c = release_cases()[static_cast<std::size_t>(index)];
        QTemporaryDir dir;
        std::string path = write_text(dir, "bad.jsonl", release_lines(2) + c.bad_line + "\n" + release_lines(1, 5));
        LoadOptions o;
        o.skip_bad_lines = true;
        LoadResult r = load_file(path, o);
        QCOMPARE(r.dataset.size(), std::size_t(3));
        QCOMPARE(r.dataset.id[2], std::string("r5"));
        QCOMPARE(r.dataset.source_line[2], std::uint32_t(4));
        QCOMPARE(r.dataset.context(2), std::string("Context of r5."));
        QCOMPARE(r.bad_lines, std::size_t(1));
        QCOMPARE(r.problems.size(), std::size_t(1));
        QCOMPARE(r.problems[0].message, c.message);
        QCOMPARE(r.problems[0].line, std::size_t(3));
    }

    void lenientModeReportsFirstTwentyProblems() {
        QTemporaryDir dir;
        std::string text;
        for (int i = 0; i < 30; ++i) text += release_row("g" + std::to_string(i)).dump() + "\n{broken\n";
        LoadOptions o;
        o.skip_bad_lines = true;
        LoadResult r = load_file(write_text(dir, "many.jsonl", text), o);
        QCOMPARE(r.dataset.size(), std::size_t(30));
        QCOMPARE(r.bad_lines, std::size_t(30));
        QCOMPARE(r.problems.size(), std::size_t(20));
        QCOMPARE(r.problems[0].line, std::size_t(2));
        QCOMPARE(r.problems[19].line, std::size_t(40));
        QCOMPARE(r.problems[0].message, std::string("expected field name"));
        QCOMPARE(r.dataset.id[29], std::string("g29"));
    }

    void lenientDuplicateIdKeepsTheFirst() {
        QTemporaryDir dir;
        auto second = release_row("r0", 0.0, 0.0);
        LoadOptions o;
        o.skip_bad_lines = true;
        LoadResult r = load_file(write_text(dir, "dup.jsonl", release_lines(1) + second.dump() + "\n"), o);
        QCOMPARE(r.dataset.size(), std::size_t(1));
        QCOMPARE(r.dataset.small().score[0], 0.5);
    }

    void nativeRowErrors() {
        QTemporaryDir dir;
        const std::string manifest = "{\"automix_manifest\":{\"format\":\"automix-native-v1\",\"models\":[{\"name\":"
                                     "\"s\",\"cost\":1},{\"name\":\"l\",\"cost\":50}]}}\n";
        const std::string ok = "{\"id\":\"1\",\"dataset\":\"d\",\"split\":\"train\",\"models\":[{\"name\":\"s\","
                               "\"score\":1,\"verifier_confidence\":1},{\"name\":\"l\",\"score\":1}]}\n";
        struct NativeCase {
            std::string line, message;
        };
        std::vector<NativeCase> cases = {
            {"{\"id\":\"2\",\"dataset\":\"d\",\"split\":\"train\",\"models\":[{\"name\":\"s\",\"score\":1,\"verifier_"
             "confidence\":1},{\"name\":\"l\"}]}",
             "missing required field `models[1].score`"},
            {"{\"id\":\"2\",\"dataset\":\"d\",\"split\":\"train\",\"models\":[{\"name\":\"s\",\"score\":1}]}",
             "field `models`: expected 2 models (as in the manifest), got 1"},
            {"{\"id\":\"2\",\"dataset\":\"d\",\"split\":\"train\",\"models\":[{\"name\":\"s\",\"score\":1},{\"name\":"
             "\"l\",\"score\":0}]}",
             "missing required field `models[0].verifier_confidence` or `models[0].verifier_samples`"},
            {"{\"id\":\"2\",\"dataset\":\"d\",\"split\":\"train\",\"models\":[{\"name\":\"s\",\"score\":1,\"verifier_"
             "confidence\":1},{\"name\":\"x\",\"score\":0}]}",
             "field `models`: no entry for model `l`"},
            {"{\"id\":\"2\",\"dataset\":\"d\",\"split\":\"train\",\"models\":[{\"name\":\"s\",\"score\":\"1\"}]}",
             "field `models[0].score`: expected number, got string"},
            {"{\"id\":\"2\",\"dataset\":\"d\",\"split\":\"train\"}", "missing required field `models`"},
        };
        for (const auto& c : cases) {
            std::string path = write_text(dir, "n.jsonl", manifest + ok + c.line + "\n");
            try {
                load_file(path);
                QFAIL(("expected a LoadError for " + c.line).c_str());
            } catch (const LoadError& e) {
                QCOMPARE(e.problem().message, c.message);
                QCOMPARE(e.problem().line, std::size_t(3));
            }
        }
        std::string bad_manifest =
            "{\"automix_manifest\":{\"format\":\"automix-native-v9\",\"models\":[{\"name\":\"s\"}]}}\n";
        try {
            load_file(write_text(dir, "m.jsonl", bad_manifest + ok));
            QFAIL("expected a LoadError");
        } catch (const LoadError& e) {
            QCOMPARE(
                e.problem().message,
                std::string("manifest: unsupported `format` \"automix-native-v9\" (expected \"automix-native-v1\")"));
            QCOMPARE(e.problem().line, std::size_t(1));
        }
    }

    // A routed live row (`automix run`, the request log of `automix serve`) asks a larger model
    // only when it escalates and may have no gold answer: its unknown scores are null, the row
    // loads as unmeasured. Elsewhere a null score stays an error at the null.
    void nativeLiveRowsMayLeaveScoresUnknown() {
        QTemporaryDir dir;
        const std::string manifest = "{\"automix_manifest\":{\"format\":\"automix-native-v1\",\"models\":[{\"name\":"
                                     "\"s\",\"cost\":1},{\"name\":\"l\",\"cost\":50}]}}\n";
        const std::string ok = "{\"id\":\"1\",\"dataset\":\"d\",\"split\":\"train\",\"models\":[{\"name\":\"s\","
                               "\"score\":1,\"verifier_confidence\":1},{\"name\":\"l\",\"score\":1}]}\n";
        const std::string live = "{\"id\":\"2\",\"dataset\":\"d\",\"split\":\"served\",\"live\":{\"escalated\":[0]},"
                                 "\"models\":[{\"name\":\"s\",\"answer\":\"a\",\"score\":null,\"verifier_confidence\":"
                                 "0.75},{\"name\":\"l\",\"score\":null}]}\n";
        const auto loaded = load_file(write_text(dir, "live.jsonl", manifest + ok + live));
        const Dataset& d = loaded.dataset;
        QCOMPARE(d.size(), std::size_t(2));
        QCOMPARE(d.unmeasured.size(), std::size_t(2));
        QVERIFY(!d.unmeasured[0]);
        QVERIFY(d.unmeasured[1]);
        QVERIFY(std::isnan(d.models[0].score[1]) && std::isnan(d.models[1].score[1]));
        QCOMPARE(d.models[0].verifier_confidence[1], 0.75);
        QCOMPARE(d.measured(d.all_rows()).size(), std::size_t(1));
        const std::string not_live = "{\"id\":\"2\",\"dataset\":\"d\",\"split\":\"train\",\"models\":[{\"name\":"
                                     "\"s\",\"score\":1,\"verifier_confidence\":1},{\"name\":\"l\",\"score\":null}]}";
        try {
            load_file(write_text(dir, "n.jsonl", manifest + ok + not_live + "\n"));
            QFAIL("accepted a null score outside a live row");
        } catch (const LoadError& e) {
            QCOMPARE(e.problem().message, std::string("field `models[1].score`: expected number, got null"));
            QCOMPARE(e.problem().line, std::size_t(3));
            QCOMPARE(e.problem().column, column_of(not_live, "null"));
        }
    }

    void randomDamageNeverCrashesAndNeverLosesGoodRows() {
        // Flip, delete or insert random bytes in random lines; every line must end up either
        // as a row or as a reported problem.
        QTemporaryDir dir;
        std::mt19937 rng(7);
        static const char kSpecials[] = "{}[]\",:\\\x00\xff\xc3\n0-eE.tnfNI ";
        const std::string specials(kSpecials, sizeof kSpecials - 1);  // keeps the NUL byte
        for (int round = 0; round < 40; ++round) {
            std::string text;
            int lines = 30;
            for (int i = 0; i < lines; ++i) {
                std::string line = release_row("x" + std::to_string(i)).dump();
                if (rng() % 2) {
                    for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
                        std::size_t at = rng() % line.size();
                        char c = specials[rng() % specials.size()];
                        if (c == '\n') c = ' ';  // keep the line count fixed
                        switch (rng() % 3) {
                        case 0: line[at] = c; break;
                        case 1: line.erase(at, 1); break;
                        default: line.insert(at, 1, c);
                        }
                    }
                }
                text += line + "\n";
            }
            LoadOptions o;
            o.skip_bad_lines = true;
            try {
                LoadResult r = load_file(write_text(dir, "fuzz.jsonl", text), o);
                QCOMPARE(r.dataset.size() + r.bad_lines, std::size_t(lines));
                for (RowIndex row = 0; row < r.dataset.size(); ++row) (void)r.dataset.context(row);
            } catch (const LoadError& e) {
                // Only possible when every line was damaged.
                QVERIFY2(std::string(e.what()).find("no valid rows") != std::string::npos, e.what());
            }
        }
    }

    void wholeFileProblems() {
        QTemporaryDir dir;
        try {
            load_file(dir.filePath("missing.jsonl").toStdString());
            QFAIL("expected a LoadError");
        } catch (const LoadError& e) {
            QCOMPARE(e.problem().message, std::string("cannot open: No such file or directory"));
        }
        try {
            load_file(write_text(dir, "empty.jsonl", ""));
            QFAIL("expected a LoadError");
        } catch (const LoadError& e) {
            QCOMPARE(e.problem().message, std::string("no rows (the file is empty)"));
        }
        try {  // 1 GiB of newlines is not "empty" (issue 17)
            load_file(write_text(dir, "blank.jsonl", "\n\n"));
            QFAIL("expected a LoadError");
        } catch (const LoadError& e) {
            QCOMPARE(e.problem().message, std::string("no rows (the file has 2 lines, all blank)"));
        }
        try {
            load_file(write_text(dir, "garbage.gz", std::string("\x1f\x8b\x08\x00garbage-not-deflate", 24)));
            QFAIL("expected a LoadError");
        } catch (const LoadError& e) {
            QVERIFY2(e.problem().message.find("gzip") != std::string::npos, e.what());
        }
        LoadOptions o;
        o.skip_bad_lines = true;
        try {
            load_file(write_text(dir, "allbad.jsonl", "{\n{\n"), o);
            QFAIL("expected a LoadError");
        } catch (const LoadError& e) {
            QVERIFY2(e.problem().message.rfind("no valid rows (2 bad lines; first: ", 0) == 0, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestReaderErrors)
#include "test_reader_errors.moc"

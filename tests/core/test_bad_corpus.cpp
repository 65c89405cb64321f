// The malformed-input corpus in tests/data/bad/ (written by tests/data/bad/generate.py): for
// every file, strict mode throws a LoadError with the exact message, line and column, and
// lenient mode keeps exactly the good rows (or, for whole-file damage, throws as well so that
// no partial dataset is presented as complete). Plus inputs too big to commit, made here.
#include <QtTest>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "core/data/reader.hpp"
#include "test_reader_util.hpp"

using namespace automix::data;
using namespace test_data;

namespace {

// Row damage is skipped in lenient mode; file damage makes even lenient mode refuse.
enum class Scope { Row, File };

// Where the column must point: at `needle` in the bad line (first or last occurrence, plus
// `offset`), at least at `needle` (AtOrAfter, for nesting limits), or 0 for whole-row problems.
enum class ColumnRule { None, Exact, AtOrAfter };

struct Case {
    const char* file;
    Scope scope;
    std::size_t line;
    std::string message;
    ColumnRule rule = ColumnRule::None;
    std::string needle = {};
    bool last = false;
    std::size_t offset = 0;
    std::vector<std::string> good_ids = {};  // rows lenient mode must keep, in file order
};

const std::vector<std::string> kG013 = {"g0", "g1", "g3"};
const std::vector<std::string> kN123 = {"n1", "n2", "n3"};

std::vector<Case> cases() {
    using R = ColumnRule;
    return {
        {"truncated_line.jsonl",
         Scope::Row,
         3,
         "unterminated string",
         R::Exact,
         "\"llama70b",
         true,
         0,
         {"g0", "g1", "g3", "g4"}},
        {"truncated_last_line.jsonl",
         Scope::Row,
         4,
         "unterminated string",
         R::Exact,
         "\"C",
         true,
         0,
         {"g0", "g1", "g2"}},
        {"string_score.jsonl",
         Scope::Row,
         2,
         "field `llama13b_f1`: expected number, got string",
         R::Exact,
         "\"0.5\"",
         false,
         0,
         {"g0", "g2", "g3"}},
        {"bool_score.jsonl",
         Scope::Row,
         4,
         "field `llama70b_f1`: expected number, got boolean",
         R::Exact,
         "true",
         false,
         0,
         {"g0", "g1", "g2", "g4"}},
        {"array_question.jsonl", Scope::Row, 3, "field `question`: expected string, got array", R::Exact, "[\"a\"",
         false, 0, kG013},
        {"object_id.jsonl",
         Scope::Row,
         1,
         "field `id`: expected string, got object",
         R::Exact,
         "{\"x\"",
         false,
         0,
         {"g1", "g2"}},
        {"null_split.jsonl", Scope::Row, 3, "field `split`: expected string, got null", R::Exact, "null", false, 0,
         kG013},
        {"nan_score.jsonl", Scope::Row, 3, "field `llama13b_f1`: expected a finite number, got NaN", R::Exact, "NaN",
         false, 0, kG013},
        {"infinity_score.jsonl",
         Scope::Row,
         2,
         "field `llama70b_f1`: expected a finite number, got Infinity",
         R::Exact,
         "Infinity",
         false,
         0,
         {"g0", "g2", "g3"}},
        {"negative_infinity_confidence.jsonl",
         Scope::Row,
         5,
         "field `p_ver_13b`: expected a finite number, got Infinity",
         R::Exact,
         "-Infinity",
         false,
         0,
         {"g0", "g1", "g2", "g3", "g5"}},
        {"huge_number.jsonl", Scope::Row, 3, "field `llama13b_f1`: number 1e400 is out of range", R::Exact, "1e400",
         false, 0, kG013},
        {"hex_number.jsonl", Scope::Row, 3, "expected ',' or '}', got 'x'", R::Exact, "x1", false, 0, kG013},
        {"plus_sign_number.jsonl", Scope::Row, 3, "field `llama13b_f1`: expected number, got invalid token", R::Exact,
         "+0.5", false, 0, kG013},
        {"duplicated_id.jsonl",
         Scope::Row,
         5,
         "duplicate id `g1` (first on line 2)",
         R::None,
         "",
         false,
         0,
         {"g0", "g1", "g2", "g3", "g4", "g5"}},
        {"duplicate_field.jsonl", Scope::Row, 3, "duplicate field `split`", R::Exact, "\"split\"", true, 0, kG013},
        {"missing_split.jsonl", Scope::Row, 3, "missing required field `split`", R::None, "", false, 0, kG013},
        {"missing_scores.jsonl", Scope::Row, 3, "missing required fields `llama13b_f1`, `llama70b_f1`", R::None, "",
         false, 0, kG013},
        {"missing_confidence.jsonl", Scope::Row, 3, "missing required field `p_ver_13b` or `llama13b_ver`", R::None, "",
         false, 0, kG013},
        {"unknown_category.jsonl", Scope::Row, 3,
         "field `category`: expected NEEDY, GOOD, HOPELESS or UNDEFINED, got `MAYBE`", R::None, "", false, 0, kG013},
        {"samples_repr_broken.jsonl", Scope::Row, 3,
         "field `llama13b_ver`: string is not a list of strings (expected ']' at character 10 of the value)", R::Exact,
         "\"['a'", false, 0, kG013},
        {"non_utf8.jsonl", Scope::Row, 3, "invalid UTF-8 byte 0xe9", R::Exact, "\xe9", false, 0, kG013},
        {"utf8_cut_short.jsonl",
         Scope::Row,
         4,
         "invalid UTF-8 byte 0xe2",
         R::Exact,
         "\xe2",
         false,
         0,
         {"g0", "g1", "g2"}},
        {"nul_byte.jsonl", Scope::Row, 3, "control character 0x00 inside string (must be escaped)", R::Exact,
         std::string(1, '\0'), false, 0, kG013},
        {"lone_surrogate.jsonl", Scope::Row, 3, "unpaired surrogate in \\u escape", R::Exact, "\\udc00", false, 0,
         kG013},
        {"raw_control_char.jsonl", Scope::Row, 3, "control character 0x09 inside string (must be escaped)", R::Exact,
         "\t", false, 0, kG013},
        {"single_quotes.jsonl", Scope::Row, 3, "expected field name", R::Exact, "'id'", false, 0, kG013},
        {"trailing_comma.jsonl", Scope::Row, 3, "expected field name", R::Exact, ",}", false, 1, kG013},
        {"not_an_object.jsonl", Scope::Row, 3, "expected a JSON object ('{') at the start of the line", R::Exact, "[",
         false, 0, kG013},
        {"binary_garbage.jsonl", Scope::Row, 3, "expected a JSON object ('{') at the start of the line", R::Exact,
         "\x80", false, 0, kG013},
        {"bom_mid_file.jsonl", Scope::Row, 3,
         "expected a JSON object ('{') at the start of the line, got a UTF-8 byte order mark (ef bb bf) here (a "
         "second one, or one not at the file's start)",
         R::Exact, "\xef\xbb\xbf", false, 0, kG013},
        {"crlf_with_bad_row.jsonl", Scope::Row, 3, "field `llama13b_f1`: expected number, got string", R::Exact,
         "\"x\"", false, 0, kG013},
        {"deeply_nested.jsonl", Scope::Row, 3, "nesting deeper than 256 levels", R::AtOrAfter, "[[[[", false, 256,
         kG013},
        {"deeply_nested_unclosed.jsonl", Scope::Row, 3, "nesting deeper than 256 levels", R::AtOrAfter, "{\"a\":{",
         false, 256 * 5, kG013},
        // Lines end in \n (or \r\n): a bare-CR file is one line, and as \r is JSON whitespace the
        // second row's '{' is the unexpected text.
        {"cr_only.jsonl", Scope::File, 1, "unexpected text after the JSON object", R::Exact, "\r{", false, 1},
        {"empty.jsonl", Scope::File, 0, "no rows (the file is empty)"},
        {"blank_lines_only.jsonl", Scope::File, 0, "no rows (the file has 4 lines, all blank)"},
        {"truncated.jsonl.gz", Scope::File, 1, "truncated gzip file (unexpected end of compressed data)"},
        {"gzip_header_only.jsonl.gz", Scope::File, 1, "truncated gzip file (unexpected end of compressed data)"},
        {"gzip_corrupt_crc.jsonl.gz", Scope::File, 1, "corrupt gzip data: incorrect data check"},
        {"native_manifest_not_first.jsonl",
         Scope::Row,
         3,
         "missing required fields `id`, `dataset`, `split`, `models`",
         R::None,
         "",
         false,
         0,
         {"n0", "n1"}},
        {"native_wrong_model_count.jsonl",
         Scope::Row,
         3,
         "field `models`: expected 2 models (as in the manifest), got 1",
         R::None,
         "",
         false,
         0,
         {"n0", "n2"}},
        {"native_score_string.jsonl",
         Scope::Row,
         3,
         "field `models[0].score`: expected number, got string",
         R::Exact,
         "\"1\"",
         false,
         0,
         {"n0", "n2"}},
        {"native_duplicate_model.jsonl", Scope::File, 1, "manifest: model name `s` appears twice"},
        {"native_empty_models.jsonl", Scope::File, 1, "manifest: `models` must be a non-empty array"},
        {"native_unknown_format.jsonl", Scope::File, 1,
         "manifest: unsupported `format` \"automix-native-v9\" (expected \"automix-native-v1\")"},
        {"native_display_name_number.jsonl", Scope::File, 1, "manifest: `models[0]`: `display_name` must be a string"},
        // Issue 17.
        // Depth counts from the line's object here (the note sits two levels down).
        {"native_manifest_deep.jsonl", Scope::File, 1, "manifest: nesting deeper than 256 levels", R::AtOrAfter, "[[[[",
         false, 254},
        {"huge_integer_400_digits.jsonl", Scope::Row, 3,
         "field `llama70b_f1`: number 1000000000000000... (401 characters) is out of range", R::Exact, "1000000", false,
         0, kG013},
        {"huge_negative_integer.jsonl",
         Scope::Row,
         4,
         "field `p_ver_13b`: number -999999999999999... (401 characters) is out of range",
         R::Exact,
         "-9999",
         false,
         0,
         {"g0", "g1", "g2", "g4"}},
        {"native_manifest_huge_cost.jsonl", Scope::File, 1,
         "manifest: number 5000000000000000... (401 characters) is out of range", R::Exact, "5000000"},
        {"native_too_many_models.jsonl", Scope::File, 1, "manifest: 1001 models; at most 1000 are supported"},
        {"native_first_line_broken.jsonl", Scope::Row, 1, "unterminated string", R::Exact, "\"", true, 0, kN123},
        {"native_negative_cost.jsonl", Scope::File, 1,
         "manifest: `models[1]`: `cost` must be a non-negative number, got -50"},
        {"native_negative_verifier_cost.jsonl", Scope::File, 1,
         "manifest: `verifier_cost` must be a non-negative number, got -1"},
        {"native_manifest_duplicate_key.jsonl", Scope::File, 1, "manifest: duplicate field `format`", R::Exact,
         "\"format\"", true},
        {"native_manifest_no_format.jsonl", Scope::File, 1,
         "manifest: missing `format` (expected \"automix-native-v1\")"},
        {"native_duplicate_model_no_manifest.jsonl", Scope::Row, 1,
         "field `models[1].name`: model name `s` appears twice (first at models[0])", R::None, "", false, 0, kN123},
        {"manifest_only.jsonl", Scope::File, 0, "no rows (the file has only the manifest line)"},
        {"gzip_of_gzip.jsonl.gz", Scope::File, 1,
         "expected a JSON object ('{') at the start of the line, got gzip data (bytes 1f 8b) inside the gzip file: "
         "compressed twice?",
         R::Exact, "\x1f\x8b"},
        {"xz_compressed.jsonl", Scope::File, 1,
         "expected a JSON object ('{') at the start of the line, got xz-compressed data (bytes fd 37 7a 58 5a 00); "
         "decompress it first or use gzip",
         R::Exact, "\xfd"},
        {"utf16le.jsonl", Scope::File, 1,
         "expected a JSON object ('{') at the start of the line, got UTF-16 text (bytes ff fe / 7b 00); the reader "
         "needs UTF-8",
         R::Exact, "{"},
        {"utf16_bom.jsonl", Scope::File, 1,
         "expected a JSON object ('{') at the start of the line, got UTF-16 text (bytes ff fe / 7b 00); the reader "
         "needs UTF-8",
         R::Exact, "\xff"},
        {"double_bom.jsonl",
         Scope::Row,
         1,
         "expected a JSON object ('{') at the start of the line, got a UTF-8 byte order mark (ef bb bf) here (a second "
         "one, or one not at the file's start)",
         R::Exact,
         "\xef\xbb\xbf",  // columns count after the first BOM, which the reader strips
         false,
         0,
         {"g1", "g2"}},
        {"gzip_padding_then_junk.jsonl.gz", Scope::File, 9,
         "unexpected data after the zero padding that follows the gzip stream"},
    };
}

// Line `number` (1-based) of the raw file, without its \n or \r\n.
std::string raw_line(const std::string& text, std::size_t number) {
    std::size_t begin = 0;
    for (std::size_t n = 1; n < number; ++n) begin = text.find('\n', begin) + 1;
    std::size_t end = text.find('\n', begin);
    std::string line = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

std::size_t expected_column(const Case& c, const std::string& line) {
    const std::size_t at = c.last ? line.rfind(c.needle) : line.find(c.needle);
    if (at == std::string::npos) return 0;
    return at + 1 + c.offset;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
    if (std::find(list.begin(), list.end(), item) != list.end()) return true;
    for (const auto& s : list) qWarning("have: %s", s.c_str());
    qWarning("want: %s", item.c_str());
    return false;
}

std::vector<std::string> ids_of(const Dataset& d) {
    return {d.id.begin(), d.id.end()};
}

}  // namespace

class TestBadCorpus : public QObject {
    Q_OBJECT

  private slots:
    void corpusIsLargeEnough() {
        QDir dir(QString::fromStdString(data_path("bad")));
        const auto files = dir.entryList({"*.jsonl", "*.gz"}, QDir::Files);
        QVERIFY2(files.size() >= 70, qPrintable(QString::number(files.size())));
        // Every file in the folder has an expectation here, and every expectation a file.
        QStringList covered;
        for (const auto& c : cases()) covered << c.file;
        for (const auto& tolerated :
             {"bom_first_line.jsonl", "crlf.jsonl", "blank_lines_between.jsonl", "huge_integer.jsonl",
              "native_missing_manifest.jsonl", "gzip_zero_padding.jsonl.gz", "suspect_values.jsonl"})
            covered << tolerated;
        covered.sort();
        QStringList present = files;
        present.sort();
        QCOMPARE(present, covered);
    }

    void strictModeReportsExactProblem_data() {
        QTest::addColumn<int>("index");
        const auto all = cases();
        for (std::size_t i = 0; i < all.size(); ++i) QTest::newRow(all[i].file) << static_cast<int>(i);
    }

    void strictModeReportsExactProblem() {
        QFETCH(int, index);
        const Case c = cases()[static_cast<std::size_t>(index)];
        const std::string path = data_path(std::string("bad/") + c.file);
        try {
            load_file(path);
            QFAIL("expected a LoadError");
        } catch (const LoadError& e) {
            const LoadProblem& p = e.problem();
            QCOMPARE(p.file, path);
            QCOMPARE(p.message, c.message);
            QCOMPARE(p.line, c.line);
            if (c.rule == ColumnRule::None) {
                QCOMPARE(p.column, std::size_t(0));
            } else {
                const std::size_t want = expected_column(c, raw_line(read_text(path), c.line));
                QVERIFY2(want > 0, "needle not found in the bad line");
                if (c.rule == ColumnRule::Exact)
                    QCOMPARE(p.column, want);
                else
                    QVERIFY2(p.column >= want, qPrintable(QString("column %1 < %2").arg(p.column).arg(want)));
            }
            QVERIFY(std::string(e.what()).rfind(path + ":", 0) == 0);
        }
    }

    void lenientModeKeepsEveryGoodRow_data() { strictModeReportsExactProblem_data(); }

    void lenientModeKeepsEveryGoodRow() {
        QFETCH(int, index);
        const Case c = cases()[static_cast<std::size_t>(index)];
        const std::string path = data_path(std::string("bad/") + c.file);
        LoadOptions o;
        o.skip_bad_lines = true;
        if (c.scope == Scope::File) {
            // Whole-file damage: no dataset at all rather than a silently partial one.
            QVERIFY_THROWS_EXCEPTION(LoadError, load_file(path, o));
            return;
        }
        LoadResult r = load_file(path, o);
        QCOMPARE(ids_of(r.dataset), c.good_ids);
        QCOMPARE(r.bad_lines, std::size_t(1));
        QCOMPARE(r.problems.size(), std::size_t(1));
        QCOMPARE(r.problems[0].line, c.line);
        QCOMPARE(r.problems[0].message, c.message);
        // Every kept row still has its own data (nothing shifted by the skipped line).
        for (std::size_t row = 0; row < r.dataset.size(); ++row) {
            const std::string id(r.dataset.id[row]);
            const std::string n = id.substr(1);
            QCOMPARE(r.dataset.question[row], std::string(id[0] == 'g' ? "Question " + n + "?" : "Q" + n + "?"));
        }
    }

    void toleratedOddities() {
        // A BOM before the first row, CRLF endings and blank lines are accepted as-is.
        LoadResult bom = load_file(data_path("bad/bom_first_line.jsonl"));
        QCOMPARE(ids_of(bom.dataset), (std::vector<std::string>{"g0", "g1", "g2"}));
        LoadResult crlf = load_file(data_path("bad/crlf.jsonl"));
        QCOMPARE(crlf.dataset.size(), std::size_t(4));
        QCOMPARE(crlf.dataset.gold[3], std::string("gold 3"));
        QCOMPARE(crlf.dataset.context(3), std::string("Context 3."));
        LoadResult blanks = load_file(data_path("bad/blank_lines_between.jsonl"));
        QCOMPARE(ids_of(blanks.dataset), (std::vector<std::string>{"g0", "g1"}));
        QCOMPARE(blanks.dataset.source_line[1], std::uint32_t(4));
        // Scores are "normally" in [0, 1] (native-v1 schema) but any finite number is kept, with a warning.
        LoadResult huge = load_file(data_path("bad/huge_integer.jsonl"));
        QCOMPARE(huge.dataset.large().score[2], 1e40);
        QVERIFY(contains(huge.warnings, "1 score is outside [0, 1]; averages and lifts use them as they are (first: "
                                        "line 3, model `llama70b`, 1e+40)"));
        // Zero bytes after the gzip stream are padding (as gunzip treats them).
        LoadResult padded = load_file(data_path("bad/gzip_zero_padding.jsonl.gz"));
        QCOMPARE(padded.dataset.size(), std::size_t(8));
        // Suspect values load unchanged, each kind with one warning.
        LoadResult odd = load_file(data_path("bad/suspect_values.jsonl"));
        QCOMPARE(odd.dataset.size(), std::size_t(7));
        QCOMPARE(odd.dataset.small().score[0], 5.0);
        QCOMPARE(odd.dataset.small().verifier_confidence[4], 0.0);
        QVERIFY(contains(odd.warnings, "2 scores are outside [0, 1]; averages and lifts use them as they are (first: "
                                       "line 1, model `llama13b`, 5)"));
        QVERIFY(contains(odd.warnings, "1 verifier confidence is outside [0, 1], so outside every confidence bin "
                                       "(first: line 4, model `llama13b`, 1.5)"));
        QVERIFY(contains(odd.warnings, "1 model answer has an empty verifier sample list and no confidence: its "
                                       "confidence is 0 (first: line 5, model `llama13b`)"));
        QVERIFY(contains(odd.warnings, "split `TRAIN` (1 row) is not `train`: split names are case-sensitive, so it "
                                       "is in neither train nor val"));
        QVERIFY(contains(odd.warnings, "split `Val` (1 row) is not `val`: split names are case-sensitive, so it is in "
                                       "neither train nor val"));
        // Valid data gets none of these.
        for (const auto& w : load_file(data_path("bad/crlf.jsonl")).warnings)
            QVERIFY2(w.find("outside") == std::string::npos && w.find("split `") == std::string::npos, w.c_str());
        // A native file without a manifest takes the model names from its first row.
        LoadResult native = load_file(data_path("bad/native_missing_manifest.jsonl"));
        QCOMPARE(native.dataset.model_count(), std::size_t(2));
        QCOMPARE(native.dataset.models[0].name, std::string("s"));
        QCOMPARE(native.dataset.models[1].name, std::string("l"));
    }

    void twentyMegabyteSingleLine() {
        // Too big to commit: a 20 MB question in a valid row loads whole, and a 20 MB
        // unterminated row is one bad line that lenient mode skips.
        QTemporaryDir dir;
        const std::size_t big = 20u << 20;
        auto row = release_row("big");
        row["question"] = std::string(big, 'q');
        const std::string good_big = row.dump();
        LoadResult r =
            load_file(write_text(dir, "big.jsonl", release_lines(1) + good_big + "\n" + release_lines(1, 1)));
        QCOMPARE(r.dataset.size(), std::size_t(3));
        QCOMPARE(r.dataset.question[1].size(), big);
        QCOMPARE(r.dataset.id[2], std::string("r1"));

        const std::string broken = "{\"id\": \"x\", \"question\": \"" + std::string(big, 'z');
        const std::string path =
            write_text(dir, "broken.jsonl", release_lines(2) + broken + "\n" + release_lines(1, 2));
        try {
            load_file(path);
            QFAIL("expected a LoadError");
        } catch (const LoadError& e) {
            QCOMPARE(e.problem().line, std::size_t(3));
            QCOMPARE(e.problem().message, std::string("unterminated string"));
            QCOMPARE(e.problem().column, broken.find("\"z") + 1);
        }
        LoadOptions o;
        o.skip_bad_lines = true;
        LoadResult lenient = load_file(path, o);
        QCOMPARE(ids_of(lenient.dataset), (std::vector<std::string>{"r0", "r1", "r2"}));
        QCOMPARE(lenient.bad_lines, std::size_t(1));
    }

    void truncatedGzipNeverLooksComplete() {
        // Cutting a gzip file anywhere must never give a dataset with fewer rows and no word
        // about it: strict mode fails; lenient mode keeps exactly the complete rows before the
        // cut and warns that the file was truncated (or fails when none is complete).
        QTemporaryDir dir;
        const std::string text = release_lines(40);
        const std::string full = read_text(write_gz(dir, "full.jsonl.gz", text));
        QCOMPARE(load_file(dir.filePath("full.jsonl.gz").toStdString()).dataset.size(), std::size_t(40));
        std::vector<std::size_t> cuts = {full.size() - 1, full.size() - 4, full.size() - 8, full.size() - 9};
        for (std::size_t cut = 2; cut < full.size(); cut += 37) cuts.push_back(cut);  // 2: keep the magic
        for (std::size_t cut : cuts) {
            const std::string path = write_text(dir, "cut.jsonl.gz", full.substr(0, cut));
            for (bool lenient : {false, true}) {
                LoadOptions o;
                o.skip_bad_lines = lenient;
                try {
                    LoadResult r = load_file(path, o);
                    QVERIFY2(lenient, qPrintable(QString("cut at %1 loaded %2 rows without an error")
                                                     .arg(cut)
                                                     .arg(r.dataset.size())));
                    // A cut in the 8-byte trailer can leave every row complete: the warning says so.
                    QVERIFY(r.dataset.size() <= 40);
                    bool warned = false;
                    for (const std::string& w : r.warnings) warned = warned || w.find("truncated gzip file") == 0;
                    QVERIFY2(warned, qPrintable(QString("cut at %1: no truncation warning").arg(cut)));
                    for (std::size_t row = 0; row < r.dataset.size(); ++row)
                        QCOMPARE(r.dataset.id[row], "r" + std::to_string(row));
                } catch (const LoadError& e) {
                    QVERIFY2(std::string(e.what()).find("gzip") != std::string::npos, e.what());
                }
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestBadCorpus)
#include "test_bad_corpus.moc"

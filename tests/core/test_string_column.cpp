// The text column of the dataset (chunks shared by many rows, one word per row): every text
// reads back exactly, whatever its length, across chunk boundaries, after copies and edits.
#include <QtTest>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/data/string_column.hpp"
#include "core/data/text_search.hpp"

using automix::data::StringColumn;

namespace {

// Texts of mixed lengths, embedded NULs and non-ASCII bytes included.
std::vector<std::string> sample_texts(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t len = rng() % 5 == 0 ? 0 : rng() % 400;
        std::string s(len, '\0');
        for (char& c : s) c = static_cast<char>(rng() % 256);
        out.push_back(std::move(s));
    }
    return out;
}

void expect_equal(const StringColumn& c, const std::vector<std::string>& want) {
    QCOMPARE(c.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i)
        if (c[i] != want[i]) QFAIL(qPrintable(QStringLiteral("row %1 differs").arg(i)));
}

}  // namespace

class TestStringColumn : public QObject {
    Q_OBJECT

  private slots:
    void emptyColumnAndEmptyTexts() {
        StringColumn c;
        QVERIFY(c.empty());
        c.push_back("");
        c.emplace_back();
        c.push_back("x");
        QCOMPARE(c.size(), std::size_t{3});
        QVERIFY(c[0].empty());
        QVERIFY(c[1].empty());
        QCOMPARE(c[2], std::string_view("x"));
    }

    void manyRowsReadBackAcrossChunks() {
        // 20 000 texts of up to 400 bytes: several MiB, so the chunks grow to their largest
        // size and many texts start near a chunk's end.
        const auto texts = sample_texts(20'000, 7);
        StringColumn c;
        for (const auto& t : texts) c.push_back(t);
        expect_equal(c, texts);
        QVERIFY(c == texts);
    }

    void longTextsGetTheirOwnChunk() {
        // Around the own-chunk threshold (256 KiB) and well past the 4 MiB chunk and the
        // 22-bit length field, between short texts.
        std::vector<std::string> texts = {"a", std::string(256 * 1024 - 1, 'b'), "c", std::string(256 * 1024, 'd'),
                                          "e", std::string((5u << 20) + 3, 'f'), "g", std::string(4u << 20, 'h')};
        texts[5][12345] = 'Z';
        StringColumn c;
        for (const auto& t : texts) c.push_back(t);
        expect_equal(c, texts);
        QCOMPARE(c.back(), std::string_view(texts.back()));
        QVERIFY(c.bytes_used() >= (5u << 20) + (4u << 20));
    }

    void setReplacesOneRowOnly() {
        auto texts = sample_texts(1'000, 3);
        StringColumn c;
        for (const auto& t : texts) c.push_back(t);
        c.set(10, "replaced");
        texts[10] = "replaced";
        c.set(999, std::string(300'000, 'q'));
        texts[999] = std::string(300'000, 'q');
        c.set(0, "");
        texts[0].clear();
        expect_equal(c, texts);
    }

    void resizeAddsEmptyRowsAndShrinks() {
        StringColumn c{"one", "two", "three"};
        c.resize(5);
        QCOMPARE(c.size(), std::size_t{5});
        QCOMPARE(c[2], std::string_view("three"));
        QVERIFY(c[3].empty() && c[4].empty());
        c.resize(2);
        QVERIFY((c == std::vector<std::string>{"one", "two"}));
        c.push_back("four");
        QVERIFY((c == std::vector<std::string>{"one", "two", "four"}));
        c.clear();
        QVERIFY(c.empty());
        c.push_back("again");
        QCOMPARE(c[0], std::string_view("again"));
    }

    void copiesAreIndependentAndMovesKeepTheTexts() {
        const auto texts = sample_texts(5'000, 11);
        StringColumn a;
        for (const auto& t : texts) a.push_back(t);
        StringColumn b = a;
        b.set(0, "changed");
        QCOMPARE(a[0], std::string_view(texts[0]));
        QCOMPARE(b[0], std::string_view("changed"));
        QVERIFY(!(a == b));
        b.set(0, texts[0]);
        QVERIFY(a == b);
        // A copy holds only its rows' texts, not the edits' abandoned bytes.
        StringColumn edited = a;
        for (int i = 0; i < 50; ++i) edited.set(1, std::string(10'000, 'x'));
        const StringColumn compact = edited;
        QVERIFY(compact.bytes_used() < edited.bytes_used());
        StringColumn moved = std::move(a);
        expect_equal(moved, texts);
        a = moved;  // a moved-from column can be assigned and used again
        a.push_back("tail");
        QCOMPARE(a.back(), std::string_view("tail"));
        QCOMPARE(a.size(), texts.size() + 1);
    }

    void iteratesInRowOrder() {
        const StringColumn c{"x", "", "zz"};
        std::vector<std::string> seen(c.begin(), c.end());
        QVERIFY((seen == std::vector<std::string>{"x", "", "zz"}));
        QCOMPARE(c.end() - c.begin(), std::ptrdiff_t{3});
        QCOMPARE(*(c.begin() + 2), std::string_view("zz"));
    }

    // Rows after the last one with a text are not stored: a column no row fills holds nothing,
    // and texts set or pushed later read back with the empty rows around them.
    void emptyRowsAfterTheLastTextCostNothing() {
        StringColumn c;
        c.reserve(100000);
        for (int i = 0; i < 100000; ++i) c.push_back("");
        QCOMPARE(c.size(), std::size_t{100000});
        QCOMPARE(c.bytes_used(), std::size_t{0});
        QCOMPARE(c[99999], std::string_view());
        c.emplace_back();
        c.push_back("late");
        c.set(5, "early");
        c.set(99998, "");  // an empty text past the stored rows stores nothing
        QCOMPARE(c.size(), std::size_t{100002});
        QCOMPARE(c[5], std::string_view("early"));
        QCOMPARE(c[100001], std::string_view("late"));
        QCOMPARE(c.back(), std::string_view("late"));
        QCOMPARE(c[100000], std::string_view());
        QCOMPARE(std::count_if(c.begin(), c.end(), [](std::string_view t) { return !t.empty(); }), 2);
        c.resize(100003);
        QCOMPARE(c[100002], std::string_view());
        c.resize(3);
        QCOMPARE(c.size(), std::size_t{3});
        QVERIFY(c.bytes_used() < 100);
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, c.set(3, "past the end"));
        const StringColumn copy = c;
        QCOMPARE(copy.size(), std::size_t{3});
        QVERIFY(copy == c);
    }

    // The table filter's search agrees with a plain case-folded search, at every length and
    // offset (the vector loop and its scalar tail), for letters, other ASCII and UTF-8 bytes.
    void foldedSearchAgreesWithThePlainDefinition() {
        auto reference = [](const std::string& hay, const std::string& needle) {
            std::string folded = hay;
            for (char& c : folded) c = automix::data::fold_ascii(c);
            return folded.find(needle) != std::string::npos;
        };
        std::mt19937 rng(21);
        const std::string alphabet = "aAbB xX@`[{\xc3\xa9\xc3\x89-0";
        std::size_t found = 0, compared = 0;
        for (int i = 0; i < 60000; ++i) {
            std::string hay(rng() % 90, ' '), needle(1 + rng() % 6, ' ');
            for (char& c : hay) c = alphabet[rng() % alphabet.size()];
            for (char& c : needle) c = alphabet[rng() % alphabet.size()];
            if (rng() % 3 == 0 && hay.size() > needle.size()) {  // plant it, in a random case
                std::string planted = needle;
                for (char& c : planted)
                    if (c >= 'a' && c <= 'z' && rng() % 2) c = static_cast<char>(c - 'a' + 'A');
                hay.replace(rng() % (hay.size() - needle.size() + 1), needle.size(), planted);
            }
            for (char& c : needle) c = automix::data::fold_ascii(c);
            const bool want = reference(hay, needle);
            QCOMPARE(automix::data::contains_folded(hay, needle), want);
            found += want;
            ++compared;
        }
        QVERIFY(found > compared / 4 && found < compared);
        QVERIFY(automix::data::contains_folded("anything", ""));
        QVERIFY(!automix::data::contains_folded("", "a"));
        QVERIFY(automix::data::contains_folded(std::string(40, 'x') + "NEEDLE", "needle"));
        QVERIFY(!automix::data::contains_folded(std::string(40, 'x') + "NEEDL", "needle"));
    }

    // The table's whole-file search: a row matches through any of its searched texts (a model's
    // answer column may stop before the last row), and a search asked to stop returns nothing.
    void wholeFileSearchMarksEveryMatchingRow() {
        automix::data::Dataset ds;
        ds.models.resize(2);
        const std::size_t n = 70000;  // more than one progress step
        for (std::size_t r = 0; r < n; ++r) {
            ds.id.push_back("row-" + std::to_string(r));
            ds.question.push_back(r % 7 == 0 ? "What is the Needle?" : "what else");
            ds.gold.push_back(r == 5 ? "a NEEDLE" : "");
        }
        ds.models[1].answer.resize(n - 1);
        ds.models[1].answer.set(3, "needles");
        std::size_t calls = 0;
        bool sane = true;
        const auto match = automix::data::rows_containing(ds, "needle", [&](std::size_t done, std::size_t total) {
            sane = sane && done <= total && total == n;
            ++calls;
            return true;
        });
        QVERIFY(sane);
        QCOMPARE(match.size(), n);
        for (std::size_t r = 0; r < n; ++r) QCOMPARE(match[r] != 0, r % 7 == 0 || r == 5 || r == 3);
        QCOMPARE(calls, std::size_t(3));  // rows 0 and 65 536, and the end
        QVERIFY(automix::data::rows_containing(ds, "row-69999")[n - 1]);
        QVERIFY(automix::data::rows_containing(ds, "needle", [](std::size_t, std::size_t) { return false; }).empty());
    }
};

QTEST_GUILESS_MAIN(TestStringColumn)
#include "test_string_column.moc"

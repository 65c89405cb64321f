// Verifier samples kept as verdicts in memory and texts on disk (issue 16): the in-place
// verdict search agrees with the plain definition, a loaded row's texts read back exactly
// (plain, gzip and piped input), and export and the samples study work from them.
#include <QtTest>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "core/data/json_scan.hpp"
#include "core/data/raw_file.hpp"
#include "core/data/reader.hpp"
#include "core/data/sample_column.hpp"
#include "core/data/writer.hpp"
#include "core/demo/generator.hpp"
#include "core/scoring/verifier.hpp"
#include "test_reader_util.hpp"

using namespace automix;
using namespace test_data;

namespace {

// The definition (method §3), written the obvious way: lower-case copy, two substring searches.
scoring::Verdict reference_verdict(std::string_view s) {
    std::string lower(s);
    for (char& c : lower)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (lower.find("the ai generated answer is correct") != std::string::npos) return scoring::Verdict::Correct;
    if (lower.find("the ai generated answer is") != std::string::npos) return scoring::Verdict::Incorrect;
    return scoring::Verdict::None;
}

// Pieces that make near misses likely: the phrase cut anywhere, mixed case, bytes that
// OR 0x20 maps onto letters ('T' 'S' '@'), non-ASCII.
std::string random_sample(std::mt19937& rng) {
    static const std::vector<std::string> pieces = {
        "The AI generated answer is", "the ai generated answer is correct", " correct", " Correct", "CORRECT",
        "the ai generated answer i", "he ai generated answer is", "THE AI GENERATED ANSWER IS", "t", "T", "s", "S",
        " ", "\n", "é", "\xc3\x89", "@", "4", "answer is", "is correctly", "x", "The AI generated answer is incorrect."};
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1), len(0, 12);
    std::string s;
    const std::size_t n = len(rng);
    for (std::size_t i = 0; i < n; ++i) s += pieces[pick(rng)];
    // Random case flips keep the letters ASCII.
    std::uniform_int_distribution<int> coin(0, 7);
    for (char& c : s)
        if (coin(rng) == 0 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) c = static_cast<char>(c ^ 0x20);
    return s;
}

std::string demo_file(const QTemporaryDir& dir, int rows, const std::string& format = "release", int models = 2) {
    demo::GeneratorOptions o;
    o.rows = rows;
    o.seed = 7;
    o.format = format == "native" ? demo::OutputFormat::Native : demo::OutputFormat::Release;
    o.models = models;
    const std::string path = dir.filePath(QString::fromStdString("demo-" + format + ".jsonl")).toStdString();
    demo::generate_file(o, path);
    return path;
}

// The file's own samples, parsed with nlohmann, per line.
std::vector<std::vector<std::string>> samples_in(const std::string& path, const std::string& key, int model) {
    std::ifstream in(path);
    std::vector<std::vector<std::string>> out;
    std::string line;
    while (std::getline(in, line)) {
        const auto j = nlohmann::json::parse(line);
        if (j.contains("automix_manifest")) continue;
        if (model < 0)
            out.push_back(j.value(key, std::vector<std::string>()));
        else
            out.push_back(j["models"][static_cast<std::size_t>(model)].value(key, std::vector<std::string>()));
    }
    return out;
}

}  // namespace

class TestLazySamples : public QObject {
    Q_OBJECT

  private slots:
    void verdictMatchesDefinition() {
        std::mt19937 rng(16);
        for (int i = 0; i < 200000; ++i) {
            const std::string s = random_sample(rng);
            QCOMPARE(static_cast<int>(scoring::verdict(s)), static_cast<int>(reference_verdict(s)));
        }
        // Phrases at both ends of the text and past the vector loop.
        const std::string p = "the ai generated answer is";
        for (std::size_t pad = 0; pad < 40; ++pad) {
            const std::string a = std::string(pad, 'x') + p;
            const std::string b = std::string(pad, 'x') + p + " correct";
            const std::string c = p + " correct" + std::string(pad, 'T');
            for (const std::string& s : {a, b, c})
                QCOMPARE(static_cast<int>(scoring::verdict(s)), static_cast<int>(reference_verdict(s)));
        }
    }

    // The in-place search on a JSON string token's inside agrees with the decoded text's verdict.
    void verdictOfJsonBody() {
        std::mt19937 rng(17);
        std::uniform_int_distribution<int> coin(0, 5);
        const char before[] = {'\t', '\\', '"'};
        std::size_t compared = 0;
        for (int i = 0; i < 100000; ++i) {
            std::string s = random_sample(rng);
            // Characters that are escaped in JSON right before a possible phrase start.
            for (std::size_t at = 0; at < s.size(); ++at)
                if ((s[at] == 't' || s[at] == 'T') && coin(rng) == 0) s.insert(at++, 1, before[coin(rng) % 3]);
            std::string token;
            data::json::append_quoted(token, s);
            const std::string body = token.substr(1, token.size() - 2);
            if (body.find("\\u") != std::string::npos) continue;  // those are decoded first
            QCOMPARE(static_cast<int>(scoring::verdict_of_json_body(body)), static_cast<int>(reference_verdict(s)));
            ++compared;
        }
        QVERIFY(compared > 50000);
        const std::string p = "the ai generated answer is correct";
        QCOMPARE(scoring::verdict_of_json_body("\\" + p), scoring::Verdict::None);            // \t = tab
        QCOMPARE(scoring::verdict_of_json_body("\\\\" + p), scoring::Verdict::Correct);        // \\ then the phrase
        QCOMPARE(scoring::verdict_of_json_body("\\\\\\" + p), scoring::Verdict::None);         // \\ then \t
        QCOMPARE(scoring::verdict_of_json_body("x\\" + p + " \\\\" + p), scoring::Verdict::Correct);
        QCOMPARE(scoring::verdict_of_json_body("\\" + p + " the AI generated answer is wrong"),
                 scoring::Verdict::Incorrect);
    }

    // The one-pass read of a sample token (the loader's fast path) ends where the general
    // scanner ends and gives the decoded text's verdict; it declines only tokens that are not
    // plain (non-ASCII, control bytes, \u or invalid escapes, unterminated) or near the limit.
    void oneSampleScanAgreesWithTheGeneralPath() {
        std::mt19937 rng(18);
        std::uniform_int_distribution<int> coin(0, 9);
        std::uniform_int_distribution<std::size_t> room(0, 120);
        const char before[] = {'\t', '\\', '"', '/'};
        const bool avx2 = __builtin_cpu_supports("avx2");
        std::size_t fast = 0, plain = 0, plain_fast = 0;
        for (int i = 0; i < 200000; ++i) {
            std::string s = random_sample(rng);
            for (std::size_t at = 0; at < s.size(); ++at)
                if ((s[at] == 't' || s[at] == 'T') && coin(rng) == 0) s.insert(at++, 1, before[coin(rng) % 4]);
            std::string token;
            data::json::append_quoted(token, s);
            // Tokens no writer makes: raw control bytes, invalid escapes, no closing quote.
            switch (coin(rng)) {
            case 0: token.insert(1 + token.size() / 2, 1, '\x01'); break;
            case 1: token.insert(1 + token.size() / 2, "\\x"); break;
            case 2: token.pop_back(); break;
            default: break;
            }
            const std::string line = token + std::string(room(rng), ']');
            const char* begin = line.data();
            const auto got = scoring::scan_json_sample(begin, begin + line.size());
            const bool is_plain =
                std::all_of(token.begin(), token.end(), [](char c) { return c >= 0x20 && c < 0x7f; }) &&
                token.find("\\u") == std::string::npos && token.find("\\x") == std::string::npos && token.size() >= 2 &&
                token.back() == '"';
            const bool must_take = is_plain && line.size() - token.size() >= 66;
            plain += must_take;
            if (!got) {
                // Declined: only a token that is not plain, or one near the end of the bytes.
                QVERIFY2(!avx2 || !must_take, token.c_str());
                continue;
            }
            ++fast;
            plain_fast += must_take;
            data::json::Cursor c(begin, begin + line.size());
            std::string_view raw;
            try {
                raw = c.raw_string();
            } catch (const data::json::ScanError& e) {
                QFAIL(("accepted a token the scanner refuses: " + token + " (" + e.message + ")").c_str());
            }
            QCOMPARE(static_cast<std::size_t>(got->end - begin), raw.size());
            QCOMPARE(static_cast<int>(got->verdict),
                     static_cast<int>(reference_verdict(data::json::decode_raw_string(raw))));
        }
        // An escape's letter never starts a phrase: \t then "he ai generated answer is".
        const std::string phrase = "he ai generated answer is correct";
        const std::vector<std::pair<std::string, scoring::Verdict>> escaped = {
            {"\"\\t" + phrase + "\"", scoring::Verdict::None},
            {"\"\\\\t" + phrase + "\"", scoring::Verdict::Correct},
            {"\"\\\\\\t" + phrase + "\"", scoring::Verdict::None},
            {"\"" + std::string(40, 'x') + "\\t" + phrase + " The AI generated answer is no\"",
             scoring::Verdict::Incorrect},
        };
        for (const auto& [token, want] : escaped) {
            const std::string line = token + std::string(80, ']');
            const auto got = scoring::scan_json_sample(line.data(), line.data() + line.size());
            QCOMPARE(got.has_value(), avx2);
            if (got) QCOMPARE(static_cast<int>(got->verdict), static_cast<int>(want));
            if (got) QCOMPARE(static_cast<std::size_t>(got->end - line.data()), token.size());
        }
        if (avx2)
            QVERIFY2(plain_fast == plain && plain > 30000 && fast > plain,
                     (std::to_string(plain_fast) + " of " + std::to_string(plain)).c_str());
    }

    void columnInMemory() {
        data::SampleColumn col;
        std::mt19937 rng(3);
        std::vector<std::vector<std::string>> rows;
        for (int r = 0; r < 300; ++r) {
            std::vector<std::string> samples(static_cast<std::size_t>(r % 9));
            for (auto& s : samples) s = random_sample(rng);
            rows.push_back(samples);
            col.push_back(samples);
        }
        QCOMPARE(col.size(), rows.size());
        for (std::size_t r = 0; r < rows.size(); ++r) {
            QCOMPARE(col[r], rows[r]);
            QCOMPARE(col.count(r), rows[r].size());
            const auto want = scoring::count_verdicts(rows[r]);
            const auto got = col.counts(r);
            QCOMPARE(int(got.correct), want.correct);
            QCOMPARE(int(got.incorrect), want.incorrect);
            QCOMPARE(int(got.none), want.none);
            QCOMPARE(col.confidence(r), scoring::verifier_confidence(rows[r]));
            for (std::size_t k = 0; k <= rows[r].size(); ++k)
                QCOMPARE(col.confidence(r, k), scoring::verifier_confidence({rows[r].begin(), rows[r].begin() + k}));
        }
        // Replacing a row and growing keep the other rows.
        col.set(5, {"The AI generated answer is correct."});
        QCOMPARE(col[5], std::vector<std::string>{"The AI generated answer is correct."});
        QCOMPARE(col[6], rows[6]);
        col.resize(400);
        QCOMPARE(col.count(399), std::size_t(0));
        QVERIFY(col[399].empty());
        const data::SampleColumn copy = col;
        QCOMPARE(copy[7], rows[7]);
        // Rows after the last one with samples are not stored, yet behave as rows without any:
        // set, resize and a later row with samples see them where they are.
        col.set(398, {"the ai generated answer is wrong"});
        QCOMPARE(col.size(), std::size_t(400));
        QCOMPARE(col.count(398), std::size_t(1));
        QCOMPARE(col.confidence(398), 0.0);
        col.set(397, {});
        QVERIFY(col[397].empty());
        col.resize(398);  // drops the row set above
        QCOMPARE(col.size(), std::size_t(398));
        QCOMPARE(col.count(397), std::size_t(0));
        col.resize(402);
        col.push_back(rows[8]);
        QCOMPARE(col.size(), std::size_t(403));
        QCOMPARE(col[402], rows[8]);
        QCOMPARE(col.count(401), std::size_t(0));
        QCOMPARE(col[7], rows[7]);
        col.resize(405, rows[3]);
        QCOMPARE(col[404], rows[3]);
        QCOMPARE(col.count(401), std::size_t(0));
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, col.set(405, rows[3]));
        // A column that never had samples holds no rows, whatever its length.
        data::SampleColumn none;
        for (int r = 0; r < 1000; ++r) none.push_none();
        QCOMPARE(none.size(), std::size_t(1000));
        QCOMPARE(none.bytes_used(), std::size_t(0));
        QCOMPARE(none.count(999), std::size_t(0));
        QVERIFY(none[999].empty());
    }

    // A loaded file whose rows all have the same number of samples keeps one word a row (and the
    // verdicts); the first row that does not fit turns the column into the general form, and
    // every row reads back as before, texts, counts and confidence at every k.
    void uniformColumnAndItsWayOut() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("tokens").toStdString();
        std::mt19937 rng(5);
        // Rows 0-9 of 3 samples (row 3 has none), row 7 anew after a shrink, then 5 and 3. Three
        // a row, so that rows share the bytes of their two-bit verdicts.
        std::vector<std::vector<std::string>> rows;
        for (int r = 0; r < 13; ++r) {
            std::vector<std::string> samples(r == 3 ? 0 : r == 11 ? 5 : 3);
            for (auto& x : samples) x = random_sample(rng);
            rows.push_back(samples);
        }
        std::string bytes;
        std::vector<std::pair<std::uint64_t, std::uint32_t>> places;
        for (const auto& samples : rows) {
            std::string token = "[";
            for (std::size_t i = 0; i < samples.size(); ++i) {
                if (i) token += ',';
                data::json::append_quoted(token, samples[i]);
            }
            token += "]";
            places.emplace_back(bytes.size(), static_cast<std::uint32_t>(token.size()));
            bytes += token + "\n";
        }
        std::ofstream(path, std::ios::binary) << bytes;
        const auto file = data::RawFile::adopt(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        data::SampleColumn col;
        auto push = [&](int r) {
            std::vector<data::SampleVerdict> v;
            for (const auto& x : rows[static_cast<std::size_t>(r)]) v.push_back(data::sample_verdict(scoring::verdict(x)));
            const auto [offset, length] = places[static_cast<std::size_t>(r)];
            if (v.empty())
                col.push_none();
            else
                col.push_stored(file, offset, length, v);
        };
        // Which file row each column row holds.
        std::vector<int> held;
        auto check = [&] {
            QCOMPARE(col.size(), held.size());
            for (std::size_t row = 0; row < held.size(); ++row) {
                const auto& want = rows[static_cast<std::size_t>(held[row])];
                QCOMPARE(col[row], want);
                QCOMPARE(col.count(row), want.size());
                for (std::size_t k = 0; k <= want.size(); ++k)
                    QCOMPARE(col.confidence(row, k), scoring::verifier_confidence({want.begin(), want.begin() + k}));
            }
        };
        for (int r = 0; r < 10; ++r) push(r), held.push_back(r);
        check();
        QCOMPARE(col.bytes_used(), std::size_t(10 * 8 + (10 * 3 + 3) / 4));  // a word a row, and the verdicts
        col.resize(7);  // the byte of row 7's verdicts is kept (row 6's last one is in it) and reused
        held.resize(7);
        push(12), held.push_back(12);
        check();
        QCOMPARE(col.bytes_used(), std::size_t(8 * 8 + (8 * 3 + 3) / 4));
        push(11), held.push_back(11);  // five samples: general form from here on
        check();
        QCOMPARE(col.bytes_used(), std::size_t(9 * 16 + (8 * 3 + 5 + 3) / 4));
        push(10), held.push_back(10);
        col.push_none(), held.push_back(3);
        check();
        const data::SampleColumn copy = col;
        QCOMPARE(copy[7], rows[12]);
        QCOMPARE(copy.confidence(10, 2), col.confidence(10, 2));
    }

    // Texts of loaded rows come back from the file, byte for byte what a JSON parser reads,
    // from plain, gzip and piped input; confidences are those of the texts.
    void loadedTextsReadBack() {
        QTemporaryDir dir;
        const std::string plain = demo_file(dir, 300);
        const auto want = samples_in(plain, "llama13b_ver", -1);
        std::ifstream in(plain);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const std::string gz = write_gz(dir, "demo.jsonl.gz", text);
        const std::string fifo = dir.filePath("demo.fifo").toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        std::thread writer([&] {
            std::ofstream out(fifo, std::ios::binary);
            out << text;
        });
        const data::LoadResult piped = data::load_file(fifo);
        writer.join();
        for (const data::LoadResult& r : {data::load_file(plain), data::load_file(gz), piped}) {
            const auto& col = r.dataset.small().verifier_samples;
            QCOMPARE(col.size(), want.size());
            for (std::size_t row = 0; row < want.size(); ++row) {
                QCOMPARE(col[row], want[row]);
                QCOMPARE(col.count(row), want[row].size());
                QCOMPARE(col.confidence(row), scoring::verifier_confidence(want[row]));
            }
            QVERIFY(r.dataset.large().verifier_samples.empty() || !r.dataset.large().verifier_samples.has_samples(0));
        }
    }

    // The memory figures the scale benchmark reports: texts that stay in the file are not
    // counted, the verdicts and the kept texts are.
    void memoryUseCountsWhatIsHeld() {
        QTemporaryDir dir;
        const std::string plain = demo_file(dir, 300);
        const data::LoadResult r = data::load_file(plain);
        const data::Dataset& d = r.dataset;
        const data::MemoryUse use = data::memory_use(d);
        std::size_t sample_text = 0, verdicts = 0, kept_text = 0;
        for (const auto& rows : {samples_in(plain, "llama13b_ver", -1), samples_in(plain, "llama70b_ver", -1)})
            for (const auto& row : rows) {
                verdicts += row.size();
                for (const auto& s : row) sample_text += s.size();
            }
        for (std::size_t row = 0; row < d.size(); ++row) {
            kept_text += d.id[row].size() + d.question[row].size() + d.gold[row].size();
            for (const auto& m : d.models) kept_text += m.answer[row].size();
        }
        QVERIFY(verdicts > 0);
        QVERIFY2(use.samples >= verdicts / 4, "every sample's verdict is held");
        QVERIFY2(use.samples * 4 < sample_text, "the sample texts stay in the file");
        QCOMPARE(use.contexts, d.size() * sizeof(std::uint64_t));  // one word a row
        QVERIFY(use.text >= kept_text + d.size() * sizeof(std::uint64_t) * 4);
        QVERIFY(use.text <= 2 * (kept_text + d.size() * sizeof(std::uint64_t) * 8) + 4096);
        QVERIFY(use.numbers >= d.size() * d.models.size() * 2 * sizeof(double));
        QVERIFY(use.numbers <= d.size() * 64);
        QCOMPARE(use.total(), use.text + use.numbers + use.samples + use.contexts);
    }

    // Native N-model files: every verified model's samples, and a Python-repr string list.
    void nativeAndReprSamples() {
        QTemporaryDir dir;
        const std::string native = demo_file(dir, 120, "native", 3);
        const data::LoadResult r = data::load_file(native);
        for (int m = 0; m < 2; ++m) {
            const auto want = samples_in(native, "verifier_samples", m);
            for (std::size_t row = 0; row < want.size(); ++row)
                QCOMPARE(r.dataset.models[static_cast<std::size_t>(m)].verifier_samples[row], want[row]);
        }
        auto row = release_row("r1");
        row.erase("p_ver_13b");
        row["llama13b_ver"] = "['The AI generated answer is correct.', \"it's not\", 'the ai generated answer is wrong']";
        const std::string path = write_text(dir, "repr.jsonl", row.dump() + "\n");
        const data::LoadResult rr = data::load_file(path);
        const std::vector<std::string> want = {"The AI generated answer is correct.", "it's not",
                                               "the ai generated answer is wrong"};
        QCOMPARE(rr.dataset.small().verifier_samples[0], want);
        QCOMPARE(rr.dataset.small().verifier_confidence[0], scoring::verifier_confidence(want));
    }

    // A bad first line from a FIFO whose writer then goes quiet (keeping it open) fails at
    // once: the reading thread does not wait for the writer.
    void stalledPipeFailsAtOnce() {
        QTemporaryDir dir;
        const std::string fifo = dir.filePath("stall.fifo").toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        std::atomic<bool> done{false};
        std::thread writer([&] {
            std::ofstream out(fifo, std::ios::binary);
            out << "not json\n" << std::flush;
            for (int i = 0; i < 100 && !done.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        });
        QElapsedTimer timer;
        timer.start();
        bool failed = false;
        try {
            (void)data::load_file(fifo);
        } catch (const data::LoadError&) {
            failed = true;
        }
        const qint64 ms = timer.elapsed();
        done = true;
        writer.join();
        QVERIFY(failed);
        QVERIFY2(ms < 2000, qPrintable(QString("took %1 ms").arg(ms)));
    }

    // Export reads the texts on demand: writing a loaded file gives the same samples.
    void exportWritesTheTexts() {
        QTemporaryDir dir;
        const std::string plain = demo_file(dir, 200);
        const data::LoadResult r = data::load_file(plain);
        const std::string out = dir.filePath("out.jsonl").toStdString();
        {
            std::ofstream stream(out, std::ios::binary);
            data::write_release_jsonl(r.dataset, r.dataset.all_rows(), stream);
        }
        QCOMPARE(samples_in(out, "llama13b_ver", -1), samples_in(plain, "llama13b_ver", -1));
    }
};

QTEST_GUILESS_MAIN(TestLazySamples)
#include "test_lazy_samples.moc"

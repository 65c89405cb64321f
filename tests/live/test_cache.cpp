// The response cache: content addressing, persistence, corrupt records, locking.
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <zlib.h>

#include "core/live/response_cache.hpp"
#include "core/io/sha256.hpp"

using namespace automix::live;
using automix::io::sha256_hex;

namespace {

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

CachedCall call(int i) {
    CachedCall c;
    c.key = call_key("http://127.0.0.1:1/v1", "chat", "m", "prompt " + std::to_string(i), "{}", 0);
    c.text = "answer \"" + std::to_string(i) + "\"\nwith a newline and ünïcode";
    c.model = "small";
    c.prompt_tokens = 100 + i;
    c.completion_tokens = i;
    c.cost = 0.001 * i;
    return c;
}

}  // namespace

class CacheTest : public QObject {
    Q_OBJECT
  private slots:
    void sha256KnownVectors() {
        // FIPS 180-2 examples.
        QCOMPARE(QString::fromStdString(sha256_hex("")),
                 QString("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(QString::fromStdString(sha256_hex("abc")),
                 QString("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(QString::fromStdString(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
                 QString("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        QCOMPARE(QString::fromStdString(sha256_hex(std::string(1000000, 'a'))),
                 QString("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }

    void keyDependsOnEveryPart() {
        const auto base = call_key("http://h/v1", "chat", "m", "p", "{\"t\":0}", 0);
        QCOMPARE(base.size(), std::size_t(64));
        QCOMPARE(call_key("http://h/v1", "chat", "m", "p", "{\"t\":0}", 0), base);
        QVERIFY(call_key("http://g/v1", "chat", "m", "p", "{\"t\":0}", 0) != base);
        QVERIFY(call_key("http://h/v1", "completions", "m", "p", "{\"t\":0}", 0) != base);
        QVERIFY(call_key("http://h/v1", "chat", "m2", "p", "{\"t\":0}", 0) != base);
        QVERIFY(call_key("http://h/v1", "chat", "m", "p2", "{\"t\":0}", 0) != base);
        QVERIFY(call_key("http://h/v1", "chat", "m", "p", "{\"t\":1}", 0) != base);
        QVERIFY(call_key("http://h/v1", "chat", "m", "p", "{\"t\":0}", 1) != base);
    }

    void recordsRoundTripAndPersist() {
        QTemporaryDir dir;
        {
            ResponseCache c(dir.path().toStdString());
            QCOMPARE(c.size(), std::size_t(0));
            for (int i = 0; i < 5; ++i) c.put(call(i));
            QCOMPARE(c.size(), std::size_t(5));
        }
        ResponseCache c(dir.path().toStdString());
        QCOMPARE(c.size(), std::size_t(5));
        QVERIFY(c.warnings().empty());
        const auto got = c.find(call(3).key);
        QVERIFY(got.has_value());
        QCOMPARE(got->text, call(3).text);
        QCOMPARE(got->prompt_tokens, std::int64_t(103));
        QCOMPARE(got->completion_tokens, std::int64_t(3));
        QCOMPARE(got->cost, 0.003);
        QCOMPARE(got->model, std::string("small"));
        QVERIFY(!c.find(call(9).key).has_value());
    }

    // Problem 12: a torn or unreadable record used to be cut off or rewritten away (paid calls
    // lost). It is now skipped with a warning and left in the file.
    void tornTailIsSkippedWithWarningAndKept() {
        QTemporaryDir dir;
        std::string path;
        {
            ResponseCache c(dir.path().toStdString());
            for (int i = 0; i < 3; ++i) c.put(call(i));
            path = c.file_path();
        }
        const std::string good = read(path);
        QVERIFY(good.rfind("automix-response-cache 1\n", 0) == 0);  // the version line
        const std::string rec = ResponseCache::encode(call(7));
        const std::string torn = rec.substr(0, rec.size() / 2);
        {
            // A crash in the middle of an append leaves part of a record without a newline.
            std::ofstream out(path, std::ios::binary | std::ios::app);
            out << torn;
        }
        {
            ResponseCache c(dir.path().toStdString());
            QCOMPARE(c.size(), std::size_t(3));
            QCOMPARE(c.warnings().size(), std::size_t(1));
            QVERIFY2(c.warnings()[0].find(":5: unreadable cache record (record cut short); skipped and kept") !=
                         std::string::npos,
                     c.warnings()[0].c_str());
            QCOMPARE(read(path), good + torn + "\n");  // kept, and ended so the next record starts clean
            c.put(call(8));
        }
        ResponseCache c(dir.path().toStdString());
        QCOMPARE(c.size(), std::size_t(4));
        QVERIFY(c.find(call(8).key).has_value());
        QCOMPARE(c.warnings().size(), std::size_t(1));  // the torn bytes are still there, still skipped
    }

    void checksumCatchesFlippedByteInTheMiddle() {
        QTemporaryDir dir;
        std::string path;
        {
            ResponseCache c(dir.path().toStdString());
            for (int i = 0; i < 4; ++i) c.put(call(i));
            path = c.file_path();
        }
        std::string bytes = read(path);
        const auto second_record = bytes.find('\n', bytes.find('\n') + 1) + 1;
        const auto pos = bytes.find("answer", second_record);
        bytes[pos] = 'X';  // same length, so only the checksum can tell
        std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
        for (int open = 0; open < 2; ++open) {
            ResponseCache c(dir.path().toStdString());
            QCOMPARE(c.size(), std::size_t(3));
            QCOMPARE(c.warnings().size(), std::size_t(1));
            QVERIFY(c.warnings()[0].find("checksum mismatch") != std::string::npos);
            QVERIFY(!c.find(call(1).key).has_value());
            QVERIFY(c.find(call(2).key).has_value());
        }
        QCOMPARE(read(path), bytes);  // never rewritten
    }

    // Records of a newer automix (other fields) load; a newer file version is refused.
    void unknownRecordsAreKeptAndNewerVersionsRefused() {
        QTemporaryDir dir;
        std::string path;
        {
            ResponseCache c(dir.path().toStdString());
            c.put(call(1));
            path = c.file_path();
        }
        const std::string future = "00000000 {\"kind\":\"batch\",\"v\":2}\n";
        std::ofstream(path, std::ios::binary | std::ios::app) << future;
        {
            ResponseCache c(dir.path().toStdString());
            QCOMPARE(c.size(), std::size_t(1));
            c.put(call(2));
        }
        QVERIFY(read(path).find(future) != std::string::npos);
        const std::string v2 = dir.filePath("v2").toStdString();
        std::filesystem::create_directories(v2);
        std::ofstream(v2 + "/calls.log") << "automix-response-cache 2\n";
        try {
            ResponseCache c(v2);
            QFAIL("opened a newer cache");
        } catch (const std::runtime_error& e) {
            QVERIFY2(std::string(e.what()).find("format version 2") != std::string::npos, e.what());
        }
        QCOMPARE(read(v2 + "/calls.log"), std::string("automix-response-cache 2\n"));
        // A cache written before the version line existed still loads.
        const std::string v0 = dir.filePath("v0").toStdString();
        std::filesystem::create_directories(v0);
        std::ofstream(v0 + "/calls.log") << ResponseCache::encode(call(3)) << "\n";
        ResponseCache old(v0);
        QCOMPARE(old.size(), std::size_t(1));
        QVERIFY(old.warnings().empty());
    }

    // Problem 12: a symlinked calls.log was followed and its target truncated.
    void symlinkedLogIsRefused() {
        QTemporaryDir dir;
        const std::string target = dir.filePath("precious.txt").toStdString();
        std::ofstream(target) << "do not touch\n";
        const std::string cache = dir.filePath("cache").toStdString();
        std::filesystem::create_directories(cache);
        std::filesystem::create_symlink(target, cache + "/calls.log");
        try {
            ResponseCache c(cache);
            QFAIL("followed the symlink");
        } catch (const std::runtime_error& e) {
            QVERIFY2(std::string(e.what()).find("symbolic link") != std::string::npos, e.what());
        }
        QCOMPARE(read(target), std::string("do not touch\n"));
    }

    void estimatedFlagRoundTrips() {
        CachedCall c = call(2);
        QVERIFY(ResponseCache::encode(c).find("estimated") == std::string::npos);  // old records unchanged
        c.estimated = true;
        std::string why;
        const auto back = ResponseCache::decode(ResponseCache::encode(c), &why);
        QVERIFY(back && back->estimated);
    }

    void secondWriterIsRefused() {
        QTemporaryDir dir;
        ResponseCache first(dir.path().toStdString());
        bool refused = false;
        try {
            ResponseCache second(dir.path().toStdString());
        } catch (const std::runtime_error& e) {
            refused = std::string(e.what()).find("in use") != std::string::npos;
        }
        QVERIFY(refused);
    }

    void decodeRejectsGarbage() {
        std::string why;
        QVERIFY(!ResponseCache::decode("", &why));
        QVERIFY(!ResponseCache::decode("zzzzzzzz {}", &why));
        QCOMPARE(why, std::string("checksum mismatch"));
        const std::string good = ResponseCache::encode(call(1));
        QVERIFY(ResponseCache::decode(good, &why).has_value());
        QVERIFY(!ResponseCache::decode(good.substr(0, good.size() - 1), &why));
        // A well-checksummed record whose token count is a huge float is refused, not converted.
        std::string body = good.substr(9);
        const std::size_t at = body.find("\"prompt_tokens\":");
        QVERIFY(at != std::string::npos);
        body.insert(at + 16, "1.5e36,\"x\":");
        const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
        char hex[9];
        std::snprintf(hex, sizeof hex, "%08lx", static_cast<unsigned long>(crc & 0xffffffffUL));
        QVERIFY(!ResponseCache::decode(std::string(hex) + " " + body, &why));
        QCOMPARE(why, std::string("token counts are not integers"));
    }
};

QTEST_GUILESS_MAIN(CacheTest)
#include "test_cache.moc"

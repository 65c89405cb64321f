// Faults of the world around a live run: an unwritable or full disk under the cache and the
// output, a cache file cut mid-record, an endpoint that hangs up mid-body, a host name that
// does not resolve, TLS spoken to a plain-HTTP server. Each must end in a clear message, and
// a row that did not finish must never look finished.
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/data/reader.hpp"
#include "core/live/http_server.hpp"
#include "core/live/live_io.hpp"
#include "core/live/pipeline.hpp"
#include "core/live/replay_server.hpp"
#include "core/live/response_cache.hpp"
#include "support_live.hpp"

using namespace automix;
using namespace automix::live;

namespace {

CachedCall record(int i, std::size_t text_size = 16) {
    CachedCall c;
    c.key = std::string(63, 'a') + static_cast<char>('0' + i);
    c.text = std::string(text_size, static_cast<char>('A' + i));
    c.model = "small";
    c.prompt_tokens = 10 + i;
    c.completion_tokens = 2;
    c.cost = 0.001 * i;
    return c;
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

// Lowers this process's file size limit for the scope (SIGXFSZ ignored, so write() fails
// with EFBIG instead of killing the test): a disk that fills up at a chosen byte.
struct FileSizeLimit {
    rlimit old{};
    void (*old_handler)(int) = nullptr;
    explicit FileSizeLimit(rlim_t bytes) {
        getrlimit(RLIMIT_FSIZE, &old);
        old_handler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit lim = old;
        lim.rlim_cur = bytes;
        setrlimit(RLIMIT_FSIZE, &lim);
    }
    ~FileSizeLimit() {
        setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, old_handler);
    }
};

// One typed question: enough to see how a failing endpoint ends a row.
LiveInput one_question() {
    LiveInput in =
        live_input_from_question("q1", "Paris is the capital of France.", "What is the capital of France?", "Paris");
    return in;
}

RunResult run_against(const std::string& base_url, LiveInput& in, std::shared_ptr<ResponseCache> cache = nullptr,
                      int max_attempts = 2, double timeout_s = 5.0, bool run_all = false) {
    live_test::ConfigKnobs k;
    k.k = 2;
    k.run_all = run_all;  // routed: the small model answers first, so its failure ends the row
    k.max_attempts = max_attempts;
    k.timeout_s = timeout_s;
    const ModelsConfig cfg = live_test::make_config(base_url, k);
    prepare_model_columns(in.dataset, cfg);
    Pipeline p(cfg, resolve_api_keys(cfg), load_prompt_templates("", ""), std::move(cache));
    return p.run(in.dataset, in.dataset.all_rows(), {});
}

// A failed row: not done, no final model, an error naming the step, nothing in the output
// record that claims an answer.
void expect_row_failed(const LiveInput& in, const RunResult& r, const std::string& reason_part) {
    QCOMPARE(r.totals.rows_failed, in.dataset.size());
    QCOMPARE(r.totals.rows_done, in.dataset.size());  // processed, i.e. done or failed
    live_test::ConfigKnobs k;
    const ModelsConfig cfg = live_test::make_config("http://127.0.0.1:9/v1", k);
    for (std::size_t row = 0; row < r.rows.size(); ++row) {
        const RowOutcome& o = r.rows[row];
        QVERIFY(!o.done);
        QCOMPARE(o.final_model, -1);
        QVERIFY2(contains(o.error, reason_part), o.error.c_str());
        QVERIFY2(contains(o.error, "small"), o.error.c_str());  // which step failed
        for (const auto& m : in.dataset.models) QCOMPARE(int(m.has_answer[row]), 0);
        const auto rec = output_record(in, static_cast<data::RowIndex>(row), o, cfg);
        QVERIFY(!rec["live"].contains("final_model"));
        QVERIFY(!rec["live"].contains("final_answer"));
        QCOMPARE(rec["live"]["error"].get<std::string>(), o.error);
        QVERIFY(!rec.contains("llama13b_pred_ans"));
        QVERIFY(!rec.contains("llama70b_f1"));
    }
}

// Loopback listener that answers anything it receives with a clear-text HTTP 400 and closes.
struct PlainHttpListener {
    int fd = -1;
    int port = 0;
    std::atomic<bool> stop{false};
    std::atomic<int> connections{0};
    std::thread thread;
    PlainHttpListener() {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd, 8) != 0 ||
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("cannot listen on loopback");
        port = ntohs(a.sin_port);
        thread = std::thread([this] {
            while (!stop) {
                pollfd p{fd, POLLIN, 0};
                if (::poll(&p, 1, 50) <= 0) continue;
                const int c = ::accept(fd, nullptr, nullptr);
                if (c < 0) continue;
                ++connections;
                char buf[4096];
                (void)::recv(c, buf, sizeof buf, 0);
                static const char kReply[] =
                    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                (void)::send(c, kReply, sizeof kReply - 1, MSG_NOSIGNAL);
                ::close(c);
            }
        });
    }
    ~PlainHttpListener() {
        stop = true;
        thread.join();
        ::close(fd);
    }
};

}  // namespace

class FaultsTest : public QObject {
    Q_OBJECT
  private slots:
    void unwritableCacheDirectory();
    void cacheOnFullDisk();
    void cacheHitsFileSizeLimitMidRecord();
    void cacheTruncatedAtEveryByteOfTheLastRecord();
    void runWithFullCacheDiskFinishesAndWarns();
    void outputOnFullDiskKeepsThePreviousFile();
    void endpointClosingMidBody();
    void dnsFailure();
    void tlsToPlainHttpServer();
};

void FaultsTest::unwritableCacheDirectory() {
    QTemporaryDir tmp;
    // Root ignores permission bits, so make the directory impossible instead: its parent is a
    // regular file.
    const std::string file = tmp.filePath("not-a-dir").toStdString();
    std::ofstream(file) << "x";
    const std::string dir = file + "/cache";
    try {
        ResponseCache cache(dir);
        QFAIL("expected an error");
    } catch (const std::runtime_error& e) {
        QVERIFY2(contains(e.what(), "cannot create cache directory " + dir), e.what());
        QVERIFY2(contains(e.what(), "Not a directory"), e.what());
    }
    // calls.log exists but is a directory.
    const std::string dir2 = tmp.filePath("c2").toStdString();
    std::filesystem::create_directories(dir2 + "/calls.log");
    try {
        ResponseCache cache(dir2);
        QFAIL("expected an error");
    } catch (const std::runtime_error& e) {
        QVERIFY2(contains(e.what(), "cannot open cache " + dir2 + "/calls.log"), e.what());
        QVERIFY2(contains(e.what(), "Is a directory"), e.what());
    }
}

void FaultsTest::cacheOnFullDisk() {
    // No byte more fits (calls.log is not followed as a symlink, so /dev/full cannot stand in).
    QTemporaryDir tmp;
    const std::string dir = tmp.filePath("cache").toStdString();
    ResponseCache cache(dir);
    {
        FileSizeLimit limit(std::filesystem::file_size(cache.file_path()));
        try {
            cache.put(record(1));
            QFAIL("expected an error");
        } catch (const std::runtime_error& e) {
            QVERIFY2(contains(e.what(), "cannot append to cache " + dir + "/calls.log: File too large"), e.what());
        }
    }
    // A failed write is not remembered as cached.
    QVERIFY(!cache.find(record(1).key));
    QCOMPARE(cache.size(), std::size_t(0));
}

void FaultsTest::cacheHitsFileSizeLimitMidRecord() {
    QTemporaryDir tmp;
    const std::string dir = tmp.filePath("cache").toStdString();
    {
        ResponseCache cache(dir);
        cache.put(record(1));
        const auto size = std::filesystem::file_size(cache.file_path());
        {
            FileSizeLimit limit(size + 100);  // the next record is ~4 KB: cut after 100 bytes
            try {
                cache.put(record(2, 4000));
                QFAIL("expected an error");
            } catch (const std::runtime_error& e) {
                QVERIFY2(contains(e.what(), "File too large"), e.what());
            }
            QVERIFY(!cache.find(record(2).key));
        }
        // The torn part is gone, so the next record is whole.
        QCOMPARE(std::filesystem::file_size(cache.file_path()), size);
        cache.put(record(3));
    }
    ResponseCache again(dir);
    QVERIFY2(again.warnings().empty(), again.warnings().empty() ? "" : again.warnings()[0].c_str());
    QCOMPARE(again.size(), std::size_t(2));
    QCOMPARE(again.find(record(1).key)->text, record(1).text);
    QCOMPARE(again.find(record(3).key)->text, record(3).text);
}

void FaultsTest::cacheTruncatedAtEveryByteOfTheLastRecord() {
    QTemporaryDir tmp;
    const std::string dir = tmp.filePath("cache").toStdString();
    std::size_t good_end = 0;
    std::string full;
    {
        ResponseCache cache(dir);
        cache.put(record(1));
        cache.put(record(2));
        good_end = std::filesystem::file_size(cache.file_path());
        cache.put(record(3, 200));
        full = read_all(cache.file_path());
    }
    const std::string log = dir + "/calls.log";
    for (std::size_t cut = good_end; cut < full.size(); ++cut) {
        std::ofstream(log, std::ios::binary | std::ios::trunc) << full.substr(0, cut);
        // Cut just before its newline, the record is whole: ending the line restores it.
        const bool whole = cut + 1 == full.size();
        {
            ResponseCache cache(dir);
            QCOMPARE(cache.size(), std::size_t(2));
            QVERIFY(!cache.find(record(3).key));
            QCOMPARE(cache.warnings().size(), cut == good_end ? std::size_t(0) : std::size_t(1));
            if (cut > good_end) {
                QVERIFY2(contains(cache.warnings()[0], log + ":4: unreadable cache record (record cut short)"),
                         cache.warnings()[0].c_str());
            }
            // The torn tail is kept (never delete a paid call) and ended, so a new record
            // starts on a fresh line.
            QCOMPARE(std::filesystem::file_size(log), std::uintmax_t(cut == good_end ? cut : cut + 1));
            cache.put(record(4));
        }
        ResponseCache reopened(dir);
        QCOMPARE(reopened.warnings().size(), cut == good_end || whole ? std::size_t(0) : std::size_t(1));
        QCOMPARE(reopened.size(), std::size_t(whole ? 4 : 3));
        QCOMPARE(reopened.find(record(4).key)->text, record(4).text);
    }
}

void FaultsTest::runWithFullCacheDiskFinishesAndWarns() {
    if (access("/dev/full", W_OK) != 0) QSKIP("/dev/full is not available");
    auto offline = live_test::load_fixture();
    ReplayServer server(offline, {});
    server.start(0);
    LiveInput in = read_live_input(live_test::fixture_path());
    QTemporaryDir tmp;
    const std::string dir = tmp.filePath("cache").toStdString();
    // The disk fills up right after the cache is opened (calls.log is no longer followed as a
    // symlink, so /dev/full cannot stand in for it).
    auto cache = std::make_shared<ResponseCache>(dir);
    RunResult r;
    {
        FileSizeLimit limit(std::filesystem::file_size(cache->file_path()) + 64);
        r = run_against(server.base_url(), in, cache, 2, 5.0, true);
    }
    // Losing the cache must not lose the paid answers of this run.
    QCOMPARE(r.totals.rows_done, in.dataset.size());
    QCOMPARE(r.totals.rows_failed, std::size_t(0));
    QVERIFY(!r.warnings.empty());
    QVERIFY2(contains(r.warnings[0], "File too large"), r.warnings[0].c_str());
    for (std::size_t row = 0; row < in.dataset.size(); ++row)
        QCOMPARE(in.dataset.models[0].answer[row], offline->models[0].answer[row]);
}

void FaultsTest::outputOnFullDiskKeepsThePreviousFile() {
    auto offline = live_test::load_fixture();
    ReplayServer server(offline, {});
    server.start(0);
    LiveInput in = read_live_input(live_test::fixture_path());
    const RunResult r = run_against(server.base_url(), in, nullptr, 2, 5.0, true);
    QCOMPARE(r.totals.rows_done, in.dataset.size());
    const ModelsConfig cfg = live_test::make_config(server.base_url());
    QTemporaryDir tmp;
    const std::string out = tmp.filePath("out.jsonl").toStdString();
    std::ofstream(out) << "previous complete output\n";
    {
        FileSizeLimit limit(4096);  // the output is ~100 KB
        try {
            write_live_output(out, in, r.rows, cfg);
            QFAIL("expected an error");
        } catch (const std::runtime_error& e) {
            QVERIFY2(contains(e.what(), out + ".tmp"), e.what());
        }
    }
    QCOMPARE(read_all(out), std::string("previous complete output\n"));
    QVERIFY2(!std::filesystem::exists(out + ".tmp"), "the half-written temporary is left behind");
    // And with room, the same call writes a file that loads with every row.
    write_live_output(out, in, r.rows, cfg);
    QCOMPARE(data::load_file(out).dataset.size(), in.dataset.size());
}

void FaultsTest::endpointClosingMidBody() {
    std::atomic<int> requests{0};
    HttpServer server([&](const HttpRequest&) {
        ++requests;
        HttpReply reply;
        reply.body =
            R"({"choices":[{"index":0,"message":{"role":"assistant","content":"Paris"}}],"usage":{"prompt_tokens":12,"completion_tokens":2}})";
        reply.cut_mid_body = true;
        return reply;
    });
    const int port = server.start(0);
    LiveInput in = one_question();
    const RunResult r = run_against("http://127.0.0.1:" + std::to_string(port) + "/v1", in, nullptr, 3);
    QCOMPARE(requests.load(), 3);  // retried, then given up
    expect_row_failed(in, r, "small answer");
    QVERIFY2(contains(r.rows[0].error, "transfer closed") || contains(r.rows[0].error, "Transferred a partial file"),
             r.rows[0].error.c_str());
}

void FaultsTest::dnsFailure() {
    LiveInput in = one_question();
    const RunResult r = run_against("http://automix-fault-test.invalid/v1", in, nullptr, 2, 3.0);
    expect_row_failed(in, r, "small answer");
    QVERIFY2(contains(r.rows[0].error, "automix-fault-test.invalid"), r.rows[0].error.c_str());
}

void FaultsTest::tlsToPlainHttpServer() {
    // What a plain-HTTP server (llama.cpp, vLLM without TLS) does with a TLS hello: answer
    // with an HTTP error in clear text.
    PlainHttpListener server;
    LiveInput in = one_question();
    const RunResult r = run_against("https://127.0.0.1:" + std::to_string(server.port) + "/v1", in, nullptr, 2, 3.0);
    expect_row_failed(in, r, "small answer");
    QVERIFY2(contains(r.rows[0].error, "SSL") || contains(r.rows[0].error, "TLS"), r.rows[0].error.c_str());
    QVERIFY(server.connections.load() >= 1);
}

QTEST_GUILESS_MAIN(FaultsTest)
#include "test_faults.moc"

// Replays the fuzz seed corpora (fuzz/corpus/<target>/) and every input a fuzzer ever found
// (tests/data/fuzz-regressions/<target>/) through the fuzz targets' own functions, in the
// normal build: a fixed crash stays fixed even where nobody runs the fuzzers.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "fuzz/fuzz_targets.hpp"

namespace {

using Target = std::function<int(const std::uint8_t*, std::size_t)>;

const std::map<std::string, Target>& targets() {
    static const std::map<std::string, Target> all = {
        {"release_reader", fuzz::release_reader}, {"native_reader", fuzz::native_reader},
        {"models_config", fuzz::models_config},   {"http_response", fuzz::http_response},
        {"cache_reader", fuzz::cache_reader},     {"native_manifest", fuzz::native_manifest},
        {"router_scores", fuzz::router_scores},   {"chat_request", fuzz::chat_request},
    };
    return all;
}

std::vector<std::filesystem::path> inputs_in(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> out;
    if (!std::filesystem::is_directory(dir)) return out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.is_regular_file()) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string read_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

class TestFuzzRegressions : public QObject {
    Q_OBJECT

  private slots:
    void replay_data() {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("path");
        const std::filesystem::path seeds = std::filesystem::path(AUTOMIX_SOURCE_DIR) / "fuzz" / "corpus";
        const std::filesystem::path found = std::filesystem::path(AUTOMIX_TEST_DATA) / "fuzz-regressions";
        for (const auto& [name, fn] : targets()) {
            for (const auto& base : {seeds, found})
                for (const auto& p : inputs_in(base / name)) {
                    const std::string row =
                        name + "/" + p.parent_path().parent_path().filename().string() + "/" + p.filename().string();
                    QTest::newRow(row.c_str()) << QString::fromStdString(name) << QString::fromStdString(p.string());
                }
        }
    }

    void replay() {
        QFETCH(QString, target);
        QFETCH(QString, path);
        const std::string bytes = read_bytes(path.toStdString());
        // A broken invariant aborts (like under the fuzzer); an unexpected exception escapes
        // and fails the test.
        QCOMPARE(targets().at(target.toStdString())(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()),
                 0);
    }

    // The first find of fuzz_models_config: a number too big for a double escaped as a
    // nlohmann out_of_range exception instead of a ConfigError.
    void modelsConfigNumberOverflowIsAConfigError() {
        try {
            automix::live::parse_models_config(R"({"models": 1e999})", "m.json");
            QFAIL("expected a ConfigError");
        } catch (const automix::live::ConfigError& e) {
            QCOMPARE(e.problems.size(), std::size_t(1));
            // Now refused by the one number-range rule, with its position.
            QCOMPARE(QString::fromStdString(e.problems[0]), QString("m.json:1:12: number 1e999 is out of range"));
        }
    }

    void everyTargetHasSeeds() {
        const std::filesystem::path seeds = std::filesystem::path(AUTOMIX_SOURCE_DIR) / "fuzz" / "corpus";
        for (const auto& [name, fn] : targets()) QVERIFY2(!inputs_in(seeds / name).empty(), name.c_str());
    }
};

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "test_fuzz_regressions.moc"

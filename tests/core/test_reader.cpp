// Reader tests: the oracle sample, both formats, plain and gzip, lazy contexts,
// malformed input with exact messages, lenient mode.
#include <QtTest>

#include <zlib.h>

#include <cmath>
#include <fstream>
#include <string>

#include "core/data/categories.hpp"
#include "core/data/reader.hpp"

using namespace automix::data;

namespace {

std::string data_path(const std::string& name) { return std::string(AUTOMIX_TEST_DATA) + "/" + name; }

}  // namespace

class TestReader : public QObject {
    Q_OBJECT

  private slots:
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
        QCOMPARE(d.rows(d.find_dataset("cnli"), Split::Train).size() + d.rows(d.find_dataset("cnli"), Split::Val).size(),
                 std::size_t(800));
        QVERIFY(r.problems.empty());
    }
};

QTEST_GUILESS_MAIN(TestReader)
#include "test_reader.moc"

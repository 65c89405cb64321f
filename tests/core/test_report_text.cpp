// The report text written without per-row JSON values is byte for byte the document's dump.
#include <QtTest>

#include "core/data/reader.hpp"
#include "core/demo/generator.hpp"
#include "core/eval/protocol.hpp"
#include "core/eval/report_json.hpp"
#include "test_reader_util.hpp"

using namespace automix;
using namespace test_data;

class TestReportText : public QObject {
    Q_OBJECT

  private slots:
    void sameBytesAsTheDocument() {
        QTemporaryDir dir;
        // Ids with characters that need escaping, non-ASCII and a dataset with no val rows.
        std::string text;
        for (int i = 0; i < 60; ++i) {
            auto row = release_row(i % 3 == 0 ? "id \"" + std::to_string(i) + "\"\t\\é" : "r" + std::to_string(i),
                                   (i % 5) / 4.0, (i % 7) / 6.0);
            row["split"] = i % 2 ? "val" : "train";
            row["p_ver_13b"] = (i % 9) / 8.0;
            if (i >= 50) row["dataset"] = "cnli", row["split"] = "train";
            text += row.dump() + "\n";
        }
        demo::GeneratorOptions g;
        g.rows = 400;
        const std::string demo_path = dir.filePath("demo.jsonl").toStdString();
        demo::generate_file(g, demo_path);
        for (const std::string& path : {write_text(dir, "odd.jsonl", text), demo_path}) {
            const data::LoadResult loaded = data::load_file(path);
            for (const auto protocol : {eval::Protocol::Full, eval::Protocol::Paper}) {
                eval::EvalOptions o;
                o.protocol = protocol;
                o.seeds = 2;
                o.train_rows = 20;
                const eval::Report r = eval::run_evaluation(loaded.dataset, o);
                const auto doc = eval::report_to_json(r, loaded.dataset);
                for (const int indent : {-1, 0, 1, 2})
                    QCOMPARE(eval::report_to_json_text(r, loaded.dataset, indent), doc.dump(indent));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestReportText)
#include "test_report_text.moc"

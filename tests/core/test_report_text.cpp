// The report text written without per-row JSON values is byte for byte the document's dump.
#include <QtTest>

#include "core/data/reader.hpp"
#include "core/demo/generator.hpp"
#include "core/eval/protocol.hpp"
#include "core/eval/report_json.hpp"
#include "test_reader_util.hpp"

using namespace automix;
using namespace test_data;

// A generated demo file of `rows` rows in `dir`.
std::string demo_file(const QTemporaryDir& dir, std::size_t rows) {
    demo::GeneratorOptions g;
    g.rows = rows;
    const std::string path = dir.filePath("demo.jsonl").toStdString();
    demo::generate_file(g, path);
    return path;
}

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
        const std::string demo_path = demo_file(dir, 400);
        for (const std::string& path : {write_text(dir, "odd.jsonl", text), demo_path}) {
            const data::LoadResult loaded = data::load_file(path);
            // stream_rows: Cascade's belief traces computed while they are written, not held.
            for (const auto& [protocol, stream_rows] : {std::pair{eval::Protocol::Full, false},
                                                        std::pair{eval::Protocol::Full, true},
                                                        std::pair{eval::Protocol::Paper, false}}) {
                eval::EvalOptions o;
                o.protocol = protocol;
                o.stream_extra_rows = stream_rows;
                o.seeds = 2;
                o.train_rows = 20;
                // Streamed while evaluating (as `automix eval --json` writes it), then whole.
                eval::Report head;
                head.options = o;
                head.n_rows = loaded.dataset.size();
                head.input_path = loaded.dataset.source_path;
                head.warnings = eval::cost_warnings(o.config.call_costs, o.config.verifier_cost);
                std::string streamed;
                eval::ReportJsonStream stream(head, loaded.dataset, 1,
                                              [&](std::string_view piece) { streamed += piece; });
                std::size_t pieces = 0;
                const eval::Report r =
                    eval::run_evaluation(loaded.dataset, o, {}, [&](eval::DatasetReport& d) {
                        stream.dataset(d);
                        ++pieces;
                    });
                stream.finish(r.seconds);
                QCOMPARE(pieces, r.datasets.size());
                std::size_t streamed_rows = 0;
                for (const auto& d : r.datasets)
                    for (const auto& m : d.methods)
                        if (m.extra_rows) {
                            ++streamed_rows;
                            QCOMPARE(m.extra_rows_key, std::string("traces"));
                            QVERIFY(!m.extra.contains("traces"));
                        }
                QCOMPARE(streamed_rows > 0, stream_rows);
                const auto doc = eval::report_to_json(r, loaded.dataset);
                QCOMPARE(streamed, doc.dump(1));
                for (const int indent : {-1, 0, 1, 2})
                    QCOMPARE(eval::report_to_json_text(r, loaded.dataset, indent), doc.dump(indent));
                // The generator (with the run's duration) comes last: it is known only then.
                QCOMPARE(doc.back(), doc["generator"]);
            }
        }
    }

    // Metrics added after automix-oracle-v1 are written only when asked for, after the v1 keys;
    // everything else stays byte for byte.
    void allMetricsIsOptIn() {
        QTemporaryDir dir;
        const std::string path = demo_file(dir, 300);
        const data::LoadResult loaded = data::load_file(path);
        for (const auto protocol : {eval::Protocol::Full, eval::Protocol::Paper}) {
            eval::EvalOptions o;
            o.protocol = protocol;
            o.seeds = 2;
            o.train_rows = 50;
            o.methods = {"Threshold", "POMDP"};
            eval::Report plain = eval::run_evaluation(loaded.dataset, o);
            eval::Report all = plain;
            all.options.all_metrics = true;
            const std::string plain_csv = eval::report_to_csv(plain), all_csv = eval::report_to_csv(all);
            QVERIFY(plain_csv.starts_with("dataset,method,ok,param,train_lift,val_avg_cost,val_avg_perf,val_lift,"
                                          "val_escalated_fraction,val_apgr,aiq,calls_for_50pct_gap,"
                                          "calls_for_80pct_gap,val_lift_std,error,protocol\n"));
            QVERIFY(all_csv.starts_with(plain_csv.substr(0, plain_csv.find('\n')) + ",val_calls_per_query\n"));
            QVERIFY(plain_csv.find("calls_per_query") == std::string::npos);

            const auto plain_doc = eval::report_to_json(plain, loaded.dataset);
            auto all_doc = eval::report_to_json(all, loaded.dataset);
            QCOMPARE(eval::report_to_json_text(all, loaded.dataset, 1), all_doc.dump(1));
            QCOMPARE(all_doc["config"]["metrics"].get<std::string>(), std::string("all"));
            all_doc["config"].erase("metrics");
            std::size_t found = 0;
            for (auto& [name, d] : all_doc["datasets"].items())
                for (auto& [key, m] : d["methods"].items()) {
                    if (protocol == eval::Protocol::Full) {
                        // Right after the last v1 figure (n_routed).
                        auto at = m.find("val_calls_per_query");
                        QVERIFY(at != m.end() && std::prev(at).key() == "n_routed");
                        QVERIFY(at->get<double>() >= 1.0 && at->get<double>() <= 2.0);
                        m.erase("val_calls_per_query");
                        ++found;
                    } else {
                        for (auto& s : m["seeds"]) {
                            QVERIFY(s["val"].back() == s["val"]["calls_per_query"]);
                            s["val"].erase("calls_per_query");
                            ++found;
                        }
                    }
                }
            QVERIFY(found > 0);
            all_doc["generator"] = plain_doc["generator"];
            QCOMPARE(all_doc.dump(1), plain_doc.dump(1));
        }
    }

    void emptyReportIsValidJson() {
        data::Dataset ds;
        eval::Report r;
        r.input_path = "x.jsonl";
        for (const int indent : {-1, 1}) {
            const std::string text = eval::report_to_json_text(r, ds, indent);
            QCOMPARE(text, eval::report_to_json(r, ds).dump(indent));
            QVERIFY(nlohmann::json::parse(text)["datasets"].empty());
        }
    }

    void droppedDetailsKeepTheTableAndCsv() {
        QTemporaryDir dir;
        const std::string path = demo_file(dir, 300);
        const data::LoadResult loaded = data::load_file(path);
        eval::EvalOptions o;
        eval::Report full = eval::run_evaluation(loaded.dataset, o);
        eval::Report slim = full;
        for (auto& d : slim.datasets) eval::drop_details(d);
        QCOMPARE(eval::report_to_table(slim), eval::report_to_table(full));
        QCOMPARE(eval::report_to_csv(slim), eval::report_to_csv(full));
        for (const auto& d : slim.datasets)
            for (const auto& m : d.methods) {
                QVERIFY(m.decisions.empty() && m.train_candidates.empty() && m.val_candidates.empty());
                QVERIFY(m.extra.is_null());
            }
    }

    // Datasets evaluated on several threads give the report of one thread, delivered in file
    // order; a failing writer and a cancel stop the run cleanly (the workers are joined).
    void threadCountDoesNotChangeTheReport() {
        QTemporaryDir dir;
        const std::string path = demo_file(dir, 1500);
        const data::Dataset& ds = data::load_file(path).dataset;
        QVERIFY(ds.dataset_names.size() >= 3);
        // Timings ("seconds" at any depth) are the only fields allowed to differ.
        auto without_seconds = [](nlohmann::ordered_json j) {
            std::function<void(nlohmann::ordered_json&)> strip = [&](nlohmann::ordered_json& x) {
                if (x.is_object()) x.erase("seconds");
                if (x.is_structured())
                    for (auto& v : x) strip(v);
            };
            strip(j);
            return j.dump();
        };
        for (const eval::Protocol protocol : {eval::Protocol::Full, eval::Protocol::Paper}) {
            std::string reference;
            for (const unsigned threads : {1u, 2u, 3u, 8u}) {
                eval::EvalOptions o;
                o.protocol = protocol;
                o.seeds = 2;
                o.train_rows = 50;
                o.threads = threads;
                std::vector<std::string> order;
                std::size_t last_done = 0;
                bool progress_in_order = true;
                const eval::Report r = eval::run_evaluation(
                    ds, o,
                    [&](std::size_t done, std::size_t) {
                        progress_in_order = progress_in_order && done == last_done + 1;
                        last_done = done;
                    },
                    [&](eval::DatasetReport& d) { order.push_back(d.name); });
                QVERIFY(progress_in_order);
                QCOMPARE(order.size(), ds.dataset_names.size());
                for (std::size_t i = 0; i < order.size(); ++i) QCOMPARE(order[i], r.datasets[i].name);
                const std::string text = without_seconds(eval::report_to_json(r, ds));
                if (reference.empty()) reference = text;
                QCOMPARE(text, reference);
            }
        }
        eval::EvalOptions o;
        o.threads = 2;
        int delivered = 0;
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, eval::run_evaluation(ds, o, {}, [&](eval::DatasetReport&) {
                                     if (++delivered == 2) throw std::runtime_error("disk full");
                                 }));
        QCOMPARE(delivered, 2);
        std::atomic<bool> cancel{false};
        o.cancel = &cancel;
        QVERIFY_THROWS_EXCEPTION(eval::EvalCancelled,
                                 eval::run_evaluation(ds, o, [&](std::size_t, std::size_t) { cancel = true; }));
    }
};

QTEST_GUILESS_MAIN(TestReportText)
#include "test_report_text.moc"

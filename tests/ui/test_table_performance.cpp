// The query table at 50k+ rows: filtering and sorting must stay interactive. Prints the
// measured times (ms) and fails when one is far beyond what a user would accept.
#include <QElapsedTimer>
#include <QHeaderView>
#include <QTableView>
#include <QTest>

#include "core/data/reader.hpp"
#include "ui/job_runner.hpp"
#include "ui/main_window.hpp"
#include "ui/qt_text.hpp"
#include "ui/query_table_model.hpp"
#include "ui/routing_state.hpp"

using namespace automix;

namespace {

// The demo rows repeated `times` times (ids made unique), so the table has realistic content.
std::shared_ptr<const data::Dataset> replicate(const data::Dataset& src, int times) {
    auto ds = std::make_shared<data::Dataset>();
    ds->dataset_names = src.dataset_names;
    ds->verifier_cost = src.verifier_cost;
    ds->format = src.format;
    for (const auto& m : src.models) {
        data::ModelColumns c;
        c.name = m.name;
        c.display_name = m.display_name;
        c.call_cost = m.call_cost;
        ds->models.push_back(std::move(c));
    }
    for (int t = 0; t < times; ++t) {
        for (std::size_t r = 0; r < src.size(); ++r) {
            ds->id.push_back(std::string(src.id[r]) + "-x" + std::to_string(t));
            ds->pid.push_back(src.pid[r]);
            ds->question.push_back(src.question[r]);
            ds->gold.push_back(src.gold[r]);
            ds->dataset_index.push_back(src.dataset_index[r]);
            ds->split.push_back(src.split[r]);
            ds->category.push_back(src.category[r]);
            ds->category_from_file.push_back(src.category_from_file[r]);
            ds->extra_json.push_back(src.extra_json[r]);
            ds->source_line.push_back(src.source_line[r]);
            for (std::size_t m = 0; m < src.models.size(); ++m) {
                const auto& a = src.models[m];
                auto& b = ds->models[m];
                b.answer.push_back(a.answer[r]);
                b.has_answer.push_back(a.has_answer[r]);
                b.score.push_back(a.score[r]);
                b.verifier_samples.push_back(a.verifier_samples[r]);
                b.verifier_confidence.push_back(a.verifier_confidence[r]);
            }
        }
    }
    return ds;
}

template <class F>
double timeMs(F&& f) {
    QElapsedTimer t;
    t.start();
    f();
    return static_cast<double>(t.nsecsElapsed()) / 1e6;
}

}  // namespace

class TestTablePerformance : public QObject {
    Q_OBJECT

  private slots:
    void filterAndSortFiftyThousandRows() {
        const auto demo = data::load_file(ui::extractDemoFile().toStdString());
        const auto ds = replicate(demo.dataset, (50000 + int(demo.dataset.size()) - 1) / int(demo.dataset.size()));
        QVERIFY(ds->size() >= 50000);

        ui::JobRunner jobs;
        ui::RoutingState state(&jobs);
        ui::QueryTableModel model(&state);
        QTableView view;
        view.setModel(&model);
        view.resize(1200, 800);
        view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));

        state.setDataset(ds);
        const double scopeMs = timeMs([&] { state.setScope(-1, ui::SplitScope::All); });
        QCOMPARE(std::size_t(model.rowCount()), ds->size());

        state.setMethod(QStringLiteral("Threshold"));
        const double trainMs = timeMs([&] {
            state.train();
            state.waitForTraining();
        });
        QVERIFY(state.isRouted());

        std::vector<std::pair<QString, double>> times;
        times.emplace_back(QStringLiteral("scope (all rows)"), scopeMs);
        times.emplace_back(QStringLiteral("train + route Threshold (background)"), trainMs);

        ui::QueryFilter f;
        f.text = QStringLiteral("the");
        times.emplace_back(QStringLiteral("filter: free text 'the'"), timeMs([&] { model.setFilter(f); }));
        std::size_t expected = 0;
        for (data::RowIndex r = 0; r < ds->size(); ++r) {
            bool hit = false;
            for (const std::string_view s : {ds->id[r], ds->question[r], ds->gold[r]})
                hit = hit || ui::toQString(s).contains(f.text, Qt::CaseInsensitive);
            for (const auto& m : ds->models)
                hit = hit || ui::toQString(m.answer[r]).contains(f.text, Qt::CaseInsensitive);
            expected += hit;
        }
        QCOMPARE(std::size_t(model.rowCount()), expected);

        f = {};
        f.category = data::Category::Needy;
        times.emplace_back(QStringLiteral("filter: category"), timeMs([&] { model.setFilter(f); }));
        f = {};
        f.decision = ui::QueryFilter::Decision::Escalated;
        times.emplace_back(QStringLiteral("filter: escalated"), timeMs([&] { model.setFilter(f); }));
        f.decision = ui::QueryFilter::Decision::Any;
        f.routingWrongOnly = true;
        times.emplace_back(QStringLiteral("filter: routing was wrong"), timeMs([&] { model.setFilter(f); }));
        f = {};
        times.emplace_back(QStringLiteral("filter: none"), timeMs([&] { model.setFilter(f); }));
        QCOMPARE(std::size_t(model.rowCount()), ds->size());

        for (int c = 0; c < model.columnCount(); ++c) {
            const QString name = model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
            times.emplace_back(QStringLiteral("sort: %1 desc").arg(name), timeMs([&] {
                                   view.sortByColumn(c, Qt::DescendingOrder);
                                   QCoreApplication::processEvents();
                               }));
        }
        times.emplace_back(QStringLiteral("scroll to bottom + paint"), timeMs([&] {
                               view.scrollToBottom();
                               view.viewport()->repaint();
                           }));

        double worst = 0;
        for (const auto& [what, ms] : times) {
            qInfo("%-40s %8.1f ms", qPrintable(what), ms);
            if (!what.startsWith(QStringLiteral("train"))) worst = std::max(worst, ms);
        }
        qInfo("rows: %zu, worst interactive operation: %.1f ms", ds->size(), worst);
        QVERIFY2(worst < 1500.0, "a filter or sort of 50k rows took longer than 1.5 s");
    }
};

QTEST_MAIN(TestTablePerformance)
#include "test_table_performance.moc"

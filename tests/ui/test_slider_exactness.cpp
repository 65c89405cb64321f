// A Threshold slider step re-routes one dataset, evaluates the scope from scores gathered once
// and repaints the table instead of rebuilding it (issue 16). None of that may change a number:
// after many random slider steps — with scope, split, filters, sort order and costs changing in
// between — every row's decision, the status bar's metrics and the table's rows and cells are
// compared with a full re-route computed here from scratch through core.
#include <QComboBox>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>
#include <cstring>
#include <random>

#include "core/demo/generator.hpp"
#include "core/eval/metrics.hpp"
#include "core/routing/method.hpp"
#include "ui/charts/chart_tabs.hpp"
#include "ui/filter_bar.hpp"
#include "ui/main_window.hpp"
#include "ui/query_table_model.hpp"
#include "ui/routing_state.hpp"
#include "ui/tuning_panel.hpp"

using namespace automix;

namespace {

bool sameBits(double a, double b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

// Every row of every dataset routed with its dataset's parameters, as if nothing were cached.
std::vector<int> fullReroute(const ui::RoutingState& state) {
    const data::Dataset& ds = *state.dataset();
    std::vector<int> out(ds.size(), -1);
    for (std::size_t d = 0; d < ds.dataset_names.size(); ++d) {
        const ui::TrainedDataset* t = state.trainedFor(static_cast<int>(d));
        if (!t || !t->error.isEmpty()) continue;
        data::View rows;
        for (std::size_t r = 0; r < ds.size(); ++r)
            if (ds.dataset_index[r] == static_cast<int>(d)) rows.push_back(static_cast<data::RowIndex>(r));
        const routing::Decisions dec = state.method()->route(ds, rows, t->params, state.config());
        for (std::size_t i = 0; i < rows.size(); ++i) out[rows[i]] = dec[i];
    }
    return out;
}

class SliderExactnessTest : public QObject {
    Q_OBJECT

    // `steps` random slider positions; between some of them another scope, split, filter, sort
    // order or cost, so every cache the step uses is also invalidated on the way.
    void randomSteps(const QString& file, int steps) {
        ui::MainWindow w;
        w.resize(1300, 900);
        w.show();
        QString error;
        QVERIFY2(w.openFile(file, &error), qPrintable(error));
        ui::RoutingState* state = w.routingState();
        w.selectMethod(QStringLiteral("Threshold"));
        state->waitForTraining();
        QVERIFY(state->isRouted());
        auto* tabs = w.findChild<ui::charts::ChartTabs*>();
        QVERIFY(tabs);
        QSlider* slider = tabs->tuning()->parameterSlider(QStringLiteral("threshold"));
        QVERIFY(slider && slider->isEnabled());
        auto* datasetCombo = w.findChild<QComboBox*>(QStringLiteral("datasetCombo"));
        auto* splitCombo = w.findChild<QComboBox*>(QStringLiteral("splitCombo"));
        QVERIFY(datasetCombo && splitCombo);
        ui::QueryTableModel* model = w.queryModel();
        const data::Dataset& ds = *state->dataset();

        std::mt19937 rng(16);
        bool sortedByDecision = false, ascending = true;
        int escalatedSeen = 0, stayedSeen = 0, tableChecks = 0;
        for (int step = 0; step < steps; ++step) {
            switch (rng() % 12) {
            case 0: datasetCombo->setCurrentIndex(static_cast<int>(rng() % datasetCombo->count())); break;
            case 1: splitCombo->setCurrentIndex(static_cast<int>(rng() % splitCombo->count())); break;
            case 2: w.filterBar()->setDecision(static_cast<ui::QueryFilter::Decision>(rng() % 3)); break;
            case 3:
                sortedByDecision = rng() % 2 == 0;
                ascending = rng() % 2 == 0;
                model->sort(sortedByDecision ? model->decisionColumn() : model->confidenceColumn(),
                            ascending ? Qt::AscendingOrder : Qt::DescendingOrder);
                break;
            case 4: w.filterBar()->setRoutingWrongOnly(rng() % 2 == 0); break;
            case 5: {
                // Other costs: trained again, and the scope's gathered costs must follow.
                ui::Costs c = state->costs();
                c.large = 20.0 + static_cast<double>(rng() % 60);
                state->setCosts(c);
                state->train();
                state->waitForTraining();
                break;
            }
            default: break;
            }
            // Slider moves act on the dataset the charts show: all of them get moved over time.
            if (!slider->isEnabled()) continue;
            slider->setValue(static_cast<int>(rng() % static_cast<unsigned>(slider->maximum() + 1)));
            QVERIFY2(state->lastError().isEmpty(), qPrintable(state->lastError()));

            // Decisions of every row.
            const std::vector<int> expected = fullReroute(*state);
            for (std::size_t r = 0; r < ds.size(); ++r)
                if (state->decision(static_cast<data::RowIndex>(r)) != expected[r])
                    QFAIL(qPrintable(QStringLiteral("step %1: row %2 decided %3, a full re-route %4")
                                         .arg(step)
                                         .arg(r)
                                         .arg(state->decision(static_cast<data::RowIndex>(r)))
                                         .arg(expected[r])));

            // The scope's metrics, bit for bit.
            const data::View rows = ds.measured(state->scopeRows());
            routing::Decisions dec;
            for (data::RowIndex r : rows) dec.push_back(static_cast<routing::ModelIndex>(expected[r]));
            const eval::ScoredView view =
                eval::ScoredView::for_method(ds, rows, *state->method(), eval::CostModel::from(state->config()));
            const eval::Metrics want = view.evaluate(dec);
            const ui::ScopeMetrics& got = state->metrics();
            QVERIFY(got.valid);
            QCOMPARE(got.rows, rows.size());
            for (const eval::MetricField& f : eval::metric_fields())
                QVERIFY2(sameBits(f.value(got.values), f.value(want)),
                         qPrintable(QStringLiteral("step %1: %2 is %3, a full re-route gives %4")
                                        .arg(step)
                                        .arg(QString::fromUtf8(f.key.data(), static_cast<qsizetype>(f.key.size())))
                                        .arg(f.value(got.values), 0, 'g', 17)
                                        .arg(f.value(want), 0, 'g', 17)));
            QVERIFY(sameBits(got.slmPerf, view.mean_score(0)));
            QVERIFY(sameBits(got.llmPerf, view.mean_score(view.levels() - 1)));

            // The table: the rows its filters keep, and the decision cells of some of them.
            const ui::QueryFilter f = model->filter();
            std::size_t kept = 0;
            for (data::RowIndex r : state->scopeRows()) {
                const int d = expected[r];
                if (f.decision == ui::QueryFilter::Decision::Escalated && d <= 0) continue;
                if (f.decision == ui::QueryFilter::Decision::Stayed && d != 0) continue;
                if (f.routingWrongOnly && !state->routingWasWrong(r)) continue;
                ++kept;
            }
            QCOMPARE(static_cast<std::size_t>(model->rowCount()), kept);
            for (int k = 0; k < 20 && model->rowCount() > 0; ++k) {
                const int row = static_cast<int>(rng() % static_cast<unsigned>(model->rowCount()));
                const data::RowIndex r = model->datasetRow(row);
                const QString cell = model->data(model->index(row, model->decisionColumn()), Qt::DisplayRole).toString();
                QCOMPARE(cell, expected[r] > 0 ? QStringLiteral("escalate") : QStringLiteral("stay"));
                (expected[r] > 0 ? escalatedSeen : stayedSeen)++;
                ++tableChecks;
            }
            // Sorted by decision, the table follows the new decisions.
            if (sortedByDecision)
                for (int row = 1; row < model->rowCount(); ++row) {
                    const int a = expected[model->datasetRow(row - 1)], b = expected[model->datasetRow(row)];
                    QVERIFY2(ascending ? a <= b : a >= b, qPrintable(QStringLiteral("step %1: table row %2 out of order").arg(step).arg(row)));
                }
        }
        // The steps really moved the routing both ways and the table was looked at.
        QVERIFY(escalatedSeen > 0 && stayedSeen > 0);
        QVERIFY(tableChecks > steps);
    }

  private slots:
    void fixtureFile() { randomSteps(QStringLiteral(AUTOMIX_TEST_DATA "/oracle/sample_seed1.jsonl.gz"), 120); }

    void generatedFile() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        demo::GeneratorOptions o;
        o.rows = 40000;
        o.seed = 7;
        const QString path = dir.filePath(QStringLiteral("generated.jsonl"));
        demo::generate_file(o, path.toStdString());
        randomSteps(path, 60);
    }
};

}  // namespace

QTEST_MAIN(SliderExactnessTest)
#include "test_slider_exactness.moc"

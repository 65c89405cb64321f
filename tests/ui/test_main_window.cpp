// The main window as a user drives it: loading (menu path, drag-and-drop, bad files),
// filtering and sorting the query table, the drill-down panel, and window state.
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextDocument>
#include <QTextDocumentFragment>
#include <QTimer>
#include <QToolButton>
#include <QUrl>
#include <cmath>
#include <memory>
#include <sys/stat.h>

#include "core/routing/method.hpp"
#include "ui/charts/chart_tabs.hpp"
#include "ui/drill_down_panel.hpp"
#include "ui/filter_bar.hpp"
#include "ui/job_runner.hpp"
#include "ui/main_window.hpp"
#include "ui/qt_text.hpp"
#include "ui/query_table_model.hpp"
#include "ui/routing_state.hpp"
#include "ui/support_settings.hpp"
#include "ui/tuning_panel.hpp"

using namespace automix;
using automix::ui::MainWindow;
using automix::ui::RoutingState;
using automix::ui::ScopeMetrics;
using automix::ui::TrainedDataset;

namespace {

QString fixture(const char* name) {
    return QStringLiteral(AUTOMIX_TEST_DATA "/ui/") + QLatin1String(name);
}

// Expected rows computed straight from the Dataset columns, independent of the table model.
template <class Pred>
std::size_t countRows(const data::Dataset& ds, Pred pred) {
    std::size_t n = 0;
    for (data::RowIndex r = 0; r < ds.size(); ++r)
        if (pred(r)) ++n;
    return n;
}

bool textMatches(const data::Dataset& ds, data::RowIndex r, const QString& needle) {
    auto has = [&](std::string_view s) { return ui::toQString(s).contains(needle, Qt::CaseInsensitive); };
    if (has(ds.id[r]) || has(ds.question[r]) || has(ds.gold[r])) return true;
    for (const auto& m : ds.models)
        if (has(m.answer[r])) return true;
    return false;
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_;

  private slots:
    void initTestCase() {
        automix::test::useTestSettings(QStringLiteral("ui_main_window"), settingsDir_.path());
    }

    void demoLoadsThroughTheBackgroundLoader() {
        MainWindow w;
        QSignalSpy finished(&w, &MainWindow::loadFinished);
        QString error;
        QVERIFY2(w.openDemo(&error), qPrintable(error));
        QCOMPARE(finished.count(), 1);
        QVERIFY(!w.isLoading());
        const data::Dataset* ds = w.dataset();
        QVERIFY(ds);
        QVERIFY(ds->size() > 1000);
        // Default scope: every dataset, val split.
        const auto val = countRows(*ds, [&](auto r) { return ds->split[r] == data::Split::Val; });
        QCOMPARE(std::size_t(w.queryModel()->rowCount()), val);
        QVERIFY(w.summaryLabel()->text().contains(QLocale().toString(qulonglong(ds->size()))));
    }

    void filtersMatchIndependentCounts() {
        MainWindow w;
        w.selectMethod(QString());
        QVERIFY(w.openDemo());
        const data::Dataset& ds = *w.dataset();
        auto* model = w.queryModel();
        auto rows = [&] { return std::size_t(model->rowCount()); };

        const QString name = QString::fromStdString(ds.dataset_names.at(1));
        const int d = 1;
        w.selectDataset(name);
        QCOMPARE(rows(),
                 countRows(ds, [&](auto r) { return ds.dataset_index[r] == d && ds.split[r] == data::Split::Val; }));
        w.selectSplit(QStringLiteral("train"));
        QCOMPARE(rows(),
                 countRows(ds, [&](auto r) { return ds.dataset_index[r] == d && ds.split[r] == data::Split::Train; }));
        w.selectSplit(QStringLiteral("all"));
        QCOMPARE(rows(), countRows(ds, [&](auto r) { return ds.dataset_index[r] == d; }));

        w.filterBar()->setCategory(data::Category::Needy);
        const auto needy =
            countRows(ds, [&](auto r) { return ds.dataset_index[r] == d && ds.category[r] == data::Category::Needy; });
        QVERIFY(needy > 0);
        QCOMPARE(rows(), needy);
        w.filterBar()->setCategory(std::nullopt);

        // Free text: take a word from some question, so the expected count is not trivially 0.
        const QString word = ui::toQString(ds.question[w.queryModel()->datasetRow(5)])
                                 .section(QLatin1Char(' '), 1, 1)
                                 .toUpper();
        QVERIFY(!word.isEmpty());
        w.filterBar()->setSearchText(word);
        const auto textCount =
            countRows(ds, [&](auto r) { return ds.dataset_index[r] == d && textMatches(ds, r, word); });
        QVERIFY(textCount > 0);
        QCOMPARE(rows(), textCount);
        w.filterBar()->setSearchText(QStringLiteral("no-such-text-anywhere-42"));
        QCOMPARE(rows(), std::size_t(0));
        w.filterBar()->setSearchText(QString());

        // Decision filters match nothing until a method has routed.
        w.filterBar()->setDecision(ui::QueryFilter::Decision::Escalated);
        QCOMPARE(rows(), std::size_t(0));
        w.filterBar()->setDecision(ui::QueryFilter::Decision::Any);
        QCOMPARE(rows(), countRows(ds, [&](auto r) { return ds.dataset_index[r] == d; }));
    }

    // In a large file the text is searched for by a background job: the table keeps its rows
    // until it ends, a newer text or an emptied box replaces or cancels it, and its matches serve
    // every scope of the file without searching again.
    void largeFileSearchRunsInTheBackground() {
        MainWindow w;
        QVERIFY(w.openDemo());
        const data::Dataset& ds = *w.dataset();
        auto* model = w.queryModel();
        model->setBackgroundSearchRows(0);  // the demo stands in for a large file
        auto rows = [&] { return std::size_t(model->rowCount()); };
        w.selectDataset(QString::fromStdString(ds.dataset_names.at(0)));
        w.selectSplit(QStringLiteral("all"));
        const std::size_t scope = rows();
        QCOMPARE(scope, countRows(ds, [&](auto r) { return ds.dataset_index[r] == 0; }));

        const QString word = ui::toQString(ds.question[model->datasetRow(3)]).section(QLatin1Char(' '), 1, 1).toUpper();
        const auto inScope = [&](const QString& text, data::Split split, bool allSplits) {
            return countRows(ds, [&](auto r) {
                return ds.dataset_index[r] == 0 && (allSplits || ds.split[r] == split) && textMatches(ds, r, text);
            });
        };
        const std::size_t want = inScope(word, data::Split::Val, true);
        QVERIFY(want > 0 && want < scope);

        w.filterBar()->setSearchText(word);
        QVERIFY(model->isSearching());
        QCOMPARE(rows(), scope);  // unchanged until the search ends
        QVERIFY(w.jobs()->waitFor(ui::QueryTableModel::kSearchJob));
        QVERIFY(!model->isSearching());
        QCOMPARE(rows(), want);
        for (int i = 0; i < model->rowCount(); ++i) QVERIFY(textMatches(ds, model->datasetRow(i), word));

        // Another scope of the same file: the matches are reused, no new search.
        w.selectSplit(QStringLiteral("val"));
        QVERIFY(!model->isSearching());
        QCOMPARE(rows(), inScope(word, data::Split::Val, false));

        // A newer text replaces a running search; only the newer one's rows are shown.
        w.filterBar()->setSearchText(QStringLiteral("no-such-text-anywhere-42"));
        QVERIFY(model->isSearching());
        w.filterBar()->setSearchText(word.toLower());
        QVERIFY(w.jobs()->waitFor(ui::QueryTableModel::kSearchJob));
        QCOMPARE(rows(), inScope(word, data::Split::Val, false));

        // Emptying the box cancels a running search and shows the whole scope at once.
        w.filterBar()->setSearchText(QStringLiteral("zzz-nothing"));
        QVERIFY(model->isSearching());
        w.filterBar()->setSearchText(QString());
        QVERIFY(!model->isSearching());
        QCOMPARE(rows(),
                 countRows(ds, [&](auto r) { return ds.dataset_index[r] == 0 && ds.split[r] == data::Split::Val; }));
        QVERIFY(w.jobs()->waitForIdle());
        QCOMPARE(rows(),
                 countRows(ds, [&](auto r) { return ds.dataset_index[r] == 0 && ds.split[r] == data::Split::Val; }));
    }

    // A large routed scope gets its metrics from a background job after a scope change: pending
    // (and said so in the summary) until it ends, then exactly the figures the GUI thread would
    // have computed; a routing change meanwhile wins over the job's older result.
    void largeScopeMetricsComeFromABackgroundJob() {
        MainWindow w;
        QVERIFY(w.openDemo());
        RoutingState* state = w.routingState();
        state->setMethod(QStringLiteral("Threshold"));
        state->train();
        state->waitForTraining();
        QVERIFY(state->isRouted());
        w.selectDataset(QString());
        w.selectSplit(QStringLiteral("all"));
        QVERIFY(state->metrics().valid && !state->metrics().pending);  // small scope: at once
        const ScopeMetrics atOnce = state->metrics();
        w.selectSplit(QStringLiteral("val"));

        state->setBackgroundMetricsRows(0);  // the demo stands in for a large file
        w.selectSplit(QStringLiteral("all"));
        QVERIFY(state->metrics().pending && !state->metrics().valid);
        QCOMPARE(state->metrics().rows, atOnce.rows);
        QVERIFY(w.summaryLabel()->text().contains(QStringLiteral("computing the metrics")));
        QVERIFY(w.jobs()->isRunning(RoutingState::kScopeMetricsJob));
        QVERIFY(w.jobs()->waitFor(RoutingState::kScopeMetricsJob));
        const ScopeMetrics& later = state->metrics();
        QVERIFY(later.valid && !later.pending);
        QCOMPARE(later.values.avg_cost, atOnce.values.avg_cost);
        QCOMPARE(later.values.avg_perf, atOnce.values.avg_perf);
        QCOMPARE(later.values.lift, atOnce.values.lift);
        QCOMPARE(later.slmPerf, atOnce.slmPerf);
        QCOMPARE(later.llmPerf, atOnce.llmPerf);
        QVERIFY(!w.summaryLabel()->text().contains(QStringLiteral("computing the metrics")));

        // Parameters set while the job runs: computed at once, and the job's result is dropped.
        w.selectSplit(QStringLiteral("val"));
        QVERIFY(state->metrics().pending);
        const int dropped = w.jobs()->droppedResults();
        const TrainedDataset* trained = state->trainedFor(0);
        QVERIFY(trained);
        QVERIFY(state->setParameters(0, trained->params));
        QVERIFY(state->metrics().valid && !state->metrics().pending);
        const double cost = state->metrics().values.avg_cost;
        QVERIFY(w.jobs()->waitForIdle());
        QVERIFY(w.jobs()->droppedResults() > dropped);  // the scope job's among them
        QVERIFY(state->metrics().valid && !state->metrics().pending);
        QCOMPARE(state->metrics().values.avg_cost, cost);
    }

    // A scope change publishes new row lists and metrics but keeps the routing (the decisions of
    // every row are not copied), and a scope seen before gets the very lists it had.
    void scopeChangesShareRowListsAndKeepTheRouting() {
        MainWindow w;
        QVERIFY(w.openDemo());
        RoutingState* state = w.routingState();
        const data::Dataset& ds = *w.dataset();
        state->setMethod(QStringLiteral("Threshold"));
        state->train();
        state->waitForTraining();
        QVERIFY(state->isRouted());
        w.selectDataset(QString());
        w.selectSplit(QStringLiteral("val"));
        const ui::SnapshotPtr val = state->snapshot();
        QCOMPARE(val->rows->scope().size(), countRows(ds, [&](auto r) { return ds.split[r] == data::Split::Val; }));

        auto* charts = w.findChild<ui::charts::ChartTabs*>();
        QVERIFY(charts && w.jobs()->waitForIdle());
        const auto curves = charts->curvesSnapshot();
        QVERIFY(curves);
        const std::optional<eval::Metrics> evalFigures = charts->tuning()->evalFigures();
        QVERIFY(evalFigures);
        QSignalSpy chartScope(state, &RoutingState::chartScopeChanged);
        QSignalSpy figures(charts->tuning(), &ui::TuningPanel::figuresChanged);
        w.selectSplit(QStringLiteral("all"));
        const ui::SnapshotPtr all = state->snapshot();
        // "all" and "val" give the charts the same rows (the chart dataset's val rows): the charts,
        // their curves and the tuning figures stay as they are, nothing is computed again.
        QCOMPARE(chartScope.count(), 0);
        QCOMPARE(figures.count(), 0);
        QVERIFY(all->rows->chartEvalRows == val->rows->chartEvalRows);
        QVERIFY(state->isCurrent(*curves, ui::FileAspect | ui::CostsAspect | ui::ChartAspect));
        QVERIFY(!charts->isComputingCurves());
        QCOMPARE(charts->tuning()->evalFigures()->avg_cost, evalFigures->avg_cost);
        QCOMPARE(all->rows->scope().size(), ds.size());
        QVERIFY(all->routing == val->routing);  // the same decisions, not a copy
        QVERIFY(all->metrics.valid);
        QCOMPARE(all->metrics.rows, ds.size());
        QCOMPARE(all->metrics.values.avg_cost, state->routedMetrics(all->rows->scope())->avg_cost);
        QVERIFY(all->metrics.values.avg_cost != val->metrics.values.avg_cost);

        w.selectSplit(QStringLiteral("val"));
        const ui::SnapshotPtr again = state->snapshot();
        QVERIFY(again->rows->scopeRows == val->rows->scopeRows);  // shared, not made again
        QVERIFY(again->rows->chartTrainRows == val->rows->chartTrainRows);
        QVERIFY(again->rows->chartEvalRows == val->rows->chartEvalRows);
        QCOMPARE(again->metrics.values.avg_cost, val->metrics.values.avg_cost);
        QCOMPARE(chartScope.count(), 0);
        // The train split does change what the charts evaluate on.
        w.selectSplit(QStringLiteral("train"));
        QCOMPARE(chartScope.count(), 1);
        QVERIFY(!state->isCurrent(*curves, ui::ChartAspect));
        QVERIFY(state->snapshot()->rows->chartEvalRows == state->snapshot()->rows->chartTrainRows);
        QVERIFY(figures.count() > 0);
        QCOMPARE(charts->tuning()->evalFigures()->avg_cost, charts->tuning()->trainFigures()->avg_cost);
        QVERIFY(w.jobs()->waitForIdle());

        // One dataset, every split: its rows in file order.
        const int d = 1;
        w.selectDataset(ui::toQString(ds.dataset_names.at(d)));
        w.selectSplit(QStringLiteral("all"));
        data::View expected;
        for (data::RowIndex r = 0; r < ds.size(); ++r)
            if (ds.dataset_index[r] == d) expected.push_back(r);
        QVERIFY(state->scopeRows() == expected);
        QCOMPARE(state->snapshot()->rows->chartDataset, d);
        QVERIFY(state->snapshot()->rows->chartTrain() == ds.rows(d, data::Split::Train));

        // Another file: nothing of the old lists.
        QVERIFY(w.openDemo());
        QVERIFY(state->snapshot()->rows->scopeRows != val->rows->scopeRows);
        QVERIFY(state->scopeRows() == expected);
    }

    // The per-file row lists: each (dataset, split) list equals an independent scan, is made once
    // and shared, and over its memory budget the cache lets go only of lists nobody holds.
    void rowViewsShareListsAndLetGoOfUnheldOnes() {
        MainWindow w;
        QVERIFY(w.openDemo());
        const std::shared_ptr<const data::Dataset> ds = w.routingState()->datasetPtr();
        QVERIFY(ds->dataset_names.size() >= 3);
        ui::RowViews views(ds, 0);  // no budget: every list nobody holds goes at the next insert
        ui::RowViews::Rows val0 = views.scope(0, ui::SplitScope::Val);
        QVERIFY(*val0 == ds->rows(0, data::Split::Val));
        QVERIFY(views.scope(0, ui::SplitScope::Val) == val0);     // made once
        QVERIFY(views.measured(0, ui::SplitScope::Val) == val0);  // no unmeasured rows: the same list
        QVERIFY(*views.scope(1, ui::SplitScope::Train) == ds->rows(1, data::Split::Train));
        QVERIFY(views.scope(0, ui::SplitScope::Val) == val0);  // held: kept over the budget
        const std::weak_ptr<const data::View> dropped = val0;
        val0.reset();
        QVERIFY(!dropped.expired());  // the cache still has it ...
        QVERIFY(*views.scope(2, ui::SplitScope::Val) == ds->rows(2, data::Split::Val));
        QVERIFY(dropped.expired());                                                      // ... until the next insert
        QVERIFY(*views.scope(0, ui::SplitScope::Val) == ds->rows(0, data::Split::Val));  // made again

        data::View ofOne;
        for (data::RowIndex r = 0; r < ds->size(); ++r)
            if (ds->dataset_index[r] == 1) ofOne.push_back(r);
        QVERIFY(*views.ofDataset(1) == ofOne);
        QVERIFY(views.scope(1, ui::SplitScope::All) == views.ofDataset(1));
        QCOMPARE(views.scope(-1, ui::SplitScope::All)->size(), ds->size());
        QVERIFY(views.ofDataset(int(ds->dataset_names.size()))->empty());
        QVERIFY(ui::RowViews(nullptr).scope(0, ui::SplitScope::Val)->empty());
    }

    void routingDecisionsDriveTheDecisionFilters() {
        MainWindow w;
        QVERIFY(w.openDemo());
        const data::Dataset& ds = *w.dataset();
        w.selectDataset(QString::fromStdString(ds.dataset_names.front()));
        w.selectMethod(QStringLiteral("Threshold"));
        w.routingState()->waitForTraining();
        QVERIFY2(w.routingState()->isRouted(), qPrintable(w.routingState()->lastError()));

        // Route the same val rows with core directly, using the trained parameter.
        const auto method = routing::find_method("Threshold");
        const auto* trained = w.routingState()->trainedFor(0);
        QVERIFY(trained);
        const data::View val = ds.rows(0, data::Split::Val);
        const routing::Decisions expected = method->route(ds, val, trained->params, w.routingState()->config());
        std::size_t escalated = 0, wrong = 0;
        for (std::size_t i = 0; i < val.size(); ++i) {
            escalated += expected[i];
            const bool largeBetter = ds.large().score[val[i]] > ds.small().score[val[i]];
            wrong += (expected[i] == 1) != largeBetter;
        }
        auto* model = w.queryModel();
        QCOMPARE(std::size_t(model->rowCount()), val.size());
        w.filterBar()->setDecision(ui::QueryFilter::Decision::Escalated);
        QCOMPARE(std::size_t(model->rowCount()), escalated);
        w.filterBar()->setDecision(ui::QueryFilter::Decision::Stayed);
        QCOMPARE(std::size_t(model->rowCount()), val.size() - escalated);
        w.filterBar()->setDecision(ui::QueryFilter::Decision::Any);
        w.filterBar()->setRoutingWrongOnly(true);
        QCOMPARE(std::size_t(model->rowCount()), wrong);
        w.filterBar()->setRoutingWrongOnly(false);

        // The summary bar shows the method and the escalation rate.
        const QString summary = w.summaryLabel()->text();
        QVERIFY2(summary.contains(QStringLiteral("Threshold")), qPrintable(summary));
        const double pct = 100.0 * double(escalated) / double(val.size());
        QVERIFY2(summary.contains(QString::number(pct, 'f', 1)), qPrintable(summary));
    }

    void linkedViewsDriveTheTable() {
        MainWindow w;
        QVERIFY(w.openDemo());
        const data::Dataset& ds = *w.dataset();
        auto* state = w.routingState();
        auto* model = w.queryModel();
        w.selectDataset(QString::fromStdString(ds.dataset_names.front()));
        w.selectMethod(QStringLiteral("Threshold"));
        state->waitForTraining();
        const data::View val = ds.rows(0, data::Split::Val);

        // A chart's filter ("confidence ≥ 0.9") narrows the table and shows a removable chip.
        state->setLinkedFilter(QStringLiteral("conf ≥ 0.9"),
                               [&ds](data::RowIndex r) { return ds.small().verifier_confidence[r] >= 0.9; });
        std::size_t high = 0;
        for (auto r : val) high += ds.small().verifier_confidence[r] >= 0.9;
        QVERIFY(high > 0 && high < val.size());
        QCOMPARE(std::size_t(model->rowCount()), high);
        auto* chip = w.filterBar()->findChild<QToolButton*>(QStringLiteral("linkedFilter"));
        QVERIFY(chip && chip->isVisibleTo(w.filterBar()));
        chip->click();
        QCOMPARE(std::size_t(model->rowCount()), val.size());
        QVERIFY(!chip->isVisibleTo(w.filterBar()));

        // A tuning slider sets the parameter: t = 1 escalates every row (method §6).
        QVERIFY2(state->setParameters(0, routing::Params(1.0)), qPrintable(state->lastError()));
        w.filterBar()->setDecision(ui::QueryFilter::Decision::Escalated);
        QCOMPARE(std::size_t(model->rowCount()), val.size());
        QVERIFY(w.summaryLabel()->text().contains(QStringLiteral("100.0 %")));
        w.filterBar()->setDecision(ui::QueryFilter::Decision::Any);

        // A view selecting a query moves the table's selection and the drill-down.
        state->setCurrentRow(val[7]);
        QCOMPARE(w.drillDown()->row().value_or(999999), val[7]);
        QCOMPARE(model->datasetRow(w.queryTable()->currentIndex().row()), val[7]);
    }

    void rowContextMenuFilters() {
        MainWindow w;
        QVERIFY(w.openDemo());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const data::Dataset& ds = *w.dataset();
        auto* model = w.queryModel();
        const data::RowIndex row = model->datasetRow(2);
        const QString category = QString::fromLatin1(data::to_string(ds.category[row]).data());
        QStringList seen;
        QTimer::singleShot(0, this, [&] {
            auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
            QVERIFY(menu);
            for (QAction* a : menu->actions()) seen << a->text();
            for (QAction* a : menu->actions())
                if (a->text() == QStringLiteral("Only %1 rows").arg(category)) a->trigger();
            menu->close();
        });
        const QRect cell = w.queryTable()->visualRect(model->index(2, 0));
        emit w.queryTable()->customContextMenuRequested(cell.center());
        QVERIFY2(seen.contains(QStringLiteral("Copy as JSON")), qPrintable(seen.join(QLatin1Char('|'))));
        QCOMPARE(w.drillDown()->row().value_or(999999), row);  // right-click selects the row
        const auto expected = countRows(
            ds, [&](auto r) { return ds.split[r] == data::Split::Val && ds.category[r] == ds.category[row]; });
        QCOMPARE(std::size_t(model->rowCount()), expected);
    }

    void sortingOrdersByTheColumn() {
        MainWindow w;
        QVERIFY(w.openDemo());
        const data::Dataset& ds = *w.dataset();
        auto* model = w.queryModel();
        const int conf = model->confidenceColumn();
        w.queryTable()->sortByColumn(conf, Qt::DescendingOrder);
        QCOMPARE(std::size_t(model->rowCount()),
                 countRows(ds, [&](auto r) { return ds.split[r] == data::Split::Val; }));
        for (int i = 1; i < model->rowCount(); ++i) {
            const double a = ds.small().verifier_confidence[model->datasetRow(i - 1)];
            const double b = ds.small().verifier_confidence[model->datasetRow(i)];
            QVERIFY2(std::isnan(b) || a >= b, qPrintable(QStringLiteral("row %1: %2 < %3").arg(i).arg(a).arg(b)));
        }
        w.queryTable()->sortByColumn(ui::QueryTableModel::Id, Qt::AscendingOrder);
        for (int i = 1; i < model->rowCount(); ++i)
            QVERIFY(ds.id[model->datasetRow(i - 1)] <= ds.id[model->datasetRow(i)]);
    }

    void drillDownShowsSamplesAndDecision() {
        MainWindow w;
        QVERIFY(w.openFile(fixture("small.jsonl")));
        const data::Dataset& ds = *w.dataset();
        w.selectSplit(QStringLiteral("all"));
        w.selectMethod(QStringLiteral("Threshold"));
        w.routingState()->waitForTraining();
        QVERIFY(w.routingState()->isRouted());

        const data::RowIndex target = 4;
        w.selectRow(target);
        QCOMPARE(w.drillDown()->row().value_or(999), target);
        const QString text = w.drillDown()->detailsText();
        const auto& samples = ds.small().verifier_samples[target];
        QVERIFY(!samples.empty());
        for (const auto& s : samples) QVERIFY2(text.contains(QString::fromStdString(s)), qPrintable(text));
        int correct = 0, withVerdict = 0;
        for (const auto& s : samples) {
            const QString lower = QString::fromStdString(s).toLower();
            correct += lower.contains(QStringLiteral("the ai generated answer is correct"));
            withVerdict += lower.contains(QStringLiteral("the ai generated answer is"));
        }
        QVERIFY2(text.contains(QStringLiteral("%1 samples: %2 correct / %3 with a verdict")
                                   .arg(samples.size())
                                   .arg(correct)
                                   .arg(withVerdict)),
                 qPrintable(text));
        QVERIFY(text.contains(ui::toQString(ds.question[target])));
        const bool escalate = w.routingState()->decision(target) > 0;
        QVERIFY(text.contains(escalate ? QStringLiteral("ESCALATE") : QStringLiteral("STAY")));
        const QString reason = w.routingState()->explain(target);
        QVERIFY(!reason.isEmpty());
        QVERIFY2(text.contains(reason), qPrintable(text));
        QVERIFY(w.drillDown()->contextText().contains(ui::toQString(ds.gold[target])));

        // Copy as JSON round-trips the row's identity and decision.
        const QJsonObject json = QJsonDocument::fromJson(w.drillDown()->rowJson().toUtf8()).object();
        QCOMPARE(json.value(QStringLiteral("id")).toString(), ui::toQString(ds.id[target]));
        QCOMPARE(json.value(QStringLiteral("routing")).toObject().value(QStringLiteral("escalate")).toBool(), escalate);
        w.drillDown()->copyRowJson();
        QCOMPARE(QApplication::clipboard()->text(), w.drillDown()->rowJson());

        // Next / previous row (keyboard shortcuts) move the selection and the panel follows.
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        const int tableRow = w.queryModel()->tableRowOf(target);
        QTest::keyClick(w.queryTable(), Qt::Key_Down, Qt::AltModifier);
        QCOMPARE(w.queryTable()->currentIndex().row(), tableRow + 1);
        QCOMPARE(w.drillDown()->row().value_or(999), w.queryModel()->datasetRow(tableRow + 1));
        QTest::keyClick(w.queryTable(), Qt::Key_Up, Qt::AltModifier);
        QCOMPARE(w.drillDown()->row().value_or(999), target);
    }

    void drillDownShowsGapsAndOddText() {
        MainWindow w;
        QString error;
        QVERIFY2(w.openFile(fixture("odd_rows.jsonl"), &error), qPrintable(error));
        const data::Dataset& ds = *w.dataset();
        QCOMPARE(ds.size(), std::size_t(3));
        w.selectSplit(QStringLiteral("all"));

        // Row without question, context, small answer or verifier samples: the gaps are named.
        w.selectRow(0);
        QCOMPARE(w.drillDown()->row().value_or(99), data::RowIndex(0));
        QString text = w.drillDown()->detailsText();
        QVERIFY2(text.contains(QStringLiteral("(none in file)")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("(no answer)")));
        QVERIFY(!text.contains(QStringLiteral("Verifier samples")));
        QVERIFY(w.drillDown()->contextText().contains(QStringLiteral("no context")));

        // Right-to-left override, zero-width space and a combining accent pass through intact.
        w.selectRow(1);
        text = w.drillDown()->detailsText();
        QVERIFY(text.contains(QString::fromUtf8("\u202eeulb")));
        QVERIFY(text.contains(QString::fromUtf8("What colour was the sky?\u200b")));
        QVERIFY(text.contains(QString::fromUtf8("Cafe\u0301")));
        QVERIFY(text.contains(QStringLiteral("2 samples: 1 correct / 2 with a verdict")));
        QVERIFY(w.drillDown()->contextText().contains(QString::fromUtf8("\u202eeulb\u202c")));
    }

    void dropEventLoadsTheFile() {
        MainWindow w;
        QVERIFY(w.openDemo());
        QSignalSpy finished(&w, &MainWindow::loadFinished);
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(fixture("small.jsonl"))});
        QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &drop);
        QVERIFY(finished.wait(10000) || finished.count() == 1);
        QCOMPARE(finished.first().at(0).toBool(), true);
        QCOMPARE(w.dataset()->size(), std::size_t(12));
        QCOMPARE(w.currentFile(), fixture("small.jsonl"));
    }

    void badFileShowsErrorAndKeepsData() {
        MainWindow w;
        QVERIFY(w.openFile(fixture("small.jsonl")));
        const data::Dataset* before = w.dataset();
        QSignalSpy finished(&w, &MainWindow::loadFinished);
        w.startLoad(fixture("bad_line3.jsonl"));  // the menu's path
        QVERIFY(finished.wait(10000) || finished.count() == 1);
        QCOMPARE(finished.first().at(0).toBool(), false);
        QTRY_VERIFY(w.errorDialog() != nullptr);
        const QString message = w.errorDialog()->text();
        QVERIFY2(message.contains(QStringLiteral("bad_line3.jsonl:3")), qPrintable(message));
        QCOMPARE(w.dataset(), before);
        QCOMPARE(w.dataset()->size(), std::size_t(12));
        QCOMPARE(w.currentFile(), fixture("small.jsonl"));
        QCOMPARE(w.queryModel()->rowCount(), 6);  // val rows of the old file still listed
        w.errorDialog()->close();

        // A missing file is an error too, with the same guarantee; it leaves Open Recent.
        QSettings().setValue(QStringLiteral("recentFiles"),
                             QStringList{fixture("does-not-exist.jsonl"), fixture("small.jsonl")});
        QString error;
        QVERIFY(!w.openFile(fixture("does-not-exist.jsonl"), &error));
        QVERIFY(error.contains(QStringLiteral("does-not-exist.jsonl")));
        QCOMPARE(w.dataset(), before);
        QCOMPARE(QSettings().value(QStringLiteral("recentFiles")).toStringList(), QStringList{fixture("small.jsonl")});
    }

    void bigFileReportsProgressAndCancels() {
        // ~60k rows written from the small fixture with unique ids: big enough that the load
        // is still running when Cancel is pressed.
        QTemporaryDir dir;
        const QString big = dir.filePath(QStringLiteral("big.jsonl"));
        {
            QFile in(fixture("small.jsonl"));
            QVERIFY(in.open(QIODevice::ReadOnly));
            const QList<QByteArray> lines = in.readAll().split('\n');
            QFile out(big);
            QVERIFY(out.open(QIODevice::WriteOnly));
            for (int copy = 0; copy < 5000; ++copy)
                for (QByteArray line : lines) {
                    if (line.isEmpty()) continue;
                    line.replace("\"id\": \"ui-", "\"id\": \"ui-" + QByteArray::number(copy) + "-");
                    out.write(line + '\n');
                }
        }
        MainWindow w;
        QVERIFY(w.openFile(fixture("small.jsonl")));
        const data::Dataset* before = w.dataset();

        QSignalSpy finished(&w, &MainWindow::loadFinished);
        w.startLoad(big);
        QVERIFY(w.isLoading());
        w.cancelLoad();
        QVERIFY(finished.wait(20000) || finished.count() == 1);
        QCOMPARE(finished.first().at(0).toBool(), false);
        QVERIFY(finished.first().at(1).toString().contains(QStringLiteral("cancel"), Qt::CaseInsensitive));
        QVERIFY(!w.errorDialog());  // cancelling is not an error
        QCOMPARE(w.dataset(), before);

        QSignalSpy progress(&w, &MainWindow::loadProgress);
        QString error;
        QVERIFY2(w.openFile(big, &error), qPrintable(error));
        QCOMPARE(w.dataset()->size(), std::size_t(60000));
        QVERIFY(progress.count() >= 2);
        for (const auto& args : progress) QVERIFY(args.at(0).toInt() >= 0 && args.at(0).toInt() <= 1000);
    }

    void skipBadLinesKeepsTheGoodRows() {
        MainWindow w;
        w.setSkipBadLines(true);
        QString error;
        QVERIFY2(w.openFile(fixture("bad_line3.jsonl"), &error), qPrintable(error));
        QCOMPARE(w.dataset()->size(), std::size_t(4));
        w.setSkipBadLines(false);
    }

    void openDialogHasSkipBadLinesOption() {
        MainWindow w;
        QVERIFY(w.openFile(fixture("small.jsonl")));
        QAction* open = nullptr;
        for (QAction* a : w.findChildren<QAction*>())
            if (a->shortcut() == QKeySequence(QKeySequence::Open)) open = a;
        QVERIFY(open);
        bool sawOption = false;
        QSignalSpy finished(&w, &MainWindow::loadFinished);
        // The dialog is modal: drive it from a timer once it is up.
        QTimer::singleShot(0, this, [&] {
            auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            for (auto* box : dialog->findChildren<QCheckBox*>())
                if (box->text().contains(QStringLiteral("Skip bad lines"))) {
                    sawOption = true;
                    box->setChecked(true);
                }
            dialog->selectFile(fixture("bad_line3.jsonl"));
            static_cast<QDialog*>(dialog)->accept();  // QFileDialog::accept checks the selection
        });
        open->trigger();
        QVERIFY(sawOption);
        QVERIFY(finished.wait(10000) || finished.count() == 1);
        QCOMPARE(finished.first().at(0).toBool(), true);
        QCOMPARE(w.dataset()->size(), std::size_t(4));  // line 3 skipped
        w.setSkipBadLines(false);
    }

    void windowStatePersists() {
        {
            MainWindow w;
            QVERIFY(w.openFile(fixture("small.jsonl")));
            w.selectMethod(QStringLiteral("Threshold"));
            w.queryTable()->setColumnWidth(ui::QueryTableModel::Id, 211);
            w.saveSettings();
        }
        MainWindow w2;
        QVERIFY(w2.openFile(fixture("small.jsonl")));
        QCOMPARE(w2.routingState()->methodName(), QStringLiteral("Threshold"));
        QCOMPARE(w2.queryTable()->columnWidth(ui::QueryTableModel::Id), 211);
        QCOMPARE(QSettings().value(QStringLiteral("recentFiles")).toStringList().value(0), fixture("small.jsonl"));
        w2.selectMethod(QString());
        w2.saveSettings();
    }

    void rendersToPng() {
        MainWindow w;
        QVERIFY(w.openDemo());
        w.selectMethod(QStringLiteral("Threshold"));
        w.routingState()->waitForTraining();
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const QPixmap shot = w.grab();
        QVERIFY(shot.width() >= 800 && shot.height() >= 500);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("main.png"));
        QVERIFY(shot.save(path, "PNG"));
        QVERIFY(QFileInfo(path).size() > 10000);
        w.selectMethod(QString());
    }

    // The row count stays whole in a small window and at the window's default size, with the
    // widest texts the filter bar shows (it used to read "8,978 of 10,000 r…" at 1024×700); a
    // long chip is shortened instead, its whole text in the tooltip.
    void rowCountFitsInSmallWindows() {
        for (const QSize size : {QSize(1024, 700), QSize(1500, 940)}) {
            MainWindow w;
            w.resize(size);
            QVERIFY(w.openDemo());
            w.selectMethod(QStringLiteral("Threshold"));
            w.routingState()->waitForTraining();
            w.selectDataset(QString());
            w.selectSplit(QStringLiteral("all"));
            w.filterBar()->setDecision(ui::QueryFilter::Decision::Stayed);
            // The longest chip a chart sets (a verifier histogram bar's), and a search text.
            const data::Dataset& ds = *w.dataset();
            w.routingState()->setLinkedFilter(QStringLiteral("confidence bin 0.906 of %1, %2 answer wrong")
                                                  .arg(ui::toQString(ds.dataset_names.front()),
                                                       ui::toQString(ds.small().name)),
                                              [&ds](data::RowIndex r) { return ds.dataset_index[r] != 1; });
            w.filterBar()->setSearchText(QStringLiteral("party"));
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            auto* counts = w.findChild<QLabel*>(QStringLiteral("rowCounts"));
            QVERIFY(counts);
            const QLocale loc;
            QVERIFY2(counts->text().endsWith(tr("of %1 rows").arg(loc.toString(qulonglong(w.dataset()->size())))),
                     qPrintable(counts->text()));
            // Whole: as wide as its text, and inside the filter bar, which is inside its pane.
            const int needed = counts->fontMetrics().horizontalAdvance(counts->text());
            QVERIFY2(counts->contentsRect().width() >= needed,
                     qPrintable(QStringLiteral("%1x%2: %3 px for %4 px of text")
                                    .arg(size.width())
                                    .arg(size.height())
                                    .arg(counts->contentsRect().width())
                                    .arg(needed)));
            QVERIFY(counts->geometry().right() <= w.filterBar()->width());
            QVERIFY(w.filterBar()->geometry().right() <= w.filterBar()->parentWidget()->width());
            QVERIFY(counts->isVisible());
            auto* chip = w.filterBar()->findChild<QToolButton*>(QStringLiteral("linkedFilter"));
            QVERIFY(chip->isVisible());
            QVERIFY(chip->geometry().right() < counts->geometry().left());
            QVERIFY2(chip->toolTip().contains(QStringLiteral("confidence bin 0.906 of")), qPrintable(chip->toolTip()));

            // The status line: whole parts only, as many as fit; the ones left out are in the tooltip.
            auto* summary = qobject_cast<ui::PartsLabel*>(w.summaryLabel());
            QVERIFY(summary);
            const QStringList parts = summary->parts();
            QVERIFY(parts.size() >= 5);  // rows, method, and the headline metrics
            QVERIFY(summary->shownParts() >= 1);
            QTextDocument doc;
            doc.setDefaultFont(summary->font());
            doc.setDocumentMargin(0);
            doc.setHtml(summary->text());
            QVERIFY2(
                doc.idealWidth() <= summary->contentsRect().width(),
                qPrintable(
                    QStringLiteral("%1 px of text in %2").arg(doc.idealWidth()).arg(summary->contentsRect().width())));
            for (int i = 0; i < summary->shownParts(); ++i) QVERIFY(summary->text().contains(parts[i]));
            if (summary->shownParts() < parts.size()) {
                QVERIFY(summary->text().endsWith(QStringLiteral("…")));
                QVERIFY(!summary->text().contains(parts.last()));
                const QString last = QTextDocumentFragment::fromHtml(parts.last()).toPlainText();
                QVERIFY2(summary->toolTip().contains(last), qPrintable(summary->toolTip()));
            }
            // Wider: every part shows.
            w.resize(2400, size.height());
            QTRY_COMPARE(summary->shownParts(), int(parts.size()));
            QVERIFY(!summary->text().endsWith(QStringLiteral("…")));
            w.selectMethod(QString());
        }
    }

    // File ▸ Open on a FIFO that nobody writes to: the load waits, Cancel ends it, and closing a
    // window whose load still waits returns at once (it used to hang in open()).
    void fifoWithoutWriterCancelsAndCloses() {
        QTemporaryDir dir;
        const QString fifo = dir.filePath(QStringLiteral("silent.fifo"));
        QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
        {
            MainWindow w;
            w.startLoad(fifo);
            QTest::qWait(300);
            QVERIFY(w.isLoading());
            w.cancelLoad();
            QTRY_VERIFY_WITH_TIMEOUT(!w.isLoading(), 2000);
        }
        auto w = std::make_unique<MainWindow>();
        w->startLoad(fifo);
        QTest::qWait(300);
        QVERIFY(w->isLoading());
        QElapsedTimer closing;
        closing.start();
        w.reset();
        QVERIFY2(closing.elapsed() < 2000, qPrintable(QString::number(closing.elapsed())));
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"

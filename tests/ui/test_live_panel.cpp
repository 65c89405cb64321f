// The Live panel as a user drives it, against the replay server on 127.0.0.1: load a config,
// run the selected queries, ask a playground question, type a session key, cancel, save.
#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QPlainTextEdit>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/data/reader.hpp"
#include "core/live/replay_server.hpp"
#include "core/routing/method.hpp"
#include "core/scoring/verifier.hpp"
#include "live/support_foreign.hpp"
#include "ui/drill_down_panel.hpp"
#include "ui/qt_text.hpp"
#include "ui/query_table_model.hpp"
#include "ui/live_panel.hpp"
#include "ui/main_window.hpp"
#include "ui/routing_state.hpp"

using namespace automix;
using automix::ui::LivePanel;
using automix::ui::LiveRunResult;

namespace {

std::shared_ptr<const data::Dataset> fixture() {
    static auto ds =
        std::make_shared<const data::Dataset>(data::load_file(AUTOMIX_TEST_DATA "/live/sample60.jsonl").dataset);
    return ds;
}

QString writeConfig(const QTemporaryDir& dir, const std::string& base_url, const std::string& name = "models.json") {
    nlohmann::json small = {
        {"name", "small"}, {"base_url", base_url}, {"model", "llama13b"}, {"price_per_call", 0.001}};
    nlohmann::json large = {{"name", "large"}, {"base_url", base_url}, {"model", "llama70b"}, {"price_per_call", 0.05}};
    nlohmann::json cfg = {{"models", {small, large}},
                          {"verifier", {{"k", 32}}},
                          {"meta_verifier", {{"method", "Threshold"}, {"params", 0.375}}},
                          {"run_all_models", true}};  // complete rows, so saved results load offline
    const QString path = dir.path() + "/" + QString::fromStdString(name);
    std::ofstream(path.toStdString()) << cfg.dump();
    return path;
}

// A two-model config for the foreign server: the small model priced by `smallPrice`, the large
// one by call and named `largeModel` (misspell it to see a failed check).
QString writeForeignConfig(const QTemporaryDir& dir, const std::string& base_url, const nlohmann::json& smallPrice,
                           const std::string& largeModel) {
    nlohmann::json small = {{"name", "small"}, {"base_url", base_url}, {"model", "small-model"}};
    small.update(smallPrice);
    nlohmann::json large = {{"name", "large"}, {"base_url", base_url}, {"model", largeModel}, {"price_per_call", 0.5}};
    nlohmann::json cfg = {{"models", {small, large}},
                          {"verifier", {{"k", 4}}},
                          {"meta_verifier", {{"method", "Threshold"}, {"params", 0.5}}}};
    const QString path = dir.path() + "/foreign.json";
    std::ofstream(path.toStdString()) << cfg.dump();
    return path;
}

QPushButton* button(QWidget* w, const QString& text) {
    for (auto* b : w->findChildren<QPushButton*>())
        if (b->text() == text) return b;
    return nullptr;
}

std::string allBytes(const QString& dir) {
    std::string all;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.toStdString()))
        if (e.is_regular_file()) {
            std::ifstream in(e.path(), std::ios::binary);
            std::stringstream ss;
            ss << in.rdbuf();
            all += ss.str();
        }
    return all;
}

}  // namespace

class TestLivePanel : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void runSelectedQueries();
    void playgroundQuestion();
    void sessionKeyIsUsedButNeverWritten();
    void cancelStopsQuickly();
    void invalidConfigIsExplained();
    void reachableFromTheMainWindow();
    void resultsFlowIntoTheExplorer();
    void foreignServerMoneyIsMarkedEstimated();
    void failedCheckNamesTheModel();
    void routedOutputOpensInTheExplorer();
    void configEditedInTheExplorer();
    void deployWritesTheEndpointsAndTheTunedRouting();
};

void TestLivePanel::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    qRegisterMetaType<std::shared_ptr<const LiveRunResult>>();
}

void TestLivePanel::runSelectedQueries() {
    live::ReplayServer server(fixture(), {});
    server.start(0);
    QTemporaryDir dir;
    const std::vector<data::RowIndex> selected = {0, 5, 20, 47};
    LivePanel panel([] { return fixture().get(); }, [&] { return selected; });
    panel.show();
    QVERIFY(panel.loadConfig(writeConfig(dir, server.base_url())));
    panel.setCacheDirectory(dir.path() + "/cache");
    QSignalSpy landed(&panel, &LivePanel::resultsLanded);
    QTest::mouseClick(button(&panel, "Run selected queries"), Qt::LeftButton);
    QVERIFY(landed.wait(20000));
    const auto result = panel.lastResult();
    QVERIFY(result && !result->cancelled);
    QCOMPARE(result->outcomes.size(), selected.size());
    auto* table = panel.findChild<QTableWidget*>();
    QVERIFY(table);
    int resultsTable = 0;
    for (auto* t : panel.findChildren<QTableWidget*>())
        if (t->columnCount() == 9) {
            table = t;
            ++resultsTable;
        }
    QCOMPARE(resultsTable, 1);
    QCOMPARE(table->rowCount(), int(selected.size()));
    routing::Config rc;
    const auto decisions = routing::find_method("Threshold")->route(*fixture(), selected, 0.375, rc);
    for (int i = 0; i < table->rowCount(); ++i) {
        const auto r = selected[static_cast<std::size_t>(i)];
        QCOMPARE(table->item(i, 0)->text().toStdString(), fixture()->id[r]);
        const auto& expectedModel = fixture()->models[decisions[static_cast<std::size_t>(i)]];
        QCOMPARE(table->item(i, 2)->text().toStdString(), expectedModel.answer[r]);
        QCOMPARE(table->item(i, 1)->text(), decisions[static_cast<std::size_t>(i)] ? QString("small → large") : QString("small"));
        QCOMPARE(table->item(i, 3)->text(), QString::number(fixture()->models[0].verifier_confidence[r], 'f', 3));
        QCOMPARE(table->item(i, 6)->text(),
                 "$" + QString::number(result->outcomes[static_cast<std::size_t>(i)].money, 'f', 4));
    }
    QVERIFY2(panel.statusText().contains("tokens"), qPrintable(panel.statusText()));
    QVERIFY2(panel.statusText().contains("rows 4/4"), qPrintable(panel.statusText()));
    QVERIFY(panel.statusText().contains("small: 8 calls"));
    QVERIFY(!panel.logText().isEmpty());
    // Saved results are a release-format file the offline reader loads.
    QVERIFY(panel.saveResults(dir.path() + "/out.jsonl"));
    const auto saved = data::load_file((dir.path() + "/out.jsonl").toStdString()).dataset;
    QCOMPARE(saved.size(), selected.size());
    QCOMPARE(saved.models[0].verifier_samples[1], fixture()->models[0].verifier_samples[5]);
    // Running again is answered from the cache.
    const auto before = server.request_count();
    QTest::mouseClick(button(&panel, "Run selected queries"), Qt::LeftButton);
    QVERIFY(landed.wait(20000));
    QCOMPARE(server.request_count(), before);
    QVERIFY2(panel.statusText().contains("small: 0 calls (132 cached)"),
             qPrintable(panel.statusText()));  // 4 answers + 4 x 32 samples
}

void TestLivePanel::playgroundQuestion() {
    live::ReplayServer server(fixture(), {});
    server.start(0);
    QTemporaryDir dir;
    LivePanel panel([] { return nullptr; }, {});
    panel.show();
    QVERIFY(panel.loadConfig(writeConfig(dir, server.base_url())));
    panel.setCacheDirectory(QString());
    // No data loaded: "run selected" explains instead of failing silently.
    QVERIFY(!panel.runSelected());
    QVERIFY(panel.statusText().contains("Load a data file first"));
    QLineEdit* question = nullptr;
    for (auto* e : panel.findChildren<QLineEdit*>())
        if (e->placeholderText().startsWith("Playground")) question = e;
    QVERIFY(question);
    QTest::keyClicks(question, ui::toQString(fixture()->question[12]));
    QSignalSpy landed(&panel, &LivePanel::resultsLanded);
    QTest::mouseClick(button(&panel, "Ask"), Qt::LeftButton);
    QVERIFY(landed.wait(20000));
    const auto result = panel.lastResult();
    QCOMPARE(result->outcomes.size(), std::size_t(1));
    QVERIFY(result->outcomes[0].done);
    QCOMPARE(result->input.dataset.models[0].answer[0], fixture()->models[0].answer[12]);
}

void TestLivePanel::sessionKeyIsUsedButNeverWritten() {
    const QString key = "sk-gui-session-4e2a77c1";
    live::ReplayOptions o;
    o.required_key = key.toStdString();
    live::ReplayServer server(fixture(), o);
    server.start(0);
    QTemporaryDir dir;
    const std::vector<data::RowIndex> selected = {1, 2};
    LivePanel panel([] { return fixture().get(); }, [&] { return selected; });
    panel.show();
    QVERIFY(panel.loadConfig(writeConfig(dir, server.base_url())));
    panel.setCacheDirectory(dir.path() + "/cache");
    QSignalSpy landed(&panel, &LivePanel::resultsLanded);
    // Without a key the server refuses and the reason is shown per row.
    QVERIFY(panel.runSelected());
    QVERIFY(landed.wait(20000));
    QVERIFY(!panel.lastResult()->outcomes[0].done);
    QVERIFY(QString::fromStdString(panel.lastResult()->outcomes[0].error).contains("HTTP 401"));
    // Type the key into both models' password fields, as a user would.
    int typed = 0;
    for (auto* e : panel.findChildren<QLineEdit*>())
        if (e->echoMode() == QLineEdit::Password) {
            QTest::keyClicks(e, key);
            ++typed;
        }
    QCOMPARE(typed, 2);
    QVERIFY(panel.runSelected());
    QVERIFY(landed.wait(20000));
    QVERIFY(panel.lastResult()->outcomes[0].done);
    QVERIFY(panel.lastResult()->outcomes[1].done);
    QVERIFY(panel.saveResults(dir.path() + "/out.jsonl"));
    const std::string bytes = allBytes(dir.path());
    QVERIFY(bytes.find("llama13b_pred_ans") != std::string::npos);
    QVERIFY(bytes.find(key.toStdString()) == std::string::npos);
    QVERIFY(!panel.logText().contains(key));
}

void TestLivePanel::cancelStopsQuickly() {
    live::ReplayOptions o;
    o.latency_ms = 10000;
    live::ReplayServer server(fixture(), o);
    server.start(0);
    QTemporaryDir dir;
    std::vector<data::RowIndex> all(60);
    for (data::RowIndex i = 0; i < 60; ++i) all[i] = i;
    LivePanel panel([] { return fixture().get(); }, [&] { return all; });
    panel.show();
    QVERIFY(panel.loadConfig(writeConfig(dir, server.base_url())));
    panel.setCacheDirectory(QString());
    QSignalSpy landed(&panel, &LivePanel::resultsLanded);
    QVERIFY(panel.runSelected());
    QVERIFY(panel.isRunning());
    QVERIFY(!button(&panel, "Run selected queries")->isEnabled());
    QTest::qWait(200);
    const auto t0 = std::chrono::steady_clock::now();
    QTest::mouseClick(button(&panel, "Cancel"), Qt::LeftButton);
    QVERIFY(landed.wait(5000));
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    QVERIFY2(took < 1.0, std::to_string(took).c_str());
    QVERIFY(panel.lastResult()->cancelled);
    QVERIFY(panel.statusText().contains("cancelled"));
    QVERIFY(button(&panel, "Run selected queries")->isEnabled());
}

void TestLivePanel::invalidConfigIsExplained() {
    QTemporaryDir dir;
    const QString path = dir.path() + "/bad.json";
    std::ofstream(path.toStdString())
        << R"({"models":[{"name":"s","base_url":"http://127.0.0.1:1/v1","model":"a","price_per_call":0},
        {"name":"l","base_url":"http://127.0.0.1:1/v1","model":"b","price_per_call":1,"max_concurrency":0}],
        "meta_verifier":{"method":"Threshold","params":0.5}})";
    LivePanel panel([] { return fixture().get(); }, {});
    panel.show();
    QVERIFY(!panel.loadConfig(path));
    QVERIFY(!panel.hasConfig());
    bool shown = false;
    for (auto* l : panel.findChildren<QLabel*>())
        shown = shown || l->text().contains("models[1].max_concurrency: value 0 is outside");
    QVERIFY(shown);
    QVERIFY(!button(&panel, "Run selected queries")->isEnabled());
    QVERIFY(!button(&panel, "Ask")->isEnabled());
}

// The explorer's own Live tab and menu: open the data, select a query in the table, run it
// from the Live menu against the replay server; the result lands in the tab.
void TestLivePanel::reachableFromTheMainWindow() {
    live::ReplayServer server(fixture(), {});
    server.start(0);
    QTemporaryDir dir;
    ui::MainWindow w;
    QString error;
    QVERIFY2(w.openFile(QStringLiteral(AUTOMIX_TEST_DATA "/live/sample60.jsonl"), &error), qPrintable(error));
    auto* panel = w.findChild<LivePanel*>(QStringLiteral("livePanel"));
    QVERIFY(panel);
    bool tab = false;
    for (int i = 0; i < w.bottomTabs()->count(); ++i) tab = tab || w.bottomTabs()->widget(i) == panel;
    QVERIFY(tab);
    auto* menu = w.findChild<QMenu*>(QStringLiteral("liveMenu"));
    QVERIFY(menu && w.menuBar()->actions().contains(menu->menuAction()));
    QVERIFY(menu);
    QAction* runOne = nullptr;
    for (QAction* a : menu->actions())
        if (a->text().remove(QLatin1Char('&')) == QStringLiteral("Run Selected Query")) runOne = a;
    QVERIFY(runOne);
    QVERIFY(panel->loadConfig(writeConfig(dir, server.base_url())));
    panel->setCacheDirectory(dir.path() + "/cache");
    w.selectSplit(QStringLiteral("all"));
    w.selectRow(7);
    QCOMPARE(w.routingState()->currentRow(), std::optional<data::RowIndex>(7));
    QSignalSpy landed(panel, &LivePanel::resultsLanded);
    runOne->trigger();
    QCOMPARE(w.bottomTabs()->currentWidget(), panel);
    QVERIFY(landed.wait(20000));
    const auto result = panel->lastResult();
    QVERIFY(result && !result->cancelled);
    QCOMPARE(result->outcomes.size(), std::size_t(1));
    QCOMPARE(result->input.dataset.id[0], fixture()->id[7]);
    QVERIFY(result->outcomes[0].done);
}

namespace {
QAction* menuAction(ui::MainWindow& w, const QString& text) {
    auto* menu = w.findChild<QMenu*>(QStringLiteral("liveMenu"));
    for (QAction* a : menu ? menu->actions() : QList<QAction*>{})
        if (a->text().remove(QLatin1Char('&')) == text) return a;
    return nullptr;
}
}  // namespace

// The whole loop a user goes through in the explorer: check the endpoints, route live with the
// routing trained in the toolbar, run a query, read its live columns in the table and its calls
// in the drill-down, then open the live results as data of their own.
void TestLivePanel::resultsFlowIntoTheExplorer() {
    live::ReplayServer server(fixture(), {});
    server.start(0);
    QTemporaryDir dir;
    ui::MainWindow w;
    QString error;
    QVERIFY2(w.openFile(QStringLiteral(AUTOMIX_TEST_DATA "/live/sample60.jsonl"), &error), qPrintable(error));
    auto* panel = w.findChild<LivePanel*>(QStringLiteral("livePanel"));
    QVERIFY(panel->loadConfig(writeConfig(dir, server.base_url())));
    panel->setCacheDirectory(dir.path() + "/cache");

    // Check endpoints: both models answer, shown per model in the keys table.
    QTest::mouseClick(button(panel, "Check endpoints"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->isChecking(), 20000);
    QCOMPARE(panel->lastChecks().size(), std::size_t(2));
    for (const auto& c : panel->lastChecks()) QVERIFY2(c.ok, c.message.c_str());
    QVERIFY2(panel->statusText().contains("All endpoints answer (2)"), qPrintable(panel->statusText()));

    // Without training there is nothing to use; after Train the trained threshold is used.
    w.selectSplit(QStringLiteral("all"));
    w.selectMethod(QString());
    QTest::mouseClick(button(panel, "Use explorer's routing"), Qt::LeftButton);
    QVERIFY2(panel->statusText().contains("press Train"), qPrintable(panel->statusText()));
    w.selectMethod(QStringLiteral("Threshold"));
    w.routingState()->train();
    w.routingState()->waitForTraining();
    // The selected query's dataset gives the parameters (they are trained per dataset).
    w.selectRow(3);
    const int datasetOfRow = static_cast<int>(fixture()->dataset_index[3]);
    const auto* trained = w.routingState()->trainedFor(datasetOfRow);
    QVERIFY(trained && trained->error.isEmpty());
    menuAction(w, "Use Current Routing Live")->trigger();
    QVERIFY2(panel->statusText().contains("Threshold " + QString::fromStdString(trained->params.dump()) +
                                          " (trained on " + w.routingState()->snapshot()->datasetName(datasetOfRow)),
             qPrintable(panel->statusText()));

    // Run two queries, one at a time, from the menu.
    QSignalSpy landed(panel, &LivePanel::resultsLanded);
    const std::vector<data::RowIndex> ran = {3, 11};
    for (const auto row : ran) {
        w.selectRow(row);
        menuAction(w, "Run Selected Query")->trigger();
        QVERIFY(landed.wait(20000));
        QVERIFY(panel->lastResult()->outcomes.at(0).done);
    }
    auto* model = w.queryModel();
    QVERIFY(model->hasLiveColumns());
    QCOMPARE(model->headerData(model->liveColumn(ui::QueryTableModel::LiveMoney), Qt::Horizontal, Qt::DisplayRole)
                 .toString(),
             QString("live $"));
    routing::Config rc;
    const auto decisions = routing::find_method("Threshold")->route(*fixture(), ran, trained->params, rc);
    const auto cell = [&](data::RowIndex r, ui::QueryTableModel::LiveField f) {
        return model->data(model->index(model->tableRowOf(r), model->liveColumn(f)), Qt::DisplayRole).toString();
    };
    for (std::size_t i = 0; i < ran.size(); ++i) {
        const auto r = ran[i];
        const auto& decided = fixture()->models[decisions[i]];
        QCOMPARE(cell(r, ui::QueryTableModel::LiveModel), decisions[i] ? QString("large") : QString("small"));
        QCOMPARE(cell(r, ui::QueryTableModel::LiveAnswer), ui::toQString(decided.answer[r]).simplified());
        QCOMPARE(cell(r, ui::QueryTableModel::LivePath), decisions[i] ? QString("small → large") : QString("small"));
        QVERIFY(cell(r, ui::QueryTableModel::LiveMoney).startsWith("$"));
    }
    // The last run's money, as the Live tab reports it, is the table's figure for that row.
    const auto last = panel->lastResult();
    QCOMPARE(cell(ran[1], ui::QueryTableModel::LiveMoney), "$" + QString::number(last->outcomes[0].money, 'f', 4));
    QVERIFY2(panel->statusText().contains("incl. cached calls $" + QString::number(last->totals.money_total, 'f', 4)),
             qPrintable(panel->statusText()));
    QCOMPARE(cell(5, ui::QueryTableModel::LiveMoney), QString());  // never run live

    // The drill-down shows each call: prompt, reply and every verification sample's verdict.
    w.selectRow(3);
    const QString details = w.drillDown()->detailsText();
    QVERIFY2(details.contains("Live run"), qPrintable(details.left(2000)));
    QVERIFY(details.contains("small · answer"));
    QVERIFY(details.contains("small · verify"));
    QVERIFY(details.contains(ui::toQString(fixture()->question[3]).simplified().left(40)));
    const auto counts = scoring::count_verdicts(fixture()->models[0].verifier_samples[3]);
    QCOMPARE(int(details.count("[correct]")), counts.correct);
    QCOMPARE(int(details.count("[incorrect]")), counts.incorrect);

    if (const QByteArray shots = qgetenv("AUTOMIX_SCREENSHOT_DIR"); !shots.isEmpty()) {  // for looking at it
        w.resize(1600, 1000);
        w.show();
        QTest::qWait(200);
        w.grab().save(QString::fromUtf8(shots) + "/live-explorer.png");
        w.drillDown()->resize(700, 1400);
        w.drillDown()->grab().save(QString::fromUtf8(shots) + "/live-drilldown.png");
    }

    // The results as data of their own: every view then shows them.
    QSignalSpy loaded(&w, &ui::MainWindow::loadFinished);
    menuAction(w, "Open Live Results as Data")->trigger();
    QVERIFY(loaded.wait(20000));
    QVERIFY2(loaded.at(0).at(0).toBool(), qPrintable(loaded.at(0).at(1).toString()));
    QCOMPARE(w.dataset()->size(), std::size_t(1));
    QCOMPARE(w.dataset()->id[0], fixture()->id[11]);
    QVERIFY(!model->hasLiveColumns());  // another file: its rows have no live results
    QFile::remove(w.currentFile());
}

// A server that omits `usage` with per-token prices: the money is estimated, and says so in the
// results table and the status line.
void TestLivePanel::foreignServerMoneyIsMarkedEstimated() {
    live_test::ForeignOptions o;
    o.omit_usage = true;
    o.ignore_n = true;
    live_test::ForeignServer server(o);
    QTemporaryDir dir;
    const QString path = writeForeignConfig(dir, server.base_url(),
                                            {{"price_per_1k_input", 1.0}, {"price_per_1k_output", 2.0}}, "large-model");
    LivePanel panel([] { return fixture().get(); }, [] { return std::vector<data::RowIndex>{}; });
    QVERIFY(panel.loadConfig(path));
    panel.setCacheDirectory(QString());
    QSignalSpy landed(&panel, &LivePanel::resultsLanded);
    QVERIFY(panel.runQuestion("Paris is the capital of France.", "What is the capital of France?"));
    QVERIFY(landed.wait(20000));
    const auto r = panel.lastResult();
    QVERIFY(r->outcomes.at(0).done);
    QVERIFY(r->outcomes[0].money_estimated);
    QVERIFY(r->totals.money_estimated > 0);
    // The server ignored n = 4: the samples were asked one by one, and every one was read.
    QCOMPARE(r->transcripts[0].steps.at(0).kind + r->transcripts[0].steps[1].kind, std::string("answerverify"));
    QCOMPARE(r->transcripts.at(0).steps.at(1).replies.size(), std::size_t(4));
    QCOMPARE(r->transcripts[0].steps[1].calls, 4);
    QVERIFY2(panel.statusText().contains("estimated"), qPrintable(panel.statusText()));
    QVERIFY2(panel.statusText().contains("server ignores n"), qPrintable(panel.statusText()));
    QTableWidget* table = nullptr;
    for (auto* t : panel.findChildren<QTableWidget*>())
        if (t->columnCount() == 9) table = t;
    QVERIFY(table);
    QVERIFY2(table->item(0, 6)->text().startsWith("~$"), qPrintable(table->item(0, 6)->text()));
    QCOMPARE(table->item(0, 2)->text(), QString("Paris"));
}

// A misspelt model name is found by the check, named, and costs no row.
void TestLivePanel::failedCheckNamesTheModel() {
    live_test::ForeignServer server;
    QTemporaryDir dir;
    const QString path = writeForeignConfig(dir, server.base_url(), {{"price_per_call", 0.01}}, "large-modle");
    LivePanel panel([] { return fixture().get(); }, [] { return std::vector<data::RowIndex>{}; });
    QVERIFY(panel.loadConfig(path));
    QVERIFY(panel.checkEndpoints());
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isChecking(), 20000);
    QCOMPARE(panel.lastChecks().size(), std::size_t(2));
    QVERIFY(panel.lastChecks()[0].ok);
    QVERIFY(!panel.lastChecks()[1].ok);
    QVERIFY2(panel.statusText().contains("large:"), qPrintable(panel.statusText()));
    QTableWidget* keys = nullptr;
    for (auto* t : panel.findChildren<QTableWidget*>())
        if (t->columnCount() == 4) keys = t;
    QVERIFY(keys);
    QVERIFY(keys->item(1, 3)->text().startsWith("FAILED"));
    QVERIFY(keys->item(0, 3)->text().startsWith("ok"));
}

// The routed output of `automix run` (the large model asked only when escalated): every row
// is in the table, the rows without a large-model score are left out of training and metrics.
void TestLivePanel::routedOutputOpensInTheExplorer() {
    ui::MainWindow w;
    QString error;
    QVERIFY2(w.openFile(QStringLiteral(AUTOMIX_TEST_DATA "/live/routed60.jsonl"), &error), qPrintable(error));
    const data::Dataset* ds = w.dataset();
    std::size_t unknown = 0;
    for (std::size_t r = 0; r < ds->size(); ++r)
        if (std::isnan(ds->large().score[r])) {
            ++unknown;
            QVERIFY(ds->unmeasured.at(r));
        }
    QVERIFY(unknown > 0);
    w.selectSplit(QStringLiteral("all"));
    w.selectDataset(QString());
    QCOMPARE(w.queryModel()->rowCount(), int(ds->size()));  // shown, all of them
    const int largeColumn = w.queryModel()->scoreColumn(1);
    int dashes = 0;
    for (int i = 0; i < w.queryModel()->rowCount(); ++i)
        dashes += w.queryModel()->data(w.queryModel()->index(i, largeColumn), Qt::DisplayRole).toString() == "—";
    QCOMPARE(dashes, int(unknown));  // unknown, not 0
    w.selectMethod(QStringLiteral("Threshold"));
    w.routingState()->train();
    w.routingState()->waitForTraining();
    QVERIFY2(w.routingState()->isRouted(), qPrintable(w.routingState()->lastError()));
    for (const auto& t : w.routingState()->trained()) {
        QVERIFY2(t.error.isEmpty(), qPrintable(t.error));
        for (const auto r : *t.trainRows) QVERIFY(!ds->unmeasured[r]);
    }
    const auto& m = w.routingState()->metrics();
    QVERIFY(m.valid);
    QCOMPARE(m.rows, ds->size() - unknown);
    QVERIFY(!std::isnan(m.values.avg_perf));
}

// No config file yet: Edit config… starts from a template for the replay server with the
// data's models; a broken edit is refused with the problem named; a fixed one runs.
void TestLivePanel::configEditedInTheExplorer() {
    live::ReplayServer server(fixture(), {});
    server.start(0);
    LivePanel panel([] { return fixture().get(); }, [] { return std::vector<data::RowIndex>{}; });
    panel.setCacheDirectory(QString());
    QTest::mouseClick(button(&panel, "Edit config…"), Qt::LeftButton);
    auto* dialog = panel.findChild<QDialog*>(QStringLiteral("configEditor"));
    QVERIFY(dialog && dialog->isVisible());
    auto* text = dialog->findChild<QPlainTextEdit*>(QStringLiteral("configText"));
    auto* problems = dialog->findChild<QLabel*>(QStringLiteral("configProblems"));
    const auto tmpl = nlohmann::json::parse(text->toPlainText().toStdString());
    QCOMPARE(tmpl["models"].size(), fixture()->models.size());
    QCOMPARE(tmpl["models"][0]["name"].get<std::string>(), fixture()->models[0].name);
    // Broken: no models.
    text->setPlainText(QStringLiteral("{\"models\": []}"));
    QTest::mouseClick(button(dialog, "Apply"), Qt::LeftButton);
    QVERIFY(dialog->isVisible());
    QVERIFY2(problems->text().startsWith("Not applied"), qPrintable(problems->text()));
    QVERIFY(!panel.hasConfig());
    // Fixed: the template pointed at this test's server.
    QString fixed = QString::fromStdString(tmpl.dump(2));
    fixed.replace(QStringLiteral("http://127.0.0.1:8431/v1"), QString::fromStdString(server.base_url()));
    text->setPlainText(fixed);
    QTest::mouseClick(button(dialog, "Apply"), Qt::LeftButton);
    QVERIFY(panel.hasConfig());
    QTRY_VERIFY(panel.findChild<QDialog*>(QStringLiteral("configEditor")) == nullptr);  // closed and deleted
    QSignalSpy landed(&panel, &LivePanel::resultsLanded);
    QVERIFY(panel.runQuestion(ui::toQString(fixture()->context(2)), ui::toQString(fixture()->question[2])));
    QVERIFY(landed.wait(20000));
    QVERIFY2(panel.lastResult()->outcomes.at(0).done, panel.lastResult()->outcomes[0].error.c_str());
}

// Deploy… from the Live tab: the Live tab's endpoints (and key variable names) with the routing
// trained in the explorer, for `automix serve`; a key typed for the session is never written.
void TestLivePanel::deployWritesTheEndpointsAndTheTunedRouting() {
    QTemporaryDir dir;
    ui::MainWindow w;
    QString error;
    QVERIFY2(w.openFile(QStringLiteral(AUTOMIX_TEST_DATA "/live/sample60.jsonl"), &error), qPrintable(error));
    auto* panel = w.findChild<LivePanel*>(QStringLiteral("livePanel"));
    nlohmann::json small = {{"name", "small"},          {"base_url", "http://127.0.0.1:9/v1"},
                            {"model", "llama13b"},      {"price_per_call", 0.001},
                            {"api_key_env", "SMALL_KEY"}};
    nlohmann::json large = {{"name", "large"},          {"base_url", "https://api.example.com/v1"},
                            {"model", "llama70b"},      {"price_per_call", 0.05},
                            {"api_key_env", "LARGE_KEY"}};
    const QString cfgPath = dir.path() + "/endpoints.json";
    std::ofstream(cfgPath.toStdString())
        << nlohmann::json{{"models", {small, large}},
                          {"verifier", {{"k", 8}}},
                          {"meta_verifier", {{"method", "Threshold"}, {"params", 0.5}}}}
               .dump();
    QVERIFY(panel->loadConfig(cfgPath));
    panel->setSessionKey(QStringLiteral("large"), QStringLiteral("sk-session-only-4711"));
    auto* deploy = panel->findChild<QPushButton*>(QStringLiteral("liveDeployButton"));
    QVERIFY(deploy && deploy->isVisibleTo(panel));

    // Nothing trained yet: the dialog says so and cannot save.
    w.selectSplit(QStringLiteral("all"));
    w.selectMethod(QStringLiteral("POMDP"));
    QTest::mouseClick(deploy, Qt::LeftButton);
    auto* dialog = panel->findChild<QDialog*>(QStringLiteral("deployDialog"));
    QVERIFY(dialog && dialog->isVisible());
    auto* buttons = dialog->findChild<QDialogButtonBox*>();
    QVERIFY(!buttons->button(QDialogButtonBox::Save)->isEnabled());
    QVERIFY(dialog->findChild<QLabel*>(QStringLiteral("deploySummary"))->text().contains("Nothing to deploy"));
    QTest::mouseClick(buttons->button(QDialogButtonBox::Cancel), Qt::LeftButton);
    QTRY_VERIFY(!panel->findChild<QDialog*>(QStringLiteral("deployDialog")));

    // Trained: the dialog names the routing and the key variables; Save writes the file.
    w.routingState()->train();
    w.routingState()->waitForTraining();
    w.selectRow(3);
    const int dataset = static_cast<int>(fixture()->dataset_index[3]);
    const auto* trained = w.routingState()->trainedFor(dataset);
    QVERIFY(trained && trained->error.isEmpty());
    QTest::mouseClick(deploy, Qt::LeftButton);
    dialog = panel->findChild<QDialog*>(QStringLiteral("deployDialog"));
    QVERIFY(dialog);
    const QString summary = dialog->findChild<QLabel*>(QStringLiteral("deploySummary"))->text();
    QVERIFY2(summary.contains("POMDP") && summary.contains("$LARGE_KEY"), qPrintable(summary));
    if (const QByteArray shots = qgetenv("AUTOMIX_SCREENSHOT_DIR"); !shots.isEmpty()) {  // for looking at it
        dialog->grab().save(QString::fromUtf8(shots) + "/live-deploy-dialog.png");
        w.bottomTabs()->setCurrentWidget(panel);
        w.grab().save(QString::fromUtf8(shots) + "/live-deploy-window.png");
    }
    auto* path = dialog->findChild<QLineEdit*>(QStringLiteral("deployPath"));
    path->clear();
    const QString out = dir.path() + "/deployed.json";
    QTest::keyClicks(path, out);
    buttons = dialog->findChild<QDialogButtonBox*>();
    QVERIFY(buttons->button(QDialogButtonBox::Save)->isEnabled());
    QTest::mouseClick(buttons->button(QDialogButtonBox::Save), Qt::LeftButton);
    QTRY_VERIFY(!panel->findChild<QDialog*>(QStringLiteral("deployDialog")));
    QVERIFY2(panel->statusText().contains("automix serve --config"), qPrintable(panel->statusText()));

    std::ifstream in(out.toStdString());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    QVERIFY(text.find("sk-session-only-4711") == std::string::npos);
    const auto cfg = nlohmann::json::parse(text);
    QCOMPARE(cfg["models"][1]["base_url"].get<std::string>(), std::string("https://api.example.com/v1"));
    QCOMPARE(cfg["models"][1]["api_key_env"].get<std::string>(), std::string("LARGE_KEY"));
    QCOMPARE(cfg["meta_verifier"]["method"].get<std::string>(), std::string("POMDP"));
    QVERIFY2(cfg["meta_verifier"]["params"] == trained->params, cfg["meta_verifier"]["params"].dump().c_str());
    QVERIFY(cfg["meta_verifier"]["belief"].is_object());
    // It loads as `automix serve` reads it.
    const auto loaded = live::load_models_config(out.toStdString());
    QCOMPARE(loaded.models.size(), std::size_t(2));
    QVERIFY(loaded.meta_verifier.params == trained->params);
    // Reachable from the Live menu too.
    QVERIFY(menuAction(w, "Deploy for automix serve…"));
    QVERIFY(allBytes(dir.path()).find("sk-session-only-4711") == std::string::npos);
}

QTEST_MAIN(TestLivePanel)
#include "test_live_panel.moc"

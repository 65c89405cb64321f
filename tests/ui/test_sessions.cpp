// Sessions as a user keeps them: File ▸ Save Session, then Open Session (menu, Open Recent,
// `automix eval --session`) gives the same routing, filters, chip, selection, tab and figures;
// a changed or moved data file is asked about, a broken session file is refused clearly.
#include <QAction>
#include <QChartView>
#include <QComboBox>
#include <QLineSeries>
#include <QPushButton>
#include <QTableWidget>
#include <QXYSeries>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

#include <nlohmann/json.hpp>

#include "ui/charts/chart_interaction.hpp"
#include "ui/charts/chart_tabs.hpp"
#include "ui/charts/cost_quality_chart.hpp"
#include "ui/filter_bar.hpp"
#include "ui/live_panel.hpp"
#include "ui/main_window.hpp"
#include "ui/qt_text.hpp"
#include "ui/support_settings.hpp"
#include "ui/query_table_model.hpp"
#include "ui/routing_state.hpp"
#include "ui/session_controller.hpp"
#include "ui/startup.hpp"
#include "ui/studies_panel.hpp"

using namespace automix;
using automix::ui::MainWindow;
using automix::ui::SessionController;

namespace {

QString fixture(const char* name) {
    return QStringLiteral(AUTOMIX_TEST_DATA "/ui/") + QLatin1String(name);
}

SessionController* sessions(MainWindow& w) {
    return w.findChild<SessionController*>();
}

QAction* fileAction(MainWindow& w, const QString& text) {
    QMenu* file = w.menuBar()->actions().first()->menu();
    for (QAction* a : file->actions())
        if (a->text().remove(QLatin1Char('&')).startsWith(text)) return a;
    return nullptr;
}

std::vector<int> decisions(MainWindow& w) {
    std::vector<int> out;
    for (std::size_t r = 0; r < w.dataset()->size(); ++r) out.push_back(w.routingState()->decision(r));
    return out;
}

// A window on a small file in its own folder, routed with Threshold.
bool openCopy(MainWindow& w, const QString& path) {
    w.selectMethod(QStringLiteral("Threshold"));
    if (!w.openFile(path)) return false;
    w.routingState()->waitForTraining();
    return w.routingState()->isRouted();
}

// What the Studies tab shows: every table cell, and every chart series with its points.
QStringList studyTableCells(ui::StudiesPanel& p) {
    QStringList out;
    QTableWidget* t = p.table();
    for (int c = 0; c < t->columnCount(); ++c) out << t->horizontalHeaderItem(c)->text();
    for (int r = 0; r < t->rowCount(); ++r)
        for (int c = 0; c < t->columnCount(); ++c) out << (t->item(r, c) ? t->item(r, c)->text() : QString());
    return out;
}

QStringList studyChartSeries(ui::StudiesPanel& p) {
    QStringList out;
    auto* view = qobject_cast<QChartView*>(p.chartWidget());
    if (!view) return {QStringLiteral("no chart view")};
    out << view->chart()->title();
    for (QAbstractSeries* s : view->chart()->series()) {
        QString line = s->name() + QLatin1Char(':');
        if (auto* xy = qobject_cast<QXYSeries*>(s))
            for (const QPointF& pt : xy->points())
                line += QStringLiteral(" (%1, %2)").arg(pt.x(), 0, 'g', 17).arg(pt.y(), 0, 'g', 17);
        out << line;
    }
    return out;
}

nlohmann::json readJson(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return nlohmann::json::parse(f.readAll().toStdString());
}

void writeJson(const QString& path, const nlohmann::json& j) {
    QFile f(path);
    if (f.open(QIODevice::WriteOnly | QIODevice::Truncate)) f.write(QByteArray::fromStdString(j.dump(2)));
}

}  // namespace

class TestSessions : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_;

  private slots:
    void initTestCase() { test::useTestSettings(QStringLiteral("ui_sessions"), settingsDir_.path()); }

    void menuHasSessionEntries() {
        MainWindow w;
        QVERIFY(fileAction(w, QStringLiteral("Open Session")));
        QAction* save = fileAction(w, QStringLiteral("Save Session"));
        QVERIFY(save);
        QCOMPARE(save->shortcut(), QKeySequence(QKeySequence::Save));
    }

    void roundTripGivesTheSameView() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("demo.automix-session"));
        const QString liveConfig = QStringLiteral(AUTOMIX_SOURCE_DIR "/resources/config/models.example.json");
        std::vector<int> routed;
        QString summary, chip, tab, selectedId;
        ui::QueryFilter filter;
        data::View visible;
        {
            MainWindow w;
            w.selectMethod(QStringLiteral("POMDP"));
            QVERIFY(w.openDemo());
            w.setCosts(ui::Costs{1, 40, 1, {}});
            ui::RoutingState* state = w.routingState();
            state->waitForTraining();
            QVERIFY(state->isRouted());
            const data::Dataset& ds = *w.dataset();
            // A parameter set by hand on cnli (a later candidate than the trained one).
            const int cnli = ds.find_dataset("cnli");
            const ui::TrainedDataset* t = state->trainedFor(cnli);
            QVERIFY(t && t->candidates.size() > 5);
            const routing::Params manual = t->candidates[5].first;
            QVERIFY(state->setParameters(cnli, manual));
            w.selectDataset(QStringLiteral("cnli"));
            w.selectSplit(QStringLiteral("all"));
            w.filterBar()->setDecision(ui::QueryFilter::Decision::Escalated);
            w.filterBar()->setSearchText(QStringLiteral("the"));
            const auto dsPtr = w.routingState()->datasetPtr();
            state->setLinkedFilter(QStringLiteral("even rows"), [](data::RowIndex r) { return r % 2 == 0; });
            QVERIFY(w.queryModel()->rowCount() > 3);
            w.selectRow(w.queryModel()->datasetRow(3));
            w.bottomTabs()->setCurrentIndex(1);
            auto* studies = w.findChild<ui::StudiesPanel*>();
            QVERIFY(studies);
            studies->setStudy(QString::fromStdString(study::study_infos().back().name));
            studies->parameterEdit(QStringLiteral("ratios"))->setText(QStringLiteral("5, 25"));
            studies->parameterSpin(QStringLiteral("seeds"))->setValue(7);
            auto* live = w.findChild<ui::LivePanel*>();
            QVERIFY(live->loadConfig(liveConfig));
            live->setSessionKey(QStringLiteral("small"), QStringLiteral("sk-session-secret-4711"));

            routed = decisions(w);
            summary = w.summaryLabel()->text();
            chip = state->linkedFilterLabel();
            tab = w.bottomTabs()->tabText(1);
            selectedId = ui::toQString(ds.id[*state->currentRow()]);
            filter = w.filterBar()->filter();
            visible = w.queryModel()->visibleRows();
            QString error;
            QVERIFY2(sessions(w)->save(path, &error), qPrintable(error));
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        QCOMPARE(QString::fromStdString(j["data"]["path"].get<std::string>()), QStringLiteral("demo:demo.jsonl.gz"));
        QCOMPARE(j["data"]["sha256"].get<std::string>().size(), std::size_t(64));
        QVERIFY(j["routing"]["manual_params"].contains("cnli"));
        QVERIFY(j.dump().find("sk-session-secret-4711") == std::string::npos);  // keys never reach the file

        MainWindow w;
        w.selectMethod(QString());
        QSignalSpy opened(sessions(w), &SessionController::sessionOpened);
        QString error;
        QVERIFY2(sessions(w)->open(path, &error), qPrintable(error));
        QCOMPARE(opened.count(), 1);
        QCOMPARE(w.routingState()->methodName(), QStringLiteral("POMDP"));
        QCOMPARE(w.routingState()->costs().large, 40.0);
        QVERIFY(decisions(w) == routed);
        QCOMPARE(w.summaryLabel()->text(), summary);
        QVERIFY(w.filterBar()->filter() == filter);
        QCOMPARE(w.routingState()->linkedFilterLabel(), chip);
        QVERIFY(w.queryModel()->visibleRows() == visible);
        QCOMPARE(ui::toQString(w.dataset()->id[*w.routingState()->currentRow()]), selectedId);
        QCOMPARE(w.queryTable()->currentIndex().row(), 3);
        QCOMPARE(w.bottomTabs()->tabText(w.bottomTabs()->currentIndex()), tab);
        auto* studies = w.findChild<ui::StudiesPanel*>();
        QCOMPARE(studies->study(), QString::fromStdString(study::study_infos().back().name));
        QCOMPARE(studies->parameterEdit(QStringLiteral("ratios"))->text(), QStringLiteral("5, 25"));
        QCOMPARE(studies->parameterSpin(QStringLiteral("seeds"))->value(), 7);
        QCOMPARE(w.findChild<ui::LivePanel*>()->configPath(), liveConfig);
        QVERIFY(w.findChild<ui::LivePanel*>()->hasConfig());

        // `automix eval --session` prints the status bar's figures (the same numbers).
        QTemporaryDir out;
        QProcess p;
        p.start(QStringLiteral(AUTOMIX_CLI), {QStringLiteral("eval"), QStringLiteral("--session"), path,
                                              QStringLiteral("--quiet"), QStringLiteral("--json"),
                                              out.filePath(QStringLiteral("r.json"))});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QFile rf(out.filePath(QStringLiteral("r.json")));
        QVERIFY(rf.open(QIODevice::ReadOnly));
        const auto r = nlohmann::json::parse(rf.readAll().toStdString());
        const ui::ScopeMetrics& m = w.routingState()->metrics();
        QVERIFY(m.valid);
        QCOMPARE(r["metrics"]["avg_cost"].get<double>(), m.values.avg_cost);
        QCOMPARE(r["metrics"]["avg_perf"].get<double>(), m.values.avg_perf);
        QCOMPARE(r["metrics"]["lift"].get<double>(), m.values.lift);
        QCOMPARE(r["metrics"]["escalated_fraction"].get<double>(), m.values.escalated_fraction);
    }

    void studyResultIsKeptWithItsProvenance() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("study.automix-session"));
        QStringList cells, series;
        QString sha;
        {
            MainWindow w;
            w.resize(1400, 900);
            w.show();
            QVERIFY(w.openDemo());
            sha = QString::fromStdString(w.routingState()->snapshot()->file.sha256);
            auto* studies = w.findChild<ui::StudiesPanel*>();
            w.bottomTabs()->setCurrentWidget(studies);
            auto* combo = studies->findChild<QComboBox*>(QStringLiteral("studyCombo"));
            combo->setCurrentIndex(combo->findText(QStringLiteral("cost-ratio")));
            QLineEdit* ratios = studies->parameterEdit(QStringLiteral("ratios"));
            ratios->clear();
            QTest::keyClicks(ratios, QStringLiteral("2, 50, 500"));
            studies->setSelectedDatasets({QStringLiteral("cnli"), QStringLiteral("coqa")});
            studies->setSelectedMethods({QStringLiteral("Threshold"), QStringLiteral("POMDP")});
            QSignalSpy finished(studies, &ui::StudiesPanel::finished);
            QTest::mouseClick(studies->findChild<QPushButton*>(QStringLiteral("runStudy")), Qt::LeftButton);
            QVERIFY(studies->waitForFinished());
            QTRY_COMPARE(finished.count(), 1);
            QVERIFY(studies->result());
            studies->setChartGroup(QStringLiteral("coqa"));
            cells = studyTableCells(*studies);
            series = studyChartSeries(*studies);
            QVERIFY(cells.size() > 10);
            QVERIFY(series.size() >= 3);
            QVERIFY2(series.first().contains(QStringLiteral("coqa")), qPrintable(series.first()));
            QString error;
            QVERIFY2(sessions(w)->save(path, &error), qPrintable(error));
        }
        const nlohmann::json j = readJson(path);
        QCOMPARE(j["version"].get<int>(), 3);
        QCOMPARE(QString::fromStdString(j["study_result"]["data"]["sha256"].get<std::string>()), sha);
        QCOMPARE(j["study_result"]["data"]["name"].get<std::string>(), std::string("demo.jsonl.gz"));
        QCOMPARE(j["study_result"]["datasets"].size(), std::size_t(2));
        QCOMPARE(j["study_result"]["result"]["study"].get<std::string>(), std::string("cost-ratio"));
        QVERIFY(!j["study_result"]["computed_at"].get<std::string>().empty());

        {
            MainWindow w;
            w.resize(1400, 900);
            w.show();
            QString error;
            QVERIFY2(sessions(w)->open(path, &error), qPrintable(error));
            auto* studies = w.findChild<ui::StudiesPanel*>();
            QVERIFY(!studies->isRunning());  // shown, not recomputed
            QVERIFY(studies->result());
            QCOMPARE(studies->currentChartGroup(), QStringLiteral("coqa"));
            QCOMPARE(studyTableCells(*studies), cells);
            QCOMPARE(studyChartSeries(*studies), series);
            QVERIFY2(studies->statusText().contains(QStringLiteral("from the session, not recomputed")),
                     qPrintable(studies->statusText()));
            const QString provenance = studies->resultProvenance();
            QVERIFY2(provenance.contains(QStringLiteral("demo.jsonl.gz · cnli, coqa · costs 1 / 50")) &&
                         provenance.contains(QStringLiteral("computed 20")),
                     qPrintable(provenance));
            QStringList methods = studies->selectedMethods();
            methods.sort();
            QCOMPARE(methods, (QStringList{QStringLiteral("POMDP"), QStringLiteral("Threshold")}));
        }

        // Computed on other data: dropped, and the tab says why.
        nlohmann::json other = j;
        other["study_result"]["data"]["sha256"] = std::string(64, 'c');
        const QString otherPath = dir.filePath(QStringLiteral("other.automix-session"));
        writeJson(otherPath, other);
        {
            MainWindow w;
            QString error;
            QVERIFY2(sessions(w)->open(otherPath, &error), qPrintable(error));
            auto* studies = w.findChild<ui::StudiesPanel*>();
            QVERIFY(!studies->result());
            QCOMPARE(studies->table()->rowCount(), 0);
            QVERIFY2(studies->statusText().contains(QStringLiteral("computed on other data")) &&
                         studies->statusText().contains(QStringLiteral("dropped")) &&
                         studies->statusText().contains(QStringLiteral("cccccccccccc")),
                     qPrintable(studies->statusText()));
        }
        // Other costs than the study's: dropped too.
        nlohmann::json costs = j;
        costs["costs"]["large"] = 20;
        writeJson(otherPath, costs);
        {
            MainWindow w;
            QString error;
            QVERIFY2(sessions(w)->open(otherPath, &error), qPrintable(error));
            auto* studies = w.findChild<ui::StudiesPanel*>();
            QVERIFY(!studies->result());
            const QString status = studies->statusText();
            QVERIFY2(status.contains(QStringLiteral("costs 1 / 50, verifier 1, the costs now are 1 / 20")),
                     qPrintable(status));
        }
    }

    void chartZoomIsKept() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("zoom.automix-session"));
        auto costQualityView = [](MainWindow& w) {
            return qobject_cast<ui::charts::InteractiveChartView*>(
                w.findChild<ui::charts::ChartTabs*>()->costQuality()->view());
        };
        QRectF zoomed;
        {
            MainWindow w;
            w.resize(1500, 940);
            w.show();
            w.selectMethod(QStringLiteral("POMDP"));
            QVERIFY(w.openDemo());
            w.selectDataset(QStringLiteral("cnli"));
            QVERIFY(ui::waitUntilSettled(w));
            auto* view = costQualityView(w);
            QVERIFY(view && !view->zoomRanges());
            const QPointF centre = view->mapFromScene(view->chart()->mapToScene(view->chart()->plotArea().center()));
            view->zoomAt(centre, 2.0);  // as the wheel does
            const auto r = view->zoomRanges();
            QVERIFY(r);
            zoomed = *r;
            QString error;
            QVERIFY2(sessions(w)->save(path, &error), qPrintable(error));
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto j = nlohmann::json::parse(f.readAll().toStdString());
        QCOMPARE(j["version"].get<int>(), session::kSessionVersion);
        QCOMPARE(j["view"]["chart_zoom"]["costQualityView"]["x"][0].get<double>(), zoomed.left());
        QCOMPARE(j["view"]["chart_zoom"]["costQualityView"]["y"][1].get<double>(), zoomed.bottom());

        MainWindow w;
        w.resize(1500, 940);
        w.show();
        QString error;
        QVERIFY2(sessions(w)->open(path, &error), qPrintable(error));
        const auto r = costQualityView(w)->zoomRanges();
        QVERIFY(r);
        const double eps = 1e-6 * (zoomed.width() + zoomed.height());
        QVERIFY2(std::abs(r->left() - zoomed.left()) < eps && std::abs(r->right() - zoomed.right()) < eps &&
                     std::abs(r->top() - zoomed.top()) < eps && std::abs(r->bottom() - zoomed.bottom()) < eps,
                 qPrintable(QStringLiteral("reopened %1..%2 × %3..%4, saved %5..%6 × %7..%8")
                                .arg(r->left()).arg(r->right()).arg(r->top()).arg(r->bottom())
                                .arg(zoomed.left()).arg(zoomed.right()).arg(zoomed.top()).arg(zoomed.bottom())));
    }

    void openRecentListsSessions() {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("small.jsonl"));
        QVERIFY(QFile::copy(fixture("small.jsonl"), data));
        const QString path = dir.filePath(QStringLiteral("s.automix-session"));
        {
            MainWindow w;
            QVERIFY(openCopy(w, data));
            w.selectSplit(QStringLiteral("train"));
            QVERIFY(sessions(w)->save(path));
        }
        MainWindow w;
        w.selectMethod(QString());
        QVERIFY(w.openDemo());
        QMenu* recent = nullptr;
        for (QAction* a : w.menuBar()->actions().first()->menu()->actions())
            if (a->menu() && a->text().contains(QStringLiteral("Recent"))) recent = a->menu();
        QVERIFY(recent);
        QAction* entry = nullptr;
        for (QAction* a : recent->actions())
            if (a->text() == path) entry = a;
        QVERIFY2(entry, "the saved session is in Open Recent");
        QSignalSpy opened(sessions(w), &SessionController::sessionOpened);
        entry->trigger();
        QCOMPARE(opened.count(), 1);
        QCOMPARE(w.currentFile(), data);
        QCOMPARE(w.routingState()->scopeSplit(), ui::SplitScope::Train);
        QCOMPARE(w.routingState()->methodName(), QStringLiteral("Threshold"));
    }

    void changedDataIsAskedAbout() {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("small.jsonl"));
        QVERIFY(QFile::copy(fixture("small.jsonl"), data));
        QFile::setPermissions(data, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const QString path = dir.filePath(QStringLiteral("s.automix-session"));
        {
            MainWindow w;
            QVERIFY(openCopy(w, data));
            QVERIFY(sessions(w)->save(path));
        }
        // Same rows, one question edited: another content.
        QFile f(data);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray text = f.readAll();
        f.close();
        QVERIFY(text.contains("Question number 0 about"));
        text.replace("Question number 0 about", "Question number 0 on");
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text);
        f.close();

        MainWindow w;
        w.selectMethod(QString());
        SessionController* s = sessions(w);
        QString expectedSeen, actualSeen;
        int asked = 0;
        s->onHashMismatch = [&](const QString&, const QString& expected, const QString& actual) {
            ++asked;
            expectedSeen = expected;
            actualSeen = actual;
            return SessionController::Mismatch::Cancel;
        };
        QString error;
        QVERIFY(!s->open(path, &error));
        QCOMPARE(asked, 1);
        QVERIFY(expectedSeen != actualSeen);
        QCOMPARE(expectedSeen.size(), 64);
        QVERIFY2(error.contains(QStringLiteral("changed since the session was saved")), qPrintable(error));
        QVERIFY(w.routingState()->methodName().isEmpty());  // not applied

        s->onHashMismatch = [&](const QString&, const QString&, const QString&) {
            ++asked;
            return SessionController::Mismatch::ApplyAnyway;
        };
        QVERIFY2(s->open(path, &error), qPrintable(error));
        QCOMPARE(asked, 2);
        QCOMPARE(w.routingState()->methodName(), QStringLiteral("Threshold"));
    }

    void movedDataIsLocated() {
        QTemporaryDir dir, other;
        const QString data = dir.filePath(QStringLiteral("small.jsonl"));
        QVERIFY(QFile::copy(fixture("small.jsonl"), data));
        const QString path = other.filePath(QStringLiteral("s.automix-session"));  // not next to the data
        {
            MainWindow w;
            QVERIFY(openCopy(w, data));
            QVERIFY(sessions(w)->save(path));
        }
        const QString moved = dir.filePath(QStringLiteral("renamed.jsonl"));
        QVERIFY(QFile::rename(data, moved));

        MainWindow w;
        SessionController* s = sessions(w);
        QString asked;
        s->locateData = [&](const QString& missing) {
            asked = missing;
            return QString();  // the user gives up
        };
        QString error;
        QVERIFY(!s->open(path, &error));
        QCOMPARE(asked, data);
        QVERIFY2(error.contains(QStringLiteral("missing")) && error.contains(data), qPrintable(error));

        s->locateData = [&](const QString&) { return moved; };
        QVERIFY2(s->open(path, &error), qPrintable(error));
        QCOMPARE(w.currentFile(), moved);
        QCOMPARE(w.routingState()->methodName(), QStringLiteral("Threshold"));
    }

    void brokenSessionIsRefusedClearly() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.automix-session"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"format": "automix-session", "version": 1, "data": {"path": "/x"}, "view": {"split": 7}})");
        f.close();
        MainWindow w;
        QString error;
        QVERIFY(!sessions(w)->open(path, &error));
        QVERIFY2(error.contains(path) && error.contains(QStringLiteral("view.split")), qPrintable(error));
        QVERIFY(!w.dataset());
    }
};

QTEST_MAIN(TestSessions)
#include "test_sessions.moc"

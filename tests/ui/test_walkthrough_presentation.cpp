// View ▸ Walk Through Query (F9) and View ▸ Presentation Mode (F11), driven as a user does:
// the walk reveals the samples one by one (Next, Play) and ends at the row's confidence and
// routing decision; presentation mode scales fonts and chart lines and restores them.
// AUTOMIX_SCREENSHOT_DIR=dir saves both as PNG to look at.
#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QXYSeries>

#include "ui/main_window.hpp"
#include "ui/support_settings.hpp"
#include "ui/presentation_mode.hpp"
#include "ui/query_table_model.hpp"
#include "ui/routing_state.hpp"
#include "ui/walkthrough_dialog.hpp"

using namespace automix;
using automix::ui::MainWindow;
using automix::ui::WalkthroughDialog;

namespace {

void shot(QWidget* w, const QString& name) {
    const QString dir = qEnvironmentVariable("AUTOMIX_SCREENSHOT_DIR");
    if (dir.isEmpty()) return;
    QApplication::processEvents();
    QVERIFY(w->grab().save(dir + QLatin1Char('/') + name));
}

WalkthroughDialog* walk(MainWindow& w) {
    w.findChild<QAction*>(QStringLiteral("walkThroughAction"))->trigger();
    return w.findChild<WalkthroughDialog*>();
}

}  // namespace

class TestWalkthroughPresentation : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_;

  private slots:
    void initTestCase() { test::useTestSettings(QStringLiteral("ui_walkthrough"), settingsDir_.path()); }

    void walkNeedsARouting() {
        MainWindow w;
        w.selectMethod(QString());
        QVERIFY(w.openDemo());
        QCOMPARE(w.findChild<QAction*>(QStringLiteral("walkThroughAction"))->shortcut(), QKeySequence(Qt::Key_F9));
        QVERIFY(!walk(w));
        QVERIFY(w.statusBar()->currentMessage().contains(QStringLiteral("train")));
    }

    void walkRevealsSamplesAndEndsAtTheDecision() {
        MainWindow w;
        w.selectMethod(QStringLiteral("POMDP"));
        QVERIFY(w.openDemo());
        w.selectDataset(QStringLiteral("cnli"));
        ui::RoutingState* state = w.routingState();
        state->waitForTraining();
        // An escalated row and a kept one.
        for (int wantEscalated : {1, 0}) {
            data::RowIndex row = 0;
            bool found = false;
            for (int i = 0; i < w.queryModel()->rowCount() && !found; ++i) {
                row = w.queryModel()->datasetRow(i);
                found = state->decision(row) == wantEscalated;
            }
            QVERIFY(found);
            w.selectRow(row);
            WalkthroughDialog* d = walk(w);
            QVERIFY(d);
            const data::Dataset& ds = *w.dataset();
            const std::size_t k = ds.small().verifier_samples.count(row);
            QCOMPARE(d->walk().samples.size(), k);
            QCOMPARE(d->currentStep(), 1);
            QCOMPARE(d->shownConfidence(), 0.0);
            auto* next = d->findChild<QPushButton*>(QStringLiteral("walkNext"));
            for (std::size_t i = 0; i < k; ++i) QTest::mouseClick(next, Qt::LeftButton);
            QCOMPARE(d->shownConfidence(), ds.small().verifier_confidence[row]);
            QVERIFY(d->text().contains(QStringLiteral("Verifier sample %1 of %1").arg(k)));
            QVERIFY(!d->text().contains(QStringLiteral("Decision")));
            // Play the rest at the fastest speed.
            auto* speed = d->findChild<QComboBox*>(QStringLiteral("walkSpeed"));
            speed->setCurrentIndex(speed->count() - 1);
            QTest::mouseClick(d->findChild<QPushButton*>(QStringLiteral("walkPlay")), Qt::LeftButton);
            QTRY_COMPARE_WITH_TIMEOUT(d->currentStep(), d->stepCount(), 10000);
            QVERIFY(!next->isEnabled());
            QVERIFY(d->text().contains(QStringLiteral("Decision")));
            QVERIFY(d->text().contains(QStringLiteral("belief")));
            QCOMPARE(d->walk().decision, state->decision(row));
            QCOMPARE(d->walk().cost, state->rowCost(row));
            QCOMPARE(d->findChild<QLabel*>(QStringLiteral("walkCounter"))->text(),
                     QStringLiteral("step %1 of %1").arg(d->stepCount()));
            shot(d, wantEscalated ? QStringLiteral("walkthrough-escalated.png") : QStringLiteral("walkthrough-kept.png"));
            d->close();
            QApplication::processEvents();
        }
    }

    void walkThroughTheCascade() {
        MainWindow w;
        w.selectMethod(QStringLiteral("Cascade"));
        QVERIFY(w.openFile(ui::extractDemoFile(QStringLiteral("demo-3model.jsonl.gz"))));
        w.routingState()->waitForTraining();
        QVERIFY(w.routingState()->isRouted());
        const data::RowIndex row = w.queryModel()->datasetRow(0);
        w.selectRow(row);
        WalkthroughDialog* d = walk(w);
        QVERIFY(d);
        d->showAll();
        QVERIFY(!d->walk().cascade.empty());
        QCOMPARE(d->walk().cascade.back().model, w.routingState()->answeringModel(row));
        QVERIFY(d->text().contains(QStringLiteral("Cascade step 1")));
        QVERIFY(d->text().contains(QStringLiteral("Q(report)")));
        shot(d, QStringLiteral("walkthrough-cascade.png"));
    }

    void presentationModeScalesAndRestores() {
        MainWindow w;
        w.selectMethod(QStringLiteral("POMDP"));
        QVERIFY(w.openDemo());
        w.routingState()->waitForTraining();
        w.show();
        QApplication::processEvents();
        QAction* mode = w.findChild<QAction*>(QStringLiteral("presentationAction"));
        QVERIFY(mode);
        QCOMPARE(mode->shortcut(), QKeySequence(Qt::Key_F11));
        const double font = QApplication::font().pointSizeF();
        QChartView* view = nullptr;
        QXYSeries* series = nullptr;
        for (QChartView* v : w.findChildren<QChartView*>())
            for (QAbstractSeries* s : v->chart()->series())
                if (auto* xy = qobject_cast<QXYSeries*>(s); xy && !series && xy->type() == QAbstractSeries::SeriesTypeLine) {
                    view = v;
                    series = xy;
                }
        QVERIFY(series);
        const double pen = series->pen().widthF();
        const double title = view->chart()->titleFont().pointSizeF();
        mode->trigger();
        QVERIFY(mode->isChecked());
        QCOMPARE(QApplication::font().pointSizeF(), font * ui::PresentationMode::kFontScale);
        QCOMPARE(QApplication::palette().color(QPalette::Base), QColor(Qt::white));
        QCOMPARE(QApplication::palette().color(QPalette::Text), QColor(Qt::black));
        QVERIFY(series->pen().widthF() >= pen * 2);
        QVERIFY(view->chart()->titleFont().pointSizeF() > title);
        shot(&w, QStringLiteral("presentation-main.png"));
        mode->trigger();
        QVERIFY(!mode->isChecked());
        QCOMPARE(QApplication::font().pointSizeF(), font);
        QCOMPARE(series->pen().widthF(), pen);
        QCOMPARE(view->chart()->titleFont().pointSizeF(), title);
    }
};

QTEST_MAIN(TestWalkthroughPresentation)
#include "test_walkthrough_presentation.moc"

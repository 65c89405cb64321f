// File ▸ Open offers every registered data format (core/data/format.hpp) and opens a CSV score
// table through the real dialog. AUTOMIX_SCREENSHOT_DIR=<dir> saves the window as open_csv.png.
#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <algorithm>

#include "core/data/format.hpp"
#include "ui/data_loader.hpp"
#include "ui/main_window.hpp"
#include "ui/support_settings.hpp"

using automix::ui::MainWindow;

class TestOpenFormats : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_;

  private slots:
    void initTestCase() { automix::test::useTestSettings(QStringLiteral("ui_open_formats"), settingsDir_.path()); }

    void filterListsEveryRegisteredFormat() {
        const QStringList filters = automix::ui::dataFileNameFilters();
        QCOMPARE(filters.size(), 2);
        for (const auto& f : automix::data::formats())
            for (const auto& ext : f.extensions) {
                QVERIFY2(filters[0].contains(QStringLiteral("*") + QString::fromStdString(ext) + QLatin1Char(' ')),
                         qPrintable(filters[0]));
                QVERIFY(filters[0].contains(QStringLiteral("*") + QString::fromStdString(ext) + QStringLiteral(".gz")));
            }
        QVERIFY(filters[0].contains(QStringLiteral("*.csv")));
        QCOMPARE(filters[1], QStringLiteral("All files (*)"));
    }

    void openDialogOpensACsvScoreTable() {
        MainWindow w;
        w.resize(1280, 800);
        w.show();
        QAction* open = nullptr;
        for (QAction* a : w.findChildren<QAction*>())
            if (a->shortcut() == QKeySequence(QKeySequence::Open)) open = a;
        QVERIFY(open);
        const QString csv = QStringLiteral(AUTOMIX_TEST_DATA "/ui/scores.csv");
        QStringList offered;
        QSignalSpy finished(&w, &MainWindow::loadFinished);
        // The dialog is modal: drive it from a timer once it is up.
        QTimer::singleShot(0, this, [&] {
            auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            offered = dialog->nameFilters();
            dialog->selectFile(csv);
            static_cast<QDialog*>(dialog)->accept();
        });
        open->trigger();
        QCOMPARE(offered, automix::ui::dataFileNameFilters());
        QVERIFY(finished.wait(10000) || finished.count() == 1);
        QCOMPARE(finished.first().at(0).toBool(), true);
        QVERIFY(w.dataset());
        QCOMPARE(w.dataset()->format, std::string("csv"));
        QCOMPARE(w.dataset()->size(), std::size_t(60));
        QCOMPARE(w.dataset()->small().name, std::string("slm"));
        // The table shows the val rows (the default scope): counted from the columns themselves.
        const auto& ds = *w.dataset();
        const int val = static_cast<int>(std::count(ds.split.begin(), ds.split.end(), automix::data::Split::Val));
        QCOMPARE(val, 24);
        QCOMPARE(w.queryTable()->model()->rowCount(), val);
        if (const QString dir = qEnvironmentVariable("AUTOMIX_SCREENSHOT_DIR"); !dir.isEmpty()) {
            QTest::qWait(200);
            w.grab().save(dir + QStringLiteral("/open_csv.png"));
        }
    }
};

QTEST_MAIN(TestOpenFormats)
#include "test_open_formats.moc"

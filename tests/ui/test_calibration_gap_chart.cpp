// The calibration-gap chart, added as one file (ui/charts/calibration_gap_chart.cpp) through the
// chart registry: it appears as a tab of the window, its bars equal core's calibration gap of
// the chart dataset's evaluation rows, it follows a change of dataset, it is exported by its
// tab's Export and by Export report, and it redraws (same numbers) when the theme changes.
#include <QApplication>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPalette>
#include <QStackedBarSeries>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include "core/eval/calibration.hpp"
#include "support_settings.hpp"
#include "ui/charts/chart_page.hpp"
#include "ui/charts/chart_tabs.hpp"
#include "ui/main_window.hpp"
#include "ui/routing_state.hpp"

using namespace automix;

class TestCalibrationGapChart : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_;
    std::unique_ptr<ui::MainWindow> window_;
    ui::charts::ChartTabs* tabs_ = nullptr;
    ui::charts::ChartPage* page_ = nullptr;

    QStackedBarSeries* bars() const {
        for (QAbstractSeries* s : page_->chart()->series())
            if (auto* b = qobject_cast<QStackedBarSeries*>(s)) return b;
        return nullptr;
    }
    // The drawn gap per bin: the under-confident set's bar plus the over-confident set's.
    std::vector<double> drawnGaps() const {
        std::vector<double> out;
        QStackedBarSeries* b = bars();
        if (!b || b->count() != 2) return out;
        for (int i = 0; i < b->barSets()[0]->count(); ++i)
            out.push_back(b->barSets()[0]->at(i) + b->barSets()[1]->at(i));
        return out;
    }
    std::vector<eval::CalibrationGapBin> expected() const {
        const auto snap = window_->routingState()->snapshot();
        return eval::calibration_gap(
            eval::reliability(*snap->data, snap->rows->chartEval(), window_->routingState()->config().num_bins));
    }
    void compareWithCore() {
        page_->refreshNow();
        const auto expect = expected();
        QVERIFY(!expect.empty());
        const auto drawn = drawnGaps();
        QCOMPARE(drawn.size(), expect.size());
        for (std::size_t i = 0; i < drawn.size(); ++i) QCOMPARE(drawn[i], expect[i].gap);
    }

  private slots:
    void initTestCase() {
        test::useTestSettings(QStringLiteral("ui_calibration_gap_chart"), settingsDir_.path());
        window_ = std::make_unique<ui::MainWindow>();
        tabs_ = window_->findChild<ui::charts::ChartTabs*>();
        QVERIFY(tabs_);
        window_->resize(1500, 940);
        window_->show();
        QString error;
        QVERIFY2(window_->openDemo(&error), qPrintable(error));
        window_->selectDataset(QStringLiteral("cnli"));
        window_->selectSplit(QStringLiteral("val"));
        QCoreApplication::processEvents();
        page_ = tabs_->registeredPage(QStringLiteral("calibration_gap"));
        QVERIFY(page_);
    }

    void isATabOfTheWindow() {
        QTabWidget* tabs = window_->bottomTabs();
        int index = -1;
        for (int i = 0; i < tabs->count(); ++i)
            if (tabs->tabText(i) == QStringLiteral("Calibration gap")) index = i;
        QVERIFY(index >= 0);
        QVERIFY(tabs->widget(index)->isAncestorOf(page_));
        tabs->setCurrentIndex(index);
        QCoreApplication::processEvents();
        QVERIFY(page_->view()->isVisible());
    }

    void barsEqualCoreAndFollowTheDataset() {
        compareWithCore();
        QVERIFY(page_->title().startsWith(QStringLiteral("Calibration gap · ECE ")));
        QVERIFY2(page_->provenance().contains(QStringLiteral("cnli")), qPrintable(page_->provenance()));
        const auto before = drawnGaps();
        window_->selectDataset(QStringLiteral("coqa"));
        QCoreApplication::processEvents();
        compareWithCore();
        QVERIFY(page_->provenance().contains(QStringLiteral("coqa")));
        QVERIFY(drawnGaps() != before);
    }

    void emptyWithoutData() {
        ui::MainWindow empty;
        auto* tabs = empty.findChild<ui::charts::ChartTabs*>();
        QVERIFY(tabs);
        ui::charts::ChartPage* page = tabs->registeredPage(QStringLiteral("calibration_gap"));
        QVERIFY(page);
        page->refreshNow();
        QVERIFY(page->isEmptyState());
        QVERIFY(page->chart()->series().isEmpty());
        QVERIFY(page->chart()->title().contains(QStringLiteral("Load data")));
    }

    void exportedByItsTabAndTheReport() {
        int tab = -1;
        for (int i = 0; i < tabs_->chartTabCount(); ++i)
            if (tabs_->chartTabPage(i)->isAncestorOf(page_)) tab = i;
        QVERIFY(tab >= 0);
        QTemporaryDir dir;
        QStringList files;
        const QString error = tabs_->exportTab(tab, dir.path(), &files);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(files.size(), 3);
        QFile csv(QDir(dir.path()).filePath(QStringLiteral("calibration_gap.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().split('\n');
        QVERIFY(lines[0].startsWith("# computed on: ") && lines[0].contains("coqa"));
        QCOMPARE(lines[1], QByteArray("centre,rows,mean_confidence,mean_score,gap"));
        QCOMPARE(static_cast<std::size_t>(lines.size() - 3), expected().size());  // comment, header, trailing ""
        QVERIFY(QFileInfo(QDir(dir.path()).filePath(QStringLiteral("calibration_gap.png"))).size() > 1000);

        QTemporaryDir all;
        QStringList reportFiles;
        QVERIFY(tabs_->exportReport(all.path(), &reportFiles).isEmpty());
        QVERIFY(reportFiles.contains(QDir(all.path()).filePath(QStringLiteral("calibration_gap.svg"))));
        QVERIFY(reportFiles.contains(QDir(all.path()).filePath(QStringLiteral("report.json"))));
    }

    void restyledWhenThePaletteChanges() {
        const QPalette before = QApplication::palette();
        const QColor baseBefore = page_->chart()->backgroundBrush().color();
        QPalette dark = before;
        dark.setColor(QPalette::Window, QColor(30, 30, 30));
        dark.setColor(QPalette::Base, QColor(20, 20, 20));
        dark.setColor(QPalette::Text, QColor(230, 230, 230));
        QApplication::setPalette(dark);
        QTRY_COMPARE(page_->chart()->backgroundBrush().color(), QColor(20, 20, 20));  // once the events are through
        QVERIFY(page_->chart()->backgroundBrush().color() != baseBefore);
        const auto gaps = drawnGaps();
        QCOMPARE(gaps.size(), expected().size());  // redrawn with the same numbers
        QApplication::setPalette(before);
        QCoreApplication::processEvents();
    }

    void cleanupTestCase() {
        window_->close();
        window_.reset();
    }
};

QTEST_MAIN(TestCalibrationGapChart)
#include "test_calibration_gap_chart.moc"

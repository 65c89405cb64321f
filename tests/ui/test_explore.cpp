// Issue 19 as a researcher tries it (offscreen, real widgets): the papercuts of a first session
// (demo menu counts, sort arrow after a new file, "(manual)" and Reset to Trained, reasons in 3
// significant digits, per-open Skip Bad Lines and "Load the Good Lines", Esc, Tab and F6, the
// first launch routed with POMDP), charts readable at 1024×700 and 1920×1080 (every legend
// entry there, no axis title or tick label elided, labels not overlapping), legend toggling,
// zoom and reset, linked selection, and comparing two routings (counts against a hand count).
// Set AUTOMIX_EXPLORE_SHOTS=<dir> to keep a PNG of every window checked.
#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QBarLegendMarker>
#include <QAbstractBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QHeaderView>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QMenu>
#include <QMouseEvent>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QScatterSeries>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocumentFragment>
#include <QToolButton>
#include <QToolTip>
#include <QHelpEvent>
#include <QValueAxis>
#include <QWheelEvent>
#include <cmath>
#include <memory>
#include <set>
#include <sys/stat.h>

#include "core/eval/compare.hpp"
#include "core/eval/metrics.hpp"
#include "core/eval/trainer.hpp"
#include "core/routing/bins.hpp"
#include "core/routing/method.hpp"
#include "ui/charts/belief_chart.hpp"
#include "ui/charts/chart_interaction.hpp"
#include "ui/charts/chart_legend.hpp"
#include "ui/charts/chart_page.hpp"
#include "ui/charts/chart_style.hpp"
#include "ui/charts/chart_tabs.hpp"
#include "ui/charts/cost_quality_chart.hpp"
#include "ui/charts/verifier_charts.hpp"
#include "ui/compare_routing.hpp"
#include "ui/drill_down_panel.hpp"
#include "ui/filter_bar.hpp"
#include "ui/job_runner.hpp"
#include "ui/main_window.hpp"
#include "ui/pane_navigation.hpp"
#include "ui/query_table_model.hpp"
#include "ui/routing_state.hpp"
#include "ui/startup.hpp"
#include "ui/studies_panel.hpp"
#include "ui/theme.hpp"
#include "ui/tuning_panel.hpp"
#include "ui/support_settings.hpp"

using namespace automix;
using ui::MainWindow;
using ui::charts::ChartTabs;

namespace {

QString fixture(const char* name) {
    return QStringLiteral(AUTOMIX_TEST_DATA "/ui/") + QLatin1String(name);
}

QAction* findAction(QWidget* w, const QString& objectName) {
    return w->findChild<QAction*>(objectName);
}

void settle(MainWindow& w) {
    QVERIFY(ui::waitUntilSettled(w, 120000));
}

// The window at its default size on the demo, `dataset` routed with POMDP, every job done.
bool showDemoRouted(MainWindow& w, const QString& dataset) {
    w.resize(1500, 940);
    w.show();
    if (!w.openDemo()) return false;
    w.selectDataset(dataset);
    w.selectMethod(QStringLiteral("POMDP"));
    return ui::waitUntilSettled(w, 120000);
}

// Visible text items of a chart view's scene (axis titles, tick labels, legend labels, title).
QList<QGraphicsTextItem*> textItems(QChartView* view) {
    QList<QGraphicsTextItem*> out;
    for (QGraphicsItem* item : view->scene()->items())
        if (auto* t = dynamic_cast<QGraphicsTextItem*>(item); t && t->isVisible() && !t->toPlainText().isEmpty())
            out << t;
    return out;
}

bool elided(const QString& text) {
    return text.contains(QStringLiteral("...")) || text.contains(QChar(0x2026));
}

// What a reader sees of one chart, checked: every legend entry shown whole and inside the
// view, no axis title or tick label cut short, no two labels on top of each other.
void checkReadable(QChartView* view, const QString& where) {
    QChart* chart = view->chart();
    QVERIFY2(chart, qPrintable(where));
    const QString title = QTextDocumentFragment::fromHtml(chart->title()).toPlainText();
    const QRectF viewRect = view->mapToScene(view->viewport()->rect()).boundingRect().adjusted(-1, -1, 1, 1);
    QList<QRectF> boxes;
    QStringList texts;
    const bool sideLegend = view->parentWidget()->findChild<ui::charts::ChartLegend*>() != nullptr;
    for (QGraphicsTextItem* t : textItems(view)) {
        const QString text = t->toPlainText();
        // With the legend beside the chart, the chart's own one is out of sight (exports only).
        if (sideLegend && chart->legend()->isAncestorOf(t)) continue;
        // The title drawn whole (checked below); a shortened one fails as elided here, like any
        // axis title, tick label or legend name.
        if (!title.isEmpty() && text == title) continue;
        QVERIFY2(!elided(text), qPrintable(QStringLiteral("%1: elided label \"%2\"").arg(where, text)));
        const QRectF box = t->sceneBoundingRect();
        QVERIFY2(viewRect.contains(box),
                 qPrintable(QStringLiteral("%1: \"%2\" drawn outside the view").arg(where, text)));
        boxes << box.adjusted(1.5, 1.5, -1.5, -1.5);
        texts << text;
    }
    // The title fits the chart's width in its own font: short titles, the details in the tooltip.
    if (!title.isEmpty()) {
        const QFontMetricsF metrics(chart->titleFont());
        const qreal room = chart->size().width() - chart->margins().left() - chart->margins().right();
        for (const QString& line : title.split(QRegularExpression(QStringLiteral("[\n\u2028]"))))
            QVERIFY2(metrics.horizontalAdvance(line) <= room,
                     qPrintable(QStringLiteral("%1: title \"%2\" (%3 px) wider than the chart (%4 px)")
                                    .arg(where, line)
                                    .arg(metrics.horizontalAdvance(line))
                                    .arg(room)));
    }
    for (int i = 0; i < boxes.size(); ++i)
        for (int j = i + 1; j < boxes.size(); ++j)
            QVERIFY2(!boxes[i].intersects(boxes[j]),
                     qPrintable(QStringLiteral("%1: labels overlap (%2 and %3)").arg(where, texts[i], texts[j])));
    // Legend: the side list names every series with a legend entry; the chart's own legend (when
    // shown) has one visible label per visible marker.
    // The series drawn: each named visible one, or for bars each set; a method's dots and
    // trained marker belong to its curve's entry.
    std::set<QString> named;
    for (QAbstractSeries* s : chart->series()) {
        if (auto* bars = qobject_cast<QAbstractBarSeries*>(s)) {
            for (QBarSet* set : bars->barSets()) named.insert(set->label());
            continue;
        }
        const QString group = s->property(ui::charts::ChartLegend::kGroupProperty).toString();
        if (s->isVisible() && !s->name().isEmpty() && (group.isEmpty() || group == s->name()) &&
            !s->property(ui::charts::ChartLegend::kHiddenProperty).toBool())
            named.insert(s->name());
    }
    if (auto* legend = view->parentWidget()->findChild<ui::charts::ChartLegend*>()) {
        const QStringList names = legend->names();
        QVERIFY2(!chart->series().isEmpty() || names.isEmpty(), qPrintable(where));
        QVERIFY2(chart->series().isEmpty() || !names.isEmpty(), qPrintable(where + QStringLiteral(": empty legend")));
        QCOMPARE(std::set<QString>(names.begin(), names.end()), named);
        QCOMPARE(static_cast<std::size_t>(names.size()), named.size());  // no entry twice
        QVERIFY2(legend->isVisible() || named.empty(), qPrintable(where));
    } else if (chart->legend()->isVisible()) {
        int labels = 0;
        const QRectF legendBox = chart->legend()->sceneBoundingRect().adjusted(-1, -1, 1, 1);
        for (QGraphicsTextItem* t : textItems(view))
            if (chart->legend()->isAncestorOf(t)) {
                ++labels;
                QVERIFY2(legendBox.contains(t->sceneBoundingRect()),
                         qPrintable(QStringLiteral("%1: legend entry \"%2\" cut off").arg(where, t->toPlainText())));
            }
        int markers = 0;
        for (QLegendMarker* m : chart->legend()->markers())
            if (m->isVisible()) ++markers;
        QCOMPARE(labels, markers);
    }
}

// Ticks an axis draws, as text: all different.
QStringList tickTexts(QValueAxis* axis) {
    QStringList out;
    const int n = axis->tickCount();
    for (int i = 0; i < n; ++i) {
        const double v = axis->min() + (axis->max() - axis->min()) * i / (n - 1);
        out << QString::asprintf(axis->labelFormat().toLatin1().constData(), v);
    }
    return out;
}

QString writeEqualScores(const QTemporaryDir& dir) {
    // small.jsonl with the large model's score set to the small one's: IBC lift undefined.
    QFile in(fixture("small.jsonl"));
    in.open(QIODevice::ReadOnly);
    const QString path = dir.filePath(QStringLiteral("equal.jsonl"));
    QFile out(path);
    out.open(QIODevice::WriteOnly);
    for (QByteArray line : in.readAll().split('\n')) {
        if (line.trimmed().isEmpty()) continue;
        const int at = line.indexOf("\"llama13b_f1\": ");
        const QByteArray small = line.mid(at + 15, line.indexOf(',', at) - at - 15);
        const int l = line.indexOf("\"llama70b_f1\": ");
        line = line.left(l) + "\"llama70b_f1\": " + small + "}";
        out.write(line + '\n');
    }
    return path;
}

}  // namespace

class TestExplore : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_;

  private slots:
    void initTestCase() {
        automix::test::useTestSettings(QStringLiteral("ui_explore"), settingsDir_.path());
    }

    // ------------------------------------------------------------ first launch and papercuts

    void firstLaunchRoutesTheDemoWithPomdp() {
        QSettings().clear();
        MainWindow w;
        QVERIFY(ui::routeOnFirstLaunch(w));
        QVERIFY(w.openDemo());
        w.show();
        settle(w);
        QCOMPARE(w.routingState()->methodName(), QStringLiteral("POMDP"));
        QVERIFY(w.routingState()->isRouted());
        // What --screenshot captures after waiting: curves drawn, ring placed, nothing running.
        auto* tabs = w.findChild<ChartTabs*>();
        QVERIFY(tabs->curvesSnapshot());
        QVERIFY(!tabs->isComputingCurves());
        QVERIFY(tabs->costQuality()->currentPoint());
        QVERIFY(w.jobs()->isIdle());
        QVERIFY(!w.summaryLabel()->text().contains(QStringLiteral("not routed")));
        // The choice is remembered: the next launch keeps what the user has.
        w.selectMethod(QString());
        MainWindow again;
        QVERIFY(!ui::routeOnFirstLaunch(again));
        QCOMPARE(again.routingState()->methodName(), QString());
    }

    void demoMenuCountsMatchTheFiles() {
        MainWindow w;
        w.selectMethod(QString());
        auto* menu = w.findChild<QMenu*>(QStringLiteral("demoMenu"));
        QVERIFY(menu);
        QCOMPARE(menu->actions().size(), 2);
        for (QAction* a : menu->actions()) {
            const QRegularExpressionMatch m =
                QRegularExpression(QStringLiteral("([0-9][0-9 ]*) rows")).match(a->text());
            QVERIFY2(m.hasMatch(), qPrintable(a->text()));
            const qulonglong said = QString(m.captured(1)).remove(QLatin1Char(' ')).toULongLong();
            QSignalSpy finished(&w, &MainWindow::loadFinished);
            a->trigger();
            QVERIFY(finished.wait(60000) || finished.count() == 1);
            QVERIFY(finished.first().at(0).toBool());
            QCOMPARE(qulonglong(w.dataset()->size()), said);
        }
    }

    void sortArrowGoesWithANewFile() {
        MainWindow w;
        w.selectMethod(QString());
        w.resize(1200, 800);
        w.show();
        QVERIFY(w.openFile(fixture("small.jsonl")));
        QHeaderView* header = w.queryTable()->horizontalHeader();
        const int confColumn = w.queryModel()->confidenceColumn();
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                          QPoint(header->sectionViewportPosition(confColumn) + 5, header->height() / 2));
        QCOMPARE(header->sortIndicatorSection(), confColumn);
        w.saveSettings();  // the header state (with its arrow) is what a next file restores
        QVERIFY(w.openDemo());
        QCOMPARE(header->sortIndicatorSection(), -1);
        // Rows in file order.
        for (int i = 1; i < std::min(50, w.queryModel()->rowCount()); ++i)
            QVERIFY(w.queryModel()->datasetRow(i - 1) < w.queryModel()->datasetRow(i));
        QVERIFY(w.openFile(fixture("small.jsonl")));
        QCOMPARE(header->sortIndicatorSection(), -1);
    }

    void manualParametersSayManualAndResetToTrained() {
        MainWindow w;
        QVERIFY(w.openDemo());
        w.selectDataset(QStringLiteral("coqa"));
        w.selectMethod(QStringLiteral("Threshold"));
        w.routingState()->waitForTraining();
        const int coqa = w.dataset()->find_dataset("coqa");
        const routing::Params trained = w.routingState()->trainedFor(coqa)->params;
        QAction* reset = findAction(&w, QStringLiteral("resetToTrainedAction"));
        QVERIFY(reset);
        QVERIFY(!reset->isEnabled());
        QVERIFY(!w.summaryLabel()->text().contains(QStringLiteral("(manual)")));
        auto* tuning = w.findChild<ui::TuningPanel*>();
        QSlider* slider = tuning->parameterSlider(QStringLiteral("threshold"));
        slider->setFocus();
        QTest::keyClick(slider, Qt::Key_PageUp);
        QVERIFY(w.routingState()->trainedFor(coqa)->manual);
        QVERIFY2(w.summaryLabel()->text().contains(QStringLiteral("(manual)")), qPrintable(w.summaryLabel()->text()));
        QVERIFY(reset->isEnabled());
        reset->trigger();
        w.routingState()->waitForTraining();
        QVERIFY(!w.routingState()->trainedFor(coqa)->manual);
        QVERIFY(w.routingState()->trainedFor(coqa)->params == trained);
        QVERIFY(!w.summaryLabel()->text().contains(QStringLiteral("(manual)")));
        QVERIFY(!reset->isEnabled());
    }

    void undefinedLiftReadsAsADash() {
        QTemporaryDir dir;
        MainWindow w;
        QVERIFY(w.openFile(writeEqualScores(dir)));
        w.selectSplit(QStringLiteral("all"));
        w.selectMethod(QStringLiteral("Threshold"));
        w.routingState()->waitForTraining();
        QVERIFY(w.routingState()->isRouted());
        QVERIFY(std::isnan(w.routingState()->metrics().values.lift));
        const QString text = w.summaryLabel()->text();
        QVERIFY2(!text.contains(QStringLiteral("nan")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("IBC lift <b>—</b>")), qPrintable(text));
    }

    void reasonsShowThreeSignificantDigits() {
        MainWindow w;
        QVERIFY(w.openFile(fixture("small.jsonl")));
        w.selectSplit(QStringLiteral("all"));
        w.selectMethod(QStringLiteral("Threshold"));
        w.routingState()->waitForTraining();
        const data::Dataset& ds = *w.dataset();
        int checked = 0;
        for (data::RowIndex r = 0; r < ds.size(); ++r) {
            const QString why = w.routingState()->explain(r);
            if (why.isEmpty()) continue;
            ++checked;
            const double c = ds.small().verifier_confidence[r];
            QVERIFY2(!why.contains(QString::number(c, 'g', 17)) || QString::number(c, 'g', 17).size() <= 5,
                     qPrintable(why));
            QVERIFY2(why.contains(QString::number(c, 'g', 3)), qPrintable(why));
        }
        QVERIFY(checked > 0);
    }

    void skipBadLinesIsForOneOpenAndTheDialogLoadsTheGoodLines() {
        MainWindow w;
        QVERIFY(w.openFile(fixture("small.jsonl")));
        QAction* skip = findAction(&w, QStringLiteral("skipBadLinesAction"));
        QVERIFY(skip);
        skip->setChecked(true);
        QVERIFY(w.openFile(fixture("bad_line3.jsonl")));
        QCOMPARE(w.dataset()->size(), std::size_t(4));
        QVERIFY(!skip->isChecked());  // used up by that open
        // The next open is strict again: it fails, and the dialog offers the lenient load.
        QSignalSpy finished(&w, &MainWindow::loadFinished);
        w.startLoad(fixture("bad_line3.jsonl"));
        QVERIFY(finished.wait(20000) || finished.count() == 1);
        QCOMPARE(finished.first().at(0).toBool(), false);
        QMessageBox* box = w.errorDialog();
        QVERIFY(box);
        auto* goodLines = box->findChild<QPushButton*>(QStringLiteral("loadGoodLines"));
        QVERIFY(goodLines);
        finished.clear();
        QTest::mouseClick(goodLines, Qt::LeftButton);
        QVERIFY(finished.wait(20000) || finished.count() == 1);
        QCOMPARE(finished.last().at(0).toBool(), true);
        QCOMPARE(w.dataset()->size(), std::size_t(4));
        QVERIFY(!skip->isChecked());
        // Not remembered across windows either.
        w.saveSettings();
        MainWindow next;
        QVERIFY(!findAction(&next, QStringLiteral("skipBadLinesAction"))->isChecked());
    }

    void escapeCancelsOnlyFromTheLoadProgress() {
        QTemporaryDir dir;
        const QString fifo = dir.filePath(QStringLiteral("silent.fifo"));
        QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
        MainWindow w;
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QVERIFY(w.openFile(fixture("small.jsonl")));
        w.startLoad(fifo);
        QTest::qWait(200);
        QVERIFY(w.isLoading());
        w.queryTable()->setFocus();
        QTest::keyClick(w.queryTable(), Qt::Key_Escape);
        QTest::qWait(100);
        QVERIFY(w.isLoading());  // Esc in the table is the table's
        auto* cancel = w.findChild<QToolButton*>(QStringLiteral("cancelLoad"));
        QVERIFY(cancel && cancel->isVisible());
        cancel->setFocus();
        QTest::keyClick(cancel, Qt::Key_Escape);
        QTRY_VERIFY_WITH_TIMEOUT(!w.isLoading(), 3000);
    }

    void tabLeavesTheTableAndF6CyclesThePanes() {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QVERIFY(w.openFile(fixture("small.jsonl")));
        w.bottomTabs()->setCurrentIndex(0);  // Cost–quality: the page holding the tuning panel
        w.queryTable()->setFocus();
        QTRY_VERIFY(w.queryTable()->hasFocus());
        QTest::keyClick(w.queryTable(), Qt::Key_Tab);
        QVERIFY2(!w.queryTable()->hasFocus(), "Tab stayed in the table");
        // F6 from the table: drill-down, the bottom tab's page, the tuning panel, back to the table.
        w.queryTable()->setFocus();
        QTRY_VERIFY(w.queryTable()->hasFocus());
        const QList<QWidget*> panes = ui::focusPanes(&w, w.findChild<ui::TuningPanel*>());
        QVERIFY(panes.size() >= 3);
        for (int i = 1; i <= panes.size(); ++i) {
            QTest::keyClick(QApplication::focusWidget(), Qt::Key_F6);
            QWidget* focus = QApplication::focusWidget();
            QWidget* expected = panes[i % panes.size()];
            QVERIFY2(focus && (focus == expected || expected->isAncestorOf(focus)),
                     qPrintable(QStringLiteral("F6 step %1 landed on %2").arg(i).arg(focus ? focus->objectName()
                                                                                          : QStringLiteral("nothing"))));
            // The tuning panel lies inside the Cost–quality page: the page step must not be inside it.
            if (i % panes.size() == 2 && panes.size() > 3) QVERIFY(!panes[3]->isAncestorOf(focus));
        }
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_F6, Qt::ShiftModifier);
        QVERIFY(panes.last() == QApplication::focusWidget() || panes.last()->isAncestorOf(QApplication::focusWidget()));
    }

    void beliefChartIsNotCalledPomdpForTheCascade() {
        MainWindow w;
        QVERIFY(w.openFile(ui::extractDemoFile(QStringLiteral("demo-3model.jsonl.gz"))));
        w.selectMethod(QStringLiteral("Cascade"));
        w.routingState()->waitForTraining();
        auto* tabs = w.findChild<ChartTabs*>();
        tabs->flushBelief();
        const QString title = tabs->belief()->view()->chart()->title();
        QVERIFY2(!title.contains(QStringLiteral("POMDP")), qPrintable(title));
        QVERIFY(title.contains(QStringLiteral("Cascade")));
    }

    void trainSplitShowsOneFiguresColumn() {
        MainWindow w;
        w.show();
        QVERIFY(w.openDemo());
        w.selectDataset(QStringLiteral("cnli"));
        auto* tuning = w.findChild<ui::TuningPanel*>();
        auto* valHeader = tuning->findChild<QLabel*>(QStringLiteral("figure_0_2"));
        QVERIFY(valHeader);
        w.selectSplit(QStringLiteral("val"));
        QVERIFY(valHeader->isVisibleTo(tuning));
        w.selectSplit(QStringLiteral("train"));
        QVERIFY(!valHeader->isVisibleTo(tuning));
        QVERIFY(tuning->findChild<QLabel*>(QStringLiteral("figure_0_1"))->isVisibleTo(tuning));
    }

    void emptyChartTicksAreDistinct() {
        MainWindow w;
        auto* tabs = w.findChild<ChartTabs*>();
        for (QAbstractAxis* a : tabs->costQuality()->chart()->axes()) {
            auto* axis = qobject_cast<QValueAxis*>(a);
            QVERIFY(axis);
            const QStringList ticks = tickTexts(axis);
            QCOMPARE(QSet<QString>(ticks.begin(), ticks.end()).size(), ticks.size());
        }
    }

    void everyModelHasItsCostBox() {
        MainWindow w;
        QVERIFY(w.openFile(ui::extractDemoFile(QStringLiteral("demo-3model.jsonl.gz"))));
        const data::Dataset& ds = *w.dataset();
        QCOMPARE(ds.model_count(), std::size_t(3));
        auto* middle = w.findChild<QDoubleSpinBox*>(QStringLiteral("modelCost1"));
        QVERIFY(middle);
        QCOMPARE(middle->value(), ds.models[1].call_cost);
        const auto name = [&](std::size_t m) {
            return QString::fromStdString(ds.models[m].display_name.empty() ? ds.models[m].name
                                                                            : ds.models[m].display_name);
        };
        QCOMPARE(w.findChild<QLabel*>(QStringLiteral("smallCostLabel"))->text(), name(0));
        QCOMPARE(w.findChild<QLabel*>(QStringLiteral("largeCostLabel"))->text(), name(2));
        middle->setValue(ds.models[1].call_cost + 3);
        QCOMPARE(w.routingState()->config().call_costs.at(1), ds.models[1].call_cost + 3);
        // A two-model file has no middle box.
        QVERIFY(w.openDemo());
        QVERIFY(!w.findChild<QDoubleSpinBox*>(QStringLiteral("modelCost1")));
    }

    // ------------------------------------------------------------ charts a researcher can read

    void chartsAreReadable_data() {
        QTest::addColumn<QSize>("size");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("method");
        QTest::addColumn<bool>("dark");
        for (const QSize size : {QSize(1024, 700), QSize(1920, 1080)}) {
            QTest::addRow("2 models %dx%d", size.width(), size.height())
                << size << QStringLiteral("demo.jsonl.gz") << QStringLiteral("POMDP") << false;
            QTest::addRow("3 models %dx%d", size.width(), size.height())
                << size << QStringLiteral("demo-3model.jsonl.gz") << QStringLiteral("Cascade") << false;
        }
        // The window's default size, where the 3-model belief title used to be cut.
        QTest::addRow("3 models 1500x940") << QSize(1500, 940) << QStringLiteral("demo-3model.jsonl.gz")
                                           << QStringLiteral("Cascade") << false;
        // A dark desktop palette (the charts follow it): the same checks, plus contrast.
        QTest::addRow("2 models 1024x700 dark") << QSize(1024, 700) << QStringLiteral("demo.jsonl.gz")
                                                << QStringLiteral("POMDP") << true;
        QTest::addRow("3 models 1920x1080 dark") << QSize(1920, 1080) << QStringLiteral("demo-3model.jsonl.gz")
                                                 << QStringLiteral("Cascade") << true;
    }

    void chartsAreReadable() {
        QFETCH(QSize, size);
        QFETCH(QString, file);
        QFETCH(QString, method);
        QFETCH(bool, dark);
        const QPalette lightPalette = QApplication::palette();
        const auto restore = qScopeGuard([&] { QApplication::setPalette(lightPalette); });
        if (dark) QApplication::setPalette(ui::darkThemePalette());  // as View ▸ Theme ▸ Dark sets it
        MainWindow w;
        w.resize(size);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.openFile(ui::extractDemoFile(file)));
        w.selectDataset(QStringLiteral("cnli"));
        w.selectMethod(method);
        settle(w);
        auto* tabs = w.findChild<ChartTabs*>();
        tabs->computeSamplesCurve();
        settle(w);
        // Two studies on the Studies tab: a line chart (cost ratio) and the latency scatter.
        auto* studies = w.findChild<ui::StudiesPanel*>();
        QVERIFY(studies);
        studies->setSelectedMethods({QStringLiteral("Threshold"), QStringLiteral("POMDP")});
        const QString shots = qEnvironmentVariable("AUTOMIX_EXPLORE_SHOTS");
        for (int t = 0; t < w.bottomTabs()->count(); ++t) {
            w.bottomTabs()->setCurrentIndex(t);
            settle(w);
            const QString tab = w.bottomTabs()->tabText(t);
            QStringList runs{QString()};
            if (w.bottomTabs()->currentWidget()->isAncestorOf(studies) || w.bottomTabs()->currentWidget() == studies)
                runs = {QStringLiteral("cost-ratio"), QStringLiteral("latency")};
            for (const QString& study : runs) {
                if (!study.isEmpty()) {
                    studies->setStudy(study);
                    QString error;
                    QVERIFY2(studies->run(&error), qPrintable(error));
                    QVERIFY(studies->waitForFinished());
                    studies->setChartGroup(QStringLiteral("cnli"));
                    settle(w);
                }
                if (!shots.isEmpty()) {
                    QDir().mkpath(shots);
                    w.grab().save(QDir(shots).filePath(QStringLiteral("%1-%2x%3-%4%5.png")
                                                           .arg(QString(file).section(QLatin1Char('.'), 0, 0))
                                                           .arg(size.width())
                                                           .arg(size.height())
                                                           .arg(QString(tab).replace(QLatin1Char(' '), QLatin1Char('_')),
                                                                study + (dark ? QStringLiteral("-dark") : QString()))));
                }
                for (QChartView* view : w.bottomTabs()->currentWidget()->findChildren<QChartView*>())
                    if (view->isVisible() && view->width() > 50 && dark) {
                        // Drawn on the palette's dark base, its text light: readable on a dark desktop.
                        const int background = view->chart()->backgroundBrush().color().lightness();
                        QVERIFY2(background < 100, qPrintable(view->objectName()));
                        QVERIFY2(view->chart()->titleBrush().color().lightness() - background > 100,
                                 qPrintable(view->objectName()));
                    }
                for (QChartView* view : w.bottomTabs()->currentWidget()->findChildren<QChartView*>())
                    if (view->isVisible() && view->width() > 50)
                        checkReadable(view, QStringLiteral("%1 %2x%3 %4 %5 %6")
                                                .arg(file)
                                                .arg(size.width())
                                                .arg(size.height())
                                                .arg(tab, view->objectName(), study));
            }
        }
    }

    void legendClickHidesAndShowsAMethod() {
        MainWindow w;
        QVERIFY(showDemoRouted(w, QStringLiteral("cnli")));
        auto* chart = w.findChild<ChartTabs*>()->costQuality();
        ui::charts::ChartLegend* legend = chart->legend();
        QVERIFY(legend->isVisible());
        const int row = legend->names().indexOf(QStringLiteral("Threshold"));
        QVERIFY2(row >= 0, qPrintable(legend->names().join(QLatin1Char(','))));
        const QList<QAbstractSeries*> series = legend->seriesOf(QStringLiteral("Threshold"));
        QCOMPARE(series.size(), 3);  // curve, candidates, trained marker
        QVERIFY(chart->candidateSeries(QStringLiteral("Threshold"))->isVisible());
        legend->scrollToItem(legend->item(row));
        const QPoint at = legend->visualItemRect(legend->item(row)).center();
        QTest::mouseClick(legend->viewport(), Qt::LeftButton, {}, at);
        for (QAbstractSeries* s : series) QVERIFY(!s->isVisible());
        QCOMPARE(legend->item(row)->checkState(), Qt::Unchecked);
        // Still hidden after the curves are drawn again (another dataset and back).
        w.selectDataset(QStringLiteral("coqa"));
        w.selectDataset(QStringLiteral("cnli"));
        settle(w);
        QVERIFY(!chart->candidateSeries(QStringLiteral("Threshold"))->isVisible());
        // From the keyboard this time: the entry current, Space shows it again.
        legend->setFocus();
        QVERIFY(legend->names().contains(QStringLiteral("Threshold")));
        legend->setCurrentItem(legend->item(legend->names().indexOf(QStringLiteral("Threshold"))));
        QTest::keyClick(legend, Qt::Key_Space);
        QVERIFY(chart->candidateSeries(QStringLiteral("Threshold"))->isVisible());
        QVERIFY(chart->trainedSeries(QStringLiteral("Threshold"))->isVisible());
    }

    void themeMenuSwitchesLiveAndIsRemembered() {
        const QPalette before = QApplication::palette();
        const auto restore = qScopeGuard([&] {
            QSettings().remove(QStringLiteral("view/theme"));
            QApplication::setPalette(before);
        });
        MainWindow w;
        QVERIFY(showDemoRouted(w, QStringLiteral("cnli")));
        auto* tabs = w.findChild<ChartTabs*>();
        const QList<QChartView*> views = {tabs->costQuality()->view(), tabs->belief()->view(),
                                          tabs->verifier()->histogramView(), tabs->verifier()->reliabilityView(),
                                          tabs->registeredPage(QStringLiteral("calibration_gap"))->view()};
        // The name of a chart whose background is not yet of the theme, or "" (the redraw follows
        // the palette's events, so the checks below retry for a while: slow under the sanitizers).
        auto chartsAre = [&](bool dark) {
            for (QChartView* v : views) {
                const int background = v->chart()->backgroundBrush().color().lightness();
                if (dark ? background >= 100 : background <= 150) return v->objectName();
            }
            return QString();
        };
        QTRY_COMPARE(chartsAre(false), QString());
        auto* dark = w.findChild<QAction*>(QStringLiteral("theme_dark"));
        QVERIFY(dark);
        dark->trigger();
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 100);
        QCOMPARE(QSettings().value(QStringLiteral("view/theme")).toString(), QStringLiteral("dark"));
        QTRY_COMPARE(chartsAre(true), QString());  // redrawn without new data
        // The curves keep their method colours (a theme change must not repaint them with the theme's).
        QScatterSeries* threshold = tabs->costQuality()->candidateSeries(QStringLiteral("Threshold"));
        QVERIFY(threshold);
        QCOMPARE(threshold->color(), ui::charts::methodColor(QStringLiteral("Threshold"), true));
        // Remembered: the next window starts dark.
        QApplication::setPalette(before);
        MainWindow next;
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 100);
        next.findChild<QAction*>(QStringLiteral("theme_light"))->trigger();
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 150);
        QTRY_COMPARE(chartsAre(false), QString());
        next.findChild<QAction*>(QStringLiteral("theme_system"))->trigger();
        QCOMPARE(QApplication::palette().color(QPalette::Window), before.color(QPalette::Window));
        QCOMPARE(QSettings().value(QStringLiteral("view/theme")).toString(), QStringLiteral("system"));
    }

    void pointTooltipStaysWhileThePointerRests() {
        MainWindow w;
        QVERIFY(showDemoRouted(w, QStringLiteral("cnli")));
        auto* chart = w.findChild<ChartTabs*>()->costQuality();
        auto* view = qobject_cast<ui::charts::InteractiveChartView*>(chart->view());
        QVERIFY(view);
        QScatterSeries* s = chart->trainedSeries(QStringLiteral("Threshold"));
        QVERIFY(s && s->count() > 0);
        const QPoint at = view->mapFromScene(chart->chart()->mapToScene(chart->chart()->mapToPosition(s->at(0), s)));
        // The pointer arrives on the point: the series reports the hover (emitted here as QtCharts
        // does; offscreen, the scene's hover goes to whichever of the ~40 items stacked there is on top).
        emit s->hovered(s->at(0), true);
        QTRY_VERIFY(QToolTip::isVisible());
        const QString text = QToolTip::text();
        QVERIFY2(text.contains(QStringLiteral("cost")), qPrintable(text));  // a point's figures, not the view's help
        QCOMPARE(view->pointTip(), text);
        // The pointer rests on the point: Qt asks the view for a tooltip again and again; the
        // scene's items have none, which used to hide the point's after 0.25–1.6 s.
        for (int i = 0; i < 3; ++i) {
            QHelpEvent rest(QEvent::ToolTip, at, view->viewport()->mapToGlobal(at));
            QApplication::sendEvent(view->viewport(), &rest);
            QTest::qWait(600);
            QVERIFY(QToolTip::isVisible());
            QCOMPARE(QToolTip::text(), text);
        }
        // Away from the point the tooltip is not the point's any more.
        const QPoint away = at + QPoint(80, 80);
        QHelpEvent elsewhere(QEvent::ToolTip, away, view->viewport()->mapToGlobal(away));
        QApplication::sendEvent(view->viewport(), &elsewhere);
        QVERIFY(!QToolTip::isVisible() || QToolTip::text() != text);
        QVERIFY(view->pointTip().isEmpty());
    }

    void wheelZoomPanAndReset() {
        MainWindow w;
        QVERIFY(showDemoRouted(w, QStringLiteral("cnli")));
        QChartView* view = w.findChild<ChartTabs*>()->costQuality()->view();
        auto* x = qobject_cast<QValueAxis*>(view->chart()->axes(Qt::Horizontal).first());
        const double lo = x->min(), hi = x->max();
        const QPointF centre = view->mapFromScene(view->chart()->mapToScene(view->chart()->plotArea().center()));
        QWheelEvent wheel(centre, view->viewport()->mapToGlobal(centre), QPoint(), QPoint(0, 240), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view->viewport(), &wheel);
        QVERIFY2(x->max() - x->min() < 0.8 * (hi - lo), qPrintable(QStringLiteral("%1..%2").arg(x->min()).arg(x->max())));
        // A plain drag pans: the visible width stays, the window moves.
        const double width = x->max() - x->min(), left = x->min();
        const QPoint from = centre.toPoint();
        QTest::mousePress(view->viewport(), Qt::LeftButton, {}, from);
        QTest::mouseMove(view->viewport(), from + QPoint(30, 0));
        QTest::mouseMove(view->viewport(), from + QPoint(80, 0));
        QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, from + QPoint(80, 0));
        QVERIFY(std::abs((x->max() - x->min()) - width) < 1e-6 * width);
        QVERIFY2(x->min() < left, qPrintable(QStringLiteral("%1 → %2").arg(left).arg(x->min())));
        // Double click resets; so does Home after another zoom.
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, from);
        QCOMPARE(x->min(), lo);
        QCOMPARE(x->max(), hi);
        QApplication::sendEvent(view->viewport(), &wheel);
        QVERIFY(x->max() - x->min() < hi - lo);
        view->setFocus();
        QTest::keyClick(view, Qt::Key_Home);
        QCOMPARE(x->min(), lo);
        QCOMPARE(x->max(), hi);
        // Shift+drag zooms to the box drawn.
        QTest::mousePress(view->viewport(), Qt::LeftButton, Qt::ShiftModifier, from - QPoint(60, 40));
        QTest::mouseMove(view->viewport(), from + QPoint(60, 40));
        QTest::mouseRelease(view->viewport(), Qt::LeftButton, Qt::ShiftModifier, from + QPoint(60, 40));
        QVERIFY(x->max() - x->min() < 0.9 * (hi - lo));
    }

    void selectedQueryIsMarkedOnTheCharts() {
        MainWindow w;
        QVERIFY(showDemoRouted(w, QStringLiteral("cnli")));
        auto* tabs = w.findChild<ChartTabs*>();
        const data::Dataset& ds = *w.dataset();
        const routing::Bins bins(w.routingState()->config().num_bins);
        for (int tableRow : {3, 17}) {
            const data::RowIndex r = w.queryModel()->datasetRow(tableRow);
            w.selectRow(r);
            QCoreApplication::processEvents();
            const double c = ds.small().verifier_confidence[r];
            QCOMPARE(tabs->verifier()->selectedConfidence().value(), c);
            QCOMPARE(tabs->verifier()->selectedBin(), bins.nearest(c));
            QCOMPARE(tabs->belief()->selectedBin(), bins.nearest(c));
            QVERIFY(tabs->verifier()->histogramView()->chart()->findChild<QAbstractSeries*>(
                QStringLiteral("selectedQuery")));
            QVERIFY(tabs->verifier()->reliabilityView()->chart()->findChild<QAbstractSeries*>(
                QStringLiteral("selectedQuery")));
            tabs->flushBelief();
            QVERIFY(tabs->belief()->view()->chart()->findChild<QAbstractSeries*>(QStringLiteral("selectedQuery")));
        }
        // A click on a reliability point narrows the table to that bin's evaluation rows.
        emit tabs->verifier()->reliabilityBinClicked(bins.nearest(0.5));
        const int bin = bins.nearest(0.5);
        std::size_t expected = 0;
        for (data::RowIndex r : tabs->evalRows())
            if (bins.nearest(ds.small().verifier_confidence[r]) == bin && w.routingState()->scopeDataset() >= 0 &&
                ds.split[r] == data::Split::Val)
                ++expected;
        QCOMPARE(std::size_t(w.queryModel()->rowCount()), expected);
        QVERIFY(!w.routingState()->linkedFilterLabel().isEmpty());
    }

    // ------------------------------------------------------------ comparing two routings

    void comparisonCountsMatchAHandCount() {
        MainWindow w;
        QVERIFY(showDemoRouted(w, QStringLiteral("coqa")));
        auto* compare = w.findChild<ui::CompareRouting*>();
        QVERIFY(compare);
        QAction* with = findAction(&w, QStringLiteral("compareWith:Threshold"));
        QVERIFY(with);
        with->trigger();
        compare->waitUntilDone();
        settle(w);
        QVERIFY(compare->isActive());
        QVERIFY(w.queryModel()->hasCompareColumn());

        // By hand: Threshold trained on coqa's train rows, straight from core.
        const data::Dataset& ds = *w.dataset();
        const int coqa = ds.find_dataset("coqa");
        const auto threshold = routing::find_method("Threshold");
        const routing::Config cfg = w.routingState()->config();
        const data::View train = ds.measured(ds.rows(coqa, data::Split::Train));
        const auto trainView = eval::ScoredView::for_method(ds, train, *threshold, eval::CostModel::from(cfg));
        const routing::Params p = eval::train_method(*threshold, ds, trainView, cfg).best_params();
        const data::View& scope = w.routingState()->scopeRows();
        const routing::Decisions b = threshold->route(ds, scope, p, cfg);
        std::size_t both = 0, onlyA = 0, onlyB = 0, neither = 0, oracleOnlyB = 0;
        for (std::size_t i = 0; i < scope.size(); ++i) {
            const bool ea = w.routingState()->escalated(scope[i]), eb = b[i] > 0;
            QCOMPARE(compare->decision(scope[i]), int(b[i]));
            both += ea && eb, onlyA += ea && !eb, onlyB += !ea && eb, neither += !ea && !eb;
            if (!ea && eb && ds.large().score[scope[i]] > ds.small().score[scope[i]]) ++oracleOnlyB;
        }
        const eval::CompareCounts c = compare->counts(scope);
        QCOMPARE(c.both, both);
        QCOMPARE(c.only_a, onlyA);
        QCOMPARE(c.only_b, onlyB);
        QCOMPARE(c.neither, neither);
        QCOMPARE(c.oracle_only_b, oracleOnlyB);
        QVERIFY(onlyA + onlyB > 0);  // POMDP and Threshold do differ on coqa

        // The bar's buttons say so, and filter the table.
        auto* differ = w.findChild<QToolButton*>(QStringLiteral("compareDiffer"));
        QVERIFY(differ && differ->isVisible());
        QVERIFY2(differ->text().contains(QLocale().toString(qulonglong(onlyA + onlyB))), qPrintable(differ->text()));
        QTest::mouseClick(differ, Qt::LeftButton);
        QCOMPARE(std::size_t(w.queryModel()->rowCount()), onlyA + onlyB);
        auto* onlyBButton = w.findChild<QToolButton*>(QStringLiteral("compareOnlyB"));
        QTest::mouseClick(onlyBButton, Qt::LeftButton);
        QCOMPARE(std::size_t(w.queryModel()->rowCount()), onlyB);
        QVERIFY(!differ->isChecked());

        // The table's B column, the drill-down's two reasons, the two rings.
        const data::RowIndex r = w.queryModel()->datasetRow(0);
        w.selectRow(r);
        QCOMPARE(w.queryModel()->data(w.queryModel()->index(0, w.queryModel()->compareColumn()), Qt::DisplayRole)
                     .toString(),
                 QStringLiteral("escalate"));  // only B escalates these
        auto* details = w.drillDown()->findChild<QTextBrowser*>(QStringLiteral("drillDownDetails"));
        QVERIFY(details);
        const QString html = details->toPlainText();
        QVERIFY2(html.contains(compare->explain(r)) && html.contains(w.routingState()->explain(r)), qPrintable(html));
        QVERIFY(w.findChild<ChartTabs*>()->costQuality()->comparedPoint());
        QVERIFY(w.findChild<ChartTabs*>()->costQuality()->currentPoint());

        // Same method, another parameter: freeze A as B, move A.
        w.filterBar()->clear();
        w.routingState()->clearLinkedFilter();
        findAction(&w, QStringLiteral("compareFrozen"))->trigger();
        compare->waitUntilDone();
        QCoreApplication::processEvents();
        QCOMPARE(compare->counts(scope).differ(), std::size_t(0));
        QCOMPARE(compare->methodName(), QStringLiteral("POMDP"));
        findAction(&w, QStringLiteral("compareOff"))->trigger();
        QVERIFY(!compare->isActive());
        QVERIFY(!w.queryModel()->hasCompareColumn());
    }

    void cliComparesTwoRoutings() {
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("diff.csv"));
        QProcess p;
        p.start(QStringLiteral(AUTOMIX_CLI),
                {QStringLiteral("eval"), QStringLiteral("--data"),
                 QStringLiteral(AUTOMIX_SOURCE_DIR "/resources/demo/demo.jsonl.gz"), QStringLiteral("--datasets"),
                 QStringLiteral("cnli"), QStringLiteral("--compare"), QStringLiteral("POMDP,Threshold@0.5"),
                 QStringLiteral("--csv"), csv});
        QVERIFY(p.waitForFinished(120000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardError())));
        // "cnli  rows  both (o)  only A (o)  only B (o)  neither (o)"
        const QRegularExpressionMatch m =
            QRegularExpression(QStringLiteral("cnli\\s+(\\d+)\\s+(\\d+) \\(\\d+\\)\\s+(\\d+) \\(\\d+\\)\\s+(\\d+) \\(\\d+\\)"))
                .match(out);
        QVERIFY2(m.hasMatch(), qPrintable(out));
        const int differ = m.captured(3).toInt() + m.captured(4).toInt();
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QList<QByteArray> lines = f.readAll().split('\n');
        while (!lines.isEmpty() && lines.last().isEmpty()) lines.removeLast();
        QVERIFY(lines.first().startsWith("dataset,id,split,a_model,b_model"));
        QCOMPARE(lines.size() - 1, differ);
        for (int i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> cells = lines[i].split(',');
            QCOMPARE(cells[0], QByteArray("cnli"));
            QVERIFY(cells[3] != cells[4]);
        }
        // A malformed choice is a usage error, not a crash.
        p.start(QStringLiteral(AUTOMIX_CLI), {QStringLiteral("eval"), QStringLiteral("--data"),
                                              QStringLiteral(AUTOMIX_SOURCE_DIR "/resources/demo/demo.jsonl.gz"),
                                              QStringLiteral("--compare"), QStringLiteral("NoSuchMethod,POMDP")});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY(p.exitCode() != 0);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains(QStringLiteral("unknown method 'NoSuchMethod'")));
    }
};

QTEST_MAIN(TestExplore)
#include "test_explore.moc"

// The Experiments (Studies) panel: every study runs in the background from the widgets'
// parameters, its chart and table show the core result, charts render to PNG (set
// AUTOMIX_STUDY_PNG_DIR to keep them for viewing), Cancel stops a run, router scores
// import as a method, and the main window hosts the panel.
#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QImage>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <set>

#include "core/data/reader.hpp"
#include "core/study/study.hpp"
#include "ui/charts/chart_interaction.hpp"
#include "ui/main_window.hpp"
#include "ui/studies_panel.hpp"
#include "ui/theme.hpp"
#include "ui/support_settings.hpp"

using namespace automix;

namespace {

std::shared_ptr<const data::Dataset> demo() {
    static auto ds = std::make_shared<const data::Dataset>(
        data::load_file(std::string(AUTOMIX_SOURCE_DIR "/resources/demo/demo.jsonl.gz")).dataset);
    return ds;
}

// Number of distinct colours in the image (a blank or one-colour render has very few).
int colourCount(const QImage& img) {
    std::set<QRgb> seen;
    for (int y = 0; y < img.height(); y += 3)
        for (int x = 0; x < img.width(); x += 3) seen.insert(img.pixel(x, y));
    return static_cast<int>(seen.size());
}

}  // namespace

class TestStudies : public QObject {
    Q_OBJECT
  private:
    QTemporaryDir tmp_;
    QString pngDir() const {
        const QString dir = qEnvironmentVariable("AUTOMIX_STUDY_PNG_DIR");
        return dir.isEmpty() ? tmp_.path() : dir;
    }

    void runAndRender(ui::StudiesPanel& panel, const QString& study, const QString& group = {}) {
        panel.setStudy(study);
        QCOMPARE(panel.study(), study);
        QString error;
        QVERIFY2(panel.run(&error), qPrintable(error));
        QVERIFY(panel.isRunning() || panel.result());
        QVERIFY(panel.waitForFinished());
        QVERIFY2(panel.lastError().isEmpty(), qPrintable(panel.lastError()));
        QVERIFY(panel.result().has_value());
        QCOMPARE(QString::fromStdString(panel.result()->study), study);
        // The table shows the core result's table.
        QCOMPARE(panel.table()->rowCount(), static_cast<int>(panel.result()->table.rows.size()));
        QCOMPARE(panel.table()->columnCount(), static_cast<int>(panel.result()->table.columns.size()));
        if (!group.isEmpty()) panel.setChartGroup(group);
        if (auto* view = qobject_cast<QChartView*>(panel.chartWidget())) QVERIFY(!view->chart()->series().isEmpty());
        const QString png = pngDir() + "/study-" + study + ".png";
        QCOMPARE(panel.exportPng(png), QString());
        const QImage img(png);
        QVERIFY(!img.isNull());
        QVERIFY(img.width() >= 1000);
        QVERIFY2(colourCount(img) > 20, qPrintable(png));
    }

    QTemporaryDir settingsDir_;

  private slots:
    // The study parameters are remembered: keep them out of the user's settings.
    void initTestCase() { automix::test::useTestSettings(QStringLiteral("ui_studies"), settingsDir_.path()); }

    void eachStudyRunsAndRenders() {
        ui::StudiesPanel panel;
        panel.resize(1300, 700);
        panel.show();
        panel.setDataset(demo());
        panel.setSelectedMethods({"Threshold", "DoubleThreshold", "POMDPSimple", "GreedyPOMDP", "POMDP"});

        runAndRender(panel, "cost-ratio", "cnli");
        // Lines per method of the chosen dataset, x from 2 to 2000.
        auto* view = qobject_cast<QChartView*>(panel.chartWidget());
        QVERIFY(view);
        QCOMPARE(panel.chartGroups().size(), static_cast<int>(demo()->dataset_names.size()) + 1);

        panel.parameterEdit("sizes")->setText("10, 50, 250, 1000, all");
        panel.parameterSpin("sizeSeeds")->setValue(5);
        runAndRender(panel, "train-size", "coqa");
        QCOMPARE(panel.result()->parameters["seeds"].get<int>(), 5);

        runAndRender(panel, "transfer", "POMDP");
        QCOMPARE(panel.chartWidget()->objectName(), QString("studyHeatMap"));
        QCOMPARE(panel.chartGroups().size(), 5);

        panel.parameterEdit("k")->setText("1, 2, 4, 8, 16, all");
        panel.parameterSpin("sampleSeeds")->setValue(3);
        runAndRender(panel, "samples", "cnli");

        panel.parameterSpin("seeds")->setValue(10);
        panel.parameterSpin("bootstrap")->setValue(400);
        runAndRender(panel, "seeds");
        QCOMPARE(panel.result()->chart, study::ChartKind::ErrorBars);

        panel.parameterEdit("latency")->setText("0.4, 2.5");
        panel.verifierLatencySpin()->setValue(0.6);
        runAndRender(panel, "latency", "coqa");
        QCOMPARE(panel.result()->parameters["verifier_latency_s"].get<double>(), 0.6);

        // The whole panel (form, chart, table) as the user sees it.
        panel.setStudy("transfer");
        QVERIFY(panel.run());
        QVERIFY(panel.waitForFinished());
        const QImage whole = panel.grab().toImage();
        QVERIFY(whole.save(pngDir() + "/studies-panel.png"));
        QVERIFY(colourCount(whole) > 20);

        // Exports of the table and the whole result.
        const QString csv = tmp_.path() + "/transfer.csv", json = tmp_.path() + "/transfer.json",
                      svg = tmp_.path() + "/transfer.svg";
        QCOMPARE(panel.exportCsv(csv), QString());
        QCOMPARE(panel.exportJson(json), QString());
        QCOMPARE(panel.exportSvg(svg), QString());
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        // What the study was computed on, then the table.
        const QByteArray provenance = f.readLine();
        QVERIFY2(provenance.startsWith("# computed on: ") && provenance.contains("costs"), provenance.constData());
        QCOMPARE(QString::fromUtf8(provenance.mid(15).trimmed()), panel.resultProvenance());
        QVERIFY(f.readLine().startsWith("method,trained_on,evaluated_on,ok,"));
        QVERIFY(QFileInfo(svg).size() > 1000);
        QVERIFY(QFileInfo(json).size() > 1000);
    }

    void invalidParametersAreReported() {
        ui::StudiesPanel panel;
        QString error;
        QVERIFY(!panel.run(&error));  // no data yet
        QVERIFY(error.contains("Open a data file"));
        panel.setDataset(demo());
        panel.setStudy("cost-ratio");
        panel.parameterEdit("ratios")->setText("2, lots");
        QVERIFY(!panel.run(&error));
        QVERIFY(error.startsWith("Ratios"));
        panel.parameterEdit("ratios")->setText("0.5");
        QVERIFY(panel.run(&error));  // accepted by the form, rejected by core
        QVERIFY(panel.waitForFinished());
        QVERIFY(panel.lastError().contains("greater than 1"));
    }

    void cancelStopsARun() {
        ui::StudiesPanel panel;
        panel.setDataset(demo());
        panel.setStudy("seeds");
        panel.parameterSpin("bootstrap")->setValue(100000);
        panel.parameterSpin("seeds")->setValue(50);
        QVERIFY(panel.run());
        QVERIFY(panel.isRunning());
        panel.cancel();
        QVERIFY(panel.waitForFinished(60000));
        QCOMPARE(panel.lastError(), QString("cancelled"));
        QVERIFY(!panel.result().has_value());
    }

    void importedRouterJoinsTheStudies() {
        ui::StudiesPanel panel;
        panel.setDataset(demo());
        const auto& ds = *demo();
        const QString path = tmp_.path() + "/ext.csv";
        {
            std::ofstream out(path.toStdString());
            out << "id,score\n";
            for (std::size_t r = 0; r < ds.size(); ++r)
                out << ds.id[r] << ',' << 1.0 - ds.small().verifier_confidence[r] << '\n';
        }
        QSignalSpy imported(&panel, &ui::StudiesPanel::routerImported);
        QString method;
        QCOMPARE(panel.importRouterScores(path + ":inverse", &method), QString());
        QCOMPARE(method, QString("ExternalRouter(inverse)"));
        QCOMPARE(imported.count(), 1);
        QVERIFY(imported.at(0).at(1).toString().startsWith(QString::number(ds.size()) + " of "));
        auto* list = panel.findChild<QListWidget*>("studyMethods");
        QVERIFY(!list->findItems(method, Qt::MatchExactly).isEmpty());
        panel.setSelectedMethods({"Threshold", method});
        panel.setStudy("cost-ratio");
        QVERIFY(panel.run());
        QVERIFY(panel.waitForFinished());
        int rows = 0;
        for (const auto& row : panel.result()->table.rows)
            if (row[1] == method.toStdString()) {
                QVERIFY(row[4].get<bool>());
                ++rows;
            }
        QCOMPARE(rows, static_cast<int>(ds.dataset_names.size() * 10));
        // A broken file: the error names file and line.
        const QString bad = tmp_.path() + "/bad.csv";
        std::ofstream(bad.toStdString()) << "id,score\nx,0.1\nx,0.2\n";
        const QString error = panel.importRouterScores(bad);
        QVERIFY2(error.contains("bad.csv:3: duplicate id 'x' (first at line 2)"), qPrintable(error));
    }

    void mainWindowHostsThePanel() {
        ui::MainWindow w;
        auto* panel = w.findChild<ui::StudiesPanel*>();
        QVERIFY(panel);
        bool tab = false;
        for (int i = 0; i < w.bottomTabs()->count(); ++i) tab = tab || w.bottomTabs()->tabText(i).contains("Studies");
        QVERIFY(tab);
        QAction* import = nullptr;
        for (QAction* a : w.findChildren<QAction*>())
            if (QString(a->text()).remove(QLatin1Char('&')).contains("Import Router Scores")) import = a;
        QVERIFY(import);
        // Experiments ▸ seeds… selects the study and shows the tab.
        auto* experiments = w.findChild<QMenu*>("experimentsMenu");
        QVERIFY(experiments);
        QCOMPARE(experiments->actions().size(), 6);
        experiments->actions().at(4)->trigger();
        QCOMPARE(panel->study(), QString("seeds"));
        QCOMPARE(w.bottomTabs()->currentWidget(), panel);
        QString error;
        QVERIFY2(w.openDemo(&error), qPrintable(error));
        panel->setStudy("transfer");
        QVERIFY(panel->run(&error));
        QVERIFY(panel->waitForFinished());
        QVERIFY(panel->result().has_value());
    }

    // The study's chart is a chart like the others (ui/charts/chart_page.hpp): a theme change
    // redraws it in the new colours, same chart, same series; its PNG reads in both themes.
    void studyChartFollowsTheTheme() {
        ui::StudiesPanel panel;
        panel.resize(1300, 700);
        panel.show();
        panel.setDataset(demo());
        panel.setSelectedMethods({"Threshold", "POMDP"});
        runAndRender(panel, "cost-ratio", "coqa");
        ui::charts::InteractiveChartView* view = panel.chartView();
        QVERIFY(view);
        QCOMPARE(panel.chartWidget(), static_cast<QWidget*>(view));
        QChart* chart = view->chart();
        const qsizetype series = chart->series().size();
        QVERIFY(series >= 2);
        const QString title = chart->title();
        const QPalette light = QApplication::palette();
        const QPalette dark = ui::darkThemePalette();
        QApplication::setPalette(dark);
        QTRY_COMPARE(chart->titleBrush().color(), dark.color(QPalette::Text));
        QCOMPARE(view->chart(), chart);
        QCOMPARE(chart->series().size(), series);
        QCOMPARE(chart->title(), title);
        QCOMPARE(chart->backgroundBrush().color(), dark.color(QPalette::Base));
        const QString png = pngDir() + "/study-cost-ratio-dark.png";
        QCOMPARE(panel.exportPng(png), QString());
        QVERIFY(colourCount(QImage(png)) > 20);
        QApplication::setPalette(light);
        QTRY_COMPARE(chart->titleBrush().color(), light.color(QPalette::Text));
    }
};

QTEST_MAIN(TestStudies)
#include "test_studies.moc"

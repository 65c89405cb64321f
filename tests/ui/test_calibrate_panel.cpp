// Calibrate and Deploy… in the tuning panel (issue #21), driven as a user would: choose a
// constraint, type its value, press Calibrate; the routing takes the parameter core's
// eval::calibrate picks on the train rows, the chart draws the constraint line and marks the
// choice, an impossible limit is refused in the panel, a stale calibration disappears, and
// Deploy writes a models config the live reader loads. AUTOMIX_SCREENSHOT_DIR=<dir> saves PNGs.
#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

#include "core/eval/calibrate.hpp"
#include "core/live/models_config.hpp"
#include "core/routing/method.hpp"
#include "ui/charts/chart_tabs.hpp"
#include "ui/charts/cost_quality_chart.hpp"
#include "ui/main_window.hpp"
#include "ui/routing_state.hpp"
#include "ui/tuning_panel.hpp"

using namespace automix;
using ui::MainWindow;
using ui::charts::ChartTabs;

class TestCalibratePanel : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::unique_ptr<MainWindow> window_;
    ChartTabs* tabs_ = nullptr;
    ui::TuningPanel* panel_ = nullptr;

    ui::RoutingState* state() const { return window_->routingState(); }
    int coqa() const { return state()->dataset()->find_dataset("coqa"); }

    // The user's way: pick the kind, type the value, press Calibrate, wait for the job.
    void calibrateTo(int kind, const QString& value) {
        panel_->constraintKind()->setFocus();
        panel_->constraintKind()->setCurrentIndex(kind);
        QDoubleSpinBox* v = panel_->constraintValue();
        v->setFocus();
        v->selectAll();
        QTest::keyClicks(v, value);
        QTest::keyClick(v, Qt::Key_Return);
        QSignalSpy changed(panel_, &ui::TuningPanel::calibrationChanged);
        QTest::mouseClick(panel_->calibrateButton(), Qt::LeftButton);
        panel_->waitForCalibration();
        QCoreApplication::processEvents();
        QVERIFY(changed.count() >= 1);
    }

    eval::Calibration coreCalibration(const eval::Constraint& c) const {
        eval::CalibrationOptions o;
        o.constraint = c;
        return eval::calibrate(*state()->method(), *state()->dataset(), tabs_->trainRows(), tabs_->evalRows(),
                               state()->config(), o);
    }

    void shoot(const QString& name) {
        const QString shots = qEnvironmentVariable("AUTOMIX_SCREENSHOT_DIR");
        if (shots.isEmpty()) return;
        QTest::qWait(100);
        window_->grab().save(shots + "/" + name + ".png");
        tabs_->costQuality()->grab().save(shots + "/" + name + "-chart.png");
        panel_->grab().save(shots + "/" + name + "-panel.png");
        if (QWidget* tab = window_->findChild<QWidget*>(QStringLiteral("costQualityTab")))
            tab->grab().save(shots + "/" + name + "-tab.png");
    }

  private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("AutoMixTest"));
        QCoreApplication::setApplicationName(QStringLiteral("ui_calibrate_panel"));
        window_ = std::make_unique<MainWindow>();
        tabs_ = window_->findChild<ChartTabs*>();
        QVERIFY(tabs_);
        panel_ = tabs_->tuning();
        window_->resize(1600, 1000);
        window_->show();
        QString error;
        QVERIFY2(window_->openDemo(&error), qPrintable(error));
        window_->selectDataset(QStringLiteral("coqa"));
        window_->selectSplit(QStringLiteral("val"));
        window_->selectMethod(QStringLiteral("POMDP"));
        state()->waitForTraining();
        tabs_->waitForCurves();
        QVERIFY(state()->isRouted());
        QCOMPARE(tabs_->chartDataset(), coqa());
        for (int i = 0; i < window_->bottomTabs()->count(); ++i)
            if (window_->bottomTabs()->tabText(i).startsWith(QStringLiteral("Cost")))
                window_->bottomTabs()->setCurrentIndex(i);
    }

    void calibrateToAnEscalationCeiling() {
        QVERIFY(panel_->calibrateButton()->isEnabled());
        QVERIFY(!panel_->calibration());
        QVERIFY(!tabs_->costQuality()->constraintSeries());
        // A ceiling below the trained candidate's share (so the choice must differ from training's)
        // and above the smallest share of any candidate (so one meets it).
        const ui::TrainedDataset* trained = state()->trainedFor(coqa());
        QVERIFY(trained);
        const routing::Params before = trained->params;
        const eval::Calibration probe = coreCalibration({eval::Limit::MaxEscalated, 1.0});
        const double trainedShare = probe.candidates[probe.trained].train.escalated_fraction;
        double minShare = 1.0;
        for (const auto& k : probe.candidates) minShare = std::min(minShare, k.train.escalated_fraction);
        QVERIFY2(minShare < trainedShare, "POMDP on coqa has a candidate escalating less than the trained one");
        const double percent = std::round(500.0 * (minShare + trainedShare)) / 10.0;  // the middle, 0.1 % steps
        calibrateTo(1, QString::number(percent, 'f', 1));

        QCOMPARE(panel_->constraint().limit, eval::Limit::MaxEscalated);
        QCOMPARE(panel_->constraint().value, percent / 100.0);
        const eval::Calibration expected = coreCalibration(panel_->constraint());
        const eval::Calibration* got = panel_->calibration();
        QVERIFY(got && got->chosen && expected.chosen);
        QCOMPARE(*got->chosen, *expected.chosen);
        const routing::Params chosen = got->choice()->params;
        QVERIFY(chosen != before);
        // The routing on screen is the calibrated one: params and every row's decision.
        QVERIFY(state()->trainedFor(coqa())->params == chosen);
        const auto method = routing::find_method("POMDP");
        const data::View val = tabs_->evalRows();
        const routing::Decisions d = method->route(*state()->dataset(), val, chosen, state()->config());
        for (std::size_t i = 0; i < val.size(); ++i) QCOMPARE(int(state()->decision(val[i])), int(d[i]));
        // The panel's figures are the calibration's.
        QVERIFY(panel_->evalFigures());
        QCOMPARE(panel_->evalFigures()->avg_cost, got->choice()->val.avg_cost);
        QCOMPARE(panel_->trainFigures()->escalated_fraction, got->choice()->train.escalated_fraction);
        QVERIFY(panel_->trainFigures()->escalated_fraction <= percent / 100.0);
        const QString text = panel_->calibrationText()->text();
        QVERIFY2(text.contains(QStringLiteral("escalated ≤ %1 %").arg(percent)), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("interval")), qPrintable(text));

        // The chart: a vertical dashed line at the cost of that share, the choice marked.
        QLineSeries* line = tabs_->costQuality()->constraintSeries();
        QVERIFY(line);
        QCOMPARE(line->count(), 2);
        const auto& cq = tabs_->costQuality()->data();
        const double x = cq.small_only.avg_cost + percent / 100.0 * (cq.large_only.avg_cost - cq.small_only.avg_cost);
        QCOMPARE(line->at(0).x(), x);
        QCOMPARE(line->at(1).x(), x);
        QVERIFY(line->at(0).y() < line->at(1).y());
        QScatterSeries* mark = tabs_->costQuality()->chosenSeries();
        QVERIFY(mark);
        QCOMPARE(mark->count(), 1);
        QCOMPARE(mark->at(0), QPointF(got->choice()->val.avg_cost, got->choice()->val.avg_perf));
        QCOMPARE(*tabs_->costQuality()->currentPoint(), mark->at(0));
        shoot(QStringLiteral("calibrate-escalated"));
    }

    void calibrateToALiftFloorFromTheMenu() {
        panel_->constraintKind()->setCurrentIndex(3);
        QDoubleSpinBox* v = panel_->constraintValue();
        v->selectAll();
        QTest::keyClicks(v, QStringLiteral("20"));
        QTest::keyClick(v, Qt::Key_Return);
        auto* action = window_->findChild<QAction*>(QStringLiteral("calibrateAction"));
        QVERIFY(action);
        action->trigger();
        panel_->waitForCalibration();
        QCoreApplication::processEvents();
        const eval::Calibration* got = panel_->calibration();
        QVERIFY(got && got->chosen);
        QCOMPARE(got->constraint.limit, eval::Limit::MinLift);
        QCOMPARE(*got->chosen, *coreCalibration({eval::Limit::MinLift, 0.2}).chosen);
        QVERIFY(got->choice()->train.lift >= 0.2);
        QVERIFY(state()->trainedFor(coqa())->params == got->choice()->params);
        // The lift line rises from left to right through (c_s, P_s): its points have lift 20 %.
        QLineSeries* line = tabs_->costQuality()->constraintSeries();
        QVERIFY(line && line->count() == 2);
        QVERIFY(line->at(1).y() > line->at(0).y());
        const auto& cq = tabs_->costQuality()->data();
        const double cs = state()->config().call_costs.front(), cl = state()->config().call_costs.back();
        const double base = (cq.large_only.avg_perf - cq.small_only.avg_perf) / (cl - cs);
        const QPointF p = line->at(1);
        const double lift = ((p.y() - cq.small_only.avg_perf) / (p.x() - cs) - base) / base;
        QVERIFY2(std::abs(lift - 0.2) < 1e-9, qPrintable(QString::number(lift)));
        shoot(QStringLiteral("calibrate-lift"));
    }

    void impossibleConstraintIsRefused() {
        const routing::Params before = state()->trainedFor(coqa())->params;
        calibrateTo(0, QStringLiteral("1.5"));
        const eval::Calibration* got = panel_->calibration();
        QVERIFY(got);
        QVERIFY(!got->chosen);
        const QString text = panel_->calibrationText()->text();
        QVERIFY2(text.contains(QStringLiteral("no candidate of POMDP meets avg cost ≤ 1.5")), qPrintable(text));
        QVERIFY(state()->trainedFor(coqa())->params == before);  // the routing is left alone
        QLineSeries* line = tabs_->costQuality()->constraintSeries();
        QVERIFY(line);  // the limit is still shown, nothing is marked
        QCOMPARE(line->at(0).x(), 1.5);
        QVERIFY(!tabs_->costQuality()->chosenSeries());
        shoot(QStringLiteral("calibrate-impossible"));
    }

    void deployWritesALoadableConfig() {
        // A floor half-way between the worst and the best candidate's train performance.
        const eval::Calibration probe = coreCalibration({eval::Limit::MinPerf, 0.0});
        double lo = 1.0, hi = 0.0;
        for (const auto& k : probe.candidates) lo = std::min(lo, k.train.avg_perf), hi = std::max(hi, k.train.avg_perf);
        const double floor = std::round(500.0 * (lo + hi)) / 1000.0;
        calibrateTo(2, QString::number(floor, 'f', 3));
        const eval::Calibration* got = panel_->calibration();
        QVERIFY(got && got->chosen);
        QVERIFY(got->choice()->train.avg_perf >= floor);
        QVERIFY(panel_->deployButton()->isEnabled());
        // Method ▸ Deploy… and the button open the file dialog (not driven here: a modal native
        // dialog cannot be answered reliably offscreen); both call deploy(), which writes what
        // writeModelsConfig writes.
        auto* action = window_->findChild<QAction*>(QStringLiteral("deployAction"));
        QVERIFY(action && action->isEnabled());
        const QString path = dir_.path() + "/models.json";
        QCOMPARE(panel_->writeModelsConfig(path), QString());
        const live::ModelsConfig cfg = live::load_models_config(path.toStdString());
        QCOMPARE(cfg.meta_verifier.method, std::string("POMDP"));
        QVERIFY(cfg.meta_verifier.params == got->choice()->params);
        QCOMPARE(cfg.models.size(), std::size_t(2));
        QCOMPARE(cfg.models[1].call_cost, state()->config().call_costs.back());
        QVERIFY(!panel_->writeModelsConfig(dir_.path() + "/no/such/dir/models.json").isEmpty());
    }

    void staleCalibrationIsDropped() {
        QVERIFY(panel_->calibration());
        QSignalSpy changed(panel_, &ui::TuningPanel::calibrationChanged);
        window_->selectDataset(QStringLiteral("cnli"));
        QCoreApplication::processEvents();
        QVERIFY(changed.count() >= 1);
        QVERIFY(!panel_->calibration());
        QVERIFY(!tabs_->costQuality()->constraintSeries());
        QVERIFY(panel_->calibrationText()->text().isEmpty());
    }
};

QTEST_MAIN(TestCalibratePanel)
#include "test_calibrate_panel.moc"

// The tuning panel builds its sliders from the controls a method declares
// (routing::Capabilities::controls), not from method names: a method registered by this test,
// which the panel has never heard of, gets a slider with its key, range, steps and label
// format; moving it with the keyboard re-routes with the parameter the method makes of the
// value; another method's controls replace it; a method without controls gets the candidate
// slider; BestOfK, added as one file, is tuned and drawn. Driven through the main window's
// method menu, offscreen.
#include <QComboBox>
#include <QScatterSeries>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTest>
#include <algorithm>

#include "core/routing/method.hpp"
#include "ui/charts/chart_tabs.hpp"
#include "ui/charts/cost_quality_chart.hpp"
#include "ui/main_window.hpp"
#include "ui/routing_state.hpp"
#include "ui/tuning_panel.hpp"

using namespace automix;

namespace {

// Escalate iff the verifier confidence ≤ g / 2: one control "gain" over [0, 2] in 200 steps.
class GainMethod : public routing::Method {
  public:
    std::string name() const override { return "TestGain"; }
    routing::Capabilities capabilities() const override {
        routing::Capabilities c;
        c.controls = {{"gain", "gain g", 0.0, 2.0, 200, false, "%.2f", "test control"}};
        return c;
    }
    std::vector<routing::Params> candidates(const data::Dataset&, const data::View&,
                                            const routing::Config&) const override {
        return {routing::Params(0.5), routing::Params(1.0)};
    }
    routing::Decisions route(const data::Dataset& ds, const data::View& rows, const routing::Params& p,
                             const routing::Config&) const override {
        const double g = p.get<double>();
        routing::Decisions d(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i)
            d[i] = ds.models.front().verifier_confidence[rows[i]] <= g / 2 ? 1 : 0;
        return d;
    }
};

}  // namespace

class TestTuningSchema : public QObject {
    Q_OBJECT
    std::unique_ptr<ui::MainWindow> window_;
    ui::charts::ChartTabs* tabs_ = nullptr;
    ui::TuningPanel* panel_ = nullptr;

    ui::RoutingState* state() const { return window_->routingState(); }

    // As a user: pick the method in the toolbar's menu, wait for its training.
    void choose(const QString& method) {
        auto* combo = window_->findChild<QComboBox*>(QStringLiteral("methodCombo"));
        QVERIFY(combo);
        const int index = combo->findData(method);
        QVERIFY2(index >= 0, qPrintable(method));
        combo->setCurrentIndex(index);
        state()->waitForTraining();
        QCoreApplication::processEvents();
        QCOMPARE(state()->methodName(), method);
    }

  private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("AutoMixTest"));
        QCoreApplication::setApplicationName(QStringLiteral("ui_tuning_schema"));
        routing::register_method(std::make_shared<GainMethod>());  // before the menu is built
        window_ = std::make_unique<ui::MainWindow>();
        tabs_ = window_->findChild<ui::charts::ChartTabs*>();
        if (!tabs_) tabs_ = ui::charts::installChartTabs(window_.get());
        QVERIFY(tabs_);
        panel_ = tabs_->tuning();
        window_->resize(1400, 900);
        window_->show();
        QString error;
        QVERIFY2(window_->openDemo(&error), qPrintable(error));
        window_->selectDataset(QStringLiteral("coqa"));
        window_->selectSplit(QStringLiteral("val"));
    }

    void declaredControlBecomesASlider() {
        choose(QStringLiteral("TestGain"));
        QSlider* gain = panel_->parameterSlider(QStringLiteral("gain"));
        QVERIFY(gain);
        QCOMPARE(gain->objectName(), QStringLiteral("gainSlider"));
        QVERIFY(gain->isVisibleTo(panel_));
        QCOMPARE(gain->minimum(), 0);
        QCOMPARE(gain->maximum(), 200);
        QCOMPARE(gain->toolTip(), QStringLiteral("test control"));
        QCOMPARE(panel_->parameterSliders(), QList<QSlider*>{gain});
        QVERIFY(!panel_->candidateSlider()->isVisibleTo(panel_));
        // Training chose one of the two candidates: the slider shows it, the label in its format.
        const int coqa = state()->dataset()->find_dataset("coqa");
        const double trained = state()->trainedFor(coqa)->params.get<double>();
        QCOMPARE(gain->value(), static_cast<int>(std::lround(trained * 100)));
        bool labelled = false;
        for (auto* l : panel_->findChildren<QLabel*>())
            labelled = labelled || l->text() == QStringLiteral("gain g = %1").arg(trained, 0, 'f', 2);
        QVERIFY(labelled);
    }

    void movingTheSliderReroutesWithTheMethodsParameter() {
        choose(QStringLiteral("TestGain"));
        QSlider* gain = panel_->parameterSlider(QStringLiteral("gain"));
        QVERIFY(gain);
        gain->setFocus();
        QTest::keyClick(gain, Qt::Key_Home);
        QSignalSpy routed(state(), &ui::RoutingState::routingChanged);
        for (int i = 0; i < 3; ++i) QTest::keyClick(gain, Qt::Key_PageUp);  // page step 10 → position 30
        QCOMPARE(gain->value(), 30);
        QVERIFY(routed.count() >= 1);
        const int coqa = state()->dataset()->find_dataset("coqa");
        QVERIFY(state()->trainedFor(coqa)->params == routing::Params(0.3));  // 30 / 200 · 2
        const data::Dataset& ds = *state()->dataset();
        int escalated = 0;
        for (std::size_t r = 0; r < ds.size(); ++r) {
            if (ds.dataset_index[r] != coqa) continue;
            const int expect = ds.models.front().verifier_confidence[r] <= 0.15 ? 1 : 0;
            QCOMPARE(int(state()->decision(static_cast<data::RowIndex>(r))), expect);
            escalated += expect;
        }
        QVERIFY(escalated > 0);  // the check above saw both decisions
    }

    void anotherMethodsControlsReplaceIt() {
        choose(QStringLiteral("DoubleThreshold"));
        QVERIFY(!panel_->parameterSlider(QStringLiteral("gain")));
        auto* gain = panel_->findChild<QSlider*>(QStringLiteral("gainSlider"));
        QVERIFY(gain && !gain->isVisibleTo(panel_));
        const QList<QSlider*> range = panel_->parameterSliders();
        QCOMPARE(range.size(), 2);
        QCOMPARE(range[0]->objectName(), QStringLiteral("lowSlider"));
        QCOMPARE(range[1]->objectName(), QStringLiteral("highSlider"));
        QVERIFY(range[0]->isVisibleTo(panel_) && range[1]->isVisibleTo(panel_));
        // Declared ordered: pushing lo above hi drags hi along.
        range[1]->setValue(400);
        range[0]->setValue(600);
        QCOMPARE(range[1]->value(), 600);
        const int coqa = state()->dataset()->find_dataset("coqa");
        QVERIFY(state()->trainedFor(coqa)->params == routing::Params::array({0.6, 0.6}));
    }

    // A method added as one file (BestOfK) is in the menu, has its slider, and is one of the
    // cost–quality chart's series with its point where core puts it.
    void anAddedMethodIsTunedAndDrawn() {
        choose(QStringLiteral("BestOfK"));
        QSlider* agreement = panel_->parameterSlider(QStringLiteral("agreement"));
        QVERIFY(agreement && agreement->isVisibleTo(panel_));
        QCOMPARE(agreement->value(), 667);  // the fixed 2/3
        tabs_->waitForCurves();
        QCoreApplication::processEvents();
        QScatterSeries* series = tabs_->costQuality()->candidateSeries(QStringLiteral("BestOfK"));
        QVERIFY(series);
        QCOMPARE(series->count(), 1);
        const auto& curves = tabs_->costQuality()->data().methods;
        const auto it = std::find_if(curves.begin(), curves.end(), [](const auto& c) { return c.method == "BestOfK"; });
        QVERIFY(it != curves.end() && it->ok);
        QCOMPARE(series->at(0).x(), it->points[0].metrics.avg_cost);
        QCOMPARE(series->at(0).y(), it->points[0].metrics.avg_perf);
    }

    void noControlsMeansTheCandidateSlider() {
        choose(QStringLiteral("POMDP"));
        QVERIFY(panel_->parameterSliders().isEmpty());
        QVERIFY(panel_->candidateSlider()->isVisibleTo(panel_));
        for (const char* name : {"gainSlider", "lowSlider", "highSlider"}) {
            auto* s = panel_->findChild<QSlider*>(QLatin1String(name));
            QVERIFY2(!s || !s->isVisibleTo(panel_), name);
        }
    }
};

QTEST_MAIN(TestTuningSchema)
#include "test_tuning_schema.moc"

// The typed settings (ui/settings): the one table's metadata is sane and validates (clamps out
// of range, rejects non-numbers, rounds integers); remembered values survive a new Settings
// (QSettings in a temporary test folder) and bad stored values are corrected and reported; the
// costs are never written; a method's slider gets its range and tooltip through the same
// metadata. Then through real widgets of the main window: a cost typed out of range is clamped,
// reported in the status bar and routed with; a study parameter typed in one window is there
// again in the next. AUTOMIX_SCREENSHOT_DIR=<dir> saves the window after the clamp as a PNG.
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <limits>
#include <set>

#include "core/routing/method.hpp"
#include "ui/main_window.hpp"
#include "ui/routing_state.hpp"
#include "ui/settings/setting_meta.hpp"
#include "ui/settings/settings.hpp"
#include "ui/studies_panel.hpp"
#include "ui/support_settings.hpp"
#include "ui/tuning_panel.hpp"

using namespace automix;
using namespace automix::ui::settings;

namespace {

QString qs(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// Replaces a spin box's text by `text` and presses Enter, as a user would.
void typeInto(QAbstractSpinBox* box, const QString& text) {
    box->setFocus();
    QTest::keyClick(box, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Return);
}

}  // namespace

class TestSettings : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_;

  private slots:
    void initTestCase() { automix::test::useTestSettings(QStringLiteral("ui_settings"), settingsDir_.path()); }
    void init() { QSettings().clear(); }

    void everySettingIsWellFormed() {
        std::set<std::string> keys;
        for (const SettingMeta& m : all_settings()) {
            QVERIFY2(keys.insert(m.key).second, m.key.c_str());
            QVERIFY2(!m.label.empty() && !m.tooltip.empty(), m.key.c_str());
            QVERIFY2(m.min < m.max, m.key.c_str());
            QVERIFY2(m.default_value >= m.min && m.default_value <= m.max, m.key.c_str());
            QVERIFY2(m.step > 0 && m.step <= m.max - m.min, m.key.c_str());
            QCOMPARE(m.check(m.default_value).outcome, SettingMeta::Outcome::Kept);
            QCOMPARE(&setting(m.key), &setting(m.key));
        }
        QVERIFY(!find_setting("no/such"));
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, setting("no/such"));
        // Costs come with the file and the session: never remembered.
        for (auto k : {key::SmallCost, key::LargeCost, key::MiddleCost, key::VerifierCost})
            QVERIFY(!setting(k).remembered);
        QVERIFY(setting(key::StudySeeds).remembered);
    }

    void checkClampsRejectsAndRounds() {
        const SettingMeta& large = setting(key::LargeCost);
        auto c = large.check(-3);
        QCOMPARE(c.outcome, SettingMeta::Outcome::Clamped);
        QCOMPARE(c.value, 0.0);
        QVERIFY2(c.message.find("below the minimum") != std::string::npos, c.message.c_str());
        c = large.check(5e6);
        QCOMPARE(c.outcome, SettingMeta::Outcome::Clamped);
        QCOMPARE(c.value, 1e6);
        QVERIFY2(c.message.find("above the maximum") != std::string::npos, c.message.c_str());
        c = large.check(std::numeric_limits<double>::quiet_NaN());
        QCOMPARE(c.outcome, SettingMeta::Outcome::Rejected);
        QCOMPARE(c.value, large.default_value);
        c = large.check(12.5);
        QCOMPARE(c.outcome, SettingMeta::Outcome::Kept);
        QCOMPARE(c.value, 12.5);
        const SettingMeta& seeds = setting(key::StudySeeds);
        QCOMPARE(seeds.check(7.4).value, 7.0);  // an integer setting rounds
        QCOMPARE(seeds.check(0).value, 1.0);
        QCOMPARE(seeds.check(0).outcome, SettingMeta::Outcome::Clamped);
    }

    void valuesDefaultValidateAndPersist() {
        {
            Settings s;
            QCOMPARE(s.value(key::StudySeeds), setting(key::StudySeeds).default_value);
            QSignalSpy changed(&s, &Settings::valueChanged);
            QSignalSpy message(&s, &Settings::message);
            QCOMPARE(s.setValue(key::StudySeeds, 7), 7.0);
            QCOMPARE(changed.count(), 1);
            QCOMPARE(message.count(), 0);
            QCOMPARE(s.setValue(key::StudyBootstrap, -5), 0.0);  // clamped, and said
            QCOMPARE(message.count(), 1);
            QVERIFY(message.at(0).at(0).toString().contains(QStringLiteral("below the minimum")));
            s.setValue(key::LargeCost, 80);
            s.setValue(key::StudyVerifierLatency, 1.25);
        }
        QCOMPARE(QSettings().value(qs(key::StudySeeds)).toInt(), 7);
        QVERIFY(!QSettings().contains(qs(key::LargeCost)));  // costs never written
        Settings again;
        QCOMPARE(again.value(key::StudySeeds), 7.0);
        QCOMPARE(again.value(key::StudyBootstrap), 0.0);
        QCOMPARE(again.value(key::StudyVerifierLatency), 1.25);
        QCOMPARE(again.value(key::LargeCost), setting(key::LargeCost).default_value);
        QVERIFY(again.takePendingMessages().isEmpty());
        again.reset(key::StudySeeds);
        QVERIFY(!QSettings().contains(qs(key::StudySeeds)));
        QCOMPARE(again.value(key::StudySeeds), setting(key::StudySeeds).default_value);
    }

    void badStoredValuesAreCorrectedAndReported() {
        QSettings().setValue(qs(key::StudySeeds), 5000);
        QSettings().setValue(qs(key::StudyTrainRows), QStringLiteral("many"));
        Settings s;
        QCOMPARE(s.value(key::StudySeeds), 1000.0);
        QCOMPARE(s.value(key::StudyTrainRows), setting(key::StudyTrainRows).default_value);
        const QStringList messages = s.takePendingMessages();
        QCOMPARE(messages.size(), 2);
        QVERIFY(messages.join('\n').contains(QStringLiteral("above the maximum")));
        QVERIFY(messages.join('\n').contains(QStringLiteral("not a number")));
        QVERIFY(s.takePendingMessages().isEmpty());
    }

    void boundWidgetsTakeTheirMetadata() {
        Settings s;
        QWidget parent;
        QSpinBox* seeds = s.spinBox(key::StudySeeds, &parent);
        const SettingMeta& m = setting(key::StudySeeds);
        QCOMPARE(seeds->minimum(), int(m.min));
        QCOMPARE(seeds->maximum(), int(m.max));
        QCOMPARE(seeds->objectName(), QStringLiteral("seeds"));
        QVERIFY(seeds->toolTip().contains(QString::fromStdString(m.tooltip)));
        QVERIFY(seeds->toolTip().contains(QStringLiteral("default 10")));
        // Both ways: the widget writes the setting, the setting moves the widget.
        seeds->setValue(12);
        QCOMPARE(s.value(key::StudySeeds), 12.0);
        s.setValue(key::StudySeeds, 3);
        QCOMPARE(seeds->value(), 3);
        QDoubleSpinBox* latency = s.doubleSpinBox(key::StudyVerifierLatency, &parent);
        QCOMPARE(latency->suffix(), QStringLiteral(" s"));
        QCOMPARE(latency->decimals(), 3);
        // Typed out of range: clamped to the bound, with a message.
        parent.show();
        QSignalSpy message(&s, &Settings::message);
        typeInto(seeds, QStringLiteral("4000"));
        QCOMPARE(seeds->value(), 1000);
        QCOMPARE(s.value(key::StudySeeds), 1000.0);
        QCOMPARE(message.count(), 1);
    }

    void methodSlidersComeFromTheSameMetadata() {
        int controls = 0;
        for (const std::string& name : routing::method_names())
            for (const routing::ParamControl& c : routing::find_method(name)->capabilities().controls) {
                const SettingMeta m = method_setting(c);
                QCOMPARE(m.key, "method/" + c.key);
                QCOMPARE(m.min, c.min);
                QCOMPARE(m.max, c.max);
                QCOMPARE(m.positions, c.positions);
                QSlider slider;
                Settings::configure(&slider, m);
                QCOMPARE(slider.maximum(), c.positions);
                QCOMPARE(slider.toolTip(), QString::fromStdString(c.tooltip));
                ++controls;
            }
        QVERIFY(controls >= 3);  // Threshold, DoubleThreshold's two, …
    }

    void windowClampsATypedCostAndSaysSo() {
        ui::MainWindow w;
        w.show();
        QVERIFY(w.openDemo());
        auto* large = w.findChild<QDoubleSpinBox*>(QStringLiteral("largeCost"));
        QVERIFY(large);
        QCOMPARE(large->maximum(), setting(key::LargeCost).max);
        QVERIFY(large->toolTip().contains(QStringLiteral("1000000")));
        QSignalSpy message(w.settings(), &Settings::message);
        typeInto(large, QStringLiteral("5000000"));
        QCOMPARE(large->value(), 1e6);
        QCOMPARE(w.routingState()->costs().large, 1e6);  // routed with the clamped value, not the typed one
        QCOMPARE(message.count(), 1);
        QVERIFY2(w.statusBar()->currentMessage().contains(QStringLiteral("above the maximum")),
                 qPrintable(w.statusBar()->currentMessage()));
        if (const QString shots = qEnvironmentVariable("AUTOMIX_SCREENSHOT_DIR"); !shots.isEmpty())
            QVERIFY(w.grab().save(shots + QStringLiteral("/settings-clamped-cost.png")));  // for looking at it
        // An in-range value is simply kept.
        typeInto(large, QStringLiteral("70"));
        QCOMPARE(w.routingState()->costs().large, 70.0);
        QCOMPARE(message.count(), 1);
    }

    void threeModelCostsUseTheMetadataToo() {
        ui::MainWindow w;
        QString error;
        QVERIFY2(w.openFile(QStringLiteral(AUTOMIX_SOURCE_DIR "/resources/demo/demo-3model.jsonl.gz"), &error),
                 qPrintable(error));
        auto* middle = w.findChild<QDoubleSpinBox*>(QStringLiteral("modelCost1"));
        QVERIFY(middle);
        QCOMPARE(middle->maximum(), setting(key::MiddleCost).max);
        QCOMPARE(middle->value(), w.dataset()->models[1].call_cost);
        middle->setValue(middle->value() + 1);
        QCOMPARE(w.routingState()->costs().middle.at(0), w.dataset()->models[1].call_cost + 1);
    }

    void studyParametersAreRememberedAcrossWindows() {
        {
            ui::MainWindow w;
            w.show();
            auto* studies = w.findChild<ui::StudiesPanel*>();
            QVERIFY(studies);
            QSpinBox* seeds = studies->parameterSpin(QStringLiteral("seeds"));
            QCOMPARE(seeds->value(), 10);  // the table's default
            studies->setStudy(QStringLiteral("seeds"));
            w.bottomTabs()->setCurrentWidget(studies);
            typeInto(seeds, QStringLiteral("7"));
            QCOMPARE(seeds->value(), 7);
            studies->setStudy(QStringLiteral("latency"));
            typeInto(studies->verifierLatencySpin(), QStringLiteral("1.5"));
            w.close();
        }
        ui::MainWindow again;
        auto* studies = again.findChild<ui::StudiesPanel*>();
        QCOMPARE(studies->parameterSpin(QStringLiteral("seeds"))->value(), 7);
        QCOMPARE(studies->verifierLatencySpin()->value(), 1.5);
        QCOMPARE(again.settings()->value(key::StudySeeds), 7.0);
    }
};

QTEST_MAIN(TestSettings)
#include "test_settings.moc"

// Edit ▸ Undo / Redo as a user drives it: each kind of change (method, costs, a parameter set
// by hand, table filters, the chart filter chip) is undone and redone through the menu's
// actions, which name the step; a new file starts a fresh history.
#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QTemporaryDir>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <QUndoStack>

#include "ui/filter_bar.hpp"
#include "ui/main_window.hpp"
#include "ui/support_settings.hpp"
#include "ui/query_table_model.hpp"
#include "ui/routing_state.hpp"
#include "ui/undo_history.hpp"

using namespace automix;
using automix::ui::MainWindow;

namespace {

QAction* action(MainWindow& w, const char* name) {
    return w.findChild<QAction*>(QLatin1String(name));
}

// The menu text as read (without the mnemonic's "&").
QString label(MainWindow& w, const char* name) {
    return action(w, name)->text().remove(QLatin1Char('&'));
}

// The demo routed by Threshold, trained; its undo stack.
QUndoStack* openTrainedThreshold(MainWindow& w) {
    w.selectMethod(QStringLiteral("Threshold"));
    if (!w.openDemo()) return nullptr;
    w.routingState()->waitForTraining();
    return w.findChild<QUndoStack*>(QStringLiteral("undoStack"));
}

std::vector<int> decisions(MainWindow& w) {
    std::vector<int> out;
    for (std::size_t r = 0; r < w.dataset()->size(); ++r) out.push_back(w.routingState()->decision(r));
    return out;
}

void undo(MainWindow& w) {
    QAction* a = action(w, "undoAction");
    QVERIFY(a && a->isEnabled());
    a->trigger();
    w.routingState()->waitForTraining();
}

void redo(MainWindow& w) {
    QAction* a = action(w, "redoAction");
    QVERIFY(a && a->isEnabled());
    a->trigger();
    w.routingState()->waitForTraining();
}

}  // namespace

class TestUndo : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_;

  private slots:
    void initTestCase() { test::useTestSettings(QStringLiteral("ui_undo"), settingsDir_.path()); }

    void editMenuHasUndoAndRedo() {
        MainWindow w;
        QMenu* edit = nullptr;
        for (QAction* a : w.menuBar()->actions())
            if (a->text().remove(QLatin1Char('&')) == QStringLiteral("Edit")) edit = a->menu();
        QVERIFY(edit);
        QCOMPARE(edit->actions().first(), action(w, "undoAction"));
        QCOMPARE(action(w, "undoAction")->shortcut(), QKeySequence(QKeySequence::Undo));
        QCOMPARE(action(w, "redoAction")->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z));
        QVERIFY(!action(w, "undoAction")->isEnabled());  // nothing done yet
    }

    void methodChange() {
        MainWindow w;
        w.selectMethod(QStringLiteral("Threshold"));
        QVERIFY(w.openDemo());
        w.routingState()->waitForTraining();
        const auto threshold = decisions(w);
        w.selectMethod(QStringLiteral("POMDP"));
        w.routingState()->waitForTraining();
        QCOMPARE(w.routingState()->methodName(), QStringLiteral("POMDP"));
        QCOMPARE(label(w, "undoAction"), QStringLiteral("Undo Method POMDP"));
        undo(w);
        QCOMPARE(w.routingState()->methodName(), QStringLiteral("Threshold"));
        QCOMPARE(w.findChild<QComboBox*>(QStringLiteral("methodCombo"))->currentData().toString(),
                 QStringLiteral("Threshold"));
        QVERIFY(decisions(w) == threshold);
        QCOMPARE(label(w, "redoAction"), QStringLiteral("Redo Method POMDP"));
        redo(w);
        QCOMPARE(w.routingState()->methodName(), QStringLiteral("POMDP"));
        QVERIFY(!action(w, "redoAction")->isEnabled());
    }

    void costChange() {
        MainWindow w;
        w.selectMethod(QStringLiteral("Threshold"));
        QVERIFY(w.openDemo());
        w.routingState()->waitForTraining();
        const ui::Costs before = w.routingState()->costs();
        w.setCosts(ui::Costs{before.small, 10, before.verifier, before.middle});
        w.routingState()->waitForTraining();
        QCOMPARE(w.routingState()->costs().large, 10.0);
        QVERIFY(label(w, "undoAction").startsWith(QStringLiteral("Undo Costs 1 / 10")));
        undo(w);
        QVERIFY(w.routingState()->costs() == before);
        QCOMPARE(w.findChild<QDoubleSpinBox*>(QStringLiteral("largeCost"))->value(), before.large);
        QVERIFY(w.routingState()->isRouted());
        redo(w);
        QCOMPARE(w.routingState()->costs().large, 10.0);
    }

    void parameterSetByHand() {
        MainWindow w;
        w.selectMethod(QStringLiteral("Threshold"));
        QVERIFY(w.openDemo());
        ui::RoutingState* state = w.routingState();
        state->waitForTraining();
        const int d = w.dataset()->find_dataset("cnli");
        const routing::Params trained = state->trainedFor(d)->params;
        const auto before = decisions(w);
        QVERIFY(state->setParameters(d, 0.95));
        const auto after = decisions(w);
        QVERIFY(after != before);
        QVERIFY(label(w, "undoAction").contains(QStringLiteral("Set cnli")));
        undo(w);
        QVERIFY(decisions(w) == before);
        QCOMPARE(QString::fromStdString(state->trainedFor(d)->params.dump()), QString::fromStdString(trained.dump()));
        QVERIFY(!state->trainedFor(d)->manual);
        redo(w);
        QVERIFY(decisions(w) == after);
        QVERIFY(state->trainedFor(d)->manual);
    }

    // A slider dragged sends a parameter change per position: one undo step for the run, a new
    // one after a pause; the stack never keeps more than its limit.
    void sliderRunIsOneStep() {
        MainWindow w;
        QUndoStack* stack = openTrainedThreshold(w);
        QVERIFY(stack);
        ui::RoutingState* state = w.routingState();
        QCOMPARE(stack->undoLimit(), 100);
        const int d = w.dataset()->find_dataset("cnli");
        const int steps = stack->count();
        const auto trained = decisions(w);
        for (double t : {0.9, 0.8, 0.7}) QVERIFY(state->setParameters(d, t));
        const auto at07 = decisions(w);
        QCOMPARE(stack->count(), steps + 1);
        QVERIFY(label(w, "undoAction").contains(QStringLiteral("0.7")));
        QTest::qWait(1100);
        QVERIFY(state->setParameters(d, 0.6));
        QCOMPARE(stack->count(), steps + 2);
        // Other kinds of step in between are never merged with a parameter step.
        w.filterBar()->setSearchText(QStringLiteral("the"));
        QCOMPARE(stack->count(), steps + 3);
        QVERIFY(state->setParameters(d, 0.55));
        QCOMPARE(stack->count(), steps + 4);
        undo(w);
        undo(w);
        QCOMPARE(w.filterBar()->filter().text, QString());
        QVERIFY(decisions(w) != at07);
        undo(w);
        QVERIFY(decisions(w) == at07);
        undo(w);
        QVERIFY(decisions(w) == trained);
        QVERIFY(!state->trainedFor(d)->manual);
    }

    // A slider run that comes back to where it started leaves no step behind.
    void sliderRunBackToItsStartIsNoStep() {
        MainWindow w;
        QUndoStack* stack = openTrainedThreshold(w);
        QVERIFY(stack);
        ui::RoutingState* state = w.routingState();
        const int d = w.dataset()->find_dataset("cnli");
        QVERIFY(state->setParameters(d, 0.9));
        const int steps = stack->count();
        const auto at09 = decisions(w);
        QTest::qWait(1100);
        for (double t : {0.8, 0.7, 0.8, 0.9}) QVERIFY(state->setParameters(d, t));
        QCOMPARE(stack->count(), steps);
        QVERIFY(decisions(w) == at09);
        QVERIFY(label(w, "undoAction").contains(QStringLiteral("0.9")));
        // A run that ends elsewhere is still a step.
        QTest::qWait(1100);
        for (double t : {0.8, 0.7}) QVERIFY(state->setParameters(d, t));
        QCOMPARE(stack->count(), steps + 1);
        undo(w);
        QVERIFY(decisions(w) == at09);
    }

    void filtersAndChip() {
        MainWindow w;
        w.selectMethod(QString());
        QVERIFY(w.openDemo());
        const int all = w.queryModel()->rowCount();
        w.filterBar()->setCategory(data::Category::Needy);
        const int needy = w.queryModel()->rowCount();
        QVERIFY(needy < all);
        QCOMPARE(label(w, "undoAction"), QStringLiteral("Undo Filter NEEDY"));
        // Typing is one step.
        w.filterBar()->setSearchText(QStringLiteral("th"));
        w.filterBar()->setSearchText(QStringLiteral("the"));
        const int typed = w.queryModel()->rowCount();
        undo(w);
        QCOMPARE(w.filterBar()->filter().text, QString());
        QCOMPARE(w.queryModel()->rowCount(), needy);
        undo(w);
        QVERIFY(!w.filterBar()->filter().category);
        QCOMPARE(w.queryModel()->rowCount(), all);
        redo(w);
        redo(w);
        QCOMPARE(w.filterBar()->filter().text, QStringLiteral("the"));
        QCOMPARE(w.queryModel()->rowCount(), typed);

        // The chip a chart sets.
        w.routingState()->setLinkedFilter(QStringLiteral("even rows"), [](data::RowIndex r) { return r % 2 == 0; });
        const int chip = w.queryModel()->rowCount();
        QVERIFY(chip < typed);
        QCOMPARE(label(w, "undoAction"), QStringLiteral("Undo Chart Filter even rows"));
        undo(w);
        QVERIFY(w.routingState()->linkedFilterLabel().isEmpty());
        QCOMPARE(w.queryModel()->rowCount(), typed);
        redo(w);
        QCOMPARE(w.routingState()->linkedFilterLabel(), QStringLiteral("even rows"));
        QCOMPARE(w.queryModel()->rowCount(), chip);
    }

    void newFileStartsAfresh() {
        MainWindow w;
        QVERIFY(w.openDemo());
        w.filterBar()->setCategory(data::Category::Good);
        QVERIFY(action(w, "undoAction")->isEnabled());
        QVERIFY(w.openDemo());
        QVERIFY(!action(w, "undoAction")->isEnabled());
    }
};

QTEST_MAIN(TestUndo)
#include "test_undo.moc"

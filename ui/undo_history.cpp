#include "ui/undo_history.hpp"

#include <QAction>
#include <QMenu>
#include <QMenuBar>
#include <QUndoCommand>
#include <QUndoStack>
#include <algorithm>

#include "ui/filter_bar.hpp"
#include "ui/panel_host.hpp"
#include "ui/session_controller.hpp"

namespace automix::ui {

namespace {

// A step already done when it is recorded: the stack's first redo() is skipped.
class Step : public QUndoCommand {
  public:
    Step(UndoHistory* history, const QString& text) : history_(history) { setText(text); }
    void undo() override { history_->replay([this] { apply(false); }); }
    void redo() override {
        if (first_) {
            first_ = false;
            return;
        }
        history_->replay([this] { apply(true); });
    }

  protected:
    virtual void apply(bool forward) = 0;
    UndoHistory* history_;

  private:
    bool first_ = true;
};

class MethodStep : public Step {
  public:
    MethodStep(UndoHistory* h, QString before, QString after)
        : Step(h, after.isEmpty() ? UndoHistory::tr("No Routing") : UndoHistory::tr("Method %1").arg(after)),
          before_(std::move(before)),
          after_(std::move(after)) {}
    void apply(bool forward) override { history_->window()->selectMethod(forward ? after_ : before_); }

  private:
    QString before_, after_;
};

class CostsStep : public Step {
  public:
    CostsStep(UndoHistory* h, Costs before, Costs after)
        : Step(h, UndoHistory::tr("Costs %1 / %2, verifier %3").arg(after.small).arg(after.large).arg(after.verifier)),
          before_(before),
          after_(after) {}
    void apply(bool forward) override {
        const Costs& c = forward ? after_ : before_;
        history_->window()->setCosts(c);
    }
    // Spin-box arrows change a cost step by step: one undo step for the run of them.
    int id() const override { return 2; }
    bool mergeWith(const QUndoCommand* other) override {
        after_ = static_cast<const CostsStep*>(other)->after_;
        setText(other->text());
        return true;
    }

  private:
    Costs before_, after_;
};

class ParamsStep : public Step {
  public:
    ParamsStep(UndoHistory* h, const QString& text, std::shared_ptr<const Routing> before,
               std::shared_ptr<const Routing> after)
        : Step(h, text), before_(std::move(before)), after_(std::move(after)) {}
    void apply(bool forward) override {
        history_->window()->routingState()->restoreRouting(forward ? after_ : before_);
    }

  private:
    std::shared_ptr<const Routing> before_, after_;
};

class FilterStep : public Step {
  public:
    FilterStep(UndoHistory* h, QueryFilter before, QueryFilter after)
        : Step(h, describe(before, after)), before_(std::move(before)), after_(std::move(after)) {}
    void apply(bool forward) override { history_->window()->filterBar()->setFilter(forward ? after_ : before_); }
    // Typing in the search box: one step per word typed in a row, not per debounce.
    int id() const override { return 3; }
    bool mergeWith(const QUndoCommand* other) override {
        const auto* next = static_cast<const FilterStep*>(other);
        auto textOnly = [](const QueryFilter& a, const QueryFilter& b) {
            QueryFilter x = a;
            x.text = b.text;
            return x == b && a.text != b.text;
        };
        if (!textOnly(before_, after_) || !textOnly(after_, next->after_)) return false;
        after_ = next->after_;
        setText(next->text());
        return true;
    }

  private:
    static QString describe(const QueryFilter& a, const QueryFilter& b) {
        if (a.text != b.text) return UndoHistory::tr("Search “%1”").arg(b.text);
        if (a.category != b.category)
            return b.category ? UndoHistory::tr("Filter %1").arg(QString::fromLatin1(data::to_string(*b.category)))
                              : UndoHistory::tr("Any Category");
        if (a.decision != b.decision) return UndoHistory::tr("Decision Filter");
        return UndoHistory::tr("Routing Mistakes Filter");
    }
    QueryFilter before_, after_;
};

class ChipStep : public Step {
  public:
    ChipStep(UndoHistory* h, QString beforeLabel, RoutingState::RowPredicate before, QString afterLabel,
             RoutingState::RowPredicate after)
        : Step(h, afterLabel.isEmpty() ? UndoHistory::tr("Clear Chart Filter")
                                       : UndoHistory::tr("Chart Filter %1").arg(afterLabel)),
          beforeLabel_(std::move(beforeLabel)),
          afterLabel_(std::move(afterLabel)),
          before_(std::move(before)),
          after_(std::move(after)) {}
    void apply(bool forward) override {
        history_->window()->routingState()->setLinkedFilter(forward ? afterLabel_ : beforeLabel_,
                                                            forward ? after_ : before_);
    }

  private:
    QString beforeLabel_, afterLabel_;
    RoutingState::RowPredicate before_, after_;
};

// "Set cnli: t = 0.375" for the datasets whose hand-set parameters changed.
QString paramsText(const RoutingState& state, const Routing& before, const Routing& after) {
    QStringList parts;
    for (const TrainedDataset& t : after.trained) {
        if (!t.manual) continue;
        const auto old = std::find_if(before.trained.begin(), before.trained.end(),
                                      [&](const TrainedDataset& b) { return b.datasetIndex == t.datasetIndex; });
        if (old != before.trained.end() && old->manual && old->params == t.params) continue;
        parts << QStringLiteral("%1: %2")
                     .arg(state.snapshot()->datasetName(t.datasetIndex),
                          QString::fromStdString(after.method->describe(t.params, after.config)));
    }
    return parts.isEmpty() ? QString() : UndoHistory::tr("Set %1").arg(parts.join(QStringLiteral("; ")));
}

}  // namespace

UndoHistory::UndoHistory(PanelHost* window, SessionController* sessions)
    : QObject(window->hostWidget()), window_(window), state_(window->routingState()), stack_(new QUndoStack(this)) {
    setObjectName(QStringLiteral("undoHistory"));
    stack_->setObjectName(QStringLiteral("undoStack"));
    remember();
    connect(state_, &RoutingState::methodChanged, this, &UndoHistory::onMethodChanged);
    connect(state_, &RoutingState::chartScopeChanged, this, &UndoHistory::onCostsMaybeChanged);
    connect(state_, &RoutingState::routingChanged, this, &UndoHistory::onRoutingChanged);
    connect(state_, &RoutingState::linkedFilterChanged, this, &UndoHistory::onLinkedFilterChanged);
    connect(window->filterBar(), &FilterBar::filterChanged, this, &UndoHistory::onFilterChanged);
    // Steps refer to the rows of one load: another file (or session) starts afresh.
    connect(state_, &RoutingState::datasetChanged, this, [this] {
        stack_->clear();
        remember();
    });
    if (sessions)
        connect(sessions, &SessionController::sessionOpened, this, [this] {
            stack_->clear();
            remember();
        });
}

void UndoHistory::remember() {
    method_ = state_->methodName();
    costs_ = state_->costs();
    routing_ = state_->snapshot()->routing;
    filter_ = window_->filterBar()->filter();
    chipLabel_ = state_->linkedFilterLabel();
    chip_ = state_->linkedFilter();
}

void UndoHistory::replay(const std::function<void()>& change) {
    replaying_ = true;
    change();
    replaying_ = false;
    remember();
}

void UndoHistory::onMethodChanged() {
    const QString now = state_->methodName();
    if (!replaying_ && now != method_ && state_->dataset()) stack_->push(new MethodStep(this, method_, now));
    method_ = now;
}

void UndoHistory::onCostsMaybeChanged() {
    const Costs now = state_->costs();
    if (now == costs_) return;
    if (!replaying_ && state_->dataset()) stack_->push(new CostsStep(this, costs_, now));
    costs_ = now;
}

void UndoHistory::onRoutingChanged() {
    const auto now = state_->snapshot()->routing;
    if (!replaying_ && routing_ && now->routed && routing_->methodName == now->methodName &&
        routing_->config.call_costs == now->config.call_costs && routing_->decisions.size() == now->decisions.size()) {
        const QString text = paramsText(*state_, *routing_, *now);
        if (!text.isEmpty() && routing_->routed) stack_->push(new ParamsStep(this, text, routing_, now));
    }
    if (now->routed || !now->training) routing_ = now;
}

void UndoHistory::onFilterChanged(const QueryFilter& f) {
    if (f == filter_) return;
    if (!replaying_) stack_->push(new FilterStep(this, filter_, f));
    filter_ = f;
}

void UndoHistory::onLinkedFilterChanged() {
    const QString label = state_->linkedFilterLabel();
    if (!replaying_ && (label != chipLabel_ || static_cast<bool>(state_->linkedFilter()) != static_cast<bool>(chip_)))
        stack_->push(new ChipStep(this, chipLabel_, chip_, label, state_->linkedFilter()));
    chipLabel_ = label;
    chip_ = state_->linkedFilter();
}

UndoHistory* installUndoHistory(PanelHost* window, SessionController* sessions) {
    auto* history = new UndoHistory(window, sessions);
    QMenu* edit = window->menu(WindowMenu::Edit);
    QAction* undo = history->stack()->createUndoAction(edit, UndoHistory::tr("&Undo"));
    undo->setObjectName(QStringLiteral("undoAction"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = history->stack()->createRedoAction(edit, UndoHistory::tr("&Redo"));
    redo->setObjectName(QStringLiteral("redoAction"));
    redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    QAction* first = edit->actions().isEmpty() ? nullptr : edit->actions().first();
    edit->insertAction(first, undo);
    edit->insertAction(first, redo);
    edit->insertSeparator(first);
    return history;
}

}  // namespace automix::ui

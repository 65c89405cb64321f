#include "ui/undo_history.hpp"

#include <QAction>
#include <QMenu>
#include <QMenuBar>
#include <QUndoCommand>
#include <QUndoStack>
#include <algorithm>
#include <chrono>

#include "ui/filter_bar.hpp"
#include "ui/panel_host.hpp"
#include "ui/session_controller.hpp"

namespace automix::ui {

namespace {

// QUndoStack merges only commands of one id, so each mergeable kind of step has its own.
enum MergeId : int { CostsMerge = 2, FilterMerge = 3, ParamsMerge = 4 };

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
    int id() const override { return CostsMerge; }
    bool mergeWith(const QUndoCommand* other) override {
        after_ = static_cast<const CostsStep*>(other)->after_;
        setText(other->text());
        setObsolete(after_ == before_);  // back where the run started: no step
        return true;
    }

  private:
    Costs before_, after_;
};

// What a parameter step changed: its text and which method and datasets it touched.
struct ParamsChange {
    QString text;     // "Set cnli: t = 0.375"
    QString subject;  // method and dataset indices, to know a run of the same slider
};

class ParamsStep : public Step {
  public:
    ParamsStep(UndoHistory* h, ParamsChange change, std::shared_ptr<const Routing> before,
               std::shared_ptr<const Routing> after)
        : Step(h, change.text), subject_(std::move(change.subject)), before_(std::move(before)),
          after_(std::move(after)) {}
    void apply(bool forward) override {
        history_->window()->routingState()->restoreRouting(forward ? after_ : before_);
    }
    // A slider dragged or a key held sends a step per position: the run of them (same method and
    // datasets, each within a second of the last) is one undo step. Each step keeps a whole
    // routing, so a million-row file would otherwise grow by megabytes per slider position.
    int id() const override { return ParamsMerge; }
    bool mergeWith(const QUndoCommand* other) override {
        const auto* next = static_cast<const ParamsStep*>(other);
        if (next->subject_ != subject_ || next->at_ - at_ > std::chrono::seconds(1)) return false;
        after_ = next->after_;
        at_ = next->at_;
        setText(next->text());
        // A run that ends where it started changes nothing: the stack drops it.
        setObsolete(sameParameters(*before_, *after_));
        return true;
    }

  private:
    static bool sameParameters(const Routing& a, const Routing& b) {
        if (a.methodName != b.methodName || a.trained.size() != b.trained.size()) return false;
        for (std::size_t i = 0; i < a.trained.size(); ++i) {
            const TrainedDataset& x = a.trained[i];
            const TrainedDataset& y = b.trained[i];
            if (x.datasetIndex != y.datasetIndex || x.manual != y.manual || x.params != y.params) return false;
        }
        return true;
    }
    QString subject_;
    std::chrono::steady_clock::time_point at_ = std::chrono::steady_clock::now();
    std::shared_ptr<const Routing> before_, after_;
};

class FilterStep : public Step {
  public:
    FilterStep(UndoHistory* h, QueryFilter before, QueryFilter after)
        : Step(h, describe(before, after)), before_(std::move(before)), after_(std::move(after)) {}
    void apply(bool forward) override { history_->window()->filterBar()->setFilter(forward ? after_ : before_); }
    // Typing in the search box: one step per word typed in a row, not per debounce.
    int id() const override { return FilterMerge; }
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

// The datasets whose hand-set parameters changed; an empty text when none did.
ParamsChange paramsChange(const RoutingState& state, const Routing& before, const Routing& after) {
    QStringList parts;
    ParamsChange change{QString(), after.methodName};
    for (const TrainedDataset& t : after.trained) {
        if (!t.manual) continue;
        const auto old = std::find_if(before.trained.begin(), before.trained.end(),
                                      [&](const TrainedDataset& b) { return b.datasetIndex == t.datasetIndex; });
        if (old != before.trained.end() && old->manual && old->params == t.params) continue;
        parts << QStringLiteral("%1: %2")
                     .arg(state.snapshot()->datasetName(t.datasetIndex),
                          QString::fromStdString(after.method->describe(t.params, after.config)));
        change.subject += QStringLiteral(" %1").arg(t.datasetIndex);
    }
    if (!parts.isEmpty()) change.text = UndoHistory::tr("Set %1").arg(parts.join(QStringLiteral("; ")));
    return change;
}

}  // namespace

UndoHistory::UndoHistory(PanelHost* window, SessionController* sessions)
    : QObject(window->hostWidget()), window_(window), state_(window->routingState()), stack_(new QUndoStack(this)) {
    setObjectName(QStringLiteral("undoHistory"));
    stack_->setObjectName(QStringLiteral("undoStack"));
    // A parameter step holds two routings (a decision per row): bound what a long session keeps.
    stack_->setUndoLimit(100);
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
        ParamsChange change = paramsChange(*state_, *routing_, *now);
        if (!change.text.isEmpty() && routing_->routed)
            stack_->push(new ParamsStep(this, std::move(change), routing_, now));
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

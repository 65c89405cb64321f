#pragma once
// Edit ▸ Undo / Redo (Ctrl+Z / Ctrl+Shift+Z) for what the user changes by hand: the method,
// the costs, parameters set on a chart or the tuning panel, the table's filters and the chart
// filter chip. It watches RoutingState and the filter bar and records each change as a
// command; undoing one replays the old value through the same public setters. A new file or
// session starts a fresh history (the old steps refer to other rows).
#include <QObject>
#include <QString>
#include <functional>
#include <memory>

#include "ui/query_table_model.hpp"
#include "ui/routing_state.hpp"

class QUndoStack;

namespace automix::ui {

class PanelHost;
class SessionController;

class UndoHistory : public QObject {
    Q_OBJECT
  public:
    // A session opened through `sessions` (may be null) starts the history afresh.
    UndoHistory(PanelHost* window, SessionController* sessions);
    QUndoStack* stack() const { return stack_; }

    // Commands run these with recording off, so replaying a step does not record a new one.
    void replay(const std::function<void()>& change);
    PanelHost* window() const { return window_; }

  private:
    void remember();  // the current values, as the "before" of the next change
    void onMethodChanged();
    void onCostsMaybeChanged();
    void onRoutingChanged();
    void onFilterChanged(const QueryFilter& f);
    void onLinkedFilterChanged();

    PanelHost* window_;
    RoutingState* state_;
    QUndoStack* stack_;
    bool replaying_ = false;
    QString method_;
    Costs costs_;
    std::shared_ptr<const Routing> routing_;
    QueryFilter filter_;
    QString chipLabel_;
    RoutingState::RowPredicate chip_;
};

// Adds Undo / Redo at the top of the Edit menu.
UndoHistory* installUndoHistory(PanelHost* window, SessionController* sessions);

}  // namespace automix::ui

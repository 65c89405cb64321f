#pragma once
// A second routing ("B") beside the current one ("A"), to inspect where two routings decide
// differently: another method (trained per dataset in the background, like A), or A's method
// with the parameters it has now, frozen, so that A can be moved on (slider, chart click) while
// B stays. The table shows B's decision and filters by the four groups (both escalate / only A
// / only B / neither), the drill-down shows both reasons, the cost–quality chart both rings.
// All decisions and counts come from core (routing::Method, eval/compare).
#include <QObject>
#include <QString>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/eval/compare.hpp"
#include "ui/routing_state.hpp"

class QMenu;

namespace automix::ui {

class PanelHost;

class CompareRouting : public QObject {
    Q_OBJECT
  public:
    enum class Group { Both, OnlyA, OnlyB, Neither, Differ };

    explicit CompareRouting(RoutingState* state, QObject* parent = nullptr);

    // B = `method` trained on each dataset's train rows ("" = no comparison).
    void compareWith(const QString& method);
    // B = the current method with its parameters of now, per dataset.
    void freezeCurrent();
    void stop();
    bool isActive() const { return !methodName_.isEmpty(); }
    bool isComputing() const;
    void waitUntilDone();
    QString label() const;  // "Threshold" or "POMDP (frozen: λ ∈ …)"
    QString methodName() const { return methodName_; }

    // B's decision for a row: ladder index (0 = stayed), -1 = none.
    int decision(data::RowIndex row) const;
    bool escalated(data::RowIndex row) const { return decision(row) > 0; }
    int answeringModel(data::RowIndex row) const;  // dataset model index, -1 = none
    QString paramsText(data::RowIndex row) const;
    QString explain(data::RowIndex row) const;
    // Counts over `rows` (rows where A or B has no decision are left out).
    eval::CompareCounts counts(const data::View& rows) const;
    bool inGroup(data::RowIndex row, Group g) const;
    // B's figures on `rows`, as the cost–quality chart draws them (nullopt when not routed).
    std::optional<eval::Metrics> figures(const data::View& rows) const;

  signals:
    void changed();

  private:
    struct Result {
        std::vector<RowDecision> decisions;  // per dataset row
        std::map<int, routing::Params> params;
        std::map<int, data::View> trainRows;
        std::vector<int> ladder;
        QString error;
    };
    void start(const std::map<int, routing::Params>& fixed);

    RoutingState* state_;
    QString methodName_;
    routing::MethodPtr method_;
    bool frozen_ = false;
    std::map<int, routing::Params> frozenParams_;
    std::shared_ptr<const Result> result_;
    SnapshotPtr resultSnap_;
};

// Adds Method ▸ Compare With… and the comparison bar above the table; returns the controller
// (owned by the window; the table model and the drill-down panel are given it here).
CompareRouting* installCompareRouting(PanelHost* window);

}  // namespace automix::ui

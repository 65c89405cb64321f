#pragma once
// The cascade's beliefs (method §7): the belief trajectory of the selected query — one stacked
// bar per step over the hidden states — and the policy table (every reachable history with
// P(h), belief, λ*, Q values and the action). Numbers from eval::cascade_view.
#include <QWidget>

#include "core/eval/cascade_view.hpp"

class QChartView;
class QLabel;
class QTableWidget;

namespace automix::ui::charts {

class CascadeTraceChart;

class CascadePanel : public QWidget {
    Q_OBJECT
  public:
    explicit CascadePanel(QWidget* parent = nullptr);
    // A short title; what it was computed on goes to the chart's tooltip and the exports.
    void setView(eval::CascadeView v, const QString& title, const QString& provenance = {});
    const eval::CascadeView& view() const { return view_; }
    QChartView* chartView() const;
    QTableWidget* policyTable() const { return table_; }

  private:
    eval::CascadeView view_;
    CascadeTraceChart* trace_;  // a ChartWidget like every chart (cascade_panel.cpp)
    QTableWidget* table_;
    QLabel* note_;
};

}  // namespace automix::ui::charts

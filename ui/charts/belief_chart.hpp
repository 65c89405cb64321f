#pragma once
// Belief states of the 2-model POMDP: per confidence bin, stacked bars of the share of train
// rows that are NEEDY / GOOD / HOPELESS / UNDEFINED (what POMDPSimple learns), with the share
// of the bin's train rows the current routing escalates drawn over it (a 0/1 step for the
// confidence-only methods) and written under each bin. Numbers from eval::belief_bins.
#include <vector>

#include "core/eval/calibration.hpp"
#include "ui/charts/chart_page.hpp"

namespace automix::ui::charts {

class BeliefChart : public ChartWidget {
    Q_OBJECT
  public:
    explicit BeliefChart(QWidget* parent = nullptr);
    // A short title ("Belief states · cnli train · POMDP"); what it was computed on in the tooltip.
    void setData(std::vector<eval::BeliefBin> bins, const QString& title, const QString& provenance = {});
    const std::vector<eval::BeliefBin>& data() const { return bins_; }
    // Marks the bin of the query selected elsewhere (table, other charts); -1 = none.
    void setSelectedBin(int bin);
    int selectedBin() const { return selectedBin_; }

  signals:
    void binClicked(int bin);

  protected:
    void draw() override;

  private:
    std::vector<eval::BeliefBin> bins_;
    int selectedBin_ = -1;
};

}  // namespace automix::ui::charts

#pragma once
// The cost–quality chart (x = avg cost per query, y = avg performance): small-only and
// large-only points joined by the IBC baseline, the random-mix line, the oracle, each method's
// candidates (its own non-dominated ones joined into its curve), the trained candidate of each
// method (large marker), the Pareto frontier over all methods, and the "current" routing as a
// ring that follows the tuning panel. Hover shows a tooltip; a click on a candidate emits
// candidateClicked. All numbers come from eval::CostQuality (core).
#include <QPointer>
#include <QString>
#include <QWidget>
#include <optional>
#include <vector>

#include "core/eval/calibrate.hpp"
#include "core/eval/cost_quality.hpp"
#include "ui/charts/chart_page.hpp"

class QAbstractSeries;
class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace automix::ui::charts {

class CostQualityChart : public ChartWidget {
    Q_OBJECT
  public:
    explicit CostQualityChart(QWidget* parent = nullptr);

    // A short title that fits; what the curves were computed on goes to the tooltip.
    void setData(const eval::CostQuality& cq, const QString& title, const QString& provenance = {});
    void clear(const QString& message);
    const eval::CostQuality& data() const { return data_; }
    // The ring of the current routing; nullopt hides it.
    void setCurrent(const std::optional<eval::Metrics>& m, const QString& label);
    std::optional<QPointF> currentPoint() const;
    // The ring of the compared routing B (Method ▸ Compare With); nullopt hides it.
    void setCompared(const std::optional<eval::Metrics>& m, const QString& label);
    std::optional<QPointF> comparedPoint() const;
    // A calibration's constraint as a dashed line (core's eval::constraint_segment over the
    // axes, which grow to show it) and its chosen candidate as a marker; nullopt removes both.
    struct ConstraintMark {
        eval::Constraint constraint;
        routing::Config config;  // the costs the lift line is measured with
        std::size_t levels = 2;  // models the method decides over
        std::optional<QPointF> chosen;
    };
    void setConstraint(std::optional<ConstraintMark> mark);
    QLineSeries* constraintSeries() const { return constraintLine_; }  // null when none is drawn
    QScatterSeries* chosenSeries() const { return chosen_; }

    // Candidate markers of one method (tests click them), or null.
    QScatterSeries* candidateSeries(const QString& method) const;
    QScatterSeries* trainedSeries(const QString& method) const;
    // Tooltip text of a candidate point, and the last tooltip shown on hover.
    QString tooltipFor(std::size_t method, std::size_t point) const;
    QString lastTooltip() const { return lastTooltip_; }
    // The figures of the last point hovered, kept under the chart.
    QLabel* infoBox() const { return info_; }

  signals:
    void candidateClicked(int method, int point);

  protected:
    void draw() override;

  private:
    struct SeriesRef {
        QScatterSeries* series = nullptr;
        std::size_t method = 0;
        std::vector<std::size_t> points;  // point index in the method's curve, per series point
    };
    void addReferenceSeries(bool dark);
    void addMethodSeries(std::size_t m, bool dark);
    const SeriesRef* refOf(QScatterSeries* s) const;
    QScatterSeries* seriesNamed(const QString& objectName) const;  // among the drawn candidates
    std::optional<std::size_t> pointAt(const SeriesRef& ref, const QPointF& p) const;
    QString referenceTooltip(const QString& name, const eval::Metrics& m) const;
    void hideFromLegend(QScatterSeries* s);
    // The figures into the info box, and as a tooltip over the point `at` of series `s`.
    void showInfo(const QString& text, QAbstractSeries* s, const QPointF& at);
    void attach(QScatterSeries* s);
    void attachLine(QLineSeries* s);
    void addConstraintSeries();

    eval::CostQuality data_;
    // The rings, kept across redraws (theme, presentation mode).
    std::optional<QPointF> currentAt_, comparedAt_;
    QString currentName_, comparedName_;
    QValueAxis* axisX_ = nullptr;
    QValueAxis* axisY_ = nullptr;
    QScatterSeries* current_ = nullptr;
    QScatterSeries* compared_ = nullptr;
    QLabel* info_ = nullptr;
    std::optional<ConstraintMark> mark_;
    QLineSeries* constraintLine_ = nullptr;
    QScatterSeries* chosen_ = nullptr;
    std::vector<SeriesRef> refs_;
    QString lastTooltip_;
};

}  // namespace automix::ui::charts

#pragma once
// A legend beside the chart instead of inside it: a list that scrolls rather than dropping
// entries when the chart is small, shows every name whole (no eliding), and lets the reader
// click an entry to hide or show its series; hovering an entry thickens its lines.
//
// Entries are built from the chart's series: a named series gets an entry, and every series
// whose "legendGroup" property names that entry (a method's candidate dots and trained marker)
// is hidden and shown with it; a grouped bar chart gets one entry per bar set. Hidden names stay hidden
// when the chart is rebuilt. The chart's own legend is turned off while this one is attached;
// exports turn it on for the picture (see LegendForExport).
#include <QListWidget>
#include <QPointer>
#include <QSet>

class QAbstractSeries;
class QChart;
class QChartView;

namespace automix::ui::charts {

class ChartLegend : public QListWidget {
    Q_OBJECT
  public:
    explicit ChartLegend(QChartView* view, QWidget* parent = nullptr);
    // Below the chart: the entries flow left to right and wrap (up to three rows, then it
    // scrolls), for charts too narrow to give a column to their legend.
    void setBelowChart(bool below);

    // Rebuilds the entries from the chart's series now (it also follows changes by itself,
    // once the event loop runs).
    void refresh();
    QStringList names() const;  // the entries, in order
    // Series of one entry (its own and those that name it as their group).
    QList<QAbstractSeries*> seriesOf(const QString& name) const;
    void setEntryShown(const QString& name, bool shown);
    bool isEntryShown(const QString& name) const { return !hidden_.contains(name); }
    QSize sizeHint() const override;

    static constexpr const char* kGroupProperty = "legendGroup";
    // A series with this property true gets no entry (it has nothing to show yet).
    static constexpr const char* kHiddenProperty = "legendHidden";
    // Set on a chart view that has a ChartLegend beside it (viewWithLegend): its exports draw the
    // chart's own legend instead.
    static constexpr const char* kSideLegendProperty = "hasSideLegend";
    // Whether a series gets its own entry: named, not hidden, not part of another entry's group.
    static bool isListed(QAbstractSeries* s);

  signals:
    void entryToggled(const QString& name, bool shown);

  protected:
    void keyPressEvent(QKeyEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;
    void leaveEvent(QEvent* e) override;

  private:
    void toggle(QListWidgetItem* item);
    QString signature() const;
    void highlight(const QString& name, bool on);

    QPointer<QChartView> view_;
    QSet<QString> hidden_;
    QString shown_;  // signature of what the entries were built from
    QString highlighted_;
    QList<QPair<QPointer<QAbstractSeries>, qreal>> normalWidth_;  // pens thickened by a hover
    bool pending_ = false;
    bool below_ = false;
};

// The chart's own legend on (attached, on the right) or off (out of the layout and unseen,
// its markers keeping their own visibility).
void setBuiltInLegendShown(QChart* chart, bool shown);

// The container charts use: the view with its legend on the right (Qt::Horizontal) or under
// it (Qt::Vertical, for narrow charts).
QWidget* viewWithLegend(QChartView* view, ChartLegend** legend, QWidget* parent,
                        Qt::Orientation orientation = Qt::Horizontal);

// While it lives, the chart of `view` shows its own legend (on the right), so an exported
// picture names its series; the side legend is a widget and is not part of the chart.
class LegendForExport {
  public:
    explicit LegendForExport(QWidget* view);
    ~LegendForExport();
    LegendForExport(const LegendForExport&) = delete;
    LegendForExport& operator=(const LegendForExport&) = delete;

  private:
    QPointer<QChart> chart_;
};

}  // namespace automix::ui::charts

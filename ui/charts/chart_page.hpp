#pragma once
// One chart tab, done once. A chart of the bottom tabs derives from ChartPage and registers
// itself in its own .cpp; ChartTabs builds the tabs from the registry, and exports every
// registered tab by what it offers (ChartExport), never by its position:
//
//   class GapChart : public ChartPage {
//       void refresh() override;                 // numbers from core, for the current snapshot
//       void draw() override;                    // series and axes into chart(), already cleared and themed
//       QList<ChartExport> exports() const override;
//   };
//   AUTOMIX_REGISTER_CHART_TAB(GapChart, "calibration_gap", QT_TRANSLATE_NOOP("ChartTabs", "Calibration gap"), 50)
//
// The base builds the interactive view (zoom, pan) with its side legend, refreshes after the
// routing state changed (file, dataset, split, costs, routing, selected row — after a short rest),
// redraws when the theme, the palette or presentation mode change, shows an empty state with its
// reason, and titles the chart with what it shows plus what it was computed on (short title;
// the provenance in the chart's tooltip and the CSV's "# computed on:" line).
#include <QList>
#include <QString>
#include <QWidget>
#include <functional>
#include <vector>

#include "core/eval/data_table.hpp"

class QChart;
class QChartView;
class QDir;
class QTimer;

namespace automix::ui {
class RoutingState;
}

namespace automix::ui::charts {

class ChartLegend;

// What one chart writes on export: `name`.png and `name`.svg of `view` (when set) and
// `name`.csv of `table` (when set) led by "# computed on: `provenance`" — or, for a CSV that
// core writes itself, of `csvText`.
struct ChartExport {
    ChartExport(QString name_, QWidget* view_, std::function<eval::DataTable()> table_ = {}, QString provenance_ = {})
        : name(std::move(name_)), view(view_), table(std::move(table_)), provenance(std::move(provenance_)) {}
    QString name;
    QWidget* view = nullptr;
    std::function<eval::DataTable()> table;
    QString provenance;
    std::function<std::string()> csvText;
};
// Writes the exports into `dir`; written paths go to *files, errors to *errors.
void writeExports(const QList<ChartExport>& exports, const QDir& dir, QStringList* files, QStringList* errors);

// The view's tooltip for a chart with a short title: what it was computed on (file, dataset,
// split, costs, method — too long for a title that must fit), then how to read it.
QString provenanceTip(const QString& provenance, const QString& help);

// Calls `redraw` whenever `chart`'s palette or font changes (light/dark theme, presentation
// mode), so a chart that keeps its numbers shows them in the new style at once.
void redrawOnStyleChange(QWidget* chart, std::function<void()> redraw);

// A chart drawn from numbers it keeps: the interactive view (zoom, pan) with its side legend,
// a short title plus what it was computed on (in the view's tooltip and the exports), an
// empty state with its reason, and a redraw of the same numbers when the palette (light/dark
// theme, presentation mode) or the font changes. Every chart of ui/charts is one.
class ChartWidget : public QWidget {
    Q_OBJECT
  public:
    // `legend`: beside the chart (Qt::Horizontal) or under it (Qt::Vertical, narrow charts).
    explicit ChartWidget(QWidget* parent, Qt::Orientation legend = Qt::Horizontal);

    // The chart, one for the widget's life; each redraw replaces its series and axes (keep no
    // pointer to a series or an axis across one).
    QChart* chart() const { return chart_; }
    QChartView* view() const { return view_; }
    // The list of series beside (or under) the chart: click an entry to hide or show it.
    ChartLegend* legend() const { return legend_; }
    QString title() const { return title_; }
    QString provenance() const { return provenance_; }
    bool isEmptyState() const { return empty_; }

  protected:
    // Draws the kept numbers into chart(): series and axes are gone, theme and title applied.
    // Series and axes it adds are the chart's (create them with chart() as parent or none).
    virtual void draw() = 0;
    void setTitle(const QString& title, const QString& provenance);
    // Nothing to draw, and why ("Load data to see …"): no series, the reason as title.
    void showEmpty(const QString& why, const QString& provenance = {});  // (what is being computed)
    void redraw();
    // A widget under the chart and its legend (the cost–quality chart's figures of a point).
    void addBelowChart(QWidget* widget);

  private:
    void clearChart();

    QChart* chart_;
    QChartView* view_;
    ChartLegend* legend_ = nullptr;
    QString title_, provenance_;
    bool empty_ = true;
};

// A ChartWidget drawn by a function of the widget that keeps its numbers (the Verifier tab's
// three charts of one set of numbers, the per-dataset lifts beside their table, a study's chart).
class DrawnChart : public ChartWidget {
    Q_OBJECT
  public:
    DrawnChart(QWidget* parent, Qt::Orientation legend, std::function<void(DrawnChart&)> draw);
    // Draws now with this title (always drawn: axes even without numbers).
    void display(const QString& title, const QString& provenance = {});
    // No chart: the reason as title.
    void showReason(const QString& why) { showEmpty(why); }

  protected:
    void draw() override { draw_(*this); }

  private:
    std::function<void(DrawnChart&)> draw_;
};

// A chart tab that computes its own numbers from the routing state.
class ChartPage : public ChartWidget {
    Q_OBJECT
  public:
    ChartPage(RoutingState* state, QWidget* parent);
    // Computes now instead of after the rest (tests, exports).
    void refreshNow();
    // What an export of this tab writes; by default the chart with no table.
    virtual QList<ChartExport> exports() const;

  protected:
    // Reads the current snapshot of state() and calls setTitle + redraw() or showEmpty().
    virtual void refresh() = 0;
    RoutingState* state() const { return state_; }

  private:
    RoutingState* state_;
    QTimer* rest_;
};

// The chart tabs that ChartTabs adds after its built-in ones, by `order`.
struct ChartTabInfo {
    QString id;         // stable key ("calibration_gap"): object name of the page
    const char* title;  // tab text, translated in the "ChartTabs" context
    int order = 100;    // place among the registered tabs
    std::function<ChartPage*(RoutingState*, QWidget*)> make;
};
bool registerChartTab(ChartTabInfo info);
std::vector<ChartTabInfo> chartTabRegistry();  // sorted by order

}  // namespace automix::ui::charts

// Registers chart page `Class` (constructor (RoutingState*, QWidget*)) from its own file.
#define AUTOMIX_REGISTER_CHART_TAB(Class, id, title, order)                                                            \
    namespace {                                                                                                        \
    [[maybe_unused]] const bool registered##Class = ::automix::ui::charts::registerChartTab(                           \
        {QStringLiteral(id), title, order,                                                                             \
         [](::automix::ui::RoutingState* s, QWidget* parent) -> ::automix::ui::charts::ChartPage* {                    \
             return new Class(s, parent);                                                                              \
         }});                                                                                                          \
    }

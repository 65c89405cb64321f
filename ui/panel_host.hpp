#pragma once
// What a panel may ask of the window it is installed in: its menus and tabs, the routing state
// and the one job runner, the settings, the query table's views, the toolbar's choices, loading,
// the log and error reporting. MainWindow implements it; panels include this header, never
// ui/main_window.hpp, and never look a widget up by type (ui/window_panels.cpp wires the panels
// that need one another).
#include <QString>

#include "core/data/dataset.hpp"

class QAction;
class QMenu;
class QTabWidget;
class QTableView;
class QWidget;

namespace automix::ui {

class DrillDownPanel;
class FilterBar;
class JobRunner;
class QueryTableModel;
class RoutingState;
struct Costs;
struct WindowPanels;
namespace settings {
class Settings;
}

// The window's own menus, for panels that add their actions to them (never looked up by text).
enum class WindowMenu { File, Edit, View, Method, Help };

class PanelHost {
  public:
    // The window itself: parent of a panel's widgets and dialogs, context of its connections.
    virtual QWidget* hostWidget() = 0;

    virtual RoutingState* routingState() const = 0;
    virtual JobRunner* jobs() const = 0;
    virtual settings::Settings* settings() const = 0;
    virtual const data::Dataset* dataset() const = 0;
    // The panels installed around the window (after installWindowPanels).
    virtual const WindowPanels& panels() const = 0;

    virtual QMenu* menu(WindowMenu which) const = 0;
    virtual void addPanelMenu(QMenu* menu) = 0;  // before Help
    virtual QMenu* recentMenu() const = 0;
    virtual void addRowAction(QAction* action) = 0;  // also in the query table's context menu
    virtual QTabWidget* bottomTabs() const = 0;
    virtual QTableView* queryTable() const = 0;
    virtual QueryTableModel* queryModel() const = 0;
    virtual FilterBar* filterBar() const = 0;
    virtual DrillDownPanel* drillDown() const = 0;

    // The toolbar's choices, as if made there.
    virtual void selectDataset(const QString& name) = 0;
    virtual void selectSplit(const QString& split) = 0;
    virtual void selectMethod(const QString& name) = 0;
    virtual void offerMethod(const QString& name) = 0;
    virtual void selectRow(data::RowIndex row) = 0;
    virtual void setCosts(const Costs& c) = 0;

    virtual bool openFile(const QString& path, QString* error) = 0;
    virtual void startLoad(const QString& path) = 0;
    virtual void rememberRecentFile(const QString& path) = 0;

    virtual void log(const QString& message) = 0;
    virtual void reportError(const QString& what, const QString& message) = 0;
    virtual void showStatus(const QString& text, int timeoutMs) = 0;

  protected:
    ~PanelHost() = default;
};

}  // namespace automix::ui

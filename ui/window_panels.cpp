#include "ui/window_panels.hpp"

#include "ui/charts/chart_interaction.hpp"
#include "ui/charts/chart_tabs.hpp"
#include "ui/compare_routing.hpp"
#include "ui/live_panel.hpp"
#include "ui/main_window.hpp"
#include "ui/pane_navigation.hpp"
#include "ui/presentation_mode.hpp"
#include "ui/session_controller.hpp"
#include "ui/studies_panel.hpp"
#include "ui/theme.hpp"
#include "ui/tuning_panel.hpp"
#include "ui/undo_history.hpp"
#include "ui/walkthrough_dialog.hpp"

namespace automix::ui {

WindowPanels installWindowPanels(MainWindow* window) {
    WindowPanels p;
    p.compare = installCompareRouting(window);     // Method ▸ Compare With, the comparison bar (ui/compare_routing)
    p.charts = charts::installChartTabs(window, p.compare);  // chart tabs (chart_tab_registry); B ringed
    p.studies = installStudiesPanel(window);       // Studies tab + File ▸ Import Router Scores (ui/studies_panel)
    p.live = installLivePanel(window);             // Live tab + Live menu (ui/live_panel)
    // File ▸ Save Session / Open Session (ui/session_controller): keeps the studies' and live settings.
    QList<charts::InteractiveChartView*> zoomable = p.charts->zoomableViews();
    if (p.studies) zoomable << p.studies->chartView();
    p.sessions = installSessions(window, p.studies, p.live, zoomable);
    // A session file chosen where data files are (Open Recent, drag and drop).
    QObject::connect(window, &MainWindow::sessionFileChosen, p.sessions, &SessionController::openInteractive);
    p.undo = installUndoHistory(window, p.sessions);  // Edit ▸ Undo / Redo (ui/undo_history)
    installWalkthrough(window);        // View ▸ Walk Through Query, F9 (ui/walkthrough_dialog)
    installPresentationMode(window);   // View ▸ Presentation Mode, F11 (ui/presentation_mode)
    installThemeMenu(window);          // View ▸ Theme: System / Light / Dark (ui/theme)
    installPaneNavigation(window, p.charts->tuning());  // F6 between panes, Tab leaves the table
    return p;
}

}  // namespace automix::ui

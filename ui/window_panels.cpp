#include "ui/window_panels.hpp"

#include "ui/charts/chart_tabs.hpp"
#include "ui/compare_routing.hpp"
#include "ui/live_panel.hpp"
#include "ui/pane_navigation.hpp"
#include "ui/presentation_mode.hpp"
#include "ui/session_controller.hpp"
#include "ui/studies_panel.hpp"
#include "ui/theme.hpp"
#include "ui/undo_history.hpp"
#include "ui/walkthrough_dialog.hpp"

namespace automix::ui {

void installWindowPanels(MainWindow* window) {
    // Method ▸ Compare With, the comparison bar (ui/compare_routing); its B is ringed on the charts.
    CompareRouting* compare = installCompareRouting(window);
    charts::installChartTabs(window, compare);  // the chart tabs of ui/charts (chart_tab_registry)
    installStudiesPanel(window);       // Studies tab + File ▸ Import Router Scores (ui/studies_panel)
    installLivePanel(window);          // Live tab + Live menu (ui/live_panel)
    installSessions(window);           // File ▸ Save Session / Open Session (ui/session_controller)
    installUndoHistory(window);        // Edit ▸ Undo / Redo (ui/undo_history)
    installWalkthrough(window);        // View ▸ Walk Through Query, F9 (ui/walkthrough_dialog)
    installPresentationMode(window);   // View ▸ Presentation Mode, F11 (ui/presentation_mode)
    installThemeMenu(window);          // View ▸ Theme: System / Light / Dark (ui/theme)
    installPaneNavigation(window);     // F6 between panes, Tab leaves the table (ui/pane_navigation)
}

}  // namespace automix::ui

#pragma once
// The panels the main window is made of besides its own table and drill-down: chart tabs,
// studies, live, sessions, undo, walk-through, presentation mode, pane navigation. Kept out of
// main_window.cpp so the window includes none of its panels (they include the window). Panels
// that need one another are wired here, explicitly: none looks another up in the widget tree.
namespace automix::ui {

class MainWindow;
class CompareRouting;
class StudiesPanel;
class LivePanel;
class SessionController;
class UndoHistory;
namespace charts {
class ChartTabs;
}

// What installWindowPanels made (all owned by the window).
struct WindowPanels {
    CompareRouting* compare = nullptr;
    charts::ChartTabs* charts = nullptr;
    StudiesPanel* studies = nullptr;
    LivePanel* live = nullptr;
    SessionController* sessions = nullptr;
    UndoHistory* undo = nullptr;
};

WindowPanels installWindowPanels(MainWindow* window);

}  // namespace automix::ui

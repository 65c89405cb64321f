#pragma once
// The panels the main window is made of besides its own table and drill-down: chart tabs,
// studies, live, sessions, undo, walk-through, presentation mode, pane navigation. Kept out of
// main_window.cpp so the window includes none of its panels (they include the window).
namespace automix::ui {

class MainWindow;

void installWindowPanels(MainWindow* window);

}  // namespace automix::ui

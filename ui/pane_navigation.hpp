#pragma once
// Keyboard travel between the window's panes: F6 / Shift+F6 cycle query table → drill-down →
// the current bottom tab (charts) → tuning panel, focusing the first control of each (View ▸
// Next Pane / Previous Pane). Tab and Shift+Tab leave the table instead of wrapping in its cells.
#include <QList>

class QWidget;

namespace automix::ui {

class MainWindow;

// The panes in F6 order, as they are now (the bottom tab's page changes with the tab).
QList<QWidget*> focusPanes(MainWindow* window);
// Moves the focus to the next (+1) or previous (-1) visible pane; returns the pane focused.
QWidget* focusNextPane(MainWindow* window, int step);
// Adds the View menu actions and makes Tab leave the table; one call from the window.
void installPaneNavigation(MainWindow* window);

}  // namespace automix::ui

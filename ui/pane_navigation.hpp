#pragma once
// Keyboard travel between the window's panes: F6 / Shift+F6 cycle query table → drill-down →
// the current bottom tab (charts) → tuning panel, focusing the first control of each (View ▸
// Next Pane / Previous Pane). Tab and Shift+Tab leave the table instead of wrapping in its cells.
#include <QList>

class QWidget;

namespace automix::ui {

class PanelHost;

// The panes in F6 order, as they are now (the bottom tab's page changes with the tab). `tuning`
// (the tuning panel, may be null) is a pane of its own when it lies on the current page.
QList<QWidget*> focusPanes(PanelHost* window, QWidget* tuning);
// Moves the focus to the next (+1) or previous (-1) visible pane; returns the pane focused.
QWidget* focusNextPane(PanelHost* window, QWidget* tuning, int step);
// Adds the View menu actions and makes Tab leave the table; one call from ui/window_panels.cpp.
void installPaneNavigation(PanelHost* window, QWidget* tuning);

}  // namespace automix::ui

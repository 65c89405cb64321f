#pragma once
// What the explorer does when it starts, outside the window's own construction (tests build
// windows without it): the first launch routes with the paper's AutoMix method so that
// decisions, curves and the current point show at once, and `--screenshot` waits until every
// background job has delivered before it captures.
#include <QString>

namespace automix::ui {

class PanelHost;

// The method a first launch routes with: POMDP, the paper's AutoMix.
QString firstLaunchMethod();
// Selects firstLaunchMethod() when no method was ever saved in the settings (a user who chose
// "(no routing)" keeps it). Returns true when it did.
bool routeOnFirstLaunch(PanelHost& window);
// Spins the event loop until no background job runs and none is about to start (the belief
// chart and others start theirs after a short rest). False on timeout.
bool waitUntilSettled(PanelHost& window, int timeoutMs = 120000);

}  // namespace automix::ui

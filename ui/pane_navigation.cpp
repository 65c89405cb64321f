#include "ui/pane_navigation.hpp"

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QMenuBar>
#include <QTabWidget>
#include <QTableView>

#include "ui/drill_down_panel.hpp"
#include "ui/panel_host.hpp"

namespace automix::ui {

namespace {
bool takesKeyboardFocus(const QWidget* w) {
    return w->isVisible() && w->isEnabled() && (w->focusPolicy() & Qt::TabFocus);
}

// The pane itself when it takes the focus, else its first child that does (in focus order).
QWidget* firstFocusable(QWidget* pane) {
    if (takesKeyboardFocus(pane)) return pane;
    for (QWidget* w = pane->nextInFocusChain(); w && w != pane; w = w->nextInFocusChain())
        if (pane->isAncestorOf(w) && takesKeyboardFocus(w)) return w;
    return nullptr;
}
}  // namespace

QList<QWidget*> focusPanes(PanelHost* window, QWidget* tuning) {
    QList<QWidget*> panes{window->queryTable(), window->drillDown()};
    QWidget* page = window->bottomTabs()->currentWidget();
    // The tuning panel sits on the Cost–quality page: that page's chart comes first, then it.
    if (page) panes << page;
    if (tuning && page && page->isAncestorOf(tuning)) panes << tuning;
    return panes;
}

QWidget* focusNextPane(PanelHost* window, QWidget* tuning, int step) {
    const QList<QWidget*> panes = focusPanes(window, tuning);
    if (panes.isEmpty()) return nullptr;
    // Where the focus is now: the innermost pane holding it (the tuning panel lies inside the page).
    int current = -1;
    const QWidget* focus = QApplication::focusWidget();
    for (int i = 0; i < panes.size(); ++i)
        if (focus && (panes[i] == focus || panes[i]->isAncestorOf(focus))) current = i;
    for (int tried = 0; tried < panes.size(); ++tried) {
        current = (current + step + static_cast<int>(panes.size())) % static_cast<int>(panes.size());
        QWidget* pane = panes[current];
        // On the Cost–quality page, stepping onto the page focuses its chart, not the tuning panel.
        QWidget* target = nullptr;
        if (current + 1 < panes.size() && pane->isAncestorOf(panes[current + 1])) {
            for (QWidget* w = pane->nextInFocusChain(); w && w != pane; w = w->nextInFocusChain())
                if (pane->isAncestorOf(w) && !panes[current + 1]->isAncestorOf(w) && takesKeyboardFocus(w)) {
                    target = w;
                    break;
                }
        } else {
            target = firstFocusable(pane);
        }
        if (target) {
            target->setFocus(Qt::ShortcutFocusReason);
            return pane;
        }
    }
    return nullptr;
}

void installPaneNavigation(PanelHost* window, QWidget* tuning) {
    window->queryTable()->setTabKeyNavigation(false);  // Tab moves on to the next control
    QMenu* view = window->menu(WindowMenu::View);
    view->addSeparator();
    QAction* next = view->addAction(QObject::tr("Next &Pane"), window->hostWidget(), [window, tuning] { focusNextPane(window, tuning, +1); });
    next->setObjectName(QStringLiteral("nextPaneAction"));
    next->setShortcut(QKeySequence(Qt::Key_F6));
    QAction* prev = view->addAction(QObject::tr("Previous Pa&ne"), window->hostWidget(), [window, tuning] { focusNextPane(window, tuning, -1); });
    prev->setObjectName(QStringLiteral("previousPaneAction"));
    prev->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F6));
}

}  // namespace automix::ui

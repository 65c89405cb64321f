#include "ui/startup.hpp"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSettings>
#include <QTimer>
#include <algorithm>

#include "ui/job_runner.hpp"
#include "ui/panel_host.hpp"
#include "ui/settings/settings.hpp"
#include "ui/routing_state.hpp"

namespace automix::ui {

QString firstLaunchMethod() {
    return QStringLiteral("POMDP");
}

bool routeOnFirstLaunch(PanelHost& window) {
    if (QSettings().contains(settings::qtKey(settings::key::Method))) return false;
    window.selectMethod(firstLaunchMethod());
    return true;
}

bool waitUntilSettled(PanelHost& window, int timeoutMs) {
    QElapsedTimer clock;
    clock.start();
    // Views defer some work by a few hundred milliseconds (debounce timers); a pause of that
    // length with no job running means nothing more is coming.
    constexpr int kQuietMs = 400;
    int quietRounds = 0;
    while (clock.elapsed() < timeoutMs) {
        const int left = static_cast<int>(timeoutMs - clock.elapsed());
        if (!window.jobs()->waitForIdle(std::max(1, left))) return false;
        window.routingState()->waitForTraining();
        QEventLoop pause;
        QTimer::singleShot(kQuietMs / 4, &pause, &QEventLoop::quit);
        pause.exec();
        QApplication::processEvents();
        quietRounds = window.jobs()->isIdle() && !window.routingState()->isTraining() ? quietRounds + 1 : 0;
        if (quietRounds >= 4) return true;
    }
    return false;
}

}  // namespace automix::ui

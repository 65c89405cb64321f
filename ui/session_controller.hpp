#pragma once
// File ▸ Save Session / Open Session: what the window shows, kept in a `*.automix-session`
// file (core/session) and brought back — data file (checked by SHA-256; moved or changed files
// are asked about), costs, method and hand-set parameters per dataset, scope, filters and the
// chart filter chip, selected row, open tab, study settings and the live config path.
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <functional>

#include "core/session/session.hpp"

namespace automix::ui {

class LivePanel;
class PanelHost;
class StudiesPanel;
namespace charts {
class InteractiveChartView;
}

class SessionController : public QObject {
    Q_OBJECT
  public:
    // `studies` and `live` (either may be null) have their settings kept in the session, and
    // the zoom of `charts` (named views: the chart tabs', the study's) too.
    SessionController(PanelHost* window, StudiesPanel* studies, LivePanel* live,
                      const QList<charts::InteractiveChartView*>& charts = {});

    // The window's state as a session to be saved at `sessionPath` (relative data path).
    session::Session capture(const QString& sessionPath) const;
    bool save(const QString& path, QString* error = nullptr);
    // Loads the session's data (waiting), checks it, applies every setting and waits for the
    // training. False with the reason in *error when the session is not applied.
    bool open(const QString& path, QString* error = nullptr);
    QString currentSession() const { return current_; }

    // What to do when the data is not where the session says: returns the file to use, ""
    // to give up. Default: a file dialog. Tests replace it.
    std::function<QString(const QString& missingPath)> locateData;
    // The data's SHA-256 differs from the session's. Default: a question box.
    enum class Mismatch { ApplyAnyway, Locate, Cancel };
    std::function<Mismatch(const QString& path, const QString& expected, const QString& actual)> onHashMismatch;

    // Menu entry points (dialogs on failure).
    void chooseAndSave();
    void chooseAndOpen();
    void openInteractive(const QString& path);

  signals:
    void sessionSaved(const QString& path);
    void sessionOpened(const QString& path);

  private:
    void apply(const session::Session& s, QStringList* warnings);

    PanelHost* window_;
    StudiesPanel* studies_;
    LivePanel* live_;
    QList<QPointer<charts::InteractiveChartView>> charts_;
    QString current_;
};

// Adds the File menu entries and the controller (a child of the window).
SessionController* installSessions(PanelHost* window, StudiesPanel* studies, LivePanel* live,
                                   const QList<charts::InteractiveChartView*>& charts = {});
// `automix-explorer --session FILE`.
bool openSessionFile(PanelHost* window, const QString& path, QString* error);

}  // namespace automix::ui

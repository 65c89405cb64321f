// `automix-explorer [FILE] [--session S] [--method M] [--dataset D] [--split S] [--row ID]
// [--screenshot PNG]`: the desktop explorer. Without FILE or session it opens the embedded demo.
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QLabel>
#include <QTabWidget>
#include <QMessageBox>
#include <QTableView>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "ui/charts/chart_export.hpp"
#include "ui/main_window.hpp"
#include "ui/query_table_model.hpp"
#include "ui/routing_state.hpp"
#include "ui/session_controller.hpp"
#include "ui/startup.hpp"

namespace {

// The last line of defence: an exception escaping an event handler (every known path catches
// its own) becomes an error dialog instead of std::terminate; the loaded data stays.
class Application : public QApplication {
  public:
    using QApplication::QApplication;
    bool notify(QObject* receiver, QEvent* event) override {
        try {
            return QApplication::notify(receiver, event);
        } catch (const std::exception& e) {
            report(QString::fromStdString(e.what()));
        } catch (...) {
            report(QStringLiteral("unknown error"));
        }
        return false;
    }

  private:
    void report(const QString& message) {
        std::fprintf(stderr, "automix-explorer: unexpected error: %s\n", qPrintable(message));
        QWidget* parent = activeWindow();
        if (auto* window = qobject_cast<automix::ui::MainWindow*>(parent))
            window->reportError(QStringLiteral("An action"), message);
        else
            QMessageBox::critical(parent, QStringLiteral("Unexpected error"), message);
    }
};

}  // namespace

int main(int argc, char** argv) {
    // QGuiApplication takes "-session ID" / "--session ID" for X11 session management and
    // removes it from the arguments; ours is renamed before it can.
    std::vector<char*> args(argv, argv + argc);
    static char renamed[] = "--automix-session";
    for (std::size_t i = 1; i < args.size(); ++i)
        if (std::strcmp(args[i], "--session") == 0 || std::strcmp(args[i], "-session") == 0) args[i] = renamed;
    std::vector<std::string> joined;  // "--session=FILE"
    for (std::size_t i = 1; i < args.size(); ++i)
        if (std::strncmp(args[i], "--session=", 10) == 0) joined.push_back(std::string("--automix-session=") + (args[i] + 10));
    for (std::size_t i = 1, j = 0; i < args.size(); ++i)
        if (std::strncmp(args[i], "--session=", 10) == 0) args[i] = joined[j++].data();
    args.push_back(nullptr);
    argc = static_cast<int>(args.size()) - 1;
    argv = args.data();
    Application app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AutoMix"));
    QApplication::setApplicationName(QStringLiteral("AutoMix Explorer"));
    QApplication::setApplicationVersion(QStringLiteral(AUTOMIX_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/org.automix.explorer.svg")));
    QGuiApplication::setDesktopFileName(QStringLiteral("org.automix.explorer"));  // the installed .desktop entry

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Explore AutoMix routing decisions."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"), QStringLiteral("Render the main window to PNG and exit."), QStringLiteral("PNG"));
    const QCommandLineOption method(QStringLiteral("method"), QStringLiteral("Routing method to train and show."),
                                    QStringLiteral("NAME"));
    const QCommandLineOption datasetOpt(QStringLiteral("dataset"), QStringLiteral("Dataset of the file to show."),
                                        QStringLiteral("NAME"));
    const QCommandLineOption split(QStringLiteral("split"), QStringLiteral("Split to show: val, train or all."),
                                   QStringLiteral("SPLIT"));
    const QCommandLineOption row(QStringLiteral("row"), QStringLiteral("Select the query with this id."),
                                 QStringLiteral("ID"));
    const QCommandLineOption skip(QStringLiteral("skip-bad-lines"),
                                  QStringLiteral("Load leniently: skip malformed lines."));
    const QCommandLineOption sessionOpt(QStringList{QStringLiteral("session"), QStringLiteral("automix-session")},
                                        QStringLiteral("Open a saved session (*.automix-session): its data, routing, "
                                                       "filters and selection."),
                                        QStringLiteral("FILE"));
    parser.addOptions({screenshot, method, datasetOpt, split, row, skip, sessionOpt});
    parser.addPositionalArgument(QStringLiteral("file"),
                                 QStringLiteral("Data file to open (default: the demo dataset)."));
    parser.process(app);

    automix::ui::MainWindow window;
    if (parser.isSet(skip)) window.setSkipBadLines(true);
    if (parser.isSet(method))
        window.selectMethod(parser.value(method));
    else
        automix::ui::routeOnFirstLaunch(window);  // decisions, curves and the ring at once
    const QStringList files = parser.positionalArguments();
    QString error;
    // Shown before the file loads: a large file takes minutes, and meanwhile the window shows the
    // progress and offers Cancel (the load waits in a nested event loop). A screenshot waits unseen.
    const bool interactive = !parser.isSet(screenshot);
    if (interactive) window.show();
    // A session given as the file (the desktop entry's %f, a file manager's double click).
    const QString sessionFile =
        parser.isSet(sessionOpt) ? parser.value(sessionOpt)
        : !files.isEmpty() && files.first().endsWith(QLatin1String(automix::session::kSessionSuffix)) ? files.first()
                                                                                                  : QString();
    const bool ok = !sessionFile.isEmpty()
                        ? automix::ui::openSessionFile(&window, sessionFile, &error)
                        : (files.isEmpty() ? window.openDemo(&error) : window.openFile(files.first(), &error));
    if (interactive && !window.isVisible()) return 0;  // closed while the file was loading
    if (!ok) std::fprintf(stderr, "automix-explorer: %s\n", qPrintable(error));
    const QString opened = !sessionFile.isEmpty() ? sessionFile : files.value(0, QStringLiteral("the demo"));
    if (parser.isSet(datasetOpt)) window.selectDataset(parser.value(datasetOpt));
    if (parser.isSet(split)) window.selectSplit(parser.value(split));
    window.routingState()->waitForTraining();
    if (parser.isSet(row) && window.dataset()) {
        const auto& ids = window.dataset()->id;
        const auto it = std::find(ids.begin(), ids.end(), parser.value(row).toStdString());
        if (it != ids.end())
            window.selectRow(static_cast<automix::data::RowIndex>(it - ids.begin()));
        else
            std::fprintf(stderr, "automix-explorer: no row with id %s\n", qPrintable(parser.value(row)));
    }

    if (window.queryModel()->rowCount() > 0 && !window.queryTable()->currentIndex().isValid())
        window.selectRow(window.queryModel()->datasetRow(0));

    if (parser.isSet(screenshot)) {
        window.show();
        for (int i = 0; i < 3; ++i) QApplication::processEvents();  // deferred layout fits
        // Curves, belief chart and the rest compute in the background: capture them done.
        if (!automix::ui::waitUntilSettled(window))
            std::fprintf(stderr, "automix-explorer: background work still running at the screenshot\n");
        const QString out = parser.value(screenshot);
        if (!ok) {
            // The picture of a failed open shows why, not just "No data loaded".
            window.log(QStringLiteral("Could not open %1: %2").arg(opened, error));
            window.summaryLabel()->setText(QStringLiteral("Could not open %1: %2")
                                               .arg(opened, error)
                                               .toHtmlEscaped());
            for (int i = 0; i < window.bottomTabs()->count(); ++i)
                if (window.bottomTabs()->tabText(i) == QStringLiteral("Messages")) window.bottomTabs()->setCurrentIndex(i);
            QApplication::processEvents();
        }
        if (const QString why = automix::ui::charts::savePng(window.grab().toImage(), out); !why.isEmpty()) {
            std::fprintf(stderr, "automix-explorer: %s\n", qPrintable(why));
            return 1;
        }
        std::printf("wrote %s\n", qPrintable(out));
        return ok ? 0 : 1;
    }
    window.show();
    if (!ok && (!files.isEmpty() || !sessionFile.isEmpty())) {
        window.log(QStringLiteral("Could not open %1: %2").arg(opened, error));
        QTimer::singleShot(0, &window, [&window, error] {
            QMessageBox::critical(&window, QStringLiteral("Could not open file"), error);
        });
    }
    return app.exec();
}

// `automix-explorer [FILE] [--screenshot PNG]`: the desktop explorer.
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>
#include <cstdio>

#include "ui/main_window.hpp"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AutoMix"));
    QApplication::setApplicationName(QStringLiteral("AutoMix Explorer"));
    QApplication::setApplicationVersion(QStringLiteral(AUTOMIX_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Explore AutoMix routing decisions."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QStringLiteral("Render the main window to PNG and exit."),
                                  QStringLiteral("PNG"));
    parser.addOption(screenshot);
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("Data file to open."));
    parser.process(app);

    automix::ui::MainWindow window;
    const QStringList files = parser.positionalArguments();
    QString error;
    const bool ok = files.isEmpty() ? window.openDemo(&error) : window.openFile(files.first(), &error);
    if (!ok) std::fprintf(stderr, "automix-explorer: %s\n", qPrintable(error));

    if (parser.isSet(screenshot)) {
        window.show();
        QApplication::processEvents();
        const QString out = parser.value(screenshot);
        if (!window.grab().save(out, "PNG")) {
            std::fprintf(stderr, "automix-explorer: cannot write %s\n", qPrintable(out));
            return 1;
        }
        std::printf("wrote %s\n", qPrintable(out));
        return ok ? 0 : 1;
    }
    window.show();
    return app.exec();
}

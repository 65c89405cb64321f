#include "ui/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>

#include "core/data/reader.hpp"

namespace automix::ui {

namespace {
constexpr int kMaxRecent = 10;
const char* kRecentKey = "recentFiles";
}  // namespace

QString extractDemoFile() {
    static QString path;
    if (!path.isEmpty() && QFile::exists(path)) return path;
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::TempLocation);
    path = QDir(dir).filePath(QStringLiteral("automix-demo-%1.jsonl.gz").arg(QCoreApplication::applicationPid()));
    QFile::remove(path);
    QFile::copy(QStringLiteral(":/demo/demo.jsonl.gz"), path);
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return path;
}

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("AutoMix Explorer"));
    resize(1400, 900);
    summary_ = new QLabel(tr("No data loaded"), this);
    summary_->setAlignment(Qt::AlignCenter);
    setCentralWidget(summary_);
    buildMenus();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open..."), this, &MainWindow::chooseAndOpen);
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    file->addAction(tr("Open &Demo Dataset"), this, [this] { openDemo(); });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About AutoMix Explorer"), this, &MainWindow::showAbout);
    refreshRecentMenu();
}

void MainWindow::refreshRecentMenu() {
    recentMenu_->clear();
    const QStringList files = QSettings().value(kRecentKey).toStringList();
    for (const QString& f : files)
        recentMenu_->addAction(f, this, [this, f] { openFile(f); });
    recentMenu_->setEnabled(!files.isEmpty());
}

void MainWindow::rememberRecent(const QString& path) {
    QSettings s;
    QStringList files = s.value(kRecentKey).toStringList();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > kMaxRecent) files.removeLast();
    s.setValue(kRecentKey, files);
    refreshRecentMenu();
}

void MainWindow::chooseAndOpen() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open data file"), QFileInfo(currentFile_).absolutePath(),
        tr("AutoMix data (*.jsonl *.jsonl.gz *.json *.gz);;All files (*)"));
    if (!path.isEmpty()) openFile(path);
}

bool MainWindow::openFile(const QString& path, QString* error) {
    try {
        auto result = data::load_file(path.toStdString());
        setDataset(std::make_shared<const data::Dataset>(std::move(result.dataset)), path);
        if (!path.startsWith(QDir::tempPath())) rememberRecent(path);
        return true;
    } catch (const std::exception& e) {
        const QString msg = QString::fromStdString(e.what());
        if (error) *error = msg;
        else QMessageBox::critical(this, tr("Could not open file"), msg);
        return false;
    }
}

bool MainWindow::openDemo(QString* error) { return openFile(extractDemoFile(), error); }

void MainWindow::setDataset(std::shared_ptr<const data::Dataset> ds, const QString& path) {
    dataset_ = std::move(ds);
    currentFile_ = path;
    summary_->setText(tr("%1 rows, %2 datasets, %3 models\n%4")
                          .arg(dataset_->size())
                          .arg(dataset_->dataset_names.size())
                          .arg(dataset_->model_count())
                          .arg(QFileInfo(path).fileName()));
    setWindowTitle(tr("AutoMix Explorer - %1").arg(QFileInfo(path).fileName()));
    emit datasetChanged();
}

void MainWindow::showAbout() {
    QMessageBox::about(
        this, tr("About AutoMix Explorer"),
        tr("<h3>AutoMix Explorer %1</h3>"
           "<p>Inspect and tune AutoMix routing between a small and a large language model.</p>"
           "<p>Method: P. Aggarwal, A. Madaan et al., <i>AutoMix: Automatically Mixing Language "
           "Models</i>, NeurIPS 2024, arXiv:2310.12963.</p>")
            .arg(QStringLiteral(AUTOMIX_VERSION)));
}

}  // namespace automix::ui

#pragma once
#include <QMainWindow>
#include <QString>
#include <memory>

#include "core/data/dataset.hpp"

class QMenu;
class QLabel;

namespace automix::ui {

// The explorer's main window. Owns the loaded dataset; views are thin adapters over it.
class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Loads a file (blocking variant used by tests and the command line). Returns false and
    // shows/returns the error when it fails; the previous dataset stays loaded.
    bool openFile(const QString& path, QString* error = nullptr);
    // The demo dataset compiled into the executable (resources/demo).
    bool openDemo(QString* error = nullptr);
    const data::Dataset* dataset() const { return dataset_.get(); }
    QString currentFile() const { return currentFile_; }

  signals:
    void datasetChanged();

  private:
    void buildMenus();
    void refreshRecentMenu();
    void rememberRecent(const QString& path);
    void showAbout();
    void chooseAndOpen();
    void setDataset(std::shared_ptr<const data::Dataset> ds, const QString& path);

    std::shared_ptr<const data::Dataset> dataset_;
    QString currentFile_;
    QMenu* recentMenu_ = nullptr;
    QLabel* summary_ = nullptr;
};

// Writes the demo resource to a temporary file (once) and returns its path.
QString extractDemoFile();

}  // namespace automix::ui

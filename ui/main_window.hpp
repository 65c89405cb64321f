#pragma once
// The explorer's main window: toolbar (dataset / split / method / Train / costs), the query
// table with its filter bar, the drill-down panel, a bottom tab area that other panels
// (charts, tuning, live) add tabs to, and a status bar with the routing summary.
#include <QMainWindow>
#include <QMessageBox>
#include <QPointer>
#include <QString>
#include <memory>
#include <optional>

#include "core/data/dataset.hpp"
#include "ui/demo_file.hpp"
#include "ui/panel_host.hpp"
#include "ui/parts_label.hpp"
#include "ui/routing_state.hpp"

class QAction;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QMenu;

class QPlainTextEdit;
class QProgressBar;
class QSplitter;
class QTableView;
class QTabWidget;
class QToolButton;

namespace automix::ui {

class DrillDownPanel;
class JobRunner;
class FilterBar;
class QueryTableModel;
class RoutingState;
struct LoadOutcome;
struct WindowPanels;
namespace settings {
class Settings;
}

class MainWindow : public QMainWindow, public PanelHost {
    Q_OBJECT
  public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Loads a file through the same background loader as File ▸ Open, waiting for it.
    // Returns false on failure with the error in *error (no dialog then; with error ==
    // nullptr the error dialog is shown). The previous dataset stays loaded on failure.
    bool openFile(const QString& path, QString* error = nullptr) override;
    // The demo dataset compiled into the executable (resources/demo).
    bool openDemo(QString* error = nullptr);
    // Starts loading in the background (menu, drag-and-drop, recent files); errors go to a dialog.
    void startLoad(const QString& path) override;
    bool isLoading() const;
    void cancelLoad();

    const data::Dataset* dataset() const override;
    QString currentFile() const { return currentFile_; }
    QString lastLoadError() const { return lastLoadError_; }
    QMessageBox* errorDialog() const { return errorDialog_; }  // the last one shown, if still open

    // Selection of the toolbar combos (tests, command line, linked views).
    void selectDataset(const QString& name) override;  // "" = all datasets
    void selectSplit(const QString& split) override;   // "val", "train" or "all"
    void selectMethod(const QString& name) override;   // "" = no routing
    // Adds a method to the toolbar's choice (an imported router), if not there yet.
    void offerMethod(const QString& name) override;
    void selectRow(data::RowIndex row) override;       // in the table, if visible
    void setSkipBadLines(bool on);
    // The toolbar costs (small, large, verifier), as if typed: the routing is trained again.
    void setCosts(const Costs& c) override;  // the toolbar's cost boxes, as if typed
    // Puts a file (data or session) first in File ▸ Open Recent.
    void rememberRecentFile(const QString& path) override { rememberRecent(path); }

    QWidget* hostWidget() override { return this; }
    RoutingState* routingState() const override { return state_; }
    // The typed, validated, remembered settings (ui/settings): panels bind their controls to it.
    settings::Settings* settings() const override { return settings_; }
    // The panels installed around the window (ui/window_panels.hpp), for explicit wiring.
    const WindowPanels& panels() const override { return *panels_; }
    // The one runner of background work for everything in this window.
    JobRunner* jobs() const override { return jobs_; }
    // An error from core that reached the GUI thread: logged and shown in a dialog; the data
    // stays as it was.
    void reportError(const QString& what, const QString& message) override;
    QueryTableModel* queryModel() const override { return model_; }
    QTableView* queryTable() const override { return table_; }
    FilterBar* filterBar() const override { return filterBar_; }
    DrillDownPanel* drillDown() const override { return drillDown_; }
    // Charts, tuning and live panels add their tabs here.
    QTabWidget* bottomTabs() const override { return bottomTabs_; }
    QMenu* menu(WindowMenu which) const override;
    // A panel's own menu (Charts, Live, Experiments…), placed before Help.
    void addPanelMenu(QMenu* menu) override;
    QMenu* recentMenu() const override { return recentMenu_; }
    // An action of a panel that also belongs in the query table's context menu (on the selected row).
    void addRowAction(QAction* action) override { rowActions_ << action; }
    QLabel* summaryLabel() const { return summary_; }
    void log(const QString& message) override;
    void showStatus(const QString& text, int timeoutMs) override;

    void saveSettings() const;

  signals:
    void datasetChanged();
    void loadFinished(bool ok, const QString& error);
    void loadProgress(int permille);
    // A session file was chosen where data files are (Open Recent, drag and drop).
    void sessionFileChosen(const QString& path);

  protected:
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;
    void closeEvent(QCloseEvent* e) override;
    void showEvent(QShowEvent* e) override;

  private:
    void buildToolBar();
    void buildCentral();
    void buildMenus();
    void buildStatusBar();
    void restoreSettings();
    void refreshRecentMenu();
    void rememberRecent(const QString& path);
    void forgetRecent(const QString& path);  // a recent file that no longer exists
    void showAbout();
    void chooseAndOpen();
    void onLoadFinished(const LoadOutcome& outcome);
    void onLoadFailed(const QString& path, const QString& error);
    void showError(const QString& title, const QString& text);
    void fillScopeCombos();
    void applyScope();
    int comboScope() const;  // the dataset the scope combo names (-1: all)
    SplitScope comboSplit() const;
    void onMethodChosen();
    void onCostsEdited();
    Costs toolbarCosts() const;
    void showCosts(const Costs& c);  // into the toolbar's boxes, without re-training
    void fillModelCosts(const data::Dataset& ds);  // one labelled cost box per model of the file
    void updateSummary();
    void logTraining();
    void setDefaultColumnWidths();
    void updateBusy();
    void showRowCounts();  // "shown of scope rows" in the filter bar
    void onCurrentRowChanged();
    void restoreSelection();
    void moveSelection(int delta);
    void fillRowMenu(QMenu* menu, data::RowIndex row);  // the query table's context menu

    RoutingState* state_ = nullptr;
    JobRunner* jobs_ = nullptr;
    settings::Settings* settings_ = nullptr;
    std::unique_ptr<WindowPanels> panels_;
    QueryTableModel* model_ = nullptr;
    QTableView* table_ = nullptr;
    FilterBar* filterBar_ = nullptr;
    DrillDownPanel* drillDown_ = nullptr;
    QTabWidget* bottomTabs_ = nullptr;
    QPlainTextEdit* messages_ = nullptr;
    QSplitter* topSplit_ = nullptr;
    QSplitter* mainSplit_ = nullptr;
    QWidget* tablePanel_ = nullptr;

    QComboBox* datasetCombo_ = nullptr;
    QComboBox* splitCombo_ = nullptr;
    QComboBox* methodCombo_ = nullptr;
    QAction* trainAction_ = nullptr;
    QDoubleSpinBox* smallCost_ = nullptr;
    QDoubleSpinBox* largeCost_ = nullptr;
    QDoubleSpinBox* verifierCost_ = nullptr;
    QLabel* smallCostLabel_ = nullptr;
    QLabel* largeCostLabel_ = nullptr;
    QWidget* middleCosts_ = nullptr;  // cost boxes of the models between the smallest and the largest
    QList<QDoubleSpinBox*> middleCostBoxes_;

    PartsLabel* summary_ = nullptr;
    QLabel* busyLabel_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QToolButton* cancelButton_ = nullptr;

    QMenu* menus_[5] = {};  // by WindowMenu
    QList<QAction*> rowActions_;
    QMenu* recentMenu_ = nullptr;
    QAction* skipBadLines_ = nullptr;
    QAction* toggleDrillDown_ = nullptr;
    QAction* toggleBottom_ = nullptr;
    QAction* toggleFilters_ = nullptr;

    QString currentFile_;
    QString loadingFile_;
    bool loadShowsDialog_ = true;
    bool loadSkipsBadLines_ = false;  // the running (or last) load is lenient
    QString lastLoadError_;
    QPointer<QMessageBox> errorDialog_;
    std::optional<data::RowIndex> selectedRow_;
    bool restoringSelection_ = false;
    bool fitQuestionOnShow_ = false;
};

}  // namespace automix::ui

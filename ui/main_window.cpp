#include "ui/main_window.hpp"

#include <limits>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLayout>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTime>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/routing/method.hpp"
#include "core/session/session.hpp"
#include "ui/data_loader.hpp"
#include "ui/drill_down_panel.hpp"
#include "ui/filter_bar.hpp"
#include "ui/job_runner.hpp"
#include "ui/metric_text.hpp"
#include "ui/parts_label.hpp"
#include "ui/qt_text.hpp"
#include "ui/query_table_model.hpp"
#include "ui/routing_state.hpp"
#include "ui/settings/settings.hpp"
#include "ui/window_panels.hpp"

namespace automix::ui {

namespace {
constexpr int kMaxRecent = 10;
const QString kLoadJob = QStringLiteral("load");
const QString kRecentKey = settings::qtKey(settings::key::RecentFiles);
const QString kLastFileKey = settings::qtKey(settings::key::LastFile);
const QString kMethodKey = settings::qtKey(settings::key::Method);

QString localFileOf(const QMimeData* mime) {
    if (!mime || !mime->hasUrls()) return {};
    for (const QUrl& url : mime->urls())
        if (url.isLocalFile()) return url.toLocalFile();
    return {};
}

}  // namespace

QString extractDemoFile(const QString& name) {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::TempLocation);
    const QString path =
        QDir(dir).filePath(QStringLiteral("automix-%1-%2").arg(QCoreApplication::applicationPid()).arg(name));
    static QSet<QString> written;
    if (written.contains(path) && QFile::exists(path)) return path;
    QFile::remove(path);
    QFile::copy(QStringLiteral(":/demo/") + name, path);
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    written.insert(path);
    // Temporary copies go away with the process.
    static const bool cleanup = [] {
        std::atexit([] {
            for (const QString& p : std::as_const(written)) QFile::remove(p);
        });
        return true;
    }();
    (void)cleanup;
    return path;
}

bool isDemoFile(const QString& path) {
    return QFileInfo(path).fileName().startsWith(
               QStringLiteral("automix-%1-demo").arg(QCoreApplication::applicationPid())) &&
           QFileInfo(path).absolutePath() ==
               QDir(QStandardPaths::writableLocation(QStandardPaths::TempLocation)).absolutePath();
}

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("AutoMix Explorer"));
    setAcceptDrops(true);
    jobs_ = new JobRunner(this);
    state_ = new RoutingState(jobs_, this);
    settings_ = new settings::Settings(this);
    jobs_->follow(kLoadJob, this,
                  {[this](qint64 done, qint64 total, const QString&) {
                       if (total <= 0) return;
                       const int permille = static_cast<int>(done * 1000 / total);
                       progress_->setRange(0, 1000);
                       progress_->setValue(permille);
                       emit loadProgress(permille);
                   },
                   [this](const QString& message) { onLoadFailed(loadingFile_, message); },
                   {}});
    connect(jobs_, &JobRunner::finished, this, [this] { updateBusy(); });
    // The table's search in a large file: its progress where the row counts are.
    jobs_->follow(QueryTableModel::kSearchJob, this,
                  {[this](qint64 done, qint64 total, const QString&) {
                       filterBar_->showSearching(static_cast<std::size_t>(done), static_cast<std::size_t>(total));
                   },
                   [this](const QString& message) { log(tr("Search failed: %1").arg(message)); },
                   [this](bool delivered) {
                       if (!delivered && !model_->isSearching()) showRowCounts();  // the rows did not change
                   }});

    buildToolBar();
    buildCentral();
    buildStatusBar();
    buildMenus();
    // charts, studies, live, sessions, undo… (ui/window_panels.cpp)
    panels_ = std::make_unique<WindowPanels>(installWindowPanels(this));
    // A value typed out of range was clamped (or a stored one was bad): say so, never silently.
    connect(settings_, &settings::Settings::message, this, [this](const QString& text) {
        statusBar()->showMessage(text, 8000);
        log(text);
    });
    for (const QString& text : settings_->takePendingMessages()) log(text);

    connect(state_, &RoutingState::trainingStarted, this, &MainWindow::updateBusy);
    connect(state_, &RoutingState::trainingFinished, this, [this](bool ok, const QString& error) {
        updateBusy();
        if (!ok && !error.isEmpty())
            log(tr("Training failed: %1").arg(error));
        else if (ok)
            logTraining();
    });
    connect(state_, &RoutingState::changed, this, &MainWindow::updateSummary);
    // Costs set elsewhere (the tuning panel's ratio, undo, a session) show in the toolbar.
    connect(state_, &RoutingState::chartScopeChanged, this, [this] {
        if (state_->dataset() && state_->costs() != toolbarCosts()) showCosts(state_->costs());
    });
    // Another view (a chart) picked a query: show it, clearing filters that hide it.
    connect(state_, &RoutingState::currentRowChanged, this, [this](std::optional<data::RowIndex> row) {
        if (!row || row == selectedRow_) return;
        if (model_->tableRowOf(*row) < 0) filterBar_->clear();
        selectRow(*row);
    });
    connect(model_, &QueryTableModel::rowsRefreshed, this, [this] {
        showRowCounts();
        restoreSelection();
        updateSummary();
    });

    resize(1500, 940);
    // Panels added by other parts of ui/ come first; the log goes last.
    bottomTabs_->tabBar()->moveTab(bottomTabs_->indexOf(messages_), bottomTabs_->count() - 1);
    bottomTabs_->setCurrentIndex(0);
    restoreSettings();
    updateSummary();
    updateBusy();
}

MainWindow::~MainWindow() {
    // Background work never holds a widget, so no teardown order is needed for it; but nothing
    // should react to the window's own widgets going away (a tab widget emits currentChanged
    // while its pages are deleted), and the runner goes first: cancel and wait for every job.
    for (QObject* o : findChildren<QObject*>()) o->blockSignals(true);
    delete jobs_;
    jobs_ = nullptr;
}

// ---------------------------------------------------------------- construction

void MainWindow::buildToolBar() {
    QToolBar* bar = addToolBar(tr("Routing"));
    bar->setObjectName(QStringLiteral("routingToolBar"));
    bar->setMovable(false);

    auto addLabel = [bar, this](const QString& text) {
        auto* l = new QLabel(text, this);
        l->setContentsMargins(8, 0, 4, 0);
        bar->addWidget(l);
    };
    addLabel(tr("Dataset"));
    datasetCombo_ = new QComboBox(this);
    datasetCombo_->setObjectName(QStringLiteral("datasetCombo"));
    datasetCombo_->setMinimumContentsLength(12);
    datasetCombo_->setToolTip(tr("Which dataset of the file to show and route (each dataset is trained on its own "
                                 "train rows, as in the paper)"));
    bar->addWidget(datasetCombo_);
    addLabel(tr("Split"));
    splitCombo_ = new QComboBox(this);
    splitCombo_->setObjectName(QStringLiteral("splitCombo"));
    splitCombo_->addItem(tr("val"), static_cast<int>(SplitScope::Val));
    splitCombo_->addItem(tr("train"), static_cast<int>(SplitScope::Train));
    splitCombo_->addItem(tr("all"), static_cast<int>(SplitScope::All));
    splitCombo_->setToolTip(tr("Rows shown and scored; methods are always trained on the train split"));
    bar->addWidget(splitCombo_);
    addLabel(tr("Method"));
    methodCombo_ = new QComboBox(this);
    methodCombo_->setObjectName(QStringLiteral("methodCombo"));
    methodCombo_->setMinimumContentsLength(16);
    methodCombo_->addItem(tr("(no routing)"), QString());
    for (const std::string& name : routing::method_names())
        methodCombo_->addItem(QString::fromStdString(name), QString::fromStdString(name));
    methodCombo_->setToolTip(tr("Meta-verifier deciding from the verifier confidence whether to escalate"));
    bar->addWidget(methodCombo_);
    trainAction_ = bar->addAction(tr("Train ▶"), state_, &RoutingState::train);
    trainAction_->setObjectName(QStringLiteral("trainAction"));
    trainAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    trainAction_->setToolTip(tr("Train the method on the train split (highest IBC lift) and route every row (Ctrl+T)"));
    bar->addSeparator();

    // Range, step, units and tooltip from ui/settings/setting_meta.cpp; the values come with the file.
    auto makeCost = [this](const QString& name, std::string_view key) {
        QDoubleSpinBox* s = settings_->unboundSpinBox(settings::setting(key), this);
        s->setObjectName(name);
        s->setSuffix(QString());  // the toolbar is narrow: the units are in the tooltip
        connect(s, &QDoubleSpinBox::valueChanged, this, &MainWindow::onCostsEdited);
        return s;
    };
    addLabel(tr("Costs:"));
    smallCostLabel_ = new QLabel(tr("small"), this);
    smallCostLabel_->setObjectName(QStringLiteral("smallCostLabel"));
    bar->addWidget(smallCostLabel_);
    smallCost_ = makeCost(QStringLiteral("smallCost"), settings::key::SmallCost);
    bar->addWidget(smallCost_);
    // Models between the smallest and the largest (3-model files): one box each, filled per file.
    middleCosts_ = new QWidget(this);
    middleCosts_->setObjectName(QStringLiteral("middleCosts"));
    auto* middleLayout = new QHBoxLayout(middleCosts_);
    middleLayout->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(middleCosts_);
    largeCostLabel_ = new QLabel(tr("large"), this);
    largeCostLabel_->setObjectName(QStringLiteral("largeCostLabel"));
    largeCostLabel_->setContentsMargins(8, 0, 4, 0);
    bar->addWidget(largeCostLabel_);
    largeCost_ = makeCost(QStringLiteral("largeCost"), settings::key::LargeCost);
    bar->addWidget(largeCost_);
    addLabel(tr("verifier"));
    verifierCost_ = makeCost(QStringLiteral("verifierCost"), settings::key::VerifierCost);
    bar->addWidget(verifierCost_);

    connect(datasetCombo_, &QComboBox::currentIndexChanged, this, &MainWindow::applyScope);
    connect(splitCombo_, &QComboBox::currentIndexChanged, this, &MainWindow::applyScope);
    connect(methodCombo_, &QComboBox::currentIndexChanged, this, &MainWindow::onMethodChosen);
}

void MainWindow::buildCentral() {
    model_ = new QueryTableModel(state_, this);

    tablePanel_ = new QWidget(this);
    auto* tableLayout = new QVBoxLayout(tablePanel_);
    tableLayout->setContentsMargins(4, 4, 4, 4);
    filterBar_ = new FilterBar(tablePanel_);
    connect(filterBar_, &FilterBar::filterChanged, model_, &QueryTableModel::setFilter);
    connect(filterBar_, &FilterBar::linkedFilterCleared, state_, &RoutingState::clearLinkedFilter);
    connect(state_, &RoutingState::linkedFilterChanged, this,
            [this] { filterBar_->setLinkedFilterLabel(state_->linkedFilterLabel()); });
    table_ = new QTableView(tablePanel_);
    table_->setObjectName(QStringLiteral("queryTable"));
    table_->setModel(model_);
    table_->setSortingEnabled(true);
    table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setAlternatingRowColors(true);
    table_->setWordWrap(false);
    table_->setTextElideMode(Qt::ElideRight);
    table_->verticalHeader()->setVisible(false);
    // Fixed row heights keep scrolling O(1) at tens of thousands of rows.
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
    table_->horizontalHeader()->setSectionsMovable(true);
    table_->horizontalHeader()->setHighlightSections(false);
    table_->horizontalHeader()->setStretchLastSection(false);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::onCurrentRowChanged);
    table_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(table_, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex idx = table_->indexAt(pos);
        if (!idx.isValid()) return;
        selectRow(model_->datasetRow(idx.row()));
        QMenu menu(this);
        fillRowMenu(&menu, model_->datasetRow(idx.row()));
        menu.exec(table_->viewport()->mapToGlobal(pos));
    });
    tableLayout->addWidget(filterBar_);
    tableLayout->addWidget(table_, 1);

    drillDown_ = new DrillDownPanel(state_, this);
    drillDown_->setObjectName(QStringLiteral("drillDownPanel"));
    connect(drillDown_, &DrillDownPanel::rowCopied, this,
            [this](const QString& id) { statusBar()->showMessage(tr("Copied %1 as JSON").arg(id), 4000); });

    topSplit_ = new QSplitter(Qt::Horizontal, this);
    topSplit_->setObjectName(QStringLiteral("topSplitter"));
    topSplit_->addWidget(tablePanel_);
    topSplit_->addWidget(drillDown_);
    topSplit_->setSizes({980, 520});

    bottomTabs_ = new QTabWidget(this);
    bottomTabs_->setObjectName(QStringLiteral("bottomTabs"));
    bottomTabs_->setDocumentMode(true);
    messages_ = new QPlainTextEdit(bottomTabs_);
    messages_->setObjectName(QStringLiteral("messagesLog"));
    messages_->setReadOnly(true);
    messages_->setMaximumBlockCount(5000);
    bottomTabs_->addTab(messages_, tr("Messages"));

    mainSplit_ = new QSplitter(Qt::Vertical, this);
    mainSplit_->setObjectName(QStringLiteral("mainSplitter"));
    mainSplit_->addWidget(topSplit_);
    mainSplit_->addWidget(bottomTabs_);
    mainSplit_->setSizes({760, 110});
    setCentralWidget(mainSplit_);
}

void MainWindow::buildStatusBar() {
    summary_ = new PartsLabel(this);
    summary_->setObjectName(QStringLiteral("summaryBar"));
    statusBar()->addWidget(summary_, 1);
    busyLabel_ = new QLabel(this);
    progress_ = new QProgressBar(this);
    progress_->setObjectName(QStringLiteral("loadProgress"));
    progress_->setMaximumWidth(220);
    progress_->setTextVisible(true);
    cancelButton_ = new QToolButton(this);
    cancelButton_->setObjectName(QStringLiteral("cancelLoad"));
    cancelButton_->setText(tr("Cancel"));
    cancelButton_->setToolTip(tr("Stop loading (Esc while the progress bar or this button has the focus)"));
    cancelButton_->setFocusPolicy(Qt::StrongFocus);
    progress_->setFocusPolicy(Qt::StrongFocus);
    connect(cancelButton_, &QToolButton::clicked, this, &MainWindow::cancelLoad);
    for (QWidget* w : {static_cast<QWidget*>(progress_), static_cast<QWidget*>(cancelButton_)}) {
        auto* esc = new QShortcut(QKeySequence(Qt::Key_Escape), w, nullptr, nullptr, Qt::WidgetShortcut);
        connect(esc, &QShortcut::activated, this, &MainWindow::cancelLoad);
    }
    statusBar()->addPermanentWidget(busyLabel_);
    statusBar()->addPermanentWidget(progress_);
    statusBar()->addPermanentWidget(cancelButton_);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    menus_[static_cast<int>(WindowMenu::File)] = file;
    QAction* open = file->addAction(tr("&Open..."), this, &MainWindow::chooseAndOpen);
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    QAction* reopen = file->addAction(tr("Reopen &Last File"), this, [this] {
        const QStringList files = QSettings().value(kRecentKey).toStringList();
        if (!files.isEmpty()) startLoad(files.first());
    });
    reopen->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    QMenu* demo = file->addMenu(tr("Open &Demo Data"));
    demo->setObjectName(QStringLiteral("demoMenu"));
    // Row counts as in resources/demo/README.md (a test loads each and compares).
    demo->addAction(tr("Two models (release format, 10 000 rows)"), this, [this] { startLoad(extractDemoFile()); });
    demo->addAction(tr("Three models (native format, 8 000 rows)"), this,
                    [this] { startLoad(extractDemoFile(QStringLiteral("demo-3model.jsonl.gz"))); });
    // A choice for one open, never remembered: a lenient load left on would silently drop the
    // bad lines of every later file.
    skipBadLines_ = file->addAction(tr("&Skip Bad Lines on the Next Open"));
    skipBadLines_->setObjectName(QStringLiteral("skipBadLinesAction"));
    skipBadLines_->setCheckable(true);
    skipBadLines_->setToolTip(tr("The next file opened keeps its good rows and lists its malformed lines in "
                                 "Messages; later opens are strict again"));
    // Esc stops a load only from the load's own progress bar or Cancel button (see
    // buildStatusBar): elsewhere Esc belongs to the widget that has the focus.
    QAction* cancel = file->addAction(tr("&Cancel Loading"), this, &MainWindow::cancelLoad);
    cancel->setObjectName(QStringLiteral("cancelLoadAction"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    menus_[static_cast<int>(WindowMenu::Edit)] = edit;
    QAction* find = edit->addAction(tr("&Find..."), filterBar_, &FilterBar::focusSearch);
    find->setShortcut(QKeySequence::Find);
    QAction* copy = edit->addAction(tr("Copy Row as &JSON"), drillDown_, &DrillDownPanel::copyRowJson);
    copy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    edit->addAction(tr("C&lear Filters"), filterBar_, &FilterBar::clear);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    menus_[static_cast<int>(WindowMenu::View)] = view;
    QAction* next = view->addAction(tr("&Next Row"), this, [this] { moveSelection(+1); });
    next->setShortcuts({QKeySequence(Qt::ALT | Qt::Key_Down), QKeySequence(Qt::Key_F8)});
    QAction* prev = view->addAction(tr("&Previous Row"), this, [this] { moveSelection(-1); });
    prev->setShortcuts({QKeySequence(Qt::ALT | Qt::Key_Up), QKeySequence(Qt::SHIFT | Qt::Key_F8)});
    view->addSeparator();
    auto addToggle = [view](const QString& text, QWidget* w, QKeySequence key) {
        QAction* a = view->addAction(text);
        a->setCheckable(true);
        a->setChecked(true);
        a->setShortcut(key);
        connect(a, &QAction::toggled, w, &QWidget::setVisible);
        return a;
    };
    toggleDrillDown_ = addToggle(tr("&Drill-down Panel"), drillDown_, QKeySequence(Qt::CTRL | Qt::Key_1));
    toggleBottom_ = addToggle(tr("&Bottom Panels"), bottomTabs_, QKeySequence(Qt::CTRL | Qt::Key_2));
    toggleFilters_ = addToggle(tr("&Filter Bar"), filterBar_, QKeySequence(Qt::CTRL | Qt::Key_3));

    QMenu* method = menuBar()->addMenu(tr("&Method"));
    menus_[static_cast<int>(WindowMenu::Method)] = method;
    method->addAction(trainAction_);
    QAction* reset = method->addAction(tr("&Reset to Trained"), state_, &RoutingState::resetToTrained);
    reset->setObjectName(QStringLiteral("resetToTrainedAction"));
    reset->setToolTip(tr("Drop the parameters set by a slider or a chart click and route with the trained ones"));
    reset->setEnabled(false);
    connect(state_, &RoutingState::changed, reset,
            [this, reset] { reset->setEnabled(state_->hasManualParameters() && !state_->isTraining()); });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    menus_[static_cast<int>(WindowMenu::Help)] = help;
    help->addAction(tr("&About AutoMix Explorer"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    refreshRecentMenu();
}

// ---------------------------------------------------------------- settings

void MainWindow::restoreSettings() {
    QSettings s;
    if (s.contains(QStringLiteral("window/geometry")))
        restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    if (s.contains(QStringLiteral("window/state"))) restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    if (s.contains(QStringLiteral("window/topSplitter")))
        topSplit_->restoreState(s.value(QStringLiteral("window/topSplitter")).toByteArray());
    if (s.contains(QStringLiteral("window/mainSplitter")))
        mainSplit_->restoreState(s.value(QStringLiteral("window/mainSplitter")).toByteArray());
    toggleDrillDown_->setChecked(s.value(QStringLiteral("view/drillDown"), true).toBool());
    toggleBottom_->setChecked(s.value(QStringLiteral("view/bottom"), true).toBool());
    toggleFilters_->setChecked(s.value(QStringLiteral("view/filters"), true).toBool());
    const QString tab = s.value(QStringLiteral("view/bottomTab")).toString();
    for (int i = 0; i < bottomTabs_->count(); ++i)
        if (bottomTabs_->tabText(i) == tab) bottomTabs_->setCurrentIndex(i);
    const QString method = s.value(kMethodKey).toString();
    const int m = methodCombo_->findData(method);
    if (m >= 0) {
        const QSignalBlocker block(methodCombo_);
        methodCombo_->setCurrentIndex(m);
        state_->setMethod(method);
    }
}

void MainWindow::saveSettings() const {
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/topSplitter"), topSplit_->saveState());
    s.setValue(QStringLiteral("window/mainSplitter"), mainSplit_->saveState());
    s.setValue(QStringLiteral("view/drillDown"), toggleDrillDown_->isChecked());
    s.setValue(QStringLiteral("view/bottom"), toggleBottom_->isChecked());
    s.setValue(QStringLiteral("view/filters"), toggleFilters_->isChecked());
    s.setValue(QStringLiteral("view/bottomTab"), bottomTabs_->tabText(bottomTabs_->currentIndex()));
    s.setValue(kMethodKey, state_->methodName());
    if (model_->columnCount() > 0)  // column layout depends on the number of models
        s.setValue(QStringLiteral("table/header%1").arg(model_->columnCount()),
                   table_->horizontalHeader()->saveState());
    if (!currentFile_.isEmpty() && !isDemoFile(currentFile_)) s.setValue(kLastFileKey, currentFile_);
}

void MainWindow::showEvent(QShowEvent* e) {
    QMainWindow::showEvent(e);
    if (fitQuestionOnShow_ && dataset())
        QTimer::singleShot(0, this, [this] {
            if (fitQuestionOnShow_ && dataset() && table_->isVisible()) setDefaultColumnWidths();
        });
}

void MainWindow::closeEvent(QCloseEvent* e) {
    saveSettings();
    cancelLoad();
    QMainWindow::closeEvent(e);
}

void MainWindow::refreshRecentMenu() {
    recentMenu_->clear();
    const QStringList files = QSettings().value(kRecentKey).toStringList();
    for (const QString& f : files) recentMenu_->addAction(f, this, [this, f] { startLoad(f); });
    recentMenu_->setEnabled(!files.isEmpty());
}

void MainWindow::forgetRecent(const QString& path) {
    QSettings s;
    QStringList files = s.value(kRecentKey).toStringList();
    if (files.removeAll(path) == 0) return;
    s.setValue(kRecentKey, files);
    refreshRecentMenu();
}

void MainWindow::rememberRecent(const QString& path) {
    QSettings s;
    QStringList files = s.value(kRecentKey).toStringList();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > kMaxRecent) files.removeLast();
    s.setValue(kRecentKey, files);
    s.setValue(kLastFileKey, path);
    refreshRecentMenu();
}

// ---------------------------------------------------------------- loading

void MainWindow::chooseAndOpen() {
    QFileDialog dialog(this, tr("Open data file"));
    dialog.setFileMode(QFileDialog::ExistingFile);
    dialog.setNameFilters(dataFileNameFilters());
    const QString last = QSettings().value(kLastFileKey).toString();
    dialog.setDirectory(last.isEmpty() ? QDir::currentPath() : QFileInfo(last).absolutePath());
    // The Qt dialog (not the native one) so that the option can sit inside it.
    dialog.setOption(QFileDialog::DontUseNativeDialog, true);
    auto* skip = new QCheckBox(tr("Skip bad lines (keep the good rows, list the bad ones)"), &dialog);
    skip->setChecked(skipBadLines_->isChecked());
    if (auto* grid = qobject_cast<QGridLayout*>(dialog.layout()))
        grid->addWidget(skip, grid->rowCount(), 0, 1, grid->columnCount());
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty()) return;
    skipBadLines_->setChecked(skip->isChecked());  // for this open only (startLoad clears it)
    startLoad(dialog.selectedFiles().first());
}

void MainWindow::setSkipBadLines(bool on) {
    skipBadLines_->setChecked(on);
}

void MainWindow::startLoad(const QString& path) {
    if (path.endsWith(QLatin1String(session::kSessionSuffix))) {  // Open Recent, drag and drop
        emit sessionFileChosen(path);  // ui/session_controller opens it
        return;
    }
    loadShowsDialog_ = true;
    loadingFile_ = path;
    const bool skip = skipBadLines_->isChecked();
    skipBadLines_->setChecked(false);  // per open: the next file is loaded strictly again
    loadSkipsBadLines_ = skip;
    log(tr("Loading %1%2").arg(path, skip ? tr(" (skipping bad lines)") : QString()));
    emit loadProgress(0);
    // A running load is superseded (cancelled, its result never delivered): only the latest
    // request counts.
    // The row lists are made by the job too, for the scope the window has now: at ten million
    // rows they took a quarter of a second of the GUI thread.
    jobs_->start<LoadOutcome>(
        kLoadJob, {this, {}},
        [path, skip, scope = state_->scopeDataset(), split = state_->scopeSplit()](JobContext& job) {
            LoadOutcome out = loadDataFile(path, skip, job);
            if (out.ok) out.rows = RoutingState::rowsForNewFile(out.dataset, scope, split);
            return out;
        },
        [this](LoadOutcome out) { onLoadFinished(out); });
    updateBusy();
}

bool MainWindow::openFile(const QString& path, QString* error) {
    startLoad(path);
    loadShowsDialog_ = error == nullptr;
    bool ok = false;
    QString message;
    auto conn = connect(this, &MainWindow::loadFinished, this, [&](bool success, const QString& err) {
        ok = success;
        message = err;
    });
    // However long it takes (ten million rows load for minutes): the nested event loop keeps
    // the window painting, and File > Cancel Loading ends the wait.
    jobs_->waitFor(kLoadJob, std::numeric_limits<int>::max());
    disconnect(conn);
    if (!ok && message.isEmpty()) message = tr("the load of %1 did not finish").arg(path);
    if (!ok && error) *error = message;
    return ok;
}

bool MainWindow::openDemo(QString* error) {
    return openFile(extractDemoFile(), error);
}

bool MainWindow::isLoading() const {
    return jobs_->isRunning(kLoadJob);
}

void MainWindow::cancelLoad() {
    if (!isLoading()) return;
    jobs_->cancel(kLoadJob);
    lastLoadError_ = tr("Loading cancelled.");
    log(tr("Loading %1 cancelled; the previous data stays loaded.").arg(loadingFile_));
    statusBar()->showMessage(tr("Loading cancelled"), 5000);
    updateBusy();
    emit loadFinished(false, lastLoadError_);
}

const data::Dataset* MainWindow::dataset() const {
    return state_->dataset();
}

void MainWindow::onLoadFailed(const QString& path, const QString& error) {
    updateBusy();
    lastLoadError_ = error;
    log(tr("Could not load: %1").arg(error));
    if (!QFileInfo::exists(path)) forgetRecent(path);
    if (loadShowsDialog_) {
        showError(tr("Could not open file"), tr("%1\n\nThe previously loaded data stays open.").arg(error));
        // A strict load that failed on a bad line can be retried leniently from the dialog.
        if (!loadSkipsBadLines_ && QFileInfo(path).isFile() && errorDialog_) {
            QPushButton* retry = errorDialog_->addButton(tr("Load the Good Lines"), QMessageBox::AcceptRole);
            retry->setObjectName(QStringLiteral("loadGoodLines"));
            retry->setToolTip(tr("Open the file again, keeping its good rows and listing the bad lines in Messages"));
            connect(retry, &QPushButton::clicked, this, [this, path] {
                skipBadLines_->setChecked(true);
                startLoad(path);
            });
        }
    }
    emit loadFinished(false, error);
}

void MainWindow::reportError(const QString& what, const QString& message) {
    log(tr("%1 failed: %2").arg(what, message));
    showError(tr("%1 failed").arg(what), tr("%1\n\nFile: %2\nThe loaded data is unchanged.")
                                             .arg(message, currentFile_.isEmpty() ? tr("(none)") : currentFile_));
}

void MainWindow::onLoadFinished(const LoadOutcome& out) {
    updateBusy();
    if (!out.ok) {
        onLoadFailed(out.path, out.error);
        return;
    }
    lastLoadError_.clear();
    const bool isDemo = isDemoFile(out.path);
    for (const QString& w : out.warnings) log(tr("Warning: %1").arg(w));
    if (out.badLines > 0) {
        log(tr("Skipped %n bad line(s):", nullptr, static_cast<int>(out.badLines)));
        for (const QString& p : out.problems) log(QStringLiteral("  ") + p);
        if (out.problems.size() < static_cast<qsizetype>(out.badLines)) log(tr("  ... (only the first are listed)"));
        statusBar()->showMessage(tr("Skipped %n bad line(s); see Messages", nullptr, static_cast<int>(out.badLines)),
                                 10000);
    }
    currentFile_ = out.path;
    if (!isDemo) rememberRecent(out.path);
    const data::Dataset& ds = *out.dataset;
    log(tr("Loaded %1: %L2 rows, %3 datasets, %4 models (%5 format)")
            .arg(isDemo ? tr("the demo dataset") : out.path)
            .arg(ds.size())
            .arg(ds.dataset_names.size())
            .arg(ds.model_count())
            .arg(QString::fromStdString(ds.format)));
    {
        // Costs come from the file; the spin boxes are then the user's to change.
        const QSignalBlocker b1(smallCost_), b2(largeCost_), b3(verifierCost_);
        // A cost outside the setting's range is clamped, and said so in the log.
        auto fromFile = [this](QDoubleSpinBox* box, std::string_view key, double cost) {
            const settings::SettingMeta::Checked c = settings::setting(key).check(cost);
            if (c.outcome != settings::SettingMeta::Outcome::Kept)
                log(tr("Warning: the file's cost — %1").arg(QString::fromStdString(c.message)));
            box->setValue(c.value);
        };
        if (ds.model_count() > 0) {
            fromFile(smallCost_, settings::key::SmallCost, ds.small().call_cost);
            fromFile(largeCost_, settings::key::LargeCost, ds.large().call_cost);
        }
        fromFile(verifierCost_, settings::key::VerifierCost, ds.verifier_cost);
        fillModelCosts(ds);
    }
    state_->setCosts(toolbarCosts());
    selectedRow_.reset();
    LoadedFile file;
    file.path = out.path;
    file.displayName = isDemo ? tr("demo dataset") : QFileInfo(out.path).fileName();
    if (isDemoFile(out.path) && out.path.contains(QStringLiteral("3model"))) file.displayName = tr("3-model demo");
    file.bytes = QFileInfo(out.path).size();
    file.reportPath = isDemo ? QStringLiteral("resources/demo/%1 (embedded demo)")
                                   .arg(QFileInfo(out.path).fileName().section(QLatin1Char('-'), 2))
                             : QFileInfo(out.path).absoluteFilePath();
    file.sha256 = out.sha256;
    state_->setDataset(out.dataset, file, out.rows);
    fillScopeCombos();
    const int columns = model_->columnCount();
    const QByteArray header = QSettings().value(QStringLiteral("table/header%1").arg(columns)).toByteArray();
    fitQuestionOnShow_ = false;
    if (header.isEmpty() || !table_->horizontalHeader()->restoreState(header)) setDefaultColumnWidths();
    // A new file's rows come in file order: no column may show a sort arrow (a saved header
    // state carries the last file's one, on 3 models even on another column).
    table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    setWindowTitle(tr("AutoMix Explorer — %1").arg(file.displayName));
    if (state_->method()) state_->train();
    if (model_->rowCount() > 0 && !table_->currentIndex().isValid()) selectRow(model_->datasetRow(0));
    emit datasetChanged();
    emit loadFinished(true, QString());
}

void MainWindow::setDefaultColumnWidths() {
    // Sized from the font so the defaults hold at any DPI; the question takes what is left.
    const QFontMetrics fm = table_->fontMetrics();
    const int digits = fm.horizontalAdvance(QStringLiteral("0.000")) + 14;
    // The widest id among the first rows (ids of one file look alike; scanning ten million of
    // them would hold up the first paint).
    std::size_t longestId = 0;
    for (std::size_t r = 0; r < std::min<std::size_t>(dataset()->size(), 100000); ++r)
        if (dataset()->id[r].size() > dataset()->id[longestId].size()) longestId = r;
    const QString idSample = dataset()->size() ? toQString(dataset()->id[longestId]) : QString();
    table_->setColumnWidth(QueryTableModel::Id, std::clamp(fm.horizontalAdvance(idSample) + 8, 60, 240));
    table_->setColumnWidth(QueryTableModel::DatasetName, fm.horizontalAdvance(QStringLiteral("narrative_qa")) + 10);
    table_->setColumnWidth(QueryTableModel::SplitName, fm.horizontalAdvance(QStringLiteral("split")) + 14);
    for (int m = 0; m < static_cast<int>(dataset()->model_count()); ++m)
        table_->setColumnWidth(
            model_->scoreColumn(m),
            std::max(digits,
                     fm.horizontalAdvance(
                         model_->headerData(model_->scoreColumn(m), Qt::Horizontal, Qt::DisplayRole).toString()) +
                         12));
    table_->setColumnWidth(model_->confidenceColumn(), digits);
    table_->setColumnWidth(model_->categoryColumn(), fm.horizontalAdvance(QStringLiteral("UNDEFINED")) + 10);
    table_->setColumnWidth(model_->decisionColumn(), fm.horizontalAdvance(QStringLiteral("escalate")) + 16);
    table_->setColumnWidth(model_->costColumn(), fm.horizontalAdvance(QStringLiteral("cost")) + 22);
    // The question gets what is left of the visible width, but never so little that it is
    // unreadable (the table then scrolls sideways).
    int used = 0;
    for (int c = 0; c < model_->columnCount(); ++c)
        if (c != QueryTableModel::Question) used += table_->columnWidth(c);
    const int visible = table_->isVisible() ? table_->viewport()->width() : topSplit_->sizes().value(0, 900) - 40;
    table_->setColumnWidth(QueryTableModel::Question,
                           std::max(fm.horizontalAdvance(QLatin1Char('x')) * 24, visible - used));
    // Before the first show the viewport width is a guess: fit again once it is known.
    fitQuestionOnShow_ = !table_->isVisible();
}

void MainWindow::showError(const QString& title, const QString& text) {
    // Window-modal but not blocking: loading finished in an event handler, and tests
    // (and users with a second file to try) must not be stuck in a nested loop.
    if (errorDialog_) errorDialog_->close();
    auto* box = new QMessageBox(QMessageBox::Critical, title, text, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("loadErrorDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    errorDialog_ = box;
    box->open();
}

void MainWindow::showRowCounts() {
    filterBar_->setCounts(model_->visibleRows().size(), model_->scopeSize(), dataset() ? dataset()->size() : 0);
}

void MainWindow::updateBusy() {
    const bool loading = isLoading();
    const bool training = state_->isTraining();
    progress_->setVisible(loading || training);
    cancelButton_->setVisible(loading);
    if (loading) {
        busyLabel_->setText(tr("Loading %1").arg(QFileInfo(loadingFile_).fileName()));
        progress_->setRange(0, 1000);
    } else if (training) {
        busyLabel_->setText(tr("Training %1…").arg(state_->methodName()));
        progress_->setRange(0, 0);  // busy indicator: training reports no fraction
    } else {
        busyLabel_->clear();
    }
    busyLabel_->setVisible(loading || training);
    trainAction_->setEnabled(!training && state_->dataset() && state_->method());
}

void MainWindow::logTraining() {
    const data::Dataset* ds = dataset();
    if (!ds) return;
    QStringList parts;
    for (const TrainedDataset& t : state_->trained()) {
        const QString name = QString::fromStdString(ds->dataset_names[static_cast<std::size_t>(t.datasetIndex)]);
        if (!t.error.isEmpty())
            parts << tr("%1: failed (%2)").arg(name, t.error);
        else
            parts << tr("%1: %2 (train lift %3 %, %4 candidates)")
                         .arg(name, QString::fromStdString(state_->method()->describe(t.params, state_->config())))
                         .arg(100.0 * t.trainLift, 0, 'f', 1)
                         .arg(t.candidates.size());
    }
    log(tr("Trained %1 on each dataset's train split — %2")
            .arg(state_->methodName(), parts.join(QStringLiteral("; "))));
}

void MainWindow::showStatus(const QString& text, int timeoutMs) {
    statusBar()->showMessage(text, timeoutMs);
}

void MainWindow::log(const QString& message) {
    messages_->appendPlainText(
        QStringLiteral("[%1] %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), message));
}

// ---------------------------------------------------------------- drag and drop

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
    if (!localFileOf(e->mimeData()).isEmpty()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
    const QString path = localFileOf(e->mimeData());
    if (path.isEmpty()) return;
    e->acceptProposedAction();
    startLoad(path);
}

// ---------------------------------------------------------------- scope and method

void MainWindow::fillScopeCombos() {
    const data::Dataset* ds = dataset();
    const QString previous = datasetCombo_->currentData().toString();
    {
        const QSignalBlocker block(datasetCombo_);
        datasetCombo_->clear();
        datasetCombo_->addItem(tr("all datasets"), QString());
        if (ds)
            for (const std::string& name : ds->dataset_names)
                datasetCombo_->addItem(QString::fromStdString(name), QString::fromStdString(name));
        const int keep = datasetCombo_->findData(previous);
        datasetCombo_->setCurrentIndex(keep >= 0 ? keep : 0);
    }
    // A new file usually keeps the scope it was given (all datasets): setting it again would
    // redo the row lists and charts of ten million rows for nothing.
    if (ds && (comboScope() != state_->scopeDataset() || comboSplit() != state_->scopeSplit())) applyScope();
}

int MainWindow::comboScope() const {
    const QString name = datasetCombo_->currentData().toString();
    return name.isEmpty() || !dataset() ? -1 : dataset()->find_dataset(name.toStdString());
}

SplitScope MainWindow::comboSplit() const {
    return static_cast<SplitScope>(splitCombo_->currentData().toInt());
}

void MainWindow::applyScope() {
    if (!dataset()) return;
    state_->setScope(comboScope(), comboSplit());
}

void MainWindow::selectDataset(const QString& name) {
    const int i = datasetCombo_->findData(name);
    if (i >= 0) datasetCombo_->setCurrentIndex(i);
}

void MainWindow::selectSplit(const QString& split) {
    const int i = splitCombo_->findText(split);
    if (i >= 0) splitCombo_->setCurrentIndex(i);
}

void MainWindow::selectMethod(const QString& name) {
    int i = methodCombo_->findData(name);
    if (i < 0 && !name.isEmpty()) {
        // Accept aliases ("double_threshold"): the registry knows them.
        if (auto m = routing::find_method(name.toStdString()))
            i = methodCombo_->findData(QString::fromStdString(m->name()));
    }
    if (i >= 0) methodCombo_->setCurrentIndex(i);
}

void MainWindow::onMethodChosen() {
    state_->setMethod(methodCombo_->currentData().toString());
    QSettings().setValue(kMethodKey, state_->methodName());
    updateBusy();
    if (state_->method() && state_->dataset()) state_->train();
}

void MainWindow::offerMethod(const QString& name) {
    if (methodCombo_->findData(name) < 0) methodCombo_->addItem(name, name);
}

QMenu* MainWindow::menu(WindowMenu which) const {
    return menus_[static_cast<int>(which)];
}

void MainWindow::addPanelMenu(QMenu* menu) {
    menuBar()->insertMenu(this->menu(WindowMenu::Help)->menuAction(), menu);
}

void MainWindow::setCosts(const Costs& c) {
    showCosts(c);
    onCostsEdited();
}

void MainWindow::showCosts(const Costs& c) {
    {
        const QSignalBlocker b1(smallCost_), b2(largeCost_), b3(verifierCost_);
        smallCost_->setValue(c.small);
        largeCost_->setValue(c.large);
        verifierCost_->setValue(c.verifier);
        // The middle models' boxes, when the costs are for this file's number of models.
        const QList<QDoubleSpinBox*>& middle = middleCostBoxes_;
        if (static_cast<std::size_t>(middle.size()) == c.middle.size())
            for (qsizetype m = 0; m < middle.size(); ++m) {
                const QSignalBlocker b(middle[m]);
                middle[m]->setValue(c.middle[static_cast<std::size_t>(m)]);
            }
    }
}

Costs MainWindow::toolbarCosts() const {
    Costs c{smallCost_->value(), largeCost_->value(), verifierCost_->value(), {}};
    for (QDoubleSpinBox* s : middleCostBoxes_) c.middle.push_back(s->value());
    return c;
}

void MainWindow::fillModelCosts(const data::Dataset& ds) {
    auto nameOf = [](const data::ModelColumns& m) {
        return QString::fromStdString(m.display_name.empty() ? m.name : m.display_name);
    };
    auto costMeta = [&nameOf](std::string_view key, const data::ModelColumns& m) {
        settings::SettingMeta meta = settings::setting(key);
        meta.label = QObject::tr("cost of %1").arg(nameOf(m)).toStdString();
        meta.tooltip = QObject::tr("Cost of one call of %1").arg(nameOf(m)).toStdString();
        return meta;
    };
    if (ds.model_count() > 0) {
        smallCostLabel_->setText(nameOf(ds.small()));
        largeCostLabel_->setText(nameOf(ds.large()));
        smallCost_->setToolTip(settings::Settings::tooltipOf(costMeta(settings::key::SmallCost, ds.small())));
        largeCost_->setToolTip(settings::Settings::tooltipOf(costMeta(settings::key::LargeCost, ds.large())));
    }
    while (QLayoutItem* item = middleCosts_->layout()->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    middleCostBoxes_.clear();
    for (std::size_t m = 1; m + 1 < ds.model_count(); ++m) {
        auto* label = new QLabel(nameOf(ds.models[m]), middleCosts_);
        label->setContentsMargins(8, 0, 4, 0);
        QDoubleSpinBox* s = settings_->unboundSpinBox(costMeta(settings::key::MiddleCost, ds.models[m]), middleCosts_);
        s->setObjectName(QStringLiteral("modelCost%1").arg(m));
        s->setSuffix(QString());
        s->setValue(ds.models[m].call_cost);
        connect(s, &QDoubleSpinBox::valueChanged, this, &MainWindow::onCostsEdited);
        middleCosts_->layout()->addWidget(label);
        middleCosts_->layout()->addWidget(s);
        middleCostBoxes_ << s;
    }
    middleCosts_->setVisible(ds.model_count() > 2);
}

void MainWindow::onCostsEdited() {
    state_->setCosts(toolbarCosts());
    if (state_->method() && state_->dataset()) state_->train();
}

// ---------------------------------------------------------------- selection

void MainWindow::onCurrentRowChanged() {
    if (restoringSelection_) return;
    const QModelIndex current = table_->currentIndex();
    if (current.isValid())
        selectedRow_ = model_->datasetRow(current.row());
    else
        selectedRow_.reset();
    drillDown_->showRow(selectedRow_);
    state_->setCurrentRow(selectedRow_);
}

void MainWindow::restoreSelection() {
    // The model resets on every filter change; keep the same query selected if it is still shown.
    restoringSelection_ = true;
    const int row = selectedRow_ ? model_->tableRowOf(*selectedRow_) : -1;
    if (row >= 0) {
        const QModelIndex idx = model_->index(row, 0);
        table_->selectionModel()->setCurrentIndex(idx, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        table_->scrollTo(idx);
    } else {
        table_->selectionModel()->clearSelection();
    }
    restoringSelection_ = false;
    drillDown_->showRow(row >= 0 ? selectedRow_ : std::nullopt);
    state_->setCurrentRow(row >= 0 ? selectedRow_ : std::nullopt);
}

void MainWindow::selectRow(data::RowIndex r) {
    const int row = model_->tableRowOf(r);
    if (row < 0) return;
    const QModelIndex idx = model_->index(row, 0);
    table_->selectionModel()->setCurrentIndex(idx, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    table_->scrollTo(idx);
}

void MainWindow::fillRowMenu(QMenu* menu, data::RowIndex row) {
    const data::Dataset& ds = *dataset();
    const QString id = toQString(ds.id[row]);
    menu->addAction(tr("Copy as JSON"), drillDown_, &DrillDownPanel::copyRowJson);
    menu->addAction(tr("Copy id"), this, [id] { QApplication::clipboard()->setText(id); });
    for (QAction* a : rowActions_) menu->addAction(a);  // added by panels (Walk Through…)
    menu->addSeparator();
    const auto category = ds.category[row];
    const auto name = data::to_string(category);
    menu->addAction(tr("Only %1 rows").arg(QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()))), this,
                    [this, category] { filterBar_->setCategory(category); });
    if (state_->decision(row) >= 0) {
        const bool up = state_->escalated(row);
        menu->addAction(up ? tr("Only escalated rows") : tr("Only rows that stayed"), this, [this, up] {
            filterBar_->setDecision(up ? QueryFilter::Decision::Escalated : QueryFilter::Decision::Stayed);
        });
    }
    const QString dsName = QString::fromStdString(ds.dataset_names[ds.dataset_index[row]]);
    if (state_->scopeDataset() < 0)
        menu->addAction(tr("Only %1").arg(dsName), this, [this, dsName] { selectDataset(dsName); });
}

void MainWindow::moveSelection(int delta) {
    if (model_->rowCount() == 0) return;
    const int current =
        table_->currentIndex().isValid() ? table_->currentIndex().row() : (delta > 0 ? -1 : model_->rowCount());
    const int next = std::clamp(current + delta, 0, model_->rowCount() - 1);
    selectRow(model_->datasetRow(next));
}

// ---------------------------------------------------------------- summary

void MainWindow::updateSummary() {
    const data::Dataset* ds = dataset();
    if (!ds) {
        summary_->setParts({tr("No data loaded — File ▸ Open (Ctrl+O) or drop a file on the window")});
        return;
    }
    const QLocale loc;
    QStringList parts;
    parts << tr("<b>%1</b> of %2 rows shown")
                 .arg(loc.toString(qulonglong(model_->visibleRows().size())), loc.toString(qulonglong(ds->size())));
    if (!state_->method()) {
        parts << tr("<i>not routed yet</i> — choose a method");
    } else if (state_->isTraining()) {
        parts << tr("%1: training…").arg(state_->methodName().toHtmlEscaped());
    } else if (!state_->isRouted()) {
        parts << tr("%1: <i>not routed yet</i>%2")
                     .arg(state_->methodName().toHtmlEscaped(),
                          state_->lastError().isEmpty()
                              ? QString()
                              : QStringLiteral(" (%1)").arg(state_->lastError().toHtmlEscaped()));
    } else {
        const ScopeMetrics& m = state_->metrics();
        parts << QStringLiteral("<b>%1</b> %2")
                     .arg(state_->methodName().toHtmlEscaped(), state_->paramsText().toHtmlEscaped());
        if (m.valid)
            parts << metricParts(m.values, [](const eval::MetricField& f) { return f.headline; });
        else if (m.pending)
            parts << tr("<i>computing the metrics of %1 rows…</i>").arg(loc.toString(qulonglong(m.rows)));
    }
    const ScopeMetrics& m = state_->metrics();
    summary_->setParts(parts, m.valid ? tr("Over the %1 rows of the selected dataset/split (filters not applied).\n"
                                           "avg cost = (Σ small + escalations · large) / n + verifier\n"
                                           "IBC lift = (slope − base) / base; slope = (perf − %2) / (cost − small); "
                                           "base = (%3 − %2) / (large − small)")
                                            .arg(m.rows)
                                            .arg(m.slmPerf, 0, 'f', 3)
                                            .arg(m.llmPerf, 0, 'f', 3)
                                      : QString());
}

// ---------------------------------------------------------------- about

void MainWindow::showAbout() {
    QMessageBox::about(
        this, tr("About AutoMix Explorer"),
        tr("<h3>AutoMix Explorer %1</h3>"
           "<p>Inspect and tune AutoMix routing between a small and a large language model: a small "
           "model answers, verifies its own answer few-shot, and a meta-verifier decides from that "
           "noisy confidence whether to escalate to a larger model.</p>"
           "<p>Method: Pranjal Aggarwal, Aman Madaan, et al.: <i>AutoMix: Automatically Mixing Language "
           "Models</i>, NeurIPS 2024. <a href=\"https://arxiv.org/abs/2310.12963\">arXiv:2310.12963</a>.</p>")
            .arg(QStringLiteral(AUTOMIX_VERSION)));
}

}  // namespace automix::ui

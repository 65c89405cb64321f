#include "ui/session_controller.hpp"

#include <QAction>
#include <QCoreApplication>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <algorithm>
#include <memory>

#include "core/io/atomic_file.hpp"
#include "ui/data_loader.hpp"
#include "ui/charts/chart_interaction.hpp"
#include "ui/filter_bar.hpp"
#include "ui/live_panel.hpp"
#include "ui/demo_file.hpp"
#include "ui/panel_host.hpp"
#include "ui/settings/settings.hpp"
#include "ui/window_panels.hpp"
#include "ui/routing_state.hpp"
#include "ui/startup.hpp"
#include "ui/studies_panel.hpp"

namespace automix::ui {

namespace {

const QStringList kStudyEdits = {QStringLiteral("ratios"), QStringLiteral("sizes"), QStringLiteral("k"),
                                 QStringLiteral("latency")};
const QStringList kStudySpins = {QStringLiteral("seeds"), QStringLiteral("sizeSeeds"), QStringLiteral("sampleSeeds"),
                                 QStringLiteral("trainRows"), QStringLiteral("bootstrap")};
const QStringList kDemoNames = {QStringLiteral("demo.jsonl.gz"), QStringLiteral("demo-3model.jsonl.gz")};

QString splitText(SplitScope s) {
    switch (s) {
    case SplitScope::Val: return QStringLiteral("val");
    case SplitScope::Train: return QStringLiteral("train");
    case SplitScope::All: return QStringLiteral("all");
    }
    return QStringLiteral("val");
}

// The resource name of the embedded demo a temporary copy was made from.
QString demoName(const QString& path) {
    const QString prefix = QStringLiteral("automix-%1-").arg(QCoreApplication::applicationPid());
    return QFileInfo(path).fileName().mid(prefix.size());
}

std::string categoryText(const std::optional<data::Category>& c) {
    return c ? std::string(data::to_string(*c)) : std::string();
}

std::optional<data::Category> categoryOf(const std::string& text) {
    for (auto c : {data::Category::Needy, data::Category::Good, data::Category::Hopeless, data::Category::Undefined})
        if (data::to_string(c) == text) return c;
    return std::nullopt;
}

// The Studies tab's result with what it was computed on; none without one, or when the data
// has no hash to tie it to.
std::optional<session::SavedStudy> savedStudy(const StudiesPanel& studies, const std::string& sha256,
                                              const std::string& dataPath) {
    if (!studies.result() || !studies.resultRequest() || sha256.size() != 64) return std::nullopt;
    const study::StudyRequest& rq = *studies.resultRequest();
    session::SavedStudy st;
    st.result = *studies.result();
    st.data_sha256 = sha256;
    st.data_name = QFileInfo(QString::fromStdString(dataPath)).fileName().toStdString();
    if (st.data_name.rfind(session::kDemoPrefix, 0) == 0)
        st.data_name.erase(0, std::char_traits<char>::length(session::kDemoPrefix));
    st.datasets = rq.datasets;
    st.methods = rq.methods;
    st.call_costs = rq.config.call_costs;
    st.verifier_cost = rq.config.verifier_cost;
    st.num_bins = rq.config.num_bins;
    st.computed_at = studies.resultComputedAt().toUTC().toString(Qt::ISODate).toStdString();
    return st;
}

// Shows the session's study result again, or says why it is dropped: it holds only for the
// data (SHA-256) and costs it was computed on.
void restoreStudyResult(StudiesPanel& studies, const session::SavedStudy& st, const std::string& sha256,
                        QStringList* warnings) {
    const QString name = QString::fromStdString(st.result.study);
    if (st.data_sha256 != sha256) {
        const QString why =
            SessionController::tr("The saved %1 result was computed on other data (SHA-256 %2…, the data now is "
                                  "%3…): it was dropped, not shown; press Run to compute it on this data")
                .arg(name, QString::fromStdString(st.data_sha256.substr(0, 12)),
                     QString::fromStdString(sha256.substr(0, 12)));
        studies.explainNoResult(why,
                                SessionController::tr("The saved %1 result was dropped: the data changed").arg(name));
        *warnings << why;
        return;
    }
    study::StudyRequest rq;
    rq.study = st.result.study;
    rq.datasets = st.datasets;
    rq.methods = st.methods;
    rq.config.call_costs = st.call_costs;
    rq.config.verifier_cost = st.verifier_cost;
    rq.config.num_bins = st.num_bins;
    QString why;
    if (!studies.showSavedResult(st.result, rq, QString::fromStdString(st.data_name),
                                 QDateTime::fromString(QString::fromStdString(st.computed_at), Qt::ISODate), &why))
        *warnings << why;
}

}  // namespace

SessionController::SessionController(PanelHost* window, StudiesPanel* studies, LivePanel* live,
                                     const QList<charts::InteractiveChartView*>& charts)
    : QObject(window->hostWidget()), window_(window), studies_(studies), live_(live) {
    for (charts::InteractiveChartView* v : charts) charts_ << v;
    setObjectName(QStringLiteral("sessionController"));
    locateData = [this](const QString& missing) {
        QMessageBox::information(window_->hostWidget(), tr("Data file not found"),
                                 tr("The session's data file is not there any more:\n%1\n\nPlease locate it.")
                                     .arg(missing));
        return QFileDialog::getOpenFileName(window_->hostWidget(), tr("Locate %1").arg(QFileInfo(missing).fileName()),
                                            QFileInfo(missing).absolutePath(), dataFileFilter());
    };
    onHashMismatch = [this](const QString& path, const QString& expected, const QString& actual) {
        QMessageBox box(QMessageBox::Warning, tr("Data changed"),
                        tr("%1 is not the data the session was saved with: its content changed.\n\n"
                           "SHA-256 then: %2\nSHA-256 now: %3\n\n"
                           "Apply the session to it anyway (rows, routing and figures may differ), locate the "
                           "original file, or stop?")
                            .arg(path, expected, actual),
                        QMessageBox::Cancel, window_->hostWidget());
        QPushButton* apply = box.addButton(tr("Apply Anyway"), QMessageBox::AcceptRole);
        QPushButton* locate = box.addButton(tr("Locate…"), QMessageBox::ActionRole);
        box.exec();
        if (box.clickedButton() == apply) return Mismatch::ApplyAnyway;
        if (box.clickedButton() == locate) return Mismatch::Locate;
        return Mismatch::Cancel;
    };
}

session::Session SessionController::capture(const QString& sessionPath) const {
    session::Session s;
    RoutingState* state = window_->routingState();
    const SnapshotPtr snap = state->snapshot();
    const data::Dataset* ds = snap->data.get();
    const QString file = snap->file.path;
    if (isDemoFile(file)) {
        s.data_path = session::kDemoPrefix + demoName(file).toStdString();
    } else if (!file.isEmpty()) {
        s.data_path = QFileInfo(file).absoluteFilePath().toStdString();
        s.data_relative_path = session::relative_to_session(s.data_path, sessionPath.toStdString());
    }
    s.data_sha256 = snap->file.sha256;
    if (ds) s.data_format = ds->format;
    s.small_cost = snap->costs.small;
    s.large_cost = snap->costs.large;
    s.verifier_cost = snap->costs.verifier;
    s.middle_costs = snap->costs.middle;
    s.num_bins = state->config().num_bins;
    s.method = state->methodName().toStdString();
    if (ds)
        for (const TrainedDataset& t : state->trained())
            if (t.manual && t.error.isEmpty())
                s.manual_params[ds->dataset_names[static_cast<std::size_t>(t.datasetIndex)]] = t.params;
    if (ds && snap->scopeDataset >= 0) s.scope_dataset = ds->dataset_names[static_cast<std::size_t>(snap->scopeDataset)];
    s.split = splitText(snap->split).toStdString();
    const QueryFilter f = window_->filterBar()->filter();
    s.filter.text = f.text.toStdString();
    s.filter.category = categoryText(f.category);
    s.filter.decision = f.decision == QueryFilter::Decision::Stayed      ? "stayed"
                        : f.decision == QueryFilter::Decision::Escalated ? "escalated"
                                                                         : "any";
    s.filter.routing_wrong_only = f.routingWrongOnly;
    if (ds && state->linkedFilter()) {
        session::LinkedFilter lf;
        lf.label = state->linkedFilterLabel().toStdString();
        for (std::size_t r = 0; r < ds->size(); ++r)
            if (state->linkedFilter()(static_cast<data::RowIndex>(r))) lf.rows.push_back(r);
        s.linked_filter = std::move(lf);
    }
    if (ds && state->currentRow() && *state->currentRow() < ds->size()) s.selected_row_id = ds->id[*state->currentRow()];
    s.open_tab = window_->bottomTabs()->tabText(window_->bottomTabs()->currentIndex()).toStdString();
    // Every zoomed chart, by its view's name (the same in every window).
    for (const charts::InteractiveChartView* view : charts_)
        if (const auto r = view ? view->zoomRanges() : std::nullopt; r && !view->objectName().isEmpty())
            s.chart_zoom[view->objectName().toStdString()] = {r->left(), r->right(), r->top(), r->bottom()};
    if (const StudiesPanel* studies = studies_) {
        nlohmann::json edits = nlohmann::json::object(), spins = nlohmann::json::object();
        for (const QString& name : kStudyEdits)
            if (const QLineEdit* e = studies->parameterEdit(name)) edits[name.toStdString()] = e->text().toStdString();
        for (const QString& name : kStudySpins)
            if (const QSpinBox* b = studies->parameterSpin(name)) spins[name.toStdString()] = b->value();
        s.study = {{"study", studies->study().toStdString()}, {"fields", edits}, {"numbers", spins}};
        if (const auto* latency = studies->verifierLatencySpin()) s.study["verifierLatency"] = latency->value();
        auto names = [](const QStringList& list) {
            nlohmann::json out = nlohmann::json::array();
            for (const QString& n : list) out.push_back(n.toStdString());
            return out;
        };
        s.study["datasets"] = names(studies->selectedDatasets());
        s.study["methods"] = names(studies->selectedMethods());
        if (!studies->chartGroups().isEmpty()) s.study["group"] = studies->currentChartGroup().toStdString();
        s.study_result = savedStudy(*studies, snap->file.sha256, s.data_path);
    }
    if (live_) s.live_config_path = live_->configPath().toStdString();
    return s;
}

bool SessionController::save(const QString& path, QString* error) {
    if (!window_->dataset()) {
        if (error) *error = tr("No data loaded: there is nothing to save.");
        return false;
    }
    try {
        session::write_session(path.toStdString(), capture(path));
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    current_ = path;
    window_->rememberRecentFile(path);
    window_->log(tr("Saved the session to %1").arg(path));
    emit sessionSaved(path);
    return true;
}

bool SessionController::open(const QString& path, QString* error) {
    auto fail = [error](const QString& why) {
        if (error) *error = why;
        return false;
    };
    session::Session s;
    try {
        s = session::read_session(path.toStdString());
    } catch (const std::exception& e) {
        return fail(QString::fromStdString(e.what()));
    }
    const QString recorded = QString::fromStdString(s.data_path);
    QString data;
    if (s.is_demo()) {
        const QString name = recorded.mid(static_cast<qsizetype>(std::char_traits<char>::length(session::kDemoPrefix)));
        if (!kDemoNames.contains(name)) return fail(tr("%1: field 'data.path': no demo named %2").arg(path, name));
        data = extractDemoFile(name);
    } else if (auto found = session::locate_data(s, path.toStdString())) {
        data = QString::fromStdString(*found);
    } else {
        data = locateData ? locateData(recorded) : QString();
        if (data.isEmpty())
            return fail(tr("%1: the data file %2 is missing (not there, nor next to the session); the session was "
                           "not opened.")
                            .arg(path, recorded));
    }
    // A changed file is asked about; "Locate…" tries another file, as often as the user likes.
    for (;;) {
        QString loadError;
        if (!window_->openFile(data, &loadError))
            return fail(tr("%1: cannot load the session's data: %2").arg(path, loadError));
        const QString actual = QString::fromStdString(window_->routingState()->snapshot()->file.sha256);
        const QString expected = QString::fromStdString(s.data_sha256);
        if (expected.isEmpty() || actual == expected) break;
        const Mismatch choice = onHashMismatch ? onHashMismatch(data, expected, actual) : Mismatch::Cancel;
        if (choice == Mismatch::ApplyAnyway) {
            window_->log(tr("Warning: %1 changed since the session was saved (SHA-256 %2, now %3); the session is "
                            "applied anyway")
                             .arg(data, expected, actual));
            break;
        }
        if (choice == Mismatch::Cancel)
            return fail(tr("%1 changed since the session was saved (SHA-256 %2, now %3); the session was not "
                           "applied (the file stays loaded).")
                            .arg(data, expected, actual));
        const QString other = locateData ? locateData(recorded) : QString();
        if (other.isEmpty())
            return fail(tr("%1 changed since the session was saved; no other file chosen, the session was not "
                           "applied.")
                            .arg(data));
        data = other;
    }
    QStringList warnings;
    apply(s, &warnings);
    for (const QString& w : warnings) window_->log(tr("Session: %1").arg(w));
    current_ = path;
    window_->rememberRecentFile(path);
    window_->log(tr("Opened the session %1").arg(path));
    emit sessionOpened(path);
    return true;
}

void SessionController::apply(const session::Session& s, QStringList* warnings) {
    RoutingState* state = window_->routingState();
    const data::Dataset* ds = window_->dataset();
    if (!ds) return;
    window_->setCosts(Costs{s.small_cost, s.large_cost, s.verifier_cost, s.middle_costs});
    if (s.num_bins != state->config().num_bins)
        *warnings << tr("the session routes with %1 bins; the explorer uses %2").arg(s.num_bins).arg(
            state->config().num_bins);
    const QString method = QString::fromStdString(s.method);
    window_->selectMethod(method);
    if (!method.isEmpty() && !routing::find_method(s.method)) *warnings << tr("unknown method %1").arg(method);
    // Training must have the parameters before the hand-set ones replace them.
    if (state->method() && !state->isRouted() && !state->isTraining()) state->train();
    state->waitForTraining();
    for (const auto& [name, params] : s.manual_params) {
        const int d = ds->find_dataset(name);
        if (d < 0 || !state->setParameters(d, params))
            *warnings << tr("parameters %1 for %2 not applied: %3")
                             .arg(QString::fromStdString(params.dump()), QString::fromStdString(name),
                                  d < 0 ? tr("no such dataset") : state->lastError());
    }
    window_->selectDataset(QString::fromStdString(s.scope_dataset));
    if (!s.scope_dataset.empty() && ds->find_dataset(s.scope_dataset) < 0)
        *warnings << tr("no dataset %1 in the file").arg(QString::fromStdString(s.scope_dataset));
    window_->selectSplit(QString::fromStdString(s.split));

    QueryFilter f;
    f.text = QString::fromStdString(s.filter.text);
    f.category = categoryOf(s.filter.category);
    f.decision = s.filter.decision == "stayed"      ? QueryFilter::Decision::Stayed
                 : s.filter.decision == "escalated" ? QueryFilter::Decision::Escalated
                                                    : QueryFilter::Decision::Any;
    f.routingWrongOnly = s.filter.routing_wrong_only;
    window_->filterBar()->setFilter(f);
    if (s.linked_filter) {
        auto mask = std::make_shared<std::vector<char>>(ds->size(), 0);
        for (std::size_t r : s.linked_filter->rows)
            if (r < mask->size()) (*mask)[r] = 1;
        state->setLinkedFilter(QString::fromStdString(s.linked_filter->label),
                               [mask](data::RowIndex r) { return r < mask->size() && (*mask)[r] != 0; });
    } else {
        state->clearLinkedFilter();
    }
    if (!s.selected_row_id.empty()) {
        const auto it = std::find(ds->id.begin(), ds->id.end(), s.selected_row_id);
        if (it != ds->id.end())
            window_->selectRow(static_cast<data::RowIndex>(it - ds->id.begin()));
        else
            *warnings << tr("no row with id %1").arg(QString::fromStdString(s.selected_row_id));
    }
    const QString tab = QString::fromStdString(s.open_tab);
    for (int i = 0; i < window_->bottomTabs()->count(); ++i)
        if (window_->bottomTabs()->tabText(i) == tab) window_->bottomTabs()->setCurrentIndex(i);

    if (StudiesPanel* studies = studies_; studies && s.study.is_object()) {
        if (s.study.contains("study") && s.study["study"].is_string())
            studies->setStudy(QString::fromStdString(s.study["study"].get<std::string>()));
        if (s.study.contains("fields") && s.study["fields"].is_object())
            for (const auto& [name, value] : s.study["fields"].items())
                if (QLineEdit* e = studies->parameterEdit(QString::fromStdString(name)); e && value.is_string())
                    e->setText(QString::fromStdString(value.get<std::string>()));
        if (s.study.contains("numbers") && s.study["numbers"].is_object())
            for (const auto& [name, value] : s.study["numbers"].items())
                if (QSpinBox* b = studies->parameterSpin(QString::fromStdString(name)); b && value.is_number_integer())
                    b->setValue(value.get<int>());
        auto names = [&s](const char* key) {
            QStringList out;
            if (s.study.contains(key) && s.study[key].is_array())
                for (const auto& n : s.study[key])
                    if (n.is_string()) out << QString::fromStdString(n.get<std::string>());
            return out;
        };
        if (s.study.contains("datasets")) studies->setSelectedDatasets(names("datasets"));
        if (s.study.contains("methods")) studies->setSelectedMethods(names("methods"));
        if (s.study.contains("verifierLatency") && s.study["verifierLatency"].is_number())
            studies->verifierLatencySpin()->setValue(s.study["verifierLatency"].get<double>());
        if (s.study_result)
            restoreStudyResult(*studies, *s.study_result, state->snapshot()->file.sha256, warnings);
        if (s.study.contains("group") && s.study["group"].is_string())
            studies->setChartGroup(QString::fromStdString(s.study["group"].get<std::string>()));
    }
    if (!s.live_config_path.empty()) {
        const QString config = QString::fromStdString(s.live_config_path);
        if (LivePanel* live = live_) {
            if (!QFileInfo::exists(config))
                *warnings << tr("the live config %1 is not there any more").arg(config);
            else if (!live->loadConfig(config))
                *warnings << tr("the live config %1 did not load (see the Live tab)").arg(config);
        }
    }
    if (!s.chart_zoom.empty()) {
        // The charts are drawn from background jobs (curves, belief): zoom once they are.
        if (!waitUntilSettled(*window_, 120000)) *warnings << tr("the charts were not ready to be zoomed");
        std::map<std::string, session::ChartZoom> left = s.chart_zoom;
        for (charts::InteractiveChartView* view : charts_) {
            if (!view) continue;
            const auto it = left.find(view->objectName().toStdString());
            if (it == left.end()) continue;
            const session::ChartZoom& z = it->second;
            if (view->setZoomRanges(QRectF(QPointF(z.x_min, z.y_min), QPointF(z.x_max, z.y_max)))) left.erase(it);
        }
        for (const auto& entry : left) *warnings << tr("chart %1 could not be zoomed").arg(QString::fromStdString(entry.first));
    }
}

void SessionController::chooseAndSave() {
    QString path = QFileDialog::getSaveFileName(
        window_->hostWidget(), tr("Save session"),
        current_.isEmpty() ? QSettings().value(settings::qtKey(settings::key::SessionDir)).toString() : current_,
        tr("AutoMix session (*%1)").arg(QLatin1String(session::kSessionSuffix)));
    if (path.isEmpty()) return;
    if (!path.endsWith(QLatin1String(session::kSessionSuffix))) path += QLatin1String(session::kSessionSuffix);
    QSettings().setValue(settings::qtKey(settings::key::SessionDir), QFileInfo(path).absolutePath());
    QString error;
    if (!save(path, &error))
        window_->reportError(tr("Saving the session"), error);
    else
        window_->showStatus(tr("Saved %1").arg(QFileInfo(path).fileName()), 5000);
}

void SessionController::chooseAndOpen() {
    const QString path = QFileDialog::getOpenFileName(
        window_->hostWidget(), tr("Open session"), QSettings().value(settings::qtKey(settings::key::SessionDir)).toString(),
        tr("AutoMix session (*%1);;All files (*)").arg(QLatin1String(session::kSessionSuffix)));
    if (path.isEmpty()) return;
    QSettings().setValue(settings::qtKey(settings::key::SessionDir), QFileInfo(path).absolutePath());
    openInteractive(path);
}

void SessionController::openInteractive(const QString& path) {
    QString error;
    if (!open(path, &error)) window_->reportError(tr("Opening the session"), error);
}

SessionController* installSessions(PanelHost* window, StudiesPanel* studies, LivePanel* live,
                                   const QList<charts::InteractiveChartView*>& charts) {
    auto* controller = new SessionController(window, studies, live, charts);
    QMenu* file = window->menu(WindowMenu::File);
    // After "Open Recent": sessions are opened like files and listed there too.
    QAction* before = nullptr;
    const auto actions = file->actions();
    for (qsizetype i = 0; i + 1 < actions.size(); ++i)
        if (actions[i]->menu() == window->recentMenu()) before = actions[i + 1];
    auto* open = new QAction(SessionController::tr("Open &Session…"), file);
    open->setObjectName(QStringLiteral("openSessionAction"));
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O));
    open->setToolTip(SessionController::tr("Open a saved session: its data file, routing, filters and selection"));
    QObject::connect(open, &QAction::triggered, controller, &SessionController::chooseAndOpen);
    auto* save = new QAction(SessionController::tr("Save Session &As…"), file);
    save->setObjectName(QStringLiteral("saveSessionAction"));
    save->setShortcut(QKeySequence::Save);
    save->setToolTip(SessionController::tr("Save the data file's place and hash, costs, method and hand-set "
                                           "parameters, filters, selection and tab (never API keys)"));
    QObject::connect(save, &QAction::triggered, controller, &SessionController::chooseAndSave);
    file->insertAction(before, open);
    file->insertAction(before, save);
    return controller;
}

bool openSessionFile(PanelHost* window, const QString& path, QString* error) {
    SessionController* controller = window->panels().sessions;
    if (!controller) {
        if (error) *error = SessionController::tr("sessions are not available");
        return false;
    }
    return controller->open(path, error);
}

}  // namespace automix::ui

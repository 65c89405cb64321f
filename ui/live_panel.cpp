#include "ui/live_panel.hpp"

#include <QCheckBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QSaveFile>
#include <QDir>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include "core/io/atomic_file.hpp"
#include "core/live/prompts.hpp"
#include "core/live/response_cache.hpp"
#include "ui/job_runner.hpp"
#include "ui/panel_host.hpp"
#include "ui/qt_text.hpp"
#include "ui/query_table_model.hpp"
#include "ui/routing_state.hpp"

namespace automix::ui {

namespace {

QString money(double x) {
    return QStringLiteral("$%1").arg(x, 0, 'f', 4);
}

}  // namespace

namespace {
const QString kLiveJob = QStringLiteral("live");
const QString kCheckJob = QStringLiteral("live-check");
}

// What the worker hands to the GUI while a run goes on: plain values behind a mutex, drained
// by the panel's timer (no widget ever reaches the worker).
struct LiveMailbox {
    std::mutex mutex;
    std::optional<live::Progress> progress;
    QStringList lines;
    void post(const QString& line) {
        const std::lock_guard<std::mutex> lock(mutex);
        lines << line;
    }
};

LivePanel::LivePanel(DatasetProvider dataset, SelectionProvider selection, QWidget* parent, JobRunner* jobs)
    : QWidget(parent), dataset_(std::move(dataset)), selection_(std::move(selection)), jobs_(jobs) {
    qRegisterMetaType<std::shared_ptr<const automix::ui::LiveRunResult>>();
    if (!jobs_) jobs_ = new JobRunner(this);
    cacheDir_ = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/live");
    poll_ = new QTimer(this);
    poll_->setInterval(100);
    connect(poll_, &QTimer::timeout, this, &LivePanel::drainMailbox);
    jobs_->follow(kLiveJob, this,
                  {{},
                   [this](const QString& message) {
                       auto job = std::make_shared<LiveRunResult>();
                       job->error = message;
                       onFinished(job);
                   },
                   {}});
    buildUi();
    setRunning(false);
}

LivePanel::~LivePanel() = default;

void LivePanel::buildUi() {
    auto* top = new QVBoxLayout(this);

    auto* setup = new QGroupBox(tr("Endpoints"), this);
    auto* form = new QFormLayout(setup);
    auto* configRow = new QHBoxLayout;
    configPath_ = new QLineEdit(setup);
    configPath_->setPlaceholderText(tr("models config (JSON)"));
    auto* browse = new QPushButton(tr("Open config…"), setup);
    edit_ = new QPushButton(tr("Edit config…"), setup);
    edit_->setToolTip(tr("Edit the models config (or start from a template for `automix serve-replay`); keys are "
                         "never part of it: name an environment variable in api_key_env or type a key below."));
    configRow->addWidget(configPath_, 1);
    configRow->addWidget(browse);
    configRow->addWidget(edit_);
    form->addRow(tr("Config"), configRow);
    configStatus_ = new QLabel(tr("No config loaded"), setup);
    configStatus_->setWordWrap(true);
    configStatus_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(QString(), configStatus_);
    keys_ = new QTableWidget(0, 4, setup);
    keys_->setHorizontalHeaderLabels(
        {tr("Model"), tr("Key source"), tr("Key for this session (not saved)"), tr("Endpoint check")});
    keys_->horizontalHeader()->setStretchLastSection(true);
    keys_->setColumnWidth(0, 140);
    keys_->setColumnWidth(1, 180);
    keys_->setColumnWidth(2, 260);
    keys_->verticalHeader()->hide();
    keys_->setMaximumHeight(120);
    form->addRow(tr("Keys"), keys_);
    auto* endpointButtons = new QHBoxLayout;
    check_ = new QPushButton(tr("Check endpoints"), setup);
    check_->setToolTip(tr("Ask every model's server whether it is reachable, accepts the key and serves the "
                          "model (GET /models, else a 1-token call) before a run pays for anything."));
    useRouting_ = new QPushButton(tr("Use explorer's routing"), setup);
    useRouting_->setToolTip(tr("Route live with the method and parameters trained in the explorer's toolbar "
                               "(for the dataset the charts show)."));
    deploy_ = new QPushButton(tr("Deploy…"), setup);
    deploy_->setObjectName(QStringLiteral("liveDeployButton"));
    deploy_->setToolTip(tr("Write a models config for `automix serve` with these endpoints and the routing tuned in "
                           "the explorer (keys are never written: only their environment variables)."));
    endpointButtons->addWidget(check_);
    endpointButtons->addWidget(useRouting_);
    endpointButtons->addWidget(deploy_);
    endpointButtons->addStretch(1);
    form->addRow(QString(), endpointButtons);
    auto* cacheRow = new QHBoxLayout;
    useCache_ = new QCheckBox(tr("Cache calls in"), setup);
    useCache_->setChecked(true);
    cachePath_ = new QLineEdit(cacheDir_, setup);
    cacheRow->addWidget(useCache_);
    cacheRow->addWidget(cachePath_, 1);
    form->addRow(tr("Cache"), cacheRow);
    top->addWidget(setup);

    auto* runBox = new QGroupBox(tr("Run"), this);
    auto* runLayout = new QVBoxLayout(runBox);
    auto* runRow = new QHBoxLayout;
    runSelected_ = new QPushButton(tr("Run selected queries"), runBox);
    runShown_ = new QPushButton(tr("Run rows shown…"), runBox);
    runShown_->setToolTip(tr("Run every row the query table shows (its filters applied)."));
    runRow->addWidget(runSelected_);
    runRow->addWidget(runShown_);
    runRow->addStretch(1);
    runLayout->addLayout(runRow);
    context_ = new QPlainTextEdit(runBox);
    context_->setPlaceholderText(tr("Playground: context passage (optional)"));
    context_->setMaximumHeight(90);
    runLayout->addWidget(context_);
    auto* askRow = new QHBoxLayout;
    question_ = new QLineEdit(runBox);
    question_->setPlaceholderText(tr("Playground: a question"));
    ask_ = new QPushButton(tr("Ask"), runBox);
    askRow->addWidget(question_, 1);
    askRow->addWidget(ask_);
    runLayout->addLayout(askRow);
    auto* progressRow = new QHBoxLayout;
    progress_ = new QProgressBar(runBox);
    cancelButton_ = new QPushButton(tr("Cancel"), runBox);
    save_ = new QPushButton(tr("Save results…"), runBox);
    progressRow->addWidget(progress_, 1);
    progressRow->addWidget(cancelButton_);
    progressRow->addWidget(save_);
    runLayout->addLayout(progressRow);
    status_ = new QLabel(runBox);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    runLayout->addWidget(status_);
    top->addWidget(runBox);

    auto* split = new QSplitter(Qt::Vertical, this);
    results_ = new QTableWidget(0, 9, split);
    results_->setHorizontalHeaderLabels({tr("id"), tr("path"), tr("answer"), tr("confidence"), tr("score"),
                                         tr("cost units"), tr("money"), tr("seconds"), tr("status")});
    results_->horizontalHeader()->setStretchLastSection(true);
    results_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    results_->verticalHeader()->hide();
    log_ = new QPlainTextEdit(split);
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    log_->setPlaceholderText(tr("Call log"));
    split->addWidget(results_);
    split->addWidget(log_);
    top->addWidget(split, 1);

    connect(browse, &QPushButton::clicked, this, &LivePanel::chooseConfig);
    connect(edit_, &QPushButton::clicked, this, &LivePanel::editConfig);
    connect(configPath_, &QLineEdit::returnPressed, this, [this] { loadConfig(configPath_->text()); });
    connect(runSelected_, &QPushButton::clicked, this, [this] { runSelected(); });
    connect(runShown_, &QPushButton::clicked, this, &LivePanel::runShownRequested);
    connect(check_, &QPushButton::clicked, this, [this] { checkEndpoints(); });
    connect(useRouting_, &QPushButton::clicked, this, &LivePanel::useRoutingRequested);
    connect(deploy_, &QPushButton::clicked, this, &LivePanel::deploy);
    connect(ask_, &QPushButton::clicked, this, [this] { runQuestion(context_->toPlainText(), question_->text()); });
    connect(question_, &QLineEdit::returnPressed, this,
            [this] { runQuestion(context_->toPlainText(), question_->text()); });
    connect(cancelButton_, &QPushButton::clicked, this, &LivePanel::cancel);
    connect(useCache_, &QCheckBox::toggled, cachePath_, &QWidget::setEnabled);
    connect(save_, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Save live results"), QString(), tr("JSON lines (*.jsonl)"));
        QString error;
        if (!path.isEmpty() && !saveResults(path, &error)) status_->setText(error);
    });
}

void LivePanel::chooseConfig() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open models config"), QString(), tr("JSON (*.json)"));
    if (!path.isEmpty()) loadConfig(path);
}

bool LivePanel::loadConfig(const QString& path) {
    configPath_->setText(path);
    try {
        config_ = live::load_models_config(path.toStdString());
        std::ifstream in(path.toStdString());
        configJson_ = nlohmann::json::parse(in, nullptr, false);  // it just parsed as a config
    } catch (const std::exception& e) {
        config_.reset();
        configJson_ = nullptr;
        configStatus_->setText(tr("Invalid config:\n%1").arg(QString::fromStdString(e.what())));
        refreshKeys();
        setRunning(running_);
        return false;
    }
    checks_.clear();
    configStatus_->setText(configSummary());
    refreshKeys();
    setRunning(running_);
    return true;
}

QString LivePanel::configSummary() const {
    QStringList names;
    for (const auto& m : config_->models) names << toQString(m.name);
    return tr("%1 models: %2 · verifier k = %3 · %4 %5")
        .arg(config_->models.size())
        .arg(names.join(QStringLiteral(" → ")))
        .arg(config_->verifier.k)
        .arg(toQString(config_->meta_verifier.method), toQString(config_->meta_verifier.params.dump()));
}

bool LivePanel::applyConfigText(const QString& text, const QString& baseDir, QString* error) {
    try {
        config_ = live::parse_models_config(text.toStdString(), "edited config", baseDir.toStdString());
        configJson_ = nlohmann::json::parse(text.toStdString(), nullptr, false);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    checks_.clear();
    configStatus_->setText(configSummary() + tr(" (edited in the explorer)"));
    refreshKeys();
    setRunning(running_);
    return true;
}

void LivePanel::editConfig() {
    const QString path = configPath_->text();
    QString text;
    if (QFile file(path); !path.isEmpty() && file.open(QIODevice::ReadOnly)) text = QString::fromUtf8(file.readAll());
    if (text.isEmpty()) {
        // A template for the replay server, with the loaded data's models and costs.
        std::vector<std::string> names = {"small", "large"};
        std::vector<double> costs = {1.0, 50.0};
        if (const data::Dataset* ds = dataset_ ? dataset_() : nullptr; ds && ds->model_count() >= 2) {
            names.clear();
            costs.clear();
            for (const auto& m : ds->models) {
                names.push_back(m.name);
                costs.push_back(m.call_cost);
            }
        }
        try {
            text = toQString(live::emit_models_config(nullptr, names, "Threshold", 0.5, 8, costs, 1.0, 8).dump(2));
        } catch (const std::exception& e) {
            text = QStringLiteral("{}");
            status_->setText(QString::fromStdString(e.what()));
        }
    }
    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("configEditor"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Models config"));
    dialog->resize(720, 560);
    auto* layout = new QVBoxLayout(dialog);
    auto* editor = new QPlainTextEdit(text, dialog);
    editor->setObjectName(QStringLiteral("configText"));
    editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(editor, 1);
    auto* problems = new QLabel(dialog);
    problems->setObjectName(QStringLiteral("configProblems"));
    problems->setWordWrap(true);
    problems->setTextInteractionFlags(Qt::TextSelectableByMouse);
    problems->setStyleSheet(QStringLiteral("color:#c03030"));
    layout->addWidget(problems);
    auto* buttons = new QDialogButtonBox(dialog);
    QPushButton* apply = buttons->addButton(tr("Apply"), QDialogButtonBox::AcceptRole);
    QPushButton* saveAs = buttons->addButton(tr("Save As…"), QDialogButtonBox::ActionRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    layout->addWidget(buttons);
    const QString baseDir = path.isEmpty() ? QDir::currentPath() : QFileInfo(path).absolutePath();
    connect(apply, &QPushButton::clicked, dialog, [this, dialog, editor, problems, baseDir] {
        QString error;
        if (applyConfigText(editor->toPlainText(), baseDir, &error))
            dialog->accept();
        else
            problems->setText(tr("Not applied:\n%1").arg(error));
    });
    connect(saveAs, &QPushButton::clicked, dialog, [this, dialog, editor, problems] {
        QString error;
        const QString text = editor->toPlainText();
        try {
            (void)live::parse_models_config(text.toStdString(), "edited config", QDir::currentPath().toStdString());
        } catch (const std::exception& e) {
            problems->setText(tr("Not saved:\n%1").arg(QString::fromStdString(e.what())));
            return;
        }
        const QString target =
            QFileDialog::getSaveFileName(dialog, tr("Save models config"), QString(), tr("JSON (*.json)"));
        if (target.isEmpty()) return;
        QSaveFile out(target);
        if (!out.open(QIODevice::WriteOnly) || out.write(text.toUtf8()) < 0 || !out.commit()) {
            problems->setText(tr("Cannot write %1: %2").arg(target, out.errorString()));
            return;
        }
        if (loadConfig(target)) dialog->accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    dialog->show();
}

void LivePanel::refreshKeys() {
    keys_->setRowCount(0);
    if (!config_) return;
    keys_->setRowCount(static_cast<int>(config_->models.size()));
    for (int i = 0; i < keys_->rowCount(); ++i) {
        const auto& m = config_->models[static_cast<std::size_t>(i)];
        keys_->setItem(i, 0, new QTableWidgetItem(toQString(m.name)));
        QString source = tr("none needed");
        if (!m.api_key_env.empty()) {
            const char* v = std::getenv(m.api_key_env.c_str());
            source = (v && *v) ? tr("$%1 (set)").arg(toQString(m.api_key_env)) : tr("$%1 (not set)").arg(toQString(m.api_key_env));
        }
        keys_->setItem(i, 1, new QTableWidgetItem(source));
        auto* edit = new QLineEdit(keys_);
        edit->setEchoMode(QLineEdit::Password);
        edit->setPlaceholderText(tr("type a key to override"));
        const auto it = sessionKeys_.find(m.name);
        if (it != sessionKeys_.end()) edit->setText(toQString(it->second));
        const std::string name = m.name;
        connect(edit, &QLineEdit::textChanged, this,
                [this, name](const QString& t) { sessionKeys_[name] = t.toStdString(); });
        keys_->setCellWidget(i, 2, edit);
    }
    showChecks();
}

void LivePanel::showChecks() {
    for (int i = 0; i < keys_->rowCount(); ++i) {
        const QString name = keys_->item(i, 0)->text();
        QString text;
        QString tip;
        for (const auto& c : checks_)
            if (toQString(c.model) == name) {
                text = (c.ok ? tr("ok") : tr("FAILED")) + QStringLiteral(" · %1 · %2 s").arg(toQString(c.how)).arg(c.seconds, 0, 'f', 2);
                tip = toQString(c.message);
            }
        auto* item = new QTableWidgetItem(text);
        item->setToolTip(tip);
        keys_->setItem(i, 3, item);
    }
}

bool LivePanel::isChecking() const {
    return jobs_->isRunning(kCheckJob);
}

bool LivePanel::checkEndpoints() {
    if (!config_) {
        status_->setText(tr("Load a models config first."));
        return false;
    }
    std::vector<std::string> keys;
    try {
        keys = live::resolve_api_keys(*config_, sessionKeys_);
    } catch (const std::exception& e) {
        status_->setText(QString::fromStdString(e.what()));
        return false;
    }
    checks_.clear();
    showChecks();
    status_->setText(tr("Checking the endpoints of %1 models…").arg(config_->models.size()));
    check_->setEnabled(false);
    jobs_->start<std::vector<live::PreflightCheck>>(
        kCheckJob, {this, {}},
        [cfg = *config_, keys = std::move(keys)](JobContext& ctx) { return live::preflight(cfg, keys, ctx.cancelFlag()); },
        [this](std::vector<live::PreflightCheck> checks) {
            checks_ = std::move(checks);
            showChecks();
            QStringList problems;
            for (const auto& c : checks_)
                if (!c.ok) problems << QStringLiteral("%1: %2").arg(toQString(c.model), toQString(c.message));
            status_->setText(problems.isEmpty() ? tr("All endpoints answer (%1).").arg(checks_.size())
                                                : tr("Endpoint check failed:\n%1").arg(problems.join(QLatin1Char('\n'))));
            for (const auto& c : checks_)
                log_->appendPlainText(QStringLiteral("check %1 · %2 · HTTP %3 · %4")
                                          .arg(toQString(c.model), toQString(c.how))
                                          .arg(c.http_status)
                                          .arg(toQString(c.message)));
            setRunning(running_);
        });
    return true;
}

bool LivePanel::useRouting(const QString& method, const nlohmann::json& params, int numBins, const QString& trainedOn) {
    if (!config_) {
        status_->setText(tr("Load a models config first."));
        return false;
    }
    if (method.isEmpty() || params.is_null()) {
        status_->setText(tr("Choose a method in the toolbar and press Train first: there is no trained routing to use."));
        return false;
    }
    live::ModelsConfig next = *config_;
    next.meta_verifier.method = method.toStdString();
    next.meta_verifier.params = params;
    next.meta_verifier.num_bins = numBins;
    try {
        live::Pipeline check(next, {}, {}, nullptr);  // validates the method against the config's models
    } catch (const std::exception& e) {
        status_->setText(tr("Cannot route live with %1: %2").arg(method, QString::fromStdString(e.what())));
        return false;
    }
    config_ = std::move(next);
    configStatus_->setText(configSummary() + tr(" (routing from the explorer; the file is unchanged)"));
    status_->setText(trainedOn.isEmpty() ? tr("Live runs now route with %1 %2.").arg(method, toQString(params.dump()))
                                         : tr("Live runs now route with %1 %2 (trained on %3).")
                                               .arg(method, toQString(params.dump()), trainedOn));
    return true;
}

QString LivePanel::writeDeployConfig(const QString& path) const {
    if (!config_ || !configJson_.is_object()) return tr("Load or edit a models config first: its endpoints are deployed.");
    const DeploySource src = deploySource_ ? deploySource_() : DeploySource{};
    if (!deploySource_) return tr("No explorer routing to deploy.");
    if (!src.error.isEmpty()) return src.error;
    try {
        // The loaded file's endpoints, prices and options; the explorer's routing and belief
        // tables. The file names keys only by environment variable: session keys stay in memory.
        const nlohmann::json cfg = live::routing_models_config(configJson_, *src.data, src.trainRows,
                                                               src.method.toStdString(), src.params, src.config);
        io::write_file(path.toStdString(), cfg.dump(2) + "\n");
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

void LivePanel::deploy() {
    if (auto* open = findChild<QDialog*>(QStringLiteral("deployDialog"))) {
        open->raise();
        return;
    }
    const DeploySource src = deploySource_ ? deploySource_() : DeploySource{};
    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("deployDialog"));
    dialog->setWindowTitle(tr("Deploy: models config for automix serve"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto* layout = new QVBoxLayout(dialog);
    QString what;
    if (!config_) {
        what = tr("Load or edit a models config first: its endpoints are deployed.");
    } else if (!src.error.isEmpty() || !deploySource_) {
        what = src.error.isEmpty() ? tr("No explorer routing to deploy.") : src.error;
    } else {
        QStringList endpoints;
        for (const auto& m : config_->models)
            endpoints << tr("%1 at %2 (key: %3)")
                             .arg(toQString(m.name), toQString(m.base_url),
                                  m.api_key_env.empty() ? tr("none") : tr("$%1").arg(toQString(m.api_key_env)));
        what = tr("Routing: %1 %2 (trained on %3)\nEndpoints: %4\nKeys are not written: `automix serve` reads them "
                  "from the environment variables named.")
                   .arg(src.method, toQString(src.params.dump()), src.trainedOn, endpoints.join(QStringLiteral("; ")));
    }
    auto* summary = new QLabel(what, dialog);
    summary->setObjectName(QStringLiteral("deploySummary"));
    summary->setWordWrap(true);
    layout->addWidget(summary);
    auto* row = new QHBoxLayout;
    auto* path = new QLineEdit(QDir::current().filePath(QStringLiteral("models.json")), dialog);
    path->setObjectName(QStringLiteral("deployPath"));
    auto* browse = new QPushButton(tr("Browse…"), dialog);
    row->addWidget(path, 1);
    row->addWidget(browse);
    layout->addLayout(row);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Save)->setEnabled(config_.has_value() && deploySource_ && src.error.isEmpty());
    layout->addWidget(buttons);
    connect(browse, &QPushButton::clicked, dialog, [dialog, path] {
        const QString chosen = QFileDialog::getSaveFileName(dialog, tr("Deploy: write the models config"), path->text(),
                                                            tr("JSON (*.json)"));
        if (!chosen.isEmpty()) path->setText(chosen);
    });
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, path, summary] {
        const QString error = writeDeployConfig(path->text());
        if (!error.isEmpty()) {
            summary->setText(tr("Cannot deploy: %1").arg(error));
            return;
        }
        status_->setText(tr("Wrote %1: start it with `automix serve --config %1` (set the keys' environment variables "
                            "first)")
                             .arg(path->text()));
        dialog->accept();
    });
    dialog->open();
}

void LivePanel::setSessionKey(const QString& model, const QString& key) {
    sessionKeys_[model.toStdString()] = key.toStdString();
    refreshKeys();
}

void LivePanel::setCacheDirectory(const QString& dir) {
    useCache_->setChecked(!dir.isEmpty());
    if (!dir.isEmpty()) cachePath_->setText(dir);
}

bool LivePanel::runSelected() {
    const data::Dataset* ds = dataset_ ? dataset_() : nullptr;
    if (!ds || ds->size() == 0) {
        status_->setText(tr("Load a data file first, or ask a question in the playground."));
        return false;
    }
    std::vector<data::RowIndex> rows = selection_ ? selection_() : std::vector<data::RowIndex>{};
    if (rows.empty()) {
        status_->setText(tr("Select the queries to run in the query table."));
        return false;
    }
    return runRows(std::move(rows));
}

bool LivePanel::runRows(std::vector<data::RowIndex> rows) {
    const data::Dataset* ds = dataset_ ? dataset_() : nullptr;
    if (!ds || rows.empty()) {
        status_->setText(tr("No rows to run."));
        return false;
    }
    auto job = std::make_shared<LiveRunResult>();
    job->input = live::live_input_from(*ds, rows);
    job->source_rows = std::move(rows);
    if (sourceTag_) job->source_tag = sourceTag_();
    return start(std::move(job));
}

bool LivePanel::runQuestion(const QString& context, const QString& question) {
    if (question.trimmed().isEmpty()) {
        status_->setText(tr("Type a question first."));
        return false;
    }
    auto job = std::make_shared<LiveRunResult>();
    job->input = live::live_input_from_question("playground", context.toStdString(), question.trimmed().toStdString());
    return start(std::move(job));
}

bool LivePanel::start(std::shared_ptr<LiveRunResult> job) {
    if (running_) return false;
    if (!config_) {
        status_->setText(tr("Load a models config first."));
        return false;
    }
    std::vector<std::string> keys;
    live::PromptTemplates prompts;
    try {
        keys = live::resolve_api_keys(*config_, sessionKeys_);
        prompts = live::load_prompt_templates(config_->answer_prompt_file, config_->verify_prompt_file);
    } catch (const std::exception& e) {
        status_->setText(QString::fromStdString(e.what()));
        return false;
    }
    const std::string cacheDir = useCache_->isChecked() ? cachePath_->text().toStdString() : std::string();
    log_->clear();
    results_->setRowCount(0);
    progress_->setRange(0, static_cast<int>(job->input.dataset.size()));
    progress_->setValue(0);
    setRunning(true);
    emit runStarted();

    job->config = *config_;
    mailbox_ = std::make_shared<LiveMailbox>();
    poll_->start();
    jobs_->start<std::shared_ptr<LiveRunResult>>(
        kLiveJob, {this, {}},
        [job, cfg = *config_, keys = std::move(keys), prompts = std::move(prompts), cacheDir,
         mailbox = mailbox_](JobContext& ctx) mutable {
            try {
                std::shared_ptr<live::ResponseCache> cache;
                if (!cacheDir.empty()) {
                    cache = std::make_shared<live::ResponseCache>(cacheDir);
                    for (const auto& w : cache->warnings()) mailbox->post(QString::fromStdString("warning: " + w));
                }
                live::prepare_model_columns(job->input.dataset, cfg);
                live::Pipeline pipeline(cfg, keys, prompts, cache);
                live::RunOptions options;
                options.cancel = ctx.cancelFlag();
                options.on_progress = [&mailbox](const live::Progress& p) {
                    const std::lock_guard<std::mutex> lock(mailbox->mutex);
                    mailbox->progress = p;
                };
                options.on_event = [&mailbox](const live::CallEvent& e) {
                    mailbox->post(
                        QStringLiteral("%1 · attempt %2 · %3").arg(toQString(e.label)).arg(e.attempt).arg(toQString(e.what)));
                };
                auto result = pipeline.run(job->input.dataset, job->input.dataset.all_rows(), options);
                job->outcomes = std::move(result.rows);
                job->totals = result.totals;
                job->cancelled = result.cancelled;
                if (!result.stopped.empty()) job->error += QString::fromStdString(result.stopped) + QLatin1Char('\n');
                job->transcripts.reserve(job->outcomes.size());
                for (std::size_t i = 0; i < job->outcomes.size(); ++i)
                    job->transcripts.push_back(live::transcribe_row(job->input.dataset, static_cast<data::RowIndex>(i),
                                                                    job->outcomes[i], cfg, prompts));
                for (const auto& w : result.warnings) job->error += QString::fromStdString(w) + QLatin1Char('\n');
            } catch (const std::exception& e) {
                job->error = QString::fromStdString(e.what());
            }
            return job;
        },
        [this](std::shared_ptr<LiveRunResult> done) { onFinished(std::move(done)); });
    return true;
}

void LivePanel::cancel() {
    // Stop, but keep the rows that finished (their calls are paid and cached).
    jobs_->stop(kLiveJob);
}

void LivePanel::waitForFinished(int timeout_ms) {
    jobs_->waitFor(kLiveJob, timeout_ms);
}

void LivePanel::drainMailbox() {
    if (!mailbox_) return;
    std::optional<live::Progress> p;
    QStringList lines;
    {
        const std::lock_guard<std::mutex> lock(mailbox_->mutex);
        p = std::move(mailbox_->progress);
        mailbox_->progress.reset();
        lines.swap(mailbox_->lines);
    }
    for (const QString& line : lines) log_->appendPlainText(line);
    if (p) onProgress(*p);
}

void LivePanel::onProgress(const live::Progress& p) {
    progress_->setMaximum(static_cast<int>(p.rows_total));
    progress_->setValue(static_cast<int>(p.rows_done));
    QStringList parts;
    parts << tr("rows %1/%2").arg(p.rows_done).arg(p.rows_total);
    if (p.rows_failed) parts << tr("%1 failed").arg(p.rows_failed);
    if (config_) {
        for (std::size_t j = 0; j < p.per_model.size() && j < config_->models.size(); ++j) {
            const live::ModelUsage& u = p.per_model[j];
            QString part = tr("%1: %2 calls (%3 cached), %L4 tokens")
                               .arg(toQString(config_->models[j].name))
                               .arg(u.calls)
                               .arg(u.cached)
                               .arg(u.prompt_tokens + u.completion_tokens);
            if (u.rejected) part += tr(", %1 rejected (billed)").arg(u.rejected);
            if (u.failed) part += tr(", %1 failed").arg(u.failed);
            if (u.verify_samples)
                part += tr(", %1 of %2 verifications with a verdict").arg(u.verify_with_verdict).arg(u.verify_samples);
            if (u.ignores_n) part += tr(", server ignores n");
            parts << part;
        }
    }
    QString paid = tr("paid this run %1").arg(money(p.money));
    if (p.money_estimated > 0) paid += tr(" (%1 of it estimated: replies without usage)").arg(money(p.money_estimated));
    parts << paid << tr("rows' total incl. cached calls %1").arg(money(p.money_total));
    if (p.eta_s >= 0 && p.rows_done < p.rows_total) parts << tr("ETA %1 s").arg(std::ceil(p.eta_s));
    status_->setText(parts.join(QStringLiteral(" · ")));
    emit progressChanged(static_cast<int>(p.rows_done), static_cast<int>(p.rows_total));
}

void LivePanel::onFinished(std::shared_ptr<LiveRunResult> job) {
    drainMailbox();
    poll_->stop();
    mailbox_.reset();
    last_ = job;
    if (job->error.isEmpty() || !job->outcomes.empty()) onProgress(job->totals);
    if (!job->error.isEmpty()) {
        status_->setText(status_->text() + QLatin1Char('\n') + job->error.trimmed());
        log_->appendPlainText(job->error.trimmed());
    }
    if (job->cancelled) status_->setText(status_->text() + tr(" · cancelled (finished calls are cached)"));
    fillResults();
    setRunning(false);
    emit resultsLanded(last_);
}

void LivePanel::fillResults() {
    results_->setRowCount(0);
    if (!last_) return;
    const auto& ds = last_->input.dataset;
    results_->setRowCount(static_cast<int>(last_->outcomes.size()));
    for (int i = 0; i < results_->rowCount(); ++i) {
        const auto& o = last_->outcomes[static_cast<std::size_t>(i)];
        const auto r = static_cast<data::RowIndex>(i);
        const live::RowTranscript* t =
            static_cast<std::size_t>(i) < last_->transcripts.size() ? &last_->transcripts[static_cast<std::size_t>(i)] : nullptr;
        QString conf;
        if (!ds.models.empty() && !std::isnan(ds.models[0].verifier_confidence[r]))
            conf = QString::number(ds.models[0].verifier_confidence[r], 'f', 3);
        const QString status = o.done ? (o.final_model > 0 ? tr("escalated") : tr("kept")) : toQString(o.error);
        const QString cash = (o.money_estimated ? QStringLiteral("~") : QString()) + money(o.money);
        const QStringList cells = {toQString(ds.id[r]),
                                   t ? toQString(t->path) : QString(),
                                   t ? toQString(t->answer).trimmed() : QString(),
                                   conf,
                                   t && !std::isnan(t->score) ? QString::number(t->score, 'f', 3) : QString(),
                                   QString::number(o.cost_units),
                                   cash,
                                   t ? QString::number(t->latency_s, 'f', 2) : QString(),
                                   status};
        for (int c = 0; c < cells.size(); ++c) results_->setItem(i, c, new QTableWidgetItem(cells[c]));
    }
    results_->resizeColumnsToContents();
}

void LivePanel::setRunning(bool running) {
    running_ = running;
    runSelected_->setEnabled(!running && config_.has_value());
    runShown_->setEnabled(!running && config_.has_value());
    useRouting_->setEnabled(!running && config_.has_value());
    check_->setEnabled(config_.has_value() && !jobs_->isRunning(kCheckJob));
    ask_->setEnabled(!running && config_.has_value());
    cancelButton_->setEnabled(running);
    save_->setEnabled(!running && last_ != nullptr && !last_->outcomes.empty());
}

bool LivePanel::saveResults(const QString& path, QString* error) const {
    if (!last_ || last_->outcomes.empty()) {
        if (error) *error = tr("Nothing to save yet.");
        return false;
    }
    try {
        live::write_live_output(path.toStdString(), last_->input, last_->outcomes, last_->config);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    return true;
}

QString LivePanel::statusText() const {
    return status_->text();
}
QString LivePanel::logText() const {
    return log_->toPlainText();
}

LivePanel* installLivePanel(PanelHost* window) {
    RoutingState* state = window->routingState();
    auto* panel = new LivePanel([window] { return window->dataset(); },
                                [state]() -> std::vector<data::RowIndex> {
                                    const auto row = state->currentRow();
                                    return row ? std::vector<data::RowIndex>{*row} : std::vector<data::RowIndex>{};
                                },
                                window->hostWidget(), window->jobs());
    panel->setObjectName(QStringLiteral("livePanel"));
    panel->setSourceTag([state] { return state->snapshot()->file.loadId; });
    window->bottomTabs()->addTab(panel, LivePanel::tr("Live"));
    auto show = [window, panel] { window->bottomTabs()->setCurrentWidget(panel); };

    auto runShown = [window, panel, show] {
        show();
        const data::View& rows = window->queryModel()->visibleRows();
        // Every row costs real calls (an answer, k verifications, maybe larger models).
        if (rows.size() > 20 &&
            QMessageBox::question(window->hostWidget(), LivePanel::tr("Run live"),
                                  LivePanel::tr("Run %Ln queries against the endpoints? Each is at least two paid "
                                                "calls; finished calls are cached.",
                                                nullptr, static_cast<int>(rows.size()))) != QMessageBox::Yes)
            return;
        panel->runRows(std::vector<data::RowIndex>(rows.begin(), rows.end()));
    };
    // The routing trained in the toolbar. Parameters are trained per dataset and a live config
    // has one: take the selected query's dataset, else the one the charts show, and say which.
    auto useRouting = [state, panel, show] {
        show();
        const auto snap = state->snapshot();
        int dataset = state->chartDataset();
        if (const auto row = state->currentRow(); row && snap->data) dataset = snap->data->dataset_index[*row];
        const TrainedDataset* trained = state->trainedFor(dataset);
        const bool usable = trained && trained->error.isEmpty();
        panel->useRouting(state->methodName(), usable ? trained->params : nlohmann::json(), state->config().num_bins,
                          snap->datasetName(dataset));
    };
    // Deploy… writes the routing trained for the same dataset as "Use explorer's routing" takes.
    panel->setDeploySource([state] {
        DeploySource src;
        const auto snap = state->snapshot();
        int dataset = state->chartDataset();
        if (const auto row = state->currentRow(); row && snap->data) dataset = snap->data->dataset_index[*row];
        const TrainedDataset* trained = state->trainedFor(dataset);
        if (!snap->data || !state->method() || !trained || !trained->error.isEmpty()) {
            src.error = LivePanel::tr("Nothing to deploy: load data, choose a method and train (or tune) it first.");
            return src;
        }
        src.method = state->methodName();
        src.params = trained->params;
        src.data = snap->data;
        src.trainRows = *trained->trainRows;
        src.config = state->config();
        src.trainedOn = snap->datasetName(dataset);
        return src;
    });
    QObject::connect(panel, &LivePanel::runShownRequested, window->hostWidget(), runShown);
    QObject::connect(panel, &LivePanel::useRoutingRequested, window->hostWidget(), useRouting);

    auto* menu = new QMenu(LivePanel::tr("&Live"), window->hostWidget());
    menu->setObjectName(QStringLiteral("liveMenu"));
    menu->addAction(LivePanel::tr("Open &Models Config…"), panel, [panel, show] {
        show();
        panel->chooseConfig();
    });
    menu->addAction(LivePanel::tr("C&heck Endpoints"), panel, [panel, show] {
        show();
        panel->checkEndpoints();
    });
    menu->addAction(LivePanel::tr("&Use Current Routing Live"), panel, useRouting);
    menu->addAction(LivePanel::tr("&Deploy for automix serve…"), panel, [panel, show] {
        show();
        panel->deploy();
    });
    menu->addSeparator();
    QAction* one = menu->addAction(LivePanel::tr("Run &Selected Query"), panel, [panel, show] {
        show();
        panel->runSelected();
    });
    one->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    menu->addAction(LivePanel::tr("Run All &Rows Shown…"), panel, runShown);
    menu->addAction(LivePanel::tr("&Cancel Live Run"), panel, &LivePanel::cancel);
    menu->addSeparator();
    // The run's rows as a data file of their own: every table, chart and study then shows them.
    menu->addAction(LivePanel::tr("&Open Live Results as Data"), panel, [window, panel] {
        const auto result = panel->lastResult();
        if (!result || result->outcomes.empty()) {
            window->reportError(LivePanel::tr("Open live results"), LivePanel::tr("No live results yet: run some rows first."));
            return;
        }
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
                            QStringLiteral("/live-results");
        QDir().mkpath(dir);
        const QString path =
            dir + QStringLiteral("/run-%1.jsonl").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz")));
        QString error;
        if (!panel->saveResults(path, &error)) {
            window->reportError(LivePanel::tr("Open live results"), error);
            return;
        }
        window->log(LivePanel::tr("Live results saved to %1 and opened").arg(path));
        window->startLoad(path);
    });
    window->addPanelMenu(menu);

    QObject::connect(panel, &LivePanel::resultsLanded, window->hostWidget(), [window, state](std::shared_ptr<const LiveRunResult> r) {
        window->log(LivePanel::tr("Live run: %1 rows%2")
                        .arg(r->outcomes.size())
                        .arg(r->cancelled ? LivePanel::tr(" (cancelled)") : QString()));
        if (r->source_rows.empty()) return;
        std::vector<std::pair<data::RowIndex, live::RowTranscript>> rows;
        for (std::size_t i = 0; i < r->source_rows.size() && i < r->transcripts.size(); ++i)
            if (r->outcomes[i].done || !r->outcomes[i].error.empty()) rows.emplace_back(r->source_rows[i], r->transcripts[i]);
        if (!state->addLiveRows(r->source_tag, std::move(rows)))
            window->log(LivePanel::tr("Live results not shown in the table: another file was opened during the run "
                                      "(they stay in the Live tab)."));
    });
    return panel;
}

QString LivePanel::configPath() const {
    return configPath_->text();
}

}  // namespace automix::ui

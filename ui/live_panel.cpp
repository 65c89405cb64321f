#include "ui/live_panel.hpp"

#include <QCheckBox>
#include <QCoreApplication>
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
#include <mutex>

#include "core/live/prompts.hpp"
#include "core/live/response_cache.hpp"
#include "ui/job_runner.hpp"
#include "ui/main_window.hpp"
#include "ui/query_table_model.hpp"
#include "ui/routing_state.hpp"

namespace automix::ui {

namespace {

QString money(double x) {
    return QStringLiteral("$%1").arg(x, 0, 'f', 4);
}

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

}  // namespace

namespace {
const QString kLiveJob = QStringLiteral("live");
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
    configRow->addWidget(configPath_, 1);
    configRow->addWidget(browse);
    form->addRow(tr("Config"), configRow);
    configStatus_ = new QLabel(tr("No config loaded"), setup);
    configStatus_->setWordWrap(true);
    configStatus_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(QString(), configStatus_);
    keys_ = new QTableWidget(0, 3, setup);
    keys_->setHorizontalHeaderLabels({tr("Model"), tr("Key source"), tr("Key for this session (not saved)")});
    keys_->horizontalHeader()->setStretchLastSection(true);
    keys_->verticalHeader()->hide();
    keys_->setMaximumHeight(120);
    form->addRow(tr("Keys"), keys_);
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
    runSelected_ = new QPushButton(tr("Run selected queries"), runBox);
    runLayout->addWidget(runSelected_);
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
    results_ = new QTableWidget(0, 7, split);
    results_->setHorizontalHeaderLabels(
        {tr("id"), tr("final model"), tr("answer"), tr("confidence"), tr("score"), tr("cost"), tr("status")});
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
    connect(configPath_, &QLineEdit::returnPressed, this, [this] { loadConfig(configPath_->text()); });
    connect(runSelected_, &QPushButton::clicked, this, [this] { runSelected(); });
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
    } catch (const std::exception& e) {
        config_.reset();
        configStatus_->setText(tr("Invalid config:\n%1").arg(QString::fromStdString(e.what())));
        refreshKeys();
        setRunning(running_);
        return false;
    }
    QStringList names;
    for (const auto& m : config_->models) names << qs(m.name);
    configStatus_->setText(tr("%1 models: %2 · verifier k = %3 · %4 %5")
                               .arg(config_->models.size())
                               .arg(names.join(QStringLiteral(" → ")))
                               .arg(config_->verifier.k)
                               .arg(qs(config_->meta_verifier.method), qs(config_->meta_verifier.params.dump())));
    refreshKeys();
    setRunning(running_);
    return true;
}

void LivePanel::refreshKeys() {
    keys_->setRowCount(0);
    if (!config_) return;
    keys_->setRowCount(static_cast<int>(config_->models.size()));
    for (int i = 0; i < keys_->rowCount(); ++i) {
        const auto& m = config_->models[static_cast<std::size_t>(i)];
        keys_->setItem(i, 0, new QTableWidgetItem(qs(m.name)));
        QString source = tr("none needed");
        if (!m.api_key_env.empty()) {
            const char* v = std::getenv(m.api_key_env.c_str());
            source = (v && *v) ? tr("$%1 (set)").arg(qs(m.api_key_env)) : tr("$%1 (not set)").arg(qs(m.api_key_env));
        }
        keys_->setItem(i, 1, new QTableWidgetItem(source));
        auto* edit = new QLineEdit(keys_);
        edit->setEchoMode(QLineEdit::Password);
        edit->setPlaceholderText(tr("type a key to override"));
        const auto it = sessionKeys_.find(m.name);
        if (it != sessionKeys_.end()) edit->setText(qs(it->second));
        const std::string name = m.name;
        connect(edit, &QLineEdit::textChanged, this,
                [this, name](const QString& t) { sessionKeys_[name] = t.toStdString(); });
        keys_->setCellWidget(i, 2, edit);
    }
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
                        QStringLiteral("%1 · attempt %2 · %3").arg(qs(e.label)).arg(e.attempt).arg(qs(e.what)));
                };
                auto result = pipeline.run(job->input.dataset, job->input.dataset.all_rows(), options);
                job->outcomes = std::move(result.rows);
                job->totals = result.totals;
                job->cancelled = result.cancelled;
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
        for (std::size_t j = 0; j < p.per_model.size() && j < config_->models.size(); ++j)
            parts << tr("%1: %2 calls (%3 cached)")
                         .arg(qs(config_->models[j].name))
                         .arg(p.per_model[j].calls)
                         .arg(p.per_model[j].cached);
    }
    parts << money(p.money);
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
        QString model, answer, conf, score;
        if (o.final_model >= 0 && static_cast<std::size_t>(o.final_model) < ds.models.size()) {
            const auto& col = ds.models[static_cast<std::size_t>(o.final_model)];
            model = qs(col.name);
            answer = qs(col.answer[r]);
            if (!std::isnan(col.score[r])) score = QString::number(col.score[r], 'f', 3);
        }
        if (!ds.models.empty() && !std::isnan(ds.models[0].verifier_confidence[r]))
            conf = QString::number(ds.models[0].verifier_confidence[r], 'f', 3);
        const QString status = o.done ? (o.final_model > 0 ? tr("escalated") : tr("kept")) : qs(o.error);
        const QStringList cells = {qs(ds.id[r]), model, answer, conf, score, QString::number(o.cost_units), status};
        for (int c = 0; c < cells.size(); ++c) results_->setItem(i, c, new QTableWidgetItem(cells[c]));
    }
    results_->resizeColumnsToContents();
}

void LivePanel::setRunning(bool running) {
    running_ = running;
    runSelected_->setEnabled(!running && config_.has_value());
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

LivePanel* installLivePanel(MainWindow* window) {
    auto* panel = new LivePanel([window] { return window->dataset(); },
                                [window]() -> std::vector<data::RowIndex> {
                                    const auto row = window->routingState()->currentRow();
                                    return row ? std::vector<data::RowIndex>{*row} : std::vector<data::RowIndex>{};
                                },
                                window, window->jobs());
    panel->setObjectName(QStringLiteral("livePanel"));
    window->bottomTabs()->addTab(panel, LivePanel::tr("Live"));
    auto show = [window, panel] { window->bottomTabs()->setCurrentWidget(panel); };

    auto* menu = new QMenu(LivePanel::tr("&Live"), window);
    menu->setObjectName(QStringLiteral("liveMenu"));
    menu->addAction(LivePanel::tr("Open &Models Config…"), panel, [panel, show] {
        show();
        panel->chooseConfig();
    });
    QAction* one = menu->addAction(LivePanel::tr("Run &Selected Query"), panel, [panel, show] {
        show();
        panel->runSelected();
    });
    one->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    menu->addAction(LivePanel::tr("Run All &Rows Shown…"), panel, [window, panel, show] {
        show();
        const data::View& rows = window->queryModel()->visibleRows();
        // Every row costs real calls (an answer, k verifications, maybe larger models).
        if (rows.size() > 20 &&
            QMessageBox::question(window, LivePanel::tr("Run live"),
                                  LivePanel::tr("Run %Ln queries against the endpoints? Each is at least two paid "
                                                "calls; finished calls are cached.",
                                                nullptr, static_cast<int>(rows.size()))) != QMessageBox::Yes)
            return;
        panel->runRows(std::vector<data::RowIndex>(rows.begin(), rows.end()));
    });
    menu->addAction(LivePanel::tr("&Cancel Live Run"), panel, &LivePanel::cancel);
    QAction* help = nullptr;
    for (QAction* a : window->menuBar()->actions())
        if (a->menu() && QString(a->text()).remove(QLatin1Char('&')) == QObject::tr("Help")) help = a;
    window->menuBar()->insertMenu(help, menu);
    QObject::connect(panel, &LivePanel::resultsLanded, window, [window](std::shared_ptr<const LiveRunResult> r) {
        window->log(LivePanel::tr("Live run: %1 rows%2")
                        .arg(r->outcomes.size())
                        .arg(r->cancelled ? LivePanel::tr(" (cancelled)") : QString()));
    });
    return panel;
}

}  // namespace automix::ui

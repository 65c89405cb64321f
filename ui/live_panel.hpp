#pragma once
// The Live panel: run AutoMix against OpenAI-compatible endpoints from the GUI. Load a models
// config, give keys for this session (typed, or read from the environment; never saved), run
// the selected queries of the loaded data or a typed question, watch progress (per-model
// calls, money, ETA), cancel, read the call log. The work runs in core/live off the GUI
// thread; this widget only adapts it.
#include <QWidget>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/live/live_io.hpp"
#include "core/live/models_config.hpp"
#include "core/live/pipeline.hpp"
#include "core/live/preflight.hpp"
#include "core/live/transcript.hpp"

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTimer;

namespace automix::ui {

// What one run produced: the rows it ran (questions + filled model columns) and per-row
// outcomes; `input.dataset` is a self-contained Dataset every offline view can show.
struct LiveRunResult {
    live::LiveInput input;
    std::vector<live::RowOutcome> outcomes;
    live::Progress totals;
    bool cancelled = false;
    std::vector<data::RowIndex> source_rows;  // rows of the loaded dataset (empty: typed question)
    std::uint64_t source_tag = 0;             // which load of the file source_rows refer to
    std::vector<live::RowTranscript> transcripts;  // aligned with outcomes: what each row did, call by call
    live::ModelsConfig config;                // the config it ran with
    QString error;                            // set when the run could not start
};

// What Deploy… writes besides the Live tab's endpoints: the routing tuned in the explorer and
// what it was trained on (for the belief tables `automix serve` reports).
struct DeploySource {
    QString method, trainedOn;
    nlohmann::json params;
    std::shared_ptr<const data::Dataset> data;
    data::View trainRows;
    routing::Config config;
    QString error;  // why there is nothing to deploy ("" = ready)
};

class JobRunner;
struct LiveMailbox;

class LivePanel : public QWidget {
    Q_OBJECT
  public:
    using DatasetProvider = std::function<const data::Dataset*()>;
    using SelectionProvider = std::function<std::vector<data::RowIndex>()>;

    // Runs go through `jobs` (the window's runner); a panel on its own gets its own runner.
    LivePanel(DatasetProvider dataset, SelectionProvider selection, QWidget* parent = nullptr,
              JobRunner* jobs = nullptr);
    ~LivePanel() override;

    // Loads and validates a models config; problems are shown in the panel and returned.
    bool loadConfig(const QString& path);
    bool hasConfig() const { return config_.has_value(); }
    QString configPath() const;  // the models config named in the panel ("" = none)
    // A key for one model for this session only (overrides its environment variable).
    void setSessionKey(const QString& model, const QString& key);
    void setCacheDirectory(const QString& dir);  // empty = no cache
    // Tags each run on loaded rows with the load it read them from (the window's file load id),
    // so results that land after another file was opened are not shown on its rows.
    void setSourceTag(std::function<std::uint64_t()> tag) { sourceTag_ = std::move(tag); }

    // Checks every endpoint of the config (reachable, key accepted, model served) in the
    // background; results go to the keys table and the status line.
    bool checkEndpoints();
    bool isChecking() const;
    const std::vector<live::PreflightCheck>& lastChecks() const { return checks_; }
    // Replaces the config's meta-verifier (what the explorer trained); false with the reason
    // shown when the config's models cannot run it.
    // `trainedOn` names the dataset the parameters were trained on, for the status line.
    bool useRouting(const QString& method, const nlohmann::json& params, int numBins, const QString& trainedOn = {});

    // Deploy…: the routing tuned in the explorer (the window sets where it comes from).
    void setDeploySource(std::function<DeploySource()> source) { deploySource_ = std::move(source); }
    // Opens the Deploy dialog (child "deployDialog", non-blocking): where to write the models
    // config for `automix serve` (the loaded endpoints, the tuned routing; keys never, only
    // their environment variables) and what goes in; Save writes it.
    void deploy();
    // Writes that config to `path`; "" or why not.
    QString writeDeployConfig(const QString& path) const;

    bool runSelected();  // false (with the reason shown) when a run cannot start
    // Runs these rows of the loaded data (the Live menu's "rows shown").
    bool runRows(std::vector<data::RowIndex> rows);
    void chooseConfig();  // file dialog, then loadConfig
    // Opens the config editor (the loaded file's text, or a template for `automix serve-replay`
    // with the loaded data's models): Apply validates and uses it for this session, Save As
    // writes it. Non-blocking; the editor is the child named "configEditor".
    void editConfig();
    // Validates `text` as a models config and uses it (relative prompt paths resolve against
    // `baseDir`); on failure nothing changes and *error lists every problem.
    bool applyConfigText(const QString& text, const QString& baseDir, QString* error);
    bool runQuestion(const QString& context, const QString& question);
    void cancel();
    bool isRunning() const { return running_; }
    void waitForFinished(int timeout_ms = 60000);

    std::shared_ptr<const LiveRunResult> lastResult() const { return last_; }
    bool saveResults(const QString& path, QString* error = nullptr) const;
    QString statusText() const;
    QString logText() const;

  signals:
    void runStarted();
    // The panel's own buttons for what the window knows: the rows shown in its table, and
    // the routing trained in its toolbar.
    void runShownRequested();
    void useRoutingRequested();
    void progressChanged(int done, int total);
    // Results have landed (also after a cancelled or failed run; see result->cancelled).
    void resultsLanded(std::shared_ptr<const automix::ui::LiveRunResult> result);

  private:
    void buildUi();
    void refreshKeys();
    bool start(std::shared_ptr<LiveRunResult> job);
    void onProgress(const live::Progress& p);
    void drainMailbox();
    void onFinished(std::shared_ptr<LiveRunResult> job);
    void fillResults();
    void setRunning(bool running);
    void showChecks();
    QString configSummary() const;

    DatasetProvider dataset_;
    SelectionProvider selection_;
    std::optional<live::ModelsConfig> config_;
    nlohmann::json configJson_;  // the config as loaded or edited (endpoints for Deploy…)
    std::function<DeploySource()> deploySource_;
    std::map<std::string, std::string> sessionKeys_;  // memory only
    JobRunner* jobs_;
    std::shared_ptr<LiveMailbox> mailbox_;  // progress and log lines of the running job
    QTimer* poll_;
    std::shared_ptr<const LiveRunResult> last_;
    bool running_ = false;
    QString cacheDir_;
    std::function<std::uint64_t()> sourceTag_;
    std::vector<live::PreflightCheck> checks_;

    QLineEdit* configPath_;
    QLabel* configStatus_;
    QTableWidget* keys_;
    QCheckBox* useCache_;
    QLineEdit* cachePath_;
    QPushButton* edit_;
    QPushButton* check_;
    QPushButton* useRouting_;
    QPushButton* deploy_;
    QPushButton* runSelected_;
    QPushButton* runShown_;
    QPlainTextEdit* context_;
    QLineEdit* question_;
    QPushButton* ask_;
    QPushButton* cancelButton_;
    QPushButton* save_;
    QProgressBar* progress_;
    QLabel* status_;
    QPlainTextEdit* log_;
    QTableWidget* results_;
};

class PanelHost;
// Adds the Live tab and the Live menu (open a models config, run the selected query or the rows
// shown, cancel, save) to a main window; runs go through the window's job runner.
LivePanel* installLivePanel(PanelHost* window);

}  // namespace automix::ui

Q_DECLARE_METATYPE(std::shared_ptr<const automix::ui::LiveRunResult>)

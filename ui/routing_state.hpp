#pragma once
// The "current routing" every view listens to: the loaded file, the selected dataset/split
// scope with its costs, the routing method and — after training — the per-dataset parameters,
// the decision of every row and the metrics of the scope.
//
// RoutingState is the only writer. Every change publishes a new immutable Snapshot (shared,
// never modified), so background work captures the snapshot it was started on and the GUI can
// tell, when a result arrives, whether it still describes what is on screen (isCurrent).
// Training and routing are done by core (routing::Method, eval::*); this class only schedules
// them through the window's JobRunner and keeps the results.
#include <QObject>
#include <QString>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/eval/metrics.hpp"
#include "core/live/transcript.hpp"
#include "core/routing/method.hpp"
#include "ui/row_views.hpp"

namespace automix::eval {
class ScoredView;
}

namespace automix::ui {

class JobRunner;

struct ScopeMetrics {
    bool valid = false;                   // false until routed
    bool pending = false;                 // being computed by a background job (a large scope)
    std::size_t rows = 0;                 // rows of the scope
    eval::Metrics values;                 // of the routing over those rows (eval::metric_fields())
    double slmPerf = 0.0, llmPerf = 0.0;  // means of the scope's rows
    QString error;                        // why they could not be computed
};

// What training produced for one dataset of the file.
struct TrainedDataset {
    int datasetIndex = -1;
    // What the parameters were trained on (explain() uses it); shared, so that the copy of the
    // routing every slider step makes does not copy them (ten million rows: 24 MB a step).
    RowViews::Rows trainRows = std::make_shared<const data::View>();
    routing::Params params;
    double trainLift = 0.0;
    std::vector<std::pair<routing::Params, double>> candidates;  // (param, train lift), in order
    QString error;                                               // non-empty when training this dataset failed
    bool manual = false;                                         // params set by hand (slider, chart click)
};

struct Costs {
    double small = 1.0, large = 50.0, verifier = 1.0;
    // Call costs of the models between the cheapest and the largest (3 models and more), in
    // ladder order; empty = the file's.
    std::vector<double> middle = {};
    bool operator==(const Costs&) const = default;
};

// Which file is loaded: its path and a load counter (the same path opened twice is two loads).
struct LoadedFile {
    QString path;
    QString displayName;  // file name, or "demo dataset"
    // What reports name as their input: the path, or for the embedded demo its resource name
    // (never the temporary copy); and the SHA-256 of the decompressed bytes loaded.
    QString reportPath;
    std::string sha256;  // of the decompressed content, as read (sessions check it on reopening)
    qint64 bytes = 0;
    std::uint64_t loadId = 0;
};

// The rows of the scope, shared by every view (the lists themselves come from the file's
// RowViews, so scopes seen before share them too).
struct RowLists {
    RowViews::Rows scopeRows;  // the scope's rows (the table's rows before its filters; the metrics)
    // The charts and the tuning panel work on one dataset at a time (parameters are trained per
    // dataset): the scope's, or with "all datasets" the dataset of the selected row.
    int chartDataset = -1;
    RowViews::Rows chartTrainRows, chartEvalRows;
    QString evalName;  // "val" or "train": which split chartEval is

    const data::View& scope() const { return orNone(scopeRows); }
    const data::View& chartTrain() const { return orNone(chartTrainRows); }
    const data::View& chartEval() const { return orNone(chartEvalRows); }

  private:
    static const data::View& orNone(const RowViews::Rows& rows) {
        static const data::View none;
        return rows ? *rows : none;
    }
};

// Decision of one row: index in the method's model ladder (0 = stayed), -1 = not routed.
using RowDecision = std::int16_t;

struct Routing {
    QString methodName;  // "" = no routing
    routing::MethodPtr method;
    routing::Config config;
    std::vector<int> ladder;  // dataset model indices of the method's ladder
    bool routed = false;
    bool training = false;
    std::vector<RowDecision> decisions;  // per dataset row
    std::vector<TrainedDataset> trained;
    QString lastError;

    // Decision of one dataset row; -1 when not routed.
    int decision(data::RowIndex row) const { return routed && row < decisions.size() ? decisions[row] : -1; }
    // The decisions of `rows`, in their order; none unless every one of them was routed.
    std::optional<routing::Decisions> decisionsOf(const data::View& rows) const;
};

// What changed, for jobs to say what their result depends on.
enum Aspect : unsigned {
    FileAspect = 1u,      // the loaded file
    CostsAspect = 2u,     // call and verification costs
    ScopeAspect = 4u,     // dataset / split of the table
    MethodAspect = 8u,    // the routing method
    RoutingAspect = 16u,  // its parameters and decisions
    // The rows the charts and the tuning panel work on (chart dataset, its train and eval rows):
    // switching the table between "all" and "val" leaves them, and the charts, as they are.
    ChartAspect = 32u,
};
inline constexpr int kAspects = 6;

struct Snapshot {
    std::shared_ptr<const data::Dataset> data;  // null before the first load
    LoadedFile file;
    int scopeDataset = -1;  // -1 = all datasets
    SplitScope split = SplitScope::Val;
    Costs costs;
    std::shared_ptr<const RowLists> rows = std::make_shared<RowLists>();
    std::shared_ptr<const Routing> routing = std::make_shared<Routing>();
    // Of the routing over the scope's rows: in the snapshot, not in the Routing, so that a scope
    // change does not copy the decisions of every row (ten million rows: 20 MB and more).
    ScopeMetrics metrics;
    // One counter per aspect; `generation` changes with any of them.
    std::uint64_t versions[kAspects] = {};
    std::uint64_t generation = 0;

    QString datasetName(int index) const;
    QString splitName() const;
    QString costsText() const;  // "costs 1 / 50, verifier 1"
    // "demo dataset · cnli · val · costs 1 / 50, verifier 1" (+ " · POMDP" with the method):
    // what every chart title and export says it was computed on.
    QString provenance(bool withMethod = false) const;
    // The same for the chart dataset (the one the charts show).
    QString chartProvenance(bool withMethod = false) const;
};
using SnapshotPtr = std::shared_ptr<const Snapshot>;

// Row lists made for a file before it is shown (by the load job, off the GUI thread), with the
// scope they were made for: they are used only if the window still has that scope.
struct ScopedRows {
    int scopeDataset = -1;
    SplitScope split = SplitScope::Val;
    std::shared_ptr<const RowLists> rows;  // null: none made
    std::shared_ptr<RowViews> views;       // the lists they came from
};

// Live results (Live tab) on rows of one loaded file, by dataset row; the latest run wins.
struct LiveRows {
    std::uint64_t loadId = 0;
    std::map<data::RowIndex, live::RowTranscript> rows;
};

class RoutingState : public QObject {
    Q_OBJECT
  public:
    explicit RoutingState(JobRunner* jobs, QObject* parent = nullptr);
    ~RoutingState() override;

    SnapshotPtr snapshot() const { return snap_; }
    // True when none of `aspects` changed since `s` was published.
    bool isCurrent(const Snapshot& s, unsigned aspects) const;
    JobRunner* jobs() const { return jobs_; }

    // --- data and scope
    void setDataset(std::shared_ptr<const data::Dataset> ds, const LoadedFile& file = {}, ScopedRows rows = {});
    // The row lists `ds` gets in `scopeDataset` / `split` when it is loaded. Safe on any thread.
    static ScopedRows rowsForNewFile(std::shared_ptr<const data::Dataset> ds, int scopeDataset, SplitScope split);
    std::shared_ptr<const data::Dataset> datasetPtr() const { return snap_->data; }
    const data::Dataset* dataset() const { return snap_->data.get(); }
    void setScope(int datasetIndex, SplitScope split);
    // The metrics of a routed scope of at least this many rows are computed by a background job
    // (key kScopeMetricsJob) after a scope change; metrics() says `pending` until it ends.
    static constexpr std::size_t kBackgroundMetricsRows = 250'000;
    static inline const QString kScopeMetricsJob = QStringLiteral("scope-metrics");
    void setBackgroundMetricsRows(std::size_t rows) { backgroundMetricsRows_ = rows; }  // tests
    int scopeDataset() const { return snap_->scopeDataset; }  // -1 = all datasets
    SplitScope scopeSplit() const { return snap_->split; }
    const data::View& scopeRows() const { return snap_->rows->scope(); }
    int chartDataset() const { return snap_->rows->chartDataset; }

    // --- method and costs
    void setMethod(const QString& name);  // "" = none
    QString methodName() const { return routing().methodName; }
    routing::MethodPtr method() const { return routing().method; }
    void setCosts(const Costs& c);
    Costs costs() const { return snap_->costs; }
    const routing::Config& config() const { return routing().config; }

    // --- results
    bool isRouted() const { return routing().routed; }
    bool isTraining() const { return routing().training; }
    // Index (within the method's model ladder) of the model whose answer is used:
    // 0 = stay with the small model, > 0 = escalated; -1 = not routed.
    int decision(data::RowIndex row) const { return routing().decision(row); }
    bool escalated(data::RowIndex row) const { return decision(row) > 0; }
    // Dataset model index answering a row (-1 when not routed).
    int answeringModel(data::RowIndex row) const;
    // True when some ladder model scored higher than the one used (stayed although the
    // large model was better), or a cheaper one scored as well (escalated although the
    // small model was as good). For two models: the decision differs from the oracle's.
    bool routingWasWrong(data::RowIndex row) const;
    QString routingMistake(data::RowIndex row) const;  // why it was wrong ("" when it was not)
    bool largeWasBetter(data::RowIndex row) const;
    double rowCost(data::RowIndex row) const;                            // NaN when not routed
    const std::vector<int>& ladder() const { return routing().ladder; }  // dataset model indices
    const TrainedDataset* trainedFor(int datasetIndex) const;
    const std::vector<TrainedDataset>& trained() const { return routing().trained; }
    // Of the scope: one dataset's params or "trained per dataset"; " (manual)" when set by hand.
    QString paramsText() const;
    QString paramsText(data::RowIndex row) const;
    QString explain(data::RowIndex row) const;
    const ScopeMetrics& metrics() const { return snap_->metrics; }
    // The metrics of the current routing over some rows of the loaded file (the tuning panel's
    // train and eval figures); nullopt when `rows` is empty, a row is not routed or the rows
    // cannot be evaluated. Exactly eval::ScoredView::evaluate of a view built anew.
    std::optional<eval::Metrics> routedMetrics(const data::View& rows) const;
    // The confidence bin POMDP-style methods route by (core's nearest bin), or -1 when invalid.
    static int nearestBin(double confidence, int numBins);
    QString lastError() const { return routing().lastError.isEmpty() ? snap_->metrics.error : routing().lastError; }

    // Routes every row of one dataset (-1 = every dataset) with `params` of the current method,
    // at once on the calling thread (the tuning panel and chart clicks; core routes 50k rows in
    // well under a millisecond). Other datasets keep their routing. Returns false, with
    // lastError() set and nothing changed, when the method cannot route those rows.
    bool setParameters(int datasetIndex, const routing::Params& params);
    // Puts back a routing published earlier (undo / redo of a parameter change). False, and
    // nothing changes, when the method or the costs differ from the ones it was made with.
    bool restoreRouting(const std::shared_ptr<const Routing>& earlier);
    // True when a slider or chart click set some dataset's parameters by hand.
    bool hasManualParameters() const;
    // Drops every manual parameter: trains again (the trained parameters come back).
    void resetToTrained();

    // --- linked views (charts, tuning): they set these, the table and drill-down follow.
    // An extra row filter from another view ("bin 3 of the belief chart"); the table applies
    // it on top of its own filters and shows `label` with a way to clear it.
    using RowPredicate = std::function<bool(data::RowIndex)>;
    void setLinkedFilter(const QString& label, RowPredicate predicate);
    void clearLinkedFilter() { setLinkedFilter(QString(), nullptr); }
    const RowPredicate& linkedFilter() const { return linkedFilter_; }
    QString linkedFilterLabel() const { return linkedFilterLabel_; }
    // The query selected in the table (or by another view). With "all datasets" it also picks
    // the dataset the charts show.
    void setCurrentRow(std::optional<data::RowIndex> row);
    std::optional<data::RowIndex> currentRow() const { return currentRow_; }

    // --- live results on rows of the loaded file; dropped when another file loads.
    // Adds (or replaces) rows run on the file with `loadId`; false, and nothing changes, when
    // that file is no longer the loaded one.
    bool addLiveRows(std::uint64_t loadId, std::vector<std::pair<data::RowIndex, live::RowTranscript>> rows);
    std::shared_ptr<const LiveRows> liveRows() const { return live_; }
    const live::RowTranscript* liveRow(data::RowIndex row) const;

  public slots:
    // Trains the method on each dataset's train rows and routes all of that dataset's rows.
    void train();
    // Blocks with a local event loop until a running training has finished (tests).
    void waitForTraining();

  signals:
    void datasetChanged();
    void scopeChanged();
    // The charts' inputs changed: file, chart dataset or its rows, or costs.
    void chartScopeChanged();
    void methodChanged();
    void trainingStarted();
    void trainingFinished(bool ok, const QString& error);
    void routingChanged();
    void linkedFilterChanged();
    void currentRowChanged(std::optional<automix::data::RowIndex> row);
    void liveRowsChanged();
    // Any of the above: the one signal most views need.
    void changed();

  private:
    const Routing& routing() const { return *snap_->routing; }
    // Publishes `next` with the counters of `aspects` advanced.
    void publish(std::shared_ptr<Snapshot> next, unsigned aspects);
    std::shared_ptr<Snapshot> copy() const { return std::make_shared<Snapshot>(*snap_); }
    static std::shared_ptr<const RowLists> makeRows(const Snapshot& s, std::optional<data::RowIndex> current,
                                                    RowViews& views);
    static bool sameChartRows(const RowLists& a, const RowLists& b);
    static std::shared_ptr<Routing> freshRouting(const Snapshot& s, const QString& methodName,
                                                 routing::MethodPtr method);
    // The metrics of `s`'s routing over its scope, into s.metrics.
    void recomputeMetrics(Snapshot& s) const;
    // After a scope change: the scope's metrics in the background when the scope is large.
    bool deferMetrics(Snapshot& s) const;
    void startScopeMetrics();
    std::size_t backgroundMetricsRows_ = kBackgroundMetricsRows;
    // The scores of `rows` gathered for the method's ladder (eval::ScoredView), kept while the
    // file, rows, ladder and costs stay the same — the scope and the tuning panel's train and
    // eval rows: a slider step then only evaluates the new decisions. GUI thread only.
    struct GatheredScores;
    const eval::ScoredView& gatheredScores(const std::shared_ptr<const data::Dataset>& data, const data::View& rows,
                                           const Routing& r) const;
    const eval::ScoredView& keepGathered(GatheredScores g) const;  // newest first, a few kept
    void stopTraining(const QString& error);  // a run failed or was dropped

    JobRunner* jobs_;
    SnapshotPtr snap_ = std::make_shared<Snapshot>();
    std::uint64_t nextLoadId_ = 1;
    RowPredicate linkedFilter_;
    QString linkedFilterLabel_;
    std::optional<data::RowIndex> currentRow_;
    std::shared_ptr<const LiveRows> live_ = std::make_shared<LiveRows>();
    std::shared_ptr<RowViews> views_ = std::make_shared<RowViews>(nullptr);  // of the loaded file
    mutable std::vector<std::unique_ptr<GatheredScores>> gathered_;  // most recently used first
};

}  // namespace automix::ui

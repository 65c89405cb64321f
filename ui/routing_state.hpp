#pragma once
// The "current routing" every view listens to: the loaded dataset, the selected
// dataset/split scope, the routing method with its costs, and — after training — the
// per-dataset parameters, the decision of every row and the metrics of the scope.
// Training and routing are done by core (routing::Method, eval::*); this class only
// schedules them off the GUI thread and keeps the results.
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/data/dataset.hpp"
#include "core/routing/method.hpp"

namespace automix::ui {

enum class SplitScope { Val, Train, All };

struct ScopeMetrics {
    bool valid = false;    // false until routed
    std::size_t rows = 0;  // rows of the scope
    double avgCost = 0.0;  // per query, verifier included (spec §4)
    double avgPerf = 0.0;
    double ibcLift = 0.0;                 // fraction: 0.89 = 89 %
    double escalated = 0.0;               // fraction of rows escalated
    double slmPerf = 0.0, llmPerf = 0.0;  // means of the scope's rows
};

// What training produced for one dataset of the file.
struct TrainedDataset {
    int datasetIndex = -1;
    data::View trainRows;  // what the parameters were trained on (explain() uses it)
    routing::Params params;
    double trainLift = 0.0;
    std::vector<std::pair<routing::Params, double>> candidates;  // (param, train lift), in order
    QString error;                                               // non-empty when training this dataset failed
};

struct Costs {
    double small = 1.0, large = 50.0, verifier = 1.0;
    bool operator==(const Costs&) const = default;
};

class RoutingState : public QObject {
    Q_OBJECT
  public:
    explicit RoutingState(QObject* parent = nullptr);
    ~RoutingState() override;

    // --- data and scope
    void setDataset(std::shared_ptr<const data::Dataset> ds);
    std::shared_ptr<const data::Dataset> datasetPtr() const { return dataset_; }
    const data::Dataset* dataset() const { return dataset_.get(); }
    void setScope(int datasetIndex, SplitScope split);
    int scopeDataset() const { return scopeDataset_; }  // -1 = all datasets
    SplitScope scopeSplit() const { return scopeSplit_; }
    const data::View& scopeRows() const { return scopeRows_; }

    // --- method and costs
    void setMethod(const QString& name);  // "" = none
    QString methodName() const { return methodName_; }
    routing::MethodPtr method() const { return method_; }
    void setCosts(const Costs& c);
    Costs costs() const { return costs_; }
    const routing::Config& config() const { return config_; }

    // --- results
    bool isRouted() const { return routed_; }
    bool isTraining() const { return training_; }
    // Index (within the method's model ladder) of the model whose answer is used:
    // 0 = stay with the small model, > 0 = escalated; -1 = not routed.
    std::int16_t decision(data::RowIndex row) const {
        return routed_ && row < decisions_.size() ? decisions_[row] : std::int16_t(-1);
    }
    bool escalated(data::RowIndex row) const { return decision(row) > 0; }
    // Dataset model index answering a row (-1 when not routed).
    int answeringModel(data::RowIndex row) const;
    // True when some ladder model scored higher than the one used (stayed although the
    // large model was better), or a cheaper one scored as well (escalated although the
    // small model was as good). For two models: the decision differs from the oracle's.
    bool routingWasWrong(data::RowIndex row) const;
    QString routingMistake(data::RowIndex row) const;  // why it was wrong ("" when it was not)
    bool largeWasBetter(data::RowIndex row) const;
    double rowCost(data::RowIndex row) const;                   // NaN when not routed
    const std::vector<int>& ladder() const { return ladder_; }  // dataset model indices
    const TrainedDataset* trainedFor(int datasetIndex) const;
    const std::vector<TrainedDataset>& trained() const { return trained_; }
    QString paramsText() const;  // of the scope: one dataset's params or "per dataset"
    QString paramsText(data::RowIndex row) const;
    QString explain(data::RowIndex row) const;
    const ScopeMetrics& metrics() const { return metrics_; }
    // The confidence bin POMDP-style methods route by (core's nearest bin), or -1 when invalid.
    static int nearestBin(double confidence, int numBins);
    QString lastError() const { return lastError_; }

    // Routes every row of one dataset (-1 = every dataset) with `params` of the current method,
    // at once on the calling thread (the tuning panel and chart clicks; core routes 50k rows in
    // well under a millisecond). Other datasets keep their routing. Returns false, with
    // lastError() set and nothing changed, when the method cannot route those rows.
    bool setParameters(int datasetIndex, const routing::Params& params);

    // --- linked views (charts, tuning): they set these, the table and drill-down follow.
    // An extra row filter from another view ("bin 3 of the belief chart"); the table applies
    // it on top of its own filters and shows `label` with a way to clear it.
    using RowPredicate = std::function<bool(data::RowIndex)>;
    void setLinkedFilter(const QString& label, RowPredicate predicate);
    void clearLinkedFilter() { setLinkedFilter(QString(), nullptr); }
    const RowPredicate& linkedFilter() const { return linkedFilter_; }
    QString linkedFilterLabel() const { return linkedFilterLabel_; }
    // The query selected in the table (or by another view).
    void setCurrentRow(std::optional<data::RowIndex> row);
    std::optional<data::RowIndex> currentRow() const { return currentRow_; }

  public slots:
    // Trains the method on each dataset's train rows and routes all of that dataset's rows.
    void train();
    // Blocks with a local event loop until a running training has finished (tests).
    void waitForTraining();

  signals:
    void datasetChanged();
    void scopeChanged();
    void methodChanged();
    void trainingStarted();
    void trainingFinished(bool ok, const QString& error);
    void routingChanged();
    void linkedFilterChanged();
    void currentRowChanged(std::optional<automix::data::RowIndex> row);
    // Any of the above: the one signal most views need.
    void changed();

  public:
    struct TrainOutput;  // result of one background training run (defined in the .cpp)

  private:
    void clearRouting();
    void syncConfig();
    void recomputeMetrics();
    void onTrainingDone();

    std::shared_ptr<const data::Dataset> dataset_;
    int scopeDataset_ = -1;
    SplitScope scopeSplit_ = SplitScope::Val;
    data::View scopeRows_;
    QString methodName_;
    routing::MethodPtr method_;
    Costs costs_;
    routing::Config config_;

    bool routed_ = false;
    bool training_ = false;
    bool retrainQueued_ = false;
    std::vector<std::int16_t> decisions_;  // per dataset row
    std::vector<int> ladder_;
    std::vector<TrainedDataset> trained_;
    ScopeMetrics metrics_;
    QString lastError_;
    RowPredicate linkedFilter_;
    QString linkedFilterLabel_;
    std::optional<data::RowIndex> currentRow_;
    QFutureWatcher<std::shared_ptr<TrainOutput>>* watcher_ = nullptr;
};

}  // namespace automix::ui

#include "ui/routing_state.hpp"

#include <QEventLoop>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cmath>

#include "core/eval/metrics.hpp"
#include "core/eval/trainer.hpp"
#include "core/routing/bins.hpp"

namespace automix::ui {

// Everything a training run needs, copied so that the worker never touches GUI state.
struct TrainInput {
    std::shared_ptr<const data::Dataset> dataset;
    routing::MethodPtr method;
    routing::Config config;
    Costs costs;
    std::vector<int> datasets;  // dataset indices to train, each on its own train rows
};

struct RoutingState::TrainOutput {
    std::shared_ptr<const data::Dataset> dataset;  // what was trained (stale results are dropped)
    routing::MethodPtr method;
    Costs costs;
    std::vector<std::int16_t> decisions;  // per dataset row, -1 outside the trained datasets
    std::vector<TrainedDataset> trained;
    QString error;
};

namespace {

// Worker thread: per dataset, core's trainer picks the parameter with the best train lift,
// then the method routes every row of that dataset (train and val) with it.
std::shared_ptr<RoutingState::TrainOutput> runTraining(const TrainInput& in) {
    auto out = std::make_shared<RoutingState::TrainOutput>();
    out->dataset = in.dataset;
    out->method = in.method;
    out->costs = in.costs;
    const data::Dataset& ds = *in.dataset;
    const routing::Method& method = *in.method;
    out->decisions.assign(ds.size(), -1);
    const eval::CostModel costs = eval::CostModel::from(in.config);
    QStringList errors;
    for (int d : in.datasets) {
        TrainedDataset t;
        t.datasetIndex = d;
        t.trainRows = ds.rows(d, data::Split::Train);
        const QString name = QString::fromStdString(ds.dataset_names[static_cast<std::size_t>(d)]);
        try {
            if (t.trainRows.empty()) throw std::runtime_error("no train rows");
            const eval::ScoredView train = eval::ScoredView::for_method(ds, t.trainRows, method, costs);
            const eval::TrainResult result = eval::train_method(method, ds, train, in.config);
            t.params = result.best_params();
            t.trainLift = result.train_lift();
            for (const auto& c : result.candidates) t.candidates.emplace_back(c.params, c.metrics.lift);
            data::View all;
            for (std::size_t r = 0; r < ds.size(); ++r)
                if (ds.dataset_index[r] == d) all.push_back(static_cast<data::RowIndex>(r));
            const routing::Decisions decisions = method.route(ds, all, t.params, in.config);
            for (std::size_t i = 0; i < all.size(); ++i)
                out->decisions[all[i]] = static_cast<std::int16_t>(decisions[i]);
        } catch (const std::exception& e) {
            t.error = QString::fromStdString(e.what());
            errors << QStringLiteral("%1: %2").arg(name, t.error);
        }
        out->trained.push_back(std::move(t));
    }
    out->error = errors.join(QStringLiteral("; "));
    return out;
}

}  // namespace

RoutingState::RoutingState(QObject* parent) : QObject(parent) {
    watcher_ = new QFutureWatcher<std::shared_ptr<TrainOutput>>(this);
    connect(watcher_, &QFutureWatcher<std::shared_ptr<TrainOutput>>::finished, this, &RoutingState::onTrainingDone);
}

RoutingState::~RoutingState() {
    watcher_->waitForFinished();
}

void RoutingState::setDataset(std::shared_ptr<const data::Dataset> ds) {
    dataset_ = std::move(ds);
    currentRow_.reset();
    linkedFilter_ = nullptr;
    linkedFilterLabel_.clear();
    clearRouting();
    syncConfig();
    if (dataset_ && scopeDataset_ >= static_cast<int>(dataset_->dataset_names.size())) scopeDataset_ = -1;
    scopeRows_.clear();
    emit datasetChanged();
    setScope(scopeDataset_, scopeSplit_);
    emit changed();
}

void RoutingState::setScope(int datasetIndex, SplitScope split) {
    scopeDataset_ = datasetIndex;
    scopeSplit_ = split;
    scopeRows_.clear();
    if (dataset_) {
        if (split == SplitScope::All) {
            for (std::size_t r = 0; r < dataset_->size(); ++r)
                if (datasetIndex < 0 || dataset_->dataset_index[r] == datasetIndex)
                    scopeRows_.push_back(static_cast<data::RowIndex>(r));
        } else {
            scopeRows_ = dataset_->rows(datasetIndex, split == SplitScope::Val ? data::Split::Val : data::Split::Train);
        }
    }
    recomputeMetrics();
    emit scopeChanged();
    emit changed();
}

void RoutingState::setMethod(const QString& name) {
    if (name == methodName_ && (name.isEmpty() || method_)) return;
    methodName_ = name;
    method_ = name.isEmpty() ? nullptr : routing::find_method(name.toStdString());
    if (method_) methodName_ = QString::fromStdString(method_->name());
    clearRouting();
    syncConfig();
    lastError_ = (!name.isEmpty() && !method_) ? tr("unknown method %1").arg(name) : QString();
    emit methodChanged();
    emit routingChanged();
    emit changed();
}

void RoutingState::setCosts(const Costs& c) {
    if (c == costs_) return;
    costs_ = c;
    syncConfig();
    // Costs change which candidate has the best lift: the old decisions no longer hold.
    const bool had = routed_;
    clearRouting();
    if (had) emit routingChanged();
    emit changed();
}

void RoutingState::syncConfig() {
    // One cost per dataset model: the file's, with the cheapest and the largest model's taken
    // from the toolbar.
    config_.call_costs.clear();
    if (dataset_)
        for (const auto& m : dataset_->models) config_.call_costs.push_back(m.call_cost);
    if (config_.call_costs.size() < 2) config_.call_costs.resize(2, 0.0);
    config_.call_costs.front() = costs_.small;
    config_.call_costs.back() = costs_.large;
    config_.verifier_cost = costs_.verifier;
    ladder_.clear();
    if (dataset_ && method_) ladder_ = eval::ScoredView::ladder_for(*dataset_, *method_);
}

void RoutingState::clearRouting() {
    routed_ = false;
    decisions_.clear();
    trained_.clear();
    metrics_ = {};
}

void RoutingState::train() {
    if (!dataset_ || !method_) return;
    if (training_) {
        retrainQueued_ = true;  // settings changed mid-run: run again with the new ones
        return;
    }
    TrainInput in;
    in.dataset = dataset_;
    in.method = method_;
    in.config = config_;
    in.costs = costs_;
    // Every dataset is trained (each on its own train rows, as in the paper), so switching the
    // scope never needs a new run.
    for (std::size_t d = 0; d < dataset_->dataset_names.size(); ++d) in.datasets.push_back(static_cast<int>(d));
    training_ = true;
    lastError_.clear();
    emit trainingStarted();
    emit changed();
    watcher_->setFuture(QtConcurrent::run([in] { return runTraining(in); }));
}

void RoutingState::waitForTraining() {
    while (training_) {
        QEventLoop loop;
        connect(this, &RoutingState::trainingFinished, &loop, &QEventLoop::quit);
        loop.exec();
    }
}

void RoutingState::onTrainingDone() {
    std::shared_ptr<TrainOutput> out = watcher_->result();
    training_ = false;
    const bool stale = !out || out->dataset != dataset_ || out->method != method_ || !(out->costs == costs_);
    if (retrainQueued_ || stale) {
        retrainQueued_ = false;
        emit trainingFinished(false, QString());
        if (dataset_ && method_) train();
        return;
    }
    decisions_ = std::move(out->decisions);
    trained_ = std::move(out->trained);
    lastError_ = out->error;
    routed_ = out->error.isEmpty() || std::any_of(decisions_.begin(), decisions_.end(), [](auto d) { return d >= 0; });
    recomputeMetrics();
    emit trainingFinished(out->error.isEmpty(), out->error);
    emit routingChanged();
    emit changed();
}

bool RoutingState::setParameters(int datasetIndex, const routing::Params& params) {
    if (!dataset_ || !method_) return false;
    const data::Dataset& ds = *dataset_;
    std::vector<std::int16_t> decisions = decisions_;
    if (decisions.size() != ds.size()) decisions.assign(ds.size(), -1);
    std::vector<TrainedDataset> trained = trained_;
    for (std::size_t d = 0; d < ds.dataset_names.size(); ++d) {
        if (datasetIndex >= 0 && static_cast<int>(d) != datasetIndex) continue;
        data::View all;
        for (std::size_t r = 0; r < ds.size(); ++r)
            if (ds.dataset_index[r] == d) all.push_back(static_cast<data::RowIndex>(r));
        try {
            const routing::Decisions routed = method_->route(ds, all, params, config_);
            for (std::size_t i = 0; i < all.size(); ++i) decisions[all[i]] = static_cast<std::int16_t>(routed[i]);
        } catch (const std::exception& e) {
            lastError_ = QString::fromStdString(e.what());
            return false;
        }
        auto it = std::find_if(trained.begin(), trained.end(),
                               [&](const TrainedDataset& t) { return t.datasetIndex == static_cast<int>(d); });
        if (it == trained.end()) {
            TrainedDataset t;
            t.datasetIndex = static_cast<int>(d);
            t.trainRows = ds.rows(static_cast<int>(d), data::Split::Train);
            trained.push_back(std::move(t));
            it = trained.end() - 1;
        }
        it->params = params;
        it->error.clear();
    }
    decisions_ = std::move(decisions);
    trained_ = std::move(trained);
    routed_ = true;
    lastError_.clear();
    recomputeMetrics();
    emit routingChanged();
    emit changed();
    return true;
}

const TrainedDataset* RoutingState::trainedFor(int datasetIndex) const {
    for (const auto& t : trained_)
        if (t.datasetIndex == datasetIndex) return &t;
    return nullptr;
}

int RoutingState::answeringModel(data::RowIndex row) const {
    const auto d = decision(row);
    return d < 0 || static_cast<std::size_t>(d) >= ladder_.size() ? -1 : ladder_[static_cast<std::size_t>(d)];
}

bool RoutingState::largeWasBetter(data::RowIndex row) const {
    if (!dataset_ || row >= dataset_->size() || dataset_->model_count() == 0) return false;
    return dataset_->large().score[row] > dataset_->small().score[row];
}

bool RoutingState::routingWasWrong(data::RowIndex row) const {
    return !routingMistake(row).isEmpty();
}

QString RoutingState::routingMistake(data::RowIndex row) const {
    const int used = answeringModel(row);
    if (used < 0) return {};
    auto name = [this](int m) {
        const auto& mc = dataset_->models[static_cast<std::size_t>(m)];
        return QString::fromStdString(mc.display_name.empty() ? mc.name : mc.display_name);
    };
    const double usedScore = dataset_->models[static_cast<std::size_t>(used)].score[row];
    const auto d = static_cast<std::size_t>(decision(row));
    // A better answer anywhere on the ladder outranks "paid too much".
    for (std::size_t level = 0; level < ladder_.size(); ++level)
        if (dataset_->models[static_cast<std::size_t>(ladder_[level])].score[row] > usedScore)
            return tr("%1 scored higher").arg(name(ladder_[level]));
    for (std::size_t level = 0; level < d && level < ladder_.size(); ++level)
        if (dataset_->models[static_cast<std::size_t>(ladder_[level])].score[row] >= usedScore)
            return tr("the cheaper %1 was as good").arg(name(ladder_[level]));
    return {};
}

double RoutingState::rowCost(data::RowIndex row) const {
    const auto d = decision(row);
    if (d < 0) return std::nan("");
    // Every model up the ladder to the answering one was called, plus one verification (spec §4).
    double cost = config_.verifier_cost;
    for (std::size_t level = 0; level <= static_cast<std::size_t>(d) && level < ladder_.size(); ++level)
        cost += config_.call_costs[static_cast<std::size_t>(ladder_[level])];
    return cost;
}

void RoutingState::setLinkedFilter(const QString& label, RowPredicate predicate) {
    linkedFilterLabel_ = predicate ? label : QString();
    linkedFilter_ = std::move(predicate);
    emit linkedFilterChanged();
    emit changed();
}

void RoutingState::setCurrentRow(std::optional<data::RowIndex> row) {
    if (row == currentRow_) return;
    currentRow_ = row;
    emit currentRowChanged(row);
}

int RoutingState::nearestBin(double confidence, int numBins) {
    return routing::Bins(numBins).nearest(confidence);
}

void RoutingState::recomputeMetrics() {
    metrics_ = {};
    metrics_.rows = scopeRows_.size();
    if (!routed_ || !dataset_ || !method_ || scopeRows_.empty()) return;
    routing::Decisions decisions;
    decisions.reserve(scopeRows_.size());
    for (data::RowIndex r : scopeRows_) {
        if (decision(r) < 0) return;  // part of the scope was not routed (its training failed)
        decisions.push_back(static_cast<routing::ModelIndex>(decision(r)));
    }
    try {
        const eval::ScoredView view =
            eval::ScoredView::for_method(*dataset_, scopeRows_, *method_, eval::CostModel::from(config_));
        const eval::Metrics m = view.evaluate(decisions);
        metrics_.valid = true;
        metrics_.avgCost = m.avg_cost;
        metrics_.avgPerf = m.avg_perf;
        metrics_.ibcLift = m.lift;
        metrics_.escalated = m.escalated_fraction;
        metrics_.slmPerf = view.mean_score(0);
        metrics_.llmPerf = view.mean_score(view.levels() - 1);
    } catch (const std::exception& e) {
        lastError_ = QString::fromStdString(e.what());
    }
}

QString RoutingState::paramsText() const {
    if (!routed_ || !method_) return {};
    if (scopeDataset_ >= 0) {
        const TrainedDataset* t = trainedFor(scopeDataset_);
        return t && t->error.isEmpty() ? QString::fromStdString(method_->describe(t->params, config_)) : QString();
    }
    return tr("trained per dataset");
}

QString RoutingState::paramsText(data::RowIndex row) const {
    if (!routed_ || !method_ || !dataset_) return {};
    const TrainedDataset* t = trainedFor(dataset_->dataset_index[row]);
    return t && t->error.isEmpty() ? QString::fromStdString(method_->describe(t->params, config_)) : QString();
}

QString RoutingState::explain(data::RowIndex row) const {
    if (decision(row) < 0) return {};
    const TrainedDataset* t = trainedFor(dataset_->dataset_index[row]);
    if (!t) return {};
    try {
        return QString::fromStdString(method_->explain(*dataset_, t->trainRows, row, t->params, config_));
    } catch (const std::exception& e) {
        return tr("(cannot explain: %1)").arg(QString::fromStdString(e.what()));
    }
}

}  // namespace automix::ui

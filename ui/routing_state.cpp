#include "ui/routing_state.hpp"

#include <QFileInfo>
#include <algorithm>
#include <cmath>

#include "core/eval/metrics.hpp"
#include "core/eval/trainer.hpp"
#include "core/routing/bins.hpp"
#include "ui/job_runner.hpp"

namespace automix::ui {

namespace {

const QString kTrainJob = QStringLiteral("train");
const QString kFileLiveJob = QStringLiteral("file-live-rows");

QString number(double x) {
    return QString::number(x, 'g', 6);
}

struct TrainOutput {
    std::vector<RowDecision> decisions;  // per dataset row, -1 outside the trained datasets
    std::vector<TrainedDataset> trained;
    QString error;
};

data::View rowsOfDataset(const data::Dataset& ds, int d) {
    data::View all;
    for (std::size_t r = 0; r < ds.size(); ++r)
        if (ds.dataset_index[r] == d) all.push_back(static_cast<data::RowIndex>(r));
    return all;
}

// Worker thread: per dataset, core's trainer picks the parameter with the best train lift,
// then the method routes every row of that dataset (train and val) with it. Reads only the
// snapshot it was given.
TrainOutput runTraining(const Snapshot& s, JobContext& job) {
    TrainOutput out;
    const data::Dataset& ds = *s.data;
    const Routing& r = *s.routing;
    const routing::Method& method = *r.method;
    out.decisions.assign(ds.size(), RowDecision(-1));
    const eval::CostModel costs = eval::CostModel::from(r.config);
    QStringList errors;
    for (std::size_t d = 0; d < ds.dataset_names.size(); ++d) {
        job.checkCancelled();
        job.progress(d, ds.dataset_names.size());
        TrainedDataset t;
        t.datasetIndex = static_cast<int>(d);
        t.trainRows = std::make_shared<const data::View>(ds.measured(ds.rows(t.datasetIndex, data::Split::Train)));
        try {
            if (t.trainRows->empty()) throw std::runtime_error("no train rows");
            // Every row of the dataset is routed, train and val (a live row's scores may be unknown).
            const data::View all = rowsOfDataset(ds, t.datasetIndex);
            const eval::Fit fit = eval::fit_and_route(
                method, ds, eval::ScoredView::for_method(ds, *t.trainRows, method, costs), all, r.config);
            t.params = fit.train.best_params();
            t.trainLift = fit.train.train_lift();
            for (const auto& c : fit.train.candidates) t.candidates.emplace_back(c.params, c.metrics.lift);
            for (std::size_t i = 0; i < all.size(); ++i)
                out.decisions[all[i]] = static_cast<RowDecision>(fit.decisions[i]);
        } catch (const std::exception& e) {
            t.error = QString::fromStdString(e.what());
            errors << QStringLiteral("%1: %2").arg(s.datasetName(t.datasetIndex), t.error);
        }
        out.trained.push_back(std::move(t));
    }
    out.error = errors.join(QStringLiteral("; "));
    return out;
}

}  // namespace

// ---------------------------------------------------------------- Snapshot

QString Snapshot::datasetName(int index) const {
    if (!data || index < 0 || static_cast<std::size_t>(index) >= data->dataset_names.size())
        return QObject::tr("all datasets");
    return QString::fromStdString(data->dataset_names[static_cast<std::size_t>(index)]);
}

QString Snapshot::splitName() const {
    switch (split) {
    case SplitScope::Val: return QStringLiteral("val");
    case SplitScope::Train: return QStringLiteral("train");
    case SplitScope::All: return QStringLiteral("all splits");
    }
    return {};
}

QString Snapshot::costsText() const {
    if (data && data->model_count() > 2) {
        QStringList parts;
        for (double c : routing->config.call_costs) parts << number(c);
        return QObject::tr("costs %1, verifier %2").arg(parts.join(QStringLiteral(" / ")), number(costs.verifier));
    }
    return QObject::tr("costs %1 / %2, verifier %3")
        .arg(number(costs.small), number(costs.large), number(costs.verifier));
}

QString Snapshot::provenance(bool withMethod) const {
    if (!data) return QObject::tr("no data");
    QStringList parts{file.displayName, datasetName(scopeDataset), splitName(), costsText()};
    if (withMethod && routing->method) parts << routing->methodName;
    return parts.join(QStringLiteral(" · "));
}

QString Snapshot::chartProvenance(bool withMethod) const {
    if (!data) return QObject::tr("no data");
    QStringList parts{file.displayName, datasetName(rows->chartDataset), rows->evalName, costsText()};
    if (withMethod && routing->method) parts << routing->methodName;
    return parts.join(QStringLiteral(" · "));
}

// ---------------------------------------------------------------- RoutingState

struct RoutingState::GatheredScores {
    std::shared_ptr<const data::Dataset> data;
    std::vector<int> ladder;
    eval::CostModel costs;
    eval::ScoredView view;  // holds the rows it was gathered for
};

RoutingState::RoutingState(JobRunner* jobs, QObject* parent) : QObject(parent), jobs_(jobs) {
    // A training run that failed or was dropped (superseded, cancelled) must not leave the state
    // saying "training" forever.
    jobs_->follow(kTrainJob, this,
                  {{},
                   [this](const QString& message) { stopTraining(message); },
                   [this](bool delivered) {
                       if (!delivered && !jobs_->isRunning(kTrainJob)) stopTraining({});
                   }});
}

void RoutingState::stopTraining(const QString& error) {
    if (!isTraining()) return;
    auto next = copy();
    auto r = std::make_shared<Routing>(*next->routing);
    r->training = false;
    if (!error.isEmpty()) r->lastError = error;
    next->routing = r;
    publish(next, RoutingAspect);
    emit trainingFinished(false, error);
    emit changed();
}

bool RoutingState::isCurrent(const Snapshot& s, unsigned aspects) const {
    for (int i = 0; i < kAspects; ++i)
        if ((aspects & (1u << i)) && s.versions[i] != snap_->versions[i]) return false;
    return true;
}

void RoutingState::publish(std::shared_ptr<Snapshot> next, unsigned aspects) {
    for (int i = 0; i < kAspects; ++i)
        if (aspects & (1u << i)) ++next->versions[i];
    next->generation = snap_->generation + 1;
    snap_ = std::move(next);
}

std::shared_ptr<const RowLists> RoutingState::makeRows(const Snapshot& s, std::optional<data::RowIndex> current,
                                                       RowViews& views) {
    auto rows = std::make_shared<RowLists>();
    const data::Dataset* ds = s.data.get();
    if (!ds) return rows;
    rows->scopeRows = views.scope(s.scopeDataset, s.split);
    if (ds->dataset_names.empty()) return rows;
    if (s.scopeDataset >= 0)
        rows->chartDataset = s.scopeDataset;
    else if (current && *current < ds->size())
        rows->chartDataset = ds->dataset_index[*current];
    else if (s.rows->chartDataset >= 0 && static_cast<std::size_t>(s.rows->chartDataset) < ds->dataset_names.size())
        rows->chartDataset = s.rows->chartDataset;  // keep what the charts show when the selection goes
    else
        rows->chartDataset = 0;
    rows->chartTrainRows = views.measured(rows->chartDataset, SplitScope::Train);
    if (s.split == SplitScope::Train) {
        rows->chartEvalRows = rows->chartTrainRows;
        rows->evalName = QStringLiteral("train");
    } else {
        rows->chartEvalRows = views.measured(rows->chartDataset, SplitScope::Val);
        rows->evalName = QStringLiteral("val");
    }
    return rows;
}

std::shared_ptr<Routing> RoutingState::freshRouting(const Snapshot& s, const QString& methodName,
                                                    routing::MethodPtr method) {
    auto r = std::make_shared<Routing>();
    r->methodName = methodName;
    r->method = std::move(method);
    // One cost per dataset model: the file's, with the cheapest and the largest model's taken
    // from the toolbar.
    routing::Config& cfg = r->config;
    if (s.data) cfg = routing::Config::for_dataset(*s.data);
    if (cfg.call_costs.size() < 2) cfg.call_costs.resize(2, 0.0);
    cfg.call_costs.front() = s.costs.small;
    cfg.call_costs.back() = s.costs.large;
    if (s.costs.middle.size() + 2 == cfg.call_costs.size())
        std::copy(s.costs.middle.begin(), s.costs.middle.end(), cfg.call_costs.begin() + 1);
    cfg.verifier_cost = s.costs.verifier;
    if (s.data && r->method) {
        try {
            r->ladder = eval::ScoredView::ladder_for(*s.data, *r->method);
        } catch (const std::exception& e) {
            r->lastError = QString::fromStdString(e.what());
        }
    }
    return r;
}

bool RoutingState::sameChartRows(const RowLists& a, const RowLists& b) {
    // The lists come from the file's RowViews: the same rows are the same list.
    return a.chartDataset == b.chartDataset && a.evalName == b.evalName && a.chartTrainRows == b.chartTrainRows &&
           a.chartEvalRows == b.chartEvalRows;
}

ScopedRows RoutingState::rowsForNewFile(std::shared_ptr<const data::Dataset> ds, int scopeDataset, SplitScope split) {
    Snapshot s;
    s.data = std::move(ds);
    s.scopeDataset = s.data && scopeDataset < static_cast<int>(s.data->dataset_names.size()) ? scopeDataset : -1;
    s.split = split;
    auto views = std::make_shared<RowViews>(s.data);
    auto rows = makeRows(s, std::nullopt, *views);
    return {s.scopeDataset, split, std::move(rows), std::move(views)};
}

void RoutingState::setDataset(std::shared_ptr<const data::Dataset> ds, const LoadedFile& file, ScopedRows made) {
    jobs_->cancel(kTrainJob);
    // Nothing of the previous file stays in memory through the caches.
    gathered_.clear();
    auto next = copy();
    next->data = std::move(ds);
    next->file = file;
    next->file.loadId = nextLoadId_++;
    if (next->file.displayName.isEmpty() && next->data)
        next->file.displayName = QFileInfo(QString::fromStdString(next->data->source_path)).fileName();
    if (next->data && next->scopeDataset >= static_cast<int>(next->data->dataset_names.size())) next->scopeDataset = -1;
    currentRow_.reset();
    linkedFilter_ = nullptr;
    linkedFilterLabel_.clear();
    live_ = std::make_shared<LiveRows>();
    next->rows = std::make_shared<RowLists>();  // no chart dataset carried over from another file
    const bool viewsForThis = made.views && made.views->data() == next->data;
    const bool madeForThis =
        viewsForThis && made.rows && made.scopeDataset == next->scopeDataset && made.split == next->split;
    views_ = viewsForThis ? std::move(made.views) : std::make_shared<RowViews>(next->data);
    next->rows = madeForThis ? std::move(made.rows) : makeRows(*next, std::nullopt, *views_);
    next->routing = freshRouting(*next, routing().methodName, routing().method);
    recomputeMetrics(*next);
    publish(next, FileAspect | ScopeAspect | ChartAspect | RoutingAspect);
    emit datasetChanged();
    emit scopeChanged();
    emit chartScopeChanged();
    emit routingChanged();
    emit liveRowsChanged();
    emit changed();
    // Rows that record a live run (an `automix run` output, `automix serve`'s request log)
    // show what that run did in the live columns and the drill-down, as after a Live tab run.
    jobs_->cancel(kFileLiveJob);
    if (const SnapshotPtr snap = snap_; snap->data) {
        using LiveList = std::vector<std::pair<data::RowIndex, live::RowTranscript>>;
        jobs_->start<LiveList>(
            kFileLiveJob, {this, [this, snap] { return isCurrent(*snap, FileAspect); }},
            [snap](JobContext& job) { return live::transcripts_from_data(*snap->data, job.cancelFlag()); },
            [this, loadId = snap->file.loadId](LiveList rows) {
                if (!rows.empty()) addLiveRows(loadId, std::move(rows));
            });
    }
}

bool RoutingState::addLiveRows(std::uint64_t loadId,
                               std::vector<std::pair<data::RowIndex, live::RowTranscript>> rows) {
    if (!snap_->data || loadId != snap_->file.loadId) return false;
    auto next = std::make_shared<LiveRows>(*live_);
    next->loadId = loadId;
    for (auto& [row, t] : rows)
        if (row < snap_->data->size()) next->rows[row] = std::move(t);
    live_ = std::move(next);
    emit liveRowsChanged();
    emit changed();
    return true;
}

const live::RowTranscript* RoutingState::liveRow(data::RowIndex row) const {
    const auto it = live_->rows.find(row);
    return it == live_->rows.end() ? nullptr : &it->second;
}

void RoutingState::setScope(int datasetIndex, SplitScope split) {
    auto next = copy();
    next->scopeDataset = datasetIndex;
    next->split = split;
    next->rows = makeRows(*next, currentRow_, *views_);
    const bool later = deferMetrics(*next);
    if (!later) recomputeMetrics(*next);
    const bool chartMoved = !sameChartRows(*snap_->rows, *next->rows);
    publish(next, ScopeAspect | (chartMoved ? ChartAspect : 0u));
    if (later) startScopeMetrics();
    emit scopeChanged();
    if (chartMoved) emit chartScopeChanged();
    emit changed();
}

void RoutingState::setMethod(const QString& name) {
    if (name == methodName() && (name.isEmpty() || method())) return;
    jobs_->cancel(kTrainJob);
    routing::MethodPtr m = name.isEmpty() ? nullptr : routing::find_method(name.toStdString());
    auto next = copy();
    next->routing = [&] {
        auto r = freshRouting(*next, m ? QString::fromStdString(m->name()) : name, m);
        if (!name.isEmpty() && !m) r->lastError = tr("unknown method %1").arg(name);
        return r;
    }();
    recomputeMetrics(*next);
    publish(next, MethodAspect | RoutingAspect);
    emit methodChanged();
    emit routingChanged();
    emit changed();
}

void RoutingState::setCosts(const Costs& c) {
    if (c == costs()) return;
    // Costs change which candidate has the best lift: the old decisions no longer hold.
    jobs_->cancel(kTrainJob);
    auto next = copy();
    next->costs = c;
    next->routing = freshRouting(*next, methodName(), method());
    recomputeMetrics(*next);
    const bool had = isRouted();
    publish(next, CostsAspect | RoutingAspect);
    emit chartScopeChanged();
    if (had) emit routingChanged();
    emit changed();
}

void RoutingState::train() {
    if (!dataset() || !method()) return;
    auto next = copy();
    auto r = std::make_shared<Routing>(routing());
    r->training = true;
    r->lastError.clear();
    next->routing = r;
    publish(next, RoutingAspect);
    // Every dataset is trained (each on its own train rows, as in the paper), so switching the
    // scope never needs a new run. The result holds while file, costs and method are the same.
    const SnapshotPtr snap = snap_;
    jobs_->start<TrainOutput>(
        kTrainJob, {this, [this, snap] { return isCurrent(*snap, FileAspect | CostsAspect | MethodAspect); }},
        [snap](JobContext& job) { return runTraining(*snap, job); },
        [this](TrainOutput out) {
            auto done = copy();
            auto routed = std::make_shared<Routing>(routing());
            routed->training = false;
            routed->decisions = std::move(out.decisions);
            routed->trained = std::move(out.trained);
            routed->lastError = out.error;
            routed->routed = out.error.isEmpty() || std::any_of(routed->decisions.begin(), routed->decisions.end(),
                                                                [](RowDecision d) { return d >= 0; });
            done->routing = routed;
            recomputeMetrics(*done);
            publish(done, RoutingAspect);
            emit trainingFinished(out.error.isEmpty(), out.error);
            emit routingChanged();
            emit changed();
        });
    emit trainingStarted();
    emit changed();
}

void RoutingState::waitForTraining() {
    while (isTraining()) jobs_->waitFor(kTrainJob);
}

bool RoutingState::setParameters(int datasetIndex, const routing::Params& params) {
    const data::Dataset* ds = dataset();
    if (!ds || !method()) return false;
    auto r = std::make_shared<Routing>(routing());
    if (r->decisions.size() != ds->size()) r->decisions.assign(ds->size(), RowDecision(-1));
    for (std::size_t d = 0; d < ds->dataset_names.size(); ++d) {
        if (datasetIndex >= 0 && static_cast<int>(d) != datasetIndex) continue;
        const data::View& all = *views_->ofDataset(static_cast<int>(d));
        try {
            const routing::Decisions routed = r->method->route(*ds, all, params, r->config);
            for (std::size_t i = 0; i < all.size(); ++i) r->decisions[all[i]] = static_cast<RowDecision>(routed[i]);
        } catch (const std::exception& e) {
            auto failed = copy();
            auto kept = std::make_shared<Routing>(routing());
            kept->lastError = QString::fromStdString(e.what());
            failed->routing = kept;
            snap_ = failed;  // only the message changed: no version moves
            return false;
        }
        auto it = std::find_if(r->trained.begin(), r->trained.end(),
                               [&](const TrainedDataset& t) { return t.datasetIndex == static_cast<int>(d); });
        if (it == r->trained.end()) {
            TrainedDataset t;
            t.datasetIndex = static_cast<int>(d);
            t.trainRows = views_->measured(static_cast<int>(d), SplitScope::Train);
            r->trained.push_back(std::move(t));
            it = r->trained.end() - 1;
        }
        it->params = params;
        it->error.clear();
        it->manual = true;
    }
    r->routed = true;
    r->lastError.clear();
    auto next = copy();
    next->routing = r;
    recomputeMetrics(*next);
    publish(next, RoutingAspect);
    emit routingChanged();
    emit changed();
    return true;
}

bool RoutingState::restoreRouting(const std::shared_ptr<const Routing>& earlier) {
    if (!earlier || !dataset() || earlier->methodName != methodName() ||
        earlier->config.call_costs != config().call_costs || earlier->config.verifier_cost != config().verifier_cost ||
        earlier->training || earlier->decisions.size() != dataset()->size())
        return false;
    jobs_->cancel(kTrainJob);
    auto r = std::make_shared<Routing>(*earlier);
    auto next = copy();
    next->routing = r;
    recomputeMetrics(*next);  // the scope may have changed since
    publish(next, RoutingAspect);
    emit routingChanged();
    emit changed();
    return true;
}

const TrainedDataset* RoutingState::trainedFor(int datasetIndex) const {
    for (const auto& t : routing().trained)
        if (t.datasetIndex == datasetIndex) return &t;
    return nullptr;
}

int RoutingState::answeringModel(data::RowIndex row) const {
    const int d = decision(row);
    const auto& ladder = routing().ladder;
    return d < 0 || static_cast<std::size_t>(d) >= ladder.size() ? -1 : ladder[static_cast<std::size_t>(d)];
}

bool RoutingState::largeWasBetter(data::RowIndex row) const {
    const data::Dataset* ds = dataset();
    if (!ds || row >= ds->size() || ds->model_count() == 0) return false;
    return ds->large().score[row] > ds->small().score[row];
}

bool RoutingState::routingWasWrong(data::RowIndex row) const {
    return !routingMistake(row).isEmpty();
}

QString RoutingState::routingMistake(data::RowIndex row) const {
    const int used = answeringModel(row);
    if (used < 0) return {};
    const data::Dataset& ds = *dataset();
    const auto& ladder = routing().ladder;
    auto name = [&ds](int m) {
        const auto& mc = ds.models[static_cast<std::size_t>(m)];
        return QString::fromStdString(mc.display_name.empty() ? mc.name : mc.display_name);
    };
    const double usedScore = ds.models[static_cast<std::size_t>(used)].score[row];
    const auto d = static_cast<std::size_t>(decision(row));
    // A better answer anywhere on the ladder outranks "paid too much".
    for (std::size_t level = 0; level < ladder.size(); ++level)
        if (ds.models[static_cast<std::size_t>(ladder[level])].score[row] > usedScore)
            return tr("%1 scored higher").arg(name(ladder[level]));
    for (std::size_t level = 0; level < d && level < ladder.size(); ++level)
        if (ds.models[static_cast<std::size_t>(ladder[level])].score[row] >= usedScore)
            return tr("the cheaper %1 was as good").arg(name(ladder[level]));
    return {};
}

double RoutingState::rowCost(data::RowIndex row) const {
    const int d = decision(row);
    if (d < 0) return std::nan("");
    const routing::Config& cfg = config();
    const auto& ladder = routing().ladder;
    // Every model up the ladder to the answering one was called, plus one verification.
    double cost = cfg.verifier_cost;
    for (std::size_t level = 0; level <= static_cast<std::size_t>(d) && level < ladder.size(); ++level)
        cost += cfg.call_costs[static_cast<std::size_t>(ladder[level])];
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
    // With "all datasets" the charts follow the dataset of the selected row.
    const data::Dataset* ds = dataset();
    if (ds && scopeDataset() < 0 && row && *row < ds->size() && ds->dataset_index[*row] != chartDataset()) {
        auto next = copy();
        next->rows = makeRows(*next, row, *views_);
        publish(next, ChartAspect);
        emit chartScopeChanged();
    }
    emit currentRowChanged(row);
}

int RoutingState::nearestBin(double confidence, int numBins) {
    return routing::Bins(numBins).nearest(confidence);
}

const eval::ScoredView& RoutingState::gatheredScores(const std::shared_ptr<const data::Dataset>& data,
                                                     const data::View& rows, const Routing& r) const {
    std::vector<int> ladder = eval::ScoredView::ladder_for(*data, *r.method);
    const eval::CostModel costs = eval::CostModel::from(r.config);
    for (auto it = gathered_.begin(); it != gathered_.end(); ++it) {
        const GatheredScores& g = **it;
        if (g.data == data && g.ladder == ladder && g.costs.call_costs == costs.call_costs &&
            g.costs.verifier_cost == costs.verifier_cost && g.view.rows() == rows) {
            std::rotate(gathered_.begin(), it, it + 1);
            return gathered_.front()->view;
        }
    }
    eval::ScoredView view(*data, rows, ladder, costs);  // may throw: nothing is kept then
    return keepGathered(GatheredScores{data, std::move(ladder), costs, std::move(view)});
}

const eval::ScoredView& RoutingState::keepGathered(GatheredScores g) const {
    // The scope and the tuning panel's train and eval rows are what a slider step evaluates.
    constexpr std::size_t kKept = 3;
    gathered_.insert(gathered_.begin(), std::make_unique<GatheredScores>(std::move(g)));
    if (gathered_.size() > kKept) gathered_.pop_back();
    return gathered_.front()->view;
}

std::optional<routing::Decisions> Routing::decisionsOf(const data::View& rows) const {
    if (!routed) return std::nullopt;
    routing::Decisions out(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const int d = decision(rows[i]);
        if (d < 0) return std::nullopt;
        out[i] = static_cast<routing::Decisions::value_type>(d);
    }
    return out;
}

std::optional<eval::Metrics> RoutingState::routedMetrics(const data::View& rows) const {
    const Routing& r = routing();
    if (!snap_->data || !r.method || !r.routed || rows.empty()) return std::nullopt;
    const std::optional<routing::Decisions> decisions = r.decisionsOf(rows);
    if (!decisions) return std::nullopt;
    try {
        return gatheredScores(snap_->data, rows, r).evaluate(*decisions);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

namespace {

// The rows a scope's metrics are over: rows a routed live run left without some model's score
// are shown, not measured. `kept` holds them when some are left out.
const data::View& measuredScope(const Snapshot& s, data::View& kept) {
    if (!s.data || s.data->unmeasured.empty()) return s.rows->scope();
    kept = s.data->measured(s.rows->scope());
    return kept;
}

void fillMetrics(ScopeMetrics& m, const eval::ScoredView& view, const routing::Decisions& decisions) {
    m.values = view.evaluate(decisions);
    m.valid = true;
    m.slmPerf = view.mean_score(0);
    m.llmPerf = view.mean_score(view.levels() - 1);
}

// A scope's metrics computed off the GUI thread, with the scores it gathered (kept by the
// state afterwards, so the first slider step on the new scope does not gather them again).
struct ScopeMetricsOutput {
    ScopeMetrics metrics;
    std::vector<int> ladder;
    eval::CostModel costs;
    std::optional<eval::ScoredView> view;
};

ScopeMetricsOutput computeScopeMetrics(const Snapshot& s, JobContext& job) {
    ScopeMetricsOutput out;
    const Routing& r = *s.routing;
    data::View kept;
    const data::View& rows = measuredScope(s, kept);
    out.metrics.rows = rows.size();
    if (rows.empty()) return out;  // as recomputeMetrics: nothing to measure
    const std::optional<routing::Decisions> decisions = r.decisionsOf(rows);
    if (!decisions) return out;
    job.checkCancelled();
    try {
        out.ladder = eval::ScoredView::ladder_for(*s.data, *r.method);
        out.costs = eval::CostModel::from(r.config);
        out.view.emplace(*s.data, rows, out.ladder, out.costs);
        job.checkCancelled();
        fillMetrics(out.metrics, *out.view, *decisions);
    } catch (const JobCancelled&) {
        throw;
    } catch (const std::exception& e) {
        out.metrics.error = QString::fromStdString(e.what());
        out.view.reset();
    }
    return out;
}

}  // namespace

void RoutingState::recomputeMetrics(Snapshot& s) const {
    const Routing& r = *s.routing;
    s.metrics = {};
    if (!r.routed || !s.data || !r.method) {
        s.metrics.rows = s.rows->scope().size();
        return;
    }
    data::View kept;
    const data::View& rows = measuredScope(s, kept);
    s.metrics.rows = rows.size();
    if (rows.empty()) return;
    const std::optional<routing::Decisions> decisions = r.decisionsOf(rows);
    if (!decisions) return;  // part of the scope was not routed (its training failed)
    try {
        fillMetrics(s.metrics, gatheredScores(s.data, rows, r), *decisions);
    } catch (const std::exception& e) {
        s.metrics.error = QString::fromStdString(e.what());
    }
}

bool RoutingState::deferMetrics(Snapshot& s) const {
    const Routing& r = *s.routing;
    if (!r.routed || !s.data || !r.method || s.rows->scope().size() < backgroundMetricsRows_) return false;
    s.metrics = {};
    s.metrics.rows = s.rows->scope().size();
    s.metrics.pending = true;
    return true;
}

void RoutingState::startScopeMetrics() {
    // Ten million rows: gathering the scope's scores and evaluating them took a third of a
    // scope change on the GUI thread. The result belongs to this scope, routing and costs only.
    const SnapshotPtr snap = snap_;
    constexpr unsigned kDependsOn = FileAspect | CostsAspect | ScopeAspect | MethodAspect | RoutingAspect;
    jobs_->start<std::shared_ptr<ScopeMetricsOutput>>(
        kScopeMetricsJob, {this, [this, snap] { return isCurrent(*snap, kDependsOn); }},
        [snap](JobContext& job) { return std::make_shared<ScopeMetricsOutput>(computeScopeMetrics(*snap, job)); },
        [this, snap](std::shared_ptr<ScopeMetricsOutput> out) {
            if (out->view) keepGathered({snap->data, std::move(out->ladder), out->costs, std::move(*out->view)});
            auto next = copy();
            next->metrics = std::move(out->metrics);
            snap_ = next;  // figures derived from what is published: no version moves
            emit changed();
        });
}

RoutingState::~RoutingState() = default;

QString RoutingState::paramsText() const {
    if (!isRouted() || !method()) return {};
    if (scopeDataset() >= 0) {
        const TrainedDataset* t = trainedFor(scopeDataset());
        if (!t || !t->error.isEmpty()) return {};
        const QString params = QString::fromStdString(method()->describe(t->params, config()));
        return t->manual ? tr("%1 (manual)").arg(params) : params;
    }
    const auto manual = std::count_if(routing().trained.begin(), routing().trained.end(),
                                      [](const TrainedDataset& t) { return t.manual; });
    return manual == 0 ? tr("trained per dataset")
                       : tr("per dataset, %n set by hand (manual)", nullptr, static_cast<int>(manual));
}

bool RoutingState::hasManualParameters() const {
    return std::any_of(routing().trained.begin(), routing().trained.end(),
                       [](const TrainedDataset& t) { return t.manual; });
}

void RoutingState::resetToTrained() {
    if (hasManualParameters() && !isTraining()) train();
}

QString RoutingState::paramsText(data::RowIndex row) const {
    if (!isRouted() || !method() || !dataset()) return {};
    const TrainedDataset* t = trainedFor(dataset()->dataset_index[row]);
    if (!t || !t->error.isEmpty()) return {};
    const QString params = QString::fromStdString(method()->describe(t->params, config()));
    return t->manual ? tr("%1 (manual)").arg(params) : params;
}

QString RoutingState::explain(data::RowIndex row) const {
    if (decision(row) < 0) return {};
    const TrainedDataset* t = trainedFor(dataset()->dataset_index[row]);
    if (!t) return {};
    try {
        return QString::fromStdString(method()->explain(*dataset(), *t->trainRows, row, t->params, config()));
    } catch (const std::exception& e) {
        return tr("(cannot explain: %1)").arg(QString::fromStdString(e.what()));
    }
}

}  // namespace automix::ui

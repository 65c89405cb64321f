#include "ui/compare_routing.hpp"

#include <QAction>
#include <QActionGroup>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/eval/metrics.hpp"
#include "core/eval/trainer.hpp"
#include "ui/drill_down_panel.hpp"
#include "ui/filter_bar.hpp"
#include "ui/job_runner.hpp"
#include "ui/panel_host.hpp"
#include "ui/query_table_model.hpp"

namespace automix::ui {

namespace {
const QString kCompareJob = QStringLiteral("compare");
constexpr unsigned kCompareAspects = FileAspect | CostsAspect;
}  // namespace

CompareRouting::CompareRouting(RoutingState* state, QObject* parent) : QObject(parent), state_(state) {
    setObjectName(QStringLiteral("compareRouting"));
    // A new file or new costs: B is trained again (or its frozen parameters re-applied).
    connect(state_, &RoutingState::datasetChanged, this, [this] {
        frozenParams_.clear();
        if (frozen_) stop();  // frozen parameters belong to the file they were set on
        else if (isActive()) start({});
    });
    connect(state_, &RoutingState::chartScopeChanged, this, [this] {
        if (isActive() && resultSnap_ && !state_->isCurrent(*resultSnap_, kCompareAspects))
            start(frozen_ ? frozenParams_ : std::map<int, routing::Params>{});
    });
}

void CompareRouting::compareWith(const QString& method) {
    if (method.isEmpty()) return stop();
    method_ = routing::find_method(method.toStdString());
    if (!method_) return stop();
    methodName_ = QString::fromStdString(method_->name());
    frozen_ = false;
    frozenParams_.clear();
    start({});
}

void CompareRouting::freezeCurrent() {
    if (!state_->method() || !state_->isRouted()) return;
    method_ = state_->method();
    methodName_ = state_->methodName();
    frozen_ = true;
    frozenParams_.clear();
    for (const TrainedDataset& t : state_->trained())
        if (t.error.isEmpty()) frozenParams_[t.datasetIndex] = t.params;
    start(frozenParams_);
}

void CompareRouting::stop() {
    state_->jobs()->cancel(kCompareJob);
    methodName_.clear();
    method_.reset();
    frozen_ = false;
    frozenParams_.clear();
    result_.reset();
    resultSnap_.reset();
    emit changed();
}

bool CompareRouting::isComputing() const {
    return state_->jobs()->isRunning(kCompareJob);
}

void CompareRouting::waitUntilDone() {
    state_->jobs()->waitFor(kCompareJob);
}

QString CompareRouting::label() const {
    if (!isActive()) return {};
    return frozen_ ? tr("%1 (frozen parameters)").arg(methodName_) : methodName_;
}

void CompareRouting::start(const std::map<int, routing::Params>& fixed) {
    result_.reset();
    resultSnap_.reset();
    emit changed();
    const SnapshotPtr snap = state_->snapshot();
    if (!snap->data || !method_) return;
    RoutingState* state = state_;
    const routing::MethodPtr method = method_;
    state_->jobs()->start<std::shared_ptr<const Result>>(
        kCompareJob, {this, [state, snap] { return state->isCurrent(*snap, kCompareAspects); }},
        [snap, method, fixed](JobContext& job) {
            const data::Dataset& ds = *snap->data;
            routing::Config cfg = snap->routing->config;
            auto out = std::make_shared<Result>();
            out->decisions.assign(ds.size(), RowDecision(-1));
            out->ladder = eval::ScoredView::ladder_for(ds, *method);
            QStringList errors;
            for (std::size_t d = 0; d < ds.dataset_names.size(); ++d) {
                job.checkCancelled();
                job.progress(d, ds.dataset_names.size());
                const int di = static_cast<int>(d);
                eval::RoutingChoice choice{method, std::nullopt};
                if (const auto it = fixed.find(di); it != fixed.end()) choice.params = it->second;
                const data::View train = ds.measured(ds.rows(di, data::Split::Train));
                data::View all;
                for (std::size_t r = 0; r < ds.size(); ++r)
                    if (ds.dataset_index[r] == di) all.push_back(static_cast<data::RowIndex>(r));
                try {
                    const eval::ChoiceRouting routed = eval::route_choice(ds, train, all, choice, cfg);
                    for (std::size_t i = 0; i < all.size(); ++i)
                        out->decisions[all[i]] = static_cast<RowDecision>(routed.decisions[i]);
                    out->params[di] = routed.params;
                    out->trainRows[di] = train;
                } catch (const std::exception& e) {
                    errors << QStringLiteral("%1: %2").arg(QString::fromStdString(ds.dataset_names[d]),
                                                           QString::fromStdString(e.what()));
                }
            }
            out->error = errors.join(QStringLiteral("; "));
            return std::shared_ptr<const Result>(std::move(out));
        },
        [this, snap](std::shared_ptr<const Result> r) {
            result_ = std::move(r);
            resultSnap_ = snap;
            emit changed();
        });
}

int CompareRouting::decision(data::RowIndex row) const {
    return result_ && row < result_->decisions.size() ? result_->decisions[row] : -1;
}

int CompareRouting::answeringModel(data::RowIndex row) const {
    const int d = decision(row);
    return d < 0 || static_cast<std::size_t>(d) >= result_->ladder.size() ? -1
                                                                           : result_->ladder[static_cast<std::size_t>(d)];
}

QString CompareRouting::paramsText(data::RowIndex row) const {
    const data::Dataset* ds = state_->dataset();
    if (!result_ || !ds || !method_ || row >= ds->size()) return {};
    const auto it = result_->params.find(ds->dataset_index[row]);
    return it == result_->params.end() ? QString()
                                       : QString::fromStdString(method_->describe(it->second, state_->config()));
}

QString CompareRouting::explain(data::RowIndex row) const {
    const data::Dataset* ds = state_->dataset();
    if (decision(row) < 0 || !ds || !method_) return {};
    const int d = ds->dataset_index[row];
    const auto p = result_->params.find(d);
    const auto t = result_->trainRows.find(d);
    if (p == result_->params.end() || t == result_->trainRows.end()) return {};
    try {
        return QString::fromStdString(method_->explain(*ds, t->second, row, p->second, state_->config()));
    } catch (const std::exception& e) {
        return tr("(cannot explain: %1)").arg(QString::fromStdString(e.what()));
    }
}

eval::CompareCounts CompareRouting::counts(const data::View& rows) const {
    std::vector<bool> a, b, oracle;
    const data::Dataset* ds = state_->dataset();
    if (!ds || !result_) return {};
    for (data::RowIndex r : rows) {
        if (state_->decision(r) < 0 || decision(r) < 0) continue;
        a.push_back(state_->escalated(r));
        b.push_back(escalated(r));
        oracle.push_back(eval::oracle_escalates(*ds, r));
    }
    return eval::count_decisions(a, b, oracle);
}

bool CompareRouting::inGroup(data::RowIndex row, Group g) const {
    if (state_->decision(row) < 0 || decision(row) < 0) return false;
    const bool a = state_->escalated(row), b = escalated(row);
    switch (g) {
    case Group::Both: return a && b;
    case Group::OnlyA: return a && !b;
    case Group::OnlyB: return !a && b;
    case Group::Neither: return !a && !b;
    case Group::Differ: return a != b;
    }
    return false;
}

std::optional<eval::Metrics> CompareRouting::figures(const data::View& rows) const {
    const data::Dataset* ds = state_->dataset();
    if (!ds || !result_ || !method_ || rows.empty()) return std::nullopt;
    routing::Decisions d;
    d.reserve(rows.size());
    for (data::RowIndex r : rows) {
        const int v = decision(r);
        if (v < 0) return std::nullopt;
        d.push_back(static_cast<routing::ModelIndex>(v));
    }
    try {
        const auto view =
            eval::ScoredView::for_method(*ds, rows, *method_, eval::CostModel::from(state_->config()));
        return view.evaluate(d);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// ---------------------------------------------------------------- the bar above the table

namespace {

class CompareBar : public QWidget {
  public:
    CompareBar(PanelHost* window, CompareRouting* compare) : QWidget(window->hostWidget()), window_(window), compare_(compare) {
        setObjectName(QStringLiteral("compareBar"));
        auto* layout = new QHBoxLayout(this);
        layout->setContentsMargins(0, 0, 0, 0);
        title_ = new QLabel(this);
        title_->setObjectName(QStringLiteral("compareTitle"));
        layout->addWidget(title_);
        const QList<std::pair<CompareRouting::Group, QString>> groups = {
            {CompareRouting::Group::Differ, QStringLiteral("compareDiffer")},
            {CompareRouting::Group::Both, QStringLiteral("compareBoth")},
            {CompareRouting::Group::OnlyA, QStringLiteral("compareOnlyA")},
            {CompareRouting::Group::OnlyB, QStringLiteral("compareOnlyB")},
            {CompareRouting::Group::Neither, QStringLiteral("compareNeither")}};
        for (const auto& [group, name] : groups) {
            auto* b = new QToolButton(this);
            b->setObjectName(name);
            b->setCheckable(true);
            b->setAutoRaise(true);
            connect(b, &QToolButton::clicked, this, [this, group = group, b](bool on) { filterBy(on ? group : std::optional<CompareRouting::Group>(), b); });
            buttons_.push_back({group, b});
            layout->addWidget(b);
        }
        auto* close = new QToolButton(this);
        close->setObjectName(QStringLiteral("compareStop"));
        close->setText(QStringLiteral("×"));
        close->setToolTip(tr("Stop comparing"));
        connect(close, &QToolButton::clicked, compare_, &CompareRouting::stop);
        layout->addStretch(1);
        layout->addWidget(close);
        connect(compare_, &CompareRouting::changed, this, &CompareBar::refresh);
        connect(window_->routingState(), &RoutingState::changed, this, &CompareBar::refresh);
        refresh();
    }

  private:
    void filterBy(std::optional<CompareRouting::Group> g, QToolButton* pressed) {
        for (const auto& [group, b] : buttons_)
            if (b != pressed) b->setChecked(false);
        RoutingState* state = window_->routingState();
        if (!g) {
            state->clearLinkedFilter();
            return;
        }
        CompareRouting* compare = compare_;
        const CompareRouting::Group group = *g;
        state->setLinkedFilter(tr("%1 (A = %2, B = %3)").arg(groupName(group), state->methodName(), compare_->label()),
                               [compare, group](data::RowIndex r) { return compare->inGroup(r, group); });
    }

    static QString groupName(CompareRouting::Group g) {
        switch (g) {
        case CompareRouting::Group::Differ: return tr("decisions differ");
        case CompareRouting::Group::Both: return tr("both escalate");
        case CompareRouting::Group::OnlyA: return tr("only A escalates");
        case CompareRouting::Group::OnlyB: return tr("only B escalates");
        case CompareRouting::Group::Neither: return tr("neither escalates");
        }
        return {};
    }

    void refresh() {
        setVisible(compare_->isActive());
        if (!compare_->isActive()) return;
        RoutingState* state = window_->routingState();
        title_->setText(tr("<b>A</b> %1 · <b>B</b> %2%3")
                            .arg(state->methodName().toHtmlEscaped(), compare_->label().toHtmlEscaped(),
                                 compare_->isComputing() ? tr(" — training B…") : QString()));
        const eval::CompareCounts c = compare_->counts(state->scopeRows());
        const bool ready = c.total() > 0;
        for (const auto& [group, b] : buttons_) {
            std::size_t n = 0, oracle = 0;
            switch (group) {
            case CompareRouting::Group::Differ: n = c.differ(), oracle = c.oracle_only_a + c.oracle_only_b; break;
            case CompareRouting::Group::Both: n = c.both, oracle = c.oracle_both; break;
            case CompareRouting::Group::OnlyA: n = c.only_a, oracle = c.oracle_only_a; break;
            case CompareRouting::Group::OnlyB: n = c.only_b, oracle = c.oracle_only_b; break;
            case CompareRouting::Group::Neither: n = c.neither, oracle = c.oracle_neither; break;
            }
            b->setText(ready ? tr("%1 %L2 (oracle %L3)").arg(groupName(group)).arg(n).arg(oracle) : groupName(group));
            b->setToolTip(tr("Show only the rows of the scope where %1; in brackets how many of them the oracle "
                             "escalates (a larger model scores higher than the first)")
                              .arg(groupName(group)));
            b->setEnabled(ready);
        }
    }

    PanelHost* window_;
    CompareRouting* compare_;
    QLabel* title_;
    QList<std::pair<CompareRouting::Group, QToolButton*>> buttons_;
};

}  // namespace

CompareRouting* installCompareRouting(PanelHost* window) {
    auto* compare = new CompareRouting(window->routingState(), window->hostWidget());
    // The bar goes right under the filter bar, above the table.
    if (auto* layout = qobject_cast<QVBoxLayout*>(window->queryTable()->parentWidget()->layout()))
        layout->insertWidget(layout->indexOf(window->filterBar()) + 1, new CompareBar(window, compare));
    window->queryModel()->setCompare(compare);
    window->drillDown()->setCompare(compare);
    // The drill-down shows B's decision and reason beside A's.
    QObject::connect(compare, &CompareRouting::changed, window->drillDown(), [window] {
        window->drillDown()->showRow(window->routingState()->currentRow());
    });

    QMenu* methodMenu = window->menu(WindowMenu::Method);
    QMenu* menu = methodMenu->addMenu(QObject::tr("&Compare With"));
    menu->setObjectName(QStringLiteral("compareMenu"));
    QAction* off = menu->addAction(QObject::tr("(no comparison)"), compare, &CompareRouting::stop);
    off->setObjectName(QStringLiteral("compareOff"));
    QAction* freeze = menu->addAction(QObject::tr("Current Routing, &Frozen"), compare, &CompareRouting::freezeCurrent);
    freeze->setObjectName(QStringLiteral("compareFrozen"));
    freeze->setToolTip(QObject::tr("B keeps the parameters of now; move A (slider, chart click) to compare the same "
                                   "method with another parameter"));
    menu->addSeparator();
    for (const std::string& name : routing::method_names()) {
        const QString method = QString::fromStdString(name);
        QAction* a = menu->addAction(method, compare, [compare, method] { compare->compareWith(method); });
        a->setObjectName(QStringLiteral("compareWith:") + method);
    }
    QObject::connect(menu, &QMenu::aboutToShow, menu, [window, freeze] {
        freeze->setEnabled(window->routingState()->isRouted());
    });
    return compare;
}

}  // namespace automix::ui

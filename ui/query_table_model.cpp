#include "ui/query_table_model.hpp"

#include <QColor>
#include <QFont>
#include <QLocale>
#include <algorithm>
#include <cmath>
#include <functional>

#include "core/data/text_search.hpp"
#include "ui/compare_routing.hpp"
#include "ui/job_runner.hpp"
#include "ui/qt_text.hpp"
#include "ui/routing_state.hpp"

namespace automix::ui {

namespace {

// NaN sorts before every number, so missing values gather at one end.
int compareNumbers(double a, double b) {
    const bool na = std::isnan(a), nb = std::isnan(b);
    if (na || nb) return na == nb ? 0 : (na ? -1 : 1);
    return a < b ? -1 : (b < a ? 1 : 0);
}

QString formatScore(double v) {
    return std::isnan(v) ? QStringLiteral("—") : QString::number(v, 'f', 3);
}

}  // namespace

QueryTableModel::QueryTableModel(RoutingState* state, QObject* parent) : QAbstractTableModel(parent), state_(state) {
    connect(state_, &RoutingState::datasetChanged, this, [this] {
        // A new file can have a different number of models, hence columns.
        beginResetModel();
        models_ = state_->dataset() ? static_cast<int>(state_->dataset()->model_count()) : 0;
        liveColumns_ = !state_->liveRows()->rows.empty();
        sortColumn_ = -1;
        visible_ = std::make_shared<const data::View>();
        matches_.reset();  // of the previous file
        endResetModel();
        rebuild();
    });
    connect(state_, &RoutingState::scopeChanged, this, &QueryTableModel::rebuild);
    connect(state_, &RoutingState::routingChanged, this, &QueryTableModel::onRoutingChanged);
    connect(state_, &RoutingState::linkedFilterChanged, this, &QueryTableModel::rebuild);
    connect(state_, &RoutingState::liveRowsChanged, this, [this] {
        const bool want = !state_->liveRows()->rows.empty();
        if (want != liveColumns_) {
            beginResetModel();
            liveColumns_ = want;
            endResetModel();
            emit rowsRefreshed();
        } else if (liveColumns_ && !visible_->empty()) {
            emit dataChanged(index(0, liveColumn(LivePath)), index(rowCount() - 1, liveColumn(LiveLatency)));
        }
    });
}

std::size_t QueryTableModel::scopeSize() const {
    return state_->scopeRows().size();
}

int QueryTableModel::confidenceColumn() const {
    return FirstScore + models_;
}

int QueryTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(visible_->size());
}

int QueryTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() || !state_->dataset() ? 0 : compareColumn() + (compareColumn_ ? 1 : 0);
}

void QueryTableModel::setCompare(CompareRouting* compare) {
    compare_ = compare;
    connect(compare_, &CompareRouting::changed, this, [this] {
        const bool want = compare_->isActive();
        if (want != compareColumn_) {
            beginResetModel();
            compareColumn_ = want;
            endResetModel();
        }
        rebuild();  // B's decisions feed the comparison filters
    });
}

bool QueryTableModel::hasCompareColumn() const {
    return compareColumn_;
}

QString QueryTableModel::compareText(data::RowIndex r) const {
    const int d = compare_ ? compare_->decision(r) : -1;
    if (d < 0) return QStringLiteral("—");
    if (d == 0) return tr("stay");
    const data::Dataset* ds = state_->dataset();
    const int m = compare_->answeringModel(r);
    if (!ds || m < 0 || ds->model_count() <= 2) return tr("escalate");
    const auto& model = ds->models[static_cast<std::size_t>(m)];
    return QStringLiteral("→ %1").arg(QString::fromStdString(model.display_name.empty() ? model.name : model.display_name));
}

QVariant QueryTableModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal) return {};
    const data::Dataset* ds = state_->dataset();
    if (!ds) return {};
    if (role == Qt::DisplayRole) {
        if (section == Id) return tr("id");
        if (section == DatasetName) return tr("dataset");
        if (section == SplitName) return tr("split");
        if (section == Question) return tr("question");
        if (section >= FirstScore && section < confidenceColumn()) {
            const auto& m = ds->models[static_cast<std::size_t>(section - FirstScore)];
            return QString::fromStdString(m.display_name.empty() ? m.name : m.display_name);
        }
        if (section == confidenceColumn()) return tr("conf");
        if (section == categoryColumn()) return tr("category");
        if (compareColumn_ && section == compareColumn()) return tr("B decision");
        if (section == decisionColumn()) return tr("decision");
        if (section == costColumn()) return tr("cost");
        if (section == liveColumn(LivePath)) return tr("live path");
        if (section == liveColumn(LiveModel)) return tr("live model");
        if (section == liveColumn(LiveAnswer)) return tr("live answer");
        if (section == liveColumn(LiveMoney)) return tr("live $");
        if (section == liveColumn(LiveLatency)) return tr("live s");
    }
    if (role == Qt::ToolTipRole) {
        if (section >= FirstScore && section < confidenceColumn())
            return tr("Score of this model's answer against the gold answer (token F1, or option "
                      "letter for multiple choice), in [0, 1].");
        if (section == confidenceColumn())
            return tr("Verifier confidence of the small model: #samples saying \"the AI generated "
                      "answer is correct\" / #samples with a verdict.");
        if (section == categoryColumn())
            return tr("Hidden difficulty category (NEEDY: small < large; GOOD: equal and non-zero; "
                      "HOPELESS: both at or below their 10th percentile; else UNDEFINED).");
        if (section == decisionColumn()) return tr("Decision of the current routing method.");
        if (section == costColumn())
            return tr("Cost paid for this query: small call + verification, plus the large call when "
                      "escalated.");
        if (compareColumn_ && section == compareColumn())
            return tr("Decision of the compared routing B (Method ▸ Compare With); the decision column is A's.");
        if (section > costColumn())
            return tr("Result of the last live run of this query (Live tab): models asked, the model whose "
                      "answer is final, that answer, its money (~ = estimated: a reply had no usage) and "
                      "the seconds its calls took.");
    }
    return {};
}

QVariant QueryTableModel::data(const QModelIndex& index, int role) const {
    const data::Dataset* ds = state_->dataset();
    if (!ds || !index.isValid() || index.row() >= static_cast<int>(visible_->size())) return {};
    const data::RowIndex r = (*visible_)[static_cast<std::size_t>(index.row())];
    const int c = index.column();
    if (role == RowIndexRole) return QVariant::fromValue<quint32>(r);
    if (role == Qt::DisplayRole) {
        if (c == Id) return toQString(ds->id[r]);
        if (c == DatasetName)
            return QString::fromUtf8(ds->dataset_name(r).data(), static_cast<qsizetype>(ds->dataset_name(r).size()));
        if (c == SplitName) {
            const auto s = data::to_string(ds->split[r]);
            return QString::fromLatin1(s.data(), static_cast<qsizetype>(s.size()));
        }
        if (c == Question) {
            // Only what fits on one line is ever painted; the view elides the rest.
            const std::string_view q = ds->question[r];
            QString text = QString::fromUtf8(q.data(), static_cast<qsizetype>(std::min<std::size_t>(q.size(), 300)));
            return text.simplified();
        }
        if (c >= FirstScore && c < confidenceColumn())
            return formatScore(ds->models[static_cast<std::size_t>(c - FirstScore)].score[r]);
        if (c == confidenceColumn()) return formatScore(ds->small().verifier_confidence[r]);
        if (compareColumn_ && c == compareColumn()) return compareText(r);
        if (c > costColumn()) return liveText(r, c);
        if (c == categoryColumn()) {
            const auto s = data::to_string(ds->category[r]);
            return QString::fromLatin1(s.data(), static_cast<qsizetype>(s.size()));
        }
        if (c == decisionColumn()) {
            const auto d = state_->decision(r);
            if (d < 0) return QStringLiteral("—");
            if (d == 0) return tr("stay");
            if (state_->ladder().size() <= 2) return tr("escalate");
            const auto& m = ds->models[static_cast<std::size_t>(state_->answeringModel(r))];
            return QStringLiteral("→ %1").arg(QString::fromStdString(m.display_name.empty() ? m.name : m.display_name));
        }
        if (c == costColumn()) {
            const double cost = state_->rowCost(r);
            return std::isnan(cost) ? QStringLiteral("—") : QString::number(cost, 'g', 4);
        }
    }
    if (role == Qt::ToolTipRole && c == Question) return toQString(ds->question[r]);
    if (compareColumn_ && c == compareColumn()) {
        if (role == Qt::ToolTipRole) return compare_->explain(r);
        // B decides otherwise than A: marked, so the differences stand out while scrolling.
        if (role == Qt::FontRole && compare_->decision(r) >= 0 && state_->decision(r) >= 0 &&
            compare_->escalated(r) != state_->escalated(r)) {
            QFont f;
            f.setBold(true);
            return f;
        }
        if (role == Qt::BackgroundRole && compare_->escalated(r)) return QColor(230, 140, 40, 38);
        if (role != Qt::DisplayRole) return {};
    }
    if (role == Qt::ToolTipRole && liveColumns_ && c == liveColumn(LiveAnswer))
        if (const auto* t = state_->liveRow(r)) return QString::fromStdString(t->done ? t->answer : t->error);
    const bool liveWords = c >= liveColumn(LivePath) && c <= liveColumn(LiveAnswer);
    if (role == Qt::TextAlignmentRole && c >= FirstScore && c != categoryColumn() && c != decisionColumn() && !liveWords)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::BackgroundRole && state_->escalated(r))
        return QColor(230, 140, 40, 38);  // translucent: readable on light and dark palettes
    if (role == Qt::ForegroundRole && c == decisionColumn()) {
        if (state_->routingWasWrong(r)) return QColor(200, 50, 50);
    }
    if (role == Qt::ForegroundRole && c == categoryColumn()) {
        // Mid-tone colours that read on light and dark backgrounds alike.
        switch (ds->category[r]) {
        case data::Category::Needy: return QColor(214, 120, 30);
        case data::Category::Good: return QColor(60, 150, 70);
        case data::Category::Hopeless: return QColor(150, 110, 170);
        case data::Category::Undefined: return QColor(128, 128, 128);
        }
    }
    if (role == Qt::ToolTipRole && c == decisionColumn() && state_->routingWasWrong(r))
        return state_->explain(r) + tr("\nRouting was wrong: another model's answer was better or as good for less.");
    if (role == Qt::ToolTipRole && c == decisionColumn() && state_->decision(r) >= 0) return state_->explain(r);
    if (role == Qt::FontRole && c == decisionColumn() && state_->routingWasWrong(r)) {
        QFont f;
        f.setItalic(true);
        return f;
    }
    return {};
}

bool QueryTableModel::accepts(data::RowIndex r, const std::string& needle, const std::uint8_t* textMatch) const {
    const data::Dataset& ds = *state_->dataset();
    if (filter_.category && ds.category[r] != *filter_.category) return false;
    if (filter_.decision != QueryFilter::Decision::Any) {
        const auto d = state_->decision(r);
        if (d < 0) return false;
        if ((filter_.decision == QueryFilter::Decision::Escalated) != (d > 0)) return false;
    }
    if (filter_.routingWrongOnly && !state_->routingWasWrong(r)) return false;
    if (state_->linkedFilter() && !state_->linkedFilter()(r)) return false;
    if (textMatch) return textMatch[r] != 0;
    return needle.empty() || data::row_contains(ds, r, needle);
}

void QueryTableModel::setFilter(const QueryFilter& f) {
    if (f == filter_) return;
    filter_ = f;
    rebuild();
}

std::string QueryTableModel::foldedNeedle() const {
    std::string needle = filter_.text.trimmed().toStdString();
    std::transform(needle.begin(), needle.end(), needle.begin(), data::fold_ascii);
    return needle;
}

bool QueryTableModel::isSearching() const {
    return state_->jobs()->isRunning(kSearchJob);
}

QueryTableModel::SearchKey QueryTableModel::searchKey() const {
    return {state_->snapshot()->versions[0], foldedNeedle()};
}

bool QueryTableModel::awaitSearch() {
    const SearchKey key = searchKey();
    const SnapshotPtr snap = state_->snapshot();
    const bool needed = !key.needle.empty() && snap->data && snap->data->size() >= backgroundSearchRows_;
    if (!needed || (matches_ && matchesKey_ == key)) {
        if (isSearching()) state_->jobs()->cancel(kSearchJob);  // for a text no longer asked for
        return false;
    }
    if (isSearching() && searchingFor_ == key) return true;
    // Ten million rows take about half a second: not on the GUI thread. Starting the key again
    // cancels an older search.
    searchingFor_ = key;
    std::shared_ptr<const data::Dataset> data = snap->data;
    state_->jobs()->start<std::shared_ptr<const std::vector<std::uint8_t>>>(
        kSearchJob, {this, [this, key] { return searchKey() == key; }},
        [data, needle = key.needle](JobContext& job) {
            auto match = data::rows_containing(*data, needle, job.continueCallback());
            job.checkCancelled();  // a search stopped early has no rows: not a result
            return std::make_shared<const std::vector<std::uint8_t>>(std::move(match));
        },
        [this, key](std::shared_ptr<const std::vector<std::uint8_t>> match) {
            matchesKey_ = key;
            matches_ = std::move(match);
            rebuild();
        });
    return true;
}

QueryTableModel::Rows QueryTableModel::filteredRows() const {
    if (!state_->dataset()) return std::make_shared<const data::View>();
    const std::string needle = foldedNeedle();
    const std::shared_ptr<const RowLists> lists = state_->snapshot()->rows;
    const bool filtering = !needle.empty() || filter_.category || filter_.decision != QueryFilter::Decision::Any ||
                           filter_.routingWrongOnly || state_->linkedFilter();
    // Nothing filters or sorts: the table shows the scope's own list (in file order), shared with
    // the snapshot, not a copy (ten million rows: 40 MB of fresh pages on the GUI thread).
    if (!filtering && sortColumn_ < 0)
        return lists->scopeRows ? lists->scopeRows : std::make_shared<const data::View>();
    // A background search's matches, when they are for this text (awaitSearch made sure).
    const std::uint8_t* textMatch =
        !needle.empty() && matches_ && matchesKey_ == searchKey() ? matches_->data() : nullptr;
    data::View rows;
    rows.reserve(lists->scope().size());
    for (data::RowIndex r : lists->scope())
        if (accepts(r, needle, textMatch)) rows.push_back(r);
    applySort(rows);
    return std::make_shared<const data::View>(std::move(rows));
}

void QueryTableModel::rebuild() {
    if (awaitSearch()) return;
    beginResetModel();
    visible_ = filteredRows();
    endResetModel();
    emit rowsRefreshed();
}

bool QueryTableModel::rowsDependOnRouting() const {
    // A linked filter may read the decisions (Compare With's groups): asked again.
    return filter_.decision != QueryFilter::Decision::Any || filter_.routingWrongOnly || state_->linkedFilter() ||
           sortColumn_ == decisionColumn() || sortColumn_ == costColumn();
}

void QueryTableModel::onRoutingChanged() {
    if (rowsDependOnRouting() && !awaitSearch()) {
        Rows rows = filteredRows();
        if (*rows != *visible_) {
            beginResetModel();
            visible_ = std::move(rows);
            endResetModel();
            emit rowsRefreshed();
            return;
        }
    }
    // Same rows: only the routed cells and the row colours (every column) change. Resetting a
    // million-row model on every slider step cost more than the re-routing itself.
    if (!visible_->empty()) emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

void QueryTableModel::sort(int column, Qt::SortOrder order) {
    sortColumn_ = column;
    sortOrder_ = order;
    if (!state_->dataset()) return;
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    std::vector<data::RowIndex> rowsBefore;
    for (const QModelIndex& i : before) rowsBefore.push_back((*visible_)[static_cast<std::size_t>(i.row())]);
    data::View sorted = *visible_;
    applySort(sorted);
    visible_ = std::make_shared<const data::View>(std::move(sorted));
    QModelIndexList after;
    for (std::size_t k = 0; k < rowsBefore.size(); ++k)
        after << index(tableRowOf(rowsBefore[k]), before[static_cast<int>(k)].column());
    changePersistentIndexList(before, after);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
    emit rowsRefreshed();
}

void QueryTableModel::applySort(data::View& rows) const {
    const data::Dataset& ds = *state_->dataset();
    const int c = sortColumn_;
    // visible_ is usually in file order already (the scope is): checking is linear, sorting
    // again on every slider step cost a few milliseconds on a million rows.
    const auto fileOrder = [&rows] {
        if (!std::is_sorted(rows.begin(), rows.end())) std::sort(rows.begin(), rows.end());
    };
    if (c < 0) {
        fileOrder();
        return;
    }
    // Three-way comparison per column; ties keep file order (stable sort on file order).
    std::function<int(data::RowIndex, data::RowIndex)> cmp;
    if (c == Id)
        cmp = [&](auto a, auto b) { return ds.id[a].compare(ds.id[b]); };
    else if (c == DatasetName)
        cmp = [&](auto a, auto b) { return ds.dataset_name(a).compare(ds.dataset_name(b)); };
    else if (c == SplitName)
        cmp = [&](auto a, auto b) { return int(ds.split[a]) - int(ds.split[b]); };
    else if (c == Question)
        cmp = [&](auto a, auto b) { return ds.question[a].compare(ds.question[b]); };
    else if (c >= FirstScore && c < confidenceColumn()) {
        const auto& col = ds.models[static_cast<std::size_t>(c - FirstScore)].score;
        cmp = [&col](auto a, auto b) { return compareNumbers(col[a], col[b]); };
    } else if (c == confidenceColumn()) {
        const auto& col = ds.small().verifier_confidence;
        cmp = [&col](auto a, auto b) { return compareNumbers(col[a], col[b]); };
    } else if (c == categoryColumn())
        cmp = [&](auto a, auto b) { return int(ds.category[a]) - int(ds.category[b]); };
    else if (c == decisionColumn())
        cmp = [this](auto a, auto b) { return state_->decision(a) - state_->decision(b); };
    else if (c == costColumn())
        cmp = [this](auto a, auto b) { return compareNumbers(state_->rowCost(a), state_->rowCost(b)); };
    else if (compareColumn_ && c == compareColumn())
        cmp = [this](auto a, auto b) { return compare_->decision(a) - compare_->decision(b); };
    else if (c == liveColumn(LiveMoney) || c == liveColumn(LiveLatency)) {
        const bool money = c == liveColumn(LiveMoney);
        cmp = [this, money](auto a, auto b) { return compareNumbers(liveNumber(a, money), liveNumber(b, money)); };
    } else if (c > costColumn())
        cmp = [this, c](auto a, auto b) { return liveText(a, c).compare(liveText(b, c)); };
    else
        return;
    fileOrder();
    if (sortOrder_ == Qt::AscendingOrder)
        std::stable_sort(rows.begin(), rows.end(), [&](auto a, auto b) { return cmp(a, b) < 0; });
    else
        std::stable_sort(rows.begin(), rows.end(), [&](auto a, auto b) { return cmp(a, b) > 0; });
}

QString QueryTableModel::liveText(data::RowIndex r, int c) const {
    const live::RowTranscript* t = state_->liveRow(r);
    if (!t) return {};
    const auto q = [](const std::string& s) { return QString::fromStdString(s); };
    if (c == liveColumn(LivePath)) return t->done ? q(t->path) : tr("failed");
    if (c == liveColumn(LiveModel)) return q(t->final_model);
    if (c == liveColumn(LiveAnswer)) return q(t->answer).simplified().left(300);
    if (c == liveColumn(LiveMoney))
        return (t->money_estimated ? QStringLiteral("~$") : QStringLiteral("$")) + QString::number(t->money, 'f', 4);
    if (c == liveColumn(LiveLatency)) return QString::number(t->latency_s, 'f', 2);
    return {};
}

double QueryTableModel::liveNumber(data::RowIndex r, bool money) const {
    const live::RowTranscript* t = state_->liveRow(r);
    return !t ? std::nan("") : (money ? t->money : t->latency_s);
}

int QueryTableModel::tableRowOf(data::RowIndex row) const {
    const auto it = std::find(visible_->begin(), visible_->end(), row);
    return it == visible_->end() ? -1 : static_cast<int>(it - visible_->begin());
}

}  // namespace automix::ui

#pragma once
// The query table: a QAbstractTableModel over the loaded core::Dataset. It keeps only a
// vector of row indices (the scope, filtered and sorted) — no row is copied into Qt
// types; cells are formatted on demand for the rows the view paints.
#include <QAbstractTableModel>
#include <QString>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/data/dataset.hpp"

namespace automix::ui {

class CompareRouting;
class RoutingState;

struct QueryFilter {
    enum class Decision { Any, Stayed, Escalated };
    std::optional<data::Category> category;
    Decision decision = Decision::Any;
    bool routingWrongOnly = false;
    QString text;  // case-insensitive substring of id, question, gold or any answer
    bool operator==(const QueryFilter&) const = default;
};

class QueryTableModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column { Id, DatasetName, SplitName, Question, FirstScore };
    static constexpr int RowIndexRole = Qt::UserRole + 1;  // the dataset row of a table row

    explicit QueryTableModel(RoutingState* state, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;
    void sort(int column, Qt::SortOrder order) override;

    void setFilter(const QueryFilter& f);
    const QueryFilter& filter() const { return filter_; }

    // Column layout depends on the number of models.
    int scoreColumn(int model) const { return FirstScore + model; }
    int confidenceColumn() const;
    int categoryColumn() const { return confidenceColumn() + 1; }
    int decisionColumn() const { return confidenceColumn() + 2; }
    int costColumn() const { return confidenceColumn() + 3; }
    // After a live run on rows of this file: path, final model, answer, money, latency.
    enum LiveField { LivePath, LiveModel, LiveAnswer, LiveMoney, LiveLatency, LiveFieldCount };
    bool hasLiveColumns() const { return liveColumns_; }
    int liveColumn(LiveField f) const { return costColumn() + 1 + f; }
    // While a second routing is compared (Method ▸ Compare With): its decision, last column.
    void setCompare(CompareRouting* compare);
    bool hasCompareColumn() const;
    int compareColumn() const { return costColumn() + 1 + (liveColumns_ ? LiveFieldCount : 0); }

    data::RowIndex datasetRow(int tableRow) const { return (*visible_)[static_cast<std::size_t>(tableRow)]; }
    int tableRowOf(data::RowIndex row) const;  // -1 when filtered out
    const data::View& visibleRows() const { return *visible_; }
    std::size_t scopeSize() const;

    // The filter text is searched for at once in files of fewer rows than this; in larger ones
    // by a background job (key kSearchJob), the table keeping its rows until the job ends.
    static constexpr std::size_t kBackgroundSearchRows = 250'000;
    static inline const QString kSearchJob = QStringLiteral("search");
    void setBackgroundSearchRows(std::size_t rows) { backgroundSearchRows_ = rows; }  // tests
    bool isSearching() const;

  signals:
    // Emitted after the visible rows changed (filter, scope, routing, sort).
    void rowsRefreshed();

  private:
    void rebuild();  // filter + sort from the scope (once the text search has its matches)
    // True while the filter text's matches are being searched for in the background (started
    // here when needed): the rows then change when the search ends.
    bool awaitSearch();
    std::string foldedNeedle() const;
    // A re-route changes the decision and cost cells and the row colours, but the rows shown
    // only when a filter or the sort order reads the decisions: otherwise it repaints.
    void onRoutingChanged();
    bool rowsDependOnRouting() const;
    std::shared_ptr<const data::View> filteredRows() const;  // the scope through the filters, sorted
    void applySort(data::View& rows) const;
    bool accepts(data::RowIndex r, const std::string& needle, const std::uint8_t* textMatch) const;
    QString compareText(data::RowIndex r) const;
    QString liveText(data::RowIndex r, int column) const;  // "" for rows without a live result
    double liveNumber(data::RowIndex r, bool money) const;  // money or latency; NaN without one

    RoutingState* state_;
    QueryFilter filter_;
    using Rows = std::shared_ptr<const data::View>;  // may be the snapshot's scope list itself
    Rows visible_ = std::make_shared<const data::View>();
    int sortColumn_ = -1;
    Qt::SortOrder sortOrder_ = Qt::AscendingOrder;
    int models_ = 0;
    bool liveColumns_ = false;
    CompareRouting* compare_ = nullptr;
    bool compareColumn_ = false;

    // What a background search looked for: a text in one version of the file (its file aspect,
    // Snapshot::versions[0]).
    struct SearchKey {
        std::uint64_t fileVersion = 0;
        std::string needle;
        bool operator==(const SearchKey&) const = default;
    };
    SearchKey searchKey() const;
    SearchKey matchesKey_;                                      // what matches_ are for
    std::shared_ptr<const std::vector<std::uint8_t>> matches_;  // per dataset row: 1 = contains it
    SearchKey searchingFor_;                                    // of the running search job
    std::size_t backgroundSearchRows_ = kBackgroundSearchRows;
};

}  // namespace automix::ui

#pragma once
// Search box and filters above the query table.
#include <QWidget>

#include "ui/query_table_model.hpp"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTimer;
class QToolButton;

namespace automix::ui {

class FilterBar : public QWidget {
    Q_OBJECT
  public:
    explicit FilterBar(QWidget* parent = nullptr);

    QueryFilter filter() const;
    void focusSearch();
    void setCounts(std::size_t shown, std::size_t scope, std::size_t total);
    // While a background search for the text runs (large files): how far it is.
    void showSearching(std::size_t done, std::size_t total);
    // Programmatic setters (tests, linked views).
    void setSearchText(const QString& text);  // applied at once, no debounce
    void setCategory(std::optional<data::Category> c);
    void setDecision(QueryFilter::Decision d);
    void setRoutingWrongOnly(bool on);
    void clear();
    // All fields at once, one filterChanged (sessions, undo).
    void setFilter(const QueryFilter& f);
    // Shows the filter another view set (empty = none) with a button to drop it.
    void setLinkedFilterLabel(const QString& label);

  signals:
    void filterChanged(const automix::ui::QueryFilter& filter);
    void linkedFilterCleared();

  private:
    void emitChanged();

    QLineEdit* search_;
    QComboBox* category_;
    QComboBox* decision_;
    QCheckBox* wrong_;
    QLabel* counts_;
    QToolButton* linked_;
    QTimer* debounce_;
};

}  // namespace automix::ui

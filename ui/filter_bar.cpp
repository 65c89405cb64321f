#include "ui/filter_bar.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QTimer>
#include <QToolButton>

namespace automix::ui {

FilterBar::FilterBar(QWidget* parent) : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    search_ = new QLineEdit(this);
    search_->setObjectName(QStringLiteral("searchEdit"));
    search_->setPlaceholderText(tr("Search id, question, gold, answers (Ctrl+F)"));
    search_->setClearButtonEnabled(true);
    category_ = new QComboBox(this);
    category_->setObjectName(QStringLiteral("categoryFilter"));
    category_->addItem(tr("All categories"));
    for (auto c : {data::Category::Needy, data::Category::Good, data::Category::Hopeless, data::Category::Undefined}) {
        const auto name = data::to_string(c);
        category_->addItem(QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size())), static_cast<int>(c));
    }
    category_->setToolTip(tr("Hidden difficulty category (method §5)"));
    decision_ = new QComboBox(this);
    decision_->setObjectName(QStringLiteral("decisionFilter"));
    decision_->addItem(tr("Any decision"), static_cast<int>(QueryFilter::Decision::Any));
    decision_->addItem(tr("Stayed"), static_cast<int>(QueryFilter::Decision::Stayed));
    decision_->addItem(tr("Escalated"), static_cast<int>(QueryFilter::Decision::Escalated));
    wrong_ = new QCheckBox(tr("Routing was wrong"), this);
    wrong_->setObjectName(QStringLiteral("wrongFilter"));
    wrong_->setToolTip(tr("Escalated although the small model was as good, or stayed although the large "
                          "model was better (i.e. differs from the oracle router)"));
    linked_ = new QToolButton(this);
    linked_->setObjectName(QStringLiteral("linkedFilter"));
    linked_->setVisible(false);
    connect(linked_, &QToolButton::clicked, this, &FilterBar::linkedFilterCleared);
    counts_ = new QLabel(this);
    counts_->setObjectName(QStringLiteral("rowCounts"));
    layout->addWidget(search_, 3);
    layout->addWidget(category_);
    layout->addWidget(decision_);
    layout->addWidget(wrong_);
    layout->addWidget(linked_);
    layout->addWidget(counts_);

    // Typing re-filters after a short pause rather than on every key stroke.
    debounce_ = new QTimer(this);
    debounce_->setSingleShot(true);
    debounce_->setInterval(180);
    connect(debounce_, &QTimer::timeout, this, &FilterBar::emitChanged);
    connect(search_, &QLineEdit::textChanged, debounce_, qOverload<>(&QTimer::start));
    connect(search_, &QLineEdit::returnPressed, this, &FilterBar::emitChanged);
    connect(category_, &QComboBox::currentIndexChanged, this, &FilterBar::emitChanged);
    connect(decision_, &QComboBox::currentIndexChanged, this, &FilterBar::emitChanged);
    connect(wrong_, &QCheckBox::toggled, this, &FilterBar::emitChanged);
}

QueryFilter FilterBar::filter() const {
    QueryFilter f;
    if (category_->currentIndex() > 0) f.category = static_cast<data::Category>(category_->currentData().toInt());
    f.decision = static_cast<QueryFilter::Decision>(decision_->currentData().toInt());
    f.routingWrongOnly = wrong_->isChecked();
    f.text = search_->text();
    return f;
}

void FilterBar::emitChanged() {
    debounce_->stop();
    emit filterChanged(filter());
}

void FilterBar::focusSearch() {
    search_->setFocus(Qt::ShortcutFocusReason);
    search_->selectAll();
}

void FilterBar::setCounts(std::size_t shown, std::size_t scope, std::size_t total) {
    const QLocale loc;
    counts_->setText(tr("%1 of %2 rows").arg(loc.toString(qulonglong(shown)), loc.toString(qulonglong(scope))));
    counts_->setToolTip(
        tr("%1 rows shown; %2 in the selected dataset/split; %3 in the file").arg(shown).arg(scope).arg(total));
}

void FilterBar::showSearching(std::size_t done, std::size_t total) {
    const int percent = total > 0 ? static_cast<int>(done * 100 / total) : 0;
    counts_->setText(tr("searching… %1 %").arg(percent));
    counts_->setToolTip(tr("Searching %1 rows for the text; the table keeps its rows until it is done")
                            .arg(QLocale().toString(qulonglong(total))));
}

void FilterBar::setSearchText(const QString& text) {
    search_->setText(text);
    emitChanged();
}

void FilterBar::setCategory(std::optional<data::Category> c) {
    category_->setCurrentIndex(c ? category_->findData(static_cast<int>(*c)) : 0);
}

void FilterBar::setDecision(QueryFilter::Decision d) {
    decision_->setCurrentIndex(decision_->findData(static_cast<int>(d)));
}

void FilterBar::setRoutingWrongOnly(bool on) {
    wrong_->setChecked(on);
}

void FilterBar::setLinkedFilterLabel(const QString& label) {
    // A chart's label can be long ("confidence bin 0.906 of cnli, llama13b answer wrong"): the
    // chip is shortened so that the row count beside it stays whole; the tooltip has it all.
    const int room = linked_->fontMetrics().averageCharWidth() * 24;
    linked_->setText(QStringLiteral("%1  ✕").arg(linked_->fontMetrics().elidedText(label, Qt::ElideMiddle, room)));
    linked_->setToolTip(tr("Filter set from a chart: %1\nClick to remove it").arg(label));
    linked_->setVisible(!label.isEmpty());
}

void FilterBar::clear() {
    const QSignalBlocker b1(search_), b2(category_), b3(decision_), b4(wrong_);
    search_->clear();
    category_->setCurrentIndex(0);
    decision_->setCurrentIndex(0);
    wrong_->setChecked(false);
    emitChanged();
}

void FilterBar::setFilter(const QueryFilter& f) {
    {
        const QSignalBlocker b1(search_), b2(category_), b3(decision_), b4(wrong_);
        search_->setText(f.text);
        category_->setCurrentIndex(f.category ? category_->findData(static_cast<int>(*f.category)) : 0);
        decision_->setCurrentIndex(decision_->findData(static_cast<int>(f.decision)));
        wrong_->setChecked(f.routingWrongOnly);
    }
    emitChanged();
}

}  // namespace automix::ui

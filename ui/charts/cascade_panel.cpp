#include "ui/charts/cascade_panel.hpp"

#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHeaderView>
#include <QLabel>
#include <QPalette>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <cmath>

#include "core/routing/method.hpp"
#include "ui/charts/chart_legend.hpp"
#include "ui/charts/chart_page.hpp"
#include "ui/charts/chart_style.hpp"

namespace automix::ui::charts {

namespace {
QString number(const nlohmann::json& j, int decimals) {
    if (j.is_number()) return QString::number(j.get<double>(), 'f', decimals);
    if (j.is_string()) return QString::fromStdString(j.get<std::string>());
    return QString::fromStdString(j.dump());
}
}  // namespace

// The belief trajectory of the selected query: one stacked bar per step over the hidden states.
class CascadeTraceChart : public ChartWidget {
  public:
    explicit CascadeTraceChart(QWidget* parent) : ChartWidget(parent) {
        view()->setObjectName(QStringLiteral("cascadeTraceView"));
        view()->setWindowTitle(tr("Cascade belief trajectory"));
    }
    void setTrace(const eval::CascadeView* v, const QString& title, const QString& provenance) {
        view_ = v;
        if (v->steps.empty()) return showEmpty(title);
        setTitle(title, provenance);
        redraw();
    }

  protected:
    void draw() override {
        const bool dark = paletteIsDark();
        const QColor text = QApplication::palette().color(QPalette::Text);

        auto* series = new QStackedBarSeries(chart());
        QStringList steps;
        for (std::size_t s = 0; s < view_->state_labels.size(); ++s) {
            auto* set = new QBarSet(QString::fromStdString(view_->state_labels[s]), series);
            // Two models: the category colours of the 2-model view; more: distinct palette colours.
            const QString label = QString::fromStdString(view_->state_labels[s]);
            int category = -1;
            if (label.contains(QLatin1String("NEEDY")))
                category = 0;
            else if (label.contains(QLatin1String("GOOD")))
                category = 1;
            else if (label.contains(QLatin1String("HOPELESS")))
                category = 2;
            else if (label.contains(QLatin1String("UNDEFINED")))
                category = 3;
            const auto names = routing::method_names();
            set->setColor(category >= 0 ? categoryColor(category, dark)
                                        : methodColor(QString::fromStdString(names[s % names.size()]), dark));
            for (const auto& step : view_->steps) *set << (s < step.belief.size() ? step.belief[s] : 0.0);
            series->append(set);
        }
        for (const auto& step : view_->steps) {
            // The model's name from the file, the bin on a second line: short enough never to be cut.
            // "Small (13B)" → "Small": the whole name is in the legend of the table and the drill-down.
            const QString model = static_cast<std::size_t>(step.model) < view_->model_names.size()
                                      ? QString::fromStdString(view_->model_names[static_cast<std::size_t>(step.model)])
                                            .section(QStringLiteral(" ("), 0, 0)
                                      : QString::number(step.model + 1);
            // (The action of each step is the next bar: another model, or none after a report.)
            steps << (step.bin >= 0 ? tr("%1, bin %2").arg(model.toHtmlEscaped()).arg(step.bin)
                                    : model.toHtmlEscaped());
        }
        chart()->addSeries(series);
        auto* x = new QBarCategoryAxis(chart());
        x->append(steps);
        x->setLabelsColor(text);
        auto* y = new QValueAxis(chart());
        niceAxis(y, 0, 1, 6);
        y->setTitleText(tr("belief"));
        view()->setToolTip(provenanceTip(
            provenance(), tr("Belief P(state | the bins seen so far) after each step of the cascade, for the "
                             "selected query; the legend names the states")));
        y->setLabelsColor(text);
        y->setTitleBrush(text);
        chart()->addAxis(x, Qt::AlignBottom);
        chart()->addAxis(y, Qt::AlignLeft);
        series->attachAxis(x);
        series->attachAxis(y);
    }

  private:
    const eval::CascadeView* view_ = nullptr;
};

CascadePanel::CascadePanel(QWidget* parent) : QWidget(parent) {
    trace_ = new CascadeTraceChart(this);
    table_ = new QTableWidget(this);
    table_->setObjectName(QStringLiteral("cascadePolicyTable"));
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->setVisible(false);
    note_ = new QLabel(this);
    note_->setWordWrap(true);
    // Chart above the policy table: the chart keeps the width its step labels need.
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(trace_);  // the states listed beside, scrolling
    split->addWidget(table_);
    split->setSizes({600, 400});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(note_);
    layout->addWidget(split, 1);
    setView({}, tr("Choose the Cascade method and select a query"));
}

QChartView* CascadePanel::chartView() const {
    return trace_->view();
}

void CascadePanel::setView(eval::CascadeView v, const QString& title, const QString& provenance) {
    view_ = std::move(v);
    note_->setText(view_.error.empty() ? QString() : QString::fromStdString(view_.error));
    trace_->setTrace(&view_, title, provenance);

    // Policy table: one row per reachable history.
    const QStringList headers = {tr("history (bins)"), tr("P(h)"),       tr("λ*"),
                                 tr("Q report"),       tr("Q escalate"), tr("action")};
    table_->clear();
    table_->setColumnCount(static_cast<int>(headers.size()));
    table_->setHorizontalHeaderLabels(headers);
    const nlohmann::json& rows = view_.policy_table.is_array()          ? view_.policy_table
                                 : view_.policy_table.contains("nodes") ? view_.policy_table["nodes"]
                                                                        : nlohmann::json::array();
    table_->setRowCount(rows.is_array() ? static_cast<int>(rows.size()) : 0);
    int r = 0;
    for (const auto& e : rows) {
        if (!e.is_object()) continue;
        const QStringList cells = {e.contains("history") ? QString::fromStdString(e["history"].dump()) : QString(),
                                   e.contains("probability") ? number(e["probability"], 4) : QString(),
                                   e.contains("threshold") ? number(e["threshold"], 5) : QString(),
                                   e.contains("q_report") ? number(e["q_report"], 4) : QString(),
                                   e.contains("q_escalate") ? number(e["q_escalate"], 4) : QString(),
                                   e.contains("action") ? number(e["action"], 0) : QString()};
        for (int c = 0; c < cells.size(); ++c) table_->setItem(r, c, new QTableWidgetItem(cells[c]));
        ++r;
    }
    table_->resizeColumnsToContents();
}

}  // namespace automix::ui::charts

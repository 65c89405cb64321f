#include "ui/charts/belief_chart.hpp"

#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPalette>
#include <QScatterSeries>
#include <QStackedBarSeries>
#include <QVBoxLayout>
#include <QValueAxis>
#include <cmath>

#include "ui/charts/chart_legend.hpp"
#include "ui/charts/chart_style.hpp"

namespace automix::ui::charts {

BeliefChart::BeliefChart(QWidget* parent) : ChartWidget(parent, Qt::Vertical) {  // legend under it, wrapping
    view()->setObjectName(QStringLiteral("beliefView"));
    view()->setWindowTitle(tr("Belief states"));
    showEmpty(tr("Load data to see the belief states"));
}

void BeliefChart::setData(std::vector<eval::BeliefBin> bins, const QString& title, const QString& provenance) {
    bins_ = std::move(bins);
    if (bins_.empty()) return showEmpty(title, provenance);
    setTitle(title, provenance);
    redraw();
}

void BeliefChart::setSelectedBin(int bin) {
    if (bin == selectedBin_) return;
    selectedBin_ = bin;
    if (!isEmptyState()) redraw();
}

void BeliefChart::draw() {
    const bool dark = paletteIsDark();
    const QColor text = QApplication::palette().color(QPalette::Text);

    const QStringList names = {tr("NEEDY (large better)"), tr("GOOD (equal, non-zero)"), tr("HOPELESS (both low)"),
                               tr("UNDEFINED")};
    auto* stacked = new QStackedBarSeries(chart());
    std::vector<QBarSet*> sets;
    for (int c = 0; c < 4; ++c) {
        auto* set = new QBarSet(names[c], stacked);
        set->setColor(categoryColor(c, dark));
        set->setBorderColor(categoryColor(c, dark).darker(130));
        sets.push_back(set);
    }
    QStringList categories, actions;
    for (const eval::BeliefBin& b : bins_) {
        *sets[0] << b.p_needy;
        *sets[1] << b.p_good;
        *sets[2] << b.p_hopeless;
        *sets[3] << b.p_undefined;
        QString action;
        if (std::isnan(b.escalated_share))
            action = QStringLiteral("–");
        else if (b.escalated_share >= 1.0)
            action = tr("esc");
        else if (b.escalated_share <= 0.0)
            action = tr("stay");
        else
            action = tr("%1%").arg(100.0 * b.escalated_share, 0, 'f', 0);
        // The centre only: the action is the dashed line (and the tooltip); labels never get cut.
        categories << QString::number(b.centre, 'f', 2);
        actions << QStringLiteral("%1: %2").arg(QString::number(b.centre, 'f', 2), action);
    }
    for (QBarSet* s : sets) stacked->append(s);
    stacked->setBarWidth(0.7);
    chart()->addSeries(stacked);
    connect(stacked, &QStackedBarSeries::clicked, this, [this](int index, QBarSet*) { emit binClicked(index); });

    auto* axisX = new QBarCategoryAxis(chart());
    axisX->append(categories);
    axisX->setTitleText(tr("confidence bin"));
    auto* axisY = new QValueAxis(chart());
    axisY->setRange(0, 1.0);
    axisY->setTickCount(6);
    axisY->setTitleText(tr("P(category | bin)"));
    view()->setToolTip(provenanceTip(
        provenance(), tr("x: verifier confidence bin (its centre) · y: share of the bin's train rows per category; "
                         "dashed: share the current routing escalates (%1)\nClick a bar to list its rows; wheel: "
                         "zoom · double-click: reset")
                          .arg(actions.join(QStringLiteral(", ")))));
    axisY->setLabelFormat(QStringLiteral("%.1f"));
    for (QAbstractAxis* a : std::initializer_list<QAbstractAxis*>{axisX, axisY}) {
        a->setLabelsColor(text);
        a->setTitleBrush(text);
    }
    chart()->addAxis(axisX, Qt::AlignBottom);
    chart()->addAxis(axisY, Qt::AlignLeft);
    stacked->attachAxis(axisX);
    stacked->attachAxis(axisY);

    // The escalated share per bin, on a hidden value axis aligned with the bar slotAxis.
    if (!bins_.empty()) {
        auto* slotAxis = new QValueAxis(chart());
        slotAxis->setRange(-0.5, static_cast<double>(bins_.size()) - 0.5);
        slotAxis->setVisible(false);
        chart()->addAxis(slotAxis, Qt::AlignTop);
        auto* share = new QLineSeries(chart());
        share->setName(tr("share escalated by the current routing"));
        share->setPen(QPen(text, 2.2, Qt::DashLine));
        auto* marks = new QScatterSeries(chart());
        marks->setMarkerSize(9);
        marks->setColor(text);
        marks->setBorderColor(text);
        for (std::size_t k = 0; k < bins_.size(); ++k) {
            if (std::isnan(bins_[k].escalated_share)) continue;
            share->append(static_cast<double>(k), bins_[k].escalated_share);
            marks->append(static_cast<double>(k), bins_[k].escalated_share);
        }
        for (QXYSeries* s : std::initializer_list<QXYSeries*>{share, marks}) {
            chart()->addSeries(s);
            s->attachAxis(slotAxis);
            s->attachAxis(axisY);
        }
        for (QLegendMarker* m : chart()->legend()->markers(marks)) m->setVisible(false);
        // The selected query's bin: a band across the whole bar.
        if (selectedBin_ >= 0 && selectedBin_ < static_cast<int>(bins_.size())) {
            auto* band = new QLineSeries(chart());
            band->setObjectName(QStringLiteral("selectedQuery"));
            band->setName(tr("selected query"));
            QColor c = text;
            c.setAlpha(90);
            band->setPen(QPen(c, 10, Qt::SolidLine, Qt::FlatCap));
            band->append(selectedBin_, 0);
            band->append(selectedBin_, 1);
            chart()->addSeries(band);
            band->attachAxis(slotAxis);
            band->attachAxis(axisY);
        }
    }
}

}  // namespace automix::ui::charts

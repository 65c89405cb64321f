// Calibration gap: per verifier confidence bin of the chart dataset's evaluation rows, the
// small model's observed accuracy (mean score) minus the verifier's mean confidence. Bars above
// zero: the verifier is under-confident there; below: it promises more than the answers deliver.
// Numbers from eval::reliability and eval::calibration_gap; the title carries the ECE.
#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QPalette>
#include <QStackedBarSeries>
#include <QToolTip>
#include <QValueAxis>
#include <algorithm>

#include "core/eval/calibration.hpp"
#include "ui/charts/chart_page.hpp"
#include "ui/charts/chart_style.hpp"
#include "ui/routing_state.hpp"

namespace automix::ui::charts {
namespace {

class CalibrationGapChart : public ChartPage {
  public:
    CalibrationGapChart(RoutingState* state, QWidget* parent) : ChartPage(state, parent) {
        view()->setObjectName(QStringLiteral("calibrationGapView"));
        view()->setWindowTitle(tr("Calibration gap"));
    }

    QList<ChartExport> exports() const override {
        const std::vector<eval::CalibrationGapBin> gap = gap_;
        return {{QStringLiteral("calibration_gap"), view(), [gap] { return eval::calibration_gap_table(gap); },
                 provenance()}};
    }

  protected:
    void refresh() override {
        const SnapshotPtr snap = state()->snapshot();
        const RowLists& rows = *snap->rows;
        gap_.clear();
        if (!snap->data || rows.chartDataset < 0) return showEmpty(tr("Load data to see the calibration gap"));
        if (snap->data->model_count() < 2 || rows.chartEval().empty())
            return showEmpty(tr("No evaluation rows with a verifier in %1").arg(snap->chartProvenance()));
        eval::Reliability r;
        try {
            r = eval::reliability(*snap->data, rows.chartEval(), state()->config().num_bins);
        } catch (const std::exception& e) {
            return showEmpty(tr("Cannot compute the calibration gap: %1").arg(QString::fromStdString(e.what())));
        }
        gap_ = eval::calibration_gap(r);
        if (gap_.empty()) return showEmpty(tr("No row of %1 has a usable confidence").arg(snap->chartProvenance()));
        setTitle(tr("Calibration gap · ECE %1").arg(shortNumber(r.ece)), snap->chartProvenance());
        redraw();
    }

    void draw() override {
        const bool dark = paletteIsDark();
        const QColor text = QApplication::palette().color(QPalette::Text);
        // The sign split into two sets: position and colour both say which way the verifier errs.
        auto* series = new QStackedBarSeries(chart());
        auto* under = new QBarSet(tr("under-confident"), series);
        auto* over = new QBarSet(tr("over-confident"), series);
        under->setColor(categoryColor(1, dark));
        over->setColor(categoryColor(0, dark));
        QStringList categories;
        double lo = -0.05, hi = 0.05;
        for (const eval::CalibrationGapBin& b : gap_) {
            *under << std::max(0.0, b.gap);
            *over << std::min(0.0, b.gap);
            categories << QString::number(b.centre, 'f', 2);
            lo = std::min(lo, b.gap);
            hi = std::max(hi, b.gap);
        }
        series->append(under);
        series->append(over);
        series->setBarWidth(0.7);
        chart()->addSeries(series);
        // Short legend names that fit beside the chart; what they mean, here.
        view()->setToolTip(provenanceTip(provenance(), tr("Per confidence bin: observed accuracy (mean score of the "
                                                          "small answers) − mean verifier confidence\nUp: "
                                                          "under-confident · down: over-confident · hover a bar for "
                                                          "its numbers")));
        connect(series, &QStackedBarSeries::hovered, this, [this](bool on, int index) {
            if (!on || index < 0 || index >= static_cast<int>(gap_.size())) return QToolTip::hideText();
            const eval::CalibrationGapBin& b = gap_[static_cast<std::size_t>(index)];
            QToolTip::showText(QCursor::pos(),
                               tr("bin %1 · %2 rows\naccuracy %3 − confidence %4 = %5")
                                   .arg(QString::number(b.centre, 'f', 2))
                                   .arg(b.rows)
                                   .arg(shortNumber(b.mean_score), shortNumber(b.mean_confidence), shortNumber(b.gap)),
                               view());
        });
        auto* x = new QBarCategoryAxis(chart());
        x->append(categories);
        x->setTitleText(tr("verifier confidence bin"));
        auto* y = new QValueAxis(chart());
        niceAxis(y, lo, hi, 6);
        y->setTitleText(tr("accuracy − confidence"));
        for (QAbstractAxis* a : std::initializer_list<QAbstractAxis*>{x, y}) {
            a->setLabelsColor(text);
            a->setTitleBrush(text);
        }
        chart()->addAxis(x, Qt::AlignBottom);
        chart()->addAxis(y, Qt::AlignLeft);
        series->attachAxis(x);
        series->attachAxis(y);
    }

  private:
    std::vector<eval::CalibrationGapBin> gap_;
};

}  // namespace

AUTOMIX_REGISTER_CHART_TAB(CalibrationGapChart, "calibration_gap", QT_TRANSLATE_NOOP("ChartTabs", "Calibration gap"),
                           50)

}  // namespace automix::ui::charts

// The chart tabs as a user drives them (offscreen, real widgets): moving the tuning sliders
// re-routes the rows and the figures equal what core computes for those parameters; clicking
// a candidate point makes it the routing; exports write PNG/SVG/CSV whose CSV rows equal the
// curve data. Set AUTOMIX_CHART_SHOTS=<dir> to also save a PNG of every chart for review.
#include <QAbstractBarSeries>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QComboBox>
#include <QTemporaryDir>
#include <QTest>
#include <charconv>
#include <set>
#include <cmath>

#include "core/eval/cascade_view.hpp"
#include "core/eval/cost_quality.hpp"
#include "core/eval/metrics.hpp"
#include "core/routing/bins.hpp"
#include "core/routing/method.hpp"
#include "ui/charts/belief_chart.hpp"
#include "ui/charts/cascade_panel.hpp"
#include "ui/charts/chart_export.hpp"
#include "ui/charts/chart_tabs.hpp"
#include "ui/charts/cost_quality_chart.hpp"
#include "ui/charts/per_dataset_view.hpp"
#include "ui/charts/verifier_charts.hpp"
#include "ui/main_window.hpp"
#include "ui/routing_state.hpp"
#include "ui/tuning_panel.hpp"

using namespace automix;
using ui::MainWindow;
using ui::charts::ChartTabs;

namespace {

// Minimal CSV reader for the exported files (quoted fields with doubled quotes).
std::vector<std::vector<std::string>> readCsv(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const std::string text = f.readAll().toStdString();
    std::vector<std::vector<std::string>> rows(1);
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
                field += '"', ++i;
            else if (c == '"')
                quoted = false;
            else
                field += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.back().push_back(field), field.clear();
        } else if (c == '\n') {
            rows.back().push_back(field), field.clear();
            rows.emplace_back();
        } else {
            field += c;
        }
    }
    if (rows.back().empty()) rows.pop_back();
    return rows;
}

double parse(const std::string& s) {
    if (s == "nan") return std::nan("");
    double v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

bool same(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

// Decisions core makes for `rows` with `params`, independent of the GUI.
routing::Decisions coreRoute(const data::Dataset& ds, const data::View& rows, const std::string& method,
                             const routing::Params& params, const routing::Config& cfg) {
    return routing::find_method(method)->route(ds, rows, params, cfg);
}

eval::Metrics coreFigures(const data::Dataset& ds, const data::View& rows, const std::string& method,
                          const routing::Params& params, const routing::Config& cfg) {
    const auto m = routing::find_method(method);
    const auto view = eval::ScoredView::for_method(ds, rows, *m, eval::CostModel::from(cfg));
    return view.evaluate(m->route(ds, rows, params, cfg));
}

}  // namespace

class TestCharts : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_;
    std::unique_ptr<MainWindow> window_;
    ChartTabs* tabs_ = nullptr;

    ui::RoutingState* state() const { return window_->routingState(); }

    void chooseMethod(const QString& name) {
        window_->selectMethod(name);
        state()->waitForTraining();
        QCoreApplication::processEvents();
    }

  private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("AutoMixTest"));
        QCoreApplication::setApplicationName(QStringLiteral("ui_charts"));
        window_ = std::make_unique<MainWindow>();
        tabs_ = window_->findChild<ChartTabs*>();
        if (!tabs_) tabs_ = ui::charts::installChartTabs(window_.get());
        QVERIFY(tabs_);
        window_->resize(1500, 1000);
        window_->show();
        QString error;
        QVERIFY2(window_->openDemo(&error), qPrintable(error));
        window_->selectDataset(QStringLiteral("coqa"));
        window_->selectSplit(QStringLiteral("val"));
        chooseMethod(QStringLiteral("Threshold"));
        tabs_->waitForCurves();
        QVERIFY(state()->isRouted());
    }

    void tabsAreInstalled() {
        QStringList titles;
        for (int i = 0; i < window_->bottomTabs()->count(); ++i) titles << window_->bottomTabs()->tabText(i);
        for (const char* t : {"Cost–quality", "Belief states", "Verifier", "Per dataset"})
            QVERIFY2(titles.contains(QString::fromUtf8(t)), qPrintable(titles.join(QLatin1Char(','))));
        QCOMPARE(tabs_->chartDataset(), state()->dataset()->find_dataset("coqa"));
    }

    void curvesEqualCore() {
        const data::Dataset& ds = *state()->dataset();
        const auto& cq = tabs_->costQuality()->data();
        QVERIFY(!cq.methods.empty());
        // The chart's data is core's cost_quality on the same rows.
        const auto expect = eval::cost_quality(ds, tabs_->trainRows(), tabs_->evalRows(), eval::chart_methods("coqa"),
                                               state()->config());
        QCOMPARE(cq.methods.size(), expect.methods.size());
        for (std::size_t m = 0; m < cq.methods.size(); ++m) {
            QCOMPARE(cq.methods[m].points.size(), expect.methods[m].points.size());
            QCOMPARE(cq.methods[m].trained, expect.methods[m].trained);
        }
        // Every method has a candidate series with one marker per drawable candidate.
        for (const auto& c : cq.methods) {
            if (!c.ok) continue;
            auto* s = tabs_->costQuality()->candidateSeries(QString::fromStdString(c.method));
            QVERIFY2(s, c.method.c_str());
            QCOMPARE(static_cast<std::size_t>(s->count()), c.points.size());
        }
    }

    void thresholdSliderReroutes() {
        chooseMethod(QStringLiteral("Threshold"));
        ui::TuningPanel* panel = tabs_->tuning();
        QVERIFY(panel->parameterSlider(QStringLiteral("threshold"))->isVisibleTo(panel));
        const data::Dataset& ds = *state()->dataset();
        const int coqa = ds.find_dataset("coqa");
        data::View all;
        for (std::size_t r = 0; r < ds.size(); ++r)
            if (ds.dataset_index[r] == coqa) all.push_back(static_cast<data::RowIndex>(r));

        for (int value : {250, 900, 600}) {
            QSignalSpy routed(state(), &ui::RoutingState::routingChanged);
            panel->parameterSlider(QStringLiteral("threshold"))->setValue(value);
            QVERIFY(routed.count() >= 1);
            const routing::Params p(value / 1000.0);
            const auto expected = coreRoute(ds, all, "Threshold", p, state()->config());
            for (std::size_t i = 0; i < all.size(); ++i) QCOMPARE(int(state()->decision(all[i])), int(expected[i]));
            const auto val = coreFigures(ds, tabs_->evalRows(), "Threshold", p, state()->config());
            const auto train = coreFigures(ds, tabs_->trainRows(), "Threshold", p, state()->config());
            QVERIFY(panel->evalFigures() && panel->trainFigures());
            QCOMPARE(panel->evalFigures()->avg_cost, val.avg_cost);
            QCOMPARE(panel->evalFigures()->lift, val.lift);
            QCOMPARE(panel->evalFigures()->apgr, val.apgr);
            QCOMPARE(panel->trainFigures()->avg_perf, train.avg_perf);
            QCOMPARE(panel->trainFigures()->escalated_fraction, train.escalated_fraction);
            // The scope (coqa · val) summary and the chart ring show the same point.
            QCOMPARE(state()->metrics().values.avg_cost, val.avg_cost);
            QCOMPARE(state()->metrics().values.lift, val.lift);
            QVERIFY(window_->summaryLabel()->text().contains(QString::number(val.avg_cost, 'f', 2)));
            const auto ring = tabs_->costQuality()->currentPoint();
            QVERIFY(ring);
            QCOMPARE(ring->x(), val.avg_cost);
            QCOMPARE(ring->y(), val.avg_perf);
            auto* label = panel->findChild<QLabel*>(QStringLiteral("figure_0_2"));
            QVERIFY(label);
            QCOMPARE(label->text(), QString::number(val.avg_cost, 'f', 2));
        }
        // Keyboard: one step right moves t by a single step and re-routes.
        panel->parameterSlider(QStringLiteral("threshold"))->setFocus();
        const int before = panel->parameterSlider(QStringLiteral("threshold"))->value();
        QTest::keyClick(panel->parameterSlider(QStringLiteral("threshold")), Qt::Key_PageUp);
        QCOMPARE(panel->parameterSlider(QStringLiteral("threshold"))->value(),
                 before + panel->parameterSlider(QStringLiteral("threshold"))->pageStep());
        const routing::Params p(panel->parameterSlider(QStringLiteral("threshold"))->value() / 1000.0);
        QCOMPARE(panel->evalFigures()->avg_cost,
                 coreFigures(ds, tabs_->evalRows(), "Threshold", p, state()->config()).avg_cost);
        QVERIFY(state()->trainedFor(coqa)->params == p);
    }

    void trainButtonJumpsToTrainedParameters() {
        ui::TuningPanel* panel = tabs_->tuning();
        panel->parameterSlider(QStringLiteral("threshold"))->setValue(10);
        QTest::mouseClick(panel->trainButton(), Qt::LeftButton);
        state()->waitForTraining();
        QCoreApplication::processEvents();
        const auto& cq = tabs_->costQuality()->data();
        std::size_t m = 0;
        while (m < cq.methods.size() && cq.methods[m].method != "Threshold") ++m;
        QVERIFY(m < cq.methods.size());
        const double trained = cq.methods[m].points[cq.methods[m].trained].params.get<double>();
        QCOMPARE(panel->parameterSlider(QStringLiteral("threshold"))->value(),
                 static_cast<int>(std::lround(trained * 1000)));
    }

    void rangeSlidersForDoubleThreshold() {
        chooseMethod(QStringLiteral("DoubleThreshold"));
        ui::TuningPanel* panel = tabs_->tuning();
        QVERIFY(panel->parameterSlider(QStringLiteral("low"))->isVisibleTo(panel));
        QVERIFY(!panel->parameterSlider(QStringLiteral("threshold")));  // not DoubleThreshold's control
        auto* hidden = panel->findChild<QSlider*>(QStringLiteral("thresholdSlider"));
        QVERIFY(hidden && !hidden->isVisibleTo(panel));  // made for Threshold before, now hidden
        panel->parameterSlider(QStringLiteral("high"))->setValue(700);
        panel->parameterSlider(QStringLiteral("low"))->setValue(200);
        const data::Dataset& ds = *state()->dataset();
        const routing::Params p = routing::Params::array({0.2, 0.7});
        QVERIFY(state()->trainedFor(ds.find_dataset("coqa"))->params == p);
        QCOMPARE(panel->evalFigures()->avg_perf,
                 coreFigures(ds, tabs_->evalRows(), "DoubleThreshold", p, state()->config()).avg_perf);
        // Handles do not cross.
        panel->parameterSlider(QStringLiteral("low"))->setValue(900);
        QCOMPARE(panel->parameterSlider(QStringLiteral("high"))->value(), 900);
    }

    void candidateSliderForPomdp() {
        chooseMethod(QStringLiteral("POMDP"));
        ui::TuningPanel* panel = tabs_->tuning();
        QVERIFY(panel->candidateSlider()->isVisibleTo(panel));
        const data::Dataset& ds = *state()->dataset();
        const auto* t = state()->trainedFor(ds.find_dataset("coqa"));
        QVERIFY(t && t->candidates.size() > 3);
        const routing::Params p = t->candidates[3].first;  // copied: re-routing replaces the trained entries
        panel->candidateSlider()->setValue(3);
        QVERIFY(state()->trainedFor(ds.find_dataset("coqa"))->params == p);
        QCOMPARE(panel->evalFigures()->lift, coreFigures(ds, tabs_->evalRows(), "POMDP", p, state()->config()).lift);
    }

    void clickingAPointSelectsTheMethod() {
        chooseMethod(QStringLiteral("Threshold"));
        auto* chart = tabs_->costQuality();
        const auto& cq = chart->data();
        std::size_t m = 0;
        while (m < cq.methods.size() && cq.methods[m].method != "DoubleThreshold") ++m;
        QVERIFY(m < cq.methods.size());
        QScatterSeries* s = chart->candidateSeries(QStringLiteral("DoubleThreshold"));
        QVERIFY(s && s->count() > 5);
        // The series emits clicked() as a mouse click on a marker would.
        emit s->clicked(s->at(5));
        state()->waitForTraining();
        QCoreApplication::processEvents();
        QCOMPARE(state()->methodName(), QStringLiteral("DoubleThreshold"));
        const data::Dataset& ds = *state()->dataset();
        QVERIFY(state()->trainedFor(ds.find_dataset("coqa"))->params == cq.methods[m].points[5].params);
        const auto ring = chart->currentPoint();
        QVERIFY(ring);
        QCOMPARE(ring->x(), cq.methods[m].points[5].metrics.avg_cost);
        QCOMPARE(ring->y(), cq.methods[m].points[5].metrics.avg_perf);
        // Hover text names the method, parameters and figures.
        const QString tip = chart->tooltipFor(m, 5);
        QVERIFY(tip.contains(QStringLiteral("DoubleThreshold")));
        QVERIFY(tip.contains(QStringLiteral("lift")));

        // A real mouse click on the trained Threshold marker selects the candidate under the
        // cursor (markers of other methods may lie on top: whichever it is, its point must be there).
        QScatterSeries* trained = chart->trainedSeries(QStringLiteral("Threshold"));
        QVERIFY(trained && trained->count() == 1);
        QChartView* view = chart->view();
        const QPointF scene = view->chart()->mapToScene(view->chart()->mapToPosition(trained->at(0), trained));
        const QPoint at = view->mapFromScene(scene);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
        state()->waitForTraining();
        QCoreApplication::processEvents();
        std::size_t chosen = 0;
        while (chosen < cq.methods.size() && QString::fromStdString(cq.methods[chosen].method) != state()->methodName())
            ++chosen;
        QVERIFY2(chosen < cq.methods.size(), qPrintable(state()->methodName()));
        const routing::Params now = state()->trainedFor(ds.find_dataset("coqa"))->params;
        bool underCursor = false;
        for (const auto& p : cq.methods[chosen].points) {
            if (!(p.params == now)) continue;
            const QPointF pos = view->mapFromScene(view->chart()->mapToScene(
                view->chart()->mapToPosition(QPointF(p.metrics.avg_cost, p.metrics.avg_perf), trained)));
            // Within the marker's box (trained markers are 16 px: up to 8·√2 px from the centre).
            underCursor |= QLineF(pos, at).length() < 12.5;
        }
        QVERIFY2(underCursor, "the clicked candidate is not the one under the cursor");
    }

    void beliefAndVerifierCharts() {
        chooseMethod(QStringLiteral("POMDPSimple"));
        tabs_->flushBelief();
        const auto& bins = tabs_->belief()->data();
        QCOMPARE(bins.size(), std::size_t(9));
        std::size_t rows = 0;
        for (const auto& b : bins) {
            rows += b.routed_rows;
            // POMDPSimple routes by bin: every bin is all-escalate or all-stay.
            if (b.routed_rows) QVERIFY(b.escalated_share == 0.0 || b.escalated_share == 1.0);
        }
        QCOMPARE(rows, tabs_->trainRows().size());
        const auto& h = tabs_->verifier()->histogram();
        std::size_t counted = h.invalid;
        for (std::size_t k = 0; k < h.centres.size(); ++k) counted += h.correct[k] + h.wrong[k];
        QCOMPARE(counted, tabs_->evalRows().size());
        QVERIFY(tabs_->verifier()->reliabilityData().ece >= 0);
        // Clicking a bin narrows the table to the rows of that bin (nearest bin of core).
        emit tabs_->belief()->binClicked(6);
        QVERIFY(state()->linkedFilter());
        const data::Dataset& ds = *state()->dataset();
        const routing::Bins nearest(8);
        std::size_t inBin = 0;
        for (data::RowIndex r = 0; r < ds.size(); ++r) {
            const bool expected =
                ds.dataset_index[r] == tabs_->chartDataset() && nearest.nearest(ds.small().verifier_confidence[r]) == 6;
            QCOMPARE(state()->linkedFilter()(r), expected);
            inBin += expected;
        }
        QVERIFY(inBin > 0);
        state()->clearLinkedFilter();

        // A real click on the "wrong" part of the fullest histogram bar narrows the table to
        // that bin's rows whose small answer was wrong.
        std::size_t k = 0;
        for (std::size_t i = 0; i < h.centres.size(); ++i)
            if (h.wrong[i] > h.wrong[k]) k = i;
        QVERIFY(h.wrong[k] > 0);
        QChartView* hv = tabs_->verifier()->histogramView();
        for (QWidget* w = hv; w; w = w->parentWidget())  // bring every enclosing tab to the front
            if (auto* tw = qobject_cast<QTabWidget*>(w->parentWidget() ? w->parentWidget()->parentWidget() : nullptr))
                tw->setCurrentWidget(w);
        QTRY_VERIFY(hv->isVisible());
        QCoreApplication::processEvents();
        auto* bars = qobject_cast<QAbstractBarSeries*>(hv->chart()->series().value(0));
        QVERIFY(bars);
        const QPointF mid(static_cast<double>(k), static_cast<double>(h.correct[k]) + h.wrong[k] / 2.0);
        const QPoint at = hv->mapFromScene(hv->chart()->mapToScene(hv->chart()->mapToPosition(mid, bars)));
        QSignalSpy filtered(state(), &ui::RoutingState::linkedFilterChanged);
        QTest::mouseClick(hv->viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(filtered.count(), 1);
        QVERIFY(state()->linkedFilter());
        QVERIFY(state()->linkedFilterLabel().contains(QStringLiteral("wrong")));
        std::size_t matched = 0;
        const auto& small = ds.small();
        for (data::RowIndex r = 0; r < ds.size(); ++r) {
            const bool expected = ds.dataset_index[r] == tabs_->chartDataset() &&
                                  nearest.nearest(small.verifier_confidence[r]) == static_cast<int>(k) &&
                                  small.score[r] < h.tau;
            QCOMPARE(state()->linkedFilter()(r), expected);
            matched += expected;
        }
        QVERIFY(matched >= h.wrong[k]);  // eval rows of the bin, plus the dataset's other splits
        state()->clearLinkedFilter();
    }

    void cascadeBeliefTrajectory() {
        chooseMethod(QStringLiteral("Cascade"));
        QVERIFY(state()->isRouted());
        const data::Dataset& ds = *state()->dataset();
        const data::RowIndex row = tabs_->evalRows().at(3);
        state()->setCurrentRow(row);
        tabs_->flushBelief();
        auto* panel = tabs_->cascade();
        QVERIFY(panel->isVisibleTo(panel->parentWidget()));
        const auto& v = panel->view();
        QVERIFY2(v.error.empty(), v.error.c_str());
        QVERIFY(!v.steps.empty());
        QCOMPARE(v.steps.front().model, 0);
        double sum = 0;
        for (double b : v.steps.front().belief) sum += b;
        QVERIFY(std::fabs(sum - 1.0) < 1e-9);
        // The same as core computes for that row with the parameters in use.
        const auto* t = state()->trainedFor(tabs_->chartDataset());
        const auto expect = eval::cascade_view(ds, t->trainRows, row, t->params, state()->config());
        QCOMPARE(v.steps.size(), expect.steps.size());
        for (std::size_t i = 0; i < v.steps.size(); ++i) QVERIFY(v.steps[i].belief == expect.steps[i].belief);
        QVERIFY(panel->policyTable()->rowCount() > 0);
        QCOMPARE(static_cast<std::size_t>(panel->policyTable()->rowCount()), expect.policy_table.size());
        // The λ slider is the control for the cascade.
        QVERIFY(tabs_->tuning()->parameterSlider(QStringLiteral("lambda"))->isVisibleTo(tabs_->tuning()));
    }

    void samplesCurveRunsInBackground() {
        QTest::mouseClick(tabs_->verifier()->computeButton(), Qt::LeftButton);
        QVERIFY(tabs_->verifier()->isComputing());
        tabs_->verifier()->waitForSamplesCurve();
        const auto& c = tabs_->verifier()->samplesCurve();
        QVERIFY2(tabs_->verifier()->samplesError().isEmpty(), qPrintable(tabs_->verifier()->samplesError()));
        QCOMPARE(c.ks.size(), std::size_t(32));
        QCOMPARE(c.points.size(), 32 * c.methods.size());
        QVERIFY(c.max_samples > 1);
    }

    void exportsWriteFilesMatchingTheData() {
        QTemporaryDir dir;
        QStringList files;
        const QString error = tabs_->exportReport(dir.path(), &files);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (const char* name : {"cost_quality.png", "cost_quality.svg", "cost_quality.csv", "belief_states.png",
                                 "belief_states.svg", "belief_states.csv", "verifier_histogram.png", "reliability.svg",
                                 "lift_vs_samples.csv", "per_dataset.png", "per_dataset.csv", "report.json"}) {
            const QFileInfo f(QDir(dir.path()).filePath(QLatin1String(name)));
            QVERIFY2(f.exists() && f.size() > 100, name);
        }
        // PNG and SVG are what they say.
        QFile png(QDir(dir.path()).filePath(QStringLiteral("cost_quality.png")));
        QVERIFY(png.open(QIODevice::ReadOnly));
        QVERIFY(png.read(8).startsWith("\x89PNG"));
        QFile svg(QDir(dir.path()).filePath(QStringLiteral("cost_quality.svg")));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QVERIFY(svg.readAll().contains("<svg"));

        // cost_quality.csv: first the provenance of the curves (file, every dataset, split,
        // costs), then the curves of every dataset, each line led by its dataset; the chart's
        // dataset's lines = the chart's curve data, point by point.
        auto all = readCsv(QDir(dir.path()).filePath(QStringLiteral("cost_quality.csv")));
        QVERIFY(!all.empty());
        QCOMPARE(all[0].front().substr(0, 15), std::string("# computed on: "));
        QVERIFY2(all[0].front().find("every dataset") != std::string::npos, all[0].front().c_str());
        // (The comment line's commas split it as a CSV row: the costs start in its first field.)
        QVERIFY2(all[0].front().find(state()->snapshot()->costsText().section(QLatin1Char(','), 0, 0).toStdString()) !=
                     std::string::npos,
                 all[0].front().c_str());
        all.erase(all.begin());
        QCOMPARE(all[0].front(), std::string("dataset"));
        const std::string shown = state()->snapshot()->datasetName(tabs_->chartDataset()).toStdString();
        std::set<std::string> datasets;
        std::vector<std::vector<std::string>> rows{all[0]};
        for (std::size_t i = 1; i < all.size(); ++i) {
            datasets.insert(all[i].front());
            if (all[i].front() == shown) rows.push_back(all[i]);
        }
        QCOMPARE(datasets.size(), state()->dataset()->dataset_names.size());
        const auto& header = rows[0];
        const auto col = [&](const char* n) {
            return static_cast<std::size_t>(std::find(header.begin(), header.end(), n) - header.begin());
        };
        const auto& cq = tabs_->costQuality()->data();
        std::size_t expected = 3 + cq.random_mix.size();
        for (const auto& m : cq.methods) expected += m.points.size();
        QCOMPARE(rows.size() - 1, expected);
        std::size_t line = 1 + 3 + cq.random_mix.size();
        for (const auto& m : cq.methods)
            for (std::size_t p = 0; p < m.points.size(); ++p, ++line) {
                QCOMPARE(rows[line][col("method")], m.method);
                QCOMPARE(rows[line][col("params")], m.points[p].params.dump());
                QVERIFY(same(parse(rows[line][col("avg_cost")]), m.points[p].metrics.avg_cost));
                QVERIFY(same(parse(rows[line][col("avg_perf")]), m.points[p].metrics.avg_perf));
                QVERIFY(same(parse(rows[line][col("lift")]), m.points[p].metrics.lift));
                QCOMPARE(rows[line][col("trained")], std::string(p == m.trained ? "1" : "0"));
            }
        QVERIFY(same(parse(rows[1][col("avg_cost")]), cq.small_only.avg_cost));
        // Belief CSV rows = the belief bins.
        auto belief = readCsv(QDir(dir.path()).filePath(QStringLiteral("belief_states.csv")));
        QVERIFY(!belief.empty() && belief[0].front().rfind("# computed on: ", 0) == 0);
        QVERIFY(belief[0].front().find(state()->snapshot()->datasetName(tabs_->chartDataset()).toStdString()) !=
                std::string::npos);
        belief.erase(belief.begin());
        const auto& bins = tabs_->belief()->data();
        QCOMPARE(belief.size() - 1, bins.size());
        for (std::size_t k = 0; k < bins.size(); ++k) QVERIFY(same(parse(belief[k + 1][3]), bins[k].p_needy));
        // The JSON report is the oracle-format report.
        QFile json(QDir(dir.path()).filePath(QStringLiteral("report.json")));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject report = QJsonDocument::fromJson(json.readAll()).object();
        QCOMPARE(report.value(QStringLiteral("format")).toString(), QStringLiteral("automix-oracle-v1"));
        // The input named is the embedded demo (never the temporary copy), with its hash.
        const QJsonObject input = report.value(QStringLiteral("input")).toObject();
        QVERIFY2(input.value(QStringLiteral("path")).toString().startsWith(QStringLiteral("resources/demo/demo.jsonl.gz")),
                 qPrintable(input.value(QStringLiteral("path")).toString()));
        QCOMPARE(input.value(QStringLiteral("sha256")).toString().size(), 64);
        // per_dataset.csv says which protocol made each line.
        auto perDataset = readCsv(QDir(dir.path()).filePath(QStringLiteral("per_dataset.csv")));
        QVERIFY(perDataset.size() > 2);
        QCOMPARE(perDataset[1].back(), std::string("protocol"));
        const std::string protocol = tabs_->perDataset()->report()->options.protocol == eval::Protocol::Paper ? "paper"
                                                                                                            : "full";
        for (std::size_t i = 2; i < perDataset.size(); ++i) QCOMPARE(perDataset[i].back(), protocol);
    }

    void perDatasetTableListsEveryDataset() {
        auto* view = tabs_->perDataset();
        if (!view->hasReport()) {
            view->run(eval::Protocol::Full, 1);
            view->waitForRun();
        }
        QVERIFY(view->hasReport());
        QCOMPARE(static_cast<std::size_t>(view->table()->columnCount()), state()->dataset()->dataset_names.size());
        QVERIFY(view->table()->rowCount() >= 7);
        // Paper protocol: mean ± std.
        view->run(eval::Protocol::Paper, 2);
        view->waitForRun();
        QVERIFY(view->report()->options.protocol == eval::Protocol::Paper);
        QVERIFY(view->table()->item(0, 0)->text().contains(QStringLiteral("±")));
    }

    void chartShots() {
        // Saved for review when asked (the README screenshots come from here).
        const QString dir = qEnvironmentVariable("AUTOMIX_CHART_SHOTS");
        if (dir.isEmpty()) QSKIP("set AUTOMIX_CHART_SHOTS to save chart PNGs");
        QDir().mkpath(dir);
        chooseMethod(QStringLiteral("POMDP"));
        tabs_->waitForCurves();
        const QSize size(1100, 650);
        using namespace ui::charts;
        QVERIFY(
            exportPng(tabs_->costQuality()->view(), dir + QStringLiteral("/chart-cost-quality.png"), size).isEmpty());
        QVERIFY(exportPng(tabs_->belief()->view(), dir + QStringLiteral("/chart-belief.png"), size).isEmpty());
        QVERIFY(
            exportPng(tabs_->verifier()->histogramView(), dir + QStringLiteral("/chart-histogram.png"), QSize(700, 500))
                .isEmpty());
        QVERIFY(exportPng(tabs_->verifier()->reliabilityView(), dir + QStringLiteral("/chart-reliability.png"),
                          QSize(600, 500))
                    .isEmpty());
        QVERIFY(exportPng(tabs_->verifier()->samplesView(), dir + QStringLiteral("/chart-samples.png"), QSize(700, 500))
                    .isEmpty());
        QVERIFY(exportPng(tabs_->perDataset()->view(), dir + QStringLiteral("/chart-per-dataset.png"), size).isEmpty());
        chooseMethod(QStringLiteral("Cascade"));
        tabs_->flushBelief();
        QVERIFY(exportPng(tabs_->cascade()->chartView(), dir + QStringLiteral("/chart-cascade.png"), QSize(800, 500))
                    .isEmpty());
        window_->bottomTabs()->setCurrentIndex(1);
        QCoreApplication::processEvents();
        window_->grab().save(dir + QStringLiteral("/window.png"));
    }

    // N models: the verifier charts show the chosen non-final model's self-verification, and
    // say whose; the linked filter of a bar uses that model too. (Runs last: it opens another file.)
    void verifierOfEachNonFinalModel() {
        auto* chooser = window_->findChild<QComboBox*>(QStringLiteral("verifierModel"));
        QVERIFY(chooser);
        QVERIFY(!chooser->isVisibleTo(tabs_->verifier()));  // two models: nothing to choose
        QString error;
        QVERIFY2(window_->openFile(ui::extractDemoFile(QStringLiteral("demo-3model.jsonl.gz")), &error),
                 qPrintable(error));
        window_->selectDataset(QStringLiteral("cnli"));
        QCoreApplication::processEvents();
        const data::Dataset& ds = *state()->dataset();
        QCOMPARE(ds.model_count(), std::size_t(3));
        QCOMPARE(chooser->count(), 2);
        QVERIFY(chooser->isVisibleTo(tabs_->verifier()));
        const int bins = state()->config().num_bins;
        for (int m : {1, 0}) {
            chooser->setCurrentIndex(m);
            QCoreApplication::processEvents();
            const auto expect = eval::confidence_histogram(ds, tabs_->evalRows(), bins, 0.5, static_cast<std::size_t>(m));
            QCOMPARE(tabs_->verifier()->histogram().correct, expect.correct);
            QCOMPARE(tabs_->verifier()->histogram().wrong, expect.wrong);
            const auto rel = eval::reliability(ds, tabs_->evalRows(), bins, static_cast<std::size_t>(m));
            QCOMPARE(tabs_->verifier()->reliabilityData().ece, rel.ece);
            const QString title = tabs_->verifier()->histogramView()->toolTip();  // the title is short
            QVERIFY2(title.contains(QStringLiteral("verifier of ") + chooser->itemText(m)), qPrintable(title));
        }
        if (const QString dir = qEnvironmentVariable("AUTOMIX_CHART_SHOTS"); !dir.isEmpty()) {
            chooser->setCurrentIndex(1);
            for (int i = 0; i < window_->bottomTabs()->count(); ++i)
                if (window_->bottomTabs()->tabText(i) == QStringLiteral("Verifier")) window_->bottomTabs()->setCurrentIndex(i);
            QTest::qWait(300);
            window_->grab().save(dir + "/verifier-3model-window.png");
            QVERIFY(ui::charts::exportPng(tabs_->verifier()->histogramView(), dir + "/verifier-3model.png", QSize(1100, 650)).isEmpty());
            chooser->setCurrentIndex(0);
            QCoreApplication::processEvents();
        }
        // The medium model's confidence differs from the small one's somewhere, or the chooser shows nothing new.
        QVERIFY(eval::confidence_histogram(ds, tabs_->evalRows(), bins, 0.5, 0).correct !=
                eval::confidence_histogram(ds, tabs_->evalRows(), bins, 0.5, 1).correct);
    }

    void cleanupTestCase() {
        window_->close();
        window_.reset();
    }
};

QTEST_MAIN(TestCharts)
#include "test_charts.moc"

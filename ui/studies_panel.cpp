#include "ui/studies_panel.hpp"

#include <QApplication>
#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLegendMarker>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QLogValueAxis>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <cmath>

#include "core/eval/router_scores.hpp"
#include "core/routing/method.hpp"
#include "ui/charts/chart_export.hpp"
#include "ui/charts/chart_interaction.hpp"
#include "ui/charts/chart_legend.hpp"
#include "ui/charts/chart_page.hpp"
#include "ui/charts/chart_style.hpp"
#include "ui/job_runner.hpp"
#include "ui/panel_host.hpp"
#include "ui/routing_state.hpp"
#include "ui/settings/settings.hpp"

namespace automix::ui {

// Transfer matrix: cells coloured by lift (diverging around 0), value printed in each cell.
class StudyHeatMap : public QWidget {
  public:
    explicit StudyHeatMap(QWidget* parent) : QWidget(parent) { setMinimumSize(320, 220); }
    void setMatrix(const study::Matrix* m, QString title) {
        matrix_ = m ? std::optional<study::Matrix>(*m) : std::nullopt;
        title_ = std::move(title);
        update();
    }

  protected:
    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(rect(), palette().color(QPalette::Base));
        p.setPen(palette().color(QPalette::Text));
        if (!matrix_) {
            p.drawText(rect(), Qt::AlignCenter, tr("Run the transfer study to see the matrix"));
            return;
        }
        const auto& m = *matrix_;
        const QFontMetrics fm(font());
        int labelW = 0;
        for (const auto& l : m.row_labels) labelW = std::max(labelW, fm.horizontalAdvance(QString::fromStdString(l)));
        const int top = fm.height() * 3, left = labelW + 16, bottom = fm.height() * 2 + 8;
        const int rows = static_cast<int>(m.row_labels.size()), cols = static_cast<int>(m.col_labels.size());
        if (rows == 0 || cols == 0) return;
        const double cw = double(width() - left - 12) / cols, ch = double(height() - top - bottom) / rows;
        QFont bold = font();
        bold.setBold(true);
        p.setFont(bold);
        p.drawText(QRect(0, 0, width(), fm.height() + 4), Qt::AlignCenter, title_);
        p.setFont(font());
        p.drawText(QRect(left, fm.height() + 2, width() - left, fm.height() + 2), Qt::AlignCenter,
                   tr("evaluated on (val) →"));
        double extent = 0;
        for (const auto& row : m.values)
            for (const double v : row)
                if (std::isfinite(v)) extent = std::max(extent, std::abs(v));
        if (extent == 0) extent = 1;
        for (int r = 0; r < rows; ++r) {
            p.drawText(QRectF(0, top + r * ch, left - 8, ch), Qt::AlignRight | Qt::AlignVCenter,
                       QString::fromStdString(m.row_labels[r]));
            for (int c = 0; c < cols; ++c) {
                const double v = m.values[r][c];
                const QRectF cell(left + c * cw, top + r * ch, cw - 2, ch - 2);
                QColor fill = palette().color(QPalette::Window);
                if (std::isfinite(v)) {
                    const double t = std::min(1.0, std::abs(v) / extent);
                    const QColor hue = v >= 0 ? QColor(33, 113, 181) : QColor(203, 24, 29);
                    fill = QColor::fromRgbF(1 - t * (1 - hue.redF()), 1 - t * (1 - hue.greenF()),
                                            1 - t * (1 - hue.blueF()));
                }
                p.fillRect(cell, fill);
                if (r == c) {
                    p.setPen(QPen(palette().color(QPalette::Text), 1.5));
                    p.drawRect(cell);
                }
                p.setPen(std::isfinite(v) && std::abs(v) / extent > 0.55 ? Qt::white : Qt::black);
                p.drawText(cell, Qt::AlignCenter, std::isfinite(v) ? QString::number(100 * v, 'f', 1) + " %" : "–");
                p.setPen(palette().color(QPalette::Text));
            }
        }
        for (int c = 0; c < cols; ++c)
            p.drawText(QRectF(left + c * cw, top + rows * ch + 4, cw, fm.height() + 2), Qt::AlignCenter,
                       QString::fromStdString(m.col_labels[c]));
        p.drawText(QRect(0, height() - fm.height() - 2, width(), fm.height()), Qt::AlignCenter,
                   tr("rows: trained on · colour: val IBC lift (blue > 0 > red) · outlined: in-domain"));
    }

  private:
    std::optional<study::Matrix> matrix_;
    QString title_;
};

namespace {

QStringList split(const QString& text) {
    QStringList out;
    for (const QString& part : text.split(',', Qt::SkipEmptyParts)) out << part.trimmed();
    return out;
}

// Comma list of non-negative numbers ("all" → allValue when allowed).
std::optional<std::vector<double>> numbers(const QString& text, bool allowAll, double allValue = 0) {
    std::vector<double> out;
    for (const QString& part : split(text)) {
        if (allowAll && part == QLatin1String("all")) {
            out.push_back(allValue);
            continue;
        }
        bool ok = false;
        const double v = part.toDouble(&ok);
        if (!ok || !std::isfinite(v) || v < 0) return std::nullopt;
        out.push_back(v);
    }
    if (out.empty()) return std::nullopt;
    return out;
}

QString percent(double x) {
    return std::isfinite(x) ? QString::number(100 * x, 'f', 1) + " %" : QStringLiteral("–");
}

QString cellText(const nlohmann::json& v) {
    if (v.is_null()) return QStringLiteral("–");
    if (v.is_string()) return QString::fromStdString(v.get<std::string>());
    if (v.is_boolean()) return v.get<bool>() ? QStringLiteral("yes") : QStringLiteral("no");
    if (v.is_number_float()) return QString::number(v.get<double>(), 'g', 6);
    return QString::fromStdString(v.dump());
}

}  // namespace

const QString kStudyJob = QStringLiteral("study");

StudiesPanel::StudiesPanel(QWidget* parent, JobRunner* jobs, settings::Settings* store)
    : QWidget(parent), jobs_(jobs), store_(store ? store : new settings::Settings(this)) {
    setObjectName(QStringLiteral("studiesPanel"));
    if (!jobs_) jobs_ = new JobRunner(this);
    buildUi();
    jobs_->follow(kStudyJob, this,
                  {[this, bar = JobRunner::intoBar(progress_)](qint64 done, qint64 total, const QString& stage) {
                       bar(done, total, stage);
                       if (total > 0) status_->setText(tr("%1: %2 of %3").arg(stage).arg(done).arg(total));
                   },
                   [this](const QString& message) {
                       status_->setText(tr("Failed: %1").arg(message));
                       lastError_ = message;
                   },
                   [this](bool delivered) { onRunEnded(delivered); }});
}

void StudiesPanel::buildUi() {
    auto* outer = new QHBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 4);
    auto* split = new QSplitter(Qt::Horizontal, this);
    outer->addWidget(split);

    // Left: study, scope, parameters, run.
    auto* left = new QWidget(split);
    auto* form = new QVBoxLayout(left);
    form->setContentsMargins(0, 0, 0, 0);
    studyCombo_ = new QComboBox(left);
    studyCombo_->setObjectName(QStringLiteral("studyCombo"));
    for (const auto& info : study::study_infos())
        studyCombo_->addItem(QString::fromStdString(info.name), QString::fromStdString(info.summary));
    studyHelp_ = new QLabel(left);
    studyHelp_->setWordWrap(true);
    form->addWidget(studyCombo_);
    form->addWidget(studyHelp_);

    auto* lists = new QHBoxLayout;
    datasetList_ = new QListWidget(left);
    datasetList_->setObjectName(QStringLiteral("studyDatasets"));
    datasetList_->setToolTip(tr("Datasets to study (none checked = all)"));
    methodList_ = new QListWidget(left);
    methodList_->setObjectName(QStringLiteral("studyMethods"));
    methodList_->setToolTip(tr("Methods to compare (none checked = every trained method)"));
    auto titled = [left](const QString& title, QWidget* w) {
        auto* box = new QVBoxLayout;
        box->setSpacing(2);
        box->addWidget(new QLabel(title, left));
        box->addWidget(w, 1);
        return box;
    };
    lists->addLayout(titled(tr("Datasets (none = all)"), datasetList_), 1);
    lists->addLayout(titled(tr("Methods (none = defaults)"), methodList_), 2);
    form->addLayout(lists, 1);

    pages_ = new QStackedWidget(left);
    auto page = [&](auto fill) {
        auto* w = new QWidget(pages_);
        auto* f = new QFormLayout(w);
        f->setContentsMargins(0, 0, 0, 0);
        fill(w, f);
        pages_->addWidget(w);
    };
    // Range, default, tooltip and QSettings key of each number: ui/settings/setting_meta.cpp.
    auto spin = [this](QWidget* parent, std::string_view key) { return store_->spinBox(key, parent); };
    page([&](QWidget* w, QFormLayout* f) {  // cost-ratio
        ratios_ = new QLineEdit(QStringLiteral("2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000"), w);
        ratios_->setToolTip(tr("Large : small call-cost ratios; every method is retrained at each"));
        f->addRow(tr("Ratios"), ratios_);
    });
    page([&](QWidget* w, QFormLayout* f) {  // train-size
        sizes_ = new QLineEdit(QStringLiteral("10, 25, 50, 100, 250, 500, 1000, all"), w);
        sizeSeeds_ = spin(w, settings::key::StudySizeSeeds);
        f->addRow(tr("Train rows"), sizes_);
        f->addRow(tr("Seeds"), sizeSeeds_);
    });
    page([&](QWidget* w, QFormLayout* f) {  // transfer
        f->addRow(new QLabel(tr("Trains each method on every dataset and evaluates it on every other."), w));
    });
    page([&](QWidget* w, QFormLayout* f) {  // samples
        ks_ = new QLineEdit(QStringLiteral("1, 2, 4, 8, 16, 32"), w);
        sampleSeeds_ = spin(w, settings::key::StudySampleSeeds);
        f->addRow(tr("Samples k"), ks_);
        f->addRow(tr("Seeds"), sampleSeeds_);
    });
    page([&](QWidget* w, QFormLayout* f) {  // seeds
        seeds_ = spin(w, settings::key::StudySeeds);
        trainRows_ = spin(w, settings::key::StudyTrainRows);
        bootstrap_ = spin(w, settings::key::StudyBootstrap);
        f->addRow(tr("Seeds"), seeds_);
        f->addRow(tr("Train rows"), trainRows_);
        f->addRow(tr("Bootstrap"), bootstrap_);
    });
    page([&](QWidget* w, QFormLayout* f) {  // latency
        latency_ = new QLineEdit(QStringLiteral("0.5, 3.0"), w);
        latency_->setToolTip(tr("Seconds per call of each model, cheapest first"));
        verifierLatency_ = store_->doubleSpinBox(settings::key::StudyVerifierLatency, w);
        f->addRow(tr("Model latency (s)"), latency_);
        f->addRow(tr("Verification"), verifierLatency_);
    });
    form->addWidget(pages_);
    connect(studyCombo_, &QComboBox::currentIndexChanged, this, [this](int i) {
        pages_->setCurrentIndex(i);
        studyHelp_->setText(studyCombo_->itemData(i).toString());
        // The result of another study is not this study's: its chart and exports go.
        if (result_ && QString::fromStdString(result_->study) != studyCombo_->itemText(i))
            clearResult(tr("Press Run for the %1 study").arg(studyCombo_->itemText(i)));
    });
    studyHelp_->setText(studyCombo_->itemData(0).toString());

    auto* buttons = new QHBoxLayout;
    runButton_ = new QPushButton(tr("Run"), left);
    runButton_->setObjectName(QStringLiteral("runStudy"));
    cancelButton_ = new QPushButton(tr("Cancel"), left);
    cancelButton_->setObjectName(QStringLiteral("cancelStudy"));
    cancelButton_->setEnabled(false);
    buttons->addWidget(runButton_);
    buttons->addWidget(cancelButton_);
    form->addLayout(buttons);
    progress_ = new QProgressBar(left);
    progress_->setRange(0, 1);
    progress_->setValue(0);
    form->addWidget(progress_);
    status_ = new QLabel(left);
    status_->setObjectName(QStringLiteral("studyStatus"));
    status_->setWordWrap(true);
    form->addWidget(status_);
    connect(runButton_, &QPushButton::clicked, this, [this] {
        QString error;
        if (!run(&error)) QMessageBox::warning(this, tr("Study"), error);
    });
    connect(cancelButton_, &QPushButton::clicked, this, &StudiesPanel::cancel);

    // Right: chart + table + exports.
    auto* right = new QWidget(split);
    auto* rv = new QVBoxLayout(right);
    rv->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    groupCombo_ = new QComboBox(right);
    groupCombo_->setObjectName(QStringLiteral("studyGroup"));
    groupCombo_->setMinimumContentsLength(18);
    connect(groupCombo_, &QComboBox::currentIndexChanged, this, [this] { drawChart(); });
    bar->addWidget(new QLabel(tr("Show"), right));
    bar->addWidget(groupCombo_, 1);
    for (const QString& kind :
         {QStringLiteral("PNG"), QStringLiteral("SVG"), QStringLiteral("CSV"), QStringLiteral("JSON")}) {
        auto* b = new QPushButton(tr("Export %1…").arg(kind), right);
        b->setEnabled(false);
        connect(b, &QPushButton::clicked, this, [this, kind] { exportDialog(kind); });
        bar->addWidget(b);
        exportButtons_ << b;
    }
    rv->addLayout(bar);
    auto* vsplit = new QSplitter(Qt::Vertical, right);
    chartStack_ = new QStackedWidget(vsplit);
    // A chart like every other (ui/charts/chart_page.hpp), its legend beside, scrolling.
    studyChart_ = new charts::DrawnChart(chartStack_, Qt::Horizontal,
                                         [this](charts::DrawnChart& c) { drawStudyChart(c.chart()); });
    studyChart_->view()->setObjectName(QStringLiteral("studyChart"));
    heatMap_ = new StudyHeatMap(chartStack_);
    heatMap_->setObjectName(QStringLiteral("studyHeatMap"));
    chartStack_->addWidget(studyChart_);
    chartStack_->addWidget(heatMap_);
    table_ = new QTableWidget(vsplit);
    table_->setObjectName(QStringLiteral("studyTable"));
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSortingEnabled(true);
    table_->verticalHeader()->hide();
    vsplit->addWidget(chartStack_);
    vsplit->addWidget(table_);
    vsplit->setSizes({400, 200});
    rv->addWidget(vsplit, 1);
    split->addWidget(left);
    split->addWidget(right);
    split->setSizes({320, 900});
}

void StudiesPanel::setDataset(std::shared_ptr<const data::Dataset> ds, const QString& displayName) {
    if (ds == dataset_) return;
    clearResult(ds ? tr("New data: run a study on it") : QString());
    dataset_ = std::move(ds);
    displayName_ = displayName;
    costsSet_ = false;  // the file's costs until the window sets its own
    if (dataset_) {
        callCosts_.clear();
        for (const auto& m : dataset_->models) callCosts_.push_back(m.call_cost);
        verifierCost_ = dataset_->verifier_cost;
    }
    fillLists();
}

void StudiesPanel::setCosts(std::vector<double> callCosts, double verifierCost) {
    if (costsSet_ && (callCosts != callCosts_ || verifierCost != verifierCost_))
        clearResult(tr("The costs changed: run the study again"));
    callCosts_ = std::move(callCosts);
    verifierCost_ = verifierCost;
    costsSet_ = true;
}

void StudiesPanel::fillLists() {
    datasetList_->clear();
    if (dataset_)
        for (const auto& n : dataset_->dataset_names) {
            auto* item = new QListWidgetItem(QString::fromStdString(n), datasetList_);
            item->setCheckState(Qt::Unchecked);
        }
    QStringList checked;
    for (int i = 0; i < methodList_->count(); ++i)
        if (methodList_->item(i)->checkState() == Qt::Checked) checked << methodList_->item(i)->text();
    methodList_->clear();
    for (const auto& name : routing::method_names()) {
        auto* item = new QListWidgetItem(QString::fromStdString(name), methodList_);
        item->setCheckState(checked.contains(item->text()) ? Qt::Checked : Qt::Unchecked);
    }
}

void StudiesPanel::setStudy(const QString& name) {
    const int i = studyCombo_->findText(name);
    if (i >= 0) studyCombo_->setCurrentIndex(i);
}

QString StudiesPanel::study() const {
    return studyCombo_->currentText();
}

QLineEdit* StudiesPanel::parameterEdit(const QString& name) const {
    if (name == QLatin1String("ratios")) return ratios_;
    if (name == QLatin1String("sizes")) return sizes_;
    if (name == QLatin1String("k")) return ks_;
    if (name == QLatin1String("latency")) return latency_;
    return nullptr;
}

QSpinBox* StudiesPanel::parameterSpin(const QString& name) const {
    if (name == QLatin1String("seeds")) return seeds_;
    if (name == QLatin1String("sizeSeeds")) return sizeSeeds_;
    if (name == QLatin1String("sampleSeeds")) return sampleSeeds_;
    if (name == QLatin1String("trainRows")) return trainRows_;
    if (name == QLatin1String("bootstrap")) return bootstrap_;
    return nullptr;
}

void StudiesPanel::setSelectedDatasets(const QStringList& names) {
    for (int i = 0; i < datasetList_->count(); ++i)
        datasetList_->item(i)->setCheckState(names.contains(datasetList_->item(i)->text()) ? Qt::Checked
                                                                                           : Qt::Unchecked);
}

void StudiesPanel::setSelectedMethods(const QStringList& names) {
    for (int i = 0; i < methodList_->count(); ++i)
        methodList_->item(i)->setCheckState(names.contains(methodList_->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
}

namespace {
QStringList checkedItems(const QListWidget* list) {
    QStringList out;
    for (int i = 0; i < list->count(); ++i)
        if (list->item(i)->checkState() == Qt::Checked) out << list->item(i)->text();
    return out;
}
}  // namespace

QStringList StudiesPanel::selectedDatasets() const {
    return checkedItems(datasetList_);
}

QStringList StudiesPanel::selectedMethods() const {
    return checkedItems(methodList_);
}

std::optional<study::StudyRequest> StudiesPanel::request(QString* error) const {
    auto fail = [&](const QString& e) -> std::optional<study::StudyRequest> {
        if (error) *error = e;
        return std::nullopt;
    };
    study::StudyRequest rq;
    rq.study = study().toStdString();
    for (int i = 0; i < datasetList_->count(); ++i)
        if (datasetList_->item(i)->checkState() == Qt::Checked)
            rq.datasets.push_back(datasetList_->item(i)->text().toStdString());
    for (int i = 0; i < methodList_->count(); ++i)
        if (methodList_->item(i)->checkState() == Qt::Checked)
            rq.methods.push_back(methodList_->item(i)->text().toStdString());
    if (!callCosts_.empty()) rq.config.call_costs = callCosts_;
    rq.config.verifier_cost = verifierCost_;
    const QString s = study();
    if (s == QLatin1String("cost-ratio")) {
        const auto v = numbers(ratios_->text(), false);
        if (!v) return fail(tr("Ratios: expected a comma list of numbers, e.g. 2, 20, 200"));
        rq.cost_ratios = *v;
    } else if (s == QLatin1String("train-size")) {
        const auto v = numbers(sizes_->text(), true);
        if (!v) return fail(tr("Train rows: expected a comma list of whole numbers or 'all'"));
        rq.train_sizes.clear();
        for (const double x : *v) rq.train_sizes.push_back(static_cast<std::size_t>(x));
        rq.seeds = sizeSeeds_->value();
    } else if (s == QLatin1String("samples")) {
        const auto v = numbers(ks_->text(), true);
        if (!v) return fail(tr("Samples k: expected a comma list of whole numbers or 'all'"));
        rq.sample_counts.clear();
        for (const double x : *v) rq.sample_counts.push_back(static_cast<int>(x));
        rq.seeds = sampleSeeds_->value();
    } else if (s == QLatin1String("seeds")) {
        rq.seeds = seeds_->value();
        rq.train_rows = static_cast<std::size_t>(trainRows_->value());
        rq.bootstrap = bootstrap_->value();
    } else if (s == QLatin1String("latency")) {
        const auto v = numbers(latency_->text(), false);
        if (!v) return fail(tr("Model latency: expected seconds per call of each model, e.g. 0.5, 3"));
        rq.model_latency = *v;
        rq.verifier_latency = verifierLatency_->value();
    }
    return rq;
}

QString StudiesPanel::provenance(const study::StudyRequest& rq, const QString& fileName) const {
    QString file = fileName.isEmpty() ? displayName_ : fileName;
    if (file.isEmpty() && dataset_) file = QFileInfo(QString::fromStdString(dataset_->source_path)).fileName();
    QStringList costs;
    for (double c : rq.config.call_costs) costs << QString::number(c, 'g', 6);
    QStringList datasets;
    for (const auto& d : rq.datasets) datasets << QString::fromStdString(d);
    return QStringLiteral("%1 · %2 · costs %3, verifier %4")
        .arg(file, datasets.isEmpty() ? tr("all datasets") : datasets.join(QStringLiteral(", ")),
             costs.join(QStringLiteral(" / ")), QString::number(rq.config.verifier_cost, 'g', 6));
}

bool StudiesPanel::run(QString* error) {
    auto fail = [&](const QString& e) {
        if (error) *error = e;
        return false;
    };
    if (isRunning()) return fail(tr("A study is already running"));
    if (!dataset_) return fail(tr("Open a data file first"));
    QString why;
    const auto rq = request(&why);
    if (!rq) return fail(why);
    lastError_.clear();
    runButton_->setEnabled(false);
    cancelButton_->setEnabled(true);
    progress_->setRange(0, 0);
    status_->setText(tr("Running %1…").arg(study()));
    auto ds = dataset_;
    const QString shownOn = provenance(*rq);
    // The result is shown only over the data and costs it was computed on.
    auto sameInput = [this, ds, costs = rq->config.call_costs, verifier = rq->config.verifier_cost] {
        return dataset_ == ds && callCosts_ == costs && verifierCost_ == verifier;
    };
    jobs_->start<study::StudyResult>(
        kStudyJob, {this, sameInput},
        [ds, request = *rq](JobContext& job) {
            study::StudyControl control;
            control.cancel = job.cancelFlag();
            control.progress = [&job](std::size_t done, std::size_t total, const std::string& stage) {
                job.setStage(stage);
                job.progress(done, total);
            };
            try {
                return study::run_study(*ds, request, control);
            } catch (const study::StudyCancelled&) {
                throw JobCancelled();
            }
        },
        [this, shownOn, request = *rq](study::StudyResult r) {
            result_ = std::move(r);
            resultRequest_ = request;
            resultComputedAt_ = QDateTime::currentDateTimeUtc();
            resultProvenance_ = shownOn;
            QString text =
                tr("%1 done in %2 s").arg(QString::fromStdString(result_->study)).arg(result_->seconds, 0, 'f', 2);
            if (!result_->warnings.empty())
                text += tr(" · %n warning(s): ", nullptr, static_cast<int>(result_->warnings.size())) +
                        QString::fromStdString(result_->warnings.front());
            status_->setText(text);
            status_->setToolTip([&] {
                QStringList w;
                for (const auto& x : result_->warnings) w << QString::fromStdString(x);
                return w.join('\n');
            }());
            showResult();
        });
    return true;
}

void StudiesPanel::cancel() {
    if (!isRunning()) return;
    jobs_->cancel(kStudyJob);
    lastError_ = tr("cancelled");
    status_->setText(tr("Cancelled"));
    onRunEnded(false);
}

bool StudiesPanel::isRunning() const {
    return jobs_->isRunning(kStudyJob);
}

bool StudiesPanel::waitForFinished(int timeoutMs) {
    return jobs_->waitFor(kStudyJob, timeoutMs);
}

void StudiesPanel::onRunEnded(bool delivered) {
    if (isRunning()) return;
    runButton_->setEnabled(true);
    cancelButton_->setEnabled(false);
    progress_->setRange(0, 1);
    progress_->setValue(delivered ? 1 : 0);
    if (!delivered && lastError_.isEmpty() && !result_) status_->setText(tr("The study was for other data or costs"));
    emit finished(delivered);
}

void StudiesPanel::clearResult(const QString& why) {
    // A running study of the old input is dropped when it ends (its delivery check fails).
    const bool had = result_.has_value();
    result_.reset();
    resultRequest_.reset();
    resultComputedAt_ = {};
    resultProvenance_.clear();
    for (auto* b : exportButtons_) b->setEnabled(false);
    {
        const QSignalBlocker block(groupCombo_);
        groupCombo_->clear();
    }
    studyChart_->showReason(why);
    chartStack_->setCurrentWidget(studyChart_);
    heatMap_->setMatrix(nullptr, QString());
    table_->clear();
    table_->setRowCount(0);
    table_->setColumnCount(0);
    if (had && !isRunning()) status_->setText(why);
}

bool StudiesPanel::showSavedResult(study::StudyResult r, const study::StudyRequest& rq, const QString& fileName,
                                   const QDateTime& computedAt, QString* why) {
    auto refuse = [&](const QString& reason) {
        explainNoResult(reason, tr("The saved result was dropped (see below)"));
        if (why) *why = reason;
        return false;
    };
    const QString name = QString::fromStdString(r.study);
    if (isRunning()) return refuse(tr("The saved %1 result was not shown: a study is running").arg(name));
    if (!dataset_) return refuse(tr("The saved %1 result was not shown: no data").arg(name));
    if (studyCombo_->findText(name) < 0) return refuse(tr("The saved result is of an unknown study %1").arg(name));
    auto costsText = [](const std::vector<double>& calls, double verifier) {
        QStringList parts;
        for (const double c : calls) parts << QString::number(c, 'g', 6);
        return tr("%1, verifier %2").arg(parts.join(QStringLiteral(" / ")), QString::number(verifier, 'g', 6));
    };
    if (rq.config.call_costs != callCosts_ || rq.config.verifier_cost != verifierCost_)
        return refuse(tr("The saved %1 result was computed with costs %2, the costs now are %3: it was dropped; "
                         "press Run to compute it again")
                          .arg(name, costsText(rq.config.call_costs, rq.config.verifier_cost),
                               costsText(callCosts_, verifierCost_)));
    setStudy(name);
    result_ = std::move(r);
    resultRequest_ = rq;
    resultComputedAt_ = computedAt;
    const QString when = computedAt.isValid() ? computedAt.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"))
                                              : tr("at an unknown time");
    resultProvenance_ = provenance(rq, fileName) + tr(" · computed %1, saved in the session").arg(when);
    status_->setText(tr("%1 result from the session, not recomputed: %2").arg(name, resultProvenance_));
    status_->setToolTip(resultProvenance_);
    showResult();
    return true;
}

void StudiesPanel::explainNoResult(const QString& why, const QString& title) {
    clearResult(title.isEmpty() ? why : title);
    status_->setText(why);
}

QString StudiesPanel::statusText() const {
    return status_->text();
}

QStringList StudiesPanel::chartGroups() const {
    QStringList out;
    for (int i = 0; i < groupCombo_->count(); ++i) out << groupCombo_->itemText(i);
    return out;
}

void StudiesPanel::setChartGroup(const QString& group) {
    const int i = groupCombo_->findText(group);
    if (i >= 0) groupCombo_->setCurrentIndex(i);
}

QString StudiesPanel::currentChartGroup() const {
    return groupCombo_->currentText();
}

charts::InteractiveChartView* StudiesPanel::chartView() const {
    return qobject_cast<charts::InteractiveChartView*>(studyChart_->view());
}

QWidget* StudiesPanel::chartWidget() const {
    // The chart view itself (not the box that holds it with its legend), or the heat map.
    return chartStack_->currentWidget() == heatMap_ ? static_cast<QWidget*>(heatMap_) : studyChart_->view();
}

void StudiesPanel::showResult() {
    {
        const QSignalBlocker block(groupCombo_);
        groupCombo_->clear();
        if (result_->chart == study::ChartKind::HeatMap) {
            for (const auto& m : result_->matrices) groupCombo_->addItem(QString::fromStdString(m.name));
        } else {
            for (const auto& g : result_->groups())
                groupCombo_->addItem(g.empty() ? tr("all datasets") : QString::fromStdString(g),
                                     QString::fromStdString(g));
        }
    }
    for (auto* b : exportButtons_) b->setEnabled(true);
    drawChart();
    fillTable();
}

void StudiesPanel::drawChart() {
    if (!result_) return;
    const auto& r = *result_;
    if (r.chart == study::ChartKind::HeatMap) {
        chartStack_->setCurrentWidget(heatMap_);
        const int i = groupCombo_->currentIndex();
        const study::Matrix* m = i >= 0 && i < static_cast<int>(r.matrices.size()) ? &r.matrices[i] : nullptr;
        heatMap_->setMatrix(m, m ? QString::fromStdString(m->name) +
                                       tr(" — trained on (rows) → evaluated on (columns) — %1").arg(resultProvenance_)
                                 : QString());
        return;
    }
    chartStack_->setCurrentWidget(studyChart_);
    const std::string group = groupCombo_->currentData().toString().toStdString();
    // A title that fits the chart; what it was computed on leads the tooltip.
    studyChart_->display(QString::fromStdString(r.title) +
                             (group.empty() ? QString() : QStringLiteral(" · ") + QString::fromStdString(group)),
                         resultProvenance_);
}

void StudiesPanel::drawStudyChart(QChart* chart) {
    if (!result_ || result_->chart == study::ChartKind::HeatMap) return;
    const auto& r = *result_;
    const std::string group = groupCombo_->currentData().toString().toStdString();
    const bool dark = charts::paletteIsDark();

    QAbstractAxis* xAxis = nullptr;
    if (r.log_x) {
        auto* ax = new QLogValueAxis;
        ax->setBase(10);
        ax->setLabelFormat(QStringLiteral("%g"));
        ax->setMinorTickCount(8);
        xAxis = ax;
    } else if (r.chart == study::ChartKind::ErrorBars) {
        auto* ax = new QCategoryAxis;
        ax->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
        xAxis = ax;
    } else {
        xAxis = new QValueAxis;
    }
    xAxis->setTitleText(QString::fromStdString(r.x_label));
    auto* yAxis = new QValueAxis;
    yAxis->setTitleText(QString::fromStdString(r.y_label));
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    auto grow = [&](double x, double y) {
        if (!std::isfinite(x) || !std::isfinite(y)) return;
        xmin = std::min(xmin, x), xmax = std::max(xmax, x), ymin = std::min(ymin, y), ymax = std::max(ymax, y);
    };
    auto attach = [&](QAbstractSeries* s) {
        chart->addSeries(s);
        s->attachAxis(xAxis);
        s->attachAxis(yAxis);
    };
    auto hideMarker = [&](QAbstractSeries* s) {
        for (auto* m : chart->legend()->markers(s)) m->setVisible(false);
    };

    // No colour twice in one chart (the reference series "small only" / "large only" included).
    charts::ChartColours colours(dark);
    auto referenceKey = [](const std::string& n) {
        return n == "small only" ? QStringLiteral("always_small")
               : n == "large only" ? QStringLiteral("always_large")
                                   : QString::fromStdString(n);
    };
    std::vector<const study::Series*> shown;
    for (const auto& s : r.series)
        if (s.group == group) shown.push_back(&s);
    const double dodge = shown.size() > 1 ? 0.6 / static_cast<double>(shown.size()) : 0.0;
    std::vector<std::string> categories;
    for (std::size_t si = 0; si < shown.size(); ++si) {
        const auto& s = *shown[si];
        const QString name = QString::fromStdString(s.name);
        const QColor colour = colours.take(referenceKey(s.name));
        if (r.chart == study::ChartKind::Lines) {
            bool band = false;
            for (const auto& p : s.points) band = band || (std::isfinite(p.y.std) && p.y.std > 0);
            if (band) {
                auto* upper = new QLineSeries(chart);
                auto* lower = new QLineSeries(chart);
                for (const auto& p : s.points) {
                    upper->append(p.x, p.y.value + (std::isfinite(p.y.std) ? p.y.std : 0));
                    lower->append(p.x, p.y.value - (std::isfinite(p.y.std) ? p.y.std : 0));
                    grow(p.x, p.y.value + p.y.std);
                    grow(p.x, p.y.value - p.y.std);
                }
                auto* area = new QAreaSeries(upper, lower);
                QColor fill = colour;
                fill.setAlphaF(0.12);
                area->setBrush(fill);
                area->setPen(Qt::NoPen);
                attach(area);
                hideMarker(area);
            }
            auto* line = new QLineSeries;
            line->setName(name);
            line->setColor(colour);
            line->setPointsVisible(true);
            QPen pen(colour, 2);
            line->setPen(pen);
            for (const auto& p : s.points) {
                line->append(p.x, p.y.value);
                grow(p.x, p.y.value);
            }
            attach(line);
        } else if (r.chart == study::ChartKind::ErrorBars) {
            auto* dots = new QScatterSeries;
            dots->setName(name);
            dots->setColor(colour);
            dots->setMarkerSize(9);
            for (const auto& p : s.points) {
                const double x = p.x - 0.3 + dodge * (static_cast<double>(si) + 0.5);
                dots->append(x, p.y.value);
                grow(x, p.y.value);
                const auto slot = static_cast<std::size_t>(p.x);  // category index
                if (slot >= categories.size()) categories.resize(slot + 1);
                categories[slot] = p.label;
                if (std::isfinite(p.y.lo) && std::isfinite(p.y.hi)) {
                    auto* bar = new QLineSeries;
                    bar->setColor(colour);
                    bar->setPen(QPen(colour, 1.5));
                    const double cap = dodge * 0.25;
                    bar->append(x - cap, p.y.lo);
                    bar->append(x + cap, p.y.lo);
                    bar->append(x, p.y.lo);
                    bar->append(x, p.y.hi);
                    bar->append(x - cap, p.y.hi);
                    bar->append(x + cap, p.y.hi);
                    grow(x, p.y.lo);
                    grow(x, p.y.hi);
                    attach(bar);
                    hideMarker(bar);
                }
            }
            attach(dots);
        } else {  // Scatter
            auto* dots = new QScatterSeries;
            dots->setName(name);
            // Colour and shape tell the series apart (labels on the points overlapped into
            // unreadable text); the figures are in the tooltip and the table below.
            const QColor border = dark ? colour.lighter(150) : colour.darker(150);
            const qreal size = 12;
            dots->setColor(colour);
            dots->setBorderColor(border);
            dots->setMarkerSize(size);
            dots->setMarkerShape(charts::builtInShape(charts::methodShape(referenceKey(s.name))));
            for (const auto& p : s.points) {
                dots->append(p.x, p.y.value);
                grow(p.x, p.y.value);
            }
            const QString xTitle = QString::fromStdString(r.x_label), yTitle = QString::fromStdString(r.y_label);
            QChartView* view = studyChart_->view();
            connect(dots, &QScatterSeries::hovered, view, [view, name, xTitle, yTitle](const QPointF& p, bool on) {
                if (!on) return;
                const QPoint at = view->mapFromGlobal(QCursor::pos());
                QToolTip::showText(QCursor::pos(),
                                   QStringLiteral("<b>%1</b><br>%2: %3<br>%4: %5")
                                       .arg(name.toHtmlEscaped(), xTitle.toHtmlEscaped(), charts::shortNumber(p.x()),
                                            yTitle.toHtmlEscaped(), charts::shortNumber(p.y())),
                                   view, QRect(at - QPoint(8, 8), QSize(16, 16)), 30000);
            });
            attach(dots);
        }
    }
    if (std::isfinite(xmin)) {
        const double ypad = std::max(1e-3, (ymax - ymin) * 0.08);
        charts::niceAxis(yAxis, ymin - ypad, ymax + ypad, 6);
        if (r.log_x) {
            xAxis->setRange(xmin / 1.3, xmax * 1.3);
        } else if (r.chart == study::ChartKind::ErrorBars) {
            auto* ax = static_cast<QCategoryAxis*>(xAxis);
            for (std::size_t i = 0; i < categories.size(); ++i)
                ax->append(QString::fromStdString(categories[i]), static_cast<double>(i));
            ax->setRange(-0.6, static_cast<double>(categories.size()) - 0.4);
            ax->setStartValue(-0.6);
        } else {
            const double xpad = std::max(1e-3, (xmax - xmin) * 0.08);
            charts::niceAxis(static_cast<QValueAxis*>(xAxis), std::max(0.0, xmin - xpad), xmax + xpad, 6);
        }
    }
}

void StudiesPanel::fillTable() {
    const auto& t = result_->table;
    table_->setSortingEnabled(false);
    table_->clear();
    table_->setColumnCount(static_cast<int>(t.columns.size()));
    table_->setRowCount(static_cast<int>(t.rows.size()));
    QStringList headers;
    for (const auto& c : t.columns) headers << QString::fromStdString(c);
    table_->setHorizontalHeaderLabels(headers);
    for (int r = 0; r < static_cast<int>(t.rows.size()); ++r)
        for (int c = 0; c < static_cast<int>(t.rows[r].size()); ++c) {
            const auto& v = t.rows[r][c];
            auto* item = new QTableWidgetItem;
            if (v.is_number()) {
                item->setData(Qt::DisplayRole, v.get<double>());
                const std::string col = t.columns[c];
                if (col.find("lift") != std::string::npos || col.rfind("ci_", 0) == 0 || col == "transfer_gap")
                    item->setToolTip(percent(v.get<double>()));
            } else {
                item->setText(cellText(v));
            }
            table_->setItem(r, c, item);
        }
    table_->setSortingEnabled(true);
    table_->resizeColumnsToContents();
}

QString StudiesPanel::exportPng(const QString& path) const {
    if (!result_) return tr("no study result");
    return charts::exportPng(chartWidget(), path, QSize(1000, 620));
}

QString StudiesPanel::exportSvg(const QString& path) const {
    if (!result_) return tr("no study result");
    return charts::exportSvg(chartWidget(), path, QSize(1000, 620));
}

QString StudiesPanel::exportCsv(const QString& path) const {
    if (!result_) return tr("no study result");
    return charts::writeTextFile(path, QByteArray::fromStdString("# computed on: " + resultProvenance_.toStdString() +
                                                                 "\n" + study::study_table_csv(*result_)));
}

QString StudiesPanel::exportJson(const QString& path) const {
    if (!result_) return tr("no study result");
    return charts::writeTextFile(path, QByteArray::fromStdString(study::study_to_json(*result_).dump(1) + "\n"));
}

void StudiesPanel::exportDialog(const QString& kind) {
    const QString filter = kind == QLatin1String("PNG")   ? tr("PNG image (*.png)")
                           : kind == QLatin1String("SVG") ? tr("SVG image (*.svg)")
                           : kind == QLatin1String("CSV") ? tr("CSV table (*.csv)")
                                                          : tr("JSON (*.json)");
    const QString path = QFileDialog::getSaveFileName(this, tr("Export study"), study() + "." + kind.toLower(), filter);
    if (path.isEmpty()) return;
    const QString error = kind == QLatin1String("PNG")   ? exportPng(path)
                          : kind == QLatin1String("SVG") ? exportSvg(path)
                          : kind == QLatin1String("CSV") ? exportCsv(path)
                                                         : exportJson(path);
    if (!error.isEmpty()) QMessageBox::warning(this, tr("Export"), error);
}

QString StudiesPanel::importRouterScores(const QString& spec, QString* method) {
    if (!dataset_) return tr("Open a data file first");
    try {
        const eval::ImportedRouter imported = eval::import_router_scores(spec.toStdString(), *dataset_);
        const QString name = QString::fromStdString(imported.method->name());
        if (method) *method = name;
        fillLists();
        emit routerImported(name, QString::fromStdString(imported.coverage.summary()));
        return {};
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
}

void StudiesPanel::chooseAndImportRouterScores() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Import router scores"), QString(),
                                                      tr("Router scores (*.csv *.jsonl *.json *.gz);;All files (*)"));
    if (path.isEmpty()) return;
    QString method;
    const QString error = importRouterScores(path, &method);
    if (!error.isEmpty()) QMessageBox::warning(this, tr("Import router scores"), error);
}

StudiesPanel* installStudiesPanel(PanelHost* window) {
    auto* panel = new StudiesPanel(window->hostWidget(), window->jobs(), window->settings());
    window->bottomTabs()->addTab(panel, StudiesPanel::tr("Studies"));
    RoutingState* state = window->routingState();
    auto sync = [panel, state] {
        panel->setDataset(state->datasetPtr(), state->snapshot()->file.displayName);
        const Costs c = state->costs();
        if (state->dataset() && state->dataset()->models.size() == 2) panel->setCosts({c.small, c.large}, c.verifier);
    };
    QObject::connect(state, &RoutingState::datasetChanged, panel, sync);
    QObject::connect(state, &RoutingState::chartScopeChanged, panel, sync);  // costs edited in the toolbar
    sync();

    if (QMenu* file = window->menu(WindowMenu::File)) {
        auto* import = new QAction(StudiesPanel::tr("Import Router &Scores…"), file);
        import->setToolTip(StudiesPanel::tr("Evaluate another router's per-query scores (CSV or JSONL keyed by id) "
                                            "as the threshold method ExternalRouter(NAME)"));
        QObject::connect(import, &QAction::triggered, panel, &StudiesPanel::chooseAndImportRouterScores);
        // Before "Skip Bad Lines…" / the separator: next to the other ways of reading data.
        const auto actions = file->actions();
        file->insertAction(actions.size() > 4 ? actions.at(4) : nullptr, import);
    }
    // Experiments menu (before Help): each study opens the tab with that study chosen.
    auto* experiments = new QMenu(StudiesPanel::tr("E&xperiments"), window->hostWidget());
    experiments->setObjectName(QStringLiteral("experimentsMenu"));
    for (const auto& info : study::study_infos()) {
        const QString name = QString::fromStdString(info.name);
        QAction* a = experiments->addAction(name + QStringLiteral("…"), panel, [window, panel, name] {
            window->bottomTabs()->setCurrentWidget(panel);
            panel->setStudy(name);
        });
        a->setToolTip(QString::fromStdString(info.summary));
    }
    window->addPanelMenu(experiments);

    QObject::connect(panel, &StudiesPanel::routerImported, window->hostWidget(),
                     [window](const QString& name, const QString& coverage) {
                         window->offerMethod(name);
                         window->log(StudiesPanel::tr("Imported %1: %2").arg(name, coverage));
                     });
    return panel;
}

}  // namespace automix::ui

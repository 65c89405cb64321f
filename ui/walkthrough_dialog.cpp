#include "ui/walkthrough_dialog.hpp"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>
#include <QTextBrowser>
#include <QTimer>
#include <QScrollBar>
#include <QVBoxLayout>
#include <cmath>

#include "ui/charts/chart_style.hpp"
#include "ui/panel_host.hpp"
#include "ui/routing_state.hpp"

namespace automix::ui {

namespace {

QString esc(const std::string& s, int max = 600) {
    QString q = QString::fromStdString(s);
    if (q.size() > max) q = q.left(max) + QStringLiteral("…");
    return q.toHtmlEscaped();
}

QString num(double x, int digits = 3) {
    return std::isnan(x) ? QStringLiteral("–") : QString::number(x, 'f', digits);
}

// A horizontal bar in rich text (QTextBrowser has no CSS widths on spans; a table cell has).
QString bar(double fraction, const QString& colour) {
    const int w = std::clamp(static_cast<int>(std::lround(fraction * 200)), 0, 200);
    return QStringLiteral("<table cellspacing=0 cellpadding=0><tr><td width=%1 bgcolor=%2 height=10></td>"
                          "<td width=%3></td></tr></table>")
        .arg(std::max(w, 1))
        .arg(colour)
        .arg(200 - w);
}

}  // namespace

WalkthroughDialog::WalkthroughDialog(eval::Walkthrough walk, const QString& provenance, QWidget* parent)
    : QDialog(parent), walk_(std::move(walk)) {
    setObjectName(QStringLiteral("walkthroughDialog"));
    setWindowTitle(tr("Walk through %1").arg(QString::fromStdString(walk_.id)));
    setAttribute(Qt::WA_DeleteOnClose);
    resize(760, 680);
    auto* layout = new QVBoxLayout(this);
    auto* where = new QLabel(tr("%1 · %2 (%3)")
                                 .arg(provenance, QString::fromStdString(walk_.method),
                                      QString::fromStdString(walk_.params)),
                             this);
    where->setWordWrap(true);
    layout->addWidget(where);
    view_ = new QTextBrowser(this);
    view_->setObjectName(QStringLiteral("walkthroughView"));
    layout->addWidget(view_, 1);

    auto* confRow = new QHBoxLayout;
    confRow->addWidget(new QLabel(tr("Running confidence"), this));
    confidenceBar_ = new QProgressBar(this);
    confidenceBar_->setObjectName(QStringLiteral("runningConfidence"));
    confidenceBar_->setRange(0, 1000);
    confRow->addWidget(confidenceBar_, 1);
    layout->addLayout(confRow);

    auto* buttons = new QHBoxLayout;
    auto* restart = new QPushButton(tr("&Restart"), this);
    next_ = new QPushButton(tr("&Next ▸"), this);
    next_->setObjectName(QStringLiteral("walkNext"));
    next_->setDefault(true);
    play_ = new QPushButton(tr("&Play"), this);
    play_->setObjectName(QStringLiteral("walkPlay"));
    play_->setCheckable(true);
    speed_ = new QComboBox(this);
    speed_->setObjectName(QStringLiteral("walkSpeed"));
    for (double s : {0.5, 1.0, 2.0, 4.0, 8.0}) speed_->addItem(tr("%1 steps/s").arg(s), s);
    speed_->setCurrentIndex(2);
    auto* all = new QPushButton(tr("Show &All"), this);
    counter_ = new QLabel(this);
    counter_->setObjectName(QStringLiteral("walkCounter"));
    buttons->addWidget(restart);
    buttons->addWidget(next_);
    buttons->addWidget(play_);
    buttons->addWidget(speed_);
    buttons->addWidget(all);
    buttons->addStretch(1);
    buttons->addWidget(counter_);
    layout->addLayout(buttons);

    timer_ = new QTimer(this);
    connect(timer_, &QTimer::timeout, this, &WalkthroughDialog::next);
    connect(next_, &QPushButton::clicked, this, &WalkthroughDialog::next);
    connect(play_, &QPushButton::toggled, this, &WalkthroughDialog::setPlaying);
    connect(restart, &QPushButton::clicked, this, &WalkthroughDialog::restart);
    connect(all, &QPushButton::clicked, this, &WalkthroughDialog::showAll);
    connect(speed_, &QComboBox::currentIndexChanged, this,
            [this] { setSpeed(speed_->currentData().toDouble()); });
    setSpeed(speed_->currentData().toDouble());
    buildSteps();
    render();
}

void WalkthroughDialog::buildSteps() {
    const eval::Walkthrough& w = walk_;
    steps_.clear();
    sampleOfStep_.clear();
    auto add = [this](const QString& html, int sample = -1) {
        steps_ << html;
        sampleOfStep_.push_back(sample);
    };
    add(tr("<h3>1 · The question (%1)</h3><p>%2</p><p>Gold answer: <b>%3</b></p>"
           "<p>The small model <b>%4</b> answers <b>%5</b> — score <b>%6</b>.</p>")
            .arg(esc(w.dataset), esc(w.question), esc(w.gold, 200), esc(w.small_name), esc(w.small_answer, 300),
                 num(w.small_score)));
    for (std::size_t i = 0; i < w.samples.size(); ++i) {
        const eval::WalkSample& s = w.samples[i];
        const QString verdict = s.verdict == data::SampleVerdict::Correct     ? tr("<font color=#1a7f37>✓ correct</font>")
                                : s.verdict == data::SampleVerdict::Incorrect ? tr("<font color=#cf222e>✗ incorrect</font>")
                                                                              : tr("<font color=#6e7781>– no verdict</font>");
        add(tr("<p><b>Verifier sample %1 of %2</b>: %3 — running confidence %4 / (%4 + %5) = <b>%6</b><br>"
               "<small>%7</small></p>")
                .arg(i + 1)
                .arg(w.samples.size())
                .arg(verdict)
                .arg(s.correct)
                .arg(s.incorrect)
                .arg(num(s.confidence))
                .arg(esc(s.text, 400)),
            static_cast<int>(i));
    }
    add(w.bin >= 0 ? tr("<h3>Confidence bin</h3><p>Confidence %1 falls in bin <b>%2</b> of 0…%3 (centre %4).</p>")
                         .arg(num(w.confidence, 4))
                         .arg(w.bin)
                         .arg(w.num_bins)
                         .arg(num(w.bin_centre))
                   : tr("<h3>Confidence bin</h3><p>Confidence %1 is in no bin.</p>").arg(num(w.confidence, 4)));
    if (w.belief.available) {
        QString html = tr("<h3>The POMDP's belief in this bin</h3><p>Of the %1 train rows in bin %2:</p><table>")
                           .arg(w.belief.train_rows)
                           .arg(w.bin);
        const std::pair<QString, double> kinds[] = {{tr("NEEDY (only the large model is right)"), w.belief.needy},
                                                    {tr("GOOD (the small model is right)"), w.belief.good},
                                                    {tr("HOPELESS (neither is right)"), w.belief.hopeless}};
        for (int k = 0; k < 3; ++k)
            html += QStringLiteral("<tr><td>%1&nbsp;</td><td>%2</td><td>&nbsp;%3</td></tr>")
                        .arg(kinds[k].first,
                             bar(kinds[k].second, charts::categoryColor(k, charts::paletteIsDark()).name()),
                             num(kinds[k].second));
        html += QStringLiteral("</table>");
        if (w.belief.has_values)
            html += tr("<p>Action values at reward r = %1: stay <b>%2</b>, escalate <b>%3</b> → %4.</p>")
                        .arg(w.belief.reward)
                        .arg(num(w.belief.stay))
                        .arg(num(w.belief.escalate))
                        .arg(w.belief.escalate > w.belief.stay ? tr("escalate") : tr("stay"));
        add(html);
    }
    for (std::size_t s = 0; s < w.cascade.size(); ++s) {
        const eval::WalkCascadeStep& c = w.cascade[s];
        QString html = tr("<h3>Cascade step %1: %2</h3>").arg(s + 1).arg(esc(c.model_name));
        if (c.bin >= 0)
            html += tr("<p>Verifier confidence %1 → bin %2. Belief over which models are right:</p><table>")
                        .arg(num(c.confidence))
                        .arg(c.bin);
        else
            html += tr("<p>The last model is not verified. Belief:</p><table>");
        for (std::size_t k = 0; k < c.belief.size() && k < c.states.size(); ++k)
            if (c.belief[k] >= 0.0005)
                html += QStringLiteral("<tr><td>%1&nbsp;</td><td>%2</td><td>&nbsp;%3</td></tr>")
                            .arg(QString::fromStdString(c.states[k]).toHtmlEscaped(),
                                 bar(c.belief[k], QStringLiteral("#0969da")), num(c.belief[k]));
        html += QStringLiteral("</table>");
        html += std::isnan(c.q_escalate)
                    ? tr("<p>Q(report) = %1; the cascade's cost so far %2 → <b>report</b>.</p>").arg(num(c.q_report, 4), num(c.cost_so_far, 2))
                    : tr("<p>Q(report) = %1, Q(escalate) = %2; the cascade's cost so far (a verification per model) %3 → <b>%4</b>.</p>")
                          .arg(num(c.q_report, 4), num(c.q_escalate, 4), num(c.cost_so_far, 2),
                               c.escalate ? tr("escalate") : tr("report"));
        add(html);
    }
    add(tr("<h3>Decision</h3><p><b>%1</b> answers (%2): <b>%3</b>, score <b>%4</b>, cost <b>%5</b>.</p>"
           "<p>Why: %6</p><p>The oracle would have used <b>%7</b> (cost %8): %9</p>")
            .arg(esc(w.answering_name), w.decision > 0 ? tr("escalated") : tr("kept"))
            .arg(esc(w.answer, 300))
            .arg(num(w.answer_score), num(w.cost, 2), esc(w.reason, 1200), esc(w.oracle_name), num(w.oracle_cost, 2))
            .arg(w.matches_oracle ? tr("the routing was right.") : tr("the routing differs.")));
}

void WalkthroughDialog::render() {
    shown_ = std::clamp(shown_, 1, stepCount());
    confidence_ = 0;
    for (int i = 0; i < shown_; ++i)
        if (sampleOfStep_[static_cast<std::size_t>(i)] >= 0)
            confidence_ = walk_.samples[static_cast<std::size_t>(sampleOfStep_[static_cast<std::size_t>(i)])].confidence;
    view_->setHtml(steps_.mid(0, shown_).join(QString()));
    view_->verticalScrollBar()->setValue(view_->verticalScrollBar()->maximum());
    confidenceBar_->setValue(static_cast<int>(std::lround(confidence_ * 1000)));
    confidenceBar_->setFormat(num(confidence_));
    counter_->setText(tr("step %1 of %2").arg(shown_).arg(stepCount()));
    next_->setEnabled(shown_ < stepCount());
    if (shown_ >= stepCount() && play_->isChecked()) play_->setChecked(false);
}

QString WalkthroughDialog::text() const {
    return view_->toPlainText();
}

void WalkthroughDialog::next() {
    if (shown_ < stepCount()) ++shown_;
    render();
}

void WalkthroughDialog::showAll() {
    shown_ = stepCount();
    render();
}

void WalkthroughDialog::restart() {
    shown_ = 1;
    render();
}

void WalkthroughDialog::setPlaying(bool on) {
    if (play_->isChecked() != on) play_->setChecked(on);  // re-enters with the same value
    if (on && shown_ >= stepCount()) shown_ = 1;
    on ? timer_->start() : timer_->stop();
    play_->setText(on ? tr("&Pause") : tr("&Play"));
    render();
}

void WalkthroughDialog::setSpeed(double stepsPerSecond) {
    timer_->setInterval(static_cast<int>(1000.0 / std::max(stepsPerSecond, 0.1)));
}

WalkthroughDialog* openWalkthrough(PanelHost* window, QString* why) {
    RoutingState* state = window->routingState();
    auto fail = [why](const QString& reason) -> WalkthroughDialog* {
        if (why) *why = reason;
        return nullptr;
    };
    const data::Dataset* ds = state->dataset();
    const auto row = state->currentRow();
    if (!ds || !row) return fail(WalkthroughDialog::tr("Select a query first."));
    if (!state->isRouted() || state->decision(*row) < 0)
        return fail(WalkthroughDialog::tr("Choose a method and train it first (the walk-through follows the routing)."));
    const TrainedDataset* t = state->trainedFor(ds->dataset_index[*row]);
    if (!t || !t->error.isEmpty()) return fail(WalkthroughDialog::tr("This dataset has no trained parameters."));
    try {
        eval::Walkthrough walk =
            eval::walk_through(*ds, *row, *state->method(), t->params, state->config(), *t->trainRows);
        auto* dialog = new WalkthroughDialog(std::move(walk), state->snapshot()->provenance(false), window->hostWidget());
        dialog->show();
        return dialog;
    } catch (const std::exception& e) {
        return fail(QString::fromStdString(e.what()));
    }
}

void installWalkthrough(PanelHost* window) {
    QMenu* view = window->menu(WindowMenu::View);
    view->addSeparator();
    QAction* walk = view->addAction(WalkthroughDialog::tr("&Walk Through Query…"));
    walk->setObjectName(QStringLiteral("walkThroughAction"));
    walk->setShortcut(QKeySequence(Qt::Key_F9));
    walk->setToolTip(WalkthroughDialog::tr("The selected query step by step: answer, verifier samples, confidence, "
                                           "belief, decision (F9)"));
    QObject::connect(walk, &QAction::triggered, window->hostWidget(), [window] {
        QString why;
        if (!openWalkthrough(window, &why)) window->showStatus(why, 6000);
    });
    window->addRowAction(walk);
}

}  // namespace automix::ui

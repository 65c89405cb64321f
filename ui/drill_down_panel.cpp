#include "ui/drill_down_panel.hpp"

#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QLabel>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTextBrowser>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/scoring/verifier.hpp"
#include "ui/compare_routing.hpp"
#include "ui/qt_text.hpp"
#include "ui/routing_state.hpp"

namespace automix::ui {

namespace {

// Shows the tooltip attached (via the HTML title attribute) to the text under the mouse.
class TipTextBrowser : public QTextBrowser {
  public:
    using QTextBrowser::QTextBrowser;

  protected:
    bool event(QEvent* e) override {
        if (e->type() == QEvent::ToolTip) {
            auto* help = static_cast<QHelpEvent*>(e);
            const QPoint p = viewport()->mapFromGlobal(help->globalPos());
            const QString tip = cursorForPosition(p).charFormat().toolTip();
            if (tip.isEmpty())
                QToolTip::hideText();
            else
                QToolTip::showText(help->globalPos(), tip, this);
            return true;
        }
        return QTextBrowser::event(e);
    }
};

// File text wrapped in a bidi isolate (FSI … PDI): a stray right-to-left override inside an
// answer or sample then cannot reorder the labels and numbers around it.
QString isolated(const QString& html) {
    return QChar(0x2068) + html + QChar(0x2069);
}

QString num(double v, int decimals = 3) {
    return std::isnan(v) ? QStringLiteral("—") : QString::number(v, 'f', decimals);
}

QString tipped(const QString& html, const QString& tip) {
    return QStringLiteral("<span title=\"%1\">%2</span>").arg(tip.toHtmlEscaped(), html);
}

struct Needle {
    QString text;
    QString color;  // background
    QString label;
};

bool isWordChar(QChar c) {
    return c.isLetterOrNumber();
}

// HTML of `text` with every whole-word occurrence of each needle highlighted (earlier
// needles win where they overlap).
QString highlight(const QString& text, const std::vector<Needle>& needles) {
    std::vector<int> owner(static_cast<std::size_t>(text.size()), -1);
    for (std::size_t n = 0; n < needles.size(); ++n) {
        const QString needle = needles[n].text.trimmed();
        if (needle.size() < 2) continue;  // a one-letter answer would light up every word
        for (qsizetype at = text.indexOf(needle, 0, Qt::CaseInsensitive); at >= 0;
             at = text.indexOf(needle, at + 1, Qt::CaseInsensitive)) {
            const qsizetype end = at + needle.size();
            if ((at > 0 && isWordChar(text[at - 1]) && isWordChar(needle[0])) ||
                (end < text.size() && isWordChar(text[end]) && isWordChar(needle.back())))
                continue;
            for (qsizetype i = at; i < end; ++i)
                if (owner[static_cast<std::size_t>(i)] < 0) owner[static_cast<std::size_t>(i)] = static_cast<int>(n);
        }
    }
    QString out;
    out.reserve(text.size() + text.size() / 8);
    qsizetype i = 0;
    while (i < text.size()) {
        const int o = owner[static_cast<std::size_t>(i)];
        qsizetype j = i;
        while (j < text.size() && owner[static_cast<std::size_t>(j)] == o) ++j;
        const QString chunk = text.mid(i, j - i).toHtmlEscaped();
        if (o < 0)
            out += chunk;
        else
            out +=
                QStringLiteral("<span style=\"background-color:%1; color:#000;\" title=\"%2\">%3</span>")
                    .arg(needles[static_cast<std::size_t>(o)].color, needles[static_cast<std::size_t>(o)].label, chunk);
        i = j;
    }
    out.replace(QLatin1Char('\n'), QStringLiteral("<br>"));
    return out;
}

const QString kGoldColor = QStringLiteral("#b7e4b0");
const QString kModelColors[] = {QStringLiteral("#ffd59a"), QStringLiteral("#b9d4ff"), QStringLiteral("#e3c4ff"),
                                QStringLiteral("#ffc4c4")};

QString modelName(const data::ModelColumns& m) {
    return toQString(m.display_name.empty() ? m.name : m.display_name);
}

// The verdict phrase of one verifier sample, highlighted (method §3: substring match after
// lower-casing; "is correct" wins over "is").
QString sampleHtml(const std::string& sample) {
    const QString text = toQString(sample);
    const scoring::Verdict v = scoring::verdict(sample);
    static const QString phrase = QStringLiteral("the ai generated answer is");
    QString html;
    qsizetype at = -1, len = 0;
    QString color;
    if (v == scoring::Verdict::Correct) {
        at = text.indexOf(phrase + QStringLiteral(" correct"), 0, Qt::CaseInsensitive);
        len = phrase.size() + 8;
        color = QStringLiteral("#9be29b");
    } else if (v == scoring::Verdict::Incorrect) {
        at = text.indexOf(phrase, 0, Qt::CaseInsensitive);
        len = phrase.size();
        while (at + len < text.size() && text[at + len].isSpace()) ++len;
        while (at + len < text.size() && text[at + len].isLetter()) ++len;
        color = QStringLiteral("#f3a3a3");
    }
    if (at < 0) {
        html = text.toHtmlEscaped();
    } else {
        html = text.left(at).toHtmlEscaped() +
               QStringLiteral("<span style=\"background-color:%1; color:#000;\"><b>%2</b></span>")
                   .arg(color, text.mid(at, len).toHtmlEscaped()) +
               text.mid(at + len).toHtmlEscaped();
    }
    html.replace(QLatin1Char('\n'), QStringLiteral(" ⏎ "));
    const QString tag = v == scoring::Verdict::Correct     ? QStringLiteral("<span style=\"color:#2a8a2a\">✔</span>")
                        : v == scoring::Verdict::Incorrect ? QStringLiteral("<span style=\"color:#c03030\">✘</span>")
                                                           : QStringLiteral("<span style=\"color:#888\">∅</span>");
    return tag + QStringLiteral(" ") + isolated(html);
}

// "calls: LLaMA-13B 1 + LLaMA-70B 50 + verification 1"
QString costBreakdown(const data::Dataset& ds, const RoutingState& state, data::RowIndex r) {
    QStringList parts;
    const auto& ladder = state.ladder();
    const auto& costs = state.config().call_costs;
    for (std::size_t level = 0; level <= static_cast<std::size_t>(state.decision(r)) && level < ladder.size();
         ++level) {
        const auto m = static_cast<std::size_t>(ladder[level]);
        parts << QStringLiteral("%1 call %2").arg(modelName(ds.models[m])).arg(costs[m]);
    }
    parts << QObject::tr("verification %1").arg(state.config().verifier_cost);
    return parts.join(QStringLiteral(" + "));
}

constexpr int kMaxContextChars = 200000;  // beyond this the browser gets sluggish

}  // namespace

DrillDownPanel::DrillDownPanel(RoutingState* state, QWidget* parent) : QWidget(parent), state_(state) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* header = new QHBoxLayout;
    title_ = new QLabel(tr("No query selected"), this);
    QFont f = title_->font();
    f.setBold(true);
    title_->setFont(f);
    title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    copyJson_ = new QPushButton(tr("Copy as JSON"), this);
    copyJson_->setToolTip(tr("Copy this query (fields, scores, verifier samples, decision) to the clipboard "
                             "as a JSON object (Ctrl+Shift+C)"));
    copyJson_->setEnabled(false);
    connect(copyJson_, &QPushButton::clicked, this, &DrillDownPanel::copyRowJson);
    header->addWidget(title_, 1);
    header->addWidget(copyJson_);
    layout->addLayout(header);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("drillDownSplitter"));
    details_ = new TipTextBrowser(split);
    details_->setObjectName(QStringLiteral("drillDownDetails"));
    details_->setOpenLinks(false);
    auto* contextBox = new QWidget(split);
    auto* contextLayout = new QVBoxLayout(contextBox);
    contextLayout->setContentsMargins(0, 0, 0, 0);
    contextLabel_ = new QLabel(tr("Context"), contextBox);
    context_ = new TipTextBrowser(contextBox);
    context_->setObjectName(QStringLiteral("drillDownContext"));
    contextLayout->addWidget(contextLabel_);
    contextLayout->addWidget(context_);
    split->addWidget(details_);
    split->addWidget(contextBox);
    split->setSizes({560, 200});
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);

    // A slider step re-routes many times a second: laying the samples and answers out again
    // each time took ~9 ms of a step on a million-row file. The decision follows once it rests.
    routingRest_ = new QTimer(this);
    routingRest_->setSingleShot(true);
    routingRest_->setInterval(100);
    connect(routingRest_, &QTimer::timeout, this, &DrillDownPanel::refresh);
    connect(state_, &RoutingState::routingChanged, routingRest_, qOverload<>(&QTimer::start));
    connect(state_, &RoutingState::liveRowsChanged, this, &DrillDownPanel::refresh);
    connect(state_, &RoutingState::datasetChanged, this, [this] { showRow(std::nullopt); });
}

void DrillDownPanel::showRow(std::optional<data::RowIndex> row) {
    const data::Dataset* ds = state_->dataset();
    row_ = (ds && row && *row < ds->size()) ? row : std::nullopt;
    refresh();
}

void DrillDownPanel::refresh() {
    routingRest_->stop();
    const data::Dataset* ds = state_->dataset();
    copyJson_->setEnabled(row_.has_value());
    if (!ds || !row_) {
        // Shown already: the table resets on every scope change, and setting the same text
        // again is a layout pass on the GUI thread.
        if (placeholderShown_) return;
        placeholderShown_ = true;
        title_->setText(tr("No query selected"));
        details_->setHtml(QStringLiteral("<p style=\"color:gray\">%1</p>")
                              .arg(tr("Select a row in the query table to see its answers, verifier "
                                      "samples and routing decision.")));
        context_->clear();
        contextLabel_->setText(tr("Context"));
        return;
    }
    placeholderShown_ = false;
    const data::RowIndex r = *row_;
    title_->setText(
        QStringLiteral("%1  ·  %2  ·  %3")
            .arg(toQString(ds->id[r]), toQString(ds->dataset_name(r)), toQString(data::to_string(ds->split[r]))));
    title_->setToolTip(tr("Line %1 of %2").arg(ds->source_line[r]).arg(toQString(ds->source_path)));
    const int scroll = details_->verticalScrollBar() ? details_->verticalScrollBar()->value() : 0;
    details_->setHtml(detailsHtml(r));
    details_->verticalScrollBar()->setValue(scroll);
    context_->setHtml(contextHtml(r));
}

QString DrillDownPanel::detailsHtml(data::RowIndex r) const {
    const data::Dataset& ds = *state_->dataset();
    QString h;
    h += QStringLiteral("<style>td{padding:2px 8px 2px 0;} .k{color:gray;} h4{margin:8px 0 2px 0;}</style>");
    // Question and gold.
    h += QStringLiteral("<h4>%1</h4><p>%2</p>")
             .arg(tr("Question"), ds.question[r].empty() ? QStringLiteral("<i class=k>(none in file)</i>")
                                                         : isolated(toQString(ds.question[r]).toHtmlEscaped()));
    h += QStringLiteral("<p><span class=k>%1</span> <span style=\"background-color:%2; color:#000;\">%3</span></p>")
             .arg(tr("Gold:"), kGoldColor, isolated(toQString(ds.gold[r]).toHtmlEscaped()));

    // Answers with scores.
    h += QStringLiteral("<h4>%1</h4><table>").arg(tr("Answers"));
    for (std::size_t m = 0; m < ds.model_count(); ++m) {
        const auto& mc = ds.models[m];
        const QString answer =
            mc.has_answer[r] ? isolated(toQString(mc.answer[r]).toHtmlEscaped()) : QStringLiteral("<i>(no answer)</i>");
        h += QStringLiteral("<tr><td><b>%1</b></td><td><span style=\"background-color:%2; color:#000;\">%3</span></td>"
                            "<td>%4</td></tr>")
                 .arg(modelName(mc), kModelColors[m % 4], answer,
                      tipped(QStringLiteral("score <b>%1</b>").arg(num(mc.score[r])),
                             tr("Token F1 against the gold answer after SQuAD normalisation (option "
                                "letter match for multiple choice), as given in the file.")));
    }
    h += QStringLiteral("</table>");

    if (const live::RowTranscript* t = state_->liveRow(r)) h += liveHtml(*t);

    // Decision of the current method.
    h += QStringLiteral("<h4>%1</h4>").arg(tr("Routing decision"));
    const auto d = state_->decision(r);
    if (d < 0) {
        h += QStringLiteral("<p class=k>%1</p>")
                 .arg(state_->methodName().isEmpty()
                          ? tr("Not routed yet: choose a method in the toolbar and press Train.")
                          : tr("Not routed yet (%1): press Train.").arg(state_->methodName()));
    } else {
        const int used = state_->answeringModel(r);
        const auto& answering = used >= 0 ? ds.models[static_cast<std::size_t>(used)] : ds.large();
        const QString verdict =
            d ? QStringLiteral("<span style=\"background-color:#f0b070; color:#000;\">&nbsp;%1&nbsp;</span>")
                    .arg(tr("ESCALATE to %1").arg(modelName(answering)))
              : QStringLiteral("<span style=\"background-color:#a8d0f0; color:#000;\">&nbsp;%1&nbsp;</span>")
                    .arg(tr("STAY with %1").arg(modelName(ds.small())));
        h += QStringLiteral("<p>%1 &nbsp; <span class=k>%2 · %3</span></p>")
                 .arg(verdict, state_->methodName().toHtmlEscaped(), state_->paramsText(r).toHtmlEscaped());
        const QString reason = state_->explain(r);
        if (state_->method()->uses_all_models() && reason.contains(QStringLiteral(" → "))) {
            // A cascade's reason is its path, one step per model: show it as steps.
            h += QStringLiteral("<p class=k>%1</p><ol style=\"margin-top:0\">").arg(tr("Path:"));
            for (const QString& step : reason.split(QStringLiteral(" → ")))
                h += QStringLiteral("<li>%1</li>").arg(step.toHtmlEscaped());
            h += QStringLiteral("</ol>");
        } else {
            h += QStringLiteral("<p><span class=k>%1</span> %2</p>").arg(tr("Reason:"), reason.toHtmlEscaped());
        }
        // A second routing under comparison: its decision and reason beside A's.
        if (const CompareRouting* compare = compare_; compare && compare->isActive()) {
            const int b = compare->decision(r);
            QString bVerdict = tr("not routed yet");
            if (b == 0)
                bVerdict = tr("STAY with %1").arg(modelName(ds.small()));
            else if (b > 0 && compare->answeringModel(r) >= 0)
                bVerdict = tr("ESCALATE to %1").arg(modelName(ds.models[static_cast<std::size_t>(compare->answeringModel(r))]));
            const bool differs = b >= 0 && (b > 0) != (d > 0);
            h += QStringLiteral("<table width=\"100%\" cellspacing=4><tr><th align=left>A · %1</th><th align=left>B · "
                                "%2</th></tr><tr><td valign=top>%3</td><td valign=top>%4</td></tr><tr><td "
                                "valign=top class=k>%5</td><td valign=top class=k>%6</td></tr></table>")
                     .arg(state_->methodName().toHtmlEscaped(), compare->label().toHtmlEscaped(),
                          d ? tr("ESCALATE") : tr("STAY"),
                          (differs ? QStringLiteral("<b>%1</b> (%2)").arg(bVerdict.toHtmlEscaped(), tr("differs"))
                                   : bVerdict.toHtmlEscaped()),
                          reason.toHtmlEscaped(), compare->explain(r).toHtmlEscaped());
        }
        const bool wrong = state_->routingWasWrong(r);
        h += QStringLiteral("<p>%1 · %2</p>")
                 .arg(tipped(QStringLiteral("%1 <b>%2</b>").arg(tr("cost paid"), num(state_->rowCost(r), 0)),
                             costBreakdown(ds, *state_, r)),
                      wrong ? QStringLiteral("<span style=\"color:#c03030\">%1</span>")
                                  .arg(tr("routing was wrong: %1").arg(state_->routingMistake(r).toHtmlEscaped()))
                            : QStringLiteral("<span style=\"color:#2a8a2a\">%1</span>")
                                  .arg(tr("same choice as the oracle")));
    }

    // Confidence, bin, category.
    const double conf = ds.small().verifier_confidence[r];
    const int bins = state_->config().num_bins;
    QString confText = num(conf);
    if (!std::isnan(conf)) {
        const int bin = RoutingState::nearestBin(conf, bins);
        if (bin >= 0) confText += QStringLiteral(" → bin %1 (centre %2)").arg(bin).arg(num(double(bin) / bins));
    }
    h += QStringLiteral("<h4>%1</h4><p>%2 · %3</p>")
             .arg(tr("Confidence and category"),
                  tipped(QStringLiteral("%1 <b>%2</b>").arg(tr("verifier confidence"), confText),
                         tr("#samples containing \"the AI generated answer is correct\" / #samples with a verdict; "
                            "nearest bin k: k/%1 − 1/%2 ≤ p < k/%1 + 1/%2")
                             .arg(bins)
                             .arg(2 * bins)),
                  tipped(QStringLiteral("%1 <b>%2</b>%3")
                             .arg(tr("category"), toQString(data::to_string(ds.category[r])),
                                  ds.category_from_file[r] ? tr(" (from file)") : QString()),
                         tr("NEEDY: small < large; GOOD: small == large != 0; HOPELESS: small ≤ q13 and large ≤ q70 "
                            "(10th percentiles over the whole file); else UNDEFINED")));

    // Verifier samples of every model that has some.
    for (std::size_t m = 0; m < ds.model_count(); ++m) {
        const auto& mc = ds.models[m];
        const auto& samples = mc.verifier_samples[r];
        if (samples.empty()) continue;
        const scoring::VerdictCounts counts = scoring::count_verdicts(samples);
        const int withVerdict = counts.correct + counts.incorrect;
        h += QStringLiteral("<h4>%1</h4>").arg(tr("Verifier samples of %1").arg(modelName(mc)));
        h += QStringLiteral("<p>%1</p>")
                 .arg(tr("%1 samples: <b>%2 correct</b> / %3 with a verdict (%4 incorrect, %5 without) → %6")
                          .arg(samples.size())
                          .arg(counts.correct)
                          .arg(withVerdict)
                          .arg(counts.incorrect)
                          .arg(counts.none)
                          .arg(withVerdict ? num(double(counts.correct) / withVerdict) : QStringLiteral("0")));
        h += QStringLiteral("<ol style=\"margin-top:0\">");
        for (const auto& s : samples) h += QStringLiteral("<li>%1</li>").arg(sampleHtml(s));
        h += QStringLiteral("</ol>");
    }
    return h;
}

// The row's last live run: its outcome, then each step with the prompt sent, the replies and
// (for verification) each sample's verdict.
QString DrillDownPanel::liveHtml(const live::RowTranscript& t) const {
    constexpr int kMaxPromptChars = 4000;
    QString h = QStringLiteral("<h4>%1</h4>").arg(tr("Live run"));
    const QString money = (t.money_estimated ? QStringLiteral("~$") : QStringLiteral("$")) + num(t.money, 4);
    if (t.done)
        h += QStringLiteral("<p>%1 · %2 <b>%3</b> · %4 <b>%5</b> · %6 %7 (%8 %9) · %10 s</p>")
                 .arg(toQString(t.path).toHtmlEscaped(), tr("final"), toQString(t.final_model).toHtmlEscaped(),
                      tr("score"), num(t.score), tr("money"), money, tr("paid this run"),
                      QStringLiteral("$") + num(t.paid, 4), num(t.latency_s, 2));
    else
        h += QStringLiteral("<p style=\"color:#c03030\">%1: %2</p>")
                 .arg(tr("did not finish"), isolated(toQString(t.error).toHtmlEscaped()));
    if (t.money_estimated)
        h += QStringLiteral("<p class=k>%1</p>").arg(tr("~ money estimated from text length: a reply had no usage."));
    for (const live::StepTranscript& s : t.steps) {
        QString calls = s.calls == 1 ? tr("1 call") : tr("%1 calls").arg(s.calls);
        if (s.cached) calls += tr(", %1 from the cache").arg(s.cached);
        h += QStringLiteral("<p><b>%1 · %2</b> <span class=k>%3 · HTTP %4 · attempts %5 · %6 s</span></p>")
                 .arg(toQString(s.model).toHtmlEscaped(), toQString(s.kind).toHtmlEscaped(), calls)
                 .arg(s.http_status)
                 .arg(s.attempts)
                 .arg(num(s.latency_s, 2));
        if (!s.error.empty())
            h += QStringLiteral("<p style=\"color:#c03030\">%1</p>").arg(isolated(toQString(s.error).toHtmlEscaped()));
        QString prompt = toQString(s.prompt);
        QString cut;
        if (prompt.size() > kMaxPromptChars) {
            cut = tr(" (first %L1 of %L2 characters)").arg(kMaxPromptChars).arg(prompt.size());
            prompt.truncate(kMaxPromptChars);
        }
        h += QStringLiteral("<p class=k>%1%2</p><pre style=\"white-space:pre-wrap\">%3</pre>")
                 .arg(tr("Prompt"), cut, isolated(prompt.toHtmlEscaped()));
        if (s.kind == "answer") {
            for (const auto& reply : s.replies)
                h += QStringLiteral("<p><span class=k>%1</span> %2</p>")
                         .arg(tr("Reply:"), isolated(toQString(reply).toHtmlEscaped()));
            continue;
        }
        h += QStringLiteral("<ol style=\"margin-top:0\">");
        for (std::size_t i = 0; i < s.replies.size(); ++i)
            h += QStringLiteral("<li>[%1] %2</li>")
                     .arg(i < s.verdicts.size() ? toQString(s.verdicts[i]) : QString(), sampleHtml(s.replies[i]));
        h += QStringLiteral("</ol>");
    }
    return h;
}

QString DrillDownPanel::contextHtml(data::RowIndex r) const {
    const data::Dataset& ds = *state_->dataset();
    std::string ctx = ds.context(r);
    if (ctx.empty()) {
        contextLabel_->setText(tr("Context"));
        return QStringLiteral("<p style=\"color:gray\"><i>%1</i></p>").arg(tr("This row has no context."));
    }
    QString text = toQString(ctx);
    QString note;
    if (text.size() > kMaxContextChars) {
        note = tr(" — first %L1 of %L2 characters").arg(kMaxContextChars).arg(text.size());
        text.truncate(kMaxContextChars);
    }
    std::vector<Needle> needles{{toQString(ds.gold[r]), kGoldColor, tr("gold answer")}};
    for (std::size_t m = 0; m < ds.model_count(); ++m)
        if (ds.models[m].has_answer[r])
            needles.push_back({toQString(ds.models[m].answer[r]), kModelColors[m % 4],
                               tr("answer of %1").arg(modelName(ds.models[m]))});
    QString legend =
        QStringLiteral("<span style=\"background-color:%1; color:#000;\">&nbsp;gold&nbsp;</span>").arg(kGoldColor);
    for (std::size_t m = 0; m < ds.model_count(); ++m)
        legend += QStringLiteral(" <span style=\"background-color:%1; color:#000;\">&nbsp;%2&nbsp;</span>")
                      .arg(kModelColors[m % 4], modelName(ds.models[m]).toHtmlEscaped());
    contextLabel_->setText(tr("Context%1 &nbsp; %2").arg(note, legend));
    return highlight(text, needles);
}

QString DrillDownPanel::detailsText() const {
    if (routingRest_->isActive()) const_cast<DrillDownPanel*>(this)->refresh();  // what is about to show
    return details_->toPlainText();
}
QString DrillDownPanel::contextText() const {
    return context_->toPlainText();
}

QString DrillDownPanel::rowJson() const {
    const data::Dataset* ds = state_->dataset();
    if (!ds || !row_) return {};
    const data::RowIndex r = *row_;
    auto numberOrNull = [](double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); };
    nlohmann::json j;
    j["id"] = ds->id[r];
    j["pid"] = ds->pid[r];
    j["dataset"] = std::string(ds->dataset_name(r));
    j["split"] = std::string(data::to_string(ds->split[r]));
    j["question"] = ds->question[r];
    j["gold"] = ds->gold[r];
    j["category"] = std::string(data::to_string(ds->category[r]));
    j["source_line"] = ds->source_line[r];
    nlohmann::json models = nlohmann::json::array();
    for (const auto& m : ds->models) {
        nlohmann::json jm;
        jm["name"] = m.name;
        jm["answer"] = m.has_answer[r] ? nlohmann::json(m.answer[r]) : nlohmann::json();
        jm["score"] = numberOrNull(m.score[r]);
        jm["verifier_confidence"] = numberOrNull(m.verifier_confidence[r]);
        jm["verifier_samples"] = m.verifier_samples[r];
        models.push_back(std::move(jm));
    }
    j["models"] = std::move(models);
    if (state_->decision(r) >= 0) {
        nlohmann::json route;
        route["method"] = state_->methodName().toStdString();
        if (const TrainedDataset* t = state_->trainedFor(ds->dataset_index[r])) route["params"] = t->params;
        route["escalate"] = state_->escalated(r);
        if (state_->answeringModel(r) >= 0)
            route["answered_by"] = ds->models[static_cast<std::size_t>(state_->answeringModel(r))].name;
        route["reason"] = state_->explain(r).toStdString();
        route["cost"] = state_->rowCost(r);
        j["routing"] = std::move(route);
    }
    j["context"] = ds->context(r);
    return QString::fromStdString(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

void DrillDownPanel::copyRowJson() {
    const QString json = rowJson();
    if (json.isEmpty()) return;
    QApplication::clipboard()->setText(json);
    emit rowCopied(toQString(state_->dataset()->id[*row_]));
}

}  // namespace automix::ui

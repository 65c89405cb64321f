#include "ui/parts_label.hpp"

#include <QResizeEvent>
#include <QTextDocument>
#include <QTextDocumentFragment>

namespace automix::ui {

namespace {
const QString kSeparator = QStringLiteral(" &nbsp;·&nbsp; ");
}  // namespace

PartsLabel::PartsLabel(QWidget* parent) : QLabel(parent) {
    setTextFormat(Qt::RichText);
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // a long line must not widen the window
}

void PartsLabel::setParts(const QStringList& parts, const QString& note) {
    parts_ = parts;
    note_ = note;
    fit();
}

void PartsLabel::resizeEvent(QResizeEvent* e) {
    QLabel::resizeEvent(e);
    fit();
}

void PartsLabel::showEvent(QShowEvent* e) {
    QLabel::showEvent(e);
    fit();
}

void PartsLabel::fit() {
    // The first n parts, and "…" when some are left out.
    auto line = [this](int n) {
        return QStringList(parts_.mid(0, n)).join(kSeparator) +
               (n < parts_.size() ? kSeparator + QStringLiteral("…") : QString());
    };
    shown_ = static_cast<int>(parts_.size());
    const int room = contentsRect().width();
    // Not on screen yet: nothing to fit to, the whole line is the text.
    if (isVisible() && room > 0 && shown_ > 1) {
        QTextDocument doc;
        doc.setDefaultFont(font());
        doc.setDocumentMargin(0);
        auto width = [&](int n) {
            doc.setHtml(line(n));
            return doc.idealWidth();
        };
        while (shown_ > 1 && width(shown_) > room) --shown_;
    }
    const bool cut = shown_ < parts_.size();
    setText(line(shown_));
    QString tip;
    if (cut) {
        QStringList plain;
        for (const QString& p : parts_) plain << QTextDocumentFragment::fromHtml(p).toPlainText();
        tip = plain.join(QStringLiteral(" · "));
    }
    if (!note_.isEmpty()) tip += (tip.isEmpty() ? QString() : QStringLiteral("\n\n")) + note_;
    setToolTip(tip);
}

}  // namespace automix::ui

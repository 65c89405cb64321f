#pragma once
// Everything about one query: question, gold, each model's answer and score, the verifier
// samples with their verdict phrases, confidence and its bin, category, the current
// method's decision with its reason, and the context with the answers highlighted.
#include <QWidget>
#include <optional>

#include "core/data/dataset.hpp"
#include "core/live/transcript.hpp"

class QLabel;
class QPushButton;
class QTextBrowser;
class QTimer;

namespace automix::ui {

class CompareRouting;
class RoutingState;

class DrillDownPanel : public QWidget {
    Q_OBJECT
  public:
    explicit DrillDownPanel(RoutingState* state, QWidget* parent = nullptr);

    void showRow(std::optional<data::RowIndex> row);
    std::optional<data::RowIndex> row() const { return row_; }
    // Plain text of what is shown (tests, accessibility).
    QString detailsText() const;
    QString contextText() const;
    // The row as a JSON object (release fields + the current routing decision).
    QString rowJson() const;
    void copyRowJson();
    // The second routing under comparison (Method ▸ Compare With), shown beside the first.
    void setCompare(const CompareRouting* compare) { compare_ = compare; }

  signals:
    void rowCopied(const QString& id);

  private:
    void refresh();
    QString detailsHtml(data::RowIndex r) const;
    QString contextHtml(data::RowIndex r) const;
    QString liveHtml(const live::RowTranscript& t) const;

    RoutingState* state_;
    const CompareRouting* compare_ = nullptr;
    std::optional<data::RowIndex> row_;
    QLabel* title_;
    bool placeholderShown_ = false;  // "No query selected" is on screen
    QPushButton* copyJson_;
    QTextBrowser* details_;
    QTextBrowser* context_;
    QLabel* contextLabel_;
    QTimer* routingRest_;  // a re-route is shown once routing rests (slider steps)
};

}  // namespace automix::ui

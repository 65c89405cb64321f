#pragma once
// View ▸ Walk Through Query (F9): one query step by step, for teaching — the small model's
// answer, the verifier samples revealed one at a time (Next, or Play at a chosen speed) with
// the running confidence, the bin, the POMDP's belief and action values, the cascade's steps,
// and the decision with its cost and the oracle's choice. The steps come from
// core::eval::walk_through; this dialog only lays them out.
#include <QDialog>
#include <QStringList>

#include "core/eval/walkthrough.hpp"

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTextBrowser;
class QTimer;

namespace automix::ui {

class PanelHost;

class WalkthroughDialog : public QDialog {
    Q_OBJECT
  public:
    WalkthroughDialog(eval::Walkthrough walk, const QString& provenance, QWidget* parent = nullptr);

    int stepCount() const { return static_cast<int>(steps_.size()); }
    int currentStep() const { return shown_; }  // steps shown so far (1 = the answer)
    const eval::Walkthrough& walk() const { return walk_; }
    double shownConfidence() const { return confidence_; }  // running confidence after the samples shown
    QString text() const;                                   // the steps shown, as plain text

  public slots:
    void next();
    void showAll();
    void restart();
    void setPlaying(bool on);
    void setSpeed(double stepsPerSecond);

  private:
    void buildSteps();
    void render();

    eval::Walkthrough walk_;
    QStringList steps_;                 // HTML of each step
    std::vector<int> sampleOfStep_;     // sample index a step reveals, -1 for the others
    int shown_ = 1;
    double confidence_ = 0;
    QTextBrowser* view_;
    QLabel* counter_;
    QProgressBar* confidenceBar_;
    QPushButton* next_;
    QPushButton* play_;
    QComboBox* speed_;
    QTimer* timer_;
};

// Adds View ▸ Walk Through Query (F9) to the window: walks the selected row with the current
// routing (a message in the status bar when there is none).
void installWalkthrough(PanelHost* window);
// The dialog for one row of the window's routing, or nullptr with the reason in *why.
WalkthroughDialog* openWalkthrough(PanelHost* window, QString* why = nullptr);

}  // namespace automix::ui

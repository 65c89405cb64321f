#pragma once
// View ▸ Presentation (F11): for a projector — larger fonts everywhere, thicker lines and
// larger markers in every chart, a high-contrast palette. Toggling it off restores what was
// there. Charts rebuild their series when the data changes, so the look is applied again
// after each change while the mode is on.
#include <QFont>
#include <QObject>
#include <QPalette>

class QAction;
class QTimer;

namespace automix::ui {

class PanelHost;

class PresentationMode : public QObject {
    Q_OBJECT
  public:
    explicit PresentationMode(PanelHost* window);
    bool isOn() const { return on_; }
    QAction* action() const { return action_; }
    static constexpr double kFontScale = 1.5;
    static constexpr double kLineScale = 2.5;

  public slots:
    void setOn(bool on);

  private:
    void styleCharts();  // every chart of the window, once per series

    PanelHost* window_;
    QAction* action_;
    QTimer* restyle_;
    bool on_ = false;
    QFont normalFont_;
    QPalette normalPalette_;
};

PresentationMode* installPresentationMode(PanelHost* window);

}  // namespace automix::ui

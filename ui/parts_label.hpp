#pragma once
// A status line made of rich-text parts ("255 of 10,000 rows shown · POMDP … · avg cost 12.78 ·
// …"). When the line is wider than the label, whole parts are left out from the end and "…" says
// so, and the tooltip lists every part; a plain QLabel would cut the last part in the middle,
// where "calls/query 1.2" can read as another number.
#include <QLabel>
#include <QStringList>

namespace automix::ui {

class PartsLabel : public QLabel {
    Q_OBJECT
  public:
    explicit PartsLabel(QWidget* parent = nullptr);

    // `note` follows the parts in the tooltip (what the figures mean).
    void setParts(const QStringList& parts, const QString& note = {});
    const QStringList& parts() const { return parts_; }
    int shownParts() const { return shown_; }

  protected:
    void resizeEvent(QResizeEvent* e) override;
    void showEvent(QShowEvent* e) override;

  private:
    void fit();

    QStringList parts_;
    QString note_;
    int shown_ = 0;
};

}  // namespace automix::ui

#pragma once
// The window's settings (one per window): values of the settings in setting_meta.cpp, validated,
// the remembered ones read from QSettings at construction and written back on every change.
// Widgets are made or configured from the metadata (range, step, decimals, units, tooltip), so a
// control never carries a range of its own. A value typed outside the range is clamped to the
// nearest bound and reported through message() (the window shows it in the status bar and the
// Messages log), never kept silently.
#include <QDoubleSpinBox>
#include <QHash>
#include <QObject>
#include <QSpinBox>
#include <functional>

#include "ui/settings/setting_meta.hpp"

class QSlider;

namespace automix::ui::settings {

// A spin box that lets an out-of-range number be typed, then clamps it and says so (a plain
// Qt spin box refuses the keystroke without a word). Base: QDoubleSpinBox or QSpinBox.
template <class Base>
class SettingBox : public Base {
  public:
    SettingBox(const SettingMeta& meta, QWidget* parent);
    const SettingMeta& meta() const { return meta_; }
    QValidator::State validate(QString& text, int& pos) const override;
    void fixup(QString& text) const override;
    // Called with the message when an out-of-range value was clamped.
    std::function<void(const QString&)> onCorrected;

  private:
    SettingMeta meta_;
};
using SettingSpinBox = SettingBox<QDoubleSpinBox>;
using SettingIntSpinBox = SettingBox<QSpinBox>;

// A key of setting_meta.hpp as a QSettings key.
inline QString qtKey(std::string_view key) {
    return QString::fromUtf8(key.data(), static_cast<qsizetype>(key.size()));
}

class Settings : public QObject {
    Q_OBJECT
  public:
    // Reads the remembered settings from QSettings; a stored value out of range is clamped (or,
    // if not a number, replaced by the default) and reported by pendingMessages().
    explicit Settings(QObject* parent = nullptr);

    double value(std::string_view key) const;
    int intValue(std::string_view key) const { return static_cast<int>(value(key)); }
    // Validates and keeps the value (writes it to QSettings when remembered); returns the value
    // kept. A clamped or rejected value emits message().
    double setValue(std::string_view key, double value);
    // Back to the table's default (and removed from QSettings).
    void reset(std::string_view key);
    // Messages about stored values found invalid at construction (before anyone listened).
    QStringList takePendingMessages();

    // A spin box for a setting of the table, bound to it: shows its value, writes edits back
    // (validated), follows setValue from elsewhere. Its object name is the key's last part.
    QDoubleSpinBox* doubleSpinBox(std::string_view key, QWidget* parent);
    QSpinBox* spinBox(std::string_view key, QWidget* parent);
    // A spin box with a setting's metadata but not bound to a stored value (costs, whose values
    // come with the file): the caller sets and reads the value. `meta` may be adjusted (a
    // model's name as label). Its clamping messages still go to message().
    QDoubleSpinBox* unboundSpinBox(const SettingMeta& meta, QWidget* parent);
    // A slider (the tuning panel's method parameters) over meta.positions steps, with the
    // metadata's tooltip and range.
    static void configure(QSlider* slider, const SettingMeta& meta);
    // Range, step, decimals, units and tooltip from the metadata.
    static void configure(QDoubleSpinBox* box, const SettingMeta& meta);
    static void configure(QSpinBox* box, const SettingMeta& meta);
    static QString tooltipOf(const SettingMeta& meta);

  signals:
    void valueChanged(const QString& key, double value);
    // A value was clamped or rejected: the user should know (status bar, log).
    void message(const QString& text);

  private:
    void report(const SettingMeta::Checked& checked);
    template <class Box>
    Box* bound(std::string_view key, QWidget* parent);
    QHash<QString, double> values_;
    QStringList pending_;
};

}  // namespace automix::ui::settings

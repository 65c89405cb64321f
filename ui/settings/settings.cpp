#include "ui/settings/settings.hpp"

#include <QLocale>
#include <QSettings>
#include <QSlider>
#include <QToolTip>
#include <cmath>

namespace automix::ui::settings {

namespace {

QString qs(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// The number in a spin box's text without its prefix and suffix; nullopt when it is none.
std::optional<double> numberIn(const QAbstractSpinBox& box, QString text, const QString& prefix, const QString& suffix) {
    if (!prefix.isEmpty() && text.startsWith(prefix)) text.remove(0, prefix.size());
    if (!suffix.isEmpty() && text.endsWith(suffix)) text.chop(suffix.size());
    text = text.trimmed();
    bool ok = false;
    double v = box.locale().toDouble(text, &ok);
    if (!ok) v = QLocale::c().toDouble(text, &ok);
    if (!ok || !std::isfinite(v)) return std::nullopt;
    return v;
}

QString objectNameOf(std::string_view key) {
    const QString k = qs(key);
    return k.section(QLatin1Char('/'), -1);
}

// Said where it was typed, whoever else listens (the window also logs it).
void showCorrection(QWidget* box, const QString& message) {
    if (box->isVisible()) QToolTip::showText(box->mapToGlobal(QPoint(0, box->height())), message, box);
}

}  // namespace

// ---------------------------------------------------------------- spin boxes

SettingSpinBox::SettingSpinBox(const SettingMeta& meta, QWidget* parent) : QDoubleSpinBox(parent), meta_(meta) {
    Settings::configure(this, meta_);
}

QValidator::State SettingSpinBox::validate(QString& text, int& pos) const {
    const QValidator::State base = QDoubleSpinBox::validate(text, pos);
    if (base != QValidator::Invalid) return base;
    // A number outside the range may be typed: fixup() clamps it on Enter and says so.
    return numberIn(*this, text, prefix(), suffix()) ? QValidator::Intermediate : QValidator::Invalid;
}

void SettingSpinBox::fixup(QString& text) const {
    const auto v = numberIn(*this, text, prefix(), suffix());
    if (!v) return QDoubleSpinBox::fixup(text);
    const SettingMeta::Checked c = meta_.check(*v);
    text = prefix() + textFromValue(c.value) + suffix();
    if (c.outcome == SettingMeta::Outcome::Kept) return;
    auto* self = const_cast<SettingSpinBox*>(this);  // fixup() is const in Qt; the message is not state
    showCorrection(self, QString::fromStdString(c.message));
    emit self->corrected(QString::fromStdString(c.message));
}

SettingIntSpinBox::SettingIntSpinBox(const SettingMeta& meta, QWidget* parent) : QSpinBox(parent), meta_(meta) {
    Settings::configure(this, meta_);
}

QValidator::State SettingIntSpinBox::validate(QString& text, int& pos) const {
    const QValidator::State base = QSpinBox::validate(text, pos);
    if (base != QValidator::Invalid) return base;
    return numberIn(*this, text, prefix(), suffix()) ? QValidator::Intermediate : QValidator::Invalid;
}

void SettingIntSpinBox::fixup(QString& text) const {
    const auto v = numberIn(*this, text, prefix(), suffix());
    if (!v) return QSpinBox::fixup(text);
    const SettingMeta::Checked c = meta_.check(*v);
    text = prefix() + textFromValue(static_cast<int>(c.value)) + suffix();
    if (c.outcome == SettingMeta::Outcome::Kept) return;
    auto* self = const_cast<SettingIntSpinBox*>(this);
    showCorrection(self, QString::fromStdString(c.message));
    emit self->corrected(QString::fromStdString(c.message));
}

// ---------------------------------------------------------------- settings

Settings::Settings(QObject* parent) : QObject(parent) {
    QSettings stored;
    for (const SettingMeta& m : all_settings()) {
        const QString k = QString::fromStdString(m.key);
        values_[k] = m.default_value;
        if (!m.remembered || !stored.contains(k)) continue;
        bool ok = false;
        const double v = stored.value(k).toDouble(&ok);
        const SettingMeta::Checked c = m.check(ok ? v : std::nan(""));
        values_[k] = c.value;
        if (c.outcome != SettingMeta::Outcome::Kept)
            pending_ << tr("Setting %1 in the stored settings: %2").arg(k, QString::fromStdString(c.message));
    }
}

QStringList Settings::takePendingMessages() {
    return std::exchange(pending_, {});
}

double Settings::value(std::string_view key) const {
    return values_.value(qs(key), setting(key).default_value);
}

void Settings::report(const SettingMeta::Checked& checked) {
    if (checked.outcome != SettingMeta::Outcome::Kept) emit message(QString::fromStdString(checked.message));
}

double Settings::setValue(std::string_view key, double v) {
    const SettingMeta& m = setting(key);
    const SettingMeta::Checked c = m.check(v);
    report(c);
    const QString k = qs(key);
    if (values_.value(k, m.default_value) == c.value && values_.contains(k)) return c.value;
    values_[k] = c.value;
    if (m.remembered) QSettings().setValue(k, c.value);
    emit valueChanged(k, c.value);
    return c.value;
}

void Settings::reset(std::string_view key) {
    const SettingMeta& m = setting(key);
    setValue(key, m.default_value);
    if (m.remembered) QSettings().remove(qs(key));  // the default is no stored value
}

QString Settings::tooltipOf(const SettingMeta& m) {
    return QString::fromStdString(m.tooltip) + QStringLiteral("\n") + QString::fromStdString(m.range_text());
}

void Settings::configure(QDoubleSpinBox* box, const SettingMeta& m) {
    box->setDecimals(m.type == SettingType::Integer ? 0 : m.decimals);
    box->setRange(m.min, m.max);
    box->setSingleStep(m.step);
    box->setSuffix(QString::fromStdString(m.units));
    box->setToolTip(tooltipOf(m));
    box->setKeyboardTracking(false);
    box->setCorrectionMode(QAbstractSpinBox::CorrectToNearestValue);
}

void Settings::configure(QSpinBox* box, const SettingMeta& m) {
    box->setRange(static_cast<int>(m.min), static_cast<int>(m.max));
    box->setSingleStep(std::max(1, static_cast<int>(m.step)));
    box->setSuffix(QString::fromStdString(m.units));
    box->setToolTip(tooltipOf(m));
    box->setKeyboardTracking(false);
    box->setCorrectionMode(QAbstractSpinBox::CorrectToNearestValue);
}

void Settings::configure(QSlider* slider, const SettingMeta& m) {
    slider->setRange(0, m.positions);
    slider->setToolTip(QString::fromStdString(m.tooltip));
}

QDoubleSpinBox* Settings::unboundSpinBox(const SettingMeta& meta, QWidget* parent) {
    auto* box = new SettingSpinBox(meta, parent);
    box->setObjectName(objectNameOf(meta.key));
    box->setValue(meta.default_value);
    connect(box, &SettingSpinBox::corrected, this, &Settings::message);
    return box;
}

QDoubleSpinBox* Settings::doubleSpinBox(std::string_view key, QWidget* parent) {
    const SettingMeta& m = setting(key);
    auto* box = new SettingSpinBox(m, parent);
    box->setObjectName(objectNameOf(key));
    box->setValue(value(key));
    connect(box, &SettingSpinBox::corrected, this, &Settings::message);
    const QString k = qs(key);
    const std::string keep(key);
    connect(box, &QDoubleSpinBox::valueChanged, this, [this, keep](double v) { setValue(keep, v); });
    connect(this, &Settings::valueChanged, box, [box, k](const QString& changed, double v) {
        if (changed != k || box->value() == v) return;
        const QSignalBlocker block(box);
        box->setValue(v);
    });
    return box;
}

QSpinBox* Settings::spinBox(std::string_view key, QWidget* parent) {
    const SettingMeta& m = setting(key);
    auto* box = new SettingIntSpinBox(m, parent);
    box->setObjectName(objectNameOf(key));
    box->setValue(intValue(key));
    connect(box, &SettingIntSpinBox::corrected, this, &Settings::message);
    const QString k = qs(key);
    const std::string keep(key);
    connect(box, &QSpinBox::valueChanged, this, [this, keep](int v) { setValue(keep, v); });
    connect(this, &Settings::valueChanged, box, [box, k](const QString& changed, double v) {
        if (changed != k || box->value() == static_cast<int>(v)) return;
        const QSignalBlocker block(box);
        box->setValue(static_cast<int>(v));
    });
    return box;
}

}  // namespace automix::ui::settings

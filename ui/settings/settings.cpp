#include "ui/settings/settings.hpp"

#include <QLocale>
#include <QSettings>
#include <QSlider>
#include <QToolTip>
#include <cmath>

#include "ui/qt_text.hpp"

namespace automix::ui::settings {

namespace {


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
    const QString k = toQString(key);
    return k.section(QLatin1Char('/'), -1);
}

// Said where it was typed, whoever else listens (the window also logs it).
void showCorrection(QWidget* box, const QString& message) {
    if (box->isVisible()) QToolTip::showText(box->mapToGlobal(QPoint(0, box->height())), message, box);
}

}  // namespace

// ---------------------------------------------------------------- spin boxes

template <class Base>
SettingBox<Base>::SettingBox(const SettingMeta& meta, QWidget* parent) : Base(parent), meta_(meta) {
    Settings::configure(this, meta_);
}

template <class Base>
QValidator::State SettingBox<Base>::validate(QString& text, int& pos) const {
    const QValidator::State base = Base::validate(text, pos);
    if (base != QValidator::Invalid) return base;
    // A number outside the range may be typed: fixup() clamps it on Enter and says so.
    return numberIn(*this, text, this->prefix(), this->suffix()) ? QValidator::Intermediate : QValidator::Invalid;
}

template <class Base>
void SettingBox<Base>::fixup(QString& text) const {
    const auto v = numberIn(*this, text, this->prefix(), this->suffix());
    if (!v) return Base::fixup(text);
    const SettingMeta::Checked c = meta_.check(*v);
    using Value = decltype(this->value());
    text = this->prefix() + this->textFromValue(static_cast<Value>(c.value)) + this->suffix();
    if (c.outcome == SettingMeta::Outcome::Kept) return;
    const QString message = QString::fromStdString(c.message);
    auto* self = const_cast<SettingBox*>(this);  // fixup() is const in Qt; the message is not state
    showCorrection(self, message);
    if (onCorrected) onCorrected(message);
}

template class SettingBox<QDoubleSpinBox>;
template class SettingBox<QSpinBox>;

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
    return values_.value(toQString(key), setting(key).default_value);
}

void Settings::report(const SettingMeta::Checked& checked) {
    if (checked.outcome != SettingMeta::Outcome::Kept) emit message(QString::fromStdString(checked.message));
}

double Settings::setValue(std::string_view key, double v) {
    const SettingMeta& m = setting(key);
    const SettingMeta::Checked c = m.check(v);
    report(c);
    const QString k = toQString(key);
    if (values_.value(k, m.default_value) == c.value && values_.contains(k)) return c.value;
    values_[k] = c.value;
    if (m.remembered) QSettings().setValue(k, c.value);
    emit valueChanged(k, c.value);
    return c.value;
}

void Settings::reset(std::string_view key) {
    const SettingMeta& m = setting(key);
    setValue(key, m.default_value);
    if (m.remembered) QSettings().remove(toQString(key));  // the default is no stored value
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
    box->onCorrected = [this](const QString& text) { emit message(text); };
    return box;
}

template <class Box>
Box* Settings::bound(std::string_view key, QWidget* parent) {
    using Value = decltype(std::declval<Box>().value());
    auto* box = new Box(setting(key), parent);
    box->setObjectName(objectNameOf(key));
    box->setValue(static_cast<Value>(value(key)));
    box->onCorrected = [this](const QString& text) { emit message(text); };
    const std::string keep(key);
    connect(box, &Box::valueChanged, this, [this, keep](Value v) { setValue(keep, v); });
    connect(this, &Settings::valueChanged, box, [box, k = toQString(key)](const QString& changed, double v) {
        if (changed != k || box->value() == static_cast<Value>(v)) return;
        const QSignalBlocker block(box);
        box->setValue(static_cast<Value>(v));
    });
    return box;
}

QDoubleSpinBox* Settings::doubleSpinBox(std::string_view key, QWidget* parent) {
    return bound<SettingSpinBox>(key, parent);
}

QSpinBox* Settings::spinBox(std::string_view key, QWidget* parent) {
    return bound<SettingIntSpinBox>(key, parent);
}

}  // namespace automix::ui::settings

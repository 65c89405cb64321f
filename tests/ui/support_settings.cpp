#include "ui/support_settings.hpp"

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>

namespace automix::test {

void useTestSettings(const QString& name, const QString& dir) {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("AutoMixTest"));
    QCoreApplication::setApplicationName(name);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir);
    QSettings().clear();
}

}  // namespace automix::test

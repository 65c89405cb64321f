#include "ui/theme.hpp"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QMenu>
#include <QSettings>
#include <optional>

#include "ui/panel_host.hpp"
#include "ui/settings/settings.hpp"

namespace automix::ui {

namespace {
const QString kThemeKey = settings::qtKey(settings::key::Theme);

// The desktop's own palette, kept when the first Light or Dark replaces it.
std::optional<QPalette>& systemPalette() {
    static std::optional<QPalette> palette;
    return palette;
}

void fill(QPalette& p, const QColor& window, const QColor& base, const QColor& alternate, const QColor& text,
          const QColor& button, const QColor& highlight, const QColor& link, const QColor& disabled) {
    for (auto group : {QPalette::Active, QPalette::Inactive, QPalette::Disabled}) {
        const QColor ink = group == QPalette::Disabled ? disabled : text;
        p.setColor(group, QPalette::Window, window);
        p.setColor(group, QPalette::WindowText, ink);
        p.setColor(group, QPalette::Base, base);
        p.setColor(group, QPalette::AlternateBase, alternate);
        p.setColor(group, QPalette::Text, ink);
        p.setColor(group, QPalette::Button, button);
        p.setColor(group, QPalette::ButtonText, ink);
        p.setColor(group, QPalette::BrightText, Qt::red);
        p.setColor(group, QPalette::Highlight, highlight);
        p.setColor(group, QPalette::HighlightedText, Qt::white);
        p.setColor(group, QPalette::ToolTipBase, window);
        p.setColor(group, QPalette::ToolTipText, text);
        p.setColor(group, QPalette::Link, link);
        p.setColor(group, QPalette::PlaceholderText, disabled);
        p.setColor(group, QPalette::Light, button.lighter(150));
        p.setColor(group, QPalette::Midlight, button.lighter(125));
        p.setColor(group, QPalette::Mid, button.darker(130));
        p.setColor(group, QPalette::Dark, button.darker(200));
        p.setColor(group, QPalette::Shadow, Qt::black);
    }
}
}  // namespace

QString themeKey(Theme theme) {
    switch (theme) {
    case Theme::Light: return QStringLiteral("light");
    case Theme::Dark: return QStringLiteral("dark");
    case Theme::System: break;
    }
    return QStringLiteral("system");
}

Theme savedTheme() {
    const QString key = QSettings().value(kThemeKey).toString();
    if (key == themeKey(Theme::Light)) return Theme::Light;
    if (key == themeKey(Theme::Dark)) return Theme::Dark;
    return Theme::System;
}

QPalette darkThemePalette() {
    QPalette p;
    fill(p, QColor(0x2b, 0x2b, 0x2b), QColor(0x1e, 0x1e, 0x1e), QColor(0x26, 0x26, 0x26), QColor(0xe8, 0xe8, 0xe8),
         QColor(0x35, 0x35, 0x35), QColor(0x3d, 0x7a, 0xd6), QColor(0x7a, 0xb4, 0xff), QColor(0x80, 0x80, 0x80));
    return p;
}

QPalette lightThemePalette() {
    QPalette p;
    fill(p, QColor(0xef, 0xef, 0xef), Qt::white, QColor(0xf5, 0xf5, 0xf5), QColor(0x1a, 0x1a, 0x1a),
         QColor(0xe6, 0xe6, 0xe6), QColor(0x30, 0x8c, 0xc6), QColor(0x00, 0x56, 0xa8), QColor(0x90, 0x90, 0x90));
    return p;
}

void applyTheme(Theme theme) {
    QSettings().setValue(kThemeKey, themeKey(theme));
    if (theme == Theme::System) {
        if (systemPalette()) QApplication::setPalette(*systemPalette());
        return;
    }
    if (!systemPalette()) systemPalette() = QApplication::palette();
    QApplication::setPalette(theme == Theme::Dark ? darkThemePalette() : lightThemePalette());
}

void installThemeMenu(PanelHost* window) {
    QMenu* menu = window->menu(WindowMenu::View)->addMenu(QObject::tr("&Theme"));
    menu->setObjectName(QStringLiteral("themeMenu"));
    auto* group = new QActionGroup(menu);
    const Theme saved = savedTheme();
    for (const auto& [theme, text] :
         {std::pair{Theme::System, QObject::tr("&System")}, std::pair{Theme::Light, QObject::tr("&Light")},
          std::pair{Theme::Dark, QObject::tr("&Dark")}}) {
        QAction* a = menu->addAction(text);
        a->setObjectName(QStringLiteral("theme_") + themeKey(theme));
        a->setCheckable(true);
        a->setChecked(theme == saved);
        group->addAction(a);
        QObject::connect(a, &QAction::triggered, window->hostWidget(), [t = theme] { applyTheme(t); });
    }
    // Another window (or a test) may have switched since: the menu shows what is in use.
    QObject::connect(menu, &QMenu::aboutToShow, menu, [menu] {
        for (QAction* a : menu->actions())
            a->setChecked(a->objectName() == QStringLiteral("theme_") + themeKey(savedTheme()));
    });
    if (saved != Theme::System) applyTheme(saved);
}

}  // namespace automix::ui

#pragma once
// View ▸ Theme: System / Light / Dark. The choice is remembered (QSettings "view/theme") and
// applied to the whole application's palette; every chart redraws in the new style at once
// (ui/charts/chart_page.hpp, redrawOnStyleChange).
#include <QPalette>
#include <QString>

namespace automix::ui {

class PanelHost;

enum class Theme { System, Light, Dark };

QString themeKey(Theme theme);  // "system", "light", "dark" (the QSettings value)
Theme savedTheme();
// Sets the application palette (System: the one the desktop gave, as found before the first
// switch) and remembers the choice.
void applyTheme(Theme theme);
QPalette darkThemePalette();
QPalette lightThemePalette();

// Adds View ▸ Theme and applies the remembered theme (System leaves the palette alone).
void installThemeMenu(PanelHost* window);

}  // namespace automix::ui

#pragma once
// Every UI test keeps its QSettings (window layout, recent files) in a folder of its own, so
// runs neither read the user's settings nor one another's.
#include <QString>

namespace automix::test {

// Test mode for QStandardPaths, INI settings under `dir` for the application `name`, cleared.
void useTestSettings(const QString& name, const QString& dir);

}  // namespace automix::test

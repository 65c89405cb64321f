#pragma once
// The demo data compiled into the executable (resources/demo), as a file the loader can read.
#include <QString>

namespace automix::ui {

// Writes a demo resource (resources/demo/<name>) to a temporary file (once per process)
// and returns its path; the loader reads files, and the demo goes through the same path.
QString extractDemoFile(const QString& name = QStringLiteral("demo.jsonl.gz"));
bool isDemoFile(const QString& path);

}  // namespace automix::ui

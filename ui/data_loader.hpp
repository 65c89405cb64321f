#pragma once
// Loading a data file as a job of the window's JobRunner: core::data::load_file with progress
// and cancel, its outcome as plain values for the GUI thread.
#include <QString>
#include <QStringList>
#include <memory>

#include "core/data/reader.hpp"

namespace automix::ui {

class JobContext;

struct LoadOutcome {
    bool ok = false;
    QString path;
    QString error;  // "file:line:column: message" when !ok
    std::shared_ptr<const data::Dataset> dataset;
    std::size_t badLines = 0;
    QStringList problems;  // skipped lines (lenient mode), as "file:line: message"
    QStringList warnings;
    QString sha256;  // of the decompressed bytes read (what reports name as their input)
};

// Worker thread. Throws JobCancelled when the job is cancelled; every other failure is in the
// outcome. Files the explorer cannot show (fewer than two models) are refused here, so the
// previous data stays loaded.
LoadOutcome loadDataFile(const QString& path, bool skipBadLines, JobContext& job);

}  // namespace automix::ui

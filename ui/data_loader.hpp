#pragma once
// Loading a data file as a job of the window's JobRunner: core::data::load_file with progress
// and cancel, its outcome as plain values for the GUI thread.
#include <QString>
#include <QStringList>
#include <memory>

#include "core/data/reader.hpp"
#include "ui/routing_state.hpp"

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
    std::string sha256;  // of the decompressed content (sessions check it when they reopen the file)
    ScopedRows rows;     // the table's and charts' row lists, made by the job for the window's scope
};

// Worker thread. Throws JobCancelled when the job is cancelled; every other failure is in the
// outcome. Files the explorer cannot show (fewer than two models) are refused here, so the
// previous data stays loaded.
LoadOutcome loadDataFile(const QString& path, bool skipBadLines, JobContext& job);

// Name filters for choosing a data file, from the registered formats (core/data/format.hpp):
// "AutoMix data (*.jsonl *.jsonl.gz *.csv ...)", then "All files (*)".
QStringList dataFileNameFilters();
// The same as one string for QFileDialog::getOpenFileName (filters separated by ";;").
QString dataFileFilter();

}  // namespace automix::ui

#pragma once
// Loads a data file off the GUI thread through core::data::load_file, reporting progress
// and honouring Cancel. One load at a time; starting a new one cancels the running one.
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>

#include "core/data/reader.hpp"

namespace automix::ui {

struct LoadOutcome {
    bool ok = false;
    bool cancelled = false;
    QString path;
    QString error;  // "file:line:column: message" when !ok
    std::shared_ptr<const data::Dataset> dataset;
    std::size_t badLines = 0;
    QStringList problems;  // skipped lines (lenient mode), as "file:line: message"
    QStringList warnings;
};

class DataLoader : public QObject {
    Q_OBJECT
  public:
    explicit DataLoader(QObject* parent = nullptr);
    ~DataLoader() override;

    void start(const QString& path, bool skipBadLines);
    void cancel();
    bool isRunning() const;
    // Blocks (running a local event loop) until the current load has finished.
    void waitForFinished();

  signals:
    void progress(int permille);
    void finished(const automix::ui::LoadOutcome& outcome);

  private:
    void onFinished();

    QFutureWatcher<LoadOutcome> watcher_;
    bool pending_ = false;  // started and its finished() not yet emitted
    std::shared_ptr<std::atomic<bool>> cancel_;
    // Progress arrives from the worker thread; this keeps the GUI from being flooded.
    std::shared_ptr<std::atomic<int>> lastPermille_;
};

}  // namespace automix::ui

Q_DECLARE_METATYPE(automix::ui::LoadOutcome)

#pragma once
// The one way the GUI runs work off its thread. A job is a key ("curves", "train", "load", …),
// a plain C++ function and a callback for its result on the GUI thread:
//
//   jobs->start<Curves>(QStringLiteral("curves"), {this, [snap, state] { return state->isCurrent(*snap, …); }},
//       [snap](JobContext& job) { return compute(*snap, job); },      // worker thread: no QObject
//       [this](Curves c) { show(c); });                                // GUI thread
//
// Rules it enforces: starting a key cancels the running job of that key (its result is never
// delivered); a result is delivered only if the job's context object still exists and its
// `stillCurrent` check holds when it arrives (otherwise it is dropped); an exception thrown by
// the work becomes a `failed` signal with its message, never a terminate; the destructor cancels
// every job and waits for all of them. Workers reach the GUI only through values: the runner polls
// each job's atomics (progress, and a release/acquire `done` flag for its end), and the result
// travels in the job's own state.
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

class QProgressBar;
class QTimer;

namespace automix::ui {

// Thrown by JobContext::checkCancelled() (and by work that notices a cancel): the job ends
// quietly, its result dropped.
struct JobCancelled : std::runtime_error {
    JobCancelled() : std::runtime_error("cancelled") {}
};

// What a worker sees of its job: a cancel flag to poll and a progress sink. Plain data, safe to
// use from any thread.
class JobContext {
  public:
    bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }
    void checkCancelled() const {
        if (cancelled()) throw JobCancelled();
    }
    // The flag for core functions that take `const std::atomic<bool>*`.
    const std::atomic<bool>* cancelFlag() const { return &cancelled_; }
    void progress(std::size_t done, std::size_t total) {
        total_.store(static_cast<std::int64_t>(total), std::memory_order_relaxed);
        done_.store(static_cast<std::int64_t>(done), std::memory_order_relaxed);
    }
    void setStage(std::string stage) {
        const std::lock_guard<std::mutex> lock(stageMutex_);
        stage_ = std::move(stage);
    }
    // A progress callback for core's `bool(done, total)` loops: reports, and asks them to stop
    // once cancelled.
    auto continueCallback() {
        return [this](std::size_t done, std::size_t total) {
            progress(done, total);
            return !cancelled();
        };
    }

  private:
    friend class JobRunner;
    std::atomic<bool> cancelled_{false};
    std::atomic<std::int64_t> done_{0}, total_{0};
    std::mutex stageMutex_;
    std::string stage_;
};

struct JobProgress {
    std::int64_t done = 0, total = 0;  // total 0: no fraction known yet
    QString stage;
};

class JobRunner : public QObject {
    Q_OBJECT
  public:
    // Where a result may go: `context` must still exist and `stillCurrent()` (checked on the
    // GUI thread when the result arrives; empty = always) must hold.
    struct Delivery {
        QPointer<QObject> context;
        std::function<bool()> stillCurrent;
    };

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;  // cancels every job and waits for all of them

    template <class R>
    void start(const QString& key, Delivery delivery, std::function<R(JobContext&)> work,
               std::function<void(R)> onResult) {
        auto result = std::make_shared<std::optional<R>>();
        launch(
            key, std::move(delivery), [work = std::move(work), result](JobContext& ctx) { result->emplace(work(ctx)); },
            [result, onResult = std::move(onResult)] { onResult(std::move(**result)); });
    }

    // What a view does when a job of one key reports (all on the GUI thread; any may be empty):
    // progress, failure (the exception's message), and the end of the job (delivered or not).
    struct Followers {
        std::function<void(qint64 done, qint64 total, const QString& stage)> progress;
        std::function<void(const QString& message)> failed;
        std::function<void(bool delivered)> ended;
    };
    // Connects `followers` to the jobs of `key` for as long as `context` lives.
    void follow(const QString& key, QObject* context, Followers followers);
    // A progress follower that shows done / total in a progress bar.
    static std::function<void(qint64, qint64, const QString&)> intoBar(QProgressBar* bar);

    void cancel(const QString& key);  // its result, if any, is dropped
    // Asks the job to stop early (its cancel flag is set) but still delivers what the work
    // returns: a live run stopped by the user keeps the rows it finished.
    void stop(const QString& key);
    void cancelAll();
    bool isRunning(const QString& key) const;
    bool isIdle() const { return jobs_.isEmpty(); }
    std::optional<JobProgress> progress(const QString& key) const;
    // Tests and the command line: spin the event loop until `key` (or every job) has ended
    // and its result was delivered or dropped. False on timeout.
    bool waitFor(const QString& key, int timeoutMs = 120000);
    bool waitForIdle(int timeoutMs = 120000);
    // How many results were dropped because they were no longer current (tests).
    int droppedResults() const { return dropped_; }

  signals:
    void started(const QString& key);
    void progressed(const QString& key, qint64 done, qint64 total, const QString& stage);
    // Every job ends with exactly one of these two.
    void finished(const QString& key, bool delivered);
    void failed(const QString& key, const QString& message);

  private:
    struct Job;
    class Pool;
    void launch(const QString& key, Delivery delivery, std::function<void(JobContext&)> work,
                std::function<void()> deliver);
    void onJobDone(const std::shared_ptr<Job>& job);
    void poll();  // delivers ended jobs and reports progress, every 20 ms while any runs

    std::unique_ptr<Pool> pool_;
    QHash<QString, std::shared_ptr<Job>> jobs_;   // the current job of each key
    std::vector<std::shared_ptr<Job>> inFlight_;  // every started job not yet ended
    QTimer* poll_ = nullptr;
    int dropped_ = 0;
    std::uint64_t nextId_ = 1;
};

}  // namespace automix::ui

#include "ui/job_runner.hpp"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QProgressBar>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

namespace automix::ui {

struct JobRunner::Job {
    QString key;
    std::uint64_t id = 0;
    Delivery delivery;
    std::function<void()> deliver;
    // Shared with the worker: the only things it touches.
    struct Shared {
        JobContext context;
        bool cancelled = false;                  // written by the worker, read after the future finished
        std::atomic<bool> stopRequested{false};  // stop(): the cancel flag set, the result still wanted
        // Released by the worker after its last write, acquired before the GUI reads: the
        // hand-over is ordered by our own atomic, visible to ThreadSanitizer, not only by Qt's
        // uninstrumented future internals.
        std::atomic<bool> done{false};
        std::string error;
    };
    std::shared_ptr<Shared> shared = std::make_shared<Shared>();
    QFutureWatcher<void>* watcher = nullptr;
    JobProgress lastReported;
};

JobRunner::JobRunner(QObject* parent) : QObject(parent) {
    // Room for a long study and the quick jobs beside it; superseded jobs stop at their next
    // cancel check and give their thread back.
    pool_.setMaxThreadCount(std::max(4, QThread::idealThreadCount()));
    poll_ = new QTimer(this);
    poll_->setInterval(50);
    connect(poll_, &QTimer::timeout, this, &JobRunner::pollProgress);
}

JobRunner::~JobRunner() {
    cancelAll();
    pool_.waitForDone();
}

void JobRunner::launch(const QString& key, Delivery delivery, std::function<void(JobContext&)> work,
                       std::function<void()> deliver) {
    cancel(key);
    auto job = std::make_shared<Job>();
    job->key = key;
    job->id = nextId_++;
    job->delivery = std::move(delivery);
    job->deliver = std::move(deliver);
    job->watcher = new QFutureWatcher<void>(this);
    jobs_.insert(key, job);
    connect(job->watcher, &QFutureWatcher<void>::finished, this, [this, job] { onJobDone(job); });
    job->watcher->setFuture(QtConcurrent::run(&pool_, [shared = job->shared, work = std::move(work)] {
        try {
            work(shared->context);
        } catch (const JobCancelled&) {
            shared->cancelled = true;
        } catch (const std::exception& e) {
            shared->error = e.what();
            if (shared->error.empty()) shared->error = "unknown error";
        } catch (...) {
            shared->error = "unknown error";
        }
        // A cancel that arrived after the work ended still means "do not deliver".
        if (shared->context.cancelled() && !shared->stopRequested) shared->cancelled = true;
        shared->done.store(true, std::memory_order_release);
    }));
    if (!poll_->isActive()) poll_->start();
    emit started(key);
}

void JobRunner::follow(const QString& key, QObject* context, Followers f) {
    if (f.progress)
        connect(this, &JobRunner::progressed, context,
                [key, on = std::move(f.progress)](const QString& k, qint64 done, qint64 total, const QString& stage) {
                    if (k == key) on(done, total, stage);
                });
    if (f.failed)
        connect(this, &JobRunner::failed, context, [key, on = std::move(f.failed)](const QString& k, const QString& m) {
            if (k == key) on(m);
        });
    if (f.ended)
        connect(this, &JobRunner::finished, context, [key, on = std::move(f.ended)](const QString& k, bool delivered) {
            if (k == key) on(delivered);
        });
}

std::function<void(qint64, qint64, const QString&)> JobRunner::intoBar(QProgressBar* bar) {
    return [bar](qint64 done, qint64 total, const QString&) {
        if (total <= 0) return;
        bar->setRange(0, static_cast<int>(total));
        bar->setValue(static_cast<int>(done));
    };
}

void JobRunner::cancel(const QString& key) {
    const auto it = jobs_.find(key);
    if (it == jobs_.end()) return;
    (*it)->shared->context.cancelled_.store(true);
    jobs_.erase(it);  // its end is still awaited by onJobDone, which drops the result
}

void JobRunner::stop(const QString& key) {
    const auto it = jobs_.find(key);
    if (it == jobs_.end()) return;
    (*it)->shared->stopRequested.store(true);
    (*it)->shared->context.cancelled_.store(true);
}

void JobRunner::cancelAll() {
    for (const auto& job : std::as_const(jobs_)) {
        job->shared->stopRequested.store(false);
        job->shared->context.cancelled_.store(true);
    }
    jobs_.clear();
}

bool JobRunner::isRunning(const QString& key) const {
    return jobs_.contains(key);
}

std::optional<JobProgress> JobRunner::progress(const QString& key) const {
    const auto it = jobs_.find(key);
    if (it == jobs_.end()) return std::nullopt;
    JobContext& c = (*it)->shared->context;
    JobProgress p;
    p.done = c.done_.load();
    p.total = c.total_.load();
    {
        const std::lock_guard<std::mutex> lock(c.stageMutex_);
        p.stage = QString::fromStdString(c.stage_);
    }
    return p;
}

void JobRunner::onJobDone(const std::shared_ptr<Job>& job) {
    job->watcher->deleteLater();
    const auto it = jobs_.find(job->key);
    const bool current = it != jobs_.end() && (*it)->id == job->id;
    if (!current) {
        // Superseded or cancelled: the key has moved on (or was cancelled); never shown.
        ++dropped_;
        return;
    }
    jobs_.erase(it);
    if (jobs_.isEmpty()) poll_->stop();
    const Job::Shared& s = *job->shared;
    if (!s.done.load(std::memory_order_acquire)) {
        // Cannot happen: the future finished only after the work returned.
        emit failed(job->key, QStringLiteral("internal error: job ended without finishing"));
        emit finished(job->key, false);
        return;
    }
    bool delivered = false;
    if (s.cancelled) {
        ++dropped_;
    } else if (!s.error.empty()) {
        emit failed(job->key, QString::fromStdString(s.error));
    } else if (!job->delivery.context || (job->delivery.stillCurrent && !job->delivery.stillCurrent())) {
        ++dropped_;  // computed for a scope that is gone
    } else {
        try {
            job->deliver();
            delivered = true;
        } catch (const std::exception& e) {
            emit failed(job->key, QString::fromStdString(e.what()));
        }
    }
    emit finished(job->key, delivered);
}

void JobRunner::pollProgress() {
    for (const auto& job : std::as_const(jobs_)) {
        const auto p = progress(job->key);
        if (!p) continue;
        if (p->done == job->lastReported.done && p->total == job->lastReported.total &&
            p->stage == job->lastReported.stage)
            continue;
        job->lastReported = *p;
        emit progressed(job->key, p->done, p->total, p->stage);
    }
}

bool JobRunner::waitFor(const QString& key, int timeoutMs) {
    QElapsedTimer t;
    t.start();
    while (isRunning(key) && t.elapsed() < timeoutMs) {
        QEventLoop loop;
        connect(this, &JobRunner::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(50, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return !isRunning(key);
}

bool JobRunner::waitForIdle(int timeoutMs) {
    QElapsedTimer t;
    t.start();
    while (!isIdle() && t.elapsed() < timeoutMs) {
        QEventLoop loop;
        connect(this, &JobRunner::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(50, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return isIdle();
}

}  // namespace automix::ui

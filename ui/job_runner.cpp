#include "ui/job_runner.hpp"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QProgressBar>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <thread>
#include <vector>

#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace automix::ui {

namespace {
// Background work yields to the GUI thread: at ten million rows a load keeps both cores busy
// with its reading and parsing threads, and at equal priority the GUI thread waited up to
// 150 ms for a core when the result arrived. The threads a job starts inherit this.
void yieldToTheGuiThread() {
#ifdef __linux__
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5);  // nice is per thread on Linux
#endif
}
}  // namespace

// The runner's threads: plain C++ (std::thread, std::mutex), so every hand-over between the GUI
// thread and a worker is visible to ThreadSanitizer, unlike Qt's uninstrumented thread pool.
class JobRunner::Pool {
  public:
    explicit Pool(std::size_t maxThreads) : max_(maxThreads) {}
    ~Pool() {
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
            queue_.clear();  // never started: nothing to wait for
        }
        wake_.notify_all();
        for (std::thread& t : threads_) t.join();
    }
    void submit(std::function<void()> task) {
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            queue_.push_back(std::move(task));
            if (idle_ == 0 && threads_.size() < max_)
                threads_.emplace_back([this] {
                    yieldToTheGuiThread();
                    loop();
                });
        }
        wake_.notify_one();
    }

  private:
    void loop() {
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            ++idle_;
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            --idle_;
            if (queue_.empty()) return;  // stopping
            std::function<void()> task = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            task();
            lock.lock();
        }
    }
    const std::size_t max_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    std::vector<std::thread> threads_;
    std::size_t idle_ = 0;
    bool stopping_ = false;
};

struct JobRunner::Job {
    QString key;
    std::uint64_t id = 0;
    Delivery delivery;
    std::function<void()> deliver;
    // Shared with the worker: the only things it touches.
    struct Shared {
        JobContext context;
        bool cancelled = false;                  // written by the worker before `done`
        std::atomic<bool> stopRequested{false};  // stop(): the cancel flag set, the result still wanted
        std::atomic<bool> done{false};           // released by the worker last, acquired by the GUI
        std::string error;
    };
    std::shared_ptr<Shared> shared = std::make_shared<Shared>();
    JobProgress lastReported;
};

JobRunner::JobRunner(QObject* parent) : QObject(parent) {
    // Room for a long study and the quick jobs beside it; superseded jobs stop at their next
    // cancel check and give their thread back.
    pool_ = std::make_unique<Pool>(static_cast<std::size_t>(std::max(4, QThread::idealThreadCount())));
    poll_ = new QTimer(this);
    poll_->setInterval(20);
    connect(poll_, &QTimer::timeout, this, &JobRunner::poll);
}

JobRunner::~JobRunner() {
    cancelAll();
    pool_.reset();  // joins every worker
}

void JobRunner::launch(const QString& key, Delivery delivery, std::function<void(JobContext&)> work,
                       std::function<void()> deliver) {
    cancel(key);
    auto job = std::make_shared<Job>();
    job->key = key;
    job->id = nextId_++;
    job->delivery = std::move(delivery);
    job->deliver = std::move(deliver);
    jobs_.insert(key, job);
    inFlight_.push_back(job);
    pool_->submit([shared = job->shared, work = std::move(work)] {
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
    });
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
    const auto it = jobs_.find(job->key);
    const bool current = it != jobs_.end() && (*it)->id == job->id;
    if (!current) {
        // Superseded or cancelled: the key has moved on (or was cancelled); never shown.
        ++dropped_;
        return;
    }
    jobs_.erase(it);
    const Job::Shared& s = *job->shared;
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

void JobRunner::poll() {
    // Ended jobs first (their `done` acquire orders everything the worker wrote before it).
    std::vector<std::shared_ptr<Job>> ended;
    for (auto it = inFlight_.begin(); it != inFlight_.end();) {
        if ((*it)->shared->done.load(std::memory_order_acquire)) {
            ended.push_back(*it);
            it = inFlight_.erase(it);
        } else {
            ++it;
        }
    }
    if (inFlight_.empty()) poll_->stop();
    for (const auto& job : ended) onJobDone(job);
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

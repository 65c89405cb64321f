#include "ui/data_loader.hpp"

#include <QEventLoop>
#include <QMetaObject>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

namespace automix::ui {

namespace {

LoadOutcome loadInWorker(const QString& path, bool skipBadLines, std::shared_ptr<std::atomic<bool>> cancel,
                         std::shared_ptr<std::atomic<int>> lastPermille, QPointer<DataLoader> loader) {
    LoadOutcome out;
    out.path = path;
    data::LoadOptions options;
    options.skip_bad_lines = skipBadLines;
    options.cancel = cancel.get();
    options.progress = [lastPermille, loader](std::uint64_t done, std::uint64_t total) {
        if (total == 0) return;
        const int permille = static_cast<int>(done * 1000 / total);
        if (permille == lastPermille->exchange(permille)) return;
        QMetaObject::invokeMethod(
            loader,
            [loader, permille] {
                if (loader) emit loader->progress(permille);
            },
            Qt::QueuedConnection);
    };
    try {
        data::LoadResult result = data::load_file(path.toStdString(), options);
        out.badLines = result.bad_lines;
        for (const auto& p : result.problems) out.problems << QString::fromStdString(p.to_string());
        for (const auto& w : result.warnings) out.warnings << QString::fromStdString(w);
        out.dataset = std::make_shared<const data::Dataset>(std::move(result.dataset));
        out.ok = true;
    } catch (const data::LoadCancelled&) {
        out.cancelled = true;
        out.error = QObject::tr("Loading cancelled.");
    } catch (const data::LoadError& e) {
        out.error = QString::fromStdString(e.problem().to_string());
    } catch (const std::exception& e) {
        out.error = QStringLiteral("%1: %2").arg(path, QString::fromStdString(e.what()));
    }
    return out;
}

}  // namespace

DataLoader::DataLoader(QObject* parent) : QObject(parent) {
    qRegisterMetaType<LoadOutcome>();
    connect(&watcher_, &QFutureWatcher<LoadOutcome>::finished, this, &DataLoader::onFinished);
}

DataLoader::~DataLoader() {
    cancel();
    watcher_.waitForFinished();
}

void DataLoader::start(const QString& path, bool skipBadLines) {
    // A running load is cancelled and its result dropped (setFuture discards the old future's
    // undelivered signals): only the latest request counts.
    cancel();
    pending_ = true;
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    lastPermille_ = std::make_shared<std::atomic<int>>(-1);
    emit progress(0);
    watcher_.setFuture(
        QtConcurrent::run(loadInWorker, path, skipBadLines, cancel_, lastPermille_, QPointer<DataLoader>(this)));
}

void DataLoader::cancel() {
    if (cancel_) cancel_->store(true);
}

bool DataLoader::isRunning() const {
    return pending_;
}

void DataLoader::waitForFinished() {
    if (!isRunning()) return;
    QEventLoop loop;
    connect(this, &DataLoader::finished, &loop, &QEventLoop::quit);
    loop.exec();
}

void DataLoader::onFinished() {
    pending_ = false;
    emit finished(watcher_.result());
}

}  // namespace automix::ui

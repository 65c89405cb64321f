#include "ui/data_loader.hpp"

#include <QObject>

#include "core/data/format.hpp"
#include "ui/job_runner.hpp"

namespace automix::ui {

QStringList dataFileNameFilters() {
    QStringList patterns;
    for (const std::string& p : data::format_patterns()) patterns << QString::fromStdString(p);
    patterns << QStringLiteral("*.gz");  // the content, not the name, tells the format
    return {QObject::tr("AutoMix data (%1)").arg(patterns.join(QLatin1Char(' '))), QObject::tr("All files (*)")};
}

QString dataFileFilter() {
    return dataFileNameFilters().join(QStringLiteral(";;"));
}

LoadOutcome loadDataFile(const QString& path, bool skipBadLines, JobContext& job) {
    LoadOutcome out;
    out.path = path;
    data::LoadOptions options;
    options.skip_bad_lines = skipBadLines;
    options.content_sha256 = true;
    options.cancel = job.cancelFlag();
    options.content_sha256 = true;  // hashed on the reading thread, for reports
    options.progress = [&job](std::uint64_t done, std::uint64_t total) { job.progress(done, total); };
    try {
        data::LoadResult result = data::load_file(path.toStdString(), options);
        if (result.dataset.model_count() < 2) {
            // Routing needs a model to escalate to; the CLI refuses such files too.
            out.error = QObject::tr("%1: the file has %n model(s); routing needs at least two (a small model and a "
                                    "larger one to escalate to)",
                                    nullptr, static_cast<int>(result.dataset.model_count()))
                            .arg(path);
            return out;
        }
        out.badLines = result.bad_lines;
        for (const auto& p : result.problems) out.problems << QString::fromStdString(p.to_string());
        for (const auto& w : result.warnings) out.warnings << QString::fromStdString(w);
        out.sha256 = result.content_sha256;
        out.dataset = std::make_shared<const data::Dataset>(std::move(result.dataset));
        out.ok = true;
    } catch (const data::LoadCancelled&) {
        throw JobCancelled();
    } catch (const data::LoadError& e) {
        out.error = QString::fromStdString(e.problem().to_string());
    } catch (const std::exception& e) {
        out.error = QStringLiteral("%1: %2").arg(path, QString::fromStdString(e.what()));
    }
    return out;
}

}  // namespace automix::ui

#include "ui/charts/chart_export.hpp"

#include <QChartView>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>

namespace automix::ui::charts {

namespace {
QSize sizeFor(QWidget* view, QSize size) {
    if (size.isValid() && !size.isEmpty()) return size;
    const QSize s = view->size();
    return s.isEmpty() ? QSize(900, 560) : s;
}

// Rendering a widget at a size other than its own: resize it for the duration.
class ResizeFor {
  public:
    ResizeFor(QWidget* w, QSize size) : w_(w), old_(w->size()) {
        if (size != old_) w_->resize(size);
    }
    ~ResizeFor() {
        if (w_->size() != old_) w_->resize(old_);
    }

  private:
    QWidget* w_;
    QSize old_;
};
}  // namespace

QString exportPng(QWidget* view, const QString& path, QSize size) {
    if (!view) return QStringLiteral("no chart");
    const QSize s = sizeFor(view, size);
    ResizeFor resize(view, s);
    const qreal dpr = 2.0;  // crisp on high-DPI screens and in documents
    QImage image(s * dpr, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(dpr);
    image.fill(view->palette().color(QPalette::Base));
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        view->render(&painter);
    }
    if (!image.save(path, "PNG")) return QStringLiteral("cannot write %1").arg(path);
    return {};
}

QString exportSvg(QWidget* view, const QString& path, QSize size) {
    if (!view) return QStringLiteral("no chart");
    const QSize s = sizeFor(view, size);
    ResizeFor resize(view, s);
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(s);
    svg.setViewBox(QRect(QPoint(0, 0), s));
    svg.setTitle(view->windowTitle().isEmpty() ? QStringLiteral("AutoMix chart") : view->windowTitle());
    svg.setDescription(QStringLiteral("Exported by AutoMix Explorer"));
    {
        QPainter painter;
        if (!painter.begin(&svg)) return QStringLiteral("cannot write %1").arg(path);
        view->render(&painter);
        painter.end();
    }
    if (!QFile::exists(path) || QFile(path).size() == 0) return QStringLiteral("cannot write %1").arg(path);
    return {};
}

QString writeTextFile(const QString& path, const QByteArray& bytes) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
    f.write(bytes);
    if (!f.commit()) return QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
    return {};
}

QString exportCsv(const eval::DataTable& table, const QString& path, const QString& provenance) {
    std::string csv;
    if (!provenance.isEmpty()) csv = "# computed on: " + provenance.simplified().toStdString() + "\n";
    csv += eval::to_csv(table);
    return writeTextFile(path, QByteArray(csv.data(), static_cast<qsizetype>(csv.size())));
}

}  // namespace automix::ui::charts

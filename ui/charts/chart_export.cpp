#include "ui/charts/chart_export.hpp"

#include <QBoxLayout>
#include <QBuffer>
#include <QPointer>
#include <QCoreApplication>
#include <QResizeEvent>
#include <QChartView>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>

#include "ui/charts/chart_legend.hpp"

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
        // Out of its box (chart + legend) meanwhile: the box's layout would fit it back at once.
        if (QWidget* parent = w->parentWidget())
            if (auto* box = qobject_cast<QBoxLayout*>(parent->layout()); box && box->indexOf(w) >= 0) {
                box_ = box;
                index_ = box->indexOf(w);
                stretch_ = box->stretch(index_);
                visible_ = w->isVisible();
                w->setParent(nullptr);
            }
        if (size != w_->size()) apply(size, w_->size());
    }
    ~ResizeFor() {
        if (w_->size() != old_) apply(old_, w_->size());
        if (box_) {
            box_->insertWidget(index_, w_, stretch_);
            w_->setVisible(visible_);
        }
    }

  private:
    // A widget out of sight (another tab) gets its resize event only when shown: the chart
    // inside would keep its old size in the picture. Deliver it now.
    void apply(QSize to, QSize from) {
        w_->resize(to);
        if (!w_->isVisible()) {
            QResizeEvent e(to, from);
            QCoreApplication::sendEvent(w_, &e);
        }
    }

    QWidget* w_;
    QSize old_;
    QPointer<QBoxLayout> box_;
    int index_ = -1, stretch_ = 0;
    bool visible_ = true;
};
}  // namespace

QString exportPng(QWidget* view, const QString& path, QSize size) {
    if (!view) return QStringLiteral("no chart");
    const QSize s = sizeFor(view, size);
    const LegendForExport legend(view);  // the picture names its series itself (before it leaves its box)
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
    return savePng(image, path);
}

QString savePng(const QImage& image, const QString& path) {
    // Through a temporary file: a full disk or a killed process leaves no half-written PNG.
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
    if (!image.save(&f, "PNG")) {
        const QString why = f.errorString();
        f.cancelWriting();
        return QStringLiteral("cannot write %1: %2").arg(path, why.isEmpty() ? QStringLiteral("PNG encoding failed") : why);
    }
    if (!f.commit()) return QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
    return {};
}

QString exportSvg(QWidget* view, const QString& path, QSize size) {
    if (!view) return QStringLiteral("no chart");
    const QSize s = sizeFor(view, size);
    const LegendForExport legend(view);
    ResizeFor resize(view, s);
    QBuffer buffer;  // written in one go below, so a failure leaves no partial file
    QSvgGenerator svg;
    svg.setOutputDevice(&buffer);
    svg.setSize(s);
    svg.setViewBox(QRect(QPoint(0, 0), s));
    svg.setTitle(view->windowTitle().isEmpty() ? QStringLiteral("AutoMix chart") : view->windowTitle());
    svg.setDescription(QStringLiteral("Exported by AutoMix Explorer"));
    {
        QPainter painter;
        if (!painter.begin(&svg)) return QStringLiteral("cannot render %1 as SVG").arg(path);
        view->render(&painter);
        painter.end();
    }
    return writeTextFile(path, buffer.data());
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

#include "ui/presentation_mode.hpp"

#include <QAbstractAxis>
#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QHeaderView>
#include <QLegend>
#include <QMenu>
#include <QMenuBar>
#include <QScatterSeries>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QXYSeries>
#include <functional>

#include "ui/panel_host.hpp"
#include "ui/routing_state.hpp"

namespace automix::ui {

namespace {

// Original pen width / marker size / font size, kept on the object so that "off" restores
// them and a second pass in "on" does not scale twice.
const char* const kPen = "automixNormalPen";
const char* const kMarker = "automixNormalMarker";
const char* const kFont = "automixNormalFontSize";

QFont scaled(const QFont& f, double by) {
    QFont g = f;
    if (f.pointSizeF() > 0) g.setPointSizeF(f.pointSizeF() * by);
    else if (f.pixelSize() > 0) g.setPixelSize(static_cast<int>(f.pixelSize() * by));
    return g;
}

void scaleFont(QObject* holder, const QFont& current, double by, const std::function<void(const QFont&)>& set) {
    if (!holder->property(kFont).isValid()) holder->setProperty(kFont, current);
    const QFont normal = holder->property(kFont).value<QFont>();
    set(by == 1.0 ? normal : scaled(normal, by));
}

void styleChart(QChart* chart, bool on) {
    const double font = on ? PresentationMode::kFontScale : 1.0;
    scaleFont(chart, chart->titleFont(), font, [chart](const QFont& f) { chart->setTitleFont(f); });
    if (chart->legend())
        scaleFont(chart->legend(), chart->legend()->font(), font, [chart](const QFont& f) { chart->legend()->setFont(f); });
    for (QAbstractAxis* axis : chart->axes()) {
        scaleFont(axis, axis->labelsFont(), font, [axis](const QFont& f) {
            axis->setLabelsFont(f);
            QFont t = f;
            t.setBold(true);
            axis->setTitleFont(t);
        });
        QPen grid = axis->gridLinePen();
        grid.setWidthF(on ? 1.5 : 1.0);
        axis->setGridLinePen(grid);
    }
    for (QAbstractSeries* s : chart->series()) {
        auto* xy = qobject_cast<QXYSeries*>(s);
        if (!xy) continue;
        if (auto* scatter = qobject_cast<QScatterSeries*>(xy)) {
            if (!scatter->property(kMarker).isValid()) scatter->setProperty(kMarker, scatter->markerSize());
            const double normal = scatter->property(kMarker).toDouble();
            scatter->setMarkerSize(on ? normal * 1.6 : normal);
            continue;
        }
        QPen pen = xy->pen();
        if (!xy->property(kPen).isValid()) xy->setProperty(kPen, pen.widthF());
        const double normal = std::max(1.0, xy->property(kPen).toDouble());
        pen.setWidthF(on ? normal * PresentationMode::kLineScale : xy->property(kPen).toDouble());
        xy->setPen(pen);
    }
}

QPalette highContrast() {
    QPalette p;
    const QColor ink(Qt::black), paper(Qt::white);
    for (auto group : {QPalette::Active, QPalette::Inactive}) {
        p.setColor(group, QPalette::Window, paper);
        p.setColor(group, QPalette::WindowText, ink);
        p.setColor(group, QPalette::Base, paper);
        p.setColor(group, QPalette::AlternateBase, QColor(0xe8, 0xe8, 0xe8));
        p.setColor(group, QPalette::Text, ink);
        p.setColor(group, QPalette::Button, QColor(0xf0, 0xf0, 0xf0));
        p.setColor(group, QPalette::ButtonText, ink);
        p.setColor(group, QPalette::Highlight, QColor(0x00, 0x3c, 0xb4));
        p.setColor(group, QPalette::HighlightedText, paper);
        p.setColor(group, QPalette::ToolTipBase, QColor(0xff, 0xff, 0xdc));
        p.setColor(group, QPalette::ToolTipText, ink);
        p.setColor(group, QPalette::Link, QColor(0x00, 0x3c, 0xb4));
        p.setColor(group, QPalette::PlaceholderText, QColor(0x40, 0x40, 0x40));
    }
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x60, 0x60, 0x60));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x60, 0x60, 0x60));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x60, 0x60, 0x60));
    return p;
}

}  // namespace

PresentationMode::PresentationMode(PanelHost* window)
    : QObject(window->hostWidget()), window_(window), action_(new QAction(tr("&Presentation Mode"), window->hostWidget())),
      restyle_(new QTimer(this)) {
    setObjectName(QStringLiteral("presentationMode"));
    action_->setObjectName(QStringLiteral("presentationAction"));
    action_->setCheckable(true);
    action_->setShortcut(QKeySequence(Qt::Key_F11));
    action_->setToolTip(tr("Larger fonts, thicker lines, high contrast: for a projector (F11)"));
    connect(action_, &QAction::toggled, this, &PresentationMode::setOn);
    restyle_->setSingleShot(true);
    restyle_->setInterval(0);
    connect(restyle_, &QTimer::timeout, this, &PresentationMode::styleCharts);
    // Charts rebuild their series on new data: style them again afterwards. Only while the mode
    // is on: charts are built in the normal style, and setting even the same fonts and pens makes
    // every chart lay itself out again (~16 ms after each slider step on a million-row file).
    const auto restyle = [this] {
        if (on_) restyle_->start();
    };
    connect(window->routingState(), &RoutingState::changed, this, restyle);
    connect(window->bottomTabs(), &QTabWidget::currentChanged, this, restyle);
}

void PresentationMode::setOn(bool on) {
    if (on == on_) return;
    if (action_->isChecked() != on) action_->setChecked(on);
    on_ = on;
    if (on) {
        normalFont_ = QApplication::font();
        normalPalette_ = QApplication::palette();
        QApplication::setFont(scaled(normalFont_, kFontScale));
        QApplication::setPalette(highContrast());
    } else {
        QApplication::setFont(normalFont_);
        QApplication::setPalette(normalPalette_);
    }
    // Fixed row heights follow the font.
    for (QTableView* t : window_->hostWidget()->findChildren<QTableView*>())
        t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 6);
    styleCharts();
}

void PresentationMode::styleCharts() {
    for (QChartView* v : window_->hostWidget()->findChildren<QChartView*>())
        if (v->chart()) styleChart(v->chart(), on_);
}

PresentationMode* installPresentationMode(PanelHost* window) {
    auto* mode = new PresentationMode(window);
    window->menu(WindowMenu::View)->addSeparator();
    window->menu(WindowMenu::View)->addAction(mode->action());
    return mode;
}

}  // namespace automix::ui

// SPDX-License-Identifier: Apache-2.0
#include "heat_map_widget.h"

#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace aldis::heatmap {

namespace {

// A channel without subscribers still gets a tile, a quarter of a one-subscriber tile,
// so that busy channels nobody listens to stay visible.
constexpr double kEmptyChannelWeight = 0.25;
constexpr double kPadding = 4.0;

double weightOf(const ChannelTile& tile) {
    return tile.subscribers > 0 ? static_cast<double>(tile.subscribers) : kEmptyChannelWeight;
}

} // namespace

namespace detail {

namespace {
// The worst aspect ratio of a row of areas laid along a side of length `side`.
double worstRatio(double sum, double smallest, double largest, double side) {
    const double side2 = side * side;
    const double sum2 = sum * sum;
    return std::max(side2 * largest / sum2, sum2 / (side2 * smallest));
}
} // namespace

QList<QRectF> squarify(const QList<double>& weights, const QRectF& bounds) {
    QList<QRectF> out;
    out.reserve(weights.size());
    double total = 0.0;
    for (double w : weights)
        total += w;
    if (weights.isEmpty() || total <= 0.0 || bounds.width() <= 0.0 || bounds.height() <= 0.0)
        return QList<QRectF>(weights.size(), QRectF());

    const double scale = bounds.width() * bounds.height() / total;
    QRectF free = bounds;
    qsizetype i = 0;
    while (i < weights.size()) {
        const double side = std::min(free.width(), free.height());
        // Grow the row while that does not make its worst tile less square.
        double sum = weights[i] * scale;
        double smallest = sum;
        const double largest = sum;
        qsizetype end = i + 1;
        while (end < weights.size()) {
            const double next = weights[end] * scale;
            if (worstRatio(sum + next, std::min(smallest, next), largest, side)
                > worstRatio(sum, smallest, largest, side))
                break;
            sum += next;
            smallest = std::min(smallest, next);
            ++end;
        }
        if (end == weights.size())
            sum = free.width() * free.height();   // absorb rounding: the last row fills the rest
        // Lay the row along the shorter side and cut it off the free space.
        if (free.width() >= free.height()) {
            const double thickness = sum / free.height();
            double y = free.top();
            for (qsizetype k = i; k < end; ++k) {
                const double h = k + 1 == end ? free.bottom() - y : weights[k] * scale / thickness;
                out.append(QRectF(free.left(), y, thickness, h));
                y += h;
            }
            free.setLeft(free.left() + thickness);
        } else {
            const double thickness = sum / free.width();
            double x = free.left();
            for (qsizetype k = i; k < end; ++k) {
                const double w = k + 1 == end ? free.right() - x : weights[k] * scale / thickness;
                out.append(QRectF(x, free.top(), w, thickness));
                x += w;
            }
            free.setTop(free.top() + thickness);
        }
        i = end;
    }
    return out;
}

} // namespace detail

HeatMapWidget::HeatMapWidget(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

QSize HeatMapWidget::sizeHint() const {
    return {360, 240};
}

QSize HeatMapWidget::minimumSizeHint() const {
    return {120, 80};
}

void HeatMapWidget::setChannels(QList<ChannelTile> channels, bool showNodes) {
    std::stable_sort(channels.begin(), channels.end(), [](const ChannelTile& a, const ChannelTile& b) {
        return weightOf(a) > weightOf(b);
    });
    m_channels = std::move(channels);
    m_showNodes = showNodes;
    m_maxRate = 0.0;
    for (const ChannelTile& tile : std::as_const(m_channels))
        m_maxRate = std::max(m_maxRate, tile.ratePerSecond);
    layoutTiles();
    update();
}

void HeatMapWidget::setMessage(const QString& message) {
    if (message == m_message)
        return;
    m_message = message;
    update();
}

void HeatMapWidget::layoutTiles() {
    QList<double> weights;
    weights.reserve(m_channels.size());
    for (const ChannelTile& tile : std::as_const(m_channels))
        weights.append(weightOf(tile));
    m_rects = detail::squarify(weights, QRectF(rect()));
}

void HeatMapWidget::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    layoutTiles();
}

QColor HeatMapWidget::heat(double ratePerSecond) const {
    // Log scale against the busiest channel shown: one channel at 5000/s must not
    // paint every other channel the same cold blue.
    const double t = m_maxRate > 0.0 ? std::log1p(std::max(ratePerSecond, 0.0)) / std::log1p(m_maxRate) : 0.0;
    const double hue = (1.0 - t) * 220.0 / 360.0;   // blue -> cyan -> yellow -> red
    return QColor::fromHsvF(static_cast<float>(hue), static_cast<float>(0.25 + 0.6 * t),
                            static_cast<float>(0.55 + 0.4 * t));
}

void HeatMapWidget::paintEvent(QPaintEvent* /*event*/) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());

    if (m_channels.isEmpty()) {
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, m_message);
        return;
    }

    const QLocale locale;
    QFont bold = font();
    bold.setBold(true);
    const QFontMetricsF boldMetrics(bold);
    const QFontMetricsF metrics(font());
    for (qsizetype i = 0; i < m_channels.size() && i < m_rects.size(); ++i) {
        const ChannelTile& tile = m_channels.at(i);
        const QRectF box = m_rects.at(i).adjusted(1.0, 1.0, -1.0, -1.0);
        if (box.width() <= 0.0 || box.height() <= 0.0)
            continue;
        const QColor fill = heat(tile.ratePerSecond);
        painter.fillRect(box, fill);
        painter.setPen(qGray(fill.rgb()) > 140 ? Qt::black : Qt::white);

        // Write as many lines as fit: name, rate, node.
        const QRectF text = box.adjusted(kPadding, kPadding, -kPadding, -kPadding);
        if (text.width() < 24.0 || text.height() < boldMetrics.height())
            continue;
        double y = text.top();
        painter.setFont(bold);
        painter.drawText(QRectF(text.left(), y, text.width(), boldMetrics.height()), Qt::AlignLeft,
                         boldMetrics.elidedText(tile.name, Qt::ElideMiddle, text.width()));
        y += boldMetrics.height();
        painter.setFont(font());
        QStringList lines{tr("%1/s").arg(locale.toString(tile.ratePerSecond, 'f', 1))};
        if (m_showNodes)
            lines << tile.node;
        for (const QString& line : std::as_const(lines)) {
            if (y + metrics.height() > text.bottom())
                break;
            painter.drawText(QRectF(text.left(), y, text.width(), metrics.height()), Qt::AlignLeft,
                             metrics.elidedText(line, Qt::ElideRight, text.width()));
            y += metrics.height();
        }
    }
}

QString HeatMapWidget::toolTipFor(const ChannelTile& tile) const {
    const QLocale locale;
    return tr("<b>%1</b><br>node %2, namespace %3, %4<br>%5 subscribers<br>%6 publications/s<br>"
              "%7 publications since loaded, last offset %8")
        .arg(tile.name.toHtmlEscaped(), tile.node.toHtmlEscaped(), tile.channelNamespace.toHtmlEscaped(),
             tile.durable ? tr("durable") : tr("in memory"), locale.toString(tile.subscribers),
             locale.toString(tile.ratePerSecond, 'f', 1), locale.toString(tile.publications),
             locale.toString(tile.lastOffset));
}

bool HeatMapWidget::event(QEvent* event) {
    if (event->type() != QEvent::ToolTip)
        return QWidget::event(event);
    const auto* help = static_cast<QHelpEvent*>(event);
    for (qsizetype i = 0; i < m_channels.size() && i < m_rects.size(); ++i) {
        if (m_rects.at(i).contains(help->pos())) {
            QToolTip::showText(help->globalPos(), toolTipFor(m_channels.at(i)), this,
                               m_rects.at(i).toAlignedRect());
            return true;
        }
    }
    QToolTip::hideText();
    event->ignore();
    return true;
}

} // namespace aldis::heatmap

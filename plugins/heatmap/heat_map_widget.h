// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QRectF>
#include <QString>
#include <QWidget>

namespace aldis::heatmap {

// One channel of one node, as GET /v1/admin/channels reports it.
struct ChannelTile {
    QString node;
    QString name;
    QString channelNamespace;
    bool durable = false;
    qint64 subscribers = 0;
    double ratePerSecond = 0.0;
    qint64 publications = 0;
    qint64 lastOffset = 0;
};

// Paints channels as a treemap: one tile per channel, its area proportional to the
// subscribers, its colour from cold blue (idle) to red (the busiest channel shown),
// the name and rate written in the tile when it is big enough, details in a tooltip.
// Without channels it shows a message instead. GUI thread; owned by its parent.
//
// tileCount and message are properties so that tests can look inside without
// including this header.
class HeatMapWidget : public QWidget {
    Q_OBJECT
    Q_PROPERTY(int tileCount READ tileCount)
    Q_PROPERTY(QString message READ message)

public:
    explicit HeatMapWidget(QWidget* parent = nullptr);

    // Replaces the channels; `showNodes` writes the node id in each tile (more than
    // one node watched).
    void setChannels(QList<ChannelTile> channels, bool showNodes);
    // The text shown while there are no channels.
    void setMessage(const QString& message);

    int tileCount() const { return static_cast<int>(m_channels.size()); }
    QString message() const { return m_message; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    bool event(QEvent* event) override;

private:
    void layoutTiles();
    QColor heat(double ratePerSecond) const;
    QString toolTipFor(const ChannelTile& tile) const;

    QList<ChannelTile> m_channels;   // largest first, the order the layout needs
    QList<QRectF> m_rects;           // m_rects[i] is the tile of m_channels[i]
    double m_maxRate = 0.0;
    bool m_showNodes = false;
    QString m_message;
};

namespace detail {
// Squarified treemap (Bruls, Huizing, van Wijk 2000): splits `bounds` into one
// rectangle per weight, areas proportional to the weights, as close to square as the
// greedy row layout gets. `weights` must be positive and sorted largest first.
QList<QRectF> squarify(const QList<double>& weights, const QRectF& bounds);
} // namespace detail

} // namespace aldis::heatmap

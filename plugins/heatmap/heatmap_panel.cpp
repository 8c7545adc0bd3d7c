// SPDX-License-Identifier: Apache-2.0
#include "heatmap_panel.h"

#include "heat_map_widget.h"

#include <aldis/panel_plugin.h>

#include <QJsonArray>
#include <QLabel>
#include <QPointer>
#include <QVBoxLayout>

namespace aldis::heatmap {

HeatmapPanel::HeatmapPanel(aldis::plugin::PanelContext* context, QWidget* parent)
    : QWidget(parent), m_context(context), m_status(new QLabel(this)), m_map(new HeatMapWidget(this)) {
    m_status->setObjectName(QStringLiteral("heatMapStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);   // node messages are not markup
    m_map->setObjectName(QStringLiteral("heatMap"));
    m_map->setMessage(tr("Waiting for the first answer of the nodes…"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_status);
    layout->addWidget(m_map, 1);

    m_timer.setInterval(kRefreshMs);
    connect(&m_timer, &QTimer::timeout, this, &HeatmapPanel::refresh);
    m_timer.start();
}

void HeatmapPanel::detach() {
    m_timer.stop();
    m_context = nullptr;
    m_inFlight.clear();
    m_status->setText(tr("The control room is shutting down."));
}

void HeatmapPanel::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    refresh();   // do not leave a dock that was just brought forward stale for 2 s
}

void HeatmapPanel::refresh() {
    // A hidden dock (closed, or a tab behind another) costs the nodes nothing.
    if (m_context == nullptr || !isVisible())
        return;
    m_nodes = m_context->nodeIds();
    for (auto it = m_answers.begin(); it != m_answers.end();) {
        if (m_nodes.contains(it.key()))
            ++it;
        else
            it = m_answers.erase(it);
    }
    if (m_nodes.isEmpty()) {
        publish();
        return;
    }

    ++m_round;
    const QString path = QStringLiteral("/v1/admin/channels?limit=%1").arg(kChannelLimit);
    for (const QString& nodeId : std::as_const(m_nodes)) {
        if (m_inFlight.contains(nodeId))
            continue;
        m_inFlight.insert(nodeId);
        // The context may answer after this panel is gone: hold it by QPointer.
        m_context->get(nodeId, path, [self = QPointer<HeatmapPanel>(this), round = m_round,
                                      nodeId](const QJsonObject& answer) {
            if (self)
                self->takeAnswer(round, nodeId, answer);
        });
    }
}

void HeatmapPanel::takeAnswer(quint64 round, const QString& nodeId, const QJsonObject& answer) {
    m_inFlight.remove(nodeId);
    if (m_context == nullptr || !m_nodes.contains(nodeId))
        return;
    Answer& latest = m_answers[nodeId];
    if (round < latest.round)
        return;   // superseded by a newer answer already shown
    latest = Answer{round, answer};
    publish();
}

void HeatmapPanel::publish() {
    if (m_nodes.isEmpty()) {
        m_map->setChannels({}, false);
        m_map->setMessage(tr("No node is watched. Connect the control room to a node to see its channels."));
        m_status->clear();
        return;
    }

    QList<ChannelTile> tiles;
    QStringList problems;
    int answered = 0;
    for (const QString& nodeId : std::as_const(m_nodes)) {
        const auto found = m_answers.constFind(nodeId);
        if (found == m_answers.constEnd())
            continue;
        ++answered;
        const QJsonObject& json = found->json;
        if (json.contains(QStringLiteral("error"))) {
            const QJsonObject error = json.value(QStringLiteral("error")).toObject();
            QString message = error.value(QStringLiteral("message")).toString();
            if (message.isEmpty())
                message = error.value(QStringLiteral("code")).toString();
            if (message.isEmpty())
                message = tr("unknown error");
            problems << tr("%1: %2").arg(nodeId, message);
            continue;
        }
        const QJsonValue channels = json.value(QStringLiteral("channels"));
        if (!channels.isArray()) {
            problems << tr("%1: the answer has no channel list; is the node running a matching version "
                           "of Aldis?")
                            .arg(nodeId);
            continue;
        }
        const QJsonArray list = channels.toArray();
        for (const QJsonValue& value : list) {
            const QJsonObject channel = value.toObject();
            ChannelTile tile;
            tile.node = nodeId;
            tile.name = channel.value(QStringLiteral("name")).toString();
            if (tile.name.isEmpty())
                continue;
            tile.channelNamespace = channel.value(QStringLiteral("namespace")).toString();
            tile.durable = channel.value(QStringLiteral("durable")).toBool();
            tile.subscribers = channel.value(QStringLiteral("subscribers")).toInteger();
            tile.ratePerSecond = channel.value(QStringLiteral("rate_per_s")).toDouble();
            tile.publications = channel.value(QStringLiteral("publications")).toInteger();
            tile.lastOffset = channel.value(QStringLiteral("last_offset")).toInteger();
            tiles.append(tile);
        }
    }

    const int channelCount = static_cast<int>(tiles.size());
    m_map->setChannels(std::move(tiles), m_nodes.size() > 1);
    if (answered == 0)
        m_map->setMessage(tr("Waiting for the first answer of the nodes…"));
    else if (!problems.isEmpty() && channelCount == 0)
        m_map->setMessage(tr("No channels to show: the nodes did not answer."));
    else
        m_map->setMessage(tr("No channels yet. A channel appears here once a client subscribes or "
                             "publishes to it."));

    QString status = tr("Nodes: %1, channels: %2. Area: subscribers, colour: publications per second.")
                         .arg(m_nodes.size())
                         .arg(channelCount);
    if (!problems.isEmpty())
        status = problems.join(QLatin1Char('\n')) + QLatin1Char('\n') + status;
    m_status->setText(status);
}

} // namespace aldis::heatmap

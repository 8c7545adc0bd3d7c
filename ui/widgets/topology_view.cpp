// SPDX-License-Identifier: Apache-2.0
#include "ui/widgets/topology_view.h"

#include <QDateTime>
#include <QEvent>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QJsonArray>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPen>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace aldis::ui {

namespace {

constexpr double kTileWidth = 180;
constexpr double kTileHeight = 84;
constexpr double kPadding = 16;
constexpr double kTitleHeight = 34;
constexpr int kNodesPerRow = 3;
constexpr double kRegionGap = 170;
constexpr int kRegionsPerRow = 3;
constexpr int kItemKey = 0;

Health healthFromState(const QString& state)
{
    if (state == QLatin1String("serving"))
        return Health::Serving;
    if (state == QLatin1String("draining") || state == QLatin1String("drained"))
        return Health::Warning;
    return Health::Down;
}

TopologyRegion& regionRef(QList<TopologyRegion>& regions, const QString& name)
{
    for (TopologyRegion& region : regions)
        if (region.name == name)
            return region;
    regions.append(TopologyRegion{name, false, {}, {}});
    return regions.last();
}

QString watchedDetails(const NodeStatus& status, const QString& id, const QString& region, Health health)
{
    const QLocale locale;
    const QJsonObject& stats = status.stats;
    const QJsonObject rates = stats.value(QLatin1String("rates")).toObject();
    const QJsonObject latency = stats.value(QLatin1String("latency")).toObject();
    const QString state = stats.value(QLatin1String("state")).toString(status.node.value(QLatin1String("state")).toString());
    QStringList lines;
    lines << TopologyView::tr("Node %1 in region %2").arg(id, region);
    lines << TopologyView::tr("State: %1, health: %2").arg(state.isEmpty() ? TopologyView::tr("unknown") : state,
                                                           healthLabel(health));
    lines << TopologyView::tr("Admin API: %1").arg(status.adminUrl);
    if (!status.problem.isEmpty())
        lines << TopologyView::tr("Not connected: %1").arg(status.problem);
    if (!status.node.isEmpty())
        lines << TopologyView::tr("Version %1, client listener %2")
                     .arg(status.node.value(QLatin1String("version")).toString(),
                          status.node.value(QLatin1String("client_listener")).toString());
    if (!stats.isEmpty()) {
        lines << TopologyView::tr("Connections: %1, channels: %2, subscriptions: %3")
                     .arg(locale.toString(stats.value(QLatin1String("connections")).toInteger()),
                          locale.toString(stats.value(QLatin1String("channels")).toInteger()),
                          locale.toString(stats.value(QLatin1String("subscriptions")).toInteger()));
        lines << TopologyView::tr("Publications/s: %1, deliveries/s: %2")
                     .arg(locale.toString(rates.value(QLatin1String("publications_per_s")).toDouble(), 'f', 1),
                          locale.toString(rates.value(QLatin1String("deliveries_per_s")).toDouble(), 'f', 1));
        lines << TopologyView::tr("Latency P50 / P95 / P99: %1 / %2 / %3 ms")
                     .arg(locale.toString(latency.value(QLatin1String("p50_ms")).toDouble(), 'f', 2),
                          locale.toString(latency.value(QLatin1String("p95_ms")).toDouble(), 'f', 2),
                          locale.toString(latency.value(QLatin1String("p99_ms")).toDouble(), 'f', 2));
        const QJsonArray alerts = stats.value(QLatin1String("alerts")).toArray();
        for (const QJsonValue& alert : alerts)
            lines << TopologyView::tr("Alert: %1").arg(alert.toObject().value(QLatin1String("message")).toString());
    }
    if (status.lastSeenMs > 0)
        lines << TopologyView::tr("Last stats: %1")
                     .arg(QDateTime::fromMSecsSinceEpoch(status.lastSeenMs).toString(QStringLiteral("HH:mm:ss")));
    else
        lines << TopologyView::tr("No stats received yet");
    return lines.join(QLatin1Char('\n'));
}

// Where the segment from the centre of `rect` towards `outside` leaves the rect.
QPointF exitPoint(const QRectF& rect, const QPointF& outside)
{
    const QLineF line(rect.center(), outside);
    const QLineF edges[4] = {QLineF(rect.topLeft(), rect.topRight()), QLineF(rect.topRight(), rect.bottomRight()),
                             QLineF(rect.bottomRight(), rect.bottomLeft()), QLineF(rect.bottomLeft(), rect.topLeft())};
    for (const QLineF& edge : edges) {
        QPointF hit;
        if (line.intersects(edge, &hit) == QLineF::BoundedIntersection)
            return hit;
    }
    return rect.center();
}

} // namespace

TopologyView::TopologyView(QWidget* parent)
    : QWidget(parent), m_view(new QGraphicsView(this)), m_scene(new QGraphicsScene(this)),
      m_details(new QLabel(this))
{
    m_view->setScene(m_scene);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setBackgroundBrush(palette().base());
    m_view->viewport()->installEventFilter(this);
    m_details->setObjectName(QStringLiteral("topologyDetails"));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_details->setMargin(8);
    m_details->setText(tr("Click a node or a region for details."));
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
}

TopologySnapshot TopologyView::build(const QList<NodeStatus>& watched, const QList<QJsonObject>& topologies)
{
    TopologySnapshot snapshot;
    for (const QJsonObject& topology : topologies) {
        for (const QJsonValue& regionValue : topology.value(QLatin1String("regions")).toArray()) {
            const QJsonObject r = regionValue.toObject();
            TopologyRegion& region = regionRef(snapshot.regions, r.value(QLatin1String("name")).toString());
            region.fenced = region.fenced || r.value(QLatin1String("fenced")).toBool();
            for (const QJsonValue& ns : r.value(QLatin1String("home_of")).toArray())
                if (!region.homeOf.contains(ns.toString()))
                    region.homeOf.append(ns.toString());
            for (const QJsonValue& nodeValue : r.value(QLatin1String("nodes")).toArray()) {
                const QJsonObject n = nodeValue.toObject();
                const QString id = n.value(QLatin1String("id")).toString();
                const bool known = std::any_of(region.nodes.cbegin(), region.nodes.cend(),
                                               [&](const TopologyNode& node) { return node.id == id; });
                if (known)
                    continue;
                TopologyNode node;
                node.id = id;
                node.state = n.value(QLatin1String("state")).toString();
                node.health = healthFromState(node.state);
                const qint64 lastSeen = n.value(QLatin1String("last_seen")).toInteger();
                node.details = tr("Node %1 in region %2 (not watched by this control room)\nState: %3\n"
                                  "Admin API: %4\nLast seen by the cluster: %5")
                                   .arg(id, region.name, node.state, n.value(QLatin1String("admin")).toString(),
                                        lastSeen > 0 ? QDateTime::fromMSecsSinceEpoch(lastSeen).toString(
                                                           QStringLiteral("HH:mm:ss"))
                                                     : tr("never"));
                region.nodes.append(node);
            }
        }
        for (const QJsonValue& linkValue : topology.value(QLatin1String("links")).toArray()) {
            const QJsonObject l = linkValue.toObject();
            TopologyLink link{l.value(QLatin1String("from")).toString(), l.value(QLatin1String("to")).toString(),
                              l.value(QLatin1String("kind")).toString(), l.value(QLatin1String("state")).toString(),
                              l.value(QLatin1String("rate_per_s")).toDouble(),
                              l.value(QLatin1String("lag")).toInteger()};
            auto same = std::find_if(snapshot.links.begin(), snapshot.links.end(), [&](const TopologyLink& other) {
                return other.from == link.from && other.to == link.to && other.kind == link.kind;
            });
            if (same == snapshot.links.end())
                snapshot.links.append(link);
            else
                *same = link;
        }
    }
    for (const NodeStatus& status : watched) {
        const QString id = status.node.value(QLatin1String("id")).toString(status.key);
        QString regionName = status.stats.value(QLatin1String("region")).toString(
            status.node.value(QLatin1String("region")).toString());
        if (regionName.isEmpty())
            regionName = tr("unreachable");
        for (TopologyRegion& region : snapshot.regions)
            region.nodes.removeIf([&](const TopologyNode& node) { return node.id == id; });
        TopologyRegion& region = regionRef(snapshot.regions, regionName);
        TopologyNode node;
        node.id = id;
        node.state = status.stats.value(QLatin1String("state")).toString(status.node.value(QLatin1String("state")).toString());
        node.health = NodesModel::healthFor(status);
        node.watched = true;
        if (!status.stats.isEmpty()) {
            node.connections = status.stats.value(QLatin1String("connections")).toInteger();
            node.deliveriesPerS = status.stats.value(QLatin1String("rates")).toObject()
                                      .value(QLatin1String("deliveries_per_s")).toDouble();
        }
        node.details = watchedDetails(status, id, regionName, node.health);
        region.nodes.append(node);
    }
    // Regions the topology named but whose nodes all moved away stay (they may be
    // empty and fenced); sort nodes for a stable picture.
    for (TopologyRegion& region : snapshot.regions)
        std::sort(region.nodes.begin(), region.nodes.end(),
                  [](const TopologyNode& a, const TopologyNode& b) { return a.id < b.id; });
    return snapshot;
}

void TopologyView::setSnapshot(const TopologySnapshot& snapshot)
{
    if (snapshot == m_snapshot && !m_scene->items().isEmpty())
        return;
    m_snapshot = snapshot;
    rebuild();
}

QStringList TopologyView::nodeIds() const
{
    QStringList ids;
    for (const TopologyRegion& region : m_snapshot.regions)
        for (const TopologyNode& node : region.nodes)
            ids.append(node.id);
    return ids;
}

QStringList TopologyView::regionNames() const
{
    QStringList names;
    for (const TopologyRegion& region : m_snapshot.regions)
        names.append(region.name);
    return names;
}

std::optional<Health> TopologyView::nodeHealth(const QString& id) const
{
    for (const TopologyRegion& region : m_snapshot.regions)
        for (const TopologyNode& node : region.nodes)
            if (node.id == id)
                return node.health;
    return std::nullopt;
}

QString TopologyView::detailsText() const
{
    return m_details->text();
}

void TopologyView::setFontScale(double scale)
{
    m_fontScale = scale;
    rebuild();
}

void TopologyView::selectNode(const QString& id)
{
    m_selected = QStringLiteral("node:") + id;
    rebuild();
    emit nodeClicked(id);
}

void TopologyView::rebuild()
{
    m_scene->clear();
    const QPalette pal = palette();
    QFont base = font();
    if (base.pointSizeF() > 0)
        base.setPointSizeF(base.pointSizeF() * m_fontScale);
    QFont bold = base;
    bold.setBold(true);
    QFont title = bold;
    if (title.pointSizeF() > 0)
        title.setPointSizeF(title.pointSizeF() * 1.2);
    const double tileW = kTileWidth * m_fontScale;
    const double tileH = kTileHeight * m_fontScale;

    if (m_snapshot.regions.isEmpty()) {
        auto* text = m_scene->addSimpleText(tr("No node yet: waiting for the first answer."), title);
        text->setBrush(pal.text());
        fit();
        return;
    }

    QHash<QString, QRectF> regionRects;
    double x = 0;
    double y = 0;
    double rowHeight = 0;
    int column = 0;
    QString selectedDetails;
    for (const TopologyRegion& region : m_snapshot.regions) {
        const int count = std::max<int>(1, int(region.nodes.size()));
        const int columns = std::min(count, kNodesPerRow);
        const int rows = (count + kNodesPerRow - 1) / kNodesPerRow;
        const double width = kPadding + columns * (tileW + kPadding);
        const double height = kTitleHeight * m_fontScale + rows * (tileH + kPadding) + kPadding;
        const QRectF rect(x, y, width, height);
        regionRects.insert(region.name, rect);

        const QString regionKey = QStringLiteral("region:") + region.name;
        auto* box = m_scene->addRect(rect);
        QPen border(region.fenced ? healthColor(Health::Down) : pal.color(QPalette::Light));
        border.setWidthF(m_selected == regionKey ? 3 : 1.5);
        if (region.fenced)
            border.setStyle(Qt::DashLine);
        box->setPen(border);
        box->setBrush(pal.window());
        box->setZValue(1);
        box->setData(kItemKey, regionKey);
        const QString homeOf = region.homeOf.isEmpty() ? tr("none") : region.homeOf.join(QStringLiteral(", "));
        const QString regionDetails = region.fenced
            ? tr("Region %1 (fenced): home of %2, %n node(s)", "", int(region.nodes.size())).arg(region.name, homeOf)
            : tr("Region %1: home of %2, %n node(s)", "", int(region.nodes.size())).arg(region.name, homeOf);
        box->setToolTip(regionDetails);
        if (m_selected == regionKey)
            selectedDetails = regionDetails;
        auto* label = m_scene->addSimpleText(region.fenced ? tr("%1 (fenced)").arg(region.name) : region.name, title);
        label->setBrush(region.fenced ? QBrush(healthColor(Health::Down)) : pal.text());
        label->setPos(x + kPadding, y + 6 * m_fontScale);
        label->setZValue(2);
        label->setData(kItemKey, regionKey);

        for (int i = 0; i < region.nodes.size(); ++i) {
            const TopologyNode& node = region.nodes.at(i);
            const QString nodeKey = QStringLiteral("node:") + node.id;
            const double nx = x + kPadding + (i % kNodesPerRow) * (tileW + kPadding);
            const double ny = y + kTitleHeight * m_fontScale + (i / kNodesPerRow) * (tileH + kPadding);
            const QColor colour = healthColor(node.health);
            auto* tile = m_scene->addRect(QRectF(nx, ny, tileW, tileH));
            QColor fill = colour;
            fill.setAlpha(60);
            tile->setBrush(fill);
            QPen pen(m_selected == nodeKey ? pal.color(QPalette::HighlightedText) : colour);
            pen.setWidthF(m_selected == nodeKey ? 4 : 2.5);
            if (!node.watched)
                pen.setStyle(Qt::DotLine);
            tile->setPen(pen);
            tile->setZValue(3);
            tile->setData(kItemKey, nodeKey);
            tile->setToolTip(node.details);
            if (m_selected == nodeKey)
                selectedDetails = node.details;
            auto* name = new QGraphicsSimpleTextItem(node.id, tile);
            name->setFont(bold);
            name->setBrush(pal.text());
            name->setPos(nx + 8, ny + 6);
            name->setData(kItemKey, nodeKey);
            // "Serving" alone when health and state say the same; "Warning, draining"
            // when the state explains the colour.
            QString line2 = node.state == healthKey(node.health)
                                ? healthLabel(node.health)
                                : tr("%1, %2").arg(healthLabel(node.health),
                                                   node.state.isEmpty() ? tr("unknown") : node.state);
            auto* state = new QGraphicsSimpleTextItem(line2, tile);
            state->setFont(base);
            state->setBrush(colour);
            state->setPos(nx + 8, ny + 6 + tileH * 0.32);
            state->setData(kItemKey, nodeKey);
            if (node.connections >= 0) {
                const QLocale locale;
                auto* numbers = new QGraphicsSimpleTextItem(
                    tr("%1 conn, %2 del/s")
                        .arg(locale.toString(node.connections), locale.toString(node.deliveriesPerS, 'f', 0)),
                    tile);
                numbers->setFont(base);
                numbers->setBrush(pal.text());
                numbers->setPos(nx + 8, ny + 6 + tileH * 0.62);
                numbers->setData(kItemKey, nodeKey);
            }
        }

        rowHeight = std::max(rowHeight, height);
        if (++column == kRegionsPerRow) {
            column = 0;
            x = 0;
            y += rowHeight + kRegionGap * 0.6;
            rowHeight = 0;
        } else {
            x += width + kRegionGap;
        }
    }

    const QLocale locale;
    for (const TopologyLink& link : m_snapshot.links) {
        if (!regionRects.contains(link.from) || !regionRects.contains(link.to))
            continue;
        const QPointF a = regionRects.value(link.from).center();
        const QPointF b = regionRects.value(link.to).center();
        const bool running = link.state == QLatin1String("running");
        QPen pen(running ? pal.color(QPalette::Link) : healthColor(Health::Warning));
        pen.setWidthF(2.5);
        if (!running)
            pen.setStyle(Qt::DashLine);
        auto* line = m_scene->addLine(QLineF(a, b), pen);
        line->setZValue(0);
        auto* label = m_scene->addSimpleText(
            tr("%1 %2\n%3/s, lag %4")
                .arg(link.kind, link.state, locale.toString(link.ratePerS, 'f', 1), locale.toString(link.lag)),
            base);
        label->setBrush(pal.text());
        // The label goes in the middle of the visible part, between the two boxes.
        const QPointF mid = (exitPoint(regionRects.value(link.from), b) + exitPoint(regionRects.value(link.to), a)) / 2;
        const QRectF bounds = label->boundingRect();
        label->setPos(mid.x() - bounds.width() / 2, mid.y() + 6);
        label->setZValue(4);
    }
    if (!selectedDetails.isEmpty())
        m_details->setText(selectedDetails);
    fit();
}

void TopologyView::fit()
{
    const QRectF bounds = m_scene->itemsBoundingRect().adjusted(-20, -20, 20, 20);
    m_scene->setSceneRect(bounds);
    const QSize viewport = m_view->viewport()->size();
    if (bounds.width() > viewport.width() || bounds.height() > viewport.height())
        m_view->fitInView(bounds, Qt::KeepAspectRatio);
    else
        m_view->resetTransform();
}

bool TopologyView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport()) {
        if (event->type() == QEvent::Resize) {
            fit();
        } else if (event->type() == QEvent::MouseButtonPress) {
            const auto* mouse = static_cast<QMouseEvent*>(event);
            QGraphicsItem* item = m_view->itemAt(mouse->position().toPoint());
            while (item && !item->data(kItemKey).isValid())
                item = item->parentItem();
            if (item) {
                const QString key = item->data(kItemKey).toString();
                m_selected = key;
                rebuild();
                if (key.startsWith(QLatin1String("node:")))
                    emit nodeClicked(key.mid(5));
                else
                    emit regionClicked(key.mid(7));
                return true;
            }
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace aldis::ui

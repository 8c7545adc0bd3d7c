// SPDX-License-Identifier: Apache-2.0
#include "ui/models/nodes_model.h"

#include <QBrush>

namespace aldis::ui {

namespace {

const char* const kContext = "aldis::ui::NodesModel";

Health healthFromKey(const QString& key)
{
    if (key == QLatin1String("serving"))
        return Health::Serving;
    if (key == QLatin1String("warning"))
        return Health::Warning;
    if (key == QLatin1String("stale"))
        return Health::Stale;
    return Health::Down;
}

} // namespace

NodesModel::NodesModel(QObject* parent)
    : JsonTableModel(kContext,
                     {
                         {"id", QT_TRANSLATE_NOOP("aldis::ui::NodesModel", "Node"), Format::Text},
                         {"region", QT_TRANSLATE_NOOP("aldis::ui::NodesModel", "Region"), Format::Text},
                         {"state", QT_TRANSLATE_NOOP("aldis::ui::NodesModel", "State"), Format::Text},
                         {"health", QT_TRANSLATE_NOOP("aldis::ui::NodesModel", "Health"), Format::Text},
                         {"connections", QT_TRANSLATE_NOOP("aldis::ui::NodesModel", "Connections"), Format::Integer},
                         {"publications_per_s", QT_TRANSLATE_NOOP("aldis::ui::NodesModel", "Publications/s"), Format::Rate},
                         {"deliveries_per_s", QT_TRANSLATE_NOOP("aldis::ui::NodesModel", "Deliveries/s"), Format::Rate},
                         {"p99_ms", QT_TRANSLATE_NOOP("aldis::ui::NodesModel", "P99"), Format::Millis},
                         {"last_seen", QT_TRANSLATE_NOOP("aldis::ui::NodesModel", "Last seen"), Format::Time},
                         {"admin", QT_TRANSLATE_NOOP("aldis::ui::NodesModel", "Admin API"), Format::Text},
                     },
                     {QStringLiteral("key")}, parent)
{
}

Health NodesModel::healthFor(const NodeStatus& status)
{
    HealthInput input;
    input.state = status.stats.value(QLatin1String("state")).toString(
        status.node.value(QLatin1String("state")).toString());
    input.stale = status.stale;
    input.connected = status.connected;
    input.nodeDown = status.nodeDown;
    input.activeAlerts = int(status.stats.value(QLatin1String("alerts")).toArray().size());
    return healthOf(input);
}

QJsonObject NodesModel::rowFor(const NodeStatus& status)
{
    const QJsonObject& stats = status.stats;
    const QJsonObject& node = status.node;
    const QJsonObject rates = stats.value(QLatin1String("rates")).toObject();
    QJsonObject row{
        {QStringLiteral("key"), status.key},
        {QStringLiteral("id"), node.value(QLatin1String("id")).toString(status.key)},
        {QStringLiteral("region"),
         stats.value(QLatin1String("region")).toString(node.value(QLatin1String("region")).toString())},
        {QStringLiteral("state"),
         stats.value(QLatin1String("state")).toString(node.value(QLatin1String("state")).toString())},
        {QStringLiteral("health"), healthKey(healthFor(status))},
        {QStringLiteral("admin"), status.adminUrl},
    };
    if (!stats.isEmpty()) {
        row.insert(QStringLiteral("connections"), stats.value(QLatin1String("connections")));
        row.insert(QStringLiteral("publications_per_s"), rates.value(QLatin1String("publications_per_s")));
        row.insert(QStringLiteral("deliveries_per_s"), rates.value(QLatin1String("deliveries_per_s")));
        row.insert(QStringLiteral("p99_ms"),
                   stats.value(QLatin1String("latency")).toObject().value(QLatin1String("p99_ms")));
    } else if (node.contains(QLatin1String("connections"))) {
        row.insert(QStringLiteral("connections"), node.value(QLatin1String("connections")));
    }
    if (status.lastSeenMs > 0)
        row.insert(QStringLiteral("last_seen"), double(status.lastSeenMs));
    if (!status.problem.isEmpty())
        row.insert(QStringLiteral("problem"), status.problem);
    return row;
}

void NodesModel::setNodes(const QList<NodeStatus>& nodes)
{
    QJsonArray rows;
    for (const NodeStatus& status : nodes)
        rows.append(rowFor(status));
    setRows(rows);
}

void NodesModel::updateNode(const NodeStatus& status)
{
    upsertRow(rowFor(status));
}

Health NodesModel::health(int row) const
{
    return healthFromKey(rowObject(row).value(QLatin1String("health")).toString());
}

QVariant NodesModel::cellData(const QJsonObject& row, int column, int role) const
{
    const bool healthColumn = QLatin1String(this->column(column).key) == QLatin1String("health");
    const Health health = healthFromKey(row.value(QLatin1String("health")).toString());
    if (role == HealthRole)
        return int(health);
    if (healthColumn && role == Qt::DisplayRole)
        return healthLabel(health);
    if (healthColumn && role == Qt::DecorationRole)
        return healthColor(health);
    if (healthColumn && role == Qt::ForegroundRole)
        return QBrush(healthColor(health));
    // Why a node is down (a refused token, an unreachable address), on every cell.
    if (role == Qt::ToolTipRole && row.contains(QLatin1String("problem")))
        return row.value(QLatin1String("problem")).toString();
    if (role == Qt::ForegroundRole && health == Health::Stale)
        return QBrush(healthColor(Health::Stale));
    return JsonTableModel::cellData(row, column, role);
}

} // namespace aldis::ui

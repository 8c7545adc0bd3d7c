// SPDX-License-Identifier: Apache-2.0
#include "ui/models/alerts_model.h"

#include "ui/models/health.h"

#include <QBrush>
#include <QFont>

namespace aldis::ui {

namespace {
const char* const kContext = "aldis::ui::AlertsModel";

QString statusOf(const QJsonObject& rule, bool active)
{
    if (active)
        return QStringLiteral("active");
    return rule.value(QLatin1String("threshold")).toDouble() == 0.0 ? QStringLiteral("off")
                                                                     : QStringLiteral("ok");
}
} // namespace

AlertsModel::AlertsModel(QObject* parent)
    : JsonTableModel(kContext,
                     {
                         {"node", QT_TRANSLATE_NOOP("aldis::ui::AlertsModel", "Node"), Format::Text},
                         {"rule", QT_TRANSLATE_NOOP("aldis::ui::AlertsModel", "Rule"), Format::Text},
                         {"status", QT_TRANSLATE_NOOP("aldis::ui::AlertsModel", "Status"), Format::Text},
                         {"value", QT_TRANSLATE_NOOP("aldis::ui::AlertsModel", "Value"), Format::Number},
                         {"threshold", QT_TRANSLATE_NOOP("aldis::ui::AlertsModel", "Threshold"), Format::Number},
                         {"unit", QT_TRANSLATE_NOOP("aldis::ui::AlertsModel", "Unit"), Format::Text},
                         {"since", QT_TRANSLATE_NOOP("aldis::ui::AlertsModel", "Since"), Format::Time},
                         {"message", QT_TRANSLATE_NOOP("aldis::ui::AlertsModel", "Message"), Format::Text},
                     },
                     {QStringLiteral("node"), QStringLiteral("rule")}, parent)
{
}

bool AlertsModel::setFromJson(const QString& nodeId, const QJsonObject& answer)
{
    if (answer.contains(QLatin1String("error")))
        return false;
    m_rules.insert(nodeId, answer.value(QLatin1String("rules")).toArray());
    m_active.insert(nodeId, answer.value(QLatin1String("active")).toArray());
    rebuild();
    return true;
}

void AlertsModel::setActive(const QString& nodeId, const QJsonArray& active)
{
    if (m_active.value(nodeId) == active && m_active.contains(nodeId))
        return;
    m_active.insert(nodeId, active);
    rebuild();
}

void AlertsModel::removeNode(const QString& nodeId)
{
    m_rules.remove(nodeId);
    m_active.remove(nodeId);
    rebuild();
}

int AlertsModel::activeCount() const
{
    int count = 0;
    for (const QJsonArray& active : m_active)
        count += int(active.size());
    return count;
}

QList<QJsonObject> AlertsModel::activeAlerts() const
{
    QList<QJsonObject> result;
    for (auto it = m_active.cbegin(); it != m_active.cend(); ++it) {
        for (const QJsonValue& value : it.value()) {
            QJsonObject alert = value.toObject();
            alert.insert(QStringLiteral("node"), it.key());
            result.append(alert);
        }
    }
    return result;
}

std::optional<double> AlertsModel::threshold(const QString& nodeId, const QString& rule) const
{
    for (const QJsonValue& value : m_rules.value(nodeId)) {
        const QJsonObject object = value.toObject();
        if (object.value(QLatin1String("name")).toString() != rule)
            continue;
        const double threshold = object.value(QLatin1String("threshold")).toDouble();
        if (threshold == 0.0)
            return std::nullopt;
        return threshold;
    }
    return std::nullopt;
}

void AlertsModel::rebuild()
{
    QJsonArray rows;
    QStringList nodes = m_rules.keys();
    for (const QString& node : m_active.keys())
        if (!nodes.contains(node))
            nodes.append(node);
    nodes.sort();
    for (const QString& node : nodes) {
        QMap<QString, QJsonObject> activeByRule;
        for (const QJsonValue& value : m_active.value(node)) {
            const QJsonObject alert = value.toObject();
            activeByRule.insert(alert.value(QLatin1String("rule")).toString(), alert);
        }
        QStringList seen;
        for (const QJsonValue& value : m_rules.value(node)) {
            const QJsonObject rule = value.toObject();
            const QString name = rule.value(QLatin1String("name")).toString();
            seen.append(name);
            const bool active = activeByRule.contains(name);
            const QJsonObject alert = activeByRule.value(name);
            QJsonObject row{{QStringLiteral("node"), node},
                            {QStringLiteral("rule"), name},
                            {QStringLiteral("status"), statusOf(rule, active)},
                            {QStringLiteral("threshold"), rule.value(QLatin1String("threshold"))},
                            {QStringLiteral("unit"), rule.value(QLatin1String("unit"))}};
            if (active) {
                row.insert(QStringLiteral("value"), alert.value(QLatin1String("value")));
                row.insert(QStringLiteral("since"), alert.value(QLatin1String("since")));
                row.insert(QStringLiteral("message"), alert.value(QLatin1String("message")));
            }
            rows.append(row);
        }
        for (auto it = activeByRule.cbegin(); it != activeByRule.cend(); ++it) {
            if (seen.contains(it.key()))
                continue;
            const QJsonObject& alert = it.value();
            rows.append(QJsonObject{{QStringLiteral("node"), node},
                                    {QStringLiteral("rule"), it.key()},
                                    {QStringLiteral("status"), QStringLiteral("active")},
                                    {QStringLiteral("threshold"), alert.value(QLatin1String("threshold"))},
                                    {QStringLiteral("value"), alert.value(QLatin1String("value"))},
                                    {QStringLiteral("since"), alert.value(QLatin1String("since"))},
                                    {QStringLiteral("message"), alert.value(QLatin1String("message"))}});
        }
    }
    setRows(rows);
}

QVariant AlertsModel::cellData(const QJsonObject& row, int column, int role) const
{
    const bool active = row.value(QLatin1String("status")).toString() == QLatin1String("active");
    if (active && role == Qt::ForegroundRole)
        return QBrush(healthColor(Health::Down));
    if (active && role == Qt::FontRole) {
        QFont font;
        font.setBold(true);
        return font;
    }
    if (role == Qt::DisplayRole && QLatin1String(this->column(column).key) == QLatin1String("status")) {
        const QString status = row.value(QLatin1String("status")).toString();
        if (status == QLatin1String("active"))
            return tr("active");
        if (status == QLatin1String("off"))
            return tr("off");
        return tr("ok");
    }
    return JsonTableModel::cellData(row, column, role);
}

} // namespace aldis::ui

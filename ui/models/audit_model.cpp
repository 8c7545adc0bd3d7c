// SPDX-License-Identifier: Apache-2.0
#include "ui/models/audit_model.h"

#include "ui/models/health.h"

#include <QBrush>

namespace aldis::ui {

namespace {
const char* const kContext = "aldis::ui::AuditModel";
} // namespace

AuditModel::AuditModel(QObject* parent)
    : JsonTableModel(kContext,
                     {
                         {"id", QT_TRANSLATE_NOOP("aldis::ui::AuditModel", "#"), Format::Integer},
                         {"time", QT_TRANSLATE_NOOP("aldis::ui::AuditModel", "Time"), Format::Time},
                         {"actor", QT_TRANSLATE_NOOP("aldis::ui::AuditModel", "Actor"), Format::Text},
                         {"action", QT_TRANSLATE_NOOP("aldis::ui::AuditModel", "Action"), Format::Text},
                         {"target", QT_TRANSLATE_NOOP("aldis::ui::AuditModel", "Target"), Format::Text},
                         {"result", QT_TRANSLATE_NOOP("aldis::ui::AuditModel", "Result"), Format::Text},
                         {"message", QT_TRANSLATE_NOOP("aldis::ui::AuditModel", "Message"), Format::Text},
                     },
                     {QStringLiteral("id")}, parent)
{
}

bool AuditModel::setFromJson(const QJsonObject& answer)
{
    if (answer.contains(QLatin1String("error")))
        return false;
    const QJsonArray rows = answer.value(QLatin1String("entries")).toArray();
    setRows(rows);
    m_total = answer.contains(QLatin1String("total")) ? answer.value(QLatin1String("total")).toInt()
                                                      : int(rows.size());
    return true;
}

void AuditModel::addEntry(const QJsonObject& entry)
{
    if (entry.isEmpty())
        return;
    upsertRow(entry, true);
}

QVariant AuditModel::cellData(const QJsonObject& row, int column, int role) const
{
    if (role == Qt::ForegroundRole && QLatin1String(this->column(column).key) == QLatin1String("result")
        && row.value(QLatin1String("result")).toString() != QLatin1String("ok"))
        return QBrush(healthColor(Health::Warning));
    return JsonTableModel::cellData(row, column, role);
}

} // namespace aldis::ui

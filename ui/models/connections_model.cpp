// SPDX-License-Identifier: Apache-2.0
#include "ui/models/connections_model.h"

namespace aldis::ui {

namespace {
const char* const kContext = "aldis::ui::ConnectionsModel";
} // namespace

ConnectionsModel::ConnectionsModel(QObject* parent)
    : JsonTableModel(kContext,
                     {
                         {"client", QT_TRANSLATE_NOOP("aldis::ui::ConnectionsModel", "Client"), Format::Integer},
                         {"user", QT_TRANSLATE_NOOP("aldis::ui::ConnectionsModel", "User"), Format::Text},
                         {"remote", QT_TRANSLATE_NOOP("aldis::ui::ConnectionsModel", "Remote address"), Format::Text},
                         {"connected_at", QT_TRANSLATE_NOOP("aldis::ui::ConnectionsModel", "Connected at"), Format::Time},
                         {"subscriptions", QT_TRANSLATE_NOOP("aldis::ui::ConnectionsModel", "Subscriptions"), Format::Integer},
                         {"messages_out", QT_TRANSLATE_NOOP("aldis::ui::ConnectionsModel", "Messages out"), Format::Integer},
                         {"queued_bytes", QT_TRANSLATE_NOOP("aldis::ui::ConnectionsModel", "Queued bytes"), Format::Integer},
                     },
                     {QStringLiteral("client")}, parent)
{
}

bool ConnectionsModel::setFromJson(const QJsonObject& answer)
{
    if (answer.contains(QLatin1String("error")))
        return false;
    const QJsonArray rows = answer.value(QLatin1String("connections")).toArray();
    setRows(rows);
    m_total = answer.contains(QLatin1String("total")) ? answer.value(QLatin1String("total")).toInt()
                                                      : int(rows.size());
    return true;
}

} // namespace aldis::ui

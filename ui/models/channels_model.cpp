// SPDX-License-Identifier: Apache-2.0
#include "ui/models/channels_model.h"

namespace aldis::ui {

namespace {
const char* const kContext = "aldis::ui::ChannelsModel";
} // namespace

ChannelsModel::ChannelsModel(QObject* parent)
    : JsonTableModel(kContext,
                     {
                         {"name", QT_TRANSLATE_NOOP("aldis::ui::ChannelsModel", "Channel"), Format::Text},
                         {"namespace", QT_TRANSLATE_NOOP("aldis::ui::ChannelsModel", "Namespace"), Format::Text},
                         {"durable", QT_TRANSLATE_NOOP("aldis::ui::ChannelsModel", "Durable"), Format::Bool},
                         {"subscribers", QT_TRANSLATE_NOOP("aldis::ui::ChannelsModel", "Subscribers"), Format::Integer},
                         {"rate_per_s", QT_TRANSLATE_NOOP("aldis::ui::ChannelsModel", "Publications/s"), Format::Rate},
                         {"publications", QT_TRANSLATE_NOOP("aldis::ui::ChannelsModel", "Publications"), Format::Integer},
                         {"last_offset", QT_TRANSLATE_NOOP("aldis::ui::ChannelsModel", "Last offset"), Format::Integer},
                         {"epoch", QT_TRANSLATE_NOOP("aldis::ui::ChannelsModel", "Epoch"), Format::Text},
                     },
                     {QStringLiteral("name")}, parent)
{
}

bool ChannelsModel::setFromJson(const QJsonObject& answer)
{
    if (answer.contains(QLatin1String("error")))
        return false;
    const QJsonArray rows = answer.value(QLatin1String("channels")).toArray();
    setRows(rows);
    m_total = answer.contains(QLatin1String("total")) ? answer.value(QLatin1String("total")).toInt()
                                                      : int(rows.size());
    return true;
}

} // namespace aldis::ui

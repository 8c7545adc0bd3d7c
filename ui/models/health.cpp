// SPDX-License-Identifier: Apache-2.0
#include "ui/models/health.h"

#include <QCoreApplication>

namespace aldis::ui {

Health healthOf(const HealthInput& input)
{
    if (input.nodeDown)
        return Health::Down;
    if (input.stale)
        return input.connected ? Health::Stale : Health::Down;
    if (input.state != QLatin1String("serving") || input.activeAlerts > 0)
        return Health::Warning;
    return Health::Serving;
}

QString healthKey(Health health)
{
    switch (health) {
    case Health::Serving: return QStringLiteral("serving");
    case Health::Warning: return QStringLiteral("warning");
    case Health::Down: return QStringLiteral("down");
    case Health::Stale: return QStringLiteral("stale");
    }
    return {};
}

QString healthLabel(Health health)
{
    switch (health) {
    case Health::Serving: return QCoreApplication::translate("aldis::ui::Health", "Serving");
    case Health::Warning: return QCoreApplication::translate("aldis::ui::Health", "Warning");
    case Health::Down: return QCoreApplication::translate("aldis::ui::Health", "Down");
    case Health::Stale: return QCoreApplication::translate("aldis::ui::Health", "Stale");
    }
    return {};
}

QColor healthColor(Health health)
{
    switch (health) {
    case Health::Serving: return QColor(0x2e, 0xb8, 0x5c);
    case Health::Warning: return QColor(0xf0, 0xa2, 0x02);
    case Health::Down: return QColor(0xe0, 0x3e, 0x3e);
    case Health::Stale: return QColor(0x80, 0x86, 0x8e);
    }
    return {};
}

} // namespace aldis::ui

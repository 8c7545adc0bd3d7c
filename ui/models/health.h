// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QColor>
#include <QString>

namespace aldis::ui {

// How the control room colours a node: green serving, amber draining/drained or an
// alert active, red down (stream gone and no recent stats, or node_down), grey stale
// (connected but no stats for a few seconds). A stale node is never shown as healthy.
enum class Health { Serving, Warning, Down, Stale };

struct HealthInput {
    QString state;          // "serving", "draining", "drained", "" when unknown
    bool stale = true;      // no stats for kStaleAfterMs (or none ever)
    bool connected = false; // the admin stream is open
    bool nodeDown = false;  // the node announced node_down and sent nothing since
    int activeAlerts = 0;
};

Health healthOf(const HealthInput& input);
// "serving", "warning", "down", "stale": stable names for tests and plugins.
QString healthKey(Health health);
// Translated word for people ("Serving", "Warning", ...).
QString healthLabel(Health health);
// The colour for the dark theme, readable on a wall.
QColor healthColor(Health health);

} // namespace aldis::ui

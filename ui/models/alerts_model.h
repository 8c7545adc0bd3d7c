// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/models/json_table_model.h"

#include <QMap>

#include <optional>

namespace aldis::ui {

// Alert rules and active alerts of every watched node, one row per (node, rule):
// the rules come from GET /v1/admin/alerts, the active set from the same answer and
// then from every stats message (its "alerts" field), so the table follows the node
// within a second. An active alert whose rule is not known yet still gets a row.
//
// Thread: the GUI thread. Owned by the main window.
class AlertsModel : public JsonTableModel {
    Q_OBJECT
public:
    explicit AlertsModel(QObject* parent = nullptr);

    // Takes a node's GET /v1/admin/alerts answer ({"rules":[...],"active":[...]}).
    bool setFromJson(const QString& nodeId, const QJsonObject& answer);
    // Replaces a node's active alerts (the "alerts" field of a stats message).
    void setActive(const QString& nodeId, const QJsonArray& active);
    void removeNode(const QString& nodeId);

    int activeCount() const;
    // Active alerts of all nodes, each with a "node" field added.
    QList<QJsonObject> activeAlerts() const;
    // The threshold of a node's rule; nullopt when unknown or off (0).
    std::optional<double> threshold(const QString& nodeId, const QString& rule) const;

protected:
    QVariant cellData(const QJsonObject& row, int column, int role) const override;

private:
    void rebuild();

    QMap<QString, QJsonArray> m_rules;
    QMap<QString, QJsonArray> m_active;
};

} // namespace aldis::ui

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/models/health.h"
#include "ui/models/json_table_model.h"

namespace aldis::ui {

// What the control room knows about one watched node at a refresh.
struct NodeStatus {
    QString key;           // node id once `hello` arrived, else the admin URL
    QString adminUrl;
    QJsonObject node;      // the `hello` node object (GET /v1/admin/node)
    QJsonObject stats;     // the latest `stats` message
    bool stale = true;
    bool connected = false;
    bool nodeDown = false;
    qint64 lastSeenMs = 0; // local time of the latest stats message, 0 never
    QString problem;       // why the stream is not open (refused token, unreachable), or empty
};

// The watched nodes: id, region, state, health (with its colour), connections,
// rates, P99 and when stats last arrived. One row per node, keyed by NodeStatus::key.
//
// Thread: the GUI thread. Owned by the main window, refreshed on its timer.
class NodesModel : public JsonTableModel {
    Q_OBJECT
public:
    enum ExtraRole { HealthRole = KeyRole + 1 }; // Health as int

    explicit NodesModel(QObject* parent = nullptr);

    // The row object of a node: fields of the columns plus "health" (healthKey()).
    static QJsonObject rowFor(const NodeStatus& status);
    static Health healthFor(const NodeStatus& status);

    void setNodes(const QList<NodeStatus>& nodes);
    void updateNode(const NodeStatus& status);
    Health health(int row) const;

protected:
    QVariant cellData(const QJsonObject& row, int column, int role) const override;
};

} // namespace aldis::ui

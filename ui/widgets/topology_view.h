// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/models/health.h"
#include "ui/models/nodes_model.h"

#include <QGraphicsView>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QWidget>

#include <optional>

class QLabel;

namespace aldis::ui {

struct TopologyNode {
    QString id;
    QString state;
    Health health = Health::Down;
    bool watched = false;
    qint64 connections = -1;
    double deliveriesPerS = -1;
    QString details; // plain text shown when clicked
    bool operator==(const TopologyNode&) const = default;
};

struct TopologyRegion {
    QString name;
    bool fenced = false;
    QStringList homeOf;
    QList<TopologyNode> nodes;
    bool operator==(const TopologyRegion&) const = default;
};

struct TopologyLink {
    QString from;
    QString to;
    QString kind;
    QString state;
    double ratePerS = 0;
    qint64 lag = 0;
    bool operator==(const TopologyLink&) const = default;
};

struct TopologySnapshot {
    QList<TopologyRegion> regions;
    QList<TopologyLink> links;
    bool operator==(const TopologySnapshot& other) const = default;
};

// The live picture of the cluster: regions as boxes with their nodes inside, links
// between regions with their rate, each node coloured by health (green serving, amber
// draining/drained or alert active, red down, grey stale). Clicking a node or a region
// shows its details under the picture and emits nodeClicked / regionClicked.
//
// Thread: the GUI thread. The main window's central widget; redrawn on its refresh
// only when the snapshot changed.
class TopologyView : public QWidget {
    Q_OBJECT
public:
    explicit TopologyView(QWidget* parent = nullptr);

    // Merges the watched nodes (live health) with the nodes' topology answers
    // (regions, fences, other nodes of the cluster, links).
    static TopologySnapshot build(const QList<NodeStatus>& watched, const QList<QJsonObject>& topologies);

    void setSnapshot(const TopologySnapshot& snapshot);
    const TopologySnapshot& snapshot() const { return m_snapshot; }

    QStringList nodeIds() const;
    QStringList regionNames() const;
    std::optional<Health> nodeHealth(const QString& id) const;
    QString detailsText() const;
    QGraphicsView* graphicsView() const { return m_view; }
    void setFontScale(double scale);

    // Selects a node as a click would.
    void selectNode(const QString& id);

signals:
    void nodeClicked(const QString& id);
    void regionClicked(const QString& name);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuild();
    void fit();

    QGraphicsView* m_view;
    QGraphicsScene* m_scene;
    QLabel* m_details;
    TopologySnapshot m_snapshot;
    QString m_selected; // "node:<id>" or "region:<name>"
    double m_fontScale = 1.0;
};

} // namespace aldis::ui

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "aldis/panel_plugin.h"
#include "ui/models/nodes_model.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

namespace aldis::ui {

class HistoryStore;
class NodeClient;

// The nodes the control room watches: one NodeClient per admin URL, named by the node
// id learned from `hello` (the URL until then).
//
// It is also the PanelContext plugins get, so plugins see the same data as the built-in
// views. It throttles for the GUI: every kRefreshMs it writes one history sample per
// node that sent stats (one transaction), hands the latest stats to onStats()
// subscribers and emits refreshed(), on which views redraw; nothing redraws per
// message. Events are passed on as they come (they are rare). It also keeps each
// node's latest topology (every 5 s) and alert rules (every 30 s and on alert events).
//
// Thread: the GUI thread. Owned by runControlRoom() (or a test); owns its clients.
class NodeRegistry : public QObject, public aldis::plugin::PanelContext {
    Q_OBJECT
public:
    static constexpr int kRefreshMs = 1000;
    static constexpr int kTopologyEveryTicks = 5;
    static constexpr int kAlertsEveryTicks = 30;

    explicit NodeRegistry(QObject* parent = nullptr);
    ~NodeRegistry() override;

    // Watches the node at `adminUrl` (creates its client and opens its stream).
    NodeClient* addNode(const QUrl& adminUrl, const QString& token);
    // Takes ownership of a client without starting it (tests feed it messages).
    void adoptClient(NodeClient* client);
    QList<NodeClient*> clients() const { return m_clients; }
    // By node id, or by admin URL before the hello.
    NodeClient* client(const QString& key) const;
    QList<NodeStatus> statuses() const;
    NodeStatus status(const QString& key) const;

    // Not owned; may be null (no history). Samples are written on each refresh.
    void setHistoryStore(HistoryStore* store) { m_history = store; }
    HistoryStore* historyStore() const { return m_history; }

    // Stops the 1 s timer (tests call refresh() themselves).
    void setRefreshTimerEnabled(bool enabled);

    // The node's latest GET /v1/admin/topology and GET /v1/admin/alerts answers.
    QJsonObject topology(const QString& key) const { return m_topology.value(key); }
    QJsonObject alerts(const QString& key) const { return m_alerts.value(key); }
    // Sets them as if fetched (tests, and the answers of the fetches).
    void setTopology(const QString& key, const QJsonObject& topology);
    void setAlerts(const QString& key, const QJsonObject& alerts);
    // Fetches topology and alerts of every connected node now.
    void fetchAll();

    // PanelContext
    QStringList nodeIds() const override;
    QJsonObject latestStats(const QString& nodeId) const override;
    bool isStale(const QString& nodeId) const override;
    void onStats(QObject* receiver,
                 std::function<void(const QString& nodeId, const QJsonObject& stats)> callback) override;
    void onEvent(QObject* receiver,
                 std::function<void(const QString& nodeId, const QJsonObject& event)> callback) override;
    void get(const QString& nodeId, const QString& path,
             std::function<void(const QJsonObject& answer)> done) override;
    void runAction(const QString& nodeId, const QString& action, const QJsonObject& body,
                   std::function<void(const QJsonObject& answer)> done) override;

    // The same with a context: `done` is dropped when `context` goes first.
    void get(const QString& nodeId, const QString& path, QObject* context,
             std::function<void(const QJsonObject& answer)> done);
    void runAction(const QString& nodeId, const QString& action, const QJsonObject& body, QObject* context,
                   std::function<void(const QJsonObject& answer)> done);

public slots:
    // The throttled tick (kRefreshMs): history, onStats subscribers, refreshed().
    void refresh();

signals:
    // A node was added or learned its id.
    void nodesChanged();
    // Once per tick, after the history is written: redraw now.
    void refreshed();
    void eventReceived(const QString& nodeId, const QJsonObject& event);
    void topologyChanged(const QString& nodeId);
    void alertsChanged(const QString& nodeId);

private:
    struct StatsSubscriber {
        QPointer<QObject> receiver;
        std::function<void(const QString&, const QJsonObject&)> callback;
    };
    void attach(NodeClient* client);
    void fetchTopology(NodeClient* client);
    void fetchAlerts(NodeClient* client);
    static void failLater(QObject* context, std::function<void(const QJsonObject&)> done, const QString& nodeId);

    QList<NodeClient*> m_clients;
    HistoryStore* m_history = nullptr;
    QTimer m_timer;
    qint64 m_ticks = 0;
    QHash<NodeClient*, qint64> m_recordedStatsAt;  // lastStatsAtMs written to history
    QHash<NodeClient*, qint64> m_deliveredStatsAt; // lastStatsAtMs given to subscribers
    QHash<QString, QJsonObject> m_topology;
    QHash<QString, QJsonObject> m_alerts;
    QList<StatsSubscriber> m_statsSubscribers;
    QList<StatsSubscriber> m_eventSubscribers;
};

} // namespace aldis::ui

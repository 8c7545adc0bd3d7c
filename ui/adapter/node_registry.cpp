// SPDX-License-Identifier: Apache-2.0
#include "ui/adapter/node_registry.h"

#include "ui/adapter/node_client.h"
#include "ui/history/history_store.h"

#include <QCoreApplication>
#include <QJsonArray>

#include <utility>

namespace aldis::ui {

NodeRegistry::NodeRegistry(QObject* parent) : QObject(parent)
{
    m_timer.setInterval(kRefreshMs);
    connect(&m_timer, &QTimer::timeout, this, &NodeRegistry::refresh);
    m_timer.start();
}

NodeRegistry::~NodeRegistry()
{
    // Clients are children; drop subscribers first so that no callback runs while the
    // clients go away.
    m_statsSubscribers.clear();
    m_eventSubscribers.clear();
    for (NodeClient* client : std::as_const(m_clients))
        client->disconnect(this);
}

NodeClient* NodeRegistry::addNode(const QUrl& adminUrl, const QString& token)
{
    auto* client = new NodeClient(adminUrl, token, this);
    adoptClient(client);
    client->start();
    return client;
}

void NodeRegistry::adoptClient(NodeClient* client)
{
    client->setParent(this);
    m_clients.append(client);
    attach(client);
    emit nodesChanged();
}

void NodeRegistry::attach(NodeClient* client)
{
    connect(client, &NodeClient::helloReceived, this, [this, client] {
        fetchTopology(client);
        fetchAlerts(client);
    });
    connect(client, &NodeClient::keyChanged, this, [this](const QString& oldKey, const QString& newKey) {
        if (m_topology.contains(oldKey))
            m_topology.insert(newKey, m_topology.take(oldKey));
        if (m_alerts.contains(oldKey))
            m_alerts.insert(newKey, m_alerts.take(oldKey));
        emit nodesChanged();
    });
    connect(client, &NodeClient::eventReceived, this, [this, client](const QJsonObject& event) {
        const QString key = client->key();
        const QString kind = event.value(QLatin1String("kind")).toString();
        if (kind.startsWith(QLatin1String("alert_")))
            fetchAlerts(client);
        if (kind == QLatin1String("action") || kind == QLatin1String("state"))
            fetchTopology(client);
        emit eventReceived(key, event);
        const QList<StatsSubscriber> subscribers = m_eventSubscribers;
        for (const StatsSubscriber& subscriber : subscribers)
            if (subscriber.receiver)
                subscriber.callback(key, event);
    });
}

NodeClient* NodeRegistry::client(const QString& key) const
{
    for (NodeClient* client : m_clients)
        if (client->nodeId() == key)
            return client;
    for (NodeClient* client : m_clients)
        if (client->adminUrl().toString() == key)
            return client;
    return nullptr;
}

NodeStatus NodeRegistry::status(const QString& key) const
{
    NodeStatus status;
    const NodeClient* c = client(key);
    if (!c)
        return status;
    status.key = c->key();
    status.adminUrl = c->adminUrl().toString();
    status.node = c->nodeInfo();
    status.stats = c->latestStats();
    status.stale = c->isStale();
    status.connected = c->connectionState() == NodeClient::ConnectionState::Connected;
    status.nodeDown = c->isNodeDown();
    status.lastSeenMs = c->lastStatsAtMs();
    if (!status.connected)
        status.problem = c->streamProblem();
    return status;
}

QList<NodeStatus> NodeRegistry::statuses() const
{
    QList<NodeStatus> result;
    for (const NodeClient* c : m_clients)
        result.append(status(c->key()));
    return result;
}

void NodeRegistry::setRefreshTimerEnabled(bool enabled)
{
    if (enabled)
        m_timer.start();
    else
        m_timer.stop();
}

void NodeRegistry::setTopology(const QString& key, const QJsonObject& topology)
{
    if (m_topology.value(key) == topology && m_topology.contains(key))
        return;
    m_topology.insert(key, topology);
    emit topologyChanged(key);
}

void NodeRegistry::setAlerts(const QString& key, const QJsonObject& alerts)
{
    m_alerts.insert(key, alerts);
    emit alertsChanged(key);
}

void NodeRegistry::fetchTopology(NodeClient* client)
{
    client->get(QStringLiteral("/v1/admin/topology"), this, [this, client](const QJsonObject& answer) {
        if (!answer.contains(QLatin1String("error")))
            setTopology(client->key(), answer);
    });
}

void NodeRegistry::fetchAlerts(NodeClient* client)
{
    client->get(QStringLiteral("/v1/admin/alerts"), this, [this, client](const QJsonObject& answer) {
        if (!answer.contains(QLatin1String("error")))
            setAlerts(client->key(), answer);
    });
}

void NodeRegistry::fetchAll()
{
    for (NodeClient* c : std::as_const(m_clients)) {
        if (c->connectionState() != NodeClient::ConnectionState::Connected)
            continue;
        fetchTopology(c);
        fetchAlerts(c);
    }
}

void NodeRegistry::refresh()
{
    ++m_ticks;
    QList<NodeSample> samples;
    QList<NodeClient*> fresh;
    for (NodeClient* c : std::as_const(m_clients)) {
        const qint64 at = c->lastStatsAtMs();
        if (at == 0)
            continue;
        if (m_recordedStatsAt.value(c) != at) {
            m_recordedStatsAt.insert(c, at);
            samples.append(NodeSample{c->key(), HistoryStore::sampleFromStats(c->latestStats(), at)});
        }
        if (m_deliveredStatsAt.value(c) != at) {
            m_deliveredStatsAt.insert(c, at);
            fresh.append(c);
        }
    }
    if (m_history && m_history->isOpen() && !samples.isEmpty())
        m_history->append(samples);

    m_statsSubscribers.removeIf([](const StatsSubscriber& s) { return !s.receiver; });
    m_eventSubscribers.removeIf([](const StatsSubscriber& s) { return !s.receiver; });
    const QList<StatsSubscriber> subscribers = m_statsSubscribers;
    for (NodeClient* c : std::as_const(fresh))
        for (const StatsSubscriber& subscriber : subscribers)
            if (subscriber.receiver)
                subscriber.callback(c->key(), c->latestStats());

    for (NodeClient* c : std::as_const(m_clients)) {
        if (c->connectionState() != NodeClient::ConnectionState::Connected)
            continue;
        if (m_ticks % kTopologyEveryTicks == 0)
            fetchTopology(c);
        if (m_ticks % kAlertsEveryTicks == 0)
            fetchAlerts(c);
    }
    emit refreshed();
}

QStringList NodeRegistry::nodeIds() const
{
    QStringList ids;
    for (const NodeClient* c : m_clients)
        if (!c->nodeId().isEmpty())
            ids.append(c->nodeId());
    return ids;
}

QJsonObject NodeRegistry::latestStats(const QString& nodeId) const
{
    const NodeClient* c = client(nodeId);
    return c ? c->latestStats() : QJsonObject();
}

bool NodeRegistry::isStale(const QString& nodeId) const
{
    const NodeClient* c = client(nodeId);
    return !c || c->isStale();
}

void NodeRegistry::onStats(QObject* receiver,
                           std::function<void(const QString& nodeId, const QJsonObject& stats)> callback)
{
    if (receiver && callback)
        m_statsSubscribers.append(StatsSubscriber{receiver, std::move(callback)});
}

void NodeRegistry::onEvent(QObject* receiver,
                           std::function<void(const QString& nodeId, const QJsonObject& event)> callback)
{
    if (receiver && callback)
        m_eventSubscribers.append(StatsSubscriber{receiver, std::move(callback)});
}

void NodeRegistry::failLater(QObject* context, std::function<void(const QJsonObject&)> done,
                             const QString& nodeId)
{
    if (!done)
        return;
    const QJsonObject answer{
        {QStringLiteral("error"),
         QJsonObject{{QStringLiteral("code"), QStringLiteral("unknown_node")},
                     {QStringLiteral("message"),
                      QCoreApplication::translate("aldis::ui::NodeRegistry",
                                                  "The control room does not watch a node \"%1\".")
                          .arg(nodeId)}}}};
    // Answers always arrive later, never inside the call.
    QTimer::singleShot(0, context, [done = std::move(done), answer] { done(answer); });
}

void NodeRegistry::get(const QString& nodeId, const QString& path,
                       std::function<void(const QJsonObject& answer)> done)
{
    get(nodeId, path, this, std::move(done));
}

void NodeRegistry::get(const QString& nodeId, const QString& path, QObject* context,
                       std::function<void(const QJsonObject& answer)> done)
{
    NodeClient* c = client(nodeId);
    if (!c) {
        failLater(context ? context : this, std::move(done), nodeId);
        return;
    }
    c->get(path, context, std::move(done));
}

void NodeRegistry::runAction(const QString& nodeId, const QString& action, const QJsonObject& body,
                             std::function<void(const QJsonObject& answer)> done)
{
    runAction(nodeId, action, body, this, std::move(done));
}

void NodeRegistry::runAction(const QString& nodeId, const QString& action, const QJsonObject& body,
                             QObject* context, std::function<void(const QJsonObject& answer)> done)
{
    NodeClient* c = client(nodeId);
    if (!c) {
        failLater(context ? context : this, std::move(done), nodeId);
        return;
    }
    c->runAction(action, body, context, std::move(done));
}

} // namespace aldis::ui

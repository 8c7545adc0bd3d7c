// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;
class QWebSocket;

namespace aldis::ui {

// One node's admin API (docs/admin-api.md) as the control room sees it: REST calls
// and the WebSocket stream of hello, stats, events and tail messages.
//
// Nothing here blocks: REST answers arrive in callbacks, errors included (as
// {"error":{"code":...,"message":...}}, with code "unreachable" or "bad_answer" when
// the node gave no JSON). The stream reconnects with a growing delay (0.5 s doubling
// to 15 s) when it drops, and re-sends the live tail request after a reconnect.
//
// Staleness is measured on the GUI's monotonic clock from the arrival of the last
// stats message: isStale() is true after kStaleAfterMs without one (and before the
// first), so a node that stops talking is never shown as healthy.
//
// Thread: the GUI thread. Owned by the NodeRegistry (or a test).
class NodeClient : public QObject {
    Q_OBJECT
public:
    enum class ConnectionState { Disconnected, Connecting, Connected };
    Q_ENUM(ConnectionState)

    static constexpr int kStaleAfterMs = 3000;
    static constexpr int kRequestTimeoutMs = 10000;
    // An open stream silent for this long is closed and reopened.
    static constexpr int kSilentStreamMs = 15000;

    using Callback = std::function<void(const QJsonObject& answer)>;

    // `adminUrl` is http(s)://host:port; `token` the admin bearer token.
    NodeClient(QUrl adminUrl, QString token, QObject* parent = nullptr);
    ~NodeClient() override;

    QUrl adminUrl() const { return m_adminUrl; }
    QUrl streamUrl() const;
    // The node id from `hello`; empty until the first hello.
    QString nodeId() const;
    // nodeId() when known, else the admin URL: how the control room names the node.
    QString key() const;
    // The `node` object of the latest hello (GET /v1/admin/node).
    QJsonObject nodeInfo() const { return m_nodeInfo; }
    QJsonObject latestStats() const { return m_latestStats; }
    // Local wall-clock time (ms) when the latest stats arrived, 0 before the first.
    qint64 lastStatsAtMs() const { return m_lastStatsAtMs; }
    bool isStale() const;
    // True after a node_down event, until stats arrive again.
    bool isNodeDown() const { return m_nodeDown; }
    ConnectionState connectionState() const { return m_state; }
    QString lastStreamError() const { return m_lastStreamError; }
    // lastStreamError() said for an operator: a refused token is named as such.
    QString streamProblem() const;

    void setStaleAfterMs(int ms) { m_staleAfterMs = ms; }

    // Opens the stream (and keeps reopening it until stop()).
    void start();
    void stop();

    // GET / POST on the admin API; `path` like "/v1/admin/channels?limit=100". The
    // callback runs on the GUI thread unless `context` is destroyed first.
    void get(const QString& path, QObject* context, Callback done);
    void post(const QString& path, const QJsonObject& body, QObject* context, Callback done);
    // POST /v1/admin/actions/{action}.
    void runAction(const QString& action, const QJsonObject& body, QObject* context, Callback done);

    // Live tail of one channel over the stream (replaces a previous one).
    void startTail(const QString& channel);
    void stopTail();
    QString tailChannel() const { return m_tailChannel; }

    // Handles one text frame of the stream. Public so that tests and the registry's
    // fixtures can feed synthetic messages without a network.
    void handleStreamMessage(const QString& text);

signals:
    void helloReceived(const QJsonObject& node);
    void statsReceived(const QJsonObject& stats);
    void eventReceived(const QJsonObject& event);
    void tailReceived(const QJsonObject& message);
    // tail_started / tail_stopped, or a stream error while a tail was requested.
    void tailStateChanged(bool active, const QString& channel, const QString& error);
    // The node did not forward `count` publications of the tail (its cap per second).
    void tailDropped(qint64 count);
    void streamErrorReceived(const QString& message);
    void connectionStateChanged(aldis::ui::NodeClient::ConnectionState state);
    void staleChanged(bool stale);
    // The key changed (the first hello, or a node id that changed behind the URL).
    void keyChanged(const QString& oldKey, const QString& newKey);

private:
    void openStream();
    void scheduleReconnect();
    void setState(ConnectionState state);
    void sendJson(const QJsonObject& object);
    void checkStale();
    void request(const QByteArray& verb, const QString& path, const QByteArray& body, QObject* context,
                 Callback done);

    QUrl m_adminUrl;
    QString m_token;
    QNetworkAccessManager* m_network;
    QWebSocket* m_socket = nullptr;
    QTimer m_reconnectTimer;
    QTimer m_staleTimer;
    int m_backoffMs = 500;
    bool m_running = false;
    ConnectionState m_state = ConnectionState::Disconnected;

    QJsonObject m_nodeInfo;
    QJsonObject m_latestStats;
    QElapsedTimer m_sinceStats;
    QElapsedTimer m_sinceMessage;
    qint64 m_lastStatsAtMs = 0;
    bool m_reportedStale = true;
    bool m_nodeDown = false;
    int m_staleAfterMs = kStaleAfterMs;
    QString m_tailChannel;
    QString m_lastStreamError;
};

} // namespace aldis::ui

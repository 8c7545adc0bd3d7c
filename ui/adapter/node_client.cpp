// SPDX-License-Identifier: Apache-2.0
#include "ui/adapter/node_client.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QWebSocket>

#include <algorithm>
#include <utility>

namespace aldis::ui {

namespace {

constexpr int kFirstBackoffMs = 500;
constexpr int kMaxBackoffMs = 15000;

QJsonObject errorObject(const QString& code, const QString& message)
{
    return QJsonObject{{QStringLiteral("error"),
                        QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}}};
}

QString joinPath(const QUrl& base, const QString& path)
{
    QString basePath = base.path();
    while (basePath.endsWith(QLatin1Char('/')))
        basePath.chop(1);
    return basePath + path;
}

} // namespace

NodeClient::NodeClient(QUrl adminUrl, QString token, QObject* parent)
    : QObject(parent), m_adminUrl(std::move(adminUrl)), m_token(std::move(token)),
      m_network(new QNetworkAccessManager(this))
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &NodeClient::openStream);
    m_staleTimer.setInterval(500);
    connect(&m_staleTimer, &QTimer::timeout, this, &NodeClient::checkStale);
    m_staleTimer.start();
}

NodeClient::~NodeClient()
{
    m_running = false;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

QUrl NodeClient::streamUrl() const
{
    QUrl url = m_adminUrl;
    url.setScheme(m_adminUrl.scheme() == QLatin1String("https") ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setPath(joinPath(m_adminUrl, QStringLiteral("/v1/admin/stream")));
    url.setQuery(QString());
    return url;
}

QString NodeClient::nodeId() const
{
    return m_nodeInfo.value(QLatin1String("id")).toString();
}

QString NodeClient::key() const
{
    const QString id = nodeId();
    return id.isEmpty() ? m_adminUrl.toString() : id;
}

bool NodeClient::isStale() const
{
    return m_lastStatsAtMs == 0 || !m_sinceStats.isValid() || m_sinceStats.elapsed() >= m_staleAfterMs;
}

void NodeClient::start()
{
    if (m_running)
        return;
    m_running = true;
    m_backoffMs = kFirstBackoffMs;
    openStream();
}

void NodeClient::stop()
{
    m_running = false;
    m_reconnectTimer.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    setState(ConnectionState::Disconnected);
}

QString NodeClient::streamProblem() const
{
    // Qt reports a refused upgrade as "... Unhandled http status code: 401 (Unauthorized)."
    if (m_lastStreamError.contains(QLatin1String("401")))
        return tr("the node refused the admin token (401): check --admin-token or ALDIS_ADMIN_TOKEN");
    return m_lastStreamError;
}

void NodeClient::openStream()
{
    if (!m_running)
        return;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    QWebSocket* socket = m_socket;
    connect(socket, &QWebSocket::connected, this, [this] {
        m_backoffMs = kFirstBackoffMs;
        m_lastStreamError.clear();
        m_sinceMessage.start();
        setState(ConnectionState::Connected);
        if (!m_tailChannel.isEmpty())
            sendJson(QJsonObject{{QStringLiteral("tail"), m_tailChannel}});
    });
    connect(socket, &QWebSocket::disconnected, this, [this, socket] {
        if (socket != m_socket)
            return;
        if (m_lastStreamError.isEmpty() && socket->closeCode() != QWebSocketProtocol::CloseCodeNormal)
            m_lastStreamError = socket->closeReason().isEmpty()
                ? tr("the stream closed with code %1").arg(int(socket->closeCode()))
                : socket->closeReason();
        setState(ConnectionState::Disconnected);
        scheduleReconnect();
    });
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, socket](QAbstractSocket::SocketError) {
                if (socket != m_socket)
                    return;
                m_lastStreamError = socket->errorString();
                // A connection that never opened emits no disconnected(): retry from here.
                if (m_state != ConnectionState::Connected) {
                    setState(ConnectionState::Disconnected);
                    scheduleReconnect();
                }
            });
    connect(socket, &QWebSocket::textMessageReceived, this, &NodeClient::handleStreamMessage);

    QNetworkRequest request(streamUrl());
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    setState(ConnectionState::Connecting);
    socket->open(request);
}

void NodeClient::scheduleReconnect()
{
    if (!m_running || m_reconnectTimer.isActive())
        return;
    m_reconnectTimer.start(m_backoffMs);
    m_backoffMs = std::min(m_backoffMs * 2, kMaxBackoffMs);
}

void NodeClient::setState(ConnectionState state)
{
    if (state == m_state)
        return;
    m_state = state;
    emit connectionStateChanged(state);
}

void NodeClient::sendJson(const QJsonObject& object)
{
    if (m_socket && m_state == ConnectionState::Connected)
        m_socket->sendTextMessage(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

void NodeClient::checkStale()
{
    // A stream that says nothing for long (a silent network partition keeps TCP open)
    // is replaced by a new one.
    if (m_running && m_state == ConnectionState::Connected && m_sinceMessage.isValid()
        && m_sinceMessage.elapsed() > kSilentStreamMs && m_socket) {
        m_lastStreamError = tr("no message for %1 s").arg(kSilentStreamMs / 1000);
        m_socket->abort();
    }
    const bool stale = isStale();
    if (stale != m_reportedStale) {
        m_reportedStale = stale;
        emit staleChanged(stale);
    }
}

void NodeClient::handleStreamMessage(const QString& text)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return; // not ours to fix; the node only sends JSON objects
    const QJsonObject message = doc.object();
    m_sinceMessage.start();
    const QString type = message.value(QLatin1String("type")).toString();
    if (type == QLatin1String("stats")) {
        m_latestStats = message;
        m_sinceStats.start();
        m_lastStatsAtMs = QDateTime::currentMSecsSinceEpoch();
        m_nodeDown = false;
        checkStale();
        emit statsReceived(message);
    } else if (type == QLatin1String("hello")) {
        const QString oldKey = key();
        m_nodeInfo = message.value(QLatin1String("node")).toObject();
        m_nodeDown = false;
        emit helloReceived(m_nodeInfo);
        if (key() != oldKey)
            emit keyChanged(oldKey, key());
    } else if (type == QLatin1String("event")) {
        const QJsonObject event = message.value(QLatin1String("event")).toObject();
        const QString kind = event.value(QLatin1String("kind")).toString();
        if (kind == QLatin1String("node_down"))
            m_nodeDown = true;
        else if (kind == QLatin1String("node_up"))
            m_nodeDown = false;
        if (kind == QLatin1String("state") && !m_nodeInfo.isEmpty())
            m_nodeInfo.insert(QStringLiteral("state"), event.value(QLatin1String("state")));
        emit eventReceived(event);
    } else if (type == QLatin1String("tail")) {
        emit tailReceived(message);
    } else if (type == QLatin1String("tail_dropped")) {
        emit tailDropped(qint64(message.value(QLatin1String("count")).toDouble()));
    } else if (type == QLatin1String("tail_started")) {
        emit tailStateChanged(true, message.value(QLatin1String("channel")).toString(), QString());
    } else if (type == QLatin1String("tail_stopped")) {
        emit tailStateChanged(false, QString(), QString());
    } else if (type == QLatin1String("error")) {
        const QString error = message.value(QLatin1String("message")).toString();
        emit streamErrorReceived(error);
        if (!m_tailChannel.isEmpty())
            emit tailStateChanged(false, m_tailChannel, error);
    }
}

void NodeClient::startTail(const QString& channel)
{
    m_tailChannel = channel;
    if (m_state == ConnectionState::Connected)
        sendJson(QJsonObject{{QStringLiteral("tail"), channel}});
}

void NodeClient::stopTail()
{
    const bool wasTailing = !m_tailChannel.isEmpty();
    m_tailChannel.clear();
    if (wasTailing && m_state == ConnectionState::Connected)
        sendJson(QJsonObject{{QStringLiteral("tail"), QJsonValue::Null}});
}

void NodeClient::get(const QString& path, QObject* context, Callback done)
{
    request("GET", path, QByteArray(), context, std::move(done));
}

void NodeClient::post(const QString& path, const QJsonObject& body, QObject* context, Callback done)
{
    request("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), context, std::move(done));
}

void NodeClient::runAction(const QString& action, const QJsonObject& body, QObject* context, Callback done)
{
    post(QStringLiteral("/v1/admin/actions/") + action, body, context, std::move(done));
}

void NodeClient::request(const QByteArray& verb, const QString& path, const QByteArray& body,
                         QObject* context, Callback done)
{
    QUrl url = m_adminUrl;
    const qsizetype query = path.indexOf(QLatin1Char('?'));
    url.setPath(joinPath(m_adminUrl, query < 0 ? path : path.left(query)));
    url.setQuery(query < 0 ? QString() : path.mid(query + 1));
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setRawHeader("Accept", "application/json");
    request.setTransferTimeout(kRequestTimeoutMs);
    if (verb == "POST")
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    QNetworkReply* reply = verb == "POST" ? m_network->post(request, body) : m_network->get(request);
    QPointer<QObject> guard(context ? context : this);
    connect(reply, &QNetworkReply::finished, this, [reply, guard, done = std::move(done)] {
        reply->deleteLater();
        if (!guard || !done)
            return;
        const QByteArray data = reply->readAll();
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(data, &parseError);
        if (parseError.error == QJsonParseError::NoError && doc.isObject()) {
            done(doc.object());
            return;
        }
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 0) {
            done(errorObject(QStringLiteral("unreachable"),
                             tr("The node cannot be reached (%1). Check that it runs and that its admin "
                                "listener is reachable from here.")
                                 .arg(reply->errorString())));
        } else {
            done(errorObject(QStringLiteral("bad_answer"),
                             tr("The node answered HTTP %1 without a JSON body; is %2 an Aldis admin API?")
                                 .arg(status)
                                 .arg(reply->url().toString(QUrl::RemoveQuery))));
        }
    });
}

} // namespace aldis::ui

// SPDX-License-Identifier: Apache-2.0
// NodeClient against a fake admin API on loopback (QWebSocketServer for the stream, a
// small QTcpServer for REST): bearer token, hello/stats/event/tail handling,
// staleness, reconnect after a drop, error objects. The lead's end-to-end tests run
// it against the real daemon.

#include "ui/adapter/node_client.h"
#include "ui/adapter/node_registry.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

using namespace aldis::ui;

namespace {

const QByteArray kToken = "test-token-0123456789";

QString compact(const QJsonObject& object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject statsMessage(double deliveries = 30.0)
{
    return QJsonObject{{"type", "stats"}, {"node", "n1"}, {"region", "local"}, {"time", 1795000000000.0},
                       {"state", "serving"}, {"connections", 3},
                       {"rates", QJsonObject{{"publications_per_s", 10.0}, {"deliveries_per_s", deliveries}}},
                       {"latency", QJsonObject{{"count", 30}, {"p50_ms", 0.09}, {"p95_ms", 0.2}, {"p99_ms", 0.3}}},
                       {"lag", QJsonArray{}}, {"alerts", QJsonArray{}}};
}

// The stream side of a node: checks the token, sends hello on connect, records what
// the client sends.
class FakeStream : public QObject {
public:
    FakeStream() : m_server(QStringLiteral("fake"), QWebSocketServer::NonSecureMode)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            QWebSocket* socket = m_server.nextPendingConnection();
            socket->setParent(this); // the server does not own what it hands out
            authorizations.append(socket->request().rawHeader("Authorization"));
            sockets.append(socket);
            connect(socket, &QWebSocket::textMessageReceived, this,
                    [this](const QString& text) { received.append(text); });
            socket->sendTextMessage(compact(QJsonObject{
                {"type", "hello"},
                {"node", QJsonObject{{"id", "n1"}, {"region", "local"}, {"state", "serving"}}}}));
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    QWebSocket* last() const { return sockets.isEmpty() ? nullptr : sockets.last().data(); }

    QList<QByteArray> authorizations;
    QList<QPointer<QWebSocket>> sockets;
    QStringList received;

private:
    QWebSocketServer m_server;
};

// A REST endpoint that answers every request with a fixed status and body and
// records the request head.
class FakeRest : public QObject {
public:
    FakeRest(int status, QByteArray body) : m_status(status), m_body(std::move(body))
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket* socket = m_server.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                m_buffer += socket->readAll();
                const qsizetype end = m_buffer.indexOf("\r\n\r\n");
                if (end < 0)
                    return;
                requests.append(m_buffer.left(end));
                m_buffer.clear();
                socket->write("HTTP/1.1 " + QByteArray::number(m_status) + " X\r\nContent-Type: application/json\r\n"
                              "Content-Length: " + QByteArray::number(m_body.size()) + "\r\nConnection: close\r\n\r\n" + m_body);
                socket->disconnectFromHost();
            });
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    QList<QByteArray> requests;

private:
    QTcpServer m_server;
    int m_status;
    QByteArray m_body;
    QByteArray m_buffer;
};

} // namespace

class TestNodeClient : public QObject {
    Q_OBJECT
private slots:
    void streamUrl_data();
    void streamUrl();
    void helloStatsAndToken();
    void staleAfterSilence();
    void reconnectsAfterDrop();
    void tailRequests();
    void eventsAndErrors();
    void restAnswer_data();
    void restAnswer();
    void restUnreachable();
    void registryThrottlesStats();
    void registryUnknownNode();
};

void TestNodeClient::streamUrl_data()
{
    QTest::addColumn<QString>("admin");
    QTest::addColumn<QString>("stream");
    QTest::addRow("http") << "http://127.0.0.1:8801" << "ws://127.0.0.1:8801/v1/admin/stream";
    QTest::addRow("trailing slash") << "http://10.0.0.5:8801/" << "ws://10.0.0.5:8801/v1/admin/stream";
    QTest::addRow("https") << "https://node.example:443" << "wss://node.example:443/v1/admin/stream";
    QTest::addRow("prefix") << "http://gw:80/aldis/eu1" << "ws://gw:80/aldis/eu1/v1/admin/stream";
}

void TestNodeClient::streamUrl()
{
    QFETCH(QString, admin);
    QFETCH(QString, stream);
    NodeClient client{QUrl(admin), QString()};
    QCOMPARE(client.streamUrl().toString(), stream);
    QCOMPARE(client.key(), QUrl(admin).toString());
}

void TestNodeClient::helloStatsAndToken()
{
    FakeStream node;
    NodeClient client(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(node.port())), QString::fromLatin1(kToken));
    QSignalSpy hello(&client, &NodeClient::helloReceived);
    QSignalSpy keys(&client, &NodeClient::keyChanged);
    QSignalSpy stats(&client, &NodeClient::statsReceived);
    QVERIFY(client.isStale());
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(hello.count(), 1, 5000);
    QCOMPARE(node.authorizations.value(0), "Bearer " + kToken);
    QCOMPARE(client.connectionState(), NodeClient::ConnectionState::Connected);
    QCOMPARE(client.nodeId(), QStringLiteral("n1"));
    QCOMPARE(client.key(), QStringLiteral("n1"));
    QCOMPARE(keys.count(), 1);
    QVERIFY(client.isStale()); // no stats yet
    node.last()->sendTextMessage(compact(statsMessage()));
    QTRY_COMPARE_WITH_TIMEOUT(stats.count(), 1, 5000);
    QVERIFY(!client.isStale());
    QVERIFY(client.lastStatsAtMs() > 0);
    QCOMPARE(client.latestStats().value("rates").toObject().value("deliveries_per_s").toDouble(), 30.0);
    client.stop();
    QCOMPARE(client.connectionState(), NodeClient::ConnectionState::Disconnected);
}

void TestNodeClient::staleAfterSilence()
{
    NodeClient client{QUrl("http://127.0.0.1:9"), QString()};
    client.setStaleAfterMs(300);
    QSignalSpy staleChanged(&client, &NodeClient::staleChanged);
    client.handleStreamMessage(compact(statsMessage()));
    QVERIFY(!client.isStale());
    QCOMPARE(staleChanged.count(), 1);
    QCOMPARE(staleChanged.last().at(0).toBool(), false);
    QTRY_VERIFY_WITH_TIMEOUT(client.isStale(), 2000);
    QTRY_COMPARE_WITH_TIMEOUT(staleChanged.count(), 2, 2000);
    QCOMPARE(staleChanged.last().at(0).toBool(), true);
    // Stats again: fresh.
    client.handleStreamMessage(compact(statsMessage()));
    QVERIFY(!client.isStale());
}

void TestNodeClient::reconnectsAfterDrop()
{
    FakeStream node;
    NodeClient client(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(node.port())), QString::fromLatin1(kToken));
    QSignalSpy hello(&client, &NodeClient::helloReceived);
    QSignalSpy states(&client, &NodeClient::connectionStateChanged);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(hello.count(), 1, 5000);
    client.startTail(QStringLiteral("chat:lobby"));
    QTRY_COMPARE_WITH_TIMEOUT(node.received.size(), 1, 5000);
    node.last()->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("node_down"));
    QTRY_COMPARE_WITH_TIMEOUT(client.connectionState(), NodeClient::ConnectionState::Disconnected, 5000);
    // The first retry comes after 0.5 s; the tail is asked for again.
    QTRY_COMPARE_WITH_TIMEOUT(hello.count(), 2, 5000);
    QCOMPARE(node.sockets.size(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(node.received.size(), 2, 5000);
    QCOMPARE(node.received.at(1), QStringLiteral(R"({"tail":"chat:lobby"})"));
    QCOMPARE(node.authorizations.value(1), "Bearer " + kToken);
}

void TestNodeClient::tailRequests()
{
    FakeStream node;
    NodeClient client(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(node.port())), QString::fromLatin1(kToken));
    QSignalSpy hello(&client, &NodeClient::helloReceived);
    QSignalSpy tails(&client, &NodeClient::tailReceived);
    QSignalSpy tailState(&client, &NodeClient::tailStateChanged);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(hello.count(), 1, 5000);
    client.startTail(QStringLiteral("chat:lobby"));
    QTRY_COMPARE_WITH_TIMEOUT(node.received.size(), 1, 5000);
    QCOMPARE(node.received.at(0), QStringLiteral(R"({"tail":"chat:lobby"})"));
    node.last()->sendTextMessage(QStringLiteral(R"({"type":"tail_started","channel":"chat:lobby"})"));
    node.last()->sendTextMessage(QStringLiteral(R"({"type":"tail","channel":"chat:lobby","offset":121,"epoch":"s1","time":1795000000000,"data":{"text":"hi"}})"));
    QTRY_COMPARE_WITH_TIMEOUT(tails.count(), 1, 5000);
    QCOMPARE(tails.first().at(0).toJsonObject().value("offset").toInt(), 121);
    QCOMPARE(tailState.first().at(0).toBool(), true);
    client.stopTail();
    QTRY_COMPARE_WITH_TIMEOUT(node.received.size(), 2, 5000);
    QCOMPARE(node.received.at(1), QStringLiteral(R"({"tail":null})"));
    // Stopping twice sends nothing more.
    client.stopTail();
    QTest::qWait(100);
    QCOMPARE(node.received.size(), 2);
}

void TestNodeClient::eventsAndErrors()
{
    NodeClient client{QUrl("http://127.0.0.1:9"), QString()};
    QSignalSpy events(&client, &NodeClient::eventReceived);
    QSignalSpy errors(&client, &NodeClient::streamErrorReceived);
    QSignalSpy tailState(&client, &NodeClient::tailStateChanged);
    client.handleStreamMessage(QStringLiteral(R"({"type":"hello","node":{"id":"n1","state":"serving"}})"));
    client.handleStreamMessage(QStringLiteral(R"({"type":"event","event":{"kind":"state","time":1,"node":"n1","message":"draining","state":"draining"}})"));
    QCOMPARE(events.count(), 1);
    QCOMPARE(client.nodeInfo().value("state").toString(), QStringLiteral("draining"));
    client.handleStreamMessage(QStringLiteral(R"({"type":"event","event":{"kind":"node_down","time":2,"node":"n1","message":"stopping"}})"));
    QVERIFY(client.isNodeDown());
    client.handleStreamMessage(compact(statsMessage()));
    QVERIFY(!client.isNodeDown());
    client.startTail(QStringLiteral("bad name"));
    client.handleStreamMessage(QStringLiteral(R"({"type":"error","message":"bad channel name"})"));
    QCOMPARE(errors.count(), 1);
    QCOMPARE(tailState.count(), 1);
    QCOMPARE(tailState.first().at(0).toBool(), false);
    QCOMPARE(tailState.first().at(2).toString(), QStringLiteral("bad channel name"));
    // Garbage is ignored.
    client.handleStreamMessage(QStringLiteral("not json"));
    client.handleStreamMessage(QStringLiteral("[1,2]"));
    QCOMPARE(events.count(), 2);
}

void TestNodeClient::restAnswer_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expectedKey");
    QTest::addColumn<QString>("expectedValue");
    QTest::addRow("ok") << 200 << QByteArray(R"({"total":0,"channels":[]})") << "total" << "0";
    QTest::addRow("error object") << 401
                                  << QByteArray(R"({"error":{"code":"unauthorized","message":"send the admin token"}})")
                                  << "error.code" << "unauthorized";
    QTest::addRow("not json") << 502 << QByteArray("<html>bad gateway</html>") << "error.code" << "bad_answer";
}

void TestNodeClient::restAnswer()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, expectedKey);
    QFETCH(QString, expectedValue);
    FakeRest rest(status, body);
    NodeClient client(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(rest.port())), QString::fromLatin1(kToken));
    QJsonObject answer;
    bool done = false;
    client.get(QStringLiteral("/v1/admin/channels?limit=20&prefix=chat:"), this, [&](const QJsonObject& a) {
        answer = a;
        done = true;
    });
    QVERIFY(!done); // never inside the call
    QTRY_VERIFY_WITH_TIMEOUT(done, 5000);
    QVERIFY(rest.requests.value(0).startsWith("GET /v1/admin/channels?limit=20&prefix=chat: HTTP/1.1"));
    QVERIFY(rest.requests.value(0).contains("Authorization: Bearer " + kToken));
    QJsonValue value = answer;
    for (const QString& part : expectedKey.split('.'))
        value = value.toObject().value(part);
    QCOMPARE(value.isDouble() ? QString::number(value.toInt()) : value.toString(), expectedValue);
    if (answer.contains("error"))
        QVERIFY(!answer.value("error").toObject().value("message").toString().isEmpty());
}

void TestNodeClient::restUnreachable()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 port = closed.serverPort();
    closed.close();
    NodeClient client(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), QString());
    QJsonObject answer;
    client.runAction(QStringLiteral("drain"), QJsonObject{{"actor", "test"}}, this,
                     [&](const QJsonObject& a) { answer = a; });
    QTRY_VERIFY_WITH_TIMEOUT(!answer.isEmpty(), 5000);
    QCOMPARE(answer.value("error").toObject().value("code").toString(), QStringLiteral("unreachable"));
    // A callback whose context is gone is dropped.
    bool called = false;
    {
        QObject context;
        client.get(QStringLiteral("/v1/admin/node"), &context, [&](const QJsonObject&) { called = true; });
    }
    QTest::qWait(300);
    QVERIFY(!called);
}

void TestNodeClient::registryThrottlesStats()
{
    NodeRegistry registry;
    registry.setRefreshTimerEnabled(false);
    auto* client = new NodeClient(QUrl("http://127.0.0.1:9"), QString());
    registry.adoptClient(client);
    QCOMPARE(registry.nodeIds(), QStringList());
    client->handleStreamMessage(QStringLiteral(R"({"type":"hello","node":{"id":"n1","region":"local","state":"serving"}})"));
    QCOMPARE(registry.nodeIds(), QStringList{"n1"});

    QList<double> seen;
    QList<QString> events;
    auto receiver = std::make_unique<QObject>();
    registry.onStats(receiver.get(), [&](const QString& id, const QJsonObject& stats) {
        QCOMPARE(id, QStringLiteral("n1"));
        seen.append(stats.value("rates").toObject().value("deliveries_per_s").toDouble());
    });
    registry.onEvent(receiver.get(), [&](const QString& id, const QJsonObject& event) {
        events.append(id + ':' + event.value("kind").toString());
    });
    client->handleStreamMessage(compact(statsMessage(1)));
    client->handleStreamMessage(compact(statsMessage(2)));
    client->handleStreamMessage(compact(statsMessage(3)));
    QVERIFY(seen.isEmpty()); // nothing per message
    registry.refresh();
    QCOMPARE(seen, QList<double>{3}); // once per tick, the latest
    registry.refresh();
    QCOMPARE(seen.size(), 1); // nothing new, nothing delivered
    QCOMPARE(registry.latestStats("n1").value("rates").toObject().value("deliveries_per_s").toDouble(), 3.0);
    QVERIFY(!registry.isStale("n1"));
    QVERIFY(registry.isStale("n9"));

    client->handleStreamMessage(QStringLiteral(R"({"type":"event","event":{"kind":"alert_raised","time":1,"node":"n1","message":"x"}})"));
    QCOMPARE(events, QStringList{"n1:alert_raised"});

    receiver.reset();
    QTest::qWait(5);
    client->handleStreamMessage(compact(statsMessage(4)));
    registry.refresh(); // the receiver is gone: no call
    QCOMPARE(seen.size(), 1);
    client->handleStreamMessage(QStringLiteral(R"({"type":"event","event":{"kind":"node_up","time":1,"node":"n1"}})"));
    QCOMPARE(events.size(), 1);
}

void TestNodeClient::registryUnknownNode()
{
    NodeRegistry registry;
    registry.setRefreshTimerEnabled(false);
    QJsonObject answer;
    registry.get(QStringLiteral("nope"), QStringLiteral("/v1/admin/node"), [&](const QJsonObject& a) { answer = a; });
    QVERIFY(answer.isEmpty()); // never inside the call
    QTRY_VERIFY_WITH_TIMEOUT(!answer.isEmpty(), 2000);
    QCOMPARE(answer.value("error").toObject().value("code").toString(), QStringLiteral("unknown_node"));
    QJsonObject actionAnswer;
    registry.runAction(QStringLiteral("nope"), QStringLiteral("drain"), {}, [&](const QJsonObject& a) { actionAnswer = a; });
    QTRY_VERIFY_WITH_TIMEOUT(!actionAnswer.isEmpty(), 2000);
}

QTEST_MAIN(TestNodeClient)
#include "tst_node_client.moc"

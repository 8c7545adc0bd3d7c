// SPDX-License-Identifier: Apache-2.0
// End-to-end tests of the client protocol (PROTOCOL.md): authentication, every command
// and push, every error code a client can cause, bad frames, ordering, replay and
// resume, durable subscriptions, namespaces and permissions. One `aldis --daemon`
// subprocess serves the whole class; every test uses its own channels.
//
// Limits (rate, frame size, send queue, connections, origins), signals and the HTTP
// endpoints are in tst_limits.cpp, tst_lifecycle.cpp and tst_http.cpp.

#include "support/test_support.h"
#include "support/ws_test_client.h"

#include "common/time.h"
#include "security/jwt.h"

#include <QtTest>

#include <boost/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <csignal>
#include <map>
#include <thread>

using namespace aldis::test;
namespace json = boost::json;

namespace {

// The daemon's namespaces: what each test relies on.
const QString kNamespaces = QStringLiteral(R"(
[namespaces.default]
[namespaces.chat]
join_leave = true
[namespaces.feed]
client_publish = false
[namespaces.eph]
durable = false
history_size = 100
[namespaces.nopres]
presence = false
[namespaces.small]
max_message_bytes = 64
[namespaces.short]
history_size = 5
[store]
synchronous = "normal"
)");

// A token minted as if "now" were `now`, so its exp is known (and may be past).
std::string tokenAt(const std::string& sub, std::int64_t now, std::int64_t ttl,
                    std::string_view secret = DaemonProcess::kSecret)
{
    aldis::security::MintOptions options;
    options.sub = sub;
    options.ttlSeconds = ttl;
    options.kid = "test";
    auto minted = aldis::security::mintHs256(secret, options, now);
    return minted ? minted.value() : std::string();
}

std::string expiredToken(const std::string& sub)
{
    return tokenAt(sub, aldis::unixSecondsNow() - 3600, 60);
}

std::string wrongSecretToken(const std::string& sub)
{
    return tokenAt(sub, aldis::unixSecondsNow(), 3600, "another-secret-another-secret-0123456789abc");
}

std::string algNoneToken(const std::string& sub)
{
    const auto exp = aldis::unixSecondsNow() + 3600;
    return base64Url(R"({"alg":"none","typ":"JWT"})") + "." +
           base64Url(R"({"sub":")" + sub + R"(","exp":)" + std::to_string(exp) + "}") + ".";
}

// A valid token whose payload was replaced (sub changed): the signature no longer fits.
std::string tamperedToken(const std::string& sub)
{
    const auto good = token(sub);
    const auto first = good.find('.');
    const auto second = good.find('.', first + 1);
    const auto exp = aldis::unixSecondsNow() + 3600;
    return good.substr(0, first) + "." + base64Url(R"({"sub":"mallory","exp":)" + std::to_string(exp) + "}") +
           good.substr(second);
}

// An HS256 token with exactly these header and payload claims, signed with the
// daemon's secret: for claims mintHs256() refuses to produce.
std::string signedToken(const std::string& header, const std::string& payload)
{
    const auto input = base64Url(header) + "." + base64Url(payload);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int macLength = 0;
    const std::string_view secret = DaemonProcess::kSecret;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &macLength);
    return input + "." + base64Url(std::string_view(reinterpret_cast<const char*>(mac), macLength));
}

std::string claimsToken(const std::string& payload, const std::string& header = R"({"alg":"HS256","typ":"JWT"})")
{
    return signedToken(header, payload);
}

json::object since(std::int64_t offset, std::string_view epoch)
{
    return json::object{{"offset", offset}, {"epoch", epoch}};
}

} // namespace

class TestProtocol : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    // Authentication
    void connectReply();
    void connectRefused_data();
    void connectRefused();
    void headerAuth();
    void headerAuthRefused_data();
    void headerAuthRefused();
    void commandBeforeConnect_data();
    void commandBeforeConnect();
    void connectTimeout();
    void framesWithTheUpgrade_data();
    void framesWithTheUpgrade();
    void refresh();
    void tokenExpiryClosesUnlessRefreshed();

    // Commands and errors
    void ping();
    void badCommands_data();
    void badCommands();
    void idStillInFlight();
    void badFrames_data();
    void badFrames();
    void subscribePublish();
    void alreadySubscribed();
    void unsubscribe();
    void idempotentPublish_data();
    void idempotentPublish();
    void history_data();
    void history();
    void historyRetention();
    void historyDefaultLimit();
    void presence();
    void joinLeave();
    void userChannels();
    void tokenPermissions();
    void serverOnlyNamespace();
    void payloadLimit();

    // Ordering, replay and resume
    void fourPublishersOneOrder_data();
    void fourPublishersOneOrder();
    void resumeAfterDisconnect_data();
    void resumeAfterDisconnect();
    void resumeRefused();
    void replayThenLive_data();
    void replayThenLive();
    void ephemeralNamespace();
    void durableSubscription();
    void durableSubscriptionWithoutAck();
    void durableSubscriptionWithBadSince();

private:
    // A connection authenticated as `sub`; `connectOk` gets the connect reply's "ok".
    std::unique_ptr<WsTestClient> connected(const std::string& sub, const QString& permissions = {},
                                            json::object* connectOk = nullptr);
    // The node still serves: a publication goes from one long-lived client to another.
    bool nodeStillServes();

    std::unique_ptr<DaemonProcess> m_daemon;
    std::uint16_t m_port = 0;
    std::unique_ptr<WsTestClient> m_watcher;    // subscribed to "alive"
    std::unique_ptr<WsTestClient> m_publisher;
    std::int64_t m_aliveOffset = 0;
};

void TestProtocol::initTestCase()
{
    QVERIFY2(!aldisBinary().isEmpty(), "ALDIS_BINARY is not set (run through ctest)");
    m_daemon = std::make_unique<DaemonProcess>();
    writeDaemonConfig(*m_daemon, QStringLiteral("connect_timeout = \"1500ms\""), kNamespaces,
                      QStringLiteral("leeway = \"1s\""));
    QVERIFY2(m_daemon->start(), m_daemon->output().constData());
    m_port = m_daemon->port();
    m_watcher = connected("watcher");
    m_publisher = connected("publisher");
    QVERIFY(m_watcher && m_publisher);
    QVERIFY(requestOk(*m_watcher, cmd("subscribe", {{"channel", "alive"}})));
    QVERIFY(nodeStillServes());
}

void TestProtocol::cleanupTestCase()
{
    m_watcher.reset();
    m_publisher.reset();
    if (m_daemon) {
        m_daemon->signal(SIGTERM);
        QCOMPARE(m_daemon->waitForExit(), 0);
    }
}

std::unique_ptr<WsTestClient> TestProtocol::connected(const std::string& sub, const QString& permissions,
                                                      json::object* connectOk)
{
    std::string error;
    auto client = WsTestClient::open(m_port, {}, &error);
    if (!client) {
        qWarning("cannot open a WebSocket: %s", error.c_str());
        return nullptr;
    }
    if (!requestOk(*client, cmd("connect", {{"token", token(sub, permissions)}}), connectOk))
        return nullptr;
    return client;
}

bool TestProtocol::nodeStillServes()
{
    json::object ok;
    const auto n = m_aliveOffset + 1;
    if (!requestOk(*m_publisher, cmd("publish", {{"channel", "alive"}, {"data", n}}), &ok))
        return false;
    if (num(ok, "offset") != n) {
        qWarning("alive: publish answered %s, expected offset %lld", toJson(ok).c_str(), static_cast<long long>(n));
        return false;
    }
    auto push = m_watcher->nextPush();
    if (!push || num(*push, "offset") != n || num(*push, "data") != n) {
        qWarning("alive: the watcher got %s", push ? toJson(*push).c_str() : m_watcher->lastError().c_str());
        return false;
    }
    m_aliveOffset = n;
    // And a new connection is accepted and authenticated.
    return connected("newcomer") != nullptr;
}

// ---- Authentication -----------------------------------------------------------------

void TestProtocol::connectReply()
{
    const auto now = aldis::unixSecondsNow();
    auto a = WsTestClient::open(m_port);
    auto b = WsTestClient::open(m_port);
    QVERIFY(a && b);
    json::object ok;
    QVERIFY(requestOk(*a, cmd("connect", {{"token", tokenAt("alice", now, 3600)}, {"name", "tst_protocol/1"}}), &ok));
    QVERIFY2(num(ok, "client") > 0, toJson(ok).c_str());
    QCOMPARE(str(ok, "user"), std::string("alice"));
    QCOMPARE(str(ok, "node"), std::string("test-node"));
    QCOMPARE(str(ok, "region"), std::string("test"));
    QCOMPARE(num(ok, "expires_at"), now + 3600);
    QCOMPARE(num(ok, "ping_interval"), std::int64_t{25});
    json::object okB;
    QVERIFY(requestOk(*b, cmd("connect", {{"token", tokenAt("alice", now, 60)}}), &okB));
    QVERIFY2(num(okB, "client") > 0 && num(okB, "client") != num(ok, "client"), toJson(okB).c_str());
    QCOMPARE(num(okB, "expires_at"), now + 60);
    // A second connect on an authenticated connection is refused; the connection stays.
    QCOMPARE(errorOf(*a, cmd("connect", {{"token", token("alice")}})), QStringLiteral("bad_request"));
    QVERIFY(nothingQueued(*a));
}

void TestProtocol::connectRefused_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("closeCode");
    QTest::addColumn<bool>("reconnect");
    QTest::addRow("not a JWT") << "not-a-jwt" << "unauthorized" << 4001 << false;
    QTest::addRow("empty") << "" << "unauthorized" << 4001 << false;
    QTest::addRow("wrong secret") << QString::fromStdString(wrongSecretToken("alice")) << "unauthorized" << 4001 << false;
    QTest::addRow("alg none") << QString::fromStdString(algNoneToken("alice")) << "unauthorized" << 4001 << false;
    QTest::addRow("tampered payload") << QString::fromStdString(tamperedToken("alice")) << "unauthorized" << 4001
                                      << false;
    const auto exp = std::to_string(aldis::unixSecondsNow() + 3600);
    QTest::addRow("control: hand-signed") << QString::fromStdString(claimsToken(R"({"sub":"alice","exp":)" + exp + "}"))
                                          << "<ok>" << 0 << false;
    QTest::addRow("no exp") << QString::fromStdString(claimsToken(R"({"sub":"alice"})")) << "unauthorized" << 4001
                            << false;
    QTest::addRow("exp not a number")
        << QString::fromStdString(claimsToken(R"({"sub":"alice","exp":"tomorrow"})")) << "unauthorized" << 4001 << false;
    QTest::addRow("no sub") << QString::fromStdString(claimsToken(R"({"exp":)" + exp + "}")) << "unauthorized" << 4001
                            << false;
    QTest::addRow("empty sub") << QString::fromStdString(claimsToken(R"({"sub":"","exp":)" + exp + "}"))
                               << "unauthorized" << 4001 << false;
    QTest::addRow("nbf in an hour")
        << QString::fromStdString(claimsToken(R"({"sub":"alice","exp":)" + exp + R"(,"nbf":)" + exp + "}"))
        << "unauthorized" << 4001 << false;
    QTest::addRow("permissions not an object")
        << QString::fromStdString(claimsToken(R"({"sub":"alice","exp":)" + exp + R"(,"permissions":"all"})"))
        << "unauthorized" << 4001 << false;
    QTest::addRow("alg HS384 in header")
        << QString::fromStdString(claimsToken(R"({"sub":"alice","exp":)" + exp + "}", R"({"alg":"HS384","typ":"JWT"})"))
        << "unauthorized" << 4001 << false;
    QTest::addRow("unknown kid")
        << QString::fromStdString(claimsToken(R"({"sub":"alice","exp":)" + exp + "}",
                                              R"({"alg":"HS256","typ":"JWT","kid":"nope"})"))
        << "unauthorized" << 4001 << false;
    // PROTOCOL.md: 4002 means "reconnect after getting a new token".
    QTest::addRow("expired") << QString::fromStdString(expiredToken("alice")) << "token_expired" << 4002 << true;
}

void TestProtocol::connectRefused()
{
    QFETCH(QString, token);
    QFETCH(QString, code);
    QFETCH(int, closeCode);
    QFETCH(bool, reconnect);
    auto c = WsTestClient::open(m_port);
    QVERIFY(c);
    QCOMPARE(errorOf(c->connect(token)), code);
    if (closeCode == 0) { // the control row: the token helper itself is right
        QVERIFY(requestOk(*c, cmd("ping")));
        return;
    }
    QVERIFY(expectDisconnect(*c, closeCode, reconnect));
    QVERIFY(nodeStillServes());
}

void TestProtocol::headerAuth()
{
    auto c = WsTestClient::open(m_port, {{"Authorization", "Bearer " + token("carol")}});
    QVERIFY(c);
    // Authenticated without connect: commands work at once.
    QVERIFY(requestOk(*c, cmd("ping")));
    json::object ok;
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "header-auth"}}), &ok));
    QVERIFY(requestOk(*m_publisher, cmd("publish", {{"channel", "header-auth"}, {"data", "hi"}})));
    auto push = c->nextPush();
    QVERIFY2(push, c->lastError().c_str());
    QCOMPARE(str(*push, "data"), std::string("hi"));
    // The token in the header counts as connected.
    QCOMPARE(errorOf(*c, cmd("connect", {{"token", token("carol")}})), QStringLiteral("bad_request"));
    // Lower-case scheme is accepted too (RFC 7235: the scheme is case-insensitive).
    auto lower = WsTestClient::open(m_port, {{"Authorization", "bearer " + token("carol")}});
    QVERIFY(lower);
    QVERIFY(requestOk(*lower, cmd("ping")));
}

void TestProtocol::headerAuthRefused_data()
{
    QTest::addColumn<QString>("authorization");
    QTest::addColumn<int>("closeCode");
    QTest::addRow("not a JWT") << "Bearer not-a-jwt" << 4001;
    QTest::addRow("wrong secret") << QString::fromStdString("Bearer " + wrongSecretToken("carol")) << 4001;
    QTest::addRow("alg none") << QString::fromStdString("Bearer " + algNoneToken("carol")) << 4001;
    QTest::addRow("not Bearer") << "Basic YWxhZGRpbjpvcGVuc2VzYW1l" << 4001;
    QTest::addRow("expired") << QString::fromStdString("Bearer " + expiredToken("carol")) << 4002;
}

void TestProtocol::headerAuthRefused()
{
    QFETCH(QString, authorization);
    QFETCH(int, closeCode);
    int status = 0;
    std::string error;
    auto c = WsTestClient::open(m_port, {{"Authorization", authorization.toStdString()}}, &error, &status);
    QVERIFY2(c, error.c_str()); // the upgrade completes
    QVERIFY(expectDisconnect(*c, closeCode));
    QVERIFY(nodeStillServes());
}

void TestProtocol::commandBeforeConnect_data()
{
    QTest::addColumn<QByteArray>("command");
    QTest::addColumn<QString>("code");
    QTest::addRow("ping") << QByteArray(R"({"id":3,"op":"ping"})") << "unauthorized";
    QTest::addRow("subscribe") << QByteArray(R"({"id":3,"op":"subscribe","channel":"early"})") << "unauthorized";
    QTest::addRow("publish") << QByteArray(R"({"id":3,"op":"publish","channel":"early","data":1})") << "unauthorized";
    QTest::addRow("refresh") << QByteArray(R"({"id":3,"op":"refresh","token":"x"})") << "unauthorized";
    QTest::addRow("history") << QByteArray(R"({"id":3,"op":"history","channel":"early"})") << "unauthorized";
    // PROTOCOL.md: "any command other than connect" gets unauthorized, even one that
    // is malformed or unknown.
    QTest::addRow("unknown op") << QByteArray(R"({"id":3,"op":"fly"})") << "unauthorized";
    QTest::addRow("malformed subscribe") << QByteArray(R"({"id":3,"op":"subscribe"})") << "unauthorized";
    // A connect that cannot be read is refused as such, and closes too.
    QTest::addRow("connect without token") << QByteArray(R"({"id":3,"op":"connect"})") << "bad_request";
    QTest::addRow("connect, token a number") << QByteArray(R"({"id":3,"op":"connect","token":7})") << "bad_request";
}

void TestProtocol::commandBeforeConnect()
{
    QFETCH(QByteArray, command);
    QFETCH(QString, code);
    auto c = WsTestClient::open(m_port);
    QVERIFY(c);
    QVERIFY(c->sendText(command.toStdString()));
    auto reply = c->reply(3);
    QCOMPARE(errorOf(reply), code);
    QVERIFY(expectDisconnect(*c, 4001, false));
    // Nothing was published by the refused command.
    if (command.contains("publish")) {
        auto reader = connected("reader");
        QVERIFY(reader);
        json::object ok;
        QVERIFY(requestOk(*reader, cmd("history", {{"channel", "early"}}), &ok));
        QCOMPARE(ok.at("publications").as_array().size(), std::size_t{0});
    }
    QVERIFY(nodeStillServes());
}

void TestProtocol::connectTimeout()
{
    // client.connect_timeout is 1.5 s in this daemon.
    auto c = WsTestClient::open(m_port);
    QVERIFY(c);
    QVERIFY(expectDisconnect(*c, 4001, false));
    QVERIFY(nodeStillServes());
}

void TestProtocol::framesWithTheUpgrade_data()
{
    QTest::addColumn<bool>("headerAuth");
    QTest::addRow("connect frame") << false;
    QTest::addRow("Authorization header") << true;
}

void TestProtocol::framesWithTheUpgrade()
{
    // A client may send its first frames right behind the upgrade request, without
    // waiting for the 101: they arrive in the same TCP segment and must not be lost.
    QFETCH(bool, headerAuth);
    RawTcpClient raw(m_port);
    QVERIFY(raw.isConnected());
    std::string bytes;
    if (headerAuth) {
        bytes = raw.upgradeRequest({{"Authorization", "Bearer " + token("alice")}});
    } else {
        bytes = raw.upgradeRequest();
        bytes += WsTestClient::clientFrame(0x1, R"({"id":1,"op":"connect","token":")" + token("alice") + "\"}");
    }
    bytes += WsTestClient::clientFrame(0x1, R"({"id":2,"op":"ping"})");
    bytes += WsTestClient::clientFrame(0x1, R"({"id":3,"op":"subscribe","channel":"pipelined"})");
    QVERIFY(raw.write(bytes));
    const std::size_t expected = headerAuth ? 2 : 3;
    auto frames = [](const std::string& received) {
        const auto end = received.find("\r\n\r\n");
        return end == std::string::npos ? std::vector<RawTcpClient::Frame>{}
                                        : RawTcpClient::serverFrames(std::string_view(received).substr(end + 4));
    };
    const auto received = raw.readUntil([&](const std::string& r) { return frames(r).size() >= expected; });
    QVERIFY2(received.rfind("HTTP/1.1 101", 0) == 0, received.c_str());
    const auto got = frames(received);
    QCOMPARE(got.size(), expected);
    std::map<std::int64_t, json::object> replies;
    for (const auto& frame : got) {
        QCOMPARE(frame.opcode, 1u);
        auto reply = json::parse(frame.payload).as_object();
        QVERIFY2(reply.contains("ok"), frame.payload.c_str());
        replies[num(reply, "id")] = reply;
    }
    QVERIFY(replies.count(2) && replies.count(3));
    QCOMPARE(str(replies[3].at("ok").as_object(), "channel"), std::string("pipelined"));
    if (!headerAuth)
        QCOMPARE(str(replies[1].at("ok").as_object(), "user"), std::string("alice"));
}

void TestProtocol::refresh()
{
    const auto now = aldis::unixSecondsNow();
    auto c = WsTestClient::open(m_port);
    QVERIFY(c);
    QVERIFY(requestOk(*c, cmd("connect", {{"token", tokenAt("dave", now, 600)}})));
    json::object ok;
    QVERIFY(requestOk(*c, cmd("refresh", {{"token", tokenAt("dave", now, 7200)}}), &ok));
    QCOMPARE(num(ok, "expires_at"), now + 7200);
    QCOMPARE(ok.size(), std::size_t{1});
    // Another user's token, a bad token or an expired one: refused, connection stays.
    QCOMPARE(errorOf(*c, cmd("refresh", {{"token", token("eve")}})), QStringLiteral("unauthorized"));
    QCOMPARE(errorOf(*c, cmd("refresh", {{"token", "not-a-jwt"}})), QStringLiteral("unauthorized"));
    QCOMPARE(errorOf(*c, cmd("refresh", {{"token", wrongSecretToken("dave")}})), QStringLiteral("unauthorized"));
    QCOMPARE(errorOf(*c, cmd("refresh", {{"token", expiredToken("dave")}})), QStringLiteral("token_expired"));
    QCOMPARE(errorOf(*c, cmd("refresh")), QStringLiteral("bad_request"));
    QVERIFY(nothingQueued(*c));
    QVERIFY(!c->isClosed());
    // The user is still dave: dave's user channel is allowed, eve's is not.
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "chat:inbox#dave"}})));
    QCOMPARE(errorOf(*c, cmd("subscribe", {{"channel", "chat:inbox#eve"}})), QStringLiteral("permission_denied"));
}

void TestProtocol::tokenExpiryClosesUnlessRefreshed()
{
    // auth.leeway is 1 s: a token with exp = now + 2 closes the connection at now + 3.
    const auto now = aldis::unixSecondsNow();
    const auto shortLived = tokenAt("frank", now, 2);
    auto stays = WsTestClient::open(m_port);
    auto expires = WsTestClient::open(m_port);
    QVERIFY(stays && expires);
    QVERIFY(requestOk(*stays, cmd("connect", {{"token", shortLived}})));
    QVERIFY(requestOk(*expires, cmd("connect", {{"token", shortLived}})));
    QVERIFY(requestOk(*expires, cmd("subscribe", {{"channel", "expiry"}})));
    json::object ok;
    QVERIFY(requestOk(*stays, cmd("refresh", {{"token", tokenAt("frank", now, 3600)}}), &ok));
    QCOMPARE(num(ok, "expires_at"), now + 3600);

    QVERIFY(expectDisconnect(*expires, 4002, true));
    // The refreshed connection had the same deadline; give its timer the same chance.
    QTest::qWait(1000);
    QVERIFY(requestOk(*stays, cmd("ping")));
    QVERIFY(!stays->isClosed());
    // The expired connection's subscription is gone.
    json::object presence;
    QVERIFY(requestOk(*stays, cmd("presence", {{"channel", "expiry"}}), &presence));
    QCOMPARE(num(presence, "count"), std::int64_t{0});
}

// ---- Commands and errors ------------------------------------------------------------

void TestProtocol::ping()
{
    auto c = connected("pinger");
    QVERIFY(c);
    auto reply = c->request(cmd("ping"));
    QVERIFY(reply);
    QCOMPARE(reply->size(), std::size_t{2}); // id and ok
    QVERIFY(reply->contains("ok") && reply->at("ok").is_object());
    QCOMPARE(reply->at("ok").as_object().size(), std::size_t{0});
    // Ids may be reused once answered.
    QVERIFY(requestOk(*c, json::object{{"id", 77}, {"op", "ping"}}));
    QVERIFY(requestOk(*c, json::object{{"id", 77}, {"op", "ping"}}));
    // Large ids are fine.
    QVERIFY(requestOk(*c, json::object{{"id", std::int64_t{9007199254740991}}, {"op", "ping"}}));
}

void TestProtocol::badCommands_data()
{
    QTest::addColumn<QString>("permissions"); // token permissions claim, empty for none
    QTest::addColumn<QByteArray>("frame");     // "$ALICE" / "$BOB" become tokens
    QTest::addColumn<int>("id");               // -1: "id": null
    QTest::addColumn<QString>("code");

    const QByteArray longChannel(256, 'a');
    const QByteArray longKey(129, 'k');
    const QByteArray bigData = QByteArray("\"") + QByteArray(100, 'x') + "\"";
    const QString chatOnly = QStringLiteral(R"({"subscribe":["chat:*"],"publish":["chat:*"]})");

    QTest::addRow("no id") << QString() << QByteArray(R"({"op":"ping"})") << -1 << "bad_request";
    QTest::addRow("id 0") << QString() << QByteArray(R"({"id":0,"op":"ping"})") << -1 << "bad_request";
    QTest::addRow("negative id") << QString() << QByteArray(R"({"id":-3,"op":"ping"})") << -1 << "bad_request";
    QTest::addRow("string id") << QString() << QByteArray(R"({"id":"7","op":"ping"})") << -1 << "bad_request";
    QTest::addRow("fractional id") << QString() << QByteArray(R"({"id":1.5,"op":"ping"})") << -1 << "bad_request";
    QTest::addRow("null id") << QString() << QByteArray(R"({"id":null,"op":"ping"})") << -1 << "bad_request";
    QTest::addRow("no op") << QString() << QByteArray(R"({"id":7})") << 7 << "bad_request";
    QTest::addRow("op not a string") << QString() << QByteArray(R"({"id":7,"op":1})") << 7 << "bad_request";
    QTest::addRow("unknown op") << QString() << QByteArray(R"({"id":7,"op":"fly"})") << 7 << "unknown_op";
    QTest::addRow("connect again") << QString() << QByteArray(R"({"id":7,"op":"connect","token":"$ALICE"})") << 7
                                   << "bad_request";
    QTest::addRow("refresh other user") << QString() << QByteArray(R"({"id":7,"op":"refresh","token":"$BOB"})")
                                        << 7 << "unauthorized";
    QTest::addRow("refresh bad token") << QString() << QByteArray(R"({"id":7,"op":"refresh","token":"x.y.z"})")
                                       << 7 << "unauthorized";
    QTest::addRow("refresh no token") << QString() << QByteArray(R"({"id":7,"op":"refresh"})") << 7
                                      << "bad_request";

    QTest::addRow("subscribe no channel") << QString() << QByteArray(R"({"id":7,"op":"subscribe"})") << 7
                                          << "bad_request";
    QTest::addRow("subscribe channel number") << QString() << QByteArray(R"({"id":7,"op":"subscribe","channel":5})")
                                              << 7 << "bad_request";
    QTest::addRow("subscribe empty channel") << QString() << QByteArray(R"({"id":7,"op":"subscribe","channel":""})")
                                             << 7 << "bad_request";
    QTest::addRow("subscribe space in name")
        << QString() << QByteArray(R"({"id":7,"op":"subscribe","channel":"a b"})") << 7 << "bad_request";
    QTest::addRow("subscribe 256 bytes")
        << QString() << QByteArray(R"({"id":7,"op":"subscribe","channel":")") + longChannel + "\"}" << 7
        << "bad_request";
    QTest::addRow("subscribe since not object")
        << QString() << QByteArray(R"({"id":7,"op":"subscribe","channel":"bc","since":5})") << 7 << "bad_request";
    QTest::addRow("subscribe since no offset")
        << QString() << QByteArray(R"({"id":7,"op":"subscribe","channel":"bc","since":{"epoch":"x"}})") << 7
        << "bad_request";
    QTest::addRow("subscribe since negative")
        << QString() << QByteArray(R"({"id":7,"op":"subscribe","channel":"bc","since":{"offset":-1,"epoch":""}})")
        << 7 << "bad_request";
    QTest::addRow("subscribe durable empty")
        << QString() << QByteArray(R"({"id":7,"op":"subscribe","channel":"bc","durable":""})") << 7 << "bad_request";
    QTest::addRow("subscribe unknown namespace")
        << QString() << QByteArray(R"({"id":7,"op":"subscribe","channel":"nope:x"})") << 7 << "unknown_channel";
    QTest::addRow("subscribe other user's channel")
        << QString() << QByteArray(R"({"id":7,"op":"subscribe","channel":"chat:inbox#bob"})") << 7
        << "permission_denied";
    QTest::addRow("subscribe user channel of nobody")
        << QString() << QByteArray(R"({"id":7,"op":"subscribe","channel":"inbox#"})") << 7 << "permission_denied";
    QTest::addRow("subscribe denied by token")
        << chatOnly << QByteArray(R"({"id":7,"op":"subscribe","channel":"bc"})") << 7 << "permission_denied";
    QTest::addRow("unsubscribe not subscribed")
        << QString() << QByteArray(R"({"id":7,"op":"unsubscribe","channel":"bc"})") << 7 << "not_subscribed";
    QTest::addRow("unsubscribe no channel") << QString() << QByteArray(R"({"id":7,"op":"unsubscribe"})") << 7
                                            << "bad_request";

    QTest::addRow("publish no data") << QString() << QByteArray(R"({"id":7,"op":"publish","channel":"bc"})") << 7
                                     << "bad_request";
    QTest::addRow("publish no channel") << QString() << QByteArray(R"({"id":7,"op":"publish","data":1})") << 7
                                        << "bad_request";
    QTest::addRow("publish empty key")
        << QString() << QByteArray(R"({"id":7,"op":"publish","channel":"bc","data":1,"key":""})") << 7
        << "bad_request";
    QTest::addRow("publish key 129 chars")
        << QString() << QByteArray(R"({"id":7,"op":"publish","channel":"bc","data":1,"key":")") + longKey + "\"}"
        << 7 << "bad_request";
    QTest::addRow("publish key number")
        << QString() << QByteArray(R"({"id":7,"op":"publish","channel":"bc","data":1,"key":5})") << 7
        << "bad_request";
    QTest::addRow("publish unknown namespace")
        << QString() << QByteArray(R"({"id":7,"op":"publish","channel":"nope:x","data":1})") << 7
        << "unknown_channel";
    QTest::addRow("publish client_publish false")
        << QString() << QByteArray(R"({"id":7,"op":"publish","channel":"feed:x","data":1})") << 7
        << "permission_denied";
    QTest::addRow("publish denied by token")
        << chatOnly << QByteArray(R"({"id":7,"op":"publish","channel":"bc","data":1})") << 7 << "permission_denied";
    QTest::addRow("publish too large")
        << QString() << QByteArray(R"({"id":7,"op":"publish","channel":"small:x","data":)") + bigData + "}" << 7
        << "payload_too_large";

    QTest::addRow("ack not subscribed")
        << QString() << QByteArray(R"({"id":7,"op":"ack","channel":"bc","offset":1})") << 7 << "not_subscribed";
    QTest::addRow("ack no offset") << QString() << QByteArray(R"({"id":7,"op":"ack","channel":"bc"})") << 7
                                   << "bad_request";
    QTest::addRow("ack negative offset")
        << QString() << QByteArray(R"({"id":7,"op":"ack","channel":"bc","offset":-2})") << 7 << "bad_request";

    QTest::addRow("history limit 0")
        << QString() << QByteArray(R"({"id":7,"op":"history","channel":"bc","limit":0})") << 7 << "bad_request";
    QTest::addRow("history limit 1001")
        << QString() << QByteArray(R"({"id":7,"op":"history","channel":"bc","limit":1001})") << 7 << "bad_request";
    QTest::addRow("history limit string")
        << QString() << QByteArray(R"({"id":7,"op":"history","channel":"bc","limit":"5"})") << 7 << "bad_request";
    QTest::addRow("history reverse string")
        << QString() << QByteArray(R"({"id":7,"op":"history","channel":"bc","reverse":"yes"})") << 7
        << "bad_request";
    QTest::addRow("history since not object")
        << QString() << QByteArray(R"({"id":7,"op":"history","channel":"bc","since":"1"})") << 7 << "bad_request";
    QTest::addRow("history unknown namespace")
        << QString() << QByteArray(R"({"id":7,"op":"history","channel":"nope:x"})") << 7 << "unknown_channel";
    QTest::addRow("history denied by token")
        << chatOnly << QByteArray(R"({"id":7,"op":"history","channel":"bc"})") << 7 << "permission_denied";
    QTest::addRow("history other user's channel")
        << QString() << QByteArray(R"({"id":7,"op":"history","channel":"chat:inbox#bob"})") << 7
        << "permission_denied";

    QTest::addRow("presence turned off")
        << QString() << QByteArray(R"({"id":7,"op":"presence","channel":"nopres:x"})") << 7 << "bad_request";
    QTest::addRow("presence unknown namespace")
        << QString() << QByteArray(R"({"id":7,"op":"presence","channel":"nope:x"})") << 7 << "unknown_channel";
    QTest::addRow("presence denied by token")
        << chatOnly << QByteArray(R"({"id":7,"op":"presence","channel":"bc"})") << 7 << "permission_denied";
    QTest::addRow("presence other user's channel")
        << QString() << QByteArray(R"({"id":7,"op":"presence","channel":"chat:inbox#bob"})") << 7
        << "permission_denied";
}

void TestProtocol::badCommands()
{
    QFETCH(QString, permissions);
    QFETCH(QByteArray, frame);
    QFETCH(int, id);
    QFETCH(QString, code);
    frame.replace("$ALICE", QByteArray::fromStdString(token("alice")));
    frame.replace("$BOB", QByteArray::fromStdString(token("bob")));

    auto c = connected("alice", permissions);
    QVERIFY(c);
    QVERIFY(c->sendText(frame.toStdString()));
    auto reply = c->next();
    QVERIFY2(reply, c->lastError().c_str());
    if (id < 0) {
        QVERIFY2(reply->contains("id") && reply->at("id").is_null(), toJson(*reply).c_str());
    } else {
        QCOMPARE(num(*reply, "id"), std::int64_t{id});
    }
    QCOMPARE(errorOf(reply), code);
    // An error reply leaves the connection usable.
    QVERIFY(nothingQueued(*c));
    QVERIFY(!c->isClosed());
    QVERIFY(nodeStillServes());
}

void TestProtocol::idStillInFlight()
{
    // Three commands in one TCP write, so the node reads them together: a durable
    // publish (answered only after the store commits) and two pings reusing its id
    // while it is still in flight. Both pings must be refused.
    auto c = connected("alice");
    QVERIFY(c);
    std::string bytes = WsTestClient::clientFrame(0x1, R"({"id":5,"op":"publish","channel":"inflight","data":1})");
    bytes += WsTestClient::clientFrame(0x1, R"({"id":5,"op":"ping"})");
    bytes += WsTestClient::clientFrame(0x1, R"({"id":5,"op":"ping"})");
    QVERIFY(c->sendRaw(bytes));
    int published = 0, refused = 0, other = 0;
    for (int i = 0; i < 3; ++i) {
        auto reply = c->reply(5);
        QVERIFY2(reply, c->lastError().c_str());
        if (errorOf(reply) == QLatin1String("bad_request"))
            ++refused;
        else if (reply->contains("ok") && num(reply->at("ok").as_object(), "offset") == 1)
            ++published;
        else
            ++other, qWarning("unexpected reply %s", toJson(*reply).c_str());
    }
    QCOMPARE(published, 1);
    QCOMPARE(refused, 2);
    QCOMPARE(other, 0);
    QVERIFY(nothingQueued(*c));
}

void TestProtocol::badFrames_data()
{
    QTest::addColumn<QByteArray>("bytes");  // raw bytes on the socket
    QTest::addColumn<bool>("connectFirst");
    QTest::addColumn<int>("closeCode");
    auto frame = [](unsigned opcode, const QByteArray& payload, bool fin = true, bool masked = true,
                    unsigned rsv = 0) {
        return QByteArray::fromStdString(
            WsTestClient::clientFrame(opcode, std::string_view(payload.constData(), payload.size()), fin, masked, rsv));
    };
    const QByteArray ping = R"({"id":1,"op":"ping"})";
    QByteArray deep = QByteArray(100, '[') + QByteArray(100, ']');

    QTest::addRow("binary frame") << frame(0x2, ping) << true << 4004;
    QTest::addRow("binary before connect") << frame(0x2, ping) << false << 4004;
    QTest::addRow("not JSON") << frame(0x1, "hello") << true << 4004;
    QTest::addRow("not JSON before connect") << frame(0x1, "hello") << false << 4004;
    QTest::addRow("truncated JSON") << frame(0x1, R"({"id":1,"op":)") << true << 4004;
    QTest::addRow("JSON array") << frame(0x1, "[1,2]") << true << 4004;
    QTest::addRow("JSON number") << frame(0x1, "42") << true << 4004;
    QTest::addRow("JSON string") << frame(0x1, "\"ping\"") << true << 4004;
    QTest::addRow("JSON null") << frame(0x1, "null") << true << 4004;
    QTest::addRow("empty text") << frame(0x1, "") << true << 4004;
    QTest::addRow("JSON nested too deep") << frame(0x1, deep) << true << 4004;
    QTest::addRow("invalid UTF-8 byte") << frame(0x1, "{\"id\":1,\"op\":\"ping\",\"x\":\"\xff\"}") << true << 4004;
    QTest::addRow("overlong UTF-8") << frame(0x1, "{\"id\":1,\"op\":\"ping\",\"x\":\"\xc0\xaf\"}") << true << 4004;
    QTest::addRow("UTF-16 surrogate") << frame(0x1, "{\"id\":1,\"op\":\"ping\",\"x\":\"\xed\xa0\x80\"}") << true
                                      << 4004;
    QTest::addRow("truncated UTF-8") << frame(0x1, "{\"id\":1,\"op\":\"ping\",\"x\":\"\xe2\x82") << true << 4004;
    // client.max_frame_bytes is the default 64 KiB here.
    QTest::addRow("frame over 64 KiB") << frame(0x1, QByteArray(64 * 1024 + 1, ' ')) << true << 1009;
    QTest::addRow("fragments over 64 KiB") << frame(0x1, QByteArray(40000, ' '), false) + frame(0x0, QByteArray(40000, ' '))
                                           << true << 1009;
    // RFC 6455 protocol errors.
    QTest::addRow("unmasked frame") << frame(0x1, ping, true, false) << true << 1002;
    QTest::addRow("reserved bit") << frame(0x1, ping, true, true, 4) << true << 1002;
    QTest::addRow("unknown opcode") << frame(0x3, ping) << true << 1002;
    QTest::addRow("continuation first") << frame(0x0, ping) << true << 1002;
}

void TestProtocol::badFrames()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, connectFirst);
    QFETCH(int, closeCode);
    std::unique_ptr<WsTestClient> c = connectFirst ? connected("alice") : WsTestClient::open(m_port);
    QVERIFY(c);
    QVERIFY(c->sendRaw(std::string_view(bytes.constData(), bytes.size())));
    QVERIFY(expectDisconnect(*c, closeCode, false));
    QVERIFY(nodeStillServes());
}

void TestProtocol::subscribePublish()
{
    auto alice = connected("alice");
    auto bob = connected("bob");
    QVERIFY(alice && bob);
    json::object ok;
    QVERIFY(requestOk(*alice, cmd("subscribe", {{"channel", "basic"}}), &ok));
    // A durable channel never published to: its epoch is fixed by this first
    // subscribe (so the position stays valid once publications arrive), offset 0.
    QCOMPARE(str(ok, "channel"), std::string("basic"));
    const std::string subscribedEpoch = str(ok, "epoch");
    QCOMPARE(subscribedEpoch.size(), std::size_t{16});
    QCOMPARE(num(ok, "offset"), std::int64_t{0});
    QCOMPARE(ok.at("recovered"), json::value(false));
    QCOMPARE(num(ok, "replayed"), std::int64_t{0});

    const std::vector<json::value> values = {
        json::value("text"), json::value(42), json::value(-1.5), json::value(true), json::value(nullptr),
        json::parse(R"([1,"two",{"three":3}])"), json::parse(R"({"k":{"n":1,"s":"\u00e9\u2713\ud83d\ude00"}})"),
        json::value(""),
    };
    std::string epoch;
    for (std::size_t i = 0; i < values.size(); ++i) {
        json::object pub;
        QVERIFY(requestOk(*bob, json::object{{"op", "publish"}, {"channel", "basic"}, {"data", values[i]}}, &pub));
        QCOMPARE(num(pub, "offset"), static_cast<std::int64_t>(i + 1));
        QCOMPARE(pub.at("duplicate"), json::value(false));
        if (i == 0)
            epoch = str(pub, "epoch");
        QCOMPARE(epoch, subscribedEpoch);
        QCOMPARE(str(pub, "epoch"), epoch);
    }
    auto pushes = collectPushes(*alice, values.size());
    QVERIFY(consecutivePubs(pushes, "basic", 1, values.size()));
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto& p = pushes[i];
        QCOMPARE(p.at("data"), values[i]);
        QCOMPARE(str(p, "user"), std::string("bob"));
        QVERIFY2(num(p, "ts") > 1'600'000'000'000, toJson(p).c_str()); // unix milliseconds
        QVERIFY2(!p.contains("key"), toJson(p).c_str());
    }
    QVERIFY(nothingQueued(*alice));
    // The publisher is not subscribed: it gets replies only.
    QVERIFY(nothingQueued(*bob));
    // A new subscriber starts at the current end.
    auto carol = connected("carol");
    QVERIFY(carol);
    QVERIFY(requestOk(*carol, cmd("subscribe", {{"channel", "basic"}}), &ok));
    QCOMPARE(num(ok, "offset"), static_cast<std::int64_t>(values.size()));
    QCOMPARE(str(ok, "epoch"), epoch);
    QCOMPARE(ok.at("recovered"), json::value(false));
    QCOMPARE(num(ok, "replayed"), std::int64_t{0});
    QVERIFY(nothingQueued(*carol));
    // A subscribed publisher gets its own publication.
    QVERIFY(requestOk(*carol, cmd("publish", {{"channel", "basic"}, {"data", "self"}})));
    auto own = carol->nextPush();
    QVERIFY(own);
    QCOMPARE(num(*own, "offset"), static_cast<std::int64_t>(values.size() + 1));
    QCOMPARE(str(*own, "user"), std::string("carol"));
}

void TestProtocol::alreadySubscribed()
{
    auto c = connected("alice");
    QVERIFY(c);
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "twice"}})));
    QCOMPARE(errorOf(*c, cmd("subscribe", {{"channel", "twice"}})), QStringLiteral("already_subscribed"));
    QCOMPARE(errorOf(*c, cmd("subscribe", {{"channel", "twice"}, {"since", since(0, "")}})),
             QStringLiteral("already_subscribed"));
    // Still subscribed exactly once: one push per publication.
    QVERIFY(requestOk(*m_publisher, cmd("publish", {{"channel", "twice"}, {"data", 1}})));
    auto pushes = collectPushes(*c, 1);
    QVERIFY(consecutivePubs(pushes, "twice", 1, 1));
    QVERIFY(nothingQueued(*c));
}

void TestProtocol::unsubscribe()
{
    auto c = connected("alice");
    QVERIFY(c);
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "unsub"}})));
    json::object ok;
    QVERIFY(requestOk(*c, cmd("unsubscribe", {{"channel", "unsub"}}), &ok));
    QCOMPARE(ok.size(), std::size_t{0});
    QVERIFY(requestOk(*m_publisher, cmd("publish", {{"channel", "unsub"}, {"data", 1}})));
    QVERIFY(nothingQueued(*c));
    QCOMPARE(errorOf(*c, cmd("unsubscribe", {{"channel", "unsub"}})), QStringLiteral("not_subscribed"));
    // Subscribing again works and starts at the current end.
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "unsub"}}), &ok));
    QCOMPARE(num(ok, "offset"), std::int64_t{1});
    QVERIFY(requestOk(*m_publisher, cmd("publish", {{"channel", "unsub"}, {"data", 2}})));
    QVERIFY(consecutivePubs(collectPushes(*c, 1), "unsub", 2, 1));
}

void TestProtocol::idempotentPublish_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addRow("durable") << "idem";
    QTest::addRow("ephemeral") << "eph:idem";
}

void TestProtocol::idempotentPublish()
{
    QFETCH(QString, channel);
    const auto ch = channel.toStdString();
    auto sub = connected("alice");
    auto pub = connected("bob");
    QVERIFY(sub && pub);
    QVERIFY(requestOk(*sub, cmd("subscribe", {{"channel", ch}})));
    json::object first, again, other;
    QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", 1}, {"key", "k-1"}}), &first));
    QCOMPARE(num(first, "offset"), std::int64_t{1});
    QCOMPARE(first.at("duplicate"), json::value(false));
    // Same key, other data, even from another connection: not published again.
    QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", 2}, {"key", "k-1"}}), &again));
    QCOMPARE(num(again, "offset"), std::int64_t{1});
    QCOMPARE(again.at("duplicate"), json::value(true));
    QCOMPARE(str(again, "epoch"), str(first, "epoch"));
    auto pub2 = connected("carol");
    QVERIFY(pub2);
    QVERIFY(requestOk(*pub2, cmd("publish", {{"channel", ch}, {"data", 3}, {"key", "k-1"}}), &again));
    QCOMPARE(num(again, "offset"), std::int64_t{1});
    QCOMPARE(again.at("duplicate"), json::value(true));
    // The key of 128 characters is the longest allowed.
    const std::string longKey(128, 'k');
    QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", 4}, {"key", longKey}}), &other));
    QCOMPARE(num(other, "offset"), std::int64_t{2});
    QCOMPARE(other.at("duplicate"), json::value(false));

    auto pushes = collectPushes(*sub, 2);
    QVERIFY(consecutivePubs(pushes, ch, 1, 2));
    QCOMPARE(pushes[0].at("data"), json::value(1));
    QCOMPARE(str(pushes[0], "key"), std::string("k-1"));
    QCOMPARE(pushes[1].at("data"), json::value(4));
    QCOMPARE(str(pushes[1], "key"), longKey);
    QVERIFY(nothingQueued(*sub));
    // The same key on another channel is another publication.
    QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch + "-other"}, {"data", 1}, {"key", "k-1"}}), &other));
    QCOMPARE(other.at("duplicate"), json::value(false));
    // History holds each publication once.
    json::object hist;
    QVERIFY(requestOk(*sub, cmd("history", {{"channel", ch}}), &hist));
    QCOMPARE(hist.at("publications").as_array().size(), std::size_t{2});
}

void TestProtocol::history_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addRow("durable") << "hist";
    QTest::addRow("ephemeral") << "eph:hist";
}

void TestProtocol::history()
{
    QFETCH(QString, channel);
    const auto ch = channel.toStdString();
    auto c = connected("alice");
    QVERIFY(c);
    json::object ok;
    QVERIFY(requestOk(*c, cmd("history", {{"channel", ch}}), &ok));
    QCOMPARE(num(ok, "offset"), std::int64_t{0});
    QCOMPARE(ok.at("publications").as_array().size(), std::size_t{0});
    // Reading a durable channel that has no stream creates none: no epoch yet.
    if (!channel.startsWith(QLatin1String("eph:")))
        QCOMPARE(str(ok, "epoch"), std::string(""));

    std::string epoch;
    for (int i = 1; i <= 10; ++i) {
        json::object pub;
        QVERIFY(requestOk(*m_publisher, json::object{{"op", "publish"}, {"channel", ch},
                                                     {"data", {{"n", i}}}, {"key", "h" + std::to_string(i)}}, &pub));
        epoch = str(pub, "epoch");
    }
    auto offsets = [](const json::object& reply) {
        std::vector<std::int64_t> out;
        for (const auto& p : reply.at("publications").as_array())
            out.push_back(num(p.as_object(), "offset"));
        return out;
    };
    using V = std::vector<std::int64_t>;

    QVERIFY(requestOk(*c, cmd("history", {{"channel", ch}}), &ok));
    QCOMPARE(str(ok, "epoch"), epoch);
    QCOMPARE(num(ok, "offset"), std::int64_t{10});
    QCOMPARE(offsets(ok), (V{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    for (const auto& v : ok.at("publications").as_array()) {
        const auto& p = v.as_object();
        QCOMPARE(str(p, "channel"), ch);
        QCOMPARE(num(p.at("data").as_object(), "n"), num(p, "offset"));
        QCOMPARE(str(p, "user"), std::string("publisher"));
        QCOMPARE(str(p, "key"), "h" + std::to_string(num(p, "offset")));
        QVERIFY(num(p, "ts") > 1'600'000'000'000);
        QVERIFY2(!p.contains("push"), toJson(p).c_str());
    }
    QVERIFY(requestOk(*c, cmd("history", {{"channel", ch}, {"limit", 3}}), &ok));
    QCOMPARE(offsets(ok), (V{1, 2, 3}));
    QVERIFY(requestOk(*c, cmd("history", {{"channel", ch}, {"limit", 1000}}), &ok));
    QCOMPARE(offsets(ok).size(), std::size_t{10});
    QVERIFY(requestOk(*c, cmd("history", {{"channel", ch}, {"since", since(7, epoch)}}), &ok));
    QCOMPARE(offsets(ok), (V{8, 9, 10}));
    QCOMPARE(num(ok, "offset"), std::int64_t{10});
    QVERIFY(requestOk(*c, cmd("history", {{"channel", ch}, {"since", since(7, epoch)}, {"limit", 2}}), &ok));
    QCOMPARE(offsets(ok), (V{8, 9}));
    QVERIFY(requestOk(*c, cmd("history", {{"channel", ch}, {"reverse", true}, {"limit", 2}}), &ok));
    QCOMPARE(offsets(ok), (V{10, 9}));
    QVERIFY(requestOk(*c, cmd("history", {{"channel", ch}, {"reverse", true}, {"since", since(7, epoch)}}), &ok));
    QCOMPARE(offsets(ok), (V{10, 9, 8}));
    QVERIFY(requestOk(*c, cmd("history", {{"channel", ch}, {"reverse", false}, {"limit", 1}}), &ok));
    QCOMPARE(offsets(ok), (V{1}));
    QVERIFY(requestOk(*c, cmd("history", {{"channel", ch}, {"since", since(10, epoch)}}), &ok));
    QCOMPARE(offsets(ok), V{});
    // History needs no subscription and sends no push.
    QVERIFY(nothingQueued(*c));
}

void TestProtocol::historyRetention()
{
    // Namespace "short" keeps 5 publications.
    auto c = connected("alice");
    QVERIFY(c);
    for (int i = 1; i <= 8; ++i)
        QVERIFY(requestOk(*m_publisher, cmd("publish", {{"channel", "short:kept"}, {"data", i}})));
    json::object ok;
    QVERIFY(requestOk(*c, cmd("history", {{"channel", "short:kept"}}), &ok));
    QCOMPARE(num(ok, "offset"), std::int64_t{8});
    std::vector<std::int64_t> got;
    for (const auto& p : ok.at("publications").as_array())
        got.push_back(num(p.as_object(), "offset"));
    QCOMPARE(got, (std::vector<std::int64_t>{4, 5, 6, 7, 8}));
}

void TestProtocol::historyDefaultLimit()
{
    // Without "limit", history answers 100 publications.
    std::vector<std::int64_t> all;
    for (std::int64_t i = 1; i <= 150; ++i)
        QVERIFY(requestOk(*m_publisher, cmd("publish", {{"channel", "hist-many"}, {"data", i}})));
    json::object ok;
    QVERIFY(requestOk(*m_publisher, cmd("history", {{"channel", "hist-many"}}), &ok));
    const auto& pubs = ok.at("publications").as_array();
    QCOMPARE(pubs.size(), std::size_t{100});
    QCOMPARE(num(pubs.front().as_object(), "offset"), std::int64_t{1});
    QCOMPARE(num(pubs.back().as_object(), "offset"), std::int64_t{100});
    QVERIFY(requestOk(*m_publisher, cmd("history", {{"channel", "hist-many"}, {"reverse", true}}), &ok));
    const auto& newest = ok.at("publications").as_array();
    QCOMPARE(newest.size(), std::size_t{100});
    QCOMPARE(num(newest.front().as_object(), "offset"), std::int64_t{150});
    QCOMPARE(num(newest.back().as_object(), "offset"), std::int64_t{51});
}

void TestProtocol::presence()
{
    json::object aliceOk, bobOk;
    auto aliceConn = connected("alice", {}, &aliceOk);
    auto bobConn = connected("bob", {}, &bobOk);
    auto carol = connected("carol");
    QVERIFY(aliceConn && bobConn && carol);
    QVERIFY(requestOk(*aliceConn, cmd("subscribe", {{"channel", "pres"}})));
    QVERIFY(requestOk(*bobConn, cmd("subscribe", {{"channel", "pres"}})));

    json::object ok;
    QVERIFY(requestOk(*carol, cmd("presence", {{"channel", "pres"}}), &ok)); // carol is not subscribed
    QCOMPARE(num(ok, "count"), std::int64_t{2});
    std::map<std::int64_t, std::string> clients;
    for (const auto& v : ok.at("clients").as_array())
        clients[num(v.as_object(), "client")] = str(v.as_object(), "user");
    const std::map<std::int64_t, std::string> expected{{num(aliceOk, "client"), "alice"},
                                                       {num(bobOk, "client"), "bob"}};
    QCOMPARE(clients, expected);

    QVERIFY(requestOk(*aliceConn, cmd("unsubscribe", {{"channel", "pres"}})));
    QVERIFY(requestOk(*carol, cmd("presence", {{"channel", "pres"}}), &ok));
    QCOMPARE(num(ok, "count"), std::int64_t{1});
    QCOMPARE(num(ok.at("clients").as_array().at(0).as_object(), "client"), num(bobOk, "client"));

    // A closed connection leaves presence.
    QVERIFY(bobConn->close());
    QTRY_VERIFY_WITH_TIMEOUT(requestOk(*carol, cmd("presence", {{"channel", "pres"}}), &ok) && num(ok, "count") == 0,
                             10000);
    QCOMPARE(ok.at("clients").as_array().size(), std::size_t{0});
    // A channel nobody used.
    QVERIFY(requestOk(*carol, cmd("presence", {{"channel", "chat:empty"}}), &ok));
    QCOMPARE(num(ok, "count"), std::int64_t{0});
}

void TestProtocol::joinLeave()
{
    auto alice = connected("alice");
    QVERIFY(alice);
    QVERIFY(requestOk(*alice, cmd("subscribe", {{"channel", "chat:room"}})));
    json::object bobOk;
    auto bob = connected("bob", {}, &bobOk);
    QVERIFY(bob);
    const auto bobId = num(bobOk, "client");
    QVERIFY(requestOk(*bob, cmd("subscribe", {{"channel", "chat:room"}})));

    auto join = alice->nextPush();
    QVERIFY2(join, alice->lastError().c_str());
    QCOMPARE(toJson(*join), toJson(json::object{{"push", "join"}, {"channel", "chat:room"}, {"client", bobId},
                                                {"user", "bob"}}));
    QVERIFY(nothingQueued(*bob)); // no join push about oneself

    QVERIFY(requestOk(*bob, cmd("unsubscribe", {{"channel", "chat:room"}})));
    auto leave = alice->nextPush();
    QVERIFY2(leave, alice->lastError().c_str());
    QCOMPARE(toJson(*leave), toJson(json::object{{"push", "leave"}, {"channel", "chat:room"}, {"client", bobId},
                                                 {"user", "bob"}}));

    // A connection that goes away leaves too.
    json::object carolOk;
    auto carol = connected("carol", {}, &carolOk);
    QVERIFY(carol);
    QVERIFY(requestOk(*carol, cmd("subscribe", {{"channel", "chat:room"}})));
    join = alice->nextPush();
    QVERIFY(join);
    QCOMPARE(str(*join, "push"), std::string("join"));
    QCOMPARE(num(*join, "client"), num(carolOk, "client"));
    carol->abort();
    leave = alice->nextPush();
    QVERIFY2(leave, alice->lastError().c_str());
    QCOMPARE(str(*leave, "push"), std::string("leave"));
    QCOMPARE(num(*leave, "client"), num(carolOk, "client"));
    QCOMPARE(str(*leave, "user"), std::string("carol"));
    QVERIFY(nothingQueued(*alice));

    // The default namespace has join_leave = false.
    QVERIFY(requestOk(*alice, cmd("subscribe", {{"channel", "quiet"}})));
    QVERIFY(requestOk(*bob, cmd("subscribe", {{"channel", "quiet"}})));
    QVERIFY(requestOk(*bob, cmd("unsubscribe", {{"channel", "quiet"}})));
    QVERIFY(nothingQueued(*alice));
}

void TestProtocol::userChannels()
{
    auto alice = connected("alice");
    auto bob = connected("bob");
    auto carol = connected("carol");
    QVERIFY(alice && bob && carol);
    QVERIFY(requestOk(*alice, cmd("subscribe", {{"channel", "chat:inbox#alice"}})));
    QCOMPARE(errorOf(*bob, cmd("subscribe", {{"channel", "chat:inbox#alice"}})), QStringLiteral("permission_denied"));
    // A name that only starts like alice's is someone else's.
    QCOMPARE(errorOf(*alice, cmd("subscribe", {{"channel", "chat:inbox#alice2"}})),
             QStringLiteral("permission_denied"));
    // The server API may write to anyone's channel.
    auto res = httpPublish(m_port, json::object{{"channel", "chat:inbox#alice"}, {"data", "for alice"}});
    QCOMPARE(res.status, 200);
    auto push = alice->nextPush();
    QVERIFY(push);
    QCOMPARE(str(*push, "data"), std::string("for alice"));
    QVERIFY2(push->at("user").is_null(), toJson(*push).c_str());
    // A channel of several users.
    QVERIFY(requestOk(*alice, cmd("subscribe", {{"channel", "dm#alice,bob"}})));
    QVERIFY(requestOk(*bob, cmd("subscribe", {{"channel", "dm#alice,bob"}})));
    QCOMPARE(errorOf(*carol, cmd("subscribe", {{"channel", "dm#alice,bob"}})), QStringLiteral("permission_denied"));
    QVERIFY(requestOk(*bob, cmd("publish", {{"channel", "dm#alice,bob"}, {"data", "hi alice"}})));
    push = alice->nextPush();
    QVERIFY(push);
    QCOMPARE(str(*push, "data"), std::string("hi alice"));
}

void TestProtocol::tokenPermissions()
{
    auto limited = connected("lim", QStringLiteral(R"({"subscribe":["chat:*","exact"],"publish":["chat:room1"]})"));
    QVERIFY(limited);
    QVERIFY(requestOk(*limited, cmd("subscribe", {{"channel", "chat:anything"}})));
    QVERIFY(requestOk(*limited, cmd("subscribe", {{"channel", "exact"}})));
    QCOMPARE(errorOf(*limited, cmd("subscribe", {{"channel", "exact2"}})), QStringLiteral("permission_denied"));
    QCOMPARE(errorOf(*limited, cmd("subscribe", {{"channel", "other"}})), QStringLiteral("permission_denied"));
    QCOMPARE(errorOf(*limited, cmd("subscribe", {{"channel", "chatx"}})), QStringLiteral("permission_denied"));
    QVERIFY(requestOk(*limited, cmd("publish", {{"channel", "chat:room1"}, {"data", 1}})));
    QCOMPARE(errorOf(*limited, cmd("publish", {{"channel", "chat:room2"}, {"data", 1}})),
             QStringLiteral("permission_denied"));
    QCOMPARE(errorOf(*limited, cmd("publish", {{"channel", "exact"}, {"data", 1}})),
             QStringLiteral("permission_denied"));
    QVERIFY(requestOk(*limited, cmd("history", {{"channel", "chat:room1"}})));
    QCOMPARE(errorOf(*limited, cmd("history", {{"channel", "other"}})), QStringLiteral("permission_denied"));
    QVERIFY(requestOk(*limited, cmd("presence", {{"channel", "chat:room1"}})));
    QCOMPARE(errorOf(*limited, cmd("presence", {{"channel", "other"}})), QStringLiteral("permission_denied"));
    // Nothing was published where it was refused.
    json::object ok;
    QVERIFY(requestOk(*m_publisher, cmd("history", {{"channel", "chat:room2"}}), &ok));
    QCOMPARE(ok.at("publications").as_array().size(), std::size_t{0});

    // Empty lists allow nothing.
    auto none = connected("none", QStringLiteral(R"({"subscribe":[],"publish":[]})"));
    QVERIFY(none);
    QCOMPARE(errorOf(*none, cmd("subscribe", {{"channel", "chat:anything"}})), QStringLiteral("permission_denied"));
    QCOMPARE(errorOf(*none, cmd("publish", {{"channel", "chat:anything"}, {"data", 1}})),
             QStringLiteral("permission_denied"));
    QVERIFY(requestOk(*none, cmd("ping")));
    // "*" allows everything.
    auto all = connected("all", QStringLiteral(R"({"subscribe":["*"],"publish":["*"]})"));
    QVERIFY(all);
    QVERIFY(requestOk(*all, cmd("subscribe", {{"channel", "other"}})));
    QVERIFY(requestOk(*all, cmd("publish", {{"channel", "other"}, {"data", 1}})));
}

void TestProtocol::serverOnlyNamespace()
{
    auto c = connected("alice");
    QVERIFY(c);
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "feed:news"}})));
    QCOMPARE(errorOf(*c, cmd("publish", {{"channel", "feed:news"}, {"data", "mine"}})),
             QStringLiteral("permission_denied"));
    auto res = httpPublish(m_port, json::object{{"channel", "feed:news"}, {"data", {{"headline", "ok"}}}, {"key", "n1"}});
    QCOMPARE(res.status, 200);
    auto body = json::parse(res.body).as_object();
    QCOMPARE(num(body.at("ok").as_object(), "offset"), std::int64_t{1});
    auto push = c->nextPush();
    QVERIFY(push);
    QCOMPARE(str(*push, "push"), std::string("pub"));
    QCOMPARE(num(*push, "offset"), std::int64_t{1});
    QCOMPARE(str(push->at("data").as_object(), "headline"), std::string("ok"));
    QVERIFY2(push->at("user").is_null(), toJson(*push).c_str());
    QCOMPARE(str(*push, "key"), std::string("n1"));
    QVERIFY(nothingQueued(*c));
}

void TestProtocol::payloadLimit()
{
    // Namespace "small": max_message_bytes = 64, counted on the data's JSON text.
    auto c = connected("alice");
    QVERIFY(c);
    QVERIFY(requestOk(*c, cmd("publish", {{"channel", "small:x"}, {"data", std::string(62, 'a')}}))); // 64 bytes
    QCOMPARE(errorOf(*c, cmd("publish", {{"channel", "small:x"}, {"data", std::string(63, 'a')}})),
             QStringLiteral("payload_too_large"));
    // Other namespaces have the default 64 KiB.
    QVERIFY(requestOk(*c, cmd("publish", {{"channel", "big"}, {"data", std::string(1000, 'a')}})));
    json::object ok;
    QVERIFY(requestOk(*c, cmd("history", {{"channel", "small:x"}}), &ok));
    QCOMPARE(ok.at("publications").as_array().size(), std::size_t{1});
}

// ---- Ordering, replay and resume ----------------------------------------------------

void TestProtocol::fourPublishersOneOrder_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addRow("durable") << "order";
    QTest::addRow("ephemeral") << "eph:order";
}

void TestProtocol::fourPublishersOneOrder()
{
    QFETCH(QString, channel);
    const auto ch = channel.toStdString();
    constexpr int kPublishers = 4;
    constexpr int kEach = 250;
    constexpr std::size_t kTotal = kPublishers * kEach;

    auto s1 = connected("sub1");
    auto s2 = connected("sub2");
    QVERIFY(s1 && s2);
    QVERIFY(requestOk(*s1, cmd("subscribe", {{"channel", ch}})));
    QVERIFY(requestOk(*s2, cmd("subscribe", {{"channel", ch}})));

    std::vector<std::unique_ptr<WsTestClient>> publishers;
    for (int p = 0; p < kPublishers; ++p) {
        publishers.push_back(connected("pub" + std::to_string(p)));
        QVERIFY(publishers.back());
    }
    // replyOffset[p][k]: the offset the node answered to publisher p's k-th publish.
    std::vector<std::vector<std::int64_t>> replyOffset(kPublishers, std::vector<std::int64_t>(kEach, -1));
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int p = 0; p < kPublishers; ++p) {
        threads.emplace_back([&, p] {
            for (int k = 0; k < kEach; ++k) {
                auto reply = publishers[p]->request(
                    json::object{{"op", "publish"}, {"channel", ch}, {"data", {{"p", p}, {"seq", k}}}});
                if (!reply || !reply->contains("ok")) {
                    ++failures;
                    return;
                }
                const auto& ok = reply->at("ok").as_object();
                if (ok.at("duplicate") != json::value(false))
                    ++failures;
                replyOffset[p][k] = num(ok, "offset");
            }
        });
    }
    for (auto& t : threads)
        t.join();
    QCOMPARE(failures.load(), 0);

    auto seen1 = collectPushes(*s1, kTotal, 30000);
    auto seen2 = collectPushes(*s2, kTotal, 30000);
    QVERIFY(consecutivePubs(seen1, ch, 1, kTotal));
    QVERIFY(consecutivePubs(seen2, ch, 1, kTotal));
    std::vector<int> lastSeq(kPublishers, -1);
    for (std::size_t i = 0; i < kTotal; ++i) {
        // Both subscribers see the same publication at every offset.
        QCOMPARE(toJson(seen1[i]), toJson(seen2[i]));
        const auto& data = seen1[i].at("data").as_object();
        const auto p = static_cast<int>(num(data, "p"));
        const auto k = static_cast<int>(num(data, "seq"));
        QVERIFY(p >= 0 && p < kPublishers && k >= 0 && k < kEach);
        QCOMPARE(str(seen1[i], "user"), "pub" + std::to_string(p));
        // Each publisher's own order is kept.
        QVERIFY2(k == lastSeq[p] + 1, qPrintable(QStringLiteral("publisher %1: seq %2 after %3").arg(p).arg(k).arg(lastSeq[p])));
        lastSeq[p] = k;
        // The offset each publisher was told is where the publication is.
        QCOMPARE(replyOffset[p][k], static_cast<std::int64_t>(i + 1));
    }
    QVERIFY(nothingQueued(*s1));
    QVERIFY(nothingQueued(*s2));
}

void TestProtocol::resumeAfterDisconnect_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addRow("durable") << "resume";
    QTest::addRow("ephemeral") << "eph:resume";
}

void TestProtocol::resumeAfterDisconnect()
{
    QFETCH(QString, channel);
    const auto ch = channel.toStdString();
    auto pub = connected("bob");
    auto sub = connected("alice");
    QVERIFY(pub && sub);
    json::object ok;
    QVERIFY(requestOk(*sub, cmd("subscribe", {{"channel", ch}})));
    std::string epoch;
    auto publish = [&](int n) {
        json::object reply;
        const bool done = requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", n}}), &reply);
        epoch = str(reply, "epoch");
        return done && num(reply, "offset") == n;
    };
    for (int i = 1; i <= 5; ++i)
        QVERIFY(publish(i));
    auto first = collectPushes(*sub, 5);
    QVERIFY(consecutivePubs(first, ch, 1, 5));
    const auto lastEpoch = epoch;
    sub->abort();
    sub.reset();

    for (int i = 6; i <= 15; ++i)
        QVERIFY(publish(i));

    auto back = connected("alice");
    QVERIFY(back);
    QVERIFY(requestOk(*back, cmd("subscribe", {{"channel", ch}, {"since", since(5, lastEpoch)}}), &ok));
    QCOMPARE(ok.at("recovered"), json::value(true));
    QCOMPARE(num(ok, "replayed"), std::int64_t{10});
    QCOMPARE(num(ok, "offset"), std::int64_t{15});
    QCOMPARE(str(ok, "epoch"), lastEpoch);
    QVERIFY(publish(16));
    auto resumed = collectPushes(*back, 11);
    QVERIFY(consecutivePubs(resumed, ch, 6, 11));
    for (std::size_t i = 0; i < resumed.size(); ++i)
        QCOMPARE(num(resumed[i], "data"), static_cast<std::int64_t>(6 + i));
    QVERIFY(nothingQueued(*back));

    // since.offset 0: from the start of the stream.
    auto fromStart = connected("alice");
    QVERIFY(fromStart);
    QVERIFY(requestOk(*fromStart, cmd("subscribe", {{"channel", ch}, {"since", since(0, "")}}), &ok));
    QCOMPARE(ok.at("recovered"), json::value(true));
    QCOMPARE(num(ok, "replayed"), std::int64_t{16});
    QVERIFY(consecutivePubs(collectPushes(*fromStart, 16), ch, 1, 16));
    QVERIFY(nothingQueued(*fromStart));

    // At the current end: recovered, nothing to replay.
    auto atEnd = connected("alice");
    QVERIFY(atEnd);
    QVERIFY(requestOk(*atEnd, cmd("subscribe", {{"channel", ch}, {"since", since(16, lastEpoch)}}), &ok));
    QCOMPARE(ok.at("recovered"), json::value(true));
    QCOMPARE(num(ok, "replayed"), std::int64_t{0});
    QVERIFY(nothingQueued(*atEnd));
}

void TestProtocol::resumeRefused()
{
    // Wrong epoch, a position the history no longer holds, a position in the future:
    // recovered false, nothing replayed, live publications still arrive.
    auto pub = connected("bob");
    QVERIFY(pub);
    std::string epoch;
    for (int i = 1; i <= 8; ++i) {
        json::object reply;
        QVERIFY(requestOk(*pub, cmd("publish", {{"channel", "short:resume"}, {"data", i}}), &reply));
        epoch = str(reply, "epoch");
    }
    struct Case {
        const char* what;
        std::int64_t offset;
        std::string epoch;
    };
    const std::vector<Case> cases = {
        {"other epoch", 6, "not-the-epoch"},
        {"older than history", 1, epoch}, // history_size 5 keeps 4..8
        {"beyond the end", 20, epoch},
    };
    std::int64_t next = 9;
    for (const auto& c : cases) {
        auto sub = connected("alice");
        QVERIFY(sub);
        json::object ok;
        QVERIFY2(requestOk(*sub, cmd("subscribe", {{"channel", "short:resume"}, {"since", since(c.offset, c.epoch)}}),
                           &ok), c.what);
        QVERIFY2(ok.at("recovered") == json::value(false), c.what);
        QVERIFY2(num(ok, "replayed") == 0, c.what);
        QVERIFY2(num(ok, "offset") == next - 1, c.what);
        QVERIFY2(str(ok, "epoch") == epoch, c.what);
        QVERIFY2(nothingQueued(*sub), c.what);
        QVERIFY(requestOk(*pub, cmd("publish", {{"channel", "short:resume"}, {"data", next}})));
        QVERIFY2(consecutivePubs(collectPushes(*sub, 1), "short:resume", next, 1), c.what);
        ++next;
    }
    // Within the kept history it works: 5 kept, resume after the oldest but one.
    auto sub = connected("alice");
    QVERIFY(sub);
    json::object ok;
    const auto top = next - 1;
    QVERIFY(requestOk(*sub, cmd("subscribe", {{"channel", "short:resume"}, {"since", since(top - 4, epoch)}}), &ok));
    QCOMPARE(ok.at("recovered"), json::value(true));
    QCOMPARE(num(ok, "replayed"), std::int64_t{4});
    QVERIFY(consecutivePubs(collectPushes(*sub, 4), "short:resume", top - 3, 4));
}

void TestProtocol::replayThenLive_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addRow("durable") << "rtl";
    QTest::addRow("ephemeral") << "eph:rtl"; // history_size 100 there
}

void TestProtocol::replayThenLive()
{
    QFETCH(QString, channel);
    const auto ch = channel.toStdString();
    const bool ephemeral = channel.startsWith(QLatin1String("eph:"));
    const std::int64_t before = ephemeral ? 60 : 200;  // published before the subscribe
    const std::int64_t during = 300;                   // published while it subscribes
    const std::int64_t resumeAfter = before - 50;

    auto pub = connected("bob");
    QVERIFY(pub);
    std::string epoch;
    for (std::int64_t i = 1; i <= before; ++i) {
        json::object reply;
        QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", i}}), &reply));
        epoch = str(reply, "epoch");
    }
    auto sub = connected("alice");
    QVERIFY(sub);

    std::atomic<std::int64_t> published{before};
    std::atomic<bool> failed{false};
    std::thread publisher([&] {
        for (std::int64_t i = before + 1; i <= before + during; ++i) {
            auto reply = pub->request(cmd("publish", {{"channel", ch}, {"data", i}}));
            if (!reply || !reply->contains("ok") || num(reply->at("ok").as_object(), "offset") != i) {
                failed = true;
                return;
            }
            published = i;
        }
    });
    // Subscribe while publications are arriving.
    while (published.load() < before + 20 && !failed.load())
        std::this_thread::yield();
    json::object ok;
    const bool subscribed = requestOk(*sub, cmd("subscribe", {{"channel", ch}, {"since", since(resumeAfter, epoch)}}), &ok);
    publisher.join();
    QVERIFY(!failed.load());
    QVERIFY(subscribed);
    QCOMPARE(ok.at("recovered"), json::value(true));
    const auto top = num(ok, "offset");
    QVERIFY2(top > before && top <= before + during, toJson(ok).c_str());
    QCOMPARE(num(ok, "replayed"), top - resumeAfter);

    // Replayed and live together: every offset after resumeAfter, once, in order.
    const auto expected = static_cast<std::size_t>(before + during - resumeAfter);
    auto pushes = collectPushes(*sub, expected, 30000);
    QVERIFY(consecutivePubs(pushes, ch, resumeAfter + 1, expected));
    for (std::size_t i = 0; i < pushes.size(); ++i)
        QCOMPARE(num(pushes[i], "data"), resumeAfter + 1 + static_cast<std::int64_t>(i));
    QVERIFY(nothingQueued(*sub));
}

void TestProtocol::ephemeralNamespace()
{
    auto sub = connected("alice");
    auto pub = connected("bob");
    QVERIFY(sub && pub);
    json::object ok;
    QVERIFY(requestOk(*sub, cmd("subscribe", {{"channel", "eph:e1"}}), &ok));
    QCOMPARE(num(ok, "offset"), std::int64_t{0});
    const auto epoch = str(ok, "epoch");
    for (int i = 1; i <= 3; ++i) {
        json::object reply;
        QVERIFY(requestOk(*pub, cmd("publish", {{"channel", "eph:e1"}, {"data", i}}), &reply));
        QCOMPARE(num(reply, "offset"), std::int64_t{i});
        QCOMPARE(str(reply, "epoch"), epoch);
        QVERIFY(!str(reply, "epoch").empty());
    }
    QVERIFY(consecutivePubs(collectPushes(*sub, 3), "eph:e1", 1, 3));
    QVERIFY(requestOk(*sub, cmd("history", {{"channel", "eph:e1"}}), &ok));
    QCOMPARE(ok.at("publications").as_array().size(), std::size_t{3});
    QCOMPARE(str(ok, "epoch"), epoch);
    // Each channel has its own offsets; the ephemeral epoch is the node's.
    QVERIFY(requestOk(*pub, cmd("publish", {{"channel", "eph:e2"}, {"data", 1}}), &ok));
    QCOMPARE(num(ok, "offset"), std::int64_t{1});
    // Presence and join/leave defaults apply to ephemeral namespaces too.
    QVERIFY(requestOk(*pub, cmd("presence", {{"channel", "eph:e1"}}), &ok));
    QCOMPARE(num(ok, "count"), std::int64_t{1});
}

void TestProtocol::durableSubscription()
{
    const std::string ch = "dur";
    auto pub = connected("bob");
    QVERIFY(pub);
    std::string epoch;
    auto publish = [&](std::int64_t n) {
        json::object reply;
        const bool done = requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", n}}), &reply);
        epoch = str(reply, "epoch");
        return done && num(reply, "offset") == n;
    };
    for (int i = 1; i <= 3; ++i)
        QVERIFY(publish(i));

    // A new durable subscription starts at the current end.
    auto alice = connected("alice");
    QVERIFY(alice);
    json::object ok;
    QVERIFY(requestOk(*alice, cmd("subscribe", {{"channel", ch}, {"durable", "worker"}}), &ok));
    QCOMPARE(num(ok, "offset"), std::int64_t{3});
    QCOMPARE(num(ok, "replayed"), std::int64_t{0});
    QVERIFY(nothingQueued(*alice));
    for (int i = 4; i <= 6; ++i)
        QVERIFY(publish(i));
    QVERIFY(consecutivePubs(collectPushes(*alice, 3), ch, 4, 3));
    json::object ackOk;
    QVERIFY(requestOk(*alice, cmd("ack", {{"channel", ch}, {"offset", 5}}), &ackOk));
    QCOMPARE(ackOk.size(), std::size_t{0});
    QCOMPARE(errorOf(*alice, cmd("ack", {{"channel", ch}, {"offset", 99}})), QStringLiteral("bad_request"));
    alice->abort();
    alice.reset();
    QVERIFY(publish(7));
    QVERIFY(publish(8));

    // Same user, same name: resumes after the last ack (6 was delivered, never acked).
    alice = connected("alice");
    QVERIFY(alice);
    QVERIFY(requestOk(*alice, cmd("subscribe", {{"channel", ch}, {"durable", "worker"}}), &ok));
    QCOMPARE(ok.at("recovered"), json::value(true));
    QCOMPARE(num(ok, "replayed"), std::int64_t{3});
    QCOMPARE(num(ok, "offset"), std::int64_t{8});
    QVERIFY(consecutivePubs(collectPushes(*alice, 3), ch, 6, 3));
    QVERIFY(nothingQueued(*alice));

    // Another user with the same name has a subscription of its own.
    auto bob = connected("bob");
    QVERIFY(bob);
    QVERIFY(requestOk(*bob, cmd("subscribe", {{"channel", ch}, {"durable", "worker"}}), &ok));
    QCOMPARE(num(ok, "replayed"), std::int64_t{0});
    QVERIFY(nothingQueued(*bob));

    // Ack, unsubscribe, publish, resume: only the new one.
    QVERIFY(requestOk(*alice, cmd("ack", {{"channel", ch}, {"offset", 8}})));
    QVERIFY(requestOk(*alice, cmd("unsubscribe", {{"channel", ch}})));
    QCOMPARE(errorOf(*alice, cmd("ack", {{"channel", ch}, {"offset", 8}})), QStringLiteral("not_subscribed"));
    QVERIFY(publish(9));
    QVERIFY(requestOk(*alice, cmd("subscribe", {{"channel", ch}, {"durable", "worker"}}), &ok));
    QCOMPARE(num(ok, "replayed"), std::int64_t{1});
    QVERIFY(consecutivePubs(collectPushes(*alice, 1), ch, 9, 1));

    // A new durable subscription with since starts there.
    auto carol = connected("carol");
    QVERIFY(carol);
    QVERIFY(requestOk(*carol, cmd("subscribe", {{"channel", ch}, {"durable", "fresh"}, {"since", since(2, epoch)}}), &ok));
    QCOMPARE(ok.at("recovered"), json::value(true));
    QCOMPARE(num(ok, "replayed"), std::int64_t{7});
    QVERIFY(consecutivePubs(collectPushes(*carol, 7), ch, 3, 7));

    // ack needs a durable subscription.
    auto plain = connected("dave");
    QVERIFY(plain);
    QVERIFY(requestOk(*plain, cmd("subscribe", {{"channel", ch}})));
    QCOMPARE(errorOf(*plain, cmd("ack", {{"channel", ch}, {"offset", 9}})), QStringLiteral("bad_request"));
    QCOMPARE(errorOf(*plain, cmd("ack", {{"channel", "dur-other"}, {"offset", 1}})), QStringLiteral("not_subscribed"));
}

void TestProtocol::durableSubscriptionWithoutAck()
{
    // At-least-once (PROTOCOL.md, "Ordering and delivery"): a durable subscription
    // that was created, got publications and went away before acking anything must
    // get them again, and everything published while it was away.
    const std::string ch = "dur-noack";
    auto pub = connected("bob");
    QVERIFY(pub);
    QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", 1}})));
    QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", 2}})));
    auto alice = connected("alice");
    QVERIFY(alice);
    json::object ok;
    QVERIFY(requestOk(*alice, cmd("subscribe", {{"channel", ch}, {"durable", "w"}}), &ok));
    QCOMPARE(num(ok, "offset"), std::int64_t{2});
    QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", 3}})));
    QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", 4}})));
    QVERIFY(consecutivePubs(collectPushes(*alice, 2), ch, 3, 2));
    alice->abort();
    alice.reset();
    QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", 5}})));

    alice = connected("alice");
    QVERIFY(alice);
    QVERIFY(requestOk(*alice, cmd("subscribe", {{"channel", ch}, {"durable", "w"}}), &ok));
    QCOMPARE(num(ok, "replayed"), std::int64_t{3});
    QVERIFY(consecutivePubs(collectPushes(*alice, 3, 3000), ch, 3, 3));
}

void TestProtocol::durableSubscriptionWithBadSince()
{
    // A new durable subscription whose `since` is not a position in this stream (an
    // offset beyond the end, or another epoch) starts now: that is what is saved, so
    // a later resume neither skips publications nor ignores acks below a bogus start.
    const std::string ch = "dur-badsince";
    auto pub = connected("bob");
    QVERIFY(pub);
    json::object ok;
    QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", 1}}), &ok));
    const std::string epoch = str(ok, "epoch");
    QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", 2}})));

    struct Case {
        const char* durable;
        std::int64_t offset;
        std::string epoch;
    };
    for (const Case& c : {Case{"beyond", 100, epoch}, Case{"other-epoch", 1, "not-this-epoch"}}) {
        auto alice = connected("alice");
        QVERIFY(alice);
        QVERIFY(requestOk(*alice, cmd("subscribe", {{"channel", ch}, {"durable", c.durable},
                                                    {"since", {{"offset", c.offset}, {"epoch", c.epoch}}}}), &ok));
        QCOMPARE(ok.at("recovered"), json::value(false));
        QCOMPARE(num(ok, "replayed"), std::int64_t{0});
        const auto start = num(ok, "offset");
        alice->abort();
        alice.reset();
        QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", 0}}), &ok));
        const auto published = num(ok, "offset");

        alice = connected("alice");
        QVERIFY(alice);
        QVERIFY(requestOk(*alice, cmd("subscribe", {{"channel", ch}, {"durable", c.durable}}), &ok));
        QCOMPARE(ok.at("recovered"), json::value(true));
        QCOMPARE(num(ok, "replayed"), published - start);
        QVERIFY(consecutivePubs(collectPushes(*alice, static_cast<std::size_t>(published - start), 3000), ch,
                                start + 1, static_cast<std::size_t>(published - start)));
    }
}

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"

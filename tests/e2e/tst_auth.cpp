// SPDX-License-Identifier: Apache-2.0
// End-to-end tests of authentication in the client protocol (PROTOCOL.md): connect,
// the Authorization header, refresh, token expiry, commands before connect, frames sent
// with the upgrade request, and what a token's user and permissions allow (user
// channels, permission claims). One `aldis --daemon` subprocess serves the whole class;
// every test uses its own channels.
//
// Commands and their errors are in tst_commands.cpp, ordering, replay and durable
// subscriptions in tst_ordering.cpp; limits, signals and the HTTP endpoints in
// tst_limits.cpp, tst_lifecycle.cpp and tst_http.cpp.

#include "support/http_test_client.h"
#include "support/protocol_checks.h"
#include "support/protocol_fixture.h"
#include "support/raw_tcp_client.h"
#include "support/test_tokens.h"
#include "support/ws_test_client.h"

#include "common/time.h"

#include <QtTest>

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

using namespace aldis::test;
namespace json = boost::json;

// Runs against ProtocolFixture's daemon (support/protocol_fixture.h).
class TestAuth : public QObject, private ProtocolFixture {
    Q_OBJECT

private slots:
    void initTestCase() { startDaemon(); }
    void cleanupTestCase() { stopDaemon(); }

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
    void refreshLosesNothing();
    void tokenExpiryClosesUnlessRefreshed();

    // Permissions
    void userChannels();
    void tokenPermissions();
};

// ---- Authentication -----------------------------------------------------------------

void TestAuth::connectReply()
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

void TestAuth::connectRefused_data()
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

void TestAuth::connectRefused()
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

void TestAuth::headerAuth()
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

void TestAuth::headerAuthRefused_data()
{
    QTest::addColumn<QString>("authorization");
    QTest::addColumn<int>("closeCode");
    QTest::addRow("not a JWT") << "Bearer not-a-jwt" << 4001;
    QTest::addRow("wrong secret") << QString::fromStdString("Bearer " + wrongSecretToken("carol")) << 4001;
    QTest::addRow("alg none") << QString::fromStdString("Bearer " + algNoneToken("carol")) << 4001;
    QTest::addRow("not Bearer") << "Basic YWxhZGRpbjpvcGVuc2VzYW1l" << 4001;
    QTest::addRow("expired") << QString::fromStdString("Bearer " + expiredToken("carol")) << 4002;
}

void TestAuth::headerAuthRefused()
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

void TestAuth::commandBeforeConnect_data()
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

void TestAuth::commandBeforeConnect()
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

void TestAuth::connectTimeout()
{
    // client.connect_timeout is 1.5 s in this daemon.
    auto c = WsTestClient::open(m_port);
    QVERIFY(c);
    QVERIFY(expectDisconnect(*c, 4001, false));
    QVERIFY(nodeStillServes());
}

void TestAuth::framesWithTheUpgrade_data()
{
    QTest::addColumn<bool>("headerAuth");
    QTest::addRow("connect frame") << false;
    QTest::addRow("Authorization header") << true;
}

void TestAuth::framesWithTheUpgrade()
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
    auto frames = [](const std::string& received) { return RawTcpClient::framesAfterUpgrade(received); };
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

void TestAuth::refresh()
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

void TestAuth::refreshLosesNothing()
{
    // A refresh in the middle of a stream of publications: the subscriber gets every
    // one of them once, in order, before and after it, and its subscription stays.
    constexpr int kCount = 40;
    const auto now = aldis::unixSecondsNow();
    auto c = WsTestClient::open(m_port);
    QVERIFY(c);
    QVERIFY(requestOk(*c, cmd("connect", {{"token", tokenAt("grace", now, 600)}})));
    json::object sub;
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "eph:refresh-flow"}}), &sub));
    const std::int64_t first = num(sub, "offset") + 1;
    for (int i = 0; i < kCount; ++i) {
        QVERIFY(requestOk(*m_publisher, cmd("publish", {{"channel", "eph:refresh-flow"}, {"data", i}})));
        if (i == kCount / 2)
            QVERIFY(requestOk(*c, cmd("refresh", {{"token", tokenAt("grace", now, 7200)}})));
    }
    const auto pushes = collectPushes(*c, kCount);
    QVERIFY(consecutivePubs(pushes, "eph:refresh-flow", first, kCount));
    QVERIFY(nothingQueued(*c));
}

void TestAuth::tokenExpiryClosesUnlessRefreshed()
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

// ---- Permissions --------------------------------------------------------------------

void TestAuth::userChannels()
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

void TestAuth::tokenPermissions()
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

QTEST_GUILESS_MAIN(TestAuth)
#include "tst_auth.moc"

// SPDX-License-Identifier: Apache-2.0
// End-to-end tests of the client protocol's commands (PROTOCOL.md): ping, subscribe,
// publish, unsubscribe, idempotent publish, history, presence, join/leave, namespaces
// and payload limits, every error code a bad command causes and the close codes of bad
// frames. One `aldis --daemon` subprocess serves the whole class; every test uses its
// own channels.
//
// Authentication is in tst_auth.cpp, ordering, replay and durable subscriptions in
// tst_ordering.cpp; limits, signals and the HTTP endpoints in tst_limits.cpp,
// tst_lifecycle.cpp and tst_http.cpp.

#include "support/http_test_client.h"
#include "support/protocol_checks.h"
#include "support/protocol_fixture.h"
#include "support/ws_test_client.h"

#include <QtTest>

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

using namespace aldis::test;
namespace json = boost::json;

// Runs against ProtocolFixture's daemon (support/protocol_fixture.h).
class TestCommands : public QObject, private ProtocolFixture {
    Q_OBJECT

private slots:
    void initTestCase() { startDaemon(); }
    void cleanupTestCase() { stopDaemon(); }

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
    void serverOnlyNamespace();
    void payloadLimit();
};

// ---- Commands and errors ------------------------------------------------------------

void TestCommands::ping()
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

void TestCommands::badCommands_data()
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

void TestCommands::badCommands()
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

void TestCommands::idStillInFlight()
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

void TestCommands::badFrames_data()
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

void TestCommands::badFrames()
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

void TestCommands::subscribePublish()
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

void TestCommands::alreadySubscribed()
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

void TestCommands::unsubscribe()
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

void TestCommands::idempotentPublish_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addRow("durable") << "idem";
    QTest::addRow("ephemeral") << "eph:idem";
}

void TestCommands::idempotentPublish()
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

void TestCommands::history_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addRow("durable") << "hist";
    QTest::addRow("ephemeral") << "eph:hist";
}

void TestCommands::history()
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

void TestCommands::historyRetention()
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

void TestCommands::historyDefaultLimit()
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

void TestCommands::presence()
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

void TestCommands::joinLeave()
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

void TestCommands::serverOnlyNamespace()
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

void TestCommands::payloadLimit()
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

QTEST_GUILESS_MAIN(TestCommands)
#include "tst_commands.moc"

// SPDX-License-Identifier: Apache-2.0
// End-to-end tests of the daemon's life: drain on SIGTERM (4007 to every client,
// /ready 503, exit 0), what survives a restart (durable channels, epochs, durable
// subscription positions; not ephemeral channels), and configuration reload on SIGHUP
// (namespaces added, changed and removed without dropping connections; a broken file
// refused while the node keeps serving).

#include "support/test_support.h"
#include "support/ws_test_client.h"

#include "common/time.h"
#include "security/jwt.h"

#include <QDeadlineTimer>
#include <QtTest>

#include <boost/json.hpp>

#include <csignal>

using namespace aldis::test;
namespace json = boost::json;

namespace {

const QString kStore = QStringLiteral("[store]\nsynchronous = \"normal\"\n");

} // namespace

class TestLifecycle : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void drainOnSigterm();
    void restartKeepsDurableState();
    void reloadAddsAndChangesNamespaces();
    void reloadRefusesBrokenConfig_data();
    void reloadRefusesBrokenConfig();
    void reloadRemovesNamespace();
    void reloadAddsKey();
    void reloadRemovingKeyClosesItsConnections();
    void reloadRevokingUserClosesItsConnections();
    void refreshWithNarrowerTokenEndsSubscriptions();
};

void TestLifecycle::initTestCase()
{
    QVERIFY2(!aldisBinary().isEmpty(), "ALDIS_BINARY is not set (run through ctest)");
}

void TestLifecycle::drainOnSigterm()
{
    DaemonProcess daemon(QStringLiteral("[namespaces.default]\n") + kStore);
    QVERIFY2(daemon.start(), daemon.output().constData());
    const auto port = daemon.port();
    auto subscriber = connected(port, "alice");
    auto stalled = connected(port, "bob");
    QVERIFY(subscriber && stalled);
    QVERIFY(requestOk(*subscriber, cmd("subscribe", {{"channel", "x"}})));
    QVERIFY(requestOk(*stalled, cmd("subscribe", {{"channel", "x"}})));
    // A client that does not answer the close keeps the drain going for a while, so
    // /ready can be asked meanwhile on a connection opened before.
    stalled->pauseReading();
    QVERIFY(requestOk(*stalled, cmd("ping"))); // completes the read in progress
    HttpTestClient http(port);
    auto ready = http.request("GET", "/ready");
    QCOMPARE(ready.status, 200);

    daemon.signal(SIGTERM);
    QVERIFY(expectDisconnect(*subscriber, 4007, true));
    ready = http.request("GET", "/ready");
    QCOMPARE(ready.status, 503);
    QCOMPARE(ready.body, std::string(R"({"status":"draining"})"));
    // No new client is taken in while draining.
    std::string error;
    QVERIFY(!WsTestClient::open(port, {}, &error));

    // The stalled client still has its 4007 (the node waits up to 2 s for its answer).
    stalled->resumeReading();
    QVERIFY(expectDisconnect(*stalled, 4007, true));
    QCOMPARE(daemon.waitForExit(), 0);
}

void TestLifecycle::restartKeepsDurableState()
{
    DaemonProcess daemon(QStringLiteral("[namespaces.default]\n[namespaces.eph]\ndurable = false\n") + kStore);
    QVERIFY2(daemon.start(), daemon.output().constData());
    auto c = connected(daemon.port(), "alice");
    QVERIFY(c);
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "keep"}, {"durable", "w"}})));
    std::string durableEpoch, ephEpoch;
    for (int i = 1; i <= 3; ++i) {
        json::object ok;
        QVERIFY(requestOk(*c, cmd("publish", {{"channel", "keep"}, {"data", i}, {"key", "k" + std::to_string(i)}}), &ok));
        durableEpoch = str(ok, "epoch");
        QVERIFY(requestOk(*c, cmd("publish", {{"channel", "eph:gone"}, {"data", i}}), &ok));
        ephEpoch = str(ok, "epoch");
    }
    QVERIFY(requestOk(*c, cmd("publish", {{"channel", "keep"}, {"data", 4}})));
    QVERIFY(consecutivePubs(collectPushes(*c, 4), "keep", 1, 4));
    QVERIFY(requestOk(*c, cmd("ack", {{"channel", "keep"}, {"offset", 2}})));
    c.reset();
    daemon.signal(SIGTERM);
    QCOMPARE(daemon.waitForExit(), 0);

    QVERIFY2(daemon.start(), daemon.output().constData());
    c = connected(daemon.port(), "alice");
    QVERIFY(c);
    json::object ok;
    // Durable: same epoch, same publications, offsets continue.
    QVERIFY(requestOk(*c, cmd("history", {{"channel", "keep"}}), &ok));
    QCOMPARE(str(ok, "epoch"), durableEpoch);
    QCOMPARE(num(ok, "offset"), std::int64_t{4});
    QCOMPARE(ok.at("publications").as_array().size(), std::size_t{4});
    // Idempotency keys survive too.
    QVERIFY(requestOk(*c, cmd("publish", {{"channel", "keep"}, {"data", 1}, {"key", "k1"}}), &ok));
    QCOMPARE(ok.at("duplicate"), json::value(true));
    QCOMPARE(num(ok, "offset"), std::int64_t{1});
    // The durable subscription resumes after its ack.
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "keep"}, {"durable", "w"}}), &ok));
    QCOMPARE(ok.at("recovered"), json::value(true));
    QCOMPARE(num(ok, "replayed"), std::int64_t{2});
    QVERIFY(consecutivePubs(collectPushes(*c, 2), "keep", 3, 2));
    QVERIFY(requestOk(*c, cmd("publish", {{"channel", "keep"}, {"data", 5}}), &ok));
    QCOMPARE(num(ok, "offset"), std::int64_t{5});
    QCOMPARE(str(ok, "epoch"), durableEpoch);
    QVERIFY(consecutivePubs(collectPushes(*c, 1), "keep", 5, 1));

    // Ephemeral: the stream is gone and its epoch says so.
    QVERIFY(requestOk(*c, cmd("history", {{"channel", "eph:gone"}}), &ok));
    QCOMPARE(ok.at("publications").as_array().size(), std::size_t{0});
    QCOMPARE(num(ok, "offset"), std::int64_t{0});
    QVERIFY2(str(ok, "epoch") != ephEpoch, toJson(ok).c_str());
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "eph:gone"}, {"since", {{"offset", 3}, {"epoch", ephEpoch}}}}),
                      &ok));
    QCOMPARE(ok.at("recovered"), json::value(false));
    QCOMPARE(num(ok, "replayed"), std::int64_t{0});
    QVERIFY(nothingQueued(*c));
}

void TestLifecycle::reloadAddsAndChangesNamespaces()
{
    DaemonProcess daemon(QStringLiteral("[namespaces.default]\n") + kStore);
    QVERIFY2(daemon.start(), daemon.output().constData());
    const auto port = daemon.port();
    auto c = connected(port, "alice");
    QVERIFY(c);
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "x"}})));
    QCOMPARE(errorOf(*c, cmd("subscribe", {{"channel", "news:a"}})), QStringLiteral("unknown_channel"));

    auto from = daemon.output().size();
    daemon.writeConfig(QStringLiteral("[namespaces.default]\n[namespaces.news]\njoin_leave = true\n") + kStore);
    daemon.signal(SIGHUP);
    QVERIFY(daemon.waitForOutput("configuration reloaded", from));
    // The namespace exists for the connection that was open before.
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "news:a"}})));
    QVERIFY(requestOk(*c, cmd("publish", {{"channel", "news:a"}, {"data", 1}})));
    QVERIFY(consecutivePubs(collectPushes(*c, 1), "news:a", 1, 1));
    // The existing subscription was not disturbed.
    QCOMPARE(httpPublish(port, json::object{{"channel", "x"}, {"data", "still here"}}).status, 200);
    auto push = c->nextPush();
    QVERIFY(push);
    QCOMPARE(str(*push, "channel"), std::string("x"));
    // join_leave applies: a second subscriber is announced.
    auto d = connected(port, "bob");
    QVERIFY(d);
    QVERIFY(requestOk(*d, cmd("subscribe", {{"channel", "news:a"}})));
    push = c->nextPush();
    QVERIFY(push);
    QCOMPARE(str(*push, "push"), std::string("join"));

    // Changing a namespace's settings applies to open connections.
    from = daemon.output().size();
    daemon.writeConfig(QStringLiteral("[namespaces.default]\n[namespaces.news]\njoin_leave = true\nclient_publish = false\n") +
                       kStore);
    daemon.signal(SIGHUP);
    QVERIFY(daemon.waitForOutput("configuration reloaded", from));
    QCOMPARE(errorOf(*c, cmd("publish", {{"channel", "news:a"}, {"data", 2}})), QStringLiteral("permission_denied"));
    QCOMPARE(httpPublish(port, json::object{{"channel", "news:a"}, {"data", 2}}).status, 200);
    QVERIFY(consecutivePubs(collectPushes(*c, 1), "news:a", 2, 1));
    QVERIFY(nothingQueued(*c));
    QVERIFY(!c->isClosed());
}

void TestLifecycle::reloadRefusesBrokenConfig_data()
{
    QTest::addColumn<QString>("config");
    QTest::addRow("TOML syntax error") << QStringLiteral("[namespaces.default]\n[namespaces.news\n");
    QTest::addRow("bad value") << QStringLiteral("[namespaces.default]\n[namespaces.news]\nhistory_size = -1\n");
    QTest::addRow("unknown key") << QStringLiteral("[namespaces.default]\n[namespaces.news]\nhistroy_size = 5\n");
    QTest::addRow("bad namespace name") << QStringLiteral("[namespaces.default]\n[namespaces.\"a#b\"]\n");
}

void TestLifecycle::reloadRefusesBrokenConfig()
{
    QFETCH(QString, config);
    DaemonProcess daemon(QStringLiteral("[namespaces.default]\n[namespaces.news]\n") + kStore);
    QVERIFY2(daemon.start(), daemon.output().constData());
    const auto port = daemon.port();
    auto c = connected(port, "alice");
    QVERIFY(c);
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "news:a"}})));

    const auto from = daemon.output().size();
    daemon.writeConfig(config);
    daemon.signal(SIGHUP);
    QVERIFY(daemon.waitForOutput("reload refused", from));
    // Still running, with the previous configuration, for old and new connections.
    QCOMPARE(daemon.process().state(), QProcess::Running);
    QVERIFY(requestOk(*c, cmd("publish", {{"channel", "news:a"}, {"data", 1}})));
    QVERIFY(consecutivePubs(collectPushes(*c, 1), "news:a", 1, 1));
    auto d = connected(port, "bob");
    QVERIFY(d);
    QVERIFY(requestOk(*d, cmd("subscribe", {{"channel", "news:b"}})));
    QCOMPARE(httpRequest(port, "GET", "/ready").status, 200);
    daemon.signal(SIGTERM);
    QCOMPARE(daemon.waitForExit(), 0);
}

void TestLifecycle::reloadRemovesNamespace()
{
    DaemonProcess daemon(QStringLiteral("[namespaces.default]\n[namespaces.news]\n") + kStore);
    QVERIFY2(daemon.start(), daemon.output().constData());
    const auto port = daemon.port();
    auto c = connected(port, "alice");
    QVERIFY(c);
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "news:a"}})));
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "x"}})));

    auto from = daemon.output().size();
    daemon.writeConfig(QStringLiteral("[namespaces.default]\n") + kStore);
    daemon.signal(SIGHUP);
    QVERIFY(daemon.waitForOutput("configuration reloaded", from));
    // The server ends the subscription and says so.
    auto push = c->nextPush();
    QVERIFY2(push, c->lastError().c_str());
    QCOMPARE(str(*push, "push"), std::string("unsubscribed"));
    QCOMPARE(str(*push, "channel"), std::string("news:a"));
    QVERIFY2(push->contains("reason") && push->at("reason").is_string(), toJson(*push).c_str());
    // The connection and its other subscription stay.
    QCOMPARE(httpPublish(port, json::object{{"channel", "x"}, {"data", 1}}).status, 200);
    QVERIFY(consecutivePubs(collectPushes(*c, 1), "x", 1, 1));
    QCOMPARE(httpPublish(port, json::object{{"channel", "news:a"}, {"data", 1}}).status, 404);
    // The ended subscription is gone for the connection too: subscribing again is
    // answered like for any channel of an unknown namespace, and unsubscribing finds
    // nothing.
    QCOMPARE(errorOf(*c, cmd("subscribe", {{"channel", "news:a"}})), QStringLiteral("unknown_channel"));
    QCOMPARE(errorOf(*c, cmd("unsubscribe", {{"channel", "news:a"}})), QStringLiteral("not_subscribed"));

    // Back again: the same connection can subscribe anew.
    from = daemon.output().size();
    daemon.writeConfig(QStringLiteral("[namespaces.default]\n[namespaces.news]\n") + kStore);
    daemon.signal(SIGHUP);
    QVERIFY(daemon.waitForOutput("configuration reloaded", from));
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "news:a"}})));
    QCOMPARE(httpPublish(port, json::object{{"channel", "news:a"}, {"data", 2}}).status, 200);
    QVERIFY(consecutivePubs(collectPushes(*c, 1), "news:a", 1, 1));
}

void TestLifecycle::reloadAddsKey()
{
    const std::string secret2 = "second-secret-second-secret-second-secret-0123";
    aldis::security::MintOptions options;
    options.sub = "erin";
    options.ttlSeconds = 3600;
    options.kid = "k2";
    const auto minted = aldis::security::mintHs256(secret2, options, aldis::unixSecondsNow());
    QVERIFY(minted);
    const std::string newToken = minted.value();
    const QString keys = QStringLiteral("[[auth.keys]]\nid = \"k2\"\nalgorithms = [\"HS256\"]\nsecret = \"%1\"\n")
                             .arg(QString::fromStdString(secret2));

    DaemonProcess daemon(QStringLiteral("[namespaces.default]\n") + kStore);
    QVERIFY2(daemon.start(), daemon.output().constData());
    const auto port = daemon.port();
    auto before = connected(port, "alice");
    QVERIFY(before);
    auto refused = WsTestClient::open(port);
    QVERIFY(refused);
    QCOMPARE(errorOf(refused->connect(newToken)), QStringLiteral("unauthorized"));

    const auto from = daemon.output().size();
    daemon.writeConfig(keys + QStringLiteral("[namespaces.default]\n") + kStore);
    daemon.signal(SIGHUP);
    QVERIFY(daemon.waitForOutput("configuration reloaded", from));
    auto after = WsTestClient::open(port);
    QVERIFY(after);
    json::object ok;
    QVERIFY(requestOk(*after, cmd("connect", {{"token", newToken}}), &ok));
    QCOMPARE(str(ok, "user"), std::string("erin"));
    // Tokens of the key that stayed still work, and the open connection stayed.
    QVERIFY(connected(port, "bob"));
    QVERIFY(requestOk(*before, cmd("ping")));
}

void TestLifecycle::reloadRemovingKeyClosesItsConnections()
{
    const std::string secret2 = "second-secret-second-secret-second-secret-0123";
    aldis::security::MintOptions options;
    options.sub = "carol";
    options.kid = "k2";
    const auto minted = aldis::security::mintHs256(secret2, options, aldis::unixSecondsNow());
    QVERIFY(minted);
    const QString withKey2 = QStringLiteral("[[auth.keys]]\nid = \"k2\"\nalgorithms = [\"HS256\"]\nsecret = \"%1\"\n")
                                 .arg(QString::fromStdString(secret2)) +
                             QStringLiteral("[namespaces.default]\n") + kStore;
    DaemonProcess daemon(withKey2);
    QVERIFY2(daemon.start(), daemon.output().constData());
    const auto port = daemon.port();
    auto alice = connected(port, "alice"); // the test key, which stays
    auto carol = WsTestClient::open(port); // key k2, which goes
    QVERIFY(alice && carol);
    QVERIFY(requestOk(*carol, cmd("connect", {{"token", minted.value()}})));
    QVERIFY(requestOk(*alice, cmd("subscribe", {{"channel", "revoke"}})));
    QVERIFY(requestOk(*carol, cmd("subscribe", {{"channel", "revoke"}})));

    const auto from = daemon.output().size();
    daemon.writeConfig(QStringLiteral("[namespaces.default]\n") + kStore);
    daemon.signal(SIGHUP);
    QVERIFY(daemon.waitForOutput("configuration reloaded", from));
    // carol's connection ends with 4001 (no reconnect with that token) ...
    QVERIFY(expectDisconnect(*carol, 4001, false));
    QVERIFY2(carol->closeReason().find("key") != std::string::npos, carol->closeReason().c_str());
    // ... and gets nothing published after it; alice, signed by the remaining key,
    // still gets every publication.
    QVERIFY(requestOk(*alice, cmd("publish", {{"channel", "revoke"}, {"data", 1}})));
    auto pushes = collectPushes(*alice, 1);
    QVERIFY(consecutivePubs(pushes, "revoke", 1, 1));
    // A new connection with carol's token is refused.
    auto again = WsTestClient::open(port);
    QVERIFY(again);
    QCOMPARE(errorOf(again->connect(minted.value())), QStringLiteral("unauthorized"));
}

void TestLifecycle::reloadRevokingUserClosesItsConnections()
{
    DaemonProcess daemon(QStringLiteral("[namespaces.default]\n") + kStore);
    QVERIFY2(daemon.start(), daemon.output().constData());
    const auto port = daemon.port();
    auto alice = connected(port, "alice");
    auto mallory = connected(port, "mallory");
    auto mallory2 = connected(port, "mallory"); // every connection of the user goes
    QVERIFY(alice && mallory && mallory2);
    for (auto* client : {alice.get(), mallory.get(), mallory2.get()})
        QVERIFY(requestOk(*client, cmd("subscribe", {{"channel", "banned"}})));

    const auto from = daemon.output().size();
    daemon.setAuthToml(QStringLiteral("revoked_subjects = [\"mallory\"]\n"));
    daemon.writeConfig(QStringLiteral("[namespaces.default]\n") + kStore);
    daemon.signal(SIGHUP);
    QVERIFY(daemon.waitForOutput("configuration reloaded", from));
    QVERIFY(expectDisconnect(*mallory, 4001, false));
    QVERIFY(expectDisconnect(*mallory2, 4001, false));
    QVERIFY2(mallory->closeReason().find("revoked") != std::string::npos, mallory->closeReason().c_str());
    QVERIFY(requestOk(*alice, cmd("publish", {{"channel", "banned"}, {"data", 1}})));
    QVERIFY(consecutivePubs(collectPushes(*alice, 1), "banned", 1, 1));
    // mallory cannot come back with a valid token; others can.
    auto again = WsTestClient::open(port);
    QVERIFY(again);
    QCOMPARE(errorOf(again->connect(DaemonProcess::token("mallory"))), QStringLiteral("unauthorized"));
    QVERIFY(connected(port, "bob"));
}

void TestLifecycle::refreshWithNarrowerTokenEndsSubscriptions()
{
    DaemonProcess daemon(QStringLiteral("[namespaces.default]\n") + kStore);
    QVERIFY2(daemon.start(), daemon.output().constData());
    const auto port = daemon.port();
    auto dave = WsTestClient::open(port);
    QVERIFY(dave);
    QVERIFY(requestOk(*dave, cmd("connect", {{"token", DaemonProcess::token("dave", 3600,
                                                  R"({"subscribe":["a","b"],"publish":["a","b"]})").toStdString()}})));
    QVERIFY(requestOk(*dave, cmd("subscribe", {{"channel", "a"}})));
    QVERIFY(requestOk(*dave, cmd("subscribe", {{"channel", "b"}})));
    // The new token allows "a" only: "b" ends with an unsubscribed push.
    QVERIFY(requestOk(*dave, cmd("refresh", {{"token", DaemonProcess::token("dave", 3600,
                                                  R"({"subscribe":["a"],"publish":["a","b"]})").toStdString()}})));
    auto push = dave->nextPush();
    QVERIFY2(push, dave->lastError().c_str());
    QCOMPARE(str(*push, "push"), std::string("unsubscribed"));
    QCOMPARE(str(*push, "channel"), std::string("b"));
    QVERIFY(requestOk(*dave, cmd("publish", {{"channel", "b"}, {"data", 1}})));
    QVERIFY(requestOk(*dave, cmd("publish", {{"channel", "a"}, {"data", 2}})));
    // Only "a"'s publication arrives.
    auto pushes = collectPushes(*dave, 1);
    QVERIFY(consecutivePubs(pushes, "a", 1, 1));
    QVERIFY(nothingQueued(*dave));
}

QTEST_GUILESS_MAIN(TestLifecycle)
#include "tst_lifecycle.moc"

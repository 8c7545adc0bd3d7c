// SPDX-License-Identifier: Apache-2.0
// End-to-end tests of the per-connection and per-node limits of PROTOCOL.md,
// "Transport": rate limit (too_many_requests, 4006), connection limit (4009), frame
// size (1009), send queue (slow consumer, 4005), subscription limit (limit_exceeded),
// server pings, and the Origin check on the upgrade. Each test starts a daemon with
// the [client] settings it needs.

#include "support/test_support.h"
#include "support/ws_test_client.h"

#include <QDeadlineTimer>
#include <QThread>
#include <QtTest>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <sys/socket.h>

#include <chrono>
#include <csignal>
#include <thread>

using namespace aldis::test;
namespace json = boost::json;

class TestLimits : public QObject {
    Q_OBJECT

private slots:
    void cleanup();

    void rateLimit();
    void connectionLimit();
    void frameSize();
    void subscriptionLimit();
    void slowConsumer();
    void slowConsumerThatNeverReads();
    void pingFloodThatNeverReads();
    void serverPings();
    void handshakeTimeout();
    void originAllowList_data();
    void originAllowList();
    void originSameHost_data();
    void originSameHost();

private:
    // Starts a daemon with `clientToml` in its [client] table; null on failure.
    std::unique_ptr<DaemonProcess> start(const QString& clientToml, const QString& extraToml = {});
    // Subscribes a paused reader and a live reader to `channel`, then publishes 3 KB
    // publications one at a time until the node reports a slow-consumer disconnect;
    // then `extra` more. The send queue is 8 KiB and a publication frame about 3 KiB,
    // so a reader that keeps up never has more than two frames queued.
    struct Flood {
        std::unique_ptr<WsTestClient> slow, fast, publisher;
        std::vector<json::object> fastPushes; // what the live reader got, in order
        std::int64_t last = 0;
        std::string epoch;
    };
    bool flood(std::uint16_t port, const std::string& channel, int extra, Flood& out);

    std::unique_ptr<DaemonProcess> m_daemon;
    std::unique_ptr<DaemonProcess> m_allowListDaemon;
    std::unique_ptr<DaemonProcess> m_sameHostDaemon;
};

std::unique_ptr<DaemonProcess> TestLimits::start(const QString& clientToml, const QString& extraToml)
{
    if (aldisBinary().isEmpty()) {
        qWarning("ALDIS_BINARY is not set (run through ctest)");
        return nullptr;
    }
    auto daemon = std::make_unique<DaemonProcess>();
    writeDaemonConfig(*daemon, clientToml,
                      extraToml.isEmpty() ? QStringLiteral("[store]\nsynchronous = \"normal\"\n") : extraToml);
    if (!daemon->start()) {
        qWarning("the daemon did not start: %s", daemon->output().constData());
        return nullptr;
    }
    return daemon;
}

void TestLimits::cleanup()
{
    if (m_daemon) {
        m_daemon->signal(SIGTERM);
        QCOMPARE(m_daemon->waitForExit(), 0);
        m_daemon.reset();
    }
}

void TestLimits::rateLimit()
{
    // A bucket of 5 that refills once every 100 s: the test decides exactly which
    // command is the first refused.
    m_daemon = start(QStringLiteral("rate_limit = 0.01\nrate_burst = 5\nrate_violations_before_close = 3"));
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    auto c = connected(port, "alice"); // connect takes the first token
    QVERIFY(c);
    for (int i = 0; i < 4; ++i)
        QVERIFY(requestOk(*c, cmd("ping")));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(errorOf(*c, cmd("publish", {{"channel", "r"}, {"data", i}})), QStringLiteral("too_many_requests"));
    // The next refused command in a row closes the connection.
    QVERIFY(c->send(cmd("ping", {{"id", 1000}})));
    QVERIFY(expectDisconnect(*c, 4006, true));
    QVERIFY2(!c->reply(1000, 100), "the command that closed the connection must not be answered");
    // Nothing was published; other connections have buckets of their own.
    auto other = connected(port, "bob");
    QVERIFY(other);
    json::object ok;
    QVERIFY(requestOk(*other, cmd("history", {{"channel", "r"}}), &ok));
    QCOMPARE(ok.at("publications").as_array().size(), std::size_t{0});
    QCOMPARE(metric(port, "aldis_rate_limited_total").value_or(-1), 4.0);
}

void TestLimits::connectionLimit()
{
    m_daemon = start(QStringLiteral("max_connections = 2"));
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    auto a = connected(port, "alice");
    auto b = connected(port, "bob");
    QVERIFY(a && b);
    std::string error;
    auto third = WsTestClient::open(port, {}, &error);
    QVERIFY2(third, error.c_str()); // the upgrade completes, then the close
    QVERIFY(expectDisconnect(*third, 4009, true));
    // Header authentication does not get around it.
    auto fourth = WsTestClient::open(port, {{"Authorization", "Bearer " + token("carol")}}, &error);
    QVERIFY2(fourth, error.c_str());
    QVERIFY(expectDisconnect(*fourth, 4009, true));
    // The two connections are unaffected.
    QVERIFY(requestOk(*a, cmd("ping")));
    QVERIFY(requestOk(*b, cmd("ping")));
    // Once one closes, a new one gets in.
    QVERIFY(a->close());
    std::unique_ptr<WsTestClient> late;
    for (int attempt = 0; attempt < 100 && !late; ++attempt) {
        auto c = WsTestClient::open(port);
        QVERIFY(c);
        auto reply = c->connect(token("dave"), 5000);
        if (reply && reply->contains("ok"))
            late = std::move(c);
        else
            QTest::qWait(100);
    }
    QVERIFY2(late, "no connection was accepted after one of the two closed");
    QVERIFY(requestOk(*late, cmd("ping")));
}

void TestLimits::frameSize()
{
    m_daemon = start(QStringLiteral("max_frame_bytes = 1024"));
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    // A publish frame of exactly `size` bytes.
    auto frameOf = [](std::size_t size) {
        const std::string head = R"({"id":1,"op":"publish","channel":"f","data":")";
        const std::string tail = R"("})";
        return head + std::string(size - head.size() - tail.size(), 'x') + tail;
    };
    auto c = connected(port, "alice");
    QVERIFY(c);
    QVERIFY(c->sendText(frameOf(1024)));
    auto reply = c->reply(1);
    QVERIFY2(reply && reply->contains("ok"), reply ? toJson(*reply).c_str() : c->lastError().c_str());
    // Fragments are counted together: 2 x 500 bytes is fine...
    const auto fragmented = frameOf(1000);
    QVERIFY(c->sendRaw(WsTestClient::clientFrame(0x1, std::string_view(fragmented).substr(0, 500), false) +
                       WsTestClient::clientFrame(0x0, std::string_view(fragmented).substr(500))));
    reply = c->reply(1);
    QVERIFY2(reply && reply->contains("ok"), reply ? toJson(*reply).c_str() : c->lastError().c_str());
    // ...one byte more than the limit is not.
    QVERIFY(c->sendText(frameOf(1025)));
    QVERIFY(expectDisconnect(*c, 1009, false));

    auto d = connected(port, "bob");
    QVERIFY(d);
    const auto big = frameOf(1100);
    QVERIFY(d->sendRaw(WsTestClient::clientFrame(0x1, std::string_view(big).substr(0, 600), false) +
                       WsTestClient::clientFrame(0x0, std::string_view(big).substr(600))));
    QVERIFY(expectDisconnect(*d, 1009, false));
    // The oversized publications were not published; the node still serves.
    auto e = connected(port, "carol");
    QVERIFY(e);
    json::object ok;
    QVERIFY(requestOk(*e, cmd("history", {{"channel", "f"}}), &ok));
    QCOMPARE(ok.at("publications").as_array().size(), std::size_t{2});
}

void TestLimits::subscriptionLimit()
{
    m_daemon = start(QStringLiteral("max_subscriptions_per_connection = 2"));
    QVERIFY(m_daemon);
    auto c = connected(m_daemon->port(), "alice");
    QVERIFY(c);
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "a"}})));
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "b"}})));
    QCOMPARE(errorOf(*c, cmd("subscribe", {{"channel", "c"}})), QStringLiteral("limit_exceeded"));
    QVERIFY(requestOk(*c, cmd("unsubscribe", {{"channel", "a"}})));
    QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", "c"}})));
    // The limit is per connection.
    auto d = connected(m_daemon->port(), "alice");
    QVERIFY(d);
    QVERIFY(requestOk(*d, cmd("subscribe", {{"channel", "a"}})));
    QVERIFY(requestOk(*d, cmd("subscribe", {{"channel", "b"}})));
}

bool TestLimits::flood(std::uint16_t port, const std::string& channel, int extra, Flood& out)
{
    // A small receive buffer on the slow reader, so the node's writes stall soon.
    out.slow = connected(port, "slow", {}, 4096);
    out.fast = connected(port, "fast");
    out.publisher = connected(port, "publisher");
    if (!out.slow || !out.fast || !out.publisher)
        return false;
    if (!requestOk(*out.slow, cmd("subscribe", {{"channel", channel}})) ||
        !requestOk(*out.fast, cmd("subscribe", {{"channel", channel}})))
        return false;
    out.slow->pauseReading();
    if (!requestOk(*out.slow, cmd("ping"))) // completes the read in progress: now it is paused
        return false;
    const std::string payload(3000, 'p');
    int after = -1;
    for (std::int64_t n = 1; n <= 20000; ++n) {
        json::object ok;
        if (!requestOk(*out.publisher, cmd("publish", {{"channel", channel}, {"data", {{"n", n}, {"pad", payload}}}}),
                       &ok))
            return false;
        out.last = num(ok, "offset");
        out.epoch = str(ok, "epoch");
        // The live reader takes each publication before the next is published, so it
        // is never more than one behind, however slow the machine (a sanitizer build,
        // a loaded CI host): only the paused reader overflows.
        auto got = out.fast->nextPush();
        if (!got) {
            qWarning("the live reader got no publication %lld: %s", static_cast<long long>(n),
                     out.fast->lastError().c_str());
            return false;
        }
        out.fastPushes.push_back(std::move(*got));
        if (out.last != n) {
            qWarning("publish %lld got offset %lld", static_cast<long long>(n), static_cast<long long>(out.last));
            return false;
        }
        if (after < 0 && n % 20 == 0 && metric(port, "aldis_slow_consumer_disconnects_total").value_or(0) >= 1)
            after = 0;
        if (after >= 0 && after++ == extra) {
            qInfo("flood: the slow consumer was cut off after about %lld publications", static_cast<long long>(n - extra));
            return true;
        }
    }
    qWarning("no slow-consumer disconnect after %lld publications", static_cast<long long>(out.last));
    return false;
}

void TestLimits::slowConsumer()
{
    m_daemon = start(QStringLiteral("send_queue_bytes = 8192"),
                     QStringLiteral("[namespaces.default]\nhistory_size = 100000\n[store]\nsynchronous = \"normal\"\n"));
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    Flood f;
    QVERIFY(flood(port, "firehose", 50, f));
    const auto total = static_cast<std::size_t>(f.last);

    // The live reader got everything, in order.
    const auto& all = f.fastPushes;
    QVERIFY(consecutivePubs(all, "firehose", 1, total));
    for (std::size_t i = 0; i < all.size(); ++i)
        QCOMPARE(num(all[i].at("data").as_object(), "n"), static_cast<std::int64_t>(i + 1));
    QVERIFY(nothingQueued(*f.fast));

    // The slow one gets, once it reads again, a gap-free prefix, then the 4005.
    f.slow->resumeReading();
    std::int64_t lastSeen = 0;
    std::optional<json::object> push;
    while ((push = f.slow->nextPush()) && str(*push, "push") == "pub") {
        QCOMPARE(num(*push, "offset"), lastSeen + 1);
        lastSeen = num(*push, "offset");
    }
    QVERIFY2(push, f.slow->lastError().c_str());
    QCOMPARE(str(*push, "push"), std::string("disconnect"));
    QCOMPARE(num(*push, "code"), std::int64_t{4005});
    QCOMPARE(push->at("reconnect"), json::value(true));
    QCOMPARE(f.slow->waitClosed().value_or(-1), 4005);
    QVERIFY(lastSeen < f.last);

    // Resuming with since: what it missed (50+ publications of 3 KB) does not fit its
    // 8 KiB send queue, so the node answers recovered:false instead of a replay that
    // would overflow again; the client pages through history, then resumes from there.
    auto back = connected(port, "slow");
    QVERIFY(back);
    json::object ok;
    QVERIFY(requestOk(*back, cmd("subscribe", {{"channel", "firehose"}, {"since", {{"offset", lastSeen}, {"epoch", f.epoch}}}}), &ok));
    QCOMPARE(ok.at("recovered"), json::value(false));
    QCOMPARE(num(ok, "replayed"), std::int64_t{0});
    QCOMPARE(num(ok, "offset"), f.last);
    QVERIFY(nothingQueued(*back));
    QVERIFY(requestOk(*back, cmd("unsubscribe", {{"channel", "firehose"}})));
    std::int64_t next = lastSeen + 1;
    while (next <= f.last - 1) {
        QVERIFY(requestOk(*back, cmd("history", {{"channel", "firehose"}, {"limit", 2},
                                                 {"since", {{"offset", next - 1}, {"epoch", f.epoch}}}}), &ok));
        for (const auto& pub : ok.at("publications").as_array()) {
            if (next > f.last - 1)
                break;
            QCOMPARE(num(pub.as_object(), "offset"), next);
            QCOMPARE(num(pub.as_object().at("data").as_object(), "n"), next);
            ++next;
        }
    }
    // One publication left: that fits, and comes as a replay.
    QVERIFY(requestOk(*back, cmd("subscribe", {{"channel", "firehose"}, {"since", {{"offset", f.last - 1}, {"epoch", f.epoch}}}}), &ok));
    QCOMPARE(ok.at("recovered"), json::value(true));
    QCOMPARE(num(ok, "replayed"), std::int64_t{1});
    QVERIFY(consecutivePubs(collectPushes(*back, 1, 60000), "firehose", f.last, 1));
    QCOMPARE(metric(port, "aldis_slow_consumer_disconnects_total").value_or(-1), 1.0);
}

void TestLimits::slowConsumerThatNeverReads()
{
    // A client that stopped reading altogether: its 4005 close frame cannot be written
    // either, and the node must still let the connection go rather than hold it (and
    // its socket) forever.
    m_daemon = start(QStringLiteral("send_queue_bytes = 8192"));
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    Flood f;
    QVERIFY(flood(port, "stalled", 0, f));
    // The fast reader and the publisher stay; the stalled one must go (the guard is
    // generous: the node gives a closing peer 2 s to answer its close frame).
    QCOMPARE(waitForMetric(port, "aldis_connections", 2.0, 10000), 2.0);
}

void TestLimits::pingFloodThatNeverReads()
{
    // Pings are answered with pongs, which count against send_queue_bytes: a client
    // that sends pings and reads nothing is a slow consumer like any other, instead
    // of a way to make the node hold its pongs without bound.
    m_daemon = start(QStringLiteral("send_queue_bytes = 8192"));
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    WsTestClient::Options options;
    options.receiveBufferBytes = 4096;
    auto flooder = WsTestClient::openWith(port, options);
    QVERIFY(flooder);
    QVERIFY(requestOk(*flooder, cmd("connect", {{"token", token("mallory")}})));
    flooder->pauseReading();
    QVERIFY(requestOk(*flooder, cmd("ping"))); // completes the read in progress
    // 60,000 pings of 125 bytes: 7.6 MB of pongs, more than the kernel buffers hold.
    const std::string ping = WsTestClient::clientFrame(0x9, std::string(125, 'p'));
    std::string burst;
    for (int i = 0; i < 1000; ++i)
        burst += ping;
    for (int i = 0; i < 60 && !flooder->isClosed(); ++i)
        if (!flooder->sendRaw(burst))
            break; // the node closed the connection
    QCOMPARE(waitForMetric(port, "aldis_disconnects_total{code=\"4005\"}", 1.0, 10000), 1.0);
    // Everyone else is still served.
    auto other = connected(port, "alice");
    QVERIFY(other);
    QVERIFY(requestOk(*other, cmd("ping")));
}

void TestLimits::serverPings()
{
    m_daemon = start(QStringLiteral("ping_interval = \"1s\""));
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    json::object ok;
    auto answering = connected(port, "alice"); // Beast answers pings with pongs
    auto silent = WsTestClient::open(port);
    QVERIFY(answering && silent);
    QVERIFY(requestOk(*silent, cmd("connect", {{"token", token("bob")}}), &ok));
    QCOMPARE(num(ok, "ping_interval"), std::int64_t{1});
    // Pausing takes effect once the read in progress has completed: the reply to this
    // ping completes it, and then nothing reads (or answers pings) on this connection.
    silent->pauseReading();
    QVERIFY(requestOk(*silent, cmd("ping")));
    // The silent one is closed after 2 unanswered intervals...
    QCOMPARE(waitForMetric(port, "aldis_disconnects_total{code=\"1001\"}", 1.0, 10000), 1.0);
    silent->resumeReading();
    QVERIFY(expectDisconnect(*silent, 1001, true));
    // ...the answering one, idle as long, is not.
    QVERIFY(requestOk(*answering, cmd("ping")));
    QVERIFY(!answering->isClosed());
}

void TestLimits::originAllowList_data()
{
    QTest::addColumn<QString>("origin");   // empty: no Origin header
    QTest::addColumn<int>("status");       // 101 upgraded, else the HTTP status
    QTest::addRow("no Origin") << QString() << 101;
    QTest::addRow("listed") << "https://app.example.com" << 101;
    QTest::addRow("listed, other case") << "HTTPS://App.Example.COM" << 101;
    QTest::addRow("other host") << "https://evil.example.com" << 403;
    QTest::addRow("listed host as prefix") << "https://app.example.com.evil.com" << 403;
    QTest::addRow("other scheme") << "http://app.example.com" << 403;
    QTest::addRow("other port") << "https://app.example.com:8443" << 403;
    QTest::addRow("same host, not listed") << "http://127.0.0.1:$PORT" << 403;
    QTest::addRow("null") << "null" << 403;
}

void TestLimits::originAllowList()
{
    QFETCH(QString, origin);
    QFETCH(int, status);
    if (!m_allowListDaemon)
        m_allowListDaemon = start(QStringLiteral("allowed_origins = [\"https://app.example.com\"]"));
    QVERIFY(m_allowListDaemon);
    const auto port = m_allowListDaemon->port();
    origin.replace(QLatin1String("$PORT"), QString::number(port));
    Headers headers;
    if (!origin.isEmpty())
        headers.emplace_back("Origin", origin.toStdString());
    int httpStatus = 0;
    std::string error;
    auto c = WsTestClient::open(port, headers, &error, &httpStatus);
    if (status == 101) {
        QVERIFY2(c, error.c_str());
        QVERIFY(requestOk(*c, cmd("connect", {{"token", token("alice")}})));
    } else {
        QVERIFY(!c);
        QCOMPARE(httpStatus, status);
    }
    QVERIFY(connected(port, "other")); // still serving
}

void TestLimits::originSameHost_data()
{
    QTest::addColumn<QString>("origin");
    QTest::addColumn<int>("status");
    QTest::addRow("no Origin") << QString() << 101;
    QTest::addRow("same host") << "http://127.0.0.1:$PORT" << 101;
    QTest::addRow("same host, https") << "https://127.0.0.1:$PORT" << 101;
    QTest::addRow("same address, other port") << "http://127.0.0.1:1" << 403;
    QTest::addRow("other name") << "http://localhost:$PORT" << 403;
    QTest::addRow("other host") << "https://evil.example.com" << 403;
}

void TestLimits::originSameHost()
{
    QFETCH(QString, origin);
    QFETCH(int, status);
    if (!m_sameHostDaemon)
        m_sameHostDaemon = start(QString());
    QVERIFY(m_sameHostDaemon);
    const auto port = m_sameHostDaemon->port();
    origin.replace(QLatin1String("$PORT"), QString::number(port));
    Headers headers;
    if (!origin.isEmpty())
        headers.emplace_back("Origin", origin.toStdString());
    int httpStatus = 0;
    std::string error;
    auto c = WsTestClient::open(port, headers, &error, &httpStatus);
    if (status == 101) {
        QVERIFY2(c, error.c_str());
        QVERIFY(requestOk(*c, cmd("connect", {{"token", token("alice")}})));
    } else {
        QVERIFY(!c);
        QCOMPARE(httpStatus, status);
    }
    QVERIFY(connected(port, "other"));
}

void TestLimits::handshakeTimeout()
{
    // A connection that never finishes its upgrade request (a byte now and then, as
    // slowloris does) is closed after client.handshake_timeout, and meanwhile real
    // clients connect and are served.
    m_daemon = start(QStringLiteral("handshake_timeout = \"500ms\""));
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket slow(io);
    slow.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    const std::string partial = "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    const auto started = std::chrono::steady_clock::now();
    boost::system::error_code ec;
    for (char c : partial.substr(0, 8)) {
        boost::asio::write(slow, boost::asio::buffer(&c, 1), ec);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    auto other = connected(port, "alice");
    QVERIFY(other);
    QVERIFY(requestOk(*other, cmd("ping")));
    // The node closes the half-open request: the read ends with EOF or a reset (a
    // receive timeout of 10 s guards the test; that would be a failure).
    timeval guard{10, 0};
    ::setsockopt(slow.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
    char byte;
    const auto n = slow.read_some(boost::asio::buffer(&byte, 1), ec);
    QCOMPARE(n, std::size_t{0});
    QVERIFY2(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset,
             ec.message().c_str());
    QVERIFY(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
    QVERIFY(requestOk(*other, cmd("ping")));
}

QTEST_GUILESS_MAIN(TestLimits)
#include "tst_limits.moc"

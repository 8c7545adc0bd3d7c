// SPDX-License-Identifier: Apache-2.0
// aldis::client::Client against the real daemon as a subprocess: the request API,
// resume after a crash and restart, fail-over on drain, backoff, the close codes that
// end the client, and durable subscriptions.

#include "client/client.h"

#include "common/time.h"
#include "security/jwt.h"
#include "support/test_support.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QtTest>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <mutex>
#include <set>
#include <thread>

using namespace aldis;
using namespace aldis::client;
using aldis::test::DaemonProcess;
using namespace std::chrono_literals;

namespace {

using SteadyClock = std::chrono::steady_clock;

// QCOMPARE cannot print these enums (their toString() returns a string_view).
QByteArray name(State state)
{
    return QByteArray::fromStdString(std::string(toString(state)));
}

QByteArray name(ErrorCode code)
{
    return QByteArray::fromStdString(std::string(toString(code)));
}

std::string url(std::uint16_t port)
{
    return "ws://127.0.0.1:" + std::to_string(port) + "/v1/ws";
}

ClientOptions optionsFor(const std::vector<std::uint16_t>& ports, const QString& user = QStringLiteral("alice"))
{
    ClientOptions options;
    for (auto port : ports)
        options.urls.push_back(url(port));
    options.tokenProvider = [token = DaemonProcess::token(user).toStdString()] { return token; };
    options.name = "tst_client";
    // Short delays keep the tests quick; the policy is the same.
    options.backoff.initial = 50ms;
    options.backoff.max = 1s;
    return options;
}

// A port nothing listens on (bound, then released).
std::uint16_t closedPort()
{
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

// Waits for a future while the Qt event loop keeps reading the daemons' output.
template <typename T>
Result<T> await(std::future<Result<T>> future, int timeoutMs = 30000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (future.wait_for(5ms) != std::future_status::ready) {
        QCoreApplication::processEvents();
        if (deadline.hasExpired())
            return makeError(ErrorCode::internal, "test: no result within " + std::to_string(timeoutMs) + " ms");
    }
    return future.get();
}

template <typename T>
QByteArray why(const Result<T>& result)
{
    if (result.ok())
        return {};
    return QByteArray::fromStdString(std::string(toString(result.error().code)) + ": " + result.error().message);
}

// Everything a client reports through its handlers, recorded on the client thread and
// read on the test thread. Declare it before the clients it records: their callbacks
// use it until they are destroyed.
class Recorder {
public:
    void attach(Client& client)
    {
        client.onStateChanged([this](State state) {
            std::lock_guard lock(m_mutex);
            m_states.push_back(state);
            if (state == State::connecting)
                m_attempts.push_back(SteadyClock::now());
        });
        client.onConnected([this](const ConnectInfo& info) {
            std::lock_guard lock(m_mutex);
            m_connected.push_back(info);
        });
        client.onDisconnected([this](const DisconnectInfo& info) {
            std::lock_guard lock(m_mutex);
            m_disconnects.push_back(info);
        });
        client.onPublication([this](const Publication& pub) {
            std::lock_guard lock(m_mutex);
            m_publications.push_back(pub);
        });
        client.onPush([this](const boost::json::object& push) {
            std::lock_guard lock(m_mutex);
            m_pushes.push_back(boost::json::serialize(push));
        });
        client.onResyncNeeded([this](const std::string& channel) {
            std::lock_guard lock(m_mutex);
            m_resyncs.push_back(channel);
        });
        client.onGap([this](const std::string& channel, std::uint64_t expected, std::uint64_t got) {
            std::lock_guard lock(m_mutex);
            m_gaps.push_back(channel + ": expected " + std::to_string(expected) + ", got " + std::to_string(got));
        });
        client.onError([this](const Error& error) {
            std::lock_guard lock(m_mutex);
            m_errors.push_back(error);
        });
    }

    std::vector<Publication> publications(const std::string& channel) const
    {
        std::lock_guard lock(m_mutex);
        std::vector<Publication> out;
        for (const auto& pub : m_publications)
            if (pub.channel == channel)
                out.push_back(pub);
        return out;
    }
    std::size_t count(const std::string& channel) const { return publications(channel).size(); }
    std::uint64_t lastOffset(const std::string& channel) const
    {
        auto pubs = publications(channel);
        return pubs.empty() ? 0 : pubs.back().offset;
    }

    template <typename Fn>
    auto read(Fn fn) const
    {
        std::lock_guard lock(m_mutex);
        return fn(*this);
    }

    std::vector<State> m_states;
    std::vector<SteadyClock::time_point> m_attempts;
    std::vector<ConnectInfo> m_connected;
    std::vector<DisconnectInfo> m_disconnects;
    std::vector<Publication> m_publications;
    std::vector<std::string> m_pushes;
    std::vector<std::string> m_resyncs;
    std::vector<std::string> m_gaps;
    std::vector<Error> m_errors;

private:
    mutable std::mutex m_mutex;
};

std::size_t attempts(const Recorder& rec)
{
    return rec.read([](const Recorder& r) { return r.m_attempts.size(); });
}

State lastState(const Recorder& rec)
{
    return rec.read([](const Recorder& r) { return r.m_states.empty() ? State::disconnected : r.m_states.back(); });
}

bool sawClose(const Recorder& rec, std::uint16_t code)
{
    return rec.read([code](const Recorder& r) {
        return std::any_of(r.m_disconnects.begin(), r.m_disconnects.end(),
                           [code](const DisconnectInfo& d) { return d.code == code; });
    });
}

} // namespace

class TestClient : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void requestsRoundtrip();
    void resumeAfterDaemonRestart();
    void drainMovesToNextUrl();
    void backoffGrows();
    void badTokenIsFinal();
    void expiredTokenGetsANewOne();
    void durableSubscriptionResumesAfterAck();
};

void TestClient::initTestCase()
{
    if (test::aldisBinary().isEmpty())
        QFAIL("ALDIS_BINARY is not set; run the test through ctest");
}

void TestClient::requestsRoundtrip()
{
    DaemonProcess daemon;
    QVERIFY2(daemon.start(), daemon.output().constData());
    Recorder rec;
    Client client(optionsFor({daemon.port()}));
    rec.attach(client);

    // Made before start(): it waits for the connection.
    auto subscribed = client.subscribe("roundtrip");
    client.start();
    auto sub = await(std::move(subscribed));
    QVERIFY2(sub.ok(), why(sub));
    QCOMPARE(sub->channel, std::string("roundtrip"));
    QCOMPARE(sub->offset, 0u);
    QCOMPARE(name(client.state()), name(State::connected));
    QTRY_COMPARE_WITH_TIMEOUT(rec.read([](const Recorder& r) { return r.m_connected.size(); }), std::size_t(1), 5000);
    QCOMPARE(rec.read([](const Recorder& r) { return r.m_connected.front().user; }), std::string("alice"));

    for (int i = 1; i <= 3; ++i) {
        auto pub = await(client.publish("roundtrip", "{\"n\":" + std::to_string(i) + "}", "key-" + std::to_string(i)));
        QVERIFY2(pub.ok(), why(pub));
        QCOMPARE(pub->offset, std::uint64_t(i));
        QVERIFY(!pub->duplicate);
        QVERIFY(!pub->epoch.empty());
    }
    auto again = await(client.publish("roundtrip", "{\"n\":1}", "key-1"));
    QVERIFY2(again.ok(), why(again));
    QVERIFY(again->duplicate);
    QCOMPARE(again->offset, 1u);

    QTRY_COMPARE_WITH_TIMEOUT(rec.count("roundtrip"), std::size_t(3), 10000);
    const auto pubs = rec.publications("roundtrip");
    for (std::size_t i = 0; i < pubs.size(); ++i) {
        QCOMPARE(pubs[i].offset, std::uint64_t(i + 1));
        QCOMPARE(pubs[i].dataJson, "{\"n\":" + std::to_string(i + 1) + "}");
        QCOMPARE(pubs[i].user, std::string("alice"));
        QCOMPARE(pubs[i].key, "key-" + std::to_string(i + 1));
        QVERIFY(pubs[i].ts > 0);
    }

    auto history = await(client.history("roundtrip"));
    QVERIFY2(history.ok(), why(history));
    QCOMPARE(history->offset, 3u);
    QCOMPARE(history->publications.size(), std::size_t(3));
    QCOMPARE(history->publications[2].dataJson, std::string("{\"n\":3}"));
    auto newest = await(client.history("roundtrip", HistoryOptions{std::nullopt, 1, true}));
    QVERIFY2(newest.ok(), why(newest));
    QCOMPARE(newest->publications.size(), std::size_t(1));
    QCOMPARE(newest->publications[0].offset, 3u);

    auto presence = await(client.presence("roundtrip"));
    QVERIFY2(presence.ok(), why(presence));
    QCOMPARE(presence->count, 1u);
    QCOMPARE(presence->clients.at(0).user, std::string("alice"));

    auto ping = await(client.ping());
    QVERIFY2(ping.ok(), why(ping));
    auto refreshed = await(client.refresh(DaemonProcess::token(QStringLiteral("alice"), 7200).toStdString()));
    QVERIFY2(refreshed.ok(), why(refreshed));
    QVERIFY(refreshed->expiresAt > unixSecondsNow() + 3600);

    // Errors: the server's, with its code, and the client's own checks.
    auto unknown = await(client.publish("nope:x", "1"));
    QVERIFY(!unknown.ok());
    QCOMPARE(name(unknown.error().code), name(ErrorCode::unknown_channel));
    QVERIFY(!unknown.error().retryable);
    QVERIFY(!unknown.error().message.empty());
    auto badJson = await(client.publish("roundtrip", "{not json"));
    QVERIFY(!badJson.ok());
    QCOMPARE(name(badJson.error().code), name(ErrorCode::bad_request));
    auto twice = await(client.subscribe("roundtrip"));
    QVERIFY(!twice.ok());
    QCOMPARE(name(twice.error().code), name(ErrorCode::already_subscribed));
    auto notDurable = await(client.ack("roundtrip", 1));
    QVERIFY(!notDurable.ok());
    QCOMPARE(name(notDurable.error().code), name(ErrorCode::bad_request));
    auto noKey = await(client.publishWithRetry("roundtrip", "1", "", 3));
    QVERIFY(!noKey.ok());
    QCOMPARE(name(noKey.error().code), name(ErrorCode::bad_request));

    auto unsubscribed = await(client.unsubscribe("roundtrip"));
    QVERIFY2(unsubscribed.ok(), why(unsubscribed));
    auto notSubscribed = await(client.unsubscribe("roundtrip"));
    QVERIFY(!notSubscribed.ok());
    QCOMPARE(name(notSubscribed.error().code), name(ErrorCode::not_subscribed));

    client.stop();
    QCOMPARE(name(client.state()), name(State::closed));
    QCOMPARE(name(lastState(rec)), name(State::closed));
    auto afterStop = await(client.ping());
    QVERIFY(!afterStop.ok());
    QCOMPARE(name(afterStop.error().code), name(ErrorCode::unavailable));
    QVERIFY(!afterStop.error().retryable);
    QCOMPARE(attempts(rec), std::size_t(1));
    QVERIFY(rec.read([](const Recorder& r) { return r.m_gaps.empty(); }));
}

// The daemon is killed (SIGKILL) and started again on the same port while a publisher
// keeps publishing with keys: the subscriber must end with every acknowledged offset
// exactly once, in order, without a gap and without a resync.
void TestClient::resumeAfterDaemonRestart()
{
    DaemonProcess daemon;
    QVERIFY2(daemon.start(), daemon.output().constData());
    daemon.writeConfig({}); // the config now names the bound port: the restart reuses it
    const std::string channel = "resume";
    constexpr int kTotal = 400;

    Recorder rec;
    Client subscriber(optionsFor({daemon.port()}, QStringLiteral("sub")));
    Client publisher(optionsFor({daemon.port()}, QStringLiteral("pub")));
    rec.attach(subscriber);
    subscriber.start();
    publisher.start();
    auto sub = await(subscriber.subscribe(channel));
    QVERIFY2(sub.ok(), why(sub));

    std::mutex ackedMutex;
    std::vector<std::uint64_t> acked;
    std::vector<std::string> failures;
    int duplicates = 0; // retries of a publication that had been committed before the kill
    std::atomic<int> finished{0};
    std::thread publishing([&] {
        for (int i = 0; i < kTotal; ++i) {
            const auto data = "{\"i\":" + std::to_string(i) + "}";
            auto result = publisher.publishWithRetry(channel, data, "k" + std::to_string(i), 60).get();
            std::lock_guard lock(ackedMutex);
            if (result) {
                acked.push_back(result->offset);
                duplicates += result->duplicate ? 1 : 0;
            } else {
                failures.push_back(result.error().message);
            }
            finished.fetch_add(1);
        }
    });
    // Stops the publisher (failing what it waits for) if the test bails out early.
    struct Joiner {
        Client& client;
        std::thread& thread;
        ~Joiner()
        {
            if (thread.joinable()) {
                client.stop();
                thread.join();
            }
        }
    } joiner{publisher, publishing};

    QTRY_VERIFY_WITH_TIMEOUT(finished.load() >= kTotal / 4, 60000);
    daemon.kill9();
    QVERIFY2(daemon.start(), daemon.output().constData());
    QTRY_COMPARE_WITH_TIMEOUT(finished.load(), kTotal, 120000);
    publishing.join();

    {
        std::lock_guard lock(ackedMutex);
        QVERIFY2(failures.empty(), failures.empty() ? "" : failures.front().c_str());
        QCOMPARE(acked.size(), std::size_t(kTotal));
    }
    const auto maxAcked = *std::max_element(acked.begin(), acked.end());
    QTRY_VERIFY_WITH_TIMEOUT(rec.lastOffset(channel) >= maxAcked, 60000);

    QVERIFY(sawClose(rec, 1006)); // the subscriber did lose its connection
    qInfo("%d publications, %d of them answered as duplicates of a retry; subscriber connections: %d", kTotal,
          duplicates, int(rec.read([](const Recorder& r) { return r.m_connected.size(); })));
    const auto pubs = rec.publications(channel);
    std::set<std::string> keys;
    for (std::size_t i = 0; i < pubs.size(); ++i) {
        QCOMPARE(pubs[i].offset, std::uint64_t(i + 1)); // in order, once each, no hole
        QVERIFY2(keys.insert(pubs[i].key).second, pubs[i].key.c_str());
    }
    const std::set<std::uint64_t> ackedSet(acked.begin(), acked.end());
    QCOMPARE(ackedSet.size(), std::size_t(kTotal)); // every key got an offset of its own
    QCOMPARE(pubs.size(), std::size_t(kTotal));      // and nothing else was published
    QVERIFY(rec.read([](const Recorder& r) { return r.m_gaps.empty(); }));
    QVERIFY2(rec.read([](const Recorder& r) { return r.m_resyncs.empty(); }),
             "a resync after a restart that lost nothing");
}

// SIGTERM drains the first node (close code 4007): the client moves to the second URL,
// a node that shares nothing with the first, resubscribes, is told recovered: false
// and asks the application to resync; live delivery then goes on from the new node.
void TestClient::drainMovesToNextUrl()
{
    DaemonProcess first;
    DaemonProcess second;
    QVERIFY2(first.start(), first.output().constData());
    QVERIFY2(second.start(), second.output().constData());
    const std::string channel = "drain";

    Recorder rec;
    Client client(optionsFor({first.port(), second.port()}));
    rec.attach(client);
    client.start();
    auto sub = await(client.subscribe(channel));
    QVERIFY2(sub.ok(), why(sub));
    for (int i = 0; i < 3; ++i) {
        auto pub = await(client.publish(channel, "\"before\""));
        QVERIFY2(pub.ok(), why(pub));
    }
    QTRY_COMPARE_WITH_TIMEOUT(rec.count(channel), std::size_t(3), 10000);

    first.signal(SIGTERM);
    QTRY_VERIFY_WITH_TIMEOUT(rec.read([](const Recorder& r) { return !r.m_resyncs.empty(); }), 30000);
    QCOMPARE(rec.read([](const Recorder& r) { return r.m_resyncs; }), std::vector<std::string>{channel});
    QVERIFY(sawClose(rec, 4007));
    QVERIFY(rec.read([](const Recorder& r) {
        return std::any_of(r.m_pushes.begin(), r.m_pushes.end(),
                           [](const std::string& p) { return p.find("\"disconnect\"") != std::string::npos &&
                                                             p.find("4007") != std::string::npos; });
    }));
    QCOMPARE(rec.read([](const Recorder& r) { return r.m_connected.back().url; }), url(second.port()));
    // Not waitForExit(): the event loop above may already have seen the exit, and
    // QProcess::waitForFinished() is false for a process that has finished.
    QTRY_COMPARE_WITH_TIMEOUT(first.process().state(), QProcess::NotRunning, 15000);
    QCOMPARE(first.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(first.process().exitCode(), 0);

    Client other(optionsFor({second.port()}, QStringLiteral("bob")));
    other.start();
    auto pub = await(other.publish(channel, "\"after\""));
    QVERIFY2(pub.ok(), why(pub));
    QCOMPARE(pub->offset, 1u); // the second node's own stream
    QTRY_COMPARE_WITH_TIMEOUT(rec.count(channel), std::size_t(4), 10000);
    const auto pubs = rec.publications(channel);
    QCOMPARE(pubs.back().offset, 1u);
    QCOMPARE(pubs.back().dataJson, std::string("\"after\""));
    QCOMPARE(name(client.state()), name(State::connected));
    QVERIFY(rec.read([](const Recorder& r) { return r.m_gaps.empty(); }));
}

// Against a port nothing listens on, the delays between attempts grow. Full jitter
// makes each delay random, so only a loose bound is checked: with initial 10 ms and no
// growth, nine delays would take at most 90 ms; doubling makes them ~2.5 s on average
// and below 300 ms with a probability of about 2e-5.
void TestClient::backoffGrows()
{
    auto options = optionsFor({closedPort()});
    options.backoff.initial = 10ms;
    options.backoff.max = 10s;
    Recorder rec;
    Client client(options);
    rec.attach(client);
    client.start();
    QTRY_VERIFY_WITH_TIMEOUT(attempts(rec) >= 10, 60000);

    const auto times = rec.read([](const Recorder& r) { return r.m_attempts; });
    const auto span = std::chrono::duration_cast<std::chrono::milliseconds>(times[9] - times[0]);
    QVERIFY2(span > 300ms, QByteArray::number(qint64(span.count())));
    QVERIFY(times[4] > times[1]);
    for (std::size_t i = 1; i < 10; ++i) {
        // Each delay stays under its cap (plus slack for a busy machine).
        const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(times[i] - times[i - 1]);
        QVERIFY2(gap <= backoffCap(options.backoff, unsigned(i - 1)) + 2s, QByteArray::number(qint64(gap.count())));
    }
    QVERIFY(rec.read([](const Recorder& r) {
        return std::all_of(r.m_disconnects.begin(), r.m_disconnects.end(),
                           [](const DisconnectInfo& d) { return d.willReconnect && d.code == 1006; });
    }));

    // A request waits for a connection; stop() fails it at once.
    auto pending = client.publish("x", "1");
    QVERIFY(pending.wait_for(100ms) == std::future_status::timeout);
    client.stop();
    auto result = await(std::move(pending), 1000);
    QVERIFY(!result.ok());
    QCOMPARE(name(result.error().code), name(ErrorCode::unavailable));
    QCOMPARE(name(client.state()), name(State::closed));
}

void TestClient::badTokenIsFinal()
{
    DaemonProcess daemon;
    QVERIFY2(daemon.start(), daemon.output().constData());
    auto options = optionsFor({daemon.port()});
    options.tokenProvider = [] { return std::string("not-a-jwt"); };
    Recorder rec;
    Client client(options);
    rec.attach(client);
    auto subscribed = client.subscribe("anything");
    client.start();

    QTRY_COMPARE_WITH_TIMEOUT(name(client.state()), name(State::closed), 10000);
    auto sub = await(std::move(subscribed), 1000);
    QVERIFY(!sub.ok());
    QVERIFY(!sub.error().retryable);
    QVERIFY(sawClose(rec, 4001));
    const auto errors = rec.read([](const Recorder& r) { return r.m_errors; });
    QCOMPARE(errors.size(), std::size_t(1));
    QCOMPARE(name(errors[0].code), name(ErrorCode::unauthorized));
    QVERIFY2(errors[0].message.find("4001") != std::string::npos, errors[0].message.c_str());

    QTest::qWait(1500); // a failure guard: nothing may try again
    QCOMPARE(attempts(rec), std::size_t(1));
    QCOMPARE(name(client.state()), name(State::closed));
    auto ping = await(client.ping(), 1000);
    QVERIFY(!ping.ok());
    QVERIFY(!ping.error().retryable);
}

// 4002: a token that is already expired is refused; the client asks the provider for
// a new one and connects.
void TestClient::expiredTokenGetsANewOne()
{
    DaemonProcess daemon;
    QVERIFY2(daemon.start(), daemon.output().constData());
    security::MintOptions mint;
    mint.sub = "alice";
    mint.ttlSeconds = 60;
    mint.kid = "test";
    auto expired = security::mintHs256(DaemonProcess::kSecret, mint, unixSecondsNow() - 3600);
    QVERIFY(expired.ok());
    const auto fresh = DaemonProcess::token(QStringLiteral("alice")).toStdString();

    auto calls = std::make_shared<std::atomic<int>>(0);
    auto options = optionsFor({daemon.port()});
    options.tokenProvider = [calls, expired = expired.value(), fresh] {
        return calls->fetch_add(1) == 0 ? expired : fresh;
    };
    Recorder rec;
    Client client(options);
    rec.attach(client);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(name(client.state()), name(State::connected), 15000);
    QVERIFY(sawClose(rec, 4002));
    QCOMPARE(calls->load(), 2);
    QVERIFY(rec.read([](const Recorder& r) { return r.m_errors.empty(); }));
    auto ping = await(client.ping());
    QVERIFY2(ping.ok(), why(ping));
}

// A durable subscription resumes after its last ack, in a new client: at-least-once.
void TestClient::durableSubscriptionResumesAfterAck()
{
    DaemonProcess daemon;
    QVERIFY2(daemon.start(), daemon.output().constData());
    const std::string channel = "orders";
    const SubscribeOptions durable{std::nullopt, "worker"};

    {
        Recorder rec;
        Client first(optionsFor({daemon.port()}, QStringLiteral("bob")));
        rec.attach(first);
        first.start();
        auto sub = await(first.subscribe(channel, durable));
        QVERIFY2(sub.ok(), why(sub));
        for (int i = 1; i <= 5; ++i) {
            auto pub = await(first.publish(channel, std::to_string(i)));
            QVERIFY2(pub.ok(), why(pub));
        }
        QTRY_COMPARE_WITH_TIMEOUT(rec.count(channel), std::size_t(5), 10000);
        auto acked = await(first.ack(channel, 3));
        QVERIFY2(acked.ok(), why(acked));
        first.stop();
    }

    Client publisher(optionsFor({daemon.port()}, QStringLiteral("carol")));
    publisher.start();
    for (int i = 6; i <= 7; ++i) {
        auto pub = await(publisher.publish(channel, std::to_string(i)));
        QVERIFY2(pub.ok(), why(pub));
    }

    Recorder rec;
    Client second(optionsFor({daemon.port()}, QStringLiteral("bob")));
    rec.attach(second);
    second.start();
    auto sub = await(second.subscribe(channel, durable));
    QVERIFY2(sub.ok(), why(sub));
    QVERIFY(sub->recovered);
    QCOMPARE(sub->replayed, 4u);
    QCOMPARE(sub->offset, 7u);
    auto live = await(publisher.publish(channel, "8"));
    QVERIFY2(live.ok(), why(live));
    QTRY_COMPARE_WITH_TIMEOUT(rec.count(channel), std::size_t(5), 10000);
    const auto pubs = rec.publications(channel);
    for (std::size_t i = 0; i < pubs.size(); ++i) {
        QCOMPARE(pubs[i].offset, std::uint64_t(i + 4));
        QCOMPARE(pubs[i].dataJson, std::to_string(i + 4));
    }
    QVERIFY(rec.read([](const Recorder& r) { return r.m_gaps.empty() && r.m_resyncs.empty(); }));
}

QTEST_GUILESS_MAIN(TestClient)
#include "tst_client.moc"

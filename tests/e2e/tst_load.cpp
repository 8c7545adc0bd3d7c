// SPDX-License-Identifier: Apache-2.0
// Load and abuse against a real daemon over loopback sockets (issue "Hardening", part
// 5, the load half): slowloris, the node out of file descriptors, a connection flood
// beyond client.max_connections, command floods beyond client.rate_limit, floods of
// oversized frames and of garbage, a flood of POST /v1/publish, and HTTP requests
// held half sent. Each test checks that
//  - the offenders really are refused or closed, with the code PROTOCOL.md gives;
//  - the node's resources stay bounded or come back: open files (/proc/PID/fd) and
//    resident memory (VmRSS, and VmHWM for the peak during the flood);
//  - the other clients are served all along and see every one of their publications,
//    in order, with no gap.
// No figure of time is asserted: every deadline is a guard against a hung test. The
// figures each test measures are printed (qInfo) for the record.
//
// Hundreds of connections come from a SocketSwarm (one thread for all of them); the
// clients whose every message is checked are WsTestClients.
//
// Covered elsewhere, not repeated here: one connection that upgrades and never sends
// connect, closed with 4001 after client.connect_timeout (tst_auth, connectTimeout;
// slowloris below does it to 75 at once); one slow upgrade request (tst_limits,
// handshakeTimeout); each limit one connection at a time (tst_limits).

#include "support/process_probe.h"
#include "support/socket_swarm.h"
#include "support/test_support.h"
#include "support/ws_test_client.h"

#include <QDeadlineTimer>
#include <QThread>
#include <QtTest>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <random>
#include <thread>

using namespace aldis::test;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kMiB = 1024 * 1024;
// The bound on the node's resident memory during and after a flood. Generous on
// purpose: it catches a leak or an unbounded buffer per connection or per message,
// not the allocator's mood.
constexpr std::int64_t kRssBound = 64 * kMiB;

double mib(std::int64_t bytes)
{
    return static_cast<double>(bytes) / static_cast<double>(kMiB);
}

// Whether the node's resident memory grew by less than `bound`. Not checked (true,
// with a note) when the node runs under a sanitizer: its memory is then mostly the
// sanitizer's (shadow memory, ASan's quarantine of freed blocks).
bool memoryGrewLessThan(std::int64_t pid, std::int64_t growth, std::int64_t bound)
{
    if (isSanitized(pid)) {
        qInfo("the node runs under a sanitizer: its memory (%.1f MiB more) is not held to %.1f MiB", mib(growth),
              mib(bound));
        return true;
    }
    if (growth >= bound)
        qWarning("the node's memory grew by %.1f MiB, the bound is %.1f MiB", mib(growth), mib(bound));
    return growth < bound;
}

// Polls the node's open file count until it is at most `atMost`; the last count.
int waitForOpenFiles(std::int64_t pid, int atMost, int timeoutMs = 10000)
{
    QDeadlineTimer deadline(timeoutMs);
    int last = openFileCount(pid);
    while (last > atMost && !deadline.hasExpired()) {
        QThread::msleep(50);
        last = openFileCount(pid);
    }
    return last;
}

// A client publishing {"n": 1, 2, ...} to its own channel, one publish at a time (each
// waits for its reply), on a thread of its own, until stopped. Every reply must be ok
// with offset n: the channel is the publisher's alone.
class Publisher {
public:
    Publisher(std::uint16_t port, std::string user, std::string channel)
        : m_client(connected(port, user)), m_channel(std::move(channel))
    {
    }
    ~Publisher() { stop(); }

    bool isConnected() const { return m_client != nullptr; }
    void start()
    {
        m_thread = std::thread([this] {
            for (std::int64_t n = 1; !m_stop.load(); ++n) {
                json::object ok;
                if (!requestOk(*m_client, cmd("publish", {{"channel", m_channel}, {"data", {{"n", n}}}}), &ok) ||
                    num(ok, "offset") != n) {
                    m_failed = true;
                    return;
                }
                m_published = n;
            }
        });
    }
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }
    // Waits until at least `count` publications are acknowledged (false on failure).
    bool waitPublished(std::int64_t count, int timeoutMs = 10000) const
    {
        QDeadlineTimer deadline(timeoutMs);
        while (m_published.load() < count && !m_failed.load() && !deadline.hasExpired())
            QThread::msleep(2);
        return m_published.load() >= count;
    }
    std::int64_t published() const { return m_published.load(); }
    bool failed() const { return m_failed.load(); }
    const std::string& channel() const { return m_channel; }
    WsTestClient& client() { return *m_client; }

private:
    std::unique_ptr<WsTestClient> m_client;
    std::string m_channel;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_failed{false};
    std::atomic<std::int64_t> m_published{0};
};

// Reads pushes until each channel of `expected` has had its count of publications, and
// checks each channel's stream: offsets 1, 2, 3, ... with no gap and no duplicate, and
// data.n strictly increasing (the publisher's order). Pushes of other channels fail.
bool receivesInOrder(WsTestClient& client, const std::map<std::string, std::int64_t>& expected,
                     int timeoutMs = 30000)
{
    std::map<std::string, std::int64_t> last;  // channel -> last offset seen
    std::map<std::string, std::int64_t> lastN; // channel -> last data.n seen
    std::int64_t missing = 0;
    for (const auto& [channel, count] : expected)
        missing += count;
    QDeadlineTimer deadline(timeoutMs);
    while (missing > 0) {
        auto push = client.nextPush(static_cast<int>(std::max<qint64>(deadline.remainingTime(), 1)));
        if (!push) {
            qWarning("%lld publications still missing: %s", static_cast<long long>(missing),
                     client.lastError().c_str());
            return false;
        }
        const auto channel = str(*push, "channel");
        auto want = expected.find(channel);
        if (str(*push, "push") != "pub" || want == expected.end()) {
            qWarning("unexpected push %s", toJson(*push).c_str());
            return false;
        }
        const auto offset = num(*push, "offset");
        const auto n = push->at("data").is_object() ? num(push->at("data").as_object(), "n") : -1;
        if (offset != last[channel] + 1 || offset > want->second || n <= lastN[channel]) {
            qWarning("%s: offset %lld (n %lld) after offset %lld (n %lld)", channel.c_str(),
                     static_cast<long long>(offset), static_cast<long long>(n),
                     static_cast<long long>(last[channel]), static_cast<long long>(lastN[channel]));
            return false;
        }
        last[channel] = offset;
        lastN[channel] = n;
        --missing;
    }
    return nothingQueued(client);
}

std::string publishFrame(std::int64_t id, const std::string& channel)
{
    return WsTestClient::clientFrame(0x1, R"({"id":)" + std::to_string(id) + R"(,"op":"publish","channel":")" +
                                              channel + R"(","data":{"n":)" + std::to_string(id) + "}}");
}

std::string connectFrame(const std::string& user)
{
    return WsTestClient::clientFrame(0x1, R"({"id":1,"op":"connect","token":")" + token(user) + "\"}");
}

// The first text frame after a swarm connection's upgrade is the reply to its connect.
bool connectAnswered(const SocketSwarm::Connection& c)
{
    return !c.texts.empty() && c.texts.front().find(R"("ok":{"client")") != std::string::npos;
}

// The disconnect push a swarm connection got before its close frame, or null.
std::optional<json::object> disconnectPush(const SocketSwarm::Connection& c)
{
    for (const auto& text : c.texts) {
        json::error_code ec;
        auto v = json::parse(text, ec);
        if (!ec && v.is_object() && str(v.as_object(), "push") == "disconnect")
            return v.as_object();
    }
    return std::nullopt;
}

std::string closeCodes(const SocketSwarm::Summary& s)
{
    std::string out;
    for (const auto& [code, count] : s.closeCodes)
        out += (out.empty() ? "" : ", ") + std::to_string(count) + " x " + std::to_string(code);
    return out.empty() ? std::string("none") : out;
}

// The resources of the node under test.
struct Footprint {
    int files = -1;
    std::int64_t rss = -1;
    std::int64_t peakRss = -1;
};

Footprint footprint(std::int64_t pid)
{
    return {openFileCount(pid), residentBytes(pid), peakResidentBytes(pid)};
}

// The footprint once the node is idle: a connection the test just closed may hold a
// file a few milliseconds longer, so the baseline is the lowest count of a few.
Footprint baseline(std::int64_t pid)
{
    auto out = footprint(pid);
    for (int i = 0; i < 5; ++i) {
        QThread::msleep(50);
        out.files = std::min(out.files, openFileCount(pid));
    }
    return out;
}

} // namespace

class TestLoad : public QObject {
    Q_OBJECT

private slots:
    void cleanup();

    void slowloris();
    void fileDescriptorExhaustion();
    void connectionFlood();
    void commandFlood();
    void oversizedAndGarbageFloods();
    void sustainedRateViolation();
    void httpPublishFlood();
    void pendingHttpRequests();

private:
    // Starts a daemon with `clientToml` in its [client] table; null on failure.
    std::unique_ptr<DaemonProcess> start(const QString& clientToml);
    std::int64_t pid() const { return m_daemon->process().processId(); }

    std::unique_ptr<DaemonProcess> m_daemon;
};

std::unique_ptr<DaemonProcess> TestLoad::start(const QString& clientToml)
{
    if (aldisBinary().isEmpty()) {
        qWarning("ALDIS_BINARY is not set (run through ctest)");
        return nullptr;
    }
    auto daemon = std::make_unique<DaemonProcess>();
    // history_size: the tests publish a few thousand messages to a channel.
    writeDaemonConfig(*daemon, clientToml,
                      QStringLiteral("[namespaces.default]\nhistory_size = 100000\n"
                                     "[store]\nsynchronous = \"normal\"\n"));
    if (!daemon->start()) {
        qWarning("the daemon did not start: %s", daemon->output().constData());
        return nullptr;
    }
    return daemon;
}

void TestLoad::cleanup()
{
    if (m_daemon) {
        m_daemon->signal(SIGTERM);
        QCOMPARE(m_daemon->waitForExit(), 0);
        m_daemon.reset();
    }
}

void TestLoad::slowloris()
{
    // Four ways to hold a connection, a quarter of the connections each, all a byte a
    // second, none ever complete. Three before any WebSocket exists: an upgrade
    // request's head; the body of a POST /v1/publish whose head came at once; after a
    // complete keep-alive GET /health, the next request. client.handshake_timeout
    // bounds each (a deadline for the whole request, not per byte). The fourth
    // upgrades at once, then sends its connect frame a byte at a time: it is closed
    // with 4001 after client.connect_timeout (tst_auth checks one such connection).
    m_daemon = start(QStringLiteral("handshake_timeout = \"2s\"\nconnect_timeout = \"2s\""));
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    {
        // What the node opens on first use (its store, say) belongs to the baseline.
        auto warm = connected(port, "warm-up");
        QVERIFY(warm);
        QVERIFY(requestOk(*warm, cmd("publish", {{"channel", "warm"}, {"data", 1}})));
        QVERIFY(warm->close());
    }
    QCOMPARE(waitForMetric(port, "aldis_connections", 0), 0.0);
    const auto before = baseline(pid());
    QVERIFY(before.files > 0 && before.rss > 0);

    constexpr std::size_t kSlow = 300;
    const std::string host = "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
    const auto upgrade = upgradeRequestFor(port);
    const std::string body = R"({"channel":"slow.post","data":")" + std::string(1000, 'x') + "\"}";
    const std::string post = "POST /v1/publish HTTP/1.1\r\n" + host + "Authorization: Bearer " +
                             DaemonProcess::kApiKey + "\r\nContent-Type: application/json\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n";
    const std::string health = "GET /health HTTP/1.1\r\n" + host + "\r\n";
    const auto connect = connectFrame("slow");
    enum Kind { kHead, kBody, kKeepAlive, kConnect, kKinds };
    const char* names[] = {"upgrade head", "POST body", "keep-alive, next head", "connect frame after the upgrade"};
    auto kindOf = [](std::size_t i) { return static_cast<Kind>(i % kKinds); };
    SocketSwarm slow(port);
    slow.open(kSlow, [&](std::size_t i) {
        SocketSwarm::Plan plan;
        plan.drip = 1s;
        switch (kindOf(i)) {
        case kHead: // everything but the blank line that ends the head
            plan.bytes = upgrade.substr(0, upgrade.size() - 2);
            break;
        case kBody: // the head at once, the body a byte at a time but one
            plan.bytes = post + body.substr(0, body.size() - 1);
            plan.atOnce = post.size();
            break;
        case kKeepAlive: // a whole request, then the next one's head a byte at a time
            plan.bytes = health + health.substr(0, health.size() - 2);
            plan.atOnce = health.size();
            break;
        case kConnect: // the upgrade at once, the connect frame a byte at a time but one
            plan.bytes = upgrade + connect.substr(0, connect.size() - 1);
            plan.atOnce = upgrade.size();
            break;
        case kKinds:
            break;
        }
        return plan;
    });
    auto s = slow.waitFor([&](const SocketSwarm::Summary& x) { return x.connected + x.connectFailed == kSlow; });
    QCOMPARE(s.connected, kSlow);
    // The node holds them all (an open file each): the test is not vacuous.
    const int filesHeld = [&] {
        QDeadlineTimer deadline(10000);
        int n = openFileCount(pid());
        while (n < before.files + static_cast<int>(kSlow) && !deadline.hasExpired()) {
            QThread::msleep(20);
            n = openFileCount(pid());
        }
        return n;
    }();
    QVERIFY2(filesHeld >= before.files + static_cast<int>(kSlow),
             qPrintable(QStringLiteral("the node holds %1 files, %2 before").arg(filesHeld).arg(before.files)));

    // Meanwhile real clients come and go: upgrade, connect, subscribe, and a
    // publication's round trip, until the last slow connection is gone.
    int rounds = 0;
    int roundsWhileAllHeld = 0;
    QDeadlineTimer guard(30000);
    while (!guard.hasExpired()) {
        const bool allHeldBefore = slow.summary().ended == 0;
        const std::string channel = "real." + std::to_string(rounds);
        auto c = connected(port, "real-" + std::to_string(rounds));
        QVERIFY2(c, qPrintable(QStringLiteral("round %1").arg(rounds)));
        QVERIFY(requestOk(*c, cmd("subscribe", {{"channel", channel}})));
        QVERIFY(requestOk(*c, cmd("publish", {{"channel", channel}, {"data", {{"n", rounds}}}})));
        QVERIFY(consecutivePubs(collectPushes(*c, 1), channel, 1, 1));
        QVERIFY(c->close());
        ++rounds;
        s = slow.summary();
        if (allHeldBefore && s.ended == 0)
            ++roundsWhileAllHeld;
        if (s.ended == kSlow)
            break;
        QThread::msleep(10);
    }
    QVERIFY2(roundsWhileAllHeld > 0, "no round trip happened while every slow connection was held");

    // The node ended every slow connection (EOF or reset), none of them finished.
    s = slow.waitFor([&](const SocketSwarm::Summary& x) { return x.ended == kSlow; }, 20000);
    QCOMPARE(s.ended, kSlow);
    QCOMPARE(s.sentAll, std::size_t{0});
    QCOMPARE(s.upgraded, kSlow / kKinds);
    QCOMPARE(s.withCloseCode(4001), kSlow / kKinds);
    std::map<Kind, std::vector<std::int64_t>> after;
    std::map<std::string, int> reasons;
    for (std::size_t i = 0; const auto& c : slow.connections()) {
        const auto kind = kindOf(i++);
        after[kind].push_back(c.endedAfter.count());
        ++reasons[c.endReason];
        if (kind == kKeepAlive)
            QVERIFY2(c.received.rfind("HTTP/1.1 200", 0) == 0, c.received.c_str()); // the first was served
        else if (kind == kConnect)
            QVERIFY2(c.upgraded && c.closeCode == 4001, c.received.c_str());
        else
            QVERIFY2(c.received.empty(), c.received.c_str());
    }
    for (auto& [kind, ms] : after) {
        std::sort(ms.begin(), ms.end());
        qInfo("%s: %zu connections ended by the node after %lld / %lld / %lld ms (min / median / max)",
              names[kind], ms.size(),
              static_cast<long long>(ms.front()), static_cast<long long>(ms[ms.size() / 2]),
              static_cast<long long>(ms.back()));
    }
    for (const auto& [reason, count] : reasons)
        qInfo("  %d ended with %s", count, reason.c_str());

    // The dribbled POSTs published nothing; the files came back; memory stayed bounded.
    auto reader = connected(port, "reader");
    QVERIFY(reader);
    json::object ok;
    QVERIFY(requestOk(*reader, cmd("history", {{"channel", "slow.post"}}), &ok));
    QCOMPARE(ok.at("publications").as_array().size(), std::size_t{0});
    QVERIFY(reader->close());
    const int filesAfter = waitForOpenFiles(pid(), before.files + 2);
    const auto now = footprint(pid());
    qInfo("slowloris: %zu connections, %d real round trips (%d while all %zu were held); node files %d before, %d "
          "held, %d after; RSS %.1f MiB before, %.1f MiB after, peak %.1f MiB",
          kSlow, rounds, roundsWhileAllHeld, kSlow, before.files, filesHeld, filesAfter, mib(before.rss),
          mib(now.rss), mib(now.peakRss));
    QVERIFY2(filesAfter <= before.files + 2,
             qPrintable(QStringLiteral("%1 files after, %2 before").arg(filesAfter).arg(before.files)));
    QVERIFY(memoryGrewLessThan(pid(), now.peakRss - before.rss, kRssBound));
}

void TestLoad::fileDescriptorExhaustion()
{
    // Plain HTTP connections (before an upgrade) count against no limit: with the
    // node's RLIMIT_NOFILE lowered to 256, 400 slowloris connections take every file
    // it may open. What the test holds the node to: it survives; it does not spin on
    // the failed accepts (it used to retry at once, a core's worth of CPU and some
    // 250,000 warnings a second; now it waits 100 ms and warns every 10 s); a client
    // that arrives meanwhile is served once the handshake timeout has ended the slow
    // connections; the files come back.
    m_daemon = start(QStringLiteral("handshake_timeout = \"2s\""));
    QVERIFY(m_daemon);
    if (isSanitized(pid()))
        QSKIP("a sanitizer's runtime needs file descriptors of its own: out of them, UBSan reported a false "
              "\"invalid vptr\" in a Beast timeout and the node exited");
    const auto port = m_daemon->port();
    {
        auto warm = connected(port, "warm-up");
        QVERIFY(warm);
        QVERIFY(requestOk(*warm, cmd("publish", {{"channel", "warm"}, {"data", 1}})));
        QVERIFY(warm->close());
    }
    QCOMPARE(waitForMetric(port, "aldis_connections", 0), 0.0);
    const auto before = baseline(pid());
    constexpr std::uint64_t kFileLimit = 256;
    std::uint64_t previousLimit = 0;
    QVERIFY(setOpenFileLimit(pid(), kFileLimit, &previousLimit));
    QVERIFY(before.files > 0 && before.files < static_cast<int>(kFileLimit) - 50);

    constexpr std::size_t kSlow = 400;
    const auto upgrade = upgradeRequestFor(port);
    SocketSwarm slow(port);
    slow.open(kSlow, [&](std::size_t) { return SocketSwarm::Plan{upgrade.substr(0, upgrade.size() - 2), 1s, 0}; });
    auto s = slow.waitFor([&](const SocketSwarm::Summary& x) { return x.connected + x.connectFailed == kSlow; });
    QCOMPARE(s.connected, kSlow); // the kernel completes the handshakes (listen backlog)
    const int filesHeld = [&] {
        QDeadlineTimer deadline(10000);
        int n = openFileCount(pid());
        while (n < static_cast<int>(kFileLimit) && !deadline.hasExpired()) {
            QThread::msleep(20);
            n = openFileCount(pid());
        }
        return n;
    }();
    QCOMPARE(filesHeld, static_cast<int>(kFileLimit)); // exhausted: the test is not vacuous
    // CPU time, not a latency: a node that retried its accepts at once used all of
    // the second (0.96 s measured, its log going to a file); one that waits, next to
    // nothing. (Logging every failure to this test's pipe, that node blocked on the
    // full pipe instead, and never accepted the client below.)
    const double cpuFrom = cpuSeconds(pid());
    QThread::msleep(1000);
    const double cpuExhausted = cpuSeconds(pid()) - cpuFrom;
    QVERIFY2(cpuExhausted < 0.5, qPrintable(QStringLiteral("%1 s of CPU in 1 s").arg(cpuExhausted)));

    // A client that arrives now waits in the listen backlog; it is served once the
    // handshake timeout frees files (its guard is generous).
    WsTestClient::Options options;
    options.timeoutMs = 30000;
    std::string error;
    auto waiting = WsTestClient::openWith(port, options, &error);
    QVERIFY2(waiting, error.c_str());
    QVERIFY(requestOk(*waiting, cmd("connect", {{"token", token("patient")}})));
    QVERIFY(requestOk(*waiting, cmd("publish", {{"channel", "after"}, {"data", {{"n", 1}}}})));

    s = slow.waitFor([&](const SocketSwarm::Summary& x) { return x.ended == kSlow; }, 30000);
    QCOMPARE(s.ended, kSlow);
    auto fresh = connected(port, "fresh");
    QVERIFY(fresh);
    QVERIFY(requestOk(*fresh, cmd("ping")));
    QVERIFY(waiting->close() && fresh->close());
    QVERIFY(setOpenFileLimit(pid(), previousLimit));
    const int filesAfter = waitForOpenFiles(pid(), before.files + 2);
    // The operator is told, once, not hundreds of thousands of times.
    QVERIFY(m_daemon->waitForOutput("accept failed", 0));
    const auto warnings = m_daemon->output().count("accept failed");
    qInfo("file exhaustion: limit %llu, %zu slow connections; node files %d before, %d held, %d after; %.2f s of "
          "CPU in 1 s while exhausted; %lld \"accept failed\" warnings",
          static_cast<unsigned long long>(kFileLimit), kSlow, before.files, filesHeld, filesAfter, cpuExhausted,
          static_cast<long long>(warnings));
    QVERIFY(warnings <= 2);
    QVERIFY(filesAfter <= before.files + 2);
    QCOMPARE(m_daemon->process().state(), QProcess::Running);
}

void TestLoad::connectionFlood()
{
    // Against client.max_connections = 200, while two subscribers follow a publisher
    // (3 of the 200): first 600 WebSocket connections at once, each sending its upgrade
    // request and a connect frame in one go; once that flood is gone, the node fills up
    // to the limit again, then 300 more arrive at once.
    constexpr std::size_t kLimit = 200;
    constexpr std::size_t kFlood = 600;
    constexpr std::size_t kBystanders = 3;
    constexpr std::size_t kExtra = 300;
    m_daemon = start(QStringLiteral("max_connections = %1").arg(kLimit));
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    auto subA = connected(port, "sub-a");
    auto subB = connected(port, "sub-b");
    QVERIFY(subA && subB);
    Publisher publisher(port, "publisher", "steady");
    QVERIFY(publisher.isConnected());
    QVERIFY(requestOk(*subA, cmd("subscribe", {{"channel", "steady"}})));
    QVERIFY(requestOk(*subB, cmd("subscribe", {{"channel", "steady"}})));
    QCOMPARE(waitForMetric(port, "aldis_connections", kBystanders), double(kBystanders));
    const auto before = baseline(pid());
    publisher.start();
    QVERIFY(publisher.waitPublished(20));

    const auto request = upgradeRequestFor(port) + connectFrame("flood");
    auto plan = [&](std::size_t) { return SocketSwarm::Plan{request, 0ms, 0}; };
    // Waits until every connection of `swarm` is refused (a close frame) or in (its
    // connect answered); the last view of them.
    auto settle = [](const SocketSwarm& swarm) {
        auto settled = [](const SocketSwarm::Connection& c) {
            return c.closeCode != 0 || (c.upgraded && connectAnswered(c)) || !c.connectError.empty() ||
                   (c.ended && !c.upgraded);
        };
        std::vector<SocketSwarm::Connection> all;
        QDeadlineTimer guard(30000);
        do {
            QThread::msleep(50);
            all = swarm.connections();
        } while (!std::all_of(all.begin(), all.end(), settled) && !guard.hasExpired());
        return all;
    };
    struct Outcome {
        std::size_t refused = 0, accepted = 0, other = 0;
    };
    auto classify = [](const std::vector<SocketSwarm::Connection>& all) {
        Outcome out;
        for (const auto& c : all) {
            if (c.closeCode == 4009) {
                auto push = disconnectPush(c);
                if (push && num(*push, "code") == 4009 && push->at("reconnect") == json::value(true)) {
                    ++out.refused;
                    continue;
                }
                qWarning("4009 without its disconnect push: %s", push ? toJson(*push).c_str() : "none");
            } else if (c.closeCode == 0 && c.upgraded && connectAnswered(c) && !c.ended) {
                ++out.accepted;
                continue;
            }
            ++out.other;
            qWarning("neither refused nor accepted: upgraded %d, close code %d, ended %d (%s), connect error %s, "
                     "received %zu bytes",
                     c.upgraded, c.closeCode, c.ended, c.endReason.c_str(), c.connectError.c_str(), c.received.size());
        }
        return out;
    };

    // The flood: every connection is either refused with 4009 or let in.
    const auto publishedBefore = publisher.published();
    SocketSwarm flood(port);
    flood.open(kFlood, plan);
    const auto first = classify(settle(flood));
    const auto publishedDuring = publisher.published() - publishedBefore;
    const auto peak = footprint(pid());
    qInfo("connection flood: %zu connections at once against max_connections %zu with %zu held: %zu refused with "
          "4009, %zu accepted, %zu other; %lld publications meanwhile",
          kFlood, kLimit, kBystanders, first.refused, first.accepted, first.other,
          static_cast<long long>(publishedDuring));
    qInfo("  close codes of the flood: %s", closeCodes(flood.summary()).c_str());
    QCOMPARE(first.other, std::size_t{0});
    QVERIFY(first.accepted >= 1);
    QVERIFY(first.refused >= 1);
    // The upgrade takes a slot and checks the limit in one atomic step, so a burst of
    // upgrades cannot pass the check together (before, 6 to 104 more than the limit
    // got in with this flood on 2 cores).
    QVERIFY2(first.accepted + kBystanders <= kLimit,
             qPrintable(QStringLiteral("%1 connections held with a limit of %2").arg(first.accepted + kBystanders).arg(kLimit)));
    // The refused ones are let go (the node does not keep their sockets).
    auto s = flood.waitFor([&](const SocketSwarm::Summary& x) { return x.ended >= first.refused; }, 20000);
    QCOMPARE(s.ended, first.refused);
    flood.closeAll();
    QCOMPARE(waitForMetric(port, "aldis_connections", kBystanders), double(kBystanders));

    // With the flood gone the node takes as many new clients as the limit allows, and
    // once it is full, refuses every one more: at a full node the check cannot race.
    SocketSwarm fill(port);
    fill.open(kLimit - kBystanders, plan);
    const auto filled = classify(settle(fill));
    QCOMPARE(filled.accepted, kLimit - kBystanders);
    QCOMPARE(waitForMetric(port, "aldis_connections", kLimit), double(kLimit));
    SocketSwarm extra(port);
    extra.open(kExtra, plan);
    const auto beyond = classify(settle(extra));
    QCOMPARE(beyond.refused, kExtra);
    QCOMPARE(fill.summary().ended, std::size_t{0}); // the clients let in stay

    // The subscribers saw every publication, in order, all along.
    QVERIFY(publisher.waitPublished(publisher.published() + 20));
    publisher.stop();
    QVERIFY(!publisher.failed());
    const auto published = publisher.published();
    QVERIFY(receivesInOrder(*subA, {{"steady", published}}));
    QVERIFY(receivesInOrder(*subB, {{"steady", published}}));

    fill.closeAll();
    extra.closeAll();
    QCOMPARE(waitForMetric(port, "aldis_connections", kBystanders), double(kBystanders));
    const int filesAfter = waitForOpenFiles(pid(), before.files + 2);
    const auto after = footprint(pid());
    qInfo("connection flood: then %zu new clients let in, %zu more refused with 4009; %lld publications delivered "
          "in order to 2 subscribers; node files %d before, %d after; RSS %.1f MiB before, %.1f MiB after the first "
          "flood, %.1f MiB at the end, peak %.1f MiB",
          filled.accepted, beyond.refused, static_cast<long long>(published), before.files, filesAfter,
          mib(before.rss), mib(peak.rss), mib(after.rss), mib(after.peakRss));
    QVERIFY(filesAfter <= before.files + 2);
    QVERIFY(memoryGrewLessThan(pid(), after.peakRss - before.rss, kRssBound));
}

void TestLoad::commandFlood()
{
    // One client sends 50,000 publishes as fast as it can (pipelined, 1,000 frames per
    // write) against a rate limit of 100 per second with bursts of 2,000, while two
    // publishers and two subscribers go on with their own traffic. (At 100 a second a
    // token refills every 10 ms: even a node built with a sanitizer handles the 101
    // refused commands in a row that close the connection within that time, see
    // sustainedRateViolation.)
    constexpr int kFlood = 50'000;
    constexpr int kBurst = 2000;
    constexpr int kViolations = 100;
    m_daemon = start(QStringLiteral("rate_limit = 100\nrate_burst = %1\nrate_violations_before_close = %2")
                         .arg(kBurst)
                         .arg(kViolations));
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    auto subA = connected(port, "sub-a");
    auto subB = connected(port, "sub-b");
    QVERIFY(subA && subB);
    for (const auto* channel : {"calm.a", "calm.b"}) {
        QVERIFY(requestOk(*subA, cmd("subscribe", {{"channel", channel}})));
        QVERIFY(requestOk(*subB, cmd("subscribe", {{"channel", channel}})));
    }
    QVERIFY(requestOk(*subA, cmd("subscribe", {{"channel", "flood"}}))); // the offender's channel too
    Publisher pubA(port, "pub-a", "calm.a");
    Publisher pubB(port, "pub-b", "calm.b");
    auto offender = connected(port, "offender");
    QVERIFY(pubA.isConnected() && pubB.isConnected() && offender);
    const auto before = baseline(pid());

    pubA.start();
    pubB.start();
    QVERIFY(pubA.waitPublished(20) && pubB.waitPublished(20));
    const auto duringFrom = pubA.published() + pubB.published();
    int sent = 0;
    for (int chunk = 0; chunk < kFlood / 1000 && !offender->isClosed(); ++chunk) {
        std::string frames;
        for (int i = 1; i <= 1000; ++i)
            frames += publishFrame(chunk * 1000 + i + 1, "flood"); // id 1 was the connect
        if (!offender->sendRaw(frames))
            break; // the node closed the connection under us
        sent += 1000;
    }
    QCOMPARE(offender->waitClosed().value_or(-1), 4006);
    const auto during = pubA.published() + pubB.published() - duringFrom;
    QVERIFY(pubA.waitPublished(pubA.published() + 20) && pubB.waitPublished(pubB.published() + 20));
    pubA.stop();
    pubB.stop();
    QVERIFY(!pubA.failed() && !pubB.failed());

    // What the offender got: ok, then too_many_requests, then the disconnect push.
    int oks = 0, refused = 0, others = 0;
    std::optional<json::object> disconnect;
    for (auto& m : offender->takeAll()) {
        if (disconnect) {
            qWarning("after the disconnect push: %s", toJson(m).c_str());
            ++others;
        } else if (str(m, "push") == "disconnect") {
            disconnect = m;
        } else if (m.contains("ok")) {
            ++oks;
        } else if (m.contains("error") && str(m.at("error").as_object(), "code") == "too_many_requests") {
            ++refused;
        } else {
            qWarning("unexpected: %s", toJson(m).c_str());
            ++others;
        }
    }
    QVERIFY(disconnect);
    QCOMPARE(num(*disconnect, "code"), std::int64_t{4006});
    QCOMPARE(disconnect->at("reconnect"), json::value(true));
    QCOMPARE(others, 0);
    QVERIFY(refused >= kViolations);
    QVERIFY(metric(port, "aldis_rate_limited_total").value_or(-1) >= refused);
    QCOMPARE(metric(port, "aldis_disconnects_total{code=\"4006\"}").value_or(-1), 1.0);

    // What the node took of the flood: the burst (less the connect's token) and what
    // the bucket refilled meanwhile, not the rest. The node answers a publish once the
    // broker has taken it, and the 4006 close does not wait for those answers (the
    // drain's 4007 does), so the offender is told about only some of them: `oks`.
    auto reader = connected(port, "reader");
    QVERIFY(reader);
    json::object ok;
    QVERIFY(requestOk(*reader, cmd("history", {{"channel", "flood"}, {"limit", 1}, {"reverse", true}}), &ok));
    const auto floodOffset = num(ok, "offset");
    QVERIFY2(floodOffset >= kBurst - 1, qPrintable(QString::number(floodOffset)));
    QVERIFY2(floodOffset + refused < sent, qPrintable(QString::number(floodOffset))); // cut off, not served
    QVERIFY2(oks <= floodOffset, qPrintable(QStringLiteral("offset %1, %2 ok").arg(floodOffset).arg(oks)));

    // The subscriber of the offender's channel got each publication taken, in order;
    // the calm publishers' subscribers got all of theirs.
    QVERIFY(receivesInOrder(*subA,
                            {{"calm.a", pubA.published()}, {"calm.b", pubB.published()}, {"flood", floodOffset}}));
    QVERIFY(receivesInOrder(*subB, {{"calm.a", pubA.published()}, {"calm.b", pubB.published()}}));
    const auto after = footprint(pid());
    qInfo("command flood: %d publishes sent before the close, %lld taken on the channel, %d answered ok, %d "
          "too_many_requests, then 4006; calm publishers %lld + %lld publications (%lld during the flood), all "
          "delivered in order to 2 subscribers; RSS %.1f MiB before, %.1f MiB after, peak %.1f MiB",
          sent, static_cast<long long>(floodOffset), oks, refused, static_cast<long long>(pubA.published()),
          static_cast<long long>(pubB.published()), static_cast<long long>(during), mib(before.rss), mib(after.rss),
          mib(after.peakRss));
    QVERIFY(memoryGrewLessThan(pid(), after.peakRss - before.rss, kRssBound));
    QVERIFY(requestOk(pubA.client(), cmd("ping")));
}

void TestLoad::sustainedRateViolation()
{
    // PROTOCOL.md: "beyond it commands get too_many_requests, and a client that keeps
    // going is closed with 4006". This client keeps going, at several times the rate
    // (one ping at a time, each waiting for its reply: some 8,000 a second here). The
    // node forgives refusals only after a whole second within the rate, not with each
    // token the bucket refills (which let such a client go on for ever before), so it
    // is closed once rate_violations_before_close refusals add up.
    m_daemon = start(QStringLiteral("rate_limit = 1000\nrate_burst = 2000\nrate_violations_before_close = 100"));
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    auto c = connected(port, "persistent");
    QVERIFY(c);
    constexpr int kCommands = 20'000;
    int oks = 0;
    int refused = 0;
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < kCommands && !c->isClosed(); ++i) {
        auto reply = c->request(cmd("ping"));
        if (!reply)
            break;
        if (reply->contains("ok"))
            ++oks;
        else if (errorOf(reply) == QLatin1String("too_many_requests"))
            ++refused;
        else
            QFAIL(toJson(*reply).c_str());
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    qInfo("sustained: %d commands in %.1f s (%.0f a second against a limit of 1,000): %d ok, %d too_many_requests; "
          "closed: %s",
          oks + refused, seconds, (oks + refused) / seconds, oks, refused,
          c->isClosed() ? std::to_string(c->closeCode()).c_str() : "no");
    // It really went on beyond the limit: refused at least rate_violations_before_close
    // times.
    QVERIFY2(refused >= 100, qPrintable(QString::number(refused)));
    QCOMPARE(c->waitClosed(2000).value_or(0), 4006);
}

void TestLoad::oversizedAndGarbageFloods()
{
    // 200 offenders, 50 of each kind, each sending its upgrade, its connect and then a
    // flood in one go: frames over client.max_frame_bytes (1009), text frames that are
    // not JSON (4004), binary frames (4004), and random bytes (a protocol error). Each
    // is closed; a publisher and two subscribers go on meanwhile.
    m_daemon = start(QStringLiteral("max_frame_bytes = 4096"));
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    auto subA = connected(port, "sub-a");
    auto subB = connected(port, "sub-b");
    QVERIFY(subA && subB);
    QVERIFY(requestOk(*subA, cmd("subscribe", {{"channel", "steady"}})));
    QVERIFY(requestOk(*subB, cmd("subscribe", {{"channel", "steady"}})));
    Publisher publisher(port, "publisher", "steady");
    QVERIFY(publisher.isConnected());
    const auto before = baseline(pid());

    enum Kind { kOversized, kNotJson, kBinary, kNoise, kKinds };
    const char* names[] = {"oversized", "not JSON", "binary", "noise"};
    constexpr std::size_t kEach = 50;
    const auto head = upgradeRequestFor(port) + connectFrame("offender");
    std::mt19937 random(20261127);
    std::vector<std::string> payloads(kKinds * kEach);
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        std::string& p = payloads[i];
        p = head;
        switch (static_cast<Kind>(i % kKinds)) {
        case kOversized:
            for (int k = 0; k < 20; ++k)
                p += WsTestClient::clientFrame(0x1, R"({"id":2,"op":"ping","pad":")" + std::string(8000, 'o') + "\"}");
            break;
        case kNotJson:
            for (int k = 0; k < 500; ++k)
                p += WsTestClient::clientFrame(0x1, "this is not JSON at all, frame " + std::to_string(k));
            break;
        case kBinary:
            for (int k = 0; k < 500; ++k)
                p += WsTestClient::clientFrame(0x2, std::string(64, static_cast<char>(k)));
            break;
        case kNoise:
            for (int k = 0; k < 64 * 1024; ++k)
                p += static_cast<char>(random() & 0xff);
            break;
        case kKinds:
            break;
        }
    }
    publisher.start();
    QVERIFY(publisher.waitPublished(20));
    SocketSwarm swarm(port);
    swarm.open(payloads.size(), [&](std::size_t i) { return SocketSwarm::Plan{payloads[i], 0ms, 0}; });
    auto s = swarm.waitFor([&](const SocketSwarm::Summary& x) { return x.ended + x.connectFailed == payloads.size(); },
                           30000);
    QVERIFY(publisher.waitPublished(publisher.published() + 20));
    publisher.stop();
    QVERIFY(!publisher.failed());
    QCOMPARE(s.ended, payloads.size());

    std::map<Kind, std::map<int, int>> codes;
    for (std::size_t i = 0; const auto& c : swarm.connections()) {
        const auto kind = static_cast<Kind>(i++ % kKinds);
        ++codes[kind][c.closeCode];
        QVERIFY2(c.upgraded, names[kind]);
        switch (kind) {
        case kOversized: QCOMPARE(c.closeCode, 1009); break;
        case kNotJson: case kBinary: QCOMPARE(c.closeCode, 4004); break;
        default:
            QVERIFY2(c.closeCode == 1002 || c.closeCode == 1007 || c.closeCode == 1009 || c.closeCode == 4004,
                     qPrintable(QStringLiteral("noise closed with %1").arg(c.closeCode)));
        }
    }
    for (const auto& [kind, byCode] : codes)
        for (const auto& [code, count] : byCode)
            qInfo("%s: %d closed with %d", names[kind], count, code);

    // Only the offenders went: the bystanders are served and saw every publication.
    QCOMPARE(waitForMetric(port, "aldis_connections", 3), 3.0);
    QVERIFY(receivesInOrder(*subA, {{"steady", publisher.published()}}));
    QVERIFY(receivesInOrder(*subB, {{"steady", publisher.published()}}));
    const int filesAfter = waitForOpenFiles(pid(), before.files + 2);
    const auto after = footprint(pid());
    qInfo("frame floods: %zu offenders closed; %lld publications delivered in order to 2 subscribers; node files %d "
          "before, %d after; RSS %.1f MiB before, %.1f MiB after, peak %.1f MiB",
          payloads.size(), static_cast<long long>(publisher.published()), before.files, filesAfter, mib(before.rss),
          mib(after.rss), mib(after.peakRss));
    QVERIFY(filesAfter <= before.files + 2);
    QVERIFY(memoryGrewLessThan(pid(), after.peakRss - before.rss, kRssBound));
}

void TestLoad::httpPublishFlood()
{
    // 32 keep-alive connections on 4 threads, each thread taking its connections in
    // turn and waiting for each response: 4,000 POST /v1/publish as fast as they go. PROTOCOL.md gives
    // this API no rate limit, and the node has none: every request is answered 200
    // today; 429 (too_many_requests) would be accepted too, should one come. Either
    // way every publication acknowledged reaches the subscriber, in order.
    m_daemon = start(QString());
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    auto sub = connected(port, "sub");
    QVERIFY(sub);
    QVERIFY(requestOk(*sub, cmd("subscribe", {{"channel", "http.flood"}})));
    const auto before = baseline(pid());

    constexpr int kThreads = 4;
    constexpr int kConnectionsPerThread = 8;
    constexpr int kRequestsPerConnection = 125;
    std::atomic<int> ok200{0}, tooMany{0}, other{0};
    std::vector<std::vector<std::int64_t>> offsets(kThreads);
    std::vector<std::thread> threads;
    const Headers auth{{"Authorization", std::string("Bearer ") + DaemonProcess::kApiKey}};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::vector<std::unique_ptr<HttpTestClient>> clients;
            for (int c = 0; c < kConnectionsPerThread; ++c)
                clients.push_back(std::make_unique<HttpTestClient>(port));
            for (int i = 0; i < kRequestsPerConnection * kConnectionsPerThread; ++i) {
                auto& client = *clients[static_cast<std::size_t>(i % kConnectionsPerThread)];
                const auto body = json::serialize(json::object{{"channel", "http.flood"}, {"data", {{"n", i}}}});
                const auto res = client.request("POST", "/v1/publish", body, auth);
                if (res.status == 200) {
                    ++ok200;
                    offsets[static_cast<std::size_t>(t)].push_back(
                        num(json::parse(res.body).as_object().at("ok").as_object(), "offset"));
                } else if (res.status == 429) {
                    ++tooMany;
                } else {
                    qWarning("POST /v1/publish: %d %s %s", res.status, res.error.c_str(), res.body.c_str());
                    ++other;
                }
            }
            for (auto& c : clients)
                if (!c->isOpen())
                    ++other; // keep-alive was not kept
        });
    }
    for (auto& t : threads)
        t.join();
    const int total = kThreads * kConnectionsPerThread * kRequestsPerConnection;
    QCOMPARE(other.load(), 0);
    QCOMPARE(ok200 + tooMany, total);
    QVERIFY(ok200 > 0);
    // The acknowledged offsets are 1..ok200, each once, and each thread saw its own
    // increasing (one request at a time per thread).
    std::vector<std::int64_t> every;
    for (const auto& list : offsets) {
        QVERIFY(std::is_sorted(list.begin(), list.end()));
        every.insert(every.end(), list.begin(), list.end());
    }
    std::sort(every.begin(), every.end());
    for (std::size_t i = 0; i < every.size(); ++i)
        QCOMPARE(every[i], static_cast<std::int64_t>(i + 1));
    // The subscriber got exactly those, in order (data.n is per thread, so the
    // order check is on offsets only).
    auto pushes = collectPushes(*sub, static_cast<std::size_t>(ok200.load()), 30000);
    QVERIFY(consecutivePubs(pushes, "http.flood", 1, static_cast<std::size_t>(ok200.load())));
    QVERIFY(nothingQueued(*sub));
    const auto after = footprint(pid());
    qInfo("HTTP publish flood: %d POST /v1/publish on %d keep-alive connections: %d answered 200, %d 429%s; all "
          "delivered in order; RSS %.1f MiB before, %.1f MiB after, peak %.1f MiB",
          total, kThreads * kConnectionsPerThread, ok200.load(), tooMany.load(),
          tooMany.load() == 0 ? " (POST /v1/publish has no rate limit)" : "", mib(before.rss), mib(after.rss),
          mib(after.peakRss));
    QVERIFY(memoryGrewLessThan(pid(), after.peakRss - before.rss, kRssBound));
}

void TestLoad::pendingHttpRequests()
{
    // What an HTTP request costs the node before it is complete: at most 8 KiB of
    // headers and client.max_frame_bytes of body, here 64 KiB. 300 connections each
    // send the head of a POST /v1/publish and all of a 64 KiB body but its last few
    // bytes, then a byte a second: the node holds their bodies until the handshake
    // timeout. The figure per connection is reported; the bound asserted is the one
    // the limits promise. (How many such requests there may be at once is bounded only
    // by the node's file limit: see fileDescriptorExhaustion.)
    constexpr std::int64_t kBodyLimit = 64 * 1024;
    m_daemon = start(QStringLiteral("handshake_timeout = \"2s\"\nmax_frame_bytes = %1").arg(kBodyLimit));
    QVERIFY(m_daemon);
    const auto port = m_daemon->port();
    {
        auto warm = connected(port, "warm-up");
        QVERIFY(warm);
        QVERIFY(requestOk(*warm, cmd("publish", {{"channel", "warm"}, {"data", 1}})));
        QVERIFY(warm->close());
    }
    QCOMPARE(waitForMetric(port, "aldis_connections", 0), 0.0);
    const auto before = baseline(pid());

    constexpr std::size_t kPending = 300;
    const std::string body = R"({"channel":"pending","data":")" +
                             std::string(static_cast<std::size_t>(kBodyLimit) - 32, 'b') + "\"}";
    QVERIFY(body.size() <= static_cast<std::size_t>(kBodyLimit));
    const std::string head = "POST /v1/publish HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                             "\r\nAuthorization: Bearer " + DaemonProcess::kApiKey +
                             "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                             "\r\n\r\n";
    SocketSwarm swarm(port);
    swarm.open(kPending,
               [&](std::size_t) { return SocketSwarm::Plan{head + body, 1s, head.size() + body.size() - 8}; });
    auto s = swarm.waitFor([&](const SocketSwarm::Summary& x) { return x.connected + x.connectFailed == kPending; });
    QCOMPARE(s.connected, kPending);
    s = swarm.waitFor([&](const SocketSwarm::Summary& x) { return x.ended == kPending; }, 20000);
    QCOMPARE(s.ended, kPending);
    QCOMPARE(s.sentAll, std::size_t{0});
    const auto after = footprint(pid());
    const auto growth = after.peakRss - before.rss;
    qInfo("pending HTTP requests: %zu bodies of %zu bytes held until the handshake timeout; RSS %.1f MiB before, "
          "peak %.1f MiB (%.1f KiB a connection), %.1f MiB after",
          kPending, body.size(), mib(before.rss), mib(after.peakRss),
          static_cast<double>(growth) / 1024.0 / static_cast<double>(kPending), mib(after.rss));
    const auto bound = static_cast<std::int64_t>(kPending) * (kBodyLimit + 16 * 1024) + 16 * kMiB;
    QVERIFY(memoryGrewLessThan(pid(), growth, bound));
    // Nothing was published, and the files came back.
    auto reader = connected(port, "reader");
    QVERIFY(reader);
    json::object ok;
    QVERIFY(requestOk(*reader, cmd("history", {{"channel", "pending"}}), &ok));
    QCOMPARE(ok.at("publications").as_array().size(), std::size_t{0});
    QVERIFY(reader->close());
    QVERIFY(waitForOpenFiles(pid(), before.files + 2) <= before.files + 2);
}

QTEST_GUILESS_MAIN(TestLoad)
#include "tst_load.moc"

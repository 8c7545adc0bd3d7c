// SPDX-License-Identifier: Apache-2.0
// Nodes of one region sharing a real PostgreSQL event store and a real Kafka broker
// (scripts/services/up): publications reach subscribers on every node, in one order
// with no gap, whichever node they were published on.
//
// Each test starts its own `aldis --daemon` processes on a fresh database and fresh
// topics (a unique topic prefix), and waits until every node's bridge reads its
// partitions and every node sees the others in its topology.

#include "client/client.h"
#include "support/http_test_client.h"
#include "support/protocol_checks.h"
#include "support/services.h"
#include "support/ws_test_client.h"

#include <QElapsedTimer>
#include <QtTest>

#include <boost/json.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

using namespace aldis::test;
namespace json = boost::json;

namespace {

constexpr int kStartMs = 30000;

// GET on a daemon's admin API, parsed (an empty object when it fails).
json::object adminGet(DaemonProcess& node, const std::string& path)
{
    auto r = httpRequest(node.adminPort(), "GET", path, {},
                         {{"Authorization", std::string("Bearer ") + DaemonProcess::kAdminToken}});
    if (r.status != 200)
        return {};
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    return !ec && v.is_object() ? v.as_object() : json::object{};
}

// POST an admin action; returns the HTTP status and the parsed answer.
std::pair<int, json::object> adminAction(DaemonProcess& node, const std::string& action, json::object body)
{
    body["actor"] = "tst_cluster";
    auto r = httpRequest(node.adminPort(), "POST", "/v1/admin/actions/" + action, json::serialize(body),
                         {{"Authorization", std::string("Bearer ") + DaemonProcess::kAdminToken},
                          {"Content-Type", "application/json"}});
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    return {r.status, !ec && v.is_object() ? v.as_object() : json::object{}};
}

bool bridgeReady(DaemonProcess& node)
{
    auto info = adminGet(node, "/v1/admin/node");
    const auto* cluster = info.if_contains("cluster");
    return cluster && cluster->is_object() && cluster->as_object().at("ready") == json::value(true);
}

// The ids of the nodes that `node` lists as serving in its topology.
std::set<std::string> servingMembers(DaemonProcess& node)
{
    std::set<std::string> ids;
    auto topology = adminGet(node, "/v1/admin/topology");
    if (const auto* regions = topology.if_contains("regions")) {
        for (const auto& region : regions->as_array())
            for (const auto& n : region.as_object().at("nodes").as_array())
                if (n.as_object().at("state") == json::value("serving"))
                    ids.insert(std::string(n.as_object().at("id").as_string()));
    }
    return ids;
}


// Publishes `count` keyed publications ("k0", "k1", ...) to `channel`, starting on
// the first node of `ports` and moving to the next whenever a publish gets no answer
// (its node died): the same key is sent again there, as an application retrying
// after a crash would. Returns the offset each key was acknowledged with (-1 when it
// never was); `midway` runs once, after `count / 3` acknowledgements.
std::vector<std::int64_t> publishWithFailover(const std::vector<std::uint16_t>& ports, const std::string& channel,
                                              int count, const std::function<void()>& midway,
                                              int* duplicates)
{
    std::vector<std::int64_t> acked(count, -1);
    std::size_t target = 0;
    auto client = connected(ports[target], "pub");
    bool ranMidway = false;
    for (int i = 0; i < count;) {
        if (!ranMidway && i == count / 3) {
            ranMidway = true;
            midway();
        }
        std::optional<json::object> reply;
        if (client)
            reply = client->request(cmd("publish", {{"channel", channel}, {"data", {{"n", i}}}, {"key", "k" + std::to_string(i)}}),
                                    5000);
        if (reply && reply->contains("ok")) {
            const auto& ok = reply->at("ok").as_object();
            if (ok.at("duplicate") == json::value(true))
                ++*duplicates;
            acked[i] = num(ok, "offset");
            ++i;
            continue;
        }
        if (reply && reply->contains("error")) {
            const auto& error = reply->at("error").as_object();
            qWarning("publish k%d refused: %s", i, toJson(error).c_str());
            QThread::msleep(100); // a retryable refusal: try the same key again
            continue;
        }
        // No answer: the node is gone. Same key, next node.
        target = (target + 1) % ports.size();
        client = connected(ports[target], "pub");
    }
    return acked;
}

} // namespace

namespace {

using SteadyClock = std::chrono::steady_clock;

std::int64_t steadyNanos()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch()).count();
}

// Raises this process's soft limit of open files to `wanted` when it is lower (the
// daemons started afterwards inherit it). False, with the reason, when the hard limit
// does not allow it.
bool raiseFileLimit(rlim_t wanted, QByteArray* why)
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        *why = "getrlimit(RLIMIT_NOFILE) failed";
        return false;
    }
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur >= wanted)
        return true;
    if (limit.rlim_cur == RLIM_INFINITY)
        return true;
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted) {
        *why = QByteArray("this test needs ") + QByteArray::number(qulonglong(wanted)) +
               " open files, the hard limit is " + QByteArray::number(qulonglong(limit.rlim_max)) +
               " (raise it: ulimit -Hn, or LimitNOFILE for a service)";
        return false;
    }
    limit.rlim_cur = wanted;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
        *why = "setrlimit(RLIMIT_NOFILE) failed";
        return false;
    }
    return true;
}

// One client of the drain test (aldis::client::Client, one thread of its own) and what
// it saw. The client's handlers run on its own thread, one at a time, and are the only
// writers: the publication path takes no lock, the rare events (connects, closes,
// problems) take `mutex`. The test thread reads.
struct DrainListener {
    std::string channel;
    std::atomic<std::uint64_t> last{0};         // the highest offset received
    std::atomic<std::uint64_t> received{0};     // publications received
    std::atomic<int> outOfOrder{0};             // publications whose offset was not last + 1
    std::atomic<int> gaps{0};                   // onGap
    std::atomic<int> resyncs{0};                // onResyncNeeded: a resume answered recovered: false
    std::atomic<int> dropped{0};                // a subscription the client could not restore
    std::atomic<int> errors{0};                 // onError
    std::atomic<bool> moved{false};             // connected to another node than the first
    std::atomic<std::int64_t> reconnectedNs{0}; // when `connect` succeeded on the other node
    std::atomic<std::int64_t> resumedNs{0};     // the first publication received there

    std::mutex mutex;
    std::vector<std::string> nodes;             // ConnectInfo::node of each connection, in order
    std::vector<std::uint16_t> closes;          // DisconnectInfo::code of each ended connection
    std::string problem;                        // the first thing that went wrong

    // Last: destroyed (stopped, its thread joined) before what its handlers use.
    std::unique_ptr<aldis::client::Client> client;

    void note(const std::string& what)
    {
        std::lock_guard lock(mutex);
        if (problem.empty())
            problem = what;
    }

    void attach()
    {
        client->onConnected([this](const aldis::client::ConnectInfo& info) {
            std::lock_guard lock(mutex);
            nodes.push_back(info.node);
            if (!moved.load(std::memory_order_relaxed) && info.node != nodes.front()) {
                reconnectedNs.store(steadyNanos());
                moved.store(true);
            }
        });
        client->onDisconnected([this](const aldis::client::DisconnectInfo& info) {
            std::lock_guard lock(mutex);
            closes.push_back(info.code);
        });
        client->onPublication([this](const aldis::client::Publication& pub) {
            const auto previous = last.load(std::memory_order_relaxed);
            if (pub.channel != channel || pub.offset != previous + 1) {
                outOfOrder.fetch_add(1);
                note("received " + pub.channel + " offset " + std::to_string(pub.offset) + " after offset " +
                     std::to_string(previous) + " of " + channel);
            }
            if (pub.channel == channel && pub.offset > previous)
                last.store(pub.offset, std::memory_order_release);
            received.fetch_add(1, std::memory_order_relaxed);
            if (moved.load(std::memory_order_relaxed) && resumedNs.load(std::memory_order_relaxed) == 0)
                resumedNs.store(steadyNanos());
        });
        client->onGap([this](const std::string& ch, std::uint64_t expected, std::uint64_t got) {
            gaps.fetch_add(1);
            note("gap on " + ch + ": expected " + std::to_string(expected) + ", got " + std::to_string(got));
        });
        client->onResyncNeeded([this](const std::string& ch) {
            resyncs.fetch_add(1);
            note("resync needed on " + ch + " (a resume answered recovered: false)");
        });
        client->onPush([this](const boost::json::object& push) {
            if (push.at("push") == json::value("unsubscribed")) {
                dropped.fetch_add(1);
                note("subscription ended: " + json::serialize(push));
            }
        });
        client->onError([this](const aldis::Error& error) {
            errors.fetch_add(1);
            note("client error: " + error.message);
        });
    }
};

// Stops many clients at once: each stop() waits for its close handshake, so one after
// the other would take a while.
void stopAll(std::vector<std::unique_ptr<DrainListener>>& listeners)
{
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> stoppers;
    for (int t = 0; t < 16; ++t)
        stoppers.emplace_back([&] {
            for (std::size_t i = next++; i < listeners.size(); i = next++)
                if (listeners[i]->client)
                    listeners[i]->client->stop();
        });
    for (auto& t : stoppers)
        t.join();
}

} // namespace

class TestCluster : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<TestDatabase> m_dbB;  // region b's, for the region tests
    QString m_prefix;
    QString m_kafka;  // the region's broker, ALDIS_TEST_KAFKA_A unless a test chooses
    std::vector<std::unique_ptr<DaemonProcess>> m_nodes;

    QString clusterToml(const QString& kafka) const
    {
        return QStringLiteral("[store]\nbackend = \"postgresql\"\nurl = \"%1\"\n"
                              "[cluster]\nkafka = \"%2\"\ntopic_prefix = \"%3\"\npartitions = 4\nheartbeat = \"300ms\"\n"
                              "member_timeout = \"3s\"\n")
            .arg(m_db->url(), kafka, m_prefix);
    }

    // Starts `count` nodes node-1.. in region "a" and waits until they form a cluster.
    bool startNodes(int count)
    {
        const QString kafka = m_kafka;
        for (int i = 1; i <= count; ++i) {
            auto node = std::make_unique<DaemonProcess>(clusterToml(kafka));
            node->setIdentity(QStringLiteral("node-%1").arg(i), QStringLiteral("a"));
            if (!node->start(kStartMs)) {
                qWarning("node-%d did not start:\n%s", i, node->output().constData());
                return false;
            }
            m_nodes.push_back(std::move(node));
        }
        std::set<std::string> all;
        for (int i = 1; i <= count; ++i)
            all.insert("node-" + std::to_string(i));
        QDeadlineTimer deadline(kStartMs);
        for (auto& node : m_nodes) {
            while (!(bridgeReady(*node) && servingMembers(*node) == all)) {
                if (deadline.hasExpired()) {
                    qWarning("the cluster did not form: node %s says\n%s\n%s\nlast output:\n%s",
                             qPrintable(node->configPath()), toJson(adminGet(*node, "/v1/admin/node")).c_str(),
                             toJson(adminGet(*node, "/v1/admin/topology")).c_str(), node->output().constData());
                    return false;
                }
                QThread::msleep(100);
            }
        }
        return true;
    }

    // node-1 and node-2 in region a (home of namespace "chat"), node-3 in region b,
    // which mirrors "chat" from region a. Each region has its own database and broker.
    bool startRegions()
    {
        m_dbB = std::make_unique<TestDatabase>();
        if (!m_dbB->ok())
            return false;
        const QString kafkaA = serviceAddress("ALDIS_TEST_KAFKA_A");
        const QString kafkaB = serviceAddress("ALDIS_TEST_KAFKA_B");
        const QString namespaces = QStringLiteral("[namespaces.default]\n[namespaces.chat]\nhome_region = \"a\"\n");
        struct Spec {
            QString id, region, toml;
        };
        const QString regionB = QStringLiteral("[store]\nbackend = \"postgresql\"\nurl = \"%1\"\n"
                                               "[cluster]\nkafka = \"%2\"\ntopic_prefix = \"%3\"\npartitions = 4\n"
                                               "heartbeat = \"300ms\"\nmember_timeout = \"3s\"\n"
                                               "[[cluster.mirrors]]\nregion = \"a\"\nkafka = \"%4\"\n")
                                    .arg(m_dbB->url(), kafkaB, m_prefix, kafkaA);
        const std::vector<Spec> specs = {{"node-1", "a", clusterToml(kafkaA) + namespaces},
                                         {"node-2", "a", clusterToml(kafkaA) + namespaces},
                                         {"node-3", "b", regionB + namespaces}};
        for (const auto& spec : specs) {
            auto node = std::make_unique<DaemonProcess>(spec.toml);
            node->setIdentity(spec.id, spec.region);
            if (!node->start(kStartMs)) {
                qWarning("%s did not start:\n%s", qPrintable(spec.id), node->output().constData());
                return false;
            }
            m_nodes.push_back(std::move(node));
        }
        const std::set<std::string> all{"node-1", "node-2", "node-3"};
        QDeadlineTimer deadline(kStartMs);
        // Node 3 sees region a's nodes through its mirror; nodes 1 and 2 see each other.
        while (!(bridgeReady(*m_nodes[2]) && servingMembers(*m_nodes[2]) == all
                 && servingMembers(*m_nodes[0]).count("node-2") && bridgeReady(*m_nodes[0])
                 && bridgeReady(*m_nodes[1]))) {
            if (deadline.hasExpired()) {
                qWarning("the regions did not form: %s", toJson(adminGet(*m_nodes[2], "/v1/admin/topology")).c_str());
                return false;
            }
            QThread::msleep(100);
        }
        return true;
    }

private slots:
    void init()
    {
        ALDIS_NEED_SERVICE("ALDIS_TEST_PG_URL");
        ALDIS_NEED_SERVICE("ALDIS_TEST_KAFKA_A");
        m_db = std::make_unique<TestDatabase>();
        QVERIFY2(m_db->ok(), qPrintable(m_db->error()));
        m_prefix = uniqueTopicPrefix();
        m_kafka = serviceAddress("ALDIS_TEST_KAFKA_A");
    }

    void cleanup()
    {
        if (QTest::currentTestFailed()) {
            for (auto& node : m_nodes)
                qWarning("%s %s\noutput of %s:\n%s", toJson(adminGet(*node, "/v1/admin/node")).c_str(), toJson(adminGet(*node, "/v1/admin/channels")).c_str(),
                         qPrintable(node->configPath()), node->output().right(4000).constData());
        }
        m_nodes.clear();
        m_db.reset();
        m_dbB.reset();
    }

    void publishOnOneNodeReachesEveryNodeInOrder()
    {
        QVERIFY(startNodes(3));
        const std::string ch = "room";
        auto s2 = connected(m_nodes[1]->port(), "sub2");
        auto s3 = connected(m_nodes[2]->port(), "sub3");
        auto pub = connected(m_nodes[0]->port(), "pub");
        QVERIFY(s2 && s3 && pub);
        QVERIFY(requestOk(*s2, cmd("subscribe", {{"channel", ch}})));
        QVERIFY(requestOk(*s3, cmd("subscribe", {{"channel", ch}})));

        constexpr int kCount = 200;
        for (int i = 0; i < kCount; ++i) {
            json::object ok;
            QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", {{"n", i}}}}), &ok));
            QCOMPARE(num(ok, "offset"), i + 1);
        }
        for (auto* sub : {s2.get(), s3.get()}) {
            auto pushes = collectPushes(*sub, kCount, 30000);
            QVERIFY(consecutivePubs(pushes, ch, 1, kCount));
            for (int i = 0; i < kCount; ++i)
                QCOMPARE(num(pushes[i].at("data").as_object(), "n"), i);
            QCOMPARE(str(pushes.front(), "user"), std::string("pub"));
            QVERIFY(nothingQueued(*sub));
        }
    }

    void publishersOnTwoNodesGiveOneContiguousOrder()
    {
        QVERIFY(startNodes(3));
        const std::string ch = "shared";
        std::vector<std::unique_ptr<WsTestClient>> subs;
        for (auto& node : m_nodes) {
            subs.push_back(connected(node->port(), "sub"));
            QVERIFY(subs.back());
            QVERIFY(requestOk(*subs.back(), cmd("subscribe", {{"channel", ch}})));
        }
        constexpr int kPublishers = 2;
        constexpr int kEach = 300;
        constexpr std::size_t kTotal = kPublishers * kEach;
        std::vector<std::unique_ptr<WsTestClient>> pubs;
        for (int p = 0; p < kPublishers; ++p) {
            pubs.push_back(connected(m_nodes[p]->port(), "pub" + std::to_string(p)));
            QVERIFY(pubs.back());
        }
        std::atomic<int> failures{0};
        std::vector<std::vector<std::int64_t>> offsets(kPublishers, std::vector<std::int64_t>(kEach, -1));
        std::vector<std::thread> threads;
        for (int p = 0; p < kPublishers; ++p) {
            threads.emplace_back([&, p] {
                for (int k = 0; k < kEach; ++k) {
                    auto reply = pubs[p]->request(
                        json::object{{"op", "publish"}, {"channel", ch}, {"data", {{"p", p}, {"seq", k}}}});
                    if (!reply || !reply->contains("ok")) {
                        ++failures;
                        return;
                    }
                    offsets[p][k] = num(reply->at("ok").as_object(), "offset");
                }
            });
        }
        for (auto& t : threads)
            t.join();
        QCOMPARE(failures.load(), 0);

        // Every offset 1..kTotal was handed out exactly once, across both nodes.
        std::set<std::int64_t> handedOut;
        for (const auto& list : offsets)
            handedOut.insert(list.begin(), list.end());
        QCOMPARE(handedOut.size(), kTotal);
        QCOMPARE(*handedOut.begin(), std::int64_t{1});
        QCOMPARE(*handedOut.rbegin(), static_cast<std::int64_t>(kTotal));

        std::vector<std::string> firstOrder;
        for (auto& sub : subs) {
            auto pushes = collectPushes(*sub, kTotal, 60000);
            QVERIFY(consecutivePubs(pushes, ch, 1, kTotal));
            std::vector<std::string> order;
            for (std::size_t i = 0; i < kTotal; ++i) {
                const auto& data = pushes[i].at("data").as_object();
                const auto p = num(data, "p");
                const auto k = num(data, "seq");
                // The offset a publisher was told is where every subscriber sees it.
                QCOMPARE(offsets[p][k], static_cast<std::int64_t>(i + 1));
                order.push_back(toJson(pushes[i]));
            }
            if (firstOrder.empty())
                firstOrder = order;
            else
                QVERIFY(order == firstOrder); // the same publications, byte for byte, everywhere
            QVERIFY(nothingQueued(*sub));
        }
    }


    // Region b mirrors namespace "chat", whose home is region a: a publication on
    // node 1 (region a) reaches subscribers on node 2 (region a) and node 3 (region
    // b) in order; region b refuses publishes to it.
    void twoRegionsMirrorInOrder()
    {
        QVERIFY(startRegions());
        const std::string ch = "chat:room";
        auto s2 = connected(m_nodes[1]->port(), "sub2");
        auto s3 = connected(m_nodes[2]->port(), "sub3");
        auto pub = connected(m_nodes[0]->port(), "pub");
        QVERIFY(s2 && s3 && pub);
        QVERIFY(requestOk(*s2, cmd("subscribe", {{"channel", ch}})));
        QVERIFY(requestOk(*s3, cmd("subscribe", {{"channel", ch}})));
        constexpr int kCount = 200;
        for (int i = 0; i < kCount; ++i)
            QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", {{"n", i}}}})));
        for (auto* sub : {s2.get(), s3.get()}) {
            auto pushes = collectPushes(*sub, kCount, 60000);
            QVERIFY(consecutivePubs(pushes, ch, 1, kCount));
            for (int i = 0; i < kCount; ++i)
                QCOMPARE(num(pushes[i].at("data").as_object(), "n"), i);
        }
        // Region b holds the same stream: same epoch, same offsets.
        QCOMPARE(m_dbB->query("SELECT epoch || '/' || last_offset FROM channels WHERE channel = 'chat:room'"),
                 m_db->query("SELECT epoch || '/' || last_offset FROM channels WHERE channel = 'chat:room'"));

        // Publishing to a namespace homed elsewhere is refused, saying where to go.
        auto local = connected(m_nodes[2]->port(), "pub-b");
        QVERIFY(local);
        auto reply = local->request(cmd("publish", {{"channel", ch}, {"data", 1}}));
        QCOMPARE(errorOf(reply), QString("unavailable"));
        QVERIFY2(QString::fromStdString(toJson(*reply)).contains("homed in region a"), toJson(*reply).c_str());
        // The default namespace is home everywhere: region b takes it.
        QVERIFY(requestOk(*local, cmd("publish", {{"channel", "local"}, {"data", 1}})));

        // Node 3's topology shows both regions and the mirror link.
        auto topology = adminGet(*m_nodes[2], "/v1/admin/topology");
        const auto text = toJson(topology);
        QVERIFY2(text.find("\"from\":\"a\",\"to\":\"b\"") != std::string::npos, text.c_str());
        std::set<std::string> seen;
        for (const auto& region : topology.at("regions").as_array())
            for (const auto& n : region.as_object().at("nodes").as_array())
                seen.insert(std::string(region.as_object().at("name").as_string()) + "/"
                            + std::string(n.as_object().at("id").as_string()));
        QVERIFY2(seen.count("a/node-1") && seen.count("a/node-2") && seen.count("b/node-3"), text.c_str());
    }

    // Graceful failover: fence region a, promote region b once its mirror has every
    // publication. Region b goes on in the same epoch with the next offset, and a
    // client of region a resumes on region b with recovered: true and no gap.
    void fenceThenPromoteKeepsTheStream()
    {
        QVERIFY(startRegions());
        const std::string ch = "chat:failover";
        auto pub = connected(m_nodes[0]->port(), "pub");
        auto watcher = connected(m_nodes[2]->port(), "watch-b");
        QVERIFY(pub && watcher);
        QVERIFY(requestOk(*watcher, cmd("subscribe", {{"channel", ch}})));
        constexpr int kCount = 50;
        json::object ok;
        for (int i = 0; i < kCount; ++i)
            QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", {{"n", i}}}}), &ok));
        const std::string epoch(ok.at("epoch").as_string());
        QVERIFY(consecutivePubs(collectPushes(*watcher, kCount, 60000), ch, 1, kCount));

        // Without a fence, promotion is refused.
        auto [early, earlyAnswer] = adminAction(*m_nodes[2], "promote-region", {{"target", "b"}});
        QCOMPARE(early, 409);
        QVERIFY2(toJson(earlyAnswer).find("fence it first") != std::string::npos, toJson(earlyAnswer).c_str());
        // Promotion is sent to the region that becomes home.
        QCOMPARE(adminAction(*m_nodes[0], "promote-region", {{"target", "b"}}).first, 400);

        auto [fenced, fenceAnswer] = adminAction(*m_nodes[2], "fence-region", {{"target", "a"}});
        QCOMPARE(fenced, 200);
        // Region a learns the fence from its control topic: its publishes stop. Those
        // acknowledged before that are region a's last ones.
        std::int64_t last = kCount;
        QDeadlineTimer fenceSeen(20000);
        std::optional<json::object> refused;
        while (!fenceSeen.hasExpired()) {
            auto reply = pub->request(cmd("publish", {{"channel", ch}, {"data", {{"n", last}}}}));
            QVERIFY(reply);
            if (reply->contains("ok")) {
                last = num(reply->at("ok").as_object(), "offset");
                continue;
            }
            refused = reply;
            break;
        }
        QVERIFY(refused);
        QCOMPARE(errorOf(refused), QString("unavailable"));
        QVERIFY2(toJson(*refused).find("fenced") != std::string::npos, toJson(*refused).c_str());

        // Promotion waits until the mirror has every publication (lag 0).
        int promoted = 0;
        json::object promoteAnswer;
        QDeadlineTimer patience(20000);
        while (promoted != 200 && !patience.hasExpired()) {
            std::tie(promoted, promoteAnswer) = adminAction(*m_nodes[2], "promote-region", {{"target", "b"}});
            if (promoted != 200)
                QThread::msleep(200);
        }
        QVERIFY2(promoted == 200, toJson(promoteAnswer).c_str());
        QVERIFY2(toJson(promoteAnswer).find("with its epochs and offsets") != std::string::npos,
                 toJson(promoteAnswer).c_str());

        // Region b numbers the namespace now, in the same epoch.
        auto pubB = connected(m_nodes[2]->port(), "pub-b");
        QVERIFY(pubB);
        json::object next;
        QVERIFY(requestOk(*pubB, cmd("publish", {{"channel", ch}, {"data", {{"n", last}}}}), &next));
        QCOMPARE(num(next, "offset"), last + 1);
        QCOMPARE(std::string(next.at("epoch").as_string()), epoch);

        // A client of region a resumes on region b from where it was.
        auto resumed = connected(m_nodes[2]->port(), "resumer");
        QVERIFY(resumed);
        json::object sub;
        QVERIFY(requestOk(*resumed, cmd("subscribe", {{"channel", ch}, {"since", {{"offset", 40}, {"epoch", epoch}}}}), &sub));
        QCOMPARE(sub.at("recovered"), json::value(true));
        auto replay = collectPushes(*resumed, last + 1 - 40, 20000);
        QVERIFY(consecutivePubs(replay, ch, 41, last + 1 - 40));
        for (const auto& p : replay)
            QCOMPARE(num(p.at("data").as_object(), "n") + 1, num(p, "offset")); // each where it was published

        // The old home refuses the namespace now, even if it were unfenced.
        QTRY_VERIFY_WITH_TIMEOUT(toJson(*pub->request(cmd("publish", {{"channel", ch}, {"data", "x"}})))
                                         .find("homed in region b") != std::string::npos,
                                 20000);
    }

    // Forced promotion: the channels of the namespace get new epochs, so a client that
    // resumes with the old epoch is told recovered: false instead of getting a silent gap.
    void forcedPromotionRenewsEpochs()
    {
        QVERIFY(startRegions());
        const std::string ch = "chat:forced";
        auto pub = connected(m_nodes[0]->port(), "pub");
        auto watcher = connected(m_nodes[2]->port(), "watch-b");
        QVERIFY(pub && watcher);
        QVERIFY(requestOk(*watcher, cmd("subscribe", {{"channel", ch}})));
        json::object ok;
        for (int i = 0; i < 10; ++i)
            QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", i}}), &ok));
        const std::string epoch(ok.at("epoch").as_string());
        QVERIFY(consecutivePubs(collectPushes(*watcher, 10, 60000), ch, 1, 10));

        QCOMPARE(adminAction(*m_nodes[2], "fence-region", {{"target", "a"}}).first, 200);
        auto [status, answer] = adminAction(*m_nodes[2], "promote-region",
                                            {{"target", "b"}, {"namespace", "chat"}, {"force", true}});
        QCOMPARE(status, 200);
        QVERIFY2(toJson(answer).find("new epochs") != std::string::npos, toJson(answer).c_str());

        auto pubB = connected(m_nodes[2]->port(), "pub-b");
        QVERIFY(pubB);
        json::object next;
        QVERIFY(requestOk(*pubB, cmd("publish", {{"channel", ch}, {"data", 10}}), &next));
        QCOMPARE(num(next, "offset"), 11); // offsets go on ...
        QVERIFY(std::string(next.at("epoch").as_string()) != epoch); // ... in a new epoch

        auto resumed = connected(m_nodes[2]->port(), "resumer");
        QVERIFY(resumed);
        json::object sub;
        QVERIFY(requestOk(*resumed, cmd("subscribe", {{"channel", ch}, {"since", {{"offset", 5}, {"epoch", epoch}}}}), &sub));
        QCOMPARE(sub.at("recovered"), json::value(false));
    }

    // A node of the old home that died (kill -9) cannot confirm the fence, and what
    // it committed last may be only in its region's store: a graceful promotion is
    // refused, naming it; a forced one goes on with new epochs.
    void silentNodeNeedsAForcedPromotion()
    {
        QVERIFY(startRegions());
        const std::string ch = "chat:silent";
        auto pub = connected(m_nodes[1]->port(), "pub");
        QVERIFY(pub);
        QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", 1}})));
        QCOMPARE(adminAction(*m_nodes[2], "fence-region", {{"target", "a"}}).first, 200);
        m_nodes[1]->kill9();
        // Past member_timeout (3 s), node-2 is silent, not stopped.
        std::pair<int, json::object> answer;
        QDeadlineTimer patience(20000);
        do {
            QThread::msleep(250);
            answer = adminAction(*m_nodes[2], "promote-region", {{"target", "b"}});
        } while (toJson(answer.second).find("went silent") == std::string::npos && !patience.hasExpired());
        QCOMPARE(answer.first, 409);
        QVERIFY2(toJson(answer.second).find("node-2") != std::string::npos, toJson(answer.second).c_str());
        QCOMPARE(adminAction(*m_nodes[2], "promote-region", {{"target", "b"}, {"namespace", "chat"}, {"force", true}}).first,
                 200);
    }

    // A Kafka that does not answer stops the node at start with a message naming
    // the setting, instead of a node that serves clients it cannot link.
    void unreachableKafkaFailsTheStartClearly()
    {
        DaemonProcess node(clusterToml(QStringLiteral("127.0.0.1:1")));
        node.setIdentity(QStringLiteral("node-x"), QStringLiteral("a"));
        QVERIFY(!node.start(kStartMs));
        QCOMPARE(node.waitForExit(kStartMs), 1);
        const QString out = QString::fromUtf8(node.output());
        QVERIFY2(out.contains(QLatin1String("cannot join the cluster")) && out.contains(QLatin1String("check cluster.kafka")),
                 qPrintable(out));
    }

    // kill -9 of the node a client publishes to, in the middle of publishing: the
    // client sends the unanswered publication again, with its key, to another node.
    // Every acknowledged publication is there once, in one order, on every node.
    void killedNodeLosesNothingAcknowledged()
    {
        QVERIFY(startNodes(3));
        const std::string ch = "crash";
        auto s3 = connected(m_nodes[2]->port(), "sub3");
        QVERIFY(s3);
        QVERIFY(requestOk(*s3, cmd("subscribe", {{"channel", ch}})));

        constexpr int kCount = 600;
        int duplicates = 0;
        auto acked = publishWithFailover({m_nodes[0]->port(), m_nodes[1]->port()}, ch, kCount,
                                         [&] { m_nodes[0]->kill9(); }, &duplicates);
        QCOMPARE(m_nodes[0]->process().state(), QProcess::NotRunning);

        // The subscriber on node 3 sees offsets 1..kCount: each key exactly once.
        auto pushes = collectPushes(*s3, kCount, 60000);
        QVERIFY(consecutivePubs(pushes, ch, 1, kCount));
        std::set<std::int64_t> seen;
        for (int i = 0; i < kCount; ++i) {
            const auto n = num(pushes[i].at("data").as_object(), "n");
            QVERIFY2(seen.insert(n).second, qPrintable(QStringLiteral("publication %1 came twice").arg(n)));
            QCOMPARE(acked[n], static_cast<std::int64_t>(i + 1)); // where its publisher was told it is
        }
        QVERIFY(nothingQueued(*s3));
        // The store agrees: one row per key.
        QCOMPARE(m_db->query(QStringLiteral("SELECT count(DISTINCT key) || '/' || count(*) FROM publications "
                                            "WHERE channel = 'crash'")),
                 QStringLiteral("%1/%1").arg(kCount));
        qInfo("kill -9 during publishing: %d acknowledged, %d answered as duplicates of a retried key, 0 lost",
              kCount, duplicates);
    }

    // The region's Kafka broker crashes (kill -9) and comes back while a node
    // publishes: publishes are acknowledged from the store all along, and the other
    // node's subscriber gets every publication, in order, once the broker is back.
    void kafkaRestartLosesNothing()
    {
        ALDIS_NEED_SERVICE("ALDIS_TEST_SERVICES_DIR");
        ALDIS_NEED_SERVICE("ALDIS_TEST_KAFKA_B");
        // On region b's broker, so the other tests' broker is never disturbed.
        m_kafka = serviceAddress("ALDIS_TEST_KAFKA_B");
        QVERIFY(startNodes(2));
        const std::string ch = "kafka-crash";
        auto s2 = connected(m_nodes[1]->port(), "sub2");
        QVERIFY(s2);
        QVERIFY(requestOk(*s2, cmd("subscribe", {{"channel", ch}})));

        constexpr int kCount = 300;
        int duplicates = 0;
        int restarted = -2;
        std::thread restarter;
        auto acked = publishWithFailover({m_nodes[0]->port()}, ch, kCount, [&] {
            QCOMPARE(kafkaControl(QStringLiteral("kill9"), QStringLiteral("kafka-b")), 0);
            restarter = std::thread([&] { restarted = kafkaControl(QStringLiteral("restart"), QStringLiteral("kafka-b")); });
        }, &duplicates);
        restarter.join();
        QCOMPARE(restarted, 0);
        for (int i = 0; i < kCount; ++i)
            QCOMPARE(acked[i], static_cast<std::int64_t>(i + 1));

        auto pushes = collectPushes(*s2, kCount, 120000);
        QVERIFY(consecutivePubs(pushes, ch, 1, kCount));
        for (int i = 0; i < kCount; ++i)
            QCOMPARE(num(pushes[i].at("data").as_object(), "n"), i);
        QVERIFY(nothingQueued(*s2));
        QCOMPARE(duplicates, 0);
    }

    // A node whose bridge is behind (here paused: it reads nothing from Kafka) gets the
    // resume of a client that saw the latest publications on another node, as after a
    // drain: it catches the channel up from the store, answers recovered: true and
    // delivers nothing twice, neither to the resumed client nor to one already there.
    void resumeOnALaggingNodeRecovers()
    {
        QVERIFY(startNodes(3));
        const std::string ch = "lagging";
        auto admin = [this](int node, const std::string& action) {
            return httpRequest(m_nodes[node]->adminPort(), "POST", "/v1/admin/actions/" + action,
                               R"({"actor":"tst_cluster"})",
                               {{"Authorization", std::string("Bearer ") + DaemonProcess::kAdminToken},
                                {"Content-Type", "application/json"}})
                .status;
        };
        auto watcher = connected(m_nodes[1]->port(), "watcher"); // node 2 holds the channel
        auto first = connected(m_nodes[0]->port(), "mover");
        auto pub = connected(m_nodes[2]->port(), "pub");
        QVERIFY(watcher && first && pub);
        QVERIFY(requestOk(*watcher, cmd("subscribe", {{"channel", ch}})));
        json::object ok;
        QVERIFY(requestOk(*first, cmd("subscribe", {{"channel", ch}}), &ok));
        const std::string epoch = str(ok, "epoch");

        QCOMPARE(admin(1, "pause-bridge"), 200);
        QThread::msleep(500); // the bridge thread pauses its consumer at its next poll (50 ms)
        constexpr int kCount = 5;
        for (int i = 1; i <= kCount; ++i)
            QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", i}})));
        QVERIFY(consecutivePubs(collectPushes(*first, kCount, 30000), ch, 1, kCount));
        QVERIFY2(nothingQueued(*watcher), "node 2 delivered while its bridge was paused: the test proves nothing");

        // The client moves to node 2 and resumes where it was.
        auto moved = connected(m_nodes[1]->port(), "mover");
        QVERIFY(moved);
        json::object sub;
        QVERIFY(requestOk(*moved, cmd("subscribe", {{"channel", ch}, {"since", {{"offset", kCount}, {"epoch", epoch}}}}),
                          &sub));
        QVERIFY2(sub.at("recovered") == json::value(true), toJson(sub).c_str());
        QCOMPARE(num(sub, "offset"), kCount);
        QCOMPARE(num(sub, "replayed"), 0);
        // A position the store does not have either is still refused.
        auto beyond = connected(m_nodes[1]->port(), "beyond");
        QVERIFY(beyond);
        QVERIFY(requestOk(*beyond, cmd("subscribe", {{"channel", ch}, {"since", {{"offset", 100}, {"epoch", epoch}}}}),
                          &sub));
        QVERIFY2(sub.at("recovered") == json::value(false), toJson(sub).c_str());
        QCOMPARE(num(sub, "offset"), kCount);

        QCOMPARE(admin(1, "resume-bridge"), 200);
        QVERIFY(requestOk(*pub, cmd("publish", {{"channel", ch}, {"data", kCount + 1}})));
        // The resumed client gets what came after its position, once; the watcher
        // gets every offset once, in order.
        QVERIFY(consecutivePubs(collectPushes(*moved, 1, 30000), ch, kCount + 1, 1));
        QVERIFY(consecutivePubs(collectPushes(*watcher, kCount + 1, 30000), ch, 1, kCount + 1));
        QVERIFY(consecutivePubs(collectPushes(*beyond, 1, 30000), ch, kCount + 1, 1));
        QVERIFY(nothingQueued(*moved));
        QVERIFY(nothingQueued(*watcher));
        QVERIFY(nothingQueued(*beyond));
    }

    // Drain (POST /v1/admin/actions/drain) of a node with 1,000 connected clients of the
    // client library, while a publisher on another node publishes before, during and
    // after it: every client is closed with 4007, moves on to the next URL, resumes its
    // subscription with `since` there and gets every offset 1..N of its channel once,
    // in order, with no resync. Figures go to the log; nothing is timed.
    void drainMovesEveryClientWithoutAGap()
    {
        constexpr int kClients = 1000;
        constexpr int kChannels = 10;        // kClients / kChannels clients each
        constexpr int kRate = 50;            // publications per second, round robin over the channels
        constexpr int kBefore = 5;           // publications every client has before the drain
        namespace client = aldis::client;

        // Each client holds a socket, and its io_context an epoll, an eventfd and a
        // timerfd; the node that holds the clients needs one per connection.
        QByteArray why;
        if (!raiseFileLimit(4 * kClients + 512, &why)) {
            if (servicesRequired())
                QFAIL(why.constData());
            QSKIP(why.constData());
        }
        QElapsedTimer total;
        total.start();
        QVERIFY(startNodes(3));

        auto waitFor = [](const std::function<bool()>& done, int timeoutMs) {
            QDeadlineTimer deadline(timeoutMs);
            while (!done()) {
                if (deadline.hasExpired())
                    return false;
                QCoreApplication::processEvents(); // reads the daemons' output
                QThread::msleep(20);
            }
            return true;
        };
        auto channelName = [](int c) { return "drain-" + std::to_string(c); };
        const auto url = [this](int node) {
            return "ws://127.0.0.1:" + std::to_string(m_nodes[node]->port()) + "/v1/ws";
        };

        std::atomic<int> subscribed{0};
        std::atomic<int> subscribeFailures{0};
        std::vector<std::unique_ptr<DrainListener>> listeners;
        struct StopGuard {
            std::vector<std::unique_ptr<DrainListener>>& listeners;
            ~StopGuard() { stopAll(listeners); }
        } stopGuard{listeners};
        const auto listenerToken = token("listener");
        for (int i = 0; i < kClients; ++i) {
            auto l = std::make_unique<DrainListener>();
            l->channel = channelName(i % kChannels);
            client::ClientOptions options;
            options.urls = {url(0), url(1), url(2)};
            options.tokenProvider = [listenerToken] { return listenerToken; };
            options.name = "tst_cluster";
            options.requestTimeout = std::chrono::seconds(30); // a guard: a loaded machine is no failover
            l->client = std::make_unique<client::Client>(std::move(options));
            l->attach();
            l->client->start();
            l->client->subscribe(l->channel, {}, [&subscribed, &subscribeFailures, raw = l.get()](
                                                     aldis::Result<client::SubscribeReply> r) {
                if (r) {
                    ++subscribed;
                } else {
                    ++subscribeFailures;
                    raw->note("subscribe failed: " + r.error().message);
                }
            });
            listeners.push_back(std::move(l));
        }
        QVERIFY2(waitFor([&] { return subscribed + subscribeFailures == kClients; }, 120000),
                 qPrintable(QStringLiteral("%1 of %2 clients subscribed").arg(subscribed.load()).arg(kClients)));
        QCOMPARE(subscribeFailures.load(), 0);
        for (auto& l : listeners) {
            std::lock_guard lock(l->mutex);
            QCOMPARE(l->nodes, std::vector<std::string>{"node-1"});
        }

        // The publisher, on node 3: keyed publications at kRate per second, each waited
        // for (and retried with its key if need be) before the next.
        client::ClientOptions pubOptions;
        pubOptions.urls = {url(2)};
        pubOptions.tokenProvider = [t = token("publisher")] { return t; };
        client::Client publisherClient(std::move(pubOptions));
        publisherClient.start();
        std::atomic<bool> stopPublishing{false};
        std::atomic<int> published{0};
        std::atomic<int> duplicates{0};
        std::atomic<int> publishFailures{0};
        std::vector<std::vector<std::uint64_t>> acked(kChannels); // the publisher thread's until joined
        std::string publishProblem;
        std::thread publisher([&] {
            auto next = SteadyClock::now();
            for (int i = 0; !stopPublishing; ++i) {
                next += std::chrono::microseconds(1'000'000 / kRate);
                std::this_thread::sleep_until(next);
                const int c = i % kChannels;
                auto future = publisherClient.publishWithRetry(channelName(c), "{\"n\":" + std::to_string(i) + "}",
                                                               "k" + std::to_string(i), 10);
                while (future.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready)
                    if (stopPublishing)
                        return;
                auto r = future.get();
                if (!r) {
                    if (publishFailures++ == 0)
                        publishProblem = r.error().message;
                    continue;
                }
                if (r->duplicate)
                    ++duplicates;
                acked[c].push_back(r->offset);
                ++published;
            }
        });
        struct JoinGuard {
            std::atomic<bool>& stop;
            std::thread& thread;
            ~JoinGuard()
            {
                stop = true;
                if (thread.joinable())
                    thread.join();
            }
        } joinGuard{stopPublishing, publisher};

        auto minimum = [&](auto field) {
            std::uint64_t least = std::numeric_limits<std::uint64_t>::max();
            for (auto& l : listeners)
                least = std::min<std::uint64_t>(least, field(*l));
            return least;
        };
        QVERIFY2(waitFor([&] { return minimum([](DrainListener& l) { return l.last.load(); }) >= kBefore; }, 60000),
                 "not every client received the first publications on node 1");

        // Drain node 1.
        const auto drainNs = steadyNanos();
        auto drained = httpRequest(m_nodes[0]->adminPort(), "POST", "/v1/admin/actions/drain",
                                   R"({"actor":"tst_cluster","reason":"1,000 clients move"})",
                                   {{"Authorization", std::string("Bearer ") + DaemonProcess::kAdminToken},
                                    {"Content-Type", "application/json"}},
                                   30000);
        QVERIFY2(drained.status == 200, (drained.error + drained.body).c_str());
        QVERIFY2(drained.body.find("closed " + std::to_string(kClients) + " clients") != std::string::npos,
                 drained.body.c_str());

        auto countIf = [&](const std::function<bool(DrainListener&)>& pred) {
            return static_cast<int>(std::count_if(listeners.begin(), listeners.end(), [&](auto& l) { return pred(*l); }));
        };
        QVERIFY2(waitFor([&] { return countIf([](DrainListener& l) { return l.resumedNs.load() != 0; }) == kClients; },
                         120000),
                 qPrintable(QStringLiteral("%1 clients reconnected to another node, %2 received a publication there")
                                .arg(countIf([](DrainListener& l) { return l.moved.load(); }))
                                .arg(countIf([](DrainListener& l) { return l.resumedNs.load() != 0; }))));
        std::int64_t lastReconnectNs = 0;
        std::int64_t lastResumeNs = 0;
        for (auto& l : listeners) {
            lastReconnectNs = std::max(lastReconnectNs, l->reconnectedNs.load());
            lastResumeNs = std::max(lastResumeNs, l->resumedNs.load());
        }
        QTRY_COMPARE_WITH_TIMEOUT(str(adminGet(*m_nodes[0], "/v1/admin/node"), "state"), std::string("drained"),
                                  30000);

        // Two more seconds of publications after everybody resumed, then the end.
        const int atResume = published;
        QVERIFY2(waitFor([&] { return published >= atResume + 2 * kRate; }, 60000),
                 "the publisher stopped getting answers after the clients resumed");
        stopPublishing = true;
        publisher.join();
        QVERIFY2(publishFailures == 0, publishProblem.c_str());

        // The publisher was told offsets 1..N of each channel, each once.
        std::vector<std::uint64_t> lastOffset(kChannels);
        for (int c = 0; c < kChannels; ++c) {
            auto offsets = acked[c];
            std::sort(offsets.begin(), offsets.end());
            QVERIFY(!offsets.empty());
            for (std::size_t k = 0; k < offsets.size(); ++k)
                QCOMPARE(offsets[k], std::uint64_t(k + 1));
            lastOffset[c] = offsets.back();
        }
        auto channelIndex = [](const DrainListener& l) { return std::stoi(l.channel.substr(l.channel.find('-') + 1)); };
        QVERIFY2(waitFor([&] { return countIf([&](DrainListener& l) { return l.last.load() >= lastOffset[channelIndex(l)]; }) == kClients; },
                         60000),
                 qPrintable(QStringLiteral("%1 of %2 clients received their channel's last offset")
                                .arg(countIf([&](DrainListener& l) { return l.last.load() >= lastOffset[channelIndex(l)]; }))
                                .arg(kClients)));

        // Every client: offsets 1..N of its channel exactly (each was last + 1, N in
        // all), on node 1 first and then on node 2 or 3, moved by 4007, never told to
        // resync (every resume answered recovered: true), nothing dropped.
        int bad = 0;
        std::map<std::string, int> finalNodes;
        std::uint64_t delivered = 0;
        QStringList problems;
        for (std::size_t i = 0; i < listeners.size(); ++i) {
            auto& l = *listeners[i];
            std::lock_guard lock(l.mutex);
            const auto n = lastOffset[channelIndex(l)];
            delivered += l.received;
            finalNodes[l.nodes.back()]++;
            const bool ok = l.received == n && l.last == n && l.outOfOrder == 0 && l.gaps == 0 && l.resyncs == 0 &&
                            l.dropped == 0 && l.errors == 0 && l.nodes.front() == "node-1" &&
                            (l.nodes.back() == "node-2" || l.nodes.back() == "node-3") &&
                            std::count(l.closes.begin(), l.closes.end(), 4007) == 1;
            if (!ok && bad++ < 5) {
                QStringList nodes, closes;
                for (const auto& node : l.nodes)
                    nodes << QString::fromStdString(node);
                for (auto code : l.closes)
                    closes << QString::number(code);
                problems << QStringLiteral("client %1 (%2, last offset %3): received %4, last %5, out of order %6, "
                                           "gaps %7, resyncs %8, dropped %9, errors %10, nodes [%11], closes [%12]; %13")
                                .arg(i)
                                .arg(QString::fromStdString(l.channel))
                                .arg(n)
                                .arg(l.received.load())
                                .arg(l.last.load())
                                .arg(l.outOfOrder.load())
                                .arg(l.gaps.load())
                                .arg(l.resyncs.load())
                                .arg(l.dropped.load())
                                .arg(l.errors.load())
                                .arg(nodes.join(','), closes.join(','), QString::fromStdString(l.problem));
            }
        }
        QVERIFY2(bad == 0, qPrintable(QStringLiteral("%1 of %2 clients did not get exactly 1..N:\n").arg(bad).arg(kClients) +
                                      problems.join('\n')));

        std::uint64_t publications = 0;
        for (auto n : lastOffset)
            publications += n;
        qInfo("drain of a node with %d clients (library clients, %d channels, %d each): %llu publications "
              "(%d/s, %d answered duplicate) delivered %llu times, each client 1..N with no gap and no resync; "
              "all %d reconnected %lld ms and resumed (a publication received on the new node) %lld ms after "
              "the drain; %d on node-2, %d on node-3; test %lld s",
              kClients, kChannels, kClients / kChannels, static_cast<unsigned long long>(publications), kRate,
              duplicates.load(), static_cast<unsigned long long>(delivered), kClients,
              static_cast<long long>((lastReconnectNs - drainNs) / 1'000'000),
              static_cast<long long>((lastResumeNs - drainNs) / 1'000'000), finalNodes["node-2"],
              finalNodes["node-3"], static_cast<long long>(total.elapsed() / 1000));
    }
};

QTEST_GUILESS_MAIN(TestCluster)
#include "tst_cluster.moc"

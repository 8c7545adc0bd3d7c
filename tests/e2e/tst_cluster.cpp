// SPDX-License-Identifier: Apache-2.0
// Nodes of one region sharing a real PostgreSQL event store and a real Kafka broker
// (scripts/services/up): publications reach subscribers on every node, in one order
// with no gap, whichever node they were published on.
//
// Each test starts its own `aldis --daemon` processes on a fresh database and fresh
// topics (a unique topic prefix), and waits until every node's bridge reads its
// partitions and every node sees the others in its topology.

#include "support/http_test_client.h"
#include "support/protocol_checks.h"
#include "support/services.h"
#include "support/ws_test_client.h"

#include <QtTest>

#include <boost/json.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <thread>

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

class TestCluster : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<TestDatabase> m_db;
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
        m_nodes.clear();
        m_db.reset();
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
};

QTEST_GUILESS_MAIN(TestCluster)
#include "tst_cluster.moc"

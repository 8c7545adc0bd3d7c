// SPDX-License-Identifier: Apache-2.0
// End-to-end tests of ordering and delivery in the client protocol (PROTOCOL.md,
// "Ordering and delivery"): one order for concurrent publishers, resume after a
// disconnect, replay followed by live publications, ephemeral namespaces and durable
// subscriptions. One `aldis --daemon` subprocess serves the whole class; every test
// uses its own channels.
//
// Authentication is in tst_auth.cpp, commands and their errors in tst_commands.cpp;
// limits, signals and the HTTP endpoints in tst_limits.cpp, tst_lifecycle.cpp and
// tst_http.cpp.

#include "support/protocol_checks.h"
#include "support/protocol_fixture.h"
#include "support/ws_test_client.h"

#include <QtTest>

#include <boost/json.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

using namespace aldis::test;
namespace json = boost::json;

// Runs against ProtocolFixture's daemon (support/protocol_fixture.h).
class TestOrdering : public QObject, private ProtocolFixture {
    Q_OBJECT

private slots:
    void initTestCase() { startDaemon(); }
    void cleanupTestCase() { stopDaemon(); }

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
};

// ---- Ordering, replay and resume ----------------------------------------------------

void TestOrdering::fourPublishersOneOrder_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addRow("durable") << "order";
    QTest::addRow("ephemeral") << "eph:order";
}

void TestOrdering::fourPublishersOneOrder()
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

void TestOrdering::resumeAfterDisconnect_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addRow("durable") << "resume";
    QTest::addRow("ephemeral") << "eph:resume";
}

void TestOrdering::resumeAfterDisconnect()
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

void TestOrdering::resumeRefused()
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

void TestOrdering::replayThenLive_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addRow("durable") << "rtl";
    QTest::addRow("ephemeral") << "eph:rtl"; // history_size 100 there
}

void TestOrdering::replayThenLive()
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

void TestOrdering::ephemeralNamespace()
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

void TestOrdering::durableSubscription()
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

void TestOrdering::durableSubscriptionWithoutAck()
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

void TestOrdering::durableSubscriptionWithBadSince()
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

QTEST_GUILESS_MAIN(TestOrdering)
#include "tst_ordering.moc"

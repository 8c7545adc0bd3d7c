// SPDX-License-Identifier: Apache-2.0
// The broker in-process, on a real SQLite store: one shared frame per publication for
// all subscribers; idle channels are dropped and come back with their state (durable)
// or a new epoch (memory), and a channel someone is subscribed to is never dropped.
#include "broker/broker.h"
#include "observability/metrics.h"
#include "store/sqlite_store.h"

#include <QTemporaryDir>
#include <QTest>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <future>
#include <mutex>
#include <thread>

using namespace aldis;
using namespace std::chrono_literals;

namespace {

// Collects what the broker delivers to a subscriber.
class FakeSubscriber final : public broker::Subscriber {
public:
    explicit FakeSubscriber(std::uint64_t id) : m_id(id) {}
    std::uint64_t clientId() const noexcept override { return m_id; }
    const std::string& userId() const noexcept override { return m_user; }
    void deliver(broker::FramePtr frame) override
    {
        std::lock_guard lock(m_mutex);
        m_frames.push_back(std::move(frame));
    }
    void deliverCatchUp(std::vector<broker::FramePtr> frames) override
    {
        std::lock_guard lock(m_mutex);
        m_frames.insert(m_frames.end(), frames.begin(), frames.end());
    }
    std::size_t catchUpBudget() const noexcept override { return 1 << 20; }
    void subscriptionEnded(const std::string&, broker::FramePtr) override {}
    std::size_t received() const
    {
        std::lock_guard lock(m_mutex);
        return m_frames.size();
    }
    broker::FramePtr frame(std::size_t i) const
    {
        std::lock_guard lock(m_mutex);
        return m_frames.at(i);
    }

private:
    std::uint64_t m_id;
    std::string m_user = "alice";
    mutable std::mutex m_mutex;
    std::vector<broker::FramePtr> m_frames;
};

template <typename T, typename Start>
Result<T> await(Start start)
{
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    start([promise](Result<T> r) { promise->set_value(std::move(r)); });
    if (future.wait_for(10s) != std::future_status::ready)
        qFatal("the broker did not answer within 10 s");
    return future.get();
}

} // namespace

class TestBroker : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void idleMemoryChannelComesBackWithANewEpoch();
    void idleDurableChannelComesBackWithItsState();
    void subscribedChannelStays();
    void onePublicationOneBuffer();

private:
    Result<broker::PublishOk> publish(const std::string& channel)
    {
        return await<broker::PublishOk>([&](auto done) {
            m_broker->publish(broker::PublishRequest{channel, "1", "alice", {}, Clock::now()}, std::move(done));
        });
    }

    QTemporaryDir m_dir;
    boost::asio::io_context m_io;
    std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> m_work;
    std::thread m_thread;
    std::unique_ptr<observability::Metrics> m_metricsHolder;
    observability::Metrics* m_metricsPtr = nullptr;
    std::unique_ptr<store::EventStore> m_store;
    std::unique_ptr<broker::Broker> m_broker;
};

void TestBroker::init()
{
    auto cfg = std::make_shared<config::Config>();
    config::NamespaceConfig durable;
    durable.name = "";
    config::NamespaceConfig memory;
    memory.name = "eph";
    memory.durable = false;
    memory.historySize = 0; // nothing kept: the channel may be dropped once idle
    cfg->namespaces[""] = durable;
    cfg->namespaces["eph"] = memory;
    store::SqliteStoreOptions options;
    options.path = (m_dir.path() + "/broker.db").toStdString();
    m_store = std::make_unique<store::SqliteStore>(options);
    QVERIFY(m_store->open());
    m_io.restart();
    m_work = std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(m_io.get_executor());
    m_metricsHolder = std::make_unique<observability::Metrics>(); // fresh gauges for each test
    m_metricsPtr = m_metricsHolder.get();
    m_broker = std::make_unique<broker::Broker>(m_io, cfg, m_store.get(), *m_metricsPtr, 200ms);
    m_thread = std::thread([this] { m_io.run(); });
}

void TestBroker::cleanup()
{
    m_store->close();
    m_work.reset();
    m_io.stop();
    m_thread.join();
    m_broker.reset();
    m_store.reset();
}

void TestBroker::idleMemoryChannelComesBackWithANewEpoch()
{
    auto first = publish("eph:x");
    QVERIFY(first);
    QCOMPARE(first->offset, std::uint64_t{1});
    QCOMPARE(m_metricsPtr->channels.value(), std::int64_t{1});
    QTRY_COMPARE_WITH_TIMEOUT(m_metricsPtr->channels.value(), std::int64_t{0}, 5000);
    auto again = publish("eph:x");
    QVERIFY(again);
    // Its stream restarted: offsets start over, and the epoch says so.
    QCOMPARE(again->offset, std::uint64_t{1});
    QVERIFY(again->epoch != first->epoch);
}

void TestBroker::idleDurableChannelComesBackWithItsState()
{
    std::string epoch;
    for (int i = 1; i <= 3; ++i) {
        auto r = publish("orders");
        QVERIFY(r);
        QCOMPARE(r->offset, std::uint64_t(i));
        epoch = r->epoch;
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_metricsPtr->channels.value(), std::int64_t{0}, 5000);
    auto next = publish("orders");
    QVERIFY(next);
    QCOMPARE(next->offset, std::uint64_t{4});
    QCOMPARE(next->epoch, epoch);
}

void TestBroker::subscribedChannelStays()
{
    auto sub = std::make_shared<FakeSubscriber>(7);
    auto ok = await<broker::SubscribeOk>([&](auto done) {
        m_broker->subscribe(broker::SubscribeRequest{"eph:y", std::nullopt, {}, "alice"}, sub, std::move(done));
    });
    QVERIFY(ok);
    QTest::qWait(800); // four idle timeouts
    QCOMPARE(m_metricsPtr->channels.value(), std::int64_t{1});
    QVERIFY(publish("eph:y"));
    QTRY_COMPARE_WITH_TIMEOUT(sub->received(), std::size_t{1}, 5000);
    auto left = await<bool>([&](auto done) { m_broker->unsubscribe("eph:y", 7, std::move(done)); });
    QVERIFY(left && left.value());
    QTRY_COMPARE_WITH_TIMEOUT(m_metricsPtr->channels.value(), std::int64_t{0}, 5000);
}

void TestBroker::onePublicationOneBuffer()
{
    // Fan-out serializes a publication once: every subscriber queues the very same
    // immutable frame (header and JSON), never a copy of its own.
    std::vector<std::shared_ptr<FakeSubscriber>> subs;
    for (std::uint64_t id = 1; id <= 3; ++id) {
        subs.push_back(std::make_shared<FakeSubscriber>(id));
        auto ok = await<broker::SubscribeOk>([&](auto done) {
            m_broker->subscribe(broker::SubscribeRequest{"orders", std::nullopt, {}, "alice"}, subs.back(), std::move(done));
        });
        QVERIFY(ok);
    }
    QVERIFY(publish("orders"));
    for (const auto& sub : subs)
        QTRY_COMPARE_WITH_TIMEOUT(sub->received(), std::size_t{1}, 5000);
    const auto frame = subs[0]->frame(0);
    QVERIFY(frame->publication);
    QCOMPARE(subs[1]->frame(0).get(), frame.get());
    QCOMPARE(subs[2]->frame(0).get(), frame.get());
    QVERIFY(frame->bytes.find("\"push\":\"pub\"") != std::string::npos);
}

QTEST_GUILESS_MAIN(TestBroker)
#include "tst_broker.moc"

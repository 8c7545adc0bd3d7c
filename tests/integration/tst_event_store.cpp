// SPDX-License-Identifier: Apache-2.0
// The event store contract (engine/store/README.md), run against both backends:
// TestSqliteStore on real files in a temporary folder, TestPostgresStore on a fresh
// database of the PostgreSQL server in ALDIS_TEST_PG_URL (skipped without it, failed
// under ALDIS_REQUIRE_SERVICES=1). Both inherit every test of EventStoreSuite and
// add what only their backend has: the lock file and file errors for SQLite; open
// errors, several nodes on one database, lost connections and migrations for
// PostgreSQL.

#include "store/postgres_store.h"
#include "store/sqlite_store.h"
#include "support/services.h"
#include "support/test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <future>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

using namespace aldis;
using namespace aldis::store;
using namespace std::chrono_literals;

namespace {

// Starts an asynchronous store call and waits for its callback's argument.
template <typename T, typename Start>
T await(Start start)
{
    auto promise = std::make_shared<std::promise<T>>();
    auto future = promise->get_future();
    start([promise](T value) { promise->set_value(std::move(value)); });
    if (future.wait_for(30s) != std::future_status::ready)
        qFatal("a store callback did not arrive within 30 s");
    return future.get();
}

AppendRequest request(std::string channel, std::string data, std::string key = {},
                      Retention retention = {})
{
    AppendRequest r;
    r.channel = std::move(channel);
    r.data = std::move(data);
    r.key = std::move(key);
    r.retention = retention;
    return r;
}

Result<AppendResult> appendNow(EventStore& store, AppendRequest r)
{
    return await<Result<AppendResult>>(
        [&](auto done) { store.append(std::move(r), std::move(done)); });
}

Result<ReadResult> readNow(EventStore& store, ReadRequest r)
{
    return await<Result<ReadResult>>([&](auto done) { store.read(std::move(r), std::move(done)); });
}

ReadResult readAll(EventStore& store, const std::string& channel)
{
    ReadRequest r;
    r.channel = channel;
    r.limit = 100000;
    auto result = readNow(store, r);
    if (!result)
        qFatal("read failed: %s", result.error().message.c_str());
    return std::move(result).value();
}

Result<ChannelState> stateNow(EventStore& store, std::string channel)
{
    return await<Result<ChannelState>>(
        [&](auto done) { store.channelState(std::move(channel), std::move(done)); });
}

Result<void> savePositionNow(EventStore& store, std::string durable, Position p)
{
    return await<Result<void>>([&](auto done) {
        store.savePosition("alice", std::move(durable), "orders", std::move(p), std::move(done));
    });
}

Result<std::optional<Position>> loadPositionNow(EventStore& store, std::string durable)
{
    return await<Result<std::optional<Position>>>([&](auto done) {
        store.loadPosition("alice", std::move(durable), "orders", std::move(done));
    });
}

std::vector<std::uint64_t> offsetsOf(const ReadResult& result)
{
    std::vector<std::uint64_t> offsets;
    for (const Publication& p : result.publications)
        offsets.push_back(p.offset);
    return offsets;
}

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last)
{
    std::vector<std::uint64_t> v;
    for (auto i = first; i <= last; ++i)
        v.push_back(i);
    return v;
}

// Counts the callbacks of many appends and remembers the first failure.
class AppendCounter {
public:
    explicit AppendCounter(std::size_t expected) : m_expected(expected) {}

    EventStore::AppendCallback callback()
    {
        return [this](Result<AppendResult> r) { count(r); };
    }
    void count(const Result<AppendResult>& r)
    {
        std::lock_guard lock(m_mutex);
        if (!r && m_firstError.empty())
            m_firstError = r.error().message;
        if (++m_done == m_expected)
            m_all.set_value();
    }
    bool wait(std::chrono::seconds timeout = 60s)
    {
        return m_future.wait_for(timeout) == std::future_status::ready;
    }
    std::string firstError()
    {
        std::lock_guard lock(m_mutex);
        return m_firstError;
    }

private:
    std::size_t m_expected;
    std::size_t m_done = 0;
    std::mutex m_mutex;
    std::string m_firstError;
    std::promise<void> m_all;
    std::future<void> m_future = m_all.get_future();
};

// A slot for the answer of a request whose callback runs on a store thread.
template <typename T>
class Answer {
public:
    std::function<void(T)> callback()
    {
        return [p = m_promise](T value) { p->set_value(std::move(value)); };
    }
    T get()
    {
        if (m_future.wait_for(30s) != std::future_status::ready)
            qFatal("a store callback did not arrive within 30 s");
        return m_future.get();
    }

private:
    std::shared_ptr<std::promise<T>> m_promise = std::make_shared<std::promise<T>>();
    std::future<T> m_future = m_promise->get_future();
};

} // namespace

Q_DECLARE_METATYPE(std::vector<std::uint64_t>)

// ---------------------------------------------------------------------------------
// The contract, for every backend

class EventStoreSuite : public QObject {
    Q_OBJECT

protected:
    // What a test may change; each backend maps it onto its options (poolSize only
    // matters to PostgreSQL: 2 means one writer, so every channel shares its batches).
    struct Tuning {
        Millis commitWindow{2};
        Millis dedupWindow{std::chrono::hours(24)};
        Millis sweepInterval{std::chrono::seconds(30)};
        unsigned poolSize = 4;
    };

    // A store on this test's database (not opened): the same one every call.
    virtual std::unique_ptr<EventStore> makeStore(const Tuning& tuning) = 0;
    // Whether a connection of the test's own sees the publication.
    virtual bool committedElsewhere(const std::string& channel, std::uint64_t offset, const std::string& data) = 0;
    // A trigger that fails an insert of a publication whose data is 'boom' with the
    // message 'injected', and its removal.
    virtual void injectFailure() = 0;
    virtual void removeFailure() = 0;
    // What "durable" means in the throughput line.
    virtual const char* durability() const = 0;

    std::unique_ptr<EventStore> openStore() { return openStore(Tuning()); }
    std::unique_ptr<EventStore> openStore(const Tuning& tuning)
    {
        auto store = makeStore(tuning);
        auto opened = store->open();
        if (!opened)
            qFatal("open failed: %s", opened.error().message.c_str());
        return store;
    }

private slots:
    void appendAssignsContiguousOffsetsPerChannel()
    {
        auto store = openStore();
        for (int i = 1; i <= 5; ++i) {
            auto a = appendNow(*store, request("a", std::to_string(i)));
            QVERIFY(a);
            QCOMPARE(a->offset, std::uint64_t(i));
            QVERIFY(!a->duplicate);
            if (i % 2 == 0) {
                auto b = appendNow(*store, request("b", "{}"));
                QVERIFY(b);
                QCOMPARE(b->offset, std::uint64_t(i / 2));
                QVERIFY(b->epoch != a->epoch);
            }
        }
        QCOMPARE(offsetsOf(readAll(*store, "a")), range(1, 5));
        QCOMPARE(offsetsOf(readAll(*store, "b")), range(1, 2));

        // Data, user and key come back byte for byte; empty user and key mean none.
        AppendRequest r = request("c", "{\"text\":\"h\\u00e9 \xe2\x82\xac\"}", "k1");
        r.user = "alice";
        r.ts = 1700000000123;
        QVERIFY(appendNow(*store, r));
        QVERIFY(appendNow(*store, request("c", "")));
        const ReadResult c = readAll(*store, "c");
        QCOMPARE(c.publications.size(), std::size_t(2));
        QCOMPARE(c.publications[0].data, r.data);
        QCOMPARE(c.publications[0].user, std::string("alice"));
        QCOMPARE(c.publications[0].key, std::string("k1"));
        QCOMPARE(c.publications[0].ts, r.ts);
        QCOMPARE(c.publications[0].channel, std::string("c"));
        QCOMPARE(c.publications[1].data, std::string());
        QCOMPARE(c.publications[1].user, std::string());
        QVERIFY(c.publications[1].ts > 0); // ts 0 means now
        QCOMPARE(c.state.lastOffset, std::uint64_t(2));
        QCOMPARE(c.state.firstOffset, std::uint64_t(1));
    }

    void unusualTextRoundTrips()
    {
        // Every text of one batch (the PostgreSQL store sends them as array literals):
        // quotes, backslashes, braces, commas, the word NULL, spaces, line breaks and
        // non-ASCII all come back as they were; only empty user and key mean none.
        Tuning tuning;
        tuning.commitWindow = 200ms;
        auto store = openStore(tuning);
        const std::vector<std::string> texts = {
            "NULL", "null", "\"quoted\"", "back\\slash", "\\\"", "{braces},commas", " spaces ", "new\nline\ttab",
            "h\xc3\xa9 \xe2\x82\xac", "'single'", "a\"b\\c\"d", "()", "{}", ",", "\"",
        };
        AppendCounter counter(texts.size() + 1);
        for (const std::string& text : texts) {
            AppendRequest r = request("odd,\"ch{}", text, text);
            r.user = text;
            store->append(std::move(r), counter.callback());
        }
        store->append(request("odd,\"ch{}", ""), counter.callback());
        QVERIFY(counter.wait());
        QCOMPARE(counter.firstError(), std::string());

        const ReadResult all = readAll(*store, "odd,\"ch{}");
        QCOMPARE(all.publications.size(), texts.size() + 1);
        for (std::size_t i = 0; i < texts.size(); ++i) {
            const Publication& p = all.publications[i];
            QCOMPARE(p.data, texts[i]);
            QCOMPARE(p.user, texts[i]);
            QCOMPARE(p.key, texts[i]);
            QCOMPARE(p.channel, std::string("odd,\"ch{}"));
        }
        QCOMPARE(all.publications.back().data, std::string());
        QCOMPARE(all.publications.back().key, std::string());
        // A key spelled NULL is a key like any other.
        auto again = appendNow(*store, request("odd,\"ch{}", "x", "NULL"));
        QVERIFY(again);
        QVERIFY(again->duplicate);
        QCOMPARE(again->offset, std::uint64_t(1));
    }

    void groupCommitKeepsOrderAcrossThreads()
    {
        auto store = openStore();
        constexpr int kThreads = 4;
        constexpr int kPerThread = 5000;
        const Retention keepAll{kThreads * kPerThread, 24h};
        struct Ack {
            int thread;
            int seq;
            Result<AppendResult> result;
        };
        std::mutex mutex;
        std::vector<Ack> acks; // in callback order
        acks.reserve(kThreads * kPerThread);
        AppendCounter counter(kThreads * kPerThread);

        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    store->append(request("g", std::to_string(t) + ":" + std::to_string(i), {}, keepAll),
                                  [&, t, i](Result<AppendResult> r) {
                                      {
                                          std::lock_guard lock(mutex);
                                          acks.push_back({t, i, r});
                                      }
                                      counter.count(r);
                                  });
                }
            });
        }
        for (auto& thread : threads)
            thread.join();
        QVERIFY(counter.wait());
        QCOMPARE(counter.firstError(), std::string());

        std::lock_guard lock(mutex);
        QCOMPARE(acks.size(), std::size_t(kThreads * kPerThread));
        std::vector<int> lastSeq(kThreads, -1);
        std::vector<std::uint64_t> lastOffsetOfThread(kThreads, 0);
        std::uint64_t previous = 0;
        for (const Ack& ack : acks) {
            QVERIFY(ack.result);
            // Callbacks of one channel arrive in offset order, with no gap.
            QCOMPARE(ack.result->offset, previous + 1);
            previous = ack.result->offset;
            // Each thread's appends keep their order.
            QCOMPARE(ack.seq, lastSeq[ack.thread] + 1);
            QVERIFY(ack.result->offset > lastOffsetOfThread[ack.thread]);
            lastSeq[ack.thread] = ack.seq;
            lastOffsetOfThread[ack.thread] = ack.result->offset;
        }

        const ReadResult all = readAll(*store, "g");
        QCOMPARE(offsetsOf(all), range(1, kThreads * kPerThread));
        for (const Ack& ack : acks) {
            const Publication& p = all.publications[ack.result->offset - 1];
            QCOMPARE(p.data, std::to_string(ack.thread) + ":" + std::to_string(ack.seq));
        }

        const StoreStats stats = store->stats();
        QCOMPARE(stats.appends, std::uint64_t(kThreads * kPerThread));
        QCOMPARE(stats.failedCommits, std::uint64_t(0));
        QVERIFY(stats.commits >= 1);
        QVERIFY2(stats.commits < stats.appends / 10,
                 qPrintable(QString("%1 commits for %2 appends").arg(stats.commits).arg(stats.appends)));
        qInfo("group commit (%s): %llu appends in %llu transactions", store->backendName().c_str(),
              static_cast<unsigned long long>(stats.appends), static_cast<unsigned long long>(stats.commits));
    }

    void callbacksRunOnlyAfterCommit()
    {
        {
            auto store = openStore();
            for (int i = 1; i <= 10; ++i) {
                // A separate connection sees the publication as soon as it is acked.
                auto seen = await<bool>([&](auto done) {
                    store->append(request("d", std::to_string(i)), [this, i, done](Result<AppendResult> r) {
                        done(r && committedElsewhere("d", r->offset, std::to_string(i)));
                    });
                });
                QVERIFY(seen);
            }
            // Queued appends are all committed by close().
            AppendCounter counter(500);
            for (int i = 11; i <= 510; ++i)
                store->append(request("d", std::to_string(i)), counter.callback());
            store->close();
            QVERIFY(counter.wait(0s));
            QCOMPARE(counter.firstError(), std::string());
        }

        auto reopened = openStore();
        const ReadResult all = readAll(*reopened, "d");
        QCOMPARE(offsetsOf(all), range(1, 510));
        QCOMPARE(all.publications.back().data, std::string("510"));
        QCOMPARE(all.state.lastOffset, std::uint64_t(510));

        // After close, requests fail at once, on the caller's thread.
        reopened->close();
        bool called = false;
        reopened->append(request("d", "late"), [&](Result<AppendResult> r) {
            called = true;
            QVERIFY(!r);
            QVERIFY(r.error().code == ErrorCode::unavailable);
        });
        QVERIFY(called);
        called = false;
        reopened->read(ReadRequest{"d", 0, 10, false, std::nullopt}, [&](Result<ReadResult> r) {
            called = true;
            QVERIFY(!r);
        });
        QVERIFY(called);
    }

    void idempotencyKeys()
    {
        Tuning tuning;
        tuning.commitWindow = 100ms; // so that the two appends of key-2 share a batch
        auto store = openStore(tuning);

        auto first = appendNow(*store, request("i", "1", "key-1"));
        QVERIFY(first);
        QVERIFY(!first->duplicate);
        auto again = appendNow(*store, request("i", "1 again", "key-1"));
        QVERIFY(again);
        QVERIFY(again->duplicate);
        QCOMPARE(again->offset, first->offset);
        QCOMPARE(again->ts, first->ts);
        QCOMPARE(again->epoch, first->epoch);
        QCOMPARE(readAll(*store, "i").publications.size(), std::size_t(1));

        // Keys are per channel.
        auto other = appendNow(*store, request("j", "1", "key-1"));
        QVERIFY(other);
        QVERIFY(!other->duplicate);

        // Two appends with one key in one transaction: the second is the duplicate.
        Answer<Result<AppendResult>> a, b;
        store->append(request("i", "2", "key-2"), a.callback());
        store->append(request("i", "2'", "key-2"), b.callback());
        auto ra = a.get();
        auto rb = b.get();
        QVERIFY(ra && rb);
        QVERIFY(!ra->duplicate);
        QVERIFY(rb->duplicate);
        QCOMPARE(rb->offset, ra->offset);
        QCOMPARE(rb->ts, ra->ts);

        QCOMPARE(store->stats().duplicates, std::uint64_t(2));
        QCOMPARE(store->stats().appends, std::uint64_t(3));
    }

    void idempotencyKeysExpire()
    {
        // A window long enough that the two appends after the wait (and the read
        // between them) fit in it even on a loaded CI machine; 50 ms did not.
        Tuning tuning;
        tuning.dedupWindow = 1s;
        auto store = openStore(tuning);
        auto first = appendNow(*store, request("i", "1", "key-1"));
        QVERIFY(first);
        QVERIFY(!first->duplicate);

        // Past the dedup window the key publishes again.
        std::this_thread::sleep_for(1200ms);
        auto later = appendNow(*store, request("i", "1 later", "key-1"));
        QVERIFY(later);
        QVERIFY(!later->duplicate);
        QCOMPARE(later->offset, first->offset + 1);
        QCOMPARE(offsetsOf(readAll(*store, "i")), range(1, 2));
        // ... and the new publication is the one the key answers from now on.
        auto third = appendNow(*store, request("i", "1 again", "key-1"));
        QVERIFY(third);
        QVERIFY(third->duplicate);
        QCOMPARE(third->offset, later->offset);
    }

    void retentionBySize()
    {
        auto store = openStore();
        Retention keepTen;
        keepTen.historySize = 10;
        for (int i = 1; i <= 25; ++i)
            QVERIFY(appendNow(*store, request("s", std::to_string(i), {}, keepTen)));
        const ReadResult kept = readAll(*store, "s");
        QCOMPARE(offsetsOf(kept), range(16, 25));
        QCOMPARE(kept.state.firstOffset, std::uint64_t(16));
        QCOMPARE(kept.state.lastOffset, std::uint64_t(25));

        // Size 0 keeps nothing, yet offsets advance and the epoch stays.
        Retention keepNone;
        keepNone.historySize = 0;
        auto first = appendNow(*store, request("z", "1", {}, keepNone));
        QVERIFY(first);
        auto second = appendNow(*store, request("z", "2", {}, keepNone));
        QVERIFY(second);
        QCOMPARE(second->offset, std::uint64_t(2));
        QCOMPARE(second->epoch, first->epoch);
        const ReadResult none = readAll(*store, "z");
        QVERIFY(none.publications.empty());
        QCOMPARE(none.state.lastOffset, std::uint64_t(2));
        QCOMPARE(none.state.firstOffset, std::uint64_t(0));
        QCOMPARE(none.state.epoch, first->epoch);
    }

    void retentionByAge()
    {
        Tuning tuning;
        tuning.sweepInterval = 20ms;
        auto store = openStore(tuning);
        Retention shortLived;
        shortLived.historyTtl = 50ms;
        std::string epoch;
        for (int i = 1; i <= 5; ++i) {
            auto r = appendNow(*store, request("t", std::to_string(i), {}, shortLived));
            QVERIFY(r);
            epoch = r->epoch;
        }
        QVERIFY(appendNow(*store, request("keep", "x"))); // default ttl: 24 h

        QTRY_VERIFY_WITH_TIMEOUT(readAll(*store, "t").publications.empty(), 5000);
        const ReadResult swept = readAll(*store, "t");
        QCOMPARE(swept.state.lastOffset, std::uint64_t(5));
        QCOMPARE(swept.state.firstOffset, std::uint64_t(0));
        QCOMPARE(swept.state.epoch, epoch);
        QCOMPARE(readAll(*store, "keep").publications.size(), std::size_t(1));

        auto next = appendNow(*store, request("t", "6", {}, shortLived));
        QVERIFY(next);
        QCOMPARE(next->offset, std::uint64_t(6));
        QCOMPARE(next->epoch, epoch);
    }

    void readWindows_data()
    {
        QTest::addColumn<quint64>("after");
        QTest::addColumn<quint32>("limit");
        QTest::addColumn<bool>("reverse");
        QTest::addColumn<qint64>("upTo"); // -1: unset
        QTest::addColumn<std::vector<std::uint64_t>>("expected");

        QTest::addRow("all") << quint64(0) << quint32(100) << false << qint64(-1) << range(1, 20);
        QTest::addRow("after 5") << quint64(5) << quint32(100) << false << qint64(-1) << range(6, 20);
        QTest::addRow("after 5, limit 3") << quint64(5) << quint32(3) << false << qint64(-1) << range(6, 8);
        QTest::addRow("after 5, up to 9") << quint64(5) << quint32(100) << false << qint64(9) << range(6, 9);
        QTest::addRow("after the end") << quint64(20) << quint32(100) << false << qint64(-1)
                                       << std::vector<std::uint64_t>{};
        QTest::addRow("limit 0") << quint64(0) << quint32(0) << false << qint64(-1)
                                 << std::vector<std::uint64_t>{};
        QTest::addRow("reverse, limit 3") << quint64(0) << quint32(3) << true << qint64(-1)
                                          << std::vector<std::uint64_t>{20, 19, 18};
        QTest::addRow("reverse, up to 10") << quint64(0) << quint32(4) << true << qint64(10)
                                           << std::vector<std::uint64_t>{10, 9, 8, 7};
        QTest::addRow("reverse, after 17") << quint64(17) << quint32(10) << true << qint64(-1)
                                           << std::vector<std::uint64_t>{20, 19, 18};
        QTest::addRow("reverse, all") << quint64(0) << quint32(100) << true << qint64(2)
                                      << std::vector<std::uint64_t>{2, 1};
    }

    void readWindows()
    {
        QFETCH(quint64, after);
        QFETCH(quint32, limit);
        QFETCH(bool, reverse);
        QFETCH(qint64, upTo);
        QFETCH(std::vector<std::uint64_t>, expected);

        auto store = openStore();
        for (int i = 1; i <= 20; ++i)
            QVERIFY(appendNow(*store, request("r", std::to_string(i))));
        ReadRequest r;
        r.channel = "r";
        r.after = after;
        r.limit = limit;
        r.reverse = reverse;
        if (upTo >= 0)
            r.upTo = std::uint64_t(upTo);
        auto result = readNow(*store, r);
        QVERIFY(result);
        QCOMPARE(offsetsOf(*result), expected);
        for (const Publication& p : result->publications)
            QCOMPARE(p.data, std::to_string(p.offset));
        QCOMPARE(result->state.lastOffset, std::uint64_t(20));
        QCOMPARE(result->state.firstOffset, std::uint64_t(1));
    }

    void positions()
    {
        auto store = openStore();
        auto missing = loadPositionNow(*store, "main");
        QVERIFY(missing);
        QVERIFY(!missing->has_value());

        QVERIFY(savePositionNow(*store, "main", Position{"e1", 7}));
        QVERIFY(savePositionNow(*store, "main", Position{"e1", 9}));
        QVERIFY(savePositionNow(*store, "main", Position{"e1", 4})); // an ack never moves it back
        QVERIFY(savePositionNow(*store, "audit", Position{"e2", 3}));
        QVERIFY(savePositionNow(*store, "audit", Position{"e3", 1})); // a new epoch starts over
        store.reset();

        store = openStore();
        auto main = loadPositionNow(*store, "main");
        QVERIFY(main && main->has_value());
        QCOMPARE((*main)->epoch, std::string("e1"));
        QCOMPARE((*main)->offset, std::uint64_t(9));
        auto audit = loadPositionNow(*store, "audit");
        QVERIFY(audit && audit->has_value());
        QCOMPARE((*audit)->epoch, std::string("e3"));
        QCOMPARE((*audit)->offset, std::uint64_t(1));
    }

    void positionsSavedInOneBatch()
    {
        // Acks of one subscription often share a transaction; the outcome must be the
        // one of saving them one after the other.
        Tuning tuning;
        tuning.commitWindow = 300ms;
        auto store = openStore(tuning);
        QVERIFY(savePositionNow(*store, "b", Position{"e2", 5}));
        QVERIFY(savePositionNow(*store, "c", Position{"e1", 9}));

        const std::vector<std::pair<std::string, Position>> saves = {
            {"a", {"e1", 5}}, {"a", {"e1", 3}}, {"a", {"e1", 9}},  // forward only: 9
            {"b", {"e1", 3}}, {"b", {"e2", 4}},                    // e1 replaces e2:5, then e2:4
            {"c", {"e1", 4}}, {"c", {"e1", 6}},                    // behind the stored 9
            {"d", {"e1", 7}}, {"d", {"e2", 2}}, {"d", {"e2", 1}},  // new epoch 2, then not back to 1
        };
        std::vector<Answer<Result<void>>> answers(saves.size());
        for (std::size_t i = 0; i < saves.size(); ++i)
            store->savePosition("alice", saves[i].first, "orders", saves[i].second, answers[i].callback());
        for (auto& answer : answers)
            QVERIFY(answer.get());

        const std::vector<std::pair<std::string, Position>> expected = {
            {"a", {"e1", 9}}, {"b", {"e2", 4}}, {"c", {"e1", 9}}, {"d", {"e2", 2}}};
        for (const auto& [durable, position] : expected) {
            auto loaded = loadPositionNow(*store, durable);
            QVERIFY(loaded && loaded->has_value());
            QCOMPARE((*loaded)->epoch, position.epoch);
            QCOMPARE((*loaded)->offset, position.offset);
        }
    }

    void ensureChannelFixesTheEpochBeforeTheFirstAppend()
    {
        std::string epoch;
        {
            auto store = openStore();
            auto ensured = await<Result<ChannelState>>(
                [&](auto done) { store->ensureChannel("fresh", std::move(done)); });
            QVERIFY(ensured);
            epoch = ensured->epoch;
            QCOMPARE(epoch.size(), std::size_t(16));
            QCOMPARE(ensured->lastOffset, std::uint64_t(0));
            auto first = appendNow(*store, request("fresh", "1"));
            QVERIFY(first);
            QCOMPARE(first->epoch, epoch);
            QCOMPARE(first->offset, std::uint64_t(1));
            auto again = await<Result<ChannelState>>(
                [&](auto done) { store->ensureChannel("fresh", std::move(done)); });
            QVERIFY(again);
            QCOMPARE(again->epoch, epoch);
            QCOMPARE(again->lastOffset, std::uint64_t(1));
        }
        auto store = openStore();
        auto state = stateNow(*store, "fresh");
        QVERIFY(state);
        QCOMPARE(state->epoch, epoch);
        QCOMPARE(state->lastOffset, std::uint64_t(1));
    }

    void epochsAreStableAndPerChannel()
    {
        std::string x, y;
        {
            auto store = openStore();
            // A channel never written has no stream yet, and reading creates none.
            auto ghost = stateNow(*store, "ghost");
            QVERIFY(ghost);
            QCOMPARE(ghost->epoch, std::string());
            QCOMPARE(ghost->lastOffset, std::uint64_t(0));
            QCOMPARE(ghost->firstOffset, std::uint64_t(0));

            auto rx = appendNow(*store, request("x", "1"));
            auto ry = appendNow(*store, request("y", "1"));
            QVERIFY(rx && ry);
            x = rx->epoch;
            y = ry->epoch;
            QCOMPARE(x.size(), std::size_t(16));
            QVERIFY(std::all_of(x.begin(), x.end(),
                                [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }));
            QVERIFY(x != y);
        }
        auto store = openStore();
        auto sx = stateNow(*store, "x");
        QVERIFY(sx);
        QCOMPARE(sx->epoch, x);
        QCOMPARE(sx->lastOffset, std::uint64_t(1));
        auto next = appendNow(*store, request("y", "2"));
        QVERIFY(next);
        QCOMPARE(next->epoch, y);
        QCOMPARE(next->offset, std::uint64_t(2));
        auto ghost = stateNow(*store, "ghost");
        QVERIFY(ghost);
        QCOMPARE(ghost->epoch, std::string());
    }

    void failedTransactionFailsTheWholeBatch()
    {
        Tuning tuning;
        tuning.commitWindow = 500ms; // the four appends below share one transaction ...
        tuning.poolSize = 2;         // ... of one writer
        auto store = openStore(tuning);
        auto first = appendNow(*store, request("f", "1"));
        QVERIFY(first);

        // Another connection makes the second insert of the batch fail, mid-transaction.
        injectFailure();
        std::vector<Answer<Result<AppendResult>>> answers(3);
        const std::vector<std::string> data = {"2", "boom", "3"};
        for (std::size_t i = 0; i < data.size(); ++i)
            store->append(request("f", data[i]), answers[i].callback());
        Answer<Result<AppendResult>> ghostFails;
        store->append(request("new-channel", "1"), ghostFails.callback());
        for (auto& answer : answers) {
            auto r = answer.get();
            QVERIFY(!r);
            QVERIFY(r.error().code == ErrorCode::unavailable);
            QVERIFY(r.error().retryable);
            QVERIFY2(r.error().message.find("injected") != std::string::npos, r.error().message.c_str());
        }
        QVERIFY(!ghostFails.get());
        QCOMPARE(store->stats().failedCommits, std::uint64_t(1));
        removeFailure();

        // Nothing of the failed batch was kept and no offset was consumed.
        auto next = appendNow(*store, request("f", "2"));
        QVERIFY(next);
        QCOMPARE(next->offset, std::uint64_t(2));
        QCOMPARE(next->epoch, first->epoch);
        QCOMPARE(offsetsOf(readAll(*store, "f")), range(1, 2));
        auto ghost = stateNow(*store, "new-channel");
        QVERIFY(ghost);
        QCOMPARE(ghost->epoch, std::string());
        auto created = appendNow(*store, request("new-channel", "1"));
        QVERIFY(created);
        QCOMPARE(created->offset, std::uint64_t(1));
    }

    void appendThroughput()
    {
        auto store = openStore();
        constexpr int kAppends = 200'000;
        constexpr int kChannels = 16;
        std::vector<AppendRequest> requests;
        requests.reserve(kAppends);
        for (int i = 0; i < kAppends; ++i)
            requests.push_back(request("bench:" + std::to_string(i % kChannels),
                                       R"({"price":101.25,"qty":3,"side":"buy"})"));
        AppendCounter counter(kAppends);
        auto callback = counter.callback();

        const auto start = std::chrono::steady_clock::now();
        for (auto& r : requests)
            store->append(std::move(r), callback);
        QVERIFY(counter.wait(300s));
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        QCOMPARE(counter.firstError(), std::string());

        const StoreStats stats = store->stats();
#ifdef NDEBUG
        const char* build = "optimised";
#else
        const char* build = "debug";
#endif
        qInfo("append throughput (%s, %s build, %s): %.0f appends/s (%d appends in %.3f s, %llu transactions)",
              store->backendName().c_str(), build, durability(), kAppends / seconds, kAppends, seconds,
              static_cast<unsigned long long>(stats.commits));
    }
};

// ---------------------------------------------------------------------------------
// SQLite

class TestSqliteStore : public EventStoreSuite {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    sqlite3* m_injector = nullptr; // the connection holding the failure trigger

    SqliteStoreOptions options() const
    {
        SqliteStoreOptions o;
        o.path = std::filesystem::path(m_dir->path().toStdString()) / "data" / "aldis.db";
        return o;
    }

protected:
    std::unique_ptr<EventStore> makeStore(const Tuning& tuning) override
    {
        SqliteStoreOptions o = options();
        o.commitWindow = tuning.commitWindow;
        o.dedupWindow = tuning.dedupWindow;
        o.sweepInterval = tuning.sweepInterval;
        return std::make_unique<SqliteStore>(std::move(o));
    }

    bool committedElsewhere(const std::string& channel, std::uint64_t offset, const std::string& data) override
    {
        sqlite3* db = nullptr;
        sqlite3_open_v2(options().path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
        sqlite3_stmt* s = nullptr;
        sqlite3_prepare_v2(db, "SELECT data FROM publications WHERE channel = ?1 AND offset = ?2", -1, &s, nullptr);
        sqlite3_bind_text(s, 1, channel.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(offset));
        const bool found = sqlite3_step(s) == SQLITE_ROW
            && std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))) == data;
        sqlite3_finalize(s);
        sqlite3_close(db);
        return found;
    }

    void injectFailure() override
    {
        QCOMPARE(sqlite3_open(options().path.c_str(), &m_injector), SQLITE_OK);
        sqlite3_busy_timeout(m_injector, 5000);
        QCOMPARE(sqlite3_exec(m_injector,
                              "CREATE TRIGGER fail BEFORE INSERT ON publications "
                              "WHEN NEW.data = 'boom' BEGIN SELECT RAISE(ABORT, 'injected'); END",
                              nullptr, nullptr, nullptr),
                 SQLITE_OK);
    }

    void removeFailure() override
    {
        QCOMPARE(sqlite3_exec(m_injector, "DROP TRIGGER fail", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(m_injector);
        m_injector = nullptr;
    }

    const char* durability() const override { return "synchronous=FULL"; }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }
    void cleanup()
    {
        sqlite3_close(m_injector);
        m_injector = nullptr;
        m_dir.reset();
    }

    void openFailsClearly_data()
    {
        QTest::addColumn<QByteArray>("content"); // of the file at the store path
        QTest::addColumn<bool>("directory");     // the path is a folder instead
        QTest::addColumn<QString>("expected");   // in the message
        QTest::addRow("not a database") << QByteArray("this is not a database, just text\n"
                                                      "padding padding padding padding\n")
                                        << false << "file is not a database";
        QTest::addRow("a folder") << QByteArray() << true << "unable to open";
    }

    void openFailsClearly()
    {
        QFETCH(QByteArray, content);
        QFETCH(bool, directory);
        QFETCH(QString, expected);
        const auto o = options();
        std::filesystem::create_directories(directory ? o.path : o.path.parent_path());
        if (!directory) {
            QFile file(QString::fromStdString(o.path.string()));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(content);
        }
        SqliteStore store(o);
        auto opened = store.open();
        QVERIFY(!opened);
        QVERIFY(opened.error().code == ErrorCode::unavailable);
        const QString message = QString::fromStdString(opened.error().message);
        QVERIFY2(message.contains(QString::fromStdString(o.path.string())), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));

        // Requests on a store that did not open fail at once.
        auto r = appendNow(store, request("a", "1"));
        QVERIFY(!r);
        QVERIFY(r.error().code == ErrorCode::unavailable);

        SqliteStore noPath(SqliteStoreOptions{});
        auto none = noPath.open();
        QVERIFY(!none);
        QVERIFY(none.error().message.find("store.path") != std::string::npos);
    }

    void secondOpenerOfTheSameStoreIsRefused()
    {
        // Offsets are assigned by the process that holds the writer: two nodes on one
        // file would hand out the same offsets. The lock file makes the second one fail
        // at start-up with a message that says what to do, and it is free again once
        // the first closes.
        auto first = openStore();
        QVERIFY(appendNow(*first, request("a", "1")));
        SqliteStore second(options());
        auto refused = second.open();
        QVERIFY(!refused);
        QVERIFY(refused.error().code == ErrorCode::unavailable);
        QVERIFY2(refused.error().message.find("another aldis process is using the event store") != std::string::npos,
                 refused.error().message.c_str());
        QVERIFY(!appendNow(second, request("a", "2"))); // refused, not silently running
        first->close();
        QVERIFY(second.open());
        auto next = appendNow(second, request("a", "2"));
        QVERIFY(next);
        QCOMPARE(next->offset, std::uint64_t(2));
    }
};

// ---------------------------------------------------------------------------------
// PostgreSQL

class TestPostgresStore : public EventStoreSuite {
    Q_OBJECT

private:
    std::unique_ptr<test::TestDatabase> m_db;

    PostgresStoreOptions options() const { return options(Tuning()); }
    PostgresStoreOptions options(const Tuning& tuning) const
    {
        PostgresStoreOptions o;
        o.url = m_db->url().toStdString();
        o.poolSize = tuning.poolSize;
        o.commitWindow = tuning.commitWindow;
        o.dedupWindow = tuning.dedupWindow;
        o.sweepInterval = tuning.sweepInterval;
        return o;
    }

    // How the store names this test's database in messages: host:port/database.
    std::string serverName() const
    {
        const QUrl url(m_db->url());
        return QStringLiteral("%1:%2/%3").arg(url.host()).arg(url.port(5432)).arg(m_db->name()).toStdString();
    }

    std::string query(const std::string& sql) const
    {
        return m_db->query(QString::fromStdString(sql)).toStdString();
    }

protected:
    std::unique_ptr<EventStore> makeStore(const Tuning& tuning) override
    {
        return std::make_unique<PostgresStore>(options(tuning));
    }

    bool committedElsewhere(const std::string& channel, std::uint64_t offset, const std::string& data) override
    {
        return query("SELECT data FROM publications WHERE channel = '" + channel + "' AND \"offset\" = "
                     + std::to_string(offset))
            == data;
    }

    void injectFailure() override
    {
        query(R"sql(
            CREATE FUNCTION aldis_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.data = 'boom' THEN RAISE EXCEPTION 'injected'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER fail BEFORE INSERT ON publications
            FOR EACH ROW EXECUTE FUNCTION aldis_test_fail();
            SELECT 'installed';)sql");
        QCOMPARE(query("SELECT count(*) FROM pg_trigger WHERE tgname = 'fail'"), std::string("1"));
    }

    void removeFailure() override
    {
        query("DROP TRIGGER fail ON publications");
        QCOMPARE(query("SELECT count(*) FROM pg_trigger WHERE tgname = 'fail'"), std::string("0"));
    }

    const char* durability() const override { return "synchronous_commit=on"; }

private slots:
    void initTestCase()
    {
        ALDIS_NEED_SERVICE("ALDIS_TEST_PG_URL");
    }

    void init()
    {
        m_db = std::make_unique<test::TestDatabase>();
        QVERIFY2(m_db->ok(), qPrintable(m_db->error()));
    }

    void cleanup() { m_db.reset(); }

    void openFailsClearly_data()
    {
        QTest::addColumn<QString>("url");       // %1: this test's database URL
        QTest::addColumn<QString>("expected");  // in the message; %1: the server's name
        QTest::addRow("refused port") << "postgresql://aldis:s3cret-pw@127.0.0.1:1/aldis"
                                      << "cannot open the event store at 127.0.0.1:1/aldis: connection to server";
        QTest::addRow("refused, key=value") << "host=127.0.0.1 port=1 dbname=aldis password='s3cret-pw'"
                                            << "127.0.0.1:1/aldis: connection to server";
        QTest::addRow("bad URL") << "postgresql://aldis:s3cret-pw@[::1/aldis"
                                 << "store.url is not a PostgreSQL URL";
        QTest::addRow("bad settings") << "host=127.0.0.1 password=s3cret-pw port" << "missing \"=\" after \"port\"";
        QTest::addRow("bad option") << "postgresql://aldis:s3cret-pw@127.0.0.1/aldis?sslmode=sometimes"
                                    << "invalid sslmode value";
        QTest::addRow("no such database") << "%1_missing" << "%1_missing: connection to server";
        QTest::addRow("no URL") << "" << "no event store URL is configured: set store.url";
    }

    void openFailsClearly()
    {
        QFETCH(QString, url);
        QFETCH(QString, expected);
        PostgresStoreOptions o;
        o.url = url.arg(m_db->url()).toStdString();
        PostgresStore store(o);
        auto opened = store.open();
        QVERIFY(!opened);
        QVERIFY(opened.error().code == ErrorCode::unavailable);
        const QString message = QString::fromStdString(opened.error().message);
        QVERIFY2(message.contains(expected.arg(QString::fromStdString(serverName()))), qPrintable(message));
        QVERIFY2(!message.contains("s3cret-pw"), qPrintable(message));

        // Requests on a store that did not open fail at once.
        auto r = appendNow(store, request("a", "1"));
        QVERIFY(!r);
        QVERIFY(r.error().code == ErrorCode::unavailable);
        QVERIFY(!stateNow(store, "a"));
    }

    void newerSchemaIsRefused()
    {
        openStore().reset(); // migrates
        QCOMPARE(query("SELECT string_agg(version::text, ',') FROM schema_version"), std::string("1"));
        query("INSERT INTO schema_version(version, applied_at) VALUES (99, 0)");
        PostgresStore store(options());
        auto opened = store.open();
        QVERIFY(!opened);
        QVERIFY2(opened.error().message.find(serverName() + " has schema version 99, newer than this Aldis "
                                             "supports (1)")
                     != std::string::npos,
                 opened.error().message.c_str());
    }

    void migrationsRunOnceWhenNodesStartTogether()
    {
        constexpr int kNodes = 4;
        std::vector<std::unique_ptr<PostgresStore>> nodes;
        for (int i = 0; i < kNodes; ++i)
            nodes.push_back(std::make_unique<PostgresStore>(options()));
        std::vector<std::optional<Result<void>>> opened(kNodes);
        std::latch ready(kNodes);
        std::vector<std::thread> threads;
        for (int i = 0; i < kNodes; ++i) {
            threads.emplace_back([&, i] {
                ready.arrive_and_wait();
                opened[i] = nodes[i]->open();
            });
        }
        for (auto& thread : threads)
            thread.join();
        for (const auto& r : opened)
            QVERIFY2(*r, (*r).error().message.c_str());
        QCOMPARE(query("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version"),
                 std::string("1"));

        std::set<std::uint64_t> offsets;
        for (auto& node : nodes) {
            auto r = appendNow(*node, request("m", "x"));
            QVERIFY(r);
            offsets.insert(r->offset);
        }
        QCOMPARE(offsets, (std::set<std::uint64_t>{1, 2, 3, 4}));
    }

    void twoNodesAppendInOneOrder()
    {
        // Two nodes (two stores, each with its own writers) on one database, two
        // threads each, appending to one channel at once.
        constexpr int kNodes = 2;
        constexpr int kThreadsPerNode = 2;
        constexpr int kPerThread = 1500;
        constexpr int kTotal = kNodes * kThreadsPerNode * kPerThread;
        const Retention keepAll{kTotal, 24h};
        std::vector<std::unique_ptr<EventStore>> nodes;
        for (int n = 0; n < kNodes; ++n)
            nodes.push_back(openStore());

        struct Ack {
            int thread; // n * kThreadsPerNode + t
            int seq;
            std::uint64_t offset;
            std::string epoch;
        };
        std::mutex mutex;
        std::vector<std::vector<Ack>> acks(kNodes); // per node, in callback order
        AppendCounter counter(kTotal);

        // A watcher reads the channel over and over on a connection of its own: what
        // it sees must always be 1..N without a hole, since commits come in offset
        // order.
        std::atomic<bool> appending{true};
        std::string hole;
        int looks = 0;
        std::thread watcher([&] {
            while (appending) {
                const std::string seen =
                    query("SELECT count(*) || ' ' || coalesce(max(\"offset\"), 0) FROM publications "
                          "WHERE channel = 'shared'");
                const auto space = seen.find(' ');
                if (space == std::string::npos || seen.substr(0, space) != seen.substr(space + 1))
                    hole = hole.empty() ? seen : hole;
                ++looks;
            }
        });

        std::vector<std::thread> threads;
        for (int n = 0; n < kNodes; ++n) {
            for (int t = 0; t < kThreadsPerNode; ++t) {
                const int thread = n * kThreadsPerNode + t;
                threads.emplace_back([&, n, thread] {
                    for (int i = 0; i < kPerThread; ++i) {
                        nodes[n]->append(request("shared", std::to_string(thread) + ":" + std::to_string(i), {},
                                                 keepAll),
                                         [&, n, thread, i](Result<AppendResult> r) {
                                             if (r) {
                                                 std::lock_guard lock(mutex);
                                                 acks[n].push_back({thread, i, r->offset, r->epoch});
                                             }
                                             counter.count(r);
                                         });
                    }
                });
            }
        }
        for (auto& thread : threads)
            thread.join();
        const bool done = counter.wait(120s);
        appending = false;
        watcher.join();
        QVERIFY(done);
        QCOMPARE(counter.firstError(), std::string());
        QVERIFY2(hole.empty(), ("a reader saw count and newest offset " + hole).c_str());
        QVERIFY(looks > 0);

        std::lock_guard lock(mutex);
        std::vector<std::uint64_t> all;
        std::vector<std::uint64_t> lastOffsetOfThread(kNodes * kThreadsPerNode, 0);
        std::vector<int> lastSeq(kNodes * kThreadsPerNode, -1);
        for (int n = 0; n < kNodes; ++n) {
            std::uint64_t previous = 0;
            for (const Ack& ack : acks[n]) {
                // A node answers a channel's appends in offset order ...
                QVERIFY(ack.offset > previous);
                previous = ack.offset;
                // ... and keeps each thread's order.
                QCOMPARE(ack.seq, lastSeq[ack.thread] + 1);
                QVERIFY(ack.offset > lastOffsetOfThread[ack.thread]);
                lastSeq[ack.thread] = ack.seq;
                lastOffsetOfThread[ack.thread] = ack.offset;
                QCOMPARE(ack.epoch, acks[0].front().epoch);
                all.push_back(ack.offset);
            }
        }
        // Between them, every offset from 1 to kTotal, each once.
        std::sort(all.begin(), all.end());
        QCOMPARE(all, range(1, kTotal));

        const ReadResult stored = readAll(*nodes[1], "shared");
        QCOMPARE(offsetsOf(stored), range(1, kTotal));
        for (int n = 0; n < kNodes; ++n) {
            for (const Ack& ack : acks[n]) {
                QCOMPARE(stored.publications[ack.offset - 1].data,
                         std::to_string(ack.thread) + ":" + std::to_string(ack.seq));
            }
        }
    }

    void oneKeyThroughTwoNodesPublishesOnce()
    {
        auto a = openStore();
        auto b = openStore();
        constexpr int kKeys = 100;
        std::vector<Answer<Result<AppendResult>>> fromA(kKeys), fromB(kKeys);
        std::thread other([&] {
            for (int k = 0; k < kKeys; ++k)
                b->append(request("keys", "from b", "key-" + std::to_string(k)), fromB[k].callback());
        });
        for (int k = 0; k < kKeys; ++k)
            a->append(request("keys", "from a", "key-" + std::to_string(k)), fromA[k].callback());
        other.join();

        int publishedByA = 0;
        for (int k = 0; k < kKeys; ++k) {
            auto ra = fromA[k].get();
            auto rb = fromB[k].get();
            QVERIFY(ra && rb);
            // One of the two published, the other is its duplicate.
            QVERIFY(ra->duplicate != rb->duplicate);
            QCOMPARE(ra->offset, rb->offset);
            QCOMPARE(ra->ts, rb->ts);
            QCOMPARE(ra->epoch, rb->epoch);
            publishedByA += ra->duplicate ? 0 : 1;
        }
        const ReadResult stored = readAll(*a, "keys");
        QCOMPARE(offsetsOf(stored), range(1, kKeys));
        std::set<std::string> keys;
        for (const Publication& p : stored.publications)
            keys.insert(p.key);
        QCOMPARE(keys.size(), std::size_t(kKeys));
        QCOMPARE(a->stats().appends + b->stats().appends, std::uint64_t(kKeys));
        QCOMPARE(a->stats().appends, std::uint64_t(publishedByA));
    }

    // Region mirroring: replicate() stores the home region's publications under their
    // epoch and offsets, skips what is there, accepts a hole, replaces a channel whose
    // epoch changed, and keeps the keys (an append after a promotion is a duplicate).
    void replicateKeepsTheHomeStream()
    {
        auto store = openStore();
        auto replica = [](std::string channel, std::uint64_t offset, std::string epoch, std::string key = {}) {
            ReplicaPublication r;
            r.publication = Publication{std::move(channel), offset, "{\"o\":" + std::to_string(offset) + "}",
                                        unixMillisNow() - 1000 + static_cast<std::int64_t>(offset), "u",
                                        std::move(key)};
            r.epoch = std::move(epoch);
            return r;
        };
        const std::string home = "0123456789abcdef";
        auto first = store->replicate({replica("m:a", 1, home, "k1"), replica("m:a", 2, home), replica("m:b", 5, home)});
        QVERIFY2(first, first ? "" : first.error().message.c_str());
        QCOMPARE(*first, std::vector<bool>({true, true, true}));
        // Again, plus one new: only the new one is stored.
        auto again = store->replicate({replica("m:a", 2, home), replica("m:a", 3, home)});
        QVERIFY(again);
        QCOMPARE(*again, std::vector<bool>({false, true}));

        auto a = readAll(*store, "m:a");
        QCOMPARE(a.state.epoch, home);
        QCOMPARE(a.state.lastOffset, std::uint64_t(3));
        QCOMPARE(offsetsOf(a), std::vector<std::uint64_t>({1, 2, 3}));
        QCOMPARE(a.publications[1].data, std::string("{\"o\":2}"));
        // A hole (the copy of m:b starts at 5).
        auto b = readAll(*store, "m:b");
        QCOMPARE(offsetsOf(b), std::vector<std::uint64_t>({5}));
        QCOMPARE(b.state.lastOffset, std::uint64_t(5));

        // After a promotion this region appends: offsets go on, and the mirrored key
        // is known.
        auto dup = appendNow(*store, request("m:a", "\"again\"", "k1"));
        QVERIFY(dup);
        QVERIFY(dup->duplicate);
        QCOMPARE(dup->offset, std::uint64_t(1));
        auto next = appendNow(*store, request("m:a", "\"next\""));
        QVERIFY(next);
        QCOMPARE(next->offset, std::uint64_t(4));
        QCOMPARE(next->epoch, home);

        // A new epoch at home replaces this region's copy of the channel.
        const std::string renewed = "fedcba9876543210";
        auto replaced = store->replicate({replica("m:a", 9, renewed)});
        QVERIFY(replaced);
        QCOMPARE(*replaced, std::vector<bool>({true}));
        a = readAll(*store, "m:a");
        QCOMPARE(a.state.epoch, renewed);
        QCOMPARE(offsetsOf(a), std::vector<std::uint64_t>({9}));

        // renewEpochs: every channel of the namespace, and only those.
        QVERIFY(appendNow(*store, request("other", "1")));
        const auto otherEpoch = readAll(*store, "other").state.epoch;
        auto count = store->renewEpochs("m:");
        QVERIFY(count);
        QCOMPARE(*count, std::uint64_t(2));
        QVERIFY(readAll(*store, "m:a").state.epoch != renewed);
        QCOMPARE(readAll(*store, "m:a").state.lastOffset, std::uint64_t(9));
        QVERIFY(readAll(*store, "m:b").state.epoch != home);
        QCOMPARE(readAll(*store, "other").state.epoch, otherEpoch);
    }

    void epochIsTheSameOnEveryNode()
    {
        auto a = openStore();
        auto b = openStore();
        constexpr int kChannels = 50;
        std::vector<Answer<Result<ChannelState>>> ensured(kChannels);
        std::vector<Answer<Result<AppendResult>>> appended(kChannels);
        std::thread other([&] {
            for (int c = 0; c < kChannels; ++c)
                b->append(request("e" + std::to_string(c), "x"), appended[c].callback());
        });
        for (int c = 0; c < kChannels; ++c)
            a->ensureChannel("e" + std::to_string(c), ensured[c].callback());
        other.join();

        std::set<std::string> epochs;
        for (int c = 0; c < kChannels; ++c) {
            auto e = ensured[c].get();
            auto r = appended[c].get();
            QVERIFY(e && r);
            QCOMPARE(e->epoch, r->epoch);
            QCOMPARE(r->offset, std::uint64_t(1));
            auto fromA = stateNow(*a, "e" + std::to_string(c));
            auto fromB = stateNow(*b, "e" + std::to_string(c));
            QVERIFY(fromA && fromB);
            QCOMPARE(fromA->epoch, r->epoch);
            QCOMPARE(fromB->epoch, r->epoch);
            epochs.insert(r->epoch);
        }
        QCOMPARE(epochs.size(), std::size_t(kChannels));
    }

    void textWithNulIsRefusedAlone()
    {
        Tuning tuning;
        tuning.commitWindow = 300ms;
        tuning.poolSize = 2;
        auto store = openStore(tuning);
        Answer<Result<AppendResult>> before, bad, after;
        store->append(request("n", "1"), before.callback());
        store->append(request("n", "2", std::string("a\0b", 3)), bad.callback());
        store->append(request("n", "3"), after.callback());
        auto refused = bad.get();
        QVERIFY(!refused);
        QVERIFY(refused.error().code == ErrorCode::bad_request);
        QVERIFY2(refused.error().message.find("NUL") != std::string::npos, refused.error().message.c_str());
        auto first = before.get();
        auto second = after.get();
        QVERIFY(first && second);
        QCOMPARE(first->offset, std::uint64_t(1));
        QCOMPARE(second->offset, std::uint64_t(2));
    }

    void lostConnectionFailsTheBatchAndReconnects()
    {
        Tuning tuning;
        tuning.poolSize = 2; // one writer, one reader
        auto store = openStore(tuning);
        auto first = appendNow(*store, request("c", "1"));
        QVERIFY(first);

        // The server ends the writer's session in the middle of its transaction.
        query(R"sql(
            CREATE FUNCTION aldis_test_sleep() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.data = 'slow' THEN PERFORM pg_sleep(10); END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER slow BEFORE INSERT ON publications
            FOR EACH ROW EXECUTE FUNCTION aldis_test_sleep();)sql");
        Answer<Result<AppendResult>> slow;
        store->append(request("c", "slow"), slow.callback());
        const std::string sleeping = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND wait_event = 'PgSleep'";
        QTRY_VERIFY_WITH_TIMEOUT(!query(sleeping).empty(), 10000);
        query("SELECT pg_terminate_backend(pid) FROM (" + sleeping + ") AS s");
        auto lost = slow.get();
        QVERIFY(!lost);
        QVERIFY(lost.error().code == ErrorCode::unavailable);
        QVERIFY(lost.error().retryable);
        QVERIFY2(lost.error().message.find("the event store could not commit to " + serverName() + ": ")
                     != std::string::npos,
                 lost.error().message.c_str());
        QCOMPARE(store->stats().failedCommits, std::uint64_t(1));
        query("DROP TRIGGER slow ON publications");

        // The next batch reconnects; the failed one consumed no offset.
        auto next = appendNow(*store, request("c", "2"));
        QVERIFY2(next, next ? "" : next.error().message.c_str());
        QCOMPARE(next->offset, std::uint64_t(2));
        QCOMPARE(next->epoch, first->epoch);

        // Every idle session of the store ends: at most one request of each side
        // fails (naming the server), the next one works again.
        query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
              "WHERE datname = current_database() AND application_name = 'aldis'");
        std::this_thread::sleep_for(100ms);
        auto read = readNow(*store, ReadRequest{"c", 0, 10, false, std::nullopt});
        if (!read) {
            QVERIFY(read.error().retryable);
            QVERIFY2(read.error().message.find("could not read from " + serverName()) != std::string::npos,
                     read.error().message.c_str());
            read = readNow(*store, ReadRequest{"c", 0, 10, false, std::nullopt});
        }
        QVERIFY2(read, read ? "" : read.error().message.c_str());
        QCOMPARE(offsetsOf(*read), range(1, 2));
        auto third = appendNow(*store, request("c", "3"));
        if (!third) {
            QVERIFY(third.error().retryable);
            QVERIFY2(third.error().message.find(serverName()) != std::string::npos, third.error().message.c_str());
            third = appendNow(*store, request("c", "3"));
        }
        QVERIFY2(third, third ? "" : third.error().message.c_str());
        QCOMPARE(third->offset, std::uint64_t(3));
        QCOMPARE(offsetsOf(readAll(*store, "c")), range(1, 3));
    }
};

// Both backends, one after the other. ALDIS_TEST_BACKEND=sqlite or =postgresql runs
// one of them, which is what naming a test function that only one backend has needs
// (`ALDIS_TEST_BACKEND=postgresql tst_event_store twoNodesAppendInOneOrder`).
int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QString only = qEnvironmentVariable("ALDIS_TEST_BACKEND");
    TestSqliteStore sqlite;
    TestPostgresStore postgres;
    int failed = 0;
    if (only.isEmpty() || only == QLatin1String("sqlite"))
        failed += QTest::qExec(&sqlite, argc, argv);
    if (only.isEmpty() || only == QLatin1String("postgresql"))
        failed += QTest::qExec(&postgres, argc, argv);
    return failed;
}

#include "tst_event_store.moc"

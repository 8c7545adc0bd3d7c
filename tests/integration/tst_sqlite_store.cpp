// SPDX-License-Identifier: Apache-2.0
// The SQLite event store against real files in a temporary folder.

#include "store/sqlite_store.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
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
        return [this](Result<AppendResult> r) {
            std::lock_guard lock(m_mutex);
            if (!r && m_firstError.empty())
                m_firstError = r.error().message;
            if (++m_done == m_expected)
                m_all.set_value();
        };
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

} // namespace

Q_DECLARE_METATYPE(std::vector<std::uint64_t>)

class TestSqliteStore : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;

    SqliteStoreOptions options(const char* name = "aldis.db") const
    {
        SqliteStoreOptions o;
        o.path = std::filesystem::path(m_dir->path().toStdString()) / "data" / name;
        return o;
    }

    static std::unique_ptr<SqliteStore> openStore(SqliteStoreOptions o)
    {
        auto store = std::make_unique<SqliteStore>(std::move(o));
        auto opened = store->open();
        if (!opened)
            qFatal("open failed: %s", opened.error().message.c_str());
        return store;
    }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }
    void cleanup() { m_dir.reset(); }

    void appendAssignsContiguousOffsetsPerChannel()
    {
        auto store = openStore(options());
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

    void groupCommitKeepsOrderAcrossThreads()
    {
        auto o = options();
        auto store = openStore(o);
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
        auto count = counter.callback();

        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    store->append(request("g", std::to_string(t) + ":" + std::to_string(i), {},
                                          keepAll),
                                  [&, t, i](Result<AppendResult> r) {
                                      {
                                          std::lock_guard lock(mutex);
                                          acks.push_back({t, i, r});
                                      }
                                      count(std::move(r));
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
        qInfo("group commit: %llu appends in %llu transactions",
              static_cast<unsigned long long>(stats.appends),
              static_cast<unsigned long long>(stats.commits));
    }

    void callbacksRunOnlyAfterCommit()
    {
        const auto o = options();
        {
            auto store = openStore(o);
            for (int i = 1; i <= 10; ++i) {
                // A separate connection sees the publication as soon as it is acked.
                auto seen = await<bool>([&](auto done) {
                    store->append(request("d", std::to_string(i)),
                                  [&o, i, done](Result<AppendResult> r) {
                                      sqlite3* db = nullptr;
                                      sqlite3_open_v2(o.path.c_str(), &db, SQLITE_OPEN_READONLY,
                                                      nullptr);
                                      sqlite3_stmt* s = nullptr;
                                      sqlite3_prepare_v2(db,
                                                         "SELECT data FROM publications "
                                                         "WHERE channel = 'd' AND offset = ?1",
                                                         -1, &s, nullptr);
                                      sqlite3_bind_int64(s, 1, r ? std::int64_t(r->offset) : -1);
                                      const bool found = sqlite3_step(s) == SQLITE_ROW
                                          && std::string(reinterpret_cast<const char*>(
                                                 sqlite3_column_text(s, 0)))
                                              == std::to_string(i);
                                      sqlite3_finalize(s);
                                      sqlite3_close(db);
                                      done(found);
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

        auto reopened = openStore(o);
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
    }

    void idempotencyKeys()
    {
        auto o = options("keys.db");
        o.commitWindow = 100ms; // so that the two appends of key-2 share a batch
        auto store = openStore(o);

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
        auto a = std::make_shared<std::promise<Result<AppendResult>>>();
        auto b = std::make_shared<std::promise<Result<AppendResult>>>();
        store->append(request("i", "2", "key-2"), [a](auto r) { a->set_value(std::move(r)); });
        store->append(request("i", "2'", "key-2"), [b](auto r) { b->set_value(std::move(r)); });
        auto ra = a->get_future().get();
        auto rb = b->get_future().get();
        QVERIFY(ra && rb);
        QVERIFY(!ra->duplicate);
        QVERIFY(rb->duplicate);
        QCOMPARE(rb->offset, ra->offset);

        QCOMPARE(store->stats().duplicates, std::uint64_t(2));
        QCOMPARE(store->stats().appends, std::uint64_t(3));
    }

    void idempotencyKeysExpire()
    {
        auto o = options("short.db");
        o.dedupWindow = 50ms;
        auto store = openStore(o);
        auto first = appendNow(*store, request("i", "1", "key-1"));
        QVERIFY(first);
        QVERIFY(!first->duplicate);

        // Past the dedup window the key publishes again.
        std::this_thread::sleep_for(80ms);
        auto later = appendNow(*store, request("i", "1 later", "key-1"));
        QVERIFY(later);
        QVERIFY(!later->duplicate);
        QCOMPARE(later->offset, first->offset + 1);
        QCOMPARE(offsetsOf(readAll(*store, "i")), range(1, 2));
    }

    void retentionBySize()
    {
        auto store = openStore(options());
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
        auto o = options();
        o.sweepInterval = 20ms;
        auto store = openStore(o);
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

        auto store = openStore(options());
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
        const auto o = options();
        auto store = openStore(o);
        auto load = [](EventStore& s, std::string durable) {
            return await<Result<std::optional<Position>>>([&](auto done) {
                s.loadPosition("alice", std::move(durable), "orders", std::move(done));
            });
        };
        auto save = [](EventStore& s, std::string durable, Position p) {
            return await<Result<void>>([&](auto done) {
                s.savePosition("alice", std::move(durable), "orders", std::move(p), std::move(done));
            });
        };

        auto missing = load(*store, "main");
        QVERIFY(missing);
        QVERIFY(!missing->has_value());

        QVERIFY(save(*store, "main", Position{"e1", 7}));
        QVERIFY(save(*store, "main", Position{"e1", 9}));
        QVERIFY(save(*store, "main", Position{"e1", 4})); // an ack never moves it back
        QVERIFY(save(*store, "audit", Position{"e2", 3}));
        QVERIFY(save(*store, "audit", Position{"e3", 1})); // a new epoch starts over
        store.reset();

        store = openStore(o);
        auto main = load(*store, "main");
        QVERIFY(main && main->has_value());
        QCOMPARE((*main)->epoch, std::string("e1"));
        QCOMPARE((*main)->offset, std::uint64_t(9));
        auto audit = load(*store, "audit");
        QVERIFY(audit && audit->has_value());
        QCOMPARE((*audit)->epoch, std::string("e3"));
        QCOMPARE((*audit)->offset, std::uint64_t(1));
    }

    void ensureChannelFixesTheEpochBeforeTheFirstAppend()
    {
        const auto o = options();
        std::string epoch;
        {
            auto store = openStore(o);
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
        auto store = openStore(o);
        auto state = stateNow(*store, "fresh");
        QVERIFY(state);
        QCOMPARE(state->epoch, epoch);
        QCOMPARE(state->lastOffset, std::uint64_t(1));
    }

    void epochsAreStableAndPerChannel()
    {
        const auto o = options();
        std::string x, y;
        {
            auto store = openStore(o);
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
            QVERIFY(std::all_of(x.begin(), x.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }));
            QVERIFY(x != y);
        }
        auto store = openStore(o);
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
        auto first = openStore(options());
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

    void failedTransactionFailsTheWholeBatch()
    {
        auto o = options();
        o.commitWindow = 500ms; // the four appends below share one transaction
        auto store = openStore(o);
        auto first = appendNow(*store, request("f", "1"));
        QVERIFY(first);

        // Another connection makes the second insert of the batch fail, mid-transaction.
        sqlite3* db = nullptr;
        QCOMPARE(sqlite3_open(o.path.c_str(), &db), SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        QCOMPARE(sqlite3_exec(db,
                              "CREATE TRIGGER fail BEFORE INSERT ON publications "
                              "WHEN NEW.data = 'boom' BEGIN SELECT RAISE(ABORT, 'injected'); END",
                              nullptr, nullptr, nullptr),
                 SQLITE_OK);

        std::vector<std::shared_ptr<std::promise<Result<AppendResult>>>> results;
        std::vector<std::string> data = {"2", "boom", "3"};
        auto ghostFails = std::make_shared<std::promise<Result<AppendResult>>>();
        for (const auto& d : data) {
            results.push_back(std::make_shared<std::promise<Result<AppendResult>>>());
            store->append(request("f", d), [p = results.back()](auto r) { p->set_value(std::move(r)); });
        }
        store->append(request("new-channel", "1"),
                      [ghostFails](auto r) { ghostFails->set_value(std::move(r)); });
        for (auto& p : results) {
            auto r = p->get_future().get();
            QVERIFY(!r);
            QVERIFY(r.error().code == ErrorCode::unavailable);
            QVERIFY(r.error().retryable);
            QVERIFY2(r.error().message.find("injected") != std::string::npos,
                     r.error().message.c_str());
        }
        QVERIFY(!ghostFails->get_future().get());
        QCOMPARE(store->stats().failedCommits, std::uint64_t(1));

        QCOMPARE(sqlite3_exec(db, "DROP TRIGGER fail", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);

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
        auto o = options();
        auto store = openStore(o);
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
        QVERIFY(counter.wait(120s));
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        QCOMPARE(counter.firstError(), std::string());

        const StoreStats stats = store->stats();
#ifdef NDEBUG
        const char* build = "optimised";
#else
        const char* build = "debug";
#endif
        qInfo("append throughput (%s build, synchronous=FULL): %.0f appends/s "
              "(%d appends in %.3f s, %llu transactions)",
              build, kAppends / seconds, kAppends, seconds,
              static_cast<unsigned long long>(stats.commits));
    }
};

QTEST_GUILESS_MAIN(TestSqliteStore)
#include "tst_sqlite_store.moc"

// SPDX-License-Identifier: Apache-2.0
// kill -9 of the node while durable publishes are in flight.
//   - killNineDuringPublishes: once, in the middle of 10,000 publishes: after the
//     restart, every acknowledged publication is in the store at the offset it was
//     acknowledged with, none is there twice, and retrying the unacknowledged ones
//     with their keys completes the sequence without duplicates.
//   - killNineRepeatedly: ALDIS_CRASH_CYCLES (default 100) cycles of start, publish
//     from several connections for a random 30-300 ms, kill -9, on one SQLite file;
//     the same checks after every restart, and PRAGMA integrity_check every 10 cycles
//     and after the last kill.
#include "support/store_checks.h"
#include "support/test_support.h"

#include <QElapsedTimer>
#include <QTest>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <csignal>
#include <thread>

using namespace aldis::test;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr int kPublishers = 8;
constexpr int kPerPublisher = 1250; // 10,000 in all
const char* kChannel = "crash";

// A keep-alive HTTP connection to POST /v1/publish.
class Publisher {
public:
    explicit Publisher(std::uint16_t port) : m_socket(m_io)
    {
        beast::error_code ec;
        m_socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
        m_connected = !ec;
    }

    // The acknowledged offset and whether it was a duplicate, or nothing when the node
    // did not answer ok (or is not connected).
    std::optional<std::pair<std::uint64_t, bool>> publish(const std::string& key, int value)
    {
        if (!m_connected)
            return std::nullopt;
        http::request<http::string_body> req{http::verb::post, "/v1/publish", 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::authorization, std::string("Bearer ") + DaemonProcess::kApiKey);
        req.set(http::field::content_type, "application/json");
        req.keep_alive(true);
        req.body() = R"({"channel":")" + std::string(kChannel) + R"(","data":{"v":)" + std::to_string(value) +
                     R"(},"key":")" + key + "\"}";
        req.prepare_payload();
        beast::error_code ec;
        http::write(m_socket, req, ec);
        if (ec)
            return std::nullopt;
        http::response<http::string_body> res;
        http::read(m_socket, m_buffer, res, ec);
        if (ec || res.result() != http::status::ok)
            return std::nullopt;
        auto ok = boost::json::parse(res.body()).as_object().at("ok").as_object();
        return std::pair{static_cast<std::uint64_t>(ok.at("offset").as_int64()), ok.at("duplicate").as_bool()};
    }

private:
    asio::io_context m_io;
    asio::ip::tcp::socket m_socket;
    beast::flat_buffer m_buffer;
    bool m_connected = false;
};

std::vector<StoredPublication> readStore(const QString& path)
{
    return readStoredPublications(path, kChannel);
}

} // namespace

class TestCrashRecovery : public QObject {
    Q_OBJECT

private slots:
    void killNineDuringPublishes();
    void killNineRepeatedly();
};

void TestCrashRecovery::killNineDuringPublishes()
{
    DaemonProcess daemon(QStringLiteral("[namespaces.default]\nhistory_size = 100000\n"));
    QVERIFY2(daemon.start(), daemon.output().constData());

    std::mutex mutex;
    std::map<std::string, std::uint64_t> acked;   // key -> offset
    std::atomic<int> ackCount{0};
    std::vector<std::thread> threads;
    for (int p = 0; p < kPublishers; ++p) {
        threads.emplace_back([&, p] {
            Publisher publisher(daemon.port());
            for (int i = 0; i < kPerPublisher; ++i) {
                const auto key = "p" + std::to_string(p) + "-" + std::to_string(i);
                auto result = publisher.publish(key, p * kPerPublisher + i);
                if (!result)
                    return; // the node is gone
                std::lock_guard lock(mutex);
                acked.emplace(key, result->first);
                ++ackCount;
            }
        });
    }
    // Kill in the middle of the run, while every publisher has requests in flight.
    QTRY_VERIFY_WITH_TIMEOUT(ackCount.load() >= 4000, 120000);
    daemon.kill9();
    for (auto& t : threads)
        t.join();
    qInfo("acknowledged before kill -9: %zu of %d", acked.size(), kPublishers * kPerPublisher);
    QVERIFY(acked.size() < std::size_t(kPublishers * kPerPublisher));

    const auto dbPath = daemon.dataDir() + "/aldis.db";
    QCOMPARE(integrityCheck(dbPath), QStringLiteral("ok"));
    auto rows = readStore(dbPath);
    std::map<std::string, std::uint64_t> stored;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        QCOMPARE(rows[i].offset, std::uint64_t(i + 1)); // contiguous from 1
        QVERIFY2(stored.emplace(rows[i].key, rows[i].offset).second, rows[i].key.c_str()); // never twice
    }
    for (const auto& [key, offset] : acked) {
        auto it = stored.find(key);
        QVERIFY2(it != stored.end(), ("acknowledged but lost: " + key).c_str());
        QCOMPARE(it->second, offset);
    }

    // Restart and retry everything with the same keys: acknowledged ones come back as
    // duplicates at their offsets, the rest are appended once.
    QVERIFY2(daemon.start(), daemon.output().constData());
    Publisher retry(daemon.port());
    std::size_t duplicates = 0;
    for (int p = 0; p < kPublishers; ++p) {
        for (int i = 0; i < kPerPublisher; ++i) {
            const auto key = "p" + std::to_string(p) + "-" + std::to_string(i);
            auto result = retry.publish(key, p * kPerPublisher + i);
            QVERIFY(result);
            if (auto it = stored.find(key); it != stored.end()) {
                QVERIFY(result->second);
                QCOMPARE(result->first, it->second);
                ++duplicates;
            } else {
                QVERIFY(!result->second);
            }
        }
    }
    QCOMPARE(duplicates, stored.size());
    daemon.signal(SIGTERM);
    QCOMPARE(daemon.waitForExit(), 0);

    rows = readStore(dbPath);
    QCOMPARE(rows.size(), std::size_t(kPublishers * kPerPublisher));
    std::set<std::string> keys;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        QCOMPARE(rows[i].offset, std::uint64_t(i + 1));
        QVERIFY(keys.insert(rows[i].key).second);
    }
}

namespace {

// What the store holds of kChannel, checked against what was acknowledged: offsets
// 1, 2, 3, ... without a hole (history_size keeps everything), no key twice, every
// acknowledged key at its acknowledged offset. Returns an empty string when all
// holds, else what is wrong; `stored` gets key -> offset.
std::string checkStore(const QString& dbPath, const std::map<std::string, std::uint64_t>& acked,
                       std::map<std::string, std::uint64_t>& stored)
{
    stored.clear();
    const auto rows = readStore(dbPath);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].offset != i + 1)
            return "offset " + std::to_string(rows[i].offset) + " at row " + std::to_string(i + 1);
        if (!stored.emplace(rows[i].key, rows[i].offset).second)
            return "key stored twice: " + rows[i].key;
    }
    for (const auto& [key, offset] : acked) {
        auto it = stored.find(key);
        if (it == stored.end())
            return "acknowledged but lost: " + key + " at offset " + std::to_string(offset);
        if (it->second != offset)
            return "acknowledged at offset " + std::to_string(offset) + " but stored at "
                + std::to_string(it->second) + ": " + key;
    }
    return {};
}

} // namespace

void TestCrashRecovery::killNineRepeatedly()
{
    constexpr int kCyclePublishers = 4;
    bool set = false;
    const int cycles = qEnvironmentVariableIntValue("ALDIS_CRASH_CYCLES", &set);
    const int totalCycles = set && cycles > 0 ? cycles : 100;
    const auto seed = qEnvironmentVariableIsSet("ALDIS_CRASH_SEED")
                          ? static_cast<std::uint32_t>(qEnvironmentVariableIntValue("ALDIS_CRASH_SEED"))
                          : std::random_device{}();
    qInfo("%d cycles, seed %u (ALDIS_CRASH_SEED repeats the kill times)", totalCycles, seed);
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> publishFor(30, 300);

    DaemonProcess daemon(QStringLiteral("[namespaces.default]\nhistory_size = 1000000\n"));
    const auto dbPath = daemon.dataDir() + "/aldis.db";

    std::map<std::string, std::uint64_t> acked; // every acknowledged key -> its offset
    std::map<std::string, std::uint64_t> stored;
    // Keys sent but not acknowledged (in flight at the kill), per publisher: each is
    // sent again, first thing, in the next cycle.
    std::vector<std::vector<std::string>> pending(kCyclePublishers);
    std::size_t retriedStored = 0, retriedNew = 0, integrityChecks = 0;
    QElapsedTimer total, phase;
    total.start();
    qint64 startMs = 0, checkMs = 0;

    for (int cycle = 1; cycle <= totalCycles + 1; ++cycle) {
        phase.start();
        QVERIFY2(daemon.start(), daemon.output().constData());
        startMs += phase.restart();
        // After every restart, before anything is published again.
        auto problem = checkStore(dbPath, acked, stored);
        checkMs += phase.elapsed();
        QVERIFY2(problem.empty(), qPrintable(QStringLiteral("after restart %1: %2").arg(cycle - 1).arg(
                                      QString::fromStdString(problem))));
        if (cycle > totalCycles)
            break; // the last restart only checks

        std::vector<std::map<std::string, std::uint64_t>> newAcks(kCyclePublishers);
        std::vector<std::string> failures(kCyclePublishers);
        std::atomic<bool> stop{false};
        std::vector<std::thread> threads;
        // The threads only read `stored` and touch their own slots of `pending`,
        // `newAcks` and `failures`.
        for (int p = 0; p < kCyclePublishers; ++p) {
            threads.emplace_back([&, p] {
                Publisher publisher(daemon.port());
                std::vector<std::string> retries;
                retries.swap(pending[p]);
                for (std::size_t r = 0; r < retries.size(); ++r) {
                    auto result = publisher.publish(retries[r], -1);
                    if (!result) {
                        pending[p].insert(pending[p].end(), retries.begin() + std::ptrdiff_t(r), retries.end());
                        return;
                    }
                    // A key stored before the kill is answered as a duplicate at its
                    // offset; one that was not is appended now, once.
                    auto it = stored.find(retries[r]);
                    const bool wasStored = it != stored.end();
                    if (result->second != wasStored || (wasStored && result->first != it->second)) {
                        failures[p] = "retry of " + retries[r] + " answered offset " + std::to_string(result->first)
                                      + (result->second ? " (duplicate)" : " (new)");
                        return;
                    }
                    newAcks[p].emplace(retries[r], result->first);
                }
                for (int i = 0; !stop.load(); ++i) {
                    auto key = "c" + std::to_string(cycle) + "-p" + std::to_string(p) + "-" + std::to_string(i);
                    auto result = publisher.publish(key, i);
                    if (!result || result->second) {
                        if (result) // a fresh key can never be a duplicate
                            failures[p] = "fresh key answered as a duplicate: " + key;
                        pending[p].push_back(std::move(key));
                        return; // the node is gone
                    }
                    newAcks[p].emplace(std::move(key), result->first);
                }
            });
        }
        QTest::qSleep(publishFor(random));
        daemon.kill9();
        stop = true;
        for (auto& t : threads)
            t.join();
        for (int p = 0; p < kCyclePublishers; ++p) {
            QVERIFY2(failures[p].empty(), failures[p].c_str());
            for (auto& [key, offset] : newAcks[p]) {
                if (key.rfind("c" + std::to_string(cycle) + "-", 0) != 0)
                    ++(stored.count(key) ? retriedStored : retriedNew);
                QVERIFY2(acked.emplace(key, offset).second, key.c_str());
            }
        }

        if (cycle % 10 == 0 || cycle == totalCycles) {
            // With the daemon stopped: nothing else has the file open.
            QCOMPARE(integrityCheck(dbPath), QStringLiteral("ok"));
            ++integrityChecks;
        }
    }
    daemon.signal(SIGTERM);
    QCOMPARE(daemon.waitForExit(), 0);
    QCOMPARE(integrityCheck(dbPath), QStringLiteral("ok"));
    ++integrityChecks;
    QVERIFY(checkStore(dbPath, acked, stored).empty());

    qInfo("%d kill -9 cycles: %zu publications acknowledged, %zu stored (the others were in flight at a kill: "
          "committed, never answered), "
          "%zu in-flight keys sent again (%zu had been stored: answered as duplicates; %zu appended once), "
          "%zu integrity checks ok; %.1f s in all, starts %.1f s, store checks %.1f s",
          totalCycles, acked.size(), stored.size(), retriedStored + retriedNew, retriedStored, retriedNew,
          integrityChecks, double(total.elapsed()) / 1000, double(startMs) / 1000, double(checkMs) / 1000);
}

QTEST_GUILESS_MAIN(TestCrashRecovery)
#include "tst_crash_recovery.moc"

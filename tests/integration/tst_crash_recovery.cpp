// SPDX-License-Identifier: Apache-2.0
// kill -9 of the node while 10,000 durable publishes are in flight: after the restart,
// every acknowledged publication is in the store at the offset it was acknowledged
// with, none is there twice, and retrying the unacknowledged ones with their keys
// completes the sequence without duplicates.
#include "support/test_support.h"

#include <QTest>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <sqlite3.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
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
        m_socket.connect({asio::ip::make_address("127.0.0.1"), port});
    }

    // The acknowledged offset, or nothing when the node did not answer ok.
    std::optional<std::pair<std::uint64_t, bool>> publish(const std::string& key, int value)
    {
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
};

struct StoredRow {
    std::uint64_t offset;
    std::string key;
};

std::vector<StoredRow> readStore(const QString& path)
{
    std::vector<StoredRow> rows;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return rows;
    }
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT offset, key FROM publications WHERE channel = ?1 ORDER BY offset", -1, &stmt, nullptr);
    sqlite3_bind_text(stmt, 1, kChannel, -1, SQLITE_STATIC);
    while (sqlite3_step(stmt) == SQLITE_ROW)
        rows.push_back({static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 0)),
                        reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1))});
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
}

QString integrityCheck(const QString& path)
{
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr);
    QString result;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        result = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return result;
}

} // namespace

class TestCrashRecovery : public QObject {
    Q_OBJECT

private slots:
    void killNineDuringPublishes();
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

QTEST_GUILESS_MAIN(TestCrashRecovery)
#include "tst_crash_recovery.moc"

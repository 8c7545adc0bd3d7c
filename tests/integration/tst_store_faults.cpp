// SPDX-License-Identifier: Apache-2.0
// The SQLite event store on a disk that fills up or fails, with the real daemon and
// real files: the daemon runs with support/fault_inject.c preloaded, which fails the
// writes (ENOSPC) or the fsyncs (EIO) of the files in its data folder while the test
// says so (we cannot mount a full or broken file system in a container).
//
//   - faultWhilePublishing (disk full; fsync EIO): durable publishes over HTTP and
//     WebSocket are refused with `unavailable` (HTTP 503) and a message naming the
//     store, the file and the cause; nothing is acknowledged or delivered that is not
//     committed; clients of a non-durable namespace, /health and /ready are served all
//     along; once the disk is back, publishes succeed again without a restart, the
//     refused keys are appended once (nothing of a failed batch was kept), and after a
//     restart every acknowledged publication is at its offset, offsets have no hole,
//     and PRAGMA integrity_check says ok.
//   - checkpointFailure (fsync EIO; ENOSPC): faults on the database file only (the WAL
//     is written and synced fine), so WAL checkpoints fail while commits succeed:
//     every publish is acknowledged and none refused; the failure is logged, tried
//     again after a pause rather than after every commit, and logged again when it
//     succeeds; all publications are there after a restart.
//
// Every test also checks that the library really injected faults (it counts them in
// a file next to the control file).
#include "support/store_checks.h"
#include "support/test_support.h"
#include "support/ws_test_client.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QtTest>

#include <boost/json.hpp>

#include <algorithm>
#include <csignal>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace aldis::test;
namespace json = boost::json;

namespace {

const char* kDurable = "orders";     // default namespace: durable
const char* kLive = "live:ticks";     // namespace "live": not durable
constexpr int kGuardMs = 30000;       // only a guard against a hung test

// The control file of the fault library and the count of faults it injected.
class FaultControl {
public:
    QString controlPath() const { return m_dir.filePath(QStringLiteral("faults")); }
    // "enospc", "eio", "enospc-db", "eio-db" (see fault_inject.c) or "off"; replaced
    // in one rename, so the library never reads half a mode.
    bool set(const char* mode)
    {
        QSaveFile file(controlPath());
        return file.open(QIODevice::WriteOnly) && file.write(mode) >= 0 && file.commit();
    }
    unsigned long long injected() const
    {
        QFile file(controlPath() + QStringLiteral(".count"));
        if (!file.open(QIODevice::ReadOnly))
            return 0;
        return file.readAll().trimmed().toULongLong();
    }
    // Preloads the library into `daemon`, for the files of its data folder.
    void attach(DaemonProcess& daemon) const
    {
        daemon.setEnvironment(QStringLiteral("LD_PRELOAD"), QStringLiteral(ALDIS_FAULT_INJECT_LIB));
        daemon.setEnvironment(QStringLiteral("FAULT_INJECT_PREFIX"), daemon.dataDir());
        daemon.setEnvironment(QStringLiteral("FAULT_INJECT_CONTROL"), controlPath());
        // Under AddressSanitizer (the asan preset) the preloaded library comes before
        // the ASan runtime; that is fine for a library that only wraps system calls.
        QString asan = qEnvironmentVariable("ASAN_OPTIONS");
        daemon.setEnvironment(QStringLiteral("ASAN_OPTIONS"),
                              (asan.isEmpty() ? QString() : asan + ':') + QStringLiteral("verify_asan_link_order=0"));
    }

private:
    QTemporaryDir m_dir;
};

struct PublishAnswer {
    int status = 0;
    std::uint64_t offset = 0;
    bool duplicate = false;
    std::string code;    // error code when refused
    std::string message; // error message when refused
    std::string raw;
};

// POST /v1/publish of {"channel", "data", "key"} on a kept-alive connection.
PublishAnswer publish(HttpTestClient& http, const std::string& channel, const std::string& key, int value)
{
    json::object body{{"channel", channel}, {"data", json::object{{"v", value}}}};
    if (!key.empty())
        body["key"] = key;
    auto res = http.request("POST", "/v1/publish", json::serialize(body),
                            {{"Authorization", std::string("Bearer ") + DaemonProcess::kApiKey},
                             {"Content-Type", "application/json"}});
    PublishAnswer answer;
    answer.status = res.status;
    answer.raw = res.body.empty() ? res.error : res.body;
    json::error_code ec;
    auto parsed = json::parse(res.body, ec);
    if (ec || !parsed.is_object())
        return answer;
    if (auto* ok = parsed.as_object().if_contains("ok"); ok && ok->is_object()) {
        answer.offset = static_cast<std::uint64_t>(num(ok->as_object(), "offset"));
        if (auto* dup = ok->as_object().if_contains("duplicate"); dup && dup->is_bool())
            answer.duplicate = dup->as_bool();
    }
    if (auto* error = parsed.as_object().if_contains("error"); error && error->is_object()) {
        answer.code = str(error->as_object(), "code");
        answer.message = str(error->as_object(), "message");
    }
    return answer;
}

// Offsets 1..N without a hole, no key twice, and exactly the acknowledged keys at
// their offsets (every key the test sent was acknowledged in the end). Empty when all
// holds, else what is wrong.
std::string checkStoreHoldsExactly(const QString& dbPath, const std::map<std::string, std::uint64_t>& acked)
{
    const auto rows = readStoredPublications(dbPath, kDurable);
    std::map<std::string, std::uint64_t> stored;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].offset != i + 1)
            return "offset " + std::to_string(rows[i].offset) + " at row " + std::to_string(i + 1);
        if (!stored.emplace(rows[i].key, rows[i].offset).second)
            return "key stored twice: " + rows[i].key;
    }
    if (stored != acked) {
        for (const auto& [key, offset] : acked) {
            auto it = stored.find(key);
            if (it == stored.end() || it->second != offset)
                return "acknowledged at " + std::to_string(offset) + " but "
                       + (it == stored.end() ? std::string("not stored") : "stored at " + std::to_string(it->second))
                       + ": " + key;
        }
        return "stored but never acknowledged: " + std::to_string(stored.size() - acked.size()) + " rows";
    }
    return {};
}

// The lines of `output` holding `text`.
int countLines(const QByteArray& output, const QByteArray& text)
{
    int n = 0;
    for (const auto& line : output.split('\n'))
        n += line.contains(text) ? 1 : 0;
    return n;
}

} // namespace

class TestStoreFaults : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void faultWhilePublishing_data();
    void faultWhilePublishing();
    void checkpointFailure_data();
    void checkpointFailure();
};

void TestStoreFaults::initTestCase()
{
    QVERIFY2(!aldisBinary().isEmpty(), "ALDIS_BINARY is not set (run through ctest)");
    QVERIFY2(QFile::exists(QStringLiteral(ALDIS_FAULT_INJECT_LIB)), ALDIS_FAULT_INJECT_LIB);
}

void TestStoreFaults::faultWhilePublishing_data()
{
    QTest::addColumn<QByteArray>("mode");
    QTest::addColumn<QByteArray>("cause"); // what SQLite says, in the error message
    QTest::addRow("disk full (ENOSPC on write)") << QByteArray("enospc") << QByteArray("database or disk is full");
    QTest::addRow("fsync fails (EIO)") << QByteArray("eio") << QByteArray("disk I/O error (fsync");
}

void TestStoreFaults::faultWhilePublishing()
{
    QFETCH(QByteArray, mode);
    QFETCH(QByteArray, cause);

    FaultControl faults;
    QVERIFY(faults.set("off"));
    // synchronous = "full" (the default): every commit fsyncs the WAL.
    DaemonProcess daemon(QStringLiteral("[namespaces.default]\nhistory_size = 100000\n"
                                        "[namespaces.live]\ndurable = false\n"));
    faults.attach(daemon);
    QVERIFY2(daemon.start(), daemon.output().constData());
    const auto port = daemon.port();
    const auto dbPath = daemon.dataDir() + "/aldis.db";

    // A watcher of both channels, a WebSocket publisher, an HTTP publisher.
    auto watcher = connected(port, "watcher");
    auto alice = connected(port, "alice");
    QVERIFY(watcher && alice);
    QVERIFY(requestOk(*watcher, cmd("subscribe", {{"channel", kDurable}})));
    QVERIFY(requestOk(*watcher, cmd("subscribe", {{"channel", kLive}})));
    HttpTestClient http(port);

    std::map<std::string, std::uint64_t> acked; // key -> acknowledged offset
    std::vector<std::string> refused;           // keys answered unavailable
    int next = 0;
    auto key = [&next] { return "k" + std::to_string(++next); };
    // The watcher's pushes of kDurable, in arrival order; kLive ones are returned.
    std::vector<std::int64_t> delivered;
    auto nextLivePush = [&]() -> std::optional<json::object> {
        while (auto push = watcher->nextPush(kGuardMs)) {
            if (str(*push, "channel") != kDurable)
                return push;
            delivered.push_back(num(*push, "offset"));
        }
        return std::nullopt;
    };

    // 1. A healthy disk.
    for (int i = 0; i < 20; ++i) {
        const auto k = key();
        auto a = publish(http, kDurable, k, next);
        QVERIFY2(a.status == 200 && !a.duplicate, a.raw.c_str());
        acked.emplace(k, a.offset);
    }
    QCOMPARE(faults.injected(), 0ull);

    // 2. The disk fails. Until the daemon notices (the library reads the control file
    // every few ms), publishes may still succeed: they count as acknowledged.
    QVERIFY(faults.set(mode.constData()));
    PublishAnswer first;
    QDeadlineTimer deadline(kGuardMs);
    while (!deadline.hasExpired()) {
        const auto k = key();
        first = publish(http, kDurable, k, next);
        if (first.status == 200) {
            acked.emplace(k, first.offset);
            continue;
        }
        refused.push_back(k);
        break;
    }
    QVERIFY2(faults.injected() > 0, "the fault library injected nothing: is it preloaded?");
    QCOMPARE(first.status, 503);
    QCOMPARE(first.code, std::string("unavailable"));
    QVERIFY2(first.message.find("the event store could not commit to '") != std::string::npos, first.message.c_str());
    QVERIFY2(first.message.find(cause.toStdString()) != std::string::npos, first.message.c_str());
    QVERIFY2(first.message.find("try again later") != std::string::npos, first.message.c_str());
    qInfo("refused with: %s", first.message.c_str());

    // From now on every durable publish fails, over HTTP and over the WebSocket, while
    // the rest of the node serves.
    for (int i = 0; i < 10; ++i) {
        const auto k = key();
        auto a = publish(http, kDurable, k, next);
        QVERIFY2(a.status == 503 && a.code == "unavailable", a.raw.c_str());
        refused.push_back(k);

        const auto wsKey = key();
        auto reply = alice->request(cmd("publish", {{"channel", kDurable}, {"data", next}, {"key", wsKey}}));
        QCOMPARE(errorOf(reply), QStringLiteral("unavailable"));
        QVERIFY(reply->at("error").as_object().at("message").as_string().find("could not commit")
                != json::string::npos);
        refused.push_back(wsKey);

        // A non-durable channel: published over both, delivered to the watcher.
        QVERIFY(requestOk(*alice, cmd("publish", {{"channel", kLive}, {"data", i}})));
        auto live = publish(http, kLive, {}, i);
        QVERIFY2(live.status == 200, live.raw.c_str());
        for (int n = 0; n < 2; ++n) {
            auto push = nextLivePush();
            QVERIFY(push);
            QCOMPARE(str(*push, "push"), std::string("pub"));
        }
    }
    QCOMPARE(httpRequest(port, "GET", "/health").status, 200);
    QCOMPARE(httpRequest(port, "GET", "/ready").status, 200);
    QVERIFY(metric(port, "aldis_store_errors_total").value_or(0) >= double(refused.size()));
    qInfo("%s: %llu faults injected, %zu publishes refused", mode.constData(), faults.injected(), refused.size());

    // 3. The disk is back: publishes succeed again, without a restart.
    QVERIFY(faults.set("off"));
    deadline.setRemainingTime(kGuardMs);
    PublishAnswer back;
    while (!deadline.hasExpired()) {
        const auto k = key();
        back = publish(http, kDurable, k, next);
        if (back.status == 200) {
            acked.emplace(k, back.offset);
            break;
        }
        refused.push_back(k);
    }
    QVERIFY2(back.status == 200, back.raw.c_str());
    // Nothing of a failed batch was kept: each refused key is new now, appended once.
    for (const auto& k : refused) {
        auto a = publish(http, kDurable, k, 0);
        QVERIFY2(a.status == 200, a.raw.c_str());
        QVERIFY2(!a.duplicate, k.c_str());
        acked.emplace(k, a.offset);
    }
    json::object ok;
    const auto wsKey = key();
    QVERIFY(requestOk(*alice, cmd("publish", {{"channel", kDurable}, {"data", "ws again"}, {"key", wsKey}}), &ok));
    acked.emplace(wsKey, static_cast<std::uint64_t>(num(ok, "offset")));

    // Acknowledged offsets are 1..N: no offset was consumed by a failed batch.
    std::vector<std::uint64_t> offsets;
    for (const auto& [k, offset] : acked)
        offsets.push_back(offset);
    std::sort(offsets.begin(), offsets.end());
    for (std::size_t i = 0; i < offsets.size(); ++i)
        QCOMPARE(offsets[i], std::uint64_t(i + 1));

    // The watcher got exactly the committed publications of kDurable, in order: none
    // of a failed batch.
    while (delivered.size() < acked.size()) {
        auto push = watcher->nextPush(kGuardMs);
        QVERIFY2(push, "a committed publication was not delivered");
        QCOMPARE(str(*push, "channel"), std::string(kDurable));
        delivered.push_back(num(*push, "offset"));
    }
    QVERIFY(nothingQueued(*watcher));
    for (std::size_t i = 0; i < delivered.size(); ++i)
        QCOMPARE(delivered[i], std::int64_t(i + 1));

    // The log names the failure and the recovery, without a line per failed request.
    QVERIFY(daemon.waitForOutput("store: commits to '" + dbPath.toUtf8() + "' failed: " + cause, 0, kGuardMs));
    QVERIFY(daemon.waitForOutput("store: commits to '" + dbPath.toUtf8() + "' succeed again", 0, kGuardMs));
    const int failureLines = countLines(daemon.output(), "store: commits to '");
    QVERIFY2(failureLines < int(refused.size()), daemon.output().constData());

    // 4. A restart: everything acknowledged is there, at its offset, and nothing else.
    alice.reset();
    watcher.reset();
    daemon.signal(SIGTERM);
    QCOMPARE(daemon.waitForExit(), 0);
    QCOMPARE(integrityCheck(dbPath), QStringLiteral("ok"));
    auto problem = checkStoreHoldsExactly(dbPath, acked);
    QVERIFY2(problem.empty(), problem.c_str());
    QVERIFY2(daemon.start(), daemon.output().constData());
    HttpTestClient again(daemon.port());
    auto after = publish(again, kDurable, key(), next);
    QVERIFY2(after.status == 200, after.raw.c_str());
    QCOMPARE(after.offset, std::uint64_t(acked.size() + 1));
    daemon.signal(SIGTERM);
    QCOMPARE(daemon.waitForExit(), 0);
    QCOMPARE(integrityCheck(dbPath), QStringLiteral("ok"));
    qInfo("%zu publications acknowledged, %zu refused and acknowledged after the disk came back", acked.size(),
          refused.size());
}

void TestStoreFaults::checkpointFailure_data()
{
    QTest::addColumn<QByteArray>("mode");
    QTest::addColumn<QByteArray>("cause");
    QTest::addRow("fsync of the database file fails (EIO)") << QByteArray("eio-db")
                                                            << QByteArray("disk I/O error (fsync");
    QTest::addRow("no space for the database file (ENOSPC)") << QByteArray("enospc-db")
                                                             << QByteArray("database or disk is full");
}

void TestStoreFaults::checkpointFailure()
{
    QFETCH(QByteArray, mode);
    QFETCH(QByteArray, cause);
    FaultControl faults;
    QVERIFY(faults.set("off"));
    DaemonProcess daemon(QStringLiteral("[namespaces.default]\nhistory_size = 100000\n"));
    faults.attach(daemon);
    QVERIFY2(daemon.start(), daemon.output().constData());
    // Only now: creating the file writes and fsyncs it.
    QVERIFY(faults.set(mode.constData()));
    const auto dbPath = daemon.dataDir() + "/aldis.db";
    HttpTestClient http(daemon.port());

    std::map<std::string, std::uint64_t> acked;
    int next = 0;
    auto publishOk = [&]() -> bool {
        const auto k = "k" + std::to_string(++next);
        auto a = publish(http, kDurable, k, next);
        // Committed in the WAL: acknowledged, whatever the checkpoint does.
        if (a.status != 200 || a.offset != std::uint64_t(next)) {
            qWarning("publish %d: %s", next, a.raw.c_str());
            return false;
        }
        acked.emplace(k, a.offset);
        return true;
    };

    // Each commit adds a few pages to the WAL; past 1000 frames the writer checkpoints,
    // and the checkpoint's write or fsync of the database file fails.
    QDeadlineTimer deadline(kGuardMs * 4);
    while (faults.injected() == 0 && !deadline.hasExpired())
        QVERIFY(publishOk());
    const auto firstFailures = faults.injected();
    QVERIFY2(firstFailures > 0, "no checkpoint was tried");
    QVERIFY(daemon.waitForOutput("store: checkpoints of '" + dbPath.toUtf8() + "' failed: " + cause, 0, kGuardMs));
    // 300 more commits: a failed checkpoint is tried again a second later, not after
    // every commit (which copied the whole WAL into the database file again each time,
    // before the batch was acknowledged). The bound only fails if 300 publishes took
    // more than 100 s.
    for (int i = 0; i < 300; ++i)
        QVERIFY(publishOk());
    const auto retries = faults.injected() - firstFailures;
    QVERIFY2(retries < 100, qPrintable(QString::number(retries)));

    // The disk is back: the next checkpoint succeeds, and says so.
    QVERIFY(faults.set("off"));
    deadline.setRemainingTime(kGuardMs);
    while (!daemon.output().contains("store: checkpoints of '" + dbPath.toUtf8() + "' succeed again")
           && !deadline.hasExpired()) {
        QVERIFY(publishOk());
        daemon.process().waitForReadyRead(10);
    }
    QVERIFY2(daemon.output().contains("store: checkpoints of '" + dbPath.toUtf8() + "' succeed again"),
             daemon.output().constData());
    // No request failed: nothing for the metric.
    QCOMPARE(metric(daemon.port(), "aldis_store_errors_total").value_or(-1), 0.0);
    daemon.signal(SIGTERM);
    QCOMPARE(daemon.waitForExit(), 0);
    QCOMPARE(integrityCheck(dbPath), QStringLiteral("ok"));
    auto problem = checkStoreHoldsExactly(dbPath, acked);
    QVERIFY2(problem.empty(), problem.c_str());
    qInfo("%zu publications acknowledged; %llu checkpoints failed (%llu during the last 300 commits)", acked.size(),
          faults.injected(), retries);
}

QTEST_GUILESS_MAIN(TestStoreFaults)
#include "tst_store_faults.moc"

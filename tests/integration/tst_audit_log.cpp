// SPDX-License-Identifier: Apache-2.0
// admin::AuditLog on a real file: entries survive a reopen with their ids, newest
// come first, numbering continues, a damaged line is skipped without losing the rest,
// and only the last kKept entries are served.

#include "admin/audit_log.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace aldis::admin;

class TestAuditLog : public QObject {
    Q_OBJECT
private slots:
    void survivesReopen();
    void skipsDamagedLines();
    void keepsTheLastEntries();
};

void TestAuditLog::survivesReopen()
{
    QTemporaryDir dir;
    const auto path = std::filesystem::path(dir.filePath("audit.jsonl").toStdString());
    {
        AuditLog log(path);
        QCOMPARE(log.append("ops", "drain", "n1", "ok", "closed 3 clients").id, std::uint64_t(1));
        QCOMPARE(log.append("ops", "promote-region", "eu", "refused", "not in a cluster").id, std::uint64_t(2));
    }
    AuditLog reopened(path);
    auto entries = reopened.recent(10);
    QCOMPARE(entries.size(), std::size_t(2));
    QCOMPARE(entries[0].action, std::string("promote-region"));
    QCOMPARE(entries[0].result, std::string("refused"));
    QCOMPARE(entries[1].message, std::string("closed 3 clients"));
    QVERIFY(entries[1].timeMs > 0);
    QCOMPARE(reopened.append("ops", "undrain", "n1", "ok", "").id, std::uint64_t(3));
    QCOMPARE(reopened.recent(1).size(), std::size_t(1));
}

void TestAuditLog::skipsDamagedLines()
{
    QTemporaryDir dir;
    const auto file = dir.filePath("audit.jsonl");
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"id":1,"time":5,"actor":"a","action":"drain","target":"n1","result":"ok","message":"m"})" "\n");
        f.write("{truncated by a full disk\n");
        f.write("\n");
        f.write(R"({"id":7,"time":6,"actor":"b","action":"undrain","target":"n1","result":"ok","message":""})" "\n");
    }
    AuditLog log(file.toStdString());
    auto entries = log.recent(10);
    QCOMPARE(entries.size(), std::size_t(2));
    QCOMPARE(entries[0].id, std::uint64_t(7));
    QCOMPARE(log.append("c", "drain", "n1", "ok", "").id, std::uint64_t(8));
}

void TestAuditLog::keepsTheLastEntries()
{
    QTemporaryDir dir;
    const auto path = std::filesystem::path(dir.filePath("audit.jsonl").toStdString());
    AuditLog log(path);
    for (std::size_t i = 0; i < AuditLog::kKept + 5; ++i)
        log.append("ops", "drain", "n1", "refused", std::to_string(i));
    auto entries = log.recent(AuditLog::kKept + 100);
    QCOMPARE(entries.size(), AuditLog::kKept);
    QCOMPARE(entries.front().message, std::to_string(AuditLog::kKept + 4));
    QCOMPARE(entries.back().message, std::string("5"));
    // The file keeps everything.
    AuditLog reopened(path);
    QCOMPARE(reopened.recent(1).front().id, std::uint64_t(AuditLog::kKept + 5));
}

QTEST_APPLESS_MAIN(TestAuditLog)
#include "tst_audit_log.moc"

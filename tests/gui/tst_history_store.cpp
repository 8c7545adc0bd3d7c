// SPDX-License-Identifier: Apache-2.0
// The control room's local history: write, reopen the file, query ranges, prune.

#include "ui/history/history_store.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace aldis::ui;

namespace {

constexpr qint64 kBase = 1795000000000;
constexpr qint64 kHour = 3600 * 1000;

HistorySample sampleAt(qint64 timeMs, double p99, double deliveries, qint64 connections,
                       QList<LagPoint> lag = {})
{
    HistorySample s;
    s.timeMs = timeMs;
    s.p50Ms = p99 / 4;
    s.p95Ms = p99 / 2;
    s.p99Ms = p99;
    s.publicationsPerS = deliveries / 10;
    s.deliveriesPerS = deliveries;
    s.connections = connections;
    s.lag = std::move(lag);
    return s;
}

} // namespace

class TestHistoryStore : public QObject {
    Q_OBJECT
private slots:
    void writeReopenQuery();
    void range_data();
    void range();
    void buckets();
    void lagPerPartition();
    void prune();
    void pruneOnAppend();
    void unusablePath();
};

void TestHistoryStore::writeReopenQuery()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("sub/history.db");
    {
        HistoryStore store(path);
        QVERIFY2(store.open(), qPrintable(store.lastError()));
        QVERIFY(store.append({{"n1", sampleAt(kBase, 0.3, 30, 3)}, {"n2", sampleAt(kBase, 1.5, 10, 1)}}));
        QVERIFY(store.append({{"n1", sampleAt(kBase + 1000, 0.4, 31, 4)}}));
    }
    HistoryStore reopened(path);
    QVERIFY2(reopened.open(), qPrintable(reopened.lastError()));
    QCOMPARE(reopened.nodeIds(), (QStringList{"n1", "n2"}));
    const QList<HistorySample> n1 = reopened.samples("n1", kBase - kHour, kBase + kHour);
    QCOMPARE(n1.size(), 2);
    QCOMPARE(n1.at(0).timeMs, kBase);
    QCOMPARE(n1.at(0).p99Ms, 0.3);
    QCOMPARE(n1.at(0).p95Ms, 0.15);
    QCOMPARE(n1.at(0).deliveriesPerS, 30.0);
    QCOMPARE(n1.at(0).publicationsPerS, 3.0);
    QCOMPARE(n1.at(0).connections, qint64(3));
    QCOMPARE(n1.at(1).connections, qint64(4));
    QCOMPARE(reopened.samples("n2", kBase - kHour, kBase + kHour).size(), 1);
    QCOMPARE(reopened.samples("n3", kBase - kHour, kBase + kHour).size(), 0);
    // Writing the same second twice keeps one sample (the later one).
    QVERIFY(reopened.append({{"n1", sampleAt(kBase + 1000, 0.9, 31, 4)}}));
    const QList<HistorySample> again = reopened.samples("n1", kBase, kBase + 1000);
    QCOMPARE(again.size(), 2);
    QCOMPARE(again.at(1).p99Ms, 0.9);
}

void TestHistoryStore::range_data()
{
    QTest::addColumn<qint64>("from");
    QTest::addColumn<qint64>("to");
    QTest::addColumn<int>("count");
    QTest::addColumn<qint64>("first");
    // Samples every minute for 3 hours: kBase, kBase + 1 min, ..., kBase + 179 min.
    QTest::addRow("all") << kBase << kBase + 3 * kHour << 180 << kBase;
    QTest::addRow("last 15 min") << kBase + 165 * 60000 << kBase + 3 * kHour << 15 << kBase + 165 * 60000;
    QTest::addRow("first hour, bounds included") << kBase << kBase + kHour << 61 << kBase;
    QTest::addRow("before") << kBase - 2 * kHour << kBase - 1 << 0 << qint64(0);
    QTest::addRow("after") << kBase + 4 * kHour << kBase + 5 * kHour << 0 << qint64(0);
}

void TestHistoryStore::range()
{
    QFETCH(qint64, from);
    QFETCH(qint64, to);
    QFETCH(int, count);
    QFETCH(qint64, first);
    QTemporaryDir dir;
    HistoryStore store(dir.filePath("history.db"));
    QVERIFY(store.open());
    QList<NodeSample> batch;
    for (int minute = 0; minute < 180; ++minute)
        batch.append({"n1", sampleAt(kBase + minute * 60000, minute, minute * 10, minute)});
    QVERIFY(store.append(batch));
    const QList<HistorySample> result = store.samples("n1", from, to);
    QCOMPARE(result.size(), count);
    if (count > 0) {
        QCOMPARE(result.first().timeMs, first);
        for (int i = 1; i < result.size(); ++i)
            QVERIFY(result.at(i - 1).timeMs < result.at(i).timeMs);
    }
}

void TestHistoryStore::buckets()
{
    QTemporaryDir dir;
    HistoryStore store(dir.filePath("history.db"));
    QVERIFY(store.open());
    QList<NodeSample> batch;
    for (int second = 0; second < 60; ++second)
        batch.append({"n1", sampleAt(kBase + second * 1000, second == 7 ? 100.0 : 1.0, 20, 2)});
    QVERIFY(store.append(batch));
    const QList<HistorySample> result = store.samples("n1", kBase, kBase + 60000, 10000);
    QCOMPARE(result.size(), 6);
    QCOMPARE(result.at(0).timeMs, kBase - kBase % 10000);
    // P99 keeps the spike, rates are averaged.
    QCOMPARE(result.at(0).p99Ms, 100.0);
    QCOMPARE(result.at(1).p99Ms, 1.0);
    QCOMPARE(result.at(0).deliveriesPerS, 20.0);
    QCOMPARE(result.at(0).connections, qint64(2));
}

void TestHistoryStore::lagPerPartition()
{
    QTemporaryDir dir;
    HistoryStore store(dir.filePath("history.db"));
    QVERIFY(store.open());
    QVERIFY(store.append({{"n1", sampleAt(kBase, 1, 1, 1, {{"aldis.chat", 0, 12}, {"aldis.chat", 1, 3}})}}));
    QVERIFY(store.append({{"n1", sampleAt(kBase + 1000, 1, 1, 1, {{"aldis.chat", 0, 40}})}}));
    const QMap<QString, QList<QPointF>> lag = store.lag("n1", kBase, kBase + 1000);
    QCOMPARE(lag.keys(), (QStringList{"aldis.chat/0", "aldis.chat/1"}));
    QCOMPARE(lag.value("aldis.chat/0"),
             (QList<QPointF>{QPointF(double(kBase), 12), QPointF(double(kBase + 1000), 40)}));
    QCOMPARE(lag.value("aldis.chat/1").size(), 1);
    const QMap<QString, QList<QPointF>> bucketed = store.lag("n1", kBase, kBase + 1000, 60000);
    QCOMPARE(bucketed.value("aldis.chat/0").size(), 1);
    QCOMPARE(bucketed.value("aldis.chat/0").first().y(), 40.0);
    QVERIFY(store.lag("n2", kBase, kBase + 1000).isEmpty());
}

void TestHistoryStore::prune()
{
    QTemporaryDir dir;
    HistoryStore store(dir.filePath("history.db"));
    QVERIFY(store.open());
    const qint64 now = kBase + 50 * kHour;
    QList<NodeSample> batch;
    for (int hour = 0; hour <= 50; ++hour)
        batch.append({"n1", sampleAt(kBase + hour * kHour, 1, 1, 1, {{"t", 0, hour}})});
    // The append prunes against its newest sample: hours 0 and 1 are more than 48 h
    // before hour 50.
    QVERIFY(store.append(batch));
    QList<HistorySample> kept = store.samples("n1", 0, now);
    QCOMPARE(kept.size(), 49);
    QCOMPARE(kept.first().timeMs, kBase + 2 * kHour);
    QCOMPARE(store.lag("n1", 0, now).value("t/0").size(), 49);
    QCOMPARE(store.prune(now), 0);
    // An hour later hour 2 goes too.
    QCOMPARE(store.prune(now + kHour), 1);
    kept = store.samples("n1", 0, now);
    QCOMPARE(kept.size(), 48);
    QCOMPARE(kept.first().timeMs, kBase + 3 * kHour);
    QCOMPARE(store.lag("n1", 0, now).value("t/0").size(), 48);
}

void TestHistoryStore::pruneOnAppend()
{
    QTemporaryDir dir;
    HistoryStore store(dir.filePath("history.db"), kHour);
    QVERIFY(store.open());
    QVERIFY(store.append({{"n1", sampleAt(kBase, 1, 1, 1)}}));
    // Two hours later, with a one hour retention: the first append of the new hour
    // prunes the old sample.
    QVERIFY(store.append({{"n1", sampleAt(kBase + 2 * kHour, 1, 1, 1)}}));
    const QList<HistorySample> kept = store.samples("n1", 0, kBase + 3 * kHour);
    QCOMPARE(kept.size(), 1);
    QCOMPARE(kept.first().timeMs, kBase + 2 * kHour);
}

void TestHistoryStore::unusablePath()
{
    QTemporaryDir dir;
    QFile blocker(dir.filePath("file"));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    HistoryStore store(dir.filePath("file/history.db"));
    QVERIFY(!store.open());
    QVERIFY(!store.isOpen());
    QVERIFY(!store.lastError().isEmpty());
    QVERIFY(!store.append({{"n1", sampleAt(kBase, 1, 1, 1)}}));
    QVERIFY(store.samples("n1", 0, kBase).isEmpty());
}

QTEST_GUILESS_MAIN(TestHistoryStore)
#include "tst_history_store.moc"

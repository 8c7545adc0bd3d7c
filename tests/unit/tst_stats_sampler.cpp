// SPDX-License-Identifier: Apache-2.0
// admin::StatsSampler: rates from counter differences, the latency of the last
// interval from histogram differences (buckets add up to the count), and connection
// drops over a minute that leave out the node's own drain (4007).

#include "admin/stats_sampler.h"

#include <QtTest>

using namespace aldis;
using namespace aldis::admin;
using namespace std::chrono_literals;

class TestStatsSampler : public QObject {
    Q_OBJECT
private slots:
    void ratesAreDifferencesOverTime();
    void latencyOfTheIntervalOnly();
    void dropsOverAMinuteLeaveOutTheDrain();
};

void TestStatsSampler::ratesAreDifferencesOverTime()
{
    observability::Metrics metrics;
    StatsSampler sampler(metrics);
    const auto t0 = Clock::now();
    metrics.publications.add(100);
    auto first = sampler.sample(t0, 1000);
    QCOMPARE(first.publicationsPerS, 0.0); // no previous sample yet
    metrics.publications.add(50);
    metrics.deliveries.add(500);
    metrics.commands.add(20);
    auto second = sampler.sample(t0 + 2s, 3000);
    QCOMPARE(second.intervalS, 2.0);
    QCOMPARE(second.publicationsPerS, 25.0);
    QCOMPARE(second.deliveriesPerS, 250.0);
    QCOMPARE(second.commandsPerS, 10.0);
    QCOMPARE(second.timeMs, std::int64_t(3000));
}

void TestStatsSampler::latencyOfTheIntervalOnly()
{
    observability::Metrics metrics;
    StatsSampler sampler(metrics);
    const auto t0 = Clock::now();
    for (int i = 0; i < 100; ++i)
        metrics.publishToDeliver.observe(0.100); // 100 ms before the first sample
    sampler.sample(t0, 0);
    for (int i = 0; i < 50; ++i)
        metrics.publishToDeliver.observe(0.001); // 1 ms in the interval
    auto s = sampler.sample(t0 + 1s, 1000);
    QCOMPARE(s.latency.count, std::uint64_t(50));
    QVERIFY2(s.latency.p99Ms < 2.0, qPrintable(QString::number(s.latency.p99Ms)));
    QVERIFY(s.latency.p50Ms <= s.latency.p95Ms && s.latency.p95Ms <= s.latency.p99Ms);
    std::uint64_t inBuckets = 0;
    for (const auto& [bound, count] : s.latency.buckets) {
        QVERIFY(bound > 0);
        inBuckets += count;
    }
    QCOMPARE(inBuckets, std::uint64_t(50));
    // Since start: both groups, so the p99 is around 100 ms.
    QCOMPARE(s.latencyTotal.count, std::uint64_t(150));
    QVERIFY(s.latencyTotal.p99Ms > 50.0);
    // A quiet interval has no latency at all (not zeros pretending to be fast).
    auto quiet = sampler.sample(t0 + 2s, 2000);
    QCOMPARE(quiet.latency.count, std::uint64_t(0));
    QVERIFY(quiet.latency.buckets.empty());
}

void TestStatsSampler::dropsOverAMinuteLeaveOutTheDrain()
{
    observability::Metrics metrics;
    StatsSampler sampler(metrics);
    const auto t0 = Clock::now();
    metrics.connectionsTotal.add(100);
    metrics.connections.set(100);
    sampler.sample(t0, 0);
    // 30 clients go away by themselves, 20 are closed by a drain.
    metrics.connections.set(50);
    metrics.disconnects.add("4007", 20);
    auto s = sampler.sample(t0 + 10s, 10'000);
    QCOMPARE(s.drops1m, std::uint64_t(30));
    QCOMPARE(s.dropPercent1m, 30.0);
    QCOMPARE(s.disconnectsPerS, 5.0);
    // A minute later the window has moved past them.
    auto later = sampler.sample(t0 + 75s, 75'000);
    QCOMPARE(later.drops1m, std::uint64_t(0));
    QCOMPARE(later.dropPercent1m, 0.0);
}

QTEST_APPLESS_MAIN(TestStatsSampler)
#include "tst_stats_sampler.moc"

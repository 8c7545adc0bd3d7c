// SPDX-License-Identifier: Apache-2.0
// The alert rules (admin::AlertEngine): each rule fires only after its condition held
// for `alerts.for`, clears only after it was false for as long, a threshold of 0 turns
// a rule off, and a second without deliveries neither fires nor clears the latency rule.

#include "admin/alert_engine.h"

#include <QtTest>

using namespace aldis;
using namespace aldis::admin;
using namespace std::chrono_literals;

namespace {

StatsSnapshot withP99(double p99Ms, std::uint64_t count = 100)
{
    StatsSnapshot s;
    s.timeMs = 1'795'000'000'000;
    s.latency.count = count;
    s.latency.p99Ms = p99Ms;
    return s;
}

config::AlertsConfig rules(Millis holdFor = 3s)
{
    config::AlertsConfig c;
    c.p99LatencyMs = 50;
    c.consumerLag = 1000;
    c.connectionDropPercent = 20;
    c.connectionDropMinimum = 5;
    c.holdFor = holdFor;
    return c;
}

} // namespace

class TestAlertEngine : public QObject {
    Q_OBJECT
private slots:
    void latencyFiresAfterHoldAndClearsAfterHold();
    void shortSpikeDoesNotFire();
    void silenceKeepsTheLatencyState();
    void zeroThresholdTurnsARuleOff();
    void lagRuleNamesTheWorstPartition();
    void dropRule_data();
    void dropRule();
    void rulesListTheThresholds();
};

void TestAlertEngine::latencyFiresAfterHoldAndClearsAfterHold()
{
    AlertEngine engine(rules(3s));
    const auto t0 = Clock::now();
    QVERIFY(engine.evaluate(withP99(80), t0).empty());
    QVERIFY(engine.evaluate(withP99(80), t0 + 2s).empty());
    auto changes = engine.evaluate(withP99(90), t0 + 3s);
    QCOMPARE(changes.size(), std::size_t(1));
    QVERIFY(changes[0].raised);
    QCOMPARE(changes[0].alert.rule, std::string("p99_latency"));
    QCOMPARE(changes[0].alert.value, 90.0);
    QCOMPARE(changes[0].alert.threshold, 50.0);
    QVERIFY(changes[0].alert.message.find("90.0 ms is above 50 ms") != std::string::npos);
    QCOMPARE(engine.active().size(), std::size_t(1));

    // Still high: no new change, the value follows.
    QVERIFY(engine.evaluate(withP99(120), t0 + 4s).empty());
    QCOMPARE(engine.active()[0].value, 120.0);

    // Back to normal: clears only after 3 s of normal.
    QVERIFY(engine.evaluate(withP99(1), t0 + 5s).empty());
    QVERIFY(engine.evaluate(withP99(1), t0 + 7s).empty());
    changes = engine.evaluate(withP99(1), t0 + 8s);
    QCOMPARE(changes.size(), std::size_t(1));
    QVERIFY(!changes[0].raised);
    QVERIFY(engine.active().empty());
}

void TestAlertEngine::shortSpikeDoesNotFire()
{
    AlertEngine engine(rules(3s));
    const auto t0 = Clock::now();
    engine.evaluate(withP99(1), t0);
    QVERIFY(engine.evaluate(withP99(500), t0 + 1s).empty());
    QVERIFY(engine.evaluate(withP99(500), t0 + 2s).empty());
    QVERIFY(engine.evaluate(withP99(1), t0 + 3s).empty());
    QVERIFY(engine.evaluate(withP99(1), t0 + 10s).empty());
    QVERIFY(engine.active().empty());
}

void TestAlertEngine::silenceKeepsTheLatencyState()
{
    AlertEngine engine(rules(1s));
    const auto t0 = Clock::now();
    engine.evaluate(withP99(80), t0);
    QCOMPARE(engine.evaluate(withP99(80), t0 + 1s).size(), std::size_t(1));
    // Seconds with no deliveries: still firing, with the last known value.
    QVERIFY(engine.evaluate(withP99(0, 0), t0 + 2s).empty());
    QVERIFY(engine.evaluate(withP99(0, 0), t0 + 10s).empty());
    QCOMPARE(engine.active().size(), std::size_t(1));
    QCOMPARE(engine.active()[0].value, 80.0);
    QVERIFY(engine.active()[0].message.find("80.0 ms") != std::string::npos);
}

void TestAlertEngine::zeroThresholdTurnsARuleOff()
{
    auto config = rules(1s);
    config.p99LatencyMs = 0;
    AlertEngine engine(config);
    const auto t0 = Clock::now();
    engine.evaluate(withP99(10'000), t0);
    QVERIFY(engine.evaluate(withP99(10'000), t0 + 5s).empty());
    QVERIFY(engine.active().empty());

    // Turned off while firing (a reload): the alert clears after the hold time.
    config.p99LatencyMs = 50;
    engine.setConfig(config);
    engine.evaluate(withP99(80), t0 + 6s);
    QCOMPARE(engine.evaluate(withP99(80), t0 + 7s).size(), std::size_t(1));
    config.p99LatencyMs = 0;
    engine.setConfig(config);
    engine.evaluate(withP99(80), t0 + 8s);
    auto changes = engine.evaluate(withP99(80), t0 + 9s);
    QCOMPARE(changes.size(), std::size_t(1));
    QVERIFY(!changes[0].raised);
}

void TestAlertEngine::lagRuleNamesTheWorstPartition()
{
    AlertEngine engine(rules(1s));
    StatsSnapshot s;
    s.lag = {{"aldis.chat", 0, 10}, {"aldis.chat", 3, 5000}, {"aldis.news", 1, 1200}};
    const auto t0 = Clock::now();
    engine.evaluate(s, t0);
    auto changes = engine.evaluate(s, t0 + 1s);
    QCOMPARE(changes.size(), std::size_t(1));
    QCOMPARE(changes[0].alert.rule, std::string("consumer_lag"));
    QCOMPARE(changes[0].alert.value, 5000.0);
    QVERIFY(changes[0].alert.message.find("aldis.chat[3]") != std::string::npos);
}

void TestAlertEngine::dropRule_data()
{
    QTest::addColumn<quint64>("drops");
    QTest::addColumn<double>("percent");
    QTest::addColumn<bool>("fires");
    QTest::addRow("many drops, high share") << quint64(50) << 25.0 << true;
    QTest::addRow("many drops, low share") << quint64(50) << 5.0 << false;
    QTest::addRow("few drops, high share") << quint64(4) << 100.0 << false;
    QTest::addRow("minimum drops, high share") << quint64(5) << 100.0 << true;
    QTest::addRow("exactly the threshold") << quint64(10) << 20.0 << false;
}

void TestAlertEngine::dropRule()
{
    QFETCH(quint64, drops);
    QFETCH(double, percent);
    QFETCH(bool, fires);
    AlertEngine engine(rules(1s));
    StatsSnapshot s;
    s.drops1m = drops;
    s.dropPercent1m = percent;
    const auto t0 = Clock::now();
    engine.evaluate(s, t0);
    const auto changes = engine.evaluate(s, t0 + 1s);
    QCOMPARE(!changes.empty(), fires);
    if (fires)
        QCOMPARE(changes[0].alert.rule, std::string("connection_drops"));
}

void TestAlertEngine::rulesListTheThresholds()
{
    AlertEngine engine(rules());
    const auto list = engine.rules();
    QCOMPARE(list.size(), std::size_t(3));
    QCOMPARE(list[0].name, std::string("p99_latency"));
    QCOMPARE(list[0].threshold, 50.0);
    QCOMPARE(list[1].threshold, 1000.0);
    QCOMPARE(list[2].unit, std::string("percent per minute"));
}

QTEST_APPLESS_MAIN(TestAlertEngine)
#include "tst_alert_engine.moc"

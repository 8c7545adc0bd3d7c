// SPDX-License-Identifier: Apache-2.0
// aldis-bench's latency histogram (bench/aldis_bench/histogram.h): the percentiles
// that docs/benchmarks.md quotes must be those of the recorded values, within the
// histogram's resolution (1/64 above 128 ns, exact below).

#include "aldis_bench/histogram.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using aldis::bench::Histogram;

class TestBenchHistogram : public QObject {
    Q_OBJECT

private slots:
    void percentilesMatchTheSortedValues()
    {
        std::mt19937_64 random(42);
        std::lognormal_distribution<double> latency(std::log(2e6), 1.0); // about 2 ms, long tail
        std::vector<std::uint64_t> values;
        Histogram h;
        for (int i = 0; i < 100000; ++i) {
            const auto v = static_cast<std::uint64_t>(latency(random));
            values.push_back(v);
            h.record(v);
        }
        std::sort(values.begin(), values.end());
        QCOMPARE(h.count(), std::uint64_t{values.size()});
        QCOMPARE(h.max(), values.back());
        QCOMPARE(h.min(), values.front());
        for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
            const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
            const double exact = static_cast<double>(values[rank - 1]);
            const double got = static_cast<double>(h.percentile(p));
            QVERIFY2(std::abs(got - exact) <= exact / 64.0 + 1.0,
                     qPrintable(QString("p%1: %2 from the histogram, %3 sorted").arg(p).arg(got).arg(exact)));
        }
        QCOMPARE(h.percentile(100), values.back());
    }

    void smallValuesAreExact()
    {
        Histogram h;
        for (std::uint64_t v = 0; v < 100; ++v)
            h.record(v);
        QCOMPARE(h.percentile(50), std::uint64_t{49});
        QCOMPARE(h.percentile(1), std::uint64_t{0});
        QCOMPARE(h.max(), std::uint64_t{99});
    }

    void mergeAddsAndSpectrumEndsAtTheMax()
    {
        Histogram a, b;
        for (int i = 0; i < 1000; ++i)
            a.record(1'000'000);
        b.record(50'000'000);
        a.merge(b);
        QCOMPARE(a.count(), std::uint64_t{1001});
        QCOMPARE(a.max(), std::uint64_t{50'000'000});
        QVERIFY(std::abs(static_cast<double>(a.percentile(50)) - 1e6) <= 1e6 / 64);
        const auto spectrum = a.spectrum();
        QVERIFY(!spectrum.empty());
        QCOMPARE(spectrum.back().first, 100.0);
        QCOMPARE(spectrum.back().second, std::uint64_t{50'000'000});
        for (std::size_t i = 1; i < spectrum.size(); ++i) {
            QVERIFY(spectrum[i].first >= spectrum[i - 1].first);
            QVERIFY(spectrum[i].second >= spectrum[i - 1].second);
        }
        QVERIFY(a.json(true).find("\"p99_us\":") != std::string::npos);
    }

    void emptyIsZero()
    {
        Histogram h;
        QCOMPARE(h.count(), std::uint64_t{0});
        QCOMPARE(h.percentile(99), std::uint64_t{0});
        QCOMPARE(h.min(), std::uint64_t{0});
        QVERIFY(h.spectrum().empty());
    }
};

QTEST_APPLESS_MAIN(TestBenchHistogram)
#include "tst_bench_histogram.moc"

// SPDX-License-Identifier: Apache-2.0
// The node's latency histogram (observability::Histogram): every value lands in the
// bucket whose bounds hold it, which is what /metrics and the alerts read.

#include "observability/metrics.h"

#include <QtTest>

#include <cmath>

using aldis::observability::Histogram;

class TestMetricsHistogram : public QObject {
    Q_OBJECT

private:
    static std::size_t bucketOf(double seconds)
    {
        Histogram h;
        h.observe(seconds);
        const auto s = h.snapshot();
        for (std::size_t i = 0; i < Histogram::kBuckets; ++i)
            if (s.counts[i])
                return i;
        return Histogram::kBuckets;
    }

private slots:
    void valuesLandInTheBucketWhoseBoundsHoldThem()
    {
        // From below a microsecond to beyond the last bound, about 20 values per bucket.
        for (double v = 1e-7; v < 1e3; v *= 1.0087) {
            const std::size_t b = bucketOf(v);
            QVERIFY2(b < Histogram::kBuckets, qPrintable(QString::number(v)));
            if (b + 1 < Histogram::kBuckets)
                QVERIFY2(v <= Histogram::upperBound(b) * (1 + 1e-12), qPrintable(QString("%1 above bucket %2").arg(v).arg(b)));
            if (b > 0 && b + 1 < Histogram::kBuckets)
                QVERIFY2(v > Histogram::upperBound(b - 1) * (1 - 1e-12), qPrintable(QString("%1 below bucket %2").arg(v).arg(b)));
        }
    }

    void boundsThemselvesStayInTheirBucket()
    {
        for (std::size_t b = 1; b + 1 < Histogram::kBuckets; ++b)
            QCOMPARE(bucketOf(Histogram::upperBound(b)), b);
        QCOMPARE(bucketOf(0.0), std::size_t{0});
        QCOMPARE(bucketOf(-1.0), std::size_t{0});
        QCOMPARE(bucketOf(1e9), Histogram::kBuckets - 1);
    }

    void aBatchAddsWhatItObserved()
    {
        Histogram direct;
        Histogram batched;
        aldis::observability::HistogramBatch batch;
        for (double v : {0.0, 2e-6, 3e-4, 3e-4, 0.02, 1.5, 1e6}) {
            direct.observe(v);
            batch.observe(v);
        }
        batch.addTo(batched);
        batch.addTo(batched); // emptied by the first addTo: adds nothing
        const auto a = direct.snapshot();
        const auto b = batched.snapshot();
        QCOMPARE(b.count, a.count);
        QCOMPARE(b.sum, a.sum);
        for (std::size_t i = 0; i < Histogram::kBuckets; ++i)
            QCOMPARE(b.counts[i], a.counts[i]);
    }

    void quantileReadsTheBuckets()
    {
        Histogram h;
        for (int i = 0; i < 99; ++i)
            h.observe(0.001);
        h.observe(0.5);
        const auto s = h.snapshot();
        QCOMPARE(s.count, std::uint64_t{100});
        QVERIFY(s.quantile(0.5) >= 0.001 && s.quantile(0.5) < 0.0012);
        QVERIFY(s.quantile(1.0) >= 0.5);
    }
};

QTEST_APPLESS_MAIN(TestMetricsHistogram)
#include "tst_metrics_histogram.moc"

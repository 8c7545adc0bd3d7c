// SPDX-License-Identifier: Apache-2.0
#include "ui/widgets/latency_chart.h"

#include "ui/models/health.h"
#include "ui/theme.h"
#include "ui/widgets/time_series_chart.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QJsonArray>
#include <QLegend>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPen>
#include <QSplitter>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace aldis::ui {

namespace {

// Bucket bounds are log-spaced, 4 per power of two (docs/admin-api.md).
const double kBucketRatio = std::pow(2.0, 0.25);
const char* const kMarkerNames[3] = {"P50", "P95", "P99"};
const char* const kMarkerKeys[3] = {"p50_ms", "p95_ms", "p99_ms"};

} // namespace

LatencyChart::LatencyChart(QWidget* parent)
    : QWidget(parent), m_sinceStart(new QCheckBox(tr("Since start"), this)),
      m_histogramView(new QChartView(this)), m_bars(new QLineSeries(this)), // an area series does not own its lines
      m_area(new QAreaSeries(m_bars)),
      m_xAxis(new QLogValueAxis), m_yAxis(new QValueAxis),
      m_p99(new TimeSeriesChart(tr("P99 over time"), tr("ms"), this))
{
    auto* chart = new QChart;
    chart->setTitle(tr("Publish-to-deliver latency"));
    chart->addSeries(m_area);
    m_area->setName(tr("deliveries"));
    chart->addAxis(m_xAxis, Qt::AlignBottom);
    chart->addAxis(m_yAxis, Qt::AlignLeft);
    m_xAxis->setBase(10);
    m_xAxis->setLabelFormat(QStringLiteral("%g"));
    m_xAxis->setTitleText(tr("ms"));
    m_xAxis->setRange(0.01, 10);
    m_yAxis->setTitleText(tr("deliveries"));
    m_yAxis->setLabelFormat(QStringLiteral("%d"));
    m_yAxis->setRange(0, 1);
    m_area->attachAxis(m_xAxis);
    m_area->attachAxis(m_yAxis);
    for (int i = 0; i < 3; ++i) {
        m_markers[i] = new QLineSeries;
        m_markers[i]->setName(QLatin1String(kMarkerNames[i]));
        chart->addSeries(m_markers[i]);
        m_markers[i]->attachAxis(m_xAxis);
        m_markers[i]->attachAxis(m_yAxis);
    }
    chart->legend()->setAlignment(Qt::AlignBottom);
    Theme::styleChart(chart);
    const QColor markerColors[3] = {healthColor(Health::Serving), healthColor(Health::Warning),
                                    healthColor(Health::Down)};
    for (int i = 0; i < 3; ++i) {
        QPen pen(markerColors[i]);
        pen.setWidthF(2);
        pen.setStyle(Qt::DashDotLine);
        m_markers[i]->setPen(pen);
    }
    QColor fill(0x4d, 0x9d, 0xe0);
    m_area->setColor(fill);
    m_area->setBorderColor(fill.lighter());
    // QChartView made a default chart; setChart() only releases it, so delete it.
    QChart* made = m_histogramView->chart();
    m_histogramView->setChart(chart);
    delete made;
    m_histogramView->setRenderHint(QPainter::Antialiasing);
    m_histogramView->setMinimumSize(320, 200);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_sinceStart, 0, Qt::AlignRight);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_histogramView);
    splitter->addWidget(m_p99);
    layout->addWidget(splitter, 1);
    connect(m_sinceStart, &QCheckBox::toggled, this, [this] { setStats(m_lastStats); });
    showHistogram({});
}

void LatencyChart::setStats(const QJsonObject& stats)
{
    m_lastStats = stats;
    showHistogram(stats.value(m_sinceStart->isChecked() ? QLatin1String("latency_total") : QLatin1String("latency"))
                      .toObject());
}

void LatencyChart::showHistogram(const QJsonObject& latency)
{
    const QJsonArray buckets = latency.value(QLatin1String("buckets")).toArray();
    QList<QPointF> outline;
    double maxCount = 0;
    double minX = 0;
    double maxX = 0;
    for (const QJsonValue& value : buckets) {
        const QJsonArray bucket = value.toArray();
        const double upper = bucket.at(0).toDouble();
        const double count = bucket.at(1).toDouble();
        if (upper <= 0)
            continue;
        const double lower = upper / kBucketRatio;
        outline << QPointF(lower, 0) << QPointF(lower, count) << QPointF(upper, count) << QPointF(upper, 0);
        maxCount = std::max(maxCount, count);
        minX = minX == 0 ? lower : std::min(minX, lower);
        maxX = std::max(maxX, upper);
    }
    m_bars->replace(outline);
    for (int i = 0; i < 3; ++i)
        m_markerValues[i] = latency.value(QLatin1String(kMarkerKeys[i])).toDouble();
    const double top = std::max(1.0, maxCount * 1.1);
    for (int i = 0; i < 3; ++i) {
        const double x = m_markerValues[i];
        if (x > 0 && !outline.isEmpty()) {
            m_markers[i]->replace({QPointF(x, 0), QPointF(x, top)});
            m_markers[i]->setName(tr("%1 %2 ms").arg(QLatin1String(kMarkerNames[i])).arg(x, 0, 'g', 3));
            minX = std::min(minX, x);
            maxX = std::max(maxX, x);
        } else {
            m_markers[i]->clear();
            m_markers[i]->setName(QLatin1String(kMarkerNames[i]));
        }
    }
    if (outline.isEmpty()) {
        m_xAxis->setRange(0.01, 10);
        m_histogramView->chart()->setTitle(tr("Publish-to-deliver latency (no deliveries)"));
    } else {
        m_xAxis->setRange(std::pow(10.0, std::floor(std::log10(minX))), std::pow(10.0, std::ceil(std::log10(maxX))));
        const int count = latency.value(QLatin1String("count")).toInt();
        m_histogramView->chart()->setTitle(tr("Publish-to-deliver latency (%n deliveries)", "", count));
    }
    m_yAxis->setRange(0, top);
}

void LatencyChart::setHistory(const QList<HistorySample>& samples, qint64 fromMs, qint64 toMs)
{
    QList<QPointF> p99;
    p99.reserve(samples.size());
    for (const HistorySample& s : samples)
        p99.append(QPointF(double(s.timeMs), s.p99Ms));
    m_p99->setTimeRange(fromMs, toMs);
    m_p99->setSeries(tr("P99"), p99);
    m_p99->setEmptyText(tr("no data yet"));
}

void LatencyChart::setThreshold(std::optional<double> p99ThresholdMs)
{
    m_p99->setThreshold(p99ThresholdMs,
                        p99ThresholdMs ? tr("alert at %1 ms").arg(*p99ThresholdMs, 0, 'g', 4) : QString());
}

void LatencyChart::setFontScale(double scale)
{
    Theme::styleChart(m_histogramView->chart(), scale);
    m_p99->setFontScale(scale);
}

int LatencyChart::histogramPointCount() const
{
    return int(m_bars->count());
}

std::optional<double> LatencyChart::markerMs(const QString& name) const
{
    for (int i = 0; i < 3; ++i)
        if (name == QLatin1String(kMarkerNames[i]) && m_markers[i]->count() > 0)
            return m_markerValues[i];
    return std::nullopt;
}

} // namespace aldis::ui

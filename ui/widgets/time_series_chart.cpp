// SPDX-License-Identifier: Apache-2.0
#include "ui/widgets/time_series_chart.h"

#include "ui/models/health.h"
#include "ui/theme.h"

#include <QDateTime>
#include <QDateTimeAxis>
#include <QLegend>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace aldis::ui {

namespace {

double niceCeiling(double value)
{
    if (value <= 0)
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (double step : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (value <= step * magnitude)
            return step * magnitude;
    return 10 * magnitude;
}

} // namespace

TimeSeriesChart::TimeSeriesChart(const QString& title, const QString& leftTitle, QWidget* parent)
    : QChartView(parent), m_title(title), m_timeAxis(new QDateTimeAxis), m_leftAxis(new QValueAxis)
{
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->addAxis(m_timeAxis, Qt::AlignBottom);
    chart->addAxis(m_leftAxis, Qt::AlignLeft);
    m_timeAxis->setFormat(QStringLiteral("HH:mm"));
    m_timeAxis->setTickCount(7);
    m_leftAxis->setTitleText(leftTitle);
    m_leftAxis->setLabelFormat(QStringLiteral("%.4g"));
    m_leftAxis->setRange(0, 1);
    // QChartView made a default chart; setChart() only releases it, so delete it.
    QChart* made = this->chart();
    setChart(chart);
    delete made;
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(320, 200);
    Theme::styleChart(chart);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    setTimeRange(now - 15 * 60 * 1000, now);
}

void TimeSeriesChart::setRightAxisTitle(const QString& title)
{
    if (!m_rightAxis) {
        m_rightAxis = new QValueAxis;
        m_rightAxis->setLabelFormat(QStringLiteral("%.4g"));
        m_rightAxis->setRange(0, 1);
        chart()->addAxis(m_rightAxis, Qt::AlignRight);
        Theme::styleChart(chart(), m_fontScale);
    }
    m_rightAxis->setTitleText(title);
}

void TimeSeriesChart::setTimeRange(qint64 fromMs, qint64 toMs)
{
    m_fromMs = fromMs;
    m_toMs = std::max(toMs, fromMs + 1000);
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(m_fromMs), QDateTime::fromMSecsSinceEpoch(m_toMs));
    m_timeAxis->setFormat(m_toMs - m_fromMs <= 2 * 3600 * 1000 ? QStringLiteral("HH:mm") : QStringLiteral("dd HH:mm"));
    if (m_threshold)
        setThreshold(m_threshold, m_thresholdSeries ? m_thresholdSeries->name() : QString());
    updateAxes();
}

void TimeSeriesChart::setSeries(const QString& name, const QList<QPointF>& points, Axis axis)
{
    QLineSeries* series = m_series.value(name);
    if (!series) {
        series = new QLineSeries;
        series->setName(name);
        chart()->addSeries(series);
        series->attachAxis(m_timeAxis);
        if (axis == Axis::Right) {
            if (!m_rightAxis)
                setRightAxisTitle(QString());
            series->attachAxis(m_rightAxis);
            QPen pen = series->pen();
            pen.setStyle(Qt::DotLine);
            series->setPen(pen);
        } else {
            series->attachAxis(m_leftAxis);
        }
        m_series.insert(name, series);
        m_order.append(name);
        m_axisOf.insert(name, axis);
    }
    series->replace(points);
    updateAxes();
}

void TimeSeriesChart::keepOnly(const QStringList& names)
{
    const QStringList current = m_order;
    for (const QString& name : current) {
        if (names.contains(name))
            continue;
        QLineSeries* series = m_series.take(name);
        chart()->removeSeries(series);
        delete series;
        m_order.removeAll(name);
        m_axisOf.remove(name);
    }
    updateAxes();
}

void TimeSeriesChart::setThreshold(std::optional<double> value, const QString& label)
{
    m_threshold = value;
    if (!value) {
        if (m_thresholdSeries) {
            chart()->removeSeries(m_thresholdSeries);
            delete m_thresholdSeries;
            m_thresholdSeries = nullptr;
        }
        updateAxes();
        return;
    }
    if (!m_thresholdSeries) {
        m_thresholdSeries = new QLineSeries;
        chart()->addSeries(m_thresholdSeries);
        m_thresholdSeries->attachAxis(m_timeAxis);
        m_thresholdSeries->attachAxis(m_leftAxis);
        QPen pen(healthColor(Health::Down));
        pen.setStyle(Qt::DashLine);
        pen.setWidthF(1.5);
        m_thresholdSeries->setPen(pen);
    }
    m_thresholdSeries->setName(label);
    m_thresholdSeries->replace({QPointF(double(m_fromMs), *value), QPointF(double(m_toMs), *value)});
    updateAxes();
}

void TimeSeriesChart::setEmptyText(const QString& text)
{
    m_emptyText = text;
    updateAxes();
}

QStringList TimeSeriesChart::seriesNames() const
{
    return m_order;
}

int TimeSeriesChart::pointCount(const QString& name) const
{
    const QLineSeries* series = m_series.value(name);
    return series ? int(series->count()) : 0;
}

void TimeSeriesChart::setFontScale(double scale)
{
    m_fontScale = scale;
    Theme::styleChart(chart(), scale);
}

void TimeSeriesChart::updateAxes()
{
    double leftMax = m_threshold.value_or(0);
    double rightMax = 0;
    bool any = false;
    for (auto it = m_series.cbegin(); it != m_series.cend(); ++it) {
        const QList<QPointF> points = it.value()->points();
        any = any || !points.isEmpty();
        double max = 0;
        for (const QPointF& p : points)
            if (p.x() >= double(m_fromMs) && p.x() <= double(m_toMs))
                max = std::max(max, p.y());
        if (m_axisOf.value(it.key()) == Axis::Right)
            rightMax = std::max(rightMax, max);
        else
            leftMax = std::max(leftMax, max);
    }
    m_leftAxis->setRange(0, niceCeiling(leftMax * 1.1));
    if (m_rightAxis)
        m_rightAxis->setRange(0, niceCeiling(rightMax * 1.1));
    chart()->setTitle(any || m_emptyText.isEmpty() ? m_title
                                                   : tr("%1 (%2)").arg(m_title, m_emptyText));
}

} // namespace aldis::ui

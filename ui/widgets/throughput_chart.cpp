// SPDX-License-Identifier: Apache-2.0
#include "ui/widgets/throughput_chart.h"

namespace aldis::ui {

ThroughputChart::ThroughputChart(QWidget* parent)
    : TimeSeriesChart(tr("Throughput"), tr("messages/s"), parent)
{
    setRightAxisTitle(tr("connections"));
    setEmptyText(tr("no data yet"));
}

QString ThroughputChart::publicationsName()
{
    return tr("Publications/s");
}

QString ThroughputChart::deliveriesName()
{
    return tr("Deliveries/s");
}

QString ThroughputChart::connectionsName()
{
    return tr("Connections");
}

void ThroughputChart::setHistory(const QList<HistorySample>& samples, qint64 fromMs, qint64 toMs)
{
    QList<QPointF> publications;
    QList<QPointF> deliveries;
    QList<QPointF> connections;
    publications.reserve(samples.size());
    deliveries.reserve(samples.size());
    connections.reserve(samples.size());
    for (const HistorySample& s : samples) {
        const double x = double(s.timeMs);
        publications.append(QPointF(x, s.publicationsPerS));
        deliveries.append(QPointF(x, s.deliveriesPerS));
        connections.append(QPointF(x, double(s.connections)));
    }
    setTimeRange(fromMs, toMs);
    setSeries(publicationsName(), publications);
    setSeries(deliveriesName(), deliveries);
    setSeries(connectionsName(), connections, Axis::Right);
}

} // namespace aldis::ui

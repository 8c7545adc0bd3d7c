// SPDX-License-Identifier: Apache-2.0
#include "ui/widgets/lag_chart.h"

namespace aldis::ui {

LagChart::LagChart(QWidget* parent) : TimeSeriesChart(tr("Consumer lag"), tr("messages"), parent)
{
    setEmptyText(tr("no bridge lag reported"));
}

void LagChart::setHistory(const QMap<QString, QList<QPointF>>& lag, qint64 fromMs, qint64 toMs)
{
    setTimeRange(fromMs, toMs);
    for (auto it = lag.cbegin(); it != lag.cend(); ++it)
        setSeries(it.key(), it.value());
    keepOnly(lag.keys());
}

void LagChart::setLagThreshold(std::optional<double> messages)
{
    setThreshold(messages, messages ? tr("alert at %1").arg(*messages, 0, 'f', 0) : QString());
}

} // namespace aldis::ui

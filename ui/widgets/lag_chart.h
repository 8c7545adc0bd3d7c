// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/widgets/time_series_chart.h"

#include <QMap>

namespace aldis::ui {

// Consumer lag of one node over time, one line per topic/partition, with the
// consumer_lag alert threshold dashed. A standalone node reports no lag: the chart
// says so.
//
// Thread: the GUI thread. Owned by its dock widget; fed by the main window's refresh.
class LagChart : public TimeSeriesChart {
    Q_OBJECT
public:
    explicit LagChart(QWidget* parent = nullptr);

    // Points (time ms, lag) per "topic/partition" (HistoryStore::lag()).
    void setHistory(const QMap<QString, QList<QPointF>>& lag, qint64 fromMs, qint64 toMs);
    void setLagThreshold(std::optional<double> messages);
};

} // namespace aldis::ui

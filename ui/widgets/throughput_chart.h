// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/history/history_store.h"
#include "ui/widgets/time_series_chart.h"

namespace aldis::ui {

// Publications/s and deliveries/s of one node over time (left axis), connections on
// the right axis, from the history store.
//
// Thread: the GUI thread. Owned by its dock widget; fed by the main window's refresh.
class ThroughputChart : public TimeSeriesChart {
    Q_OBJECT
public:
    explicit ThroughputChart(QWidget* parent = nullptr);

    void setHistory(const QList<HistorySample>& samples, qint64 fromMs, qint64 toMs);

    static QString publicationsName();
    static QString deliveriesName();
    static QString connectionsName();
};

} // namespace aldis::ui

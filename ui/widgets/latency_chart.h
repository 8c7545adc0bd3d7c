// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/history/history_store.h"

#include <QJsonObject>
#include <QWidget>

#include <optional>

class QAreaSeries;
class QChartView;
class QCheckBox;
class QLineSeries;
class QLogValueAxis;
class QValueAxis;

namespace aldis::ui {

class TimeSeriesChart;

// Publish-to-deliver latency of one node: the histogram of the last stats interval
// (or since start) as bars on a logarithmic axis with P50/P95/P99 marker lines, and
// P99 over time from the history with the p99_latency alert threshold dashed.
//
// Thread: the GUI thread. Owned by its dock widget; fed by the main window's refresh.
class LatencyChart : public QWidget {
    Q_OBJECT
public:
    explicit LatencyChart(QWidget* parent = nullptr);

    // Takes a `stats` message (its "latency" or "latency_total" object).
    void setStats(const QJsonObject& stats);
    void setHistory(const QList<HistorySample>& samples, qint64 fromMs, qint64 toMs);
    void setThreshold(std::optional<double> p99ThresholdMs);
    void setFontScale(double scale);

    // For tests: points of the histogram outline, marker position, P99 points.
    int histogramPointCount() const;
    std::optional<double> markerMs(const QString& name) const; // "P50", "P95", "P99"
    TimeSeriesChart* p99Chart() const { return m_p99; }
    QChartView* histogramView() const { return m_histogramView; }

private:
    void showHistogram(const QJsonObject& latency);

    QCheckBox* m_sinceStart;
    QChartView* m_histogramView;
    QLineSeries* m_bars;
    QAreaSeries* m_area;
    QLineSeries* m_markers[3];
    QLogValueAxis* m_xAxis;
    QValueAxis* m_yAxis;
    TimeSeriesChart* m_p99;
    QJsonObject m_lastStats;
    double m_markerValues[3] = {0, 0, 0};
};

} // namespace aldis::ui

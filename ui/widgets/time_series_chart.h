// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QChartView>
#include <QHash>
#include <QList>
#include <QPointF>
#include <QString>

#include <optional>

class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace aldis::ui {

// A chart of values over time (x: ms since the epoch) with named line series, an
// optional second value axis on the right, and an optional alert threshold drawn as a
// dashed line. Series are updated in place with replace(), so a refresh does not
// rebuild the chart.
//
// Thread: the GUI thread. Owned by the panel that shows it.
class TimeSeriesChart : public QChartView {
    Q_OBJECT
public:
    enum class Axis { Left, Right };

    TimeSeriesChart(const QString& title, const QString& leftTitle, QWidget* parent = nullptr);

    void setRightAxisTitle(const QString& title);
    void setTimeRange(qint64 fromMs, qint64 toMs);
    // Creates the series on first use.
    void setSeries(const QString& name, const QList<QPointF>& points, Axis axis = Axis::Left);
    // Removes the series whose names are not listed (e.g. partitions gone).
    void keepOnly(const QStringList& names);
    // A dashed horizontal line at `value` on the left axis; nullopt removes it.
    void setThreshold(std::optional<double> value, const QString& label = {});
    std::optional<double> threshold() const { return m_threshold; }
    // Shown as the chart title's suffix when there are no points ("no data yet").
    void setEmptyText(const QString& text);

    QStringList seriesNames() const;
    int pointCount(const QString& name) const;
    void setFontScale(double scale);

private:
    void updateAxes();

    QString m_title;
    QString m_emptyText;
    QDateTimeAxis* m_timeAxis;
    QValueAxis* m_leftAxis;
    QValueAxis* m_rightAxis = nullptr;
    QHash<QString, QLineSeries*> m_series;
    QStringList m_order;
    QHash<QString, Axis> m_axisOf;
    QLineSeries* m_thresholdSeries = nullptr;
    std::optional<double> m_threshold;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 0;
    double m_fontScale = 1.0;
};

} // namespace aldis::ui

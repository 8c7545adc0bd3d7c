// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QWidget>

class QButtonGroup;

namespace aldis::ui {

// Picks the span the history charts show: 15 min, 1 h, 6 h or 24 h.
//
// Thread: the GUI thread. Owned by the main window's tool bar.
class TimeRangeSelector : public QWidget {
    Q_OBJECT
public:
    static QList<qint64> rangesMs();

    explicit TimeRangeSelector(QWidget* parent = nullptr);

    qint64 rangeMs() const { return m_rangeMs; }
    // Picks the nearest offered range.
    void setRangeMs(qint64 rangeMs);

signals:
    void rangeChanged(qint64 rangeMs);

private:
    QButtonGroup* m_group;
    qint64 m_rangeMs;
};

} // namespace aldis::ui

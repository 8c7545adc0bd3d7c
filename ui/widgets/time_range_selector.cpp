// SPDX-License-Identifier: Apache-2.0
#include "ui/widgets/time_range_selector.h"

#include <QAbstractButton>
#include <QButtonGroup>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

#include <cstdlib>

namespace aldis::ui {

namespace {
constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kHour = 60 * kMinute;
} // namespace

QList<qint64> TimeRangeSelector::rangesMs()
{
    return {15 * kMinute, kHour, 6 * kHour, 24 * kHour};
}

TimeRangeSelector::TimeRangeSelector(QWidget* parent)
    : QWidget(parent), m_group(new QButtonGroup(this)), m_rangeMs(15 * kMinute)
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(new QLabel(tr("History:"), this));
    const QStringList labels{tr("15 min"), tr("1 h"), tr("6 h"), tr("24 h")};
    const QList<qint64> ranges = rangesMs();
    for (int i = 0; i < ranges.size(); ++i) {
        auto* button = new QToolButton(this);
        button->setText(labels.at(i));
        button->setCheckable(true);
        button->setToolTip(tr("Show the last %1 in the charts").arg(labels.at(i)));
        m_group->addButton(button, i);
        layout->addWidget(button);
    }
    m_group->button(0)->setChecked(true);
    connect(m_group, &QButtonGroup::idClicked, this, [this](int id) {
        const qint64 range = rangesMs().at(id);
        if (range == m_rangeMs)
            return;
        m_rangeMs = range;
        emit rangeChanged(range);
    });
}

void TimeRangeSelector::setRangeMs(qint64 rangeMs)
{
    const QList<qint64> ranges = rangesMs();
    int best = 0;
    for (int i = 1; i < ranges.size(); ++i)
        if (std::llabs(ranges.at(i) - rangeMs) < std::llabs(ranges.at(best) - rangeMs))
            best = i;
    m_group->button(best)->setChecked(true);
    if (ranges.at(best) != m_rangeMs) {
        m_rangeMs = ranges.at(best);
        emit rangeChanged(m_rangeMs);
    }
}

} // namespace aldis::ui

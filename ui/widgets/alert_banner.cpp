// SPDX-License-Identifier: Apache-2.0
#include "ui/widgets/alert_banner.h"

#include "ui/models/health.h"

#include <QHBoxLayout>
#include <QLabel>

namespace aldis::ui {

AlertBanner::AlertBanner(QWidget* parent) : QFrame(parent), m_label(new QLabel(this))
{
    setObjectName(QStringLiteral("alertBanner"));
    // A style sheet, not a palette: the tool bar that holds the banner paints over
    // palette backgrounds.
    setStyleSheet(QStringLiteral("#alertBanner { background-color: %1; border-radius: 3px; }"
                                 " #alertBanner QLabel { color: white; }")
                      .arg(healthColor(Health::Down).darker(130).name()));
    m_label->setWordWrap(true);
    QFont bold = m_label->font();
    bold.setBold(true);
    m_label->setFont(bold);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 6, 12, 6);
    layout->addWidget(m_label, 1);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Show the alerts"));
}

void AlertBanner::setAlerts(const QList<QJsonObject>& active)
{
    const int before = m_count;
    m_count = int(active.size());
    if (m_count == 0) {
        m_label->clear();
    } else {
        QStringList parts;
        for (const QJsonObject& alert : active)
            parts.append(tr("%1: %2").arg(alert.value(QLatin1String("node")).toString(),
                                          alert.value(QLatin1String("message")).toString()));
        m_label->setText(tr("%n alert(s) active. %1", "", m_count).arg(parts.join(QStringLiteral("  |  "))));
    }
    if ((before > 0) != (m_count > 0))
        emit activeChanged(m_count > 0);
}

QString AlertBanner::text() const
{
    return m_label->text();
}

void AlertBanner::setFontScale(double scale)
{
    QFont font = m_label->font();
    const QFont base;
    if (base.pointSizeF() > 0)
        font.setPointSizeF(base.pointSizeF() * scale * 1.1);
    m_label->setFont(font);
}

void AlertBanner::mousePressEvent(QMouseEvent* event)
{
    QFrame::mousePressEvent(event);
    emit clicked();
}

} // namespace aldis::ui

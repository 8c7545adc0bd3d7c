// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QFrame>
#include <QJsonObject>
#include <QList>

class QLabel;

namespace aldis::ui {

// The red strip at the top of the window while any alert is active on any watched
// node. It does not hide itself: its owner shows it while hasAlerts() (the main
// window toggles the tool bar that holds it on activeChanged()). Clicking it asks for
// the alerts list.
//
// Thread: the GUI thread. Owned by the main window (in a fixed top tool bar).
class AlertBanner : public QFrame {
    Q_OBJECT
public:
    explicit AlertBanner(QWidget* parent = nullptr);

    // Active alerts, each with a "node" field (AlertsModel::activeAlerts()).
    void setAlerts(const QList<QJsonObject>& active);
    bool hasAlerts() const { return m_count > 0; }
    QString text() const;
    void setFontScale(double scale);

signals:
    void clicked();
    // Emitted when the banner goes from hidden to shown or back.
    void activeChanged(bool active);

protected:
    void mousePressEvent(QMouseEvent* event) override;

private:
    QLabel* m_label;
    int m_count = 0;
};

} // namespace aldis::ui

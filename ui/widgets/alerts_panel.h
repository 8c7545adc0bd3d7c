// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QWidget>

class QLabel;
class QTableView;

namespace aldis::ui {

class AlertsModel;

// The alerts list: every rule of every watched node with its state, active ones
// first in red.
//
// Thread: the GUI thread. Owned by its dock widget; the model belongs to the main
// window.
class AlertsPanel : public QWidget {
    Q_OBJECT
public:
    AlertsPanel(AlertsModel* model, QWidget* parent = nullptr);

    QTableView* view() const { return m_view; }
    // Updates the "N active" line (the main window calls it on its refresh).
    void updateSummary();

private:
    AlertsModel* m_model;
    QTableView* m_view;
    QLabel* m_summary;
};

} // namespace aldis::ui

// SPDX-License-Identifier: Apache-2.0
#include "ui/widgets/alerts_panel.h"

#include "ui/models/alerts_model.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace aldis::ui {

AlertsPanel::AlertsPanel(AlertsModel* model, QWidget* parent)
    : QWidget(parent), m_model(model), m_view(new QTableView(this)), m_summary(new QLabel(this))
{
    auto* proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(model);
    proxy->setSortRole(JsonTableModel::SortRole);
    m_view->setModel(proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setAlternatingRowColors(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    layout->addWidget(m_view, 1);
    connect(model, &QAbstractItemModel::modelReset, this, &AlertsPanel::updateSummary);
    connect(model, &QAbstractItemModel::rowsInserted, this, &AlertsPanel::updateSummary);
    connect(model, &QAbstractItemModel::rowsRemoved, this, &AlertsPanel::updateSummary);
    connect(model, &QAbstractItemModel::dataChanged, this, &AlertsPanel::updateSummary);
    updateSummary();
}

void AlertsPanel::updateSummary()
{
    const int active = m_model->activeCount();
    m_summary->setText(active == 0 ? tr("No alert is active.")
                                   : tr("%n alert(s) active.", "", active));
}

} // namespace aldis::ui

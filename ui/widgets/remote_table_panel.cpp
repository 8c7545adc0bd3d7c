// SPDX-License-Identifier: Apache-2.0
#include "ui/widgets/remote_table_panel.h"

#include "ui/adapter/node_registry.h"
#include "ui/models/health.h"
#include "ui/models/json_table_model.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <utility>

namespace aldis::ui {

RemoteTablePanel::RemoteTablePanel(NodeRegistry* registry, JsonTableModel* model, QString path, Apply apply,
                                   Summary summary, QWidget* parent)
    : QWidget(parent), m_registry(registry), m_model(model), m_proxy(new QSortFilterProxyModel(this)),
      m_path(std::move(path)), m_apply(std::move(apply)), m_summary(std::move(summary)),
      m_filter(new QLineEdit(this)), m_view(new QTableView(this)), m_status(new QLabel(this))
{
    m_model->setParent(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(JsonTableModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder); // keep the node's order until a header is clicked
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_filter->setPlaceholderText(tr("Filter"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    auto* top = new QHBoxLayout;
    top->addWidget(m_filter, 1);
    top->addWidget(m_status);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);

    m_timer.setInterval(kRefreshMs);
    connect(&m_timer, &QTimer::timeout, this, &RemoteTablePanel::refreshNow);
}

void RemoteTablePanel::setNode(const QString& nodeId)
{
    if (nodeId == m_node)
        return;
    m_node = nodeId;
    ++m_generation;
    m_model->clear();
    m_status->clear();
    if (isVisible())
        refreshNow();
}

void RemoteTablePanel::refreshNow()
{
    if (m_node.isEmpty())
        return;
    const quint64 generation = ++m_generation;
    m_registry->get(m_node, m_path, this, [this, generation](const QJsonObject& answer) {
        if (generation != m_generation)
            return; // superseded by a newer request or another node
        if (m_apply(answer)) {
            m_status->setStyleSheet(QString());
            m_status->setText(tr("%1, updated %2")
                                  .arg(m_summary(answer), QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"))));
        } else {
            m_status->setStyleSheet(QStringLiteral("color: %1").arg(healthColor(Health::Down).name()));
            const QJsonObject error = answer.value(QLatin1String("error")).toObject();
            m_status->setText(tr("%1: %2").arg(error.value(QLatin1String("code")).toString(),
                                               error.value(QLatin1String("message")).toString()));
        }
    });
}

QString RemoteTablePanel::statusText() const
{
    return m_status->text();
}

void RemoteTablePanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    refreshNow();
    m_timer.start();
}

void RemoteTablePanel::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    m_timer.stop();
}

} // namespace aldis::ui

// SPDX-License-Identifier: Apache-2.0
#include "ui/widgets/failover_panel.h"

#include "ui/adapter/node_client.h"
#include "ui/adapter/node_registry.h"
#include "ui/models/audit_model.h"
#include "ui/models/health.h"

#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSysInfo>
#include <QTableView>
#include <QVBoxLayout>

namespace aldis::ui {

namespace {

QString actor()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("USERNAME", QStringLiteral("operator"));
    return user + QLatin1Char('@') + QSysInfo::machineHostName();
}

} // namespace

QString FailoverPanel::actionLabel(const QString& action)
{
    if (action == QLatin1String("drain"))
        return tr("Drain node");
    if (action == QLatin1String("undrain"))
        return tr("Undrain node");
    if (action == QLatin1String("pause-bridge"))
        return tr("Pause bridge");
    if (action == QLatin1String("resume-bridge"))
        return tr("Resume bridge");
    if (action == QLatin1String("fence-region"))
        return tr("Fence region");
    if (action == QLatin1String("unfence-region"))
        return tr("Unfence region");
    if (action == QLatin1String("promote-region"))
        return tr("Promote region");
    return action;
}

QString FailoverPanel::formatAuditEntry(const QJsonObject& entry)
{
    if (entry.isEmpty())
        return {};
    const qint64 time = entry.value(QLatin1String("time")).toInteger();
    return tr("Audit #%1 at %2: %3 ran %4 on %5, result %6: %7")
        .arg(QString::number(entry.value(QLatin1String("id")).toInteger()),
             QDateTime::fromMSecsSinceEpoch(time).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
             entry.value(QLatin1String("actor")).toString(), entry.value(QLatin1String("action")).toString(),
             entry.value(QLatin1String("target")).toString(), entry.value(QLatin1String("result")).toString(),
             entry.value(QLatin1String("message")).toString());
}

FailoverPanel::FailoverPanel(NodeRegistry* registry, QWidget* parent)
    : QWidget(parent), m_registry(registry), m_node(new QComboBox(this)), m_region(new QComboBox(this)),
      m_result(new QLabel(this)), m_auditEntry(new QLabel(this)), m_audit(new AuditModel(this)),
      m_auditView(new QTableView(this))
{
    m_confirmer = [this](const ActionDescription& description) -> std::optional<QString> {
        ConfirmActionDialog dialog(description, this);
        if (dialog.exec() != QDialog::Accepted)
            return std::nullopt;
        return dialog.reason();
    };

    auto* targets = new QFormLayout;
    targets->addRow(tr("Node:"), m_node);
    targets->addRow(tr("Region:"), m_region);

    auto* actions = new QGroupBox(tr("Actions"), this);
    auto* grid = new QGridLayout(actions);
    int index = 0;
    for (const QString& action : ConfirmActionDialog::actions()) {
        auto* button = new QPushButton(actionLabel(action), actions);
        button->setObjectName(action);
        m_buttons.insert(action, button);
        const bool region = ConfirmActionDialog::isRegionAction(action);
        grid->addWidget(button, region ? 1 : 0, region ? index - 4 : index);
        ++index;
        connect(button, &QPushButton::clicked, this, [this, action] { trigger(action); });
    }

    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_auditEntry->setWordWrap(true);
    m_auditEntry->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_audit);
    proxy->setSortRole(JsonTableModel::SortRole);
    m_auditView->setModel(proxy);
    m_auditView->setSortingEnabled(true);
    m_auditView->sortByColumn(0, Qt::DescendingOrder);
    m_auditView->verticalHeader()->hide();
    m_auditView->horizontalHeader()->setStretchLastSection(true);
    m_auditView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_auditView->setAlternatingRowColors(true);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(targets);
    layout->addWidget(actions);
    layout->addWidget(m_result);
    layout->addWidget(m_auditEntry);
    layout->addWidget(new QLabel(tr("Audit log"), this));
    layout->addWidget(m_auditView, 1);

    connect(m_node, &QComboBox::currentIndexChanged, this, [this] {
        refreshTargets();
        m_audit->clear();
        refreshAudit();
    });
    m_auditTimer.setInterval(kAuditRefreshMs);
    connect(&m_auditTimer, &QTimer::timeout, this, &FailoverPanel::refreshAudit);
    connect(m_registry, &NodeRegistry::nodesChanged, this, [this] { setNode(m_node->currentText()); });
    connect(m_registry, &NodeRegistry::topologyChanged, this, [this] { refreshTargets(); });
    connect(m_registry, &NodeRegistry::eventReceived, this, [this](const QString& nodeId, const QJsonObject& event) {
        if (nodeId == m_node->currentText() && event.value(QLatin1String("kind")).toString() == QLatin1String("action"))
            m_audit->addEntry(event.value(QLatin1String("audit")).toObject());
    });
    setNode(QString());
}

void FailoverPanel::setNode(const QString& nodeId)
{
    const QSignalBlocker blocker(m_node);
    const QString previous = m_node->currentText();
    m_node->clear();
    for (const NodeClient* client : m_registry->clients())
        m_node->addItem(client->key());
    int index = m_node->findText(nodeId.isEmpty() ? previous : nodeId);
    if (index < 0)
        index = 0;
    m_node->setCurrentIndex(index);
    if (m_node->currentText() != previous) {
        m_audit->clear();
        refreshAudit();
    }
    refreshTargets();
}

void FailoverPanel::refreshTargets()
{
    const QString node = m_node->currentText();
    const QString previous = m_region->currentText();
    QStringList regions;
    for (const QJsonValue& value : m_registry->topology(node).value(QLatin1String("regions")).toArray())
        regions.append(value.toObject().value(QLatin1String("name")).toString());
    const NodeStatus status = m_registry->status(node);
    const QString own = status.stats.value(QLatin1String("region")).toString(status.node.value(QLatin1String("region")).toString());
    if (!own.isEmpty() && !regions.contains(own))
        regions.prepend(own);
    const QSignalBlocker blocker(m_region);
    m_region->clear();
    m_region->addItems(regions);
    const int index = m_region->findText(previous);
    m_region->setCurrentIndex(index >= 0 ? index : 0);
    for (QPushButton* button : std::as_const(m_buttons))
        button->setEnabled(!node.isEmpty());
    const bool haveRegion = m_region->count() > 0;
    for (const QString& action : ConfirmActionDialog::actions())
        if (ConfirmActionDialog::isRegionAction(action))
            m_buttons.value(action)->setEnabled(!node.isEmpty() && haveRegion);
}

void FailoverPanel::refreshAudit()
{
    const QString node = m_node->currentText();
    if (node.isEmpty())
        return;
    m_registry->get(node, QStringLiteral("/v1/admin/audit?limit=100"), this, [this, node](const QJsonObject& answer) {
        if (node == m_node->currentText())
            m_audit->setFromJson(answer);
    });
}

ActionDescription FailoverPanel::describe(const QString& action) const
{
    const QString node = m_node->currentText();
    const NodeStatus status = m_registry->status(node);
    ActionSubject subject;
    subject.nodeId = node;
    subject.nodeRegion = status.stats.value(QLatin1String("region")).toString(status.node.value(QLatin1String("region")).toString());
    if (status.stats.contains(QLatin1String("connections")))
        subject.connections = status.stats.value(QLatin1String("connections")).toInt();
    subject.region = m_region->currentText();
    for (const QJsonValue& value : m_registry->topology(node).value(QLatin1String("regions")).toArray()) {
        const QJsonObject region = value.toObject();
        if (region.value(QLatin1String("name")).toString() != subject.region)
            continue;
        for (const QJsonValue& ns : region.value(QLatin1String("home_of")).toArray())
            subject.homeOf.append(ns.toString());
    }
    return ConfirmActionDialog::describe(action, subject);
}

void FailoverPanel::trigger(const QString& action)
{
    const ActionDescription description = describe(action);
    if (description.nodeId.isEmpty())
        return;
    const std::optional<QString> reason = m_confirmer(description);
    if (!reason) {
        m_result->setStyleSheet(QString());
        m_result->setText(tr("%1 cancelled; nothing was sent.").arg(actionLabel(action)));
        return;
    }
    QJsonObject body{{QStringLiteral("actor"), actor()}, {QStringLiteral("target"), description.target}};
    if (!reason->isEmpty())
        body.insert(QStringLiteral("reason"), *reason);
    m_result->setStyleSheet(QString());
    m_result->setText(tr("Running %1 on %2...").arg(actionLabel(action), description.target));
    for (QPushButton* button : std::as_const(m_buttons))
        button->setEnabled(false);
    m_registry->runAction(description.nodeId, action, body, this, [this, action](const QJsonObject& answer) {
        showAnswer(action, answer);
        refreshTargets();
        refreshAudit();
        emit actionFinished(action, answer);
    });
}

void FailoverPanel::showAnswer(const QString& action, const QJsonObject& answer)
{
    const QJsonObject audit = answer.value(QLatin1String("audit")).toObject();
    if (answer.contains(QLatin1String("error"))) {
        const QJsonObject error = answer.value(QLatin1String("error")).toObject();
        m_result->setStyleSheet(QStringLiteral("color: %1").arg(healthColor(Health::Down).name()));
        m_result->setText(tr("%1 refused (%2): %3")
                              .arg(actionLabel(action), error.value(QLatin1String("code")).toString(),
                                   error.value(QLatin1String("message")).toString()));
    } else {
        m_result->setStyleSheet(QStringLiteral("color: %1").arg(healthColor(Health::Serving).name()));
        m_result->setText(tr("%1: %2, %3")
                              .arg(actionLabel(action), answer.value(QLatin1String("result")).toString(),
                                   answer.value(QLatin1String("message")).toString()));
    }
    m_auditEntry->setText(formatAuditEntry(audit));
    m_audit->addEntry(audit);
}

QString FailoverPanel::resultText() const
{
    return m_result->text();
}

QString FailoverPanel::auditEntryText() const
{
    return m_auditEntry->text();
}

void FailoverPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    refreshAudit();
    m_auditTimer.start();
}

void FailoverPanel::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    m_auditTimer.stop();
}

} // namespace aldis::ui

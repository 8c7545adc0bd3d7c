// SPDX-License-Identifier: Apache-2.0
#include "ui/dialogs/confirm_action_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

#include <utility>

namespace aldis::ui {

QStringList ConfirmActionDialog::actions()
{
    return {QStringLiteral("drain"),         QStringLiteral("undrain"),        QStringLiteral("pause-bridge"),
            QStringLiteral("resume-bridge"), QStringLiteral("fence-region"),   QStringLiteral("unfence-region"),
            QStringLiteral("promote-region")};
}

bool ConfirmActionDialog::isRegionAction(const QString& action)
{
    return action.endsWith(QLatin1String("-region"));
}

ActionDescription ConfirmActionDialog::describe(const QString& action, const ActionSubject& subject)
{
    ActionDescription d;
    d.action = action;
    d.nodeId = subject.nodeId;
    d.regionAction = isRegionAction(action);
    d.target = d.regionAction ? subject.region : subject.nodeId;
    const QString node = subject.nodeId;
    const QString nodeRegion = subject.nodeRegion.isEmpty() ? tr("(unknown)") : subject.nodeRegion;
    const QString region = subject.region;
    const QString homeOf = subject.homeOf.isEmpty() ? tr("none") : subject.homeOf.join(QStringLiteral(", "));
    if (action == QLatin1String("drain")) {
        d.title = tr("Drain node %1?").arg(node);
        const QString clients = subject.connections >= 0 ? tr("%n connected client(s)", "", subject.connections)
                                                         : tr("all connected clients");
        d.text = tr("Node %1 in region %2 stops serving clients: /ready turns 503, %3 get the disconnect "
                    "push and are closed with code 4007 (they reconnect to another node and resume), and "
                    "new connections are refused until you undrain it. The node and its admin API stay up.")
                     .arg(node, nodeRegion, clients);
        d.okText = tr("Drain %1").arg(node);
    } else if (action == QLatin1String("undrain")) {
        d.title = tr("Undrain node %1?").arg(node);
        d.text = tr("Node %1 in region %2 accepts client connections again and /ready turns 200.")
                     .arg(node, nodeRegion);
        d.okText = tr("Undrain %1").arg(node);
    } else if (action == QLatin1String("pause-bridge")) {
        d.title = tr("Pause the bridge on node %1?").arg(node);
        d.text = tr("Node %1 stops consuming from and producing to the other regions. Publications made in "
                    "region %2 are not mirrored to other regions, and theirs do not reach subscribers in %2, "
                    "until the bridge is resumed. Clients stay connected.")
                     .arg(node, nodeRegion);
        d.okText = tr("Pause bridge");
    } else if (action == QLatin1String("resume-bridge")) {
        d.title = tr("Resume the bridge on node %1?").arg(node);
        d.text = tr("Node %1 restarts consuming from and producing to the other regions; mirroring "
                    "catches up from where it stopped.")
                     .arg(node);
        d.okText = tr("Resume bridge");
    } else if (action == QLatin1String("fence-region")) {
        d.title = tr("Fence region %1?").arg(region);
        d.text = tr("Region %1 stops accepting publications for the namespaces it is home of (%2). "
                    "Publishers there get an error until the region is unfenced or another region is "
                    "promoted. The request goes through node %3.")
                     .arg(region, homeOf, node);
        d.okText = tr("Fence %1").arg(region);
    } else if (action == QLatin1String("unfence-region")) {
        d.title = tr("Unfence region %1?").arg(region);
        d.text = tr("Region %1 accepts publications again for the namespaces it is home of (%2). "
                    "The request goes through node %3.")
                     .arg(region, homeOf, node);
        d.okText = tr("Unfence %1").arg(region);
    } else if (action == QLatin1String("promote-region")) {
        d.title = tr("Promote region %1?").arg(region);
        d.text = tr("Region %1 becomes the home region of its namespaces (failover): their publications are "
                    "sequenced there from now on, with a new epoch. Fence the previous home region first "
                    "if it may still be reachable. The request goes through node %2.")
                     .arg(region, node);
        d.okText = tr("Promote %1").arg(region);
    } else {
        d.title = tr("Run %1?").arg(action);
        d.text = tr("Runs the action %1 on node %2.").arg(action, node);
        d.okText = tr("Run %1").arg(action);
    }
    return d;
}

ConfirmActionDialog::ConfirmActionDialog(ActionDescription description, QWidget* parent)
    : QDialog(parent), m_description(std::move(description))
{
    setWindowTitle(m_description.title);
    setModal(true);
    auto* layout = new QVBoxLayout(this);
    auto* header = new QHBoxLayout;
    auto* icon = new QLabel(this);
    const int size = style()->pixelMetric(QStyle::PM_MessageBoxIconSize, nullptr, this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning, nullptr, this).pixmap(size, size));
    icon->setAlignment(Qt::AlignTop);
    header->addWidget(icon);
    auto* text = new QLabel(m_description.text, this);
    text->setObjectName(QStringLiteral("actionText"));
    text->setWordWrap(true);
    text->setTextFormat(Qt::PlainText);
    text->setMinimumWidth(420);
    header->addWidget(text, 1);
    layout->addLayout(header);

    auto* form = new QFormLayout;
    m_reason = new QLineEdit(this);
    m_reason->setPlaceholderText(tr("optional, kept in the audit log"));
    form->addRow(tr("Reason:"), m_reason);
    layout->addLayout(form);

    auto* buttons = new QDialogButtonBox(this);
    m_ok = buttons->addButton(m_description.okText, QDialogButtonBox::AcceptRole);
    m_cancel = buttons->addButton(QDialogButtonBox::Cancel);
    m_ok->setAutoDefault(false);
    m_ok->setDefault(false);
    m_cancel->setAutoDefault(true);
    m_cancel->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    m_cancel->setFocus();
}

QString ConfirmActionDialog::reason() const
{
    return m_reason->text().trimmed();
}

} // namespace aldis::ui

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/dialogs/confirm_action_dialog.h"

#include <QHash>
#include <QJsonObject>
#include <QTimer>
#include <QWidget>

#include <functional>
#include <optional>

class QComboBox;
class QLabel;
class QPushButton;
class QTableView;

namespace aldis::ui {

class AuditModel;
class NodeRegistry;

// Operator actions: drain / undrain a node, pause / resume its bridge, fence /
// unfence / promote a region. Every button first asks for a confirmation that says
// exactly what will happen to which node or region; then the result message and the
// audit entry are shown, and the node's audit log (refreshed every 5 s while visible)
// lists every action taken or refused.
//
// Thread: the GUI thread. Owned by its dock widget.
class FailoverPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kAuditRefreshMs = 5000;
    // Returns the reason typed (possibly empty) when confirmed, nullopt when cancelled.
    using Confirmer = std::function<std::optional<QString>(const ActionDescription&)>;

    FailoverPanel(NodeRegistry* registry, QWidget* parent = nullptr);

    // Replaces the confirmation dialog (tests).
    void setConfirmer(Confirmer confirmer) { m_confirmer = std::move(confirmer); }
    // Fills the node and region lists from the registry; selects `nodeId`.
    void setNode(const QString& nodeId);
    void refreshTargets();
    void refreshAudit();

    // What a button does: confirm, then run.
    void trigger(const QString& action);
    ActionDescription describe(const QString& action) const;

    QPushButton* button(const QString& action) const { return m_buttons.value(action); }
    AuditModel* auditModel() const { return m_audit; }
    QString resultText() const;
    QString auditEntryText() const;

    static QString actionLabel(const QString& action);
    static QString formatAuditEntry(const QJsonObject& entry);

signals:
    void actionFinished(const QString& action, const QJsonObject& answer);

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void showAnswer(const QString& action, const QJsonObject& answer);

    NodeRegistry* m_registry;
    Confirmer m_confirmer;
    QComboBox* m_node;
    QComboBox* m_region;
    QHash<QString, QPushButton*> m_buttons;
    QLabel* m_result;
    QLabel* m_auditEntry;
    AuditModel* m_audit;
    QTableView* m_auditView;
    QTimer m_auditTimer;
};

} // namespace aldis::ui

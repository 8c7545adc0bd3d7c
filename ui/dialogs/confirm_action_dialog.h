// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>
#include <QString>
#include <QStringList>

class QLineEdit;
class QPushButton;

namespace aldis::ui {

// What an operator action will do, in words, before it runs.
struct ActionDescription {
    QString action;  // "drain", "fence-region", ... (docs/admin-api.md)
    QString target;  // node id or region name sent as "target"
    QString nodeId;  // the node whose admin API receives the request
    QString title;   // window title
    QString text;    // exactly what happens to which node or region
    QString okText;  // the OK button, named after the action
    bool regionAction = false;
};

// What the dialog needs to describe an action.
struct ActionSubject {
    QString nodeId;
    QString nodeRegion;
    int connections = -1;   // unknown when < 0
    QString region;         // for region actions
    QStringList homeOf;     // namespaces the region is home of
};

// The confirmation asked before every operator action: the text says exactly what
// will happen to which node or region, the OK button is named after the action,
// Cancel is the default button (Enter does not run an action), and an optional reason
// goes into the audit entry.
//
// Thread: the GUI thread. Created on the stack by the failover panel.
class ConfirmActionDialog : public QDialog {
    Q_OBJECT
public:
    // The actions the control room offers, in the order of the failover panel.
    static QStringList actions();
    static bool isRegionAction(const QString& action);
    static ActionDescription describe(const QString& action, const ActionSubject& subject);

    explicit ConfirmActionDialog(ActionDescription description, QWidget* parent = nullptr);

    const ActionDescription& description() const { return m_description; }
    QString reason() const;
    QPushButton* okButton() const { return m_ok; }
    QPushButton* cancelButton() const { return m_cancel; }

private:
    ActionDescription m_description;
    QLineEdit* m_reason;
    QPushButton* m_ok;
    QPushButton* m_cancel;
};

} // namespace aldis::ui

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/models/json_table_model.h"

namespace aldis::ui {

// The audit log of a node (GET /v1/admin/audit), newest first. addEntry() puts the
// entry of an action just taken on top without waiting for the next refresh.
//
// Thread: the GUI thread. Owned by the panel that shows it.
class AuditModel : public JsonTableModel {
    Q_OBJECT
public:
    explicit AuditModel(QObject* parent = nullptr);

    // Takes the answer of GET /v1/admin/audit; an error answer leaves the table as it is and
    // returns false.
    bool setFromJson(const QJsonObject& answer);
    // The "total" of the last answer (rows the node holds, not only those listed).
    int total() const { return m_total; }
    // Puts one entry (the "audit" object of an action answer or event) on top.
    void addEntry(const QJsonObject& entry);

protected:
    QVariant cellData(const QJsonObject& row, int column, int role) const override;

private:
    int m_total = 0;
};

} // namespace aldis::ui

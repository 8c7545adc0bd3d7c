// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/models/json_table_model.h"

namespace aldis::ui {

// The client connections of a node (GET /v1/admin/connections), newest first.
//
// Thread: the GUI thread. Owned by the panel that shows it.
class ConnectionsModel : public JsonTableModel {
    Q_OBJECT
public:
    explicit ConnectionsModel(QObject* parent = nullptr);

    // Takes the answer of GET /v1/admin/connections; an error answer leaves the table as it is and
    // returns false.
    bool setFromJson(const QJsonObject& answer);
    // The "total" of the last answer (rows the node holds, not only those listed).
    int total() const { return m_total; }

private:
    int m_total = 0;
};

} // namespace aldis::ui

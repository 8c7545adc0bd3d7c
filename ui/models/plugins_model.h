// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ui/plugins/plugin_manager.h"

#include <QAbstractTableModel>
#include <QList>

namespace aldis::ui {

// The Plugins list: one row per file found in the plugin folders, with its name,
// version, file and status ("loaded" or what went wrong and what to do).
// GUI thread only; owned by the view or dialog that shows it, which feeds it
// PluginManager::records() on every PluginManager::recordsChanged().
class PluginsModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { NameColumn, VersionColumn, FileColumn, StatusColumn, ColumnCount };
    enum Role { LoadedRole = Qt::UserRole + 1 };   // bool: the plugin is loaded

    explicit PluginsModel(QObject* parent = nullptr);

    void setRecords(QList<PluginRecord> records);
    const QList<PluginRecord>& records() const { return m_records; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString status(const PluginRecord& record) const;

    QList<PluginRecord> m_records;
};

} // namespace aldis::ui

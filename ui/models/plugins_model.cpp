// SPDX-License-Identifier: Apache-2.0
#include "ui/models/plugins_model.h"

#include <QBrush>
#include <QFileInfo>

namespace aldis::ui {

PluginsModel::PluginsModel(QObject* parent) : QAbstractTableModel(parent) {}

void PluginsModel::setRecords(QList<PluginRecord> records) {
    beginResetModel();
    m_records = std::move(records);
    endResetModel();
}

int PluginsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_records.size());
}

int PluginsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString PluginsModel::status(const PluginRecord& record) const {
    if (!record.error.isEmpty())
        return record.error;
    return record.loaded ? tr("loaded") : tr("not loaded");
}

QVariant PluginsModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PluginRecord& record = m_records.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return record.name;
        case VersionColumn: return record.version;
        case FileColumn: return QFileInfo(record.fileName).fileName();
        case StatusColumn: return status(record);
        default: return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case NameColumn:
            if (record.description.isEmpty() && record.vendor.isEmpty())
                return {};
            return record.vendor.isEmpty() ? record.description
                                           : tr("%1\nby %2").arg(record.description, record.vendor).trimmed();
        case VersionColumn:
            return record.compatVersion.isEmpty()
                       ? QVariant()
                       : QVariant(tr("compatible back to %1").arg(record.compatVersion));
        case FileColumn: return record.fileName;
        case StatusColumn: return status(record);
        default: return {};
        }
    case Qt::ForegroundRole:
        if (index.column() == StatusColumn && !record.error.isEmpty())
            return QBrush(Qt::red);
        return {};
    case LoadedRole: return record.loaded;
    default: return {};
    }
}

QVariant PluginsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Name");
    case VersionColumn: return tr("Version");
    case FileColumn: return tr("File");
    case StatusColumn: return tr("Status");
    default: return {};
    }
}

} // namespace aldis::ui

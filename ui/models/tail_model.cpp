// SPDX-License-Identifier: Apache-2.0
#include "ui/models/tail_model.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace aldis::ui {

namespace {

QString compact(const QJsonValue& value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    if (value.isUndefined())
        return {};
    // A scalar: serialize through a one-element array and strip the brackets.
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

} // namespace

TailModel::TailModel(QObject* parent, int capacity)
    : QAbstractTableModel(parent), m_capacity(std::max(1, capacity))
{
}

int TailModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TailModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TailModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows.at(index.row());
    const QJsonObject& message = row.message;
    if (role == MessageRole)
        return message;
    if (role == SearchTextRole)
        return message.value(QLatin1String("channel")).toString() + QLatin1Char('\n') + row.dataText;
    if (role == Qt::ToolTipRole && index.column() == DataColumn)
        return row.dataText;
    if (role == Qt::TextAlignmentRole)
        return index.column() == OffsetColumn ? int(Qt::AlignRight | Qt::AlignVCenter)
                                              : int(Qt::AlignLeft | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case TimeColumn: {
        const qint64 ms = qint64(message.value(QLatin1String("time")).toDouble());
        return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss.zzz")) : QString();
    }
    case ChannelColumn:
        return message.value(QLatin1String("channel")).toString();
    case OffsetColumn:
        return QString::number(qint64(message.value(QLatin1String("offset")).toDouble()));
    case EpochColumn:
        return message.value(QLatin1String("epoch")).toString();
    case DataColumn:
        return row.dataText;
    default:
        return {};
    }
}

QVariant TailModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn: return tr("Time");
    case ChannelColumn: return tr("Channel");
    case OffsetColumn: return tr("Offset");
    case EpochColumn: return tr("Epoch");
    case DataColumn: return tr("Data");
    default: return {};
    }
}

void TailModel::append(const QList<QJsonObject>& messages)
{
    if (messages.isEmpty())
        return;
    const auto first = messages.size() > m_capacity ? messages.cend() - m_capacity : messages.cbegin();
    const int incoming = int(messages.cend() - first);
    const int overflow = int(m_rows.size()) + incoming - m_capacity;
    if (overflow > 0) {
        beginRemoveRows({}, 0, overflow - 1);
        m_rows.remove(0, overflow);
        endRemoveRows();
    }
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()) + incoming - 1);
    for (auto it = first; it != messages.cend(); ++it)
        m_rows.append(Row{*it, compact(it->value(QLatin1String("data")))});
    endInsertRows();
}

void TailModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

QJsonObject TailModel::message(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).message : QJsonObject();
}

QString TailModel::toJson(const QList<int>& rows) const
{
    QList<int> sorted = rows;
    std::sort(sorted.begin(), sorted.end());
    QJsonArray array;
    for (int row : sorted)
        if (row >= 0 && row < m_rows.size())
            array.append(m_rows.at(row).message);
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented));
}

TailFilterModel::TailFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {}

void TailFilterModel::setFilterText(const QString& text)
{
    if (text == m_text)
        return;
    m_text = text;
    invalidateFilter();
}

bool TailFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_text.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    return index.data(TailModel::SearchTextRole).toString().contains(m_text, Qt::CaseInsensitive);
}

} // namespace aldis::ui

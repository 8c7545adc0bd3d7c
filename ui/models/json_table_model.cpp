// SPDX-License-Identifier: Apache-2.0
#include "ui/models/json_table_model.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QJsonDocument>
#include <QLocale>

#include <utility>

namespace aldis::ui {

JsonTableModel::JsonTableModel(const char* context, QList<Column> columns, QStringList keyFields,
                               QObject* parent)
    : QAbstractTableModel(parent), m_context(context), m_columns(std::move(columns)),
      m_keyFields(std::move(keyFields))
{
}

int JsonTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int JsonTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

QVariant JsonTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QJsonObject& row = m_rows.at(index.row());
    if (role == RowObjectRole)
        return row;
    if (role == KeyRole)
        return m_keys.at(index.row());
    return cellData(row, index.column(), role);
}

QVariant JsonTableModel::cellData(const QJsonObject& row, int column, int role) const
{
    const Column& col = m_columns.at(column);
    const QJsonValue value = row.value(QLatin1String(col.key));
    const bool numeric = col.format == Format::Integer || col.format == Format::Number
        || col.format == Format::Rate || col.format == Format::Millis || col.format == Format::Time;
    switch (role) {
    case Qt::DisplayRole:
        return formatValue(value, col.format);
    case Qt::ToolTipRole:
        if (col.format == Format::Text || col.format == Format::Json) {
            const QString text = formatValue(value, col.format);
            return text.isEmpty() ? QVariant() : QVariant(text);
        }
        return {};
    case SortRole:
        if (numeric || col.format == Format::Bool)
            return value.toDouble(value.toBool() ? 1.0 : 0.0);
        return formatValue(value, col.format);
    case Qt::TextAlignmentRole:
        return numeric && col.format != Format::Time ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                                                     : QVariant(int(Qt::AlignLeft | Qt::AlignVCenter));
    default:
        return {};
    }
}

QVariant JsonTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= m_columns.size())
        return {};
    if (role == Qt::DisplayRole)
        return QCoreApplication::translate(m_context, m_columns.at(section).title);
    return {};
}

QString JsonTableModel::formatValue(const QJsonValue& value, Format format)
{
    if (value.isNull() || value.isUndefined())
        return {};
    const QLocale locale;
    switch (format) {
    case Format::Text:
        if (value.isArray()) {
            QStringList parts;
            for (const QJsonValue& part : value.toArray())
                parts.append(part.isString() ? part.toString()
                                             : QString::fromUtf8(QJsonDocument(QJsonArray{part}).toJson(
                                                   QJsonDocument::Compact)));
            return parts.join(QStringLiteral(", "));
        }
        if (value.isDouble())
            return locale.toString(value.toDouble(), 'g', 12);
        if (value.isBool())
            return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        if (value.isObject())
            return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
        return value.toString();
    case Format::Integer:
        return locale.toString(qint64(value.toDouble()));
    case Format::Number:
        return locale.toString(value.toDouble(), 'f', 2);
    case Format::Rate:
        return locale.toString(value.toDouble(), 'f', 1);
    case Format::Millis:
        return QCoreApplication::translate("aldis::ui::JsonTableModel", "%1 ms")
            .arg(locale.toString(value.toDouble(), 'f', 2));
    case Format::Time: {
        const qint64 ms = qint64(value.toDouble());
        if (ms <= 0)
            return {};
        return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    }
    case Format::Bool:
        return value.toBool() ? QCoreApplication::translate("aldis::ui::JsonTableModel", "yes")
                              : QCoreApplication::translate("aldis::ui::JsonTableModel", "no");
    case Format::Json:
        if (value.isObject())
            return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
        if (value.isArray())
            return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
        if (value.isString())
            return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
        return formatValue(value, Format::Text);
    }
    return {};
}

QString JsonTableModel::keyOf(const QJsonObject& row) const
{
    QStringList parts;
    for (const QString& field : m_keyFields) {
        const QJsonValue value = row.value(field);
        parts.append(value.isString() ? value.toString() : QString::number(value.toDouble(), 'g', 17));
    }
    return parts.join(QChar(0x1f));
}

void JsonTableModel::setRows(const QJsonArray& rows)
{
    QList<QJsonObject> next;
    QStringList nextKeys;
    QSet<QString> nextSet;
    next.reserve(rows.size());
    for (const QJsonValue& value : rows) {
        if (!value.isObject())
            continue;
        const QJsonObject row = value.toObject();
        const QString key = keyOf(row);
        if (nextSet.contains(key))
            continue; // keys must be unique for the merge; the first one wins
        nextSet.insert(key);
        next.append(row);
        nextKeys.append(key);
    }

    // 1. Remove rows that vanished, one contiguous run at a time.
    for (int last = int(m_rows.size()) - 1; last >= 0; --last) {
        if (nextSet.contains(m_keys.at(last)))
            continue;
        int first = last;
        while (first > 0 && !nextSet.contains(m_keys.at(first - 1)))
            --first;
        beginRemoveRows({}, first, last);
        m_rows.remove(first, last - first + 1);
        m_keys.remove(first, last - first + 1);
        endRemoveRows();
        last = first;
    }

    // 2. Append new rows.
    const QSet<QString> present(m_keys.cbegin(), m_keys.cend());
    QList<int> added;
    for (int i = 0; i < next.size(); ++i)
        if (!present.contains(nextKeys.at(i)))
            added.append(i);
    if (!added.isEmpty()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + added.size()) - 1);
        for (int i : added) {
            m_rows.append(next.at(i));
            m_keys.append(nextKeys.at(i));
        }
        endInsertRows();
    }

    // 3. Reorder to the order given.
    if (m_keys != nextKeys) {
        emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
        QHash<QString, int> newRow;
        for (int i = 0; i < nextKeys.size(); ++i)
            newRow.insert(nextKeys.at(i), i);
        const QModelIndexList from = persistentIndexList();
        QModelIndexList to;
        to.reserve(from.size());
        for (const QModelIndex& index : from)
            to.append(this->index(newRow.value(m_keys.at(index.row())), index.column()));
        QList<QJsonObject> reordered(m_rows.size());
        for (int i = 0; i < m_rows.size(); ++i)
            reordered[newRow.value(m_keys.at(i))] = m_rows.at(i);
        m_rows = std::move(reordered);
        m_keys = nextKeys;
        changePersistentIndexList(from, to);
        emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
    }

    // 4. Report changed rows.
    for (int i = 0; i < next.size(); ++i) {
        if (m_rows.at(i) == next.at(i))
            continue;
        int last = i;
        while (last + 1 < next.size() && m_rows.at(last + 1) != next.at(last + 1))
            ++last;
        for (int j = i; j <= last; ++j)
            m_rows[j] = next.at(j);
        emit dataChanged(index(i, 0), index(last, columnCount() - 1));
        i = last;
    }
}

void JsonTableModel::upsertRow(const QJsonObject& row, bool atTop)
{
    const QString key = keyOf(row);
    const int existing = rowOfKey(key);
    if (existing >= 0) {
        if (m_rows.at(existing) != row) {
            m_rows[existing] = row;
            emit dataChanged(index(existing, 0), index(existing, columnCount() - 1));
        }
        return;
    }
    const int at = atTop ? 0 : int(m_rows.size());
    beginInsertRows({}, at, at);
    m_rows.insert(at, row);
    m_keys.insert(at, key);
    endInsertRows();
}

bool JsonTableModel::removeRowByKey(const QString& key)
{
    const int row = rowOfKey(key);
    if (row < 0)
        return false;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    m_keys.removeAt(row);
    endRemoveRows();
    return true;
}

void JsonTableModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    m_keys.clear();
    endResetModel();
}

QJsonObject JsonTableModel::rowObject(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : QJsonObject();
}

QString JsonTableModel::rowKey(int row) const
{
    return row >= 0 && row < m_keys.size() ? m_keys.at(row) : QString();
}

int JsonTableModel::rowOfKey(const QString& key) const
{
    return int(m_keys.indexOf(key));
}

} // namespace aldis::ui

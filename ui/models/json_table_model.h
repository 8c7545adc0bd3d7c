// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QStringList>

namespace aldis::ui {

// A table of JSON objects from the admin API (one object a row, one field a column)
// shared by the channels, connections, audit, alerts and nodes models.
//
// setRows() merges a new answer into the table by each row's key: vanished rows are
// removed, new rows inserted, moved rows reordered with a layout change (persistent
// indexes and the selection follow) and changed cells reported with dataChanged, so a
// table refreshed every two seconds keeps its selection and scroll position.
//
// Thread: the GUI thread. Owned by the widget or window that shows it.
class JsonTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class Format { Text, Integer, Number, Rate, Millis, Time, Bool, Json };
    struct Column {
        const char* key;   // field of the row object
        const char* title; // QT_TRANSLATE_NOOP(context, ...)
        Format format;
    };
    enum Role {
        SortRole = Qt::UserRole,  // raw value: double for numbers, string otherwise
        RowObjectRole,            // the whole row object (QJsonObject)
        KeyRole,                  // the row key (QString)
    };

    // `context` is the translation context of the column titles; `keyFields` name the
    // fields that identify a row (joined when several).
    JsonTableModel(const char* context, QList<Column> columns, QStringList keyFields,
                   QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Replaces the content with `rows` (objects), keeping the order given.
    void setRows(const QJsonArray& rows);
    // Inserts or updates one row; a new row goes first when `atTop`, else last.
    void upsertRow(const QJsonObject& row, bool atTop = false);
    bool removeRowByKey(const QString& key);
    void clear();

    QJsonObject rowObject(int row) const;
    QString rowKey(int row) const;
    int rowOfKey(const QString& key) const;
    const Column& column(int section) const { return m_columns.at(section); }

    // Text of a value in a column format, as shown in a cell.
    static QString formatValue(const QJsonValue& value, Format format);

protected:
    // Hook for subclasses (colours, icons); the default handles display, sort,
    // alignment and tool tips.
    virtual QVariant cellData(const QJsonObject& row, int column, int role) const;
    QString keyOf(const QJsonObject& row) const;

private:
    const char* m_context;
    QList<Column> m_columns;
    QStringList m_keyFields;
    QList<QJsonObject> m_rows;
    QStringList m_keys;
};

} // namespace aldis::ui

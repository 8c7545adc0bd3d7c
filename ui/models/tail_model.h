// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>
#include <QSortFilterProxyModel>

namespace aldis::ui {

// The live tail of one channel: the `tail` messages of the admin stream, oldest
// first, in a bounded ring (5000 rows by default; the oldest rows go first). The tail
// panel appends in batches on its timer, never a row per message.
//
// Thread: the GUI thread. Owned by the tail panel.
class TailModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TimeColumn, ChannelColumn, OffsetColumn, EpochColumn, DataColumn, ColumnCount };
    enum Role { MessageRole = Qt::UserRole + 1, SearchTextRole };
    static constexpr int kDefaultCapacity = 5000;

    explicit TailModel(QObject* parent = nullptr, int capacity = kDefaultCapacity);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Appends `tail` messages ({"type":"tail","channel":...,"offset":...,"data":...}),
    // dropping the oldest rows beyond the capacity.
    void append(const QList<QJsonObject>& messages);
    void clear();
    int capacity() const { return m_capacity; }

    QJsonObject message(int row) const;
    // The messages of `rows` as an indented JSON array (for "copy as JSON").
    QString toJson(const QList<int>& rows) const;

private:
    struct Row {
        QJsonObject message;
        QString dataText; // compact JSON of "data", cached for display and filtering
    };
    int m_capacity;
    QList<Row> m_rows;
};

// Filters the tail by a text found (case-insensitively) in the channel or the data.
//
// Thread: the GUI thread. Owned by the tail panel.
class TailFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit TailFilterModel(QObject* parent = nullptr);

    void setFilterText(const QString& text);
    QString filterText() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_text;
};

} // namespace aldis::ui

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QTimer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace aldis::ui {

class NodeClient;
class NodeRegistry;
class TailFilterModel;
class TailModel;

// Live tail of one channel on the current node: channel field, Start/Stop, Pause (new
// messages wait, up to the ring's size, and appear on resume), a filter, and "Copy as
// JSON" for the selected rows. Messages are added in batches every 250 ms, never a
// row per message.
//
// Thread: the GUI thread. Owned by its dock widget.
class TailPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kFlushMs = 250;

    TailPanel(NodeRegistry* registry, QWidget* parent = nullptr);
    ~TailPanel() override;

    void setNode(const QString& nodeId);
    QString channel() const;
    void setChannel(const QString& channel);
    bool isTailing() const { return !m_tailing.isEmpty(); }
    bool isPaused() const { return m_paused; }

    void start();
    void stop();
    void setPaused(bool paused);
    // Copies the selected rows as a JSON array; returns the text copied.
    QString copySelectionAsJson();
    // Adds messages as if received (flushed on the next batch).
    void receive(const QJsonObject& message);
    void flush();

    TailModel* model() const { return m_model; }
    TailFilterModel* filterModel() const { return m_filterModel; }
    QTableView* view() const { return m_view; }
    QString statusText() const;

signals:
    void channelChanged(const QString& channel);

private:
    void attach(NodeClient* client);
    void setStatus(const QString& text, bool error = false);
    void updateButtons();

    NodeRegistry* m_registry;
    QPointer<NodeClient> m_client;
    QString m_node;
    QString m_tailing;
    bool m_paused = false;
    QList<QJsonObject> m_pending;
    TailModel* m_model;
    TailFilterModel* m_filterModel;
    QLineEdit* m_channel;
    QPushButton* m_startStop;
    QPushButton* m_pause;
    QPushButton* m_clear;
    QPushButton* m_copy;
    QLineEdit* m_filter;
    QTableView* m_view;
    QLabel* m_status;
    qint64 m_dropped = 0; // publications the node did not forward since the tail started
    QTimer m_flushTimer;
};

} // namespace aldis::ui

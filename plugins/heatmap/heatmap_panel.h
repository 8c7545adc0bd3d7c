// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QTimer>
#include <QWidget>

class QLabel;

namespace aldis::plugin {
class PanelContext;
}

namespace aldis::heatmap {

class HeatMapWidget;

// The content of the heat map dock: every 2 s, while it is visible, asks each watched
// node for its channels (GET /v1/admin/channels?limit=50) and shows them in a
// HeatMapWidget, with a status line above it (counts, or what went wrong).
//
// GUI thread; owned by its dock. Answers come back asynchronously through the
// PanelContext: an answer older than the one already shown for its node is dropped,
// and at most one request per node is in flight, so a slow node never piles up
// requests. After detach() it never touches the context again.
class HeatmapPanel : public QWidget {
    Q_OBJECT

public:
    static constexpr int kRefreshMs = 2000;
    static constexpr int kChannelLimit = 50;

    HeatmapPanel(aldis::plugin::PanelContext* context, QWidget* parent = nullptr);

    // Stops polling and forgets the context (the plugin's aboutToShutdown()).
    void detach();

protected:
    void showEvent(QShowEvent* event) override;

private:
    struct Answer {
        quint64 round = 0;
        QJsonObject json;
    };

    void refresh();
    void takeAnswer(quint64 round, const QString& nodeId, const QJsonObject& answer);
    void publish();

    aldis::plugin::PanelContext* m_context;
    QTimer m_timer;
    QLabel* m_status;
    HeatMapWidget* m_map;
    quint64 m_round = 0;
    QStringList m_nodes;               // as of the last refresh, in the context's order
    QHash<QString, Answer> m_answers;  // latest answer per node
    QSet<QString> m_inFlight;
};

} // namespace aldis::heatmap

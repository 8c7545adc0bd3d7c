// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QTimer>
#include <QWidget>

#include <functional>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace aldis::ui {

class JsonTableModel;
class NodeRegistry;

// A table of one node's admin API list (channels, connections) with a filter,
// sorting, and a refresh every two seconds while the panel is visible (hidden or
// tabbed-away panels cost nothing). A newer answer supersedes an older one still in
// flight: answers are applied only when they belong to the latest request.
//
// Thread: the GUI thread. Owned by its dock widget; the model is its child.
class RemoteTablePanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kRefreshMs = 2000;
    // Applies an answer to the model; false for an error answer.
    using Apply = std::function<bool(const QJsonObject& answer)>;
    // The "N of M" line for an applied answer.
    using Summary = std::function<QString(const QJsonObject& answer)>;

    RemoteTablePanel(NodeRegistry* registry, JsonTableModel* model, QString path, Apply apply,
                     Summary summary, QWidget* parent = nullptr);

    void setNode(const QString& nodeId);
    QString node() const { return m_node; }
    // Requests the list now (also done on the timer while visible).
    void refreshNow();
    QTableView* view() const { return m_view; }
    JsonTableModel* model() const { return m_model; }
    QString statusText() const;

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    NodeRegistry* m_registry;
    JsonTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QString m_path;
    Apply m_apply;
    Summary m_summary;
    QString m_node;
    QLineEdit* m_filter;
    QTableView* m_view;
    QLabel* m_status;
    QTimer m_timer;
    quint64 m_generation = 0;
};

} // namespace aldis::ui

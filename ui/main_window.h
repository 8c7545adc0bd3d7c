// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QHash>
#include <QMainWindow>

class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QTableView;
class QToolBar;

namespace aldis::ui {

class AlertBanner;
class AlertsModel;
class AlertsPanel;
class FailoverPanel;
class HistoryStore;
class LagChart;
class LatencyChart;
class NodeRegistry;
class NodesModel;
class PluginManager;
class RemoteTablePanel;
class TailPanel;
class ThroughputChart;
class TimeRangeSelector;
class TopologyView;

// The control room window: the topology in the middle, every other view in a dock
// (nodes, latency, throughput, lag, channels, connections, live tail, alerts,
// failover, and the plugins' panels), an alert banner across the top while any alert
// is active, a node picker and the history range in the tool bar, and a status bar
// with the node and stale counts. F11 toggles wall mode (full screen, larger fonts,
// no menu, tool or status bar). Geometry, dock layout, range, current node and last
// tail channel are kept in QSettings.
//
// Everything is redrawn on the registry's refreshed() (once a second), never per
// message. Thread: the GUI thread. Owned by runControlRoom() (or a test); the
// registry, history store and plugin manager must outlive it.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(NodeRegistry* registry, HistoryStore* history, PluginManager* plugins = nullptr,
               QWidget* parent = nullptr);
    ~MainWindow() override;

    QString currentNode() const;
    void setCurrentNode(const QString& key);
    qint64 rangeMs() const;
    void setRangeMs(qint64 rangeMs);
    bool isWallMode() const { return m_wallMode; }
    void setWallMode(bool on);

    // Redraws from the registry (the refreshed() slot; public for tests).
    void refresh();
    // Re-reads the history charts: now when `force`, else only when the range's
    // bucket has passed since the last read (a 24 h chart is re-read every 96 s).
    void refreshCharts(bool force = true);

    TopologyView* topologyView() const { return m_topology; }
    LatencyChart* latencyChart() const { return m_latency; }
    ThroughputChart* throughputChart() const { return m_throughput; }
    LagChart* lagChart() const { return m_lag; }
    AlertBanner* alertBanner() const { return m_banner; }
    NodesModel* nodesModel() const { return m_nodesModel; }
    AlertsModel* alertsModel() const { return m_alertsModel; }
    TailPanel* tailPanel() const { return m_tail; }
    FailoverPanel* failoverPanel() const { return m_failover; }
    RemoteTablePanel* channelsPanel() const { return m_channels; }
    RemoteTablePanel* connectionsPanel() const { return m_connections; }
    QDockWidget* dock(const QString& objectName) const { return m_docks.value(objectName); }
    QString statusText() const;

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    QDockWidget* addDock(const QString& objectName, const QString& title, QWidget* widget, Qt::DockWidgetArea area);
    void buildMenus();
    void rebuildPluginsMenu();
    void showPluginsDialog();
    void updateNodeList();
    void readSettings();
    void writeSettings() const;
    void applyFontScale(double scale);

    NodeRegistry* m_registry;
    HistoryStore* m_history;
    PluginManager* m_plugins;

    NodesModel* m_nodesModel;
    AlertsModel* m_alertsModel;
    TopologyView* m_topology;
    LatencyChart* m_latency;
    ThroughputChart* m_throughput;
    LagChart* m_lag;
    RemoteTablePanel* m_channels;
    RemoteTablePanel* m_connections;
    TailPanel* m_tail;
    AlertsPanel* m_alerts;
    FailoverPanel* m_failover;
    AlertBanner* m_banner;
    QToolBar* m_bannerBar;
    QToolBar* m_mainBar;
    QComboBox* m_nodePicker;
    TimeRangeSelector* m_range;
    QLabel* m_nodeCount;
    QLabel* m_staleCount;
    QMenu* m_viewMenu = nullptr;
    QMenu* m_pluginsMenu = nullptr;
    QHash<QString, QDockWidget*> m_docks;
    bool m_wallMode = false;
    bool m_wasMaximized = false;
    QFont m_normalFont;
    qint64 m_lastChartRefreshMs = 0;
};

} // namespace aldis::ui

// SPDX-License-Identifier: Apache-2.0
#include "ui/main_window.h"

#include "ui/adapter/node_client.h"
#include "ui/adapter/node_registry.h"
#include "ui/history/history_store.h"
#include "ui/models/alerts_model.h"
#include "ui/models/channels_model.h"
#include "ui/models/connections_model.h"
#include "ui/models/nodes_model.h"
#include "ui/models/plugins_model.h"
#include "ui/plugins/plugin_manager.h"
#include "ui/widgets/alert_banner.h"
#include "ui/widgets/alerts_panel.h"
#include "ui/widgets/failover_panel.h"
#include "ui/widgets/lag_chart.h"
#include "ui/widgets/latency_chart.h"
#include "ui/widgets/remote_table_panel.h"
#include "ui/widgets/tail_panel.h"
#include "ui/widgets/throughput_chart.h"
#include "ui/widgets/time_range_selector.h"
#include "ui/widgets/topology_view.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>

namespace aldis::ui {

namespace {

constexpr double kWallFontScale = 1.5;
// History charts show at most about this many points, whatever the range.
constexpr qint64 kChartPoints = 900;

QString summaryOf(const QJsonObject& answer, const char* arrayKey, const char* context, const char* text)
{
    const int shown = int(answer.value(QLatin1String(arrayKey)).toArray().size());
    const int total = answer.value(QLatin1String("total")).toInt(shown);
    return QCoreApplication::translate(context, text).arg(shown).arg(total);
}

} // namespace

MainWindow::MainWindow(NodeRegistry* registry, HistoryStore* history, PluginManager* plugins, QWidget* parent)
    : QMainWindow(parent), m_registry(registry), m_history(history), m_plugins(plugins),
      m_nodesModel(new NodesModel(this)), m_alertsModel(new AlertsModel(this)), m_topology(new TopologyView(this)),
      m_latency(new LatencyChart(this)), m_throughput(new ThroughputChart(this)), m_lag(new LagChart(this)),
      m_channels(new RemoteTablePanel(
          registry, new ChannelsModel, QStringLiteral("/v1/admin/channels?limit=500"),
          [this](const QJsonObject& answer) { return static_cast<ChannelsModel*>(m_channels->model())->setFromJson(answer); },
          [](const QJsonObject& answer) {
              return summaryOf(answer, "channels", "aldis::ui::MainWindow", QT_TRANSLATE_NOOP("aldis::ui::MainWindow", "%1 of %2 channels"));
          },
          this)),
      m_connections(new RemoteTablePanel(
          registry, new ConnectionsModel, QStringLiteral("/v1/admin/connections?limit=500"),
          [this](const QJsonObject& answer) {
              return static_cast<ConnectionsModel*>(m_connections->model())->setFromJson(answer);
          },
          [](const QJsonObject& answer) {
              return summaryOf(answer, "connections", "aldis::ui::MainWindow", QT_TRANSLATE_NOOP("aldis::ui::MainWindow", "%1 of %2 connections"));
          },
          this)),
      m_tail(new TailPanel(registry, this)), m_alerts(new AlertsPanel(m_alertsModel, this)),
      m_failover(new FailoverPanel(registry, this)), m_banner(new AlertBanner(this)),
      m_bannerBar(new QToolBar(tr("Alert banner"), this)), m_mainBar(new QToolBar(tr("Main tool bar"), this)),
      m_nodePicker(new QComboBox(this)), m_range(new TimeRangeSelector(this)), m_nodeCount(new QLabel(this)),
      m_staleCount(new QLabel(this))
{
    setWindowTitle(tr("Aldis control room"));
    setDockNestingEnabled(true);
    m_normalFont = font();

    m_bannerBar->setObjectName(QStringLiteral("alertBannerBar"));
    m_bannerBar->setMovable(false);
    m_bannerBar->setFloatable(false);
    m_bannerBar->toggleViewAction()->setVisible(false);
    m_bannerBar->addWidget(m_banner);
    m_banner->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    addToolBar(Qt::TopToolBarArea, m_bannerBar);
    addToolBarBreak(Qt::TopToolBarArea);
    m_bannerBar->setVisible(false);
    connect(m_banner, &AlertBanner::activeChanged, m_bannerBar, &QToolBar::setVisible);

    m_mainBar->setObjectName(QStringLiteral("mainToolBar"));
    m_mainBar->setMovable(false);
    m_mainBar->addWidget(new QLabel(tr("Node:"), this));
    m_nodePicker->setMinimumContentsLength(16);
    m_nodePicker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_mainBar->addWidget(m_nodePicker);
    m_mainBar->addSeparator();
    m_mainBar->addWidget(m_range);
    addToolBar(Qt::TopToolBarArea, m_mainBar);

    setCentralWidget(m_topology);

    auto* nodesView = new QTableView(this);
    auto* nodesProxy = new QSortFilterProxyModel(this);
    nodesProxy->setSourceModel(m_nodesModel);
    nodesProxy->setSortRole(JsonTableModel::SortRole);
    nodesView->setModel(nodesProxy);
    nodesView->setSortingEnabled(true);
    nodesView->sortByColumn(-1, Qt::AscendingOrder);
    nodesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    nodesView->setSelectionMode(QAbstractItemView::SingleSelection);
    nodesView->verticalHeader()->hide();
    nodesView->horizontalHeader()->setStretchLastSection(true);
    connect(nodesView, &QTableView::activated, this, [this, nodesProxy](const QModelIndex& index) {
        setCurrentNode(nodesProxy->mapToSource(index).data(JsonTableModel::KeyRole).toString());
    });
    connect(nodesView, &QTableView::clicked, this, [this, nodesProxy](const QModelIndex& index) {
        setCurrentNode(nodesProxy->mapToSource(index).data(JsonTableModel::KeyRole).toString());
    });

    addDock(QStringLiteral("nodes"), tr("Nodes"), nodesView, Qt::LeftDockWidgetArea);
    QDockWidget* alerts = addDock(QStringLiteral("alerts"), tr("Alerts"), m_alerts, Qt::LeftDockWidgetArea);
    QDockWidget* latency = addDock(QStringLiteral("latency"), tr("Latency"), m_latency, Qt::RightDockWidgetArea);
    QDockWidget* throughput = addDock(QStringLiteral("throughput"), tr("Throughput"), m_throughput, Qt::RightDockWidgetArea);
    QDockWidget* lag = addDock(QStringLiteral("lag"), tr("Consumer lag"), m_lag, Qt::RightDockWidgetArea);
    QDockWidget* channels = addDock(QStringLiteral("channels"), tr("Channels"), m_channels, Qt::BottomDockWidgetArea);
    QDockWidget* connections = addDock(QStringLiteral("connections"), tr("Connections"), m_connections, Qt::BottomDockWidgetArea);
    QDockWidget* tail = addDock(QStringLiteral("tail"), tr("Live tail"), m_tail, Qt::BottomDockWidgetArea);
    QDockWidget* failover = addDock(QStringLiteral("failover"), tr("Failover"), m_failover, Qt::BottomDockWidgetArea);
    Q_UNUSED(latency);
    tabifyDockWidget(throughput, lag);
    throughput->raise();
    tabifyDockWidget(channels, connections);
    tabifyDockWidget(channels, tail);
    tabifyDockWidget(channels, failover);
    channels->raise();
    Q_UNUSED(alerts);

    if (m_plugins) {
        for (QDockWidget* dock : m_plugins->createPanels(this)) {
            if (dock->objectName().isEmpty())
                dock->setObjectName(QStringLiteral("plugin:") + dock->windowTitle());
            addDockWidget(Qt::RightDockWidgetArea, dock);
            m_docks.insert(dock->objectName(), dock);
        }
    }

    m_nodeCount->setObjectName(QStringLiteral("nodeCount"));
    m_staleCount->setObjectName(QStringLiteral("staleCount"));
    statusBar()->addPermanentWidget(m_nodeCount);
    statusBar()->addPermanentWidget(m_staleCount);

    buildMenus();

    connect(m_nodePicker, &QComboBox::currentIndexChanged, this, [this] {
        const QString key = currentNode();
        m_channels->setNode(key);
        m_connections->setNode(key);
        m_tail->setNode(key);
        m_failover->setNode(key);
        m_latency->setStats(m_registry->latestStats(key));
        m_lastChartRefreshMs = 0;
        refreshCharts();
    });
    connect(m_range, &TimeRangeSelector::rangeChanged, this, [this] {
        m_lastChartRefreshMs = 0;
        refreshCharts();
    });
    connect(m_topology, &TopologyView::nodeClicked, this, [this](const QString& id) {
        if (m_registry->client(id))
            setCurrentNode(id);
    });
    connect(m_banner, &AlertBanner::clicked, this, [alerts] {
        alerts->show();
        alerts->raise();
    });
    connect(m_tail, &TailPanel::channelChanged, this, [] (const QString& channel) {
        QSettings().setValue(QStringLiteral("tail/channel"), channel);
    });
    connect(m_registry, &NodeRegistry::refreshed, this, &MainWindow::refresh);
    connect(m_registry, &NodeRegistry::nodesChanged, this, &MainWindow::updateNodeList);
    connect(m_registry, &NodeRegistry::alertsChanged, this, [this](const QString& key) {
        m_alertsModel->setFromJson(key, m_registry->alerts(key));
        m_banner->setAlerts(m_alertsModel->activeAlerts());
    });
    connect(m_registry, &NodeRegistry::eventReceived, this, [this](const QString& key, const QJsonObject& event) {
        const QString kind = event.value(QLatin1String("kind")).toString();
        if (kind == QLatin1String("action") || kind.startsWith(QLatin1String("alert_"))
            || kind == QLatin1String("node_down"))
            statusBar()->showMessage(tr("%1: %2").arg(key, event.value(QLatin1String("message")).toString()), 10000);
    });

    resize(1600, 1000);
    updateNodeList();
    readSettings();
    refresh();
}

MainWindow::~MainWindow() = default;

QDockWidget* MainWindow::addDock(const QString& objectName, const QString& title, QWidget* widget,
                                 Qt::DockWidgetArea area)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(widget);
    dock->setAllowedAreas(Qt::AllDockWidgetAreas);
    addDockWidget(area, dock);
    m_docks.insert(objectName, dock);
    return dock;
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    const QStringList order{QStringLiteral("nodes"),       QStringLiteral("alerts"), QStringLiteral("latency"),
                            QStringLiteral("throughput"),  QStringLiteral("lag"),    QStringLiteral("channels"),
                            QStringLiteral("connections"), QStringLiteral("tail"),   QStringLiteral("failover")};
    for (const QString& name : order)
        m_viewMenu->addAction(m_docks.value(name)->toggleViewAction());
    bool pluginSeparator = false;
    for (auto it = m_docks.cbegin(); it != m_docks.cend(); ++it) {
        if (order.contains(it.key()))
            continue;
        if (!pluginSeparator) {
            m_viewMenu->addSeparator();
            pluginSeparator = true;
        }
        m_viewMenu->addAction(it.value()->toggleViewAction());
    }
    m_viewMenu->addSeparator();
    QAction* wall = m_viewMenu->addAction(tr("&Wall mode"));
    wall->setObjectName(QStringLiteral("wallModeAction"));
    wall->setCheckable(true);
    wall->setShortcut(Qt::Key_F11);
    wall->setShortcutContext(Qt::ApplicationShortcut);
    addAction(wall); // keeps F11 working while the menu bar is hidden
    connect(wall, &QAction::toggled, this, &MainWindow::setWallMode);
    // Esc leaves wall mode too: on a wall screen there is no menu to find F11 in.
    auto* leaveWall = new QAction(this);
    leaveWall->setShortcut(Qt::Key_Escape);
    connect(leaveWall, &QAction::triggered, this, [this] {
        if (m_wallMode)
            setWallMode(false);
    });
    addAction(leaveWall);

    QMenu* language = menuBar()->addMenu(tr("&Language"));
    auto* group = new QActionGroup(this);
    const QString current = QSettings().value(QStringLiteral("language")).toString();
    const QList<QPair<QString, QString>> languages{{QString(), tr("System language")},
                                                   {QStringLiteral("en"), QStringLiteral("English")},
                                                   {QStringLiteral("de"), QStringLiteral("Deutsch")},
                                                   {QStringLiteral("ja"), QStringLiteral("日本語")}};
    for (const auto& [code, name] : languages) {
        QAction* action = language->addAction(name);
        action->setCheckable(true);
        action->setChecked(code == current);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [this, code = code] {
            QSettings().setValue(QStringLiteral("language"), code);
            statusBar()->showMessage(tr("The language changes at the next start of the control room."), 10000);
        });
    }

    m_pluginsMenu = menuBar()->addMenu(tr("&Plugins"));
    rebuildPluginsMenu();
    if (m_plugins)
        connect(m_plugins, &PluginManager::recordsChanged, this, &MainWindow::rebuildPluginsMenu);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Aldis"), this, [this] {
        QMessageBox::about(this, tr("About Aldis"),
                           tr("<h3>Aldis %1</h3><p>A real-time messaging node with a control room.</p>"
                              "<p>The control room watches nodes through their admin API; F11 switches "
                              "to wall mode.</p>")
                               .arg(QStringLiteral(ALDIS_VERSION)));
    });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::rebuildPluginsMenu()
{
    m_pluginsMenu->clear();
    QAction* list = m_pluginsMenu->addAction(tr("Installed plugins..."), this, &MainWindow::showPluginsDialog);
    list->setEnabled(m_plugins != nullptr);
    if (!m_plugins)
        return;
    m_pluginsMenu->addSeparator();
    const QList<PluginRecord>& records = m_plugins->records();
    if (records.isEmpty()) {
        m_pluginsMenu->addAction(tr("No plugin found"))->setEnabled(false);
        return;
    }
    for (const PluginRecord& record : records) {
        const QString name = record.name.isEmpty() ? record.fileName.section(QLatin1Char('/'), -1) : record.name;
        QAction* action = m_pluginsMenu->addAction(
            record.loaded ? tr("%1 %2").arg(name, record.version) : tr("%1: not loaded").arg(name));
        action->setToolTip(record.loaded ? record.description : record.error);
        action->setStatusTip(record.loaded ? record.description : record.error);
        connect(action, &QAction::triggered, this, &MainWindow::showPluginsDialog);
    }
    m_pluginsMenu->setToolTipsVisible(true);
}

void MainWindow::showPluginsDialog()
{
    if (!m_plugins)
        return;
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Plugins"));
    auto* layout = new QVBoxLayout(&dialog);
    auto* model = new PluginsModel(&dialog);
    model->setRecords(m_plugins->records());
    auto* view = new QTableView(&dialog);
    view->setModel(model);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    view->setWordWrap(true);
    view->resizeColumnsToContents();
    layout->addWidget(view);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.resize(900, 400);
    dialog.exec();
}

QString MainWindow::currentNode() const
{
    return m_nodePicker->currentText();
}

void MainWindow::setCurrentNode(const QString& key)
{
    const int index = m_nodePicker->findText(key);
    if (index >= 0)
        m_nodePicker->setCurrentIndex(index);
}

qint64 MainWindow::rangeMs() const
{
    return m_range->rangeMs();
}

void MainWindow::setRangeMs(qint64 rangeMs)
{
    m_range->setRangeMs(rangeMs);
}

void MainWindow::updateNodeList()
{
    QStringList keys;
    for (const NodeClient* client : m_registry->clients())
        keys.append(client->key());
    QStringList current;
    for (int i = 0; i < m_nodePicker->count(); ++i)
        current.append(m_nodePicker->itemText(i));
    if (keys == current)
        return;
    const QString selected = currentNode();
    {
        const QSignalBlocker blocker(m_nodePicker);
        m_nodePicker->clear();
        m_nodePicker->addItems(keys);
        const int index = m_nodePicker->findText(selected);
        m_nodePicker->setCurrentIndex(index >= 0 ? index : (keys.isEmpty() ? -1 : 0));
    }
    if (currentNode() != selected || !selected.isEmpty())
        emit m_nodePicker->currentIndexChanged(m_nodePicker->currentIndex());
    m_failover->setNode(currentNode());
}

void MainWindow::refresh()
{
    const QList<NodeStatus> statuses = m_registry->statuses();
    m_nodesModel->setNodes(statuses);

    QList<QJsonObject> topologies;
    int stale = 0;
    for (const NodeStatus& status : statuses) {
        if (status.stale)
            ++stale;
        m_alertsModel->setActive(status.key, status.stats.value(QLatin1String("alerts")).toArray());
        const QJsonObject topology = m_registry->topology(status.key);
        if (!topology.isEmpty())
            topologies.append(topology);
    }
    m_banner->setAlerts(m_alertsModel->activeAlerts());
    m_alerts->updateSummary();
    m_topology->setSnapshot(TopologyView::build(statuses, topologies));
    m_nodeCount->setText(tr("%n node(s)", "", int(statuses.size())));
    m_staleCount->setText(tr("%n stale", "", stale));
    m_staleCount->setStyleSheet(stale > 0 ? QStringLiteral("color: %1").arg(healthColor(Health::Stale).name())
                                          : QString());
    m_latency->setStats(m_registry->latestStats(currentNode()));
    refreshCharts(false);
}

void MainWindow::refreshCharts(bool force)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 range = rangeMs();
    const qint64 bucket = std::max<qint64>(1000, range / kChartPoints);
    // A long range is re-read once per bucket, not every second (half a tick of slack
    // so that timer jitter does not skip a second).
    if (!force && bucket > NodeRegistry::kRefreshMs
        && now - m_lastChartRefreshMs < bucket - NodeRegistry::kRefreshMs / 2)
        return;
    m_lastChartRefreshMs = now;
    const QString node = currentNode();
    const qint64 from = now - range;
    QList<HistorySample> samples;
    QMap<QString, QList<QPointF>> lag;
    if (m_history && !node.isEmpty()) {
        samples = m_history->samples(node, from, now, bucket > 1000 ? bucket : 0);
        lag = m_history->lag(node, from, now, bucket > 1000 ? bucket : 0);
    }
    m_latency->setHistory(samples, from, now);
    m_latency->setThreshold(m_alertsModel->threshold(node, QStringLiteral("p99_latency")));
    m_throughput->setHistory(samples, from, now);
    m_lag->setHistory(lag, from, now);
    m_lag->setLagThreshold(m_alertsModel->threshold(node, QStringLiteral("consumer_lag")));
}

QString MainWindow::statusText() const
{
    return tr("%1, %2").arg(m_nodeCount->text(), m_staleCount->text());
}

void MainWindow::applyFontScale(double scale)
{
    QFont scaled = m_normalFont;
    if (scaled.pointSizeF() > 0)
        scaled.setPointSizeF(m_normalFont.pointSizeF() * scale);
    setFont(scaled);
    m_topology->setFontScale(scale);
    m_latency->setFontScale(scale);
    m_throughput->setFontScale(scale);
    m_lag->setFontScale(scale);
    m_banner->setFontScale(scale);
}

void MainWindow::setWallMode(bool on)
{
    if (on == m_wallMode)
        return;
    m_wallMode = on;
    if (auto* action = findChild<QAction*>(QStringLiteral("wallModeAction")); action && action->isChecked() != on)
        action->setChecked(on);
    menuBar()->setVisible(!on);
    statusBar()->setVisible(!on);
    m_mainBar->setVisible(!on);
    applyFontScale(on ? kWallFontScale : 1.0);
    if (on) {
        m_wasMaximized = isMaximized();
        showFullScreen();
    } else if (m_wasMaximized) {
        showMaximized();
    } else {
        showNormal();
    }
}

void MainWindow::readSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    // The saved state does not decide these: alerts and wall mode do.
    m_bannerBar->setVisible(m_banner->hasAlerts());
    m_mainBar->setVisible(true);
    m_range->setRangeMs(settings.value(QStringLiteral("charts/rangeMs"), rangeMs()).toLongLong());
    m_tail->setChannel(settings.value(QStringLiteral("tail/channel")).toString());
    setCurrentNode(settings.value(QStringLiteral("nodes/current")).toString());
}

void MainWindow::writeSettings() const
{
    QSettings settings;
    if (!m_wallMode)
        settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("charts/rangeMs"), rangeMs());
    if (!m_tail->channel().isEmpty())
        settings.setValue(QStringLiteral("tail/channel"), m_tail->channel());
    if (!currentNode().isEmpty())
        settings.setValue(QStringLiteral("nodes/current"), currentNode());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    writeSettings();
    QMainWindow::closeEvent(event);
}

} // namespace aldis::ui

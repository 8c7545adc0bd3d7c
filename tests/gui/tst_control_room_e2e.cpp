// SPDX-License-Identifier: Apache-2.0
// The control room against a real daemon subprocess (its admin API over loopback):
// the topology shows the node, the charts receive data after publishing, an operator
// action reaches the node and appears in its audit log, a broken plugin is reported
// while the window keeps working, and `aldis` itself opens the control room with an
// embedded node. Writes screenshots of the live window to
// ALDIS_BUILD_DIR/screenshots/live_<view>.png.

#include "support/http_test_client.h"
#include "support/protocol_checks.h"
#include "support/test_support.h"
#include "support/ws_test_client.h"

#include "ui/adapter/node_client.h"
#include "ui/adapter/node_registry.h"
#include "ui/dialogs/confirm_action_dialog.h"
#include "ui/history/history_store.h"
#include "ui/main_window.h"
#include "ui/models/audit_model.h"
#include "ui/models/plugins_model.h"
#include "ui/plugins/plugin_manager.h"
#include "ui/theme.h"
#include "ui/widgets/failover_panel.h"
#include "ui/widgets/latency_chart.h"
#include "ui/widgets/throughput_chart.h"
#include "ui/widgets/topology_view.h"

#include <QApplication>
#include <QDockWidget>
#include <QHeaderView>
#include <QTableView>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <memory>

using namespace aldis::ui;
using namespace aldis::test;

namespace {

void screenshot(QWidget* widget, const QString& name)
{
    const QString dir = QStringLiteral(ALDIS_BUILD_DIR "/screenshots");
    QDir().mkpath(dir);
    QVERIFY(widget->grab().save(dir + QStringLiteral("/live_") + name + QStringLiteral(".png")));
}

bool auditHas(const AuditModel* model, const QString& text)
{
    for (int row = 0; row < model->rowCount(); ++row)
        for (int column = 0; column < model->columnCount(); ++column)
            if (model->index(row, column).data().toString().contains(text))
                return true;
    return false;
}

} // namespace

class TestControlRoomE2e : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void topologyShowsTheNode();
    void chartsMoveAfterPublishing();
    void actionReachesTheNodeAndItsAudit();
    void brokenPluginIsReportedAndTheWindowRunsOn();
    void staleWhenTheNodeDies();
    void wrongTokenIsNamed();
    void aldisOpensTheControlRoomWithAnEmbeddedNode();
    void aldisRefusesToStart_data();
    void aldisRefusesToStart();

private:
    void openWindow(PluginManager* plugins = nullptr);
    NodeClient* client() const { return m_registry->clients().value(0); }

    QTemporaryDir m_dir;
    std::unique_ptr<DaemonProcess> m_daemon;
    std::unique_ptr<HistoryStore> m_history;
    std::unique_ptr<NodeRegistry> m_registry;
    std::unique_ptr<MainWindow> m_window;
};

void TestControlRoomE2e::initTestCase()
{
    QVERIFY2(!aldisBinary().isEmpty(), "ALDIS_BINARY is not set (run through ctest)");
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
    QCoreApplication::setOrganizationName(QStringLiteral("aldis-test"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_control_room_e2e"));
    Theme::apply(*qApp);
}

void TestControlRoomE2e::init()
{
    m_daemon = std::make_unique<DaemonProcess>(QStringLiteral("[namespaces.default]\n[namespaces.chat]\n"));
    QVERIFY2(m_daemon->start(), m_daemon->output().constData());
    QFile::remove(m_dir.filePath(QStringLiteral("history.db")));
    m_history = std::make_unique<HistoryStore>(m_dir.filePath(QStringLiteral("history.db")));
    QVERIFY(m_history->open());
    m_registry = std::make_unique<NodeRegistry>();
    m_registry->setHistoryStore(m_history.get());
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_daemon->adminPort());
    m_registry->addNode(url, QString::fromLatin1(DaemonProcess::kAdminToken));
}

void TestControlRoomE2e::cleanup()
{
    m_window.reset();
    m_registry.reset();
    m_history.reset();
    m_daemon.reset();
}

void TestControlRoomE2e::openWindow(PluginManager* plugins)
{
    m_window = std::make_unique<MainWindow>(m_registry.get(), m_history.get(), plugins);
    m_window->resize(1600, 1000);
    m_window->show();
}

void TestControlRoomE2e::topologyShowsTheNode()
{
    openWindow();
    QTRY_COMPARE_WITH_TIMEOUT(m_window->topologyView()->nodeIds(), QStringList{QStringLiteral("test-node")}, 10000);
    QCOMPARE(m_window->topologyView()->regionNames(), QStringList{QStringLiteral("test")});
    QTRY_COMPARE_WITH_TIMEOUT(m_window->topologyView()->nodeHealth(QStringLiteral("test-node")),
                              std::optional<Health>(Health::Serving), 10000);
    m_window->topologyView()->selectNode(QStringLiteral("test-node"));
    QVERIFY2(m_window->topologyView()->detailsText().contains(QStringLiteral("test-node")),
             qPrintable(m_window->topologyView()->detailsText()));
    QCOMPARE(m_window->currentNode(), QStringLiteral("test-node"));
}

void TestControlRoomE2e::chartsMoveAfterPublishing()
{
    openWindow();
    QTRY_VERIFY_WITH_TIMEOUT(client() && !client()->nodeId().isEmpty(), 10000);
    auto alice = connected(m_daemon->port(), "alice");
    QVERIFY(alice);
    QVERIFY(requestOk(*alice, cmd("subscribe", {{"channel", "chat:lobby"}})));
    // Publications in several seconds, so that more than one stats interval has some.
    QDeadlineTimer deadline(4000);
    int sent = 0;
    while (!deadline.hasExpired()) {
        QVERIFY(requestOk(*alice, cmd("publish", {{"channel", "chat:lobby"}, {"data", sent++}})));
        QTest::qWait(20);
    }
    QTRY_VERIFY_WITH_TIMEOUT(client()->latestStats().value(QStringLiteral("latency_total"))
                                     .toObject()
                                     .value(QStringLiteral("count"))
                                     .toDouble() >= sent,
                             5000);
    m_window->refresh();
    m_window->refreshCharts(true);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->latencyChart()->histogramPointCount() > 0, 5000);
    const auto deliveries = ThroughputChart::deliveriesName();
    QTRY_VERIFY_WITH_TIMEOUT((m_window->refreshCharts(true), m_window->throughputChart()->pointCount(deliveries) > 1),
                             5000);
    // The history file has the samples too (charts survive a restart).
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto samples = m_history->samples(QStringLiteral("test-node"), now - 60'000, now + 1000);
    QVERIFY(samples.size() >= 2);
    bool someDeliveries = false;
    for (const auto& s : samples)
        someDeliveries = someDeliveries || s.deliveriesPerS > 0;
    QVERIFY(someDeliveries);
    screenshot(m_window.get(), QStringLiteral("main_window"));
}

void TestControlRoomE2e::actionReachesTheNodeAndItsAudit()
{
    openWindow();
    QTRY_VERIFY_WITH_TIMEOUT(client() && !client()->nodeId().isEmpty(), 10000);
    auto alice = connected(m_daemon->port(), "alice");
    QVERIFY(alice);

    auto* panel = m_window->failoverPanel();
    panel->setNode(QStringLiteral("test-node"));
    QString asked;
    panel->setConfirmer([&](const ActionDescription& d) -> std::optional<QString> {
        asked = d.text;
        return QStringLiteral("maintenance window");
    });
    panel->trigger(QStringLiteral("drain"));
    QVERIFY2(asked.contains(QStringLiteral("test-node")), qPrintable(asked));

    // The node really drains: /ready says 503 and its client got 4007. (QTRY spins
    // the event loop the request is sent from; expectDisconnect would block it.)
    QTRY_COMPARE_WITH_TIMEOUT(httpRequest(m_daemon->port(), "GET", "/ready").status, 503, 10000);
    QVERIFY(expectDisconnect(*alice, 4007, true));
    QTRY_VERIFY_WITH_TIMEOUT(auditHas(panel->auditModel(), QStringLiteral("maintenance window")), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->topologyView()->nodeHealth(QStringLiteral("test-node")),
                              std::optional<Health>(Health::Warning), 10000);
    screenshot(panel, QStringLiteral("failover"));

    // A cluster action is refused by the standalone node, and that is audited too.
    panel->trigger(QStringLiteral("promote-region"));
    QTRY_VERIFY_WITH_TIMEOUT(auditHas(panel->auditModel(), QStringLiteral("refused")), 10000);

    panel->trigger(QStringLiteral("undrain"));
    QTRY_COMPARE_WITH_TIMEOUT(httpRequest(m_daemon->port(), "GET", "/ready").status, 200, 10000);
}

void TestControlRoomE2e::brokenPluginIsReportedAndTheWindowRunsOn()
{
    // The fixture folder holds plugins that are broken on purpose, the heat map is a
    // working one.
    PluginManager plugins({QStringLiteral(ALDIS_TEST_PLUGIN_DIR), QStringLiteral(ALDIS_PLUGIN_BUILD_DIR)});
    plugins.loadAll(m_registry.get());
    int failed = 0;
    bool heatmap = false;
    for (const auto& record : plugins.records()) {
        if (!record.loaded) {
            ++failed;
            QVERIFY2(!record.error.isEmpty(), qPrintable(record.fileName));
        }
        heatmap = heatmap || (record.loaded && record.name == QStringLiteral("Channel heat map"));
    }
    QVERIFY(failed >= 3);
    QVERIFY(heatmap);
    openWindow(&plugins);
    QVERIFY(m_window->findChild<QDockWidget*>(QStringLiteral("plugin:Channel heat map")));
    // The window works on: it shows the node and its stats.
    QTRY_COMPARE_WITH_TIMEOUT(m_window->topologyView()->nodeHealth(QStringLiteral("test-node")),
                              std::optional<Health>(Health::Serving), 10000);

    // Pictures for docs/: the plugin list with its errors, and the heat map with
    // some traffic.
    PluginsModel model;
    model.setRecords(plugins.records());
    QTableView list;
    list.setModel(&model);
    list.verticalHeader()->hide();
    list.horizontalHeader()->setStretchLastSection(true);
    list.setWordWrap(true);
    list.resize(1100, 260);
    list.resizeColumnsToContents();
    list.show();
    screenshot(&list, QStringLiteral("plugins"));
    std::vector<std::unique_ptr<WsTestClient>> subscribers;
    const std::vector<std::pair<std::string, int>> channels = {
        {"chat:lobby", 6}, {"chat:ops", 2}, {"prices-eur", 4}, {"prices-usd", 1}, {"alerts", 1}};
    for (const auto& [channel, viewers] : channels) {
        for (int i = 0; i < viewers; ++i) {
            subscribers.push_back(connected(m_daemon->port(), "viewer"));
            QVERIFY(subscribers.back());
            QVERIFY(requestOk(*subscribers.back(), cmd("subscribe", {{"channel", channel}})));
        }
    }
    auto* heatmapDock = m_window->findChild<QDockWidget*>(QStringLiteral("plugin:Channel heat map"));
    heatmapDock->setFloating(true);
    heatmapDock->resize(760, 420);
    heatmapDock->show();
    // Different rates per channel for a few seconds; the heat map polls every 2 s.
    auto publisher = connected(m_daemon->port(), "publisher");
    QVERIFY(publisher);
    QDeadlineTimer traffic(4500);
    for (int tick = 0; !traffic.hasExpired(); ++tick) {
        for (std::size_t c = 0; c < channels.size(); ++c)
            if (tick % static_cast<int>(c + 1) == 0)
                QVERIFY(requestOk(*publisher, cmd("publish", {{"channel", channels[c].first}, {"data", tick}})));
        QTest::qWait(20);
    }
    screenshot(heatmapDock->widget(), QStringLiteral("heatmap"));
    m_window.reset();
    plugins.shutdown();
}

void TestControlRoomE2e::staleWhenTheNodeDies()
{
    openWindow();
    QTRY_COMPARE_WITH_TIMEOUT(m_window->topologyView()->nodeHealth(QStringLiteral("test-node")),
                              std::optional<Health>(Health::Serving), 10000);
    m_daemon->kill9();
    // Never shown healthy once the stats stop.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->topologyView()->nodeHealth(QStringLiteral("test-node")) !=
                                 std::optional<Health>(Health::Serving),
                             NodeClient::kStaleAfterMs + 4000);
}

void TestControlRoomE2e::wrongTokenIsNamed()
{
    // A node watched with a wrong token is down, and the window says why.
    NodeRegistry registry;
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_daemon->adminPort());
    registry.addNode(url, QStringLiteral("not-the-admin-token-at-all"));
    MainWindow window(&registry, m_history.get());
    window.show();
    const QString key = url.toString();
    QTRY_VERIFY_WITH_TIMEOUT(registry.status(key).problem.contains(QStringLiteral("refused the admin token")), 10000);
    window.refresh();
    QCOMPARE(window.topologyView()->nodeHealth(key), std::optional<Health>(Health::Down));
    window.topologyView()->selectNode(key);
    QVERIFY2(window.topologyView()->detailsText().contains(QStringLiteral("refused the admin token")),
             qPrintable(window.topologyView()->detailsText()));
    QCOMPARE(window.nodesModel()->index(0, 0).data(Qt::ToolTipRole).toString(), registry.status(key).problem);
}

void TestControlRoomE2e::aldisOpensTheControlRoomWithAnEmbeddedNode()
{
    // `aldis` with a config and no other argument: a window (offscreen here) with an
    // embedded node whose admin API answers.
    QTemporaryDir dir;
    const QString config = dir.filePath(QStringLiteral("aldis.toml"));
    {
        QFile file(config);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QStringLiteral("[node]\nid = \"embedded\"\ndata_dir = \"%1\"\nlog_format = \"text\"\n"
                                  "[client]\naddress = \"127.0.0.1\"\nport = 0\n"
                                  "[admin]\nport = 0\ntoken = \"%2\"\n")
                       .arg(dir.path(), QString::fromLatin1(DaemonProcess::kAdminToken))
                       .toUtf8());
    }
    QProcess aldis;
    aldis.setProcessChannelMode(QProcess::MergedChannels);
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("xdg-data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("xdg-config")));
    aldis.setProcessEnvironment(env);
    aldis.start(aldisBinary(), {QStringLiteral("--config"), config});
    QVERIFY(aldis.waitForStarted());
    QByteArray out;
    const QRegularExpression re(QStringLiteral("admin API on [^:]+:(\\d+)"));
    QRegularExpressionMatch match;
    QDeadlineTimer deadline(15000);
    while (!match.hasMatch() && !deadline.hasExpired()) {
        aldis.waitForReadyRead(100);
        out += aldis.readAll();
        match = re.match(QString::fromUtf8(out));
    }
    QVERIFY2(match.hasMatch(), out.constData());
    const auto port = static_cast<std::uint16_t>(match.captured(1).toUInt());
    auto node = httpRequest(port, "GET", "/v1/admin/node", {},
                            {{"Authorization", std::string("Bearer ") + DaemonProcess::kAdminToken}});
    QCOMPARE(node.status, 200);
    QVERIFY2(node.body.find("\"id\":\"embedded\"") != std::string::npos, node.body.c_str());
    // The window's stream is one of the node's admin viewers: it runs, not just starts.
    QTest::qWait(1500);
    QCOMPARE(aldis.state(), QProcess::Running);
    aldis.terminate();
    QVERIFY(aldis.waitForFinished(15000));
}

void TestControlRoomE2e::aldisRefusesToStart_data()
{
    QTest::addColumn<bool>("sameStore");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    // The daemon of init() holds its store: an embedded node on the same store must
    // not start, and must say why.
    QTest::addRow("store in use") << true << QStringList{} << "another aldis process is using the event store";
    QTest::addRow("bad admin URL") << false << QStringList{"--connect", "ftp://x"} << "is not an admin URL";
}

void TestControlRoomE2e::aldisRefusesToStart()
{
    QFETCH(bool, sameStore);
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    QStringList arguments = args;
    if (sameStore) {
        const QString config = dir.filePath(QStringLiteral("aldis.toml"));
        QFile file(config);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QStringLiteral("[node]\ndata_dir = \"%1\"\nlog_format = \"text\"\n"
                                  "[client]\naddress = \"127.0.0.1\"\nport = 0\n[admin]\nport = 0\n")
                       .arg(m_daemon->dataDir())
                       .toUtf8());
        file.close();
        arguments << QStringLiteral("--config") << config;
    }
    QProcess aldis;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("xdg-data")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("xdg-config")));
    aldis.setProcessEnvironment(env);
    aldis.start(aldisBinary(), arguments);
    QVERIFY(aldis.waitForFinished(15000)); // exits on its own: no dialog waits offscreen
    QCOMPARE(aldis.exitCode(), 1);
    const QString err = QString::fromUtf8(aldis.readAllStandardError());
    QVERIFY2(err.contains(expected), qPrintable(err));
    // The daemon whose store it is serves on.
    QCOMPARE(httpRequest(m_daemon->port(), "GET", "/ready").status, 200);
}

QTEST_MAIN(TestControlRoomE2e)
#include "tst_control_room_e2e.moc"

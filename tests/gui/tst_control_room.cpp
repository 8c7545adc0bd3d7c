// SPDX-License-Identifier: Apache-2.0
// The main window offscreen, fed synthetic hello/stats messages through a NodeRegistry
// (no network): topology, charts, alert banner, stale nodes, failover confirmation,
// live tail, wall mode. Writes screenshots of the main views to
// ALDIS_BUILD_DIR/screenshots/<view>.png.

#include "ui/adapter/node_client.h"
#include "ui/adapter/node_registry.h"
#include "ui/dialogs/confirm_action_dialog.h"
#include "ui/history/history_store.h"
#include "ui/main_window.h"
#include "ui/models/alerts_model.h"
#include "ui/models/nodes_model.h"
#include "ui/models/tail_model.h"
#include "ui/theme.h"
#include "ui/widgets/alert_banner.h"
#include "ui/widgets/failover_panel.h"
#include "ui/widgets/lag_chart.h"
#include "ui/widgets/latency_chart.h"
#include "ui/widgets/tail_panel.h"
#include "ui/widgets/throughput_chart.h"
#include "ui/widgets/time_series_chart.h"
#include "ui/widgets/topology_view.h"

#include <QApplication>
#include <QDockWidget>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace aldis::ui;

namespace {

QString helloJson(const QString& id, const QString& region)
{
    return QStringLiteral(R"({"type":"hello","node":{"id":"%1","region":"%2","version":"0.1.0","state":"serving",
        "started_at":1795000000000,"uptime_s":12.5,"client_listener":"0.0.0.0:8800",
        "admin_listener":"127.0.0.1:8801","store":{"backend":"sqlite","path":"/tmp/aldis.db"},
        "cluster":null,"connections":3,"channels":2,"subscriptions":4}})")
        .arg(id, region);
}

QJsonObject stats(const QString& id, const QString& region, double p99, const QJsonArray& alerts = {},
                  const QString& state = QStringLiteral("serving"))
{
    const QJsonArray buckets{QJsonArray{0.0595, 4}, QJsonArray{0.0707, 9}, QJsonArray{0.0841, 10},
                             QJsonArray{0.1, 15},   QJsonArray{0.1189, 7}, QJsonArray{0.1682, 3},
                             QJsonArray{0.3364, 2}};
    const QJsonObject latency{{"count", 50}, {"p50_ms", 0.09}, {"p95_ms", 0.2}, {"p99_ms", p99}, {"buckets", buckets}};
    return QJsonObject{{"type", "stats"},     {"node", id},         {"region", region},
                       {"time", 1795000000000.0}, {"interval_s", 1.0}, {"state", state},
                       {"connections", 3},    {"subscriptions", 4}, {"channels", 2},
                       {"rates", QJsonObject{{"publications_per_s", 10.0}, {"deliveries_per_s", 30.0},
                                             {"commands_per_s", 12.0}, {"connects_per_s", 0.0},
                                             {"disconnects_per_s", 0.0}, {"drop_percent_1m", 0.0}}},
                       {"latency", latency},  {"latency_total", latency},
                       {"store_append", QJsonObject{{"count", 10}, {"p50_ms", 1.2}, {"p99_ms", 2.5}}},
                       {"lag", QJsonArray{QJsonObject{{"topic", "aldis.chat"}, {"partition", 0}, {"lag", 12}}}},
                       {"alerts", alerts}};
}

QString text(const QJsonObject& object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

const QJsonObject kAlert{{"rule", "p99_latency"}, {"since", 1795000000000.0}, {"value", 72.5},
                         {"threshold", 50.0}, {"message", "publish-to-deliver p99 72.5 ms is above 50 ms"}};

void screenshot(QWidget* widget, const QString& name)
{
    const QString dir = QStringLiteral(ALDIS_BUILD_DIR "/screenshots");
    QDir().mkpath(dir);
    const QPixmap pixmap = widget->grab();
    QVERIFY(!pixmap.isNull());
    QVERIFY(pixmap.save(dir + QLatin1Char('/') + name + QStringLiteral(".png")));
}

} // namespace

class TestControlRoom : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void topologyShowsNode();
    void chartsHavePoints();
    void bannerWithActiveAlert();
    void staleNodeIsNotHealthy();
    void confirmDialogNamesTheAction_data();
    void confirmDialogNamesTheAction();
    void failoverAsksFirst();
    void failoverShowsRefusal();
    void tailCopyAsJson();
    void wallMode();
    void preferencesSurviveARestart();
    void screenshots();

private:
    void feed(const QJsonObject& message) { m_client->handleStreamMessage(text(message)); }

    QTemporaryDir m_dir;
    std::unique_ptr<HistoryStore> m_history;
    std::unique_ptr<NodeRegistry> m_registry;
    std::unique_ptr<MainWindow> m_window;
    NodeClient* m_client = nullptr;
};

void TestControlRoom::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.filePath("settings"));
    QCoreApplication::setOrganizationName("aldis-test");
    QCoreApplication::setApplicationName("tst_control_room");
    Theme::apply(*qApp);
}

void TestControlRoom::init()
{
    QFile::remove(m_dir.filePath("history.db"));
    m_history = std::make_unique<HistoryStore>(m_dir.filePath("history.db"));
    QVERIFY(m_history->open());
    // Ten minutes of history so that the charts show a past, not only "now".
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<NodeSample> past;
    for (int i = 600; i > 0; i -= 5) {
        HistorySample s = HistoryStore::sampleFromStats(stats("n1", "eu", 0.3 + (i % 60) / 100.0), now - i * 1000);
        s.deliveriesPerS = 30 + (i % 50);
        s.lag = {LagPoint{"aldis.chat", 0, qint64(i % 40)}, LagPoint{"aldis.chat", 1, qint64(i % 25)}};
        past.append(NodeSample{"n1", s});
    }
    QVERIFY(m_history->append(past));

    m_registry = std::make_unique<NodeRegistry>();
    m_registry->setRefreshTimerEnabled(false);
    m_registry->setHistoryStore(m_history.get());
    // Port 9 (discard) on loopback: any REST call fails fast with "unreachable".
    m_client = new NodeClient(QUrl("http://127.0.0.1:9"), "test-token-0123456789");
    m_registry->adoptClient(m_client);
    m_window = std::make_unique<MainWindow>(m_registry.get(), m_history.get());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    feed(QJsonDocument::fromJson(helloJson("n1", "eu").toUtf8()).object());
    m_registry->setTopology("n1", QJsonDocument::fromJson(R"({"regions":[
        {"name":"eu","fenced":false,"home_of":["chat"],"nodes":[{"id":"n1","state":"serving","self":true,
          "admin":"127.0.0.1:8801","client":"0.0.0.0:8800","last_seen":1795000000000},
          {"id":"n2","state":"draining","self":false,"admin":"10.0.0.2:8801","client":"0.0.0.0:8800","last_seen":1795000000000}]},
        {"name":"us","fenced":true,"home_of":["news"],"nodes":[{"id":"n3","state":"serving","self":false,
          "admin":"10.1.0.3:8801","client":"0.0.0.0:8800","last_seen":1795000000000}]}],
      "links":[{"from":"eu","to":"us","kind":"bridge","state":"running","rate_per_s":120.0,"lag":3}]})").object());
    m_registry->setAlerts("n1", QJsonDocument::fromJson(R"({"rules":[{"name":"p99_latency","threshold":50.0,"unit":"ms"},
        {"name":"consumer_lag","threshold":30.0,"unit":"messages"}],"active":[]})").object());
    feed(stats("n1", "eu", 0.3));
    m_registry->refresh();
}

void TestControlRoom::cleanup()
{
    m_window.reset();
    m_registry.reset();
    m_history.reset();
}

void TestControlRoom::topologyShowsNode()
{
    QCOMPARE(m_window->currentNode(), QStringLiteral("n1"));
    TopologyView* topology = m_window->topologyView();
    QCOMPARE(topology->regionNames(), (QStringList{"eu", "us"}));
    QCOMPARE(topology->nodeIds(), (QStringList{"n1", "n2", "n3"}));
    QCOMPARE(topology->nodeHealth("n1"), std::optional<Health>(Health::Serving));
    QCOMPARE(topology->nodeHealth("n2"), std::optional<Health>(Health::Warning));
    QCOMPARE(topology->snapshot().links.size(), 1);
    QVERIFY(topology->snapshot().regions.at(1).fenced);
    // Clicking shows the details.
    topology->selectNode("n1");
    QVERIFY2(topology->detailsText().contains("Node n1 in region eu"), qPrintable(topology->detailsText()));
    QCOMPARE(m_window->nodesModel()->rowCount(), 1);
    QCOMPARE(m_window->nodesModel()->health(0), Health::Serving);
    QVERIFY2(m_window->statusText().contains("1 node"), qPrintable(m_window->statusText()));
    QVERIFY2(m_window->statusText().contains("0 stale"), qPrintable(m_window->statusText()));
}

void TestControlRoom::chartsHavePoints()
{
    m_window->refreshCharts();
    // 120 past samples plus the one the refresh wrote.
    QCOMPARE(m_window->throughputChart()->pointCount(ThroughputChart::deliveriesName()), 121);
    QCOMPARE(m_window->latencyChart()->p99Chart()->pointCount("P99"), 121);
    QCOMPARE(m_window->latencyChart()->histogramPointCount(), 7 * 4);
    QCOMPARE(m_window->latencyChart()->markerMs("P99"), std::optional<double>(0.3));
    QCOMPARE(m_window->latencyChart()->markerMs("P50"), std::optional<double>(0.09));
    QCOMPARE(m_window->lagChart()->seriesNames(), (QStringList{"aldis.chat/0", "aldis.chat/1"}));
    QCOMPARE(m_window->lagChart()->pointCount("aldis.chat/0"), 121);
    // Thresholds from the alert rules.
    QCOMPARE(m_window->latencyChart()->p99Chart()->threshold(), std::optional<double>(50.0));
    QCOMPARE(m_window->lagChart()->threshold(), std::optional<double>(30.0));
    // A longer range reads buckets: fewer points than samples.
    m_window->setRangeMs(24LL * 3600 * 1000);
    QVERIFY(m_window->throughputChart()->pointCount(ThroughputChart::deliveriesName()) > 0);
    QVERIFY(m_window->throughputChart()->pointCount(ThroughputChart::deliveriesName()) < 121);
}

void TestControlRoom::bannerWithActiveAlert()
{
    AlertBanner* banner = m_window->alertBanner();
    QVERIFY(!banner->isVisibleTo(m_window.get()));
    feed(stats("n1", "eu", 72.5, QJsonArray{kAlert}));
    m_registry->refresh();
    QVERIFY(banner->hasAlerts());
    QVERIFY(banner->isVisibleTo(m_window.get()));
    QVERIFY2(banner->text().contains("p99 72.5 ms is above 50 ms"), qPrintable(banner->text()));
    QVERIFY2(banner->text().contains("n1"), qPrintable(banner->text()));
    QCOMPARE(m_window->alertsModel()->activeCount(), 1);
    QCOMPARE(m_window->topologyView()->nodeHealth("n1"), std::optional<Health>(Health::Warning));
    screenshot(m_window.get(), "main_window_alert");
    // The alert clears: the banner goes.
    feed(stats("n1", "eu", 0.3));
    m_registry->refresh();
    QVERIFY(!banner->isVisibleTo(m_window.get()));
    QCOMPARE(m_window->topologyView()->nodeHealth("n1"), std::optional<Health>(Health::Serving));
}

void TestControlRoom::staleNodeIsNotHealthy()
{
    m_client->setStaleAfterMs(50);
    QTest::qWait(120);
    m_registry->refresh();
    const std::optional<Health> health = m_window->topologyView()->nodeHealth("n1");
    QVERIFY(health.has_value());
    QVERIFY(*health != Health::Serving);
    // The stream is not connected in this test: a silent, disconnected node is down.
    QCOMPARE(*health, Health::Down);
    QCOMPARE(m_window->nodesModel()->health(0), Health::Down);
    QVERIFY2(m_window->statusText().contains("1 stale"), qPrintable(m_window->statusText()));
    QVERIFY(m_registry->isStale("n1"));
}

void TestControlRoom::confirmDialogNamesTheAction_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("okText");
    QTest::addColumn<QString>("mentions");
    QTest::addRow("drain") << "drain" << "Drain n1" << "3 connected client";
    QTest::addRow("undrain") << "undrain" << "Undrain n1" << "Node n1 in region eu";
    QTest::addRow("pause-bridge") << "pause-bridge" << "Pause bridge" << "Node n1 stops consuming";
    QTest::addRow("resume-bridge") << "resume-bridge" << "Resume bridge" << "Node n1 restarts";
    QTest::addRow("fence-region") << "fence-region" << "Fence eu" << "home of (chat)";
    QTest::addRow("unfence-region") << "unfence-region" << "Unfence eu" << "through node n1";
    QTest::addRow("promote-region") << "promote-region" << "Promote eu" << "Region eu becomes the home";
}

void TestControlRoom::confirmDialogNamesTheAction()
{
    QFETCH(QString, action);
    QFETCH(QString, okText);
    QFETCH(QString, mentions);
    const ActionDescription description = m_window->failoverPanel()->describe(action);
    QVERIFY2(description.text.contains(mentions), qPrintable(description.text));
    QCOMPARE(description.target, ConfirmActionDialog::isRegionAction(action) ? QStringLiteral("eu") : QStringLiteral("n1"));
    ConfirmActionDialog dialog(description);
    QCOMPARE(dialog.okButton()->text(), okText);
    QVERIFY(dialog.cancelButton()->isDefault());
    QVERIFY(!dialog.okButton()->isDefault());
    // Enter does not run the action: it presses Cancel.
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTest::keyClick(&dialog, Qt::Key_Return);
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    if (action == QLatin1String("drain"))
        screenshot(&dialog, "confirm_drain");
}

void TestControlRoom::failoverAsksFirst()
{
    FailoverPanel* panel = m_window->failoverPanel();
    QList<ActionDescription> asked;
    panel->setConfirmer([&](const ActionDescription& d) -> std::optional<QString> {
        asked.append(d);
        return std::nullopt;
    });
    QSignalSpy finished(panel, &FailoverPanel::actionFinished);
    panel->button("drain")->click();
    QCOMPARE(asked.size(), 1);
    QCOMPARE(asked.first().action, QStringLiteral("drain"));
    QVERIFY(asked.first().text.contains("n1"));
    QVERIFY2(panel->resultText().contains("nothing was sent"), qPrintable(panel->resultText()));
    QTest::qWait(50);
    QCOMPARE(finished.count(), 0);
}

void TestControlRoom::failoverShowsRefusal()
{
    FailoverPanel* panel = m_window->failoverPanel();
    panel->setConfirmer([](const ActionDescription&) -> std::optional<QString> { return QStringLiteral("test"); });
    QSignalSpy finished(panel, &FailoverPanel::actionFinished);
    panel->button("fence-region")->click();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 15000);
    const QJsonObject answer = finished.first().at(1).toJsonObject();
    QCOMPARE(answer.value("error").toObject().value("code").toString(), QStringLiteral("unreachable"));
    QVERIFY2(panel->resultText().contains("refused"), qPrintable(panel->resultText()));
    // An answer with an audit entry shows it and puts it on top of the audit log.
    panel->setConfirmer([](const ActionDescription&) -> std::optional<QString> { return QString(); });
}

void TestControlRoom::tailCopyAsJson()
{
    TailPanel* tail = m_window->tailPanel();
    for (int i = 1; i <= 3; ++i)
        m_client->handleStreamMessage(
            QStringLiteral(R"({"type":"tail","channel":"chat:lobby","offset":%1,"epoch":"s1","time":1795000000000,"data":{"text":"m%1"}})")
                .arg(i));
    QCOMPARE(tail->model()->rowCount(), 0); // batched, not per message
    tail->flush();
    QCOMPARE(tail->model()->rowCount(), 3);
    tail->setPaused(true);
    m_client->handleStreamMessage(QStringLiteral(R"({"type":"tail","channel":"chat:lobby","offset":4,"epoch":"s1","time":1795000000000,"data":"x"})"));
    tail->flush();
    QCOMPARE(tail->model()->rowCount(), 3);
    tail->setPaused(false);
    QCOMPARE(tail->model()->rowCount(), 4);
    tail->view()->selectionModel()->select(tail->filterModel()->index(1, 0),
                                           QItemSelectionModel::Select | QItemSelectionModel::Rows);
    tail->view()->selectionModel()->select(tail->filterModel()->index(2, 0),
                                           QItemSelectionModel::Select | QItemSelectionModel::Rows);
    const QJsonArray copied = QJsonDocument::fromJson(tail->copySelectionAsJson().toUtf8()).array();
    QCOMPARE(copied.size(), 2);
    QCOMPARE(copied.at(0).toObject().value("offset").toInt(), 2);
    QCOMPARE(copied.at(1).toObject().value("offset").toInt(), 3);

    // The node's cap: what it did not forward is counted, not silently lost.
    m_client->handleStreamMessage(QStringLiteral(R"({"type":"tail_dropped","channel":"chat:lobby","count":1200})"));
    m_client->handleStreamMessage(QStringLiteral(R"({"type":"tail_dropped","channel":"chat:lobby","count":34})"));
    QVERIFY2(tail->statusText().contains(QStringLiteral("1234 publication")), qPrintable(tail->statusText()));
}

void TestControlRoom::preferencesSurviveARestart()
{
    const qint64 sixHours = 6 * 3600 * 1000;
    m_window->setRangeMs(sixHours);
    m_window->tailPanel()->setChannel(QStringLiteral("chat:ops"));
    m_window->dock(QStringLiteral("lag"))->hide();
    QVERIFY(m_window->dock(QStringLiteral("latency"))->isVisible());
    m_window->close(); // writes the settings, as when the operator closes the window

    auto reopened = std::make_unique<MainWindow>(m_registry.get(), m_history.get());
    reopened->show();
    QVERIFY(QTest::qWaitForWindowExposed(reopened.get()));
    QCOMPARE(reopened->rangeMs(), sixHours);
    QCOMPARE(reopened->tailPanel()->channel(), QStringLiteral("chat:ops"));
    QVERIFY(!reopened->dock(QStringLiteral("lag"))->isVisible());
    QVERIFY(reopened->dock(QStringLiteral("latency"))->isVisible());
    QCOMPARE(reopened->currentNode(), m_window->currentNode());
    // Leave the defaults for the next test.
    reopened->setRangeMs(15 * 60 * 1000);
    reopened->dock(QStringLiteral("lag"))->show();
    reopened->close();
}

void TestControlRoom::wallMode()
{
    QVERIFY(m_window->menuBar()->isVisible());
    const QFont before = m_window->font();
    m_window->setWallMode(true);
    QVERIFY(m_window->isWallMode());
    QVERIFY(!m_window->menuBar()->isVisible());
    if (before.pointSizeF() > 0)
        QVERIFY(m_window->font().pointSizeF() > before.pointSizeF());
    screenshot(m_window.get(), "wall_mode");
    m_window->setWallMode(false);
    QVERIFY(m_window->menuBar()->isVisible());
    QCOMPARE(m_window->font().pointSizeF(), before.pointSizeF());

    // The keys an operator at the wall has: F11 in, Esc (or F11) out.
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_F11);
    QVERIFY(m_window->isWallMode());
    QTest::keyClick(m_window.get(), Qt::Key_Escape);
    QVERIFY(!m_window->isWallMode());
    QTest::keyClick(m_window.get(), Qt::Key_Escape); // outside wall mode it does nothing
    QVERIFY(!m_window->isWallMode());
}

void TestControlRoom::screenshots()
{
    m_window->resize(1600, 1000);
    m_window->refreshCharts();
    QTest::qWait(50);
    screenshot(m_window.get(), "main_window");
    screenshot(m_window->topologyView(), "topology");
    for (const char* name : {"latency", "throughput", "lag", "alerts", "nodes"}) {
        QDockWidget* dock = m_window->dock(QLatin1String(name));
        QVERIFY(dock);
        dock->setFloating(true);
        dock->resize(900, 600);
        dock->show();
        QTest::qWait(20);
        screenshot(dock->widget(), QLatin1String(name));
    }
    for (const char* name : {"tail", "failover", "channels"}) {
        QDockWidget* dock = m_window->dock(QLatin1String(name));
        QVERIFY(dock);
        dock->setFloating(true);
        dock->resize(900, 500);
        dock->show();
        dock->raise();
        QTest::qWait(20);
        screenshot(dock->widget(), QLatin1String(name));
    }
}

QTEST_MAIN(TestControlRoom)
#include "tst_control_room.moc"

// SPDX-License-Identifier: Apache-2.0
// The control room's item models fed with the JSON of docs/admin-api.md, each watched
// by QAbstractItemModelTester.

#include "ui/models/alerts_model.h"
#include "ui/models/audit_model.h"
#include "ui/models/channels_model.h"
#include "ui/models/connections_model.h"
#include "ui/models/health.h"
#include "ui/models/nodes_model.h"
#include "ui/models/tail_model.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPersistentModelIndex>
#include <QSignalSpy>
#include <QtTest>

using namespace aldis::ui;

namespace {

QJsonObject parse(const char* json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(json), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad fixture: %s", qPrintable(error.errorString()));
    return doc.object();
}

QJsonObject channel(const QString& name, double rate, int subscribers)
{
    return QJsonObject{{"name", name}, {"namespace", name.section(':', 0, 0)}, {"durable", true},
                       {"subscribers", subscribers}, {"last_offset", 120}, {"epoch", "s1"},
                       {"publications", 120}, {"rate_per_s", rate}};
}

QJsonObject channelsAnswer(const QList<QJsonObject>& channels, int total = -1)
{
    QJsonArray array;
    for (const QJsonObject& c : channels)
        array.append(c);
    return QJsonObject{{"total", total < 0 ? int(channels.size()) : total}, {"channels", array}};
}

QString cell(const QAbstractItemModel& model, int row, int column, int role = Qt::DisplayRole)
{
    return model.index(row, column).data(role).toString();
}

int columnOf(const QAbstractItemModel& model, const QString& title)
{
    for (int c = 0; c < model.columnCount(); ++c)
        if (model.headerData(c, Qt::Horizontal).toString() == title)
            return c;
    return -1;
}

const char* const kStats = R"({"type":"stats","node":"n1","region":"local","time":1795000000000,"interval_s":1.0,
 "state":"serving","connections":3,"subscriptions":4,"channels":2,
 "rates":{"publications_per_s":10.0,"deliveries_per_s":30.0,"commands_per_s":12.0,
          "connects_per_s":0.0,"disconnects_per_s":0.0,"drop_percent_1m":0.0},
 "latency":{"count":30,"p50_ms":0.09,"p95_ms":0.2,"p99_ms":0.3,
            "buckets":[[0.0841,10],[0.1,15],[0.3364,5]]},
 "store_append":{"count":10,"p50_ms":1.2,"p99_ms":2.5},
 "lag":[], "alerts":[]})";

const char* const kHelloNode = R"({"id":"n1","region":"local","version":"0.1.0","state":"serving",
 "started_at":1795000000000,"uptime_s":12.5,"client_listener":"0.0.0.0:8800",
 "admin_listener":"127.0.0.1:8801","store":{"backend":"sqlite","path":"/tmp/aldis.db"},
 "cluster":null,"connections":3,"channels":2,"subscriptions":4})";

const char* const kAlerts = R"({"rules":[{"name":"p99_latency","threshold":50.0,"unit":"ms"},
          {"name":"consumer_lag","threshold":10000.0,"unit":"messages"},
          {"name":"connection_drops","threshold":0.0,"unit":"percent per minute"}],
 "active":[{"rule":"p99_latency","since":1795000000000,"value":72.5,
            "threshold":50.0,"message":"publish-to-deliver p99 72.5 ms is above 50 ms"}]})";

} // namespace

class TestModels : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void formatValue_data();
    void formatValue();
    void channelsFromJson();
    void channelsMergeKeepsSelection();
    void channelsIgnoresErrorAnswer();
    void connectionsFromJson();
    void auditNewestFirst();
    void alertsRulesAndActive();
    void alertsFollowStats();
    void health_data();
    void health();
    void nodesRows();
    void nodesStaleNeverHealthy();
    void tailRing();
    void tailFilter_data();
    void tailFilter();
    void tailCopyAsJson();
};

void TestModels::initTestCase()
{
    QLocale::setDefault(QLocale::c());
}

void TestModels::formatValue_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<int>("format");
    QTest::addColumn<QString>("expected");
    using F = JsonTableModel::Format;
    QTest::addRow("text") << QJsonValue("chat:lobby") << int(F::Text) << "chat:lobby";
    QTest::addRow("text array") << QJsonValue(QJsonArray{"*", "chat"}) << int(F::Text) << "*, chat";
    QTest::addRow("null") << QJsonValue(QJsonValue::Null) << int(F::Integer) << "";
    QTest::addRow("missing") << QJsonValue(QJsonValue::Undefined) << int(F::Rate) << "";
    QTest::addRow("integer") << QJsonValue(120) << int(F::Integer) << "120";
    QTest::addRow("rate") << QJsonValue(4.0) << int(F::Rate) << "4.0";
    QTest::addRow("millis") << QJsonValue(0.3) << int(F::Millis) << "0.30 ms";
    QTest::addRow("bool yes") << QJsonValue(true) << int(F::Bool) << "yes";
    QTest::addRow("bool no") << QJsonValue(false) << int(F::Bool) << "no";
    QTest::addRow("json object") << QJsonValue(QJsonObject{{"text", "hi"}}) << int(F::Json) << R"({"text":"hi"})";
    QTest::addRow("json string") << QJsonValue("hi") << int(F::Json) << R"("hi")";
    QTest::addRow("time zero") << QJsonValue(0) << int(F::Time) << "";
}

void TestModels::formatValue()
{
    QFETCH(QJsonValue, value);
    QFETCH(int, format);
    QFETCH(QString, expected);
    QCOMPARE(JsonTableModel::formatValue(value, JsonTableModel::Format(format)), expected);
}

void TestModels::channelsFromJson()
{
    ChannelsModel model;
    QAbstractItemModelTester tester(&model);
    QVERIFY(model.setFromJson(parse(R"({"total":2,"channels":[
      {"name":"chat:lobby","namespace":"chat","durable":true,"subscribers":3,
       "last_offset":120,"epoch":"s1","publications":120,"rate_per_s":4.0},
      {"name":"news:eu","namespace":"news","durable":false,"subscribers":1,
       "last_offset":7,"epoch":"m2","publications":7,"rate_per_s":0.5}]})")));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.total(), 2);
    QCOMPARE(cell(model, 0, 0), QStringLiteral("chat:lobby"));
    QCOMPARE(cell(model, 1, 0), QStringLiteral("news:eu"));
    const int durable = columnOf(model, "Durable");
    QVERIFY(durable >= 0);
    QCOMPARE(cell(model, 0, durable), QStringLiteral("yes"));
    QCOMPARE(cell(model, 1, durable), QStringLiteral("no"));
    const int subscribers = columnOf(model, "Subscribers");
    QCOMPARE(model.index(0, subscribers).data(JsonTableModel::SortRole).toDouble(), 3.0);
    QCOMPARE(model.index(0, subscribers).data(Qt::TextAlignmentRole).toInt(),
             int(Qt::AlignRight | Qt::AlignVCenter));
    QCOMPARE(model.index(1, 0).data(JsonTableModel::KeyRole).toString(), QStringLiteral("news:eu"));
}

void TestModels::channelsMergeKeepsSelection()
{
    ChannelsModel model;
    QAbstractItemModelTester tester(&model);
    model.setFromJson(channelsAnswer({channel("a:1", 5, 1), channel("b:2", 4, 1), channel("c:3", 3, 1)}));
    const QPersistentModelIndex selected = model.index(1, 0); // b:2
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    // a:1 vanishes, d:4 arrives, b:2 moves to the end and its rate changes.
    model.setFromJson(channelsAnswer({channel("d:4", 9, 2), channel("c:3", 3, 1), channel("b:2", 1, 1)}, 10));
    QCOMPARE(resets.count(), 0);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(layouts.count(), 1);
    QVERIFY(changed.count() >= 1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.total(), 10);
    QCOMPARE(cell(model, 0, 0), QStringLiteral("d:4"));
    QCOMPARE(cell(model, 1, 0), QStringLiteral("c:3"));
    QCOMPARE(cell(model, 2, 0), QStringLiteral("b:2"));
    QVERIFY(selected.isValid());
    QCOMPARE(selected.row(), 2);
    QCOMPARE(selected.data().toString(), QStringLiteral("b:2"));
    const int rate = columnOf(model, "Publications/s");
    QCOMPARE(cell(model, 2, rate), QStringLiteral("1.0"));

    // The same answer again changes nothing.
    changed.clear();
    layouts.clear();
    model.setFromJson(channelsAnswer({channel("d:4", 9, 2), channel("c:3", 3, 1), channel("b:2", 1, 1)}, 10));
    QCOMPARE(changed.count(), 0);
    QCOMPARE(layouts.count(), 0);

    // An empty answer empties the table.
    model.setFromJson(channelsAnswer({}));
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!selected.isValid());
}

void TestModels::channelsIgnoresErrorAnswer()
{
    ChannelsModel model;
    QAbstractItemModelTester tester(&model);
    model.setFromJson(channelsAnswer({channel("a:1", 5, 1)}));
    QVERIFY(!model.setFromJson(parse(R"({"error":{"code":"unauthorized","message":"send the admin token"}})")));
    QCOMPARE(model.rowCount(), 1);
}

void TestModels::connectionsFromJson()
{
    ConnectionsModel model;
    QAbstractItemModelTester tester(&model);
    QVERIFY(model.setFromJson(parse(R"({"total":2,"connections":[
      {"client":8,"user":"","remote":"127.0.0.1:51240","connected_at":1795000001000,
       "subscriptions":0,"messages_out":0,"queued_bytes":0},
      {"client":7,"user":"alice","remote":"127.0.0.1:51234","connected_at":1795000000000,
       "subscriptions":2,"messages_out":40,"queued_bytes":0}]})")));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model, 0, 0), QStringLiteral("8"));
    QCOMPARE(cell(model, 1, columnOf(model, "User")), QStringLiteral("alice"));
    const QString connectedAt = cell(model, 1, columnOf(model, "Connected at"));
    QCOMPARE(connectedAt, QDateTime::fromMSecsSinceEpoch(1795000000000).toString("yyyy-MM-dd HH:mm:ss"));
    // Client 8 leaves: only client 7 remains, keyed by its number.
    QVERIFY(model.setFromJson(parse(R"({"total":1,"connections":[
      {"client":7,"user":"alice","remote":"127.0.0.1:51234","connected_at":1795000000000,
       "subscriptions":2,"messages_out":41,"queued_bytes":0}]})")));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(cell(model, 0, columnOf(model, "Messages out")), QStringLiteral("41"));
}

void TestModels::auditNewestFirst()
{
    AuditModel model;
    QAbstractItemModelTester tester(&model);
    QVERIFY(model.setFromJson(parse(R"({"entries":[
      {"id":3,"time":1795000000000,"actor":"ops@wall","action":"drain","target":"n1","result":"ok",
       "message":"closed 3 clients with 4007"},
      {"id":2,"time":1794999990000,"actor":"ops@wall","action":"fence-region","target":"eu",
       "result":"refused","message":"this node is not in a cluster"}]})")));
    QCOMPARE(model.rowCount(), 2);
    const int result = columnOf(model, "Result");
    QVERIFY(!model.index(0, result).data(Qt::ForegroundRole).isValid());
    QVERIFY(model.index(1, result).data(Qt::ForegroundRole).isValid());

    model.addEntry(parse(R"({"id":4,"time":1795000001000,"actor":"ops","action":"undrain",
                             "target":"n1","result":"ok","message":"accepting clients again"})"));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(cell(model, 0, 0), QStringLiteral("4"));
    QCOMPARE(cell(model, 0, columnOf(model, "Action")), QStringLiteral("undrain"));
    // The refresh that follows has the same entry: no duplicate.
    QVERIFY(model.setFromJson(parse(R"({"entries":[
      {"id":4,"time":1795000001000,"actor":"ops","action":"undrain","target":"n1","result":"ok",
       "message":"accepting clients again"},
      {"id":3,"time":1795000000000,"actor":"ops@wall","action":"drain","target":"n1","result":"ok",
       "message":"closed 3 clients with 4007"}]})")));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model, 1, 0), QStringLiteral("3"));
}

void TestModels::alertsRulesAndActive()
{
    AlertsModel model;
    QAbstractItemModelTester tester(&model);
    QVERIFY(model.setFromJson("n1", parse(kAlerts)));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.activeCount(), 1);
    const int status = columnOf(model, "Status");
    QCOMPARE(cell(model, 0, status), QStringLiteral("active"));
    QCOMPARE(cell(model, 1, status), QStringLiteral("ok"));
    QCOMPARE(cell(model, 2, status), QStringLiteral("off"));
    QVERIFY(model.index(0, 0).data(Qt::ForegroundRole).isValid());
    QCOMPARE(model.threshold("n1", "p99_latency"), std::optional<double>(50.0));
    QCOMPARE(model.threshold("n1", "consumer_lag"), std::optional<double>(10000.0));
    QCOMPARE(model.threshold("n1", "connection_drops"), std::nullopt);
    QCOMPARE(model.threshold("n2", "p99_latency"), std::nullopt);
    const QList<QJsonObject> active = model.activeAlerts();
    QCOMPARE(active.size(), 1);
    QCOMPARE(active.first().value("node").toString(), QStringLiteral("n1"));
    QCOMPARE(active.first().value("value").toDouble(), 72.5);

    // A second node with rules only.
    QVERIFY(model.setFromJson("n2", parse(R"({"rules":[{"name":"p99_latency","threshold":20.0,"unit":"ms"}],"active":[]})")));
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(cell(model, 3, 0), QStringLiteral("n2"));
    model.removeNode("n1");
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.activeCount(), 0);
}

void TestModels::alertsFollowStats()
{
    AlertsModel model;
    QAbstractItemModelTester tester(&model);
    // Stats can bring an active alert before the rules arrive.
    model.setActive("n1", QJsonArray{parse(R"({"rule":"consumer_lag","since":1795000000000,"value":12000,
        "threshold":10000.0,"message":"lag 12000 is above 10000"})")});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.activeCount(), 1);
    QCOMPARE(cell(model, 0, columnOf(model, "Rule")), QStringLiteral("consumer_lag"));
    model.setFromJson("n1", parse(kAlerts));
    QCOMPARE(model.activeCount(), 1);
    QCOMPARE(cell(model, 0, columnOf(model, "Status")), QStringLiteral("active")); // p99_latency
    model.setActive("n1", QJsonArray{});
    QCOMPARE(model.activeCount(), 0);
    QCOMPARE(model.rowCount(), 3);
    for (int row = 0; row < model.rowCount(); ++row)
        QVERIFY(cell(model, row, columnOf(model, "Status")) != QStringLiteral("active"));
}

void TestModels::health_data()
{
    QTest::addColumn<QString>("state");
    QTest::addColumn<bool>("stale");
    QTest::addColumn<bool>("connected");
    QTest::addColumn<bool>("nodeDown");
    QTest::addColumn<int>("alerts");
    QTest::addColumn<QString>("expected");
    QTest::addRow("serving") << "serving" << false << true << false << 0 << "serving";
    QTest::addRow("serving, stream reconnecting") << "serving" << false << false << false << 0 << "serving";
    QTest::addRow("alert active") << "serving" << false << true << false << 1 << "warning";
    QTest::addRow("draining") << "draining" << false << true << false << 0 << "warning";
    QTest::addRow("drained") << "drained" << false << true << false << 0 << "warning";
    QTest::addRow("stale while connected") << "serving" << true << true << false << 0 << "stale";
    QTest::addRow("stale and disconnected") << "serving" << true << false << false << 0 << "down";
    QTest::addRow("never seen") << "" << true << false << false << 0 << "down";
    QTest::addRow("node_down") << "serving" << false << true << true << 0 << "down";
    QTest::addRow("unknown state") << "" << false << true << false << 0 << "warning";
}

void TestModels::health()
{
    QFETCH(QString, state);
    QFETCH(bool, stale);
    QFETCH(bool, connected);
    QFETCH(bool, nodeDown);
    QFETCH(int, alerts);
    QFETCH(QString, expected);
    HealthInput input;
    input.state = state;
    input.stale = stale;
    input.connected = connected;
    input.nodeDown = nodeDown;
    input.activeAlerts = alerts;
    QCOMPARE(healthKey(healthOf(input)), expected);
}

void TestModels::nodesRows()
{
    NodesModel model;
    QAbstractItemModelTester tester(&model);
    NodeStatus n1;
    n1.key = "n1";
    n1.adminUrl = "http://127.0.0.1:8801";
    n1.node = parse(kHelloNode);
    n1.stats = parse(kStats);
    n1.stale = false;
    n1.connected = true;
    n1.lastSeenMs = 1795000000000;
    NodeStatus unreachable;
    unreachable.key = "http://10.0.0.9:8801";
    unreachable.adminUrl = unreachable.key;
    model.setNodes({n1, unreachable});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model, 0, columnOf(model, "Node")), QStringLiteral("n1"));
    QCOMPARE(cell(model, 0, columnOf(model, "Region")), QStringLiteral("local"));
    QCOMPARE(cell(model, 0, columnOf(model, "Connections")), QStringLiteral("3"));
    QCOMPARE(cell(model, 0, columnOf(model, "Deliveries/s")), QStringLiteral("30.0"));
    QCOMPARE(cell(model, 0, columnOf(model, "P99")), QStringLiteral("0.30 ms"));
    QCOMPARE(model.health(0), Health::Serving);
    const int health = columnOf(model, "Health");
    QCOMPARE(model.index(0, health).data(Qt::DecorationRole).value<QColor>(), healthColor(Health::Serving));
    QCOMPARE(model.health(1), Health::Down);
    QCOMPARE(cell(model, 1, columnOf(model, "Node")), unreachable.key);
    QCOMPARE(cell(model, 1, columnOf(model, "Connections")), QString());

    // The node starts draining.
    QJsonObject draining = n1.stats;
    draining.insert("state", "draining");
    n1.stats = draining;
    model.updateNode(n1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.health(0), Health::Warning);
    QCOMPARE(cell(model, 0, columnOf(model, "State")), QStringLiteral("draining"));
    model.setNodes({unreachable});
    QCOMPARE(model.rowCount(), 1);
}

void TestModels::nodesStaleNeverHealthy()
{
    NodesModel model;
    QAbstractItemModelTester tester(&model);
    NodeStatus n1;
    n1.key = "n1";
    n1.node = parse(kHelloNode);
    n1.stats = parse(kStats);
    n1.stale = true; // the last stats are old, but they said "serving"
    n1.connected = true;
    model.setNodes({n1});
    QCOMPARE(model.health(0), Health::Stale);
    QVERIFY(model.index(0, 0).data(Qt::ForegroundRole).isValid());
    QVERIFY(model.index(0, columnOf(model, "Health")).data(Qt::DecorationRole).value<QColor>()
            != healthColor(Health::Serving));
}

void TestModels::tailRing()
{
    TailModel model(nullptr, 5);
    QAbstractItemModelTester tester(&model);
    auto message = [](int offset) {
        return QJsonObject{{"type", "tail"}, {"channel", "chat:lobby"}, {"offset", offset}, {"epoch", "s1"},
                           {"time", 1795000000000.0 + offset}, {"data", QJsonObject{{"text", QString("m%1").arg(offset)}}}};
    };
    model.append({message(1), message(2), message(3)});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(cell(model, 0, TailModel::OffsetColumn), QStringLiteral("1"));
    QCOMPARE(cell(model, 2, TailModel::DataColumn), QStringLiteral(R"({"text":"m3"})"));
    model.append({message(4), message(5), message(6), message(7)});
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(cell(model, 0, TailModel::OffsetColumn), QStringLiteral("3"));
    QCOMPARE(cell(model, 4, TailModel::OffsetColumn), QStringLiteral("7"));
    // A batch larger than the ring keeps its newest messages.
    QList<QJsonObject> big;
    for (int i = 100; i < 112; ++i)
        big.append(message(i));
    model.append(big);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(cell(model, 0, TailModel::OffsetColumn), QStringLiteral("107"));
    QCOMPARE(cell(model, 4, TailModel::OffsetColumn), QStringLiteral("111"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestModels::tailFilter_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("offsets");
    QTest::addRow("none") << "" << QStringList{"1", "2", "3"};
    QTest::addRow("data text") << "hello" << QStringList{"1", "3"};
    QTest::addRow("case-insensitive") << "HELLO" << QStringList{"1", "3"};
    QTest::addRow("channel") << "news:" << QStringList{"2"};
    QTest::addRow("json key") << "\"user\"" << QStringList{"3"};
    QTest::addRow("nothing") << "absent" << QStringList{};
}

void TestModels::tailFilter()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, offsets);
    TailModel model;
    TailFilterModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy);
    model.append({parse(R"({"type":"tail","channel":"chat:lobby","offset":1,"epoch":"s1","time":1795000000000,"data":{"text":"hello"}})"),
                  parse(R"({"type":"tail","channel":"news:eu","offset":2,"epoch":"s1","time":1795000000001,"data":{"text":"bye"}})"),
                  parse(R"({"type":"tail","channel":"chat:lobby","offset":3,"epoch":"s1","time":1795000000002,"data":{"user":"bob","text":"Hello again"}})")});
    proxy.setFilterText(filter);
    QStringList shown;
    for (int row = 0; row < proxy.rowCount(); ++row)
        shown.append(proxy.index(row, TailModel::OffsetColumn).data().toString());
    QCOMPARE(shown, offsets);
    // New rows are filtered too.
    model.append({parse(R"({"type":"tail","channel":"chat:lobby","offset":4,"epoch":"s1","time":1795000000003,"data":"hello"})")});
    QCOMPARE(proxy.rowCount(), filter.isEmpty() || QString("chat:lobby\n\"hello\"").contains(filter, Qt::CaseInsensitive)
                                   ? offsets.size() + 1 : offsets.size());
}

void TestModels::tailCopyAsJson()
{
    TailModel model;
    model.append({parse(R"({"type":"tail","channel":"chat:lobby","offset":1,"epoch":"s1","time":1795000000000,"data":{"text":"a"}})"),
                  parse(R"({"type":"tail","channel":"chat:lobby","offset":2,"epoch":"s1","time":1795000000001,"data":{"text":"b"}})"),
                  parse(R"({"type":"tail","channel":"chat:lobby","offset":3,"epoch":"s1","time":1795000000002,"data":{"text":"c"}})")});
    const QJsonDocument doc = QJsonDocument::fromJson(model.toJson({2, 0}).toUtf8());
    QVERIFY(doc.isArray());
    const QJsonArray array = doc.array();
    QCOMPARE(array.size(), 2);
    QCOMPARE(array.at(0).toObject().value("offset").toInt(), 1);
    QCOMPARE(array.at(1).toObject().value("data").toObject().value("text").toString(), QStringLiteral("c"));
    QCOMPARE(model.toJson({}).trimmed(), QStringLiteral("[\n]"));
}

QTEST_MAIN(TestModels)
#include "tst_models.moc"

// SPDX-License-Identifier: Apache-2.0
// PluginManager and PluginsModel against real plugin files: the sample heat map from
// ${PROJECT_BINARY_DIR}/plugins and the fixtures of tests/gui/plugins/ (most of them
// broken on purpose) from ${PROJECT_BINARY_DIR}/test-plugins.
#include "ui/models/plugins_model.h"
#include "ui/plugins/plugin_manager.h"

#include <aldis/panel_plugin.h>

#include <QAbstractItemModelTester>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMainWindow>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using aldis::ui::PluginManager;
using aldis::ui::PluginRecord;
using aldis::ui::PluginsModel;

namespace {

// Answers get() from a table, asynchronously like the real context; counts calls.
class FakeContext : public aldis::plugin::PanelContext {
public:
    QStringList nodes{QStringLiteral("n1")};
    QHash<QString, QJsonObject> answers;   // per node; missing: no channels
    int getCalls = 0;
    QString lastPath;

    QStringList nodeIds() const override { return nodes; }
    QJsonObject latestStats(const QString&) const override { return {}; }
    bool isStale(const QString&) const override { return false; }
    void onStats(QObject*, std::function<void(const QString&, const QJsonObject&)>) override {}
    void onEvent(QObject*, std::function<void(const QString&, const QJsonObject&)>) override {}
    void get(const QString& nodeId, const QString& path,
             std::function<void(const QJsonObject& answer)> done) override {
        ++getCalls;
        lastPath = path;
        const QJsonObject answer = answers.value(nodeId, QJsonObject{{"total", 0}, {"channels", QJsonArray{}}});
        // m_guard: answers still queued when the context goes away are dropped.
        QTimer::singleShot(0, &m_guard, [done = std::move(done), answer] { done(answer); });
    }
    void runAction(const QString&, const QString&, const QJsonObject&,
                   std::function<void(const QJsonObject& answer)> done) override {
        done(QJsonObject{{"error", QJsonObject{{"code", "not_found"}, {"message", "not in this test"}}}});
    }

private:
    QObject m_guard;
};

QJsonObject channel(const QString& name, int subscribers, double rate) {
    return QJsonObject{{"name", name},          {"namespace", name.section(u':', 0, 0)},
                       {"durable", true},       {"subscribers", subscribers},
                       {"last_offset", 120},    {"epoch", "s1"},
                       {"publications", 120},   {"rate_per_s", rate}};
}

const PluginRecord* findByFile(const QList<PluginRecord>& records, const QString& fileNamePart) {
    for (const PluginRecord& record : records)
        if (QFileInfo(record.fileName).fileName().contains(fileNamePart))
            return &record;
    return nullptr;
}

QString pluginFile(const QString& dir, const QString& target) {
    return dir + QStringLiteral("/lib") + target + QStringLiteral(".so");
}

const QString kHeatmapName = QStringLiteral("Channel heat map");

} // namespace

class TestPluginManager : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void loadsTheHeatmap();
    void heatmapShowsChannelsAndErrors();
    void heatmapWithoutNodesOrChannels();
    void brokenPluginsAreListedWithTheirCause();
    void lifecycleOrder();
    void secondPluginWithTheSameNameIsRefused();
    void missingFoldersAreNotAnError();
    void defaultSearchDirsIncludeEnvironment();
    void model();
    void checkMetaData_data();
    void checkMetaData();
};

void TestPluginManager::initTestCase() {
    // The heat map speaks the control room's language (QLocale()); these checks read English.
    QLocale::setDefault(QLocale::c());
    QVERIFY2(QFile::exists(pluginFile(QStringLiteral(ALDIS_PLUGIN_BUILD_DIR), QStringLiteral("aldis_heatmap"))),
             "build the aldis_heatmap target first");
    QVERIFY(QFile::exists(pluginFile(QStringLiteral(ALDIS_TEST_PLUGIN_DIR), QStringLiteral("aldis_fixture_api999"))));
}

void TestPluginManager::loadsTheHeatmap() {
    FakeContext context;
    PluginManager manager({QStringLiteral(ALDIS_PLUGIN_BUILD_DIR)});
    QSignalSpy changed(&manager, &PluginManager::recordsChanged);
    manager.loadAll(&context);
    QCOMPARE(changed.count(), 1);

    const PluginRecord* record = findByFile(manager.records(), QStringLiteral("aldis_heatmap"));
    QVERIFY(record != nullptr);
    QVERIFY2(record->loaded, qPrintable(record->error));
    QVERIFY(record->error.isEmpty());
    QCOMPARE(record->name, kHeatmapName);
    QCOMPARE(record->version, QStringLiteral("1.0.0"));
    QCOMPARE(record->compatVersion, QStringLiteral("1.0.0"));
    QVERIFY(!record->vendor.isEmpty());
    QVERIFY(!record->description.isEmpty());
    QVERIFY(QFileInfo(record->fileName).isAbsolute());

    QMainWindow window;
    const QList<QDockWidget*> docks = manager.createPanels(&window);
    QCOMPARE(docks.size(), 1);
    QCOMPARE(docks.first()->objectName(), QStringLiteral("plugin:Channel heat map"));
    QCOMPARE(docks.first()->windowTitle(), kHeatmapName);
    QCOMPARE(docks.first()->parent(), &window);
    QVERIFY(manager.createPanels(&window).isEmpty());   // once per plugin

    window.addDockWidget(Qt::RightDockWidgetArea, docks.first());
    window.show();
    QTRY_VERIFY(context.getCalls >= 1);
    QCOMPARE(context.lastPath, QStringLiteral("/v1/admin/channels?limit=50"));

    // shutdown() reaches the plugin: the panel stops polling and never calls the
    // context again, although the dock (owned by the window) lives on.
    manager.shutdown();
    QVERIFY(!manager.records().first().loaded);
    QCOMPARE(changed.count(), 2);
    const int callsAtShutdown = context.getCalls;
    QTest::qWait(2500);   // longer than the heat map's 2 s refresh
    QCOMPARE(context.getCalls, callsAtShutdown);
    QVERIFY(docks.first()->isVisible());
    manager.shutdown();   // a second call does nothing
    QCOMPARE(changed.count(), 2);
}

void TestPluginManager::heatmapShowsChannelsAndErrors() {
    FakeContext context;
    context.nodes = {QStringLiteral("n1"), QStringLiteral("n2")};
    context.answers.insert(QStringLiteral("n1"),
                           QJsonObject{{"total", 3},
                                       {"channels", QJsonArray{channel("chat:lobby", 30, 120.0),
                                                               channel("chat:ops", 3, 4.0),
                                                               channel("game:idle", 0, 0.0)}}});
    context.answers.insert(QStringLiteral("n2"),
                           QJsonObject{{"error", QJsonObject{{"code", "unauthorized"},
                                                             {"message", "wrong admin token; use the one in "
                                                                         "<data_dir>/admin-token"}}}});
    PluginManager manager({QStringLiteral(ALDIS_PLUGIN_BUILD_DIR)});
    manager.loadAll(&context);
    QMainWindow window;
    const QList<QDockWidget*> docks = manager.createPanels(&window);
    QCOMPARE(docks.size(), 1);
    window.addDockWidget(Qt::RightDockWidgetArea, docks.first());
    window.resize(800, 600);
    window.show();

    auto* map = docks.first()->findChild<QWidget*>(QStringLiteral("heatMap"));
    auto* status = docks.first()->findChild<QLabel*>(QStringLiteral("heatMapStatus"));
    QVERIFY(map != nullptr);
    QVERIFY(status != nullptr);
    QTRY_COMPARE(map->property("tileCount").toInt(), 3);
    QTRY_VERIFY2(status->text().contains(QStringLiteral("n2: wrong admin token")), qPrintable(status->text()));
    QVERIFY2(status->text().contains(QStringLiteral("channels: 3")), qPrintable(status->text()));
    QVERIFY(map->grab().size().isValid());   // paints without crashing

    manager.shutdown();
}

void TestPluginManager::heatmapWithoutNodesOrChannels() {
    FakeContext context;
    context.nodes.clear();
    PluginManager manager({QStringLiteral(ALDIS_PLUGIN_BUILD_DIR)});
    manager.loadAll(&context);
    QMainWindow window;
    const QList<QDockWidget*> docks = manager.createPanels(&window);
    QCOMPARE(docks.size(), 1);
    window.addDockWidget(Qt::RightDockWidgetArea, docks.first());
    window.show();
    auto* map = docks.first()->findChild<QWidget*>(QStringLiteral("heatMap"));
    QVERIFY(map != nullptr);
    QTRY_VERIFY2(map->property("message").toString().contains(QStringLiteral("No node is watched")),
                 qPrintable(map->property("message").toString()));
    QCOMPARE(context.getCalls, 0);

    // A node with no channels: a message rather than an empty rectangle.
    context.nodes = {QStringLiteral("n1")};
    QTRY_VERIFY_WITH_TIMEOUT(map->property("message").toString().contains(QStringLiteral("No channels yet")),
                             5000);
    QCOMPARE(map->property("tileCount").toInt(), 0);
    QVERIFY(map->grab().size().isValid());
    manager.shutdown();
}

void TestPluginManager::brokenPluginsAreListedWithTheirCause() {
    FakeContext context;
    PluginManager manager({QStringLiteral(ALDIS_TEST_PLUGIN_DIR)});
    manager.loadAll(&context);   // api999 and noname abort() if their code ever runs
    const QList<PluginRecord>& records = manager.records();
    QCOMPARE(records.size(), 5);

    struct Expectation {
        const char* file;
        bool loaded;
        QStringList mentions;   // the error names the cause and what to do
    };
    const Expectation expectations[] = {
        {"aldis_fixture_api999", false, {"999", "rebuild"}},
        {"aldis_fixture_noname", false, {"\"name\"", ".json"}},
        {"aldis_fixture_refuses", false, {"refused to start", "the fixture refuses on purpose"}},
        {"aldis_fixture_not_a_plugin", false, {"not a Qt plugin", "remove"}},
        {"aldis_fixture_lifecycle", true, {}},
    };
    for (const Expectation& expected : expectations) {
        const PluginRecord* record = findByFile(records, QString::fromLatin1(expected.file));
        QVERIFY2(record != nullptr, expected.file);
        QCOMPARE(record->loaded, expected.loaded);
        QCOMPARE(record->error.isEmpty(), expected.loaded);
        for (const QString& mention : expected.mentions)
            QVERIFY2(record->error.contains(mention, Qt::CaseInsensitive),
                     qPrintable(QStringLiteral("%1: \"%2\" does not mention \"%3\"")
                                    .arg(QString::fromLatin1(expected.file), record->error, mention)));
    }
    // What could be read from the metadata is kept even when the plugin is refused.
    QCOMPARE(findByFile(records, QStringLiteral("api999"))->name, QStringLiteral("Fixture API 999"));
    QCOMPARE(findByFile(records, QStringLiteral("noname"))->version, QStringLiteral("1.0.0"));

    QMainWindow window;
    QCOMPARE(manager.createPanels(&window).size(), 1);   // only the lifecycle fixture
    manager.shutdown();
}

void TestPluginManager::lifecycleOrder() {
    FakeContext context;
    context.nodes = {QStringLiteral("n1"), QStringLiteral("n2")};
    PluginManager manager({QStringLiteral(ALDIS_TEST_PLUGIN_DIR)});
    manager.loadAll(&context);
    QMainWindow window;
    const QList<QDockWidget*> docks = manager.createPanels(&window);
    QCOMPARE(docks.size(), 1);
    QDockWidget* dock = docks.first();
    // The manager's name wins over the one the plugin chose, so saveState() keys are stable.
    QCOMPARE(dock->objectName(), QStringLiteral("plugin:Fixture lifecycle"));
    QCOMPARE(dock->property("steps").toString(), QStringLiteral("initialize(n1+n2),createPanel"));
    manager.shutdown();
    QCOMPARE(dock->property("steps").toString(), QStringLiteral("initialize(n1+n2),createPanel,aboutToShutdown"));
    manager.shutdown();
    QCOMPARE(dock->property("steps").toString(), QStringLiteral("initialize(n1+n2),createPanel,aboutToShutdown"));
}

void TestPluginManager::secondPluginWithTheSameNameIsRefused() {
    QTemporaryDir copyDir;
    QVERIFY(copyDir.isValid());
    const QString original = pluginFile(QStringLiteral(ALDIS_PLUGIN_BUILD_DIR), QStringLiteral("aldis_heatmap"));
    QVERIFY(QFile::copy(original, copyDir.filePath(QStringLiteral("libheatmap_copy.so"))));

    FakeContext context;
    // The build dir twice (same folder under another spelling) counts once; the copy
    // under another file name is a second plugin with the same name.
    PluginManager manager({QStringLiteral(ALDIS_PLUGIN_BUILD_DIR),
                           QStringLiteral(ALDIS_PLUGIN_BUILD_DIR "/../plugins"), copyDir.path()});
    manager.loadAll(&context);
    const QList<PluginRecord>& records = manager.records();
    QCOMPARE(records.size(), 2);
    QVERIFY(records.at(0).loaded);
    QVERIFY(!records.at(1).loaded);
    QCOMPARE(records.at(1).name, kHeatmapName);
    QVERIFY2(records.at(1).error.contains(QStringLiteral("already loaded")), qPrintable(records.at(1).error));
    QVERIFY(records.at(1).error.contains(records.at(0).fileName));

    QMainWindow window;
    QCOMPARE(manager.createPanels(&window).size(), 1);
    manager.shutdown();
}

void TestPluginManager::missingFoldersAreNotAnError() {
    FakeContext context;
    PluginManager manager({QStringLiteral("/nonexistent/aldis/plugins"), QString()});
    QSignalSpy changed(&manager, &PluginManager::recordsChanged);
    manager.loadAll(&context);
    QVERIFY(manager.records().isEmpty());
    QCOMPARE(changed.count(), 1);
    QMainWindow window;
    QVERIFY(manager.createPanels(&window).isEmpty());
    manager.shutdown();
}

void TestPluginManager::defaultSearchDirsIncludeEnvironment() {
    const QByteArray saved = qgetenv("ALDIS_PLUGIN_PATH");
    qputenv("ALDIS_PLUGIN_PATH", "/opt/a/plugins::/opt/b/plugins/");
    const QStringList dirs = PluginManager::defaultSearchDirs();
    if (saved.isNull())
        qunsetenv("ALDIS_PLUGIN_PATH");
    else
        qputenv("ALDIS_PLUGIN_PATH", saved);

    QVERIFY2(dirs.contains(QStringLiteral("/opt/a/plugins")), qPrintable(dirs.join(u' ')));
    QVERIFY(dirs.contains(QStringLiteral("/opt/b/plugins")));
    QVERIFY(!dirs.contains(QString()));
    QVERIFY(std::any_of(dirs.begin(), dirs.end(),
                        [](const QString& dir) { return dir.endsWith(QStringLiteral("/aldis/plugins")); }));
    QCOMPARE(dirs.last(), QStringLiteral("/opt/b/plugins"));   // the environment comes last
    QCOMPARE(dirs.size(), QSet<QString>(dirs.begin(), dirs.end()).size());
}

void TestPluginManager::model() {
    FakeContext context;
    PluginManager manager({QStringLiteral(ALDIS_PLUGIN_BUILD_DIR), QStringLiteral(ALDIS_TEST_PLUGIN_DIR)});
    manager.loadAll(&context);

    PluginsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), 4);
    connect(&manager, &PluginManager::recordsChanged, &model,
            [&] { model.setRecords(manager.records()); });
    model.setRecords(manager.records());
    QCOMPARE(model.rowCount(), 6);

    QCOMPARE(model.headerData(PluginsModel::NameColumn, Qt::Horizontal).toString(), QStringLiteral("Name"));
    QCOMPARE(model.headerData(PluginsModel::VersionColumn, Qt::Horizontal).toString(), QStringLiteral("Version"));
    QCOMPARE(model.headerData(PluginsModel::FileColumn, Qt::Horizontal).toString(), QStringLiteral("File"));
    QCOMPARE(model.headerData(PluginsModel::StatusColumn, Qt::Horizontal).toString(), QStringLiteral("Status"));

    const auto rowOf = [&](const QString& file) {
        for (int row = 0; row < model.rowCount(); ++row)
            if (model.index(row, PluginsModel::FileColumn).data().toString().contains(file))
                return row;
        return -1;
    };
    const int heatmap = rowOf(QStringLiteral("aldis_heatmap"));
    QVERIFY(heatmap >= 0);
    QCOMPARE(model.index(heatmap, PluginsModel::NameColumn).data().toString(), kHeatmapName);
    QCOMPARE(model.index(heatmap, PluginsModel::VersionColumn).data().toString(), QStringLiteral("1.0.0"));
    QCOMPARE(model.index(heatmap, PluginsModel::FileColumn).data().toString(), QStringLiteral("libaldis_heatmap.so"));
    QCOMPARE(model.index(heatmap, PluginsModel::StatusColumn).data().toString(), QStringLiteral("loaded"));
    QVERIFY(model.index(heatmap, PluginsModel::NameColumn).data(PluginsModel::LoadedRole).toBool());
    QVERIFY(model.index(heatmap, PluginsModel::FileColumn).data(Qt::ToolTipRole).toString().startsWith(u'/'));

    const int api999 = rowOf(QStringLiteral("aldis_fixture_api999"));
    QVERIFY(api999 >= 0);
    QVERIFY(model.index(api999, PluginsModel::StatusColumn).data().toString().contains(QStringLiteral("999")));
    QVERIFY(!model.index(api999, PluginsModel::NameColumn).data(PluginsModel::LoadedRole).toBool());

    // recordsChanged after shutdown: the model follows.
    manager.shutdown();
    QCOMPARE(model.index(heatmap, PluginsModel::StatusColumn).data().toString(), QStringLiteral("not loaded"));
    model.setRecords({});
    QCOMPARE(model.rowCount(), 0);
}

void TestPluginManager::checkMetaData_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");   // empty: accepted; else a part of the message

    const auto wrap = [](const QByteArray& meta, const QByteArray& iid = ALDIS_PANEL_PLUGIN_IID) {
        return QByteArray(R"({"IID":")") + iid + R"(","className":"X","MetaData":)" + meta + "}";
    };
    const QByteArray good = R"({"name":"N","version":"1.2.0","compatVersion":"1.0.0","apiVersion":1})";

    QTest::addRow("valid") << wrap(good) << QString();
    QTest::addRow("valid, compat == version")
        << wrap(R"({"name":"N","version":"1.0","compatVersion":"1.0","apiVersion":1})") << QString();
    QTest::addRow("no metadata at all") << QByteArray("{}") << QStringLiteral("not a Qt plugin");
    QTest::addRow("another kind of Qt plugin")
        << wrap(good, "org.qt-project.Qt.QPA.QPlatformIntegrationFactoryInterface.5.3")
        << QStringLiteral("another kind");
    QTest::addRow("older Aldis API IID") << wrap(good, "org.aldis.PanelPlugin/0")
                                         << QStringLiteral("another version of the plugin interface");
    QTest::addRow("no MetaData object")
        << QByteArray(R"({"IID":")" ALDIS_PANEL_PLUGIN_IID R"(","className":"X"})") << QStringLiteral("FILE");
    QTest::addRow("missing name")
        << wrap(R"({"version":"1.0.0","compatVersion":"1.0.0","apiVersion":1})") << QStringLiteral("\"name\"");
    QTest::addRow("empty name") << wrap(R"({"name":" ","version":"1.0.0","compatVersion":"1.0.0","apiVersion":1})")
                                << QStringLiteral("\"name\"");
    QTest::addRow("name not a string")
        << wrap(R"({"name":7,"version":"1.0.0","compatVersion":"1.0.0","apiVersion":1})") << QStringLiteral("\"name\"");
    QTest::addRow("missing version")
        << wrap(R"({"name":"N","compatVersion":"1.0.0","apiVersion":1})") << QStringLiteral("\"version\"");
    QTest::addRow("missing compatVersion")
        << wrap(R"({"name":"N","version":"1.0.0","apiVersion":1})") << QStringLiteral("\"compatVersion\"");
    QTest::addRow("version not a number")
        << wrap(R"({"name":"N","version":"one","compatVersion":"1.0.0","apiVersion":1})")
        << QStringLiteral("not a version number");
    QTest::addRow("version with a suffix")
        << wrap(R"({"name":"N","version":"1.0.0-beta","compatVersion":"1.0.0","apiVersion":1})")
        << QStringLiteral("not a version number");
    QTest::addRow("compatVersion not a number")
        << wrap(R"({"name":"N","version":"1.0.0","compatVersion":"x","apiVersion":1})")
        << QStringLiteral("not a version number");
    QTest::addRow("compatVersion newer than version")
        << wrap(R"({"name":"N","version":"1.0.0","compatVersion":"1.1.0","apiVersion":1})")
        << QStringLiteral("newer than");
    QTest::addRow("missing apiVersion")
        << wrap(R"({"name":"N","version":"1.0.0","compatVersion":"1.0.0"})") << QStringLiteral("no \"apiVersion\"");
    QTest::addRow("apiVersion as a string")
        << wrap(R"({"name":"N","version":"1.0.0","compatVersion":"1.0.0","apiVersion":"1"})")
        << QStringLiteral("whole number");
    QTest::addRow("apiVersion fractional")
        << wrap(R"({"name":"N","version":"1.0.0","compatVersion":"1.0.0","apiVersion":1.5})")
        << QStringLiteral("whole number");
    QTest::addRow("apiVersion 999")
        << wrap(R"({"name":"N","version":"1.0.0","compatVersion":"1.0.0","apiVersion":999})")
        << QStringLiteral("built for plugin API 999");
    QTest::addRow("apiVersion 0")
        << wrap(R"({"name":"N","version":"1.0.0","compatVersion":"1.0.0","apiVersion":0})")
        << QStringLiteral("built for plugin API 0");
}

void TestPluginManager::checkMetaData() {
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    QVERIFY2(document.isObject(), qPrintable(parseError.errorString()));

    const QString problem = PluginManager::checkMetaData(document.object());
    if (expected.isEmpty()) {
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    } else {
        QVERIFY2(problem.contains(expected), qPrintable(problem));
        // Every refusal says what to do about it.
        QVERIFY2(problem.contains(QStringLiteral("; ")), qPrintable(problem));
    }
}

QTEST_MAIN(TestPluginManager)
#include "tst_plugin_manager.moc"

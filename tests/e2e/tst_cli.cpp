// SPDX-License-Identifier: Apache-2.0
// The command line as a user meets it: --check-config names the bad key and its line,
// `aldis token` mints a token the node accepts, unknown arguments are refused.
#include "support/http_test_client.h"
#include "support/test_support.h"

#include "config/config.h"
#include "security/jwt.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace aldis;
using namespace aldis::test;

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run run(const QStringList& args, const QMap<QString, QString>& env = {})
{
    QProcess p;
    auto e = QProcessEnvironment::systemEnvironment();
    for (const auto& key : e.keys())
        if (key.startsWith(QLatin1String("ALDIS_")))
            e.remove(key);
    for (auto it = env.begin(); it != env.end(); ++it)
        e.insert(it.key(), it.value());
    p.setProcessEnvironment(e);
    p.start(aldisBinary(), args);
    p.waitForFinished(30000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& text)
{
    QFile f(dir.filePath(name));
    f.open(QIODevice::WriteOnly);
    f.write(text);
    return f.fileName();
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY2(!aldisBinary().isEmpty(), "ALDIS_BINARY is not set (run through ctest)"); }
    void checkConfigErrors_data();
    void checkConfigErrors();
    void checkConfigOk();
    void environmentOverride();
    void tokenIsAccepted();
    void tokenRefusesBadInput_data();
    void tokenRefusesBadInput();
    void versionHelpAndUnknown();
    void controlRoomOptionsRefused_data();
    void controlRoomOptionsRefused();
    void demoMovesTraffic();
    void demoRefusesBadInput_data();
    void demoRefusesBadInput();
};

void TestCli::checkConfigErrors_data()
{
    QTest::addColumn<QByteArray>("toml");
    QTest::addColumn<QString>("expected");
    QTest::addRow("type") << QByteArray("[client]\nport = \"abc\"\n") << ":2: client.port must be an integer";
    QTest::addRow("typo") << QByteArray("\n\n[client]\nmax_frame_byte = 5\n") << ":4: unknown key 'client.max_frame_byte'; did you mean 'client.max_frame_bytes'?";
    QTest::addRow("syntax") << QByteArray("[node\n") << ":1:";
    QTest::addRow("duration") << QByteArray("[namespaces.chat]\nhistory_ttl = \"forever\"\n") << ":2: namespaces.chat.history_ttl";
    QTest::addRow("unknown section") << QByteArray("[nodes]\nid = \"x\"\n") << ":1:";
}

void TestCli::checkConfigErrors()
{
    QFETCH(QByteArray, toml);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const auto file = writeFile(dir, "aldis.toml", toml);
    auto r = run({"--check-config", "--config", file});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(file + expected), qPrintable(r.err));
}

void TestCli::checkConfigOk()
{
    QTemporaryDir dir;
    const auto file = writeFile(dir, "aldis.toml",
                                QStringLiteral("[node]\ndata_dir = \"%1\"\n[client]\nport = 9911\n").arg(dir.path()).toUtf8());
    auto r = run({"--check-config", "--config", file});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("configuration OK") && r.out.contains("9911"), qPrintable(r.out));
    // The example shipped in packaging/ is valid as it stands.
    auto example = run({"--check-config", "--config", QStringLiteral(ALDIS_SOURCE_DIR "/packaging/aldis.toml")},
                       {{"ALDIS_NODE_DATA_DIR", dir.path()}});
    QVERIFY2(example.exitCode == 0, qPrintable(example.err));
}

void TestCli::environmentOverride()
{
    QTemporaryDir dir;
    auto bad = run({"--check-config"}, {{"ALDIS_CLIENT_PORT", "x"}, {"ALDIS_NODE_DATA_DIR", dir.path()}});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains("ALDIS_CLIENT_PORT"), qPrintable(bad.err));
    auto good = run({"--check-config"}, {{"ALDIS_CLIENT_PORT", "9123"}, {"ALDIS_NODE_DATA_DIR", dir.path()}});
    QCOMPARE(good.exitCode, 0);
    QVERIFY2(good.out.contains("9123"), qPrintable(good.out));
}

void TestCli::tokenIsAccepted()
{
    // With no key configured, `aldis token` and the node share the development secret
    // in the data folder.
    QTemporaryDir dir;
    const QMap<QString, QString> env{{"ALDIS_NODE_DATA_DIR", dir.path()}};
    auto r = run({"token", "--sub", "alice", "--ttl", "10m", "--subscribe", "chat:*", "--publish", "chat:room"}, env);
    QCOMPARE(r.exitCode, 0);
    const auto token = r.out.trimmed().toStdString();

    config::LoadOptions options;
    qputenv("ALDIS_NODE_DATA_DIR", dir.path().toUtf8());
    auto loaded = config::loadFromString("", options);
    qunsetenv("ALDIS_NODE_DATA_DIR");
    QVERIFY(loaded.ok());
    auto verifier = security::JwtVerifier::create(loaded.config.auth);
    QVERIFY(verifier);
    auto result = verifier.value()->verify(token, unixSecondsNow());
    auto* claims = std::get_if<security::Claims>(&result);
    QVERIFY(claims);
    QCOMPARE(claims->sub, std::string("alice"));
    QVERIFY(claims->exp > unixSecondsNow() + 500 && claims->exp <= unixSecondsNow() + 600);
    QVERIFY(claims->permissions);
    QCOMPARE(claims->permissions->subscribe, std::vector<std::string>{"chat:*"});
    QCOMPARE(claims->permissions->publish, std::vector<std::string>{"chat:room"});
}

void TestCli::tokenRefusesBadInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::addRow("no sub") << QStringList{"token"} << "--sub USER is required";
    QTest::addRow("bad ttl") << QStringList{"token", "--sub", "a", "--ttl", "soon"} << "--ttl must be a duration";
    QTest::addRow("bad pattern") << QStringList{"token", "--sub", "a", "--subscribe", "a b"} << "is not a channel pattern";
    QTest::addRow("bad permissions") << QStringList{"token", "--sub", "a", "--permissions", "[1]"} << "--permissions";
    QTest::addRow("missing value") << QStringList{"token", "--sub"} << "--sub needs a value";
}

void TestCli::tokenRefusesBadInput()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    auto r = run(args, {{"ALDIS_NODE_DATA_DIR", dir.path()}});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
}

void TestCli::versionHelpAndUnknown()
{
    auto version = run({"--version"});
    QCOMPARE(version.exitCode, 0);
    QVERIFY(version.out.startsWith("aldis "));
    auto help = run({"--help"});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("--daemon") && help.out.contains("--check-config") && help.out.contains("token"));
    auto unknown = run({"--deamon"});
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY2(unknown.err.contains("unknown argument \"--deamon\""), qPrintable(unknown.err));
}

void TestCli::controlRoomOptionsRefused_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::addRow("daemon with connect") << QStringList{"--daemon", "--connect", "http://h:8801"}
                                         << "control-room options";
    QTest::addRow("daemon with wall") << QStringList{"--daemon", "--wall"} << "control-room options";
    QTest::addRow("bad language") << QStringList{"--lang", "fr"} << "--lang must be en, de or ja";
    QTest::addRow("connect and config") << QStringList{"--connect", "http://h:8801", "--config", "x.toml"}
                                        << "leave one of them out";
    QTest::addRow("connect without urls") << QStringList{"--connect", ","} << "at least one admin URL";
    QTest::addRow("connect without value") << QStringList{"--connect"} << "--connect needs a value";
    QTest::addRow("admin token without connect") << QStringList{"--admin-token", "abcdefghijklmnopqrstu"}
                                                 << "--admin-token is for the nodes given with --connect";
}

void TestCli::controlRoomOptionsRefused()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    auto r = run(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
}

void TestCli::demoMovesTraffic()
{
    DaemonProcess daemon;
    QVERIFY2(daemon.start(), daemon.output().constData());
    const auto url = QStringLiteral("ws://127.0.0.1:%1/v1/ws").arg(daemon.port());
    auto r = run({"demo", "--config", daemon.configPath(), "--url", url, "--duration", "2s", "--rate", "50",
                  "--subscribers", "4", "--channels", "2"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("4 subscribers on 2 channels"), qPrintable(r.out));
    // The summary: every acknowledged publication reached the 4 subscribers of its
    // channel and none failed (how many were sent in 2 s depends on the machine).
    const auto summary =
        QRegularExpression(QStringLiteral("aldis demo: published (\\d+), delivered (\\d+), failed (\\d+)")).match(r.out);
    QVERIFY2(summary.hasMatch(), qPrintable(r.out));
    const int published = summary.captured(1).toInt();
    QVERIFY2(published >= 50, qPrintable(r.out));
    QCOMPARE(summary.captured(2).toInt(), 4 * published);
    QCOMPARE(summary.captured(3).toInt(), 0);
    const auto delivered = metric(daemon.port(), "aldis_deliveries_total");
    QVERIFY(delivered && *delivered >= 4 * published);
}

void TestCli::demoRefusesBadInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");
    QTest::addRow("rate zero") << QStringList{"demo", "--rate", "0"} << 2 << "--rate must be a number above 0";
    QTest::addRow("rate text") << QStringList{"demo", "--rate", "fast"} << 2 << "--rate must be a number above 0";
    QTest::addRow("subscribers fraction") << QStringList{"demo", "--subscribers", "1.5"} << 2
                                          << "--subscribers must be a whole number";
    QTest::addRow("duration") << QStringList{"demo", "--duration", "soon"} << 2 << "--duration must be a duration";
    QTest::addRow("bad url") << QStringList{"demo", "--url", "http://x/"} << 2 << "--url ws://HOST:PORT/v1/ws";
    QTest::addRow("nobody there") << QStringList{"demo", "--url", "ws://127.0.0.1:1/v1/ws", "--duration", "1s"} << 1
                                  << "cannot reach a node";
}

void TestCli::demoRefusesBadInput()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const auto file = writeFile(dir, "aldis.toml", QStringLiteral("[node]\ndata_dir = \"%1\"\n").arg(dir.path()).toUtf8());
    auto r = run(args + QStringList{"--config", file});
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"

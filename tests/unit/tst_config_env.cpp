// SPDX-License-Identifier: Apache-2.0
// Loading the node configuration: ALDIS_* overrides, the development secret, and
// key files (public_key_file, jwks_file) read relative to the config file. The
// shared helpers are support/config_test_util.h.

#include "config/config.h"
#include "support/config_test_util.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <set>

#include <sys/stat.h>

using namespace aldis::config;
using namespace aldis::test;
using namespace std::chrono_literals;

using ConfigCheck = std::function<bool(const aldis::config::Config&)>;
Q_DECLARE_METATYPE(ConfigCheck)

namespace {

bool writeFile(const QString& path, const QByteArray& content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    return file.write(content) == content.size();
}

// The loader checks only that a JWKS file is readable and looks like a JSON object;
// security::JwtVerifier parses the keys.
const QByteArray kJwks = "{\"keys\": [{\"kty\": \"EC\", \"crv\": \"P-256\", \"kid\": \"e1\",\n"
                         "  \"x\": \"example\", \"y\": \"example\"}]}\n";

} // namespace

class TestConfigEnv : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void environment_data();
    void environment();
    void environmentErrors_data();
    void environmentErrors();
    void environmentIgnoredWhenDisabled();
    void postgresqlNeedsAUrl();
    void environmentVariableList();
    void everyEnvironmentKeyIsATomlKey();

    void devSecret();
    void devSecretNotNeeded();
    void devSecretDisabled();

    void publicKeyFileRelative();
    void publicKeyFileMissing();
    void jwksFile_data();
    void jwksFile();
};

void TestConfigEnv::initTestCase()
{
    // A developer's shell may carry ALDIS_* settings; the tests set their own.
    for (const auto& var : environmentVariables())
        qunsetenv(var.name.c_str());
}

void TestConfigEnv::environment_data()
{
    QTest::addColumn<QStringList>("variables");
    QTest::addColumn<ConfigCheck>("check");

    QTest::addRow("node id") << QStringList{"ALDIS_NODE_ID=n1"}
                             << ConfigCheck([](const Config& c) { return c.node.id == "n1"; });
    QTest::addRow("port beats file") << QStringList{"ALDIS_CLIENT_PORT=9001"}
                                     << ConfigCheck([](const Config& c) { return c.client.port == 9001; });
    QTest::addRow("origins list") << QStringList{"ALDIS_CLIENT_ALLOWED_ORIGINS=https://a.example, https://b.example,"}
                                  << ConfigCheck([](const Config& c) {
                                         return c.client.allowedOrigins
                                             == std::vector<std::string>{"https://a.example", "https://b.example"};
                                     });
    QTest::addRow("store path") << QStringList{"ALDIS_STORE_PATH=/tmp/x.db"}
                                << ConfigCheck([](const Config& c) { return c.store.path == "/tmp/x.db"; });
    QTest::addRow("data dir moves store")
        << QStringList{"ALDIS_NODE_DATA_DIR=/tmp/aldis-data"}
        << ConfigCheck([](const Config& c) { return c.store.path == "/tmp/aldis-data/aldis.db"; });
    QTest::addRow("postgresql store")
        << QStringList{"ALDIS_STORE_BACKEND=postgresql", "ALDIS_STORE_URL=host=db dbname=aldis",
                       "ALDIS_STORE_POOL_SIZE=8"}
        << ConfigCheck([](const Config& c) {
               return c.store.backend == "postgresql" && c.store.url == "host=db dbname=aldis" && c.store.poolSize == 8;
           });
    QTest::addRow("api keys") << QStringList{"ALDIS_AUTH_API_KEYS=aaaaaaaaaaaaaaaa,bbbbbbbbbbbbbbbbbbbb"}
                              << ConfigCheck([](const Config& c) { return c.auth.apiKeys.size() == 2; });
    QTest::addRow("log level alias") << QStringList{"ALDIS_LOG_LEVEL=debug"}
                                     << ConfigCheck([](const Config& c) { return c.node.logLevel == "debug"; });
    QTest::addRow("full name beats alias")
        << QStringList{"ALDIS_LOG_LEVEL=debug", "ALDIS_NODE_LOG_LEVEL=error"}
        << ConfigCheck([](const Config& c) { return c.node.logLevel == "error"; });
    QTest::addRow("duration") << QStringList{"ALDIS_CLIENT_PING_INTERVAL=30s"}
                              << ConfigCheck([](const Config& c) { return c.client.pingInterval == 30s; });
    QTest::addRow("bare seconds") << QStringList{"ALDIS_AUTH_LEEWAY=7"}
                                  << ConfigCheck([](const Config& c) { return c.auth.leeway == 7s; });
    QTest::addRow("number") << QStringList{"ALDIS_CLIENT_RATE_LIMIT=12.5"}
                            << ConfigCheck([](const Config& c) { return c.client.rateLimit == 12.5; });
    QTest::addRow("empty is ignored") << QStringList{"ALDIS_NODE_REGION="}
                                      << ConfigCheck([](const Config& c) { return c.node.region == "file-region"; });
    QTest::addRow("hs256 secret") << QStringList{"ALDIS_AUTH_HS256_SECRET=0123456789abcdef0123456789abcdef"}
                                  << ConfigCheck([](const Config& c) {
                                         return c.auth.keys.size() == 1 && c.auth.keys[0].id == "env"
                                             && c.auth.keys[0].algorithms == std::vector<std::string>{"HS256"}
                                             && c.auth.keys[0].secret == "0123456789abcdef0123456789abcdef";
                                     });
}

void TestConfigEnv::environment()
{
    QFETCH(QStringList, variables);
    QFETCH(ConfigCheck, check);
    EnvGuard env(variables);
    auto result = loadFromString("[node]\nregion = \"file-region\"\n[client]\nport = 8801\n", withEnvironment());
    QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
    QVERIFY(check(result.config));
}

void TestConfigEnv::environmentErrors_data()
{
    QTest::addColumn<QString>("variable");
    QTest::addColumn<QString>("fragment");

    QTest::addRow("port text") << "ALDIS_CLIENT_PORT=abc"
                               << "ALDIS_CLIENT_PORT must be an integer from 0 to 65535, got \"abc\"";
    QTest::addRow("port trailing") << "ALDIS_CLIENT_PORT=80x" << "got \"80x\"";
    QTest::addRow("port range") << "ALDIS_CLIENT_PORT=99999" << "got 99999 (0 picks a free port); it overrides client.port";
    QTest::addRow("log level") << "ALDIS_NODE_LOG_LEVEL=loud" << "one of \"trace\"";
    QTest::addRow("log level alias") << "ALDIS_LOG_LEVEL=loud" << "it overrides node.log_level";
    QTest::addRow("duration") << "ALDIS_CLIENT_PING_INTERVAL=soon" << "a duration greater than 0";
    QTest::addRow("rate") << "ALDIS_CLIENT_RATE_BURST=0" << "a number of at least 1";
    QTest::addRow("backend") << "ALDIS_STORE_BACKEND=mysql" << "one of \"sqlite\", \"postgresql\"";
    QTest::addRow("pool size") << "ALDIS_STORE_POOL_SIZE=0" << "from 1 to 64, got 0; it overrides store.pool_size";
    QTest::addRow("api key") << "ALDIS_AUTH_API_KEYS=abc" << "at least 16";
    QTest::addRow("secret") << "ALDIS_AUTH_HS256_SECRET=short" << "needs at least 32";
}

void TestConfigEnv::environmentErrors()
{
    QFETCH(QString, variable);
    QFETCH(QString, fragment);
    EnvGuard env({variable});
    auto result = loadFromString("", withEnvironment());
    const auto* error = findError(result, variable.section(QLatin1Char('='), 0, 0));
    QVERIFY2(error, qPrintable(dump(result.errors)));
    QCOMPARE(error->line, 0);
    QVERIFY2(QString::fromStdString(error->message).contains(fragment), qPrintable(dump(result.errors)));
}

void TestConfigEnv::postgresqlNeedsAUrl()
{
    // The backend from the environment, no URL anywhere: the error names store.url.
    {
        EnvGuard env({QStringLiteral("ALDIS_STORE_BACKEND=postgresql")});
        auto result = loadFromString("", withEnvironment());
        const auto* error = findError(result, QStringLiteral("store.url"));
        QVERIFY2(error, qPrintable(dump(result.errors)));
        QCOMPARE(error->line, 0);
        QVERIFY2(QString::fromStdString(error->message).contains("ALDIS_STORE_URL"), qPrintable(dump(result.errors)));
    }
    // The backend from the file, the URL from the environment: fine.
    EnvGuard env({QStringLiteral("ALDIS_STORE_URL=postgresql://aldis@db/aldis")});
    auto result = loadFromString("[store]\nbackend = \"postgresql\"\n", withEnvironment());
    QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
    QCOMPARE(result.config.store.url, std::string("postgresql://aldis@db/aldis"));
}

void TestConfigEnv::environmentIgnoredWhenDisabled()
{
    EnvGuard env({QStringLiteral("ALDIS_CLIENT_PORT=abc"), QStringLiteral("ALDIS_NODE_ID=from-env")});
    auto result = loadFromString("", isolated());
    QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
    QVERIFY(result.config.node.id != "from-env");
}

void TestConfigEnv::environmentVariableList()
{
    const auto vars = environmentVariables();
    std::set<std::string> names;
    for (const auto& var : vars) {
        QVERIFY2(names.insert(var.name).second, var.name.c_str());
        QVERIFY(var.name.rfind("ALDIS_", 0) == 0);
        QVERIFY(!var.key.empty());
        QVERIFY(!var.description.empty());
    }
    const std::set<std::string> expected = {
        "ALDIS_NODE_ID", "ALDIS_NODE_REGION", "ALDIS_NODE_DATA_DIR", "ALDIS_NODE_THREADS",
        "ALDIS_NODE_DRAIN_TIMEOUT", "ALDIS_NODE_LOG_LEVEL", "ALDIS_LOG_LEVEL", "ALDIS_NODE_LOG_FORMAT",
        "ALDIS_CLIENT_ADDRESS", "ALDIS_CLIENT_PORT", "ALDIS_CLIENT_ALLOWED_ORIGINS", "ALDIS_CLIENT_MAX_FRAME_BYTES",
        "ALDIS_CLIENT_SEND_QUEUE_BYTES", "ALDIS_CLIENT_RATE_LIMIT", "ALDIS_CLIENT_RATE_BURST",
        "ALDIS_CLIENT_RATE_VIOLATIONS_BEFORE_CLOSE", "ALDIS_CLIENT_MAX_CONNECTIONS", "ALDIS_CLIENT_MAX_HTTP_CONNECTIONS",
        "ALDIS_CLIENT_MAX_SUBSCRIPTIONS_PER_CONNECTION", "ALDIS_CLIENT_HANDSHAKE_TIMEOUT",
        "ALDIS_CLIENT_CONNECT_TIMEOUT", "ALDIS_CLIENT_PING_INTERVAL", "ALDIS_CLIENT_TLS_CERT_FILE",
        "ALDIS_CLIENT_TLS_KEY_FILE", "ALDIS_CLIENT_TLS_MIN_VERSION", "ALDIS_CLIENT_SERVE_DEMO", "ALDIS_STORE_BACKEND", "ALDIS_STORE_PATH",
        "ALDIS_STORE_URL", "ALDIS_STORE_POOL_SIZE", "ALDIS_STORE_SYNCHRONOUS", "ALDIS_STORE_COMMIT_WINDOW", "ALDIS_STORE_COMMIT_BATCH",
        "ALDIS_STORE_DEDUP_WINDOW", "ALDIS_AUTH_ISSUER", "ALDIS_AUTH_AUDIENCE", "ALDIS_AUTH_LEEWAY",
        "ALDIS_AUTH_API_KEYS", "ALDIS_AUTH_REVOKED_SUBJECTS", "ALDIS_AUTH_HS256_SECRET", "ALDIS_ADMIN_ENABLED", "ALDIS_ADMIN_ADDRESS",
        "ALDIS_ADMIN_PORT", "ALDIS_ADMIN_TOKEN", "ALDIS_ALERTS_P99_LATENCY_MS", "ALDIS_ALERTS_CONSUMER_LAG",
        "ALDIS_ALERTS_CONNECTION_DROP_PERCENT", "ALDIS_ALERTS_CONNECTION_DROP_MINIMUM", "ALDIS_ALERTS_FOR",
        "ALDIS_CLUSTER_KAFKA", "ALDIS_CLUSTER_TOPIC_PREFIX", "ALDIS_CLUSTER_PARTITIONS", "ALDIS_CLUSTER_MAX_QUEUED",
        "ALDIS_CLUSTER_HEARTBEAT", "ALDIS_CLUSTER_MEMBER_TIMEOUT",
    };
    QCOMPARE(names, expected);
}

void TestConfigEnv::everyEnvironmentKeyIsATomlKey()
{
    // A value of the wrong type for every kind: the key must be known (a type
    // error), never an unknown key.
    for (const auto& var : environmentVariables()) {
        if (var.key == "auth.keys")
            continue;
        auto dot = var.key.find('.');
        std::string toml = "[" + var.key.substr(0, dot) + "]\n" + var.key.substr(dot + 1) + " = { x = 1 }\n";
        auto result = loadFromString(toml, isolated());
        QCOMPARE(result.errors.size(), std::size_t(1));
        QCOMPARE(result.errors[0].key, var.key);
        QVERIFY2(result.errors[0].message.find("must be") != std::string::npos, result.errors[0].message.c_str());
    }
}

void TestConfigEnv::devSecret()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString dataDir = tmp.filePath(QStringLiteral("data/nested"));
    const std::string toml = "[node]\ndata_dir = '" + dataDir.toStdString() + "'\n";
    LoadOptions options = isolated();
    options.createDevSecret = true;

    auto first = loadFromString(toml, options);
    QVERIFY2(first.ok(), qPrintable(dump(first.errors)));
    QCOMPARE(first.config.auth.keys.size(), std::size_t(1));
    const auto& key = first.config.auth.keys[0];
    QCOMPARE(key.id, std::string("dev"));
    QCOMPARE(key.algorithms, std::vector<std::string>{"HS256"});
    QCOMPARE(key.secret.size(), std::size_t(96));
    QVERIFY(key.secret.find_first_not_of("0123456789abcdef") == std::string::npos);

    const auto path = first.config.devSecretPath();
    QCOMPARE(QString::fromStdString(path.string()), dataDir + QStringLiteral("/dev-secret"));
    struct stat info {};
    QCOMPARE(::stat(path.c_str(), &info), 0);
    QCOMPARE(info.st_mode & 0777, mode_t(0600));

    auto second = loadFromString(toml, options);
    QVERIFY2(second.ok(), qPrintable(dump(second.errors)));
    QCOMPARE(second.config.auth.keys.size(), std::size_t(1));
    QCOMPARE(second.config.auth.keys[0].secret, key.secret);
}

void TestConfigEnv::devSecretNotNeeded()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string toml = "[node]\ndata_dir = '" + tmp.path().toStdString() + "'\n"
                             "[[auth.keys]]\nalgorithms = [\"HS256\"]\nsecret = \"0123456789abcdef0123456789abcdef\"\n";
    LoadOptions options = isolated();
    options.createDevSecret = true;
    auto result = loadFromString(toml, options);
    QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
    QCOMPARE(result.config.auth.keys.size(), std::size_t(1));
    QVERIFY(!QFile::exists(tmp.filePath(QStringLiteral("dev-secret"))));
}

void TestConfigEnv::devSecretDisabled()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string toml = "[node]\ndata_dir = '" + tmp.path().toStdString() + "'\n";
    auto result = loadFromString(toml, isolated());
    QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
    QVERIFY(result.config.auth.keys.empty());
    QVERIFY(!QFile::exists(tmp.filePath(QStringLiteral("dev-secret"))));
}

void TestConfigEnv::publicKeyFileRelative()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QVERIFY(writeFile(tmp.filePath(QStringLiteral("keys/pub.pem")), kPublicKeyPem));
    const QString configPath = tmp.filePath(QStringLiteral("aldis.toml"));
    QVERIFY(writeFile(configPath, "[[auth.keys]]\nid = \"rs\"\nalgorithms = [\"ES256\"]\n"
                                  "public_key_file = \"keys/pub.pem\"\n"));

    auto result = load(configPath.toStdString(), isolated());
    QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
    QCOMPARE(result.config.auth.keys.size(), std::size_t(1));
    const auto& key = result.config.auth.keys[0];
    QCOMPARE(key.id, std::string("rs"));
    QCOMPARE(QByteArray::fromStdString(key.publicKeyPem), kPublicKeyPem);
    QCOMPARE(QFileInfo(QString::fromStdString(key.publicKeyFile.string())).canonicalFilePath(),
             QFileInfo(tmp.filePath(QStringLiteral("keys/pub.pem"))).canonicalFilePath());
}

void TestConfigEnv::publicKeyFileMissing()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString configPath = tmp.filePath(QStringLiteral("aldis.toml"));
    QVERIFY(writeFile(configPath, "\n[[auth.keys]]\nalgorithms = [\"RS256\"]\npublic_key_file = \"missing.pem\"\n"));
    auto result = load(configPath.toStdString(), isolated());
    const auto* error = findError(result, QStringLiteral("auth.keys[0].public_key_file"));
    QVERIFY2(error, qPrintable(dump(result.errors)));
    QCOMPARE(error->line, 4);
    const auto message = QString::fromStdString(error->message);
    QVERIFY2(message.contains(tmp.filePath(QStringLiteral("missing.pem"))), qPrintable(message));
    QVERIFY2(message.contains("relative to the config file's folder"), qPrintable(message));
}

// jwks_file is relative to the config file's folder; its text lands in jwksJson.
void TestConfigEnv::jwksFile_data()
{
    QTest::addColumn<QByteArray>("keyToml");    // the [[auth.keys]] entry, from line 1
    QTest::addColumn<QByteArray>("content");    // of keys/jwks.json; null: no file
    QTest::addColumn<QString>("errorKey");      // empty: loads
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("fragment");

    const QByteArray rsEs = "[[auth.keys]]\nid = \"idp\"\nalgorithms = [\"RS256\", \"ES256\"]\n"
                            "jwks_file = \"keys/jwks.json\"\n";
    const QString ok;
    QTest::addRow("relative path") << rsEs << kJwks << ok << 0 << QString();
    QTest::addRow("ES256 only") << QByteArray("[[auth.keys]]\nalgorithms = [\"ES256\"]\n"
                                              "jwks_file = \"keys/jwks.json\"\n")
                                << kJwks << ok << 0 << QString();
    QTest::addRow("missing file") << rsEs << QByteArray() << "auth.keys[0].jwks_file" << 4
                                  << "relative to the config file's folder";
    QTest::addRow("empty file") << rsEs << QByteArray("\n") << "auth.keys[0].jwks_file" << 4 << "is empty";
    QTest::addRow("PEM in the file") << rsEs << kPublicKeyPem << "auth.keys[0].jwks_file" << 4
                                     << "holds PEM, not a JWKS";
    QTest::addRow("not a JSON object") << rsEs << QByteArray("[]") << "auth.keys[0].jwks_file" << 4
                                       << "is not a JWKS";
    QTest::addRow("jwks with secret") << rsEs + "secret = \"0123456789abcdef0123456789abcdef\"\n" << kJwks
                                      << "auth.keys[0].secret" << 5 << "cannot be combined with jwks_file";
    QTest::addRow("jwks with HS256") << QByteArray("[[auth.keys]]\nalgorithms = [\"HS256\"]\n"
                                                   "jwks_file = \"keys/jwks.json\"\n")
                                     << kJwks << "auth.keys[0].algorithms" << 2 << "RS256 or ES256";
    QTest::addRow("jwks with HS256 and RS256") << QByteArray("[[auth.keys]]\nalgorithms = [\"HS256\", \"RS256\"]\n"
                                                             "jwks_file = \"keys/jwks.json\"\n")
                                               << kJwks << "auth.keys[0].algorithms" << 2 << "algorithm confusion";
}

void TestConfigEnv::jwksFile()
{
    QFETCH(QByteArray, keyToml);
    QFETCH(QByteArray, content);
    QFETCH(QString, errorKey);
    QFETCH(int, line);
    QFETCH(QString, fragment);

    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString jwksPath = tmp.filePath(QStringLiteral("keys/jwks.json"));
    if (!content.isNull())
        QVERIFY(writeFile(jwksPath, content));
    const QString configPath = tmp.filePath(QStringLiteral("aldis.toml"));
    QVERIFY(writeFile(configPath, keyToml));

    auto result = load(configPath.toStdString(), isolated());
    if (errorKey.isEmpty()) {
        QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
        QCOMPARE(result.config.auth.keys.size(), std::size_t(1));
        const auto& key = result.config.auth.keys[0];
        QCOMPARE(QByteArray::fromStdString(key.jwksJson), content);
        QCOMPARE(QFileInfo(QString::fromStdString(key.jwksFile.string())).canonicalFilePath(),
                 QFileInfo(jwksPath).canonicalFilePath());
        QVERIFY(key.publicKeyPem.empty());
        QVERIFY(key.publicKeyFile.empty());
        QVERIFY(key.secret.empty());
        return;
    }
    QVERIFY(!result.ok());
    const auto* error = findError(result, errorKey);
    QVERIFY2(error, qPrintable(QStringLiteral("no error for key '%1' among:\n%2").arg(errorKey, dump(result.errors))));
    QCOMPARE(error->line, line);
    const auto message = QString::fromStdString(error->message);
    QVERIFY2(message.contains(fragment), qPrintable(dump(result.errors)));
    if (errorKey.endsWith(QStringLiteral(".jwks_file")))
        QVERIFY2(message.contains(jwksPath), qPrintable(message));   // names the resolved path
}

QTEST_APPLESS_MAIN(TestConfigEnv)
#include "tst_config_env.moc"

// SPDX-License-Identifier: Apache-2.0
// Loading the node configuration: defaults, TOML, validation, durations and
// namespaces. ALDIS_* overrides, the development secret and key files are
// tst_config_env.cpp; the shared helpers are support/config_test_util.h.

#include "config/config.h"
#include "support/config_test_util.h"

#include <QSysInfo>
#include <QtTest>

using namespace aldis::config;
using namespace aldis::test;
using namespace std::chrono_literals;

class TestConfig : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();

    void defaults();
    void fullConfig();
    void loadWithoutFile();
    void loadMissingFile();

    void badConfig_data();
    void badConfig();
    void allErrorsReported();

    void durations_data();
    void durations();

    void namespaces_data();
    void namespaces();
    void namespaceSettings();

    void defaultDataDirFollowsXdg();
    void describeSummary();
    void describePostgresStore();
    void storeUrlWithoutPassword_data();
    void storeUrlWithoutPassword();
    void errorToString();
};

void TestConfig::initTestCase()
{
    // A developer's shell may carry ALDIS_* settings; the tests set their own.
    for (const auto& var : environmentVariables())
        qunsetenv(var.name.c_str());
}

void TestConfig::defaults()
{
    auto result = loadFromString("", isolated());
    QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
    const auto& c = result.config;

    QCOMPARE(QString::fromStdString(c.node.id), QSysInfo::machineHostName());
    QCOMPARE(c.node.region, std::string("local"));
    QCOMPARE(c.node.dataDir, defaultDataDir());
    QCOMPARE(c.node.threads, 0u);
    QCOMPARE(c.node.drainTimeout, aldis::Millis(10s));
    QCOMPARE(c.node.logLevel, std::string("info"));
    QCOMPARE(c.node.logFormat, std::string("json"));

    QCOMPARE(c.client.address, std::string("0.0.0.0"));
    QCOMPARE(c.client.port, std::uint16_t(8800));
    QVERIFY(c.client.allowedOrigins.empty());
    QCOMPARE(c.client.maxFrameBytes, 64u * 1024u);
    QCOMPARE(c.client.sendQueueBytes, 1024u * 1024u);
    QCOMPARE(c.client.rateLimit, 1000.0);
    QCOMPARE(c.client.rateBurst, 2000.0);
    QCOMPARE(c.client.pingInterval, aldis::Millis(25s));
    QCOMPARE(c.client.connectTimeout, aldis::Millis(5s));

    QCOMPARE(c.store.backend, std::string("sqlite"));
    QCOMPARE(c.store.path, c.node.dataDir / "aldis.db");
    QCOMPARE(c.store.url, std::string());
    QCOMPARE(c.store.poolSize, 4u);
    QCOMPARE(c.store.synchronous, std::string("full"));
    QCOMPARE(c.store.commitBatch, 4096u);
    QCOMPARE(c.store.dedupWindow, aldis::Millis(24h));

    QVERIFY(c.auth.keys.empty());
    QCOMPARE(c.auth.leeway, aldis::Millis(30s));

    QCOMPARE(c.namespaces.size(), std::size_t(1));
    const auto* ns = c.findNamespace("");
    QVERIFY(ns);
    QVERIFY(ns->durable);
    QCOMPARE(ns->historySize, 1000u);
    QCOMPARE(ns->historyTtl, aldis::Millis(24h));
    QVERIFY(ns->presence);
    QVERIFY(!ns->joinLeave);
    QVERIFY(ns->clientPublish);
}

void TestConfig::fullConfig()
{
    const char* toml = R"(
[node]
id = "edge-1"
region = "eu-west"
data_dir = "/var/lib/aldis"
threads = 4
drain_timeout = "30s"
log_level = "debug"
log_format = "text"

[client]
address = "127.0.0.1"
port = 0
allowed_origins = ["https://app.example.com"]
max_frame_bytes = 131072
send_queue_bytes = 2097152
rate_limit = 50.5
rate_burst = 100
rate_violations_before_close = 10
max_connections = 5000
max_subscriptions_per_connection = 64
handshake_timeout = "2s"
connect_timeout = 3
ping_interval = "10s"

[store]
backend = "sqlite"
path = "/srv/aldis/events.db"
url = "postgresql://aldis@db.example:5432/aldis"
pool_size = 8
synchronous = "normal"
commit_window = "5ms"
commit_batch = 100
dedup_window = "1h"

[auth]
issuer = "https://auth.example.com"
audience = "aldis"
leeway = "5s"
api_keys = ["0123456789abcdef0123"]

[[auth.keys]]
id = "main"
algorithms = ["HS256"]
secret = "0123456789abcdef0123456789abcdef"

[namespaces.chat]
history_size = 10
)";
    auto result = loadFromString(toml, isolated());
    QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
    const auto& c = result.config;
    QCOMPARE(c.node.id, std::string("edge-1"));
    QCOMPARE(c.node.region, std::string("eu-west"));
    QCOMPARE(c.node.dataDir, std::filesystem::path("/var/lib/aldis"));
    QCOMPARE(c.node.threads, 4u);
    QCOMPARE(c.node.drainTimeout, aldis::Millis(30s));
    QCOMPARE(c.node.logLevel, std::string("debug"));
    QCOMPARE(c.node.logFormat, std::string("text"));
    QCOMPARE(c.client.address, std::string("127.0.0.1"));
    QCOMPARE(c.client.port, std::uint16_t(0));
    QCOMPARE(c.client.allowedOrigins, std::vector<std::string>{"https://app.example.com"});
    QCOMPARE(c.client.maxFrameBytes, 131072u);
    QCOMPARE(c.client.sendQueueBytes, 2097152u);
    QCOMPARE(c.client.rateLimit, 50.5);
    QCOMPARE(c.client.rateBurst, 100.0);
    QCOMPARE(c.client.rateViolationsBeforeClose, 10u);
    QCOMPARE(c.client.maxConnections, 5000u);
    QCOMPARE(c.client.maxSubscriptionsPerConnection, 64u);
    QCOMPARE(c.client.handshakeTimeout, aldis::Millis(2s));
    QCOMPARE(c.client.connectTimeout, aldis::Millis(3s));
    QCOMPARE(c.client.pingInterval, aldis::Millis(10s));
    QCOMPARE(c.store.path, std::filesystem::path("/srv/aldis/events.db"));
    QCOMPARE(c.store.url, std::string("postgresql://aldis@db.example:5432/aldis"));
    QCOMPARE(c.store.poolSize, 8u);
    QCOMPARE(c.store.synchronous, std::string("normal"));
    QCOMPARE(c.store.commitWindow, aldis::Millis(5ms));
    QCOMPARE(c.store.commitBatch, 100u);
    QCOMPARE(c.store.dedupWindow, aldis::Millis(1h));
    QCOMPARE(c.auth.issuer, std::string("https://auth.example.com"));
    QCOMPARE(c.auth.audience, std::string("aldis"));
    QCOMPARE(c.auth.leeway, aldis::Millis(5s));
    QCOMPARE(c.auth.apiKeys, std::vector<std::string>{"0123456789abcdef0123"});
    QCOMPARE(c.auth.keys.size(), std::size_t(1));
    QCOMPARE(c.auth.keys[0].id, std::string("main"));
    QCOMPARE(c.auth.keys[0].algorithms, std::vector<std::string>{"HS256"});
    QCOMPARE(c.auth.keys[0].secret, std::string("0123456789abcdef0123456789abcdef"));
    QCOMPARE(c.namespaces.size(), std::size_t(1));
    QVERIFY(c.findNamespace("chat"));
    QVERIFY(!c.findNamespace(""));
}

void TestConfig::loadWithoutFile()
{
    auto result = load({}, isolated());
    QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
    QCOMPARE(result.config.client.port, std::uint16_t(8800));
}

void TestConfig::loadMissingFile()
{
    auto result = load("/nonexistent/aldis/aldis.toml", isolated());
    QCOMPARE(result.errors.size(), std::size_t(1));
    QVERIFY(QString::fromStdString(result.errors[0].message).contains("cannot read the config file"));
}

void TestConfig::badConfig_data()
{
    QTest::addColumn<QByteArray>("toml");
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("fragment");

    // Syntax and structure.
    QTest::addRow("syntax error") << QByteArray("[client]\nport = = 3\n") << "" << 2 << "TOML syntax error";
    QTest::addRow("unclosed section") << QByteArray("\n\n[node\n") << "" << 3 << "TOML syntax error";
    QTest::addRow("unknown section typo") << QByteArray("[nodes]\nid = \"a\"\n") << "nodes" << 1
                                          << "unknown section '[nodes]'; did you mean '[node]'?";
    QTest::addRow("unknown section") << QByteArray("[listener]\n") << "listener" << 1 << "the sections are";
    QTest::addRow("section not a table") << QByteArray("node = \"x\"\n") << "node" << 1 << "write [node]";
    QTest::addRow("top-level key") << QByteArray("\nport = 80\n") << "port" << 2 << "did you mean 'client.port'?";

    // TLS on the client listener.
    QTest::addRow("tls cert without key") << QByteArray("[client]\n\ntls_cert_file = \"/etc/hostname\"\n")
                                          << "client.tls_key_file" << 3
                                          << "TLS needs both the certificate and its private key";
    QTest::addRow("tls key without cert") << QByteArray("[client]\ntls_key_file = \"/etc/hostname\"\n")
                                          << "client.tls_cert_file" << 2
                                          << "TLS needs both the certificate and its private key";
    QTest::addRow("tls file missing")
        << QByteArray("[client]\ntls_cert_file = \"/nonexistent/node.crt\"\ntls_key_file = \"/etc/hostname\"\n")
        << "client.tls_cert_file" << 2 << "no such file: /nonexistent/node.crt";
    QTest::addRow("tls version too old") << QByteArray("[client]\ntls_min_version = \"1.1\"\n")
                                         << "client.tls_min_version" << 2 << "one of \"1.3\", \"1.2\"";
    QTest::addRow("revoked subjects not a list") << QByteArray("[auth]\nrevoked_subjects = \"mallory\"\n")
                                                 << "auth.revoked_subjects" << 2 << "an array of strings";

    // Unknown keys.
    QTest::addRow("key typo") << QByteArray("[client]\nmax_frame_byte = 10\n") << "client.max_frame_byte" << 2
                              << "unknown key 'client.max_frame_byte'; did you mean 'client.max_frame_bytes'?";
    QTest::addRow("key transposed") << QByteArray("[client]\nprot = 10\n") << "client.prot" << 2
                                    << "did you mean 'client.port'?";
    QTest::addRow("key in wrong section") << QByteArray("[node]\n\nport = 80\n") << "node.port" << 3
                                          << "did you mean 'client.port'?";
    QTest::addRow("key unknown") << QByteArray("[store]\nzzzzzzzz = 1\n") << "store.zzzzzzzz" << 1 + 1
                                 << "use one of: backend, path";

    // Types and ranges.
    QTest::addRow("port string") << QByteArray("# listener\n[client]\n\nport = \"abc\"\n") << "client.port" << 4
                                 << "client.port must be an integer from 0 to 65535, got \"abc\"";
    QTest::addRow("port range") << QByteArray("[client]\nport = 70000\n") << "client.port" << 2 << "got 70000";
    QTest::addRow("port float") << QByteArray("[client]\nport = 80.5\n") << "client.port" << 2 << "got 80.5";
    QTest::addRow("threads range") << QByteArray("[node]\nthreads = 300\n") << "node.threads" << 2
                                   << "from 0 to 256";
    QTest::addRow("log level") << QByteArray("[node]\nlog_level = \"verbose\"\n") << "node.log_level" << 2
                               << "must be one of \"trace\", \"debug\", \"info\", \"warn\", \"error\", \"off\"";
    QTest::addRow("log level typo") << QByteArray("[node]\nlog_level = \"wran\"\n") << "node.log_level" << 2
                                    << "did you mean \"warn\"?";
    QTest::addRow("log format") << QByteArray("[node]\nlog_format = \"xml\"\n") << "node.log_format" << 2
                                << "got \"xml\"";
    QTest::addRow("node id empty") << QByteArray("[node]\nid = \"\"\n") << "node.id" << 2 << "must not be empty";
    QTest::addRow("node id space") << QByteArray("[node]\nid = \"a b\"\n") << "node.id" << 2 << "spaces";
    QTest::addRow("duration unit") << QByteArray("[node]\ndrain_timeout = \"10x\"\n") << "node.drain_timeout" << 2
                                   << "must be a duration such as \"10s\"";
    QTest::addRow("duration negative") << QByteArray("[node]\ndrain_timeout = -5\n") << "node.drain_timeout" << 2
                                       << "got -5";
    QTest::addRow("duration zero") << QByteArray("[client]\nping_interval = \"0s\"\n") << "client.ping_interval"
                                   << 2 << "a duration greater than 0";
    QTest::addRow("duration bool") << QByteArray("[auth]\nleeway = true\n") << "auth.leeway" << 2 << "got true";
    QTest::addRow("rate limit zero") << QByteArray("[client]\nrate_limit = 0\n") << "client.rate_limit" << 2
                                     << "a number greater than 0";
    QTest::addRow("rate burst") << QByteArray("[client]\nrate_burst = 0.5\n") << "client.rate_burst" << 2
                                << "a number of at least 1, got 0.5";
    QTest::addRow("rate limit nan") << QByteArray("[client]\nrate_limit = nan\n") << "client.rate_limit" << 2
                                    << "a number greater than 0";
    QTest::addRow("origins string") << QByteArray("[client]\nallowed_origins = \"x\"\n") << "client.allowed_origins"
                                    << 2 << "an array of strings";
    QTest::addRow("origins numbers") << QByteArray("[client]\nallowed_origins = [1]\n") << "client.allowed_origins"
                                     << 2 << "an array of strings, got an array";
    QTest::addRow("max connections zero") << QByteArray("[client]\nmax_connections = 0\n")
                                          << "client.max_connections" << 2 << "from 1 to 4294967295";
    QTest::addRow("postgresql without url") << QByteArray("[store]\nbackend = \"postgresql\"\n") << "store.url" << 2
                                            << "store.url must be set when store.backend is \"postgresql\"";
    QTest::addRow("backend unknown") << QByteArray("[store]\nbackend = \"mysql\"\n") << "store.backend" << 2
                                     << "must be one of \"sqlite\", \"postgresql\", got \"mysql\"";
    QTest::addRow("url empty") << QByteArray("[store]\nbackend = \"postgresql\"\nurl = \"\"\n") << "store.url" << 3
                               << "must not be empty";
    QTest::addRow("pool size zero") << QByteArray("[store]\npool_size = 0\n") << "store.pool_size" << 2
                                    << "from 1 to 64, got 0";
    QTest::addRow("pool size text") << QByteArray("[store]\npool_size = \"4\"\n") << "store.pool_size" << 2
                                    << "an integer";
    QTest::addRow("synchronous") << QByteArray("[store]\nsynchronous = \"off\"\n") << "store.synchronous" << 2
                                 << "one of \"full\", \"normal\"";
    QTest::addRow("commit batch") << QByteArray("[store]\ncommit_batch = 0\n") << "store.commit_batch" << 2
                                  << "from 1 to 100000";
    QTest::addRow("api key short") << QByteArray("[auth]\napi_keys = [\"0123456789abcdef\", \"short\"]\n")
                                   << "auth.api_keys" << 2 << "entry 2 has 5 characters";

    QTest::addRow("serve_demo string") << QByteArray("[client]\nserve_demo = \"no\"\n") << "client.serve_demo" << 2
                                       << "true or false";

    // [admin] and [alerts].
    QTest::addRow("admin token short") << QByteArray("[admin]\ntoken = \"short\"\n") << "admin.token" << 2
                                       << "at least 16 characters";
    QTest::addRow("admin port range") << QByteArray("[admin]\nport = -1\n") << "admin.port" << 2 << "got -1";
    QTest::addRow("admin enabled string") << QByteArray("[admin]\nenabled = \"yes\"\n") << "admin.enabled" << 2
                                          << "true or false";
    QTest::addRow("admin key typo") << QByteArray("[admin]\ntokn = \"x\"\n") << "admin.tokn" << 2
                                    << "did you mean 'admin.token'?";
    QTest::addRow("alerts negative") << QByteArray("[alerts]\np99_latency_ms = -1\n") << "alerts.p99_latency_ms" << 2
                                     << "at least 0";
    QTest::addRow("alerts for") << QByteArray("[alerts]\nfor = \"soon\"\n") << "alerts.for" << 2 << "a duration";
    QTest::addRow("alerts section typo") << QByteArray("[alert]\n") << "alert" << 1 << "did you mean '[alerts]'?";

    // [cluster] and regions.
    QTest::addRow("cluster on sqlite") << QByteArray("[cluster]\nkafka = \"k:9092\"\n") << "cluster.kafka" << 2
                                       << "set store.backend = \"postgresql\"";
    QTest::addRow("cluster partitions") << QByteArray("[cluster]\npartitions = 0\n") << "cluster.partitions" << 2
                                        << "from 1 to 10000";
    QTest::addRow("cluster heartbeat") << QByteArray("[cluster]\nheartbeat = \"0s\"\n") << "cluster.heartbeat" << 2
                                       << "greater than 0";
    QTest::addRow("mirrors not tables") << QByteArray("[cluster]\nmirrors = \"x\"\n") << "cluster.mirrors" << 2
                                        << "[[cluster.mirrors]]";
    QTest::addRow("mirror without kafka") << QByteArray("\n[[cluster.mirrors]]\nregion = \"a\"\n")
                                          << "cluster.mirrors[1]" << 2 << "needs region and kafka";
    QTest::addRow("mirror unknown key") << QByteArray("[[cluster.mirrors]]\nregion = \"a\"\nkafka = \"k\"\nbrokers = \"x\"\n")
                                        << "cluster.mirrors[1].brokers" << 4 << "its keys are region, kafka and topic_prefix";
    QTest::addRow("home region not mirrored") << QByteArray("[namespaces.chat]\nhome_region = \"us\"\n")
                                              << "namespaces.chat.home_region" << 2
                                              << "no [[cluster.mirrors]] entry has that region";

    // [[auth.keys]].
    QTest::addRow("keys not array") << QByteArray("[auth]\nkeys = \"x\"\n") << "auth.keys" << 2
                                    << "[[auth.keys]]";
    QTest::addRow("key unknown field") << QByteArray("[[auth.keys]]\nalgorithms = [\"HS256\"]\nsecrett = \"x\"\n")
                                       << "auth.keys[0].secrett" << 3 << "did you mean 'auth.keys[0].secret'?";
    QTest::addRow("key no algorithms") << QByteArray("\n[[auth.keys]]\nid = \"k\"\n") << "auth.keys[0].algorithms"
                                       << 2 << "is required";
    QTest::addRow("key empty algorithms") << QByteArray("[[auth.keys]]\nalgorithms = []\n")
                                          << "auth.keys[0].algorithms" << 2 << "must not be empty";
    QTest::addRow("key alg none") << QByteArray("[[auth.keys]]\nalgorithms = [\"none\"]\n")
                                  << "auth.keys[0].algorithms" << 2 << "\"none\", which is not supported";
    QTest::addRow("key alg case") << QByteArray("[[auth.keys]]\nalgorithms = [\"hs256\"]\n")
                                  << "auth.keys[0].algorithms" << 2 << "did you mean \"HS256\"?";
    QTest::addRow("key alg mix") << QByteArray("[[auth.keys]]\nalgorithms = [\"HS256\", \"RS256\"]\n"
                                               "secret = \"0123456789abcdef0123456789abcdef\"\n"
                                               "public_key_file = \"/nonexistent.pem\"\n")
                                 << "auth.keys[0].algorithms" << 2 << "algorithm confusion";
    QTest::addRow("key second entry") << QByteArray("[[auth.keys]]\nalgorithms = [\"HS256\"]\n"
                                                    "secret = \"0123456789abcdef0123456789abcdef\"\n"
                                                    "[[auth.keys]]\nalgorithms = [\"HS256\"]\n")
                                      << "auth.keys[1].secret" << 4 << "required for HS256";
    QTest::addRow("key short secret") << QByteArray("[[auth.keys]]\nalgorithms = [\"HS256\"]\nsecret = \"abc\"\n")
                                      << "auth.keys[0].secret" << 3 << "at least 32";
    QTest::addRow("key secret for RS256") << QByteArray("[[auth.keys]]\nalgorithms = [\"RS256\"]\n"
                                                        "public_key = \"\"\"\n" + kPublicKeyPem + "\"\"\"\n"
                                                        "secret = \"0123456789abcdef0123456789abcdef\"\n")
                                          << "auth.keys[0].secret" << 8 << "used only with HS256";
    QTest::addRow("key RS256 without key") << QByteArray("[[auth.keys]]\nalgorithms = [\"RS256\"]\n")
                                           << "auth.keys[0].public_key_file" << 1 << "required for RS256/ES256";
    QTest::addRow("key file missing") << QByteArray("[[auth.keys]]\nalgorithms = [\"ES256\"]\n"
                                                    "public_key_file = \"/nonexistent/pub.pem\"\n")
                                      << "auth.keys[0].public_key_file" << 3 << "cannot read '/nonexistent/pub.pem'";
    QTest::addRow("key inline not pem") << QByteArray("[[auth.keys]]\nalgorithms = [\"ES256\"]\npublic_key = \"abc\"\n")
                                        << "auth.keys[0].public_key" << 3 << "is not PEM";
    QTest::addRow("key inline private") << QByteArray("[[auth.keys]]\nalgorithms = [\"ES256\"]\n"
                                                      "public_key = \"-----BEGIN PRIVATE KEY-----\"\n")
                                        << "auth.keys[0].public_key" << 3 << "holds a private key";
    QTest::addRow("key duplicate id") << QByteArray("[[auth.keys]]\nid = \"a\"\nalgorithms = [\"HS256\"]\n"
                                                    "secret = \"0123456789abcdef0123456789abcdef\"\n"
                                                    "[[auth.keys]]\nid = \"a\"\nalgorithms = [\"HS256\"]\n"
                                                    "secret = \"0123456789abcdef0123456789abcdef\"\n")
                                      << "auth.keys[1].id" << 6 << "used by another key";
    QTest::addRow("key jwks file missing") << QByteArray("[[auth.keys]]\nalgorithms = [\"RS256\"]\n"
                                                         "jwks_file = \"/nonexistent/jwks.json\"\n")
                                           << "auth.keys[0].jwks_file" << 3
                                           << "cannot read '/nonexistent/jwks.json'";
    QTest::addRow("key jwks with secret") << QByteArray("[[auth.keys]]\nalgorithms = [\"RS256\"]\n"
                                                        "jwks_file = \"/nonexistent/jwks.json\"\n"
                                                        "secret = \"0123456789abcdef0123456789abcdef\"\n")
                                          << "auth.keys[0].secret" << 4 << "cannot be combined with jwks_file";
    QTest::addRow("key jwks with HS256") << QByteArray("[[auth.keys]]\nalgorithms = [\"HS256\"]\n"
                                                       "jwks_file = \"/nonexistent/jwks.json\"\n")
                                         << "auth.keys[0].algorithms" << 2 << "jwks_file is used only with RS256";
    QTest::addRow("key jwks with public_key_file") << QByteArray("[[auth.keys]]\nalgorithms = [\"ES256\"]\n"
                                                                 "public_key_file = \"/nonexistent.pem\"\n"
                                                                 "jwks_file = \"/nonexistent/jwks.json\"\n")
                                                   << "auth.keys[0].public_key_file" << 3
                                                   << "both jwks_file and public_key_file";
    QTest::addRow("key jwks with public_key") << QByteArray("[[auth.keys]]\nalgorithms = [\"ES256\"]\n"
                                                            "jwks_file = \"/nonexistent/jwks.json\"\n"
                                                            "public_key = \"-----BEGIN PUBLIC KEY-----\"\n")
                                              << "auth.keys[0].public_key" << 4 << "both jwks_file and public_key";
    QTest::addRow("key jwks empty path") << QByteArray("[[auth.keys]]\nalgorithms = [\"RS256\"]\njwks_file = \"\"\n")
                                         << "auth.keys[0].jwks_file" << 3 << "must not be empty";
    QTest::addRow("key jwks not a string") << QByteArray("[[auth.keys]]\nalgorithms = [\"RS256\"]\njwks_file = 5\n")
                                           << "auth.keys[0].jwks_file" << 3 << "must be a string";
    QTest::addRow("key jwks typo") << QByteArray("[[auth.keys]]\nalgorithms = [\"RS256\"]\njwks_fil = \"a\"\n")
                                   << "auth.keys[0].jwks_fil" << 3 << "did you mean 'auth.keys[0].jwks_file'?";

    // Namespaces.
    QTest::addRow("namespace not table") << QByteArray("[namespaces]\nchat = 5\n") << "namespaces.chat" << 2
                                         << "write [namespaces.chat]";
    QTest::addRow("namespace colon") << QByteArray("[namespaces.\"a:b\"]\n") << "namespaces.a:b" << 1
                                     << "no ':' or '#'";
    QTest::addRow("namespace space") << QByteArray("[namespaces.\"a b\"]\n") << "namespaces.a b" << 1
                                     << "is not valid";
    QTest::addRow("namespace key typo") << QByteArray("[namespaces.chat]\nhistroy_size = 1\n")
                                        << "namespaces.chat.histroy_size" << 2
                                        << "did you mean 'namespaces.chat.history_size'?";
    QTest::addRow("namespace history size") << QByteArray("[namespaces.chat]\nhistory_size = 2000000\n")
                                            << "namespaces.chat.history_size" << 2 << "from 0 to 1000000";
    QTest::addRow("namespace bool") << QByteArray("[namespaces.default]\ndurable = \"yes\"\n")
                                    << "namespaces.default.durable" << 2 << "true or false";
    QTest::addRow("namespace ttl zero") << QByteArray("[namespaces.chat]\nhistory_ttl = 0\n")
                                        << "namespaces.chat.history_ttl" << 2 << "greater than 0";
    QTest::addRow("namespace message bytes") << QByteArray("[namespaces.chat]\nmax_message_bytes = 0\n")
                                             << "namespaces.chat.max_message_bytes" << 2 << "from 1 to";
    QTest::addRow("namespace default twice") << QByteArray("[namespaces.\"\"]\n[namespaces.default]\n")
                                             << "namespaces.default" << 2 << "keep one";
}

void TestConfig::badConfig()
{
    QFETCH(QByteArray, toml);
    QFETCH(QString, key);
    QFETCH(int, line);
    QFETCH(QString, fragment);

    auto result = loadFromString(toml.toStdString(), isolated());
    QVERIFY(!result.ok());
    const auto* error = findError(result, key);
    QVERIFY2(error, qPrintable(QStringLiteral("no error for key '%1' among:\n%2").arg(key, dump(result.errors))));
    QCOMPARE(error->line, line);
    QVERIFY2(QString::fromStdString(error->message).contains(fragment), qPrintable(dump(result.errors)));
}

void TestConfig::allErrorsReported()
{
    const char* toml = "[node]\n"
                       "threads = -1\n"
                       "[client]\n"
                       "port = \"x\"\n"
                       "[store]\n"
                       "synchronous = \"sometimes\"\n";
    EnvGuard env({QStringLiteral("ALDIS_CLIENT_RATE_LIMIT=fast")});
    auto result = loadFromString(toml, withEnvironment());
    QCOMPARE(result.errors.size(), std::size_t(4));
    QCOMPARE(result.errors[0].key, std::string("node.threads"));
    QCOMPARE(result.errors[0].line, 2);
    QCOMPARE(result.errors[1].key, std::string("client.port"));
    QCOMPARE(result.errors[1].line, 4);
    QCOMPARE(result.errors[2].key, std::string("store.synchronous"));
    QCOMPARE(result.errors[2].line, 6);
    QCOMPARE(result.errors[3].key, std::string("ALDIS_CLIENT_RATE_LIMIT"));
    QCOMPARE(result.errors[3].line, 0);
}

void TestConfig::durations_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<qint64>("millis");

    QTest::addRow("seconds") << QByteArray("\"10s\"") << qint64(10'000);
    QTest::addRow("milliseconds") << QByteArray("\"250ms\"") << qint64(250);
    QTest::addRow("minutes") << QByteArray("\"5m\"") << qint64(300'000);
    QTest::addRow("hours") << QByteArray("\"24h\"") << qint64(86'400'000);
    QTest::addRow("days") << QByteArray("\"7d\"") << qint64(604'800'000);
    QTest::addRow("bare string") << QByteArray("\"3\"") << qint64(3'000);
    QTest::addRow("bare integer") << QByteArray("3") << qint64(3'000);
    QTest::addRow("zero") << QByteArray("0") << qint64(0);
}

void TestConfig::durations()
{
    QFETCH(QByteArray, value);
    QFETCH(qint64, millis);
    auto result = loadFromString(("[node]\ndrain_timeout = " + value + "\n").toStdString(), isolated());
    QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
    QCOMPARE(qint64(result.config.node.drainTimeout.count()), millis);
}

void TestConfig::namespaces_data()
{
    QTest::addColumn<QByteArray>("toml");
    QTest::addColumn<QStringList>("names");

    QTest::addRow("none configured") << QByteArray("") << QStringList{""};
    QTest::addRow("empty namespaces table") << QByteArray("[namespaces]\n") << QStringList{""};
    QTest::addRow("only chat") << QByteArray("[namespaces.chat]\n") << QStringList{"chat"};
    QTest::addRow("default by name") << QByteArray("[namespaces.default]\n[namespaces.chat]\n")
                                     << QStringList{"", "chat"};
    QTest::addRow("default quoted") << QByteArray("[namespaces.\"\"]\nhistory_size = 5\n") << QStringList{""};
    QTest::addRow("channel characters") << QByteArray("[namespaces.\"a/b.c@d=e,f;g-h_i\"]\n")
                                        << QStringList{"a/b.c@d=e,f;g-h_i"};
    QTest::addRow("dotted keys") << QByteArray("namespaces.chat.durable = false\n") << QStringList{"chat"};
}

void TestConfig::namespaces()
{
    QFETCH(QByteArray, toml);
    QFETCH(QStringList, names);
    auto result = loadFromString(toml.toStdString(), isolated());
    QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
    QStringList actual;
    for (const auto& [name, ns] : result.config.namespaces) {
        QCOMPARE(ns.name, name);
        actual << QString::fromStdString(name);
    }
    QCOMPARE(actual, names);
    for (const auto& name : names)
        QVERIFY(result.config.findNamespace(name.toStdString()));
    QVERIFY(!result.config.findNamespace("nope"));
}

void TestConfig::namespaceSettings()
{
    const char* toml = "[namespaces.chat]\n"
                       "durable = false\n"
                       "history_size = 10\n"
                       "history_ttl = \"1h\"\n"
                       "presence = false\n"
                       "join_leave = true\n"
                       "client_publish = false\n"
                       "max_message_bytes = 1024\n"
                       "[namespaces.default]\n"
                       "history_size = 0\n";
    auto result = loadFromString(toml, isolated());
    QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
    const auto* chat = result.config.findNamespace("chat");
    QVERIFY(chat);
    QCOMPARE(chat->name, std::string("chat"));
    QVERIFY(!chat->durable);
    QCOMPARE(chat->historySize, 10u);
    QCOMPARE(chat->historyTtl, aldis::Millis(1h));
    QVERIFY(!chat->presence);
    QVERIFY(chat->joinLeave);
    QVERIFY(!chat->clientPublish);
    QCOMPARE(chat->maxMessageBytes, 1024u);
    const auto* def = result.config.findNamespace("");
    QVERIFY(def);
    QCOMPARE(def->historySize, 0u);
    QVERIFY(def->durable);
}

void TestConfig::defaultDataDirFollowsXdg()
{
    const QByteArray savedXdg = qgetenv("XDG_DATA_HOME");
    const bool hadXdg = qEnvironmentVariableIsSet("XDG_DATA_HOME");
    const QByteArray savedHome = qgetenv("HOME");

    qputenv("HOME", "/home/someone");
    qputenv("XDG_DATA_HOME", "/xdg/data");
    const auto withXdg = defaultDataDir();
    qputenv("XDG_DATA_HOME", "relative/data");
    const auto withRelativeXdg = defaultDataDir();
    qunsetenv("XDG_DATA_HOME");
    const auto withoutXdg = defaultDataDir();

    qputenv("HOME", savedHome);
    if (hadXdg)
        qputenv("XDG_DATA_HOME", savedXdg);

    QCOMPARE(withXdg, std::filesystem::path("/xdg/data/aldis"));
    QCOMPARE(withRelativeXdg, std::filesystem::path("/home/someone/.local/share/aldis"));
    QCOMPARE(withoutXdg, std::filesystem::path("/home/someone/.local/share/aldis"));
}

void TestConfig::describeSummary()
{
    const char* toml = "[node]\nid = \"n1\"\n[store]\npath = \"/srv/a.db\"\n"
                       "[[auth.keys]]\nid = \"k1\"\nalgorithms = [\"HS256\"]\n"
                       "secret = \"0123456789abcdef0123456789abcdef\"\n"
                       "[namespaces.default]\n[namespaces.chat]\ndurable = false\n";
    auto result = loadFromString(toml, isolated());
    QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
    const auto text = QString::fromStdString(describe(result.config));
    QVERIFY2(text.contains("node n1"), qPrintable(text));
    QVERIFY2(text.contains("clients on 0.0.0.0:8800"), qPrintable(text));
    QVERIFY2(text.contains("/srv/a.db"), qPrintable(text));
    QVERIFY2(text.contains("k1 HS256"), qPrintable(text));
    QVERIFY2(text.contains("(default) durable"), qPrintable(text));
    QVERIFY2(text.contains("chat memory"), qPrintable(text));
    QVERIFY2(!text.contains("0123456789abcdef"), qPrintable(text));
}

void TestConfig::describePostgresStore()
{
    const char* toml = "[store]\nbackend = \"postgresql\"\n"
                       "url = \"postgresql://aldis:s3cret@db.example:5432/aldis\"\npool_size = 6\n";
    auto result = loadFromString(toml, isolated());
    QVERIFY2(result.ok(), qPrintable(dump(result.errors)));
    const auto text = QString::fromStdString(describe(result.config));
    QVERIFY2(text.contains("store postgresql at postgresql://aldis@db.example:5432/aldis (pool 6, synchronous full)"),
             qPrintable(text));
    QVERIFY2(!text.contains("s3cret"), qPrintable(text));
}

void TestConfig::storeUrlWithoutPassword_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("shown");

    QTest::addRow("no password") << "postgresql://aldis@db:5432/aldis" << "postgresql://aldis@db:5432/aldis";
    QTest::addRow("user and password") << "postgresql://aldis:pw@db:5432/aldis" << "postgresql://aldis@db:5432/aldis";
    QTest::addRow("postgres scheme") << "postgres://aldis:pw@db/aldis" << "postgres://aldis@db/aldis";
    QTest::addRow("password only") << "postgresql://:pw@db/aldis" << "postgresql://db/aldis";
    QTest::addRow("no user part") << "postgresql://db:5432/aldis" << "postgresql://db:5432/aldis";
    QTest::addRow("@ after the path") << "postgresql://db/aldis?application_name=a@b"
                                      << "postgresql://db/aldis?application_name=a@b";
    QTest::addRow("password in the query") << "postgresql://aldis@db/aldis?sslmode=require&password=pw&connect_timeout=3"
                                           << "postgresql://aldis@db/aldis?sslmode=require&connect_timeout=3";
    QTest::addRow("only the password in the query") << "postgresql://db/aldis?password=pw" << "postgresql://db/aldis";
    QTest::addRow("settings") << "host=db port=5432 password=pw dbname=aldis" << "host=db port=5432 dbname=aldis";
    QTest::addRow("settings, quoted") << "host=db password = 'p w\\'x' dbname=aldis" << "host=db dbname=aldis";
    QTest::addRow("settings, password first") << "password=pw host=db" << "host=db";
    QTest::addRow("settings, no password") << "host=db dbname='my db'" << "host=db dbname='my db'";
    QTest::addRow("empty") << "" << "";
}

void TestConfig::storeUrlWithoutPassword()
{
    QFETCH(QString, url);
    QFETCH(QString, shown);
    QCOMPARE(QString::fromStdString(withoutPassword(url.toStdString())), shown);
}

void TestConfig::errorToString()
{
    QCOMPARE(toString(ConfigError{"client.port", 3, "bad"}, "aldis.toml"), std::string("aldis.toml:3: bad"));
    QCOMPARE(toString(ConfigError{"client.port", 3, "bad"}), std::string("3: bad"));
    QCOMPARE(toString(ConfigError{"ALDIS_CLIENT_PORT", 0, "bad"}, "aldis.toml"), std::string("bad"));
}

QTEST_APPLESS_MAIN(TestConfig)
#include "tst_config.moc"

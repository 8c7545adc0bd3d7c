// SPDX-License-Identifier: Apache-2.0
// End-to-end tests of the HTTP endpoints on the client listener (PROTOCOL.md, "HTTP
// endpoints on the same listener"): /health, /ready, /metrics and POST /v1/publish, and
// the files the node serves: the browser client at /client/aldis.js and the demo.

#include "support/test_support.h"
#include "support/ws_test_client.h"

#include <QtTest>

#include <boost/json.hpp>

#include <csignal>
#include <tuple>

using namespace aldis::test;
namespace json = boost::json;

namespace {

const QString kNamespaces = QStringLiteral(R"(
[namespaces.default]
[namespaces.feed]
client_publish = false
[namespaces.small]
max_message_bytes = 64
[namespaces.eph]
durable = false
[store]
synchronous = "normal"
)");

const std::string kBearer = std::string("Bearer ") + DaemonProcess::kApiKey;

} // namespace

class TestHttp : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void metrics(); // first: it counts from a fresh node
    void healthAndReady();
    void otherPaths_data();
    void otherPaths();
    void publish_data();
    void publish();
    void publishErrors_data();
    void publishErrors();
    void webAssets();
    void webAssetsWithoutDemo();

private:
    std::unique_ptr<DaemonProcess> m_daemon;
    std::uint16_t m_port = 0;
};

void TestHttp::initTestCase()
{
    QVERIFY2(!aldisBinary().isEmpty(), "ALDIS_BINARY is not set (run through ctest)");
    m_daemon = std::make_unique<DaemonProcess>(kNamespaces);
    QVERIFY2(m_daemon->start(), m_daemon->output().constData());
    m_port = m_daemon->port();
}

void TestHttp::cleanupTestCase()
{
    if (m_daemon) {
        m_daemon->signal(SIGTERM);
        QCOMPARE(m_daemon->waitForExit(), 0);
    }
}

void TestHttp::metrics()
{
    auto first = httpRequest(m_port, "GET", "/metrics");
    QCOMPARE(first.status, 200);
    QVERIFY2(first.headers["content-type"].rfind("text/plain", 0) == 0, first.headers["content-type"].c_str());
    QCOMPARE(metricValue(first.body, "aldis_connections").value_or(-1), 0.0);
    QCOMPARE(metricValue(first.body, "aldis_publications_total").value_or(-1), 0.0);

    auto sub = connected(m_port, "alice");
    auto pub = connected(m_port, "bob");
    QVERIFY(sub && pub);
    QVERIFY(requestOk(*sub, cmd("subscribe", {{"channel", "m"}})));
    for (int i = 1; i <= 3; ++i)
        QVERIFY(requestOk(*pub, cmd("publish", {{"channel", "m"}, {"data", i}, {"key", "m" + std::to_string(i)}})));
    QVERIFY(requestOk(*pub, cmd("publish", {{"channel", "m"}, {"data", 1}, {"key", "m1"}}))); // a duplicate
    QCOMPARE(httpPublish(m_port, json::object{{"channel", "m"}, {"data", 4}}).status, 200);
    QVERIFY(consecutivePubs(collectPushes(*sub, 4), "m", 1, 4));
    // Two refused credentials.
    auto bad = WsTestClient::open(m_port);
    QVERIFY(bad);
    QCOMPARE(errorOf(bad->connect(std::string("not-a-jwt"))), QStringLiteral("unauthorized"));
    QVERIFY(expectDisconnect(*bad, 4001));
    QCOMPARE(httpRequest(m_port, "POST", "/v1/publish", R"({"channel":"m","data":1})",
                         {{"Authorization", "Bearer wrong-key-wrong-key-0000"}}).status, 401);

    // Counted when the frame is written, which may be a moment after the client read it.
    QTRY_COMPARE_WITH_TIMEOUT(
        metricValue(httpRequest(m_port, "GET", "/metrics").body, "aldis_publish_to_deliver_seconds_count").value_or(-1),
        4.0, 10000);
    auto res = httpRequest(m_port, "GET", "/metrics");
    QCOMPARE(res.status, 200);
    const auto& text = res.body;
    // Every metric PROTOCOL.md names, with its type.
    for (const char* line : {"# TYPE aldis_connections gauge", "# TYPE aldis_publications_total counter",
                             "# TYPE aldis_deliveries_total counter",
                             "# TYPE aldis_publish_to_deliver_seconds histogram",
                             "# TYPE aldis_handshake_seconds histogram", "# TYPE aldis_store_append_seconds histogram",
                             "# TYPE aldis_slow_consumer_disconnects_total counter",
                             "# TYPE aldis_auth_failures_total counter"})
        QVERIFY2(text.find(line) != std::string::npos, line);
    for (const char* histogram : {"aldis_publish_to_deliver_seconds", "aldis_handshake_seconds",
                                  "aldis_store_append_seconds"}) {
        const std::string name(histogram);
        QVERIFY2(text.find(name + "_bucket{le=\"+Inf\"} ") != std::string::npos, histogram);
        QVERIFY2(metricValue(text, name + "_sum"), histogram);
        QVERIFY2(metricValue(text, name + "_count"), histogram);
        QCOMPARE(metricValue(text, name + "_bucket{le=\"+Inf\"}"), metricValue(text, name + "_count"));
    }
    // The values add up to what happened.
    QCOMPARE(metricValue(text, "aldis_connections").value_or(-1), 2.0);
    QCOMPARE(metricValue(text, "aldis_publications_total").value_or(-1), 4.0);
    QCOMPARE(metricValue(text, "aldis_deliveries_total").value_or(-1), 4.0);
    QCOMPARE(metricValue(text, "aldis_slow_consumer_disconnects_total").value_or(-1), 0.0);
    QCOMPARE(metricValue(text, "aldis_handshake_seconds_count").value_or(-1), 3.0);
    QCOMPARE(metricValue(text, "aldis_publish_to_deliver_seconds_count").value_or(-1), 4.0);
    QVERIFY(metricValue(text, "aldis_store_append_seconds_count").value_or(-1) >= 4.0);
    QCOMPARE(metricValue(text, "aldis_auth_failures_total{reason=\"malformed\"}").value_or(-1), 1.0);
    QCOMPARE(metricValue(text, "aldis_auth_failures_total{reason=\"api_key\"}").value_or(-1), 1.0);
    // Closed connections are counted down.
    sub.reset();
    pub.reset();
    QTRY_COMPARE_WITH_TIMEOUT(metricValue(httpRequest(m_port, "GET", "/metrics").body, "aldis_connections").value_or(-1),
                              0.0, 10000);
}

void TestHttp::healthAndReady()
{
    auto health = httpRequest(m_port, "GET", "/health");
    QCOMPARE(health.status, 200);
    QCOMPARE(health.body, std::string(R"({"status":"ok"})"));
    auto ready = httpRequest(m_port, "GET", "/ready");
    QCOMPARE(ready.status, 200);
    QCOMPARE(ready.body, std::string(R"({"status":"ready"})"));
    // Several requests on one keep-alive connection.
    HttpTestClient http(m_port);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(http.request("GET", "/health").status, 200);
    QCOMPARE(http.request("GET", "/health?probe=1").status, 200);
}

void TestHttp::otherPaths_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("target");
    QTest::addColumn<int>("status");
    QTest::addRow("unknown path") << "GET" << "/nothing" << 404;
    QTest::addRow("root") << "GET" << "/" << 404;
    QTest::addRow("GET /v1/publish") << "GET" << "/v1/publish" << 405;
    QTest::addRow("/v1/ws without upgrade") << "GET" << "/v1/ws" << 426;
}

void TestHttp::otherPaths()
{
    QFETCH(QString, method);
    QFETCH(QString, target);
    QFETCH(int, status);
    auto res = httpRequest(m_port, method.toStdString(), target.toStdString());
    QCOMPARE(res.status, status);
    json::error_code ec;
    auto body = json::parse(res.body, ec);
    QVERIFY2(!ec && body.is_object() && body.as_object().contains("error"), res.body.c_str());
}

void TestHttp::publish_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addRow("durable") << "api";
    QTest::addRow("ephemeral") << "eph:api";
    QTest::addRow("server-only namespace") << "feed:api";
}

void TestHttp::publish()
{
    QFETCH(QString, channel);
    const auto ch = channel.toStdString();
    auto sub = connected(m_port, "alice");
    QVERIFY(sub);
    QVERIFY(requestOk(*sub, cmd("subscribe", {{"channel", ch}})));

    auto res = httpPublish(m_port, json::object{{"channel", ch}, {"data", {{"a", 1}}}, {"key", "once"}});
    QCOMPARE(res.status, 200);
    auto body = json::parse(res.body).as_object();
    const auto& ok = body.at("ok").as_object();
    QCOMPARE(num(ok, "offset"), std::int64_t{1});
    QCOMPARE(ok.at("duplicate"), json::value(false));
    const auto epoch = str(ok, "epoch");
    QVERIFY(!epoch.empty());

    res = httpPublish(m_port, json::object{{"channel", ch}, {"data", {{"a", 2}}}, {"key", "once"}});
    QCOMPARE(res.status, 200);
    auto again = json::parse(res.body).as_object();
    QCOMPARE(num(again.at("ok").as_object(), "offset"), std::int64_t{1});
    QCOMPARE(again.at("ok").as_object().at("duplicate"), json::value(true));
    QCOMPARE(str(again.at("ok").as_object(), "epoch"), epoch);

    // Without a key; any JSON value as data.
    res = httpPublish(m_port, json::object{{"channel", ch}, {"data", json::array{1, "two", nullptr}}});
    QCOMPARE(res.status, 200);
    QCOMPARE(num(json::parse(res.body).as_object().at("ok").as_object(), "offset"), std::int64_t{2});

    auto pushes = collectPushes(*sub, 2);
    QVERIFY(consecutivePubs(pushes, ch, 1, 2));
    QCOMPARE(pushes[0].at("data"), json::value({{"a", 1}}));
    QVERIFY2(pushes[0].at("user").is_null(), toJson(pushes[0]).c_str());
    QCOMPARE(str(pushes[0], "key"), std::string("once"));
    QCOMPARE(pushes[1].at("data"), json::value(json::array{1, "two", nullptr}));
    QVERIFY2(!pushes[1].contains("key"), toJson(pushes[1]).c_str());
    QVERIFY(nothingQueued(*sub));

    // The API and the command share the dedup keys.
    if (!channel.startsWith(QLatin1String("feed:"))) {
        json::object dup;
        QVERIFY(requestOk(*sub, cmd("publish", {{"channel", ch}, {"data", 3}, {"key", "once"}}), &dup));
        QCOMPARE(dup.at("duplicate"), json::value(true));
        QCOMPARE(num(dup, "offset"), std::int64_t{1});
    }
}

void TestHttp::publishErrors_data()
{
    QTest::addColumn<QString>("authorization"); // "$KEY": the right one
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    const QString key = QString::fromStdString(kBearer);
    const QByteArray good = R"({"channel":"errs","data":1})";
    QTest::addRow("no Authorization") << QString() << good << 401 << "unauthorized";
    QTest::addRow("wrong key") << "Bearer test-api-key-0123456780" << good << 401 << "unauthorized";
    QTest::addRow("key with a suffix") << key + "x" << good << 401 << "unauthorized";
    QTest::addRow("key prefix") << key.left(key.size() - 1) << good << 401 << "unauthorized";
    QTest::addRow("not Bearer") << QString("Basic ") + DaemonProcess::kApiKey << good << 401 << "unauthorized";
    QTest::addRow("a client JWT") << QString::fromStdString("Bearer " + token("alice")) << good << 401
                                  << "unauthorized";
    QTest::addRow("body not JSON") << key << QByteArray("channel=errs&data=1") << 400 << "bad_request";
    QTest::addRow("body an array") << key << QByteArray(R"(["errs",1])") << 400 << "bad_request";
    QTest::addRow("empty body") << key << QByteArray() << 400 << "bad_request";
    QTest::addRow("no channel") << key << QByteArray(R"({"data":1})") << 400 << "bad_request";
    QTest::addRow("no data") << key << QByteArray(R"({"channel":"errs"})") << 400 << "bad_request";
    QTest::addRow("bad channel name") << key << QByteArray(R"({"channel":"a b","data":1})") << 400 << "bad_request";
    QTest::addRow("empty key") << key << QByteArray(R"({"channel":"errs","data":1,"key":""})") << 400
                               << "bad_request";
    QTest::addRow("unknown namespace") << key << QByteArray(R"({"channel":"nope:errs","data":1})") << 404
                                       << "unknown_channel";
    QTest::addRow("data too large") << key
                                    << QByteArray(R"({"channel":"small:errs","data":")") + QByteArray(100, 'x') + "\"}"
                                    << 413 << "payload_too_large";
    QTest::addRow("body over max_frame_bytes")
        << key << QByteArray(R"({"channel":"errs","data":")") + QByteArray(70000, 'x') + "\"}" << 413 << "payload_too_large";
}

void TestHttp::publishErrors()
{
    QFETCH(QString, authorization);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, code);
    Headers headers;
    if (!authorization.isEmpty())
        headers.emplace_back("Authorization", authorization.toStdString());
    auto res = httpRequest(m_port, "POST", "/v1/publish", body.toStdString(), headers);
    QCOMPARE(res.status, status);
    json::error_code ec;
    auto parsed = json::parse(res.body, ec);
    QVERIFY2(!ec && parsed.is_object() && parsed.as_object().contains("error"), res.body.c_str());
    const auto& error = parsed.as_object().at("error").as_object();
    QCOMPARE(QString::fromStdString(str(error, "code")), code);
    QVERIFY2(!str(error, "message").empty() && str(error, "message")[0] != '<', res.body.c_str());
    // Nothing was published, and the API still works.
    auto c = connected(m_port, "alice");
    QVERIFY(c);
    json::object ok;
    QVERIFY(requestOk(*c, cmd("history", {{"channel", "errs"}}), &ok));
    QCOMPARE(ok.at("publications").as_array().size(), std::size_t{0});
    QCOMPARE(httpPublish(m_port, json::object{{"channel", "errs-ok"}, {"data", 1}}).status, 200);
}

QTEST_GUILESS_MAIN(TestHttp)
#include "tst_http.moc"

void TestHttp::webAssets()
{
    auto client = httpRequest(m_port, "GET", "/client/aldis.js");
    QCOMPARE(client.status, 200);
    QCOMPARE(client.headers["content-type"], std::string("text/javascript; charset=utf-8"));
    QCOMPARE(client.headers["access-control-allow-origin"], std::string("*"));
    QCOMPARE(client.headers["cache-control"], std::string("no-cache"));
    QVERIFY(client.body.find("export class Client") != std::string::npos);
    const auto etag = client.headers["etag"];
    QVERIFY2(etag.size() > 2 && etag.front() == '"', etag.c_str());

    // Revalidation: the same ETag gets 304 and no body; another gets the file.
    auto same = httpRequest(m_port, "GET", "/client/aldis.js", {}, {{"If-None-Match", etag}});
    QCOMPARE(same.status, 304);
    QVERIFY(same.body.empty());
    auto other = httpRequest(m_port, "GET", "/client/aldis.js", {}, {{"If-None-Match", "\"old\""}});
    QCOMPARE(other.status, 200);
    QCOMPARE(other.body, client.body);

    auto redirect = httpRequest(m_port, "GET", "/demo");
    QCOMPARE(redirect.status, 301);
    QCOMPARE(redirect.headers["location"], std::string("/demo/"));
    auto page = httpRequest(m_port, "GET", "/demo/");
    QCOMPARE(page.status, 200);
    QCOMPARE(page.headers["content-type"], std::string("text/html; charset=utf-8"));
    QVERIFY(page.headers["content-security-policy"].find("default-src 'self'") != std::string::npos);
    QVERIFY(page.body.find("<script type=\"module\" src=\"demo.js\">") != std::string::npos);
    QCOMPARE(httpRequest(m_port, "GET", "/demo/index.html").body, page.body);
    QCOMPARE(httpRequest(m_port, "GET", "/demo/demo.js").headers["content-type"],
             std::string("text/javascript; charset=utf-8"));
    QCOMPARE(httpRequest(m_port, "GET", "/demo/demo.css").headers["content-type"],
             std::string("text/css; charset=utf-8"));

    // What is not there, or not GET, is a JSON error; the listener keeps serving.
    for (const auto& [method, target, status] :
         {std::tuple{"GET", "/client/", 404}, std::tuple{"GET", "/client/../demo/demo.js", 404},
          std::tuple{"GET", "/demo/missing.js", 404}, std::tuple{"POST", "/client/aldis.js", 405},
          std::tuple{"DELETE", "/demo/", 405}}) {
        auto res = httpRequest(m_port, method, target);
        QCOMPARE(res.status, status);
        QVERIFY2(res.body.find("\"error\"") != std::string::npos, res.body.c_str());
    }
    QCOMPARE(httpRequest(m_port, "GET", "/health").status, 200);
}

void TestHttp::webAssetsWithoutDemo()
{
    DaemonProcess daemon;
    daemon.setEnvironment("ALDIS_CLIENT_SERVE_DEMO", "false");
    QVERIFY2(daemon.start(), daemon.output().constData());
    auto page = httpRequest(daemon.port(), "GET", "/demo/");
    QCOMPARE(page.status, 404);
    QVERIFY2(page.body.find("client.serve_demo is off") != std::string::npos, page.body.c_str());
    QCOMPARE(httpRequest(daemon.port(), "GET", "/demo").status, 404);
    QCOMPARE(httpRequest(daemon.port(), "GET", "/client/aldis.js").status, 200);
    daemon.signal(SIGTERM);
    QCOMPARE(daemon.waitForExit(), 0);
}

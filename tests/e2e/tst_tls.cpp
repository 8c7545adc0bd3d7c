// SPDX-License-Identifier: Apache-2.0
// TLS on the client listener (client.tls_cert_file, tls_key_file, tls_min_version):
// wss:// and https:// with TLS 1.3, 1.2 only when configured, older versions and
// plain text refused, a slow handshake cut off, the certificate re-read on SIGHUP
// while open connections go on, and files that cannot be used refused with a message.
// Every test runs a real daemon and a real OpenSSL client over loopback, with a
// certificate the test makes.
#include "support/test_support.h"
#include "support/tls_test_cert.h"

#include <QTemporaryDir>
#include <QTest>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <csignal>
#include <deque>
#include <optional>
#include <thread>

using namespace aldis::test;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kGuard = std::chrono::seconds(10);

// A TLS client of the node: TCP connect, TLS handshake (checking the node's
// certificate against `trust`), then either HTTP requests or a WebSocket. Every
// operation runs on a private io_context for at most kGuard, so a hung node fails the
// test instead of hanging it.
class TlsClient {
public:
    struct Options {
        int minVersion = 0;          // e.g. TLS1_2_VERSION; 0: OpenSSL's default
        int maxVersion = 0;
        std::string trust;           // PEM file of the certificate to trust
    };

    TlsClient(std::uint16_t port, Options options)
        : m_port(port), m_ctx(ssl::context::tls_client)
    {
        if (options.minVersion)
            SSL_CTX_set_min_proto_version(m_ctx.native_handle(), options.minVersion);
        if (options.maxVersion)
            SSL_CTX_set_max_proto_version(m_ctx.native_handle(), options.maxVersion);
        if (options.minVersion && options.minVersion < TLS1_2_VERSION)
            SSL_CTX_set_security_level(m_ctx.native_handle(), 0); // let OpenSSL 3 offer TLS 1.0 and 1.1
        m_ctx.load_verify_file(options.trust);
        m_ctx.set_verify_mode(ssl::verify_peer);
        // The stream's SSL object takes the context's settings as they are now.
        m_ws.emplace(m_io, m_ctx);
    }

    // TCP connect and TLS handshake; false with the reason in error().
    bool handshake()
    {
        auto& tls = m_ws->next_layer();
        SSL_set_tlsext_host_name(tls.native_handle(), "localhost");
        tls.set_verify_callback(ssl::host_name_verification("localhost"));
        beast::error_code ec;
        beast::get_lowest_layer(*m_ws).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), m_port), ec);
        if (ec)
            return failed("connect: " + ec.message());
        return run([&](auto done) { tls.async_handshake(ssl::stream_base::client, done); }, "TLS handshake");
    }

    std::string version() { return SSL_get_version(m_ws->next_layer().native_handle()); }

    std::string peerCommonName()
    {
        X509* cert = SSL_get1_peer_certificate(m_ws->next_layer().native_handle());
        if (!cert)
            return {};
        char cn[256] = {};
        X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
        X509_free(cert);
        return cn;
    }

    // One HTTP/1.1 request over the TLS connection.
    std::optional<http::response<http::string_body>> http(http::verb verb, const std::string& target,
                                                          const std::string& body = {},
                                                          const std::string& authorization = {})
    {
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, "localhost");
        if (!authorization.empty())
            req.set(http::field::authorization, authorization);
        if (!body.empty()) {
            req.set(http::field::content_type, "application/json");
            req.body() = body;
        }
        req.prepare_payload();
        auto& tls = m_ws->next_layer();
        if (!run([&](auto done) { http::async_write(tls, req, [done](beast::error_code ec, std::size_t) { done(ec); }); },
                 "HTTP write"))
            return std::nullopt;
        http::response<http::string_body> res;
        if (!run([&](auto done) {
                http::async_read(tls, m_buffer, res, [done](beast::error_code ec, std::size_t) { done(ec); });
            }, "HTTP read"))
            return std::nullopt;
        return res;
    }

    // The WebSocket upgrade to /v1/ws over the TLS connection.
    bool upgrade()
    {
        return run([&](auto done) { m_ws->async_handshake("localhost", "/v1/ws", done); }, "WebSocket upgrade");
    }

    bool send(json::object command)
    {
        const auto text = json::serialize(command);
        return run([&](auto done) {
            m_ws->async_write(asio::buffer(text), [done](beast::error_code ec, std::size_t) { done(ec); });
        }, "WebSocket write");
    }

    // The next message from the node, replies and pushes alike.
    std::optional<json::object> next()
    {
        if (!m_queued.empty()) {
            auto first = std::move(m_queued.front());
            m_queued.pop_front();
            return first;
        }
        beast::flat_buffer buffer;
        if (!run([&](auto done) {
                m_ws->async_read(buffer, [done](beast::error_code ec, std::size_t) { done(ec); });
            }, "WebSocket read"))
            return std::nullopt;
        auto value = json::parse(beast::buffers_to_string(buffer.data()));
        return value.as_object();
    }

    // Sends `command` with a fresh id and returns its reply; pushes that arrive first
    // stay queued for next().
    std::optional<json::object> request(json::object command)
    {
        const auto id = ++m_lastId;
        command["id"] = id;
        if (!send(std::move(command)))
            return std::nullopt;
        std::deque<json::object> pushes;
        for (;;) {
            beast::flat_buffer buffer;
            if (!run([&](auto done) {
                    m_ws->async_read(buffer, [done](beast::error_code ec, std::size_t) { done(ec); });
                }, "WebSocket read"))
                return std::nullopt;
            auto message = json::parse(beast::buffers_to_string(buffer.data())).as_object();
            if (const auto* got = message.if_contains("id"); got && got->to_number<std::uint64_t>() == id) {
                for (auto& p : pushes)
                    m_queued.push_back(std::move(p));
                return message;
            }
            pushes.push_back(std::move(message));
        }
    }

    const std::string& error() const { return m_error; }

private:
    // Starts an operation with a completion `done(error_code)` and runs the io_context
    // until it completes or kGuard passes.
    template <typename Start>
    bool run(Start start, const char* what)
    {
        bool done = false;
        beast::error_code result;
        start([&](beast::error_code ec) {
            result = ec;
            done = true;
        });
        m_io.restart();
        m_io.run_for(kGuard);
        if (!done) {
            beast::get_lowest_layer(*m_ws).close();
            m_io.restart();
            m_io.run();
            return failed(std::string(what) + ": no answer within the guard time");
        }
        if (result)
            return failed(std::string(what) + ": " + result.message());
        return true;
    }

    bool failed(std::string why)
    {
        m_error = std::move(why);
        return false;
    }

    std::uint16_t m_port;
    asio::io_context m_io;
    ssl::context m_ctx;
    std::optional<websocket::stream<ssl::stream<tcp::socket>>> m_ws;
    beast::flat_buffer m_buffer;
    std::deque<json::object> m_queued;
    std::uint64_t m_lastId = 0;
    std::string m_error;
};

json::object command(std::string_view op, json::object fields = {})
{
    fields["op"] = op;
    return fields;
}

bool isOk(const std::optional<json::object>& reply) { return reply && reply->contains("ok"); }

} // namespace

class TestTls : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void wssAndHttps();
    void tls12RefusedByDefault();
    void tls12AllowedByConfig();
    void plainTextAndSlowHandshakeRefused();
    void reloadSwapsCertificate();
    void unusableFilesRefused();

private:
    // A daemon serving TLS with `cert`, and settings from the environment (the base
    // config already has a [client] table).
    std::unique_ptr<DaemonProcess> tlsDaemon(const TestCertificate& cert, const QString& minVersion = {},
                                             const QString& handshakeTimeout = {});
    // Connect, subscribe to `channel`, publish on it and receive the publication: the
    // whole client protocol over wss://.
    void roundTrip(TlsClient& client, const std::string& channel);

    QTemporaryDir m_dir;
    TestCertificate m_cert;
};

void TestTls::initTestCase()
{
    QVERIFY2(!aldisBinary().isEmpty(), "ALDIS_BINARY is not set (run through ctest)");
    QVERIFY(m_dir.isValid());
    std::string error;
    m_cert = makeTestCertificate(m_dir.path().toStdString(), "node", "aldis-test-node", &error);
    QVERIFY2(!m_cert.certFile.empty(), error.c_str());
}

std::unique_ptr<DaemonProcess> TestTls::tlsDaemon(const TestCertificate& cert, const QString& minVersion,
                                                  const QString& handshakeTimeout)
{
    auto daemon = std::make_unique<DaemonProcess>();
    daemon->setEnvironment("ALDIS_CLIENT_TLS_CERT_FILE", QString::fromStdString(cert.certFile));
    daemon->setEnvironment("ALDIS_CLIENT_TLS_KEY_FILE", QString::fromStdString(cert.keyFile));
    if (!minVersion.isEmpty())
        daemon->setEnvironment("ALDIS_CLIENT_TLS_MIN_VERSION", minVersion);
    if (!handshakeTimeout.isEmpty())
        daemon->setEnvironment("ALDIS_CLIENT_HANDSHAKE_TIMEOUT", handshakeTimeout);
    if (!daemon->start())
        return nullptr;
    return daemon;
}

void TestTls::roundTrip(TlsClient& client, const std::string& channel)
{
    QVERIFY2(client.upgrade(), client.error().c_str());
    auto connected = client.request(command("connect", {{"token", DaemonProcess::token("alice").toStdString()}}));
    QVERIFY2(isOk(connected), client.error().c_str());
    QVERIFY(isOk(client.request(command("subscribe", {{"channel", channel}}))));
    auto published = client.request(command("publish", {{"channel", channel}, {"data", {{"over", "tls"}}}}));
    QVERIFY2(isOk(published), client.error().c_str());
    auto push = client.next();
    QVERIFY2(push, client.error().c_str());
    QVERIFY2(push->contains("push") && push->at("push") == "pub", json::serialize(*push).c_str());
    QCOMPARE(push->at("data").as_object().at("over").as_string(), json::string("tls"));
}

void TestTls::wssAndHttps()
{
    auto daemon = tlsDaemon(m_cert);
    QVERIFY(daemon);

    TlsClient wss(daemon->port(), {0, 0, m_cert.certFile});
    QVERIFY2(wss.handshake(), wss.error().c_str());
    QCOMPARE(wss.version(), std::string("TLSv1.3"));
    QCOMPARE(wss.peerCommonName(), m_cert.commonName);
    roundTrip(wss, "tls-wss");

    TlsClient https(daemon->port(), {0, 0, m_cert.certFile});
    QVERIFY2(https.handshake(), https.error().c_str());
    auto health = https.http(http::verb::get, "/health");
    QVERIFY2(health, https.error().c_str());
    QCOMPARE(health->result_int(), 200);
    // The same connection is kept alive: POST /v1/publish with the API key.
    auto published = https.http(http::verb::post, "/v1/publish", R"({"channel":"tls-wss","data":2})",
                                 std::string("Bearer ") + DaemonProcess::kApiKey);
    QVERIFY2(published, https.error().c_str());
    QCOMPARE(published->result_int(), 200);
    // ... and reaches the wss:// subscriber.
    auto push = wss.next();
    QVERIFY2(push, wss.error().c_str());
    QCOMPARE(push->at("data").as_int64(), 2);
}

void TestTls::tls12RefusedByDefault()
{
    auto daemon = tlsDaemon(m_cert);
    QVERIFY(daemon);
    TlsClient old(daemon->port(), {0, TLS1_2_VERSION, m_cert.certFile});
    QVERIFY2(!old.handshake(), "a TLS 1.2 client was accepted with tls_min_version 1.3");
    // Counted, and the node still serves TLS 1.3.
    TlsClient https(daemon->port(), {0, 0, m_cert.certFile});
    QVERIFY2(https.handshake(), https.error().c_str());
    // The node counts the failure once its side of the handshake ends, which may be
    // just after the client gave up.
    bool counted = false;
    std::string body;
    for (int i = 0; i < 100 && !counted; ++i) {
        auto metrics = https.http(http::verb::get, "/metrics");
        QVERIFY2(metrics, https.error().c_str());
        body = metrics->body();
        counted = body.find("aldis_tls_handshake_failures_total 1\n") != std::string::npos;
        if (!counted)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    QVERIFY2(counted, body.c_str());
    TlsClient wss(daemon->port(), {0, 0, m_cert.certFile});
    QVERIFY2(wss.handshake(), wss.error().c_str());
    roundTrip(wss, "tls-after-12");
}

void TestTls::tls12AllowedByConfig()
{
    auto daemon = tlsDaemon(m_cert, "1.2");
    QVERIFY(daemon);
    TlsClient twelve(daemon->port(), {0, TLS1_2_VERSION, m_cert.certFile});
    QVERIFY2(twelve.handshake(), twelve.error().c_str());
    QCOMPARE(twelve.version(), std::string("TLSv1.2"));
    roundTrip(twelve, "tls-12");
    // TLS 1.1 and 1.0 are refused whatever the configuration.
    for (int version : {TLS1_1_VERSION, TLS1_VERSION}) {
        TlsClient older(daemon->port(), {version, version, m_cert.certFile});
        QVERIFY2(!older.handshake(), qPrintable(QStringLiteral("TLS version 0x%1 was accepted").arg(version, 0, 16)));
    }
    TlsClient thirteen(daemon->port(), {0, 0, m_cert.certFile});
    QVERIFY2(thirteen.handshake(), thirteen.error().c_str());
    QCOMPARE(thirteen.version(), std::string("TLSv1.3"));
}

void TestTls::plainTextAndSlowHandshakeRefused()
{
    auto daemon = tlsDaemon(m_cert, {}, "1s");
    QVERIFY(daemon);

    // Plain HTTP to the TLS port: no HTTP answer (nothing served in clear text), the
    // connection ends.
    {
        asio::io_context io;
        tcp::socket socket(io);
        socket.connect({asio::ip::make_address("127.0.0.1"), daemon->port()});
        const std::string request = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n";
        asio::write(socket, asio::buffer(request));
        std::string answer;
        beast::error_code ec;
        char chunk[512];
        while (!ec) {
            const auto n = socket.read_some(asio::buffer(chunk), ec);
            answer.append(chunk, n);
        }
        QVERIFY2(answer.find("HTTP/1.1") == std::string::npos, answer.c_str());
    }
    // A TCP connection that never starts the handshake is closed after
    // handshake_timeout (slowloris over TLS).
    {
        asio::io_context io;
        tcp::socket socket(io);
        socket.connect({asio::ip::make_address("127.0.0.1"), daemon->port()});
        char byte = 0;
        beast::error_code ec;
        const auto n = socket.read_some(asio::buffer(&byte, 1), ec); // blocks until the node closes
        QCOMPARE(n, std::size_t{0});
        QVERIFY2(ec == asio::error::eof || ec == asio::error::connection_reset, ec.message().c_str());
    }
    TlsClient wss(daemon->port(), {0, 0, m_cert.certFile});
    QVERIFY2(wss.handshake(), wss.error().c_str());
    roundTrip(wss, "tls-after-plain");
}

void TestTls::reloadSwapsCertificate()
{
    QTemporaryDir dir;
    std::string error;
    auto first = makeTestCertificate(dir.path().toStdString(), "live", "first-certificate", &error);
    QVERIFY2(!first.certFile.empty(), error.c_str());
    auto daemon = tlsDaemon(first);
    QVERIFY(daemon);

    TlsClient before(daemon->port(), {0, 0, first.certFile});
    QVERIFY2(before.handshake(), before.error().c_str());
    QCOMPARE(before.peerCommonName(), std::string("first-certificate"));
    roundTrip(before, "tls-reload");

    // Renewal: new files at the same paths, then SIGHUP.
    auto second = makeTestCertificate(dir.path().toStdString(), "live", "second-certificate", &error);
    QVERIFY2(!second.certFile.empty(), error.c_str());
    auto from = daemon->output().size();
    daemon->signal(SIGHUP);
    QVERIFY2(daemon->waitForOutput("configuration reloaded", from), daemon->output().constData());

    // New connections get the new certificate (and do not trust the old one's key) ...
    TlsClient after(daemon->port(), {0, 0, second.certFile});
    QVERIFY2(after.handshake(), after.error().c_str());
    QCOMPARE(after.peerCommonName(), std::string("second-certificate"));
    // ... the connection opened before goes on.
    auto published = before.request(command("publish", {{"channel", "tls-reload"}, {"data", 3}}));
    QVERIFY2(isOk(published), before.error().c_str());
    auto push = before.next();
    QVERIFY2(push, before.error().c_str());
    QCOMPARE(push->at("data").as_int64(), 3);

    // A broken key file: the reload is refused, the running certificate stays.
    {
        QFile key(QString::fromStdString(second.keyFile));
        QVERIFY(key.open(QIODevice::WriteOnly | QIODevice::Truncate));
        key.write("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
    }
    from = daemon->output().size();
    daemon->signal(SIGHUP);
    QVERIFY2(daemon->waitForOutput("reload refused", from), daemon->output().constData());
    QVERIFY2(daemon->output().indexOf("client.tls_key_file", from) >= 0, daemon->output().constData());
    TlsClient still(daemon->port(), {0, 0, second.certFile});
    QVERIFY2(still.handshake(), still.error().c_str());
    QCOMPARE(still.peerCommonName(), std::string("second-certificate"));
    roundTrip(still, "tls-after-refused-reload");
}

void TestTls::unusableFilesRefused()
{
    // A key that is not the certificate's: the node does not start, and says why.
    QTemporaryDir dir;
    std::string error;
    auto other = makeTestCertificate(dir.path().toStdString(), "other", "other", &error);
    QVERIFY2(!other.certFile.empty(), error.c_str());
    TestCertificate mismatched{m_cert.certFile, other.keyFile, m_cert.commonName};
    DaemonProcess daemon;
    daemon.setEnvironment("ALDIS_CLIENT_TLS_CERT_FILE", QString::fromStdString(mismatched.certFile));
    daemon.setEnvironment("ALDIS_CLIENT_TLS_KEY_FILE", QString::fromStdString(mismatched.keyFile));
    QVERIFY(!daemon.start(5000));
    QVERIFY2(daemon.output().contains("client.tls_key_file") && daemon.output().contains("key values mismatch"),
             daemon.output().constData());

    // A certificate without its key: refused by the configuration check.
    DaemonProcess halfConfigured;
    halfConfigured.setEnvironment("ALDIS_CLIENT_TLS_CERT_FILE", QString::fromStdString(m_cert.certFile));
    QVERIFY(!halfConfigured.start(5000));
    QVERIFY2(halfConfigured.output().contains("TLS needs both the certificate and its private key"),
             halfConfigured.output().constData());

    // A file that is not there.
    DaemonProcess missing;
    missing.setEnvironment("ALDIS_CLIENT_TLS_CERT_FILE", m_dir.filePath("absent.crt"));
    missing.setEnvironment("ALDIS_CLIENT_TLS_KEY_FILE", QString::fromStdString(m_cert.keyFile));
    QVERIFY(!missing.start(5000));
    QVERIFY2(missing.output().contains("no such file"), missing.output().constData());
}

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"

// SPDX-License-Identifier: Apache-2.0
// End-to-end tests of Server-Sent Events (docs/protocol.md, "Server-Sent Events"):
// GET /v1/sse streams a channel's publications as `pub` events with ids
// `<offset>:<epoch>`, resumes from Last-Event-ID, refuses with plain JSON errors
// before the stream starts (the same permission rule as a WebSocket subscribe), and
// ends the stream with an `error` event on token expiry (4002), a reload that revokes
// the user (4001), a drain (4007) and a slow reader (4005). Each test shows that the
// node still serves WebSocket clients afterwards. Also the pieces of the stream format
// (data line splitting, event ids) as units.

#include "gateway/sse.h"
#include "support/protocol_fixture.h"
#include "support/sse_test_client.h"
#include "support/test_support.h"
#include "support/tls_test_cert.h"
#include "support/ws_test_client.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>
#include <QtTest>

#include <boost/asio/ssl.hpp>
#include <boost/json.hpp>

#include <csignal>
#include <functional>

using namespace aldis::test;
namespace json = boost::json;

namespace {

std::string enc(const std::string& s)
{
    return QUrl::toPercentEncoding(QString::fromStdString(s)).toStdString();
}

std::string sseTarget(const std::string& channel, const std::string& token, const std::string& extra = {})
{
    std::string target = "/v1/sse?channel=" + enc(channel);
    if (!token.empty())
        target += "&token=" + enc(token);
    return target + extra;
}

std::string sseToken(const std::string& sub, const QString& permissions = {})
{
    return DaemonProcess::token(QString::fromStdString(sub), 3600, permissions).toStdString();
}

json::object parseObject(const std::string& text)
{
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) {
        qWarning("not a JSON object: %s", text.c_str());
        return {};
    }
    return v.as_object();
}

// Opens a stream and reads its `subscribed` event (copied to `subscribed`); null,
// with a warning, when the node refused or sent something else.
std::unique_ptr<SseTestClient> openStream(std::uint16_t port, const std::string& target, const Headers& headers = {},
                                          json::object* subscribed = nullptr, int receiveBufferBytes = 0)
{
    auto client = std::make_unique<SseTestClient>(port, receiveBufferBytes);
    if (!client->request(target, headers)) {
        qWarning("GET %s: %s", target.c_str(), client->error().c_str());
        return nullptr;
    }
    if (client->status() != 200) {
        qWarning("GET %s answered %d: %s", target.c_str(), client->status(), client->body().c_str());
        return nullptr;
    }
    auto first = client->next();
    if (!first || first->event != "subscribed") {
        qWarning("GET %s: no subscribed event (%s)", target.c_str(), client->error().c_str());
        return nullptr;
    }
    if (subscribed)
        *subscribed = parseObject(first->data);
    return client;
}

// Reads `count` pub events; fewer when the stream ends or a guard timeout expires.
std::vector<SseTestClient::Event> readPubs(SseTestClient& client, std::size_t count)
{
    std::vector<SseTestClient::Event> out;
    while (out.size() < count) {
        auto event = client.next();
        if (!event) {
            qWarning("after %zu pub events: %s", out.size(), client.error().c_str());
            break;
        }
        if (event->event != "pub") {
            qWarning("expected a pub event, got %s: %s", event->event.c_str(), event->data.c_str());
            break;
        }
        out.push_back(std::move(*event));
    }
    return out;
}

// The events are pub events of `channel` with offsets first, first+1, ... and ids
// "<offset>:<epoch>".
bool consecutiveEvents(const std::vector<SseTestClient::Event>& events, const std::string& channel,
                       std::int64_t first, std::size_t count, const std::string& epoch)
{
    if (events.size() != count) {
        qWarning("%zu events, expected %zu", events.size(), count);
        return false;
    }
    for (std::size_t i = 0; i < count; ++i) {
        const auto offset = first + static_cast<std::int64_t>(i);
        const auto pub = parseObject(events[i].data);
        const auto wantId = std::to_string(offset) + ":" + epoch;
        if (events[i].id.value_or("<none>") != wantId || str(pub, "push") != "pub" || str(pub, "channel") != channel ||
            num(pub, "offset") != offset) {
            qWarning("event %zu: id %s, data %s; expected id %s", i, events[i].id.value_or("<none>").c_str(),
                     events[i].data.c_str(), wantId.c_str());
            return false;
        }
    }
    return true;
}

// Reads until an `error` event; its data, or an empty object.
json::object errorEvent(SseTestClient& client, int timeoutMs = kDefaultTimeoutMs)
{
    for (;;) {
        auto event = client.next(timeoutMs);
        if (!event) {
            qWarning("no error event: %s", client.error().c_str());
            return {};
        }
        if (event->event == "error")
            return parseObject(event->data);
    }
}

// A publication goes from one new WebSocket client to another: the node serves.
bool wsStillServes(std::uint16_t port, const std::string& channel)
{
    auto sub = connected(port, "still-sub");
    auto pub = connected(port, "still-pub");
    if (!sub || !pub || !requestOk(*sub, cmd("subscribe", {{"channel", channel}})))
        return false;
    json::object ok;
    if (!requestOk(*pub, cmd("publish", {{"channel", channel}, {"data", "still"}}), &ok))
        return false;
    auto push = sub->nextPush();
    return push && num(*push, "offset") == num(ok, "offset");
}

} // namespace

class TestSse : public QObject, public ProtocolFixture {
    Q_OBJECT

private slots:
    void initTestCase() { startDaemon(); }
    void cleanupTestCase() { stopDaemon(); }

    // Units: the format of the stream.
    void dataLines_data();
    void dataLines();
    void eventIds_data();
    void eventIds();

    void publicationsInOrder();
    void tokenInHeader();
    void resume_data();
    void resume();
    void resumeBareOffset();
    void resumeWrongEpoch();
    void multiLineData();
    void refusals_data();
    void refusals();
    void authFailuresCounted();
    void samePermissionsAsWebSocket_data();
    void samePermissionsAsWebSocket();
    void tokenExpiryEndsStream();

    // Each with a daemon of its own.
    void pingsLimitAndDrain();
    void reloadRevokesAndRemoves();
    void slowReaderCutOff();
    void overTls();

private:
    std::string publish(const std::string& channel, json::value data);
};

std::string TestSse::publish(const std::string& channel, json::value data)
{
    json::object ok;
    if (!requestOk(*m_publisher, cmd("publish", {{"channel", channel}, {"data", data}}), &ok))
        return {};
    return str(ok, "epoch");
}

void TestSse::dataLines_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("lines");
    QTest::addRow("one line") << QByteArray(R"({"a":1})") << QByteArray("data: {\"a\":1}\n");
    QTest::addRow("empty") << QByteArray() << QByteArray("data: \n");
    QTest::addRow("LF") << QByteArray("{\"a\":\n1}") << QByteArray("data: {\"a\":\ndata: 1}\n");
    QTest::addRow("CRLF") << QByteArray("{\"a\":\r\n1}") << QByteArray("data: {\"a\":\ndata: 1}\n");
    QTest::addRow("CR") << QByteArray("{\"a\":\r1}") << QByteArray("data: {\"a\":\ndata: 1}\n");
    QTest::addRow("LF LF") << QByteArray("[\n\n1]") << QByteArray("data: [\ndata: \ndata: 1]\n");
    QTest::addRow("LF CR") << QByteArray("[\n\r1]") << QByteArray("data: [\ndata: \ndata: 1]\n");
    QTest::addRow("trailing LF") << QByteArray("1\n") << QByteArray("data: 1\ndata: \n");
}

void TestSse::dataLines()
{
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, lines);
    std::string out;
    aldis::gateway::appendSseData(out, payload.toStdString());
    QCOMPARE(out, lines.toStdString());
    // An EventSource joins the data lines with "\n": the payload comes back with its
    // line breaks as "\n" (JSON whitespace, so the same JSON value).
    std::string joined;
    std::size_t pos = 0;
    while (pos < out.size()) {
        const auto end = out.find('\n', pos);
        joined += out.substr(pos + 6, end - pos - 6) + "\n";
        pos = end + 1;
    }
    joined.pop_back();
    std::string expected = payload.toStdString();
    for (std::size_t i = 0; (i = expected.find("\r\n", i)) != std::string::npos;)
        expected.erase(i, 1);
    std::replace(expected.begin(), expected.end(), '\r', '\n');
    QCOMPARE(joined, expected);
}

void TestSse::eventIds_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qulonglong>("offset");
    QTest::addColumn<QString>("epoch"); // "-": none (a bare offset)
    QTest::addRow("offset:epoch") << "12:b157349be96cb1ec" << true << 12ull << "b157349be96cb1ec";
    QTest::addRow("memory epoch") << "3:m0a1b2c3d4e5f.7" << true << 3ull << "m0a1b2c3d4e5f.7";
    QTest::addRow("bare offset") << "42" << true << 42ull << "-";
    QTest::addRow("zero") << "0" << true << 0ull << "-";
    QTest::addRow("max") << "18446744073709551615:e" << true << 18446744073709551615ull << "e";
    QTest::addRow("overflow") << "18446744073709551616:e" << false << 0ull << "";
    QTest::addRow("empty") << "" << false << 0ull << "";
    QTest::addRow("no offset") << ":abc" << false << 0ull << "";
    QTest::addRow("empty epoch") << "5:" << false << 0ull << "";
    QTest::addRow("negative") << "-1:abc" << false << 0ull << "";
    QTest::addRow("plus") << "+1" << false << 0ull << "";
    QTest::addRow("letters") << "abc" << false << 0ull << "";
    QTest::addRow("space in epoch") << "5:a b" << false << 0ull << "";
    QTest::addRow("long epoch") << QString("5:") + QString(129, 'e') << false << 0ull << "";
}

void TestSse::eventIds()
{
    QFETCH(QString, id);
    QFETCH(bool, valid);
    QFETCH(qulonglong, offset);
    QFETCH(QString, epoch);
    const auto parsed = aldis::gateway::parseSseEventId(id.toStdString());
    QCOMPARE(parsed.has_value(), valid);
    if (!valid)
        return;
    QCOMPARE(static_cast<qulonglong>(parsed->offset), offset);
    QCOMPARE(parsed->epoch.value_or("-"), epoch.toStdString());
}

void TestSse::publicationsInOrder()
{
    const std::string channel = "sse-order";
    auto ws = connected("ws-reader");
    QVERIFY(ws);
    QVERIFY(requestOk(*ws, cmd("subscribe", {{"channel", channel}})));
    json::object subscribed;
    auto sse = openStream(m_port, sseTarget(channel, sseToken("alice")), {}, &subscribed);
    QVERIFY(sse);
    QCOMPARE(sse->header("content-type"), std::string("text/event-stream"));
    QCOMPARE(sse->header("cache-control"), std::string("no-cache"));
    QCOMPARE(sse->header("x-accel-buffering"), std::string("no"));
    QCOMPARE(sse->header("content-length"), std::string());
    QCOMPARE(str(subscribed, "channel"), channel);
    QCOMPARE(num(subscribed, "offset"), std::int64_t{0});
    QCOMPARE(subscribed.at("recovered"), json::value(false));
    QCOMPARE(num(subscribed, "replayed"), std::int64_t{0});
    const auto epoch = str(subscribed, "epoch");
    QVERIFY(!epoch.empty());

    // Through the WebSocket command and through POST /v1/publish, alternately.
    for (int n = 1; n <= 10; ++n) {
        if (n % 2) {
            QCOMPARE(publish(channel, json::object{{"n", n}}), epoch);
        } else {
            auto res = httpPublish(m_port, {{"channel", channel}, {"data", {{"n", n}}}, {"key", "k" + std::to_string(n)}});
            QCOMPARE(res.status, 200);
        }
    }
    const auto events = readPubs(*sse, 10);
    QVERIFY(consecutiveEvents(events, channel, 1, 10, epoch));
    // The data is what the WebSocket subscriber gets, push for push.
    const auto pushes = collectPushes(*ws, 10);
    QCOMPARE(pushes.size(), std::size_t{10});
    for (std::size_t i = 0; i < events.size(); ++i) {
        QCOMPARE(parseObject(events[i].data), pushes[i]);
        QCOMPARE(num(pushes[i].at("data").as_object(), "n"), static_cast<std::int64_t>(i + 1));
    }
    QCOMPARE(str(parseObject(events[1].data), "key"), std::string("k2"));
    QCOMPARE(sse->lastEventId(), "10:" + epoch);
    QVERIFY(metric(m_port, "aldis_sse_streams").value_or(0) >= 1);
    QVERIFY(nodeStillServes());
}

void TestSse::tokenInHeader()
{
    const std::string channel = "sse-header";
    // With an allowed Origin (here the same host), the stream may be read across origins.
    const auto origin = "http://127.0.0.1:" + std::to_string(m_port);
    auto sse = openStream(m_port, sseTarget(channel, ""),
                          {{"Authorization", "Bearer " + sseToken("alice")}, {"Origin", origin}});
    QVERIFY(sse);
    QCOMPARE(sse->header("access-control-allow-origin"), origin);
    QCOMPARE(sse->header("vary"), std::string("Origin"));
    QVERIFY(!publish(channel, 1).empty());
    QCOMPARE(readPubs(*sse, 1).size(), std::size_t{1});
    QVERIFY(nodeStillServes());
}

void TestSse::resume_data()
{
    QTest::addColumn<bool>("header");
    QTest::addRow("Last-Event-ID header") << true;
    QTest::addRow("last_event_id parameter") << false;
}

void TestSse::resume()
{
    QFETCH(bool, header);
    const std::string channel = header ? "sse-resume-h" : "sse-resume-q";
    json::object subscribed;
    auto first = openStream(m_port, sseTarget(channel, sseToken("alice")), {}, &subscribed);
    QVERIFY(first);
    const auto epoch = str(subscribed, "epoch");
    for (int n = 1; n <= 3; ++n)
        QCOMPARE(publish(channel, n), epoch);
    QVERIFY(consecutiveEvents(readPubs(*first, 3), channel, 1, 3, epoch));
    const auto lastId = first->lastEventId();
    QCOMPARE(lastId, "3:" + epoch);
    first.reset(); // the client goes away; what follows it misses
    for (int n = 4; n <= 7; ++n)
        QCOMPARE(publish(channel, n), epoch);

    auto back = header ? openStream(m_port, sseTarget(channel, sseToken("alice")), {{"Last-Event-ID", lastId}}, &subscribed)
                       : openStream(m_port, sseTarget(channel, sseToken("alice"), "&last_event_id=" + enc(lastId)), {},
                                    &subscribed);
    QVERIFY(back);
    QCOMPARE(subscribed.at("recovered"), json::value(true));
    QCOMPARE(num(subscribed, "replayed"), std::int64_t{4});
    QCOMPARE(num(subscribed, "offset"), std::int64_t{7});
    QCOMPARE(str(subscribed, "epoch"), epoch);
    // Exactly the missed ones, then live: no gap, no duplicate.
    QVERIFY(consecutiveEvents(readPubs(*back, 4), channel, 4, 4, epoch));
    QCOMPARE(publish(channel, 8), epoch);
    QVERIFY(consecutiveEvents(readPubs(*back, 1), channel, 8, 1, epoch));
    QVERIFY(nodeStillServes());
}

void TestSse::resumeBareOffset()
{
    const std::string channel = "sse-bare";
    std::string epoch;
    for (int n = 1; n <= 5; ++n)
        epoch = publish(channel, n);
    QVERIFY(!epoch.empty());
    json::object subscribed;
    auto sse = openStream(m_port, sseTarget(channel, sseToken("alice")), {{"Last-Event-ID", "2"}}, &subscribed);
    QVERIFY(sse);
    QCOMPARE(subscribed.at("recovered"), json::value(true));
    QCOMPARE(num(subscribed, "replayed"), std::int64_t{3});
    QCOMPARE(str(subscribed, "epoch"), epoch);
    QVERIFY(consecutiveEvents(readPubs(*sse, 3), channel, 3, 3, epoch));
    // Offset 0: the whole stream.
    auto all = openStream(m_port, sseTarget(channel, sseToken("alice"), "&last_event_id=0"), {}, &subscribed);
    QVERIFY(all);
    QCOMPARE(subscribed.at("recovered"), json::value(true));
    QVERIFY(consecutiveEvents(readPubs(*all, 5), channel, 1, 5, epoch));
    QVERIFY(nodeStillServes());
}

void TestSse::resumeWrongEpoch()
{
    const std::string channel = "sse-epoch";
    std::string epoch;
    for (int n = 1; n <= 3; ++n)
        epoch = publish(channel, n);
    json::object subscribed;
    auto sse = openStream(m_port, sseTarget(channel, sseToken("alice")), {{"Last-Event-ID", "1:not-the-epoch"}},
                          &subscribed);
    QVERIFY(sse);
    QCOMPARE(subscribed.at("recovered"), json::value(false));
    QCOMPARE(num(subscribed, "replayed"), std::int64_t{0});
    QCOMPARE(num(subscribed, "offset"), std::int64_t{3});
    QCOMPARE(str(subscribed, "epoch"), epoch);
    // Nothing replayed; live from there.
    QCOMPARE(publish(channel, 4), epoch);
    QVERIFY(consecutiveEvents(readPubs(*sse, 1), channel, 4, 1, epoch));
    QVERIFY(nodeStillServes());
}

void TestSse::multiLineData()
{
    // The node re-serializes `data` (docs/protocol.md), so a publication's JSON holds
    // no raw line break: one published with line breaks in its text (JSON whitespace)
    // and in a string arrives as a single data line, with the string's "\n" escaped.
    // The splitting of payloads that do hold line breaks is tested in dataLines().
    const std::string channel = "sse-lines";
    auto ws = connected("ws-lines");
    QVERIFY(ws);
    QVERIFY(requestOk(*ws, cmd("subscribe", {{"channel", channel}})));
    auto sse = openStream(m_port, sseTarget(channel, sseToken("alice")));
    QVERIFY(sse);
    const std::string body = "{\"channel\":\"sse-lines\",\r\n\"data\":{\"text\":\"line 1\\nline 2\",\n\"n\":\n1}}";
    auto res = httpRequest(m_port, "POST", "/v1/publish", body,
                           {{"Authorization", std::string("Bearer ") + DaemonProcess::kApiKey}});
    QCOMPARE(res.status, 200);
    auto events = readPubs(*sse, 1);
    QCOMPARE(events.size(), std::size_t{1});
    const auto pub = parseObject(events[0].data);
    QCOMPARE(pub.at("data").as_object().at("text"), json::value("line 1\nline 2"));
    auto push = ws->nextPush();
    QVERIFY(push);
    QCOMPARE(pub, *push);
    const auto raw = sse->rawBody();
    const auto dataLine = raw.find("data: {\"push\":\"pub\"");
    QVERIFY2(dataLine != std::string::npos, raw.c_str());
    QVERIFY2(raw.find("\"line 1\\nline 2\"", dataLine) < raw.find('\n', dataLine), raw.c_str());
    QVERIFY(nodeStillServes());
}

void TestSse::refusals_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("headerName");
    QTest::addColumn<QString>("headerValue");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    const auto alice = QString::fromStdString(enc(sseToken("alice")));
    const auto expired = QString::fromStdString(expiredToken("alice"));
    const auto wrong = QString::fromStdString(wrongSecretToken("alice"));
    const auto narrow = QString::fromStdString(enc(sseToken("alice", R"({"subscribe":["news*"]})")));
    auto t = [](const QString& channel, const QString& token, const QString& extra = {}) {
        return "/v1/sse?channel=" + channel + (token.isEmpty() ? QString() : "&token=" + token) + extra;
    };
    QTest::addRow("no token") << "GET" << t("c", {}) << "" << "" << 401 << "unauthorized";
    QTest::addRow("empty token") << "GET" << t("c", {}) + "&token=" << "" << "" << 401 << "unauthorized";
    QTest::addRow("wrong signature") << "GET" << t("c", wrong) << "" << "" << 401 << "unauthorized";
    QTest::addRow("expired") << "GET" << t("c", expired) << "" << "" << 401 << "token_expired";
    QTest::addRow("expired in header") << "GET" << t("c", {}) << "Authorization" << "Bearer " + expired << 401
                                       << "token_expired";
    QTest::addRow("not bearer") << "GET" << t("c", alice) << "Authorization" << "Basic YWxpY2U6eA==" << 401
                                << "unauthorized";
    QTest::addRow("no permission") << "GET" << t("other", narrow) << "" << "" << 403 << "permission_denied";
    QTest::addRow("another user's channel") << "GET" << t("inbox%23bob", alice) << "" << "" << 403
                                            << "permission_denied";
    QTest::addRow("no channel") << "GET" << "/v1/sse?token=" + alice << "" << "" << 400 << "bad_request";
    QTest::addRow("empty channel") << "GET" << t("", alice) << "" << "" << 400 << "bad_request";
    QTest::addRow("bad channel") << "GET" << t("bad%20channel", alice) << "" << "" << 400 << "bad_request";
    QTest::addRow("bad escape") << "GET" << t("c%2", alice) << "" << "" << 400 << "bad_request";
    QTest::addRow("bad Last-Event-ID") << "GET" << t("c", alice) << "Last-Event-ID" << "abc" << 400 << "bad_request";
    QTest::addRow("Last-Event-ID without epoch") << "GET" << t("c", alice) << "Last-Event-ID" << "5:" << 400
                                                 << "bad_request";
    QTest::addRow("bad last_event_id") << "GET" << t("c", alice, "&last_event_id=-3") << "" << "" << 400
                                       << "bad_request";
    QTest::addRow("bad escape in last_event_id") << "GET" << t("c", alice, "&last_event_id=4%3") << "" << "" << 400
                                                 << "bad_request";
    QTest::addRow("unknown namespace") << "GET" << t("nope:c", alice) << "" << "" << 404 << "unknown_channel";
    QTest::addRow("unknown namespace, bare offset") << "GET" << t("nope:c", alice) << "Last-Event-ID" << "4" << 404
                                                    << "unknown_channel";
    QTest::addRow("POST") << "POST" << t("c", alice) << "" << "" << 405 << "bad_request";
    QTest::addRow("foreign Origin") << "GET" << t("c", alice) << "Origin" << "http://evil.example" << 403
                                    << "permission_denied";
}

void TestSse::refusals()
{
    QFETCH(QString, method);
    QFETCH(QString, target);
    QFETCH(QString, headerName);
    QFETCH(QString, headerValue);
    QFETCH(int, status);
    QFETCH(QString, code);
    Headers headers;
    if (!headerName.isEmpty())
        headers.emplace_back(headerName.toStdString(), headerValue.toStdString());
    SseTestClient client(m_port);
    QVERIFY2(client.request(target.toStdString(), headers, method.toStdString()), client.error().c_str());
    QCOMPARE(client.status(), status);
    QCOMPARE(client.header("content-type"), std::string("application/json"));
    const auto body = parseObject(client.body());
    QVERIFY2(body.contains("error"), toJson(body).c_str());
    QCOMPARE(QString::fromStdString(str(body.at("error").as_object(), "code")), code);
    QVERIFY(!str(body.at("error").as_object(), "message").empty());
    QVERIFY(client.waitClosed()); // an error ends the connection
    QVERIFY(nodeStillServes());
}

void TestSse::authFailuresCounted()
{
    const auto before = [&](const std::string& reason) {
        return metric(m_port, "aldis_auth_failures_total{reason=\"" + reason + "\"}").value_or(0);
    };
    const auto expired = before("expired");
    const auto signature = before("signature");
    const auto origin = before("origin");
    for (const auto& [target, headers] : std::vector<std::pair<std::string, Headers>>{
             {sseTarget("c", expiredToken("alice")), {}},
             {sseTarget("c", wrongSecretToken("alice")), {}},
             {sseTarget("c", sseToken("alice")), {{"Origin", "http://evil.example"}}}}) {
        SseTestClient client(m_port);
        QVERIFY(client.request(target, headers));
        QVERIFY(client.status() == 401 || client.status() == 403);
    }
    QCOMPARE(before("expired"), expired + 1);
    QCOMPARE(before("signature"), signature + 1);
    QCOMPARE(before("origin"), origin + 1);
    QVERIFY(nodeStillServes());
}

void TestSse::samePermissionsAsWebSocket_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("permissions");
    QTest::addColumn<QString>("channel");
    QTest::addColumn<bool>("allowed");
    QTest::addRow("no permissions claim") << "alice" << "" << "perm-any" << true;
    QTest::addRow("pattern matches") << "alice" << R"({"subscribe":["news*"]})" << "news.sport" << true;
    QTest::addRow("exact pattern") << "alice" << R"({"subscribe":["perm-x"]})" << "perm-x" << true;
    QTest::addRow("pattern does not match") << "alice" << R"({"subscribe":["news*"]})" << "sport" << false;
    QTest::addRow("empty list") << "alice" << R"({"subscribe":[]})" << "perm-any" << false;
    QTest::addRow("publish only") << "alice" << R"({"publish":["*"],"subscribe":[]})" << "perm-any" << false;
    QTest::addRow("own user channel") << "alice" << "" << "inbox#alice" << true;
    QTest::addRow("shared user channel") << "bob" << "" << "dm#alice,bob" << true;
    QTest::addRow("another user's channel") << "alice" << "" << "inbox#bob" << false;
    QTest::addRow("pattern but another user's") << "alice" << R"({"subscribe":["inbox*"]})" << "inbox#bob" << false;
    QTest::addRow("unknown namespace, no permission") << "alice" << R"({"subscribe":["news*"]})" << "nope:x" << false;
}

void TestSse::samePermissionsAsWebSocket()
{
    QFETCH(QString, user);
    QFETCH(QString, permissions);
    QFETCH(QString, channel);
    QFETCH(bool, allowed);
    const auto tok = sseToken(user.toStdString(), permissions);
    auto ws = WsTestClient::open(m_port);
    QVERIFY(ws);
    QVERIFY(requestOk(*ws, cmd("connect", {{"token", tok}})));
    const auto wsAnswer = errorOf(*ws, cmd("subscribe", {{"channel", channel.toStdString()}}));
    QCOMPARE(wsAnswer, allowed ? QStringLiteral("<ok>") : QStringLiteral("permission_denied"));
    SseTestClient sse(m_port);
    QVERIFY(sse.request(sseTarget(channel.toStdString(), tok)));
    QCOMPARE(sse.status(), allowed ? 200 : 403);
    if (!allowed)
        QCOMPARE(str(parseObject(sse.body()).at("error").as_object(), "code"), std::string("permission_denied"));
    QVERIFY(nodeStillServes());
}

void TestSse::tokenExpiryEndsStream()
{
    // auth.leeway is 1 s: a token with exp = now + 2 ends the stream at now + 3.
    const auto now = static_cast<std::int64_t>(QDateTime::currentSecsSinceEpoch());
    auto sse = openStream(m_port, sseTarget("sse-expiry", tokenAt("frank", now, 2)));
    QVERIFY(sse);
    const auto error = errorEvent(*sse);
    QCOMPARE(num(error, "code"), std::int64_t{4002});
    QCOMPARE(error.at("reconnect"), json::value(true));
    QVERIFY(sse->waitClosed());
    QVERIFY(nodeStillServes());
}

void TestSse::pingsLimitAndDrain()
{
    DaemonProcess daemon;
    writeDaemonConfig(daemon, QStringLiteral("ping_interval = \"1s\"\nmax_connections = 3"),
                      QStringLiteral("[namespaces.default]\n[store]\nsynchronous = \"normal\"\n"));
    QVERIFY2(daemon.start(), daemon.output().constData());
    const auto port = daemon.port();
    auto ws = aldis::test::connected(port, "ws");
    QVERIFY(ws);
    QVERIFY(requestOk(*ws, cmd("subscribe", {{"channel", "x"}})));
    auto first = openStream(port, sseTarget("x", sseToken("alice")));
    auto second = openStream(port, sseTarget("x", sseToken("bob")));
    QVERIFY(first && second);
    QCOMPARE(waitForMetric(port, "aldis_sse_streams", 2), 2.0);

    // SSE streams count in client.max_connections, with WebSocket connections.
    SseTestClient third(port);
    QVERIFY(third.request(sseTarget("x", sseToken("carol"))));
    QCOMPARE(third.status(), 503);
    QCOMPARE(str(parseObject(third.body()).at("error").as_object(), "code"), std::string("limit_exceeded"));
    std::string error;
    auto refusedWs = WsTestClient::open(port, {}, &error);
    QVERIFY(refusedWs);
    QVERIFY(expectDisconnect(*refusedWs, 4009, true));
    refusedWs.reset();
    // A stream that goes gives its slot back.
    second.reset();
    QCOMPARE(waitForMetric(port, "aldis_sse_streams", 1), 1.0);
    std::unique_ptr<SseTestClient> again;
    for (QDeadlineTimer deadline(10000); !again && !deadline.hasExpired(); QThread::msleep(50)) {
        auto attempt = std::make_unique<SseTestClient>(port);
        if (attempt->request(sseTarget("x", sseToken("carol"))) && attempt->status() == 200)
            again = std::move(attempt);
    }
    QVERIFY(again);

    // A quiet stream gets comment pings every ping_interval.
    QVERIFY(!first->next(2500)); // no event
    QVERIFY2(first->comments() >= 1, first->rawBody().c_str());

    // Publications still flow, to both kinds of subscriber.
    QVERIFY(requestOk(*ws, cmd("publish", {{"channel", "x"}, {"data", 1}})));
    QCOMPARE(readPubs(*first, 1).size(), std::size_t{1});
    QVERIFY(ws->nextPush());

    // The drain ends every stream with 4007 (reconnect elsewhere), and WebSockets too.
    daemon.signal(SIGTERM);
    auto drained = errorEvent(*first);
    QCOMPARE(num(drained, "code"), std::int64_t{4007});
    QCOMPARE(drained.at("reconnect"), json::value(true));
    QVERIFY(first->waitClosed());
    QCOMPARE(num(errorEvent(*again), "code"), std::int64_t{4007});
    QVERIFY(expectDisconnect(*ws, 4007, true));
    QCOMPARE(daemon.waitForExit(), 0);
}

void TestSse::reloadRevokesAndRemoves()
{
    const auto namespaces = QStringLiteral("[namespaces.default]\n[namespaces.gone]\n[store]\nsynchronous = \"normal\"\n");
    DaemonProcess daemon(namespaces);
    QVERIFY2(daemon.start(), daemon.output().constData());
    const auto port = daemon.port();
    auto mallory = openStream(port, sseTarget("banned", sseToken("mallory")));
    auto alice = openStream(port, sseTarget("banned", sseToken("alice")));
    auto gone = openStream(port, sseTarget("gone:news", sseToken("alice")));
    QVERIFY(mallory && alice && gone);

    const auto from = daemon.output().size();
    daemon.setAuthToml(QStringLiteral("revoked_subjects = [\"mallory\"]\n"));
    daemon.writeConfig(QStringLiteral("[namespaces.default]\n[store]\nsynchronous = \"normal\"\n"));
    daemon.signal(SIGHUP);
    QVERIFY(daemon.waitForOutput("configuration reloaded", from));

    // The revoked user's stream ends with 4001 (do not reconnect with that token).
    const auto revoked = errorEvent(*mallory);
    QCOMPARE(num(revoked, "code"), std::int64_t{4001});
    QCOMPARE(revoked.at("reconnect"), json::value(false));
    QVERIFY2(str(revoked, "reason").find("revoked") != std::string::npos, toJson(revoked).c_str());
    QVERIFY(mallory->waitClosed());
    // A removed namespace ends its streams with the `unsubscribed` push.
    auto ended = gone->next();
    QVERIFY2(ended, gone->error().c_str());
    QCOMPARE(ended->event, std::string("unsubscribed"));
    QCOMPARE(str(parseObject(ended->data), "push"), std::string("unsubscribed"));
    QCOMPARE(str(parseObject(ended->data), "channel"), std::string("gone:news"));
    QVERIFY(gone->waitClosed());
    // The others go on; mallory cannot come back.
    auto ws = aldis::test::connected(port, "publisher");
    QVERIFY(ws);
    QVERIFY(requestOk(*ws, cmd("publish", {{"channel", "banned"}, {"data", 1}})));
    QCOMPARE(readPubs(*alice, 1).size(), std::size_t{1});
    SseTestClient back(port);
    QVERIFY(back.request(sseTarget("banned", sseToken("mallory"))));
    QCOMPARE(back.status(), 401);
    QVERIFY(wsStillServes(port, "after-reload"));
    daemon.signal(SIGTERM);
    QCOMPARE(daemon.waitForExit(), 0);
}

void TestSse::slowReaderCutOff()
{
    DaemonProcess daemon;
    writeDaemonConfig(daemon, QStringLiteral("send_queue_bytes = 8192"),
                      QStringLiteral("[namespaces.default]\nhistory_size = 100000\n[store]\nsynchronous = \"normal\"\n"));
    QVERIFY2(daemon.start(), daemon.output().constData());
    const auto port = daemon.port();
    const std::string channel = "firehose";
    json::object subscribed;
    // A small receive buffer, and no reading: the node's writes stall soon.
    auto slow = openStream(port, sseTarget(channel, sseToken("slow")), {}, &subscribed, 4096);
    auto fast = openStream(port, sseTarget(channel, sseToken("fast")));
    auto publisher = aldis::test::connected(port, "publisher");
    QVERIFY(slow && fast && publisher);
    const auto epoch = str(subscribed, "epoch");

    // 3 KB publications one at a time until the node cuts the slow reader off, then
    // 5 more (soon: the node waits 2 s for a client to take its last event). The fast reader takes each before the next is published.
    const std::string pad(3000, 'p');
    std::int64_t last = 0;
    int after = -1;
    std::vector<SseTestClient::Event> fastEvents;
    for (std::int64_t n = 1; n <= 20000 && after < 5; ++n) {
        json::object ok;
        QVERIFY(requestOk(*publisher, cmd("publish", {{"channel", channel}, {"data", {{"n", n}, {"pad", pad}}}}), &ok));
        last = num(ok, "offset");
        QCOMPARE(last, n);
        auto got = readPubs(*fast, 1);
        QCOMPARE(got.size(), std::size_t{1});
        fastEvents.push_back(std::move(got[0]));
        if (after < 0 && n % 20 == 0 && metric(port, "aldis_slow_consumer_disconnects_total").value_or(0) >= 1)
            after = 0;
        else if (after >= 0)
            ++after;
    }
    QVERIFY2(after >= 0, "the slow reader was never cut off");
    qInfo("the slow reader was cut off after about %lld publications", static_cast<long long>(last - after));
    QVERIFY(consecutiveEvents(fastEvents, channel, 1, static_cast<std::size_t>(last), epoch));

    // The slow one reads again: a gap-free prefix, then the error event 4005.
    std::int64_t lastSeen = 0;
    std::optional<SseTestClient::Event> event;
    while ((event = slow->next()) && event->event == "pub") {
        QCOMPARE(event->id.value_or(""), std::to_string(lastSeen + 1) + ":" + epoch);
        ++lastSeen;
    }
    QVERIFY2(event, slow->error().c_str());
    QCOMPARE(event->event, std::string("error"));
    const auto error = parseObject(event->data);
    QCOMPARE(num(error, "code"), std::int64_t{4005});
    QCOMPARE(error.at("reconnect"), json::value(true));
    QVERIFY(slow->waitClosed());
    QVERIFY(lastSeen < last);
    QCOMPARE(metric(port, "aldis_disconnects_total{code=\"4005\"}").value_or(-1), 1.0);

    // It reconnects with Last-Event-ID: what it missed does not fit 3/4 of its 8 KiB
    // queue, so recovered:false (it would page through history), then live.
    auto back = openStream(port, sseTarget(channel, sseToken("slow")),
                           {{"Last-Event-ID", slow->lastEventId()}}, &subscribed);
    QVERIFY(back);
    QCOMPARE(subscribed.at("recovered"), json::value(false));
    QCOMPARE(num(subscribed, "offset"), last);
    QVERIFY(requestOk(*publisher, cmd("publish", {{"channel", channel}, {"data", "live"}})));
    QVERIFY(consecutiveEvents(readPubs(*back, 1), channel, last + 1, 1, epoch));
    QVERIFY(wsStillServes(port, "after-slow"));
    daemon.signal(SIGTERM);
    QCOMPARE(daemon.waitForExit(), 0);
}

void TestSse::overTls()
{
    namespace asio = boost::asio;
    namespace ssl = asio::ssl;
    using tcp = asio::ip::tcp;
    QTemporaryDir dir;
    std::string certError;
    const auto cert = makeTestCertificate(dir.path().toStdString(), "node", "aldis-sse", &certError);
    QVERIFY2(!cert.certFile.empty(), certError.c_str());
    DaemonProcess daemon;
    daemon.setEnvironment("ALDIS_CLIENT_TLS_CERT_FILE", QString::fromStdString(cert.certFile));
    daemon.setEnvironment("ALDIS_CLIENT_TLS_KEY_FILE", QString::fromStdString(cert.keyFile));
    QVERIFY2(daemon.start(), daemon.output().constData());

    // A TLS connection that sends `request` and reads until `until` holds.
    struct Tls {
        asio::io_context io;
        ssl::context ctx{ssl::context::tls_client};
        std::optional<ssl::stream<tcp::socket>> stream;
        std::string in;
        bool open(std::uint16_t port, const std::string& trust)
        {
            ctx.load_verify_file(trust);
            ctx.set_verify_mode(ssl::verify_peer);
            stream.emplace(io, ctx);
            boost::system::error_code ec;
            stream->next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
            if (ec)
                return false;
            bool done = false;
            stream->async_handshake(ssl::stream_base::client, [&](boost::system::error_code e) {
                ec = e;
                done = true;
            });
            io.run_for(std::chrono::seconds(10));
            return done && !ec;
        }
        bool exchange(const std::string& request, const std::function<bool(const std::string&)>& until)
        {
            io.restart();
            boost::system::error_code ec;
            bool written = false;
            if (!request.empty())
                asio::async_write(*stream, asio::buffer(request), [&](boost::system::error_code e, std::size_t) {
                    ec = e;
                    written = true;
                });
            io.run_for(std::chrono::seconds(10));
            if (!request.empty() && (!written || ec))
                return false;
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (!until(in) && std::chrono::steady_clock::now() < deadline) {
                char chunk[4096];
                bool done = false;
                io.restart();
                stream->async_read_some(asio::buffer(chunk), [&](boost::system::error_code e, std::size_t n) {
                    in.append(chunk, n);
                    ec = e;
                    done = true;
                });
                io.run_until(deadline);
                if (!done || ec)
                    break;
            }
            return until(in);
        }
    };
    const auto contains = [](const std::string& text) {
        return [text](const std::string& in) { return in.find(text) != std::string::npos; };
    };
    Tls sse;
    QVERIFY(sse.open(daemon.port(), cert.certFile));
    QVERIFY(sse.exchange("GET " + sseTarget("tls", sseToken("alice")) + " HTTP/1.1\r\nHost: localhost\r\n\r\n",
                         contains("event: subscribed\n")));
    QVERIFY2(sse.in.rfind("HTTP/1.1 200 OK\r\n", 0) == 0, sse.in.c_str());
    Tls publisher;
    QVERIFY(publisher.open(daemon.port(), cert.certFile));
    const std::string body = R"({"channel":"tls","data":{"over":"tls"}})";
    QVERIFY(publisher.exchange("POST /v1/publish HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
                                   std::string(DaemonProcess::kApiKey) + "\r\nContent-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n" + body,
                               contains("\"duplicate\":false")));
    QVERIFY2(sse.exchange({}, contains("\"over\":\"tls\"")), sse.in.c_str());
    QVERIFY(sse.in.find("id: 1:") != std::string::npos);
    QVERIFY(sse.in.find("event: pub\n") != std::string::npos);
    // The drain reaches a TLS stream too.
    daemon.signal(SIGTERM);
    QVERIFY2(sse.exchange({}, contains("\"code\":4007")), sse.in.c_str());
    QCOMPARE(daemon.waitForExit(), 0);
}

QTEST_GUILESS_MAIN(TestSse)
#include "tst_sse.moc"

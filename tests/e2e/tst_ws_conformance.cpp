// SPDX-License-Identifier: Apache-2.0
// RFC 6455 over real sockets against the daemon: fragments with control frames in
// between, ping bursts, invalid close frames, a 2^63 length, UTF-8 split across
// fragments, and abusive upgrade requests. Each case shows the close code (or HTTP
// status) a client gets, and that the node still serves everyone else. The frame
// parser's own rules are unit-tested in tests/unit/tst_ws_frame.cpp.

#include "support/protocol_checks.h"
#include "support/protocol_fixture.h"
#include "support/raw_tcp_client.h"
#include "support/ws_test_client.h"

#include <QtTest>

#include <boost/json.hpp>

#include <string>
#include <vector>

using namespace aldis::test;
namespace json = boost::json;

namespace {

std::string closePayload(unsigned code, std::string_view reason = {})
{
    std::string p;
    p += static_cast<char>(code >> 8);
    p += static_cast<char>(code & 0xFF);
    p += reason;
    return p;
}

} // namespace

// Runs against ProtocolFixture's daemon (support/protocol_fixture.h).
class TestWsConformance : public QObject, private ProtocolFixture {
    Q_OBJECT

private slots:
    void initTestCase() { startDaemon(); }
    void cleanupTestCase() { stopDaemon(); }

    void badFrames_data();
    void badFrames();
    void controlFramesBetweenFragments();
    void pingBurst();
    void handshakeAbuse_data();
    void handshakeAbuse();
};

void TestWsConformance::badFrames_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("closeCode");
    auto frame = [](unsigned opcode, const std::string& payload, bool fin = true) {
        return QByteArray::fromStdString(WsTestClient::clientFrame(opcode, payload, fin));
    };
    // RFC 6455 5.5.1 and 7.4: a close code the peer may not send, or a payload that is
    // not a code plus UTF-8, is a protocol error (1002), bad UTF-8 in the reason 1007.
    QTest::addRow("close code 999") << frame(0x8, closePayload(999)) << 1002;
    QTest::addRow("close code 1005 (reserved)") << frame(0x8, closePayload(1005)) << 1002;
    QTest::addRow("close code 1006 (reserved)") << frame(0x8, closePayload(1006)) << 1002;
    QTest::addRow("close code 5000") << frame(0x8, closePayload(5000)) << 1002;
    QTest::addRow("close payload of one byte") << frame(0x8, std::string(1, '\x03')) << 1002;
    QTest::addRow("close reason not UTF-8") << frame(0x8, closePayload(1000, "\xff\xfe")) << 1007;
    QTest::addRow("control frame over 125 bytes") << frame(0x9, std::string(126, 'p')) << 1002;
    QTest::addRow("fragmented control frame") << frame(0x9, "p", false) << 1002;
    // A length of 2^63: the most significant bit must be 0 (RFC 6455 5.2).
    {
        QByteArray bytes("\x81\xff", 2);
        bytes += QByteArray("\x80\x00\x00\x00\x00\x00\x00\x00", 8);
        bytes += QByteArray("\x01\x02\x03\x04", 4);
        QTest::addRow("length 2^63") << bytes << 1002;
    }
    // Invalid UTF-8 split across two fragments: each fragment alone could be the start
    // or the end of a valid sequence. PROTOCOL.md closes invalid UTF-8 with 4004
    // (bad_request), also when it is only visible once the fragments are joined.
    QTest::addRow("UTF-8 cut across fragments")
        << frame(0x1, "{\"id\":1,\"op\":\"ping\",\"x\":\"\xe2\x82", false) + frame(0x0, "\"}") << 4004;
    QTest::addRow("continuation without a start") << frame(0x0, "{}") << 1002;
    QTest::addRow("new message inside a fragmented one")
        << frame(0x1, "{\"id\":1,", false) + frame(0x1, "\"op\":\"ping\"}") << 1002;
}

void TestWsConformance::badFrames()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, closeCode);
    auto c = connected("alice");
    QVERIFY(c);
    QVERIFY(c->sendRaw(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size()))));
    QVERIFY(expectDisconnect(*c, closeCode, false));
    QVERIFY(nodeStillServes());
}

void TestWsConformance::controlFramesBetweenFragments()
{
    // A command in three fragments with a ping and a pong between them: the ping is
    // answered at once, the pong ignored, and the command runs once it is whole.
    RawTcpClient raw(m_port);
    QVERIFY(raw.isConnected());
    std::string bytes = raw.upgradeRequest({{"Authorization", "Bearer " + token("alice")}});
    bytes += WsTestClient::clientFrame(0x1, R"({"id":7,)", false);
    bytes += WsTestClient::clientFrame(0x9, "between");
    bytes += WsTestClient::clientFrame(0x0, R"("op":)", false);
    bytes += WsTestClient::clientFrame(0xA, "unsolicited pong");
    bytes += WsTestClient::clientFrame(0x0, R"("ping"})", true);
    QVERIFY(raw.write(bytes));
    const auto received = raw.readUntil([](const std::string& r) { return RawTcpClient::framesAfterUpgrade(r).size() >= 2; });
    QVERIFY2(received.rfind("HTTP/1.1 101", 0) == 0, received.c_str());
    const auto frames = RawTcpClient::framesAfterUpgrade(received);
    QCOMPARE(frames.size(), std::size_t{2});
    QCOMPARE(frames[0].opcode, 0xAu);
    QCOMPARE(frames[0].payload, std::string("between"));
    QCOMPARE(frames[1].opcode, 0x1u);
    const auto reply = json::parse(frames[1].payload).as_object();
    QCOMPARE(reply.at("id").as_int64(), std::int64_t{7});
    QVERIFY2(reply.contains("ok"), frames[1].payload.c_str());
    QVERIFY(nodeStillServes());
}

void TestWsConformance::pingBurst()
{
    // 1,000 pings in one write: every one gets its pong, in order, and the connection
    // still answers a command after them. Pings are control frames: they take no
    // rate-limit token, and their pongs do not count against the send queue.
    constexpr int kPings = 1000;
    RawTcpClient raw(m_port);
    QVERIFY(raw.isConnected());
    std::string bytes = raw.upgradeRequest({{"Authorization", "Bearer " + token("alice")}});
    for (int i = 0; i < kPings; ++i)
        bytes += WsTestClient::clientFrame(0x9, std::to_string(i));
    bytes += WsTestClient::clientFrame(0x1, R"({"id":1,"op":"ping"})");
    QVERIFY(raw.write(bytes));
    const auto received =
        raw.readUntil([](const std::string& r) { return RawTcpClient::framesAfterUpgrade(r).size() >= kPings + 1; }, 10000);
    const auto frames = RawTcpClient::framesAfterUpgrade(received);
    QCOMPARE(frames.size(), std::size_t{kPings + 1});
    for (int i = 0; i < kPings; ++i) {
        QCOMPARE(frames[static_cast<std::size_t>(i)].opcode, 0xAu);
        QCOMPARE(frames[static_cast<std::size_t>(i)].payload, std::to_string(i));
    }
    QCOMPARE(frames.back().opcode, 0x1u);
    QVERIFY2(frames.back().payload.find("\"ok\"") != std::string::npos, frames.back().payload.c_str());
    QVERIFY(nodeStillServes());
}

void TestWsConformance::handshakeAbuse_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    auto upgrade = [](const std::string& key, const std::string& version, const std::string& extra = {}) {
        return QByteArray::fromStdString("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                         "Connection: Upgrade\r\nSec-WebSocket-Key: " + key
                                         + "\r\nSec-WebSocket-Version: " + version + "\r\n" + extra + "\r\n");
    };
    const std::string goodKey = "dGhlIHNhbXBsZSBub25jZQ==";
    std::string many;
    for (int i = 0; i < 2000; ++i)
        many += "X-Header-" + std::to_string(i) + ": v\r\n";
    QTest::addRow("2,000 headers") << upgrade(goodKey, "13", many) << 431;
    QTest::addRow("a 16 KiB header") << upgrade(goodKey, "13", "X-Big: " + std::string(16 * 1024, 'a') + "\r\n") << 431;
    QTest::addRow("key not 16 bytes of base64") << upgrade("c2hvcnQ=", "13") << 400;
    QTest::addRow("key not base64") << upgrade("!!!!!!!!!!!!!!!!!!!!!!==", "13") << 400;
    QTest::addRow("no key") << QByteArray("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                          "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")
                            << 400;
    QTest::addRow("version 12") << upgrade(goodKey, "12") << 426;
    QTest::addRow("version 14") << upgrade(goodKey, "14") << 426;
}

void TestWsConformance::handshakeAbuse()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    RawTcpClient raw(m_port);
    QVERIFY(raw.isConnected());
    QVERIFY(raw.write(std::string_view(request.constData(), static_cast<std::size_t>(request.size()))));
    const auto received = raw.readUntil([](const std::string& r) { return r.find("\r\n\r\n") != std::string::npos; });
    const std::string statusLine = received.substr(0, received.find("\r\n"));
    QVERIFY2(statusLine.rfind("HTTP/1.1 " + std::to_string(status), 0) == 0, statusLine.c_str());
    if (status == 426) // RFC 6455 4.4: tell the client which version the server speaks
        QVERIFY2(received.find("Sec-WebSocket-Version: 13") != std::string::npos, received.c_str());
    QVERIFY(nodeStillServes());
}

QTEST_MAIN(TestWsConformance)
#include "tst_ws_conformance.moc"

// SPDX-License-Identifier: Apache-2.0
// The WebSocket frame parser: masking, reserved bits, opcodes, control frame rules,
// fragmentation, size limits, close payloads, and UTF-8.
#include "gateway/ws_frame.h"
#include "protocol/frame.h"

#include <QTest>

using namespace aldis::gateway;

namespace {

// A client frame: masked with a fixed key unless `masked` is false.
QByteArray frame(unsigned firstByte, const QByteArray& payload, bool masked = true, int forcedLen = -1)
{
    QByteArray out;
    out.append(char(firstByte));
    const auto len = forcedLen >= 0 ? quint64(forcedLen) : quint64(payload.size());
    const char maskBit = masked ? char(0x80) : 0;
    if (len < 126) {
        out.append(char(maskBit | char(len)));
    } else if (len <= 0xffff) {
        out.append(char(maskBit | 126));
        out.append(char(len >> 8));
        out.append(char(len & 0xff));
    } else {
        out.append(char(maskBit | 127));
        for (int i = 7; i >= 0; --i)
            out.append(char((len >> (8 * i)) & 0xff));
    }
    const char key[4] = {0x11, 0x22, 0x33, 0x44};
    if (masked)
        out.append(key, 4);
    for (int i = 0; i < payload.size(); ++i)
        out.append(masked ? char(payload[i] ^ key[i % 4]) : payload[i]);
    return out;
}

QByteArray closePayload(quint16 code, const QByteArray& reason = {})
{
    QByteArray p;
    p.append(char(code >> 8));
    p.append(char(code & 0xff));
    return p + reason;
}

struct Parsed {
    std::vector<WsEvent> events;
    std::size_t consumed = 0;
};

Parsed feedAll(FrameParser& parser, const QByteArray& bytes)
{
    Parsed result;
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.constData());
    std::size_t pos = 0;
    while (pos < std::size_t(bytes.size())) {
        WsEvent ev;
        auto used = parser.feed(data + pos, bytes.size() - pos, ev);
        if (used == 0)
            break;
        pos += used;
        if (ev.kind != WsEvent::Kind::none)
            result.events.push_back(ev);
        if (ev.kind == WsEvent::Kind::error)
            break;
    }
    result.consumed = pos;
    return result;
}

} // namespace

class TestWsFrame : public QObject {
    Q_OBJECT

private slots:
    void violations_data();
    void violations();
    void textAndFragments();
    void controlBetweenFragments();
    void partialInput();
    void closeFrames();
    void utf8_data();
    void utf8();
    void serverHeaders();
};

void TestWsFrame::violations_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("code");
    QTest::addRow("unmasked") << frame(0x81, "hi", false) << 1002;
    QTest::addRow("rsv1") << frame(0xC1, "hi") << 1002;
    QTest::addRow("rsv3") << frame(0x91, "hi") << 1002;
    QTest::addRow("opcode 3") << frame(0x83, "hi") << 1002;
    QTest::addRow("opcode 11") << frame(0x8B, "") << 1002;
    QTest::addRow("fragmented ping") << frame(0x09, "") << 1002;
    QTest::addRow("ping 126 bytes") << frame(0x89, QByteArray(126, 'p')) << 1002;
    QTest::addRow("lone continuation") << frame(0x80, "x") << 1002;
    QTest::addRow("new message inside fragmented one") << (frame(0x01, "a") + frame(0x81, "b")) << 1002;
    QTest::addRow("length 2^63") << frame(0x81, "", true, -1).left(1) + QByteArray("\xff\x80\x00\x00\x00\x00\x00\x00\x00", 9) << 1002;
    QTest::addRow("too big") << frame(0x81, QByteArray(1025, 'a')) << 1009;
    QTest::addRow("too big across fragments") << (frame(0x01, QByteArray(600, 'a')) + frame(0x80, QByteArray(600, 'a'))) << 1009;
    QTest::addRow("close 1 byte") << frame(0x88, "x") << 1002;
    QTest::addRow("close code 1005") << frame(0x88, closePayload(1005)) << 1002;
    QTest::addRow("close code 999") << frame(0x88, closePayload(999)) << 1002;
    QTest::addRow("close code 5000") << frame(0x88, closePayload(5000)) << 1002;
    QTest::addRow("close reason bad utf8") << frame(0x88, closePayload(1000, "\xff")) << 1007;
}

void TestWsFrame::violations()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, code);
    FrameParser parser(1024);
    auto parsed = feedAll(parser, bytes);
    QVERIFY(!parsed.events.empty());
    QCOMPARE(int(parsed.events.back().kind), int(WsEvent::Kind::error));
    QCOMPARE(int(parsed.events.back().code), code);
}

void TestWsFrame::textAndFragments()
{
    FrameParser parser(1 << 20);
    auto parsed = feedAll(parser, frame(0x81, "hello") + frame(0x01, "wor") + frame(0x00, "l") + frame(0x80, "d") +
                                      frame(0x82, "\x01\x02") + frame(0x81, QByteArray(70000, 'z')));
    QCOMPARE(parsed.events.size(), std::size_t(4));
    QCOMPARE(parsed.events[0].payload, std::string("hello"));
    QCOMPARE(parsed.events[1].payload, std::string("world"));
    QCOMPARE(int(parsed.events[2].kind), int(WsEvent::Kind::binary));
    QCOMPARE(parsed.events[3].payload.size(), std::size_t(70000));
}

void TestWsFrame::controlBetweenFragments()
{
    FrameParser parser(1024);
    auto parsed = feedAll(parser, frame(0x01, "ab") + frame(0x89, "p1") + frame(0x8A, "") + frame(0x80, "cd"));
    QCOMPARE(parsed.events.size(), std::size_t(3));
    QCOMPARE(int(parsed.events[0].kind), int(WsEvent::Kind::ping));
    QCOMPARE(parsed.events[0].payload, std::string("p1"));
    QCOMPARE(int(parsed.events[1].kind), int(WsEvent::Kind::pong));
    QCOMPARE(parsed.events[2].payload, std::string("abcd"));
}

void TestWsFrame::partialInput()
{
    // Fed one byte at a time, the parser waits for a whole frame.
    FrameParser parser(1024);
    const auto bytes = frame(0x81, QByteArray(300, 'q'));
    WsEvent ev;
    for (int n = 1; n < bytes.size(); ++n)
        QCOMPARE(parser.feed(reinterpret_cast<const unsigned char*>(bytes.constData()), n, ev), std::size_t(0));
    QCOMPARE(parser.feed(reinterpret_cast<const unsigned char*>(bytes.constData()), bytes.size(), ev),
             std::size_t(bytes.size()));
    QCOMPARE(ev.payload.size(), std::size_t(300));
}

void TestWsFrame::closeFrames()
{
    FrameParser parser(1024);
    auto parsed = feedAll(parser, frame(0x88, closePayload(4000, "bye")));
    QCOMPARE(int(parsed.events.at(0).kind), int(WsEvent::Kind::close));
    QCOMPARE(int(parsed.events.at(0).code), 4000);
    QCOMPARE(parsed.events.at(0).payload, std::string("bye"));
    FrameParser empty(1024);
    parsed = feedAll(empty, frame(0x88, ""));
    QCOMPARE(int(parsed.events.at(0).code), 1005);

    auto out = makeCloseFrame(4005, std::string(300, 'r'));
    QCOMPARE(static_cast<unsigned char>(out[0]), 0x88);
    QCOMPARE(static_cast<unsigned char>(out[1]), 125); // 2 + 123, the control frame limit
}

void TestWsFrame::utf8_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");
    QTest::addRow("ascii") << QByteArray("hello world, long enough for the fast path") << true;
    QTest::addRow("2-byte") << QByteArray("caf\xc3\xa9") << true;
    QTest::addRow("3-byte") << QByteArray("\xe2\x82\xac") << true;
    QTest::addRow("4-byte") << QByteArray("\xf0\x9f\x98\x80") << true;
    QTest::addRow("lone continuation") << QByteArray("\x80") << false;
    QTest::addRow("overlong") << QByteArray("\xc0\xaf") << false;
    QTest::addRow("surrogate") << QByteArray("\xed\xa0\x80") << false;
    QTest::addRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << false;
    QTest::addRow("truncated") << QByteArray("abc\xe2\x82") << false;
    QTest::addRow("0xff") << QByteArray("\xff") << false;
}

void TestWsFrame::utf8()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    QCOMPARE(isValidUtf8(std::string_view(text.constData(), text.size())), valid);
}

void TestWsFrame::serverHeaders()
{
    unsigned char h[10];
    QCOMPARE(aldis::protocol::writeFrameHeader(h, 1, 125), std::size_t(2));
    QCOMPARE(aldis::protocol::writeFrameHeader(h, 1, 126), std::size_t(4));
    QCOMPARE(int(h[1]), 126);
    QCOMPARE(aldis::protocol::writeFrameHeader(h, 1, 70000), std::size_t(10));
    QCOMPARE(int(h[1]), 127);
    auto f = aldis::protocol::makeTextFrame("abc");
    QCOMPARE(f->bytes, std::string("\x81\x03" "abc"));
}

QTEST_APPLESS_MAIN(TestWsFrame)
#include "tst_ws_frame.moc"

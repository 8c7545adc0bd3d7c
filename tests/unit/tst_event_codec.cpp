// SPDX-License-Identifier: Apache-2.0
// cluster::encode/decode: the wire form of a publication on a region's events topic.
// Data passes byte for byte, and anything that is not a complete version-1 record is
// refused with a message rather than misread.

#include "cluster/event_codec.h"

#include <QtTest>

using namespace aldis;
using namespace aldis::cluster;

namespace {

EventRecord sample()
{
    EventRecord r;
    r.channel = "chat:room-1";
    r.epoch = "0123456789abcdef";
    r.offset = 42;
    // Odd spacing, escapes and non-ASCII must survive untouched.
    r.data = "{ \"text\" : \"h\\u00e9llo\\n\",\t\"n\":1.50 }";
    r.ts = 1767225600404;
    r.user = "alice";
    r.key = "msg-7f3a";
    r.originNode = "node-1";
    r.originRegion = "eu";
    r.bornMicros = 1767225600403999;
    return r;
}

} // namespace

class TestEventCodec : public QObject {
    Q_OBJECT
private slots:
    void roundTrip()
    {
        const EventRecord r = sample();
        auto back = decode(encode(r));
        QVERIFY2(back, back ? "" : back.error().message.c_str());
        QCOMPARE(back->channel, r.channel);
        QCOMPARE(back->epoch, r.epoch);
        QCOMPARE(back->offset, r.offset);
        QCOMPARE(back->data, r.data);
        QCOMPARE(back->ts, r.ts);
        QCOMPARE(back->user, r.user);
        QCOMPARE(back->key, r.key);
        QCOMPARE(back->originNode, r.originNode);
        QCOMPARE(back->originRegion, r.originRegion);
        QCOMPARE(back->bornMicros, r.bornMicros);
    }

    void emptyOptionalFields()
    {
        EventRecord r = sample();
        r.user.clear();
        r.key.clear();
        auto back = decode(encode(r));
        QVERIFY(back);
        QVERIFY(back->user.empty());
        QVERIFY(back->key.empty());
    }

    void everyTruncationIsRefused()
    {
        const std::string bytes = encode(sample());
        for (std::size_t size = 0; size < bytes.size(); ++size) {
            auto cut = decode(std::string_view(bytes).substr(0, size));
            QVERIFY2(!cut, qPrintable(QStringLiteral("a record cut to %1 bytes was accepted").arg(size)));
            QVERIFY(cut.error().code == ErrorCode::bad_request);
        }
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("why");
        const std::string good = encode(sample());
        std::string otherVersion = good;
        otherVersion[1] = 2;
        std::string noMarker = good;
        noMarker[0] = '{';
        QTest::addRow("json") << QByteArray("{\"channel\":\"a\"}") << "marker";
        QTest::addRow("version 2") << QByteArray::fromStdString(otherVersion) << "version 2";
        QTest::addRow("no marker") << QByteArray::fromStdString(noMarker) << "marker";
        QTest::addRow("trailing bytes") << QByteArray::fromStdString(good + "x") << "after the last field";
        EventRecord noChannel = sample();
        noChannel.channel.clear();
        QTest::addRow("no channel") << QByteArray::fromStdString(encode(noChannel)) << "no channel";
    }

    void refusals()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, why);
        auto r = decode(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
        QVERIFY(!r);
        QVERIFY2(QString::fromStdString(r.error().message).contains(why), r.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestEventCodec)
#include "tst_event_codec.moc"

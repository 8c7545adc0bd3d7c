// SPDX-License-Identifier: Apache-2.0
// The command parser and channel names: every command parsed into typed values, and
// every malformed one answered with the right code.
#include "protocol/channel.h"
#include "protocol/command.h"
#include "protocol/reply.h"

#include <QTest>

#include <boost/json.hpp>

using namespace aldis;
using namespace aldis::protocol;

class TestProtocolParser : public QObject {
    Q_OBJECT

private slots:
    void validCommands_data();
    void validCommands();
    void badCommands_data();
    void badCommands();
    void channelNames_data();
    void channelNames();
    void namespaces();
    void publishBody();
    void repliesAreJson();
};

void TestProtocolParser::validCommands_data()
{
    QTest::addColumn<QString>("frame");
    QTest::addColumn<int>("op");
    QTest::addColumn<QString>("channel");
    QTest::addRow("connect") << R"({"id":1,"op":"connect","token":"t","name":"app"})" << int(Op::connect) << "";
    QTest::addRow("refresh") << R"({"id":2,"op":"refresh","token":"t"})" << int(Op::refresh) << "";
    QTest::addRow("subscribe") << R"({"id":3,"op":"subscribe","channel":"chat:room"})" << int(Op::subscribe) << "chat:room";
    QTest::addRow("subscribe since") << R"({"id":3,"op":"subscribe","channel":"c","since":{"offset":5,"epoch":"e"}})"
                                     << int(Op::subscribe) << "c";
    QTest::addRow("subscribe durable") << R"({"id":3,"op":"subscribe","channel":"c","durable":"worker"})"
                                       << int(Op::subscribe) << "c";
    QTest::addRow("unsubscribe") << R"({"id":4,"op":"unsubscribe","channel":"c"})" << int(Op::unsubscribe) << "c";
    QTest::addRow("publish object") << R"({"id":5,"op":"publish","channel":"c","data":{"a":[1,2]}})" << int(Op::publish) << "c";
    QTest::addRow("publish null data") << R"({"id":5,"op":"publish","channel":"c","data":null})" << int(Op::publish) << "c";
    QTest::addRow("publish key") << R"({"id":5,"op":"publish","channel":"c","data":1,"key":"k"})" << int(Op::publish) << "c";
    QTest::addRow("ack") << R"({"id":6,"op":"ack","channel":"c","offset":10})" << int(Op::ack) << "c";
    QTest::addRow("history") << R"({"id":7,"op":"history","channel":"c","limit":1000,"reverse":true})" << int(Op::history) << "c";
    QTest::addRow("presence") << R"({"id":8,"op":"presence","channel":"c"})" << int(Op::presence) << "c";
    QTest::addRow("ping") << R"({"id":9,"op":"ping"})" << int(Op::ping) << "";
    QTest::addRow("id as integral double") << R"({"id":9.0,"op":"ping"})" << int(Op::ping) << "";
    QTest::addRow("user channel") << R"({"id":1,"op":"subscribe","channel":"ns:inbox#alice"})" << int(Op::subscribe) << "ns:inbox#alice";
}

void TestProtocolParser::validCommands()
{
    QFETCH(QString, frame);
    QFETCH(int, op);
    QFETCH(QString, channel);
    auto parsed = parseCommand(frame.toStdString());
    auto* cmd = std::get_if<Command>(&parsed);
    if (!cmd)
        QFAIL(std::get<CommandError>(parsed).message.c_str());
    QCOMPARE(int(cmd->op), op);
    QCOMPARE(QString::fromStdString(cmd->channel), channel);
    QVERIFY(cmd->id > 0);
}

void TestProtocolParser::badCommands_data()
{
    QTest::addColumn<QString>("frame");
    QTest::addColumn<QString>("code");
    QTest::addColumn<bool>("fatal");
    QTest::addColumn<QString>("messagePart");
    QTest::addRow("not json") << "{nope" << "bad_request" << true << "not valid JSON";
    QTest::addRow("array") << "[1,2]" << "bad_request" << true << "JSON object";
    QTest::addRow("string") << "\"x\"" << "bad_request" << true << "JSON object";
    QTest::addRow("no id") << R"({"op":"ping"})" << "bad_request" << false << "\"id\"";
    QTest::addRow("id zero") << R"({"id":0,"op":"ping"})" << "bad_request" << false << "positive integer";
    QTest::addRow("id negative") << R"({"id":-3,"op":"ping"})" << "bad_request" << false << "positive integer";
    QTest::addRow("id string") << R"({"id":"1","op":"ping"})" << "bad_request" << false << "positive integer";
    QTest::addRow("id fraction") << R"({"id":1.5,"op":"ping"})" << "bad_request" << false << "positive integer";
    QTest::addRow("no op") << R"({"id":1})" << "bad_request" << false << "\"op\"";
    QTest::addRow("op number") << R"({"id":1,"op":3})" << "bad_request" << false << "\"op\"";
    QTest::addRow("unknown op") << R"({"id":1,"op":"dance"})" << "unknown_op" << false << "dance";
    QTest::addRow("connect no token") << R"({"id":1,"op":"connect"})" << "bad_request" << false << "token";
    QTest::addRow("connect token number") << R"({"id":1,"op":"connect","token":5})" << "bad_request" << false << "string";
    QTest::addRow("subscribe no channel") << R"({"id":1,"op":"subscribe"})" << "bad_request" << false << "channel";
    QTest::addRow("subscribe empty channel") << R"({"id":1,"op":"subscribe","channel":""})" << "bad_request" << false << "invalid channel";
    QTest::addRow("subscribe bad chars") << R"({"id":1,"op":"subscribe","channel":"a b"})" << "bad_request" << false << "invalid channel";
    QTest::addRow("subscribe 256 bytes") << QString(R"({"id":1,"op":"subscribe","channel":"%1"})").arg(QString(256, 'a'))
                                         << "bad_request" << false << "invalid channel";
    QTest::addRow("since not object") << R"({"id":1,"op":"subscribe","channel":"c","since":5})" << "bad_request" << false << "since";
    QTest::addRow("since no offset") << R"({"id":1,"op":"subscribe","channel":"c","since":{"epoch":"e"}})" << "bad_request" << false << "offset";
    QTest::addRow("since negative") << R"({"id":1,"op":"subscribe","channel":"c","since":{"offset":-1}})" << "bad_request" << false << "offset";
    QTest::addRow("since epoch number") << R"({"id":1,"op":"subscribe","channel":"c","since":{"offset":1,"epoch":2}})" << "bad_request" << false << "epoch";
    QTest::addRow("durable empty") << R"({"id":1,"op":"subscribe","channel":"c","durable":""})" << "bad_request" << false << "durable";
    QTest::addRow("publish no data") << R"({"id":1,"op":"publish","channel":"c"})" << "bad_request" << false << "data";
    QTest::addRow("publish empty key") << R"({"id":1,"op":"publish","channel":"c","data":1,"key":""})" << "bad_request" << false << "key";
    QTest::addRow("publish key too long") << QString(R"({"id":1,"op":"publish","channel":"c","data":1,"key":"%1"})").arg(QString(129, 'k'))
                                          << "bad_request" << false << "key";
    QTest::addRow("ack no offset") << R"({"id":1,"op":"ack","channel":"c"})" << "bad_request" << false << "offset";
    QTest::addRow("history limit 0") << R"({"id":1,"op":"history","channel":"c","limit":0})" << "bad_request" << false << "limit";
    QTest::addRow("history limit 1001") << R"({"id":1,"op":"history","channel":"c","limit":1001})" << "bad_request" << false << "limit";
    QTest::addRow("history reverse string") << R"({"id":1,"op":"history","channel":"c","reverse":"yes"})" << "bad_request" << false << "reverse";
    QTest::addRow("deep nesting") << QString("{\"id\":1,\"op\":\"publish\",\"channel\":\"c\",\"data\":%1%2}")
                                         .arg(QString(100, '['), QString(100, ']'))
                                  << "bad_request" << true << "JSON";
}

void TestProtocolParser::badCommands()
{
    QFETCH(QString, frame);
    QFETCH(QString, code);
    QFETCH(bool, fatal);
    QFETCH(QString, messagePart);
    auto parsed = parseCommand(frame.toStdString());
    auto* err = std::get_if<CommandError>(&parsed);
    QVERIFY2(err, "expected an error");
    QCOMPARE(QString::fromLatin1(toString(err->code).data()), code);
    QCOMPARE(err->fatal, fatal);
    QVERIFY2(QString::fromStdString(err->message).contains(messagePart), err->message.c_str());
}

void TestProtocolParser::channelNames_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addColumn<bool>("valid");
    QTest::addRow("bare") << "chat" << true;
    QTest::addRow("namespaced") << "ns:room-1" << true;
    QTest::addRow("all punctuation") << "a_b.c:d@e=f,g;h/i-j#k" << true;
    QTest::addRow("255 bytes") << QString(255, 'x') << true;
    QTest::addRow("256 bytes") << QString(256, 'x') << false;
    QTest::addRow("empty") << "" << false;
    QTest::addRow("space") << "a b" << false;
    QTest::addRow("star") << "chat*" << false;
    QTest::addRow("unicode") << QString::fromUtf8("caf\xc3\xa9") << false;
    QTest::addRow("newline") << "a\nb" << false;
}

void TestProtocolParser::channelNames()
{
    QFETCH(QString, channel);
    QFETCH(bool, valid);
    QCOMPARE(isValidChannel(channel.toStdString()), valid);
}

void TestProtocolParser::namespaces()
{
    QCOMPARE(namespaceOf("chat"), std::string_view(""));
    QCOMPARE(namespaceOf("chat:room"), std::string_view("chat"));
    QCOMPARE(namespaceOf("a:b:c"), std::string_view("a"));
    QCOMPARE(namespaceOf(":x"), std::string_view(""));
}

void TestProtocolParser::publishBody()
{
    auto ok = parsePublishBody(R"({"channel":"news:1","data":{"x":1},"key":"k-1"})");
    auto* cmd = std::get_if<Command>(&ok);
    QVERIFY(cmd);
    QCOMPARE(cmd->channel, std::string("news:1"));
    QCOMPARE(cmd->data, std::string(R"({"x":1})"));
    QCOMPARE(cmd->key, std::string("k-1"));
    QVERIFY(std::holds_alternative<CommandError>(parsePublishBody("[]")));
    QVERIFY(std::holds_alternative<CommandError>(parsePublishBody(R"({"channel":"c"})")));
    QVERIFY(std::holds_alternative<CommandError>(parsePublishBody(R"({"channel":"bad name","data":1})")));
}

void TestProtocolParser::repliesAreJson()
{
    // Every builder's output parses, including hostile strings.
    const std::string nasty = "q\"uo\\te\n\x01</script>";
    const std::string texts[] = {
        okReply(7, "{}"),
        errorReply(0, ErrorCode::bad_request, nasty),
        errorReply(3, ErrorCode::internal, nasty),
        pubPush("c", 9, R"({"a":1})", 123, nasty, nasty),
        pubPush("c", 9, "null", 123, "", ""),
        joinLeavePush(true, "c", 1, nasty),
        unsubscribedPush("c", nasty),
        disconnectPush(4005, nasty, true),
    };
    for (const auto& text : texts) {
        boost::json::error_code ec;
        auto v = boost::json::parse(text, ec);
        QVERIFY2(!ec && v.is_object(), text.c_str());
    }
    auto err = boost::json::parse(errorReply(0, ErrorCode::bad_request, "m")).as_object();
    QVERIFY(err.at("id").is_null());
    auto pub = boost::json::parse(pubPush("c", 9, "null", 123, "", "")).as_object();
    QVERIFY(pub.at("user").is_null());
    QVERIFY(!pub.contains("key"));
    QCOMPARE(pub.at("offset").as_int64(), 9);
}

QTEST_APPLESS_MAIN(TestProtocolParser)
#include "tst_protocol_parser.moc"

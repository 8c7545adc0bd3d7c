// SPDX-License-Identifier: Apache-2.0
// Channel patterns and user channels (security/permissions.h).

#include "security/permissions.h"

#include <QtTest>

#include <string>

using namespace aldis::security;

class TestPermissions : public QObject {
    Q_OBJECT

private slots:
    void patternMatches_data();
    void patternMatches();
    void anyPatternMatches();
    void isValidPattern_data();
    void isValidPattern();
    void userChannelAllows_data();
    void userChannelAllows();
};

void TestPermissions::patternMatches_data()
{
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<QByteArray>("channel");
    QTest::addColumn<bool>("matches");

    QTest::addRow("prefix matches") << QByteArray("chat:*") << QByteArray("chat:room1") << true;
    QTest::addRow("prefix matches bare prefix") << QByteArray("chat:*") << QByteArray("chat:") << true;
    QTest::addRow("prefix other namespace") << QByteArray("chat:*") << QByteArray("news:room1") << false;
    QTest::addRow("prefix shorter channel") << QByteArray("chat:*") << QByteArray("chat") << false;
    QTest::addRow("star matches all") << QByteArray("*") << QByteArray("anything:at#all") << true;
    QTest::addRow("star matches bare") << QByteArray("*") << QByteArray("lobby") << true;
    QTest::addRow("exact equal") << QByteArray("chat:room1") << QByteArray("chat:room1") << true;
    QTest::addRow("exact longer channel") << QByteArray("chat:room1") << QByteArray("chat:room10") << false;
    QTest::addRow("exact shorter channel") << QByteArray("chat:room1") << QByteArray("chat:room") << false;
    QTest::addRow("exact case sensitive") << QByteArray("Chat:room1") << QByteArray("chat:room1") << false;
    QTest::addRow("inner star is literal") << QByteArray("chat:*:x") << QByteArray("chat:a:x") << false;
    QTest::addRow("empty pattern") << QByteArray("") << QByteArray("") << false;
    QTest::addRow("empty pattern vs channel") << QByteArray("") << QByteArray("chat") << false;
}

void TestPermissions::patternMatches()
{
    QFETCH(QByteArray, pattern);
    QFETCH(QByteArray, channel);
    QFETCH(bool, matches);
    QCOMPARE(aldis::security::patternMatches(pattern.toStdString(), channel.toStdString()), matches);
}

void TestPermissions::anyPatternMatches()
{
    const std::vector<std::string> patterns{"chat:*", "news:today"};
    QVERIFY(aldis::security::anyPatternMatches(patterns, "chat:x"));
    QVERIFY(aldis::security::anyPatternMatches(patterns, "news:today"));
    QVERIFY(!aldis::security::anyPatternMatches(patterns, "news:tomorrow"));
    QVERIFY(!aldis::security::anyPatternMatches({}, "chat:x"));   // empty list allows nothing
}

void TestPermissions::isValidPattern_data()
{
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<bool>("valid");

    QTest::addRow("star alone") << QByteArray("*") << true;
    QTest::addRow("exact channel") << QByteArray("chat:room1") << true;
    QTest::addRow("prefix") << QByteArray("chat:*") << true;
    QTest::addRow("all channel chars") << QByteArray("aZ09_.:@=,;/-#*") << true;
    QTest::addRow("255 bytes") << QByteArray(255, 'a') << true;
    QTest::addRow("254 bytes and star") << QByteArray(254, 'a') + '*' << true;
    QTest::addRow("empty") << QByteArray() << false;
    QTest::addRow("256 bytes") << QByteArray(256, 'a') << false;
    QTest::addRow("255 bytes and star") << QByteArray(255, 'a') + '*' << false;
    QTest::addRow("star in the middle") << QByteArray("chat:*:x") << false;
    QTest::addRow("star at the start") << QByteArray("*chat") << false;
    QTest::addRow("two stars") << QByteArray("chat:**") << false;
    QTest::addRow("space") << QByteArray("chat room") << false;
    QTest::addRow("question mark") << QByteArray("chat?") << false;
    QTest::addRow("non ascii") << QByteArray("chat:\xc3\xa9") << false;
    QTest::addRow("nul byte") << QByteArray("chat\0x", 6) << false;
}

void TestPermissions::isValidPattern()
{
    QFETCH(QByteArray, pattern);
    QFETCH(bool, valid);
    QCOMPARE(aldis::security::isValidPattern(std::string_view(pattern.constData(),
                                                              static_cast<std::size_t>(pattern.size()))),
             valid);
}

void TestPermissions::userChannelAllows_data()
{
    QTest::addColumn<QByteArray>("channel");
    QTest::addColumn<QByteArray>("user");
    QTest::addColumn<bool>("allowed");

    QTest::addRow("not a user channel") << QByteArray("chat:room1") << QByteArray("bob") << true;
    QTest::addRow("not a user channel, no user") << QByteArray("chat:room1") << QByteArray() << true;
    QTest::addRow("owner") << QByteArray("ns:inbox#alice") << QByteArray("alice") << true;
    QTest::addRow("other user") << QByteArray("ns:inbox#alice") << QByteArray("bob") << false;
    QTest::addRow("prefix of owner") << QByteArray("ns:inbox#alice") << QByteArray("ali") << false;
    QTest::addRow("owner is prefix") << QByteArray("ns:inbox#ali") << QByteArray("alice") << false;
    QTest::addRow("dm first") << QByteArray("dm#alice,bob") << QByteArray("alice") << true;
    QTest::addRow("dm second") << QByteArray("dm#alice,bob") << QByteArray("bob") << true;
    QTest::addRow("dm outsider") << QByteArray("dm#alice,bob") << QByteArray("carol") << false;
    QTest::addRow("empty user list") << QByteArray("ns:inbox#") << QByteArray("alice") << false;
    QTest::addRow("empty user") << QByteArray("ns:inbox#") << QByteArray() << false;
    QTest::addRow("empty entry") << QByteArray("dm#,bob") << QByteArray() << false;
    QTest::addRow("comma in user") << QByteArray("dm#alice,bob") << QByteArray("alice,bob") << false;
}

void TestPermissions::userChannelAllows()
{
    QFETCH(QByteArray, channel);
    QFETCH(QByteArray, user);
    QFETCH(bool, allowed);
    QCOMPARE(aldis::security::userChannelAllows(channel.toStdString(), user.toStdString()), allowed);
}

QTEST_APPLESS_MAIN(TestPermissions)
#include "tst_permissions.moc"

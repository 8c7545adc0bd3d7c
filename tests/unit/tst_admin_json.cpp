// SPDX-License-Identifier: Apache-2.0
// admin::toText: the admin API's JSON text. Doubles in their shortest form (not
// Boost's "5E1"), everything else as JSON requires, and the text parses back to the
// same value.

#include "admin/admin_json.h"

#include <QtTest>

#include <boost/json.hpp>

#include <limits>

namespace json = boost::json;

class TestAdminJson : public QObject {
    Q_OBJECT
private slots:
    void numbers_data();
    void numbers();
    void roundTrip();
};

void TestAdminJson::numbers_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("text");
    QTest::addRow("whole") << 50.0 << "50";
    QTest::addRow("zero") << 0.0 << "0";
    QTest::addRow("bucket bound") << 0.0841 << "0.0841";
    QTest::addRow("uptime") << 1.518 << "1.518";
    QTest::addRow("negative") << -2.5 << "-2.5";
    QTest::addRow("huge") << 1e21 << "1e+21";
    QTest::addRow("nan") << std::numeric_limits<double>::quiet_NaN() << "null";
    QTest::addRow("infinity") << std::numeric_limits<double>::infinity() << "null";
}

void TestAdminJson::numbers()
{
    QFETCH(double, value);
    QFETCH(QString, text);
    QCOMPARE(QString::fromStdString(aldis::admin::toText(json::value(value))), text);
}

void TestAdminJson::roundTrip()
{
    const json::value original = json::parse(R"({"a":[1,-2,18446744073709551615,0.125,true,false,null],
        "s":"quote \" backslash \\ control \u0001 é €","nested":{"empty":{},"list":[]}})");
    const auto text = aldis::admin::toText(original);
    QCOMPARE(json::parse(text), original);
    QVERIFY(text.find('\n') == std::string::npos);
    QVERIFY(text.find("\\u0001") != std::string::npos);
}

QTEST_APPLESS_MAIN(TestAdminJson)
#include "tst_admin_json.moc"

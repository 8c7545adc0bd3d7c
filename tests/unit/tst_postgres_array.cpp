// SPDX-License-Identifier: Apache-2.0
// The array literals the PostgreSQL store sends to its unnest() statements
// (engine/store/postgres_array.h). tst_event_store checks that the server reads them
// back as they were sent.

#include "store/postgres_array.h"

#include <QTest>

#include <optional>
#include <string>
#include <vector>

using aldis::store::detail::ArrayLiteral;

using Elements = std::vector<std::optional<std::string>>; // nullopt: NULL
Q_DECLARE_METATYPE(Elements)

class TestPostgresArray : public QObject {
    Q_OBJECT

private slots:
    void text_data()
    {
        QTest::addColumn<Elements>("elements");
        QTest::addColumn<QString>("literal");

        QTest::addRow("empty array") << Elements{} << "{}";
        QTest::addRow("one") << Elements{"a"} << "{\"a\"}";
        QTest::addRow("several") << Elements{"a", "b", "c"} << "{\"a\",\"b\",\"c\"}";
        QTest::addRow("empty string") << Elements{""} << "{\"\"}";
        QTest::addRow("null") << Elements{std::nullopt} << "{NULL}";
        QTest::addRow("null among strings") << Elements{"a", std::nullopt, "b"} << "{\"a\",NULL,\"b\"}";
        QTest::addRow("the word NULL stays a string") << Elements{"NULL", "null"} << "{\"NULL\",\"null\"}";
        QTest::addRow("double quote") << Elements{"say \"hi\""} << "{\"say \\\"hi\\\"\"}";
        QTest::addRow("backslash") << Elements{"a\\b"} << "{\"a\\\\b\"}";
        QTest::addRow("backslash before a quote") << Elements{"\\\""} << "{\"\\\\\\\"\"}";
        QTest::addRow("braces and commas") << Elements{"{a,b}", ","} << "{\"{a,b}\",\",\"}";
        QTest::addRow("spaces kept") << Elements{"  a  "} << "{\"  a  \"}";
        QTest::addRow("line breaks") << Elements{"a\nb\tc"} << "{\"a\nb\tc\"}";
        QTest::addRow("single quote") << Elements{"it's"} << "{\"it's\"}";
        QTest::addRow("non-ASCII") << Elements{"h\xc3\xa9 \xe2\x82\xac"}
                                   << QString::fromUtf8("{\"h\xc3\xa9 \xe2\x82\xac\"}");
        // {"k":"v\"w","n":[1,2]}
        QTest::addRow("JSON") << Elements{"{\"k\":\"v\\\"w\",\"n\":[1,2]}"}
                              << "{\"{\\\"k\\\":\\\"v\\\\\\\"w\\\",\\\"n\\\":[1,2]}\"}";
    }

    void text()
    {
        QFETCH(Elements, elements);
        QFETCH(QString, literal);
        ArrayLiteral array;
        for (const auto& e : elements) {
            if (e)
                array.add(*e);
            else
                array.addNull();
        }
        QCOMPARE(array.size(), elements.size());
        QCOMPARE(array.empty(), elements.empty());
        QCOMPARE(QString::fromStdString(array.text()), literal);
        // text() does not close the builder: more elements may follow.
        array.add("z");
        QVERIFY(array.text().ends_with(elements.empty() ? "{\"z\"}" : ",\"z\"}"));
    }

    void integers()
    {
        ArrayLiteral array;
        array.add(std::int64_t(1));
        array.add(std::int64_t(-42));
        array.add(std::int64_t(9223372036854775807));
        QCOMPARE(array.text(), std::string("{\"1\",\"-42\",\"9223372036854775807\"}"));
    }

    void emptyTextIsNullWhenAsked()
    {
        // No user and no key are stored as NULL, as in the SQLite store.
        ArrayLiteral array;
        array.addOrNull("");
        array.addOrNull("alice");
        QCOMPARE(array.text(), std::string("{NULL,\"alice\"}"));
    }
};

QTEST_GUILESS_MAIN(TestPostgresArray)
#include "tst_postgres_array.moc"

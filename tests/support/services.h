// SPDX-License-Identifier: Apache-2.0
#pragma once

// The real services of the cluster and store tests, found through the environment
// that scripts/services/up writes (ALDIS_TEST_PG_URL, ALDIS_TEST_KAFKA_A/_B,
// ALDIS_TEST_SERVICES_DIR). A suite asks for what it needs with
// ALDIS_NEED_SERVICE(var): without it the test is skipped, or fails when
// ALDIS_REQUIRE_SERVICES=1 (the test command and CI).

#include "support/test_support.h"

#include <QString>
#include <QTest>

namespace aldis::test {

// The variable's value, or empty.
QString serviceAddress(const char* variable);
// Why a test cannot run without `variable`, for QSKIP/QFAIL.
QByteArray missingServiceMessage(const char* variable);

// A database of its own on the test PostgreSQL server (ALDIS_TEST_PG_URL), created
// by the constructor and dropped by the destructor.
class TestDatabase {
public:
    TestDatabase();
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }
    QString url() const { return m_url; }   // libpq URL of the new database
    QString name() const { return m_name; }
    // Runs SQL on the new database; returns the first column of the first row, or
    // an empty string (and a warning) on error.
    QString query(const QString& sql) const;

private:
    QString m_admin;
    QString m_name;
    QString m_url;
    QString m_error;
};

// A topic prefix no other test run used, so each test starts with empty topics.
QString uniqueTopicPrefix();

// Runs scripts/services/kafka ACTION <services dir>/<broker> (kill9, restart, stop)
// and returns its exit code (-1 when it could not run).
int kafkaControl(const QString& action, const QString& broker);

} // namespace aldis::test

#define ALDIS_NEED_SERVICE(variable)                                                \
    do {                                                                            \
        if (::aldis::test::serviceAddress(variable).isEmpty()) {                    \
            if (::aldis::test::servicesRequired())                                  \
                QFAIL(::aldis::test::missingServiceMessage(variable).constData());  \
            QSKIP(::aldis::test::missingServiceMessage(variable).constData());      \
        }                                                                           \
    } while (false)

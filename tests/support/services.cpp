// SPDX-License-Identifier: Apache-2.0
#include "support/services.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QProcess>
#include <QUrl>

#include <libpq-fe.h>

#include <atomic>
#include <memory>

namespace aldis::test {

QString serviceAddress(const char* variable)
{
    return qEnvironmentVariable(variable);
}

QByteArray missingServiceMessage(const char* variable)
{
    return QByteArray(variable)
        + " is not set: this test needs a real service. `scripts/services/up DIR` starts PostgreSQL and "
          "Kafka and writes DIR/env to source; `scripts/test` does it all.";
}

namespace {

struct ConnDeleter {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
struct ResultDeleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// Runs one statement; returns the error text, empty on success.
QString exec(const QString& url, const QString& sql, QString* firstValue = nullptr)
{
    Conn conn(PQconnectdb(url.toUtf8().constData()));
    if (PQstatus(conn.get()) != CONNECTION_OK)
        return QString::fromUtf8(PQerrorMessage(conn.get())).trimmed();
    // NOTICEs ("database ... does not exist, skipping") are not the test's output.
    PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);
    PgResult result(PQexec(conn.get(), sql.toUtf8().constData()));
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        return QString::fromUtf8(PQresultErrorMessage(result.get())).trimmed();
    if (firstValue && status == PGRES_TUPLES_OK && PQntuples(result.get()) > 0)
        *firstValue = QString::fromUtf8(PQgetvalue(result.get(), 0, 0));
    return {};
}

// The admin URL with its database replaced by `database`.
QString withDatabase(const QString& url, const QString& database)
{
    QUrl parsed(url);
    parsed.setPath(QLatin1Char('/') + database);
    return parsed.toString();
}

std::atomic<int> g_counter{0};

} // namespace

TestDatabase::TestDatabase() : m_admin(serviceAddress("ALDIS_TEST_PG_URL"))
{
    if (m_admin.isEmpty()) {
        m_error = QString::fromUtf8(missingServiceMessage("ALDIS_TEST_PG_URL"));
        return;
    }
    m_name = QStringLiteral("aldis_test_%1_%2").arg(QCoreApplication::applicationPid()).arg(g_counter++);
    exec(m_admin, QStringLiteral("DROP DATABASE IF EXISTS %1").arg(m_name));
    m_error = exec(m_admin, QStringLiteral("CREATE DATABASE %1").arg(m_name));
    if (m_error.isEmpty())
        m_url = withDatabase(m_admin, m_name);
    else
        m_name.clear();
}

TestDatabase::~TestDatabase()
{
    if (!m_name.isEmpty()) {
        // WITH (FORCE): a daemon killed with -9 may leave a session the server has
        // not noticed yet.
        exec(m_admin, QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(m_name));
    }
}

QString TestDatabase::query(const QString& sql) const
{
    QString value;
    if (const QString error = exec(m_url, sql, &value); !error.isEmpty())
        qWarning("query %s failed: %s", qPrintable(sql), qPrintable(error));
    return value;
}

QString uniqueTopicPrefix()
{
    return QStringLiteral("t%1x%2x%3")
        .arg(QDateTime::currentMSecsSinceEpoch())
        .arg(QCoreApplication::applicationPid())
        .arg(g_counter++);
}

int kafkaControl(const QString& action, const QString& broker)
{
    const QString dir = serviceAddress("ALDIS_TEST_SERVICES_DIR");
    const QString script = QStringLiteral(ALDIS_SOURCE_DIR "/scripts/services/kafka");
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedChannels);
    p.start(script, {action, dir + QLatin1Char('/') + broker});
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit)
        return -1;
    return p.exitCode();
}

} // namespace aldis::test

// SPDX-License-Identifier: Apache-2.0
#include "ui/history/history_store.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QStandardPaths>

#include <sqlite3.h>

#include <algorithm>
#include <utility>

namespace aldis::ui {

namespace {

constexpr qint64 kPruneEveryMs = 10LL * 60 * 1000;

const char* const kSchema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS samples(
  node TEXT NOT NULL, time INTEGER NOT NULL,
  p50 REAL NOT NULL, p95 REAL NOT NULL, p99 REAL NOT NULL,
  publications REAL NOT NULL, deliveries REAL NOT NULL, connections INTEGER NOT NULL,
  PRIMARY KEY(node, time)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS samples_time ON samples(time);
CREATE TABLE IF NOT EXISTS lag(
  node TEXT NOT NULL, time INTEGER NOT NULL, topic TEXT NOT NULL,
  partition INTEGER NOT NULL, lag INTEGER NOT NULL,
  PRIMARY KEY(node, time, topic, partition)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS lag_time ON lag(time);
)sql";

// A prepared statement that finalizes itself.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr); }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    bool ok() const { return m_stmt != nullptr; }
    sqlite3_stmt* get() const { return m_stmt; }
    void bind(int index, const QString& text)
    {
        const QByteArray utf8 = text.toUtf8();
        sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    }
    void bind(int index, qint64 value) { sqlite3_bind_int64(m_stmt, index, value); }
    void bind(int index, double value) { sqlite3_bind_double(m_stmt, index, value); }
    int step() { return sqlite3_step(m_stmt); }
    void reset() { sqlite3_reset(m_stmt); }
    // The parameters every range query shares: ?1 node, ?2..?3 the time range, ?4 the
    // bucket width when bucketing.
    void bindRange(const QString& nodeId, qint64 fromMs, qint64 toMs, qint64 bucketMs)
    {
        bind(1, nodeId);
        bind(2, fromMs);
        bind(3, toMs);
        if (bucketMs > 0)
            bind(4, bucketMs);
    }
    double real(int column) const { return sqlite3_column_double(m_stmt, column); }
    qint64 integer(int column) const { return sqlite3_column_int64(m_stmt, column); }
    QString text(int column) const
    {
        return QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column)),
                                 sqlite3_column_bytes(m_stmt, column));
    }

private:
    sqlite3_stmt* m_stmt = nullptr;
};

} // namespace

HistorySample HistoryStore::sampleFromStats(const QJsonObject& stats, qint64 timeMs)
{
    HistorySample s;
    s.timeMs = timeMs;
    const QJsonObject latency = stats.value(QLatin1String("latency")).toObject();
    s.p50Ms = latency.value(QLatin1String("p50_ms")).toDouble();
    s.p95Ms = latency.value(QLatin1String("p95_ms")).toDouble();
    s.p99Ms = latency.value(QLatin1String("p99_ms")).toDouble();
    const QJsonObject rates = stats.value(QLatin1String("rates")).toObject();
    s.publicationsPerS = rates.value(QLatin1String("publications_per_s")).toDouble();
    s.deliveriesPerS = rates.value(QLatin1String("deliveries_per_s")).toDouble();
    s.connections = qint64(stats.value(QLatin1String("connections")).toDouble());
    for (const QJsonValue& value : stats.value(QLatin1String("lag")).toArray()) {
        const QJsonObject lag = value.toObject();
        s.lag.append(LagPoint{lag.value(QLatin1String("topic")).toString(),
                              lag.value(QLatin1String("partition")).toInt(),
                              qint64(lag.value(QLatin1String("lag")).toDouble())});
    }
    return s;
}

QString HistoryStore::defaultPath()
{
    // Next to the node's own data (~/.local/share/aldis), not in Qt's per-application
    // folder below it (~/.local/share/aldis/aldis).
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
        + QStringLiteral("/aldis/control-room-history.db");
}

HistoryStore::HistoryStore(QString path, qint64 retentionMs)
    : m_path(std::move(path)), m_retentionMs(retentionMs)
{
}

HistoryStore::~HistoryStore()
{
    if (m_db)
        sqlite3_close(m_db);
}

bool HistoryStore::open()
{
    if (m_db)
        return true;
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath())) {
        m_lastError = QStringLiteral("cannot create the folder %1").arg(info.absolutePath());
        return false;
    }
    const QByteArray file = QFile::encodeName(m_path);
    if (sqlite3_open_v2(file.constData(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
        != SQLITE_OK) {
        setError(QStringLiteral("cannot open %1").arg(m_path));
        sqlite3_close(m_db);
        m_db = nullptr;
        return false;
    }
    sqlite3_busy_timeout(m_db, 2000);
    if (!exec(kSchema)) {
        sqlite3_close(m_db);
        m_db = nullptr;
        return false;
    }
    return true;
}

bool HistoryStore::exec(const char* sql)
{
    char* message = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        m_lastError = QStringLiteral("%1: %2").arg(m_path, QString::fromUtf8(message ? message : "?"));
        sqlite3_free(message);
        return false;
    }
    return true;
}

void HistoryStore::setError(const QString& what)
{
    m_lastError = QStringLiteral("%1: %2").arg(what, QString::fromUtf8(m_db ? sqlite3_errmsg(m_db) : "?"));
}

bool HistoryStore::append(const QList<NodeSample>& samples)
{
    if (!m_db)
        return false;
    if (samples.isEmpty())
        return true;
    if (!exec("BEGIN"))
        return false;
    Statement insertSample(m_db, "INSERT OR REPLACE INTO samples VALUES(?,?,?,?,?,?,?,?)");
    Statement insertLag(m_db, "INSERT OR REPLACE INTO lag VALUES(?,?,?,?,?)");
    if (!insertSample.ok() || !insertLag.ok()) {
        setError(QStringLiteral("prepare"));
        exec("ROLLBACK");
        return false;
    }
    qint64 newest = 0;
    for (const NodeSample& entry : samples) {
        const HistorySample& s = entry.sample;
        newest = std::max(newest, s.timeMs);
        insertSample.bind(1, entry.nodeId);
        insertSample.bind(2, s.timeMs);
        insertSample.bind(3, s.p50Ms);
        insertSample.bind(4, s.p95Ms);
        insertSample.bind(5, s.p99Ms);
        insertSample.bind(6, s.publicationsPerS);
        insertSample.bind(7, s.deliveriesPerS);
        insertSample.bind(8, s.connections);
        if (insertSample.step() != SQLITE_DONE) {
            setError(QStringLiteral("insert"));
            exec("ROLLBACK");
            return false;
        }
        insertSample.reset();
        for (const LagPoint& point : s.lag) {
            insertLag.bind(1, entry.nodeId);
            insertLag.bind(2, s.timeMs);
            insertLag.bind(3, point.topic);
            insertLag.bind(4, qint64(point.partition));
            insertLag.bind(5, point.lag);
            if (insertLag.step() != SQLITE_DONE) {
                setError(QStringLiteral("insert"));
                exec("ROLLBACK");
                return false;
            }
            insertLag.reset();
        }
    }
    if (!exec("COMMIT")) {
        exec("ROLLBACK");
        return false;
    }
    if (newest - m_lastPruneMs >= kPruneEveryMs)
        prune(newest);
    return true;
}

QList<HistorySample> HistoryStore::samples(const QString& nodeId, qint64 fromMs, qint64 toMs,
                                           qint64 bucketMs) const
{
    QList<HistorySample> result;
    if (!m_db)
        return result;
    const char* sql = bucketMs > 0
        ? "SELECT (time / ?4) * ?4, AVG(p50), AVG(p95), MAX(p99), AVG(publications), AVG(deliveries),"
          " CAST(ROUND(AVG(connections)) AS INTEGER) FROM samples"
          " WHERE node = ?1 AND time BETWEEN ?2 AND ?3 GROUP BY time / ?4 ORDER BY 1"
        : "SELECT time, p50, p95, p99, publications, deliveries, connections FROM samples"
          " WHERE node = ?1 AND time BETWEEN ?2 AND ?3 ORDER BY time";
    Statement query(m_db, sql);
    if (!query.ok())
        return result;
    query.bindRange(nodeId, fromMs, toMs, bucketMs);
    while (query.step() == SQLITE_ROW) {
        HistorySample s;
        s.timeMs = query.integer(0);
        s.p50Ms = query.real(1);
        s.p95Ms = query.real(2);
        s.p99Ms = query.real(3);
        s.publicationsPerS = query.real(4);
        s.deliveriesPerS = query.real(5);
        s.connections = query.integer(6);
        result.append(s);
    }
    return result;
}

QMap<QString, QList<QPointF>> HistoryStore::lag(const QString& nodeId, qint64 fromMs, qint64 toMs,
                                                qint64 bucketMs) const
{
    QMap<QString, QList<QPointF>> result;
    if (!m_db)
        return result;
    const char* sql = bucketMs > 0
        ? "SELECT topic, partition, (time / ?4) * ?4 AS t, MAX(lag) FROM lag"
          " WHERE node = ?1 AND time BETWEEN ?2 AND ?3 GROUP BY topic, partition, time / ?4"
          " ORDER BY topic, partition, t"
        : "SELECT topic, partition, time, lag FROM lag"
          " WHERE node = ?1 AND time BETWEEN ?2 AND ?3 ORDER BY topic, partition, time";
    Statement query(m_db, sql);
    if (!query.ok())
        return result;
    query.bindRange(nodeId, fromMs, toMs, bucketMs);
    while (query.step() == SQLITE_ROW) {
        const QString key = QStringLiteral("%1/%2").arg(query.text(0)).arg(query.integer(1));
        result[key].append(QPointF(double(query.integer(2)), double(query.integer(3))));
    }
    return result;
}

QStringList HistoryStore::nodeIds() const
{
    QStringList result;
    if (!m_db)
        return result;
    Statement query(m_db, "SELECT DISTINCT node FROM samples ORDER BY node");
    while (query.ok() && query.step() == SQLITE_ROW)
        result.append(query.text(0));
    return result;
}

int HistoryStore::prune(qint64 nowMs)
{
    if (!m_db)
        return -1;
    m_lastPruneMs = nowMs;
    const qint64 cutoff = nowMs - m_retentionMs;
    Statement deleteSamples(m_db, "DELETE FROM samples WHERE time < ?1");
    Statement deleteLag(m_db, "DELETE FROM lag WHERE time < ?1");
    if (!deleteSamples.ok() || !deleteLag.ok()) {
        setError(QStringLiteral("prune"));
        return -1;
    }
    deleteSamples.bind(1, cutoff);
    if (deleteSamples.step() != SQLITE_DONE) {
        setError(QStringLiteral("prune"));
        return -1;
    }
    const int deleted = sqlite3_changes(m_db);
    deleteLag.bind(1, cutoff);
    if (deleteLag.step() != SQLITE_DONE) {
        setError(QStringLiteral("prune"));
        return -1;
    }
    return deleted;
}

} // namespace aldis::ui

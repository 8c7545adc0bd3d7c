// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QPointF>
#include <QString>
#include <QStringList>

#include <cstdint>

struct sqlite3;

namespace aldis::ui {

// Consumer lag of one topic partition at one moment.
struct LagPoint {
    QString topic;
    int partition = 0;
    qint64 lag = 0;
};

// One node's numbers at one moment, as kept for the charts.
struct HistorySample {
    qint64 timeMs = 0;
    double p50Ms = 0;
    double p95Ms = 0;
    double p99Ms = 0;
    double publicationsPerS = 0;
    double deliveriesPerS = 0;
    qint64 connections = 0;
    QList<LagPoint> lag;
};

// One sample to append, with the node it belongs to.
struct NodeSample {
    QString nodeId;
    HistorySample sample;
};

// The control room's local history of lag, latency and throughput, so that charts show
// the last hours after a restart, not only "now". One SQLite file (WAL), written once
// per second with every node's sample in one transaction, pruned beyond the retention
// (48 h by default) at most every ten minutes.
//
// Thread: the GUI thread (the writes are a few rows a second; WAL with
// synchronous=NORMAL keeps them well under a millisecond). Owned by the control room
// (runControlRoom) or by a test; not copyable.
class HistoryStore {
public:
    static constexpr qint64 kDefaultRetentionMs = 48LL * 3600 * 1000;

    // The sample of a `stats` message (docs/admin-api.md) taken at `timeMs`.
    static HistorySample sampleFromStats(const QJsonObject& stats, qint64 timeMs);

    // QStandardPaths::AppDataLocation + "/history.db".
    static QString defaultPath();

    explicit HistoryStore(QString path, qint64 retentionMs = kDefaultRetentionMs);
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    // Creates the folder, the file and the schema when missing. False with
    // lastError() set when the file cannot be used; the control room then runs without
    // history (charts show what arrives while it runs).
    bool open();
    bool isOpen() const { return m_db != nullptr; }
    QString path() const { return m_path; }
    QString lastError() const { return m_lastError; }

    // Appends the samples in one transaction; prunes old rows when the last prune is
    // ten minutes behind the newest sample.
    bool append(const QList<NodeSample>& samples);

    // Samples of a node with fromMs <= time <= toMs, oldest first. With bucketMs > 0
    // the samples are averaged per bucket of that width (P99 and lag take the maximum so
    // that a spike stays visible), which keeps a 24 h chart at a few hundred points.
    QList<HistorySample> samples(const QString& nodeId, qint64 fromMs, qint64 toMs,
                                 qint64 bucketMs = 0) const;
    // Lag of a node per "topic/partition", points (time ms, lag), oldest first.
    QMap<QString, QList<QPointF>> lag(const QString& nodeId, qint64 fromMs, qint64 toMs,
                                      qint64 bucketMs = 0) const;
    // Node ids that have samples, sorted.
    QStringList nodeIds() const;

    // Deletes rows older than nowMs - retention. Returns the number of samples deleted,
    // or -1 on error.
    int prune(qint64 nowMs);

private:
    bool exec(const char* sql);
    void setError(const QString& what);

    QString m_path;
    qint64 m_retentionMs;
    sqlite3* m_db = nullptr;
    qint64 m_lastPruneMs = 0;
    QString m_lastError;
};

} // namespace aldis::ui

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/event_store.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace aldis::config {
struct StoreConfig;
}

namespace aldis::store {

struct SqliteStoreOptions {
    std::filesystem::path path;                 // the database file; its folder is created
    bool synchronousFull = true;                // PRAGMA synchronous=FULL, else NORMAL
    Millis commitWindow{0};                     // how long a batch waits for more requests
    std::uint32_t commitBatch = 4096;           // most requests in one transaction
    Millis dedupWindow{std::chrono::hours(24)}; // how long an idempotency key is remembered
    Millis sweepInterval{std::chrono::seconds(30)}; // period of the TTL / dedup sweep
    Millis busyTimeout{std::chrono::seconds(5)};    // wait for a lock held by another process
};

// The EventStore on one local SQLite file (WAL journal, group commit).
//
// Threads and ownership: the owner (the node) creates it, calls open() once and
// close() (or destroys it) once. Every other method may be called from any thread and
// returns at once. The store runs two threads of its own:
//   - the writer thread owns the write connection. It runs append() and
//     savePosition() in queue order, many requests per transaction, assigns offsets
//     inside the transaction, and runs the retention sweep between batches. Their
//     callbacks run on this thread, in queue order, only after COMMIT succeeded.
//   - the reader thread owns a second connection (query_only; WAL lets it read while
//     the writer writes) and runs read(), channelState() and loadPosition() in queue
//     order; their callbacks run there. Each read sees one committed snapshot.
// A callback must not call close() and must not block for long: it holds up every
// request behind it. One process per database file: the offset cache assumes this
// store is the file's only writer. Before open() succeeded and after close(), requests are failed at
// once on the calling thread with ErrorCode::unavailable.
//
// Contract details of this backend:
//   - A channel that was never written has no row: read() and channelState() answer
//     epoch "" and lastOffset 0 ("no stream yet") and create nothing. The epoch is
//     created (16 random hex characters) and persisted by the channel's first append,
//     so it is stable across restarts from then on.
//   - AppendRequest::ts 0 means "now". A keyed append is a duplicate when the same
//     (channel, key) was appended less than dedupWindow ago (by publication ts).
//   - Retention by size is applied in the same transaction as the appends that
//     exceed it. Retention by age deletes the oldest publications of a channel while
//     their ts is older than historyTtl (a prefix, so the kept history never has a
//     hole); historyTtl <= 0 means no age limit. A channel's retention is the one of
//     its latest append in this process. Retention never changes lastOffset or epoch.
//   - read(): `after` applies in both directions; limit 0 returns the state only.
//   - A failed transaction (disk full, I/O error, lock timeout) fails every request
//     of its batch with ErrorCode::unavailable, retryable; nothing of it is stored
//     and no offset is consumed, and the store goes on with the next batch (it works
//     again when the disk does). One exception: when a commit's fsync failed and the
//     process dies before another commit, crash recovery may keep that transaction
//     (README.md, "Failures of the disk"): stored though refused, never the reverse.
class SqliteStore final : public EventStore {
public:
    explicit SqliteStore(SqliteStoreOptions options);
    ~SqliteStore() override;

    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    Result<void> open() override;
    void close() override;

    void append(AppendRequest request, AppendCallback callback) override;
    void read(ReadRequest request, ReadCallback callback) override;
    void channelState(std::string channel, StateCallback callback) override;
    void ensureChannel(std::string channel, StateCallback callback) override;

    void savePosition(std::string user, std::string durable, std::string channel,
                      Position position, DoneCallback callback) override;
    void loadPosition(std::string user, std::string durable, std::string channel,
                      PositionCallback callback) override;

    std::string backendName() const override { return "sqlite"; }
    StoreStats stats() const override;
    const SqliteStoreOptions& options() const { return m_options; }

private:
    struct Impl;

    SqliteStoreOptions m_options;
    std::unique_ptr<Impl> m_impl;
};

// The store described by the configuration (backend "sqlite"). The path must be set
// (the config loader defaults it to <data_dir>/aldis.db); open() fails otherwise.
std::unique_ptr<EventStore> makeSqliteStore(const config::StoreConfig& config);

} // namespace aldis::store

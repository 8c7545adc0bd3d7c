// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/event_store.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace aldis::config {
struct StoreConfig;
}

namespace aldis::store {

struct PostgresStoreOptions {
    std::string url;                            // libpq URL or key=value settings
    bool synchronousCommit = true;              // synchronous_commit on (full) or off (normal)
    unsigned poolSize = 4;                      // connections: writers + readers
    Millis commitWindow{0};                     // how long a batch waits for more requests
    std::uint32_t commitBatch = 4096;           // most requests in one transaction
    Millis dedupWindow{std::chrono::hours(24)}; // how long an idempotency key is remembered
    Millis sweepInterval{std::chrono::seconds(30)}; // period of the TTL / dedup sweep

    // Half the pool writes (at least one writer), the rest reads (at least one reader).
    unsigned writers() const { return std::max(1u, poolSize / 2); }
    unsigned readers() const { return poolSize > writers() ? poolSize - writers() : 1u; }
};

// The EventStore on a PostgreSQL database that several nodes (processes) share: the
// database assigns each channel's offsets, so the nodes of a region never disagree.
//
// Threads and ownership: the owner (the node) creates it, calls open() once and
// close() (or destroys it) once. Every other method may be called from any thread and
// returns at once. The store runs threads of its own, each with its own connection:
//   - writers() writer threads. A channel belongs to one writer (by hash), which runs
//     its append(), ensureChannel() and savePosition() in queue order, many requests
//     per transaction (group commit). Their callbacks run on that writer's thread, in
//     queue order, only after COMMIT succeeded; so a channel's appends are answered
//     in offset order.
//   - readers() reader threads sharing one queue for read(), channelState() and
//     loadPosition(). Each read sees one committed snapshot; reads are not ordered
//     among themselves.
// A callback must not call close() and must not block for long: it holds up every
// request behind it. Before open() succeeded and after close(), requests are failed
// at once on the calling thread with ErrorCode::unavailable.
//
// Contract details of this backend (the rest is the SQLite backend's, see
// sqlite_store.h):
//   - Offsets are assigned under a row lock on the channel's row, held until COMMIT:
//     whatever the number of nodes, a channel's offsets are 1, 2, 3, ... and are
//     committed in that order (when offset N is visible, every offset below it is).
//     Nothing caches a channel's last offset between transactions; epochs are cached
//     (they never change).
//   - A channel's epoch is proposed by the first transaction that creates its row;
//     the first proposal committed wins, for every node.
//   - Text must not hold a NUL byte (PostgreSQL cannot store it): such a request
//     fails alone with ErrorCode::bad_request, before its batch runs.
//   - A failed transaction (lost connection, server error) fails every request of its
//     batch with ErrorCode::unavailable, retryable, naming the server and the cause;
//     nothing of it is stored and no offset is consumed. A serialization failure or a
//     deadlock is retried once first. The writer reconnects with the next batch.
//     If the connection is lost during COMMIT itself, the batch is failed too,
//     although it may have been stored: nothing is acknowledged unless committed,
//     and a keyed append retried later is answered as a duplicate.
//   - Retention by size runs in the appending transaction; retention by age is each
//     writer's sweep of the channels it appended to in this process.
class PostgresStore final : public EventStore {
public:
    explicit PostgresStore(PostgresStoreOptions options);
    ~PostgresStore() override;

    PostgresStore(const PostgresStore&) = delete;
    PostgresStore& operator=(const PostgresStore&) = delete;

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

    Result<std::vector<bool>> replicate(const std::vector<ReplicaPublication>& batch) override;
    Result<std::uint64_t> renewEpochs(const std::string& prefix) override;

    std::string backendName() const override { return "postgresql"; }
    StoreStats stats() const override;
    const PostgresStoreOptions& options() const { return m_options; }

private:
    struct Impl;

    PostgresStoreOptions m_options;
    std::unique_ptr<Impl> m_impl;
};

// The store described by the configuration (backend "postgresql").
std::unique_ptr<EventStore> makePostgresStore(const config::StoreConfig& config);

} // namespace aldis::store

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/postgres_connection.h"
#include "store/postgres_store.h"
#include "store/store_requests.h"

#include <pqxx/transaction>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace aldis::store::detail {

struct BatchPlan;

// One writer of the PostgresStore: its connection, its thread and queue (group
// commit), the epochs of its channels (cached: they never change), and the retention
// sweep of the channels it appended to. The store routes every request of a channel
// to the same writer. See postgres_store.h for the contract and README.md for the
// design.
//
// Threads: open(), start(), stop() and release() are called by the PostgresStore's
// open() and close(), one at a time. enqueue() and stats() may be called from any
// thread. Everything else runs on the writer thread that start() creates, which owns
// the session and the caches until stop() returns; the callbacks of the queued
// requests run there. Owned by the PostgresStore.
class PostgresWriter {
public:
    // `trimsKeys`: this writer also deletes the expired idempotency rows (one per
    // process is enough).
    PostgresWriter(const PostgresStoreOptions& options, const ServerAddress& server, bool trimsKeys);
    PostgresWriter(const PostgresWriter&) = delete;
    PostgresWriter& operator=(const PostgresWriter&) = delete;

    // Opens the connection (synchronous_commit set, statements prepared).
    Result<void> open();
    // Accepts requests and starts the writer thread.
    void start();
    // Refuses new requests, lets the thread commit (or fail) what is queued, and joins
    // it.
    void stop();
    // Closes the connection and forgets the caches.
    void release();

    // Queues a request; with the writer stopped, fails it at once on this thread.
    void enqueue(WriteOp op);
    StoreStats stats() const;

private:
    // A channel's row, read under its lock.
    struct ChannelRow {
        std::string epoch;
        std::uint64_t lastOffset = 0;
    };
    using ChannelRows = std::unordered_map<std::string, ChannelRow>;
    // Idempotency rows found for the batch's keys, by channelKey().
    struct KeyRow {
        std::uint64_t offset = 0;
        std::int64_t ts = 0;
    };
    using KeyRows = std::unordered_map<std::string, KeyRow>;

    void loop();
    void commit(std::deque<WriteOp>& batch);
    // Fails, alone, the requests PostgreSQL could not store, and removes them.
    void refuseUnstorable(std::deque<WriteOp>& batch);
    // One attempt at the whole batch, COMMIT included; throws what libpqxx throws.
    BatchPlan runTransaction(pqxx::connection& connection, const std::deque<WriteOp>& batch);
    ChannelRows lockChannels(pqxx::work& txn, const std::deque<WriteOp>& batch);
    KeyRows findKeys(pqxx::work& txn, const std::deque<WriteOp>& batch);
    BatchPlan plan(const std::deque<WriteOp>& batch, ChannelRows& rows, const KeyRows& keys,
                   std::int64_t now) const;
    void write(pqxx::work& txn, const BatchPlan& plan);
    void answer(std::deque<WriteOp>& batch, BatchPlan& plan);
    void fail(std::deque<WriteOp>& batch, const std::string& cause);
    void sweep();
    std::string newEpoch();

    const PostgresStoreOptions& m_options;
    const ServerAddress& m_server;
    const bool m_trimsKeys;

    // m_session, m_epochs, m_retention and m_random belong to the writer thread while
    // it runs.
    PgSession m_session;
    std::unordered_map<std::string, std::string> m_epochs;   // committed epochs
    std::unordered_map<std::string, Retention> m_retention;  // latest per channel
    std::random_device m_random;

    std::mutex m_mutex;          // guards m_queue and m_accepting
    std::condition_variable m_cv;
    std::deque<WriteOp> m_queue;
    bool m_accepting = false;
    std::thread m_thread;

    std::atomic<std::uint64_t> m_commits{0};
    std::atomic<std::uint64_t> m_appends{0};
    std::atomic<std::uint64_t> m_duplicates{0};
    std::atomic<std::uint64_t> m_failedCommits{0};
};

} // namespace aldis::store::detail

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/failure_log.h"
#include "store/sqlite_statement.h"
#include "store/sqlite_store.h"
#include "store/store_requests.h"

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

// The write side of the SqliteStore: the write connection, the writer thread and its
// queue (group commit), the cache of each channel's epoch and last offset, and the
// retention sweep. See sqlite_store.h for the contract and README.md for the design.
//
// Threads: open(), prepare(), start(), stop() and release() are called by the
// SqliteStore's open() and close(), one at a time. enqueue() and stats() may be
// called from any thread. Everything else runs on the writer thread that start()
// creates, which owns the connection, its statements and the cache until stop()
// returns; the callbacks of the queued requests run there. Owned by the SqliteStore.
class SqliteWriter {
public:
    explicit SqliteWriter(const SqliteStoreOptions& options)
        : m_options(options), m_commitLog("commits to '" + options.path.string() + "'"),
          m_checkpointLog("checkpoints of '" + options.path.string() + "'"),
          m_sweepLog("retention sweeps of '" + options.path.string() + "'")
    {
    }
    SqliteWriter(const SqliteWriter&) = delete;
    SqliteWriter& operator=(const SqliteWriter&) = delete;

    // Opens the write connection (creating the file): WAL journal, synchronous mode,
    // schema migrations.
    Result<void> open();
    Result<void> prepare();
    // Accepts requests and starts the writer thread.
    void start();
    // Refuses new requests, lets the thread commit (or fail) what is queued, and joins
    // it.
    void stop();
    // Finalizes the statements, closes the connection and forgets the cache.
    void release();

    // Queues a request; with the writer stopped, fails it at once on this thread.
    void enqueue(WriteOp op);
    StoreStats stats() const;

private:
    struct ChannelEntry {
        std::string epoch;
        std::uint64_t lastOffset = 0;
        std::uint64_t touchedBy = 0; // the last batch that appended to it
        Retention retention;         // of the latest append in that batch
    };

    struct Statements {
        Statement begin, commit, rollback;
        Statement selectChannel, upsertChannel;
        Statement selectKey, upsertKey, trimKeys;
        Statement insertPublication, trimUpTo, agePrefix;
        Statement upsertPosition;
    };

    void loop();
    void commit(std::deque<WriteOp>& batch);
    bool applyAppend(const AppendRequest& request, std::int64_t now, AppendResult& result,
                     std::vector<std::string>& touched);
    bool applyPosition(const PositionOp& op);
    bool applyEnsure(const std::string& channel, ChannelState& state);
    bool loadChannel(const std::string& channel, ChannelEntry*& entry);
    bool finishChannels(const std::vector<std::string>& touched);
    void sweep();
    void checkpoint();
    static int walHook(void* self, sqlite3* db, const char* name, int frames);
    bool run(Statement& statement);
    std::string newEpoch();

    const SqliteStoreOptions& m_options;

    // m_db, m_s, m_channels, m_retention, m_random, m_lastError, m_batch, the logs and
    // the checkpoint state belong to the writer thread while it runs.
    Connection m_db;
    Statements m_s;
    std::unordered_map<std::string, ChannelEntry> m_channels;  // committed state cache
    std::unordered_map<std::string, Retention> m_retention;    // latest per channel
    std::random_device m_random;
    std::string m_lastError;
    std::uint64_t m_batch = 0; // number of the batch being committed
    FailureLog m_commitLog;
    FailureLog m_checkpointLog;
    FailureLog m_sweepLog;
    int m_walFrames = 0;                    // frames in the WAL after the last commit
    Clock::time_point m_nextCheckpoint{};   // not before, after a failed one

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

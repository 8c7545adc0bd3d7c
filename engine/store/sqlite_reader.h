// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/sqlite_statement.h"
#include "store/sqlite_store.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace aldis::store::detail {

// The read side of the SqliteStore: a second connection (query_only; WAL lets it read
// while the writer writes) and the reader thread that runs read(), channelState() and
// loadPosition() in queue order. Each read sees one committed snapshot.
//
// Threads: open(), prepare(), start(), stop() and release() are called by the
// SqliteStore's open() and close(), one at a time. enqueue() may be called from any
// thread. The read functions run on the reader thread that start() creates (inside a
// Task), which owns the connection and its statements until stop() returns. Owned by
// the SqliteStore.
class SqliteReader {
public:
    // Runs on the reader thread with the reader, or on the calling thread with nullptr
    // when the store is not open: it must then fail its callback.
    using Task = std::function<void(SqliteReader*)>;

    explicit SqliteReader(const SqliteStoreOptions& options) : m_options(options) {}
    SqliteReader(const SqliteReader&) = delete;
    SqliteReader& operator=(const SqliteReader&) = delete;

    // Opens the read connection on the file the writer created and migrated.
    Result<void> open();
    Result<void> prepare();
    // Accepts tasks and starts the reader thread.
    void start();
    // Refuses new tasks, lets the thread run what is queued, and joins it.
    void stop();
    // Finalizes the statements and closes the connection.
    void release();

    void enqueue(Task task);

    // Reader thread.
    Result<ReadResult> readPublications(const ReadRequest& request);
    // lastOffset and firstOffset from one snapshot.
    Result<ChannelState> readChannelState(const std::string& channel);
    Result<std::optional<Position>> readPosition(const std::string& user, const std::string& durable,
                                                 const std::string& channel);

private:
    struct Statements {
        Statement begin, end, rollback;
        Statement selectChannel, firstOffset;
        Statement readAscending, readDescending;
        Statement selectPosition;
    };

    void loop();
    // The channel's state, inside a read transaction the caller began.
    Result<ChannelState> readState(const std::string& channel);
    int beginRead(); // SQLITE_DONE when a read transaction (one snapshot) started
    Error readFailure(int rc);

    const SqliteStoreOptions& m_options;

    // m_db and m_s belong to the reader thread while it runs.
    Connection m_db;
    Statements m_s;

    std::mutex m_mutex;          // guards m_queue and m_accepting
    std::condition_variable m_cv;
    std::deque<Task> m_queue;
    bool m_accepting = false;
    std::thread m_thread;
};

} // namespace aldis::store::detail

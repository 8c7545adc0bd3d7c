// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/postgres_connection.h"
#include "store/postgres_store.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace aldis::store::detail {

// One reader connection of the PostgresStore and the reads it runs. Each read sees
// one committed snapshot: a single statement, or a REPEATABLE READ, READ ONLY
// transaction when it takes two. A lost connection fails the read (unavailable,
// retryable) and is reopened by the next one.
//
// Threads: belongs to one reader thread of the PostgresReaderPool (open() and close()
// on the thread that opens or closes the store).
class PostgresReader {
public:
    explicit PostgresReader(const ServerAddress& server);

    Result<void> open();
    void close();

    Result<ReadResult> readPublications(const ReadRequest& request);
    // lastOffset and firstOffset from one snapshot.
    Result<ChannelState> readChannelState(const std::string& channel);
    Result<std::optional<Position>> readPosition(const std::string& user, const std::string& durable,
                                                 const std::string& channel);

private:
    // Runs `read` on the connection; a failure becomes the reader's error.
    template <typename T, typename Read>
    Result<T> run(Read read);

    const ServerAddress& m_server;
    PgSession m_session;
};

// The read side of the PostgresStore: readers() threads, each with its own
// PostgresReader, taking tasks from one shared queue, so a slow read does not hold up
// the others. Reads are not ordered among themselves.
//
// Threads: open(), start(), stop() and release() are called by the PostgresStore's
// open() and close(), one at a time. enqueue() may be called from any thread; the
// tasks and their callbacks run on the reader threads. Owned by the PostgresStore.
class PostgresReaderPool {
public:
    // Runs on a reader thread with its reader, or on the calling thread with nullptr
    // when the store is not open: it must then fail its callback.
    using Task = std::function<void(PostgresReader*)>;

    PostgresReaderPool(const ServerAddress& server, unsigned readers);
    PostgresReaderPool(const PostgresReaderPool&) = delete;
    PostgresReaderPool& operator=(const PostgresReaderPool&) = delete;

    Result<void> open();
    // Accepts tasks and starts the reader threads.
    void start();
    // Refuses new tasks, lets the threads run what is queued, and joins them.
    void stop();
    void release();

    void enqueue(Task task);

private:
    void loop(PostgresReader& reader);

    std::vector<std::unique_ptr<PostgresReader>> m_readers;
    std::vector<std::thread> m_threads;

    std::mutex m_mutex;          // guards m_queue and m_accepting
    std::condition_variable m_cv;
    std::deque<Task> m_queue;
    bool m_accepting = false;
};

} // namespace aldis::store::detail

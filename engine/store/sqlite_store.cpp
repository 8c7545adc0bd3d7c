// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite_store.h"

#include "config/config.h"
#include "store/sqlite_reader.h"
#include "store/sqlite_statement.h"
#include "store/sqlite_writer.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace aldis::store {

using detail::closedError;
using detail::SqliteReader;

// Opens and closes the two sides of the store: the writer (sqlite_writer.h) and the
// reader (sqlite_reader.h), each with its own connection and thread. open() and
// close() run on the owner's thread, serialised by m_lifecycleMutex.
struct SqliteStore::Impl {
    explicit Impl(SqliteStoreOptions options)
        : m_options(std::move(options)), m_writer(m_options), m_reader(m_options)
    {
    }

    Result<void> open();
    void close();
    // Closes the read connection first, so that closing the writer's, the last
    // connection, checkpoints the WAL into the database file.
    void releaseConnections();
    void releaseLock();

    const SqliteStoreOptions m_options;

    std::mutex m_lifecycleMutex; // serialises open() and close()
    bool m_open = false;
    // An exclusive flock on "<path>.lock" while open: offsets are assigned by this
    // process's writer, so a second node on the same file would hand out the same
    // offsets twice. The lock makes that a clear start-up error instead.
    int m_lockFd = -1;

    detail::SqliteWriter m_writer;
    SqliteReader m_reader;
};

// ---------------------------------------------------------------------------------
// Opening and closing

void SqliteStore::Impl::releaseConnections()
{
    m_reader.release();
    m_writer.release();
}

void SqliteStore::Impl::releaseLock()
{
    if (m_lockFd >= 0) {
        ::close(m_lockFd); // releases the flock
        m_lockFd = -1;
    }
}

Result<void> SqliteStore::Impl::open()
{
    std::lock_guard lifecycle(m_lifecycleMutex);
    if (m_open)
        return makeError(ErrorCode::internal, "the event store is already open");
    if (m_options.path.empty()) {
        return makeError(ErrorCode::unavailable,
                         "no event store path is configured: set store.path");
    }
    if (const auto folder = m_options.path.parent_path(); !folder.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(folder, ec);
        if (ec) {
            return makeError(ErrorCode::unavailable,
                             "cannot create the folder '" + folder.string()
                                 + "' for the event store: " + ec.message());
        }
    }

    const auto lockPath = m_options.path.string() + ".lock";
    m_lockFd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_lockFd < 0)
        return makeError(ErrorCode::unavailable, "cannot create the store's lock file '" + lockPath + "': "
                                                     + std::strerror(errno));
    if (::flock(m_lockFd, LOCK_EX | LOCK_NB) != 0) {
        ::close(m_lockFd);
        m_lockFd = -1;
        return makeError(ErrorCode::unavailable,
                         "another aldis process is using the event store '" + m_options.path.string()
                             + "'; stop it, watch it with `aldis --connect http://127.0.0.1:8801`, or give this "
                               "node its own store.path or node.data_dir");
    }

    auto fail = [this](Error error) -> Result<void> {
        releaseConnections();
        releaseLock();
        return error;
    };

    // The writer's connection first: it creates the file and migrates the schema the
    // reader then reads.
    if (auto r = m_writer.open(); !r)
        return fail(r.error());
    if (auto r = m_reader.open(); !r)
        return fail(r.error());
    if (auto r = m_writer.prepare(); !r)
        return fail(r.error());
    if (auto r = m_reader.prepare(); !r)
        return fail(r.error());

    // The reader starts first and stops last: writer callbacks may queue reads.
    m_reader.start();
    m_writer.start();
    m_open = true;
    return {};
}

void SqliteStore::Impl::close()
{
    std::lock_guard lifecycle(m_lifecycleMutex);
    if (!m_open)
        return;
    // The writer stops first: its callbacks may still queue reads, which the reader
    // then drains.
    m_writer.stop();
    m_reader.stop();
    releaseConnections();
    releaseLock();
    m_open = false;
}

// ---------------------------------------------------------------------------------
// SqliteStore

SqliteStore::SqliteStore(SqliteStoreOptions options)
    : m_options(std::move(options)), m_impl(std::make_unique<Impl>(m_options))
{
}

SqliteStore::~SqliteStore()
{
    close();
}

Result<void> SqliteStore::open()
{
    return m_impl->open();
}

void SqliteStore::close()
{
    m_impl->close();
}

void SqliteStore::append(AppendRequest request, AppendCallback callback)
{
    m_impl->m_writer.enqueue(detail::AppendOp{std::move(request), std::move(callback)});
}

void SqliteStore::savePosition(std::string user, std::string durable, std::string channel,
                               Position position, DoneCallback callback)
{
    m_impl->m_writer.enqueue(detail::PositionOp{std::move(user), std::move(durable), std::move(channel),
                                                std::move(position), std::move(callback)});
}

void SqliteStore::ensureChannel(std::string channel, StateCallback callback)
{
    m_impl->m_writer.enqueue(detail::EnsureOp{std::move(channel), std::move(callback)});
}

void SqliteStore::read(ReadRequest request, ReadCallback callback)
{
    m_impl->m_reader.enqueue([request = std::move(request),
                              callback = std::move(callback)](SqliteReader* reader) {
        callback(reader ? reader->readPublications(request) : Result<ReadResult>(closedError()));
    });
}

void SqliteStore::channelState(std::string channel, StateCallback callback)
{
    m_impl->m_reader.enqueue([channel = std::move(channel),
                              callback = std::move(callback)](SqliteReader* reader) {
        callback(reader ? reader->readChannelState(channel) : Result<ChannelState>(closedError()));
    });
}

void SqliteStore::loadPosition(std::string user, std::string durable, std::string channel,
                               PositionCallback callback)
{
    m_impl->m_reader.enqueue([user = std::move(user), durable = std::move(durable),
                              channel = std::move(channel),
                              callback = std::move(callback)](SqliteReader* reader) {
        callback(reader ? reader->readPosition(user, durable, channel)
                        : Result<std::optional<Position>>(closedError()));
    });
}

StoreStats SqliteStore::stats() const
{
    return m_impl->m_writer.stats();
}

std::unique_ptr<EventStore> makeSqliteStore(const config::StoreConfig& config)
{
    SqliteStoreOptions options;
    options.path = config.path;
    options.synchronousFull = config.synchronous != "normal";
    options.commitWindow = config.commitWindow;
    options.commitBatch = config.commitBatch;
    options.dedupWindow = config.dedupWindow;
    return std::make_unique<SqliteStore>(std::move(options));
}

} // namespace aldis::store

// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite_reader.h"

#include <algorithm>

namespace aldis::store::detail {

// ---------------------------------------------------------------------------------
// Opening and closing (the thread that opens or closes the store)

Result<void> SqliteReader::open()
{
    if (const int rc = m_db.open(m_options.path, SQLITE_OPEN_READWRITE, m_options.busyTimeout);
        rc != SQLITE_OK)
        return openFailure(m_options.path, m_db.get(), rc);
    if (const int rc = sqlite3_exec(m_db.get(), "PRAGMA query_only=1", nullptr, nullptr, nullptr);
        rc != SQLITE_OK)
        return openFailure(m_options.path, m_db.get(), rc);
    return {};
}

Result<void> SqliteReader::prepare()
{
    struct Entry {
        Statement& statement;
        const char* sql;
    };
    const Entry entries[] = {
        {m_s.begin, "BEGIN"},
        {m_s.end, "COMMIT"},
        {m_s.rollback, "ROLLBACK"},
        {m_s.selectChannel, "SELECT epoch, last_offset FROM channels WHERE channel = ?1"},
        {m_s.firstOffset,
         "SELECT offset FROM publications WHERE channel = ?1 ORDER BY offset LIMIT 1"},
        {m_s.readAscending,
         "SELECT offset, data, ts, user, key FROM publications "
         "WHERE channel = ?1 AND offset > ?2 AND offset <= ?3 ORDER BY offset LIMIT ?4"},
        {m_s.readDescending,
         "SELECT offset, data, ts, user, key FROM publications "
         "WHERE channel = ?1 AND offset > ?2 AND offset <= ?3 ORDER BY offset DESC LIMIT ?4"},
        {m_s.selectPosition,
         "SELECT epoch, offset FROM positions WHERE user = ?1 AND durable = ?2 AND channel = ?3"},
    };
    for (const Entry& e : entries) {
        if (const int rc = e.statement.prepare(m_db.get(), e.sql); rc != SQLITE_OK)
            return openFailure(m_options.path, m_db.get(), rc);
    }
    return {};
}

void SqliteReader::start()
{
    {
        std::lock_guard lock(m_mutex);
        m_accepting = true;
    }
    m_thread = std::thread([this] { loop(); });
}

void SqliteReader::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_accepting = false;
    }
    m_cv.notify_all();
    m_thread.join();
}

void SqliteReader::release()
{
    for (Statement* s : {&m_s.begin, &m_s.end, &m_s.rollback, &m_s.selectChannel,
                         &m_s.firstOffset, &m_s.readAscending, &m_s.readDescending,
                         &m_s.selectPosition})
        s->finalize();
    m_db.close();
}

// ---------------------------------------------------------------------------------
// Reader thread (enqueue(): any thread)

void SqliteReader::enqueue(Task task)
{
    bool queued = false;
    bool wake = false;
    {
        std::lock_guard lock(m_mutex);
        if (m_accepting) {
            m_queue.push_back(std::move(task));
            queued = true;
            wake = m_queue.size() == 1;
        }
    }
    if (!queued) {
        task(nullptr);
        return;
    }
    if (wake)
        m_cv.notify_one();
}

void SqliteReader::loop()
{
    std::deque<Task> tasks;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return !m_queue.empty() || !m_accepting; });
            if (m_queue.empty())
                break;
            tasks.swap(m_queue);
        }
        for (Task& task : tasks)
            task(this);
        tasks.clear();
    }
}

Error SqliteReader::readFailure(int rc)
{
    Error error = makeError(ErrorCode::unavailable,
                            "the event store could not read '" + m_options.path.string()
                                + "': " + describe(m_db.get(), rc),
                            true);
    if (!sqlite3_get_autocommit(m_db.get())) {
        m_s.rollback.step();
        m_s.rollback.reset();
    }
    return error;
}

int SqliteReader::beginRead()
{
    const int rc = m_s.begin.step();
    m_s.begin.reset();
    return rc;
}

Result<ChannelState> SqliteReader::readState(const std::string& channel)
{
    ChannelState state;
    Statement& s = m_s.selectChannel;
    s.bind(1, channel);
    int rc = s.step();
    if (rc == SQLITE_ROW) {
        state.epoch = s.text(0);
        state.lastOffset = static_cast<std::uint64_t>(s.integer(1));
    }
    s.reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return readFailure(rc);

    Statement& first = m_s.firstOffset;
    first.bind(1, channel);
    rc = first.step();
    if (rc == SQLITE_ROW)
        state.firstOffset = static_cast<std::uint64_t>(first.integer(0));
    first.reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return readFailure(rc);
    return state;
}

Result<ReadResult> SqliteReader::readPublications(const ReadRequest& request)
{
    if (const int rc = beginRead(); rc != SQLITE_DONE)
        return readFailure(rc);
    auto state = readState(request.channel);
    if (!state)
        return state.error();

    ReadResult result;
    result.state = std::move(*state);
    if (request.limit > 0) {
        Statement& s = request.reverse ? m_s.readDescending : m_s.readAscending;
        s.bind(1, request.channel);
        s.bind(2, toSql(request.after));
        s.bind(3, request.upTo ? toSql(*request.upTo) : kMaxSqlInteger);
        s.bind(4, static_cast<std::int64_t>(request.limit));
        result.publications.reserve(std::min<std::uint32_t>(request.limit, 1024));
        int rc;
        while ((rc = s.step()) == SQLITE_ROW) {
            Publication p;
            p.channel = request.channel;
            p.offset = static_cast<std::uint64_t>(s.integer(0));
            p.data = s.text(1);
            p.ts = s.integer(2);
            p.user = s.text(3);
            p.key = s.text(4);
            result.publications.push_back(std::move(p));
        }
        s.reset();
        if (rc != SQLITE_DONE)
            return readFailure(rc);
    }
    const int rc = m_s.end.step();
    m_s.end.reset();
    if (rc != SQLITE_DONE)
        return readFailure(rc);
    return result;
}

Result<std::optional<Position>> SqliteReader::readPosition(const std::string& user,
                                                          const std::string& durable,
                                                          const std::string& channel)
{
    Statement& s = m_s.selectPosition;
    s.bind(1, user);
    s.bind(2, durable);
    s.bind(3, channel);
    std::optional<Position> position;
    const int rc = s.step();
    if (rc == SQLITE_ROW)
        position = Position{s.text(0), static_cast<std::uint64_t>(s.integer(1))};
    s.reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return readFailure(rc);
    return position;
}

Result<ChannelState> SqliteReader::readChannelState(const std::string& channel)
{
    // Two queries, one snapshot: lastOffset and firstOffset must agree.
    if (const int rc = beginRead(); rc != SQLITE_DONE)
        return readFailure(rc);
    auto state = readState(channel);
    if (state) {
        const int rc = m_s.end.step();
        m_s.end.reset();
        if (rc != SQLITE_DONE)
            state = readFailure(rc);
    }
    return state;
}

} // namespace aldis::store::detail

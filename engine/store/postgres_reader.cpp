// SPDX-License-Identifier: Apache-2.0
#include "store/postgres_reader.h"

#include "store/store_requests.h"

#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include <algorithm>
#include <limits>

namespace aldis::store::detail {

namespace {

const std::vector<PgSession::Prepared> kStatements = {
    // One statement, one snapshot: lastOffset and firstOffset agree.
    {"channel_state", R"sql(
        SELECT epoch, last_offset,
               (SELECT min("offset") FROM publications WHERE channel = $1)
        FROM channels WHERE channel = $1)sql"},
    {"read_ascending", R"sql(
        SELECT "offset", data, ts, "user", key FROM publications
        WHERE channel = $1 AND "offset" > $2 AND "offset" <= $3
        ORDER BY "offset" LIMIT $4)sql"},
    {"read_descending", R"sql(
        SELECT "offset", data, ts, "user", key FROM publications
        WHERE channel = $1 AND "offset" > $2 AND "offset" <= $3
        ORDER BY "offset" DESC LIMIT $4)sql"},
    {"select_position", R"sql(
        SELECT epoch, "offset" FROM positions
        WHERE "user" = $1 AND durable = $2 AND channel = $3)sql"},
};

constexpr std::int64_t kMaxOffset = std::numeric_limits<std::int64_t>::max();

std::int64_t toSql(std::uint64_t value)
{
    return static_cast<std::int64_t>(std::min<std::uint64_t>(value, kMaxOffset));
}

// A null column (no user, no key, no publication) reads as empty text or 0.
std::string textOf(const pqxx::field& field)
{
    return field.is_null() ? std::string() : std::string(field.c_str(), field.size());
}

std::uint64_t offsetOf(const pqxx::field& field)
{
    return field.is_null() ? 0 : static_cast<std::uint64_t>(field.as<std::int64_t>());
}

template <typename Transaction>
ChannelState readState(Transaction& txn, const std::string& channel)
{
    ChannelState state;
    const pqxx::result r = txn.exec_prepared("channel_state", channel);
    if (!r.empty()) {
        state.epoch = textOf(r[0][0]);
        state.lastOffset = offsetOf(r[0][1]);
        state.firstOffset = offsetOf(r[0][2]);
    }
    return state;
}

} // namespace

// ---------------------------------------------------------------------------------
// PostgresReader

PostgresReader::PostgresReader(const ServerAddress& server)
    : m_server(server), m_session(server, PgSession::Settings{std::nullopt, kStatements})
{
}

Result<void> PostgresReader::open()
{
    return m_session.open();
}

void PostgresReader::close()
{
    m_session.close();
}

template <typename T, typename Read>
Result<T> PostgresReader::run(Read read)
{
    std::string cause;
    auto connection = m_session.get();
    if (!connection) {
        cause = connection.error().message;
    } else {
        try {
            return read(**connection);
        } catch (const std::exception& e) {
            cause = cleanMessage(e.what(), m_server);
        }
        if (!(*connection)->is_open())
            m_session.lost();
    }
    return makeError(ErrorCode::unavailable,
                     "the event store could not read from " + m_server.name + ": " + cause, true);
}

Result<ReadResult> PostgresReader::readPublications(const ReadRequest& request)
{
    return run<ReadResult>([&](pqxx::connection& connection) {
        ReadResult result;
        if (request.limit == 0) {
            pqxx::nontransaction txn(connection);
            result.state = readState(txn, request.channel);
            return result;
        }
        // Two statements, one snapshot.
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(connection);
        result.state = readState(txn, request.channel);
        const pqxx::result rows =
            txn.exec_prepared(request.reverse ? "read_descending" : "read_ascending", request.channel,
                              toSql(request.after), request.upTo ? toSql(*request.upTo) : kMaxOffset,
                              static_cast<std::int64_t>(request.limit));
        txn.commit();
        result.publications.reserve(rows.size());
        for (const auto& row : rows) {
            Publication p;
            p.channel = request.channel;
            p.offset = offsetOf(row[0]);
            p.data = textOf(row[1]);
            p.ts = row[2].as<std::int64_t>();
            p.user = textOf(row[3]);
            p.key = textOf(row[4]);
            result.publications.push_back(std::move(p));
        }
        return result;
    });
}

Result<ChannelState> PostgresReader::readChannelState(const std::string& channel)
{
    return run<ChannelState>([&](pqxx::connection& connection) {
        pqxx::nontransaction txn(connection);
        return readState(txn, channel);
    });
}

Result<std::optional<Position>> PostgresReader::readPosition(const std::string& user, const std::string& durable,
                                                             const std::string& channel)
{
    return run<std::optional<Position>>([&](pqxx::connection& connection) {
        pqxx::nontransaction txn(connection);
        const pqxx::result r = txn.exec_prepared("select_position", user, durable, channel);
        std::optional<Position> position;
        if (!r.empty())
            position = Position{textOf(r[0][0]), offsetOf(r[0][1])};
        return position;
    });
}

// ---------------------------------------------------------------------------------
// PostgresReaderPool

PostgresReaderPool::PostgresReaderPool(const ServerAddress& server, unsigned readers)
{
    for (unsigned i = 0; i < std::max(readers, 1u); ++i)
        m_readers.push_back(std::make_unique<PostgresReader>(server));
}

Result<void> PostgresReaderPool::open()
{
    for (auto& reader : m_readers) {
        if (auto r = reader->open(); !r)
            return r;
    }
    return {};
}

void PostgresReaderPool::start()
{
    {
        std::lock_guard lock(m_mutex);
        m_accepting = true;
    }
    for (auto& reader : m_readers)
        m_threads.emplace_back([this, r = reader.get()] { loop(*r); });
}

void PostgresReaderPool::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_accepting = false;
    }
    m_cv.notify_all();
    for (auto& thread : m_threads)
        thread.join();
    m_threads.clear();
}

void PostgresReaderPool::release()
{
    for (auto& reader : m_readers)
        reader->close();
}

void PostgresReaderPool::enqueue(Task task)
{
    bool queued = false;
    {
        std::lock_guard lock(m_mutex);
        if (m_accepting) {
            m_queue.push_back(std::move(task));
            queued = true;
        }
    }
    if (!queued) {
        task(nullptr);
        return;
    }
    m_cv.notify_one();
}

void PostgresReaderPool::loop(PostgresReader& reader)
{
    for (;;) {
        Task task;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return !m_queue.empty() || !m_accepting; });
            if (m_queue.empty())
                break;
            task = std::move(m_queue.front());
            m_queue.pop_front();
        }
        task(&reader);
    }
}

} // namespace aldis::store::detail

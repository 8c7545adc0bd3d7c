// SPDX-License-Identifier: Apache-2.0
#include "store/postgres_store.h"

#include "config/config.h"
#include "store/postgres_array.h"
#include "store/postgres_reader.h"
#include "store/postgres_schema.h"
#include "store/postgres_writer.h"
#include "store/store_requests.h"

#include <pqxx/pqxx>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>

namespace aldis::store {

using detail::closedError;
using detail::PostgresReader;

// Opens and closes the two sides of the store: the writers (postgres_writer.h), each
// with the channels that hash to it, and the reader pool (postgres_reader.h). open()
// and close() run on the owner's thread, serialised by m_lifecycleMutex.
struct PostgresStore::Impl {
    // The writers and readers exist from the start (they connect in open()), so
    // requests before open() or after close() find them refusing, never missing.
    explicit Impl(const PostgresStoreOptions& options)
        : m_options(options),
          m_readers(std::make_unique<detail::PostgresReaderPool>(m_server, options.readers()))
    {
        for (unsigned i = 0; i < options.writers(); ++i)
            m_writers.push_back(std::make_unique<detail::PostgresWriter>(options, m_server, i == 0));
    }

    Result<void> open();
    void close();
    void release();
    detail::PostgresWriter& writerOf(const std::string& channel)
    {
        return *m_writers[std::hash<std::string>{}(channel) % m_writers.size()];
    }

    const PostgresStoreOptions& m_options;

    std::mutex m_lifecycleMutex; // serialises open() and close()
    bool m_open = false;
    // Set by open() before the writers and readers connect; they keep a reference.
    detail::ServerAddress m_server;
    std::vector<std::unique_ptr<detail::PostgresWriter>> m_writers;
    std::unique_ptr<detail::PostgresReaderPool> m_readers;

    // Mirroring (replicate(), renewEpochs()): one connection, made when first used.
    std::mutex m_replicaMutex;
    std::unique_ptr<detail::PgSession> m_replica;
    Result<pqxx::connection*> replicaSession();
};

// ---------------------------------------------------------------------------------
// Opening and closing

void PostgresStore::Impl::release()
{
    {
        std::lock_guard lock(m_replicaMutex);
        if (m_replica)
            m_replica->close();
        m_replica.reset();
    }
    for (auto& writer : m_writers)
        writer->release();
    m_readers->release();
}

Result<void> PostgresStore::Impl::open()
{
    std::lock_guard lifecycle(m_lifecycleMutex);
    if (m_open)
        return makeError(ErrorCode::internal, "the event store is already open");
    if (m_options.url.empty()) {
        return makeError(ErrorCode::unavailable,
                         "no event store URL is configured: set store.url (or ALDIS_STORE_URL) to the "
                         "PostgreSQL database, such as postgresql://aldis@db.example:5432/aldis");
    }
    auto server = detail::parseServerAddress(m_options.url);
    if (!server)
        return server.error();
    m_server = std::move(*server);

    auto openFailure = [this](const Error& cause) -> Result<void> {
        release();
        // libpq's messages sometimes end a sentence already ("... connections?").
        const bool ended = !cause.message.empty()
            && std::string_view(".?!").find(cause.message.back()) != std::string_view::npos;
        return makeError(ErrorCode::unavailable,
                         "cannot open the event store at " + m_server.name + ": " + cause.message + (ended ? "" : ".")
                             + " Check store.url, that the server is running and accepts connections, "
                               "and that the database exists.");
    };

    // Migrations first, on a connection of their own, so that the writers and
    // readers prepare their statements against the newest schema.
    {
        detail::PgSession migrator(m_server, {});
        if (auto r = migrator.open(); !r)
            return openFailure(r.error());
        if (auto r = detail::migrate(*migrator.get().value(), m_server); !r)
            return r;
    }

    for (auto& writer : m_writers) {
        if (auto r = writer->open(); !r)
            return openFailure(r.error());
    }
    if (auto r = m_readers->open(); !r)
        return openFailure(r.error());

    // The readers start first and stop last: writer callbacks may queue reads.
    m_readers->start();
    for (auto& writer : m_writers)
        writer->start();
    m_open = true;
    return {};
}

void PostgresStore::Impl::close()
{
    std::lock_guard lifecycle(m_lifecycleMutex);
    if (!m_open)
        return;
    // The writers stop first: their callbacks may still queue reads, which the
    // readers then drain.
    for (auto& writer : m_writers)
        writer->stop();
    m_readers->stop();
    release();
    m_open = false;
}

// ---------------------------------------------------------------------------------
// Region mirroring: replicate() and renewEpochs() run on the caller's thread (the
// cluster's mirror thread) on a connection of their own, so they never wait behind
// the writers' group commits; they take the same channel row locks as the writers,
// so they never interleave with an append.

Result<pqxx::connection*> PostgresStore::Impl::replicaSession()
{
    if (!m_open)
        return closedError();
    if (!m_replica)
        m_replica = std::make_unique<detail::PgSession>(
            m_server, detail::PgSession::Settings{m_options.synchronousCommit, {}});
    auto connection = m_replica->get();
    if (!connection)
        return makeError(ErrorCode::unavailable,
                         "cannot reach the event store at " + m_server.name + ": " + connection.error().message, true);
    return connection;
}

namespace {

std::string randomEpoch()
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::random_device rd;
    std::string epoch(16, '0');
    for (char& c : epoch)
        c = kHex[rd() & 0xf];
    return epoch;
}

// Locks the channel's row, making it with `epoch` when there is none.
std::pair<std::string, std::int64_t> lockChannel(pqxx::work& txn, const std::string& channel, const std::string& epoch)
{
    txn.exec_params("INSERT INTO channels(channel, epoch, last_offset) VALUES($1, $2, 0) ON CONFLICT DO NOTHING",
                    channel, epoch);
    const auto row = txn.exec_params1("SELECT epoch, last_offset FROM channels WHERE channel = $1 FOR UPDATE", channel);
    return {row[0].as<std::string>(), row[1].as<std::int64_t>()};
}

} // namespace

Result<std::vector<bool>> PostgresStore::replicate(const std::vector<ReplicaPublication>& batch)
{
    std::lock_guard lock(m_impl->m_replicaMutex);
    auto session = m_impl->replicaSession();
    if (!session)
        return session.error();
    // Per channel, in the order the batch names them: one lock, then its new
    // publications as a few multi-row statements (a constant number of round trips
    // per channel, not per publication).
    std::vector<std::string> order;
    std::map<std::string, std::vector<std::size_t>> byChannel;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        auto& indexes = byChannel[batch[i].publication.channel];
        if (indexes.empty())
            order.push_back(batch[i].publication.channel);
        indexes.push_back(i);
    }
    std::sort(order.begin(), order.end()); // the writers lock rows in name order too
    std::vector<bool> stored(batch.size(), false);
    try {
        pqxx::work txn(**session);
        for (const auto& channel : order) {
            const auto& indexes = byChannel[channel];
            auto [epoch, last] = lockChannel(txn, channel, batch[indexes.front()].epoch);
            detail::ArrayLiteral offsets, data, ts, users, keys;
            // A key once per statement (ON CONFLICT cannot touch a row twice): the
            // latest publication with it wins.
            std::map<std::string, std::pair<std::int64_t, std::int64_t>> keyed;
            std::int64_t newest = last;
            Retention retention;
            for (std::size_t i : indexes) {
                const auto& r = batch[i];
                const auto& p = r.publication;
                if (r.epoch != epoch) {
                    // The home region started a new stream (a forced promotion there):
                    // this region's copy of the old one goes.
                    txn.exec_params("DELETE FROM publications WHERE channel = $1", channel);
                    txn.exec_params("DELETE FROM idempotency WHERE channel = $1", channel);
                    txn.exec_params("UPDATE channels SET epoch = $2, last_offset = 0 WHERE channel = $1", channel,
                                    r.epoch);
                    epoch = r.epoch;
                    newest = 0;
                    offsets = {}, data = {}, ts = {}, users = {}, keys = {};
                    keyed.clear();
                    for (std::size_t j : indexes)
                        stored[j] = false;
                }
                const auto offset = static_cast<std::int64_t>(p.offset);
                if (offset <= newest)
                    continue;
                offsets.add(offset);
                data.add(p.data);
                ts.add(p.ts);
                users.addOrNull(p.user);
                keys.addOrNull(p.key);
                if (!p.key.empty())
                    keyed[p.key] = {offset, p.ts};
                newest = offset;
                retention = r.retention;
                stored[i] = true;
            }
            if (offsets.empty())
                continue;
            txn.exec_params("INSERT INTO publications(channel, \"offset\", data, ts, \"user\", key) "
                            "SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[])",
                            channel, offsets.text(), data.text(), ts.text(), users.text(), keys.text());
            detail::ArrayLiteral keyNames, keyOffsets, keyTs;
            for (const auto& [key, at] : keyed) {
                keyNames.add(key);
                keyOffsets.add(at.first);
                keyTs.add(at.second);
            }
            if (!keyNames.empty())
                txn.exec_params("INSERT INTO idempotency(channel, key, \"offset\", ts) "
                                "SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::bigint[]) "
                                "ON CONFLICT(channel, key) DO UPDATE SET \"offset\" = excluded.\"offset\", ts = excluded.ts",
                                channel, keyNames.text(), keyOffsets.text(), keyTs.text());
            txn.exec_params("UPDATE channels SET last_offset = $2 WHERE channel = $1", channel, newest);
            const auto keep = static_cast<std::int64_t>(retention.historySize);
            if (newest > keep)
                txn.exec_params("DELETE FROM publications WHERE channel = $1 AND \"offset\" <= $2", channel,
                                newest - keep);
        }
        txn.commit();
    } catch (const std::exception& e) {
        m_impl->m_replica->lost();
        return makeError(ErrorCode::unavailable,
                         "the event store at " + m_impl->m_server.name + " could not store mirrored publications: "
                             + detail::cleanMessage(e.what(), m_impl->m_server),
                         true);
    }
    return stored;
}

Result<std::uint64_t> PostgresStore::renewEpochs(const std::string& prefix)
{
    std::lock_guard lock(m_impl->m_replicaMutex);
    auto session = m_impl->replicaSession();
    if (!session)
        return session.error();
    try {
        pqxx::work txn(**session);
        const auto rows = txn.exec_params("SELECT channel FROM channels WHERE left(channel, length($1)) = $1 FOR UPDATE",
                                          prefix);
        for (const auto& row : rows)
            txn.exec_params("UPDATE channels SET epoch = $2 WHERE channel = $1", row[0].as<std::string>(),
                            randomEpoch());
        txn.commit();
        return static_cast<std::uint64_t>(rows.size());
    } catch (const std::exception& e) {
        m_impl->m_replica->lost();
        return makeError(ErrorCode::unavailable,
                         "the event store at " + m_impl->m_server.name + " could not renew epochs: "
                             + detail::cleanMessage(e.what(), m_impl->m_server),
                         true);
    }
}


// ---------------------------------------------------------------------------------
// PostgresStore

PostgresStore::PostgresStore(PostgresStoreOptions options)
    : m_options(std::move(options)), m_impl(std::make_unique<Impl>(m_options))
{
}

PostgresStore::~PostgresStore()
{
    close();
}

Result<void> PostgresStore::open()
{
    return m_impl->open();
}

void PostgresStore::close()
{
    m_impl->close();
}

void PostgresStore::append(AppendRequest request, AppendCallback callback)
{
    auto& writer = m_impl->writerOf(request.channel);
    writer.enqueue(detail::AppendOp{std::move(request), std::move(callback)});
}

void PostgresStore::savePosition(std::string user, std::string durable, std::string channel,
                                 Position position, DoneCallback callback)
{
    auto& writer = m_impl->writerOf(channel);
    writer.enqueue(detail::PositionOp{std::move(user), std::move(durable), std::move(channel),
                                      std::move(position), std::move(callback)});
}

void PostgresStore::ensureChannel(std::string channel, StateCallback callback)
{
    auto& writer = m_impl->writerOf(channel);
    writer.enqueue(detail::EnsureOp{std::move(channel), std::move(callback)});
}

void PostgresStore::read(ReadRequest request, ReadCallback callback)
{
    m_impl->m_readers->enqueue([request = std::move(request),
                                callback = std::move(callback)](PostgresReader* reader) {
        callback(reader ? reader->readPublications(request) : Result<ReadResult>(closedError()));
    });
}

void PostgresStore::channelState(std::string channel, StateCallback callback)
{
    m_impl->m_readers->enqueue([channel = std::move(channel),
                                callback = std::move(callback)](PostgresReader* reader) {
        callback(reader ? reader->readChannelState(channel) : Result<ChannelState>(closedError()));
    });
}

void PostgresStore::loadPosition(std::string user, std::string durable, std::string channel,
                                 PositionCallback callback)
{
    m_impl->m_readers->enqueue([user = std::move(user), durable = std::move(durable),
                                channel = std::move(channel),
                                callback = std::move(callback)](PostgresReader* reader) {
        callback(reader ? reader->readPosition(user, durable, channel)
                        : Result<std::optional<Position>>(closedError()));
    });
}

StoreStats PostgresStore::stats() const
{
    StoreStats total;
    for (const auto& writer : m_impl->m_writers) {
        const StoreStats s = writer->stats();
        total.commits += s.commits;
        total.appends += s.appends;
        total.duplicates += s.duplicates;
        total.failedCommits += s.failedCommits;
    }
    return total;
}

std::unique_ptr<EventStore> makePostgresStore(const config::StoreConfig& config)
{
    PostgresStoreOptions options;
    options.url = config.url;
    options.synchronousCommit = config.synchronous != "normal";
    options.poolSize = config.poolSize;
    options.commitWindow = config.commitWindow;
    options.commitBatch = config.commitBatch;
    options.dedupWindow = config.dedupWindow;
    return std::make_unique<PostgresStore>(std::move(options));
}

} // namespace aldis::store

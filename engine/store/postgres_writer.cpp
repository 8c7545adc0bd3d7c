// SPDX-License-Identifier: Apache-2.0
#include "store/postgres_writer.h"

#include "store/postgres_array.h"

#include <pqxx/except>
#include <pqxx/result>

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace aldis::store::detail {

namespace {

// The writers' statements. Each one takes whole columns as arrays and unnest()s them,
// so a batch costs the same few round trips whether it holds one request or
// thousands: BEGIN, [propose_channels], lock_channels, [find_keys],
// [insert_publications], [upsert_keys], [advance_channels], [trim_by_size],
// [save_positions], [replace_positions], COMMIT (bracketed: only when the batch
// needs it).
const std::vector<PgSession::Prepared> kStatements = {
    // A new channel's row, with this writer's proposal for its epoch. When two
    // writers (or nodes) propose at once, the second waits for the first and then
    // does nothing: the first proposal committed is the epoch of everyone.
    {"propose_channels", R"sql(
        INSERT INTO channels(channel, epoch, last_offset)
        SELECT channel, epoch, 0 FROM unnest($1::text[], $2::text[]) AS t(channel, epoch)
        ORDER BY channel
        ON CONFLICT (channel) DO NOTHING)sql"},
    // The row lock that makes offsets contiguous across nodes: held until COMMIT, so
    // the next transaction of the channel reads last_offset after this one committed
    // (and commits after it). Rows are locked in channel order, the same in every
    // writer, so two batches never wait for each other in a cycle.
    {"lock_channels", R"sql(
        SELECT channel, epoch, last_offset FROM channels
        WHERE channel = ANY($1::text[])
        ORDER BY channel
        FOR UPDATE)sql"},
    // Runs after lock_channels: a key committed by another node before we got the
    // lock is visible to this statement (READ COMMITTED takes a snapshot per
    // statement).
    {"find_keys", R"sql(
        SELECT k.channel, k.key, k."offset", k.ts
        FROM idempotency AS k
        JOIN unnest($1::text[], $2::text[]) AS t(channel, key)
          ON k.channel = t.channel AND k.key = t.key)sql"},
    {"insert_publications", R"sql(
        INSERT INTO publications(channel, "offset", data, ts, "user", key)
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[],
                             $5::text[], $6::text[]))sql"},
    {"upsert_keys", R"sql(
        INSERT INTO idempotency(channel, key, "offset", ts)
        SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
        ON CONFLICT (channel, key) DO UPDATE SET "offset" = excluded."offset", ts = excluded.ts)sql"},
    {"advance_channels", R"sql(
        UPDATE channels AS c SET last_offset = t.last_offset
        FROM unnest($1::text[], $2::bigint[]) AS t(channel, last_offset)
        WHERE c.channel = t.channel)sql"},
    {"trim_by_size", R"sql(
        DELETE FROM publications AS p
        USING unnest($1::text[], $2::bigint[]) AS t(channel, up_to)
        WHERE p.channel = t.channel AND p."offset" <= t.up_to)sql"},
    // Acks move a position forward only (within an epoch) ...
    {"save_positions", R"sql(
        INSERT INTO positions("user", durable, channel, epoch, "offset")
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
        ON CONFLICT ("user", durable, channel) DO UPDATE
        SET epoch = excluded.epoch, "offset" = excluded."offset"
        WHERE excluded.epoch <> positions.epoch OR excluded."offset" > positions."offset")sql"},
    // ... unless the batch itself changed the epoch (see foldPosition()).
    {"replace_positions", R"sql(
        INSERT INTO positions("user", durable, channel, epoch, "offset")
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
        ON CONFLICT ("user", durable, channel) DO UPDATE
        SET epoch = excluded.epoch, "offset" = excluded."offset")sql"},
    // Retention by age: each channel loses the publications before its oldest one
    // that is not expired (all of them if none is), a prefix, so the kept history
    // never has a hole.
    {"trim_by_age", R"sql(
        DELETE FROM publications AS p
        USING (SELECT t.channel,
                      (SELECT min(q."offset") FROM publications AS q
                       WHERE q.channel = t.channel AND q.ts >= t.cutoff) AS keep_from
               FROM unnest($1::text[], $2::bigint[]) AS t(channel, cutoff)) AS k
        WHERE p.channel = k.channel AND (k.keep_from IS NULL OR p."offset" < k.keep_from))sql"},
    {"trim_keys", R"sql(DELETE FROM idempotency WHERE ts < $1)sql"},
};

// PostgreSQL integers are signed: larger offsets are clamped (they never get there).
std::int64_t toSql(std::uint64_t value)
{
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(std::min(value, kMax));
}

// One string per (channel, key) or (user, durable, channel): NUL never occurs in
// stored text (see refuseUnstorable()), so it separates the parts safely.
std::string joinKey(std::initializer_list<std::string_view> parts)
{
    std::string key;
    for (const std::string_view part : parts) {
        key.append(part);
        key.push_back('\0');
    }
    return key;
}

// The positions a batch saves, one per (user, durable, channel). PostgreSQL's upsert
// may touch a row only once per statement, so the saves of one subscription in one
// batch are folded into one, with the same outcome as applying them in order: after
// a save, the stored epoch is always the save's. So once the epoch changes within
// the batch, the result no longer depends on what was stored before (`replace`);
// without a change it is the stored row moved forward to the batch's highest offset.
struct FoldedPosition {
    std::string user, durable, channel;
    Position position;
    bool replace = false;
};

void foldPosition(FoldedPosition& folded, const Position& next)
{
    if (next.epoch != folded.position.epoch) {
        folded.position = next;
        folded.replace = true;
    } else {
        folded.position.offset = std::max(folded.position.offset, next.offset);
    }
}

// The columns of one unnest() statement.
struct PublicationColumns {
    ArrayLiteral channel, offset, data, ts, user, key;
};
struct KeyColumns {
    ArrayLiteral channel, key, offset, ts;
};
struct ChannelColumns {
    ArrayLiteral channel, value;
};
struct PositionColumns {
    ArrayLiteral user, durable, channel, epoch, offset;

    void add(const FoldedPosition& p)
    {
        user.add(p.user);
        durable.add(p.durable);
        channel.add(p.channel);
        epoch.add(p.position.epoch);
        offset.add(toSql(p.position.offset));
    }
};

} // namespace

// What one batch does, worked out from the locked channel rows and the keys found:
// the answers in batch order, and the columns of the statements that write it.
struct BatchPlan {
    std::vector<AppendResult> appends;  // by batch index; only appends' entries are used
    std::vector<ChannelState> ensures;  // by batch index; only ensures' entries are used
    std::uint64_t appended = 0;
    std::uint64_t duplicates = 0;

    PublicationColumns publications;
    KeyColumns keys;
    ChannelColumns advanced;     // channel, new last_offset
    ChannelColumns trimmed;      // channel, newest offset to delete
    PositionColumns savedPositions;
    PositionColumns replacedPositions;

    std::unordered_map<std::string, std::string> epochs;   // of the batch's channels
    std::unordered_map<std::string, Retention> retention;  // latest per appended channel
};

// ---------------------------------------------------------------------------------
// Opening and closing (the thread that opens or closes the store)

PostgresWriter::PostgresWriter(const PostgresStoreOptions& options, const ServerAddress& server,
                               bool trimsKeys)
    : m_options(options),
      m_server(server),
      m_trimsKeys(trimsKeys),
      m_session(server, PgSession::Settings{options.synchronousCommit, kStatements})
{
}

Result<void> PostgresWriter::open()
{
    return m_session.open();
}

void PostgresWriter::start()
{
    {
        std::lock_guard lock(m_mutex);
        m_accepting = true;
    }
    m_thread = std::thread([this] { loop(); });
}

void PostgresWriter::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_accepting = false;
    }
    m_cv.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void PostgresWriter::release()
{
    m_session.close();
    m_epochs.clear();
    m_retention.clear();
}

StoreStats PostgresWriter::stats() const
{
    return StoreStats{m_commits.load(std::memory_order_relaxed),
                      m_appends.load(std::memory_order_relaxed),
                      m_duplicates.load(std::memory_order_relaxed),
                      m_failedCommits.load(std::memory_order_relaxed)};
}

// ---------------------------------------------------------------------------------
// Writer thread (enqueue(): any thread)

void PostgresWriter::enqueue(WriteOp op)
{
    const std::size_t batchLimit = std::max<std::uint32_t>(m_options.commitBatch, 1);
    std::size_t size = 0;
    {
        std::lock_guard lock(m_mutex);
        if (m_accepting) {
            m_queue.push_back(std::move(op));
            size = m_queue.size();
        }
    }
    if (size == 0) {
        std::visit([](auto& o) { o.callback(closedError()); }, op);
        return;
    }
    // The writer sleeps either on an empty queue or, inside a commit window, until the
    // batch is full; other pushes need no wake-up.
    if (size == 1 || size == batchLimit)
        m_cv.notify_one();
}

void PostgresWriter::loop()
{
    const std::size_t batchLimit = std::max<std::uint32_t>(m_options.commitBatch, 1);
    const bool sweeping = m_options.sweepInterval > Millis::zero();
    auto nextSweep = Clock::now() + m_options.sweepInterval;
    std::deque<WriteOp> batch;

    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            auto ready = [this] { return !m_queue.empty() || !m_accepting; };
            if (sweeping)
                m_cv.wait_until(lock, nextSweep, ready);
            else
                m_cv.wait(lock, ready);
            if (m_queue.empty() && !m_accepting)
                break;
            if (!m_queue.empty() && m_accepting && m_queue.size() < batchLimit
                && m_options.commitWindow > Millis::zero()) {
                m_cv.wait_for(lock, m_options.commitWindow, [&] {
                    return m_queue.size() >= batchLimit || !m_accepting;
                });
            }
            if (m_queue.size() <= batchLimit) {
                batch.swap(m_queue);
            } else {
                auto end = m_queue.begin() + static_cast<std::ptrdiff_t>(batchLimit);
                batch.assign(std::make_move_iterator(m_queue.begin()), std::make_move_iterator(end));
                m_queue.erase(m_queue.begin(), end);
            }
        }
        if (!batch.empty()) {
            commit(batch);
            batch.clear();
        }
        if (sweeping && Clock::now() >= nextSweep) {
            sweep();
            nextSweep = Clock::now() + m_options.sweepInterval;
        }
    }
}

std::string PostgresWriter::newEpoch()
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint64_t bits = (static_cast<std::uint64_t>(m_random()) << 32) ^ m_random();
    std::string epoch(16, '0');
    for (char& c : epoch) {
        c = kHex[bits & 0xf];
        bits >>= 4;
    }
    return epoch;
}

void PostgresWriter::refuseUnstorable(std::deque<WriteOp>& batch)
{
    auto nulIn = [](std::initializer_list<std::string_view> texts) {
        return std::any_of(texts.begin(), texts.end(),
                           [](std::string_view t) { return t.find('\0') != std::string_view::npos; });
    };
    auto unstorable = [&](const WriteOp& op) {
        if (const auto* a = std::get_if<AppendOp>(&op))
            return nulIn({a->request.channel, a->request.data, a->request.user, a->request.key});
        if (const auto* p = std::get_if<PositionOp>(&op))
            return nulIn({p->user, p->durable, p->channel, p->position.epoch});
        return nulIn({std::get<EnsureOp>(op).channel});
    };
    if (std::none_of(batch.begin(), batch.end(), unstorable))
        return;

    // Failing them alone keeps one bad request from failing the others' transaction.
    const Error error = makeError(ErrorCode::bad_request,
                                  "the event store cannot keep text that holds a NUL character "
                                  "(PostgreSQL text cannot)");
    std::deque<WriteOp> kept;
    for (WriteOp& op : batch) {
        if (unstorable(op))
            std::visit([&](auto& o) { o.callback(error); }, op);
        else
            kept.push_back(std::move(op));
    }
    batch.swap(kept);
}

PostgresWriter::ChannelRows PostgresWriter::lockChannels(pqxx::work& txn, const std::deque<WriteOp>& batch)
{
    std::vector<std::string> channels;
    for (const WriteOp& op : batch) {
        if (!std::holds_alternative<PositionOp>(op))
            channels.push_back(channelOf(op));
    }
    std::sort(channels.begin(), channels.end());
    channels.erase(std::unique(channels.begin(), channels.end()), channels.end());
    if (channels.empty())
        return {};

    // A cached epoch means the row exists (rows are never deleted): only channels
    // this writer has not seen committed need a proposal.
    ArrayLiteral names, unknown, proposals;
    for (const std::string& channel : channels) {
        names.add(channel);
        if (!m_epochs.count(channel)) {
            unknown.add(channel);
            proposals.add(newEpoch());
        }
    }
    if (!unknown.empty())
        txn.exec_prepared("propose_channels", unknown.text(), proposals.text());

    ChannelRows rows;
    for (const auto& row : txn.exec_prepared("lock_channels", names.text())) {
        rows.emplace(row[0].as<std::string>(),
                     ChannelRow{row[1].as<std::string>(), static_cast<std::uint64_t>(row[2].as<std::int64_t>())});
    }
    for (const std::string& channel : channels) {
        if (!rows.count(channel)) {
            // Only a row deleted by hand gets here; forget its epoch so that the next
            // batch creates the channel again.
            m_epochs.erase(channel);
            throw std::runtime_error("the row of channel '" + channel + "' is missing from the channels table");
        }
    }
    return rows;
}

PostgresWriter::KeyRows PostgresWriter::findKeys(pqxx::work& txn, const std::deque<WriteOp>& batch)
{
    ArrayLiteral channels, keys;
    for (const WriteOp& op : batch) {
        const auto* append = std::get_if<AppendOp>(&op);
        if (append && !append->request.key.empty()) {
            channels.add(append->request.channel);
            keys.add(append->request.key);
        }
    }
    KeyRows found;
    if (keys.empty())
        return found;
    for (const auto& row : txn.exec_prepared("find_keys", channels.text(), keys.text())) {
        found.emplace(joinKey({row[0].c_str(), row[1].c_str()}),
                      KeyRow{static_cast<std::uint64_t>(row[2].as<std::int64_t>()), row[3].as<std::int64_t>()});
    }
    return found;
}

BatchPlan PostgresWriter::plan(const std::deque<WriteOp>& batch, ChannelRows& rows, const KeyRows& keys,
                               std::int64_t now) const
{
    BatchPlan plan;
    plan.appends.resize(batch.size());
    plan.ensures.resize(batch.size());
    KeyRows appendedKeys;                 // keys appended by this batch: later ones are duplicates
    std::vector<std::string> appendedTo;  // channels in order of their first append
    std::unordered_map<std::string, FoldedPosition> positions;
    std::vector<std::string> positionOrder;

    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (const auto* ensure = std::get_if<EnsureOp>(&batch[i])) {
            const ChannelRow& row = rows.at(ensure->channel);
            plan.ensures[i] = ChannelState{row.epoch, row.lastOffset, 0};
            continue;
        }
        if (const auto* save = std::get_if<PositionOp>(&batch[i])) {
            const std::string id = joinKey({save->user, save->durable, save->channel});
            auto [it, added] = positions.try_emplace(id, FoldedPosition{save->user, save->durable, save->channel,
                                                                        save->position, false});
            if (added)
                positionOrder.push_back(id);
            else
                foldPosition(it->second, save->position);
            continue;
        }

        const AppendRequest& request = std::get<AppendOp>(batch[i]).request;
        ChannelRow& row = rows.at(request.channel);
        AppendResult& result = plan.appends[i];
        result.epoch = row.epoch;

        const std::string keyId = request.key.empty() ? std::string() : joinKey({request.channel, request.key});
        if (!keyId.empty()) {
            const KeyRow* first = nullptr;
            if (auto it = appendedKeys.find(keyId); it != appendedKeys.end())
                first = &it->second;
            else if (auto stored = keys.find(keyId);
                     stored != keys.end() && now - stored->second.ts < m_options.dedupWindow.count())
                first = &stored->second;
            if (first) {
                result.offset = first->offset;
                result.ts = first->ts;
                result.duplicate = true;
                ++plan.duplicates;
                continue;
            }
        }

        if (!plan.retention.count(request.channel))
            appendedTo.push_back(request.channel);
        plan.retention[request.channel] = request.retention;
        result.offset = ++row.lastOffset;
        result.ts = request.ts != 0 ? request.ts : now;
        ++plan.appended;

        plan.publications.channel.add(request.channel);
        plan.publications.offset.add(toSql(result.offset));
        plan.publications.data.add(request.data);
        plan.publications.ts.add(result.ts);
        plan.publications.user.addOrNull(request.user);
        plan.publications.key.addOrNull(request.key);
        if (!keyId.empty()) {
            appendedKeys.emplace(keyId, KeyRow{result.offset, result.ts});
            plan.keys.channel.add(request.channel);
            plan.keys.key.add(request.key);
            plan.keys.offset.add(toSql(result.offset));
            plan.keys.ts.add(result.ts);
        }
    }

    for (const std::string& channel : appendedTo) {
        const std::uint64_t last = rows.at(channel).lastOffset;
        plan.advanced.channel.add(channel);
        plan.advanced.value.add(toSql(last));
        // Size retention rides in the same transaction: a reader never sees more than
        // historySize publications.
        const std::uint32_t keep = plan.retention.at(channel).historySize;
        if (last > keep) {
            plan.trimmed.channel.add(channel);
            plan.trimmed.value.add(toSql(last - keep));
        }
    }
    for (const std::string& id : positionOrder) {
        const FoldedPosition& p = positions.at(id);
        (p.replace ? plan.replacedPositions : plan.savedPositions).add(p);
    }
    for (const auto& [channel, row] : rows)
        plan.epochs.emplace(channel, row.epoch);
    return plan;
}

void PostgresWriter::write(pqxx::work& txn, const BatchPlan& plan)
{
    const PublicationColumns& p = plan.publications;
    if (!p.channel.empty()) {
        txn.exec_prepared("insert_publications", p.channel.text(), p.offset.text(), p.data.text(), p.ts.text(),
                          p.user.text(), p.key.text());
    }
    const KeyColumns& k = plan.keys;
    if (!k.channel.empty())
        txn.exec_prepared("upsert_keys", k.channel.text(), k.key.text(), k.offset.text(), k.ts.text());
    if (!plan.advanced.channel.empty())
        txn.exec_prepared("advance_channels", plan.advanced.channel.text(), plan.advanced.value.text());
    if (!plan.trimmed.channel.empty())
        txn.exec_prepared("trim_by_size", plan.trimmed.channel.text(), plan.trimmed.value.text());
    for (const auto& [statement, columns] : {std::pair{"save_positions", &plan.savedPositions},
                                             std::pair{"replace_positions", &plan.replacedPositions}}) {
        if (!columns->user.empty()) {
            txn.exec_prepared(statement, columns->user.text(), columns->durable.text(), columns->channel.text(),
                              columns->epoch.text(), columns->offset.text());
        }
    }
}

BatchPlan PostgresWriter::runTransaction(pqxx::connection& connection, const std::deque<WriteOp>& batch)
{
    pqxx::work txn(connection);
    ChannelRows rows = lockChannels(txn, batch);
    const KeyRows keys = findKeys(txn, batch);
    BatchPlan planned = plan(batch, rows, keys, unixMillisNow());
    write(txn, planned);
    txn.commit();
    return planned;
}

void PostgresWriter::commit(std::deque<WriteOp>& batch)
{
    refuseUnstorable(batch);
    if (batch.empty())
        return;

    std::optional<BatchPlan> committed;
    std::string cause;
    for (int attempt = 1; attempt <= 2; ++attempt) {
        auto connection = m_session.get();
        if (!connection) {
            cause = connection.error().message;
            break;
        }
        bool retry = false;
        try {
            committed = runTransaction(**connection, batch);
            break;
        } catch (const pqxx::in_doubt_error& e) {
            cause = "the connection was lost during COMMIT, so the batch may or may not be stored: "
                + cleanMessage(e.what(), m_server);
        } catch (const pqxx::sql_error& e) {
            cause = cleanMessage(e.what(), m_server);
            // PostgreSQL asks for these to be retried; the rolled back attempt left
            // nothing behind.
            retry = attempt == 1 && isRetryableConflict(e.sqlstate());
        } catch (const std::exception& e) {
            cause = cleanMessage(e.what(), m_server);
        }
        if (!(*connection)->is_open()) {
            m_session.lost();
            break;
        }
        if (!retry)
            break;
    }
    // Outside the try: a callback that throws must not turn an acknowledged batch
    // into a failed one.
    if (committed)
        answer(batch, *committed);
    else
        fail(batch, cause);
}

void PostgresWriter::answer(std::deque<WriteOp>& batch, BatchPlan& plan)
{
    // Only now, after COMMIT, may the caches learn from the batch.
    for (auto& [channel, epoch] : plan.epochs)
        m_epochs.insert_or_assign(channel, std::move(epoch));
    for (auto& [channel, retention] : plan.retention)
        m_retention.insert_or_assign(channel, retention);

    m_commits.fetch_add(1, std::memory_order_relaxed);
    m_appends.fetch_add(plan.appended, std::memory_order_relaxed);
    m_duplicates.fetch_add(plan.duplicates, std::memory_order_relaxed);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (auto* append = std::get_if<AppendOp>(&batch[i]))
            append->callback(std::move(plan.appends[i]));
        else if (auto* ensure = std::get_if<EnsureOp>(&batch[i]))
            ensure->callback(std::move(plan.ensures[i]));
        else
            std::get<PositionOp>(batch[i]).callback(Result<void>());
    }
}

void PostgresWriter::fail(std::deque<WriteOp>& batch, const std::string& cause)
{
    m_failedCommits.fetch_add(1, std::memory_order_relaxed);
    const Error error = makeError(ErrorCode::unavailable,
                                  "the event store could not commit to " + m_server.name + ": " + cause, true);
    for (WriteOp& op : batch)
        std::visit([&](auto& o) { o.callback(error); }, op);
}

void PostgresWriter::sweep()
{
    const std::int64_t now = unixMillisNow();
    ArrayLiteral channels, cutoffs;
    for (const auto& [channel, retention] : m_retention) {
        if (retention.historyTtl > Millis::zero()) {
            channels.add(channel);
            cutoffs.add(now - retention.historyTtl.count());
        }
    }
    if (channels.empty() && !m_trimsKeys)
        return;
    auto connection = m_session.get();
    if (!connection)
        return;
    try {
        pqxx::work txn(**connection);
        if (!channels.empty())
            txn.exec_prepared("trim_by_age", channels.text(), cutoffs.text());
        if (m_trimsKeys)
            txn.exec_prepared("trim_keys", now - m_options.dedupWindow.count());
        txn.commit();
    } catch (const std::exception&) {
        // A failed sweep changes nothing and is tried again at the next interval.
        if (!(*connection)->is_open())
            m_session.lost();
    }
}

} // namespace aldis::store::detail

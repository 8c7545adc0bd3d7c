// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite_writer.h"

#include "store/sqlite_schema.h"

#include <algorithm>
#include <iterator>

namespace aldis::store::detail {

namespace {

// A checkpoint is tried after a commit that left this many frames in the WAL
// (SQLite's own default for its automatic checkpoint) ...
constexpr int kCheckpointFrames = 1000;
// ... and, after one failed, not again before this long.
constexpr Millis kCheckpointRetry = std::chrono::seconds(1);

} // namespace

// ---------------------------------------------------------------------------------
// Opening and closing (the thread that opens or closes the store)

Result<void> SqliteWriter::open()
{
    if (const int rc = m_db.open(m_options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                 m_options.busyTimeout);
        rc != SQLITE_OK)
        return openFailure(m_options.path, m_db.get(), rc);

    // The first statement reads the file header: a file that is not a database fails
    // here with SQLITE_NOTADB.
    {
        Statement s;
        int rc = s.prepare(m_db.get(), "PRAGMA journal_mode=WAL");
        if (rc == SQLITE_OK)
            rc = s.step();
        if (rc != SQLITE_ROW)
            return openFailure(m_options.path, m_db.get(), rc);
        if (s.text(0) != "wal") {
            return makeError(ErrorCode::unavailable,
                             "cannot open the event store at '" + m_options.path.string()
                                 + "': the file system does not support SQLite's WAL "
                                   "journal (got '" + s.text(0) + "')");
        }
    }
    const char* synchronous =
        m_options.synchronousFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
    if (const int rc = sqlite3_exec(m_db.get(), synchronous, nullptr, nullptr, nullptr);
        rc != SQLITE_OK)
        return openFailure(m_options.path, m_db.get(), rc);
    // Replaces SQLite's automatic checkpoint: the writer checkpoints between batches
    // (see checkpoint()).
    sqlite3_wal_hook(m_db.get(), &SqliteWriter::walHook, this);

    return migrate(m_db.get(), m_options.path);
}

Result<void> SqliteWriter::prepare()
{
    struct Entry {
        Statement& statement;
        const char* sql;
    };
    const Entry entries[] = {
        {m_s.begin, "BEGIN IMMEDIATE"},
        {m_s.commit, "COMMIT"},
        {m_s.rollback, "ROLLBACK"},
        {m_s.selectChannel, "SELECT epoch, last_offset FROM channels WHERE channel = ?1"},
        {m_s.upsertChannel,
         "INSERT INTO channels(channel, epoch, last_offset) VALUES(?1, ?2, ?3) "
         "ON CONFLICT(channel) DO UPDATE SET last_offset = excluded.last_offset"},
        {m_s.selectKey, "SELECT offset, ts FROM idempotency WHERE channel = ?1 AND key = ?2"},
        {m_s.upsertKey,
         "INSERT INTO idempotency(channel, key, offset, ts) VALUES(?1, ?2, ?3, ?4) "
         "ON CONFLICT(channel, key) DO UPDATE SET offset = excluded.offset, ts = excluded.ts"},
        {m_s.trimKeys, "DELETE FROM idempotency WHERE ts < ?1"},
        {m_s.insertPublication,
         "INSERT INTO publications(channel, offset, data, ts, user, key) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6)"},
        {m_s.trimUpTo, "DELETE FROM publications WHERE channel = ?1 AND offset <= ?2"},
        {m_s.agePrefix, "SELECT offset, ts FROM publications WHERE channel = ?1 ORDER BY offset"},
        {m_s.upsertPosition,
         "INSERT INTO positions(user, durable, channel, epoch, offset) VALUES(?1, ?2, ?3, ?4, ?5) "
         "ON CONFLICT(user, durable, channel) DO UPDATE SET "
         "epoch = excluded.epoch, offset = excluded.offset "
         // Acks move a position forward only (within an epoch).
         "WHERE excluded.epoch <> positions.epoch OR excluded.offset > positions.offset"},
    };
    for (const Entry& e : entries) {
        if (const int rc = e.statement.prepare(m_db.get(), e.sql); rc != SQLITE_OK)
            return openFailure(m_options.path, m_db.get(), rc);
    }
    return {};
}

void SqliteWriter::start()
{
    {
        std::lock_guard lock(m_mutex);
        m_accepting = true;
    }
    m_thread = std::thread([this] { loop(); });
}

void SqliteWriter::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_accepting = false;
    }
    m_cv.notify_all();
    m_thread.join();
}

void SqliteWriter::release()
{
    for (Statement* s : {&m_s.begin, &m_s.commit, &m_s.rollback, &m_s.selectChannel,
                         &m_s.upsertChannel, &m_s.selectKey, &m_s.upsertKey, &m_s.trimKeys,
                         &m_s.insertPublication, &m_s.trimUpTo, &m_s.agePrefix,
                         &m_s.upsertPosition})
        s->finalize();
    m_db.close();
    m_channels.clear();
    m_retention.clear();
}

StoreStats SqliteWriter::stats() const
{
    return StoreStats{m_commits.load(std::memory_order_relaxed),
                      m_appends.load(std::memory_order_relaxed),
                      m_duplicates.load(std::memory_order_relaxed),
                      m_failedCommits.load(std::memory_order_relaxed)};
}

// ---------------------------------------------------------------------------------
// Writer thread (enqueue(): any thread)

void SqliteWriter::enqueue(WriteOp op)
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

void SqliteWriter::loop()
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
                batch.assign(std::make_move_iterator(m_queue.begin()),
                             std::make_move_iterator(end));
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
        if (m_walFrames >= kCheckpointFrames && Clock::now() >= m_nextCheckpoint)
            checkpoint();
    }
}

int SqliteWriter::walHook(void* self, sqlite3*, const char*, int frames)
{
    static_cast<SqliteWriter*>(self)->m_walFrames = frames;
    return SQLITE_OK;
}

// SQLite's automatic checkpoint is off on the write connection (walHook() replaces
// it). It runs inside the COMMIT statement, before the batch's callbacks, and ignores
// its own failure: while the database file cannot be written or synced (a full disk
// as the file grows, an fsync error) every commit tried again, copying the whole WAL
// into the file each time before its batch was acknowledged, and nothing said why
// (measured with fsyncs of the database file failing: 2,755 failed checkpoints during
// 3,000 publishes with the automatic one, 2 with this). Here the checkpoint runs after
// the callbacks of the batch, a failure is logged and tried again after
// kCheckpointRetry (tst_store_faults checks it is not tried at every commit), and it
// fails no request: committed transactions stay in the WAL, which grows meanwhile. A failed
// checkpoint costs nothing else: SQLite records how far the database file is up to
// date only after that file's fsync succeeded, so the next one copies the same pages
// again.
void SqliteWriter::checkpoint()
{
    int walFrames = 0;
    int copied = 0;
    const int rc =
        sqlite3_wal_checkpoint_v2(m_db.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &walFrames, &copied);
    if (rc == SQLITE_OK) {
        m_checkpointLog.succeeded();
        m_walFrames = 0; // the next commit's hook tells again
        return;
    }
    m_checkpointLog.failed(describe(m_db.get(), rc),
                           "commits go on, in the WAL file, which grows until a checkpoint succeeds");
    m_nextCheckpoint = Clock::now() + kCheckpointRetry;
}

bool SqliteWriter::run(Statement& statement)
{
    int rc;
    while ((rc = statement.step()) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE)
        m_lastError = describe(m_db.get(), rc);
    statement.reset();
    return rc == SQLITE_DONE;
}

std::string SqliteWriter::newEpoch()
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

bool SqliteWriter::loadChannel(const std::string& channel, ChannelEntry*& entry)
{
    if (auto it = m_channels.find(channel); it != m_channels.end()) {
        entry = &it->second;
        return true;
    }
    Statement& s = m_s.selectChannel;
    s.bind(1, channel);
    ChannelEntry loaded;
    const int rc = s.step();
    if (rc == SQLITE_ROW) {
        loaded.epoch = s.text(0);
        loaded.lastOffset = static_cast<std::uint64_t>(s.integer(1));
    } else if (rc == SQLITE_DONE) {
        loaded.epoch = newEpoch(); // persisted by finishChannels() with the first append
    } else {
        m_lastError = describe(m_db.get(), rc);
        s.reset();
        return false;
    }
    s.reset();
    entry = &m_channels.emplace(channel, std::move(loaded)).first->second;
    return true;
}

bool SqliteWriter::applyAppend(const AppendRequest& request, std::int64_t now,
                                    AppendResult& result, std::vector<std::string>& touched)
{
    ChannelEntry* entry = nullptr;
    if (!loadChannel(request.channel, entry))
        return false;
    entry->retention = request.retention;

    if (!request.key.empty()) {
        Statement& s = m_s.selectKey;
        s.bind(1, request.channel);
        s.bind(2, request.key);
        const int rc = s.step();
        if (rc == SQLITE_ROW) {
            const std::int64_t firstTs = s.integer(1);
            if (now - firstTs < m_options.dedupWindow.count()) {
                result.offset = static_cast<std::uint64_t>(s.integer(0));
                result.ts = firstTs;
                result.epoch = entry->epoch;
                result.duplicate = true;
                s.reset();
                return true;
            }
        } else if (rc != SQLITE_DONE) {
            m_lastError = describe(m_db.get(), rc);
            s.reset();
            return false;
        }
        s.reset();
    }

    const std::uint64_t offset = entry->lastOffset + 1;
    const std::int64_t ts = request.ts != 0 ? request.ts : now;

    Statement& insert = m_s.insertPublication;
    insert.bind(1, request.channel);
    insert.bind(2, toSql(offset));
    insert.bind(3, request.data);
    insert.bind(4, ts);
    insert.bindOrNull(5, request.user);
    insert.bindOrNull(6, request.key);
    if (!run(insert))
        return false;

    if (!request.key.empty()) {
        Statement& key = m_s.upsertKey;
        key.bind(1, request.channel);
        key.bind(2, request.key);
        key.bind(3, toSql(offset));
        key.bind(4, ts);
        if (!run(key))
            return false;
    }

    // Offsets advance only in the cache until COMMIT; a failed batch drops these
    // entries (see commit()).
    if (entry->touchedBy != m_batch) {
        entry->touchedBy = m_batch;
        touched.push_back(request.channel);
    }
    entry->lastOffset = offset;
    result.offset = offset;
    result.epoch = entry->epoch;
    result.ts = ts;
    return true;
}

bool SqliteWriter::applyEnsure(const std::string& channel, ChannelState& state)
{
    ChannelEntry* entry = nullptr;
    if (!loadChannel(channel, entry))
        return false;
    // Writes the row with the cached values: for a new channel that persists the
    // epoch loadChannel() made up; for a known one it rewrites what is there.
    Statement& upsert = m_s.upsertChannel;
    upsert.bind(1, channel);
    upsert.bind(2, entry->epoch);
    upsert.bind(3, toSql(entry->lastOffset));
    if (!run(upsert))
        return false;
    state.epoch = entry->epoch;
    state.lastOffset = entry->lastOffset;
    return true;
}

bool SqliteWriter::applyPosition(const PositionOp& op)
{
    Statement& s = m_s.upsertPosition;
    s.bind(1, op.user);
    s.bind(2, op.durable);
    s.bind(3, op.channel);
    s.bind(4, op.position.epoch);
    s.bind(5, toSql(op.position.offset));
    return run(s);
}

bool SqliteWriter::finishChannels(const std::vector<std::string>& touched)
{
    for (const std::string& channel : touched) {
        const ChannelEntry& entry = m_channels.at(channel);
        Statement& upsert = m_s.upsertChannel;
        upsert.bind(1, channel);
        upsert.bind(2, entry.epoch);
        upsert.bind(3, toSql(entry.lastOffset));
        if (!run(upsert))
            return false;

        // Size retention rides in the same transaction: no extra sync, and a reader
        // never sees more than historySize publications.
        m_retention[channel] = entry.retention;
        const std::uint32_t keep = entry.retention.historySize;
        if (entry.lastOffset > keep) {
            Statement& trim = m_s.trimUpTo;
            trim.bind(1, channel);
            trim.bind(2, toSql(entry.lastOffset - keep));
            if (!run(trim))
                return false;
        }
    }
    return true;
}

void SqliteWriter::commit(std::deque<WriteOp>& batch)
{
    const std::int64_t now = unixMillisNow();
    ++m_batch;
    std::vector<AppendResult> results(batch.size());
    std::vector<ChannelState> states(batch.size());
    std::vector<std::string> touched;
    std::uint64_t appended = 0;
    std::uint64_t duplicates = 0;

    bool ok = run(m_s.begin);
    for (std::size_t i = 0; ok && i < batch.size(); ++i) {
        if (auto* append = std::get_if<AppendOp>(&batch[i])) {
            ok = applyAppend(append->request, now, results[i], touched);
            (results[i].duplicate ? duplicates : appended) += ok ? 1 : 0;
        } else if (auto* ensure = std::get_if<EnsureOp>(&batch[i])) {
            ok = applyEnsure(ensure->channel, states[i]);
        } else {
            ok = applyPosition(std::get<PositionOp>(batch[i]));
        }
    }
    ok = ok && finishChannels(touched) && run(m_s.commit);

    // A failed transaction (disk full, an I/O error, an fsync that failed) is rolled
    // back and its requests failed, retryable; the writer goes on with the next batch
    // on the same connection. That is safe after a failed fsync too, and no reopen is
    // needed: SQLite's rollback discards the pages the transaction changed, and after
    // an I/O error its pager distrusts its whole cache (the pager's ERROR state) and
    // drops it once the transaction has ended, so the next transaction reads the
    // committed state from the file again; our own cache forgets what the batch
    // touched (below). In the WAL, a
    // failed commit's frames lie beyond the last committed frame, which is all readers
    // and later transactions go by: the next commit writes its frames over them, and
    // after a crash recovery stops at the first frame whose checksum (chained over
    // every frame before it) does not match. Frames of earlier commits were fsynced
    // successfully then, so pages the kernel may have dropped after the failed fsync
    // (marked clean, never written) hold nothing acknowledged. The one thing left
    // open: when a commit's fsync fails and the process stops before another commit
    // succeeds, recovery may find the failed transaction complete in the WAL and keep
    // it: stored although answered unavailable (never the other way round), which is
    // why the message says a keyed publish can be repeated safely. README.md,
    // "Failures of the disk".
    if (!ok) {
        const std::string cause = m_lastError;
        if (!sqlite3_get_autocommit(m_db.get()))
            run(m_s.rollback);
        // The cache must match what is committed: drop what this batch touched (the
        // offsets it assigned, epochs it invented) so it is reloaded from the file.
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (auto* append = std::get_if<AppendOp>(&batch[i]))
                m_channels.erase(append->request.channel);
            else if (auto* ensure = std::get_if<EnsureOp>(&batch[i]))
                m_channels.erase(ensure->channel);
        }
        m_failedCommits.fetch_add(1, std::memory_order_relaxed);
        m_commitLog.failed(cause, "requests answered unavailable: " + std::to_string(batch.size()));
        const Error error = makeError(ErrorCode::unavailable,
                                      "the event store could not commit to '" + m_options.path.string()
                                          + "': " + cause
                                          + "; nothing was acknowledged: try again later (a publish with a "
                                            "key can be repeated safely)",
                                      true);
        for (WriteOp& op : batch)
            std::visit([&](auto& o) { o.callback(error); }, op);
        return;
    }

    m_commitLog.succeeded();
    m_commits.fetch_add(1, std::memory_order_relaxed);
    m_appends.fetch_add(appended, std::memory_order_relaxed);
    m_duplicates.fetch_add(duplicates, std::memory_order_relaxed);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (auto* append = std::get_if<AppendOp>(&batch[i]))
            append->callback(std::move(results[i]));
        else if (auto* ensure = std::get_if<EnsureOp>(&batch[i]))
            ensure->callback(std::move(states[i]));
        else
            std::get<PositionOp>(batch[i]).callback(Result<void>());
    }
}

void SqliteWriter::sweep()
{
    const std::int64_t now = unixMillisNow();
    bool ok = run(m_s.begin);
    for (const auto& [channel, retention] : m_retention) {
        if (!ok)
            break;
        if (retention.historyTtl <= Millis::zero())
            continue;
        const std::int64_t cutoff = now - retention.historyTtl.count();
        // The oldest publications go while they are expired; the first one that is
        // not ends the prefix, so the kept history stays contiguous.
        Statement& scan = m_s.agePrefix;
        scan.bind(1, channel);
        std::int64_t lastExpired = 0;
        int rc;
        while ((rc = scan.step()) == SQLITE_ROW && scan.integer(1) < cutoff)
            lastExpired = scan.integer(0);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            m_lastError = describe(m_db.get(), rc);
            ok = false;
        }
        scan.reset();
        if (ok && lastExpired > 0) {
            Statement& trim = m_s.trimUpTo;
            trim.bind(1, channel);
            trim.bind(2, lastExpired);
            ok = run(trim);
        }
    }
    if (ok) {
        m_s.trimKeys.bind(1, now - m_options.dedupWindow.count());
        ok = run(m_s.trimKeys);
    }
    ok = ok && run(m_s.commit);
    // A failed sweep changes nothing and is tried again at the next interval.
    if (ok) {
        m_sweepLog.succeeded();
        return;
    }
    const std::string cause = m_lastError;
    if (!sqlite3_get_autocommit(m_db.get()))
        run(m_s.rollback);
    m_sweepLog.failed(cause, "expired publications are kept until the next sweep");
}

} // namespace aldis::store::detail

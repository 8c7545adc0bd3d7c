// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite_store.h"

#include "config/config.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <random>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace aldis::store {

namespace {

constexpr std::int64_t kMaxSqlInteger = std::numeric_limits<std::int64_t>::max();

// Schema migrations, applied in order inside one transaction each. A migration is
// never edited once released: a change is a new entry.
struct Migration {
    int version;
    const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE channels(
    channel     TEXT PRIMARY KEY,
    epoch       TEXT NOT NULL,
    last_offset INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE publications(
    channel TEXT NOT NULL,
    offset  INTEGER NOT NULL,
    data    TEXT NOT NULL,
    ts      INTEGER NOT NULL,
    user    TEXT,
    key     TEXT,
    PRIMARY KEY(channel, offset)
) WITHOUT ROWID;
CREATE TABLE idempotency(
    channel TEXT NOT NULL,
    key     TEXT NOT NULL,
    offset  INTEGER NOT NULL,
    ts      INTEGER NOT NULL,
    PRIMARY KEY(channel, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_by_ts ON idempotency(ts);
CREATE TABLE positions(
    user    TEXT NOT NULL,
    durable TEXT NOT NULL,
    channel TEXT NOT NULL,
    epoch   TEXT NOT NULL,
    offset  INTEGER NOT NULL,
    PRIMARY KEY(user, durable, channel)
) WITHOUT ROWID;
)sql"},
};

std::string describe(sqlite3* db, int rc)
{
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const std::string_view generic = sqlite3_errstr(rc & 0xff);
    if (message != generic)
        message.append(" (").append(generic).append(")");
    return message;
}

std::int64_t toSql(std::uint64_t value)
{
    return value > static_cast<std::uint64_t>(kMaxSqlInteger) ? kMaxSqlInteger
                                                              : static_cast<std::int64_t>(value);
}

Error closedError()
{
    return makeError(ErrorCode::unavailable, "the event store is not open", true);
}

// A prepared statement, prepared once and reused: reset() after every use. Text is
// bound without a copy, so bound strings must outlive the step (they do: they belong
// to the request being executed).
class Statement {
public:
    Statement() = default;
    ~Statement() { finalize(); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    int prepare(sqlite3* db, const char* sql)
    {
        finalize();
        return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr);
    }
    void finalize()
    {
        sqlite3_finalize(m_stmt);
        m_stmt = nullptr;
    }

    void bind(int index, std::string_view text)
    {
        // A null pointer would bind SQL NULL; an empty string must stay a string.
        sqlite3_bind_text(m_stmt, index, text.empty() ? "" : text.data(),
                          static_cast<int>(text.size()), SQLITE_STATIC);
    }
    // Empty text is stored as NULL (no user, no key).
    void bindOrNull(int index, std::string_view text)
    {
        if (text.empty())
            sqlite3_bind_null(m_stmt, index);
        else
            bind(index, text);
    }
    void bind(int index, std::int64_t value) { sqlite3_bind_int64(m_stmt, index, value); }

    int step() { return sqlite3_step(m_stmt); }
    void reset() { sqlite3_reset(m_stmt); }

    std::int64_t integer(int column) const { return sqlite3_column_int64(m_stmt, column); }
    bool isNull(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }
    std::string text(int column) const
    {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column)))
                 : std::string();
    }

private:
    sqlite3_stmt* m_stmt = nullptr;
};

struct AppendOp {
    AppendRequest request;
    EventStore::AppendCallback callback;
};

struct PositionOp {
    std::string user;
    std::string durable;
    std::string channel;
    Position position;
    EventStore::DoneCallback callback;
};

struct EnsureOp {
    std::string channel;
    EventStore::StateCallback callback;
};

using WriteOp = std::variant<AppendOp, PositionOp, EnsureOp>;

} // namespace

struct SqliteStore::Impl {
    explicit Impl(SqliteStoreOptions options) : m_options(std::move(options)) {}

    // A read task runs on the reader thread; it is given nullptr when the store is
    // not open and must then fail its callback.
    using ReadTask = std::function<void(Impl*)>;

    struct ChannelEntry {
        std::string epoch;
        std::uint64_t lastOffset = 0;
        std::uint64_t touchedBy = 0; // the last batch that appended to it
        Retention retention;         // of the latest append in that batch
    };

    struct WriterStatements {
        Statement begin, commit, rollback;
        Statement selectChannel, upsertChannel;
        Statement selectKey, upsertKey, trimKeys;
        Statement insertPublication, trimUpTo, agePrefix;
        Statement upsertPosition;
    };

    struct ReaderStatements {
        Statement begin, end, rollback;
        Statement selectChannel, firstOffset;
        Statement readAscending, readDescending;
        Statement selectPosition;
    };

    Result<void> open();
    void close();

    void enqueueWrite(WriteOp op);
    void enqueueRead(ReadTask task);

    // Writer thread.
    void writerLoop();
    void commit(std::deque<WriteOp>& batch);
    bool applyAppend(const AppendRequest& request, std::int64_t now, AppendResult& result,
                     std::vector<std::string>& touched);
    bool applyPosition(const PositionOp& op);
    bool applyEnsure(const std::string& channel, ChannelState& state);
    bool loadChannel(const std::string& channel, ChannelEntry*& entry);
    bool finishChannels(const std::vector<std::string>& touched);
    void sweep();
    bool run(Statement& statement);
    std::string newEpoch();

    // Reader thread.
    void readerLoop();
    Result<ChannelState> readState(const std::string& channel);
    Result<ReadResult> readPublications(const ReadRequest& request);
    Result<std::optional<Position>> readPosition(const std::string& user,
                                                 const std::string& durable,
                                                 const std::string& channel);
    int beginRead(); // SQLITE_DONE when a read transaction (one snapshot) started
    Error readFailure(int rc);

    Result<void> openConnection(sqlite3*& db, int flags);
    Error openFailure(sqlite3* db, int rc) const;
    Result<void> migrate();
    Result<void> prepareAll();
    void releaseConnections();

    const SqliteStoreOptions m_options;

    std::mutex m_lifecycleMutex; // serialises open() and close()
    bool m_open = false;

    // Writer side. m_writeDb, m_w, m_channels, m_retention, m_random and m_lastError
    // belong to the writer thread while it runs.
    sqlite3* m_writeDb = nullptr;
    WriterStatements m_w;
    std::unordered_map<std::string, ChannelEntry> m_channels;  // committed state cache
    std::unordered_map<std::string, Retention> m_retention;    // latest per channel
    std::random_device m_random;
    std::string m_lastError;
    std::uint64_t m_batch = 0; // number of the batch being committed
    std::mutex m_writeMutex;
    std::condition_variable m_writeCv;
    std::deque<WriteOp> m_writeQueue;
    bool m_writeAccepting = false;
    std::thread m_writer;

    // Reader side. m_readDb and m_r belong to the reader thread while it runs.
    sqlite3* m_readDb = nullptr;
    ReaderStatements m_r;
    std::mutex m_readMutex;
    std::condition_variable m_readCv;
    std::deque<ReadTask> m_readQueue;
    bool m_readAccepting = false;
    std::thread m_reader;

    std::atomic<std::uint64_t> m_commits{0};
    std::atomic<std::uint64_t> m_appends{0};
    std::atomic<std::uint64_t> m_duplicates{0};
    std::atomic<std::uint64_t> m_failedCommits{0};
};

// ---------------------------------------------------------------------------------
// Opening and closing

Error SqliteStore::Impl::openFailure(sqlite3* db, int rc) const
{
    return makeError(ErrorCode::unavailable,
                     "cannot open the event store at '" + m_options.path.string() + "': "
                         + describe(db, rc)
                         + ". Check that the path is an Aldis database and is writable.");
}

Result<void> SqliteStore::Impl::openConnection(sqlite3*& db, int flags)
{
    int rc = sqlite3_open_v2(m_options.path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK)
        return openFailure(db, rc);
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, static_cast<int>(std::clamp<Millis::rep>(
                                 m_options.busyTimeout.count(), 0,
                                 std::numeric_limits<int>::max())));
    return {};
}

Result<void> SqliteStore::Impl::migrate()
{
    auto exec = [this](const char* sql) -> Result<void> {
        const int rc = sqlite3_exec(m_writeDb, sql, nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK)
            return openFailure(m_writeDb, rc);
        return {};
    };

    if (auto r = exec("CREATE TABLE IF NOT EXISTS schema_version("
                      "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
        !r)
        return r;

    int current = 0;
    {
        Statement s;
        int rc = s.prepare(m_writeDb, "SELECT coalesce(max(version), 0) FROM schema_version");
        if (rc == SQLITE_OK)
            rc = s.step();
        if (rc != SQLITE_ROW)
            return openFailure(m_writeDb, rc);
        current = static_cast<int>(s.integer(0));
    }

    const int latest = std::size(kMigrations) ? kMigrations[std::size(kMigrations) - 1].version : 0;
    if (current > latest) {
        return makeError(ErrorCode::unavailable,
                         "the event store at '" + m_options.path.string()
                             + "' has schema version " + std::to_string(current)
                             + ", newer than this Aldis supports (" + std::to_string(latest)
                             + "). Run a newer Aldis or use another store path.");
    }

    for (const Migration& migration : kMigrations) {
        if (migration.version <= current)
            continue;
        if (auto r = exec("BEGIN IMMEDIATE"); !r)
            return r;
        Result<void> r = exec(migration.sql);
        if (r) {
            const std::string record = "INSERT INTO schema_version(version, applied_at) VALUES("
                + std::to_string(migration.version) + ", " + std::to_string(unixMillisNow())
                + ")";
            r = exec(record.c_str());
        }
        if (r)
            r = exec("COMMIT");
        if (!r) {
            if (!sqlite3_get_autocommit(m_writeDb))
                sqlite3_exec(m_writeDb, "ROLLBACK", nullptr, nullptr, nullptr);
            return r;
        }
    }
    return {};
}

Result<void> SqliteStore::Impl::prepareAll()
{
    struct Entry {
        sqlite3* db;
        Statement& statement;
        const char* sql;
    };
    const Entry entries[] = {
        {m_writeDb, m_w.begin, "BEGIN IMMEDIATE"},
        {m_writeDb, m_w.commit, "COMMIT"},
        {m_writeDb, m_w.rollback, "ROLLBACK"},
        {m_writeDb, m_w.selectChannel, "SELECT epoch, last_offset FROM channels WHERE channel = ?1"},
        {m_writeDb, m_w.upsertChannel,
         "INSERT INTO channels(channel, epoch, last_offset) VALUES(?1, ?2, ?3) "
         "ON CONFLICT(channel) DO UPDATE SET last_offset = excluded.last_offset"},
        {m_writeDb, m_w.selectKey, "SELECT offset, ts FROM idempotency WHERE channel = ?1 AND key = ?2"},
        {m_writeDb, m_w.upsertKey,
         "INSERT INTO idempotency(channel, key, offset, ts) VALUES(?1, ?2, ?3, ?4) "
         "ON CONFLICT(channel, key) DO UPDATE SET offset = excluded.offset, ts = excluded.ts"},
        {m_writeDb, m_w.trimKeys, "DELETE FROM idempotency WHERE ts < ?1"},
        {m_writeDb, m_w.insertPublication,
         "INSERT INTO publications(channel, offset, data, ts, user, key) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6)"},
        {m_writeDb, m_w.trimUpTo, "DELETE FROM publications WHERE channel = ?1 AND offset <= ?2"},
        {m_writeDb, m_w.agePrefix, "SELECT offset, ts FROM publications WHERE channel = ?1 ORDER BY offset"},
        {m_writeDb, m_w.upsertPosition,
         "INSERT INTO positions(user, durable, channel, epoch, offset) VALUES(?1, ?2, ?3, ?4, ?5) "
         "ON CONFLICT(user, durable, channel) DO UPDATE SET "
         "epoch = excluded.epoch, offset = excluded.offset "
         // Acks move a position forward only (within an epoch).
         "WHERE excluded.epoch <> positions.epoch OR excluded.offset > positions.offset"},

        {m_readDb, m_r.begin, "BEGIN"},
        {m_readDb, m_r.end, "COMMIT"},
        {m_readDb, m_r.rollback, "ROLLBACK"},
        {m_readDb, m_r.selectChannel, "SELECT epoch, last_offset FROM channels WHERE channel = ?1"},
        {m_readDb, m_r.firstOffset,
         "SELECT offset FROM publications WHERE channel = ?1 ORDER BY offset LIMIT 1"},
        {m_readDb, m_r.readAscending,
         "SELECT offset, data, ts, user, key FROM publications "
         "WHERE channel = ?1 AND offset > ?2 AND offset <= ?3 ORDER BY offset LIMIT ?4"},
        {m_readDb, m_r.readDescending,
         "SELECT offset, data, ts, user, key FROM publications "
         "WHERE channel = ?1 AND offset > ?2 AND offset <= ?3 ORDER BY offset DESC LIMIT ?4"},
        {m_readDb, m_r.selectPosition,
         "SELECT epoch, offset FROM positions WHERE user = ?1 AND durable = ?2 AND channel = ?3"},
    };
    for (const Entry& e : entries) {
        if (const int rc = e.statement.prepare(e.db, e.sql); rc != SQLITE_OK)
            return openFailure(e.db, rc);
    }
    return {};
}

void SqliteStore::Impl::releaseConnections()
{
    for (Statement* s : {&m_w.begin, &m_w.commit, &m_w.rollback, &m_w.selectChannel,
                         &m_w.upsertChannel, &m_w.selectKey, &m_w.upsertKey, &m_w.trimKeys,
                         &m_w.insertPublication, &m_w.trimUpTo, &m_w.agePrefix,
                         &m_w.upsertPosition, &m_r.begin, &m_r.end, &m_r.rollback,
                         &m_r.selectChannel, &m_r.firstOffset, &m_r.readAscending,
                         &m_r.readDescending, &m_r.selectPosition})
        s->finalize();
    // The read connection closes first so that closing the writer, the last
    // connection, checkpoints the WAL into the database file.
    sqlite3_close_v2(m_readDb);
    sqlite3_close_v2(m_writeDb);
    m_readDb = nullptr;
    m_writeDb = nullptr;
    m_channels.clear();
    m_retention.clear();
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

    auto fail = [this](Error error) -> Result<void> {
        releaseConnections();
        return error;
    };

    if (auto r = openConnection(m_writeDb, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE); !r)
        return fail(r.error());

    // The first statement reads the file header: a file that is not a database fails
    // here with SQLITE_NOTADB.
    {
        Statement s;
        int rc = s.prepare(m_writeDb, "PRAGMA journal_mode=WAL");
        if (rc == SQLITE_OK)
            rc = s.step();
        if (rc != SQLITE_ROW)
            return fail(openFailure(m_writeDb, rc));
        if (s.text(0) != "wal") {
            return fail(makeError(ErrorCode::unavailable,
                                  "cannot open the event store at '" + m_options.path.string()
                                      + "': the file system does not support SQLite's WAL "
                                        "journal (got '" + s.text(0) + "')"));
        }
    }
    const char* synchronous =
        m_options.synchronousFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
    if (const int rc = sqlite3_exec(m_writeDb, synchronous, nullptr, nullptr, nullptr);
        rc != SQLITE_OK)
        return fail(openFailure(m_writeDb, rc));

    if (auto r = migrate(); !r)
        return fail(r.error());

    if (auto r = openConnection(m_readDb, SQLITE_OPEN_READWRITE); !r)
        return fail(r.error());
    if (const int rc = sqlite3_exec(m_readDb, "PRAGMA query_only=1", nullptr, nullptr, nullptr);
        rc != SQLITE_OK)
        return fail(openFailure(m_readDb, rc));

    if (auto r = prepareAll(); !r)
        return fail(r.error());

    {
        std::lock_guard lock(m_writeMutex);
        m_writeAccepting = true;
    }
    {
        std::lock_guard lock(m_readMutex);
        m_readAccepting = true;
    }
    m_writer = std::thread([this] { writerLoop(); });
    m_reader = std::thread([this] { readerLoop(); });
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
    {
        std::lock_guard lock(m_writeMutex);
        m_writeAccepting = false;
    }
    m_writeCv.notify_all();
    m_writer.join();
    {
        std::lock_guard lock(m_readMutex);
        m_readAccepting = false;
    }
    m_readCv.notify_all();
    m_reader.join();
    releaseConnections();
    m_open = false;
}

// ---------------------------------------------------------------------------------
// Writer thread

void SqliteStore::Impl::enqueueWrite(WriteOp op)
{
    const std::size_t batchLimit = std::max<std::uint32_t>(m_options.commitBatch, 1);
    std::size_t size = 0;
    {
        std::lock_guard lock(m_writeMutex);
        if (m_writeAccepting) {
            m_writeQueue.push_back(std::move(op));
            size = m_writeQueue.size();
        }
    }
    if (size == 0) {
        std::visit([](auto& o) { o.callback(closedError()); }, op);
        return;
    }
    // The writer sleeps either on an empty queue or, inside a commit window, until the
    // batch is full; other pushes need no wake-up.
    if (size == 1 || size == batchLimit)
        m_writeCv.notify_one();
}

void SqliteStore::Impl::writerLoop()
{
    const std::size_t batchLimit = std::max<std::uint32_t>(m_options.commitBatch, 1);
    const bool sweeping = m_options.sweepInterval > Millis::zero();
    auto nextSweep = Clock::now() + m_options.sweepInterval;
    std::deque<WriteOp> batch;

    for (;;) {
        {
            std::unique_lock lock(m_writeMutex);
            auto ready = [this] { return !m_writeQueue.empty() || !m_writeAccepting; };
            if (sweeping)
                m_writeCv.wait_until(lock, nextSweep, ready);
            else
                m_writeCv.wait(lock, ready);
            if (m_writeQueue.empty() && !m_writeAccepting)
                break;
            if (!m_writeQueue.empty() && m_writeAccepting && m_writeQueue.size() < batchLimit
                && m_options.commitWindow > Millis::zero()) {
                m_writeCv.wait_for(lock, m_options.commitWindow, [&] {
                    return m_writeQueue.size() >= batchLimit || !m_writeAccepting;
                });
            }
            if (m_writeQueue.size() <= batchLimit) {
                batch.swap(m_writeQueue);
            } else {
                auto end = m_writeQueue.begin() + static_cast<std::ptrdiff_t>(batchLimit);
                batch.assign(std::make_move_iterator(m_writeQueue.begin()),
                             std::make_move_iterator(end));
                m_writeQueue.erase(m_writeQueue.begin(), end);
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

bool SqliteStore::Impl::run(Statement& statement)
{
    int rc;
    while ((rc = statement.step()) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE)
        m_lastError = describe(m_writeDb, rc);
    statement.reset();
    return rc == SQLITE_DONE;
}

std::string SqliteStore::Impl::newEpoch()
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

bool SqliteStore::Impl::loadChannel(const std::string& channel, ChannelEntry*& entry)
{
    if (auto it = m_channels.find(channel); it != m_channels.end()) {
        entry = &it->second;
        return true;
    }
    Statement& s = m_w.selectChannel;
    s.bind(1, channel);
    ChannelEntry loaded;
    const int rc = s.step();
    if (rc == SQLITE_ROW) {
        loaded.epoch = s.text(0);
        loaded.lastOffset = static_cast<std::uint64_t>(s.integer(1));
    } else if (rc == SQLITE_DONE) {
        loaded.epoch = newEpoch(); // persisted by finishChannels() with the first append
    } else {
        m_lastError = describe(m_writeDb, rc);
        s.reset();
        return false;
    }
    s.reset();
    entry = &m_channels.emplace(channel, std::move(loaded)).first->second;
    return true;
}

bool SqliteStore::Impl::applyAppend(const AppendRequest& request, std::int64_t now,
                                    AppendResult& result, std::vector<std::string>& touched)
{
    ChannelEntry* entry = nullptr;
    if (!loadChannel(request.channel, entry))
        return false;
    entry->retention = request.retention;

    if (!request.key.empty()) {
        Statement& s = m_w.selectKey;
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
            m_lastError = describe(m_writeDb, rc);
            s.reset();
            return false;
        }
        s.reset();
    }

    const std::uint64_t offset = entry->lastOffset + 1;
    const std::int64_t ts = request.ts != 0 ? request.ts : now;

    Statement& insert = m_w.insertPublication;
    insert.bind(1, request.channel);
    insert.bind(2, toSql(offset));
    insert.bind(3, request.data);
    insert.bind(4, ts);
    insert.bindOrNull(5, request.user);
    insert.bindOrNull(6, request.key);
    if (!run(insert))
        return false;

    if (!request.key.empty()) {
        Statement& key = m_w.upsertKey;
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

bool SqliteStore::Impl::applyEnsure(const std::string& channel, ChannelState& state)
{
    ChannelEntry* entry = nullptr;
    if (!loadChannel(channel, entry))
        return false;
    // Writes the row with the cached values: for a new channel that persists the
    // epoch loadChannel() made up; for a known one it rewrites what is there.
    Statement& upsert = m_w.upsertChannel;
    upsert.bind(1, channel);
    upsert.bind(2, entry->epoch);
    upsert.bind(3, toSql(entry->lastOffset));
    if (!run(upsert))
        return false;
    state.epoch = entry->epoch;
    state.lastOffset = entry->lastOffset;
    return true;
}

bool SqliteStore::Impl::applyPosition(const PositionOp& op)
{
    Statement& s = m_w.upsertPosition;
    s.bind(1, op.user);
    s.bind(2, op.durable);
    s.bind(3, op.channel);
    s.bind(4, op.position.epoch);
    s.bind(5, toSql(op.position.offset));
    return run(s);
}

bool SqliteStore::Impl::finishChannels(const std::vector<std::string>& touched)
{
    for (const std::string& channel : touched) {
        const ChannelEntry& entry = m_channels.at(channel);
        Statement& upsert = m_w.upsertChannel;
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
            Statement& trim = m_w.trimUpTo;
            trim.bind(1, channel);
            trim.bind(2, toSql(entry.lastOffset - keep));
            if (!run(trim))
                return false;
        }
    }
    return true;
}

void SqliteStore::Impl::commit(std::deque<WriteOp>& batch)
{
    const std::int64_t now = unixMillisNow();
    ++m_batch;
    std::vector<AppendResult> results(batch.size());
    std::vector<ChannelState> states(batch.size());
    std::vector<std::string> touched;
    std::uint64_t appended = 0;
    std::uint64_t duplicates = 0;

    bool ok = run(m_w.begin);
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
    ok = ok && finishChannels(touched) && run(m_w.commit);

    if (!ok) {
        const std::string cause = m_lastError;
        if (!sqlite3_get_autocommit(m_writeDb))
            run(m_w.rollback);
        // The cache must match what is committed: drop what this batch touched (the
        // offsets it assigned, epochs it invented) so it is reloaded from the file.
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (auto* append = std::get_if<AppendOp>(&batch[i]))
                m_channels.erase(append->request.channel);
            else if (auto* ensure = std::get_if<EnsureOp>(&batch[i]))
                m_channels.erase(ensure->channel);
        }
        m_failedCommits.fetch_add(1, std::memory_order_relaxed);
        const Error error = makeError(ErrorCode::unavailable,
                                      "the event store could not commit to '"
                                          + m_options.path.string() + "': " + cause,
                                      true);
        for (WriteOp& op : batch)
            std::visit([&](auto& o) { o.callback(error); }, op);
        return;
    }

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

void SqliteStore::Impl::sweep()
{
    const std::int64_t now = unixMillisNow();
    bool ok = run(m_w.begin);
    for (const auto& [channel, retention] : m_retention) {
        if (!ok)
            break;
        if (retention.historyTtl <= Millis::zero())
            continue;
        const std::int64_t cutoff = now - retention.historyTtl.count();
        // The oldest publications go while they are expired; the first one that is
        // not ends the prefix, so the kept history stays contiguous.
        Statement& scan = m_w.agePrefix;
        scan.bind(1, channel);
        std::int64_t lastExpired = 0;
        int rc;
        while ((rc = scan.step()) == SQLITE_ROW && scan.integer(1) < cutoff)
            lastExpired = scan.integer(0);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            m_lastError = describe(m_writeDb, rc);
            ok = false;
        }
        scan.reset();
        if (ok && lastExpired > 0) {
            Statement& trim = m_w.trimUpTo;
            trim.bind(1, channel);
            trim.bind(2, lastExpired);
            ok = run(trim);
        }
    }
    if (ok) {
        m_w.trimKeys.bind(1, now - m_options.dedupWindow.count());
        ok = run(m_w.trimKeys);
    }
    ok = ok && run(m_w.commit);
    // A failed sweep changes nothing and is tried again at the next interval.
    if (!ok && !sqlite3_get_autocommit(m_writeDb))
        run(m_w.rollback);
}

// ---------------------------------------------------------------------------------
// Reader thread

void SqliteStore::Impl::enqueueRead(ReadTask task)
{
    bool queued = false;
    bool wake = false;
    {
        std::lock_guard lock(m_readMutex);
        if (m_readAccepting) {
            m_readQueue.push_back(std::move(task));
            queued = true;
            wake = m_readQueue.size() == 1;
        }
    }
    if (!queued) {
        task(nullptr);
        return;
    }
    if (wake)
        m_readCv.notify_one();
}

void SqliteStore::Impl::readerLoop()
{
    std::deque<ReadTask> tasks;
    for (;;) {
        {
            std::unique_lock lock(m_readMutex);
            m_readCv.wait(lock, [this] { return !m_readQueue.empty() || !m_readAccepting; });
            if (m_readQueue.empty())
                break;
            tasks.swap(m_readQueue);
        }
        for (ReadTask& task : tasks)
            task(this);
        tasks.clear();
    }
}

Error SqliteStore::Impl::readFailure(int rc)
{
    Error error = makeError(ErrorCode::unavailable,
                            "the event store could not read '" + m_options.path.string()
                                + "': " + describe(m_readDb, rc),
                            true);
    if (!sqlite3_get_autocommit(m_readDb)) {
        m_r.rollback.step();
        m_r.rollback.reset();
    }
    return error;
}

int SqliteStore::Impl::beginRead()
{
    const int rc = m_r.begin.step();
    m_r.begin.reset();
    return rc;
}

Result<ChannelState> SqliteStore::Impl::readState(const std::string& channel)
{
    ChannelState state;
    Statement& s = m_r.selectChannel;
    s.bind(1, channel);
    int rc = s.step();
    if (rc == SQLITE_ROW) {
        state.epoch = s.text(0);
        state.lastOffset = static_cast<std::uint64_t>(s.integer(1));
    }
    s.reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return readFailure(rc);

    Statement& first = m_r.firstOffset;
    first.bind(1, channel);
    rc = first.step();
    if (rc == SQLITE_ROW)
        state.firstOffset = static_cast<std::uint64_t>(first.integer(0));
    first.reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return readFailure(rc);
    return state;
}

Result<ReadResult> SqliteStore::Impl::readPublications(const ReadRequest& request)
{
    if (const int rc = beginRead(); rc != SQLITE_DONE)
        return readFailure(rc);
    auto state = readState(request.channel);
    if (!state)
        return state.error();

    ReadResult result;
    result.state = std::move(*state);
    if (request.limit > 0) {
        Statement& s = request.reverse ? m_r.readDescending : m_r.readAscending;
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
    const int rc = m_r.end.step();
    m_r.end.reset();
    if (rc != SQLITE_DONE)
        return readFailure(rc);
    return result;
}

Result<std::optional<Position>> SqliteStore::Impl::readPosition(const std::string& user,
                                                                const std::string& durable,
                                                                const std::string& channel)
{
    Statement& s = m_r.selectPosition;
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
    m_impl->enqueueWrite(AppendOp{std::move(request), std::move(callback)});
}

void SqliteStore::savePosition(std::string user, std::string durable, std::string channel,
                               Position position, DoneCallback callback)
{
    m_impl->enqueueWrite(PositionOp{std::move(user), std::move(durable), std::move(channel),
                                    std::move(position), std::move(callback)});
}

void SqliteStore::ensureChannel(std::string channel, StateCallback callback)
{
    m_impl->enqueueWrite(EnsureOp{std::move(channel), std::move(callback)});
}

void SqliteStore::read(ReadRequest request, ReadCallback callback)
{
    m_impl->enqueueRead([request = std::move(request),
                         callback = std::move(callback)](Impl* impl) {
        callback(impl ? impl->readPublications(request) : Result<ReadResult>(closedError()));
    });
}

void SqliteStore::channelState(std::string channel, StateCallback callback)
{
    m_impl->enqueueRead([channel = std::move(channel),
                         callback = std::move(callback)](Impl* impl) {
        if (!impl) {
            callback(closedError());
            return;
        }
        // Two queries, one snapshot: lastOffset and firstOffset must agree.
        if (const int rc = impl->beginRead(); rc != SQLITE_DONE) {
            callback(impl->readFailure(rc));
            return;
        }
        auto state = impl->readState(channel);
        if (state) {
            const int rc = impl->m_r.end.step();
            impl->m_r.end.reset();
            if (rc != SQLITE_DONE)
                state = impl->readFailure(rc);
        }
        callback(std::move(state));
    });
}

void SqliteStore::loadPosition(std::string user, std::string durable, std::string channel,
                               PositionCallback callback)
{
    m_impl->enqueueRead([user = std::move(user), durable = std::move(durable),
                         channel = std::move(channel),
                         callback = std::move(callback)](Impl* impl) {
        callback(impl ? impl->readPosition(user, durable, channel)
                      : Result<std::optional<Position>>(closedError()));
    });
}

StoreStats SqliteStore::stats() const
{
    return StoreStats{m_impl->m_commits.load(std::memory_order_relaxed),
                      m_impl->m_appends.load(std::memory_order_relaxed),
                      m_impl->m_duplicates.load(std::memory_order_relaxed),
                      m_impl->m_failedCommits.load(std::memory_order_relaxed)};
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

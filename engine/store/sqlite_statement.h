// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"
#include "common/time.h"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>

// Small RAII wrappers over the SQLite C API and the errors the store's parts share.
// Not thread-safe: a connection and its statements belong to one thread at a time
// (the writer's or the reader's; connections are opened with SQLITE_OPEN_NOMUTEX).
namespace aldis::store::detail {

inline constexpr std::int64_t kMaxSqlInteger = std::numeric_limits<std::int64_t>::max();

// SQLite integers are signed: larger offsets are clamped (they never get there).
inline std::int64_t toSql(std::uint64_t value)
{
    return value > static_cast<std::uint64_t>(kMaxSqlInteger) ? kMaxSqlInteger
                                                              : static_cast<std::int64_t>(value);
}

// The connection's error message, followed by the generic text of `rc` when it adds
// something; with no connection, the generic text only.
std::string describe(sqlite3* db, int rc);

// "cannot open the event store at '<path>': ..." with what to check.
Error openFailure(const std::filesystem::path& path, sqlite3* db, int rc);

// One connection to the database file. Closed by close() or by the destructor;
// statements prepared on it must be finalized before.
class Connection {
public:
    Connection() = default;
    ~Connection() { close(); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Opens `path` (no mutex: one thread at a time) with extended result codes and a
    // busy timeout. On failure the handle is kept for describe() until close().
    int open(const std::filesystem::path& path, int flags, Millis busyTimeout);
    void close();
    sqlite3* get() const noexcept { return m_db; }

private:
    sqlite3* m_db = nullptr;
};

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

} // namespace aldis::store::detail

// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite_schema.h"

#include "common/time.h"
#include "store/sqlite_statement.h"

#include <iterator>
#include <string>

namespace aldis::store::detail {

namespace {

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

} // namespace

Result<void> migrate(sqlite3* db, const std::filesystem::path& path)
{
    auto exec = [db, &path](const char* sql) -> Result<void> {
        const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK)
            return openFailure(path, db, rc);
        return {};
    };

    if (auto r = exec("CREATE TABLE IF NOT EXISTS schema_version("
                      "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
        !r)
        return r;

    int current = 0;
    {
        Statement s;
        int rc = s.prepare(db, "SELECT coalesce(max(version), 0) FROM schema_version");
        if (rc == SQLITE_OK)
            rc = s.step();
        if (rc != SQLITE_ROW)
            return openFailure(path, db, rc);
        current = static_cast<int>(s.integer(0));
    }

    const int latest = std::size(kMigrations) ? kMigrations[std::size(kMigrations) - 1].version : 0;
    if (current > latest) {
        return makeError(ErrorCode::unavailable,
                         "the event store at '" + path.string()
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
            if (!sqlite3_get_autocommit(db))
                sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
            return r;
        }
    }
    return {};
}

} // namespace aldis::store::detail

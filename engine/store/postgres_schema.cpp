// SPDX-License-Identifier: Apache-2.0
#include "store/postgres_schema.h"

#include "common/time.h"

#include <pqxx/transaction>

#include <iterator>
#include <string>

namespace aldis::store::detail {

namespace {

// Any constant works as long as every Aldis build uses the same one: "aldis" in
// ASCII, the key of pg_advisory_xact_lock() while migrating.
constexpr long long kMigrationLock = 0x616c646973;

// Schema migrations, applied in order. A migration is never edited once released: a
// change is a new entry. "offset" and "user" are quoted: both are reserved words in
// PostgreSQL, and the columns keep the names they have in the SQLite store.
struct Migration {
    int version;
    const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE channels(
    channel     text PRIMARY KEY,
    epoch       text NOT NULL,
    last_offset bigint NOT NULL
);
CREATE TABLE publications(
    channel  text NOT NULL,
    "offset" bigint NOT NULL,
    data     text NOT NULL,
    ts       bigint NOT NULL,
    "user"   text,
    key      text,
    PRIMARY KEY(channel, "offset")
);
CREATE TABLE idempotency(
    channel  text NOT NULL,
    key      text NOT NULL,
    "offset" bigint NOT NULL,
    ts       bigint NOT NULL,
    PRIMARY KEY(channel, key)
);
CREATE INDEX idempotency_by_ts ON idempotency(ts);
CREATE TABLE positions(
    "user"   text NOT NULL,
    durable  text NOT NULL,
    channel  text NOT NULL,
    epoch    text NOT NULL,
    "offset" bigint NOT NULL,
    PRIMARY KEY("user", durable, channel)
);
)sql"},
};

} // namespace

int latestPostgresSchema()
{
    return std::size(kMigrations) ? kMigrations[std::size(kMigrations) - 1].version : 0;
}

Result<void> migrate(pqxx::connection& connection, const ServerAddress& server)
{
    const int latest = latestPostgresSchema();
    try {
        pqxx::work txn(connection);
        // First, before anything that could race: CREATE TABLE IF NOT EXISTS run by two
        // sessions at once can still fail on the catalog's unique index.
        txn.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
        txn.exec("CREATE TABLE IF NOT EXISTS schema_version("
                 "version integer PRIMARY KEY, applied_at bigint NOT NULL)");
        const int current = txn.exec1("SELECT coalesce(max(version), 0) FROM schema_version")[0].as<int>();
        if (current > latest) {
            return makeError(ErrorCode::unavailable,
                             "the event store at " + server.name + " has schema version "
                                 + std::to_string(current) + ", newer than this Aldis supports ("
                                 + std::to_string(latest)
                                 + "). Run a newer Aldis or point store.url at another database.");
        }
        for (const Migration& migration : kMigrations) {
            if (migration.version <= current)
                continue;
            txn.exec(migration.sql);
            txn.exec("INSERT INTO schema_version(version, applied_at) VALUES("
                     + std::to_string(migration.version) + ", " + std::to_string(unixMillisNow()) + ")");
        }
        txn.commit();
        return {};
    } catch (const std::exception& e) {
        return makeError(ErrorCode::unavailable, "cannot prepare the event store at " + server.name
                                                     + ": " + cleanMessage(e.what(), server));
    }
}

} // namespace aldis::store::detail

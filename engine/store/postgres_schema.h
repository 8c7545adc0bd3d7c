// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"
#include "store/postgres_connection.h"

#include <pqxx/connection>

namespace aldis::store::detail {

// The newest schema version this build knows.
int latestPostgresSchema();

// Brings the database to the newest schema: `schema_version` records every
// migration applied; the missing ones are applied in order, all in one transaction
// that first takes a transaction-scoped advisory lock, so two nodes starting at once
// migrate one after the other (the second finds nothing left to do). A database
// with a newer schema than this build knows is refused. `server` only names the
// database in messages.
//
// Threads: called by PostgresStore::open() on the thread that opens the store, on a
// connection of its own, before the store's threads start.
Result<void> migrate(pqxx::connection& connection, const ServerAddress& server);

} // namespace aldis::store::detail

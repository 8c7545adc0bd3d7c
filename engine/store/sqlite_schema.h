// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"

#include <sqlite3.h>

#include <filesystem>

namespace aldis::store::detail {

// Brings the database behind `db` to the newest schema: records every migration in
// `schema_version` and applies the missing ones in order, each in its own
// transaction. A file with a newer schema than this build knows is refused. `path`
// only names the file in error messages.
//
// Threads: called by SqliteStore::open() on the thread that opens the store, before
// the writer and reader threads start; `db` is the writer's connection.
Result<void> migrate(sqlite3* db, const std::filesystem::path& path);

} // namespace aldis::store::detail

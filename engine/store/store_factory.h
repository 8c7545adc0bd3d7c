// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/event_store.h"

#include <memory>
#include <string>

namespace aldis::config {
struct StoreConfig;
}

namespace aldis::store {

// The store the configuration asks for: a SqliteStore for store.backend "sqlite", a
// PostgresStore for "postgresql". Not opened yet: the caller calls open(), which is
// where a bad path or URL is reported.
std::unique_ptr<EventStore> makeStore(const config::StoreConfig& config);

// Where the store keeps its data, for logs and the admin API: the file for sqlite,
// store.url without its password for postgresql.
std::string describeLocation(const config::StoreConfig& config);

} // namespace aldis::store

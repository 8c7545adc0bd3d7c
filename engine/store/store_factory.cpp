// SPDX-License-Identifier: Apache-2.0
#include "store/store_factory.h"

#include "config/config.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace aldis::store {

std::unique_ptr<EventStore> makeStore(const config::StoreConfig& config)
{
    // The config loader accepts no other backend name.
    if (config.backend == "postgresql")
        return makePostgresStore(config);
    return makeSqliteStore(config);
}

std::string describeLocation(const config::StoreConfig& config)
{
    if (config.backend == "postgresql")
        return config::withoutPassword(config.url);
    return config.path.string();
}

} // namespace aldis::store

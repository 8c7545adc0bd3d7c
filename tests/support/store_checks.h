// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reading a node's SQLite event store file directly, for the crash and fault tests:
// what is stored, whatever the node acknowledged. Each call opens its own read-only
// connection and closes it, so it may run while the daemon runs (WAL) or after it
// stopped or was killed.

#include <QString>

#include <cstdint>
#include <string>
#include <vector>

namespace aldis::test {

struct StoredPublication {
    std::uint64_t offset = 0;
    std::string key;   // empty when published without one
};

// The publications of `channel`, oldest first; empty when the file cannot be read.
std::vector<StoredPublication> readStoredPublications(const QString& dbPath, const std::string& channel);

// The first row of PRAGMA integrity_check ("ok" for a sound file), or the SQLite error
// when the check could not run.
QString integrityCheck(const QString& dbPath);

} // namespace aldis::test

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace aldis::admin {

struct AuditEntry {
    std::uint64_t id = 0;
    std::int64_t timeMs = 0;
    std::string actor;
    std::string action;
    std::string target;
    std::string result;   // ok, refused, failed
    std::string message;
};

// The record of operator actions: every action request, accepted or refused. Kept
// in a JSON-lines file so it survives restarts; the last kKept entries stay in memory.
//
// Threads: any; a mutex guards the entries and the file (admin path only). Owned by
// the admin server.
class AuditLog {
public:
    static constexpr std::size_t kKept = 1000;

    // Reads the entries already in `path` (a missing file is an empty log; a line
    // that does not parse is skipped with a warning).
    explicit AuditLog(std::filesystem::path path);

    AuditEntry append(std::string actor, std::string action, std::string target, std::string result,
                      std::string message);
    // Newest first, at most `limit`.
    std::vector<AuditEntry> recent(std::size_t limit) const;

private:
    std::filesystem::path m_path;
    mutable std::mutex m_mutex;
    std::deque<AuditEntry> m_entries; // oldest first
    std::uint64_t m_nextId = 1;
};

} // namespace aldis::admin

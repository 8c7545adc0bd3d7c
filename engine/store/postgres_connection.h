// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"
#include "common/time.h"

#include <pqxx/connection>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// What every connection of the PostgreSQL store shares: store.url parsed by libpq,
// the server's name for messages (never the password), and PgSession, one connection
// that comes back after it was lost.
namespace aldis::store::detail {

// store.url made ready for libpq.
struct ServerAddress {
    std::string conninfo;  // key=value settings, with Aldis's defaults added
    std::string name;      // "host:port/db", for messages
    std::string password;  // only to scrub it from libpq's messages; may be empty
};

// Parses store.url, a postgresql:// URL or libpq key=value settings. Adds
// connect_timeout=5 (an unreachable host must not hold a writer for minutes) and
// fallback_application_name=aldis when the URL does not set them. Fails with a
// message naming store.url when libpq cannot read it.
Result<ServerAddress> parseServerAddress(const std::string& url);

// A libpq or libpqxx message fit for one line of a log or an error: whitespace runs
// collapsed, the trailing newline gone, the password replaced by "***".
std::string cleanMessage(std::string_view what, const ServerAddress& server);

// Class 40 errors that PostgreSQL asks the client to retry: serialization failure
// (40001) and deadlock (40P01).
bool isRetryableConflict(const std::string& sqlstate);

// One connection of the store, with its session settings and prepared statements,
// and the rule for getting it back: a lost connection is reopened by the next
// get(), at once the first time and then no more often than a backoff that doubles
// from 100 ms to 2 s while attempts fail (get() fails at once in between, so a
// server that is down costs each batch nothing but a quick error).
//
// Threads: belongs to one thread at a time (a writer's or a reader's; open() and
// close() on the thread that opens or closes the store).
class PgSession {
public:
    struct Prepared {
        const char* name;
        const char* sql;
    };
    struct Settings {
        std::optional<bool> synchronousCommit; // writers: on (full) or off (normal)
        std::vector<Prepared> statements;
    };

    PgSession(const ServerAddress& server, Settings settings);
    ~PgSession();
    PgSession(const PgSession&) = delete;
    PgSession& operator=(const PgSession&) = delete;

    // Connects now; the error is the cause (libpq's words, cleaned).
    Result<void> open();
    // The connection, reconnecting first if it was lost (see the class comment).
    // The error is the cause, for the caller's message.
    Result<pqxx::connection*> get();
    // Forgets a connection that broke (or that an error left in doubt); the next
    // get() opens a new one.
    void lost();
    void close();

private:
    Result<void> connect();

    const ServerAddress& m_server;
    const Settings m_settings;
    std::unique_ptr<pqxx::connection> m_connection;
    Clock::time_point m_retryAt{};  // no attempt before this
    Millis m_backoff{0};            // added after the next failed attempt
    std::string m_lastFailure;
};

} // namespace aldis::store::detail

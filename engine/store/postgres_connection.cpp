// SPDX-License-Identifier: Apache-2.0
#include "store/postgres_connection.h"

#include "config/config.h"

#include <libpq-fe.h>
#include <pqxx/except>

#include <algorithm>
#include <cctype>
#include <map>

namespace aldis::store::detail {

namespace {

constexpr Millis kFirstBackoff{100};
constexpr Millis kMaxBackoff{2000};

// A value for key=value settings: quoted, with ' and \ escaped (libpq's rules).
std::string settingValue(std::string_view value)
{
    std::string out = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "'";
}

// What libpq would use for settings the URL leaves out (PGHOST, PGPORT, ... or its
// compiled-in defaults), so the server's name in messages is the one it connects to.
std::string defaultOf(const char* keyword)
{
    std::string value;
    if (PQconninfoOption* defaults = PQconndefaults()) {
        for (const PQconninfoOption* o = defaults; o->keyword; ++o) {
            if (std::string_view(o->keyword) == keyword && o->val)
                value = o->val;
        }
        PQconninfoFree(defaults);
    }
    return value;
}

std::string serverName(const std::map<std::string, std::string>& settings)
{
    auto get = [&](const char* keyword) {
        auto it = settings.find(keyword);
        return it != settings.end() && !it->second.empty() ? it->second : defaultOf(keyword);
    };
    std::string host = get("host");
    if (host.empty())
        host = get("hostaddr");
    if (host.empty())
        host = "localhost"; // a Unix socket folder, when set, names itself
    std::string port = get("port");
    std::string database = get("dbname");
    if (database.empty())
        database = get("user"); // libpq's own default
    return host + ":" + (port.empty() ? "5432" : port) + "/" + database;
}

} // namespace

Result<ServerAddress> parseServerAddress(const std::string& url)
{
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (!options) {
        ServerAddress unknown;
        std::string cause = error ? error : "out of memory";
        PQfreemem(error);
        // libpq quotes the URL it could not read: show it without its password.
        if (const auto at = cause.find(url); at != std::string::npos && !url.empty())
            cause.replace(at, url.size(), config::withoutPassword(url));
        return makeError(ErrorCode::unavailable,
                         "cannot open the event store: store.url is not a PostgreSQL URL "
                         "(postgresql://user@host:port/database) or key=value settings: "
                             + cleanMessage(cause, unknown));
    }
    std::map<std::string, std::string> settings;
    for (const PQconninfoOption* o = options; o->keyword; ++o) {
        if (o->val)
            settings.emplace(o->keyword, o->val);
    }
    PQconninfoFree(options);

    settings.try_emplace("connect_timeout", "5");
    settings.try_emplace("fallback_application_name", "aldis");

    ServerAddress server;
    for (const auto& [keyword, value] : settings)
        server.conninfo += keyword + "=" + settingValue(value) + " ";
    server.name = serverName(settings);
    if (auto it = settings.find("password"); it != settings.end())
        server.password = it->second;
    return server;
}

std::string cleanMessage(std::string_view what, const ServerAddress& server)
{
    std::string out;
    out.reserve(what.size());
    bool space = false;
    for (const char c : what) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += c;
    }
    if (!server.password.empty()) {
        for (auto at = out.find(server.password); at != std::string::npos;
             at = out.find(server.password, at + 3))
            out.replace(at, server.password.size(), "***");
    }
    return out;
}

bool isRetryableConflict(const std::string& sqlstate)
{
    return sqlstate == "40001" || sqlstate == "40P01";
}

// ---------------------------------------------------------------------------------
// PgSession

PgSession::PgSession(const ServerAddress& server, Settings settings)
    : m_server(server), m_settings(std::move(settings))
{
}

PgSession::~PgSession() = default;

Result<void> PgSession::connect()
{
    try {
        auto connection = std::make_unique<pqxx::connection>(m_server.conninfo);
        // Text travels as UTF-8 whatever the database's default client encoding.
        connection->set_client_encoding("UTF8");
        // set_variable(), unlike a plain SET, is replayed by libpqxx if it ever
        // reconnects the same object behind our back.
        if (m_settings.synchronousCommit)
            connection->set_variable("synchronous_commit", *m_settings.synchronousCommit ? "on" : "off");
        for (const Prepared& p : m_settings.statements)
            connection->prepare(p.name, p.sql);
        m_connection = std::move(connection);
        return {};
    } catch (const std::exception& e) {
        m_connection.reset();
        return makeError(ErrorCode::unavailable, cleanMessage(e.what(), m_server), true);
    }
}

Result<void> PgSession::open()
{
    m_backoff = Millis::zero();
    m_retryAt = Clock::time_point{};
    return connect();
}

Result<pqxx::connection*> PgSession::get()
{
    if (m_connection)
        return m_connection.get();
    const auto now = Clock::now();
    if (now < m_retryAt) {
        const auto wait = std::chrono::duration_cast<Millis>(m_retryAt - now).count();
        return makeError(ErrorCode::unavailable,
                         "no connection (" + m_lastFailure + "); trying again in "
                             + std::to_string(wait) + " ms",
                         true);
    }
    if (auto connected = connect(); !connected) {
        m_lastFailure = connected.error().message;
        m_backoff = std::clamp(m_backoff * 2, kFirstBackoff, kMaxBackoff);
        m_retryAt = Clock::now() + m_backoff;
        return makeError(ErrorCode::unavailable, "cannot reconnect: " + m_lastFailure, true);
    }
    m_backoff = Millis::zero();
    return m_connection.get();
}

void PgSession::lost()
{
    // Closing is enough: the first get() after a loss reconnects at once, only
    // failed attempts back off.
    m_connection.reset();
}

void PgSession::close()
{
    m_connection.reset();
}

} // namespace aldis::store::detail

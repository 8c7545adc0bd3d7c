// SPDX-License-Identifier: Apache-2.0
#include "config/config_keys.h"

#include "config/config_text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <system_error>
#include <type_traits>
#include <utility>

namespace aldis::config::detail {

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kUint32Max = std::numeric_limits<std::uint32_t>::max();
constexpr std::string_view kDurationExamples = "such as \"10s\", \"250ms\", \"5m\", \"24h\" or a whole number of seconds";

template <typename>
[[maybe_unused]] inline constexpr bool kAlwaysFalse = false;

template <typename Field>
void assign(Field& field, Value&& value)
{
    if constexpr (std::is_same_v<Field, bool>)
        field = std::get<bool>(value);
    else if constexpr (std::is_integral_v<Field>)
        field = static_cast<Field>(std::get<std::int64_t>(value));
    else if constexpr (std::is_floating_point_v<Field>)
        field = std::get<double>(value);
    else if constexpr (std::is_same_v<Field, Millis>)
        field = std::get<Millis>(value);
    else if constexpr (std::is_same_v<Field, std::string>)
        field = std::move(std::get<std::string>(value));
    else if constexpr (std::is_same_v<Field, fs::path>)
        field = fs::path(std::get<std::string>(value));
    else if constexpr (std::is_same_v<Field, std::vector<std::string>>)
        field = std::move(std::get<std::vector<std::string>>(value));
    else
        static_assert(kAlwaysFalse<Field>, "no conversion for this field type");
}

template <auto Section, auto Member>
void setConfig(Config& config, Value&& value)
{
    assign((config.*Section).*Member, std::move(value));
}

template <auto Member>
void setNamespace(NamespaceConfig& ns, Value&& value)
{
    assign(ns.*Member, std::move(value));
}

std::string notEmpty(const Value& value)
{
    if (std::get<std::string>(value).empty())
        return "must not be empty; remove the key to use the default";
    return {};
}

// Node ids and regions appear in replies, logs and metrics labels.
std::string isLabel(const Value& value)
{
    const auto& text = std::get<std::string>(value);
    if (text.empty())
        return "must not be empty; remove the key to use the default";
    if (text.size() > 128)
        return "must be at most 128 characters";
    for (unsigned char c : text)
        if (std::isspace(c) || std::iscntrl(c))
            return "must not contain spaces or control characters";
    return {};
}

std::string areApiKeys(const Value& value)
{
    const auto& keys = std::get<std::vector<std::string>>(value);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i].size() < kMinApiKeyChars)
            return "entry " + std::to_string(i + 1) + " has " + std::to_string(keys[i].size())
                + " characters; an API key needs at least " + std::to_string(kMinApiKeyChars)
                + " (make one with `openssl rand -hex 24`)";
    }
    return {};
}

std::string isAdminToken(const Value& value)
{
    if (std::get<std::string>(value).size() < kMinApiKeyChars)
        return "must be at least " + std::to_string(kMinApiKeyChars)
            + " characters (make one with `openssl rand -hex 24`), or remove it to use <data_dir>/admin-token";
    return {};
}

std::string areOrigins(const Value& value)
{
    const auto& origins = std::get<std::vector<std::string>>(value);
    for (std::size_t i = 0; i < origins.size(); ++i)
        if (origins[i].empty())
            return "entry " + std::to_string(i + 1) + " is empty; give origins such as \"https://app.example.com\"";
    return {};
}

template <typename Target>
constexpr KeySpec<Target> key(std::string_view section, std::string_view name, Kind kind,
                              void (*apply)(Target&, Value&&), std::string_view description)
{
    KeySpec<Target> spec{};
    spec.section = section;
    spec.name = name;
    spec.kind = kind;
    spec.apply = apply;
    spec.description = description;
    return spec;
}

using C = Config;
using N = NodeConfig;
using L = ClientListenerConfig;
using S = StoreConfig;
using A = AuthConfig;
using AD = AdminConfig;
using AL = AlertsConfig;
using CL = ClusterConfig;

template <typename Target>
std::string expectation(const KeySpec<Target>& spec, bool fromEnvironment)
{
    switch (spec.kind) {
    case Kind::String: return "a string";
    case Kind::Path: return "a path";
    case Kind::Integer: return "an integer from " + std::to_string(spec.min) + " to " + std::to_string(spec.max);
    case Kind::Number:
        return std::string(spec.minExclusive ? "a number greater than " : "a number of at least ")
            + formatNumber(spec.minNumber);
    case Kind::Duration:
        return std::string(spec.min > 0 ? "a duration greater than 0 " : "a duration ") + std::string(kDurationExamples);
    case Kind::Choice: {
        std::vector<std::string> shown;
        for (auto& choice : splitChoices(spec.choices))
            shown.push_back(quote(choice));
        return "one of " + joined(shown);
    }
    case Kind::StringList: return fromEnvironment ? "a comma-separated list" : "an array of strings";
    case Kind::Bool: return fromEnvironment ? "true or false" : "true or false (without quotes)";
    }
    return {};
}

} // namespace

const std::vector<KeySpec<Config>>& configKeys()
{
    static const std::vector<KeySpec<Config>> keys = {
        key<C>("node", "id", Kind::String, setConfig<&C::node, &N::id>,
               "Node id reported to clients and in logs (default: the host name)").checkedBy(isLabel),
        key<C>("node", "region", Kind::String, setConfig<&C::node, &N::region>,
               "Region name reported to clients (default \"local\")").checkedBy(isLabel),
        key<C>("node", "data_dir", Kind::Path, setConfig<&C::node, &N::dataDir>,
               "Folder for the event store and the development secret (default: $XDG_DATA_HOME/aldis)")
            .checkedBy(notEmpty),
        key<C>("node", "threads", Kind::Integer, setConfig<&C::node, &N::threads>,
               "I/O threads, 0 for one per core (0 to 256)").range(0, 256).withHint("0 uses one thread per core"),
        key<C>("node", "drain_timeout", Kind::Duration, setConfig<&C::node, &N::drainTimeout>,
               "How long a stopping node waits for connections to drain (default 10s)"),
        key<C>("node", "log_level", Kind::Choice, setConfig<&C::node, &N::logLevel>,
               "Log level: trace, debug, info, warn, error or off (default info)")
            .oneOf("trace|debug|info|warn|error|off").alias("ALDIS_LOG_LEVEL"),
        key<C>("node", "log_format", Kind::Choice, setConfig<&C::node, &N::logFormat>,
               "Log format: json or text (default json)").oneOf("json|text"),

        key<C>("client", "address", Kind::String, setConfig<&C::client, &L::address>,
               "Address the client listener binds (default 0.0.0.0)").checkedBy(notEmpty),
        key<C>("client", "port", Kind::Integer, setConfig<&C::client, &L::port>,
               "Port of the client listener, 0 for any free port (default 8800)")
            .range(0, 65535).withHint("0 picks a free port"),
        key<C>("client", "allowed_origins", Kind::StringList, setConfig<&C::client, &L::allowedOrigins>,
               "Origins allowed to open a WebSocket; empty allows none but same-host")
            .checkedBy(areOrigins),
        key<C>("client", "max_frame_bytes", Kind::Integer, setConfig<&C::client, &L::maxFrameBytes>,
               "Largest frame a client may send (default 65536)").range(1, kUint32Max),
        key<C>("client", "send_queue_bytes", Kind::Integer, setConfig<&C::client, &L::sendQueueBytes>,
               "Pending outgoing bytes per connection before it is closed with 4005 (default 1048576)")
            .range(1, kUint32Max),
        key<C>("client", "rate_limit", Kind::Number, setConfig<&C::client, &L::rateLimit>,
               "Commands per second per connection (default 1000)").above(0),
        key<C>("client", "rate_burst", Kind::Number, setConfig<&C::client, &L::rateBurst>,
               "Commands a connection may send at once above the rate (default 2000)").atLeast(1),
        key<C>("client", "rate_violations_before_close", Kind::Integer,
               setConfig<&C::client, &L::rateViolationsBeforeClose>,
               "Refused commands, with no second within the rate between them, before a connection is closed "
               "with 4006 (default 100)")
            .range(1, kUint32Max),
        key<C>("client", "max_connections", Kind::Integer, setConfig<&C::client, &L::maxConnections>,
               "Client connections the node accepts at once (default 100000)").range(1, kUint32Max),
        key<C>("client", "max_http_connections", Kind::Integer, setConfig<&C::client, &L::maxHttpConnections>,
               "Connections the node holds before their WebSocket upgrade or for HTTP requests; more are closed "
               "at once (default 1024)").range(1, kUint32Max),
        key<C>("client", "max_subscriptions_per_connection", Kind::Integer,
               setConfig<&C::client, &L::maxSubscriptionsPerConnection>,
               "Subscriptions one connection may hold (default 1024)").range(1, kUint32Max),
        key<C>("client", "handshake_timeout", Kind::Duration, setConfig<&C::client, &L::handshakeTimeout>,
               "Time allowed for the WebSocket upgrade (default 5s)").positive(),
        key<C>("client", "connect_timeout", Kind::Duration, setConfig<&C::client, &L::connectTimeout>,
               "Time allowed to authenticate after the upgrade (default 5s)").positive(),
        key<C>("client", "ping_interval", Kind::Duration, setConfig<&C::client, &L::pingInterval>,
               "Interval of server pings; 2 unanswered close the connection (default 25s)").positive(),
        key<C>("client", "tls_cert_file", Kind::Path, setConfig<&C::client, &L::tlsCertFile>,
               "PEM certificate (then its chain) of the client listener; with tls_key_file it serves wss:// and "
               "https:// only. Relative to the config file's folder; re-read on SIGHUP").checkedBy(notEmpty),
        key<C>("client", "tls_key_file", Kind::Path, setConfig<&C::client, &L::tlsKeyFile>,
               "PEM private key of tls_cert_file; re-read on SIGHUP").checkedBy(notEmpty),
        key<C>("client", "tls_min_version", Kind::Choice, setConfig<&C::client, &L::tlsMinVersion>,
               "Oldest TLS version accepted: 1.3 or 1.2 (default 1.3); older ones are always refused")
            .oneOf("1.3|1.2"),
        key<C>("client", "serve_demo", Kind::Bool, setConfig<&C::client, &L::serveDemo>,
               "Serve the live collaboration demo at /demo/ (default true); the browser client at "
               "/client/aldis.js is always served"),

        key<C>("store", "backend", Kind::Choice, setConfig<&C::store, &S::backend>,
               "Event store backend: sqlite (one node) or postgresql (shared by the nodes of a region) "
               "(default sqlite)").oneOf("sqlite|postgresql"),
        key<C>("store", "path", Kind::Path, setConfig<&C::store, &S::path>,
               "SQLite database file (default: <data_dir>/aldis.db)").checkedBy(notEmpty),
        key<C>("store", "url", Kind::String, setConfig<&C::store, &S::url>,
               "PostgreSQL database: a URL such as postgresql://aldis@db:5432/aldis, or libpq key=value "
               "settings; required with backend postgresql").checkedBy(notEmpty),
        key<C>("store", "pool_size", Kind::Integer, setConfig<&C::store, &S::poolSize>,
               "PostgreSQL connections per node: half write (at least 1), the rest read (at least 1) "
               "(default 4)").range(1, 64),
        key<C>("store", "synchronous", Kind::Choice, setConfig<&C::store, &S::synchronous>,
               "Durability of a commit: full or normal (SQLite synchronous, PostgreSQL synchronous_commit "
               "on or off) (default full)").oneOf("full|normal"),
        key<C>("store", "commit_window", Kind::Duration, setConfig<&C::store, &S::commitWindow>,
               "How long the store gathers publications into one commit; 0 commits as soon as the writer is free (default 0)"),
        key<C>("store", "commit_batch", Kind::Integer, setConfig<&C::store, &S::commitBatch>,
               "Most publications in one commit (1 to 100000, default 4096)").range(1, 100'000),
        key<C>("store", "dedup_window", Kind::Duration, setConfig<&C::store, &S::dedupWindow>,
               "How long idempotency keys are remembered (default 24h)"),

        key<C>("auth", "issuer", Kind::String, setConfig<&C::auth, &A::issuer>,
               "Required `iss` of client tokens; empty checks none"),
        key<C>("auth", "audience", Kind::String, setConfig<&C::auth, &A::audience>,
               "Required `aud` of client tokens; empty checks none"),
        key<C>("auth", "leeway", Kind::Duration, setConfig<&C::auth, &A::leeway>,
               "Clock leeway for `exp` and `nbf` (default 30s)"),
        key<C>("auth", "api_keys", Kind::StringList, setConfig<&C::auth, &A::apiKeys>,
               "Keys accepted by POST /v1/publish, each at least 16 characters").checkedBy(areApiKeys),
        key<C>("auth", "revoked_subjects", Kind::StringList, setConfig<&C::auth, &A::revokedSubjects>,
               "Users (token sub) refused even with a valid token; a reload that adds one closes their "
               "connections with 4001"),

        key<C>("admin", "enabled", Kind::Bool, setConfig<&C::admin, &AD::enabled>,
               "Serve the admin API (default true)"),
        key<C>("admin", "address", Kind::String, setConfig<&C::admin, &AD::address>,
               "Address the admin listener binds (default 127.0.0.1)").checkedBy(notEmpty),
        key<C>("admin", "port", Kind::Integer, setConfig<&C::admin, &AD::port>,
               "Port of the admin listener, 0 for any free port (default 8801)")
            .range(0, 65535).withHint("0 picks a free port"),
        key<C>("admin", "token", Kind::String, setConfig<&C::admin, &AD::token>,
               "Bearer token of the admin API, at least 16 characters (default: made once in <data_dir>/admin-token)")
            .checkedBy(isAdminToken),

        key<C>("alerts", "p99_latency_ms", Kind::Number, setConfig<&C::alerts, &AL::p99LatencyMs>,
               "Alert when publish-to-deliver p99 is above this many ms, 0 for never (default 50)").atLeast(0),
        key<C>("alerts", "consumer_lag", Kind::Number, setConfig<&C::alerts, &AL::consumerLag>,
               "Alert when a bridge partition is this many messages behind, 0 for never (default 10000)").atLeast(0),
        key<C>("alerts", "connection_drop_percent", Kind::Number,
               setConfig<&C::alerts, &AL::connectionDropPercent>,
               "Alert when this percentage of connections closed within a minute, 0 for never (default 20)")
            .atLeast(0),
        key<C>("alerts", "connection_drop_minimum", Kind::Integer,
               setConfig<&C::alerts, &AL::connectionDropMinimum>,
               "Closed connections per minute below which the drop rule never fires (default 5)")
            .range(1, kUint32Max),
        key<C>("alerts", "for", Kind::Duration, setConfig<&C::alerts, &AL::holdFor>,
               "How long a rule's condition must hold before it fires or clears (default 5s)"),

        key<C>("cluster", "kafka", Kind::String, setConfig<&C::cluster, &CL::kafka>,
               "Kafka bootstrap servers of the node's region (host:port,...); empty: a standalone node"),
        key<C>("cluster", "topic_prefix", Kind::String, setConfig<&C::cluster, &CL::topicPrefix>,
               "Prefix of the region's topics <prefix>.<region>.events and .members (default aldis)")
            .checkedBy(isLabel),
        key<C>("cluster", "partitions", Kind::Integer, setConfig<&C::cluster, &CL::partitions>,
               "Partitions of the events topic when this node creates it (default 16)").range(1, 10'000),
        key<C>("cluster", "max_queued", Kind::Integer, setConfig<&C::cluster, &CL::maxQueued>,
               "Events waiting for Kafka before publishes are refused with unavailable (default 100000)")
            .range(100, 10'000'000),
        key<C>("cluster", "heartbeat", Kind::Duration, setConfig<&C::cluster, &CL::heartbeat>,
               "How often the node announces itself on the members topic (default 1s)").positive(),
        key<C>("cluster", "member_timeout", Kind::Duration, setConfig<&C::cluster, &CL::memberTimeout>,
               "Silence after which another node counts as down (default 5s)").positive(),
    };
    return keys;
}

const std::vector<KeySpec<NamespaceConfig>>& namespaceKeys()
{
    using NS = NamespaceConfig;
    static const std::vector<KeySpec<NS>> keys = {
        key<NS>("", "durable", Kind::Bool, setNamespace<&NS::durable>,
                "Store publications and acknowledge them once committed (default true)"),
        key<NS>("", "history_size", Kind::Integer, setNamespace<&NS::historySize>,
                "Publications kept per channel for replay, 0 for none (default 1000)").range(0, 1'000'000),
        key<NS>("", "history_ttl", Kind::Duration, setNamespace<&NS::historyTtl>,
                "How long publications are kept for replay (default 24h)").positive(),
        key<NS>("", "presence", Kind::Bool, setNamespace<&NS::presence>,
                "Answer the presence command (default true)"),
        key<NS>("", "join_leave", Kind::Bool, setNamespace<&NS::joinLeave>,
                "Push join and leave events to subscribers (default false)"),
        key<NS>("", "client_publish", Kind::Bool, setNamespace<&NS::clientPublish>,
                "Let clients publish, not only the server API (default true)"),
        key<NS>("", "max_message_bytes", Kind::Integer, setNamespace<&NS::maxMessageBytes>,
                "Largest publication data in bytes (default 65536)").range(1, kUint32Max),
        key<NS>("", "home_region", Kind::String, setNamespace<&NS::homeRegion>,
                "The region that numbers this namespace's publications; the others mirror it (default: none)")
            .checkedBy(isLabel),
    };
    return keys;
}

std::string envName(const KeySpec<Config>& spec)
{
    return "ALDIS_" + upper(spec.section) + "_" + upper(spec.name);
}

std::string describeValue(const Value& value)
{
    return std::visit(
        [](const auto& v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>)
                return v ? "true" : "false";
            else if constexpr (std::is_same_v<T, std::int64_t>)
                return std::to_string(v);
            else if constexpr (std::is_same_v<T, double>)
                return formatNumber(v);
            else if constexpr (std::is_same_v<T, std::string>)
                return quote(v);
            else if constexpr (std::is_same_v<T, Millis>)
                return quote(formatDuration(v));
            else
                return "a list of " + std::to_string(v.size());
        },
        value);
}

template <typename Target>
std::string mustBe(const KeySpec<Target>& spec, std::string_view name, bool fromEnvironment, const std::string& got)
{
    std::string message = std::string(name) + " must be " + expectation(spec, fromEnvironment) + ", got " + got;
    if (!spec.hint.empty())
        message += " (" + std::string(spec.hint) + ")";
    return message;
}

template <typename Target>
std::string checkValue(const KeySpec<Target>& spec, std::string_view name, bool fromEnvironment, const Value& value)
{
    switch (spec.kind) {
    case Kind::Integer: {
        auto v = std::get<std::int64_t>(value);
        if (v < spec.min || v > spec.max)
            return mustBe(spec, name, fromEnvironment, describeValue(value));
        break;
    }
    case Kind::Number: {
        auto v = std::get<double>(value);
        if (!std::isfinite(v) || v < spec.minNumber || (spec.minExclusive && v == spec.minNumber))
            return mustBe(spec, name, fromEnvironment, describeValue(value));
        break;
    }
    case Kind::Duration:
        if (std::get<Millis>(value).count() < spec.min)
            return mustBe(spec, name, fromEnvironment, describeValue(value));
        break;
    case Kind::Choice: {
        const auto& v = std::get<std::string>(value);
        auto choices = splitChoices(spec.choices);
        if (std::find(choices.begin(), choices.end(), v) == choices.end()) {
            auto message = mustBe(spec, name, fromEnvironment, describeValue(value));
            if (auto suggestion = closest(v, choices))
                message += "; did you mean " + quote(*suggestion) + "?";
            return message;
        }
        break;
    }
    default:
        break;
    }
    if (spec.check) {
        auto problem = spec.check(value);
        if (!problem.empty())
            return std::string(name) + " " + problem;
    }
    return {};
}

template std::string mustBe(const KeySpec<Config>&, std::string_view, bool, const std::string&);
template std::string mustBe(const KeySpec<NamespaceConfig>&, std::string_view, bool, const std::string&);
template std::string checkValue(const KeySpec<Config>&, std::string_view, bool, const Value&);
template std::string checkValue(const KeySpec<NamespaceConfig>&, std::string_view, bool, const Value&);

std::optional<Value> fromEnvironment(const KeySpec<Config>& spec, const std::string& name, std::string_view text,
                                     std::string& problem)
{
    std::optional<Value> value;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    switch (spec.kind) {
    case Kind::String:
    case Kind::Path:
    case Kind::Choice:
        value = std::string(text);
        break;
    case Kind::Integer: {
        std::int64_t v = 0;
        auto [ptr, ec] = std::from_chars(begin, end, v);
        if (ec == std::errc{} && ptr == end)
            value = v;
        break;
    }
    case Kind::Number: {
        double v = 0;
        auto [ptr, ec] = std::from_chars(begin, end, v);
        if (ec == std::errc{} && ptr == end)
            value = v;
        break;
    }
    case Kind::Duration:
        if (auto duration = parseDuration(text))
            value = *duration;
        break;
    case Kind::StringList: {
        std::vector<std::string> items;
        while (true) {
            auto comma = text.find(',');
            auto item = trimmed(text.substr(0, comma));
            if (!item.empty())
                items.push_back(std::move(item));
            if (comma == std::string_view::npos)
                break;
            text.remove_prefix(comma + 1);
        }
        value = std::move(items);
        break;
    }
    case Kind::Bool:
        if (text == "true" || text == "1" || text == "yes")
            value = true;
        else if (text == "false" || text == "0" || text == "no")
            value = false;
        break;
    }
    if (!value) {
        problem = mustBe(spec, name, true, quote(text));
        return std::nullopt;
    }
    problem = checkValue(spec, name, true, *value);
    if (!problem.empty())
        return std::nullopt;
    return value;
}

ConfigError unknownKey(const std::string& fullName, int line, std::string_view word,
                       const std::vector<std::string>& candidates, std::string_view prefix)
{
    std::string message = "unknown key '" + fullName + "'";
    if (auto suggestion = closest(word, candidates)) {
        message += "; did you mean '" + std::string(prefix) + *suggestion + "'?";
    } else {
        // The right key in the wrong section is a common slip.
        // The first section in the table wins (client.port before admin.port); the
        // others are named too.
        std::vector<std::string> elsewhere;
        for (const auto& spec : configKeys())
            if (spec.name == word)
                elsewhere.push_back(fullKey(spec));
        if (!elsewhere.empty()) {
            message += "; did you mean '" + elsewhere.front() + "'? Put it below its section header, ["
                + elsewhere.front().substr(0, elsewhere.front().find('.')) + "]";
            if (elsewhere.size() > 1)
                message += " (also: " + joined(std::vector<std::string>(elsewhere.begin() + 1, elsewhere.end())) + ")";
        }
        else if (candidates.empty())
            message += "; remove it, or move it below one of the sections [node], [client], [store], [auth], [admin] or [alerts]";
        else
            message += "; remove it or use one of: " + joined(candidates);
    }
    return ConfigError{fullName, line, std::move(message)};
}

} // namespace aldis::config::detail

namespace aldis::config {

std::vector<EnvVar> environmentVariables()
{
    using detail::configKeys;
    using detail::envName;
    using detail::fullKey;
    using detail::kHs256SecretVar;
    using detail::Kind;

    std::vector<EnvVar> vars;
    for (const auto& spec : configKeys()) {
        std::string description(spec.description);
        if (spec.kind == Kind::StringList)
            description += " (comma-separated)";
        vars.push_back(EnvVar{envName(spec), fullKey(spec), description});
        if (!spec.envAlias.empty())
            vars.push_back(EnvVar{std::string(spec.envAlias), fullKey(spec),
                                  "Short for " + envName(spec) + ", which wins when both are set"});
    }
    vars.push_back(EnvVar{std::string(kHs256SecretVar), "auth.keys",
                          "Adds an HS256 key with id \"env\" and this secret (at least 32 bytes)"});
    return vars;
}

} // namespace aldis::config

// SPDX-License-Identifier: Apache-2.0
#include "config/config.h"

#include "protocol/channel.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

#include <fcntl.h>
#include <unistd.h>

namespace aldis::config {

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kUint32Max = std::numeric_limits<std::uint32_t>::max();
constexpr std::size_t kMinHs256SecretBytes = 32;
constexpr std::size_t kMinApiKeyChars = 16;
constexpr std::size_t kDevSecretRandomBytes = 48;
constexpr std::string_view kDurationExamples = "such as \"10s\", \"250ms\", \"5m\", \"24h\" or a whole number of seconds";

// ---------------------------------------------------------------------------
// Key descriptors. Every setting that has a TOML key is described once here; the
// TOML reader, the environment overrides and environmentVariables() all walk the
// same tables, so a key cannot exist in one and be missing from the others.

enum class Kind { String, Path, Integer, Number, Duration, Choice, StringList, Bool };

using Value = std::variant<bool, std::int64_t, double, std::string, Millis, std::vector<std::string>>;

// Extra check on a well-typed value. Returns an empty string when the value is
// fine, otherwise the rest of a sentence that starts with the key's name.
using Check = std::string (*)(const Value&);

template <typename Target>
struct KeySpec {
    std::string_view section;      // "node", "client", "store", "auth"; "" for namespace keys
    std::string_view name;         // the TOML key inside its table
    Kind kind;
    void (*apply)(Target&, Value&&);
    std::string_view description;  // one sentence, shown by `--help` and the docs

    std::int64_t min = 0;          // Integer: inclusive bounds; Duration: minimum in ms
    std::int64_t max = 0;
    double minNumber = 0;          // Number: lower bound
    bool minExclusive = false;     // Number: the bound itself is refused
    std::string_view choices;      // Choice: "a|b|c"
    std::string_view hint;         // appended to type and range errors
    Check check = nullptr;
    std::string_view envAlias;     // a second, shorter variable name

    constexpr KeySpec range(std::int64_t lo, std::int64_t hi) const { auto s = *this; s.min = lo; s.max = hi; return s; }
    constexpr KeySpec above(double lo) const { auto s = *this; s.minNumber = lo; s.minExclusive = true; return s; }
    constexpr KeySpec atLeast(double lo) const { auto s = *this; s.minNumber = lo; s.minExclusive = false; return s; }
    constexpr KeySpec positive() const { auto s = *this; s.min = 1; return s; }
    constexpr KeySpec oneOf(std::string_view c) const { auto s = *this; s.choices = c; return s; }
    constexpr KeySpec withHint(std::string_view h) const { auto s = *this; s.hint = h; return s; }
    constexpr KeySpec checkedBy(Check c) const { auto s = *this; s.check = c; return s; }
    constexpr KeySpec alias(std::string_view a) const { auto s = *this; s.envAlias = a; return s; }
};

template <typename>
inline constexpr bool kAlwaysFalse = false;

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

std::string isBackend(const Value& value)
{
    if (std::get<std::string>(value) == "postgresql")
        return "is \"postgresql\", which is not available in this build yet; use \"sqlite\"";
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
               "Refused commands in a row before a connection is closed with 4006 (default 100)")
            .range(1, kUint32Max),
        key<C>("client", "max_connections", Kind::Integer, setConfig<&C::client, &L::maxConnections>,
               "Client connections the node accepts at once (default 100000)").range(1, kUint32Max),
        key<C>("client", "max_subscriptions_per_connection", Kind::Integer,
               setConfig<&C::client, &L::maxSubscriptionsPerConnection>,
               "Subscriptions one connection may hold (default 1024)").range(1, kUint32Max),
        key<C>("client", "handshake_timeout", Kind::Duration, setConfig<&C::client, &L::handshakeTimeout>,
               "Time allowed for the WebSocket upgrade (default 5s)").positive(),
        key<C>("client", "connect_timeout", Kind::Duration, setConfig<&C::client, &L::connectTimeout>,
               "Time allowed to authenticate after the upgrade (default 5s)").positive(),
        key<C>("client", "ping_interval", Kind::Duration, setConfig<&C::client, &L::pingInterval>,
               "Interval of server pings; 2 unanswered close the connection (default 25s)").positive(),

        key<C>("store", "backend", Kind::Choice, setConfig<&C::store, &S::backend>,
               "Event store backend: sqlite (default sqlite)").oneOf("sqlite|postgresql").checkedBy(isBackend),
        key<C>("store", "path", Kind::Path, setConfig<&C::store, &S::path>,
               "SQLite database file (default: <data_dir>/aldis.db)").checkedBy(notEmpty),
        key<C>("store", "synchronous", Kind::Choice, setConfig<&C::store, &S::synchronous>,
               "SQLite synchronous mode: full or normal (default full)").oneOf("full|normal"),
        key<C>("store", "commit_window", Kind::Duration, setConfig<&C::store, &S::commitWindow>,
               "How long the store gathers publications into one commit (default 2ms)"),
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
    };
    return keys;
}

constexpr std::array<std::string_view, 5> kSections = {"node", "client", "store", "auth", "namespaces"};
constexpr std::array<std::string_view, 6> kJwtKeyFields = {"id", "algorithms", "secret", "public_key_file",
                                                          "public_key", "jwks_file"};
constexpr std::array<std::string_view, 3> kAlgorithms = {"HS256", "RS256", "ES256"};
constexpr std::string_view kHs256SecretVar = "ALDIS_AUTH_HS256_SECRET";

std::string upper(std::string_view text)
{
    std::string out(text);
    for (auto& c : out)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

template <typename Target>
std::string fullKey(const KeySpec<Target>& spec)
{
    return std::string(spec.section) + "." + std::string(spec.name);
}

std::string envName(const KeySpec<Config>& spec)
{
    return "ALDIS_" + upper(spec.section) + "_" + upper(spec.name);
}

// ---------------------------------------------------------------------------
// Text helpers.

// Optimal string alignment distance: Levenshtein plus adjacent transpositions, so
// "prot" is one edit from "port".
std::size_t editDistance(std::string_view a, std::string_view b)
{
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

// The candidate closest to `word`, when it is close enough to be a likely typo.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates)
{
    std::optional<std::string> best;
    std::size_t bestDistance = std::numeric_limits<std::size_t>::max();
    for (const auto& candidate : candidates) {
        std::size_t distance = editDistance(upper(word), upper(candidate));
        std::size_t allowed = std::max<std::size_t>(2, candidate.size() / 4);
        if (distance <= allowed && distance < candidate.size() && distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best;
}

std::string joined(const std::vector<std::string>& items, std::string_view separator = ", ")
{
    std::string out;
    for (const auto& item : items) {
        if (!out.empty())
            out += separator;
        out += item;
    }
    return out;
}

std::vector<std::string> splitChoices(std::string_view choices)
{
    std::vector<std::string> out;
    while (!choices.empty()) {
        auto bar = choices.find('|');
        out.emplace_back(choices.substr(0, bar));
        if (bar == std::string_view::npos)
            break;
        choices.remove_prefix(bar + 1);
    }
    return out;
}

std::string quote(std::string_view text)
{
    constexpr std::size_t kShown = 60;
    std::string out = "\"";
    out += text.substr(0, kShown);
    if (text.size() > kShown)
        out += "...";
    out += "\"";
    return out;
}

std::string trimmed(std::string_view text)
{
    auto isSpace = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!text.empty() && isSpace(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back()))
        text.remove_suffix(1);
    return std::string(text);
}

std::string formatNumber(double value)
{
    std::ostringstream out;
    out << value;
    return out.str();
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

std::string describeNode(const toml::node& node)
{
    switch (node.type()) {
    case toml::node_type::string: return quote(node.as_string()->get());
    case toml::node_type::integer: return std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point: return formatNumber(node.as_floating_point()->get());
    case toml::node_type::boolean: return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return "a date or time";
    default: return "nothing";
    }
}

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

template <typename Target>
std::string mustBe(const KeySpec<Target>& spec, std::string_view name, bool fromEnvironment, const std::string& got)
{
    std::string message = std::string(name) + " must be " + expectation(spec, fromEnvironment) + ", got " + got;
    if (!spec.hint.empty())
        message += " (" + std::string(spec.hint) + ")";
    return message;
}

// Checks a well-typed value against the spec's bounds, choices and check. Returns
// the error message, or an empty string.
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

std::optional<Millis> durationFromToml(const toml::node& node)
{
    if (auto* text = node.as_string())
        return parseDuration(text->get());
    if (auto* integer = node.as_integer()) {
        auto seconds = integer->get();
        if (seconds < 0 || seconds > std::numeric_limits<std::int64_t>::max() / 1000)
            return std::nullopt;
        return Millis(seconds * 1000);
    }
    return std::nullopt;
}

// Reads a TOML value of the spec's kind. Sets `problem` and returns nothing when the
// value has the wrong type or is out of bounds.
template <typename Target>
std::optional<Value> fromToml(const KeySpec<Target>& spec, const std::string& name, const toml::node& node,
                              std::string& problem)
{
    std::optional<Value> value;
    switch (spec.kind) {
    case Kind::String:
    case Kind::Path:
    case Kind::Choice:
        if (auto* text = node.as_string())
            value = text->get();
        break;
    case Kind::Integer:
        if (auto* integer = node.as_integer())
            value = integer->get();
        break;
    case Kind::Number:
        if (auto* integer = node.as_integer())
            value = static_cast<double>(integer->get());
        else if (auto* number = node.as_floating_point())
            value = number->get();
        break;
    case Kind::Duration:
        if (auto duration = durationFromToml(node))
            value = *duration;
        break;
    case Kind::StringList:
        if (auto* array = node.as_array()) {
            std::vector<std::string> items;
            bool allStrings = true;
            for (const auto& element : *array) {
                if (auto* text = element.as_string())
                    items.push_back(text->get());
                else
                    allStrings = false;
            }
            if (allStrings)
                value = std::move(items);
        }
        break;
    case Kind::Bool:
        if (auto* flag = node.as_boolean())
            value = flag->get();
        break;
    }
    if (!value) {
        problem = mustBe(spec, name, false, describeNode(node));
        return std::nullopt;
    }
    problem = checkValue(spec, name, false, *value);
    if (!problem.empty())
        return std::nullopt;
    return value;
}

template <typename Target>
std::optional<Value> fromEnvironment(const KeySpec<Target>& spec, const std::string& name, std::string_view text,
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

int lineOf(const toml::node& node)
{
    return static_cast<int>(node.source().begin.line);
}

int lineOf(const toml::key& k, const toml::node& node)
{
    auto line = static_cast<int>(k.source().begin.line);
    return line > 0 ? line : lineOf(node);
}

std::optional<std::string> readTextFile(const fs::path& path, std::string& problem)
{
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        problem = "it is a directory";
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        problem = std::strerror(errno);
        return std::nullopt;
    }
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) {
        problem = "read error";
        return std::nullopt;
    }
    return content.str();
}

std::string hostName()
{
    std::array<char, 256> buffer{};
    if (::gethostname(buffer.data(), buffer.size() - 1) != 0 || buffer[0] == '\0')
        return "aldis";
    return std::string(buffer.data());
}

std::string hexEncode(const unsigned char* data, std::size_t size)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += kDigits[data[i] >> 4];
        out += kDigits[data[i] & 0x0f];
    }
    return out;
}

// ---------------------------------------------------------------------------

// One load: owns the Config being built and every problem found on the way.
class Loader {
public:
    Loader(const LoadOptions& options, fs::path baseDir) : m_options(options), m_baseDir(std::move(baseDir)) {}

    void readToml(std::string_view text, std::string_view sourceName);
    void applyEnvironment();
    void resolveDefaults();
    void ensureDevSecret();
    void fail(std::string message) { error("", 0, std::move(message)); }

    LoadResult result() && { return LoadResult{std::move(m_config), std::move(m_errors)}; }

private:
    void error(std::string key, int line, std::string message)
    {
        m_errors.push_back(ConfigError{std::move(key), line, std::move(message)});
    }
    int lineOfKey(const std::string& key) const
    {
        auto it = m_lines.find(key);
        return it == m_lines.end() ? 0 : it->second;
    }

    void readRoot(const toml::table& root);
    void readSection(std::string_view section, const toml::table& table);
    void readAuthKeys(const toml::node& node, int line);
    void readAuthKey(const toml::table& table, std::size_t index);
    void readJwks(JwtKeyConfig& jwtKey, const std::string& prefix, const std::optional<std::string>& path, int line);
    void readNamespaces(const toml::table& table);
    void unknownKey(const std::string& fullName, int line, std::string_view word,
                    const std::vector<std::string>& candidates, std::string_view prefix);
    void addEnvSecret(std::string_view secret);

    LoadOptions m_options;
    fs::path m_baseDir;  // public_key_file and jwks_file paths are relative to it
    Config m_config;
    std::vector<ConfigError> m_errors;
    std::map<std::string, int> m_lines;  // where each key was set in the file
    bool m_namespacesConfigured = false;
};

void Loader::readToml(std::string_view text, std::string_view sourceName)
{
    toml::table root;
    try {
        root = toml::parse(text, sourceName);
    } catch (const toml::parse_error& e) {
        error("", static_cast<int>(e.source().begin.line),
              "TOML syntax error: " + std::string(e.description()) + "; fix the line and try again");
        return;
    }
    readRoot(root);
    // toml++ tables iterate in key order; report in file order.
    std::stable_sort(m_errors.begin(), m_errors.end(),
                     [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
}

void Loader::unknownKey(const std::string& fullName, int line, std::string_view word,
                        const std::vector<std::string>& candidates, std::string_view prefix)
{
    std::string message = "unknown key '" + fullName + "'";
    if (auto suggestion = closest(word, candidates)) {
        message += "; did you mean '" + std::string(prefix) + *suggestion + "'?";
    } else {
        // The right key in the wrong section is a common slip.
        std::optional<std::string> elsewhere;
        for (const auto& spec : configKeys())
            if (spec.name == word)
                elsewhere = fullKey(spec);
        if (elsewhere)
            message += "; did you mean '" + *elsewhere + "'? Put it below its section header, ["
                + elsewhere->substr(0, elsewhere->find('.')) + "]";
        else if (candidates.empty())
            message += "; remove it, or move it below one of the sections [node], [client], [store] or [auth]";
        else
            message += "; remove it or use one of: " + joined(candidates);
    }
    error(fullName, line, std::move(message));
}

void Loader::readRoot(const toml::table& root)
{
    std::vector<std::string> sections(kSections.begin(), kSections.end());
    for (auto&& [k, node] : root) {
        std::string name(k.str());
        int line = lineOf(k, node);
        bool known = std::find(kSections.begin(), kSections.end(), name) != kSections.end();
        if (!known) {
            if (node.is_table()) {
                std::string message = "unknown section '[" + name + "]'";
                if (auto suggestion = closest(name, sections))
                    message += "; did you mean '[" + *suggestion + "]'?";
                else
                    message += "; the sections are [node], [client], [store], [auth], [[auth.keys]] and [namespaces.NAME]";
                error(name, line, std::move(message));
            } else {
                unknownKey(name, line, name, {}, "");
            }
            continue;
        }
        const auto* table = node.as_table();
        if (!table) {
            error(name, line, "'" + name + "' must be a table: write [" + name + "] and put its keys below it");
            continue;
        }
        if (name == "namespaces")
            readNamespaces(*table);
        else
            readSection(name, *table);
    }
}

void Loader::readSection(std::string_view section, const toml::table& table)
{
    std::vector<std::string> names;
    for (const auto& spec : configKeys())
        if (spec.section == section)
            names.emplace_back(spec.name);
    if (section == "auth")
        names.emplace_back("keys");

    for (auto&& [k, node] : table) {
        std::string fullName = std::string(section) + "." + std::string(k.str());
        int line = lineOf(k, node);
        if (section == "auth" && k.str() == "keys") {
            readAuthKeys(node, line);
            continue;
        }
        auto& keys = configKeys();
        auto spec = std::find_if(keys.begin(), keys.end(),
                                 [&](const auto& s) { return s.section == section && s.name == k.str(); });
        if (spec == keys.end()) {
            unknownKey(fullName, line, k.str(), names, std::string(section) + ".");
            continue;
        }
        std::string problem;
        auto value = fromToml(*spec, fullName, node, problem);
        if (!value) {
            error(fullName, lineOf(node), std::move(problem));
            continue;
        }
        spec->apply(m_config, std::move(*value));
        m_lines[fullName] = lineOf(node);
    }
}

void Loader::readAuthKeys(const toml::node& node, int line)
{
    const auto* array = node.as_array();
    if (!array || !array->is_array_of_tables()) {
        error("auth.keys", line,
              "auth.keys must be an array of tables: write each key as a [[auth.keys]] section with id, algorithms "
              "and secret, public_key_file or jwks_file");
        return;
    }
    for (std::size_t i = 0; i < array->size(); ++i)
        readAuthKey(*array->get(i)->as_table(), i);
}

void Loader::readAuthKey(const toml::table& table, std::size_t index)
{
    const std::string prefix = "auth.keys[" + std::to_string(index) + "]";
    const int tableLine = lineOf(table);
    const std::size_t errorsBefore = m_errors.size();
    std::vector<std::string> fieldNames(kJwtKeyFields.begin(), kJwtKeyFields.end());

    JwtKeyConfig jwtKey;
    std::map<std::string, int> lines;
    std::optional<std::string> inlinePem;
    std::optional<std::string> jwksPath;  // as written, when jwks_file is a string
    bool hasAlgorithms = false;
    bool algorithmsReported = false;  // a bad entry was reported; "empty" would repeat it

    for (auto&& [k, node] : table) {
        std::string field(k.str());
        std::string fullName = prefix + "." + field;
        int line = lineOf(k, node);
        if (std::find(kJwtKeyFields.begin(), kJwtKeyFields.end(), field) == kJwtKeyFields.end()) {
            unknownKey(fullName, line, field, fieldNames, prefix + ".");
            continue;
        }
        lines[field] = lineOf(node);
        if (field == "algorithms") {
            hasAlgorithms = true;
            const auto* array = node.as_array();
            bool ok = array != nullptr;
            std::vector<std::string> algorithms;
            if (ok) {
                for (const auto& element : *array) {
                    const auto* text = element.as_string();
                    if (!text) {
                        ok = false;
                        break;
                    }
                    algorithms.push_back(text->get());
                }
            }
            if (!ok) {
                algorithmsReported = true;
                error(fullName, lineOf(node),
                      fullName + " must be an array of strings such as [\"HS256\"], got " + describeNode(node));
                continue;
            }
            std::vector<std::string> known(kAlgorithms.begin(), kAlgorithms.end());
            for (const auto& algorithm : algorithms) {
                if (std::find(known.begin(), known.end(), algorithm) != known.end()) {
                    if (std::find(jwtKey.algorithms.begin(), jwtKey.algorithms.end(), algorithm)
                        == jwtKey.algorithms.end())
                        jwtKey.algorithms.push_back(algorithm);
                    continue;
                }
                std::string message = fullName + " holds " + quote(algorithm)
                    + ", which is not supported; use HS256, RS256 or ES256";
                if (auto suggestion = closest(algorithm, known))
                    message += " (did you mean " + quote(*suggestion) + "?)";
                algorithmsReported = true;
                error(fullName, lineOf(node), std::move(message));
            }
            continue;
        }
        const auto* text = node.as_string();
        if (!text) {
            error(fullName, lineOf(node), fullName + " must be a string, got " + describeNode(node));
            continue;
        }
        if (field == "id")
            jwtKey.id = text->get();
        else if (field == "secret")
            jwtKey.secret = text->get();
        else if (field == "public_key_file")
            jwtKey.publicKeyFile = m_baseDir / fs::path(text->get());
        else if (field == "public_key")
            inlinePem = text->get();
        else if (field == "jwks_file")
            jwksPath = text->get();
    }

    auto lineFor = [&](const std::string& field) {
        auto it = lines.find(field);
        return it == lines.end() ? tableLine : it->second;
    };
    auto has = [&](std::string_view algorithm) {
        return std::find(jwtKey.algorithms.begin(), jwtKey.algorithms.end(), algorithm) != jwtKey.algorithms.end();
    };
    const bool hmac = has("HS256");
    const bool asymmetric = has("RS256") || has("ES256");

    if (!hasAlgorithms) {
        error(prefix + ".algorithms", tableLine,
              prefix + ".algorithms is required: list what this key verifies, e.g. algorithms = [\"HS256\"]");
    } else if (jwtKey.algorithms.empty() && !algorithmsReported) {
        error(prefix + ".algorithms", lineFor("algorithms"),
              prefix + ".algorithms must not be empty: list what this key verifies, e.g. algorithms = [\"HS256\"]");
    }
    if (hmac && asymmetric) {
        error(prefix + ".algorithms", lineFor("algorithms"),
              prefix + ".algorithms mixes HS256 with RS256/ES256: a token signed with HMAC using the public key as "
                       "the secret would then be accepted (algorithm confusion); configure the secret and the public "
                       "key as two separate [[auth.keys]]");
    }
    // A JWKS replaces the PEM; its own rules below replace the secret and PEM checks.
    const bool hasJwks = lines.count("jwks_file") > 0;
    if (hasJwks) {
        readJwks(jwtKey, prefix, jwksPath, lineFor("jwks_file"));
        if (hmac && !asymmetric)
            error(prefix + ".algorithms", lineFor("algorithms"),
                  prefix + ".algorithms holds HS256, but jwks_file is used only with RS256 or ES256; "
                           "configure the HS256 secret as a separate [[auth.keys]]");
        if (lines.count("secret"))
            error(prefix + ".secret", lineFor("secret"),
                  prefix + ".secret cannot be combined with jwks_file: a JWKS holds public keys for RS256/ES256; "
                           "configure the HS256 secret as a separate [[auth.keys]]");
        for (const std::string field : {"public_key_file", "public_key"})
            if (lines.count(field))
                error(prefix + "." + field, lineFor(field),
                      prefix + " has both jwks_file and " + field
                          + "; keep one (a JWKS may hold several keys, selected by the token's kid)");
    } else if (hmac) {
        if (jwtKey.secret.empty())
            error(prefix + ".secret", lineFor("secret"),
                  prefix + ".secret is required for HS256: give at least 32 bytes, e.g. from `openssl rand -hex 32`");
        else if (jwtKey.secret.size() < kMinHs256SecretBytes)
            error(prefix + ".secret", lineFor("secret"),
                  prefix + ".secret has " + std::to_string(jwtKey.secret.size())
                      + " bytes; an HS256 secret needs at least 32 (make one with `openssl rand -hex 32`)");
    } else if (!jwtKey.secret.empty() && !jwtKey.algorithms.empty()) {
        error(prefix + ".secret", lineFor("secret"),
              prefix + ".secret is used only with HS256; remove it or add HS256 to the algorithms of a separate key");
    }
    const bool hasFile = !jwtKey.publicKeyFile.empty();
    if (hasJwks) {
        // Reported above.
    } else if (asymmetric) {
        if (hasFile && inlinePem) {
            error(prefix + ".public_key", lineFor("public_key"),
                  prefix + " has both public_key_file and public_key; keep one");
        } else if (!hasFile && !inlinePem) {
            error(prefix + ".public_key_file", tableLine,
                  prefix + ".public_key_file is required for RS256/ES256: give the path of the PEM public key "
                           "(or the PEM text as public_key, or a JWKS file as jwks_file)");
        }
    } else if ((hasFile || inlinePem) && !jwtKey.algorithms.empty()) {
        std::string field = hasFile ? "public_key_file" : "public_key";
        error(prefix + "." + field, lineFor(field),
              prefix + "." + field + " is used only with RS256 or ES256; remove it or set the algorithms");
    }

    if (!hasJwks && asymmetric && hasFile != inlinePem.has_value()) {
        std::string field = hasFile ? "public_key_file" : "public_key";
        std::optional<std::string> pem;
        std::string where;
        if (hasFile) {
            std::string problem;
            where = "the file '" + jwtKey.publicKeyFile.string() + "'";
            pem = readTextFile(jwtKey.publicKeyFile, problem);
            if (!pem) {
                std::string message = prefix + ".public_key_file: cannot read '" + jwtKey.publicKeyFile.string()
                    + "': " + problem + "; check the path";
                if (!m_baseDir.empty())
                    message += " (a relative path is relative to the config file's folder, "
                        + m_baseDir.string() + ")";
                error(prefix + ".public_key_file", lineFor(field), std::move(message));
            }
        } else {
            pem = *inlinePem;
            where = "public_key";
        }
        if (pem) {
            if (pem->find("PRIVATE KEY-----") != std::string::npos)
                error(prefix + "." + field, lineFor(field),
                      prefix + "." + field + ": " + where
                          + " holds a private key; give the public key (`openssl pkey -in key.pem -pubout`)");
            else if (pem->find("-----BEGIN ") == std::string::npos)
                error(prefix + "." + field, lineFor(field),
                      prefix + "." + field + ": " + where
                          + " is not PEM; expected a '-----BEGIN PUBLIC KEY-----' block");
            else
                jwtKey.publicKeyPem = std::move(*pem);
        }
    }

    if (!jwtKey.id.empty()) {
        for (const auto& other : m_config.auth.keys)
            if (other.id == jwtKey.id)
                error(prefix + ".id", lineFor("id"),
                      prefix + ".id " + quote(jwtKey.id) + " is used by another key; give each key its own id");
    }
    if (m_errors.size() == errorsBefore)
        m_config.auth.keys.push_back(std::move(jwtKey));
}

// Loads the JWKS text of an [[auth.keys]] entry. Only the outer shape is checked here;
// security::JwtVerifier::create parses the keys, as it checks the type of a PEM key.
void Loader::readJwks(JwtKeyConfig& jwtKey, const std::string& prefix, const std::optional<std::string>& path,
                      int line)
{
    const std::string key = prefix + ".jwks_file";
    if (!path)
        return;  // not a string: reported with the other type errors
    if (path->empty()) {
        error(key, line, key + " must not be empty: give the path of a JWKS file ({\"keys\": [...]})");
        return;
    }
    jwtKey.jwksFile = m_baseDir / fs::path(*path);
    std::string problem;
    auto text = readTextFile(jwtKey.jwksFile, problem);
    if (!text) {
        std::string message = key + ": cannot read '" + jwtKey.jwksFile.string() + "': " + problem + "; check the path";
        if (!m_baseDir.empty())
            message += " (a relative path is relative to the config file's folder, " + m_baseDir.string() + ")";
        error(key, line, std::move(message));
        return;
    }
    const std::string where = "the file '" + jwtKey.jwksFile.string() + "'";
    const std::string content = trimmed(*text);
    if (content.empty())
        error(key, line, key + ": " + where + " is empty; expected a JWKS, {\"keys\": [...]}");
    else if (content.find("-----BEGIN ") != std::string::npos)
        error(key, line,
              key + ": " + where + " holds PEM, not a JWKS; give a PEM public key as public_key_file instead");
    else if (content.front() != '{')
        error(key, line, key + ": " + where + " is not a JWKS: expected a JSON object {\"keys\": [...]}");
    else
        jwtKey.jwksJson = std::move(*text);
}

void Loader::readNamespaces(const toml::table& table)
{
    std::vector<std::string> names;
    for (const auto& spec : namespaceKeys())
        names.emplace_back(spec.name);

    for (auto&& [k, node] : table) {
        std::string written(k.str());
        std::string prefix = "namespaces." + written;
        int line = lineOf(k, node);
        const auto* entries = node.as_table();
        if (!entries) {
            error(prefix, line,
                  prefix + " must be a table: write [namespaces." + (written.empty() ? "\"\"" : written)
                      + "] and put its settings below it");
            continue;
        }
        m_namespacesConfigured = true;
        std::string name = written == "default" ? std::string() : written;
        if (m_config.namespaces.count(name)) {
            error(prefix, line,
                  "[namespaces.default] and [namespaces.\"\"] both configure the default namespace; keep one");
            continue;
        }
        if (!name.empty()) {
            bool valid = name.size() <= protocol::kMaxChannelBytes - 2;
            for (char c : name)
                valid = valid && protocol::isChannelChar(c) && c != ':' && c != '#';
            if (!valid) {
                error(prefix, line,
                      "namespace name " + quote(name)
                          + " is not valid: use up to 253 letters, digits and _ . @ = , ; / - (no ':' or '#')");
                continue;
            }
        }
        NamespaceConfig ns;
        ns.name = name;
        for (auto&& [field, value] : *entries) {
            std::string fullName = prefix + "." + std::string(field.str());
            auto& keys = namespaceKeys();
            auto spec = std::find_if(keys.begin(), keys.end(), [&](const auto& s) { return s.name == field.str(); });
            if (spec == keys.end()) {
                unknownKey(fullName, lineOf(field, value), field.str(), names, prefix + ".");
                continue;
            }
            std::string problem;
            auto parsed = fromToml(*spec, fullName, value, problem);
            if (!parsed) {
                error(fullName, lineOf(value), std::move(problem));
                continue;
            }
            spec->apply(ns, std::move(*parsed));
        }
        m_config.namespaces.emplace(name, std::move(ns));
    }
}

void Loader::applyEnvironment()
{
    for (const auto& spec : configKeys()) {
        // The alias is read first so that the full name wins when both are set.
        std::vector<std::string> names;
        if (!spec.envAlias.empty())
            names.emplace_back(spec.envAlias);
        names.push_back(envName(spec));
        for (const auto& name : names) {
            const char* raw = std::getenv(name.c_str());
            if (!raw || !*raw)
                continue;
            std::string problem;
            auto value = fromEnvironment(spec, name, raw, problem);
            if (!value) {
                error(name, 0, problem + "; it overrides " + fullKey(spec));
                continue;
            }
            spec.apply(m_config, std::move(*value));
            m_lines[fullKey(spec)] = 0;
        }
    }
    if (const char* secret = std::getenv(std::string(kHs256SecretVar).c_str()); secret && *secret)
        addEnvSecret(secret);
}

void Loader::addEnvSecret(std::string_view secret)
{
    if (secret.size() < kMinHs256SecretBytes) {
        error(std::string(kHs256SecretVar), 0,
              std::string(kHs256SecretVar) + " has " + std::to_string(secret.size())
                  + " bytes; an HS256 secret needs at least 32 (make one with `openssl rand -hex 32`)");
        return;
    }
    for (const auto& other : m_config.auth.keys) {
        if (other.id == "env") {
            error(std::string(kHs256SecretVar), 0,
                  std::string(kHs256SecretVar)
                      + " adds a key with id \"env\", but the config file has one already; rename the file's key");
            return;
        }
    }
    m_config.auth.keys.push_back(JwtKeyConfig{"env", {"HS256"}, std::string(secret), {}, {}, {}, {}});
}

void Loader::resolveDefaults()
{
    auto& config = m_config;
    if (config.node.id.empty())
        config.node.id = hostName();
    if (config.node.dataDir.empty())
        config.node.dataDir = defaultDataDir();
    if (config.store.path.empty())
        config.store.path = config.node.dataDir / "aldis.db";
    if (!m_namespacesConfigured && config.namespaces.empty())
        config.namespaces.emplace("", NamespaceConfig{});
}

void Loader::ensureDevSecret()
{
    if (!m_options.createDevSecret || !m_config.auth.keys.empty() || !m_errors.empty())
        return;
    const fs::path path = m_config.devSecretPath();
    const int dataDirLine = lineOfKey("node.data_dir");
    auto fromFile = [&](const std::string& text) -> bool {
        auto secret = trimmed(text);
        if (secret.size() < kMinHs256SecretBytes) {
            error("node.data_dir", dataDirLine,
                  "the development secret '" + path.string()
                      + "' is shorter than 32 bytes; delete the file to have a new one made");
            return false;
        }
        m_config.auth.keys.push_back(JwtKeyConfig{"dev", {"HS256"}, std::move(secret), {}, {}, {}, {}});
        return true;
    };

    std::error_code ec;
    if (fs::exists(path, ec)) {
        std::string problem;
        if (auto text = readTextFile(path, problem))
            fromFile(*text);
        else
            error("node.data_dir", dataDirLine,
                  "cannot read the development secret '" + path.string() + "': " + problem
                      + "; fix its permissions or delete it");
        return;
    }

    fs::create_directories(m_config.node.dataDir, ec);
    if (ec) {
        error("node.data_dir", dataDirLine,
              "cannot create the data directory '" + m_config.node.dataDir.string() + "': " + ec.message()
                  + "; create it or set node.data_dir (ALDIS_NODE_DATA_DIR) to a writable folder");
        return;
    }

    std::array<unsigned char, kDevSecretRandomBytes> random{};
    {
        std::ifstream urandom("/dev/urandom", std::ios::binary);
        if (!urandom.read(reinterpret_cast<char*>(random.data()), random.size())) {
            error("node.data_dir", dataDirLine,
                  "cannot read /dev/urandom to make a development secret; configure an [[auth.keys]] entry instead");
            return;
        }
    }
    const std::string secret = hexEncode(random.data(), random.size());

    // O_EXCL: when another process made the file first, its secret is the one to use.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
        std::string problem;
        if (auto text = readTextFile(path, problem))
            fromFile(*text);
        else
            error("node.data_dir", dataDirLine, "cannot read the development secret '" + path.string() + "': " + problem);
        return;
    }
    if (fd < 0) {
        error("node.data_dir", dataDirLine,
              "cannot create the development secret '" + path.string() + "': " + std::strerror(errno)
                  + "; make the data directory writable or configure an [[auth.keys]] entry");
        return;
    }
    const std::string content = secret + "\n";
    std::size_t written = 0;
    bool failed = false;
    while (written < content.size()) {
        auto n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            failed = true;
            break;
        }
        written += static_cast<std::size_t>(n);
    }
    failed = ::close(fd) != 0 || failed;
    if (failed) {
        ::unlink(path.c_str());
        error("node.data_dir", dataDirLine,
              "cannot write the development secret '" + path.string()
                  + "'; make the data directory writable or configure an [[auth.keys]] entry");
        return;
    }
    m_config.auth.keys.push_back(JwtKeyConfig{"dev", {"HS256"}, secret, {}, {}, {}, {}});
}

LoadResult finish(Loader&& loader, const LoadOptions& options)
{
    if (options.useEnvironment)
        loader.applyEnvironment();
    loader.resolveDefaults();
    loader.ensureDevSecret();
    return std::move(loader).result();
}

} // namespace

const NamespaceConfig* Config::findNamespace(std::string_view name) const
{
    auto it = namespaces.find(std::string(name));
    return it == namespaces.end() ? nullptr : &it->second;
}

LoadResult load(const std::filesystem::path& file, const LoadOptions& options)
{
    if (file.empty())
        return loadFromString({}, options);
    Loader loader(options, file.parent_path());
    std::string problem;
    if (auto text = readTextFile(file, problem))
        loader.readToml(*text, file.string());
    else
        loader.fail("cannot read the config file '" + file.string() + "': " + problem
                    + "; check the path, or start without a config file to use the defaults");
    return finish(std::move(loader), options);
}

LoadResult loadFromString(std::string_view toml, const LoadOptions& options)
{
    Loader loader(options, {});
    loader.readToml(toml, {});
    return finish(std::move(loader), options);
}

std::vector<EnvVar> environmentVariables()
{
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

std::filesystem::path defaultDataDir()
{
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg && fs::path(xdg).is_absolute())
        return fs::path(xdg) / "aldis";
    if (const char* home = std::getenv("HOME"); home && *home)
        return fs::path(home) / ".local" / "share" / "aldis";
    return fs::path("aldis-data");
}

std::string describe(const Config& config)
{
    std::string out = "node " + config.node.id + " (region " + config.node.region + "), clients on "
        + config.client.address + ":" + std::to_string(config.client.port) + ", store " + config.store.backend
        + " at " + config.store.path.string() + " (synchronous " + config.store.synchronous + "), auth keys: ";
    if (config.auth.keys.empty()) {
        out += "none";
    } else {
        std::vector<std::string> keys;
        for (const auto& k : config.auth.keys)
            keys.push_back((k.id.empty() ? std::string("(no id)") : k.id) + " " + joined(k.algorithms, "/"));
        out += joined(keys);
    }
    out += ", namespaces: ";
    std::vector<std::string> namespaces;
    for (const auto& [name, ns] : config.namespaces) {
        std::string item = name.empty() ? std::string("(default)") : name;
        item += ns.durable ? " durable" : " memory";
        item += " history " + std::to_string(ns.historySize) + "/" + formatDuration(ns.historyTtl);
        if (ns.presence)
            item += " presence";
        if (ns.joinLeave)
            item += " join_leave";
        if (!ns.clientPublish)
            item += " server-publish-only";
        namespaces.push_back(std::move(item));
    }
    out += namespaces.empty() ? std::string("none") : joined(namespaces, "; ");
    return out;
}

std::string toString(const ConfigError& error, std::string_view source)
{
    if (error.line <= 0)
        return error.message;
    std::string out;
    if (!source.empty())
        out += std::string(source) + ":";
    return out + std::to_string(error.line) + ": " + error.message;
}

} // namespace aldis::config

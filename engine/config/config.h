// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"
#include "common/time.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace aldis::config {

// Settings of one namespace (PROTOCOL.md, "Channels and namespaces").
struct NamespaceConfig {
    std::string name;              // "" is the default namespace (bare channel names)
    bool durable = true;           // stored in the event store, acked after commit
    std::uint32_t historySize = 1000;
    Millis historyTtl = std::chrono::hours(24);
    bool presence = true;
    bool joinLeave = false;
    bool clientPublish = true;
    std::uint32_t maxMessageBytes = 64 * 1024;
    // The region that numbers this namespace's publications; others mirror it and
    // refuse publishes. "" : every region is home of its own copy (nothing mirrored).
    std::string homeRegion;
};

// One verification key for client JWTs. `algorithms` is the explicit allow-list:
// a token is checked only against keys configured for its `alg`.
struct JwtKeyConfig {
    std::string id;                       // matched against the token's `kid` if present
    std::vector<std::string> algorithms;  // "HS256", "RS256", "ES256"
    std::string secret;                   // HS256
    std::filesystem::path publicKeyFile;  // RS256 / ES256 (PEM)
    std::string publicKeyPem;             // loaded from publicKeyFile, or given inline
    std::filesystem::path jwksFile;       // RS256 / ES256: a JWKS (RFC 7517) instead of a PEM
    std::string jwksJson;                 // loaded from jwksFile; parsed by security::JwtVerifier
};

struct NodeConfig {
    std::string id;                       // default: host name
    std::string region = "local";
    std::filesystem::path dataDir;        // default: $XDG_DATA_HOME/aldis
    unsigned threads = 0;                 // 0: one per core
    Millis drainTimeout = std::chrono::seconds(10);
    std::string logLevel = "info";        // trace, debug, info, warn, error, off
    std::string logFormat = "json";       // json or text
};

struct ClientListenerConfig {
    std::string address = "0.0.0.0";
    std::uint16_t port = 8800;
    std::vector<std::string> allowedOrigins;
    std::uint32_t maxFrameBytes = 64 * 1024;
    std::uint32_t sendQueueBytes = 1024 * 1024;
    double rateLimit = 1000;              // commands per second
    double rateBurst = 2000;
    std::uint32_t rateViolationsBeforeClose = 100; // refused commands in a row before 4006
    std::uint32_t maxConnections = 100'000;
    // TCP connections before (or without) a WebSocket upgrade: each may hold up to 8 KiB
    // of headers and max_frame_bytes of body for handshake_timeout.
    std::uint32_t maxHttpConnections = 1024;
    std::uint32_t maxSubscriptionsPerConnection = 1024;
    Millis handshakeTimeout = std::chrono::seconds(5);
    Millis connectTimeout = std::chrono::seconds(5);
    Millis pingInterval = std::chrono::seconds(25);
    // TLS on the client listener (wss:// and https://): on when both files are set.
    // Relative paths are relative to the config file's folder. Re-read on reload.
    std::filesystem::path tlsCertFile;    // PEM: the certificate, then its chain
    std::filesystem::path tlsKeyFile;     // PEM: the private key
    std::string tlsMinVersion = "1.3";    // "1.3" or "1.2"; older versions are always refused
    // The live collaboration demo at /demo/ (the browser client at /client/aldis.js is
    // always served).
    bool serveDemo = true;

    bool tlsEnabled() const { return !tlsCertFile.empty(); }
};

struct StoreConfig {
    std::string backend = "sqlite";       // sqlite or postgresql
    std::filesystem::path path;           // sqlite; default: <data_dir>/aldis.db
    std::string url;                      // postgresql: libpq URL or key=value settings
    unsigned poolSize = 4;                // postgresql: connections, half of them writers
    std::string synchronous = "full";     // full or normal
    Millis commitWindow = Millis::zero();   // 0: commit as soon as the writer is free
    std::uint32_t commitBatch = 4096;
    Millis dedupWindow = std::chrono::hours(24);

    bool operator==(const StoreConfig&) const = default;
};

struct AuthConfig {
    std::vector<JwtKeyConfig> keys;
    std::string issuer;                   // required `iss` when set
    std::string audience;                 // required `aud` when set
    Millis leeway = std::chrono::seconds(30);
    std::vector<std::string> apiKeys;     // for POST /v1/publish
    std::vector<std::string> revokedSubjects; // `sub`s refused at connect; a reload closes their connections
};

// The admin API listener (docs/admin-api.md).
struct AdminConfig {
    bool enabled = true;
    std::string address = "127.0.0.1";
    std::uint16_t port = 8801;
    std::string token;                    // bearer token; default: <data_dir>/admin-token
};

// Alert rules evaluated by the node every second; a threshold of 0 turns a rule off.
struct AlertsConfig {
    double p99LatencyMs = 50;             // publish-to-deliver p99 over the last second
    double consumerLag = 10'000;          // messages behind, per bridge partition
    double connectionDropPercent = 20;    // closed connections per minute
    std::uint32_t connectionDropMinimum = 5; // fewer drops than this never alert
    Millis holdFor = std::chrono::seconds(5); // how long a condition holds before it fires or clears
};

// Another region whose namespaces this region mirrors ([[cluster.mirrors]]).
struct MirrorConfig {
    std::string region;
    std::string kafka;                    // that region's Kafka bootstrap servers
    std::string topicPrefix;              // "" : the same as cluster.topic_prefix

    bool operator==(const MirrorConfig&) const = default;
};

// The node's cluster: the Kafka cluster of its region, which links the nodes that
// share the region's event store (docs/architecture.md, "Cluster").
struct ClusterConfig {
    std::string kafka;                    // bootstrap servers; empty: a standalone node
    std::string topicPrefix = "aldis";    // topics are <prefix>.<region>.events / .members
    std::uint32_t partitions = 16;        // of the events topic, when a node creates it
    std::uint32_t maxQueued = 100'000;    // events waiting for Kafka before publishes are refused
    Millis heartbeat = std::chrono::seconds(1);     // how often a node announces itself
    Millis memberTimeout = std::chrono::seconds(5); // silence after which a node is down
    std::vector<MirrorConfig> mirrors;

    bool enabled() const { return !kafka.empty(); }
};

struct Config {
    NodeConfig node;
    ClientListenerConfig client;
    StoreConfig store;
    AuthConfig auth;
    AdminConfig admin;
    AlertsConfig alerts;
    ClusterConfig cluster;
    std::map<std::string, NamespaceConfig> namespaces; // by name; "" is the default

    // Where a development HS256 secret lives when no key is configured.
    std::filesystem::path devSecretPath() const { return node.dataDir / "dev-secret"; }
    // Where the admin token lives when admin.token is not set.
    std::filesystem::path adminTokenPath() const { return node.dataDir / "admin-token"; }
    const NamespaceConfig* findNamespace(std::string_view name) const;
};

// A problem found while loading: the key and the line it came from, so
// `aldis --check-config` can point at it.
struct ConfigError {
    std::string key;
    int line = 0;          // 0 when not from a file (environment, defaults)
    std::string message;
};

struct LoadOptions {
    bool useEnvironment = true;           // apply ALDIS_* overrides
    bool createDevSecret = true;          // write a dev secret when no key is configured
};

// Loads defaults, then the TOML file (if any), then ALDIS_* environment overrides,
// then validates. All problems are reported, not just the first.
struct LoadResult {
    Config config;
    std::vector<ConfigError> errors;
    bool ok() const { return errors.empty(); }
};

LoadResult load(const std::filesystem::path& file, const LoadOptions& options = {});
LoadResult loadFromString(std::string_view toml, const LoadOptions& options = {});

// Every environment variable the loader reads, with the key it overrides.
struct EnvVar {
    std::string name;
    std::string key;
    std::string description;
};
std::vector<EnvVar> environmentVariables();

// $XDG_DATA_HOME/aldis when XDG_DATA_HOME is an absolute path, else
// $HOME/.local/share/aldis.
std::filesystem::path defaultDataDir();

// store.url as it may be shown in logs and messages: a postgresql:// URL without the
// password of its user part or its query, key=value settings without password=...
// Anything else comes back unchanged.
std::string withoutPassword(std::string_view url);

// A one-line summary for the start-up log: node, listener, store, auth key ids and
// namespaces. Holds no secret.
std::string describe(const Config& config);

// "<source>:<line>: <message>" for a problem in the file, the bare message for one
// from the environment or the defaults (line 0). For `--check-config`.
std::string toString(const ConfigError& error, std::string_view source = {});

} // namespace aldis::config

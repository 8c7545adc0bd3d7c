// SPDX-License-Identifier: Apache-2.0
#include "config/config.h"

#include "config/auth_keys.h"
#include "config/config_keys.h"
#include "config/config_text.h"
#include "config/dev_secret.h"
#include "config/toml_values.h"
#include "protocol/channel.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <utility>

#include <unistd.h>

// The loader: reads the TOML through the key tables (config_keys.h), applies the
// environment overrides, fills in the derived defaults and adds the development
// secret (dev_secret.h). [[auth.keys]] is read in auth_keys.cpp.

namespace aldis::config {

namespace {

namespace fs = std::filesystem;

using detail::closest;
using detail::configKeys;
using detail::envName;
using detail::fromEnvironment;
using detail::fromToml;
using detail::fullKey;
using detail::joined;
using detail::kHs256SecretVar;
using detail::kMinHs256SecretBytes;
using detail::kSections;
using detail::lineOf;
using detail::namespaceKeys;
using detail::quote;
using detail::readTextFile;
using detail::trimmed;
using detail::unknownKey;

std::string hostName()
{
    std::array<char, 256> buffer{};
    if (::gethostname(buffer.data(), buffer.size() - 1) != 0 || buffer[0] == '\0')
        return "aldis";
    return std::string(buffer.data());
}

// One load: owns the Config being built and every problem found on the way.
class Loader {
public:
    Loader(const LoadOptions& options, fs::path baseDir) : m_options(options), m_baseDir(std::move(baseDir)) {}

    void readToml(std::string_view text, std::string_view sourceName);
    void applyEnvironment();
    void resolveDefaults();
    void checkCluster();
    void readMirrors(const toml::node& node, int line);
    void checkStore();
    void checkTls();
    void ensureDevSecret();
    void ensureAdminToken();
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
    void readNamespaces(const toml::table& table);
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
                    message += "; the sections are [node], [client], [store], [auth], [[auth.keys]], [admin], [alerts], [cluster] and [namespaces.NAME]";
                error(name, line, std::move(message));
            } else {
                m_errors.push_back(unknownKey(name, line, name, {}, ""));
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
    if (section == "cluster")
        names.emplace_back("mirrors");

    for (auto&& [k, node] : table) {
        std::string fullName = std::string(section) + "." + std::string(k.str());
        int line = lineOf(k, node);
        if (section == "auth" && k.str() == "keys") {
            detail::readAuthKeys(node, line, m_baseDir, m_config.auth.keys, m_errors);
            continue;
        }
        if (section == "cluster" && k.str() == "mirrors") {
            readMirrors(node, line);
            continue;
        }
        auto& keys = configKeys();
        auto spec = std::find_if(keys.begin(), keys.end(),
                                 [&, key = k.str()](const auto& s) { return s.section == section && s.name == key; });
        if (spec == keys.end()) {
            m_errors.push_back(unknownKey(fullName, line, k.str(), names, std::string(section) + "."));
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
            auto spec = std::find_if(keys.begin(), keys.end(), [&, key = field.str()](const auto& s) { return s.name == key; });
            if (spec == keys.end()) {
                m_errors.push_back(unknownKey(fullName, lineOf(field, value), field.str(), names, prefix + "."));
                continue;
            }
            std::string problem;
            auto parsed = fromToml(*spec, fullName, value, problem);
            if (!parsed) {
                error(fullName, lineOf(value), std::move(problem));
                continue;
            }
            spec->apply(ns, std::move(*parsed));
            m_lines[fullName] = lineOf(value);
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

void Loader::readMirrors(const toml::node& node, int line)
{
    const auto* array = node.as_array();
    if (!array || !array->is_array_of_tables()) {
        error("cluster.mirrors", line,
              "cluster.mirrors must be an array of tables: write each mirrored region as a [[cluster.mirrors]] "
              "section with region and kafka");
        return;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
        const auto& table = *array->get(i)->as_table();
        const std::string prefix = "cluster.mirrors[" + std::to_string(i + 1) + "]";
        MirrorConfig mirror;
        for (auto&& [k, value] : table) {
            const std::string name(k.str());
            const auto* text = value.as_string();
            std::string* field = name == "region" ? &mirror.region
                : name == "kafka"                 ? &mirror.kafka
                : name == "topic_prefix"          ? &mirror.topicPrefix
                                                  : nullptr;
            if (!field) {
                error(prefix + "." + name, lineOf(k, value),
                      "unknown key '" + name + "' in " + prefix + "; its keys are region, kafka and topic_prefix");
            } else if (!text || text->get().empty()) {
                error(prefix + "." + name, lineOf(value), prefix + "." + name + " must be a non-empty string");
            } else {
                *field = text->get();
            }
        }
        const int at = lineOf(*array->get(i));
        if (mirror.region.empty() || mirror.kafka.empty()) {
            error(prefix, at, prefix + " needs region and kafka (the other region's Kafka bootstrap servers)");
            continue;
        }
        m_config.cluster.mirrors.push_back(std::move(mirror));
    }
}

void Loader::checkCluster()
{
    // Nodes of a region agree on offsets only through a store they share.
    if (m_config.cluster.enabled() && m_config.store.backend != "postgresql")
        error("cluster.kafka", lineOfKey("cluster.kafka"),
              "cluster.kafka links nodes that must share one event store: set store.backend = \"postgresql\" "
              "and store.url (with store.backend = \"" + m_config.store.backend
                  + "\" every node would number offsets on its own)");
    for (const auto& mirror : m_config.cluster.mirrors) {
        if (!m_config.cluster.enabled())
            error("cluster.mirrors", 0, "[[cluster.mirrors]] needs cluster.kafka: a region mirrors another through its own Kafka cluster");
        if (mirror.region == m_config.node.region)
            error("cluster.mirrors", 0, "[[cluster.mirrors]] names region \"" + mirror.region + "\", which is this node's own region (node.region)");
    }
    for (const auto& [name, ns] : m_config.namespaces) {
        if (ns.homeRegion.empty() || ns.homeRegion == m_config.node.region)
            continue;
        const auto& mirrors = m_config.cluster.mirrors;
        const bool mirrored = std::any_of(mirrors.begin(), mirrors.end(),
                                          [&home = ns.homeRegion](const MirrorConfig& m) { return m.region == home; });
        const std::string key = "namespaces." + (name.empty() ? std::string("default") : name) + ".home_region";
        if (!mirrored)
            error(key, lineOfKey(key),
                  key + " is \"" + ns.homeRegion + "\", but no [[cluster.mirrors]] entry has that region: this region "
                  "would have none of the namespace's publications; add the mirror or remove home_region");
        if (!ns.durable)
            error(key, lineOfKey(key), key + " needs a durable namespace: only stored publications are mirrored");
    }
}

// Keys that depend on each other are checked once every source has been applied:
// the URL may come from the environment and the backend from the file.
void Loader::checkStore()
{
    const auto& store = m_config.store;
    if (store.backend == "postgresql" && store.url.empty()) {
        error("store.url", lineOfKey("store.backend"),
              "store.url must be set when store.backend is \"postgresql\": the database's URL, such as "
              "\"postgresql://aldis@db.example:5432/aldis\", or libpq key=value settings (or set ALDIS_STORE_URL)");
    }
}

// The files are read again (and their contents checked) when the listener starts and
// on every reload; here only what can be told without OpenSSL.
void Loader::checkTls()
{
    auto& client = m_config.client;
    const bool cert = !client.tlsCertFile.empty();
    const bool key = !client.tlsKeyFile.empty();
    if (cert != key) {
        const std::string given = cert ? "client.tls_cert_file" : "client.tls_key_file";
        error(cert ? "client.tls_key_file" : "client.tls_cert_file", lineOfKey(given),
              given + " is set but " + (cert ? "client.tls_key_file" : "client.tls_cert_file")
                  + " is not: TLS needs both the certificate and its private key (PEM files)");
        return;
    }
    for (auto* file : {&client.tlsCertFile, &client.tlsKeyFile}) {
        if (file->empty())
            continue;
        if (file->is_relative() && !m_baseDir.empty())
            *file = m_baseDir / *file;
        const std::string name = file == &client.tlsCertFile ? "client.tls_cert_file" : "client.tls_key_file";
        std::error_code ec;
        if (!fs::is_regular_file(*file, ec))
            error(name, lineOfKey(name), name + ": no such file: " + file->string());
    }
}

void Loader::ensureDevSecret()
{
    if (!m_options.createDevSecret || !m_config.auth.keys.empty() || !m_errors.empty())
        return;
    detail::addDevSecret(m_config, lineOfKey("node.data_dir"), m_errors);
}

void Loader::ensureAdminToken()
{
    if (!m_options.createDevSecret || !m_config.admin.enabled || !m_config.admin.token.empty() || !m_errors.empty())
        return;
    detail::addAdminToken(m_config, lineOfKey("node.data_dir"), m_errors);
}

LoadResult finish(Loader&& loader, const LoadOptions& options)
{
    if (options.useEnvironment)
        loader.applyEnvironment();
    loader.resolveDefaults();
    loader.checkCluster();
    loader.checkStore();
    loader.checkTls();
    loader.ensureDevSecret();
    loader.ensureAdminToken();
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

std::filesystem::path defaultDataDir()
{
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg && fs::path(xdg).is_absolute())
        return fs::path(xdg) / "aldis";
    if (const char* home = std::getenv("HOME"); home && *home)
        return fs::path(home) / ".local" / "share" / "aldis";
    return fs::path("aldis-data");
}

namespace {

// postgresql://user:password@host/db?password=x -> postgresql://user@host/db
std::string urlWithoutPassword(std::string_view url)
{
    const auto authority = url.find("://") + 3;
    std::string out(url.substr(0, authority));
    std::string_view rest = url.substr(authority);
    // The user part ends at the first '@' before any '/' (libpq's rule), the user
    // name at its first ':'.
    if (const auto stop = rest.find_first_of("@/"); stop != std::string_view::npos && rest[stop] == '@') {
        const auto user = rest.substr(0, std::min(stop, rest.find(':')));
        if (!user.empty())
            out.append(user).append("@");
        rest.remove_prefix(stop + 1);
    }
    const auto query = rest.find('?');
    out += rest.substr(0, query);
    if (query == std::string_view::npos)
        return out;
    std::vector<std::string> kept;
    std::string_view parameters = rest.substr(query + 1);
    while (!parameters.empty()) {
        const auto amp = parameters.find('&');
        const auto parameter = parameters.substr(0, amp);
        if (!parameter.empty() && !parameter.starts_with("password="))
            kept.emplace_back(parameter);
        parameters.remove_prefix(amp == std::string_view::npos ? parameters.size() : amp + 1);
    }
    if (!kept.empty())
        out += "?" + joined(kept, "&");
    return out;
}

// host=db password='a b' dbname=x -> host=db dbname=x (libpq's key=value syntax:
// values may be single-quoted, with backslash escapes)
std::string settingsWithoutPassword(std::string_view text)
{
    auto isSpace = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t start = i;
        while (i < text.size() && isSpace(text[i]))
            ++i;
        const std::size_t keyStart = i;
        while (i < text.size() && !isSpace(text[i]) && text[i] != '=')
            ++i;
        const auto key = text.substr(keyStart, i - keyStart);
        while (i < text.size() && (isSpace(text[i]) || text[i] == '='))
            ++i;
        if (i < text.size() && text[i] == '\'') {
            for (++i; i < text.size() && text[i] != '\''; ++i)
                i += text[i] == '\\' ? 1 : 0;
            ++i;
        } else {
            for (; i < text.size() && !isSpace(text[i]); ++i)
                i += text[i] == '\\' ? 1 : 0;
        }
        i = std::min(i, text.size());
        if (key != "password")
            out += text.substr(start, i - start);
    }
    return trimmed(out);
}

} // namespace

std::string withoutPassword(std::string_view url)
{
    if (url.starts_with("postgresql://") || url.starts_with("postgres://"))
        return urlWithoutPassword(url);
    return settingsWithoutPassword(url);
}

std::string describe(const Config& config)
{
    const auto& store = config.store;
    const std::string where = store.backend == "postgresql"
        ? withoutPassword(store.url) + " (pool " + std::to_string(store.poolSize) + ", synchronous "
            + store.synchronous + ")"
        : store.path.string() + " (synchronous " + store.synchronous + ")";
    std::string out = "node " + config.node.id + " (region " + config.node.region + "), clients on "
        + config.client.address + ":" + std::to_string(config.client.port) + ", store " + store.backend
        + " at " + where + ", auth keys: ";
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

// SPDX-License-Identifier: Apache-2.0
#include "app/cli.h"

#include "app/daemon.h"
#include "app/demo.h"
#include "config/config.h"
#include "security/jwt.h"
#ifdef ALDIS_HAVE_GUI
#include "ui/control_room.h"
#endif

#include <boost/json.hpp>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace aldis::app {

namespace {

constexpr const char* kUsage = R"(aldis - real-time messaging node with a control room

Usage:
  aldis [--config FILE] [--lang LANG] [--wall]
                                     open the control room with an embedded node (clients on
                                     port 8800, admin API on 127.0.0.1:8801, SQLite store)
  aldis --connect URL[,URL...] [--admin-token TOKEN] [--lang LANG] [--wall]
                                     open the control room watching remote nodes only; URL is a
                                     node's admin API such as http://10.0.0.5:8801; the token
                                     can also come from ALDIS_ADMIN_TOKEN
  aldis --daemon [--config FILE]     run the node headless (default: port 8800, SQLite store)
  aldis --check-config [--config FILE]
                                     validate the configuration and exit (names bad keys and lines)
  aldis token --sub USER [--ttl 1h] [--subscribe PATTERNS] [--publish PATTERNS]
              [--permissions JSON] [--config FILE]
                                     mint a development token (HS256) signed with the node's key;
                                     PATTERNS is a comma-separated list such as 'chat:*,news'
                                     JSON is {"subscribe":[...],"publish":[...]}
  aldis demo [--url ws://HOST:PORT/v1/ws] [--rate 20] [--subscribers 10] [--channels 3]
             [--duration 30s] [--config FILE]
                                     publish demo traffic to a node (default: the local one) so
                                     the control room's charts move; tokens are signed with the
                                     node's development key
  aldis --version                    print the version
  aldis --help                       print this help

LANG is en, de or ja (default: the system language); --wall starts full screen (F11 toggles).
Every setting can also come from the environment (ALDIS_...); see docs/configuration.md.
Signals: SIGTERM/SIGINT drain and exit 0; SIGHUP reloads namespaces, permissions and keys.
)";

struct Args {
    bool daemon = false;
    bool checkConfig = false;
    bool version = false;
    bool help = false;
    bool token = false;
    std::optional<std::string> configFile;
    std::string sub;
    std::string ttl = "1h";
    std::optional<std::string> subscribe;
    std::optional<std::string> publish;
    std::optional<std::string> permissions;
    std::vector<std::string> connect;
    std::optional<std::string> adminToken;
    std::string lang;
    bool wall = false;
    bool demo = false;
    DemoOptions demoOptions;
    std::string error;
};

std::vector<std::string> splitList(const std::string& s)
{
    std::vector<std::string> out;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.push_back(item);
    return out;
}

Args parse(int argc, char** argv)
{
    Args a;
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& arg = args[i];
        auto value = [&](const char* name) -> std::optional<std::string> {
            if (i + 1 >= args.size()) {
                a.error = std::string(name) + " needs a value";
                return std::nullopt;
            }
            return args[++i];
        };
        if (arg == "--daemon") a.daemon = true;
        else if (arg == "--check-config") a.checkConfig = true;
        else if (arg == "--version" || arg == "-V") a.version = true;
        else if (arg == "--help" || arg == "-h") a.help = true;
        else if (arg == "token" && i == 0) a.token = true;
        else if (arg == "demo" && i == 0) a.demo = true;
        else if (a.demo && (arg == "--url" || arg == "--rate" || arg == "--subscribers" || arg == "--channels" ||
                            arg == "--duration")) {
            auto v = value(arg.c_str());
            if (!v)
                break;
            if (arg == "--url") {
                a.demoOptions.url = *v;
            } else if (arg == "--duration") {
                auto d = parseDuration(*v);
                if (!d || d->count() <= 0)
                    a.error = "--duration must be a duration such as 30s or 5m";
                else
                    a.demoOptions.duration = *d;
            } else {
                double number = 0;
                auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), number);
                const bool whole = arg != "--rate";
                if (ec != std::errc{} || ptr != v->data() + v->size() || number <= 0 || number > 100000 ||
                    (whole && number != static_cast<double>(static_cast<unsigned>(number))))
                    a.error = arg + (whole ? " must be a whole number from 1 to 100000"
                                           : " must be a number above 0 (publications per second, at most 100000)");
                else if (arg == "--rate")
                    a.demoOptions.rate = number;
                else if (arg == "--subscribers")
                    a.demoOptions.subscribers = static_cast<unsigned>(number);
                else
                    a.demoOptions.channels = static_cast<unsigned>(number);
            }
        }
        else if (arg == "--config" || arg == "-c") { if (auto v = value("--config")) a.configFile = *v; }
        else if (arg == "--connect") {
            if (auto v = value("--connect")) {
                for (auto& url : splitList(*v))
                    a.connect.push_back(url);
                if (a.connect.empty())
                    a.error = "--connect needs at least one admin URL, such as http://10.0.0.5:8801";
            }
        }
        else if (arg == "--admin-token") { if (auto v = value("--admin-token")) a.adminToken = *v; }
        else if (arg == "--lang") { if (auto v = value("--lang")) a.lang = *v; }
        else if (arg == "--wall") a.wall = true;
        else if (arg == "--sub" && a.token) { if (auto v = value("--sub")) a.sub = *v; }
        else if (arg == "--ttl" && a.token) { if (auto v = value("--ttl")) a.ttl = *v; }
        else if (arg == "--subscribe" && a.token) { if (auto v = value("--subscribe")) a.subscribe = *v; }
        else if (arg == "--publish" && a.token) { if (auto v = value("--publish")) a.publish = *v; }
        else if (arg == "--permissions" && a.token) { if (auto v = value("--permissions")) a.permissions = *v; }
        else a.error = "unknown argument \"" + arg + "\"; see aldis --help";
        if (!a.error.empty())
            break;
    }
    return a;
}

Result<security::Permissions> parsePermissions(const std::string& text)
{
    boost::json::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object())
        return makeError(ErrorCode::bad_request, "expected a JSON object {\"subscribe\": [...], \"publish\": [...]}");
    security::Permissions p;
    for (const auto& [name, value] : v.get_object()) {
        std::vector<std::string>* target = name == "subscribe" ? &p.subscribe : name == "publish" ? &p.publish : nullptr;
        if (!target || !value.is_array())
            return makeError(ErrorCode::bad_request, "only \"subscribe\" and \"publish\" lists are allowed");
        for (const auto& item : value.get_array()) {
            if (!item.is_string())
                return makeError(ErrorCode::bad_request, "patterns must be strings");
            target->emplace_back(item.get_string());
        }
    }
    return p;
}

config::LoadResult loadConfig(const Args& a, bool createDevSecret)
{
    config::LoadOptions options;
    options.createDevSecret = createDevSecret;
    if (a.configFile)
        return config::load(*a.configFile, options);
    return config::loadFromString("", options);
}

void printErrors(const config::LoadResult& loaded, const Args& a)
{
    // "file:line: message" (the message names the key), or the bare message for
    // problems that come from the environment or the defaults.
    const std::string file = a.configFile.value_or("");
    for (const auto& e : loaded.errors)
        std::fprintf(stderr, "%s\n", config::toString(e, file).c_str());
}

int mintToken(const Args& a)
{
    if (a.sub.empty()) {
        std::fprintf(stderr, "aldis token: --sub USER is required\n");
        return 2;
    }
    auto ttl = parseDuration(a.ttl);
    if (!ttl || ttl->count() < 1000) {
        std::fprintf(stderr, "aldis token: --ttl must be a duration such as 30m, 1h or 7d\n");
        return 2;
    }
    auto loaded = loadConfig(a, true);
    if (!loaded.ok()) {
        printErrors(loaded, a);
        return 2;
    }
    const config::JwtKeyConfig* hs = nullptr;
    for (const auto& key : loaded.config.auth.keys)
        for (const auto& alg : key.algorithms)
            if (alg == "HS256" && !hs)
                hs = &key;
    if (!hs) {
        std::fprintf(stderr, "aldis token: the configuration has no HS256 key to sign with; "
                             "`aldis token` mints development tokens only\n");
        return 2;
    }
    security::MintOptions options;
    options.sub = a.sub;
    options.ttlSeconds = ttl->count() / 1000;
    options.issuer = loaded.config.auth.issuer;
    options.audience = loaded.config.auth.audience;
    options.kid = hs->id;
    if (a.subscribe || a.publish || a.permissions) {
        security::Permissions p;
        if (a.permissions) {
            auto parsed = parsePermissions(*a.permissions);
            if (!parsed) {
                std::fprintf(stderr, "aldis token: --permissions: %s\n", parsed.error().message.c_str());
                return 2;
            }
            p = parsed.value();
        }
        if (a.subscribe) p.subscribe = splitList(*a.subscribe);
        if (a.publish) p.publish = splitList(*a.publish);
        for (const auto* list : {&p.subscribe, &p.publish})
            for (const auto& pattern : *list)
                if (!security::isValidPattern(pattern)) {
                    std::fprintf(stderr, "aldis token: \"%s\" is not a channel pattern (a channel name, "
                                         "optionally ending in *)\n", pattern.c_str());
                    return 2;
                }
        options.permissions = p;
    }
    auto token = security::mintHs256(hs->secret, options, unixSecondsNow());
    if (!token) {
        std::fprintf(stderr, "aldis token: %s\n", token.error().message.c_str());
        return 2;
    }
    std::printf("%s\n", token.value().c_str());
    return 0;
}

} // namespace

int run(int argc, char** argv)
{
    const Args a = parse(argc, argv);
    if (!a.error.empty()) {
        std::fprintf(stderr, "aldis: %s\n", a.error.c_str());
        return 2;
    }
    if (a.help) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (a.version) {
        std::printf("aldis %s\n", ALDIS_VERSION);
        return 0;
    }
    if (a.token)
        return mintToken(a);
    if (a.demo) {
        auto loaded = loadConfig(a, true);
        if (!loaded.ok()) {
            printErrors(loaded, a);
            return 2;
        }
        return runDemo(a.demoOptions, loaded.config);
    }
    if (a.checkConfig) {
        auto loaded = loadConfig(a, false);
        if (!loaded.ok()) {
            printErrors(loaded, a);
            return 1;
        }
        // Keys are checked the way the node will load them (PEM types, sizes).
        if (auto verifier = security::JwtVerifier::create(loaded.config.auth); !verifier) {
            std::fprintf(stderr, "%s: auth.keys: %s\n", a.configFile.value_or("(defaults and environment)").c_str(),
                         verifier.error().message.c_str());
            return 1;
        }
        std::printf("configuration OK\n%s\n", config::describe(loaded.config).c_str());
        return 0;
    }
    if (a.daemon && (!a.connect.empty() || a.adminToken || !a.lang.empty() || a.wall)) {
        std::fprintf(stderr, "aldis: --connect, --admin-token, --lang and --wall are control-room options; "
                             "--daemon runs without a window\n");
        return 2;
    }
    if (!a.daemon) {
        if (!a.lang.empty() && a.lang != "en" && a.lang != "de" && a.lang != "ja") {
            std::fprintf(stderr, "aldis: --lang must be en, de or ja\n");
            return 2;
        }
        if (a.adminToken && a.connect.empty()) {
            std::fprintf(stderr, "aldis: --admin-token is for the nodes given with --connect; the embedded node "
                                 "uses its own token\n");
            return 2;
        }
        if (!a.connect.empty() && a.configFile) {
            std::fprintf(stderr, "aldis: --connect watches remote nodes and runs no node here; --config is for "
                                 "the embedded node, leave one of them out\n");
            return 2;
        }
#ifdef ALDIS_HAVE_GUI
        if (std::getenv("DISPLAY") == nullptr && std::getenv("WAYLAND_DISPLAY") == nullptr &&
            std::getenv("QT_QPA_PLATFORM") == nullptr) {
            std::fprintf(stderr, "aldis: no display to open the control room on (DISPLAY is not set); run "
                                 "`aldis --daemon` for a headless node\n");
            return 2;
        }
        if (a.connect.empty()) {
            // Checked here too, so a bad file is reported on the terminal before any window.
            auto loaded = loadConfig(a, true);
            if (!loaded.ok()) {
                printErrors(loaded, a);
                return 2;
            }
        }
        ui::ControlRoomOptions options;
        options.connectUrls = a.connect;
        const char* envToken = std::getenv("ALDIS_ADMIN_TOKEN");
        options.adminToken = a.adminToken.value_or(envToken ? envToken : "");
        options.configFile = a.configFile;
        options.language = a.lang;
        options.wallMode = a.wall;
        return ui::runControlRoom(argc, argv, options);
#else
        if (!a.connect.empty()) {
            std::fprintf(stderr, "aldis: this build has no control room (ALDIS_BUILD_GUI=OFF); --connect needs it\n");
            return 2;
        }
        std::fprintf(stderr, "aldis: this build has no control room (ALDIS_BUILD_GUI=OFF); running the node headless\n");
#endif
    }
    auto loaded = loadConfig(a, true);
    if (!loaded.ok()) {
        printErrors(loaded, a);
        return 2;
    }
    return runDaemon(std::move(loaded.config), a.configFile);
}

} // namespace aldis::app

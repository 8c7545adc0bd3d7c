// SPDX-License-Identifier: Apache-2.0
#include "app/daemon.h"

#include "node/node.h"
#include "observability/logging.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>

namespace aldis::app {

int runDaemon(config::Config initial, std::optional<std::string> configFile)
{
    if (!observability::setupLogging(initial.node.logLevel, initial.node.logFormat)) {
        std::fprintf(stderr, "aldis: unknown log level \"%s\"\n", initial.node.logLevel.c_str());
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    auto cfg = std::make_shared<const config::Config>(std::move(initial));
    node::Node node(cfg);
    if (auto started = node.start(); !started) {
        spdlog::error("cannot start: {}", started.error().message);
        std::fprintf(stderr, "aldis: cannot start: %s\n", started.error().message.c_str());
        return 1;
    }
    // The admin line comes first: tools that wait for "listening on" find both.
    if (node.adminPort() != 0)
        std::printf("aldis: admin on %s:%u\n", cfg->admin.address.c_str(), node.adminPort());
    std::printf("aldis: listening on %s:%u\n", cfg->client.address.c_str(), node.port());
    std::fflush(stdout);

    // Signals are handled on the main thread with their own small io_context, so the
    // drain never runs on one of the node's io threads.
    boost::asio::io_context signals;
    boost::asio::signal_set stopSignals(signals, SIGTERM, SIGINT);
    boost::asio::signal_set hup(signals, SIGHUP);
    int exitCode = 0;
    stopSignals.async_wait([&](boost::system::error_code ec, int signo) {
        if (ec)
            return;
        const auto timeout = node.config()->node.drainTimeout; // reloadable
        spdlog::info("signal {}: draining (up to {} ms)", signo, timeout.count());
        const auto closed = node.drain(timeout);
        spdlog::info("drained {} clients; exiting", closed);
        hup.cancel();
    });
    std::function<void()> waitHup = [&] {
        hup.async_wait([&](boost::system::error_code ec, int) {
            if (ec)
                return;
            if (!configFile) {
                spdlog::info("SIGHUP: no --config file to reload");
            } else {
                auto loaded = config::load(*configFile);
                if (!loaded.ok()) {
                    for (const auto& e : loaded.errors)
                        spdlog::error("reload refused: {}:{}: {}: {}", *configFile, e.line, e.key, e.message);
                } else if (auto applied = node.reload(std::make_shared<const config::Config>(std::move(loaded.config)));
                           !applied) {
                    spdlog::error("reload refused: {}", applied.error().message);
                } else {
                    observability::setLogLevel(node.config()->node.logLevel);
                    for (const auto& key : applied.value())
                        spdlog::warn("reload: {} changed but needs a restart; keeping the running value", key);
                    spdlog::info("configuration reloaded from {}", *configFile);
                }
            }
            waitHup();
        });
    };
    waitHup();
    signals.run();
    return exitCode;
}

} // namespace aldis::app

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/time.h"
#include "config/config.h"

#include <cstdint>
#include <string>

namespace aldis::app {

// `aldis demo`: traffic for a first look at the control room. Subscribers and one
// publisher connect to a node with development tokens signed by the configuration's
// HS256 key (the node's dev secret by default) and publish to a few channels at a
// steady rate, printing what was published and delivered every second.
struct DemoOptions {
    std::string url;              // ws://host:port/v1/ws; empty: localhost and client.port
    double rate = 20;             // publications per second
    unsigned subscribers = 10;
    unsigned channels = 3;
    Millis duration{0};           // 0: until Ctrl-C
};

int runDemo(const DemoOptions& options, const config::Config& config);

} // namespace aldis::app

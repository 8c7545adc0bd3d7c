// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "conn.h"

#include <string>
#include <vector>

namespace aldis::bench {

struct Options {
    std::string scenario;
    Peer peer = Peer::aldis;
    std::string url = "ws://127.0.0.1:8800/v1/ws";
    std::string publishUrl;                // crossnode: where publishers connect
    std::string secret;                    // HS256 secret the node accepts (Aldis)
    std::vector<double> rates;             // publications/s, or connections/s for connect
    double duration = 10;                  // seconds per step
    double warmup = 1;                     // seconds of each step not measured
    unsigned subscribers = 100;
    unsigned channels = 1;
    unsigned perConn = 1;                  // channels each subscriber subscribes to
    unsigned publishers = 1;
    unsigned connections = 10000;          // idle
    double connectRate = 5000;             // ramp of subscribers and idle connections
    unsigned size = 64;                    // payload bytes
    unsigned window = 256;                 // closed loop: publishes in flight per publisher
    unsigned sources = 8;                  // loopback source addresses 127.0.0.1..N
    int cpu = -1;                          // pin the generator to this core
    int serverPid = 0;                     // for RSS and CPU of the server
    std::string prefix = "bench-";         // channel name prefix ("d:bench-" for durable)
    std::string json;                      // append JSON lines to this file
    std::string label;                     // copied into the JSON
    bool stopWhenSaturated = true;         // rate sweeps stop at the first saturated step
    double sloMs = 100;                    // a step whose p99 is above this is saturated
    // store scenario
    std::string backend = "sqlite";
    std::string storePath;
    std::string storeUrl;
    unsigned count = 200000;
    double commitWindowMs = -1;            // store.commit_window; < 0: the store's default
};

// Parses argv; prints usage and exits with 2 on a bad option.
Options parseOptions(int argc, char** argv);

} // namespace aldis::bench

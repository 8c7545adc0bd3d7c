// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace aldis::cluster {

// One committed publication as it travels on a region's events topic: everything a
// node needs to fan it out without asking the store, and where it came from.
struct EventRecord {
    std::string channel;
    std::string epoch;
    std::uint64_t offset = 0;
    std::string data;           // the publication's JSON text, byte for byte
    std::int64_t ts = 0;        // the stored publication's ts (unix ms)
    std::string user;           // empty: none (server API)
    std::string key;            // idempotency key, empty: none
    std::string originNode;     // the node that appended it
    std::string originRegion;   // the region whose store assigned the offset
    std::int64_t bornMicros = 0; // when the origin node received the publish (unix us)
};

// The wire form on Kafka: a byte 'A', a version byte (1), the fixed fields in
// little-endian order (offset u64, ts i64, born i64), then the strings, each a u32
// length and its bytes: channel, epoch, data, user, key, origin node, origin region.
// Binary rather than JSON so that `data` passes through untouched and cheaply.
std::string encode(const EventRecord& record);
// Fails with bad_request on anything that is not a complete version-1 record.
Result<EventRecord> decode(std::string_view bytes);

} // namespace aldis::cluster

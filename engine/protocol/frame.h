// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/time.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace aldis::protocol {

// One message ready for the wire: the complete server-to-client WebSocket frame
// (unmasked header + payload). It is built once and shared, read-only, by every
// connection it is sent to; that is how a publication is serialized once for all of
// its subscribers.
struct OutFrame {
    std::string bytes;
    Clock::time_point born{};   // when the publication entered the node (publications only)
    bool publication = false;   // a live publication: `born` is meaningful
    // The channel offset of a `pub` push, live or read back from the store; 0 for any
    // other frame. The SSE stream writes it in its `id:` line without parsing JSON.
    std::uint64_t offset = 0;
    std::size_t size() const noexcept { return bytes.size(); }
};

using FramePtr = std::shared_ptr<const OutFrame>;

// A text frame holding `payload`.
FramePtr makeTextFrame(std::string_view payload);
// A live publication (a `pub` push) at channel offset `offset`, born at `born`.
FramePtr makePublicationFrame(std::string_view payload, Clock::time_point born, std::uint64_t offset);
// A `pub` push read back from the store (a replay, a filled hole): its offset is
// known, but not when it entered the node, so it is not a live `publication` (the
// publish-to-deliver histogram skips it).
FramePtr makeStoredPublicationFrame(std::string_view payload, std::uint64_t offset);

// The payload of `frame` (its JSON text), without the WebSocket frame header.
std::string_view framePayload(const OutFrame& frame) noexcept;

// WebSocket frame header for an unmasked server frame: written into `out` (at most 10
// bytes); returns its length.
std::size_t writeFrameHeader(unsigned char* out, unsigned opcode, std::uint64_t length) noexcept;

} // namespace aldis::protocol

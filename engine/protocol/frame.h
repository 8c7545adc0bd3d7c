// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/time.h"

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
    bool publication = false;
    std::size_t size() const noexcept { return bytes.size(); }
};

using FramePtr = std::shared_ptr<const OutFrame>;

// A text frame holding `payload`.
FramePtr makeTextFrame(std::string_view payload);
FramePtr makePublicationFrame(std::string_view payload, Clock::time_point born);

// WebSocket frame header for an unmasked server frame: written into `out` (at most 10
// bytes); returns its length.
std::size_t writeFrameHeader(unsigned char* out, unsigned opcode, std::uint64_t length) noexcept;

} // namespace aldis::protocol

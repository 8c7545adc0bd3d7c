// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the WebSocket frame parser, fed the input in pieces whose sizes
// the input's first byte chooses (so frames split at every boundary are tried).
#include "gateway/ws_frame.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::size_t piece = 1 + data[0] % 64;
    ++data;
    --size;
    aldis::gateway::FrameParser parser(4096);
    std::string pending;
    for (std::size_t at = 0; at < size; at += piece) {
        pending.append(reinterpret_cast<const char*>(data + at), std::min(piece, size - at));
        for (;;) {
            aldis::gateway::WsEvent event;
            const std::size_t used =
                parser.feed(reinterpret_cast<const unsigned char*>(pending.data()), pending.size(), event);
            if (used > pending.size())
                __builtin_trap();
            pending.erase(0, used);
            if (event.kind == aldis::gateway::WsEvent::Kind::error) {
                // A protocol error always names a close code the server may send.
                if (event.code < 1000)
                    __builtin_trap();
                return 0;
            }
            // A completed message is within the limit. (Its UTF-8 is the session's to
            // check: invalid text closes with 4004, PROTOCOL.md.)
            if ((event.kind == aldis::gateway::WsEvent::Kind::text || event.kind == aldis::gateway::WsEvent::Kind::binary)
                && event.payload.size() > 4096)
                __builtin_trap();
            // A close reason is valid UTF-8 (1007 otherwise).
            if (event.kind == aldis::gateway::WsEvent::Kind::close && !aldis::gateway::isValidUtf8(event.payload))
                __builtin_trap();
            if (used == 0)
                break;
        }
    }
    return 0;
}

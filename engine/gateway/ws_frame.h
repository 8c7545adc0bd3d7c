// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace aldis::gateway {

// What the frame parser found in the client's byte stream.
struct WsEvent {
    enum class Kind { none, text, binary, ping, pong, close, error };
    Kind kind = Kind::none;
    std::string payload;        // message, ping/pong payload, or close reason
    std::uint16_t code = 0;     // close: the client's code (1005 when absent); error: our close code
};

// Incremental parser of client-to-server WebSocket frames (RFC 6455): checks masking,
// reserved bits, opcodes, control frame rules and fragmentation, reassembles
// fragmented messages, and enforces the maximum message size before buffering it.
// It does not own a socket; the session feeds it what it reads. Not thread-safe: one
// per connection, used on the connection's strand.
class FrameParser {
public:
    explicit FrameParser(std::size_t maxMessageBytes) : m_max(maxMessageBytes) {}

    // Parses at most one frame from `data`. Returns how many bytes were consumed (0:
    // more bytes are needed) and sets `event` when a frame completed a message, was a
    // control frame, or broke the protocol (Kind::error with the close code to use).
    std::size_t feed(const unsigned char* data, std::size_t size, WsEvent& event);

private:
    std::size_t m_max;
    std::string m_message;      // fragments of the message being assembled
    int m_messageOpcode = -1;   // -1: no fragmented message in progress
};

bool isValidUtf8(std::string_view s) noexcept;
// Close codes a peer may send (RFC 6455 7.4).
bool isValidCloseCode(unsigned code) noexcept;

// A server close frame with `code` and `reason` (the reason is cut to fit 123 bytes).
std::string makeCloseFrame(std::uint16_t code, std::string_view reason);
std::string makeControlFrame(unsigned opcode, std::string_view payload);

} // namespace aldis::gateway

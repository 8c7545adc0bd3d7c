// SPDX-License-Identifier: Apache-2.0
#include "gateway/ws_frame.h"

#include "protocol/frame.h"

namespace aldis::gateway {

bool isValidUtf8(std::string_view s) noexcept
{
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        // Fast path for ASCII, eight bytes at a time.
        if (end - p >= 8) {
            std::uint64_t chunk;
            __builtin_memcpy(&chunk, p, 8);
            if ((chunk & 0x8080808080808080ull) == 0) {
                p += 8;
                continue;
            }
        }
        unsigned c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int extra;
        unsigned min;
        if ((c & 0xe0) == 0xc0) { extra = 1; min = 0x80; c &= 0x1f; }
        else if ((c & 0xf0) == 0xe0) { extra = 2; min = 0x800; c &= 0x0f; }
        else if ((c & 0xf8) == 0xf0) { extra = 3; min = 0x10000; c &= 0x07; }
        else return false;
        if (end - p <= extra)
            return false;
        for (int i = 1; i <= extra; ++i) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            c = (c << 6) | (p[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return false;
        p += extra + 1;
    }
    return true;
}

bool isValidCloseCode(unsigned code) noexcept
{
    if (code >= 3000 && code <= 4999)
        return true;
    switch (code) {
    case 1000: case 1001: case 1002: case 1003: case 1007: case 1008: case 1009: case 1010: case 1011:
        return true;
    default:
        return false;
    }
}

std::string makeControlFrame(unsigned opcode, std::string_view payload)
{
    unsigned char header[10];
    auto n = protocol::writeFrameHeader(header, opcode, payload.size());
    std::string out(reinterpret_cast<const char*>(header), n);
    out.append(payload);
    return out;
}

std::string makeCloseFrame(std::uint16_t code, std::string_view reason)
{
    std::string payload;
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xff));
    if (reason.size() > 123) {
        reason = reason.substr(0, 123);
        while (!reason.empty() && !isValidUtf8(reason))
            reason.remove_suffix(1);
    }
    payload.append(reason);
    return makeControlFrame(0x8, payload);
}

std::size_t FrameParser::feed(const unsigned char* data, std::size_t size, WsEvent& event)
{
    event.kind = WsEvent::Kind::none;
    auto fail = [&](std::uint16_t code, std::string why) -> std::size_t {
        event.kind = WsEvent::Kind::error;
        event.code = code;
        event.payload = std::move(why);
        return size ? size : 1;
    };
    if (size < 2)
        return 0;
    const bool fin = data[0] & 0x80;
    const unsigned rsv = data[0] & 0x70;
    const unsigned opcode = data[0] & 0x0f;
    const bool masked = data[1] & 0x80;
    std::uint64_t length = data[1] & 0x7f;
    std::size_t pos = 2;

    if (rsv)
        return fail(1002, "reserved bits set without a negotiated extension");
    const bool control = opcode & 0x8;
    if (opcode != 0 && opcode != 1 && opcode != 2 && opcode != 8 && opcode != 9 && opcode != 10)
        return fail(1002, "unknown opcode " + std::to_string(opcode));
    if (!masked)
        return fail(1002, "client frames must be masked");
    if (control && (!fin || length > 125))
        return fail(1002, "control frames must be final and at most 125 bytes");

    if (length == 126) {
        if (size < pos + 2)
            return 0;
        length = (std::uint64_t{data[2]} << 8) | data[3];
        pos += 2;
    } else if (length == 127) {
        if (size < pos + 8)
            return 0;
        length = 0;
        for (int i = 0; i < 8; ++i)
            length = (length << 8) | data[pos + i];
        pos += 8;
        if (length >> 63)
            return fail(1002, "frame length has its most significant bit set");
    }
    if (!control) {
        if (opcode == 0 && m_messageOpcode < 0)
            return fail(1002, "continuation frame without a message to continue");
        if (opcode != 0 && m_messageOpcode >= 0)
            return fail(1002, "new message started before the previous one was finished");
        if (length > m_max || m_message.size() + length > m_max)
            return fail(1009, "message larger than the " + std::to_string(m_max) + "-byte limit");
    }
    if (size < pos + 4 + length)
        return 0;
    const unsigned char* mask = data + pos;
    pos += 4;
    const auto* payload = data + pos;
    const auto consumed = pos + static_cast<std::size_t>(length);

    auto unmaskInto = [&](std::string& out) {
        const auto base = out.size();
        out.resize(base + length);
        for (std::size_t i = 0; i < length; ++i)
            out[base + i] = static_cast<char>(payload[i] ^ mask[i & 3]);
    };

    if (control) {
        std::string body;
        unmaskInto(body);
        if (opcode == 0x9) {
            event.kind = WsEvent::Kind::ping;
            event.payload = std::move(body);
        } else if (opcode == 0xA) {
            event.kind = WsEvent::Kind::pong;
        } else {
            if (body.size() == 1)
                return fail(1002, "close frame with a 1-byte payload");
            event.kind = WsEvent::Kind::close;
            event.code = 1005;
            if (body.size() >= 2) {
                event.code = static_cast<std::uint16_t>((static_cast<unsigned char>(body[0]) << 8) |
                                                        static_cast<unsigned char>(body[1]));
                if (!isValidCloseCode(event.code))
                    return fail(1002, "invalid close code " + std::to_string(event.code));
                event.payload = body.substr(2);
                if (!isValidUtf8(event.payload))
                    return fail(1007, "close reason is not valid UTF-8");
            }
        }
        return consumed;
    }

    if (opcode != 0)
        m_messageOpcode = static_cast<int>(opcode);
    unmaskInto(m_message);
    if (!fin)
        return consumed;
    event.kind = m_messageOpcode == 1 ? WsEvent::Kind::text : WsEvent::Kind::binary;
    event.payload = std::move(m_message);
    m_message.clear();
    m_messageOpcode = -1;
    return consumed;
}

} // namespace aldis::gateway

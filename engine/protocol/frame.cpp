// SPDX-License-Identifier: Apache-2.0
#include "protocol/frame.h"

#include <cstring>

namespace aldis::protocol {

std::size_t writeFrameHeader(unsigned char* out, unsigned opcode, std::uint64_t length) noexcept
{
    out[0] = static_cast<unsigned char>(0x80u | (opcode & 0x0fu)); // FIN + opcode
    if (length < 126) {
        out[1] = static_cast<unsigned char>(length);
        return 2;
    }
    if (length <= 0xffff) {
        out[1] = 126;
        out[2] = static_cast<unsigned char>(length >> 8);
        out[3] = static_cast<unsigned char>(length);
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i)
        out[2 + i] = static_cast<unsigned char>(length >> (56 - 8 * i));
    return 10;
}

namespace {
std::shared_ptr<OutFrame> build(std::string_view payload)
{
    auto frame = std::make_shared<OutFrame>();
    unsigned char header[10];
    auto n = writeFrameHeader(header, 0x1, payload.size());
    frame->bytes.reserve(n + payload.size());
    frame->bytes.append(reinterpret_cast<const char*>(header), n);
    frame->bytes.append(payload);
    return frame;
}
} // namespace

FramePtr makeTextFrame(std::string_view payload)
{
    return build(payload);
}

FramePtr makePublicationFrame(std::string_view payload, Clock::time_point born, std::uint64_t offset)
{
    auto frame = build(payload);
    frame->born = born;
    frame->publication = true;
    frame->offset = offset;
    return frame;
}

FramePtr makeStoredPublicationFrame(std::string_view payload, std::uint64_t offset)
{
    auto frame = build(payload);
    frame->offset = offset;
    return frame;
}

std::string_view framePayload(const OutFrame& frame) noexcept
{
    // The header writeFrameHeader() wrote: 2 bytes, then 2 or 8 more for a length
    // of 126 and above.
    const std::string_view bytes = frame.bytes;
    if (bytes.size() < 2)
        return {};
    const auto length = static_cast<unsigned char>(bytes[1]) & 0x7fu;
    const std::size_t header = length == 127 ? 10 : length == 126 ? 4 : 2;
    return bytes.size() < header ? std::string_view() : bytes.substr(header);
}

} // namespace aldis::protocol

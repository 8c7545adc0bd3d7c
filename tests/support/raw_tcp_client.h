// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "support/test_client_common.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace aldis::test {

// A bare TCP connection for byte-exact exchanges the WebSocket client cannot make, such
// as frames sent together with the upgrade request.
//
// Threads: blocking, used from the test's thread only; each call runs the private
// io_context until it is done or its guard timeout expires. Nothing here throws.
class RawTcpClient {
public:
    explicit RawTcpClient(std::uint16_t port);
    ~RawTcpClient();
    RawTcpClient(const RawTcpClient&) = delete;
    RawTcpClient& operator=(const RawTcpClient&) = delete;

    bool isConnected() const;
    bool write(std::string_view bytes, int timeoutMs = kDefaultTimeoutMs);
    // Reads until `enough(everything read so far)` holds, the peer closes or the guard
    // timeout expires; returns everything read so far.
    std::string readUntil(const std::function<bool(const std::string&)>& enough, int timeoutMs = kDefaultTimeoutMs);

    // The upgrade request for /v1/ws on this port.
    std::string upgradeRequest(const Headers& headers = {}) const;

    struct Frame {
        unsigned opcode = 0;
        std::string payload;
    };
    // Unmasked server frames in `bytes` (after the HTTP response); stops at an
    // incomplete frame.
    static std::vector<Frame> serverFrames(std::string_view bytes);
    // The server frames after the HTTP response in `received` (none before its end).
    static std::vector<Frame> framesAfterUpgrade(std::string_view received);

private:
    struct State;
    std::unique_ptr<State> m;
};

} // namespace aldis::test

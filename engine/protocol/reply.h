// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace aldis::protocol {

// Builders for the JSON text the server sends. They write JSON directly into a string
// (no DOM), because replies and pushes are on the hot path.

// Appends `s` as a JSON string literal (with quotes and escapes).
void appendJsonString(std::string& out, std::string_view s);

// {"id":id,"ok":<okJson>}; okJson must be a JSON object text.
std::string okReply(std::uint64_t id, std::string_view okJson);
// {"id":id,"error":{"code":..,"message":..}}; id 0 is written as null.
std::string errorReply(std::uint64_t id, ErrorCode code, std::string_view message);

// {"push":"pub","channel":..,"offset":n,"data":<dataJson>,"ts":ms,"user":..|null[,"key":..]}
std::string pubPush(std::string_view channel, std::uint64_t offset, std::string_view dataJson,
                    std::int64_t ts, std::string_view user, std::string_view key);
// The same publication as an element of a `history` reply (no "push" member).
void appendPublication(std::string& out, std::string_view channel, std::uint64_t offset,
                       std::string_view dataJson, std::int64_t ts, std::string_view user,
                       std::string_view key);

std::string joinLeavePush(bool join, std::string_view channel, std::uint64_t client,
                          std::string_view user);
std::string unsubscribedPush(std::string_view channel, std::string_view reason);
std::string disconnectPush(int code, std::string_view reason, bool reconnect);

} // namespace aldis::protocol

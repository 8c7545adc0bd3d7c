// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace aldis::protocol {

enum class Op { connect, refresh, subscribe, unsubscribe, publish, ack, history, presence, ping };

std::string_view toString(Op op) noexcept;

constexpr std::uint32_t kDefaultHistoryLimit = 100;
constexpr std::uint32_t kMaxHistoryLimit = 1000;
constexpr std::size_t kMaxKeyBytes = 128;

// A position in a channel's stream: `offset` within `epoch`.
struct Since {
    std::uint64_t offset = 0;
    std::string epoch;
};

// One client command, parsed and validated (PROTOCOL.md, "Commands"). Fields that an
// op does not use stay empty.
struct Command {
    std::uint64_t id = 0;
    Op op = Op::ping;
    std::string token;            // connect, refresh
    std::string name;             // connect: client software
    std::string channel;          // subscribe, unsubscribe, publish, ack, history, presence
    std::optional<Since> since;   // subscribe, history
    std::string durable;          // subscribe
    std::string data;             // publish: the data value as JSON text
    std::string key;              // publish: idempotency key
    std::uint64_t offset = 0;     // ack
    std::uint32_t limit = kDefaultHistoryLimit; // history
    bool reverse = false;         // history
};

// Why a frame could not be turned into a Command. `fatal` frames (not a JSON object)
// close the connection with 4004; the others are answered with an error reply to `id`
// (0 when the frame carried no usable id: the reply then has `"id": null`).
struct CommandError {
    std::uint64_t id = 0;
    ErrorCode code = ErrorCode::bad_request;
    std::string message;
    bool fatal = false;
    std::optional<Op> op;         // when the frame named a known op
};

using ParseResult = std::variant<Command, CommandError>;

// Parses one text frame. Never throws.
ParseResult parseCommand(std::string_view text);

// Parses the body of `POST /v1/publish`: {"channel", "data", "key"}; the result is a
// publish Command with id 0.
ParseResult parsePublishBody(std::string_view text);

} // namespace aldis::protocol

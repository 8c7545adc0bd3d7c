// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/event_store.h"

#include <string>
#include <type_traits>
#include <variant>

// What the writers of both backends queue: the requests that go through a writer
// (in order with appends), and the error a request gets when the store is not open.
namespace aldis::store::detail {

struct AppendOp {
    AppendRequest request;
    EventStore::AppendCallback callback;
};

struct PositionOp {
    std::string user;
    std::string durable;
    std::string channel;
    Position position;
    EventStore::DoneCallback callback;
};

struct EnsureOp {
    std::string channel;
    EventStore::StateCallback callback;
};

using WriteOp = std::variant<AppendOp, PositionOp, EnsureOp>;

// The channel a write request belongs to: a PostgreSQL store routes it to that
// channel's writer.
inline const std::string& channelOf(const WriteOp& op)
{
    return std::visit(
        [](const auto& o) -> const std::string& {
            if constexpr (std::is_same_v<std::decay_t<decltype(o)>, AppendOp>)
                return o.request.channel;
            else
                return o.channel;
        },
        op);
}

// What a request gets when the store is not open.
inline Error closedError()
{
    return makeError(ErrorCode::unavailable, "the event store is not open", true);
}

} // namespace aldis::store::detail

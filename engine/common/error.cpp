// SPDX-License-Identifier: Apache-2.0
#include "common/error.h"

namespace aldis {

std::string_view toString(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::bad_request: return "bad_request";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::token_expired: return "token_expired";
    case ErrorCode::permission_denied: return "permission_denied";
    case ErrorCode::unknown_op: return "unknown_op";
    case ErrorCode::unknown_channel: return "unknown_channel";
    case ErrorCode::already_subscribed: return "already_subscribed";
    case ErrorCode::not_subscribed: return "not_subscribed";
    case ErrorCode::payload_too_large: return "payload_too_large";
    case ErrorCode::too_many_requests: return "too_many_requests";
    case ErrorCode::limit_exceeded: return "limit_exceeded";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::internal: return "internal";
    }
    return "internal";
}

} // namespace aldis

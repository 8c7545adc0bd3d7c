// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace aldis {

// The error codes of the client protocol (PROTOCOL.md, "Error codes"). They are the
// vocabulary every engine boundary speaks, so a store failure and a bad frame reach a
// client in the same words.
enum class ErrorCode {
    bad_request,
    unauthorized,
    token_expired,
    permission_denied,
    unknown_op,
    unknown_channel,
    already_subscribed,
    not_subscribed,
    payload_too_large,
    too_many_requests,
    limit_exceeded,
    unavailable,
    internal,
};

std::string_view toString(ErrorCode code) noexcept;

// An error at a module boundary: a code, a message a person can act on, and whether
// trying the same thing again later can help.
struct Error {
    ErrorCode code = ErrorCode::internal;
    std::string message;
    bool retryable = false;
};

inline Error makeError(ErrorCode code, std::string message, bool retryable = false)
{
    return Error{code, std::move(message), retryable};
}

// Result<T>: a value or an Error (an expected-like type; std::expected is C++23).
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool ok() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(m_v); }
    const T& value() const& { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const& { return std::get<1>(m_v); }
    Error&& error() && { return std::get<1>(std::move(m_v)); }

private:
    std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_failed(true) {}

    bool ok() const noexcept { return !m_failed; }
    explicit operator bool() const noexcept { return ok(); }
    const Error& error() const& { return m_error; }
    Error&& error() && { return std::move(m_error); }

private:
    Error m_error;
    bool m_failed = false;
};

} // namespace aldis

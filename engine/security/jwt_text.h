// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/error.h"
#include "config/config.h"

#include <optional>
#include <string>
#include <string_view>

// Text shared by verification, JWKS reading and minting: base64url decoding, and the
// wording of untrusted values and configuration problems in messages.
namespace aldis::security::detail {

// A token-supplied string, quoted, cut to 64 bytes and with anything outside
// printable ASCII replaced by '?', so a hostile claim cannot flood or garble logs.
std::string shown(std::string_view text);

bool isBase64UrlChar(char c) noexcept;

// Unpadded base64url (RFC 7515 2). Padding, whitespace and the standard alphabet are
// refused: a JWT never holds them.
std::optional<std::string> base64UrlDecode(std::string_view in);

// A bad_request error that names the configured key: "auth key '<id>': <what>".
Error configError(const config::JwtKeyConfig& key, std::string_view what);

} // namespace aldis::security::detail

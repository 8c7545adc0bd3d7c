// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the blocking test clients (WsTestClient, RawTcpClient, HttpTestClient) share:
// request headers and the guard timeout every wait takes by default.

#include <string>
#include <utility>
#include <vector>

namespace aldis::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Only a guard against a hung test: no test asserts on how long something took.
constexpr int kDefaultTimeoutMs = 10000;

} // namespace aldis::test

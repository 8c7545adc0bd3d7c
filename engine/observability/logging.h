// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace aldis::observability {

// Sets up the process-wide logger: JSON lines (one object per line with ts, level
// and msg) or plain text, to stderr. Returns false and leaves the logger alone
// when `level` is not a level name.
bool setupLogging(const std::string& level, const std::string& format);
bool setLogLevel(const std::string& level);

} // namespace aldis::observability

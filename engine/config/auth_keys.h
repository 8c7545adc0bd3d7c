// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/config.h"

#include <toml++/toml.h>

#include <filesystem>
#include <vector>

// Reading [[auth.keys]]: a list of tables whose fields depend on each other, so it is
// read by hand rather than through the key table. Part of one load; no state of its own.
namespace aldis::config::detail {

// Reads `auth.keys` (its key is on `line`). Each entry is checked on its own: one
// without problems is appended to `keys`, and every problem is appended to `errors`
// in the order found. `keys` also holds the keys read so far, whose ids a new entry
// may not repeat. Relative public_key_file and jwks_file paths are relative to
// `baseDir`; their files are read here.
void readAuthKeys(const toml::node& node, int line, const std::filesystem::path& baseDir,
                  std::vector<JwtKeyConfig>& keys, std::vector<ConfigError>& errors);

} // namespace aldis::config::detail

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/config.h"

#include <vector>

// The development secret: the HS256 key a node uses when no key is configured, so that
// a first start needs no setup. Called once per load, on the loading thread.
namespace aldis::config::detail {

// Reads `config.devSecretPath()`, or creates it: 48 bytes from /dev/urandom,
// hex-encoded, in a file of mode 0600 created with O_EXCL (when another process made
// it first, its secret is used). On success, appends the key {id "dev", algorithms
// ["HS256"]} to `config.auth.keys`; otherwise appends one problem to `errors`, with
// the key node.data_dir and `dataDirLine`. The caller decides whether a secret is
// wanted (no key configured, nothing failed so far).
void addDevSecret(Config& config, int dataDirLine, std::vector<ConfigError>& errors);

// The same for the admin API's bearer token when admin.token is not set:
// `config.adminTokenPath()`, read or created once, stored in `config.admin.token`.
void addAdminToken(Config& config, int dataDirLine, std::vector<ConfigError>& errors);

} // namespace aldis::config::detail

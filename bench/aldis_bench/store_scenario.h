// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "options.h"

namespace aldis::bench {

// The `store` scenario: durable appends straight into an EventStore (no network, no
// protocol), the store's own capacity. Keeps --window appends in flight.
int runStoreScenario(const Options& options);

// The `disk` scenario: 4 KiB writes each followed by fdatasync() in a file under
// --store-path (a folder; default the temporary folder) for --duration: what every
// durable commit waits for, and how long its stalls are.
int runDiskScenario(const Options& options);

} // namespace aldis::bench

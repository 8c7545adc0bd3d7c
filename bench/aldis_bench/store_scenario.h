// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "options.h"

namespace aldis::bench {

// The `store` scenario: durable appends straight into an EventStore (no network, no
// protocol), the store's own capacity. Keeps --window appends in flight.
int runStoreScenario(const Options& options);

} // namespace aldis::bench

// SPDX-License-Identifier: Apache-2.0
// aldis-bench: the load generator behind docs/benchmarks.md. Open-loop load at a fixed
// rate, latency from each message's intended send time (no coordinated omission),
// log-bucketed histograms, a table for people and one JSON line per result. It speaks
// the Aldis protocol or, for the side-by-side runs, NATS over WebSocket.
//
//   aldis-bench SCENARIO [options]       (aldis-bench --help lists them)

#include "options.h"
#include "scenarios.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <sched.h>

#include <cstdio>

int main(int argc, char** argv)
{
    using namespace aldis::bench;
    const Options options = parseOptions(argc, argv);

    // As many descriptors as the hard limit allows, for the idle and connect scenarios.
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    // Timers fire on time rather than up to 50 us late (the default slack): the pacer
    // sleeps between due times.
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    if (options.cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(options.cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0)
            std::perror("aldis-bench: cannot pin to --cpu");
    }
    return runScenario(options);
}

// SPDX-License-Identifier: Apache-2.0
#pragma once

// What a load test reads about another process (the daemon under test) from Linux's
// /proc: open file descriptors and resident memory. Nothing here throws; a figure that
// cannot be read is -1, so QtTest macros in the test decide.

#include <cstdint>

namespace aldis::test {

// The number of entries in /proc/<pid>/fd.
int openFileCount(std::int64_t pid);
// VmRSS (resident now) and VmHWM (the peak resident size since the process started)
// from /proc/<pid>/status, in bytes.
std::int64_t residentBytes(std::int64_t pid);
std::int64_t peakResidentBytes(std::int64_t pid);
// True when the process runs under ASan, TSan, MSan or LSan (their runtime is mapped):
// its memory figures are then the sanitizer's (shadow memory, quarantined blocks).
bool isSanitized(std::int64_t pid);
// CPU time (user and system) the process has used so far, in seconds (-1 on error).
double cpuSeconds(std::int64_t pid);
// Lowers (or raises, up to the hard limit) another process's RLIMIT_NOFILE with
// prlimit(2); the old soft limit in `previous` when given. False when refused.
bool setOpenFileLimit(std::int64_t pid, std::uint64_t softLimit, std::uint64_t* previous = nullptr);

} // namespace aldis::test

// SPDX-License-Identifier: Apache-2.0
#include "support/process_probe.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace aldis::test {

namespace {

// A "Name:   1234 kB" line of /proc/<pid>/status, in bytes.
std::int64_t statusKiB(std::int64_t pid, const std::string& name)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.compare(0, name.size() + 1, name + ":") != 0)
            continue;
        try {
            return std::stoll(line.substr(name.size() + 1)) * 1024;
        } catch (...) {
            return -1;
        }
    }
    return -1;
}

} // namespace

int openFileCount(std::int64_t pid)
{
    std::error_code ec;
    std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec);
    if (ec)
        return -1;
    int n = 0;
    for (const std::filesystem::directory_iterator end; it != end; it.increment(ec)) {
        if (ec)
            return -1;
        ++n;
    }
    return n;
}

std::int64_t residentBytes(std::int64_t pid)
{
    return statusKiB(pid, "VmRSS");
}

std::int64_t peakResidentBytes(std::int64_t pid)
{
    return statusKiB(pid, "VmHWM");
}

bool isSanitized(std::int64_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
    std::string line;
    while (std::getline(in, line))
        for (const char* runtime : {"libasan.", "libtsan.", "libmsan.", "liblsan."})
            if (line.find(runtime) != std::string::npos)
                return true;
    return false;
}

double cpuSeconds(std::int64_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    std::getline(in, stat);
    // The command name (field 2) may hold spaces: count fields after its ')'.
    const auto close = stat.rfind(')');
    if (close == std::string::npos)
        return -1;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14)
            utime = std::stoull(field);
        else if (i == 15)
            stime = std::stoull(field);
    }
    const long ticks = ::sysconf(_SC_CLK_TCK);
    return ticks > 0 ? static_cast<double>(utime + stime) / static_cast<double>(ticks) : -1;
}

bool setOpenFileLimit(std::int64_t pid, std::uint64_t softLimit, std::uint64_t* previous)
{
    rlimit old{};
    if (::prlimit(static_cast<pid_t>(pid), RLIMIT_NOFILE, nullptr, &old) != 0)
        return false;
    if (previous)
        *previous = old.rlim_cur;
    rlimit next = old;
    next.rlim_cur = softLimit;
    return ::prlimit(static_cast<pid_t>(pid), RLIMIT_NOFILE, &next, nullptr) == 0;
}

} // namespace aldis::test

// SPDX-License-Identifier: Apache-2.0
#include "store_scenario.h"

#include "histogram.h"

#include "config/config.h"
#include "store/store_factory.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <fcntl.h>
#include <unistd.h>

namespace aldis::bench {

int runStoreScenario(const Options& o)
{
    using namespace std::chrono;
    config::StoreConfig sc;
    sc.backend = o.backend;
    sc.url = o.storeUrl;
    if (o.commitWindowMs >= 0)
        sc.commitWindow = std::chrono::duration_cast<Millis>(std::chrono::duration<double, std::milli>(o.commitWindowMs));
    std::filesystem::path tempDir;
    if (o.backend == "sqlite") {
        if (o.storePath.empty()) {
            tempDir = std::filesystem::temp_directory_path() / ("aldis-bench-store-" + std::to_string(getpid()));
            std::filesystem::create_directories(tempDir);
            sc.path = tempDir / "aldis.db";
        } else {
            sc.path = o.storePath;
        }
    }
    auto store = store::makeStore(sc);
    if (auto opened = store->open(); !opened) {
        std::fprintf(stderr, "aldis-bench: cannot open the store: %s\n", opened.error().message.c_str());
        return 1;
    }

    std::mutex mutex;
    std::condition_variable cv;
    std::uint64_t inFlight = 0, done = 0, errors = 0;
    std::string firstError;
    Histogram latency;
    const std::string data = std::string("{\"price\":101.25,\"qty\":3,\"side\":\"buy\",\"p\":\"")
        + std::string(o.size > 60 ? o.size - 60 : 0, 'x') + "\"}";

    const auto start = steady_clock::now();
    for (unsigned i = 0; i < o.count; ++i) {
        {
            std::unique_lock lock(mutex);
            cv.wait(lock, [&] { return inFlight < o.window; });
            ++inFlight;
        }
        store::AppendRequest r;
        r.channel = "bench:" + std::to_string(i % o.channels);
        r.data = data;
        r.ts = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
        const auto sentAt = steady_clock::now();
        store->append(std::move(r), [&, sentAt](Result<store::AppendResult> result) {
            const auto ns = duration_cast<nanoseconds>(steady_clock::now() - sentAt).count();
            std::lock_guard lock(mutex);
            --inFlight;
            ++done;
            latency.record(static_cast<std::uint64_t>(ns));
            if (!result) {
                ++errors;
                if (firstError.empty())
                    firstError = result.error().message;
            }
            cv.notify_one();
        });
    }
    {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return done == o.count; });
    }
    const double seconds = duration<double>(steady_clock::now() - start).count();
    const auto stats = store->stats();
    store->close();
    if (!tempDir.empty())
        std::filesystem::remove_all(tempDir);

    const double perS = o.count / seconds;
    std::printf("store  %s (%s)  %u appends to %u channels, %u in flight\n", store->backendName().c_str(),
                o.backend == "sqlite" ? "synchronous=FULL" : "synchronous_commit=on", o.count, o.channels, o.window);
    std::printf("  appends/s    %.0f  (%.3f s, %llu transactions, %llu errors%s%s)\n", perS, seconds,
                static_cast<unsigned long long>(stats.commits), static_cast<unsigned long long>(errors),
                firstError.empty() ? "" : ": ", firstError.c_str());
    std::printf("  append ms    p50 %.3f  p99 %.3f  max %.3f\n", latency.percentile(50) / 1e6, latency.percentile(99) / 1e6,
                static_cast<double>(latency.max()) / 1e6);
    char line[512];
    std::snprintf(line, sizeof line,
                  "{\"scenario\":\"store\",\"backend\":\"%s\",\"label\":\"%s\",\"count\":%u,\"channels\":%u,\"window\":%u,\"commit_window_ms\":%.1f,"
                  "\"appends_per_s\":%.0f,\"seconds\":%.3f,\"transactions\":%llu,\"errors\":%llu,\"append\":",
                  o.backend.c_str(), o.label.c_str(), o.count, o.channels, o.window,
                  std::chrono::duration<double, std::milli>(sc.commitWindow).count(), perS, seconds,
                  static_cast<unsigned long long>(stats.commits), static_cast<unsigned long long>(errors));
    const std::string json = std::string(line) + latency.json() + "}";
    std::printf("%s\n", json.c_str());
    if (!o.json.empty())
        std::ofstream(o.json, std::ios::app) << json << "\n";
    return errors == 0 ? 0 : 1;
}

int runDiskScenario(const Options& o)
{
    using namespace std::chrono;
    const std::filesystem::path dir = o.storePath.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(o.storePath);
    const auto file = dir / ("aldis-bench-disk-" + std::to_string(getpid()));
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        std::perror(("aldis-bench: " + file.string()).c_str());
        return 1;
    }
    const std::string block(4096, 'x');
    Histogram latency;
    const auto start = steady_clock::now();
    const auto end = start + duration_cast<steady_clock::duration>(duration<double>(o.duration));
    std::uint64_t i = 0;
    bool failed = false;
    while (steady_clock::now() < end) {
        const auto offset = static_cast<off_t>((i++ % 256) * block.size());
        const auto t = steady_clock::now();
        if (::pwrite(fd, block.data(), block.size(), offset) != static_cast<ssize_t>(block.size()) || ::fdatasync(fd) != 0) {
            std::perror("aldis-bench: write or fdatasync");
            failed = true;
            break;
        }
        latency.record(static_cast<std::uint64_t>(duration_cast<nanoseconds>(steady_clock::now() - t).count()));
    }
    ::close(fd);
    std::filesystem::remove(file);
    const double seconds = duration<double>(steady_clock::now() - start).count();
    std::printf("disk  %s  4 KiB write + fdatasync, %.0f s\n", dir.c_str(), seconds);
    std::printf("  syncs/s      %.0f\n", static_cast<double>(latency.count()) / seconds);
    std::printf("  sync ms      p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n", latency.percentile(50) / 1e6,
                latency.percentile(99) / 1e6, latency.percentile(99.9) / 1e6, static_cast<double>(latency.max()) / 1e6);
    char line[256];
    std::snprintf(line, sizeof line, "{\"scenario\":\"disk\",\"label\":\"%s\",\"syncs_per_s\":%.0f,\"sync\":", o.label.c_str(),
                  static_cast<double>(latency.count()) / seconds);
    const std::string json = std::string(line) + latency.json(true) + "}";
    std::printf("%s\n", json.c_str());
    if (!o.json.empty())
        std::ofstream(o.json, std::ios::app) << json << "\n";
    return failed ? 1 : 0;
}

} // namespace aldis::bench

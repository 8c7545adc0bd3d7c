// SPDX-License-Identifier: Apache-2.0
// An LD_PRELOAD library that makes writes and syncs of some files fail, for the
// store fault tests (tests/integration/tst_store_faults.cpp). We cannot mount a full
// or failing file system in the test container, so the daemon under test is started
// with this library preloaded and the test flips a control file.
//
// Environment (read once, at the first intercepted call):
//   FAULT_INJECT_PREFIX   only files whose path (as /proc/self/fd shows it) starts
//                         with this prefix are affected; the prefix is canonicalised
//                         with realpath() first. Unset: the library does nothing.
//   FAULT_INJECT_CONTROL  the control file. Its first word is the mode:
//                           "enospc"  write, pwrite, pwrite64, writev, pwritev,
//                                     pwritev2 fail with ENOSPC (a full disk);
//                           "eio"     fsync and fdatasync fail with EIO (a failing
//                                     disk or a lost write back);
//                           "enospc-db", "eio-db"  the same for the database file
//                                     only, not its -wal, -shm or -journal file
//                                     (so SQLite's commits work and its
//                                     checkpoints fail);
//                         anything else, or no file: nothing fails.
//                         The file is read again at most every 5 ms, so a test that
//                         flips it waits for the behaviour (it never times it).
//   Every injected failure increments a counter, written in decimal to
//   "<FAULT_INJECT_CONTROL>.count", so a test can prove that faults really fired.
//
// Which calls: SQLite 3.40 (Debian 12) writes its database, WAL and shm files with
// pwrite64 and syncs them with fdatasync (`nm -D libsqlite3.so.0`: pwrite64, write,
// fdatasync, no fsync); the other calls are covered in case another build uses them.
// Sockets and stderr are never affected (their /proc/self/fd names do not start with
// the prefix, and nothing is looked up while the mode is off).
//
// Threads: every function may be called from any thread. The mode and the counter are
// atomics; the real functions are resolved once with dlsym(RTLD_NEXT).
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum { modeOff = 0, modeEnospc = 1, modeEio = 2 };
// Added to a mode: the database file only.
enum { modeDbOnly = 4 };

typedef ssize_t (*WriteFn)(int, const void*, size_t);
typedef ssize_t (*PwriteFn)(int, const void*, size_t, off_t);
typedef ssize_t (*Pwrite64Fn)(int, const void*, size_t, off64_t);
typedef ssize_t (*WritevFn)(int, const struct iovec*, int);
typedef ssize_t (*PwritevFn)(int, const struct iovec*, int, off_t);
typedef ssize_t (*Pwritev2Fn)(int, const struct iovec*, int, off_t, int);
typedef int (*SyncFn)(int);

static WriteFn realWrite;
static PwriteFn realPwrite;
static Pwrite64Fn realPwrite64;
static WritevFn realWritev;
static PwritevFn realPwritev;
static Pwritev2Fn realPwritev2;
static SyncFn realFsync;
static SyncFn realFdatasync;

static char prefix[PATH_MAX];
static size_t prefixLength;
static char control[PATH_MAX];
static char countPath[PATH_MAX + 8];

static atomic_int initState;            // 0 not yet, 1 in progress, 2 done
static atomic_int mode;                 // modeOff, modeEnospc, modeEio, maybe | modeDbOnly
static atomic_llong modeReadAtNs = -1;  // CLOCK_MONOTONIC of the last read of the control file
static atomic_ullong injected;

// dlsym() answers an object pointer; memcpy is the conversion ISO C allows.
static void resolve(void* target, const char* name)
{
    void* symbol = dlsym(RTLD_NEXT, name);
    memcpy(target, &symbol, sizeof symbol);
}

static void init(void)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&initState, &expected, 1)) {
        while (atomic_load(&initState) != 2) {
        }
        return;
    }
    resolve(&realWrite, "write");
    resolve(&realPwrite, "pwrite");
    resolve(&realPwrite64, "pwrite64");
    resolve(&realWritev, "writev");
    resolve(&realPwritev, "pwritev");
    resolve(&realPwritev2, "pwritev2");
    resolve(&realFsync, "fsync");
    resolve(&realFdatasync, "fdatasync");

    const char* p = getenv("FAULT_INJECT_PREFIX");
    const char* c = getenv("FAULT_INJECT_CONTROL");
    if (p && *p && c && *c && strlen(c) < sizeof control) {
        if (!realpath(p, prefix))
            snprintf(prefix, sizeof prefix, "%s", p);
        prefixLength = strlen(prefix);
        snprintf(control, sizeof control, "%s", c);
        snprintf(countPath, sizeof countPath, "%s.count", c);
    }
    atomic_store(&initState, 2);
}

static long long nowNs(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int currentMode(void)
{
    if (atomic_load(&initState) != 2)
        init();
    if (prefixLength == 0)
        return modeOff;
    const long long now = nowNs();
    const long long readAt = atomic_load(&modeReadAtNs);
    if (readAt >= 0 && now - readAt < 5000000LL)
        return atomic_load(&mode);
    atomic_store(&modeReadAtNs, now);
    int next = modeOff;
    const int fd = open(control, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char text[16] = {0};
        const ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        if (n > 0 && strncmp(text, "enospc", 6) == 0)
            next = modeEnospc;
        else if (n > 0 && strncmp(text, "eio", 3) == 0)
            next = modeEio;
        if (next != modeOff && strstr(text, "-db"))
            next |= modeDbOnly;
    }
    atomic_store(&mode, next);
    return next;
}

static int endsWith(const char* text, size_t length, const char* suffix)
{
    const size_t n = strlen(suffix);
    return length >= n && memcmp(text + length - n, suffix, n) == 0;
}

// True when `fd` names a file under the prefix (a database file, with dbOnly).
static int affected(int fd, int dbOnly)
{
    char link[64];
    char path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    const ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return 0;
    path[n] = '\0';
    if ((size_t)n < prefixLength || strncmp(path, prefix, prefixLength) != 0)
        return 0;
    if (dbOnly && (endsWith(path, (size_t)n, "-wal") || endsWith(path, (size_t)n, "-shm")
                   || endsWith(path, (size_t)n, "-journal")))
        return 0;
    return 1;
}

static void countInjected(void)
{
    const unsigned long long count = atomic_fetch_add(&injected, 1) + 1;
    char text[32];
    const int length = snprintf(text, sizeof text, "%llu\n", count);
    const int fd = open(countPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    // Counts only grow and have no fewer digits than earlier ones, so overwriting in
    // place is enough even when two threads race (the larger one may lose; the next
    // injection writes it again).
    if (realPwrite(fd, text, (size_t)length, 0) < 0) {
        // Nothing to do: the count is a test aid.
    }
    close(fd);
}

// Fails the call when `wanted` is the mode and `fd` is one of the files; errno is set.
static int inject(int wanted, int fd, int error)
{
    const int current = currentMode();
    if ((current & ~modeDbOnly) != wanted || !affected(fd, current & modeDbOnly))
        return 0;
    countInjected();
    errno = error;
    return 1;
}

ssize_t write(int fd, const void* buffer, size_t count)
{
    if (inject(modeEnospc, fd, ENOSPC))
        return -1;
    return realWrite(fd, buffer, count);
}

ssize_t pwrite(int fd, const void* buffer, size_t count, off_t offset)
{
    if (inject(modeEnospc, fd, ENOSPC))
        return -1;
    return realPwrite(fd, buffer, count, offset);
}

ssize_t pwrite64(int fd, const void* buffer, size_t count, off64_t offset)
{
    if (inject(modeEnospc, fd, ENOSPC))
        return -1;
    return realPwrite64(fd, buffer, count, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int count)
{
    if (inject(modeEnospc, fd, ENOSPC))
        return -1;
    return realWritev(fd, iov, count);
}

ssize_t pwritev(int fd, const struct iovec* iov, int count, off_t offset)
{
    if (inject(modeEnospc, fd, ENOSPC))
        return -1;
    return realPwritev(fd, iov, count, offset);
}

ssize_t pwritev2(int fd, const struct iovec* iov, int count, off_t offset, int flags)
{
    if (inject(modeEnospc, fd, ENOSPC))
        return -1;
    return realPwritev2(fd, iov, count, offset, flags);
}

int fsync(int fd)
{
    if (inject(modeEio, fd, EIO))
        return -1;
    return realFsync(fd);
}

int fdatasync(int fd)
{
    if (inject(modeEio, fd, EIO))
        return -1;
    return realFdatasync(fd);
}

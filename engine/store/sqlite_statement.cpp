// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite_statement.h"

#include <algorithm>
#include <cstring>

namespace aldis::store::detail {

namespace {

// The system call behind an SQLITE_IOERR, for the few an operator can act on.
const char* failedCall(int rc)
{
    switch (rc) {
    case SQLITE_IOERR_WRITE: return "write";
    case SQLITE_IOERR_FSYNC: return "fsync";
    case SQLITE_IOERR_DIR_FSYNC: return "fsync of the folder";
    case SQLITE_IOERR_TRUNCATE: return "truncate";
    case SQLITE_IOERR_READ: return "read";
    case SQLITE_IOERR_SHORT_READ: return "read (short)";
    case SQLITE_IOERR_SHMSIZE: return "growing the -shm file";
    case SQLITE_IOERR_SHMMAP: return "mapping the -shm file";
    default: return nullptr;
    }
}

} // namespace

std::string describe(sqlite3* db, int rc)
{
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const std::string_view generic = sqlite3_errstr(rc & 0xff);
    if (message != generic)
        message.append(" (").append(generic).append(")");
    // "disk I/O error" alone does not say what failed: add the call and the system's
    // error ("fsync: Input/output error").
    if ((rc & 0xff) == SQLITE_IOERR) {
        const int systemError = db ? sqlite3_system_errno(db) : 0;
        const char* call = failedCall(rc);
        if (call || systemError != 0) {
            message.append(" (").append(call ? call : "system call");
            if (systemError != 0)
                message.append(": ").append(std::strerror(systemError));
            message.append(")");
        }
    }
    return message;
}

Error openFailure(const std::filesystem::path& path, sqlite3* db, int rc)
{
    return makeError(ErrorCode::unavailable,
                     "cannot open the event store at '" + path.string() + "': "
                         + describe(db, rc)
                         + ". Check that the path is an Aldis database and is writable.");
}

int Connection::open(const std::filesystem::path& path, int flags, Millis busyTimeout)
{
    close();
    const int rc = sqlite3_open_v2(path.c_str(), &m_db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, static_cast<int>(std::clamp<Millis::rep>(busyTimeout.count(), 0,
                                                                          std::numeric_limits<int>::max())));
    return rc;
}

void Connection::close()
{
    sqlite3_close_v2(m_db);
    m_db = nullptr;
}

} // namespace aldis::store::detail

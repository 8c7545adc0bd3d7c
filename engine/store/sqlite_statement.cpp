// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite_statement.h"

#include <algorithm>

namespace aldis::store::detail {

std::string describe(sqlite3* db, int rc)
{
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const std::string_view generic = sqlite3_errstr(rc & 0xff);
    if (message != generic)
        message.append(" (").append(generic).append(")");
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

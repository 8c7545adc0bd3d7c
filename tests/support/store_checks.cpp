// SPDX-License-Identifier: Apache-2.0
#include "support/store_checks.h"

#include <sqlite3.h>

namespace aldis::test {

std::vector<StoredPublication> readStoredPublications(const QString& dbPath, const std::string& channel)
{
    std::vector<StoredPublication> rows;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(dbPath.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return rows;
    }
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT offset, key FROM publications WHERE channel = ?1 ORDER BY offset", -1, &stmt,
                       nullptr);
    sqlite3_bind_text(stmt, 1, channel.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const auto* key = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
        rows.push_back({static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 0)), key ? key : ""});
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
}

QString integrityCheck(const QString& dbPath)
{
    sqlite3* db = nullptr;
    QString result;
    if (sqlite3_open_v2(dbPath.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        result = QStringLiteral("cannot open: ") + QString::fromUtf8(sqlite3_errmsg(db));
        sqlite3_close(db);
        return result;
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) != SQLITE_OK)
        result = QString::fromUtf8(sqlite3_errmsg(db));
    else if (sqlite3_step(stmt) == SQLITE_ROW)
        result = QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    else
        result = QString::fromUtf8(sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return result;
}

} // namespace aldis::test

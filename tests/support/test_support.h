// SPDX-License-Identifier: Apache-2.0
#pragma once

// Helpers shared by the test suites: the rule that a missing service fails the run
// under ALDIS_REQUIRE_SERVICES=1, and the daemon as a subprocess.

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <cstdint>
#include <memory>

namespace aldis::test {

// True when ALDIS_REQUIRE_SERVICES=1: a missing service must fail, not skip.
bool servicesRequired();

// The `aldis` binary under test (ALDIS_BINARY, set by ctest).
QString aldisBinary();

// `aldis --daemon` as a subprocess with its own data folder and a config file written
// from `extraToml` (appended to a base that listens on 127.0.0.1 port 0, serves the
// admin API on 127.0.0.1 port 0 with kAdminToken, logs text at info, and uses a fixed
// HS256 key). start() waits for "aldis: listening on" and
// reads the port from it.
class DaemonProcess {
public:
    static constexpr const char* kSecret = "test-secret-test-secret-test-secret-0123456789";
    static constexpr const char* kApiKey = "test-api-key-0123456789";
    static constexpr const char* kAdminToken = "test-admin-token-0123456789";

    explicit DaemonProcess(QString extraToml = {});
    ~DaemonProcess();

    // Returns false (with the process output in lastOutput()) when it did not start.
    bool start(int timeoutMs = 10000);
    std::uint16_t port() const { return m_port; }
    std::uint16_t adminPort() const { return m_adminPort; }
    QString dataDir() const { return m_dir.path(); }
    QString configPath() const { return m_dir.filePath("aldis.toml"); }
    QProcess& process() { return m_process; }

    // Rewrites the config file (for SIGHUP tests).
    void writeConfig(const QString& extraToml);
    // Keys of the [auth] table (e.g. "revoked_subjects = [\"mallory\"]\n") for the
    // next writeConfig() or start(); the base config defines [auth] itself.
    void setAuthToml(const QString& keys) { m_authToml = keys; }
    // An environment variable of the daemon from the next start() on (e.g. LD_PRELOAD
    // of a fault injection library); it wins over the test's own environment.
    void setEnvironment(const QString& name, const QString& value);
    // The node's id and region (default "test-node" in "test"), for cluster tests;
    // rewrites the config with the last extraToml.
    void setIdentity(const QString& id, const QString& region);
    void signal(int signo);
    void kill9();
    // Waits for exit; returns the exit code, or -1 on timeout or crash.
    int waitForExit(int timeoutMs = 15000);
    QByteArray output();  // everything read so far (stdout and stderr merged)
    // Waits until the output after its first `from` bytes contains `text`; on a
    // timeout warns with that output and returns false.
    bool waitForOutput(const QByteArray& text, qsizetype from, int timeoutMs = 10000);

    // A token signed with kSecret.
    static QString token(const QString& sub, std::int64_t ttlSeconds = 3600,
                         const QString& permissionsJson = {});

private:
    QTemporaryDir m_dir;
    QString m_nodeId = QStringLiteral("test-node");
    QString m_region = QStringLiteral("test");
    QString m_extraToml;
    QString m_authToml;
    QList<QPair<QString, QString>> m_environment;
    QProcess m_process;
    QByteArray m_output;
    std::uint16_t m_port = 0;
    std::uint16_t m_adminPort = 0;
};

} // namespace aldis::test

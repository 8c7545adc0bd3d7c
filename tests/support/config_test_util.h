// SPDX-License-Identifier: Apache-2.0
#pragma once

// Helpers for the configuration unit tests (tst_config, tst_config_env): load
// options, error lookup and printing, and scoped environment variables.

#include "config/config.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <vector>

namespace aldis::test {

// Options that ignore ALDIS_* variables and never create a development secret.
config::LoadOptions isolated();
// Options that apply ALDIS_* variables but never create a development secret.
config::LoadOptions withEnvironment();

// The errors, one a line, for a failure message.
QString dump(const std::vector<config::ConfigError>& errors);

// The first error for `key`, or nullptr.
const config::ConfigError* findError(const config::LoadResult& result, const QString& key);

// Sets NAME=value pairs for the lifetime of the guard, so a failing check cannot
// leak a variable into the next test.
class EnvGuard {
public:
    explicit EnvGuard(const QStringList& assignments);
    ~EnvGuard();
    EnvGuard(const EnvGuard&) = delete;
    EnvGuard& operator=(const EnvGuard&) = delete;

private:
    QList<QByteArray> m_names;
};

// A PEM public key the loader accepts (it checks only the PEM armour).
extern const QByteArray kPublicKeyPem;

} // namespace aldis::test

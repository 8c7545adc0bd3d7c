// SPDX-License-Identifier: Apache-2.0
#include "support/config_test_util.h"

#include <QLatin1Char>
#include <QtGlobal>

namespace aldis::test {

using namespace aldis::config;

LoadOptions isolated()
{
    LoadOptions options;
    options.useEnvironment = false;
    options.createDevSecret = false;
    return options;
}

LoadOptions withEnvironment()
{
    LoadOptions options;
    options.useEnvironment = true;
    options.createDevSecret = false;
    return options;
}

QString dump(const std::vector<ConfigError>& errors)
{
    QStringList lines;
    for (const auto& e : errors)
        lines << QStringLiteral("[%1 @ %2] %3")
                     .arg(QString::fromStdString(e.key))
                     .arg(e.line)
                     .arg(QString::fromStdString(e.message));
    return lines.isEmpty() ? QStringLiteral("(no errors)") : lines.join(QLatin1Char('\n'));
}

const ConfigError* findError(const LoadResult& result, const QString& key)
{
    for (const auto& e : result.errors)
        if (QString::fromStdString(e.key) == key)
            return &e;
    return nullptr;
}

EnvGuard::EnvGuard(const QStringList& assignments)
{
    for (const auto& assignment : assignments) {
        auto eq = assignment.indexOf(QLatin1Char('='));
        QByteArray name = assignment.left(eq).toUtf8();
        qputenv(name.constData(), assignment.mid(eq + 1).toUtf8());
        m_names << name;
    }
}

EnvGuard::~EnvGuard()
{
    for (const auto& name : m_names)
        qunsetenv(name.constData());
}

const QByteArray kPublicKeyPem = "-----BEGIN PUBLIC KEY-----\n"
                                 "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEexampleexampleexampleexample\n"
                                 "-----END PUBLIC KEY-----\n";

} // namespace aldis::test

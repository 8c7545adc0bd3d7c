// SPDX-License-Identifier: Apache-2.0
#include "support/test_support.h"

#include "common/time.h"
#include "security/jwt.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QRegularExpression>
#include <QThread>
#include <QtGlobal>

#include <boost/json.hpp>

#include <csignal>

namespace aldis::test {

bool servicesRequired()
{
    return qEnvironmentVariable("ALDIS_REQUIRE_SERVICES") == QLatin1String("1");
}

QString aldisBinary()
{
    return qEnvironmentVariable("ALDIS_BINARY");
}

DaemonProcess::DaemonProcess(QString extraToml)
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    writeConfig(extraToml);
}

DaemonProcess::~DaemonProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

void DaemonProcess::setIdentity(const QString& id, const QString& region)
{
    m_nodeId = id;
    m_region = region;
    writeConfig(m_extraToml);
}

void DaemonProcess::setEnvironment(const QString& name, const QString& value)
{
    for (auto& entry : m_environment) {
        if (entry.first == name) {
            entry.second = value;
            return;
        }
    }
    m_environment.append({name, value});
}

void DaemonProcess::writeConfig(const QString& extraToml)
{
    m_extraToml = extraToml;
    QFile file(configPath());
    file.open(QIODevice::WriteOnly | QIODevice::Truncate);
    QString base = QStringLiteral(
        "[node]\nid = \"%7\"\nregion = \"%8\"\ndata_dir = \"%1\"\nlog_level = \"info\"\nlog_format = \"text\"\n"
        "drain_timeout = \"5s\"\n"
        "[client]\naddress = \"127.0.0.1\"\nport = %2\n"
        "[admin]\naddress = \"127.0.0.1\"\nport = %5\ntoken = \"%6\"\n"
        "[auth]\napi_keys = [\"%3\"]\n%9[[auth.keys]]\nid = \"test\"\nalgorithms = [\"HS256\"]\nsecret = \"%4\"\n")
                       .arg(m_dir.path())
                       .arg(m_port)
                       .arg(QString::fromLatin1(kApiKey), QString::fromLatin1(kSecret))
                       .arg(m_adminPort)
                       .arg(QString::fromLatin1(kAdminToken))
                       .arg(m_nodeId, m_region, m_authToml);
    file.write((base + extraToml).toUtf8());
}

bool DaemonProcess::start(int timeoutMs)
{
    m_output.clear();
    QStringList args{QStringLiteral("--daemon"), QStringLiteral("--config"), configPath()};
    auto env = QProcessEnvironment::systemEnvironment();
    // The test's own config must win over anything in the environment.
    for (const auto& key : env.keys())
        if (key.startsWith(QLatin1String("ALDIS_")) && key != QLatin1String("ALDIS_REQUIRE_SERVICES"))
            env.remove(key);
    for (const auto& [name, value] : m_environment)
        env.insert(name, value);
    m_process.setProcessEnvironment(env);
    m_process.start(aldisBinary(), args);
    if (!m_process.waitForStarted(timeoutMs))
        return false;
    static const QRegularExpression re(QStringLiteral("aldis: listening on [^:\\s]+:(\\d+)"));
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        m_process.waitForReadyRead(100);
        m_output += m_process.readAll();
        auto match = re.match(QString::fromUtf8(m_output));
        if (match.hasMatch()) {
            m_port = static_cast<std::uint16_t>(match.captured(1).toUInt());
            static const QRegularExpression adminRe(QStringLiteral("aldis: admin on [^:\\s]+:(\\d+)"));
            if (auto admin = adminRe.match(QString::fromUtf8(m_output)); admin.hasMatch())
                m_adminPort = static_cast<std::uint16_t>(admin.captured(1).toUInt());
            return true;
        }
        if (m_process.state() == QProcess::NotRunning)
            return false;
    }
    return false;
}

void DaemonProcess::signal(int signo)
{
    ::kill(static_cast<pid_t>(m_process.processId()), signo);
}

void DaemonProcess::kill9()
{
    signal(SIGKILL);
    m_process.waitForFinished(5000);
}

int DaemonProcess::waitForExit(int timeoutMs)
{
    // waitForFinished() is false for a process whose exit the event loop already saw.
    if (m_process.state() != QProcess::NotRunning && !m_process.waitForFinished(timeoutMs))
        return -1;
    m_output += m_process.readAll();
    if (m_process.exitStatus() != QProcess::NormalExit)
        return -1;
    return m_process.exitCode();
}

QByteArray DaemonProcess::output()
{
    m_output += m_process.readAll();
    return m_output;
}

bool DaemonProcess::waitForOutput(const QByteArray& text, qsizetype from, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (output().indexOf(text, from) >= 0)
            return true;
        m_process.waitForReadyRead(100);
    }
    qWarning("the daemon did not log \"%s\"; its output:\n%s", text.constData(), output().mid(from).constData());
    return false;
}

QString DaemonProcess::token(const QString& sub, std::int64_t ttlSeconds, const QString& permissionsJson)
{
    security::MintOptions options;
    options.sub = sub.toStdString();
    options.ttlSeconds = ttlSeconds;
    options.kid = "test";
    if (!permissionsJson.isEmpty()) {
        auto v = boost::json::parse(permissionsJson.toStdString()).as_object();
        security::Permissions p;
        if (auto* s = v.if_contains("subscribe"))
            for (auto& x : s->as_array())
                p.subscribe.emplace_back(x.as_string());
        if (auto* s = v.if_contains("publish"))
            for (auto& x : s->as_array())
                p.publish.emplace_back(x.as_string());
        options.permissions = p;
    }
    auto token = security::mintHs256(kSecret, options, unixSecondsNow());
    return token ? QString::fromStdString(token.value()) : QString();
}

} // namespace aldis::test

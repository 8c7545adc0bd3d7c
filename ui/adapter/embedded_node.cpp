// SPDX-License-Identifier: Apache-2.0
#include "ui/adapter/embedded_node.h"

#include "config/config.h"
#include "node/node.h"
#include "observability/logging.h"
#include "store/store_factory.h"

#include <QCoreApplication>

#include <spdlog/spdlog.h>

namespace aldis::ui {

namespace {

QString errorText(const config::LoadResult& loaded, const QString& configFile)
{
    QStringList lines;
    for (const auto& e : loaded.errors)
        lines << QString::fromStdString(config::toString(e, configFile.toStdString()));
    return lines.join(QLatin1Char('\n'));
}

} // namespace

EmbeddedNode::~EmbeddedNode()
{
    if (m_node)
        m_node->drain(std::chrono::seconds(2));
}

std::unique_ptr<EmbeddedNode> EmbeddedNode::start(const QString& configFile, QString* error)
{
    config::LoadOptions options;
    auto loaded = configFile.isEmpty() ? config::loadFromString("", options)
                                       : config::load(configFile.toStdString(), options);
    if (!loaded.ok()) {
        *error = errorText(loaded, configFile);
        return nullptr;
    }
    observability::setupLogging(loaded.config.node.logLevel, loaded.config.node.logFormat);

    auto config = std::make_shared<config::Config>(std::move(loaded.config));
    auto node = std::make_unique<node::Node>(config);
    auto started = node->start();
    if (!started && configFile.isEmpty()) {
        // Someone else (often a daemon) holds the default ports. The control room is
        // still useful on free ones; a configured port is never changed behind the
        // user's back.
        spdlog::warn("embedded node: {}; retrying on free ports", started.error().message);
        auto fallback = std::make_shared<config::Config>(*config);
        fallback->client.port = 0;
        fallback->admin.port = 0;
        node = std::make_unique<node::Node>(fallback);
        started = node->start();
        config = fallback;
    }
    if (!started) {
        *error = QString::fromStdString(started.error().message);
        return nullptr;
    }
    if (node->adminPort() == 0) {
        *error = QCoreApplication::translate(
                     "aldis::ui::EmbeddedNode",
                     "the control room watches nodes through the admin API, and admin.enabled is false in %1")
                     .arg(configFile);
        return nullptr;
    }

    std::unique_ptr<EmbeddedNode> embedded(new EmbeddedNode());
    auto& info = embedded->m_info;
    info.nodeId = QString::fromStdString(config->node.id);
    QString adminHost = QString::fromStdString(config->admin.address);
    if (adminHost == QLatin1String("0.0.0.0") || adminHost == QLatin1String("::"))
        adminHost = QStringLiteral("127.0.0.1");
    info.adminUrl.setScheme(QStringLiteral("http"));
    info.adminUrl.setHost(adminHost);
    info.adminUrl.setPort(node->adminPort());
    info.adminToken = QString::fromStdString(config->admin.token);
    info.clientUrl = QStringLiteral("ws://localhost:%1/v1/ws").arg(node->port());
    info.storePath = QString::fromStdString(store::describeLocation(config->store));
    embedded->m_node = std::move(node);
    return embedded;
}

} // namespace aldis::ui

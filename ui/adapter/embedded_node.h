// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>
#include <QUrl>

#include <memory>

namespace aldis::node { class Node; }

namespace aldis::ui {

// The node the control room runs in its own process when started without --connect.
// The GUI watches it through its admin API like any other node; this class only
// starts and stops it. The node runs on its own io threads; nothing here blocks the
// GUI thread except start() and the destructor (which drains).
class EmbeddedNode {
public:
    struct Info {
        QString nodeId;
        QUrl adminUrl;      // http://127.0.0.1:8801 (another port when 8801 is taken)
        QString adminToken;
        QString clientUrl;  // ws://localhost:8800/v1/ws
        QString storePath;
    };

    // Loads the configuration (`configFile` empty: defaults + ALDIS_* variables),
    // starts the node and returns it, or nullptr with `error` set.
    static std::unique_ptr<EmbeddedNode> start(const QString& configFile, QString* error);
    ~EmbeddedNode();

    const Info& info() const { return m_info; }

private:
    EmbeddedNode() = default;
    std::unique_ptr<node::Node> m_node;
    Info m_info;
};

} // namespace aldis::ui

// SPDX-License-Identifier: Apache-2.0
// Passes every metadata check, then refuses in initialize() with a message.
#include <aldis/panel_plugin.h>

#include <QObject>

#include <cstdlib>

class RefusesPlugin : public QObject, public aldis::plugin::PanelPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID ALDIS_PANEL_PLUGIN_IID FILE "refuses.json")
    Q_INTERFACES(aldis::plugin::PanelPlugin)

public:
    bool initialize(aldis::plugin::PanelContext*, QString* errorMessage) override {
        *errorMessage = QStringLiteral("the fixture refuses on purpose, as the test expects");
        return false;
    }
    QDockWidget* createPanel(QWidget*) override { std::abort(); }
};

#include "refuses_plugin.moc"

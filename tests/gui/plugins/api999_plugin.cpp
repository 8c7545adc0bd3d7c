// SPDX-License-Identifier: Apache-2.0
// Metadata says apiVersion 999. PluginManager must refuse it from the metadata alone:
// initialize() aborts so that a test run shows at once if it was ever called.
#include <aldis/panel_plugin.h>

#include <QObject>

#include <cstdlib>

class Api999Plugin : public QObject, public aldis::plugin::PanelPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID ALDIS_PANEL_PLUGIN_IID FILE "api999.json")
    Q_INTERFACES(aldis::plugin::PanelPlugin)

public:
    bool initialize(aldis::plugin::PanelContext*, QString*) override { std::abort(); }
    QDockWidget* createPanel(QWidget*) override { std::abort(); }
};

#include "api999_plugin.moc"

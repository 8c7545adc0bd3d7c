// SPDX-License-Identifier: Apache-2.0
// Metadata says no "name". PluginManager must refuse it from the metadata alone:
// initialize() aborts so that a test run shows at once if it was ever called.
#include <aldis/panel_plugin.h>

#include <QObject>

#include <cstdlib>

class NoNamePlugin : public QObject, public aldis::plugin::PanelPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID ALDIS_PANEL_PLUGIN_IID FILE "noname.json")
    Q_INTERFACES(aldis::plugin::PanelPlugin)

public:
    bool initialize(aldis::plugin::PanelContext*, QString*) override { std::abort(); }
    QDockWidget* createPanel(QWidget*) override { std::abort(); }
};

#include "noname_plugin.moc"

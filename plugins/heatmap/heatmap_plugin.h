// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <aldis/panel_plugin.h>

#include <QObject>
#include <QPointer>

namespace aldis::heatmap {

class HeatmapPanel;

// The plugin object the control room loads: hands out the heat map dock and stops it
// on shutdown. GUI thread; owned by the control room's PluginManager (through
// QPluginLoader).
class HeatmapPlugin : public QObject, public aldis::plugin::PanelPlugin {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID ALDIS_PANEL_PLUGIN_IID FILE "heatmap.json")
    Q_INTERFACES(aldis::plugin::PanelPlugin)

public:
    bool initialize(aldis::plugin::PanelContext* context, QString* errorMessage) override;
    QDockWidget* createPanel(QWidget* parent) override;
    void aboutToShutdown() override;

private:
    aldis::plugin::PanelContext* m_context = nullptr;
    QPointer<HeatmapPanel> m_panel;   // owned by its dock, which the window owns
};

} // namespace aldis::heatmap

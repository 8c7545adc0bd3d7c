// SPDX-License-Identifier: Apache-2.0
#include "heatmap_plugin.h"

#include "heatmap_panel.h"

#include <QDockWidget>

namespace aldis::heatmap {

bool HeatmapPlugin::initialize(aldis::plugin::PanelContext* context, QString* errorMessage) {
    if (context == nullptr) {
        if (errorMessage != nullptr)
            *errorMessage = tr("the control room gave the heat map no context; this is a bug in the "
                               "control room, please report it");
        return false;
    }
    m_context = context;
    return true;
}

QDockWidget* HeatmapPlugin::createPanel(QWidget* parent) {
    auto* dock = new QDockWidget(tr("Channel heat map"), parent);
    m_panel = new HeatmapPanel(m_context, dock);
    dock->setWidget(m_panel);
    return dock;
}

void HeatmapPlugin::aboutToShutdown() {
    if (m_panel)
        m_panel->detach();
    m_context = nullptr;
}

} // namespace aldis::heatmap

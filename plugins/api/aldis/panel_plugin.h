// SPDX-License-Identifier: Apache-2.0
#pragma once

// The control room's plugin API: the only header a plugin includes (with Qt's own).
//
// A plugin is a shared library with one class that derives from QObject and
// aldis::plugin::PanelPlugin and declares
//
//     Q_PLUGIN_METADATA(IID ALDIS_PANEL_PLUGIN_IID FILE "my_plugin.json")
//     Q_INTERFACES(aldis::plugin::PanelPlugin)
//
// Its metadata file holds at least
//
//     {"name": "Channel heat map", "version": "1.0.0", "compatVersion": "1.0.0",
//      "apiVersion": 1, "vendor": "...", "description": "..."}
//
// The control room loads plugins with QPluginLoader from the installed plugin folder
// (<prefix>/lib/aldis/plugins) and the user folder
// ($XDG_DATA_HOME/aldis/plugins); a plugin whose IID, apiVersion or metadata does
// not fit is listed with the reason and not loaded. See docs/plugins.md.
//
// Lifecycle, all on the GUI thread:
//   initialize(context) once, after loading; return false with a message to refuse.
//   createPanel(parent) once, when the main window is built; the window owns the
//     returned dock widget (it is placed, shown and saved with the layout).
//   aboutToShutdown() once, before the window and the context go away; stop timers
//     and drop references to the context here.

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QtPlugin>

#include <functional>

class QDockWidget;
class QWidget;

namespace aldis::plugin {

// Bumped when this header changes incompatibly; a plugin's metadata must name it.
inline constexpr int kApiVersion = 1;

// What the control room offers a plugin: the nodes it watches, their latest stats
// snapshot, their events and the operator actions. Owned by the control room; valid
// between initialize() and aboutToShutdown(). Use from the GUI thread only.
//
// Snapshots, events and action results are the JSON objects of docs/admin-api.md
// (the `stats` message, the `event` object, the action answer).
class PanelContext {
public:
    virtual ~PanelContext() = default;

    // Ids of the watched nodes ("n1"), in the order the control room shows them.
    virtual QStringList nodeIds() const = 0;
    // The latest `stats` message of a node, or an empty object when none arrived yet.
    virtual QJsonObject latestStats(const QString& nodeId) const = 0;
    // True when the node sent no stats for a few seconds (shown as stale).
    virtual bool isStale(const QString& nodeId) const = 0;

    // Calls `callback` on the GUI thread with every stats message of every node, at
    // most once per node per second, until `receiver` is destroyed.
    virtual void onStats(QObject* receiver,
                         std::function<void(const QString& nodeId, const QJsonObject& stats)> callback) = 0;
    // Calls `callback` with every event of every node until `receiver` is destroyed.
    virtual void onEvent(QObject* receiver,
                         std::function<void(const QString& nodeId, const QJsonObject& event)> callback) = 0;

    // GET on the node's admin API (path such as "/v1/admin/channels?limit=20");
    // `done` gets the JSON answer (or {"error":{...}}) on the GUI thread.
    virtual void get(const QString& nodeId, const QString& path,
                     std::function<void(const QJsonObject& answer)> done) = 0;
    // Runs an operator action (docs/admin-api.md, actions) without a confirmation of
    // its own: a plugin that offers actions must ask the operator first.
    virtual void runAction(const QString& nodeId, const QString& action, const QJsonObject& body,
                           std::function<void(const QJsonObject& answer)> done) = 0;
};

class PanelPlugin {
public:
    virtual ~PanelPlugin() = default;

    virtual bool initialize(PanelContext* context, QString* errorMessage) = 0;
    virtual QDockWidget* createPanel(QWidget* parent) = 0;
    virtual void aboutToShutdown() {}
};

} // namespace aldis::plugin

#define ALDIS_PANEL_PLUGIN_IID "org.aldis.PanelPlugin/1"
Q_DECLARE_INTERFACE(aldis::plugin::PanelPlugin, ALDIS_PANEL_PLUGIN_IID)

// SPDX-License-Identifier: Apache-2.0
#include "ui/plugins/plugin_manager.h"

#include <aldis/panel_plugin.h>

#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QJsonValue>
#include <QLibrary>
#include <QPluginLoader>
#include <QStandardPaths>
#include <QVersionNumber>

namespace aldis::ui {

namespace {

const QString kIidPrefix = QStringLiteral("org.aldis.PanelPlugin/");

// A version such as "1.0.0": digits and dots only, nothing after them.
QVersionNumber parseVersion(const QString& text) {
    qsizetype suffix = 0;
    QVersionNumber version = QVersionNumber::fromString(text, &suffix);
    if (version.isNull() || suffix != text.size())
        return {};
    return version;
}

} // namespace

PluginManager::PluginManager(QStringList searchDirs, QObject* parent)
    : QObject(parent), m_searchDirs(std::move(searchDirs)) {}

PluginManager::~PluginManager() {
    shutdown();
}

QStringList PluginManager::defaultSearchDirs() {
    QStringList dirs;
    const QString appDir = QCoreApplication::applicationDirPath();
    // Run from a build tree (build/app/aldis): the plugins built with this binary live
    // in build/plugins and must win over an older installed copy of the same plugin.
    if (!appDir.isEmpty() && QFileInfo::exists(appDir + QStringLiteral("/../CMakeCache.txt")))
        dirs << appDir + QStringLiteral("/../plugins");
#ifdef ALDIS_INSTALLED_PLUGIN_DIR
    dirs << QStringLiteral(ALDIS_INSTALLED_PLUGIN_DIR);
#endif
    // A relocated installation (an unpacked archive, an AppImage) finds its plugins
    // next to its binary rather than under the configured prefix.
    if (!appDir.isEmpty())
        dirs << appDir + QStringLiteral("/../lib/aldis/plugins");
    dirs << QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
            + QStringLiteral("/aldis/plugins");
    dirs << qEnvironmentVariable("ALDIS_PLUGIN_PATH").split(QLatin1Char(':'), Qt::SkipEmptyParts);

    QStringList cleaned;
    for (const QString& dir : std::as_const(dirs)) {
        const QString path = QDir::cleanPath(dir);
        if (!path.isEmpty() && !cleaned.contains(path))
            cleaned << path;
    }
    return cleaned;
}

const QList<PluginRecord>& PluginManager::records() const {
    return m_records;
}

QString PluginManager::checkMetaData(const QJsonObject& loaderMetaData) {
    if (loaderMetaData.isEmpty())
        return tr("not a Qt plugin (no plugin metadata found); remove the file from the plugin folder");

    const QString iid = loaderMetaData.value(QStringLiteral("IID")).toString();
    if (iid != QLatin1String(ALDIS_PANEL_PLUGIN_IID)) {
        if (iid.startsWith(kIidPrefix))
            return tr("built for another version of the plugin interface (IID %1, this control room "
                      "loads %2); rebuild the plugin against this version of Aldis")
                .arg(iid, QStringLiteral(ALDIS_PANEL_PLUGIN_IID));
        return tr("a Qt plugin of another kind (IID \"%1\"), not an Aldis panel plugin (IID %2); "
                  "remove it from the plugin folder")
            .arg(iid, QStringLiteral(ALDIS_PANEL_PLUGIN_IID));
    }

    const QJsonValue metaValue = loaderMetaData.value(QStringLiteral("MetaData"));
    if (!metaValue.isObject())
        return tr("has no metadata; give Q_PLUGIN_METADATA a FILE with name, version, compatVersion "
                  "and apiVersion, and rebuild it");
    const QJsonObject meta = metaValue.toObject();

    for (const char* key : {"name", "version", "compatVersion"}) {
        const QString field = QString::fromLatin1(key);
        const QJsonValue value = meta.value(field);
        if (!value.isString() || value.toString().trimmed().isEmpty())
            return tr("metadata has no \"%1\" (a non-empty string); add it to the plugin's .json file "
                      "and rebuild the plugin")
                .arg(field);
    }

    const QString versionText = meta.value(QStringLiteral("version")).toString();
    const QString compatText = meta.value(QStringLiteral("compatVersion")).toString();
    const QVersionNumber version = parseVersion(versionText);
    if (version.isNull())
        return tr("metadata \"version\" is \"%1\", not a version number such as 1.2.0; fix the plugin's "
                  ".json file and rebuild the plugin")
            .arg(versionText);
    const QVersionNumber compat = parseVersion(compatText);
    if (compat.isNull())
        return tr("metadata \"compatVersion\" is \"%1\", not a version number such as 1.0.0; fix the "
                  "plugin's .json file and rebuild the plugin")
            .arg(compatText);
    if (compat > version)
        return tr("metadata \"compatVersion\" %1 is newer than \"version\" %2; compatVersion is the "
                  "oldest version this one is compatible with, so it must not be greater; fix the "
                  "plugin's .json file")
            .arg(compatText, versionText);

    const QJsonValue api = meta.value(QStringLiteral("apiVersion"));
    if (api.isUndefined())
        return tr("metadata has no \"apiVersion\"; add \"apiVersion\": %1 to the plugin's .json file "
                  "and rebuild the plugin")
            .arg(aldis::plugin::kApiVersion);
    if (!api.isDouble() || api.toDouble() != static_cast<double>(api.toInt()))
        return tr("metadata \"apiVersion\" must be a whole number such as %1; fix the plugin's .json "
                  "file and rebuild the plugin")
            .arg(aldis::plugin::kApiVersion);
    if (api.toInt() != aldis::plugin::kApiVersion)
        return tr("built for plugin API %1, but this control room provides API %2; rebuild the plugin "
                  "against the plugin API of this version of Aldis, or use a version of the plugin "
                  "made for it")
            .arg(api.toInt())
            .arg(aldis::plugin::kApiVersion);
    return {};
}

void PluginManager::loadAll(aldis::plugin::PanelContext* context) {
    QSet<QString> seenDirs;
    for (const QString& dirPath : std::as_const(m_searchDirs)) {
        // An empty entry (an unset variable) is no folder; QDir would read it as the
        // current one and load whatever libraries happen to be there.
        if (dirPath.isEmpty())
            continue;
        const QDir dir(dirPath);
        const QString canonicalDir = dir.canonicalPath();   // empty when it does not exist
        if (canonicalDir.isEmpty() || seenDirs.contains(canonicalDir))
            continue;
        seenDirs.insert(canonicalDir);

        const QFileInfoList entries = dir.entryInfoList(QDir::Files | QDir::Readable, QDir::Name);
        for (const QFileInfo& entry : entries) {
            if (!QLibrary::isLibrary(entry.fileName()))
                continue;
            const QString canonicalFile = entry.canonicalFilePath();
            if (m_seenFiles.contains(canonicalFile))
                continue;
            m_seenFiles.insert(canonicalFile);
            loadFile(entry.absoluteFilePath(), context);
        }
    }
    emit recordsChanged();
}

void PluginManager::loadFile(const QString& path, aldis::plugin::PanelContext* context) {
    PluginRecord record;
    record.fileName = path;

    // The checks use the metadata Qt reads from the file without running any of its
    // code, so a plugin built for another API never gets the chance to crash us.
    auto loader = std::make_unique<QPluginLoader>(path);
    const QJsonObject metaData = loader->metaData();
    const QJsonObject meta = metaData.value(QStringLiteral("MetaData")).toObject();
    record.name = meta.value(QStringLiteral("name")).toString();
    record.version = meta.value(QStringLiteral("version")).toString();
    record.compatVersion = meta.value(QStringLiteral("compatVersion")).toString();
    record.vendor = meta.value(QStringLiteral("vendor")).toString();
    record.description = meta.value(QStringLiteral("description")).toString();

    auto refuse = [&](const QString& error) {
        record.error = error;
        m_records.append(record);
    };

    if (metaData.isEmpty()) {
        // Qt's own reason (no metadata section, built with another Qt, debug/release
        // mix) is more precise than ours; keep both.
        refuse(tr("not a Qt plugin (%1); remove the file from the plugin folder, or rebuild it as a "
                  "plugin against Qt %2")
                   .arg(loader->errorString(), QString::fromLatin1(qVersion())));
        return;
    }
    if (const QString problem = checkMetaData(metaData); !problem.isEmpty()) {
        refuse(problem);
        return;
    }
    for (const Loaded& other : std::as_const(m_loaded)) {
        const PluginRecord& otherRecord = m_records.at(other.record);
        if (otherRecord.name == record.name) {
            refuse(tr("a plugin named \"%1\" is already loaded from %2; remove one of the two copies")
                       .arg(record.name, otherRecord.fileName));
            return;
        }
    }

    // Keep the code mapped after unload(): docks and context callbacks created by the
    // plugin may outlive its root object (see the class comment). QPluginLoader's
    // default already, set here because the lifetime rules depend on it.
    loader->setLoadHints(QLibrary::PreventUnloadHint);
    if (!loader->load()) {
        refuse(tr("could not be loaded: %1; check that it was built against Qt %2 and that the "
                  "libraries it needs are installed")
                   .arg(loader->errorString(), QString::fromLatin1(qVersion())));
        return;
    }
    auto* plugin = qobject_cast<aldis::plugin::PanelPlugin*>(loader->instance());
    if (plugin == nullptr) {
        loader->unload();
        refuse(tr("its plugin class does not implement aldis::plugin::PanelPlugin; add "
                  "Q_INTERFACES(aldis::plugin::PanelPlugin) to the class and rebuild it"));
        return;
    }
    QString initError;
    if (!plugin->initialize(context, &initError)) {
        loader->unload();
        refuse(initError.isEmpty()
                   ? tr("refused to start and gave no reason; ask the plugin's vendor")
                   : tr("refused to start: %1").arg(initError));
        return;
    }

    record.loaded = true;
    m_records.append(record);
    loader->setParent(this);
    m_loaded.append(Loaded{loader.release(), plugin, m_records.size() - 1, false});
}

QList<QDockWidget*> PluginManager::createPanels(QWidget* parent) {
    QList<QDockWidget*> docks;
    bool changed = false;
    for (Loaded& loaded : m_loaded) {
        if (loaded.panelCreated || loaded.plugin == nullptr)
            continue;
        loaded.panelCreated = true;
        PluginRecord& record = m_records[loaded.record];
        QDockWidget* dock = loaded.plugin->createPanel(parent);
        if (dock == nullptr) {
            record.error = tr("loaded, but created no panel; report this to the plugin's vendor");
            changed = true;
            continue;
        }
        // Names are unique (a second plugin with the same name is refused), so this is
        // a stable key for saveState()/restoreState() whatever the plugin called it.
        dock->setObjectName(QStringLiteral("plugin:") + record.name);
        if (dock->windowTitle().isEmpty())
            dock->setWindowTitle(record.name);
        docks.append(dock);
    }
    if (changed)
        emit recordsChanged();
    return docks;
}

void PluginManager::shutdown() {
    if (m_loaded.isEmpty())
        return;
    // Every plugin hears aboutToShutdown() before any is deleted: one may still hold
    // something of another's (a signal connection, a shared widget).
    for (const Loaded& loaded : std::as_const(m_loaded))
        loaded.plugin->aboutToShutdown();
    for (const Loaded& loaded : std::as_const(m_loaded)) {
        loaded.loader->unload();   // deletes the plugin object; the code stays mapped
        delete loaded.loader;
        m_records[loaded.record].loaded = false;
    }
    m_loaded.clear();
    emit recordsChanged();
}

} // namespace aldis::ui

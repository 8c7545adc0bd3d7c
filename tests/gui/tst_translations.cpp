// SPDX-License-Identifier: Apache-2.0
// The control room's translations (translations/README.md): the German and Japanese
// .qm files are compiled into aldis::ui under :/i18n and translate real strings; the
// committed .ts files (read from the source tree) hold no unfinished, vanished or
// obsolete message and the right number of plural forms; the English file gives
// "1 alert active"; the heat map plugin carries and installs its own translations.

#include "ui/adapter/node_registry.h"
#include "ui/main_window.h"
#include "ui/widgets/alert_banner.h"

#include <aldis/panel_plugin.h>

#include <QCoreApplication>
#include <QDockWidget>
#include <QFile>
#include <QJsonObject>
#include <QLocale>
#include <QMenuBar>
#include <QPluginLoader>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTranslator>
#include <QXmlStreamReader>
#include <QtTest>

namespace {

const QString kSourceDir = QStringLiteral(ALDIS_SOURCE_DIR);

// One <message> of a .ts file.
struct TsMessage {
    QString context;
    QString source;
    bool numerus = false;
    QString type;              // the <translation> type attribute: unfinished, vanished, obsolete
    QString translation;       // non-numerus
    QStringList forms;         // numerus
};

struct TsFile {
    QString language;
    QList<TsMessage> messages;
    QString error;
};

TsFile readTs(const QString& path)
{
    TsFile ts;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ts.error = file.errorString();
        return ts;
    }
    QXmlStreamReader xml(&file);
    QString context;
    TsMessage message;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        const auto name = xml.name();
        if (name == QLatin1String("TS")) {
            ts.language = xml.attributes().value(QLatin1String("language")).toString();
        } else if (name == QLatin1String("context")) {
            context.clear();
        } else if (name == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (name == QLatin1String("message")) {
            message = TsMessage{context, {}, xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes"),
                                {}, {}, {}};
        } else if (name == QLatin1String("source")) {
            message.source = xml.readElementText();
        } else if (name == QLatin1String("translation")) {
            message.type = xml.attributes().value(QLatin1String("type")).toString();
            if (message.numerus) {
                while (xml.readNextStartElement()) {
                    if (xml.name() == QLatin1String("numerusform"))
                        message.forms.append(xml.readElementText());
                    else
                        xml.skipCurrentElement();
                }
            } else {
                message.translation = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            }
            ts.messages.append(message);
        }
    }
    if (xml.hasError())
        ts.error = xml.errorString();
    return ts;
}

// %1..%99 and %n of a string, sorted, without repeats.
QStringList placeholders(const QString& text)
{
    static const QRegularExpression pattern(QStringLiteral("%(n|\\d+)"));
    QStringList found;
    for (const QRegularExpressionMatch& match : pattern.globalMatch(text))
        if (!found.contains(match.captured(0)))
            found.append(match.captured(0));
    found.sort();
    return found;
}

QString heatmapPluginFile()
{
    return QStringLiteral(ALDIS_BUILD_DIR "/plugins/libaldis_heatmap.so");
}

} // namespace

class TestTranslations : public QObject {
    Q_OBJECT
private slots:
    void cleanup();
    void loadsFromResources_data();
    void loadsFromResources();
    void translatesKnownStrings_data();
    void translatesKnownStrings();
    void mainWindowIsTranslated_data();
    void mainWindowIsTranslated();
    void tsFilesAreComplete_data();
    void tsFilesAreComplete();
    void resourcesMatchTsFiles_data();
    void resourcesMatchTsFiles();
    void englishPluralForms_data();
    void englishPluralForms();
    void heatmapPluginTranslates_data();
    void heatmapPluginTranslates();
};

void TestTranslations::cleanup()
{
    QLocale::setDefault(QLocale::c());
}

void TestTranslations::loadsFromResources_data()
{
    QTest::addColumn<QString>("language");
    QTest::addRow("de") << QStringLiteral("de");
    QTest::addRow("ja") << QStringLiteral("ja");
    QTest::addRow("en") << QStringLiteral("en");
}

void TestTranslations::loadsFromResources()
{
    QFETCH(QString, language);
    // What ui/control_room.cpp does: QLocale("de") finds :/i18n/aldis_de.qm.
    QTranslator translator;
    QVERIFY2(translator.load(QLocale(language), QStringLiteral("aldis"), QStringLiteral("_"), QStringLiteral(":/i18n")),
             "the .qm files are not in the resources of the executable");
    QCOMPARE(translator.language(), language);
    QVERIFY2(translator.filePath().startsWith(QLatin1String(":/i18n/aldis_")), qPrintable(translator.filePath()));
    QVERIFY(!translator.isEmpty());
    // A region variant falls back to the language's file.
    QTranslator regional;
    QVERIFY(regional.load(QLocale(language + (language == QLatin1String("ja") ? QStringLiteral("_JP")
                                                                               : QStringLiteral("_DE"))),
                          QStringLiteral("aldis"), QStringLiteral("_"), QStringLiteral(":/i18n")));
}

void TestTranslations::translatesKnownStrings_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QByteArray>("context");
    QTest::addColumn<QByteArray>("source");
    const QList<QPair<QByteArray, QByteArray>> strings{
        {"aldis::ui::MainWindow", "Aldis control room"},
        {"aldis::ui::MainWindow", "&File"},
        {"aldis::ui::MainWindow", "Live tail"},
        {"aldis::ui::MainWindow", "The language changes at the next start of the control room."},
        {"aldis::ui::FailoverPanel", "Drain node"},
        {"aldis::ui::TailPanel", "Copy as JSON"},
        {"aldis::ui::Health", "Stale"},
        {"aldis::ui::ConfirmActionDialog", "Drain node %1?"},
        {"aldis::ui::ControlRoom", "The embedded node did not start: %1"},
        {"aldis::ui::NodesModel", "Last seen"},
    };
    for (const QString& language : {QStringLiteral("de"), QStringLiteral("ja")})
        for (const auto& [context, source] : strings)
            QTest::addRow("%s: %s", qPrintable(language), source.constData()) << language << context << source;
}

void TestTranslations::translatesKnownStrings()
{
    QFETCH(QString, language);
    QFETCH(QByteArray, context);
    QFETCH(QByteArray, source);
    QTranslator translator;
    QVERIFY(translator.load(QLocale(language), QStringLiteral("aldis"), QStringLiteral("_"), QStringLiteral(":/i18n")));
    const QString translated = translator.translate(context.constData(), source.constData());
    const QString original = QString::fromUtf8(source);
    QVERIFY2(!translated.isEmpty(), "no translation");
    QVERIFY2(translated != original, qPrintable(translated));
    QCOMPARE(placeholders(translated), placeholders(original));
    if (original.contains(QLatin1Char('&')))
        QCOMPARE(translated.count(QLatin1Char('&')), 1);

    // Installed, it is what tr() returns.
    QVERIFY(QCoreApplication::installTranslator(&translator));
    QCOMPARE(QCoreApplication::translate(context.constData(), source.constData()), translated);
    QVERIFY(QCoreApplication::removeTranslator(&translator));
}

void TestTranslations::mainWindowIsTranslated_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("nodeCount");  // "%n node(s)" for no node
    QTest::addRow("de") << QStringLiteral("de") << QStringLiteral("0 Knoten");
    QTest::addRow("ja") << QStringLiteral("ja") << QStringLiteral("ノード 0 台");
}

void TestTranslations::mainWindowIsTranslated()
{
    QFETCH(QString, language);
    QFETCH(QString, nodeCount);
    QTranslator translator;
    QVERIFY(translator.load(QLocale(language), QStringLiteral("aldis"), QStringLiteral("_"), QStringLiteral(":/i18n")));
    QVERIFY(QCoreApplication::installTranslator(&translator));
    const auto removeTranslator = qScopeGuard([&] { QCoreApplication::removeTranslator(&translator); });

    aldis::ui::NodeRegistry registry;
    aldis::ui::MainWindow window(&registry, nullptr);
    QCOMPARE(window.windowTitle(), translator.translate("aldis::ui::MainWindow", "Aldis control room"));
    QCOMPARE(window.menuBar()->actions().first()->text(), translator.translate("aldis::ui::MainWindow", "&File"));
    QCOMPARE(window.dock(QStringLiteral("tail"))->windowTitle(),
             translator.translate("aldis::ui::MainWindow", "Live tail"));
    QVERIFY2(window.statusText().startsWith(nodeCount), qPrintable(window.statusText()));
}

void TestTranslations::tsFilesAreComplete_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("language");
    QTest::addColumn<int>("forms");        // plural forms of the language
    QTest::addColumn<bool>("pluralOnly");  // aldis_en.ts: only the English plural forms
    QTest::addRow("aldis_de") << QStringLiteral("translations/aldis_de.ts") << QStringLiteral("de") << 2 << false;
    QTest::addRow("aldis_ja") << QStringLiteral("translations/aldis_ja.ts") << QStringLiteral("ja") << 1 << false;
    QTest::addRow("aldis_en") << QStringLiteral("translations/aldis_en.ts") << QStringLiteral("en") << 2 << true;
    QTest::addRow("aldis_heatmap_de") << QStringLiteral("plugins/heatmap/translations/aldis_heatmap_de.ts")
                                      << QStringLiteral("de") << 2 << false;
    QTest::addRow("aldis_heatmap_ja") << QStringLiteral("plugins/heatmap/translations/aldis_heatmap_ja.ts")
                                      << QStringLiteral("ja") << 1 << false;
}

void TestTranslations::tsFilesAreComplete()
{
    QFETCH(QString, path);
    QFETCH(QString, language);
    QFETCH(int, forms);
    QFETCH(bool, pluralOnly);
    const TsFile ts = readTs(kSourceDir + QLatin1Char('/') + path);
    QVERIFY2(ts.error.isEmpty(), qPrintable(ts.error));
    QCOMPARE(ts.language, language);
    QVERIFY(!ts.messages.isEmpty());

    QStringList problems;
    for (const TsMessage& m : ts.messages) {
        const QString where = m.context + QStringLiteral(": \"") + m.source + QLatin1Char('"');
        if (!m.type.isEmpty())
            problems << where + QStringLiteral(" is ") + m.type;
        if (pluralOnly && !m.numerus)
            problems << where + QStringLiteral(" is not a plural message; refresh the file with -pluralonly");
        if (m.numerus) {
            if (m.forms.size() != forms)
                problems << where + QStringLiteral(" has %1 plural forms, not %2").arg(m.forms.size()).arg(forms);
            for (const QString& form : m.forms)
                if (form.isEmpty() || placeholders(form) != placeholders(m.source))
                    problems << where + QStringLiteral(" has a bad plural form \"%1\"").arg(form);
        } else if (m.translation.isEmpty() || placeholders(m.translation) != placeholders(m.source)) {
            problems << where + QStringLiteral(" has a bad translation \"%1\"").arg(m.translation);
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void TestTranslations::resourcesMatchTsFiles_data()
{
    QTest::addColumn<QString>("language");
    QTest::addRow("de") << QStringLiteral("de");
    QTest::addRow("ja") << QStringLiteral("ja");
    QTest::addRow("en") << QStringLiteral("en");
}

void TestTranslations::resourcesMatchTsFiles()
{
    QFETCH(QString, language);
    // Every message of the committed file is in the compiled one (the build ran lrelease).
    const TsFile ts = readTs(kSourceDir + QStringLiteral("/translations/aldis_") + language + QStringLiteral(".ts"));
    QVERIFY2(ts.error.isEmpty(), qPrintable(ts.error));
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral("aldis_") + language, QStringLiteral(":/i18n")));
    for (const TsMessage& m : ts.messages) {
        const QByteArray context = m.context.toUtf8();
        const QByteArray source = m.source.toUtf8();
        const QString expected = m.numerus ? m.forms.value(m.forms.size() - 1) : m.translation;
        QCOMPARE(translator.translate(context.constData(), source.constData(), nullptr, m.numerus ? 2 : -1),
                 expected);
    }
}

void TestTranslations::englishPluralForms_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<QString>("panelText");
    QTest::addColumn<QString>("bannerPrefix");
    QTest::addRow("one") << 1 << QStringLiteral("1 alert active.") << QStringLiteral("1 alert active. ");
    QTest::addRow("two") << 2 << QStringLiteral("2 alerts active.") << QStringLiteral("2 alerts active. ");
}

void TestTranslations::englishPluralForms()
{
    QFETCH(int, count);
    QFETCH(QString, panelText);
    QFETCH(QString, bannerPrefix);
    QTranslator translator;
    QVERIFY(translator.load(QLocale(QStringLiteral("en")), QStringLiteral("aldis"), QStringLiteral("_"),
                            QStringLiteral(":/i18n")));
    QVERIFY(QCoreApplication::installTranslator(&translator));
    const auto removeTranslator = qScopeGuard([&] { QCoreApplication::removeTranslator(&translator); });

    QCOMPARE(QCoreApplication::translate("aldis::ui::AlertsPanel", "%n alert(s) active.", nullptr, count), panelText);
    QCOMPARE(QCoreApplication::translate("aldis::ui::MainWindow", "%n node(s)", nullptr, count),
             count == 1 ? QStringLiteral("1 node") : QStringLiteral("2 nodes"));

    // Through the widget that shows it.
    aldis::ui::AlertBanner banner;
    QList<QJsonObject> alerts;
    for (int i = 0; i < count; ++i)
        alerts.append(QJsonObject{{QStringLiteral("node"), QStringLiteral("n%1").arg(i + 1)},
                                  {QStringLiteral("message"), QStringLiteral("P99 above 50 ms")}});
    banner.setAlerts(alerts);
    QVERIFY2(banner.text().startsWith(bannerPrefix), qPrintable(banner.text()));
}

void TestTranslations::heatmapPluginTranslates_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("expected");  // a word of the translated error
    QTest::addRow("de") << QStringLiteral("de") << QStringLiteral("Leitstand");
    QTest::addRow("ja") << QStringLiteral("ja") << QStringLiteral("コントロールルーム");
}

void TestTranslations::heatmapPluginTranslates()
{
    QFETCH(QString, language);
    QFETCH(QString, expected);
    // The control room sets QLocale's default to its language before loading plugins.
    QLocale::setDefault(QLocale(language));
    QPluginLoader loader(heatmapPluginFile());
    QVERIFY2(loader.load(), qPrintable(loader.errorString()));
    auto* plugin = qobject_cast<aldis::plugin::PanelPlugin*>(loader.instance());
    QVERIFY(plugin != nullptr);
    QString error;
    QVERIFY(!plugin->initialize(nullptr, &error));  // refuses without a context, with a translated reason
    const QString english = QStringLiteral("the control room gave the heat map no context");
    QVERIFY2(!error.startsWith(english), qPrintable(error));
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY(loader.unload());  // deletes the root object and with it the plugin's translator
    QCOMPARE(QCoreApplication::translate("aldis::heatmap::HeatmapPlugin", "Channel heat map"),
             QStringLiteral("Channel heat map"));
}

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"

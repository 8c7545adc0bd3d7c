<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>aldis::heatmap::HeatMapWidget</name>
    <message>
        <location filename="../heat_map_widget.cpp" line="+184"/>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;node %2, namespace %3, %4&lt;br&gt;%5 subscribers&lt;br&gt;%6 publications/s&lt;br&gt;%7 publications since loaded, last offset %8</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;Knoten %2, Namensraum %3, %4&lt;br&gt;%5 Abonnenten&lt;br&gt;%6 Veröffentlichungen/s&lt;br&gt;%7 Veröffentlichungen seit dem Laden, letzter Offset %8</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>durable</source>
        <translation>dauerhaft</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>in memory</source>
        <translation>im Speicher</translation>
    </message>
</context>
<context>
    <name>aldis::heatmap::HeatmapPanel</name>
    <message>
        <location filename="../heatmap_panel.cpp" line="+21"/>
        <location line="+121"/>
        <source>Waiting for the first answer of the nodes…</source>
        <translation>Warte auf die erste Antwort der Knoten…</translation>
    </message>
    <message>
        <location line="-105"/>
        <source>The control room is shutting down.</source>
        <translation>Der Leitstand wird beendet.</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>No node is watched. Connect the control room to a node to see its channels.</source>
        <translation>Es wird kein Knoten überwacht. Verbinden Sie den Leitstand mit einem Knoten, um dessen Kanäle zu sehen.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>unknown error</source>
        <translation>unbekannter Fehler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: the answer has no channel list; is the node running a matching version of Aldis?</source>
        <translation>%1: Die Antwort enthält keine Kanalliste; läuft auf dem Knoten eine passende Aldis-Version?</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>No channels to show: the nodes did not answer.</source>
        <translation>Keine Kanäle anzuzeigen: Die Knoten haben nicht geantwortet.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No channels yet. A channel appears here once a client subscribes or publishes to it.</source>
        <translation>Noch keine Kanäle. Ein Kanal erscheint hier, sobald ein Client ihn abonniert oder darin veröffentlicht.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nodes: %1, channels: %2. Area: subscribers, colour: publications per second.</source>
        <translation>Knoten: %1, Kanäle: %2. Fläche: Abonnenten, Farbe: Veröffentlichungen pro Sekunde.</translation>
    </message>
</context>
<context>
    <name>aldis::heatmap::HeatmapPlugin</name>
    <message>
        <location filename="../heatmap_plugin.cpp" line="+25"/>
        <source>the control room gave the heat map no context; this is a bug in the control room, please report it</source>
        <translation>der Leitstand hat der Heatmap keinen Kontext übergeben; das ist ein Fehler im Leitstand, bitte melden Sie ihn</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Channel heat map</source>
        <translation>Kanal-Heatmap</translation>
    </message>
</context>
</TS>

<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>aldis::ui::AlertBanner</name>
    <message numerus="yes">
        <location filename="../ui/widgets/alert_banner.cpp" line="+41"/>
        <source>%n alert(s) active. %1</source>
        <translation>
            <numerusform>%n alert active. %1</numerusform>
            <numerusform>%n alerts active. %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>aldis::ui::AlertsPanel</name>
    <message numerus="yes">
        <location filename="../ui/widgets/alerts_panel.cpp" line="+42"/>
        <source>%n alert(s) active.</source>
        <translation>
            <numerusform>%n alert active.</numerusform>
            <numerusform>%n alerts active.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>aldis::ui::ConfirmActionDialog</name>
    <message numerus="yes">
        <location filename="../ui/dialogs/confirm_action_dialog.cpp" line="+41"/>
        <source>%n connected client(s)</source>
        <translation>
            <numerusform>%n connected client</numerusform>
            <numerusform>%n connected clients</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>aldis::ui::LatencyChart</name>
    <message numerus="yes">
        <location filename="../ui/widgets/latency_chart.cpp" line="+143"/>
        <source>Publish-to-deliver latency (%n deliveries)</source>
        <translation>
            <numerusform>Publish-to-deliver latency (%n delivery)</numerusform>
            <numerusform>Publish-to-deliver latency (%n deliveries)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>aldis::ui::MainWindow</name>
    <message numerus="yes">
        <location filename="../ui/main_window.cpp" line="+402"/>
        <source>%n node(s)</source>
        <translation>
            <numerusform>%n node</numerusform>
            <numerusform>%n nodes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n stale</source>
        <translation>
            <numerusform>%n stale</numerusform>
            <numerusform>%n stale</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>aldis::ui::TailPanel</name>
    <message numerus="yes">
        <location filename="../ui/widgets/tail_panel.cpp" line="+116"/>
        <source>%n publication(s) not shown: a tail forwards at most 200 a second.</source>
        <translation>
            <numerusform>%n publication not shown: a tail forwards at most 200 a second.</numerusform>
            <numerusform>%n publications not shown: a tail forwards at most 200 a second.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+79"/>
        <source>Paused: %n message(s) waiting.</source>
        <translation>
            <numerusform>Paused: %n message waiting.</numerusform>
            <numerusform>Paused: %n messages waiting.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+24"/>
        <source>Copied %n message(s) as JSON.</source>
        <translation>
            <numerusform>Copied %n message as JSON.</numerusform>
            <numerusform>Copied %n messages as JSON.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>aldis::ui::TopologyView</name>
    <message numerus="yes">
        <location filename="../ui/widgets/topology_view.cpp" line="+312"/>
        <source>Region %1 (fenced): home of %2, %n node(s)</source>
        <translation>
            <numerusform>Region %1 (fenced): home of %2, %n node</numerusform>
            <numerusform>Region %1 (fenced): home of %2, %n nodes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Region %1: home of %2, %n node(s)</source>
        <translation>
            <numerusform>Region %1: home of %2, %n node</numerusform>
            <numerusform>Region %1: home of %2, %n nodes</numerusform>
        </translation>
    </message>
</context>
</TS>

<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja" sourcelanguage="en">
<context>
    <name>aldis::heatmap::HeatMapWidget</name>
    <message>
        <location filename="../heat_map_widget.cpp" line="+184"/>
        <source>%1/s</source>
        <translation>%1/秒</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;node %2, namespace %3, %4&lt;br&gt;%5 subscribers&lt;br&gt;%6 publications/s&lt;br&gt;%7 publications since loaded, last offset %8</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;ノード %2、名前空間 %3、%4&lt;br&gt;サブスクライバー %5&lt;br&gt;パブリッシュ %6/秒&lt;br&gt;読み込み以降のパブリッシュ %7 件、最終オフセット %8</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>durable</source>
        <translation>永続</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>in memory</source>
        <translation>インメモリ</translation>
    </message>
</context>
<context>
    <name>aldis::heatmap::HeatmapPanel</name>
    <message>
        <location filename="../heatmap_panel.cpp" line="+21"/>
        <location line="+121"/>
        <source>Waiting for the first answer of the nodes…</source>
        <translation>ノードからの最初の応答を待っています…</translation>
    </message>
    <message>
        <location line="-105"/>
        <source>The control room is shutting down.</source>
        <translation>コントロールルームを終了しています。</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>No node is watched. Connect the control room to a node to see its channels.</source>
        <translation>監視中のノードはありません。チャネルを表示するには、コントロールルームをノードに接続してください。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>unknown error</source>
        <translation>不明なエラー</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1: the answer has no channel list; is the node running a matching version of Aldis?</source>
        <translation>%1: 応答にチャネル一覧がありません。ノードで対応するバージョンの Aldis が動作していますか？</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>No channels to show: the nodes did not answer.</source>
        <translation>表示するチャネルがありません: ノードが応答しませんでした。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No channels yet. A channel appears here once a client subscribes or publishes to it.</source>
        <translation>チャネルはまだありません。クライアントがサブスクライブまたはパブリッシュすると、ここに表示されます。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nodes: %1, channels: %2. Area: subscribers, colour: publications per second.</source>
        <translation>ノード: %1、チャネル: %2。面積: サブスクライバー数、色: 1 秒あたりのパブリッシュ数。</translation>
    </message>
</context>
<context>
    <name>aldis::heatmap::HeatmapPlugin</name>
    <message>
        <location filename="../heatmap_plugin.cpp" line="+25"/>
        <source>the control room gave the heat map no context; this is a bug in the control room, please report it</source>
        <translation>コントロールルームがヒートマップにコンテキストを渡しませんでした。これはコントロールルームの不具合です。報告してください</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Channel heat map</source>
        <translation>チャネルヒートマップ</translation>
    </message>
</context>
</TS>

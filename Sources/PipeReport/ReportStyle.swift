/// The page's stylesheet, inlined into every report. Status colours are
/// shared by the DAG boxes, the timeline bars and the legend swatches.
enum ReportStyle {
    static let css = """
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1c1e21;
               margin: 0; background: #f6f7f9; }
        header, main { max-width: 1180px; margin: 0 auto; padding: 0 16px; }
        header { padding-top: 16px; }
        h1 { font-size: 22px; margin: 8px 0; }
        h2 { font-size: 17px; margin: 0 0 8px; border-bottom: 1px solid #dde; padding-bottom: 4px; }
        h3 { font-size: 15px; margin: 10px 0 4px; }
        nav a { color: #1f5fa8; text-decoration: none; }
        section { background: #fff; border: 1px solid #dde; border-radius: 6px; padding: 12px 16px; margin: 14px 0;
                  overflow-x: auto; }
        .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
        .columns > div { min-width: 0; }
        .empty { color: #777; font-style: italic; }
        .warning { color: #9a4a00; background: #fff4e0; border-left: 3px solid #e08a00; padding: 4px 8px; }
        .legend, .description { color: #555; margin: 4px 0; }
        table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
        th, td { border-bottom: 1px solid #e4e6ea; padding: 3px 8px; text-align: left; vertical-align: top; }
        th { background: #f0f2f5; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        tr.current td { background: #eef6ff; font-weight: 600; }
        td.delta-up { color: #1a7f37; } td.delta-down { color: #c62828; }
        details.tasks { margin: -6px 0 8px; }
        svg text { font: 11px system-ui, Helvetica, Arial, sans-serif; fill: #333; }
        svg text.name { font-weight: 600; font-size: 12px; }
        svg text.title { font-weight: 600; font-size: 12px; }
        svg text.stage { font-weight: 600; }
        svg text.detail { fill: #666; }
        svg.dag, svg.timeline { max-width: 100%; height: auto; }
        .edge { fill: none; stroke: #667; stroke-width: 1.4; }
        .node rect { stroke-width: 1.6; }
        .ran rect, rect.ran, .swatch.ran { fill: #d4e9fb; stroke: #1f77b4; background: #d4e9fb; }
        .cached rect, rect.cached, .swatch.cached { fill: #e9ecef; stroke: #8a8f98; background: #e9ecef; }
        .failed rect, rect.failed, .swatch.failed { fill: #fddede; stroke: #d62728; background: #fddede; }
        .not-run rect, .swatch.not-run { fill: #fff; stroke: #aaa; stroke-dasharray: 4 3; background: #fff; }
        .skipped rect, rect.skipped, .will-run rect { fill: #fff8e1; stroke: #c9a227; }
        .data rect, .swatch.data { fill: #fff4d6; stroke: #c9a227; background: #fff4d6; }
        rect.bar { stroke-width: 1; }
        .swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #888; margin: 0 3px 0 8px;
                  vertical-align: -2px; }
        .plot { fill: #fbfbfd; stroke: #ccd; }
        .grid { stroke: #e3e5ea; stroke-width: 1; }
        .series { fill: none; stroke-width: 2; }
        .marker { stroke: #2ca02c; stroke-dasharray: 3 3; }
        .charts { display: flex; flex-wrap: wrap; gap: 10px; }
        .gallery { display: flex; flex-wrap: wrap; gap: 10px; }
        figure { margin: 0; } figure img { border: 1px solid #ccd; image-rendering: pixelated; display: block; }
        figcaption { font-size: 12px; color: #555; max-width: 320px; overflow-wrap: anywhere; }
        """
}

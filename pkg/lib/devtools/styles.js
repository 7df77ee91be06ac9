// The panel's styles, scoped by its shadow root (the page's CSS cannot reach in, nor these out).
export const STYLES = `
:host { all: initial; }
* { box-sizing: border-box; }
.panel { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; color: #1f2933; background: #fff;
  display: flex; flex-direction: column; width: 100%; height: 100%; min-height: 0; }
header { display: flex; gap: 8px; align-items: center; padding: 6px 8px; background: #1f2933; color: #f5f7fa; }
header b { font-weight: 700; }
header select, header button { font: inherit; }
nav { display: flex; gap: 2px; padding: 4px 8px 0; border-bottom: 1px solid #cbd2d9; }
nav button { font: inherit; border: 1px solid #cbd2d9; border-bottom: none; background: #f5f7fa; padding: 3px 10px; cursor: pointer; }
nav button[aria-selected="true"] { background: #fff; font-weight: 700; }
.body { flex: 1; min-height: 0; display: flex; flex-direction: column; }
.view { flex: 1; min-height: 0; overflow: auto; padding: 6px 8px; }
.view.columns { display: flex; flex-direction: column; }
.view[hidden] { display: none; }
.toolbar { display: flex; gap: 6px; align-items: center; padding: 4px 0; flex-wrap: wrap; }
.toolbar input, .toolbar select, .toolbar button { font: inherit; }
.split { display: flex; flex: 1; min-height: 0; gap: 8px; }
.table { flex: 3; min-width: 0; display: flex; flex-direction: column; min-height: 0; overflow: hidden; }
.head, .row { display: grid; grid-template-columns: minmax(140px, 3fr) 64px 28px 60px 60px 44px 52px 52px 36px minmax(60px, 1fr) minmax(60px, 1fr);
  gap: 6px; padding: 0 4px; height: 22px; align-items: center; white-space: nowrap; }
.head { font-weight: 700; border-bottom: 1px solid #cbd2d9; }
.row > span, .head > span { overflow: hidden; text-overflow: ellipsis; }
.row { position: absolute; left: 0; right: 0; cursor: pointer; }
.row:hover { background: #f0f4f8; }
.row[aria-selected="true"] { background: #d9e8ff; }
.scroller { flex: 1; overflow: auto; position: relative; min-height: 120px; }
.num { text-align: right; }
.detail { flex: 1; min-width: 200px; max-width: 320px; border-left: 1px solid #cbd2d9; padding-left: 8px; overflow: auto; }
.detail h3, .view h3 { margin: 4px 0; font-size: 12px; }
.bar { height: 14px; background: #e4e7eb; position: relative; margin: 2px 0 8px; }
.bar > i { position: absolute; left: 0; top: 0; bottom: 0; background: #3e7bfa; }
.event { padding: 1px 0; border-bottom: 1px dotted #e4e7eb; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.event .type { display: inline-block; min-width: 70px; font-weight: 700; }
.muted { color: #7b8794; }
svg text { font: 11px ui-monospace, monospace; }
.toggle { position: fixed; right: 12px; bottom: 12px; font: 12px ui-monospace, monospace; padding: 6px 10px;
  background: #1f2933; color: #f5f7fa; border: none; border-radius: 4px; cursor: pointer; z-index: 2147483647; }
`;

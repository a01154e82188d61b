/**
 * The inline stylesheet of the HTML report. No fonts, images or other resources are loaded:
 * the report must work offline from file://, and its Content-Security-Policy forbids fetches.
 */

/** @internal */
export const REPORT_CSS = `
:root { --label-w: 210px; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: var(--bg); padding: 12px 16px 40vh; }
h1 { font-size: 18px; margin: 0 0 8px; }
h2 { font-size: 16px; margin: 0; }
h3 { font-size: 14px; margin: 16px 0 6px; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
nav.tabs { display: flex; flex-wrap: wrap; gap: 4px; border-bottom: 1px solid var(--line); margin-bottom: 12px; }
nav.tabs button { font: inherit; border: 1px solid var(--line); border-bottom: none; background: #f6f8fa;
  padding: 4px 10px; border-radius: 6px 6px 0 0; cursor: pointer; }
nav.tabs button.active { background: var(--bg); font-weight: 600; position: relative; top: 1px; }
.js section.record:not(.active) { display: none; }
section.record { margin-bottom: 24px; }
.run-header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 18px; margin-bottom: 6px; }
.run-header dl { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 0; }
.run-header dt { color: var(--muted); display: inline; }
.run-header dd { display: inline; margin: 0 0 0 4px; }
.replay code { user-select: all; background: #f6f8fa; border: 1px solid var(--line); border-radius: 4px; padding: 1px 6px; }
.verdict { font-weight: 700; color: #fff; border-radius: 10px; padding: 1px 9px; background: #59636e; }
.verdict-pass { background: #1a7f37; } .verdict-expectation { background: #bf8700; }
.verdict-memory { background: #cf222e; } .verdict-hang { background: #8250df; }
.verdict-leak { background: #953800; } .verdict-warn { background: #9a6700; }
.verdict-caught { background: #0969da; } .verdict-blocked { background: #6639ba; }
.verdict-budget { background: #57606a; } .verdict-footprint { background: #7d4e00; }
.verdict-input { background: #bf8700; } .verdict-internal { background: #24292f; }
.counts { color: var(--muted); margin: 2px 0 8px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; color: var(--muted); margin: 4px 0 8px; font-size: 12px; }
.legend .sw { display: inline-block; width: 12px; height: 12px; vertical-align: -2px; margin-right: 4px; border-radius: 2px; }
.legend .sw.k-finding { margin: 0 7px 0 3px; }
.legend .sw.k-signal { border-radius: 50%; }
.legend .sw.k-life { background: rgba(66, 74, 83, 0.15); border: 1px solid rgba(66, 74, 83, 0.45); }
.legend .sw.leaked { border: 2px dashed #cf222e; }
.timeline { border: 1px solid var(--line); overflow-x: auto; overflow-y: hidden; max-width: 100%; }
.lane { display: flex; border-top: 1px solid var(--line); min-width: max-content; }
.lane.axis { border-top: none; background: #f6f8fa; }
.lane-label { position: sticky; left: 0; z-index: 5; flex: 0 0 var(--label-w); width: var(--label-w);
  background: #f6f8fa; border-right: 1px solid var(--line); padding: 3px 8px; overflow: hidden; }
.lane-label b { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.lane-label small { color: var(--muted); display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.track { position: relative; flex: 0 0 auto;
  background-image: repeating-linear-gradient(to right, #eef1f4 0 1px, transparent 1px calc(var(--cw) * 10)); }
.axis .track { height: 34px; }
.tick { position: absolute; top: 2px; font-size: 10px; color: var(--muted); white-space: nowrap;
  border-left: 1px solid #afb8c1; padding-left: 2px; line-height: 1.3; }
.lane-device .track, .lane-objects .track, .lane-uevents .track { background-color: #fbfcfd; }
.lane-objects .lane-label { padding-left: 22px; }
.lane-objects { border-top-style: dashed; }
.item { position: absolute; cursor: pointer; }
.item:focus { outline: 2px solid #0969da; outline-offset: 1px; }
.item.selected { outline: 2px solid #1f2328; outline-offset: 1px; z-index: 4; }
.item.k-life { background: rgba(9, 105, 218, 0.06); border: none; border-left: 2px solid rgba(9, 105, 218, 0.4);
  border-radius: 0; padding: 0; cursor: default; }
.item.k-life:not(.open) { border-right: 2px solid rgba(9, 105, 218, 0.4); }
.item.k-life.tone-device { background: rgba(66, 74, 83, 0.07); border-color: rgba(66, 74, 83, 0.45); }
.item.bar { height: 18px; border-radius: 3px; overflow: hidden; white-space: nowrap; font-size: 11px;
  line-height: 16px; padding: 0 4px; color: #fff; border: 1px solid rgba(0, 0, 0, 0.25); }
.item.bar span { display: block; overflow: hidden; text-overflow: ellipsis; }
.item.bar.open { border-right: 2px dashed #1f2328; border-radius: 3px 0 0 3px; }
.item.bar.leaked { border: 2px dashed #cf222e; box-shadow: inset 0 0 0 1px #fff; }
.k-block { color: #1f2328 !important; background: repeating-linear-gradient(45deg, #afb8c1 0 3px, #eaeef2 3px 7px); }
.k-block.tone-timeout { background: repeating-linear-gradient(45deg, #80ccff 0 3px, #ddf4ff 3px 7px); }
.k-alloc { background: #6e7781; }
.tone-drm-device { background: #0969da; } .tone-drm-minor { background: #8250df; }
.tone-drm-file { background: #1a7f37; } .tone-drm-gem-object { background: #9a6700; }
.tone-dma-fence { background: #953800; } .tone-device, .tone-pci-dev { background: #424a53; }
.tone-dma-buf { background: #bf8700; } .tone-vm-area-struct { background: #0550ae; }
.tone-sync-file { background: #bc4c00; } .tone-drm-syncobj { background: #7d4e00; }
.tone-drm-sched-job { background: #6639ba; }
.k-signal { border-radius: 50% !important; border: 2px solid #fff !important; box-shadow: 0 0 0 1px #1f2328; z-index: 3; }
.item.k-life.tone-state { background: repeating-linear-gradient(45deg, #ffebe9 0 4px, #ffcecb 4px 8px); border: 1px solid #cf222e; color: #82071e; }
.k-signal.tone-ok { background: #2da44e; } .k-signal.tone-err { background: #cf222e; }
.item.mark { border-radius: 50%; border: 1px solid rgba(0, 0, 0, 0.35); z-index: 2; }
.k-call.tone-ok { background: #2da44e; border-radius: 2px; }
.k-call.tone-err { background: #fb8500; border-radius: 2px; }
.item.k-note { background: #8c959f; border-radius: 1px; transform: scaleX(0.5); }
.k-uevent { background: #6e7781; }
.k-display.tone-flip { background: #8250df; } .k-display.tone-flip-faked { background: #d8b9ff; }
.k-display.tone-vblank-event { background: #1a7f37; border-radius: 50%; }
.k-uevent.tone-add { background: #1a7f37; } .k-uevent.tone-remove { background: #24292f; }
.k-uevent.tone-change { background: #bf8700; } .k-uevent.tone-bind, .k-uevent.tone-unbind { background: #0969da; }
.k-finding { background: #cf222e; border: 2px solid #fff !important; border-radius: 2px !important;
  transform: rotate(45deg); box-shadow: 0 0 0 1px #cf222e; z-index: 3; }
.span { position: absolute; height: 2px; pointer-events: none; background: #2da44e; opacity: 0.5; }
.span.tone-err { background: #fb8500; }
.findings-list li { margin: 4px 0; }
.findings-list .summary { color: #cf222e; font-weight: 600; }
.findings-list ul { margin: 2px 0 6px; padding-left: 18px; color: var(--muted); }
.findings-list a { color: inherit; }
.no-findings { color: #1a7f37; }
details.trace pre { max-height: 400px; overflow: auto; background: #f6f8fa; padding: 8px; border: 1px solid var(--line); }
#details { position: fixed; left: 0; right: 0; bottom: 0; max-height: 36vh; overflow: auto; z-index: 10;
  background: #ffffff; border-top: 2px solid #1f2328; padding: 6px 16px; box-shadow: 0 -2px 8px rgba(0, 0, 0, 0.12); }
#details h2 { font-size: 13px; }
#details pre { margin: 4px 0 0; white-space: pre-wrap; word-break: break-word; }
`;

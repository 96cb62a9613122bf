import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * What the pages load, served by Ferry itself (no CDN: the CSP allows only this origin). The
 * chart library is uPlot, from the package Ferry depends on.
 */
const require = createRequire(import.meta.url);

const STYLESHEET = `
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6576; --line: #d9dee7; --accent: #1f6feb; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f6f8fa; }
header { background: #0d1b2a; color: #fff; padding: 10px 24px; }
.brand { font-weight: 700; letter-spacing: .04em; }
main { max-width: 1100px; margin: 24px auto; padding: 0 24px; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 24px 0 8px; }
p.lead { color: var(--muted); margin-top: 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin-bottom: 16px; }
.columns { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; align-items: start; }
@media (max-width: 800px) { .columns { grid-template-columns: 1fr; } }
label { display: block; font-weight: 600; margin: 10px 0 4px; }
label small { font-weight: 400; color: var(--muted); }
input, select, textarea { width: 100%; padding: 7px 9px; border: 1px solid var(--line); border-radius: 6px; font: inherit; background: #fff; }
textarea { min-height: 90px; font-family: ui-monospace, monospace; font-size: 12px; }
/* A pasted private key is a credential: masked like a password field, against shoulder surfing and screenshots. */
textarea.secret { -webkit-text-security: disc; }
fieldset { border: 1px solid var(--line); border-radius: 8px; padding: 8px 16px 16px; margin: 16px 0; }
legend { font-weight: 700; padding: 0 6px; }
button, .button { display: inline-block; padding: 8px 16px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; font: inherit; font-weight: 600; cursor: pointer; text-decoration: none; }
button.secondary { background: #fff; color: var(--accent); }
.actions { display: flex; gap: 12px; margin-top: 16px; }
pre { background: #0d1b2a; color: #e6edf3; padding: 12px; border-radius: 6px; overflow-x: auto; font-size: 12px; white-space: pre-wrap; }
table { width: 100%; border-collapse: collapse; background: #fff; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; color: var(--muted); letter-spacing: .04em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { font-weight: 700; }
.status.succeeded, .status.pass, .status.active { color: var(--ok); }
.status.failed, .status.fail, .status.abandoned { color: var(--bad); }
.status.running, .status.warn, .status.paused { color: var(--warn); }
.status.skip, .status.used, .status.expired { color: var(--muted); }
.notice { border-left: 4px solid var(--accent); }
.notice.bad { border-left-color: var(--bad); }
.notice.ok { border-left-color: var(--ok); }
.checks li { margin: 4px 0; }
.chart { min-height: 240px; }
nav.crumbs { margin-bottom: 12px; color: var(--muted); }
nav.crumbs a { color: var(--accent); }
form.inline { display: inline; margin-left: 12px; }
form.inline button { padding: 2px 10px; font-size: 13px; }
`;

/** Draws the console's charts from the JSON each chart element carries (its data-chart attribute), with uPlot. */
const CONSOLE_SCRIPT = `
document.querySelectorAll('[data-chart]').forEach(function (element) {
  var chart = JSON.parse(element.getAttribute('data-chart'));
  var width = Math.max(280, (element.clientWidth || 600) - 40);
  var times = chart.data[0];
  // One transfer alone would make uPlot span years around it: show the hour around it instead.
  var x = times.length === 1 ? { time: true, range: [times[0] - 1800, times[0] + 1800] } : { time: true };
  new uPlot({
    title: chart.title,
    width: width,
    height: 220,
    scales: { x: x },
    series: [{}].concat(chart.series.map(function (name, i) { return { label: name, stroke: ['#1f6feb', '#1a7f37', '#cf222e'][i % 3], width: 2, points: { show: true } }; })),
    axes: [{}, { label: chart.unit }],
  }, chart.data, element);
});
`;

export interface Asset {
  readonly type: string;
  readonly body: string | Buffer;
}

/** Assets by path, read once. */
export function loadAssets(): Map<string, Asset> {
  const uplot = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`));
  return new Map<string, Asset>([
    ['/assets/ferry.css', { type: 'text/css; charset=utf-8', body: STYLESHEET }],
    ['/assets/console.js', { type: 'text/javascript; charset=utf-8', body: CONSOLE_SCRIPT }],
    ['/assets/uplot.js', { type: 'text/javascript; charset=utf-8', body: uplot('uPlot.iife.min.js') }],
    ['/assets/uplot.css', { type: 'text/css; charset=utf-8', body: uplot('uPlot.min.css') }],
  ]);
}

/**
 * The HTML report's inline style sheet and script (no network: everything is in the one file).
 * The script only sorts and filters the server-rendered layer tables; the page is readable
 * without it.
 */

export const HTML_CSS = `
:root { --ok: #1a7f37; --bad: #c00; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; --bg2: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0; color: #1f2328; background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.verdict { display: inline-block; padding: 6px 12px; border-radius: 6px; font-weight: 700; font-size: 16px; color: #fff; }
.verdict.parity { background: var(--ok); }
.verdict.diverged, .verdict.inputs-differ { background: var(--bad); }
.verdict.incomplete { background: var(--warn); }
.meta-line { color: var(--muted); margin: 4px 0; }
.banner { border: 2px solid var(--bad); background: #fff0f0; padding: 8px 12px; border-radius: 6px; font-weight: 600; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { border: 1px solid var(--line); padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: var(--bg2); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.layers { width: 100%; font-size: 13px; }
table.layers th { cursor: pointer; user-select: none; position: sticky; top: 0; white-space: nowrap; }
table.layers th[aria-sort="ascending"]::after { content: " ▲"; }
table.layers th[aria-sort="descending"]::after { content: " ▼"; }
table.layers td.name { min-width: 180px; max-width: 380px; overflow-wrap: anywhere; }
tr.diverged td { background: #fff4f4; }
tr.cannot-compare td { background: #fffbe6; }
tr.first td { background: #ffd7d7; font-weight: 700; }
tr.culprit td.name::before { content: "◆ "; color: #f90; }
.st-ok { color: var(--ok); } .st-diverged { color: var(--bad); font-weight: 600; } .st-cannot-compare { color: var(--warn); }
.filters { display: flex; gap: 12px; align-items: center; margin: 6px 0; flex-wrap: wrap; }
.filters input[type=search] { width: 280px; padding: 4px 6px; }
.count { color: var(--muted); }
.table-wrap { max-height: 640px; overflow: auto; border: 1px solid var(--line); }
.finding { border: 1px solid var(--line); border-left: 5px solid var(--bad); border-radius: 6px; padding: 8px 12px; margin: 10px 0; background: #fff; }
.finding.code-OK { border-left-color: var(--ok); }
.finding .code { font-weight: 700; margin-right: 6px; }
.finding ol { margin: 4px 0 4px 20px; padding: 0; }
.plot-wrap { border: 1px solid var(--line); border-radius: 6px; padding: 6px; }
svg.plot text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: #1f2328; }
svg.plot .panel-title { font-weight: 600; font-size: 12px; }
svg.plot .frame { fill: #fff; stroke: #8c959f; }
svg.plot .grid { stroke: #eaeef2; }
svg.plot .tick { fill: #57606a; }
svg.plot .threshold { stroke: #c00; stroke-dasharray: 6 4; }
svg.plot .threshold-label { fill: #c00; }
svg.plot .fd-line { stroke-dasharray: 3 3; opacity: 0.8; }
svg.plot .fd-mark { fill: none; stroke: #c00; stroke-width: 2; }
svg.plot .fd-label { font-weight: 700; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
svg.plot .culprit-mark { fill: #f90; stroke: #000; }
.muted { color: var(--muted); }
footer { margin-top: 36px; border-top: 1px solid var(--line); padding-top: 8px; color: var(--muted); font-size: 12px; }
`;

/** Client script (ES2017, no modules): click-to-sort headers and per-table text/status filters. */
export const HTML_SCRIPT = `
(function () {
  'use strict';
  function num(v) { if (v === null || v === '') return NaN; return Number(v); }
  function each(list, f) { Array.prototype.forEach.call(list, f); }
  function sortBy(table, idx) {
    var ths = table.tHead.rows[0].cells;
    var th = ths[idx];
    var type = th.getAttribute('data-type');
    var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    each(ths, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var va = a.cells[idx].getAttribute('data-v'), vb = b.cells[idx].getAttribute('data-v');
      if (type === 'num') {
        var x = num(va), y = num(vb), xn = isNaN(x), yn = isNaN(y);
        if (xn || yn) { if (!(xn && yn)) return xn ? 1 : -1; }
        else if (x !== y) return x < y ? -dir : dir;
      } else {
        var c = String(va).localeCompare(String(vb));
        if (c) return c * dir;
      }
      return Number(a.getAttribute('data-i')) - Number(b.getAttribute('data-i'));
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  each(document.querySelectorAll('table.layers'), function (table) {
    each(table.tHead.rows[0].cells, function (th, idx) {
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortBy(table, idx); });
      th.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); sortBy(table, idx); } });
    });
  });
  each(document.querySelectorAll('.filters'), function (f) {
    var table = document.getElementById(f.getAttribute('data-for'));
    var text = f.querySelector('input[type=search]');
    var status = f.querySelector('select');
    var count = f.querySelector('.count');
    function apply() {
      var q = text.value.trim().toLowerCase();
      var s = status.value;
      var shown = 0, total = 0;
      each(table.tBodies[0].rows, function (r) {
        total++;
        var ok = (!q || r.getAttribute('data-search').indexOf(q) >= 0) && (s === 'all' || r.getAttribute('data-status') === s);
        r.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown + ' of ' + total + ' layers shown';
    }
    text.addEventListener('input', apply);
    status.addEventListener('change', apply);
    apply();
  });
})();
`;

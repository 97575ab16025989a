/**
 * The HTML report's plot, pre-rendered as inline SVG (works without script and from file://):
 * three stacked panels along layer order — 1 − cosine (log scale), SQNR in dB, max |Δ| (log
 * scale) — one line per edge, the first divergence of each edge circled and marked by a vertical
 * line, culprit layers (named by findings) as squares. Reads report values only.
 */
import type { Report, ReportEdge, ReportLayer, JsonNumber } from './schema.js';
import { fromJsonNumber } from './schema.js';
import { culpritsByEdge, fmtNum } from './format.js';
import { escHtml } from './html-escape.js';

/** Line colours by edge index (colour-blind-safe palette, Okabe & Ito 2008). */
export const EDGE_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

type Scale = 'log' | 'linear';

interface Panel {
  metric: 'cosine' | 'sqnrDb' | 'maxAbs';
  title: string;
  scale: Scale;
  /** The plotted value of a layer (before clamping), or null for a gap. */
  value: (l: ReportLayer) => number | null;
}

/** Smallest value shown on the log panels; 0 (exact equality) is drawn on this floor. */
const LOG_FLOOR = 1e-9;

const PANELS: Panel[] = [
  { metric: 'cosine', title: '1 − cosine (log scale; lower is better)', scale: 'log', value: (l) => num(l.cosine, (c) => 1 - c) },
  { metric: 'sqnrDb', title: 'SQNR dB (higher is better; ∞ drawn at the top)', scale: 'linear', value: (l) => num(l.sqnrDb, (x) => x) },
  { metric: 'maxAbs', title: 'max |Δ| (log scale; lower is better)', scale: 'log', value: (l) => num(l.maxAbs, (x) => x) },
];

function num(x: JsonNumber | undefined, f: (v: number) => number): number | null {
  if (x === undefined) return null;
  const v = fromJsonNumber(x);
  if (Number.isNaN(v)) return null;
  if (!Number.isFinite(v)) return v > 0 ? f(Infinity) : f(-Infinity);
  return f(v);
}

const W = 980;
const PH = 190; // panel height
const ML = 64;
const MR = 16;
const MT = 26;
const MB = 22;
const GAP = 18;

interface Domain {
  lo: number;
  hi: number;
}

function logDomain(values: number[]): Domain {
  const fin = values.filter((v) => Number.isFinite(v)).map((v) => Math.max(v, LOG_FLOOR));
  if (!fin.length) return { lo: -4, hi: 0 };
  let lo = Math.floor(Math.log10(Math.min(...fin)));
  let hi = Math.ceil(Math.log10(Math.max(...fin)));
  if (hi <= lo) hi = lo + 1;
  lo = Math.max(lo, Math.log10(LOG_FLOOR));
  return { lo, hi };
}

function linDomain(values: number[]): Domain {
  const fin = values.filter((v) => Number.isFinite(v));
  if (!fin.length) return { lo: 0, hi: 60 };
  let lo = Math.min(...fin);
  let hi = Math.max(...fin);
  if (hi - lo < 1) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.08;
  // room at the top for the points drawn as infinite
  return { lo: Math.floor(lo - pad), hi: Math.ceil(hi + pad * 2) };
}

interface Xmap {
  min: number;
  max: number;
}

function px(x: number, xm: Xmap): number {
  const span = xm.max - xm.min || 1;
  return ML + ((x - xm.min) / span) * (W - ML - MR);
}

function py(v: number, d: Domain, scale: Scale, top: number): number {
  let t: number;
  if (scale === 'log') {
    const lv = Number.isFinite(v) ? Math.log10(Math.max(v, LOG_FLOOR)) : v > 0 ? d.hi : d.lo;
    t = (lv - d.lo) / (d.hi - d.lo);
  } else {
    const lv = Number.isFinite(v) ? v : v > 0 ? d.hi : d.lo;
    t = (lv - d.lo) / (d.hi - d.lo);
  }
  t = Math.min(1, Math.max(0, t));
  return top + PH - t * PH;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

function ticks(d: Domain, scale: Scale): number[] {
  if (scale === 'log') {
    const step = Math.max(1, Math.ceil((d.hi - d.lo) / 6));
    const out: number[] = [];
    for (let e = d.lo; e <= d.hi; e += step) out.push(e);
    return out;
  }
  const span = d.hi - d.lo;
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= 6) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(d.lo / step) * step; v <= d.hi + 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

/** About 8 round integer positions along the layer axis, ends included. */
function xTicks(xm: Xmap): number[] {
  const span = xm.max - xm.min;
  if (span <= 0) return [xm.min];
  const raw = span / 8;
  const mag = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= 10) ?? Math.ceil(raw));
  const out = [xm.min];
  for (let v = Math.ceil((xm.min + step / 2) / step) * step; v < xm.max - step / 2; v += step) out.push(v);
  out.push(xm.max);
  return out;
}

function tickLabel(t: number, scale: Scale): string {
  return scale === 'log' ? (t === Math.log10(LOG_FLOOR) ? `≤1e${t}` : `1e${t}`) : String(t);
}

function layerTitle(e: ReportEdge, l: ReportLayer, p: Panel): string {
  const raw = p.metric === 'cosine' ? `cosine ${fmtNum(l.cosine)}` : p.metric === 'sqnrDb' ? `SQNR ${fmtNum(l.sqnrDb, 2)} dB` : `max |Δ| ${fmtNum(l.maxAbs)}`;
  return `${e.id} #${l.order} ${l.name}${l.opType ? ` (${l.opType})` : ''}: ${raw}; ${l.status}`;
}

/** Renders the plot of every edge as one inline SVG element. */
export function renderPlotSvg(r: Report): string {
  const edges = r.edges.filter((e) => e.layers.length > 0);
  const orders = edges.flatMap((e) => e.layers.map((l) => l.order));
  const xm: Xmap = { min: orders.length ? Math.min(...orders) : 0, max: orders.length ? Math.max(...orders) : 1 };
  const H = MT + PANELS.length * (PH + MB + GAP) + 8;
  const culprits = culpritsByEdge(r);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="plot" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="per-layer metrics along layer order, one line per edge">`,
  ];
  // legend
  let lx = ML;
  edges.forEach((e) => {
    const c = EDGE_COLORS[r.edges.indexOf(e) % EDGE_COLORS.length]!;
    out.push(`<g class="legend-item"><line x1="${lx}" y1="12" x2="${lx + 22}" y2="12" stroke="${c}" stroke-width="3"/><text x="${lx + 27}" y="16">${escHtml(`${e.id} (${e.kind})`)}</text></g>`);
    lx += 40 + 8 * (e.id.length + e.kind.length + 3);
  });
  out.push(
    `<g class="legend-item"><circle cx="${lx + 6}" cy="12" r="5" fill="none" stroke="#c00" stroke-width="2"/><text x="${lx + 16}" y="16">first divergence</text></g>`,
    `<g class="legend-item"><rect x="${lx + 134}" y="7" width="9" height="9" fill="#f90" stroke="#000"/><text x="${lx + 148}" y="16">culprit (finding)</text></g>`,
  );
  PANELS.forEach((p, pi) => {
    const top = MT + pi * (PH + MB + GAP) + 14;
    const all = edges.flatMap((e) => e.layers.map(p.value).filter((v): v is number => v !== null));
    const d = p.scale === 'log' ? logDomain(all) : linDomain(all);
    out.push(`<g class="panel" data-metric="${p.metric}">`);
    out.push(`<text class="panel-title" x="${ML}" y="${top - 5}">${escHtml(p.title)}</text>`);
    out.push(`<rect x="${ML}" y="${top}" width="${W - ML - MR}" height="${PH}" class="frame"/>`);
    for (const t of ticks(d, p.scale)) {
      const y = r1(py(p.scale === 'log' ? 10 ** t : t, d, p.scale, top));
      out.push(`<line class="grid" x1="${ML}" y1="${y}" x2="${W - MR}" y2="${y}"/><text class="tick" x="${ML - 5}" y="${y + 4}" text-anchor="end">${escHtml(tickLabel(t, p.scale))}</text>`);
    }
    if (p.metric === 'cosine') {
      const y = r1(py(1 - r.thresholds.cosine, d, 'log', top));
      out.push(`<line class="threshold" x1="${ML}" y1="${y}" x2="${W - MR}" y2="${y}"/><text class="tick threshold-label" x="${W - MR - 4}" y="${y - 4}" text-anchor="end">threshold: cosine ${r.thresholds.cosine}</text>`);
    }
    if (pi === PANELS.length - 1) out.push(`<text class="tick" x="${(ML + W - MR) / 2}" y="${top + PH + 18}" text-anchor="middle">layer order (${r.model ? 'graph order' : 'execution order'})</text>`);
    for (const t of xTicks(xm)) out.push(`<text class="tick" x="${r1(px(t, xm))}" y="${top + PH + 12}" text-anchor="middle">${t}</text>`);
    edges.forEach((e) => {
      const ei = r.edges.indexOf(e);
      const c = EDGE_COLORS[ei % EDGE_COLORS.length]!;
      const segs: string[] = [];
      let pen = false;
      let n = 0;
      const pts: string[] = [];
      const dots = e.layers.length <= 400;
      for (const l of e.layers) {
        const v = p.value(l);
        if (v === null) {
          pen = false;
          continue;
        }
        const x = r1(px(l.order, xm));
        const y = r1(py(v, d, p.scale, top));
        segs.push(`${pen ? 'L' : 'M'}${x} ${y}`);
        pen = true;
        n++;
        if (dots) pts.push(`<circle class="pt" cx="${x}" cy="${y}" r="2.2" fill="${c}"><title>${escHtml(layerTitle(e, l, p))}</title></circle>`);
      }
      out.push(`<path class="series" data-edge="${escHtml(e.id)}" data-metric="${p.metric}" data-points="${n}" d="${segs.join('')}" stroke="${c}" fill="none" stroke-width="1.6"/>`);
      out.push(...pts);
      const fd = e.firstDivergence;
      const fl = fd ? e.layers.find((l) => l.name === fd.name && l.order === fd.order) : undefined;
      if (fl) {
        const x = r1(px(fl.order, xm));
        out.push(`<line class="fd-line" x1="${x}" y1="${top}" x2="${x}" y2="${top + PH}" stroke="${c}"/>`);
        const v = p.value(fl);
        if (v !== null) out.push(`<circle class="fd-mark" data-edge="${escHtml(e.id)}" cx="${x}" cy="${r1(py(v, d, p.scale, top))}" r="6"><title>${escHtml(`first divergence on ${e.id}: ${layerTitle(e, fl, p)}`)}</title></circle>`);
        if (pi === 0) out.push(`<text class="fd-label" x="${x + 4}" y="${top + 12 + 12 * ei}" fill="${c}">${escHtml(`${e.id}: ${fl.name}`)}</text>`);
      }
      for (const name of culprits.get(e.id) ?? []) {
        const l = e.layers.find((x) => x.name === name);
        const v = l ? p.value(l) : null;
        if (!l || v === null) continue;
        const x = r1(px(l.order, xm));
        const y = r1(py(v, d, p.scale, top));
        out.push(`<rect class="culprit-mark" x="${x - 4.5}" y="${y - 4.5}" width="9" height="9"><title>${escHtml(`culprit: ${layerTitle(e, l, p)}`)}</title></rect>`);
      }
    });
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n');
}

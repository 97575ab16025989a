import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { renderHtml } from './html.js';
import { writeAllReports } from './write.js';
import { syntheticReport } from '../../golden/synthetic-report.js';
import { reportCase, type ReportCase } from '../../golden/report-case.js';
import { tmpDir } from '../../golden/temp-golden.js';
import type { Report } from './schema.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`html.test.ts: SKIPPING the browser test: ${CHROMIUM} not found (CI installs Debian's chromium; locally: apt-get install chromium)`);

let rc: ReportCase;
beforeAll(async () => {
  rc = await reportCase();
});

describe('renderHtml (static checks)', () => {
  it('is self-contained: no external URL, no src/href to the network, a CSP forbidding fetches', () => {
    const html = renderHtml(rc.combined);
    const urls = html.match(/\b(?:https?|ftp|wss?):\/\/[^\s"'<>)]+/g) ?? [];
    expect(urls.filter((u) => u !== 'http://www.w3.org/2000/svg')).toEqual([]);
    expect(html).not.toMatch(/<(?:script|img|link|iframe)[^>]*\s(?:src|href)=/i);
    expect(html).toContain("default-src 'none'");
  });

  it('embeds the report as JSON that parses back to the same value, even with </script> in a name', () => {
    const r: Report = structuredClone(rc.combined);
    r.edges[0]!.layers[0]!.name = '</script><script>alert(1)</script>\u2028';
    const html = renderHtml(r);
    const m = /<script type="application\/json" id="report-data">([^]*?)<\/script>/.exec(html)!;
    expect(JSON.parse(m[1]!)).toEqual(r);
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('is deterministic', () => {
    expect(renderHtml(structuredClone(rc.combined))).toBe(renderHtml(rc.combined));
  });

  it('draws one path per edge and panel with a point per measured layer', () => {
    const html = renderHtml(rc.combined);
    const paths = [...html.matchAll(/<path class="series" data-edge="([^"]+)" data-metric="(\w+)" data-points="(\d+)" d="([^"]*)"/g)];
    expect(paths).toHaveLength(2 * 3);
    const fl = rc.float.edges[0]!.layers.length;
    const cos = paths.find((p) => p[1] === 'float~ptq' && p[2] === 'cosine')!;
    expect(Number(cos[3])).toBe(fl);
    expect((cos[4]!.match(/[ML]/g) ?? []).length).toBe(fl);
  });
});

describe.skipIf(!haveChromium)('HTML report in headless Chromium (file://)', () => {
  let browser: Browser;
  let page: Page;
  let file: string;
  const requests: string[] = [];
  const errors: string[] = [];
  let shot: string;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    const dir = tmpDir('magik-html-');
    file = (await writeAllReports(dir, rc.combined)).html;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    shot = path.join(dir, 'report.png');
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('renders the verdict and the plot (SVG paths with points, first divergence marked)', async () => {
    expect(await page.textContent('#verdict')).toBe('verdict: diverged');
    const series = await page.$$eval('svg.plot path.series', (ps) => ps.map((p) => ({ edge: p.getAttribute('data-edge'), metric: p.getAttribute('data-metric'), d: p.getAttribute('d') ?? '', len: (p as SVGPathElement).getTotalLength() })));
    expect(series).toHaveLength(6);
    for (const s of series) {
      expect(s.d).toMatch(/^M[\d.]+ [\d.]+L/);
      expect(s.len).toBeGreaterThan(10);
    }
    expect(await page.$$eval('svg.plot circle.fd-mark', (cs) => cs.map((c) => c.getAttribute('data-edge')))).toEqual(expect.arrayContaining(['float~ptq', 'pc~board']));
    const box = await page.$eval('svg.plot', (s) => s.getBoundingClientRect().height);
    expect(box).toBeGreaterThan(300);
  });

  it('has one table row per layer', async () => {
    expect(await page.$$eval('#layers-0 tbody tr', (rs) => rs.length)).toBe(rc.float.edges[0]!.layers.length);
    expect(await page.$$eval('#layers-1 tbody tr', (rs) => rs.length)).toBe(rc.integer.edges[0]!.layers.length);
    expect(await page.$eval('#layers-1 tr.first td.name', (td) => td.textContent)).toBe(rc.boardCulprit);
  });

  it('sorts by cosine when the header is clicked (ascending, then descending)', async () => {
    const names = () => page.$$eval('#layers-0 tbody tr td.name code', (cs) => cs.map((c) => c.textContent));
    const before = await names();
    const cosines = rc.float.edges[0]!.layers.map((l) => ({ name: l.name, c: l.cosine as number }));
    await page.click('#layers-0 th:has-text("cosine")');
    const asc = await names();
    expect(asc).toEqual([...cosines].sort((a, b) => a.c - b.c).map((x) => x.name));
    expect(asc).not.toEqual(before);
    expect(asc[0]).toBe(rc.floatCulprit);
    expect(await page.getAttribute('#layers-0 th:has-text("cosine")', 'aria-sort')).toBe('ascending');
    await page.click('#layers-0 th:has-text("cosine")');
    expect(await names()).toEqual([...asc].reverse());
  });

  it('filters by text and by status', async () => {
    const visible = () => page.$$eval('#layers-0 tbody tr', (rs) => rs.filter((r) => !(r as HTMLElement).hidden).length);
    const total = rc.float.edges[0]!.layers.length;
    const conv = rc.float.edges[0]!.layers.filter((l) => `${l.name} ${l.nodeName ?? ''} ${l.opType ?? ''}`.toLowerCase().includes('conv2d_1')).length;
    await page.fill('.filters[data-for="layers-0"] input[type=search]', 'conv2d_1');
    expect(await visible()).toBe(conv);
    expect(conv).toBeLessThan(total);
    expect(await page.textContent('.filters[data-for="layers-0"] .count')).toBe(`${conv} of ${total} layers shown`);
    await page.fill('.filters[data-for="layers-0"] input[type=search]', '');
    await page.selectOption('.filters[data-for="layers-0"] select', 'diverged');
    expect(await visible()).toBe(rc.float.edges[0]!.summary.diverged);
    await page.selectOption('.filters[data-for="layers-0"] select', 'all');
    expect(await visible()).toBe(total);
  });

  it('made no network request and logged no error; screenshot taken', async () => {
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(errors).toEqual([]);
    console.log(`html.test.ts: screenshot ${shot}`);
  });

  it('renders a 2000-layer report and keeps sort/filter working', async () => {
    const big = renderHtml(syntheticReport({ layers: 2000, divergeAt: 1500 }));
    const p = await browser.newPage();
    const errs: string[] = [];
    p.on('pageerror', (e) => errs.push(e.message));
    await p.setContent(big);
    expect(await p.$$eval('#layers-0 tbody tr', (rs) => rs.length)).toBe(2000);
    await p.selectOption('.filters[data-for="layers-1"] select', 'diverged');
    expect(await p.$$eval('#layers-1 tbody tr', (rs) => rs.filter((r) => !(r as HTMLElement).hidden).length)).toBe(1);
    expect(errs).toEqual([]);
    await p.close();
  });
});

describe('writeAllReports output for the browser', () => {
  it('writes an HTML file that names every edge', async () => {
    const dir = tmpDir('magik-html-w-');
    const f = await writeAllReports(dir, rc.combined);
    const html = readFileSync(f.html, 'utf8');
    for (const e of rc.combined.edges) expect(html).toContain(`data-edge="${e.id}"`);
  });
});

import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import * as path from 'node:path';
import { renderMarkdown } from './markdown.js';
import { writeAllReports } from './write.js';
import { syntheticReport } from '../../golden/synthetic-report.js';
import { reportCase, type ReportCase } from '../../golden/report-case.js';
import { tmpDir } from '../../golden/temp-golden.js';
import type { Report } from './schema.js';

let rc: ReportCase;
beforeAll(async () => {
  rc = await reportCase();
});

/** The rows of the markdown table that follows the heading of `edgeId`. */
function tableRows(md: string, edgeId: string): string[][] {
  const start = md.indexOf(`### Edge \`${edgeId}\``);
  const lines = md.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('| #'));
  const rows: string[][] = [];
  for (let i = first + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    rows.push(lines[i]!.slice(2, -2).split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

describe('renderMarkdown on a real report (golden PC vs board, perturbed debug folder)', () => {
  it('states the verdict, tool version, missing model, thresholds', () => {
    const md = renderMarkdown(rc.combined);
    expect(md.startsWith('# magik-parity report\n')).toBe(true);
    expect(md).toContain('**Verdict: diverged**');
    expect(md).toContain(`- tool: \`magik-parity ${rc.combined.tool.version}\`, report.json schema v1`);
    expect(md).toContain('- model: not given');
    expect(md).toContain('float edges diverge below cosine 0.99');
    expect(md).toContain('| cosine | 0.99 |');
  });

  it('shows the inputs check with the real md5 of input_uint8.bin', () => {
    const md = renderMarkdown(rc.combined);
    const md5 = createHash('md5').update(readFileSync(path.join(rc.debugDir, 'input_uint8.bin'))).digest('hex');
    expect(md).toContain(`Inputs identical to \`${path.join(rc.debugDir, 'input_uint8.bin')}\` (md5 \`${md5}\`)`);
    expect(md).toMatch(new RegExp(`\\| float \\| \`[^|]+input_uint8\\.bin\` \\| \`${md5}\` \\| yes \\|`));
  });

  it('names the first divergence of each edge with the measured evidence', () => {
    const md = renderMarkdown(rc.combined);
    const c = rc.index.board.corrupted;
    const fm = c.firstMismatch.nhwc;
    expect(md).toContain(`**First divergence:** ${c.pcName.replace(/_/g, '\\_')} at \\#`);
    expect(md).toContain(`md5 differs, ${c.mismatchCount} of ${c.shape.reduce((a, b) => a * b, 1)} elements, first at n,h,w,c=(${fm.join(',')})`);
    const fl = rc.float.edges[0]!.layers.find((l) => l.name === rc.floatCulprit)!;
    expect(typeof fl.cosine === 'number' && fl.cosine < 0.99).toBe(true);
    expect(md).toContain(`**First divergence:** functional\\_1/conv2d\\_1/Conv2D (Conv) at \\#${fl.order}: cosine`);
  });

  it('has one table row per layer with the report values', () => {
    const md = renderMarkdown(rc.combined);
    const pcBoard = rc.integer.edges[0]!;
    const rows = tableRows(md, 'pc~board');
    expect(rows).toHaveLength(pcBoard.layers.length);
    const bad = rows.find((r) => r[1]!.includes(rc.boardCulprit))!;
    expect(bad[5]).toBe('differs');
    expect(bad[6]).toBe(String(rc.index.board.corrupted.mismatchCount));
    expect(bad[8]).toContain('FIRST DIVERGENCE');
    expect(bad[8]).toContain('culprit'); // named by the finding
    const crashed = rows.find((r) => r[1]!.includes('440_Quantize'))!;
    expect(crashed[8]).toBe('cannot-compare');
    expect(md).toContain('`440_Quantize`: cannot compare: pc: ');
    const frows = tableRows(md, 'float~ptq');
    expect(frows).toHaveLength(rc.float.edges[0]!.layers.length);
    for (const l of rc.float.edges[0]!.layers) {
      const row = frows.find((r) => r[1]!.includes(l.name))!;
      expect(Number(row[5])).toBeCloseTo(l.cosine as number, 5);
    }
  });

  it('lists unmatched layers, findings with evidence and recommendations, sources, and the run apart', () => {
    const md = renderMarkdown(rc.combined);
    expect(md).toContain('- only in `pc` (1): `427`');
    expect(md).toContain(`### [D] the board's ${rc.boardCulprit.replace(/_/g, '\\_')} differs`);
    expect(md).toMatch(/\| mismatches \| `5` \|/);
    expect(md).toContain('1. re-run the board program on input\\_uint8.bin and compare again');
    expect(md).toMatch(/\| board \| board \| `[^`]+board` \|/);
    const run = md.indexOf('## Run');
    expect(run).toBeGreaterThan(md.indexOf('## Sources'));
    expect(md.slice(run)).toContain(rc.combined.meta.createdAt);
    expect(md.slice(0, run)).not.toContain(rc.combined.meta.createdAt);
  });

  it('names the model and its md5 when the report has one', () => {
    const md = renderMarkdown(syntheticReport());
    expect(md).toContain('- model: `/data/model.onnx` (md5 `0123456789abcdef0123456789abcdef`)');
  });

  it('is deterministic: the same report gives the same text; meta only changes the Run section', () => {
    const a = renderMarkdown(rc.combined);
    expect(renderMarkdown(structuredClone(rc.combined))).toBe(a);
    const other: Report = { ...rc.combined, meta: { createdAt: '2000-01-01T00:00:00.000Z', command: ['x'], elapsedMs: 1 } };
    const b = renderMarkdown(other);
    expect(b).not.toBe(a);
    expect(b.slice(0, b.indexOf('## Run'))).toBe(a.slice(0, a.indexOf('## Run')));
  });
});

describe('renderMarkdown on long edges and awkward names', () => {
  it('shows head, the rows around the first divergence and the tail, with a note', () => {
    const r = syntheticReport({ layers: 300, divergeAt: 150 });
    const md = renderMarkdown(r);
    const rows = tableRows(md, 'float~ptq');
    const shown = rows.filter((x) => x[1] !== '…');
    expect(shown.map((x) => Number(x[0]))).toEqual([0, 1, 2, 3, 4, ...Array.from({ length: 16 }, (_, i) => 145 + i), 295, 296, 297, 298, 299]);
    expect(rows.filter((x) => x[1] === '…')).toHaveLength(2);
    expect(md).toContain('> Note: 26 of 300 layers shown');
    expect(renderMarkdown(r, { maxRows: 1000 })).not.toContain('> Note:');
  });

  it('keeps the table intact when names hold | and backticks', () => {
    const r = syntheticReport({ layers: 4, divergeAt: 2 });
    r.edges[0]!.layers[1]!.name = 'a|b`c';
    const rows = tableRows(renderMarkdown(r), 'float~ptq');
    expect(rows[1]).toHaveLength(10);
    expect(rows[1]![1]).toBe("`a\\|b'c`");
  });
});

describe('writeAllReports', () => {
  it('names an output path that is not a folder (exit 2, not a crash)', async () => {
    const f = path.join(tmpDir('magik-report-bad-'), 'a-file');
    writeFileSync(f, 'x');
    await expect(writeAllReports(f, rc.combined)).rejects.toThrow(`${f}: exists and is not a folder`);
    await expect(writeAllReports(path.join(f, 'sub'), rc.combined)).rejects.toThrow(UserError);
  });


  it('writes report.json, report.md and report.html atomically (no temporary files left)', async () => {
    const dir = path.join(tmpDir('magik-report-write-'), 'out');
    const files = await writeAllReports(dir, rc.combined);
    expect(readdirSync(dir).sort()).toEqual(['report.html', 'report.json', 'report.md']);
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(rc.combined);
    expect(readFileSync(files.markdown, 'utf8')).toBe(renderMarkdown(rc.combined));
    expect(readFileSync(files.html, 'utf8')).toContain('<script type="application/json" id="report-data">');
  });
});

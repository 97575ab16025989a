import { describe, it, expect, beforeAll, afterEach, vi } from 'vitest';
import { promises as fsp, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { diffReports, compareLayer } from './diff.js';
import { renderDiffTerminal } from './diff-terminal.js';
import { loadReport, parseReport } from './load.js';
import { writeReport } from './write.js';
import { syntheticReport } from '../../golden/synthetic-report.js';
import { reportCase, type ReportCase } from '../../golden/report-case.js';
import { tmpDir } from '../../golden/temp-golden.js';
import { compare } from '../compare/compare.js';
import { runDiff } from '../cli/commands/diff.js';
import { reportError } from '../cli/run.js';
import { UserError } from '../errors.js';
import type { Report } from './schema.js';

let rc: ReportCase;
/** pc~board with the corrupted board layer restored from the PC bytes (real compare run). */
let fixed: Report;

beforeAll(async () => {
  rc = await reportCase();
  const { dir, index } = rc;
  const board = path.join(tmpDir('magik-diff-board-'), 'board');
  await fsp.cp(path.join(dir, index.board.dir), board, { recursive: true });
  await fsp.copyFile(path.join(dir, index.pc.dumpDir, `${index.board.corrupted.pcName}.bin`), path.join(board, `${index.board.corrupted.boardName}.bin`));
  fixed = await compare({ pc: path.join(dir, index.pc.dumpDir), pcLog: path.join(dir, index.pc.log), board, boardLog: path.join(dir, index.board.log), threads: 1 });
});

describe('diffReports on real reports', () => {
  it('same report: nothing changed, no regression', () => {
    const d = diffReports(rc.integer, structuredClone(rc.integer));
    expect(d.regressed).toBe(false);
    expect(d.edges[0]!.counts).toEqual({ regressed: 0, improved: 0, unchanged: rc.integer.edges[0]!.layers.length, added: 0, removed: 0 });
    expect(d.edges[0]!.firstDivergence.move).toBe('same');
  });

  it('board fixed: the corrupted layer improved, the first divergence resolved, no regression', () => {
    const d = diffReports(rc.integer, fixed);
    expect(fixed.edges[0]!.firstDivergence).toBeNull();
    const e = d.edges[0]!;
    const l = e.layers.find((x) => x.name === rc.boardCulprit)!;
    expect(l.outcome).toBe('improved');
    expect(l.why).toEqual(expect.arrayContaining(['status diverged -> ok', 'md5 differs -> equal', `mismatches ${rc.index.board.corrupted.mismatchCount} -> 0`]));
    expect(e.counts.improved).toBe(1);
    expect(e.counts.regressed).toBe(0);
    expect(e.firstDivergence.move).toBe('resolved');
    expect(d.verdictWorse).toBe(false);
    expect(d.regressed).toBe(false);
  });

  it('board broken again: regression, the first divergence appeared, deltas are new - old', () => {
    const d = diffReports(fixed, rc.integer);
    const e = d.edges[0]!;
    const l = e.layers.find((x) => x.name === rc.boardCulprit)!;
    expect(l.outcome).toBe('regressed');
    const oldL = fixed.edges[0]!.layers.find((x) => x.name === rc.boardCulprit)!;
    const newL = rc.integer.edges[0]!.layers.find((x) => x.name === rc.boardCulprit)!;
    expect(l.delta.cosine).toBeCloseTo((newL.cosine as number) - (oldL.cosine as number), 12);
    expect(l.delta.maxAbs).toBe(rc.integer.edges[0]!.layers.find((x) => x.name === rc.boardCulprit)!.maxAbs);
    expect(l.delta.sqnrDb).toBe('-Infinity'); // inf -> finite
    expect(e.firstDivergence.move).toBe('appeared');
    expect(d.verdictWorse).toBe(true); // incomplete -> diverged
    expect(d.regressed).toBe(true);
    const text = renderDiffTerminal(d, { color: false });
    expect(text).toContain(`first divergence APPEARED: ${rc.boardCulprit} (#`);
    expect(text).toContain('REGRESSED');
    expect(text).toContain('REGRESSION: something got worse (exit 1)');
  });

  it('float edge perturbed: cosine regression beyond the tolerance', async () => {
    const clean = await compare({ debugDir: path.join(rc.dir, rc.index.debug.dir), shapes: JSON.parse(await fsp.readFile(path.join(rc.dir, rc.index.debug.shapesFile), 'utf8')), threads: 1 });
    const d = diffReports(clean, rc.float);
    const e = d.edges[0]!;
    expect(e.counts.regressed).toBe(1);
    const l = e.layers.find((x) => x.outcome === 'regressed')!;
    expect(l.name).toBe(rc.floatCulprit);
    expect(l.why[0]).toBe('status ok -> diverged');
    expect(l.delta.cosine as number).toBeLessThan(-0.04);
    expect(e.firstDivergence.move).toBe('appeared');
    expect(diffReports(rc.float, clean).regressed).toBe(false);
  });
});

describe('diff rules', () => {
  it('cosine changes within the tolerance are not changes', () => {
    const a = syntheticReport({ layers: 8, divergeAt: 6 });
    const b = structuredClone(a);
    const l = b.edges[0]!.layers[3]!;
    l.cosine = (l.cosine as number) - 5e-5;
    expect(diffReports(a, b).regressed).toBe(false);
    expect(diffReports(a, b, { tolerance: 1e-4 }).edges[0]!.layers[3]!.outcome).toBe('unchanged');
    const strict = diffReports(a, b, { tolerance: 1e-5 });
    expect(strict.edges[0]!.layers[3]!.outcome).toBe('regressed');
    expect(strict.regressed).toBe(true);
    expect(diffReports(b, a, { tolerance: 1e-5 }).edges[0]!.layers[3]!.outcome).toBe('improved');
  });

  it('first divergence moving earlier is a regression, later is not', () => {
    const a = syntheticReport({ layers: 10, divergeAt: 6 });
    const b = syntheticReport({ layers: 10, divergeAt: 4 });
    const d = diffReports(a, b);
    expect(d.edges[0]!.firstDivergence.move).toBe('earlier');
    expect(d.regressed).toBe(true);
    expect(diffReports(b, a).edges[0]!.firstDivergence.move).toBe('later');
    expect(diffReports(b, a).edges[0]!.regressed).toBe(false);
  });

  it('reports added and removed layers and edges', () => {
    const a = syntheticReport({ layers: 6, divergeAt: 5 });
    const b = structuredClone(a);
    const gone = b.edges[0]!.layers.splice(2, 1)[0]!;
    b.edges[0]!.layers.push({ ...structuredClone(gone), name: 'new_layer', order: 99 });
    b.edges.pop();
    const d = diffReports(a, b);
    const e = d.edges[0]!;
    expect(e.layers.filter((x) => x.outcome === 'removed').map((x) => x.name)).toEqual([gone.name]);
    expect(e.layers.filter((x) => x.outcome === 'added').map((x) => x.name)).toEqual(['new_layer']);
    expect(d.edgesRemoved).toEqual(['pc~board']);
    expect(d.warnings.join('\n')).toContain('pc~board');
  });

  it('md5 equal -> differs is a regression even when the cosine is unchanged', () => {
    const a = syntheticReport({ layers: 4 });
    const x = a.edges[1]!.layers[2]!;
    const y = { ...structuredClone(x), md5Equal: false };
    expect(compareLayer(x.name, x, y, 1e-4).outcome).toBe('regressed');
  });
});

describe('report loading', () => {
  it('rejects another schema version naming the file and the version found', () => {
    const text = JSON.stringify({ ...syntheticReport(), schemaVersion: 2 });
    expect(() => parseReport(text, 'old/report.json')).toThrow(UserError);
    try {
      parseReport(text, 'old/report.json');
    } catch (e) {
      expect((e as UserError).code).toBe('REPORT_FORMAT');
      expect((e as UserError).message).toBe('old/report.json: found schema version 2; this tool reads report.json schema v1');
    }
  });

  it('rejects unparsable JSON and missing fields', () => {
    expect(() => parseReport('{"schemaVersion":1,', 'x.json')).toThrow(/x\.json: not a report\.json of schema v1 \(does not parse as JSON/);
    expect(() => parseReport('{"edges":[]}', 'y.json')).toThrow('y.json: no schemaVersion field');
    const r = syntheticReport() as unknown as { edges: { layers: Record<string, unknown>[] }[] };
    delete r.edges[0]!.layers[1]!.status;
    expect(() => parseReport(JSON.stringify(r), 'z.json')).toThrow('z.json: not a report.json of schema v1 (edges[0].layers[1] lacks name, order, status, a or b)');
  });

  it('reads a written report back unchanged', async () => {
    const f = await writeReport(tmpDir('magik-load-'), rc.combined);
    expect(await loadReport(f)).toEqual(rc.combined);
  });
});

describe('diff command: exit codes', () => {
  let out = '';
  afterEach(() => {
    vi.restoreAllMocks();
  });
  /** Runs the command body with the CLI's error boundary mapping (reportError), capturing output. */
  const run = async (args: Record<string, unknown>) => {
    out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    let code: number;
    try {
      code = await runDiff({ tolerance: 1e-4, json: false, ...args } as Parameters<typeof runDiff>[0]);
    } catch (e) {
      code = reportError(e, false);
    }
    vi.restoreAllMocks();
    return code;
  };

  it('0 without regression, 1 with regression, 2 for a bad report; --json prints the diff', async () => {
    const dir = tmpDir('magik-diff-cli-');
    const broken = await writeReport(path.join(dir, 'broken'), rc.integer);
    const good = await writeReport(path.join(dir, 'good'), fixed);
    expect(await run({ old: broken, new: good })).toBe(0);
    expect(out).toContain('no regression');
    expect(await run({ old: good, new: broken })).toBe(1);
    expect(out).toContain('REGRESSION');
    expect(await run({ old: good, new: broken, json: true })).toBe(1);
    expect(JSON.parse(out).regressed).toBe(true);
    const v2 = path.join(dir, 'v2.json');
    writeFileSync(v2, JSON.stringify({ ...fixed, schemaVersion: 2 }));
    expect(await run({ old: good, new: v2 })).toBe(2);
    expect(out).toContain(`${v2}: found schema version 2`);
    expect(await run({ old: good, new: path.join(dir, 'missing.json') })).toBe(2);
    expect(await run({ old: good, new: good, tolerance: -1 })).toBe(2);
  });
});

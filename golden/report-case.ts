/**
 * Real reports for the report renderers' tests, made by the real compare flow on golden folders:
 * - `integer`: vendor PC `MAGIK_DATA_DUMP/` vs the board copy (edge pc~board): the corrupted
 *   layer is the first divergence (md5), the crashed layer cannot be compared, `427` is PC-only.
 * - `float`: a copy of the golden debug folder whose `ptq_model_dequantize/` dump of
 *   `functional_1/conv2d_1/Conv2D` got a known perturbation (every 3rd value + 0.75), so edge
 *   float~ptq diverges there (cosine well below 0.99) and the other layers stay at parity.
 * - `combined`: both edges in one report (sources and edges concatenated, inputs from `float`),
 *   plus one finding of code D on the corrupted board layer, written the way triage will (the
 *   triage stage is not merged yet), so findings render too.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { goldenTmp, tmpDir } from './temp-golden.js';
import type { GoldenIndex } from './golden-types.js';
import { compare } from '../src/compare/compare.js';
import { loadShapesMap } from '../src/dumps/shapes-map.js';
import type { Report } from '../src/report/schema.js';

export interface ReportCase {
  dir: string;
  index: GoldenIndex;
  /** The debug-folder copy with the perturbed layer. */
  debugDir: string;
  integer: Report;
  float: Report;
  combined: Report;
  /** Name of the perturbed float-edge layer and of the corrupted board layer. */
  floatCulprit: string;
  boardCulprit: string;
}

export const FLOAT_CULPRIT = 'functional_1/conv2d_1/Conv2D';

/** Adds 0.75 to every third float32 value of a raw dump (in place, in our own copy). */
async function perturb(file: string): Promise<void> {
  const buf = await fsp.readFile(file);
  const f = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  for (let i = 0; i < f.length; i += 3) f[i] = f[i]! + 0.75;
  await fsp.writeFile(file, buf);
}

let cached: Promise<ReportCase> | null = null;

/** Builds (once per test process) the reports described above. */
export function reportCase(): Promise<ReportCase> {
  cached ??= (async () => {
    const { dir, index } = await goldenTmp();
    const integer = await compare({
      pc: path.join(dir, index.pc.dumpDir),
      pcLog: path.join(dir, index.pc.log),
      board: path.join(dir, index.board.dir),
      boardLog: path.join(dir, index.board.log),
      threads: 1,
      command: ['compare', '--pc', path.join(dir, index.pc.dumpDir), '--board', path.join(dir, index.board.dir)],
    });
    const debugDir = path.join(tmpDir('magik-report-case-'), 'debug');
    await fsp.cp(path.join(dir, index.debug.dir), debugDir, { recursive: true });
    const node = index.debug.nodes.find((n) => n.node === FLOAT_CULPRIT)!;
    await perturb(path.join(debugDir, 'ptq_model_dequantize', node.file));
    const float = await compare({
      debugDir,
      shapes: await loadShapesMap(path.join(dir, index.debug.shapesFile)),
      input: path.join(debugDir, 'input_uint8.bin'),
      threads: 1,
      command: ['compare', '--debug-dir', debugDir, '--input', path.join(debugDir, 'input_uint8.bin')],
    });
    const boardCulprit = index.board.corrupted.pcName;
    const bl = integer.edges[0]!.layers.find((l) => l.name === boardCulprit)!;
    const combined: Report = {
      ...float,
      sources: [...float.sources, ...integer.sources],
      edges: [...float.edges, ...integer.edges],
      findings: [
        {
          code: 'D',
          edge: 'pc~board',
          layer: boardCulprit,
          message: `the board's ${boardCulprit} differs from the PC library's (first layer whose md5 differs)`,
          evidence: { mismatches: bl.mismatches, count: bl.count, mismatchesPerChannel: bl.mismatchesPerChannel, maxAbs: bl.maxAbs },
          recommendations: ['re-run the board program on input_uint8.bin and compare again', 'send the bundle of this layer to vendor support'],
        },
      ],
      verdict: 'diverged',
    };
    return { dir, index, debugDir, integer, float, combined, floatCulprit: FLOAT_CULPRIT, boardCulprit };
  })();
  return cached;
}

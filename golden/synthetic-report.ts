/**
 * Test fixtures for the report renderers: a synthetic report with known values (any number of
 * layers, a known first divergence), built from the schema types only. The real-data report used
 * by the tests comes from `report-case.ts` (the compare flow on golden folders).
 */
import { REPORT_SCHEMA_VERSION, type Report, type ReportEdge, type ReportLayer } from '../src/report/schema.js';

export interface SyntheticOptions {
  /** Layers per edge (default 12). */
  layers?: number;
  /** Index (0-based, in order) of the first layer below the cosine threshold on the float edge (default 6). */
  divergeAt?: number;
}

/**
 * A report with two edges: `float~ptq` (float; cosine 0.9999 - 1e-5*i until `divergeAt`, then
 * 0.95 - 0.01*(i-divergeAt)) and `pc~board` (integer; md5 differs at `divergeAt + 1` only).
 * Layer 0 is the network input (rule 'input'). Deterministic.
 */
export function syntheticReport(o: SyntheticOptions = {}): Report {
  const n = o.layers ?? 12;
  const k = o.divergeAt ?? 6;
  const floatLayers: ReportLayer[] = [];
  const intLayers: ReportLayer[] = [];
  for (let i = 0; i < n; i++) {
    const name = i === 0 ? 'input' : `layer_${i}/conv`;
    const san = name.replace(/[^A-Za-z0-9._-]/g, '_');
    const cos = i < k ? 0.9999 - 1e-5 * i : 0.95 - 0.01 * (i - k);
    const shape = [1, 8, 8, 4];
    floatLayers.push({
      order: i,
      name,
      nodeName: i === 0 ? undefined : `node_${i}`,
      opType: i === 0 ? undefined : i % 2 ? 'Conv' : 'Relu',
      shape,
      rule: i === 0 ? 'input' : 'exact',
      a: { file: `/data/float/${san}.bin`, name: san, dtype: 'float32', shape, size: 1024, md5: `f${String(i).padStart(31, '0')}` },
      b: { file: `/data/ptq/${san}.bin`, name: san, dtype: 'uint8', shape, size: 256, md5: `e${String(i).padStart(31, '0')}`, scale: 0.03125, zeroPoint: 128 },
      md5Equal: false,
      status: cos >= 0.99 ? 'ok' : 'diverged',
      ...(cos >= 0.99 ? {} : { reason: `cosine ${cos.toFixed(6)} < 0.99` }),
      valueMode: 'dequantized',
      count: 256,
      cosine: cos,
      sqnrDb: Math.round(-10 * Math.log10(1 - cos) * 100) / 100,
      maxAbs: Math.round((1 - cos) * 1000 * 1e6) / 1e6,
      meanAbs: Math.round((1 - cos) * 100 * 1e6) / 1e6,
    });
    const bad = i === k + 1;
    intLayers.push({
      order: i,
      name,
      shape,
      rule: i === 0 ? 'input' : 'board-out',
      a: { file: `/data/pc/${san}.bin`, name: san, dtype: 'uint8', shape, size: 256, md5: `a${String(i).padStart(31, '0')}` },
      b: { file: `/data/board/${san}_out.bin`, name: `${san}_out`, dtype: 'uint8', shape, size: 256, md5: bad ? `b${String(i).padStart(31, '0')}` : `a${String(i).padStart(31, '0')}` },
      md5Equal: !bad,
      status: bad ? 'diverged' : 'ok',
      ...(bad ? { reason: 'md5 differs: 3 of 256 elements' } : {}),
      valueMode: 'raw',
      count: 256,
      mismatches: bad ? 3 : 0,
      ...(bad ? { firstMismatch: { index: 17, coord: [0, 0, 4, 1] } } : {}),
      cosine: bad ? 0.9995 : 1,
      sqnrDb: bad ? 33.01 : 'Infinity',
      maxAbs: bad ? 7 : 0,
    });
  }
  const edge = (id: string, a: 'float' | 'pc', b: 'ptq' | 'board', kind: 'float' | 'integer', layers: ReportLayer[]): ReportEdge => {
    const div = layers.find((l) => l.status === 'diverged' && l.rule !== 'input');
    let minCos: number | null = null;
    for (const l of layers) if (typeof l.cosine === 'number' && (minCos === null || l.cosine < minCos)) minCos = l.cosine;
    return {
      id,
      a,
      b,
      kind,
      layers,
      firstDivergence: div
        ? kind === 'integer'
          ? { name: div.name, order: div.order, metric: 'md5', value: div.mismatches ?? 'differs' }
          : { name: div.name, order: div.order, metric: 'cosine', value: div.cosine!, threshold: 0.99 }
        : null,
      unmatched: kind === 'integer' ? { a: ['427'], b: [] } : { a: [], b: [] },
      summary: {
        layers: layers.length,
        ok: layers.filter((l) => l.status === 'ok').length,
        diverged: layers.filter((l) => l.status === 'diverged').length,
        cannotCompare: layers.filter((l) => l.status === 'cannot-compare').length,
        md5Equal: layers.filter((l) => l.md5Equal === true).length,
        minCosine: minCos,
      },
    };
  };
  const fdName = floatLayers[Math.min(k, n - 1)]!.name;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'magik-parity', version: '0.1.0' },
    model: { file: '/data/model.onnx', md5: '0123456789abcdef0123456789abcdef' },
    sources: [
      { id: 'float', root: '/data/float', folderKind: 'manifest', entries: n, ignored: [], warnings: [] },
      { id: 'ptq', root: '/data/ptq', folderKind: 'manifest', entries: n, ignored: [], warnings: [] },
      { id: 'pc', root: '/data/pc', folderKind: 'vendor-pc', log: '/data/pc.log', entries: n + 1, ignored: [], warnings: [] },
      { id: 'board', root: '/data/board', folderKind: 'board', entries: n, ignored: [{ file: 'x_bt.bin', reason: 'auxiliary' }], warnings: [] },
    ],
    inputs: {
      reference: { file: '/data/input_uint8.bin', md5: 'c'.repeat(32) },
      consistent: true,
      checks: [
        { source: 'float', file: '/data/float/input.bin', md5: 'c'.repeat(32), equal: true, channels: 3 },
        { source: 'board', file: '/data/board/input_out.bin', md5: 'd'.repeat(32), equal: true, channels: 4, note: '4-channel board input: channels 0-2 equal, channel 3 all zero' },
      ],
    },
    edges: [edge('float~ptq', 'float', 'ptq', 'float', floatLayers), edge('pc~board', 'pc', 'board', 'integer', intLayers)],
    thresholds: { cosine: 0.99 },
    findings: [
      {
        code: 'B',
        edge: 'float~ptq',
        layer: fdName,
        message: `cosine starts to decline at ${fdName}; last layer below 0.95`,
        evidence: { firstCosine: 0.9999, culpritCosine: 0.95, lastCosine: 0.95 - 0.01 * (n - 1 - k), threshold: 0.99 },
        recommendations: [`"skip_node_quant": ["node_${k}"]`, '"feature_quantize_bits": 10'],
      },
    ],
    verdict: 'diverged',
    meta: { createdAt: '2026-11-26T10:00:00.000Z', command: ['compare', '--float', '/data/float'], elapsedMs: 1234 },
  };
}

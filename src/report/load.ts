/**
 * Reading a saved report.json back (for diff and bundle): parse, check it is schema v1 and has
 * the shape the renderers rely on. Anything else is a UserError REPORT_FORMAT naming the file.
 */
import { promises as fsp } from 'node:fs';
import { UserError, fsError } from '../errors.js';
import { REPORT_SCHEMA_VERSION, type Report } from './schema.js';
import { reportProblem } from './validate.js';

function bad(file: string, what: string): UserError {
  return new UserError('REPORT_FORMAT', `${file}: not a report.json of schema v${REPORT_SCHEMA_VERSION} (${what})`, 'give the report.json written by `magik-parity compare` (re-run compare with this version to get one)');
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Parses and validates report.json text. Checks the schema version first (another version →
 * "found version N"), then the fields renderers read: edges[].id/kind/layers[].name/order/status,
 * inputs, thresholds, findings, verdict, sources.
 */
export function parseReport(text: string, file: string): Report {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw bad(file, `does not parse as JSON: ${(e as Error).message}`);
  }
  if (!isObj(v)) throw bad(file, 'the top level is not an object');
  if (v.schemaVersion !== REPORT_SCHEMA_VERSION) {
    const found = v.schemaVersion === undefined ? 'no schemaVersion field' : `found schema version ${JSON.stringify(v.schemaVersion)}`;
    throw new UserError('REPORT_FORMAT', `${file}: ${found}; this tool reads report.json schema v${REPORT_SCHEMA_VERSION}`, 're-run `magik-parity compare` with this version to write a v1 report');
  }
  if (!Array.isArray(v.edges)) throw bad(file, '"edges" is not a list');
  v.edges.forEach((e, i) => {
    if (!isObj(e) || typeof e.id !== 'string' || (e.kind !== 'integer' && e.kind !== 'float') || !Array.isArray(e.layers)) throw bad(file, `edges[${i}] lacks id, kind or layers`);
    e.layers.forEach((l, j) => {
      if (!isObj(l) || typeof l.name !== 'string' || typeof l.order !== 'number' || typeof l.status !== 'string' || !isObj(l.a) || !isObj(l.b)) {
        throw bad(file, `edges[${i}].layers[${j}] lacks name, order, status, a or b`);
      }
      for (const k of ['cosine', 'sqnrDb', 'maxAbs', 'relEuclidean'] as const) {
        const x = l[k];
        if (x !== undefined && typeof x !== 'number' && x !== 'Infinity' && x !== '-Infinity' && x !== 'NaN') throw bad(file, `edges[${i}].layers[${j}] (${l.name}): ${k} ${JSON.stringify(x)} is not a number`);
      }
    });
    if (!isObj(e.summary) || !isObj(e.unmatched)) throw bad(file, `edges[${i}] lacks summary or unmatched`);
  });
  if (!isObj(v.inputs) || !Array.isArray(v.inputs.checks)) throw bad(file, '"inputs" is missing');
  if (!isObj(v.thresholds) || typeof v.thresholds.cosine !== 'number') throw bad(file, '"thresholds.cosine" is missing');
  if (!Array.isArray(v.findings)) throw bad(file, '"findings" is not a list');
  if (!Array.isArray(v.sources)) throw bad(file, '"sources" is not a list');
  if (typeof v.verdict !== 'string') throw bad(file, '"verdict" is missing');
  if (!isObj(v.tool) || !isObj(v.meta)) throw bad(file, '"tool" or "meta" is missing');
  // every other field the renderers, diff, triage and bundle read
  const problem = reportProblem(v);
  if (problem) throw bad(file, problem);
  return v as unknown as Report;
}

/** Reads and validates a report.json file. */
export async function loadReport(file: string): Promise<Report> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw fsError(e, file, 'read the report');
  }
  return parseReport(text, file);
}

/**
 * Structural check of a parsed report.json (schema v1, see schema.ts): every field a renderer,
 * diff, triage or bundle reads has the type the schema says. Returns the first problem as
 * `path: what` (e.g. `sources[0].ignored: expected a list, got undefined`), or null.
 * Written after a fuzz test found renderers crashing on a report with one flipped bit.
 */

type Check = (v: unknown, at: string) => string | null;

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const str: Check = (v, at) => (typeof v === 'string' ? null : `${at}: expected a string, got ${kind(v)}`);
const num: Check = (v, at) => (typeof v === 'number' && Number.isFinite(v) ? null : `${at}: expected a number, got ${kind(v)}`);
const bool: Check = (v, at) => (typeof v === 'boolean' ? null : `${at}: expected true/false, got ${kind(v)}`);
/** A JsonNumber: a finite number or "Infinity" / "-Infinity" / "NaN". */
const jnum: Check = (v, at) => (typeof v === 'number' || v === 'Infinity' || v === '-Infinity' || v === 'NaN' ? null : `${at}: ${JSON.stringify(v)?.slice(0, 40)} is not a number`);
const nullable = (c: Check): Check => (v, at) => (v === null ? null : c(v, at));
const optional = (c: Check): Check => (v, at) => (v === undefined ? null : c(v, at));
const oneOf = (...vals: string[]): Check => (v, at) => (typeof v === 'string' && vals.includes(v) ? null : `${at}: ${JSON.stringify(v)?.slice(0, 40)} is not one of ${vals.join(', ')}`);
const list = (c: Check): Check => (v, at) => {
  if (!Array.isArray(v)) return `${at}: expected a list, got ${kind(v)}`;
  for (let i = 0; i < v.length; i++) {
    const p = c(v[i], `${at}[${i}]`);
    if (p) return p;
  }
  return null;
};
const obj = (fields: Record<string, Check>): Check => (v, at) => {
  if (!isObj(v)) return `${at}: expected an object, got ${kind(v)}`;
  for (const [k, c] of Object.entries(fields)) {
    const p = c(v[k], `${at}.${k}`);
    if (p) return p;
  }
  return null;
};
const anyObj: Check = (v, at) => (isObj(v) ? null : `${at}: expected an object, got ${kind(v)}`);

const shape = nullable(list(num));
const side = obj({ file: str, name: str, dtype: nullable(str), shape, size: num, md5: nullable(str), scale: optional(num), zeroPoint: optional(num) });
const metric = optional(jnum);
const layer = obj({
  order: num,
  name: str,
  nodeName: optional(str),
  opType: optional(str),
  shape,
  rule: str,
  a: side,
  b: side,
  md5Equal: nullable(bool),
  status: oneOf('ok', 'diverged', 'cannot-compare'),
  reason: optional(str),
  cosine: metric,
  sqnrDb: metric,
  maxAbs: metric,
  relEuclidean: metric,
  errorGain: metric,
  graphInputs: optional(list(str)),
  single: optional(obj({ cosine: jnum, sqnrDb: metric })),
});
const edge = obj({
  id: str,
  a: str,
  b: str,
  kind: oneOf('integer', 'float'),
  layers: list(layer),
  firstDivergence: nullable(obj({ name: str, order: num, metric: str, value: (v, at) => (typeof v === 'string' ? null : jnum(v, at)) })),
  unmatched: obj({ a: list(str), b: list(str) }),
  summary: obj({ layers: num, ok: num, diverged: num, cannotCompare: num, md5Equal: num, minCosine: nullable(jnum) }),
});
const finding = obj({
  code: str,
  edge: str,
  layer: optional(str),
  layerInfo: optional(obj({ name: str, order: num, shape })),
  message: str,
  evidence: optional(anyObj),
  recommendations: optional(list(str)),
  actions: optional(list(obj({ id: str, kind: str, why: str }))),
  verified: optional(list(obj({ fix: str, before: anyObj, after: anyObj }))),
});
const report = obj({
  tool: obj({ name: str, version: str }),
  model: optional(nullable(obj({ file: str, md5: str }))),
  sources: list(obj({ id: str, root: str, folderKind: str, log: optional(str), entries: num, ignored: list(obj({ file: str, reason: str })), warnings: list(str) })),
  inputs: obj({
    reference: nullable(obj({ file: str, md5: str })),
    consistent: nullable(bool),
    checks: list(obj({ source: str, file: nullable(str), md5: nullable(str), equal: nullable(bool), channels: nullable(num), note: optional(str) })),
  }),
  edges: list(edge),
  thresholds: obj({ cosine: num }),
  findings: list(finding),
  diagnosis: optional(
    obj({
      profile: obj({ name: str }),
      culprits: list(obj({ edge: str, layers: list(obj({ name: str, order: num, cosine: jnum, cliff: jnum })) })),
      checked: list(str),
      notChecked: list(str),
    }),
  ),
  verdict: oneOf('parity', 'diverged', 'inputs-differ', 'incomplete'),
  meta: obj({ createdAt: str, command: list(str), elapsedMs: num }),
});

/** The first structural problem of a parsed report (schema v1), as `path: what`, or null. */
export function reportProblem(v: unknown): string | null {
  const p = report(v, 'report');
  return p ? p.replace(/^report\./, '') : null;
}

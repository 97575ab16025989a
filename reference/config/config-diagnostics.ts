/**
 * Error construction and "did you mean" suggestions for config validation. Every message is one
 * line: `<file>:<line>:<col>: "<key>" = <value>: <problem>`, with a hint.
 */
import { closest, distance } from 'fastest-levenshtein';
import { UserError } from '../../src/errors.js';
import type { JsonNode, SourcePos } from './json-source.js';
import { toPlain } from './json-source.js';

/** Normalises a key or enum value for comparison: trims, lower-cases, spaces/hyphens/dots → `_`. */
export function normaliseToken(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/[\s\-.]+/g, '_')
    .replace(/_+/g, '_');
}

/**
 * The valid candidate nearest to `given`, or null when none is plausibly meant. Equal after
 * normalising spaces/case → that one; otherwise the Levenshtein-closest (fastest-levenshtein) on
 * normalised text if within max(2, length/3) edits.
 */
export function nearest(given: string, candidates: readonly string[]): string | null {
  if (candidates.length === 0) return null;
  const g = normaliseToken(given);
  const norm = candidates.map(normaliseToken);
  const exact = norm.indexOf(g);
  if (exact >= 0) return candidates[exact]!;
  const best = closest(g, norm);
  const d = distance(g, best);
  if (d <= Math.max(2, Math.floor(best.length / 3))) return candidates[norm.indexOf(best)]!;
  // A prefix of a long key ("feature_quantize") is also a plausible typo.
  const pre = norm.findIndex((c) => g.length >= 4 && (c.startsWith(g) || g.startsWith(c)));
  return pre >= 0 ? candidates[pre]! : null;
}

/** Short JSON text of a node's value for messages (truncated to 60 characters). */
export function showValue(node: JsonNode): string {
  const s = JSON.stringify(toPlain(node));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Describes the JSON type of a node ("a string", "a number", ...). */
export function jsonType(node: JsonNode): string {
  switch (node.kind) {
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'null':
      return 'null';
  }
}

/** Builds config errors for one file. */
export class ConfigDiagnostics {
  constructor(readonly file: string) {}

  /** Error at a position. */
  at(pos: SourcePos | null, message: string, hint?: string): UserError {
    const where = pos ? `${this.file}:${pos.line}:${pos.col}` : this.file;
    // every config error carries a hint (the bad-input corpus found some without one)
    return new UserError('CONFIG_FORMAT', `${where}: ${message}`, hint ?? 'fix that key of the PTQ config; the keys and values are listed in the Magik PTQ user guide §3');
  }

  /** Error about the value of `key` (a dotted path such as `debug.open`). */
  value(key: string, node: JsonNode, problem: string, hint?: string): UserError {
    return this.at(node.pos, `"${key}" = ${showValue(node)}: ${problem}`, hint);
  }
}

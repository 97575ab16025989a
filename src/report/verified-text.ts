/**
 * The measured effect of recommendations (Finding.verified, filled by src/verify) as plain rows
 * for the terminal, Markdown and HTML: rank, fix id, what to paste (JSON patch or command), final
 * and culprit cosine before -> after.
 */
import { fromJsonNumber, type Finding, type JsonNumber } from './schema.js';

export interface VerifiedRow {
  rank: number;
  fix: string;
  /** The JSON patch for ptq_config.json, or the command / check. */
  apply: string;
  final: string;
  culprit: string;
  /** after.final - before.final (NaN when unknown). */
  gain: number;
}

const f6 = (x: unknown): string => {
  if (x === undefined || x === null) return '?';
  const n = fromJsonNumber(x as JsonNumber);
  return Number.isNaN(n) ? 'NaN' : n.toFixed(6);
};

/** One row per verified fix, in the stored (ranked) order. */
export function verifiedRows(f: Finding): VerifiedRow[] {
  return (f.verified ?? []).map((v, i) => ({
    rank: typeof v.rank === 'number' ? v.rank : i + 1,
    fix: v.fix,
    apply: v.patch ? JSON.stringify(v.patch) : typeof v.command === 'string' ? v.command : '',
    final: `${f6(v.before.final)} -> ${f6(v.after.final)}`,
    culprit: v.before.culprit === undefined && v.after.culprit === undefined ? '' : `${f6(v.before.culprit)} -> ${f6(v.after.culprit)}`,
    gain: fromJsonNumber((v.after.final ?? 'NaN') as JsonNumber) - fromJsonNumber((v.before.final ?? 'NaN') as JsonNumber),
  }));
}

/** The note of fixes not verified within the budget, or null. */
export function verifiedNote(f: Finding): string | null {
  const ver = (f.evidence as { verification?: { note?: string; failed?: { fix: string; error: string }[] } } | undefined)?.verification;
  const parts = [ver?.note, ...(ver?.failed ?? []).map((x) => `${x.fix} failed: ${x.error}`)].filter((x): x is string => Boolean(x));
  return parts.length ? parts.join('; ') : null;
}

/** The sensitivity search's one-line summary (evidence.verification.sensitivity.summary), or null. */
export function sensitivityLine(f: Finding): string | null {
  const s = (f.evidence as { verification?: { sensitivity?: { summary?: unknown } } } | undefined)?.verification?.sensitivity?.summary;
  return typeof s === 'string' && s ? s : null;
}

/**
 * One md5 per file per run: when a file is on several edges (three or four sources), only the
 * first job that reads it hashes it; the others stream it for their metrics only, and the md5 is
 * copied into their results afterwards. md5 is the largest cost of the measure stage (about as
 * much CPU per byte as `md5sum`), so hashing a file once instead of up to three times matters.
 */
import { md5Whole } from './file-read.js';
import type { MeasureJob, MeasureResult } from './types.js';

/** Jobs to run (a side whose file an earlier job hashes gets hash: false) and the owner of each file's md5. */
export interface SharedHashPlan {
  jobs: MeasureJob[];
  /** File path -> id of the job that hashes it. */
  owner: Map<string, number>;
}

/** Marks every side whose file an earlier job (in `jobs` order) already hashes with hash: false. */
export function shareHashes(jobs: MeasureJob[]): SharedHashPlan {
  const owner = new Map<string, number>();
  const out = jobs.map((j) => {
    const side = (s: MeasureJob['a']): MeasureJob['a'] => {
      const o = owner.get(s.file);
      if (o === undefined) {
        owner.set(s.file, j.id);
        return s;
      }
      return { ...s, hash: false };
    };
    const a = side(j.a);
    const b = side(j.b);
    return a === j.a && b === j.b ? j : { ...j, a, b };
  });
  return { jobs: out, owner };
}

/**
 * Fills the md5 of every side that was not hashed from its file's owner. A successful job whose
 * owner failed before hashing (its other file was unreadable, say) gets the md5 computed here.
 */
export function fillSharedHashes(plan: SharedHashPlan, results: Map<number, MeasureResult>): void {
  const known = new Map<string, string>();
  for (const j of plan.jobs) {
    const r = results.get(j.id);
    if (!r) continue;
    if (j.a.hash !== false && r.md5A) known.set(j.a.file, r.md5A);
    if (j.b.hash !== false && r.md5B) known.set(j.b.file, r.md5B);
  }
  let buf: Uint8Array | null = null;
  const md5Of = (file: string): string => {
    let m = known.get(file);
    if (m === undefined) {
      try {
        m = md5Whole(file, (buf ??= new Uint8Array(1 << 20)));
      } catch {
        m = '';
      }
      known.set(file, m);
    }
    return m;
  };
  for (const j of plan.jobs) {
    const r = results.get(j.id);
    if (!r || r.error) continue;
    if (j.a.hash === false) r.md5A = md5Of(j.a.file);
    if (j.b.hash === false) r.md5B = md5Of(j.b.file);
  }
}

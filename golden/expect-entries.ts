/** Test helper: compares a DumpSet's entries with the golden index's expected entries. */
import * as path from 'node:path';
import type { DumpEntry } from '../src/dumps/types.js';
import type { ExpectedEntry } from './golden-types.js';

/** The comparable view of an entry (paths relative to `goldDir`). */
export function viewEntry(e: DumpEntry, goldDir: string): ExpectedEntry {
  const v: ExpectedEntry = {
    name: e.name,
    file: path.relative(goldDir, e.file).split(path.sep).join('/'),
    role: e.role,
    dtype: e.dtype,
    shape: e.shape,
    size: e.size,
  };
  if (e.shapeSource) v.shapeSource = e.shapeSource;
  if (e.problem) {
    v.problem = { code: e.problem.code };
    if (e.problem.expectedBytes !== undefined) v.problem.expectedBytes = e.problem.expectedBytes;
    if (e.problem.actualBytes !== undefined) v.problem.actualBytes = e.problem.actualBytes;
  }
  return v;
}

/** Expected entries without the fields a reader does not produce (md5, names from elsewhere). */
export function stripExpected(x: ExpectedEntry): ExpectedEntry {
  const { md5: _m, originalName: _o, nodeName: _n, opType: _t, ...rest } = x;
  return rest;
}

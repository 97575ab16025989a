/** Whole reads at a position and the md5 of a whole file: the measure stage's file access. */
import { openSync, readSync, closeSync } from 'node:fs';
import { createHash } from 'node:crypto';

/** Bytes per read when hashing a whole file. */
export const MD5_CHUNK = 4 << 20;

/** Reads `len` bytes at `pos` into buf[0..len) unless the file ends first; returns the bytes read. */
export function readFull(fd: number, buf: Uint8Array, len: number, pos: number): number {
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** md5 (lowercase hex, as md5sum prints it) of a whole file, read in MD5_CHUNK pieces through `buf`. */
export function md5Whole(file: string, buf: Uint8Array): string {
  const fd = openSync(file, 'r');
  try {
    const h = createHash('md5');
    let pos = 0;
    for (;;) {
      const n = readFull(fd, buf, Math.min(buf.length, MD5_CHUNK), pos);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      pos += n;
    }
    return h.digest('hex');
  } finally {
    closeSync(fd);
  }
}

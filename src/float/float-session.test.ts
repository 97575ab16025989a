/**
 * A kept FloatSession (as the benchmark and a multi-image caller use it) writes exactly what a
 * one-shot runFloat writes: the first dump lets onnxruntime allocate, later dumps of the same
 * input shape reuse those buffers as pre-allocated outputs, and a new image must fully replace
 * the previous one's values.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { promises as fsp, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { dumpWithSession, runFloat } from './run-float.js';
import { FloatSession } from './float-session.js';
import { prepareFloatInput } from './float-input.js';
import { loadModel } from '../onnx/load.js';
import { prepareOutDir } from '../io/atomic.js';
import { sharedModel, syntheticImage } from '../../scripts/synthetic-input.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'magik-float-session-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

/** Every file of a folder: name -> bytes. */
function folder(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).sort().map((f) => [f, readFileSync(path.join(dir, f))]));
}

function expectSameFolder(a: string, b: string): void {
  const fa = folder(a);
  const fb = folder(b);
  expect([...fb.keys()]).toEqual([...fa.keys()]);
  for (const [f, bytes] of fa) expect(fb.get(f)!.equals(bytes), `${f} differs between ${a} and ${b}`).toBe(true);
}

// UltraFace (old IR): int64 shape arithmetic written in its own type, so the kept buffers cover non-float outputs too.
describe.each([
  { file: 'ultraface_rfb_320.onnx', mean: '127', var: '128' },
  { file: 'yunet_n_320_320.onnx', mean: '0', var: '1' },
])('FloatSession on $file', (c) => {
  it('dumps with kept buffers are byte-identical to one-shot runFloat dumps, image after image', async () => {
    const model = await loadModel(sharedModel(c.file));
    const [n, ch, h, w] = model.graph.inputs[0]!.shape as number[];
    const files = [1, 2].map((seed) => path.join(tmp, `${c.file}.${seed}.bin`));
    for (const [i, f] of files.entries()) await fsp.writeFile(f, syntheticImage(n!, h!, w!, ch!, 11 + i));
    const base = { model, mean: c.mean, var: c.var, nonFloat: 'write' as const, threads: 2 };
    const oneShot = [];
    for (const [i, f] of files.entries()) oneShot.push((await runFloat({ ...base, input: f, out: path.join(tmp, `${c.file}-one-${i}`) })).out);

    const s = await FloatSession.create(model, { threads: 2 });
    try {
      const dump = async (file: string, out: string) => {
        const input = await prepareFloatInput(model, { input: file, mean: c.mean, var: c.var });
        const dir = path.join(tmp, out);
        await prepareOutDir(dir, false);
        await dumpWithSession(s, input, dir, { nonFloat: 'write' }, []);
        return dir;
      };
      const first = await dump(files[0]!, `${c.file}-s0`);
      expect(s.lastRunReusedBuffers).toBe(false);
      const second = await dump(files[1]!, `${c.file}-s1`);
      expect(s.lastRunReusedBuffers).toBe(true);
      const third = await dump(files[0]!, `${c.file}-s2`);
      expect(s.lastRunReusedBuffers).toBe(true);
      expectSameFolder(oneShot[0]!, first);
      expectSameFolder(oneShot[1]!, second);
      expectSameFolder(oneShot[0]!, third);
      // the two images really differ (else the test could not see stale buffers)
      expect(readFileSync(path.join(first, 'manifest.json'), 'utf8')).not.toBe(readFileSync(path.join(second, 'manifest.json'), 'utf8'));
    } finally {
      await s.close();
    }
  });
});

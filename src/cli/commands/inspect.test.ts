import { describe, it, expect, vi, afterEach } from 'vitest';
import yargs from 'yargs';
import { inspectCommand } from './inspect.js';
import { floatCommand } from './float.js';
import { sharedModel } from '../../../scripts/synthetic-input.js';

async function run(argv: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  process.exitCode = undefined;
  try {
    await yargs(argv).command(inspectCommand).command(floatCommand).strict().fail((m, x) => { throw x ?? new Error(m); }).parseAsync();
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = process.exitCode as number | undefined;
  process.exitCode = undefined;
  return { out, err, code };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('inspect command', () => {
  it('prints a header and one grep-friendly line per node in topological order', async () => {
    const { out, code } = await run(['inspect', sharedModel('yunet_n_320_320.onnx')]);
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines).toContain('# ir 6 opset 11 producer pytorch 1.7');
    expect(lines).toContain('# input input float32 [1,3,320,320]');
    expect(lines.filter((l) => l.startsWith('# output '))).toHaveLength(12);
    const nodes = lines.filter((l) => !l.startsWith('#'));
    expect(nodes).toHaveLength(115);
    nodes.forEach((l, i) => {
      const cols = l.split('\t');
      expect(cols).toHaveLength(5);
      expect(cols[0]).toBe(String(i));
    });
    const first = nodes[0]!.split('\t');
    expect(first[2]).toBe('Conv');
    expect(first[4]).toMatch(/^\[1,\d+,160,160\]$/);
    expect(nodes.find((l) => l.split('\t')[3] === 'cls_8')!.split('\t')[4]).toBe('[1,1600,1]');
  });

  it('--json prints one object with nodes, shapes and warnings', async () => {
    const { out } = await run(['inspect', sharedModel('ultraface_rfb_320.onnx'), '--json']);
    const d = JSON.parse(out);
    expect(d.irVersion).toBe(4);
    expect(d.nodes).toHaveLength(242);
    expect(d.nodes[0]).toMatchObject({ index: 0, name: 'Conv_0', nameSynthesized: true, opType: 'Conv', outputs: [{ name: '245', dtype: 'float32', shape: [1, 16, 120, 160] }] });
    expect(d.shapeSource).toBe('onnxruntime');
    expect(d.warnings.join('\n')).toMatch(/had no name/);
  });

  it('a missing model is a one-line user error with exit code 2', async () => {
    const { err, code } = await run(['inspect', '/nonexistent/m.onnx']);
    expect(code).toBe(2);
    expect(err).toMatch(/^magik-parity: error: \/nonexistent\/m.onnx: not found/);
  });

  it('--input-shape with the wrong size is refused', async () => {
    const { err, code } = await run(['inspect', sharedModel('yunet_n_320_320.onnx'), '--input-shape', '1,100,100,3']);
    expect(code).toBe(2);
    expect(err).toMatch(/does not fit model input "input"/);
  });
});

describe('float command', () => {
  it('bad --var is exit code 2 with a hint', async () => {
    const { err, code } = await run(['float', '--model', sharedModel('yunet_n_320_320.onnx'), '--input', '/nonexistent.bin', '--mean', '0', '--var', '0', '--out', '/tmp/never']);
    expect(code).toBe(2);
    expect(err).toMatch(/magik-parity: error: \/nonexistent.bin: not found/);
  });
});

#!/usr/bin/env node
/**
 * A stand-in for the vendor's PC inference program (pc_inference_bin) for tests: same command
 * line shape (`<model> <input> <width> <height>`), same dump behaviour (FORMATS.md §1): with
 * MAGIK_CPP_DUMPDATA=true it writes ./MAGIK_DATA_DUMP/<name>.bin, one file per node in execution
 * order, and prints one ANSI-coloured `Log: Data dumping to:./MAGIK_DATA_DUMP/<name>.bin--->shape:[...]`
 * line per dump (the input as input_data_shape_1_h_w_c.bin). The values are deterministic
 * functions of the input so tests can check them.
 *
 * Usage: node fake-vendor-pc.mjs <model> <input.bin> <width> <height> [normal|crash|fail|nodump]
 *   crash:  like the vendor's 16-bit crash: logs the 16-bit node, leaves it as a 0-byte file, aborts
 *   fail:   prints an error and exits 3 before dumping anything
 *   nodump: runs but ignores MAGIK_CPP_DUMPDATA (writes no dumps), exit 0
 */
import { mkdirSync, writeFileSync, readFileSync, openSync, closeSync } from 'node:fs';

const [model, input, wText, hText, mode = 'normal'] = process.argv.slice(2);
const GREEN = '\x1b[32m';
const RESET = '\x1b[0m';
const out = (s) => process.stdout.write(`${s}\n`);

if (!model || !input || !wText || !hText) {
  process.stderr.write('usage: pc_inference_bin model_path image_path width height\n');
  process.exit(1);
}
out('INFO(magik): venus version:0.9.0(00000900_8450a71) built:20220211-1206(7.2.0 glibc2.26 x86)');
out(`Log: load model ${model}`);
if (mode === 'fail') {
  process.stderr.write(`Error: cannot open model ${model}\n`);
  process.exit(3);
}
const w = Number(wText);
const h = Number(hText);
const data = readFileSync(input);
if (data.length !== w * h * 3) {
  process.stderr.write(`Error: input ${input} has ${data.length} bytes, expected ${w * h * 3}\n`);
  process.exit(1);
}
out(`ori_image w,h: ${w} ,${h} `);

const dumping = process.env.MAGIK_CPP_DUMPDATA === 'true' && mode !== 'nodump';
if (dumping) mkdirSync('./MAGIK_DATA_DUMP', { recursive: true });

function dump(name, shape, bytes) {
  if (!dumping) return;
  out(`${GREEN}Log: Data dumping to:./MAGIK_DATA_DUMP/${name}.bin--->shape:[${shape.join(',')}]${RESET}`);
  writeFileSync(`./MAGIK_DATA_DUMP/${name}.bin`, bytes);
}

// Node 1: the input, as received.
dump(`input_data_shape_1_${h}_${w}_3`, [1, h, w, 3], data);
// Node 2: 2x2 max pool (uint8).
const h2 = Math.ceil(h / 2);
const w2 = Math.ceil(w / 2);
const pool = new Uint8Array(h2 * w2 * 3);
for (let y = 0; y < h2; y++)
  for (let x = 0; x < w2; x++)
    for (let c = 0; c < 3; c++) {
      let m = 0;
      for (let dy = 0; dy < 2; dy++)
        for (let dx = 0; dx < 2; dx++) {
          const yy = Math.min(h - 1, 2 * y + dy);
          const xx = Math.min(w - 1, 2 * x + dx);
          m = Math.max(m, data[(yy * w + xx) * 3 + c]);
        }
      pool[(y * w2 + x) * 3 + c] = m;
    }
dump('411_Quantize', [1, h2, w2, 3], pool);
// Node 3: float node (float32 = pool / 255).
const f = new Float32Array(pool.length);
for (let i = 0; i < pool.length; i++) f[i] = pool[i] / 255;
dump('427', [1, h2, w2, 3], new Uint8Array(f.buffer));
// Node 4: 10-bit feature in uint16 (pool * 4), little-endian.
const u16 = new Uint16Array(pool.length);
for (let i = 0; i < pool.length; i++) u16[i] = pool[i] * 4;
const u16Bytes = Buffer.alloc(u16.length * 2);
for (let i = 0; i < u16.length; i++) u16Bytes.writeUInt16LE(u16[i], i * 2);
dump('432_0_Quantize', [1, h2, w2, 3], u16Bytes);
// Node 5: 4-bit feature, two values per byte, high nibble first (pool >> 4), 2 channels.
const n4 = h2 * w2 * 2;
const packed = new Uint8Array(Math.ceil(n4 / 2));
for (let i = 0; i < n4; i++) {
  const v = pool[Math.floor(i / 2) * 3 + (i % 2)] >> 4;
  packed[i >> 1] |= i % 2 === 0 ? v << 4 : v;
}
dump('432_1_Quantize', [1, h2, w2, 2], packed);
// Node 6: a 16-bit node; in crash mode the vendor library dies while writing it.
if (mode === 'crash' && dumping) {
  out(`${GREEN}Log: Data dumping to:./MAGIK_DATA_DUMP/440_Quantize.bin--->shape:[1,${h2},${w2},3]${RESET}`);
  closeSync(openSync('./MAGIK_DATA_DUMP/440_Quantize.bin', 'w'));
  process.stderr.write('terminate called after throwing an instance of std::bad_alloc\n');
  process.abort();
}
dump('440_Quantize', [1, h2, w2, 3], u16Bytes);
out('box:   7 41 352 406 0.88 ');

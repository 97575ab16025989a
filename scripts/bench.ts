/**
 * `npm run bench`: the project's speed and memory targets, each measured side by side with its
 * baseline in the same run on the same machine, printed as ratios.
 */
import { benchCompare } from './bench-compare.js';
import { benchFloat } from './bench-float.js';

const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

say('magik-parity benchmarks (medians; same machine, same run)');
const c = await benchCompare();
say(`compare  ${c.mbPerSide} MB/side, ${c.layers} layers (md5 + all metrics): ${c.compareMs.toFixed(0)} ms vs md5sum ${c.md5sumMs.toFixed(0)} ms -> ratio ${c.ratio.toFixed(2)} (target <= 1.0); ${c.throughputMbS.toFixed(0)} MB/s; peak RSS ${c.peakRssMb.toFixed(0)} MB (target <= 300)`);
const f = await benchFloat({ threads: 2 });
say(`float    YOLOX-nano 416 dump of every tensor: ${f.dumpMs.toFixed(0)} ms vs ORT final-output-only ${f.ortMs.toFixed(0)} ms -> ratio ${f.ratio.toFixed(2)} (target <= 4); peak RSS ${f.peakRssMb.toFixed(0)} MB`);

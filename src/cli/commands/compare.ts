import type { CommandModule } from 'yargs';
import * as path from 'node:path';
import { runCommand, type CommonArgs } from '../run.js';
import { compare } from '../../compare/compare.js';
import { loadShapesMap } from '../../dumps/shapes-map.js';
import { EXIT, UserError } from '../../errors.js';
import { progressLine } from '../progress.js';
import { runPcProgram, describeExit } from '../../vendor/run-pc.js';
import { resolveProfile } from '../../diagnose/thresholds.js';
import { MeasurePool, takeEarlyPool } from '../../measure/pool.js';

interface CompareArgs extends CommonArgs {
  float?: string;
  ptq?: string;
  pc?: string;
  'pc-log'?: string;
  board?: string;
  'board-log'?: string;
  'debug-dir'?: string;
  'pc-exec'?: string;
  'pc-model'?: string;
  input?: string;
  model?: string;
  shapes?: string;
  'cosine-threshold'?: number;
  profile: string;
  thresholds?: string;
  out?: string;
  json: boolean;
  threads: number;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare',
  describe: 'compare per-layer dumps of two or more sources; find the first diverging layer; write report.json',
  builder: (y) =>
    y
      .option('float', { type: 'string', describe: 'float dumps (our `float` output, or a float_model/ folder)' })
      .option('ptq', { type: 'string', describe: 'quantized dumps (our `reference` output, or a ptq_model/ folder)' })
      .option('pc', { type: 'string', describe: "the vendor PC library's MAGIK_DATA_DUMP/ folder" })
      .option('pc-log', { type: 'string', describe: "the vendor PC program's saved stdout (gives shapes and execution order)" })
      .option('board', { type: 'string', describe: "the board's debug dump folder (<name>_out.bin files)" })
      .option('board-log', { type: 'string', describe: "the board program's saved stdout, if it prints dump lines" })
      .option('pc-exec', { type: 'string', describe: 'run the vendor PC program first: a command with {input} {model} {width} {height}; its dumps become --pc' })
      .option('pc-model', { type: 'string', describe: 'the vendor model file for {model} in --pc-exec' })
      .option('debug-dir', { type: 'string', describe: "the transform tool's debug folder (float_model/, ptq_model/, ...)" })
      .option('input', { type: 'string', describe: 'input_uint8.bin every source was made from (checked first)' })
      .option('model', { type: 'string', describe: 'the ONNX model: graph order, node names, op types, error gain' })
      .option('shapes', { type: 'string', describe: 'JSON map {name: [dims]} for dumps without shapes' })
      .option('cosine-threshold', { type: 'number', describe: "float edges: a layer below this cosine has diverged (default: the profile's cosineOk, 0.99)" })
      .option('profile', { type: 'string', default: 'classification', choices: ['classification', 'detection'], describe: 'built-in triage thresholds (detection: output heads healthy from 0.98)' })
      .option('thresholds', { type: 'string', describe: 'JSON file of threshold overrides, e.g. {"cosineOk": 0.985, "lastBad": 0.9}' })
      .option('out', { type: 'string', describe: 'folder for report.json (default: a new folder under reports/)' })
      .option('json', { type: 'boolean', default: false, describe: 'print report.json to stdout instead of the table' })
      .option('threads', { type: 'number', default: 2, describe: 'worker threads for measuring' }),
  handler: runCommand(async (a: CompareArgs) => {
    // measuring threads boot now, on the idle core, while modules load and the dumps are scanned
    const ok = Number.isInteger(a.threads) && a.threads > 1 && a.threads <= 64;
    const pool = ok ? (takeEarlyPool(a.threads) ?? MeasurePool.start(a.threads)) : takeEarlyPool(0);
    try {
      return await runCompare(a, pool);
    } finally {
      pool?.close();
    }
  }),
};

/** The compare command's body (the pool, when given, is used for measuring). */
async function runCompare(a: CompareArgs, pool: MeasurePool | null): Promise<number> {
  const ct = a['cosine-threshold'];
  if (ct !== undefined && !(ct > -1 && ct <= 1)) {
    throw new UserError('USAGE', `--cosine-threshold ${ct}: must be in (-1, 1]`, 'the guide uses 0.99');
  }
  const profile = resolveProfile({ profile: a.profile, thresholdsFile: a.thresholds, cosineOk: ct });
  if (!Number.isInteger(a.threads) || a.threads < 1 || a.threads > 64) throw new UserError('USAGE', `--threads ${a.threads}: must be an integer from 1 to 64`, 'the default, 2, suits most machines');
  const shapes = a.shapes ? await loadShapesMap(a.shapes) : undefined;
  // the ONNX loader (protobuf) loads only with --model: ~50 ms of start-up otherwise
  const model = a.model ? await (await import('../../compare/model-labels.js')).modelLabels(a.model) : undefined;
  // the report writers load while the workers measure (onMeasureStart), unless needed for the default folder
  let reporting: Promise<[typeof import('../../report/write.js'), typeof import('../../report/terminal.js')]> | undefined;
  const loadReporting = () => (reporting ??= Promise.all([import('../../report/write.js'), import('../../report/terminal.js')]));
  const outDir = a.out ? path.resolve(a.out) : (await loadReporting())[0].defaultReportDir('compare');
  let pc = a.pc;
  let pcLog = a['pc-log'];
  if (a['pc-exec']) {
    if (a.pc) throw new UserError('USAGE', '--pc-exec makes the PC dumps itself; do not also pass --pc', 'drop --pc, or drop --pc-exec and pass the folder the program wrote');
    if (!a.input) throw new UserError('USAGE', '--pc-exec needs --input input_uint8.bin (the file the program is run on)', 'add --input');
    const run = await runPcProgram({ exec: a['pc-exec'], input: path.resolve(a.input), model: a['pc-model'], outDir: path.join(outDir, 'pc'), force: true });
    if (run.exitCode !== 0) process.stderr.write(`magik-parity: warning: the PC program ${describeExit(run.exitCode, run.signal)}; comparing the dumps it left\n`);
    pc = run.dumpDir;
    pcLog = run.logFile;
  }
  const progress = a.json ? undefined : progressLine('measuring');
  const report = await compare({
    float: a.float,
    ptq: a.ptq,
    pc,
    pcLog,
    board: a.board,
    boardLog: a['board-log'],
    debugDir: a['debug-dir'],
    input: a.input,
    shapes,
    labels: model?.labels,
    model: model?.identity,
    profile,
    threads: a.threads,
    pool,
    command: process.argv.slice(2),
    onProgress: progress?.update,
    onMeasureStart: () => void loadReporting(),
  });
  const [{ writeAllReports }, { renderTerminal }] = await loadReporting();
  progress?.done();
  const files = await writeAllReports(outDir, report);
  if (a.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    process.stdout.write(`${renderTerminal(report)}\n`);
    process.stdout.write(`report: ${files.json}\n        ${files.markdown}\n        ${files.html}\n`);
  }
  return report.verdict === 'parity' ? EXIT.OK : EXIT.DIVERGED;
}

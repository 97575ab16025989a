/**
 * `magik-parity debug`: the guide's json `debug` option (§3.2, §8) as one command — float and
 * integer reference runs on the debug images, the transform tool's folder layout, its distance
 * table, and the triage.
 */
import type { CommandModule } from 'yargs';
import { runCommand, type CommonArgs } from '../run.js';
import { EXIT, UserError } from '../../errors.js';
import { resolveProfile } from '../../diagnose/thresholds.js';
import { Chalk } from 'chalk';
import { colorLevel, renderFindings } from '../../report/terminal.js';
import { verdictText } from '../../report/format.js';

interface DebugArgs extends CommonArgs {
  model: string;
  config: string;
  input?: string;
  out?: string;
  params?: string;
  mean?: string;
  var?: string;
  profile: string;
  thresholds?: string;
  threads: number;
  force: boolean;
  json: boolean;
}

export const debugCommand: CommandModule<object, DebugArgs> = {
  command: 'debug',
  describe: "the config's \"debug\" option as one command: float + integer reference on the debug images, float_model/ + ptq_model/ folders, the distance table, triage",
  builder: (y) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'float .onnx model' })
      .option('config', { type: 'string', demandOption: true, describe: 'ptq_config.json with "debug": {"open", "debug_input_path", "debug_output_dir"}' })
      .option('input', { type: 'string', describe: 'image or folder of images to debug with (overrides debug_input_path)' })
      .option('out', { type: 'string', describe: 'output folder (overrides debug_output_dir; must be empty unless --force)' })
      .option('params', { type: 'string', describe: 'reuse the params.json of an earlier run (skips calibration)' })
      .option('mean', { type: 'string', describe: 'per-channel mean (overrides the config), e.g. 0,0,0' })
      .option('var', { type: 'string', describe: 'per-channel divisor (overrides the config), e.g. 255,255,255' })
      .option('profile', { type: 'string', default: 'classification', choices: ['classification', 'detection'], describe: 'built-in triage thresholds' })
      .option('thresholds', { type: 'string', describe: 'JSON file of threshold overrides' })
      .option('threads', { type: 'number', default: 2, describe: 'worker threads for measuring' })
      .option('force', { type: 'boolean', default: false, describe: 'replace files in a non-empty output folder' })
      .option('json', { type: 'boolean', default: false, describe: 'print the distance table as JSON instead of text' })
      .example('$0 debug --model m.onnx --config ptq_config.json', 'images and output folder from the config\'s "debug" section')
      .example('$0 debug --model m.onnx --config ptq_config.json --input test_images/ --out dump_data', '') as never,
  handler: runCommand<DebugArgs>(async (args) => {
    // heavy modules (onnxruntime, sharp, protobuf) load only when this command runs
    const { runDebug, distanceTableJson } = await import('../../debug/index.js');
    if (!Number.isInteger(args.threads) || args.threads < 1 || args.threads > 64) throw new UserError('USAGE', `--threads ${args.threads}: must be an integer from 1 to 64`, 'the default, 2, suits most machines');
    const profile = resolveProfile({ profile: args.profile, thresholdsFile: args.thresholds });
    const tty = process.stderr.isTTY && !args.json;
    const r = await runDebug({
      model: args.model,
      config: args.config,
      input: args.input,
      out: args.out,
      params: args.params,
      mean: args.mean,
      var: args.var,
      force: args.force,
      profile,
      threads: args.threads,
      command: process.argv.slice(2),
      onProgress: tty ? (stage, i, n) => process.stderr.write(`\rdebug: image ${i + 1}/${n}: ${stage.padEnd(10)}`) : undefined,
    });
    if (tty) process.stderr.write('\n');
    for (const note of r.notes) process.stderr.write(`magik-parity: note: ${note}\n`);
    for (const w of r.warnings) process.stderr.write(`magik-parity: warning: ${w}\n`);
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ out: r.out, folders: r.folders, worstImage: r.images[r.worstImage]!.label, verdicts: r.reports.map((x) => x.verdict), ...distanceTableJson(r.table) }, null, 2)}\n`);
    } else {
      process.stdout.write(r.tableText);
      const worst = r.images[r.worstImage]!;
      process.stdout.write(`\ntriage${r.images.length > 1 ? ` of the worst image, ${worst.label} (lowest mean cosine over its layers)` : ''}:\n`);
      const rep = r.reports[r.worstImage]!;
      const c = new Chalk({ level: colorLevel() });
      const fd = rep.edges.find((e) => e.a === 'float' && e.b === 'ptq')?.firstDivergence;
      if (fd) process.stdout.write(`first divergence (float_model vs ptq_model): ${fd.name} at #${fd.order}, ${fd.metric} ${typeof fd.value === 'number' ? fd.value.toFixed(6) : fd.value}\n`);
      process.stdout.write(`${[...renderFindings(rep, c), `verdict: ${verdictText(rep.verdict)}`].join('\n')}\n\n`);
      process.stdout.write(`dumps:  ${r.folders.join('\n        ')}\ntable:  ${r.out}/distance.txt, distance.json\nreport: ${r.reportFiles.json}\n        ${r.reportFiles.markdown}\n        ${r.reportFiles.html}\n`);
    }
    return r.reports.every((x) => x.verdict === 'parity') ? EXIT.OK : EXIT.DIVERGED;
  }),
};

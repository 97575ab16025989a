/**
 * `magik-parity triage`: the phenomena A-D from the vendor's distance table alone
 * (`--vendor-log FILE`), or a re-diagnosis of an existing report with other thresholds
 * (`--report DIR/report.json`). Prints the findings, writes report.json (never over its input).
 * With `--report R --model M --config C --input I` the reference is re-run (src/verify): single-layer
 * error per layer, the float self-check, and every candidate fix of each A/B/C finding verified and
 * ranked within `--budget` seconds, plus the sensitivity search (src/verify/sensitivity.ts: the fewest
 * tensors at 16 bits reaching `--target`); report.json/.md/.html are written.
 * Exit 0 when nothing was found, 1 when a phenomenon was, 2 on bad input.
 */
import type { CommandModule } from 'yargs';
import * as path from 'node:path';
import { Chalk } from 'chalk';
import { runCommand, type CommonArgs } from '../run.js';
import { EXIT, UserError } from '../../errors.js';
import { writeReport, defaultReportDir } from '../../report/write.js';
import { colorLevel, renderFindings } from '../../report/terminal.js';
import { resolveProfile } from '../../diagnose/thresholds.js';
import { readVendorTable } from '../../diagnose/vendor-table.js';
import { reportFromTable } from '../../diagnose/report-from-table.js';
import { rediagnose } from '../../diagnose/rediagnose.js';
import { loadReport } from '../../report/load.js';
import type { Report } from '../../report/schema.js';
import { writeAllReports } from '../../report/write.js';
import { checkThreads, kernelOptions } from './kernel-options.js';
import type { KernelChoice } from '../../ptq/run-reference.js';

interface TriageArgs extends CommonArgs {
  'vendor-log'?: string;
  report?: string;
  model?: string;
  config?: string;
  input?: string;
  params?: string;
  budget: number;
  target: number;
  sensitivity: boolean;
  kernels: KernelChoice;
  threads?: number;
  profile: string;
  thresholds?: string;
  out?: string;
  json: boolean;
}

/** One summary line per float edge (layers, how many below the cosine threshold). */
function layerLines(r: Report): string[] {
  const out: string[] = [];
  for (const e of r.edges) {
    if (e.kind !== 'float') continue;
    out.push(`${e.id}: ${e.summary.layers} layers, ${e.summary.diverged} below cosine ${r.thresholds.cosine}`);
  }
  return out;
}

export const triageCommand: CommandModule<object, TriageArgs> = {
  command: 'triage',
  describe: "phenomena A-D (guide §8) from the vendor's distance table (--vendor-log) or an existing report (--report); with --report --model --config --input the reference is re-run: single-layer errors, float self-check and verified, ranked fixes (--budget)",
  builder: (y) =>
    y
      .option('vendor-log', { type: 'string', describe: "saved transform-tool output holding the '<<<... ptq model compute distance ...>>>' table" })
      .option('report', { type: 'string', describe: 'an existing report.json to re-diagnose (e.g. with other thresholds)' })
      .option('model', { type: 'string', describe: 'the ONNX model: with --vendor-log, graph order and op types for the table rows; with --report (plus --config, --input), the model the reference re-runs' })
      .option('config', { type: 'string', describe: 'with --report and --model: ptq_config.json; re-runs the reference for single-layer errors, the float self-check and verified fixes' })
      .option('input', { type: 'string', describe: 'with --config: input_uint8.bin the report was made from' })
      .option('params', { type: 'string', describe: 'with --config: params.json of `magik-parity reference` to reuse instead of calibrating' })
      .option('budget', { type: 'number', default: 120, describe: 'with --config: seconds for verifying fixes and the sensitivity search (the listed fixes get half first; what is not reached is listed as skipped)' })
      .option('target', { type: 'number', default: 0.99, describe: 'with --config: final-output cosine the sensitivity search aims for (guide: 0.99)' })
      .option('sensitivity', { type: 'boolean', default: true, describe: 'with --config: search the few tensors that, at 16 bits, bring the final cosine to --target (B/C findings); --no-sensitivity skips it' })
      .option('kernels', kernelOptions.kernels)
      .option('threads', kernelOptions.threads)
      .option('profile', { type: 'string', default: 'classification', choices: ['classification', 'detection'], describe: 'built-in triage thresholds' })
      .option('thresholds', { type: 'string', describe: 'JSON file of threshold overrides, e.g. {"cosineOk": 0.985}' })
      .option('out', { type: 'string', describe: 'folder for report.json (default: a new folder under reports/)' })
      .option('json', { type: 'boolean', default: false, describe: 'print report.json to stdout instead of the findings' }),
  handler: runCommand(async (a: TriageArgs) => {
    // heavy modules (onnxruntime, sharp, protobuf) load only when this command runs
    const { modelLabels } = await import('../../compare/model-labels.js');
    const { verifyReport } = await import('../../verify/verify-report.js');
    if (Boolean(a['vendor-log']) === Boolean(a.report)) {
      throw new UserError('USAGE', 'triage needs exactly one of --vendor-log FILE or --report FILE', 'e.g. magik-parity triage --vendor-log transform.log --model model.onnx');
    }
    const profile = resolveProfile({ profile: a.profile, thresholdsFile: a.thresholds });
    const command = process.argv.slice(2);
    let report: Report;
    if (a['vendor-log']) {
      const table = readVendorTable(a['vendor-log']);
      const model = a.model ? await modelLabels(a.model) : undefined;
      report = reportFromTable(table, profile, { labels: model?.labels, model: model?.identity, command });
    } else {
      const verify = Boolean(a.config || a.input || a.params);
      const example = 'e.g. magik-parity triage --report out/report.json --model m.onnx --config ptq_config.json --input input_uint8.bin';
      const missing = (['model', 'config', 'input'] as const).filter((k) => !a[k]).map((k) => `--${k}`);
      if (verify && missing.length) throw new UserError('USAGE', `the reference re-run needs --model, --config and --input together (with --report); missing ${missing.join(', ')}`, example);
      if (a.model && !verify) throw new UserError('USAGE', `--model with --report needs --config and --input (the reference re-run); missing ${missing.join(', ')}`, `a report already carries its graph order: drop --model, or re-run the reference, ${example}`);
      if (!Number.isFinite(a.budget) || a.budget < 0) throw new UserError('USAGE', `--budget ${a.budget}: expected seconds >= 0`, 'e.g. --budget 120 (seconds spent verifying fixes)');
      if (!Number.isFinite(a.target) || a.target <= 0 || a.target > 1) throw new UserError('USAGE', `--target ${a.target}: expected a cosine in (0, 1]`, 'e.g. --target 0.99');
      const threads = checkThreads(a.threads);
      const loaded = await loadReport(a.report!);
      if (verify) {
        const tty = process.stderr.isTTY;
        const t0 = Date.now();
        const v = await verifyReport(loaded, {
          model: a.model!,
          config: a.config!,
          input: a.input!,
          params: a.params,
          budgetSeconds: a.budget,
          sensitivity: a.sensitivity ? { target: a.target } : false,
          kernels: a.kernels,
          threads,
          profile,
          command,
          onProgress: tty ? (m) => process.stderr.write(`\r\x1b[K[${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}`) : undefined,
        });
        if (tty) process.stderr.write('\r\x1b[K');
        for (const w of v.warnings) process.stderr.write(`warning: ${w}\n`);
        report = v.report;
      } else report = rediagnose(loaded, profile, command);
    }
    const outDir = a.out ? path.resolve(a.out) : defaultReportDir('triage');
    if (a.report && path.resolve(outDir, 'report.json') === path.resolve(a.report)) {
      throw new UserError('USAGE', `--out ${a.out}: would overwrite the input report ${a.report}`, 'choose another --out folder');
    }
    const file = a.config ? (await writeAllReports(outDir, report)).json : await writeReport(outDir, report);
    if (a.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const c = new Chalk({ level: colorLevel() });
      const warn = a['vendor-log'] ? report.sources.flatMap((s) => s.warnings) : [];
      const text = [...warn.map((w) => c.yellow(`warning: ${w}`)), ...layerLines(report), ...renderFindings(report, c), `report: ${file}`];
      process.stdout.write(`${text.join('\n')}\n`);
    }
    const problems = report.findings.some((f) => f.code !== 'OK');
    return problems ? EXIT.DIVERGED : EXIT.OK;
  }),
};

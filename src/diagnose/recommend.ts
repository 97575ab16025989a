/**
 * The guide's fixes (§8.2) as concrete recommendations: JSON patches for ptq_config.json (the
 * vendor's keys) and magik-parity command lines. Ids are stable so that a re-run step can verify
 * each one and attach the measured effect (Finding.verified).
 */
import type { Recommendation, Report, SourceId } from '../report/schema.js';

/** Paths the command lines are filled with (placeholders in <> when unknown). */
export interface RecommendContext {
  model: string;
  input: string;
  sources: Partial<Record<SourceId, string>>;
}

/** Quotes a path for a POSIX shell when it needs it (placeholders stay readable). */
function q(s: string): string {
  return /^[A-Za-z0-9_./<>:=,@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Context from a report: model file, input_uint8.bin, source folders. */
export function contextOf(r: Pick<Report, 'model' | 'inputs' | 'sources'>): RecommendContext {
  const sources: RecommendContext['sources'] = {};
  // a vendor-table "source" is the log file, not a dump folder: leave its placeholder in commands
  for (const s of r.sources) if (s.folderKind !== 'vendor-distance-table') sources[s.id] = s.root;
  // --input, else a 3-channel input dump (a board's 4-channel file is not input_uint8.bin)
  const inputFile = r.inputs.reference?.file ?? r.inputs.checks.find((c) => c.file && c.channels === 3)?.file ?? '<input_uint8.bin>';
  return { model: r.model?.file ?? '<model.onnx>', input: inputFile, sources };
}

/** Guide §8.2 B reason 2: skip quantizing the named nodes. */
export function skipNodeQuant(nodes: string[]): Recommendation {
  return { id: 'skip_node_quant', kind: 'config', patch: { skip_node_quant: nodes }, why: 'B reason 2: this operator\'s own quantization is bad (keep it in float)' };
}

/** Guide §8.2 B reason 1 / C: wider features and weights (10, 12 or 14 bits; default 8). */
export function moreBits(bits: 10 | 12 | 14 = 10): Recommendation[] {
  return [
    { id: `feature_quantize_bits=${bits}`, kind: 'config', patch: { feature_quantize_bits: bits }, why: 'B reason 1: plain quantization error, more feature bits (then 12, 14)' },
    { id: `weight_quantize_bits=${bits}`, kind: 'config', patch: { weight_quantize_bits: bits }, why: 'B reason 1: plain quantization error, more weight bits (then 12, 14)' },
  ];
}

/** Guide §8.2 C reason 2: split the blame between weight and feature quantization. */
export function fakeQuantSplit(): Recommendation[] {
  return [
    // The guide (§8.2 C) names the two switches without defining true/false; here false = that kind of
    // tensor is not (fake-)quantized, matching how the later re-run step applies them.
    { id: 'weight_fake_quant=false', kind: 'config', patch: { weight_fake_quant: false }, why: 'C: weights left unquantized; if the tail recovers, weight quantization causes the error' },
    { id: 'feature_fake_quant=false', kind: 'config', patch: { feature_fake_quant: false }, why: 'C: features left unquantized; if the tail recovers, feature quantization causes the error' },
  ];
}

/** Guide §8.2 C reason 2: bias correction for the accumulated error. */
export function biasCorr(): Recommendation {
  return {
    id: 'bias_corr',
    kind: 'config',
    patch: { bias_corr: { weight_corr: true, feature_corr: true, vali_dir: './validated_images', corr_dir: './test_image' } },
    why: 'C: accumulated error; bias correction (corr_dir: calibration images, vali_dir: images to check the effect)',
  };
}

/** Guide §8.2 B reason 3 / D reason 1: the transform tool's float simulation vs the native model. */
export function floatSelfCheck(ctx: RecommendContext): Recommendation {
  const toolFloat = ctx.sources.float ?? '<result/path/float_model>';
  return {
    id: 'float-self-check',
    kind: 'command',
    command: `magik-parity float --model ${q(ctx.model)} --input ${q(ctx.input)} --mean <mean> --var <var> --out float_native && magik-parity compare --float float_native --ptq ${q(toolFloat)} --model ${q(ctx.model)} --input ${q(ctx.input)}`,
    why: 'B reason 3 / D reason 1: run the native model on input_uint8.bin and compare it with the tool\'s float_model/ (a float-vs-float edge must be ~exact)',
  };
}

/** Guide §8.2 A: input probes (channel order, mean/var, layout). */
export function inputProbes(ctx: RecommendContext): Recommendation[] {
  const q2 = ctx.sources.ptq ?? ctx.sources.pc ?? '<ptq_model>';
  return [
    { id: 'check-format-mean-var', kind: 'check', what: 'ptq_config.json "format" (RGB/BGR/GRAY), "mean" and "var" against the training preprocessing, and the input layout (NHWC)', why: 'A: the network input does not match training' },
    {
      id: 'probe-swap-rb',
      kind: 'command',
      command: `magik-parity float --model ${q(ctx.model)} --input ${q(ctx.input)} --mean <mean> --var <var> --swap-rb --out float_swapped && magik-parity compare --float float_swapped --ptq ${q(q2)} --model ${q(ctx.model)}`,
      why: 'A: if the first layer\'s cosine reaches the threshold with channels swapped, "format" is the wrong colour order (switch RGB <-> BGR)',
    },
    {
      id: 'probe-mean-var',
      kind: 'check',
      what: `the transform tool's --mean/--var against training; probe the usual variants with \`magik-parity float ... --mean M --var V\` + compare: 0/255 (x/255), 127.5/127.5 ((x-127.5)/127.5), 123.675,116.28,103.53 / 58.395,57.12,57.375 (ImageNet, RGB order)`,
      why: 'A: mean/var not as in training scale the first layer wrongly',
    },
    { id: 'format=BGR', kind: 'config', patch: { format: 'BGR' }, why: 'A: when the config says RGB and the swap probe restores the first layer' },
    { id: 'format=RGB', kind: 'config', patch: { format: 'RGB' }, why: 'A: when the config says BGR and the swap probe restores the first layer' },
  ];
}

/** Guide §8.2 D reason 2: board inference from exactly input_uint8.bin, compared with ptq_model/. */
export function boardRerun(ctx: RecommendContext): Recommendation {
  const ref = ctx.sources.ptq ?? ctx.sources.pc ?? '<ptq_model or MAGIK_DATA_DUMP>';
  const flag = ctx.sources.ptq ? '--ptq' : '--pc';
  return {
    id: 'board-vs-reference',
    kind: 'command',
    command: `magik-parity compare ${flag} ${q(ref)} --board ${q(ctx.sources.board ?? '<board dumps>')} --input ${q(ctx.input)}`,
    why: 'D reason 2: the board run on exactly input_uint8.bin; the first layer whose md5 differs is where the chip diverges',
  };
}

/** Guide §8.2 B reason 2 / D: what to send the vendor's support for one layer. */
export function sendToVendor(layer: string): Recommendation {
  return {
    id: 'send-to-vendor',
    kind: 'check',
    what: `send the vendor support the input and output dumps of "${layer}" (float_model/ and ptq_model/, PC / board when present), its quantization parameters, and input_uint8.bin`,
    why: 'guide §8.2: the problem layer is reported to the MagikTransformKit staff',
  };
}

/** Guide §6.2: every source from the same input. */
export function sameInput(ctx: RecommendContext): Recommendation {
  return {
    id: 'same-input',
    kind: 'check',
    what: `make every source from the same input_uint8.bin (${ctx.input}): run the PC program and the board on exactly this file, then compare again`,
    why: 'guide §6.2: "ensure that the inputs of the two are exactly the same"',
  };
}

/** One line of text for the terminal and Markdown. */
export function recommendationText(r: Recommendation): string {
  if (r.kind === 'config') return `ptq_config.json: ${JSON.stringify(r.patch)}  — ${r.why}`;
  if (r.kind === 'command') return `run: ${r.command}  — ${r.why}`;
  return `check: ${r.what}  — ${r.why}`;
}

import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../../src/errors.js';
import { loadPtqConfig, parsePtqConfig } from './load-ptq-config.js';

const FILE = '/cfg/ptq_yolov5_config.json';

/** Guide §3.1, verbatim. */
const GUIDE_3_1 = `{
    "format":"RGB",
    "width":640,
    "height":640,
    "path":"./yolov5-50",
    "used_image_num":2,
    "feature_quantize_method":"KL",
    "weight_quantize_method":"MAX_ABS"
}`;

/** Guide §4.3, verbatim. */
const GUIDE_4_3 = `{
    "format":"RGB",
    "width":640,
    "height":640,
    "path":"./yolov5-20",
    "used_image_num":12,
    "feature_quantize_method":"KL",
    "weight_quantize_method":"MAX_ABS"
}`;

/** Guide §3.2 with the OCR damage repaired (spaces in keys are underscores; missing commas added). */
const GUIDE_3_2 = `{
    "format": "RGB",
    "width":640,
    "height":640,
    "path":"./yolov5-50",
    "used_image_num":2,
    "feature_quantize_method":"KL",
    "weight_quantize_method": "MAX_ABS",
    "feature_quantize_bits":8,
    "weight_quantize_bits":8,
    "debug": {
        "open": false,
        "debug_input_path": "./test_image/5050_1-112.jpg",
        "debug_output_dir": "./dump_data"
    },
    "bias_corr":{
        "weight_corr":false,
        "feature_corr":false,
        "vali_dir":"./validated_images",
        "corr_dir":"./test_image"
    },
    "weight_fake_quant": true,
    "feature_fake_quant": true,
    "skip_node_quant":[
        "node_name_0"
    ],
    "skip_op_quant":[
        "Sigmoid"
    ]
}`;

function errorOf(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

/** Replaces one line of GUIDE_3_1 (1-based) to make a broken variant. */
function withLine(n: number, text: string, base = GUIDE_3_1): string {
  const lines = base.split('\n');
  lines[n - 1] = text;
  return lines.join('\n');
}

describe('parsePtqConfig: the guide examples', () => {
  it('§3.1 parses with defaults filled and the path resolved against the config folder', () => {
    const c = parsePtqConfig(GUIDE_3_1, FILE);
    expect(c.format).toBe('RGB');
    expect([c.width, c.height, c.usedImageNum]).toEqual([640, 640, 2]);
    expect(c.path).toBe('/cfg/yolov5-50');
    expect(c.featureQuantizeMethod).toBe('KL');
    expect(c.weightQuantizeMethod).toBe('MAX_ABS');
    expect([c.featureQuantizeBits, c.weightQuantizeBits]).toEqual([8, 8]);
    expect([c.weightFakeQuant, c.featureFakeQuant]).toEqual([true, true]);
    expect(c.debug).toEqual({ open: false, debugInputPath: null, debugOutputDir: null });
    expect(c.biasCorr).toEqual({ weightCorr: false, featureCorr: false, valiDir: null, corrDir: null });
    expect(c.skipNodeQuant).toEqual([]);
    expect(c.mean).toEqual([0, 0, 0]);
    expect(c.var).toEqual([1, 1, 1]);
    expect([c.meanSource, c.varSource]).toEqual(['default', 'default']);
    expect(c.warnings).toEqual([]);
  });

  it('§4.3 parses', () => {
    const c = parsePtqConfig(GUIDE_4_3, FILE);
    expect(c.path).toBe('/cfg/yolov5-20');
    expect(c.usedImageNum).toBe(12);
  });

  it('§3.2 (every debug key) parses', () => {
    const c = parsePtqConfig(GUIDE_3_2, FILE);
    expect(c.debug).toEqual({ open: false, debugInputPath: '/cfg/test_image/5050_1-112.jpg', debugOutputDir: '/cfg/dump_data' });
    expect(c.biasCorr).toEqual({ weightCorr: false, featureCorr: false, valiDir: '/cfg/validated_images', corrDir: '/cfg/test_image' });
    expect(c.skipNodeQuant).toEqual(['node_name_0']);
    expect(c.skipOpQuant).toEqual(['Sigmoid']);
  });

  it('debug / bias correction switched on without their folders → warnings', () => {
    const c = parsePtqConfig(GUIDE_3_1.replace('}', ',"debug":{"open":true},"bias_corr":{"weight_corr":true}}'), FILE);
    expect(c.debug.open).toBe(true);
    expect(c.warnings).toEqual([
      `${FILE}: "debug.open" is true but "debug.debug_input_path" is not set (the image to debug with)`,
      `${FILE}: "bias_corr.weight_corr" is true but "bias_corr.corr_dir" is not set (the images to correct the bias with)`,
    ]);
  });

  it('accepts MAX as an alias of MAX_ABS for weights, MAX_ABS for features, and our node_quantize_bits', () => {
    const text = GUIDE_3_1.replace('"MAX_ABS"', '"MAX"')
      .replace('"KL"', '"MAX_ABS"')
      .replace('}', ',"node_quantize_bits": {"Conv_12": {"feature": 12}, "Mul_3": {"weight": 4, "feature": 16}}}');
    const c = parsePtqConfig(text, FILE);
    expect(c.weightQuantizeMethod).toBe('MAX_ABS');
    expect(c.featureQuantizeMethod).toBe('MAX_ABS');
    expect(c.nodeQuantizeBits).toEqual({ Conv_12: { feature: 12 }, Mul_3: { weight: 4, feature: 16 } });
  });
});

describe('parsePtqConfig: invalid JSON says where and what', () => {
  it('trailing comma', () => {
    const e = errorOf(() => parsePtqConfig(withLine(8, '    "weight_quantize_method":"MAX_ABS",'), FILE));
    expect(e.code).toBe('CONFIG_FORMAT');
    expect(e.message).toBe(`${FILE}:9:1: invalid JSON: trailing comma before '}'; remove the last ','`);
  });
  it('missing comma names the key whose value it follows', () => {
    // The guide §3.2's own OCR text has exactly this mistake.
    const e = errorOf(() => parsePtqConfig(withLine(7, '    "feature_quantize_method":"KL"'), FILE));
    expect(e.message).toContain(`${FILE}:7:35: invalid JSON: missing ',' after the value of "feature_quantize_method"`);
  });
  it('single quotes', () => {
    const e = errorOf(() => parsePtqConfig(withLine(2, "    'format':'RGB',"), FILE));
    expect(e.message).toBe(`${FILE}:2:5: invalid JSON: keys must use double quotes ("), not single quotes (')`);
    const v = errorOf(() => parsePtqConfig(withLine(2, "    \"format\":'RGB',"), FILE));
    expect(v.message).toContain(':2:14: invalid JSON: strings must use double quotes');
  });
  it('comments', () => {
    const e = errorOf(() => parsePtqConfig(withLine(5, '    "path":"./yolov5-50", // calibration set'), FILE));
    expect(e.message).toBe(`${FILE}:5:27: invalid JSON: comments are not allowed in JSON; remove the comment`);
    const b = errorOf(() => parsePtqConfig(`/* cfg */\n${GUIDE_3_1}`, FILE));
    expect(b.message).toContain(':1:1: invalid JSON: comments are not allowed');
  });
  it('unclosed object, Python literals, extra bracket, empty file', () => {
    expect(errorOf(() => parsePtqConfig(GUIDE_3_1.slice(0, -2), FILE)).message).toMatch(/:8:39: invalid JSON: unexpected end of file; expected ',' or '}' to close the object opened at line 1, column 1$/);
    expect(errorOf(() => parsePtqConfig(GUIDE_3_1.replace('}', ',"weight_fake_quant": True}'), FILE)).message).toContain('True is not JSON; write true (lower case)');
    expect(errorOf(() => parsePtqConfig(`${GUIDE_3_1}\n]`, FILE)).message).toContain(":10:1: invalid JSON: unexpected an extra ']'");
    expect(errorOf(() => parsePtqConfig('  \n', FILE)).message).toContain('the file is empty');
  });
  it('duplicate keys', () => {
    const e = errorOf(() => parsePtqConfig(GUIDE_3_1.replace('"width":640,', '"width":640, "width":320,'), FILE));
    expect(e.message).toContain(':3:18: invalid JSON: duplicate key "width" (first at line 3, column 5)');
  });
});

describe('parsePtqConfig: keys and values', () => {
  it('unknown key → nearest valid key (spaces/case normalised, as in the scanned guide)', () => {
    const e = errorOf(() => parsePtqConfig(withLine(6, '    "used image num":2,'), FILE));
    expect(e.message).toBe(`${FILE}:6:5: unknown key "used image num"; did you mean "used_image_num"?`);
    expect(e.hint).toContain('valid keys: format, width, height, path, used_image_num');
    expect(errorOf(() => parsePtqConfig(withLine(7, '    "feature_quantize_bit":8,'), FILE)).message).toContain('did you mean "feature_quantize_bits"?');
    expect(errorOf(() => parsePtqConfig(withLine(2, '    "Format":"RGB",'), FILE)).message).toContain('did you mean "format"?');
    expect(errorOf(() => parsePtqConfig(withLine(2, '    "colour":"RGB",'), FILE)).message).toMatch(/unknown key "colour"$/);
  });
  it('a nested key in the wrong place says where it belongs; nested typos get suggestions', () => {
    const e = errorOf(() => parsePtqConfig(GUIDE_3_1.replace('}', ',"vali_dir":"./v"}'), FILE));
    expect(e.message).toContain('unknown key "vali_dir"; "vali_dir" belongs inside "bias_corr": {...}');
    const n = errorOf(() => parsePtqConfig(GUIDE_3_2.replace('"debug_output_dir"', '"debug output dir"'), FILE));
    expect(n.message).toContain('unknown key "debug output dir" in "debug"; did you mean "debug_output_dir"?');
  });
  it('wrong enum value → key, value, allowed values', () => {
    const e = errorOf(() => parsePtqConfig(withLine(7, '    "feature_quantize_method":"KLD",'), FILE));
    expect(e.message).toBe(`${FILE}:7:31: "feature_quantize_method" = "KLD": not allowed; did you mean "KL"?`);
    expect(e.hint).toBe('allowed values: KL, MSE, ADMM, MAX_ABS');
    const w = errorOf(() => parsePtqConfig(withLine(8, '    "weight_quantize_method":"MAX ABS"'), FILE));
    expect(w.message).toContain('"weight_quantize_method" = "MAX ABS": not allowed; did you mean "MAX_ABS"?');
    expect(w.hint).toBe('allowed values: MAX_ABS, ADMM');
    const f = errorOf(() => parsePtqConfig(withLine(2, '    "format":"YUV",'), FILE));
    expect(f.hint).toBe('allowed values: RGB, BGR, GRAY');
  });
  it('wrong types', () => {
    expect(errorOf(() => parsePtqConfig(withLine(3, '    "width":"640",'), FILE)).message).toBe(`${FILE}:3:13: "width" = "640": is a string; expected an integer in 1..65535`);
    expect(errorOf(() => parsePtqConfig(withLine(3, '    "width":640.5,'), FILE)).message).toContain('"width" = 640.5: is not an integer');
    expect(errorOf(() => parsePtqConfig(GUIDE_3_2.replace('"open": false', '"open": "false"'), FILE)).message).toContain('"debug.open" = "false": is a string; expected true or false');
    expect(errorOf(() => parsePtqConfig(GUIDE_3_2.replace('"skip_node_quant":[\n        "node_name_0"\n    ]', '"skip_node_quant":"node_name_0"'), FILE)).hint).toBe('write ["node_name_0"]');
    expect(errorOf(() => parsePtqConfig(GUIDE_3_2.replace('"debug": {', '"debug": [{').replace('"./dump_data"\n    }', '"./dump_data"\n    }]'), FILE)).message).toContain('"debug" = [{');
  });
  it('bits outside 4..16 and used_image_num ≤ 0', () => {
    const b = errorOf(() => parsePtqConfig(GUIDE_3_2.replace('"feature_quantize_bits":8', '"feature_quantize_bits":3'), FILE));
    expect(b.message).toContain('"feature_quantize_bits" = 3: bit width must be an integer in 4..16 (default 8)');
    expect(errorOf(() => parsePtqConfig(GUIDE_3_2.replace('"weight_quantize_bits":8', '"weight_quantize_bits":17'), FILE)).message).toContain('"weight_quantize_bits" = 17');
    const n = errorOf(() => parsePtqConfig(withLine(6, '    "used_image_num":0,'), FILE));
    expect(n.message).toBe(`${FILE}:6:22: "used_image_num" = 0: out of range; expected an integer ≥ 1`);
    expect(errorOf(() => parsePtqConfig(GUIDE_3_1.replace('}', ',"node_quantize_bits":{"c":{"feature":2}}}'), FILE)).message).toContain('"node_quantize_bits.c.feature" = 2');
    expect(errorOf(() => parsePtqConfig(GUIDE_3_1.replace('}', ',"node_quantize_bits":{"c":{"features":12}}}'), FILE)).message).toContain('did you mean "feature"?');
  });
  it('missing required key', () => {
    const e = errorOf(() => parsePtqConfig(GUIDE_3_1.replace('"path":"./yolov5-50",', ''), FILE));
    expect(e.message).toBe(`${FILE}:1:1: missing required key "path" (the guide's basic information: format, width, height, path, used_image_num)`);
    expect(e.hint).toBe('add "path": "./calib_images"');
  });
});

describe('mean / var from the config and the command line', () => {
  it('config values as arrays or comma strings, broadcast from one value', () => {
    const c = parsePtqConfig(GUIDE_3_1.replace('}', ',"mean":"0,0,0","var":[255.0]}'), FILE);
    expect(c.mean).toEqual([0, 0, 0]);
    expect(c.var).toEqual([255, 255, 255]);
    expect(c.meanSource).toBe('config');
  });
  it('the command line overrides the config and the conflict is reported', () => {
    const c = parsePtqConfig(GUIDE_3_1.replace('}', ',"mean":[0,0,0],"var":[1,1,1]}'), FILE, { mean: '0,0,0', var: '255.0,255.0,255.0', width: 416 });
    expect(c.var).toEqual([255, 255, 255]);
    expect(c.varSource).toBe('cli');
    expect(c.width).toBe(416);
    expect(c.warnings).toEqual([`--var 255,255,255 overrides "var": 1,1,1 in ${FILE}`, `--img_width 416 overrides "width": 640 in ${FILE}`]);
  });
  it('bad values', () => {
    expect(errorOf(() => parsePtqConfig(GUIDE_3_1.replace('}', ',"var":[255,0,255]}'), FILE)).message).toContain('"var" = [255,0,255]: contains 0');
    expect(errorOf(() => parsePtqConfig(GUIDE_3_1.replace('}', ',"mean":[1,2]}'), FILE)).message).toContain('"mean" = [1,2]: has 2 values; format RGB has 3 channels');
    expect(errorOf(() => parsePtqConfig(GUIDE_3_1, FILE, { mean: '0,zero,0' })).message).toBe('--mean "0,zero,0": expected numbers like 0,0,0');
    const g = parsePtqConfig(GUIDE_3_1.replace('"RGB"', '"GRAY"'), FILE, { mean: [127.5] });
    expect(g.mean).toEqual([127.5]);
  });
});

describe('loadPtqConfig', () => {
  it('reads a file and resolves paths against its folder', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ptqcfg-'));
    const f = path.join(dir, 'ptq.json');
    writeFileSync(f, GUIDE_4_3);
    const c = await loadPtqConfig(f);
    expect(c.path).toBe(path.join(dir, 'yolov5-20'));
    expect(c.file).toBe(f);
  });
  it('missing file → FILE_NOT_FOUND naming it', async () => {
    await expect(loadPtqConfig('/nonexistent/ptq.json')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringContaining('/nonexistent/ptq.json') });
  });
});

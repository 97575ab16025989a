/**
 * A tiny model holding every integer linear kernel the fast path serves (for tests of the kernel
 * choice and of `bench`): input [1,3,32,32] → Conv 3→8 3×3 stride 2 → Relu → ConvTranspose 8→4
 * 3×3 stride 2 (pads 1, output_padding 1, back to 32×32) → depthwise Conv 4 3×3 dilation 2 →
 * GlobalAveragePool → Flatten → Gemm 4→6 (transB) → MatMul [6,5] → output [1,5].
 * Weights are a fixed deterministic pattern (no randomness between runs).
 */
import { buildModel } from '../onnx/build.js';

function pattern(n: number, seed: number, amp: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Math.sin(seed * 12.9898 + i * 78.233) * amp);
  return out;
}

/**
 * The model's .onnx bytes (opset 13); its input is "x" [1,3,32,32], its output "y" [1,5].
 * `bigBias`: the first Conv's bias is scaled to ±5000, so with 16-bit features and 8-bit weights
 * its integer bias (b / (s_in · s_w)) exceeds int32 while the products still fit (the fast path's
 * "bias outside the kernel" case).
 */
export function tinyLinearModel(options: { bigBias?: boolean } = {}): Uint8Array {
  return buildModel({
    nodes: [
      { opType: 'Conv', name: 'conv1', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
      { opType: 'Relu', name: 'relu1', inputs: ['c1'], outputs: ['r1'] },
      { opType: 'ConvTranspose', name: 'up', inputs: ['r1', 'wt', 'bt'], outputs: ['u'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] } },
      { opType: 'Conv', name: 'dw', inputs: ['u', 'wd'], outputs: ['d'], attrs: { kernel_shape: [3, 3], group: 4, dilations: [2, 2], pads: [2, 2, 2, 2] } },
      { opType: 'GlobalAveragePool', name: 'gap', inputs: ['d'], outputs: ['g'] },
      { opType: 'Flatten', name: 'flat', inputs: ['g'], outputs: ['f'] },
      { opType: 'Gemm', name: 'fc', inputs: ['f', 'wg', 'bg'], outputs: ['h'], attrs: { transB: 1, alpha: 0.5 }, floatAttrs: ['alpha'] },
      { opType: 'MatMul', name: 'mm', inputs: ['h', 'wm'], outputs: ['y'] },
    ],
    inputs: [{ name: 'x', dims: [1, 3, 32, 32] }],
    outputs: [{ name: 'y', dims: [1, 5] }],
    initializers: [
      { name: 'w1', dims: [8, 3, 3, 3], values: pattern(8 * 27, 1, 0.02) },
      { name: 'b1', dims: [8], values: pattern(8, 2, options.bigBias ? 5000 : 0.5) },
      { name: 'wt', dims: [8, 4, 3, 3], values: pattern(8 * 4 * 9, 3, 0.3) },
      { name: 'bt', dims: [4], values: pattern(4, 4, 0.2) },
      { name: 'wd', dims: [4, 1, 3, 3], values: pattern(36, 5, 0.4) },
      { name: 'wg', dims: [6, 4], values: pattern(24, 6, 1) },
      { name: 'bg', dims: [6], values: pattern(6, 7, 0.3) },
      { name: 'wm', dims: [6, 5], values: pattern(30, 8, 1) },
    ],
  });
}

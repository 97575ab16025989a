/**
 * Typed attribute readers with ONNX defaults; a wrong type is a user error naming the node.
 */
import type { AttrValue, OnnxTensor } from '../../src/onnx/types.js';
import { badNode, type OpContext } from './op.js';

function get(ctx: OpContext, name: string): AttrValue | undefined {
  const v = ctx.node.attrs[name];
  return v === null ? undefined : v;
}

function typeName(v: AttrValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v === 'object' ? 'a tensor' : typeof v;
}

export function has(ctx: OpContext, name: string): boolean {
  return get(ctx, name) !== undefined;
}

export function int(ctx: OpContext, name: string, def: number): number {
  const v = get(ctx, name);
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw badNode(ctx, `attribute ${name} should be an integer, got ${typeName(v)}`);
  return v;
}

export function float(ctx: OpContext, name: string, def: number): number {
  const v = get(ctx, name);
  if (v === undefined) return def;
  if (typeof v !== 'number') throw badNode(ctx, `attribute ${name} should be a float, got ${typeName(v)}`);
  return v;
}

export function str(ctx: OpContext, name: string, def: string): string {
  const v = get(ctx, name);
  if (v === undefined) return def;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (typeof v !== 'string') throw badNode(ctx, `attribute ${name} should be a string, got ${typeName(v)}`);
  return v;
}

/** Integer list attribute, or `def` when absent. */
export function ints(ctx: OpContext, name: string): number[] | undefined;
export function ints(ctx: OpContext, name: string, def: number[]): number[];
export function ints(ctx: OpContext, name: string, def?: number[]): number[] | undefined {
  const v = get(ctx, name);
  if (v === undefined) return def;
  if (typeof v === 'number' && Number.isInteger(v)) return [v];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isInteger(x))) {
    throw badNode(ctx, `attribute ${name} should be a list of integers, got ${typeName(v)}`);
  }
  return v as number[];
}

export function floats(ctx: OpContext, name: string): number[] | undefined {
  const v = get(ctx, name);
  if (v === undefined) return undefined;
  if (typeof v === 'number') return [v];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw badNode(ctx, `attribute ${name} should be a list of floats, got ${typeName(v)}`);
  return v as number[];
}

export function tensor(ctx: OpContext, name: string): OnnxTensor | undefined {
  const v = get(ctx, name);
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) throw badNode(ctx, `attribute ${name} should be a tensor, got ${typeName(v)}`);
  return v;
}

/** One of the allowed strings. */
export function oneOf<T extends string>(ctx: OpContext, name: string, def: T, allowed: readonly T[]): T {
  const v = str(ctx, name, def);
  if (!(allowed as readonly string[]).includes(v)) throw badNode(ctx, `attribute ${name}="${v}" is not one of ${allowed.join(', ')}`);
  return v as T;
}

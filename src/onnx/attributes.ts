/**
 * AttributeProto -> plain values: FLOAT/INT -> number, STRING -> string (UTF-8),
 * FLOATS/INTS -> number[], STRINGS -> string[], TENSOR(S) -> OnnxTensor(s).
 * Sub-graphs (If/Loop/Scan bodies), sparse tensors and type protos become null: the project
 * handles feed-forward CNN graphs only, and the loader reports nodes that carry them.
 */
import onnxProto from 'onnx-proto';
import { decodeTensor, longToNumber, type LongLike } from './tensor-proto.js';
import type { AttrValue } from './types.js';

const { onnx } = onnxProto;
const T = onnx.AttributeProto.AttributeType;
const utf8 = new TextDecoder('utf-8');

type AttrProto = onnxProto.onnx.IAttributeProto;

/** The attribute's type; old files (IR < 3) may omit it, then it is inferred from the filled field. */
function attrType(a: AttrProto): number {
  if (a.type) return a.type;
  if (a.floats && a.floats.length) return T.FLOATS;
  if (a.ints && a.ints.length) return T.INTS;
  if (a.strings && a.strings.length) return T.STRINGS;
  if (a.tensors && a.tensors.length) return T.TENSORS;
  if (a.graphs && a.graphs.length) return T.GRAPHS;
  if (a.t) return T.TENSOR;
  if (a.g) return T.GRAPH;
  if (a.s && a.s.length) return T.STRING;
  if (a.i !== undefined && a.i !== null && longToNumber(a.i as number | LongLike) !== 0) return T.INT;
  if (a.f) return T.FLOAT;
  return T.UNDEFINED;
}

/** True when the attribute holds a sub-graph (control flow), which the project does not run through. */
export function isGraphAttribute(a: AttrProto): boolean {
  const t = attrType(a);
  return t === T.GRAPH || t === T.GRAPHS;
}

/**
 * Decodes one attribute. int64 values beyond 2^53 (e.g. Slice `ends` = INT64_MAX) become the
 * nearest double, which keeps their meaning ("to the end").
 */
export function decodeAttribute(a: AttrProto, nodeName: string, file: string): AttrValue {
  const what = `attribute "${a.name ?? ''}" of node "${nodeName}"`;
  switch (attrType(a)) {
    case T.FLOAT:
      return a.f ?? 0;
    case T.INT:
      return longToNumber(a.i as number | LongLike | null | undefined);
    case T.STRING:
      return utf8.decode(a.s ?? new Uint8Array());
    case T.TENSOR:
      return a.t ? decodeTensor(a.t, what, file) : null;
    case T.FLOATS:
      return [...(a.floats ?? [])];
    case T.INTS:
      return (a.ints ?? []).map((v) => longToNumber(v as number | LongLike));
    case T.STRINGS:
      return (a.strings ?? []).map((s) => utf8.decode(s));
    case T.TENSORS:
      return (a.tensors ?? []).map((t, i) => decodeTensor(t, `${what} [${i}]`, file));
    default:
      return null;
  }
}

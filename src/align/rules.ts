/**
 * Name rules for pairing layers across folders (FORMATS.md §4). Each rule strips one kind of
 * suffix the vendor's tools add; alignment tries them in this order and records which matched.
 */

export type MatchRule = 'input' | 'exact' | 'board-out' | 'quantize-suffix' | 'concat-index' | 'shape+order';

/** Human explanation of each rule, printed in the alignment table and the report. */
export const RULE_TEXT: Record<MatchRule, string> = {
  input: 'both are the network input dump',
  exact: 'same sanitized name',
  'board-out': 'board `<name>_out` ↔ PC `<name>`',
  'quantize-suffix': '`_Quantize` / `_QuantizeFeature` suffix ignored',
  'concat-index': '`_0` / `_1` concat-input index ignored',
  'shape+order': 'same shape at the same place in execution order',
};

const OUT_RE = /_out$/;
const QUANT_RE = /_(?:Quantize|QuantizeFeature)$/;
const INDEX_RE = /_\d+$/;

/** Keys of a name under each successive rule: [exact, board-out, quantize-suffix, concat-index]. */
export function ruleKeys(name: string): { rule: MatchRule; key: string }[] {
  const out: { rule: MatchRule; key: string }[] = [{ rule: 'exact', key: name }];
  let k = name.replace(OUT_RE, '');
  out.push({ rule: 'board-out', key: k });
  k = k.replace(QUANT_RE, '');
  out.push({ rule: 'quantize-suffix', key: k });
  // `_0`/`_1` then `_Quantize`: 432_0_Quantize -> 432_0 -> 432
  k = k.replace(INDEX_RE, '').replace(QUANT_RE, '');
  out.push({ rule: 'concat-index', key: k });
  return out;
}

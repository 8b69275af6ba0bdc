import { isLabelKey, isLabelValue } from '../labels';
import { child, Reporter } from './findings';
import { satisfies } from '../requirements';
import type { Requirement } from './node-pools';

/** A metav1.LabelSelector. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

const SELECTOR_OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
// A selector's parts as their shapes allow: a part of another type (the schema layer reports it) selects nothing by it.
const matchLabelsOf = (selector: LabelSelector): [string, unknown][] => (isObject(selector.matchLabels) ? Object.entries(selector.matchLabels) : []);
const expressionsOf = (selector: LabelSelector): Record<string, unknown>[] => (Array.isArray(selector.matchExpressions) ? (selector.matchExpressions as unknown[]).filter(isObject) : []);
const valuesOf = (e: Record<string, unknown>): unknown[] => (Array.isArray(e.values) ? e.values : []);

/** Whether a label selector selects `labels`; an empty selector selects everything. */
export function selects(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  if (!isObject(selector)) return false;
  const value = (key: string) => (Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined);
  return (
    matchLabelsOf(selector).every(([key, expected]) => value(key) === expected) &&
    expressionsOf(selector).every(
      // Label selectors know four operators; Karpenter's Gt/Lt/Gte/Lte are for node requirements only.
      (e) => typeof e.operator === 'string' && SELECTOR_OPERATORS.has(e.operator) && satisfies({ key: String(e.key), operator: e.operator as Requirement['operator'], values: valuesOf(e).map(String) }, value(String(e.key))),
    )
  );
}

/** Whether a selector has no terms (selects everything in a workload controller, nothing in a PDB of policy/v1beta1). */
export function isEmptySelector(selector: LabelSelector): boolean {
  return !isObject(selector) || (matchLabelsOf(selector).length === 0 && expressionsOf(selector).length === 0);
}

/** The syntax rules of ValidateLabelSelector: keys, values, operators and their values. */
export function checkSelector(selector: unknown, path: string, reporter: Reporter): void {
  if (selector === undefined || selector === null || typeof selector !== 'object') return;
  const s = selector as LabelSelector;
  for (const [key, value] of matchLabelsOf(s)) {
    if (!isLabelKey(key)) reporter.report('selector', child(child(path, 'matchLabels'), key), `selector key ${JSON.stringify(key)} must be a qualified name`, key);
    if (typeof value === 'string' && !isLabelValue(value)) reporter.report('selector', child(child(path, 'matchLabels'), key), `selector value ${JSON.stringify(value)} must be a valid label value`, value);
  }
  (Array.isArray(s.matchExpressions) ? (s.matchExpressions as unknown[]) : []).forEach((item, index) => {
    if (!isObject(item)) return;
    const e = item;
    const at = child(child(path, 'matchExpressions'), index);
    if (typeof e.key === 'string' && !isLabelKey(e.key)) reporter.report('selector', child(at, 'key'), `key ${JSON.stringify(e.key)} must be a qualified name`, e.key);
    const values = valuesOf(e);
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) reporter.report('selector', child(at, 'values'), `must be specified when \`operator\` is '${e.operator}'`);
    else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) reporter.report('selector', child(at, 'values'), `may not be specified when \`operator\` is '${e.operator}'`, values);
    else if (typeof e.operator !== 'string' || !SELECTOR_OPERATORS.has(e.operator)) reporter.report('selector', child(at, 'operator'), `Unsupported value: supported values: "In", "NotIn", "Exists", "DoesNotExist"`, e.operator);
    values.forEach((v, i) => {
      if (typeof v === 'string' && !isLabelValue(v)) reporter.report('selector', child(child(at, 'values'), i), `selector value ${JSON.stringify(v)} must be a valid label value`, v);
    });
  });
}

import { isLabelKey, isLabelValue, reservedDomain } from 'karpenter-validate/model';
import { fail } from './errors';

// Label keys and values in config: the validator's predicates, as config errors naming the field.

/** Throws unless `key` is a valid label key, outside the reserved domains when `ours`. */
export function checkLabelKey(subject: string, field: string, key: string, ours: boolean): void {
  if (!isLabelKey(key)) {
    fail(subject, field, key, 'be a valid label key: an optional DNS subdomain and "/", then up to 63 alphanumerics, "-", "_" or "."');
  }
  const domain = ours ? reservedDomain(key) : undefined;
  if (domain) fail(subject, field, key, `not use the reserved label domain "${domain}"; use your own (e.g. "workload", "example.com/tier")`);
}

/** Throws unless `value` is a valid label value. */
export function checkLabelValue(subject: string, field: string, value: string): void {
  if (!isLabelValue(value)) fail(subject, field, value, 'be a valid label value: up to 63 alphanumerics, "-", "_" or ".", starting and ending alphanumeric');
}

import { isDns1123Label, isDns1123Subdomain, isLabelKey } from '../../labels';
import { child, Reporter } from '../findings';
import { isObject, Json } from '../pods';

/**
 * Helpers shared by the ports of the API server's validation functions (k8s.io/kubernetes
 * v1.35.4 pkg/apis/<group>/validation and k8s.io/apimachinery pkg/util/validation): each reports
 * what field.ErrorList would hold, at the same path, in the same words where they help.
 */

export const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
export const obj = (value: unknown): Json => (isObject(value) ? value : {});
export const at = child;

/** field.Required */
export function required(reporter: Reporter, path: string, detail = ''): void {
  reporter.report('validation', path, `Required value${detail ? `: ${detail}` : ''}`);
}

/** field.Invalid */
export function invalid(reporter: Reporter, path: string, value: unknown, detail: string): void {
  reporter.report('validation', path, `Invalid value: ${JSON.stringify(value) ?? String(value)}: ${detail}`, value);
}

/** field.Forbidden */
export function forbidden(reporter: Reporter, path: string, detail: string): void {
  reporter.report('validation', path, `Forbidden: ${detail}`);
}

/** field.NotSupported */
export function notSupported(reporter: Reporter, path: string, value: unknown, supported: readonly string[]): void {
  reporter.report('validation', path, `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`, value);
}

/** An optional string as Go reads it: the empty string when unset. */
export const str = (value: unknown): string => (typeof value === 'string' ? value : '');
/** An optional number as Go reads it: 0 when unset. */
export const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** ValidateNonnegativeField */
export function nonNegative(reporter: Reporter, value: unknown, path: string): void {
  if (typeof value === 'number' && value < 0) invalid(reporter, path, value, 'must be greater than or equal to 0');
}

/** IsValidPortNum */
export function portNumber(reporter: Reporter, value: unknown, path: string, prefix = ''): void {
  if (typeof value === 'number' && (value < 1 || value > 65535)) invalid(reporter, path, value, `${prefix}must be between 1 and 65535, inclusive`);
}

/** IsValidUserID / IsValidGroupID: 0 to 2147483647. */
export function userOrGroupId(reporter: Reporter, value: unknown, path: string): void {
  if (typeof value === 'number' && (value < 0 || value > 2147483647)) invalid(reporter, path, value, 'must be between 0 and 2147483647, inclusive');
}

/** IsDNS1123Label */
export function dnsLabel(reporter: Reporter, value: unknown, path: string): void {
  if (typeof value === 'string' && !isDns1123Label(value)) invalid(reporter, path, value, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
}

/** IsDNS1123Subdomain */
export function dnsSubdomain(reporter: Reporter, value: unknown, path: string): void {
  if (typeof value === 'string' && !isDns1123Subdomain(value)) invalid(reporter, path, value, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
}

/** IsQualifiedName */
export function qualifiedName(reporter: Reporter, value: unknown, path: string): void {
  if (typeof value === 'string' && !isLabelKey(value)) invalid(reporter, path, value, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'");
}

/** IsDomainPrefixedPath: a DNS subdomain, a '/', and a path of URL characters. */
export function domainPrefixedPath(reporter: Reporter, value: string, path: string): void {
  if (value === '') {
    required(reporter, path);
    return;
  }
  const slash = value.indexOf('/');
  if (slash < 0) {
    invalid(reporter, path, value, "must be a domain-prefixed path (such as \"acme.io/foo\")");
    return;
  }
  if (!isDns1123Subdomain(value.slice(0, slash))) invalid(reporter, path, value.slice(0, slash), "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
  if (!/^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(value.slice(slash + 1))) invalid(reporter, path, value.slice(slash + 1), 'Invalid path');
}

/** An integer-valued string or number (IsValidPercent and friends read strings). */
export const isInteger = (value: unknown) => typeof value === 'number' && Number.isInteger(value);

export { isObject };
export type { Json };

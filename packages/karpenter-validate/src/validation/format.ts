import { describeRef, Finding } from './findings';
import type { ValidationResult } from './index';

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function line(f: Finding): string {
  const value = f.value !== undefined ? ` (${show(f.value)})` : '';
  return `  ${f.severity.padEnd(7)} [${f.rule}] ${f.path === '' ? '' : `${f.path}${value}: `}${f.message}`;
}

/** The findings as text, grouped by object: `Kind namespace/name (source)`, then one line per finding. */
export function formatText(result: ValidationResult, objects: number): string {
  const groups = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const key = `${describeRef(f.object)}${f.object.source ? ` (${f.object.source})` : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const lines: string[] = [];
  for (const [object, findings] of groups) lines.push(object, ...findings.map(line), '');
  if (result.waived.length > 0) {
    lines.push(`waived (${result.waived.length}):`, ...result.waived.map((w) => `  ${describeRef(w.object)} [${w.rule}] ${w.path}: ${w.reason}`), '');
  }
  lines.push(`${result.errors} error(s), ${result.warnings} warning(s) in ${objects} object(s)`);
  return lines.join('\n');
}

/** The findings as JSON, for CI. */
export function formatJson(result: ValidationResult, objects: number, milliseconds?: number): string {
  return JSON.stringify({ objects, errors: result.errors, warnings: result.warnings, ...(milliseconds !== undefined ? { milliseconds: Math.round(milliseconds) } : {}), findings: result.findings, waived: result.waived }, null, 2);
}

/** Warnings of every environment for the console: one line each, grouped by environment; empty when there are none. */
export function formatWarnings(byEnvironment: ReadonlyMap<string, readonly Finding[]>): string {
  const lines: string[] = [];
  for (const [env, warnings] of byEnvironment) {
    if (warnings.length === 0) continue;
    lines.push(`${env}: ${warnings.length} warning(s) (see dist/${env}/REPORT.md)`);
    for (const w of warnings) lines.push(`  warning [${w.rule}] ${describeRef(w.object)}${w.path ? ` ${w.path}` : ''}: ${w.message}`);
  }
  return lines.join('\n');
}

import { editDistance, nearest } from 'karpenter-validate/model';

/**
 * A mistake in config or construct props, found before anything is written. The message names
 * the object, the field, the value received and what is allowed.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Formats a value for an error message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}

/** Throws `<subject>: '<field>' (<value>) must <rule>`. */
export function fail(subject: string, field: string, value: unknown, rule: string): never {
  throw new ConfigError(`${subject}: '${field}' (${show(value)}) must ${rule}`);
}

/** ` (did you mean "x"?)` for the candidate closest to `value`, when one is close; else the list of candidates. */
export function suggest(value: string, candidates: readonly string[]): string {
  // A candidate that contains the value (`gpu` → `gpu-spot`) is as close as a one-letter typo.
  const best = nearest(value, candidates, (v, candidate) => (candidate.includes(v) ? 1 : editDistance(v, candidate)));
  return best !== undefined && best.distance <= Math.max(2, Math.floor(value.length / 3)) ? ` (did you mean "${best.candidate}"?)` : `: [${candidates.join(', ')}]`;
}

import type { ReadDifference } from './kubectl-yaml';
import { child } from './json-path';
import { rule, type Severity } from './rules';

export { child } from './json-path';
export type { Severity } from './rules';

/**
 * What the validator reports: one finding per broken rule, on one object, at one field.
 */

/** A Kubernetes object as read from YAML or synthesized: plain JSON. */
export interface KubeObject {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown; readonly labels?: unknown; readonly annotations?: unknown; readonly [field: string]: unknown };
  readonly [field: string]: unknown;
}

/** An object to validate, and where it came from (`file` and document index) when read from disk. */
export interface Input {
  readonly object: KubeObject;
  readonly source?: string;
  /** Plain scalars of its YAML that kubectl (YAML 1.1) reads otherwise than YAML 1.2 readers (src/validation/kubectl-yaml.ts). */
  readonly readDifferences?: readonly ReadDifference[];
}

/** The object a finding is about, as a reader finds it: `NodePool gpu-spot`, `Deployment llm/ollama`. */
export interface ObjectRef {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly source?: string;
}

export interface Finding {
  /** Rule id from the catalog in `rules.ts`. */
  readonly rule: string;
  readonly severity: Severity;
  readonly object: ObjectRef;
  /** JSON path of the field, `spec.template.spec.requirements[2].values`; empty for the whole object. */
  readonly path: string;
  /** The value found there, when one helps the reader. */
  readonly value?: unknown;
  readonly message: string;
}

/** How an object is named in findings. */
export function refOf(input: Input): ObjectRef {
  const { object } = input;
  const metadata = object.metadata ?? {};
  return {
    kind: typeof object.kind === 'string' ? object.kind : '<no kind>',
    name: typeof metadata.name === 'string' ? metadata.name : '<no name>',
    ...(typeof metadata.namespace === 'string' ? { namespace: metadata.namespace } : {}),
    ...(input.source !== undefined ? { source: input.source } : {}),
  };
}

/** `Deployment llm/ollama`, `NodePool gpu-spot`. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace !== undefined ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** An ajv instance path (`/spec/limits/cpu`) as a JSON path over `root` (`spec.limits.cpu`), with the value there. */
export function pointerToPath(instancePath: string, root: unknown): { path: string; value: unknown } {
  let path = '';
  let value: unknown = root;
  for (const raw of instancePath.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = Array.isArray(value) ? child(path, Number(key)) : child(path, key);
    value = (value as Record<string, unknown> | undefined)?.[key];
  }
  return { path, value };
}

/** Collects findings about one object. */
export class Reporter {
  constructor(
    private readonly ref: ObjectRef,
    readonly findings: Finding[] = [],
    private readonly override?: { readonly id: string; readonly note: string },
    private readonly prefix = '',
  ) {}

  /** Reports a broken rule at `path`; the severity is the catalog's unless given. */
  report(id: string, path: string, message: string, value?: unknown, severity?: Severity): void {
    const filed = this.override?.id ?? id;
    const text = this.override ? `${message} (${this.override.note})` : message;
    const at = this.prefix === '' ? path : path === '' ? this.prefix : `${this.prefix}: ${path}`;
    this.findings.push({ rule: filed, severity: severity ?? rule(filed).severity, object: this.ref, path: at, ...(value !== undefined ? { value } : {}), message: text });
  }

  /** A reporter that files everything under rule `id` with a note: checks reused in another role. */
  under(id: string, note: string): Reporter {
    return new Reporter(this.ref, this.findings, { id, note }, this.prefix);
  }

  /** A reporter for something inside this object (a pod template embedded in a ConfigMap): its paths start with `prefix`. */
  within(prefix: string): Reporter {
    return new Reporter(this.ref, this.findings, this.override, prefix);
  }
}

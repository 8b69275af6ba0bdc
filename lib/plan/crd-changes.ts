import { customKinds, schemaOf } from 'karpenter-validate/model';
import type { KarpenterRelease, StructuralSchema } from 'karpenter-validate/model';
import { isObject, Json } from 'karpenter-validate/model';
import { KubeObject, refOf, Reporter } from 'karpenter-validate';
import { validateCustomResource } from 'karpenter-validate/model';

/**
 * What a Karpenter upgrade changes in its CRDs, and what that does to our objects: the two
 * releases' schemas (each generated from that release's own CRDs, packages/karpenter-validate/
 * schemas/crds/*-v<release>.*) compared field by field, then each NodePool and EC2NodeClass
 * of both renders admitted by each release's API server (the validator's admission: the schema,
 * defaults, pruning and CEL rules).
 */

/** Karpenter's kinds the project emits. */
export const KARPENTER_KINDS = ['karpenter.sh/v1/NodePool', 'karpenter.k8s.aws/v1/EC2NodeClass'] as const;

export type SchemaChangeKind = 'default' | 'required' | 'optional' | 'enum' | 'added' | 'removed' | 'opened' | 'rule-removed' | 'rule-added' | 'bound';

/** One difference between a kind's schema at two releases. */
export interface SchemaChange {
  readonly kind: string;
  /** Dot-separated, `[]` for list items, `{}` for a map's values: `spec.disruption.consolidateAfter`. */
  readonly path: string;
  readonly change: SchemaChangeKind;
  readonly text: string;
  /** The new default (change `default`). */
  readonly default?: unknown;
  /** A CEL rule's message (changes `rule-removed`, `rule-added`). */
  readonly rule?: string;
}

const show = (v: unknown) => JSON.stringify(v);
const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/** Every CEL rule and typed property under a schema, for what an opened subtree gives up. */
function contents(schema: StructuralSchema | undefined): { properties: number; rules: string[] } {
  if (!schema) return { properties: 0, rules: [] };
  const out = { properties: Object.keys(schema.properties ?? {}).length, rules: (schema['x-kubernetes-validations'] ?? []).map((r) => r.message ?? r.rule) };
  for (const child of [...Object.values(schema.properties ?? {}), schema.items, typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined]) {
    const inner = contents(child);
    out.rules.push(...inner.rules);
  }
  return out;
}

function compare(kind: string, a: StructuralSchema, b: StructuralSchema, path: string, out: SchemaChange[]): void {
  const add = (change: SchemaChangeKind, text: string, extra: Partial<SchemaChange> = {}) => out.push({ kind, path, change, text, ...extra });
  if (b['x-kubernetes-preserve-unknown-fields'] && !a['x-kubernetes-preserve-unknown-fields']) {
    const gone = contents(a);
    add('opened', `no longer typed: any field is admitted and kept (x-kubernetes-preserve-unknown-fields); ${gone.properties} typed fields and ${gone.rules.length} CEL rules leave admission`);
    for (const rule of gone.rules) out.push({ kind, path, change: 'rule-removed', text: `CEL rule no longer checked by the API server: ${rule}`, rule });
    return;
  }
  if (show(a.default) !== show(b.default)) add('default', b.default === undefined ? `no default any more (was ${show(a.default)})` : a.default === undefined ? `now defaults to ${show(b.default)}` : `default ${show(a.default)} -> ${show(b.default)}`, b.default !== undefined ? { default: b.default } : {});
  for (const field of a.required ?? []) if (!(b.required ?? []).includes(field)) out.push({ kind, path: join(path, field), change: 'optional', text: 'no longer required' });
  for (const field of b.required ?? []) if (!(a.required ?? []).includes(field) && a.properties?.[field] !== undefined) out.push({ kind, path: join(path, field), change: 'required', text: 'now required' });
  const [ea, eb] = [a.enum ?? [], b.enum ?? []];
  const added = eb.filter((v) => !ea.some((w) => show(w) === show(v)));
  const removed = ea.filter((v) => !eb.some((w) => show(w) === show(v)));
  if (ea.length > 0 && (added.length > 0 || removed.length > 0)) add('enum', [added.length > 0 ? `admits ${added.map(show).join(', ')}` : '', removed.length > 0 ? `refuses ${removed.map(show).join(', ')}` : ''].filter(Boolean).join('; '));
  for (const bound of ['pattern', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'format'] as const) {
    if (show(a[bound]) !== show(b[bound])) add('bound', `${bound} ${show(a[bound]) ?? 'none'} -> ${show(b[bound]) ?? 'none'}`);
  }
  const rulesA = (a['x-kubernetes-validations'] ?? []).map((r) => r.rule);
  const rulesB = (b['x-kubernetes-validations'] ?? []).map((r) => r.rule);
  for (const r of a['x-kubernetes-validations'] ?? []) if (!rulesB.includes(r.rule)) add('rule-removed', `CEL rule no longer checked by the API server: ${r.message ?? r.rule}`, { rule: r.message ?? r.rule });
  for (const r of b['x-kubernetes-validations'] ?? []) if (!rulesA.includes(r.rule)) add('rule-added', `new CEL rule: ${r.message ?? r.rule}`, { rule: r.message ?? r.rule });
  for (const key of [...new Set([...Object.keys(a.properties ?? {}), ...Object.keys(b.properties ?? {})])].sort()) {
    const [pa, pb] = [a.properties?.[key], b.properties?.[key]];
    if (pa && pb) compare(kind, pa, pb, join(path, key), out);
    else if (pb) out.push({ kind, path: join(path, key), change: 'added', text: `new field${pb.default !== undefined ? `, defaulting to ${show(pb.default)}` : ''}` });
    else if (pa && !b['x-kubernetes-preserve-unknown-fields']) out.push({ kind, path: join(path, key), change: 'removed', text: 'field removed: the API server prunes it (refuses it under strict field validation)' });
  }
  if (a.items && b.items) compare(kind, a.items, b.items, `${path}[]`, out);
  const [ma, mb] = [a.additionalProperties, b.additionalProperties];
  if (typeof ma === 'object' && typeof mb === 'object') compare(kind, ma, mb, `${path}{}`, out);
}

/** The differences of Karpenter's kinds' schemas from one release to another. */
export function schemaChanges(from: KarpenterRelease, to: KarpenterRelease): SchemaChange[] {
  const out: SchemaChange[] = [];
  for (const key of KARPENTER_KINDS) {
    const [a, b] = [customKinds(from).get(key), customKinds(to).get(key)];
    if (!a || !b) continue;
    compare(key.split('/').pop()!, schemaOf(a), schemaOf(b), '', out);
  }
  return out;
}

/** An object of ours as each release's API server would take it. */
export interface ObjectAdmission {
  readonly kind: string;
  readonly name: string;
  /** Errors each release's API server gives it on create or update (none: admitted). */
  readonly refusedBy: { readonly from: readonly string[]; readonly to: readonly string[] };
  /** Fields stored differently (defaulted or pruned by one release and not the other): path, value at `from`, value at `to`. */
  readonly storedDifferently: readonly { readonly path: string; readonly from: unknown; readonly to: unknown }[];
}

/** The object as a release's API server stores it, and the errors it gives. */
function admit(object: KubeObject, release: KarpenterRelease): { stored: KubeObject; errors: string[] } {
  const kind = customKinds(release).get(`${String(object.apiVersion)}/${String(object.kind)}`);
  const reporter = new Reporter(refOf({ object }));
  const stored = kind ? validateCustomResource(object, kind, reporter) : object;
  return { stored, errors: reporter.findings.filter((f) => f.severity === 'error').map((f) => `${f.path}: ${f.message}`) };
}

function differences(a: unknown, b: unknown, path: string, out: { path: string; from: unknown; to: unknown }[]): void {
  if (show(a) === show(b)) return;
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) differences((a as Json)[key], (b as Json)[key], join(path, key), out);
  } else out.push({ path, from: a, to: b });
}

/** Each NodePool and EC2NodeClass of a set as both releases' API servers admit and store it. */
export function objectAdmissions(objects: readonly KubeObject[], from: KarpenterRelease, to: KarpenterRelease): ObjectAdmission[] {
  return objects
    .filter((o) => KARPENTER_KINDS.includes(`${String(o.apiVersion)}/${String(o.kind)}` as (typeof KARPENTER_KINDS)[number]))
    .map((object) => {
      const [a, b] = [admit(object, from), admit(object, to)];
      const storedDifferently: { path: string; from: unknown; to: unknown }[] = [];
      differences(a.stored.spec, b.stored.spec, 'spec', storedDifferently);
      return { kind: String(object.kind), name: String(object.metadata?.name), refusedBy: { from: a.errors, to: b.errors }, storedDifferently };
    });
}

/** The value at a dot path (`[]` steps into every item, `{}` into every value): whether any object sets it, and where its parent exists without it. */
export function presence(object: KubeObject, path: string): { readonly set: boolean; readonly missingUnder: boolean } {
  const steps = path.split('.');
  let values: unknown[] = [object];
  let parents: unknown[] = [];
  for (const step of steps) {
    parents = values;
    const key = step.replace(/(\[\]|\{\})+$/, '');
    const spread = step.slice(key.length);
    values = values.flatMap((v) => (isObject(v) && (v as Json)[key] !== undefined ? [(v as Json)[key]] : []));
    for (const s of spread.match(/\[\]|\{\}/g) ?? []) values = values.flatMap((v) => (s === '[]' ? (Array.isArray(v) ? v : []) : isObject(v) ? Object.values(v) : []));
  }
  const key = steps[steps.length - 1]!;
  return { set: values.length > 0, missingUnder: parents.some((p) => isObject(p) && (p as Json)[key] === undefined) };
}

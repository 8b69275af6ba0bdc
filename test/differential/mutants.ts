// Seeded mutants of the base objects (test/oracle/controlplane/base/): each a copy of one base
// object with one change chosen from its kind's schema (the CRDs' structural schemas, the
// OpenAPI v3 of the API server for built-in kinds): a wrong type, a value outside an enum, a
// pattern or a bound, a required field removed, a null, an unknown field, a field under a CEL
// rule set from the rule's own literals, a Pod Security level broken, an immutable field changed
// on update, and valid changes too (an accepted case is as much a verdict as a refused one).
import { emitYaml } from '../../lib/synth/yaml-emit';
import { CUSTOM_KINDS, schemaOf } from '../../packages/karpenter-validate/src/validation/crd';
import { at as openApiAt, builtinKind, kindSchema, OpenApiSchema, resolve } from '../../packages/karpenter-validate/src/validation/openapi';
import type { StructuralSchema } from '../../packages/karpenter-validate/src/validation/structural';
import { random } from '../random';
import { baseObjects, Case, Json } from './corpus';

/** One schema node, whichever kind of schema it comes from. */
interface Node {
  readonly type?: string;
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly required: readonly string[];
  readonly properties: () => Record<string, Node>;
  readonly items?: () => Node;
  readonly additional?: () => Node;
  readonly preserve: boolean;
  readonly intOrString: boolean;
  readonly rules: readonly string[];
}

function fromStructural(s: StructuralSchema): Node {
  return {
    ...(s.type ? { type: s.type } : {}),
    ...(s.format ? { format: s.format } : {}),
    ...(s.enum ? { enum: s.enum } : {}),
    ...(s.pattern ? { pattern: s.pattern } : {}),
    ...(s.minimum !== undefined ? { minimum: s.minimum } : {}),
    ...(s.maximum !== undefined ? { maximum: s.maximum } : {}),
    ...(s.minLength !== undefined ? { minLength: s.minLength } : {}),
    ...(s.maxLength !== undefined ? { maxLength: s.maxLength } : {}),
    ...(s.minItems !== undefined ? { minItems: s.minItems } : {}),
    ...(s.maxItems !== undefined ? { maxItems: s.maxItems } : {}),
    required: s.required ?? [],
    properties: () => Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, fromStructural(v)])),
    ...(s.items ? { items: () => fromStructural(s.items!) } : {}),
    ...(typeof s.additionalProperties === 'object' ? { additional: () => fromStructural(s.additionalProperties as StructuralSchema) } : {}),
    preserve: s['x-kubernetes-preserve-unknown-fields'] === true,
    intOrString: s['x-kubernetes-int-or-string'] === true,
    rules: (s['x-kubernetes-validations'] ?? []).map((r) => r.rule),
  };
}

function fromOpenApi(document: string, raw: OpenApiSchema): Node {
  const s = resolve({ document, schema: raw });
  return {
    ...(s.type ? { type: s.type } : {}),
    ...(s.format ? { format: s.format } : {}),
    ...(s.enum ? { enum: s.enum } : {}),
    required: s.required ?? [],
    properties: () => Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, fromOpenApi(document, v)])),
    ...(s.items ? { items: () => fromOpenApi(document, s.items!) } : {}),
    ...(typeof s.additionalProperties === 'object' ? { additional: () => fromOpenApi(document, s.additionalProperties as OpenApiSchema) } : {}),
    preserve: s['x-kubernetes-preserve-unknown-fields'] === true,
    intOrString: s.format === 'int-or-string' || (s.oneOf?.length === 2 && !s.type),
    rules: [],
  };
}

function rootNode(object: Json): Node | undefined {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const custom = CUSTOM_KINDS.get(key);
  if (custom) return fromStructural(schemaOf(custom));
  const builtin = builtinKind(key);
  if (builtin) {
    const { document, schema } = kindSchema(builtin);
    return fromOpenApi(document, schema);
  }
  return undefined;
}
void openApiAt;

type Path = (string | number)[];

interface Place {
  readonly path: Path;
  readonly value: unknown;
  readonly node: Node | undefined;
}

/** Every field of an object with its schema node (metadata and status left to their own mutations). */
function places(object: Json, root: Node): Place[] {
  const out: Place[] = [];
  const walk = (value: unknown, node: Node | undefined, path: Path) => {
    out.push({ path, value, node });
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, node?.items?.(), [...path, i]));
      return;
    }
    const props = node?.properties() ?? {};
    for (const [key, item] of Object.entries(value)) {
      if (path.length === 0 && (key === 'metadata' || key === 'status' || key === 'apiVersion' || key === 'kind')) continue;
      walk(item, props[key] ?? node?.additional?.(), [...path, key]);
    }
  };
  walk(object, root, []);
  return out.filter((p) => p.path.length > 0);
}

function setAt(object: Json, path: Path, value: unknown): void {
  let parent: any = object;
  for (const key of path.slice(0, -1)) parent = parent[key];
  parent[path[path.length - 1]!] = value;
}

function deleteAt(object: Json, path: Path): void {
  let parent: any = object;
  for (const key of path.slice(0, -1)) parent = parent[key];
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
}

function getAt(object: Json, path: Path): unknown {
  let value: any = object;
  for (const key of path) value = value?.[key];
  return value;
}

const show = (path: Path) => path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').slice(1);

type Rng = () => number;
const pick = <T>(next: Rng, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;

/** A value of another JSON type than the schema's. */
function wrongTypeValue(next: Rng, node: Node | undefined, value: unknown): unknown {
  const candidates: unknown[] = [];
  const type = node?.type ?? (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);
  if (type !== 'string' && !node?.intOrString) candidates.push('a-string', '1');
  if (type !== 'integer' && type !== 'number' && !node?.intOrString) candidates.push(7, 1.5);
  if (type !== 'boolean') candidates.push(true);
  if (type !== 'array') candidates.push(['item']);
  if (type !== 'object') candidates.push({ nested: 'object' });
  if (node?.intOrString) candidates.push(true, 1.5, ['x']);
  return pick(next, candidates);
}

const BAD_STRINGS = ['', 'UPPER_CASE', 'has space', 'bad/value!', '-leading-dash', 'x'.repeat(300), 'ümlaut', '0'];
const QUANTITIES_BAD = ['1.5.3', '1Gb', 'one', '1 Gi', '--1', '1e', 'Gi'];
const QUANTITIES_GOOD = ['2', '500m', '1.5', '4Gi', '1e3', '0', '100Mi', '0.5'];

// Fields of a pod spec and its containers whose values decide a Pod Security level.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = Record<string, any>;
const PSA_MUTATIONS: readonly [string, (spec: Spec) => void][] = [
  ['privileged container', (s) => (s.containers[0].securityContext = { ...(s.containers[0].securityContext ?? {}), privileged: true })],
  ['host network', (s) => (s.hostNetwork = true)],
  ['host PID', (s) => (s.hostPID = true)],
  ['host IPC', (s) => (s.hostIPC = true)],
  ['hostPath volume', (s) => (s.volumes = [...(s.volumes ?? []), { name: 'host', hostPath: { path: '/var/run' } }])],
  ['host port', (s) => (s.containers[0].ports = [...(s.containers[0].ports ?? []).filter((p: Json) => p.containerPort !== 9999), { containerPort: 9999, hostPort: 9999 }])],
  ['added capability SYS_ADMIN', (s) => (s.containers[0].securityContext = { ...(s.containers[0].securityContext ?? {}), capabilities: { add: ['SYS_ADMIN'], drop: ['ALL'] } })],
  ['added capability NET_BIND_SERVICE', (s) => (s.containers[0].securityContext = { ...(s.containers[0].securityContext ?? {}), capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } })],
  ['added capability CHOWN', (s) => (s.containers[0].securityContext = { ...(s.containers[0].securityContext ?? {}), capabilities: { add: ['CHOWN'], drop: ['ALL'] } })],
  ['capabilities not dropped', (s) => (s.containers[0].securityContext = { ...(s.containers[0].securityContext ?? {}), capabilities: {} })],
  ['privilege escalation allowed', (s) => (s.containers[0].securityContext = { ...(s.containers[0].securityContext ?? {}), allowPrivilegeEscalation: true })],
  ['privilege escalation unset', (s) => {
    const { allowPrivilegeEscalation: _a, ...rest } = s.containers[0].securityContext ?? {};
    s.containers[0].securityContext = rest;
  }],
  ['runAsNonRoot false', (s) => (s.securityContext = { ...(s.securityContext ?? {}), runAsNonRoot: false })],
  ['runAsNonRoot unset', (s) => {
    const { runAsNonRoot: _r, ...rest } = s.securityContext ?? {};
    s.securityContext = rest;
    if (s.containers[0].securityContext) delete s.containers[0].securityContext.runAsNonRoot;
  }],
  ['runAsUser 0', (s) => (s.containers[0].securityContext = { ...(s.containers[0].securityContext ?? {}), runAsUser: 0 })],
  ['seccomp Unconfined', (s) => (s.securityContext = { ...(s.securityContext ?? {}), seccompProfile: { type: 'Unconfined' } })],
  ['seccomp unset', (s) => {
    const { seccompProfile: _p, ...rest } = s.securityContext ?? {};
    s.securityContext = rest;
    if (s.containers[0].securityContext) delete s.containers[0].securityContext.seccompProfile;
  }],
  ['unsafe sysctl', (s) => (s.securityContext = { ...(s.securityContext ?? {}), sysctls: [{ name: 'kernel.msgmax', value: '65536' }] })],
  ['safe sysctl', (s) => (s.securityContext = { ...(s.securityContext ?? {}), sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }] })],
  ['proc mount Unmasked', (s) => (s.containers[0].securityContext = { ...(s.containers[0].securityContext ?? {}), procMount: 'Unmasked' })],
  ['SELinux user', (s) => (s.securityContext = { ...(s.securityContext ?? {}), seLinuxOptions: { user: 'system_u' } })],
  ['SELinux type spc_t', (s) => (s.securityContext = { ...(s.securityContext ?? {}), seLinuxOptions: { type: 'spc_t' } })],
  ['AppArmor unconfined', (s) => (s.securityContext = { ...(s.securityContext ?? {}), appArmorProfile: { type: 'Unconfined' } })],
  ['gitRepo-free volume types: configMap', (s) => (s.volumes = [...(s.volumes ?? []), { name: 'extra-config', configMap: { name: 'x' } }])],
  ['nfs volume', (s) => (s.volumes = [...(s.volumes ?? []), { name: 'nfs', nfs: { server: 'nfs.example.com', path: '/' } }])],
  ['windows host process', (s) => (s.securityContext = { ...(s.securityContext ?? {}), windowsOptions: { hostProcess: true } })],
];

/** Where a kind keeps its pod template's spec. */
function podSpecPath(object: Json): Path | undefined {
  switch (object.kind) {
    case 'Pod':
      return ['spec'];
    case 'CronJob':
      return ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return ['spec', 'template', 'spec'];
    default:
      return undefined;
  }
}

// Fields the API server holds immutable, by kind (pkg/apis/*/validation ValidateXUpdate), and a change to each.
const IMMUTABLE: Readonly<Record<string, readonly [Path, (v: any) => unknown][]>> = {
  StatefulSet: [
    [['spec', 'serviceName'], (v) => `${v}-renamed`],
    [['spec', 'volumeClaimTemplates', 0, 'spec', 'resources', 'requests', 'storage'], () => '999Gi'],
    [['spec', 'podManagementPolicy'], (v) => (v === 'Parallel' ? 'OrderedReady' : 'Parallel')],
    [['spec', 'selector', 'matchLabels', 'extra'], () => 'x'],
    [['spec', 'replicas'], (v) => (typeof v === 'number' ? v + 1 : 2)],
    [['spec', 'updateStrategy'], () => ({ type: 'OnDelete' })],
  ],
  Deployment: [
    [['spec', 'selector', 'matchLabels', 'extra'], () => 'x'],
    [['spec', 'replicas'], (v) => (typeof v === 'number' ? v + 1 : 3)],
  ],
  Job: [
    [['spec', 'template', 'spec', 'containers', 0, 'image'], (v) => `${v}-changed`],
    [['spec', 'backoffLimit'], (v) => (typeof v === 'number' ? v + 1 : 3)],
    [['spec', 'completions'], () => 3],
  ],
  Service: [
    [['spec', 'clusterIP'], () => '10.96.55.55'],
    [['spec', 'ports', 0, 'port'], (v) => (typeof v === 'number' ? v + 1 : 81)],
    [['spec', 'type'], () => 'NodePort'],
  ],
  PersistentVolumeClaim: [
    [['spec', 'resources', 'requests', 'storage'], () => '1Gi'],
    [['spec', 'resources', 'requests', 'storage'], () => '500Gi'],
    [['spec', 'storageClassName'], () => 'other'],
    [['spec', 'accessModes'], () => ['ReadWriteMany']],
  ],
  PersistentVolume: [
    [['spec', 'csi', 'volumeHandle'], (v) => `${v}-other`],
    [['spec', 'capacity', 'storage'], () => '2Ti'],
    [['spec', 'persistentVolumeReclaimPolicy'], () => 'Delete'],
  ],
  StorageClass: [
    [['parameters', 'type'], () => 'io2'],
    [['provisioner'], () => 'kubernetes.io/aws-ebs'],
    [['reclaimPolicy'], () => 'Retain'],
    [['allowVolumeExpansion'], (v) => !v],
    [['volumeBindingMode'], (v) => (v === 'Immediate' ? 'WaitForFirstConsumer' : 'Immediate')],
  ],
  RoleBinding: [
    [['roleRef', 'name'], (v) => `${v}-other`],
    [['subjects', 0, 'name'], (v) => `${v}-other`],
  ],
  ClusterRoleBinding: [[['roleRef', 'name'], (v) => `${v}-other`]],
  PodDisruptionBudget: [[['spec', 'selector', 'matchLabels', 'extra'], () => 'x']],
  ConfigMap: [[['immutable'], () => true]],
  Secret: [[['type'], () => 'kubernetes.io/tls']],
  DaemonSet: [[['spec', 'selector', 'matchLabels', 'extra'], () => 'x']],
  CronJob: [[['spec', 'schedule'], () => '*/5 * * * *']],
};

/** String and number literals of a CEL rule: the values most likely to flip it. */
function literalsOf(rule: string): unknown[] {
  const strings = [...rule.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2]!);
  const numbers = [...rule.matchAll(/(?<![\w.'"])(-?\d+)(?![\w.'"])/g)].map((m) => Number(m[1]));
  return [...strings, ...numbers, ...numbers.map((n) => n + 1), ...numbers.map((n) => n - 1)];
}

/** A mutant under one CEL rule: a field below the rule's place set to one of the rule's literals, or a field of it set or removed. */
function celMutation(next: Rng, base: Json, all: Place[], place: Place, rule: string): Mutation | undefined {
  const inner = all.filter((p) => p.path.length > place.path.length && place.path.every((k, i) => p.path[i] === k) && (p.value === null || typeof p.value !== 'object'));
  const object = clone(base);
  const literals = literalsOf(rule);
  if (inner.length > 0 && (literals.length > 0 || next() < 0.5)) {
    const target = pick(next, inner);
    const value = literals.length > 0 && next() < 0.8 ? pick(next, literals) : pick(next, ['', 0, 'x']);
    setAt(object, target.path, value);
    return { note: `${show(target.path)}: ${JSON.stringify(value)} (under rule ${rule.slice(0, 80)})`, object };
  }
  const fields = Object.keys(place.node!.properties());
  if (fields.length === 0) return undefined;
  const field = pick(next, fields);
  const current = getAt(object, [...place.path, field]);
  if (current === undefined) setAt(object, [...place.path, field], literals.length > 0 ? pick(next, literals) : 'x');
  else deleteAt(object, [...place.path, field]);
  return { note: `${show([...place.path, field])} ${current === undefined ? 'set' : 'removed'} (under rule ${rule.slice(0, 80)})`, object };
}

interface Mutation {
  readonly note: string;
  readonly object: Json;
  readonly previous?: Json;
}

function clone(object: Json): Json {
  return structuredClone(object);
}

type Operator = (next: Rng, base: Json, root: Node, all: Place[]) => Mutation | undefined;

const withNode = (all: Place[], test: (p: Place) => boolean) => all.filter(test);

const OPERATORS: readonly [number, string, Operator][] = [
  [10, 'type', (next, base, _root, all) => {
    const place = pick(next, all);
    const value = wrongTypeValue(next, place.node, place.value);
    const object = clone(base);
    setAt(object, place.path, value);
    return { note: `${show(place.path)}: ${JSON.stringify(value)} (a ${place.node?.type ?? typeof place.value} field)`, object };
  }],
  [6, 'enum', (next, base, _root, all) => {
    const candidates = withNode(all, (p) => (p.node?.enum?.length ?? 0) > 0);
    if (candidates.length === 0) return undefined;
    const place = pick(next, candidates);
    const valid = place.node!.enum!.filter((v) => v !== place.value);
    const value = next() < 0.3 && valid.length > 0 ? pick(next, valid) : pick(next, ['NotAnOption', String(place.value).toLowerCase(), String(place.value).toUpperCase(), `${String(place.value)} `]);
    const object = clone(base);
    setAt(object, place.path, value);
    return { note: `${show(place.path)}: ${JSON.stringify(value)} (enum ${JSON.stringify(place.node!.enum)})`, object };
  }],
  [5, 'pattern', (next, base, _root, all) => {
    const candidates = withNode(all, (p) => p.node?.pattern !== undefined && typeof p.value === 'string');
    if (candidates.length === 0) return undefined;
    const place = pick(next, candidates);
    const value = pick(next, BAD_STRINGS);
    const object = clone(base);
    setAt(object, place.path, value);
    return { note: `${show(place.path)}: ${JSON.stringify(value)} (pattern ${place.node!.pattern})`, object };
  }],
  [6, 'bounds', (next, base, _root, all) => {
    const candidates = withNode(all, (p) => p.node !== undefined && [p.node.minimum, p.node.maximum, p.node.minLength, p.node.maxLength, p.node.minItems, p.node.maxItems].some((b) => b !== undefined) || p.node?.format === 'int32' || p.node?.type === 'integer');
    if (candidates.length === 0) return undefined;
    const place = pick(next, candidates);
    const n = place.node!;
    const options: [string, unknown][] = [];
    if (n.minimum !== undefined) options.push(['minimum - 1', n.minimum - 1], ['minimum', n.minimum]);
    if (n.maximum !== undefined) options.push(['maximum + 1', n.maximum + 1], ['maximum', n.maximum]);
    if (n.minLength !== undefined && n.minLength > 0) options.push(['shorter than minLength', 'x'.repeat(n.minLength - 1)]);
    if (n.maxLength !== undefined) options.push(['longer than maxLength', 'a'.repeat(n.maxLength + 1)], ['maxLength', 'a'.repeat(n.maxLength)]);
    if (n.minItems !== undefined && Array.isArray(place.value)) options.push(['fewer than minItems', (place.value as unknown[]).slice(0, Math.max(0, n.minItems - 1))]);
    if (n.maxItems !== undefined && Array.isArray(place.value) && place.value.length > 0) options.push(['more than maxItems', Array.from({ length: n.maxItems + 1 }, (_, i) => (place.value as unknown[])[i % (place.value as unknown[]).length])]);
    if (n.type === 'integer') options.push(['negative', -1], ['zero', 0], ['int32 overflow', 2147483648], ['fraction', 2.5], ['large', 100000]);
    if (options.length === 0) return undefined;
    const [what, value] = pick(next, options);
    const object = clone(base);
    setAt(object, place.path, value);
    return { note: `${show(place.path)}: ${what} (${JSON.stringify(value).slice(0, 40)})`, object };
  }],
  [7, 'required', (next, base, _root, all) => {
    const candidates = withNode(all, (p) => p.value !== null && typeof p.value === 'object' && !Array.isArray(p.value) && (p.node?.required ?? []).some((r) => (p.value as Json)[r] !== undefined));
    if (candidates.length === 0) return undefined;
    const place = pick(next, candidates);
    const field = pick(next, place.node!.required.filter((r) => (place.value as Json)[r] !== undefined));
    const object = clone(base);
    deleteAt(object, [...place.path, field]);
    return { note: `${show([...place.path, field])} removed (required)`, object };
  }],
  [7, 'optional', (next, base, _root, all) => {
    const candidates = withNode(all, (p) => typeof p.path[p.path.length - 1] === 'string');
    const place = pick(next, candidates);
    const object = clone(base);
    deleteAt(object, place.path);
    return { note: `${show(place.path)} removed`, object };
  }],
  [6, 'null', (next, base, _root, all) => {
    const place = pick(next, all);
    const object = clone(base);
    setAt(object, place.path, null);
    return { note: `${show(place.path)}: null`, object };
  }],
  [6, 'unknown-field', (next, base, root, all) => {
    const candidates = [{ path: [], value: base, node: root } as Place, ...withNode(all, (p) => p.value !== null && typeof p.value === 'object' && !Array.isArray(p.value))];
    const place = pick(next, candidates);
    const name = pick(next, ['unexpectedField', 'replica', 'Spec', 'nodeSelectors', 'extra_field']);
    const object = clone(base);
    setAt(object, [...place.path, name], pick(next, [1, 'x', { a: 1 }]));
    return { note: `${show([...place.path, name])} added (not in the schema${place.node?.preserve ? ', which preserves unknown fields' : ''})`, object };
  }],
  [8, 'cel', (next, base, _root, all) => {
    const candidates = withNode(all, (p) => (p.node?.rules.length ?? 0) > 0);
    if (candidates.length === 0) return undefined;
    const place = pick(next, candidates);
    return celMutation(next, base, all, place, pick(next, place.node!.rules));
  }],
  [16, 'pod-security', (next, base) => {
    const path = podSpecPath(base);
    const spec = path ? getAt(base, path) : undefined;
    if (!path || spec === null || typeof spec !== 'object' || !Array.isArray((spec as Json).containers) || ((spec as Json).containers as unknown[]).length === 0) return undefined;
    const [what, apply] = pick(next, PSA_MUTATIONS);
    const object = clone(base);
    apply(getAt(object, path) as Spec);
    return { note: `pod template: ${what}`, object };
  }],
  [6, 'immutable', (next, base) => {
    const changes = IMMUTABLE[String(base.kind)];
    if (!changes) return undefined;
    const [path, change] = pick(next, changes);
    const object = clone(base);
    // Only where the base object has the parent of the field.
    if (getAt(object, path.slice(0, -1)) === undefined) return undefined;
    setAt(object, path, change(getAt(object, path)));
    return { note: `update: ${show(path)} changed`, object, previous: clone(base) };
  }],
  [4, 'update-any', (next, base, _root, all) => {
    const leaves = all.filter((p) => p.value === null || typeof p.value !== 'object');
    if (leaves.length === 0) return undefined;
    const place = pick(next, leaves);
    const object = clone(base);
    const value = typeof place.value === 'number' ? place.value + 1 : typeof place.value === 'boolean' ? !place.value : typeof place.value === 'string' ? (place.node?.enum ? pick(next, place.node.enum) : `${place.value}x`) : 'x';
    setAt(object, place.path, value);
    return { note: `update: ${show(place.path)}: ${JSON.stringify(value)}`, object, previous: clone(base) };
  }],
  [4, 'quantity', (next, base, _root, all) => {
    const candidates = withNode(all, (p) => typeof p.value === 'string' && /^(requests|limits|capacity|storage|hard|default|defaultRequest|cpu|memory|ephemeral-storage|nvidia\.com\/gpu)$/.test(String(p.path[p.path.length - 2] ?? '')) && /^[0-9.]+[a-zA-Z]*$/.test(p.value));
    if (candidates.length === 0) return undefined;
    const place = pick(next, candidates);
    const value = next() < 0.6 ? pick(next, QUANTITIES_BAD) : pick(next, QUANTITIES_GOOD);
    const object = clone(base);
    setAt(object, place.path, value);
    return { note: `${show(place.path)}: quantity ${JSON.stringify(value)}`, object };
  }],
  [5, 'metadata', (next, base) => {
    const object = clone(base);
    const metadata = object.metadata as Json;
    const [what, apply]: [string, () => void] = pick(next, [
      ['name with upper case', () => (metadata.name = `${String(metadata.name)}-X`)],
      ['name too long', () => (metadata.name = 'n'.repeat(254))],
      ['name 64 characters', () => (metadata.name = 'n'.repeat(64))],
      ['name with a dot', () => (metadata.name = `${String(metadata.name)}.v2`)],
      ['name with an underscore', () => (metadata.name = `${String(metadata.name)}_v2`)],
      ['label key with two slashes', () => (metadata.labels = { ...(metadata.labels as Json), 'a/b/c': 'x' })],
      ['label value too long', () => (metadata.labels = { ...(metadata.labels as Json), app: 'v'.repeat(64) })],
      ['label value with a space', () => (metadata.labels = { ...(metadata.labels as Json), app: 'has space' })],
      ['label value empty', () => (metadata.labels = { ...(metadata.labels as Json), app: '' })],
      ['annotation key invalid', () => (metadata.annotations = { ...(metadata.annotations as Json), 'bad key!': 'x' })],
      ['label value a number', () => (metadata.labels = { ...(metadata.labels as Json), tier: 1 })],
      ['finalizer without a domain', () => (metadata.finalizers = ['no-domain'])],
      ['finalizer with a domain', () => (metadata.finalizers = ['example.com/cleanup'])],
      ['generateName instead of name', () => { metadata.generateName = `${String(metadata.name)}-`; delete metadata.name; }],
    ]);
    apply();
    return { note: `metadata: ${what}`, object };
  }],
  [3, 'api-version', (next, base) => {
    const object = clone(base);
    const [group] = String(base.apiVersion).includes('/') ? String(base.apiVersion).split('/') : [''];
    const value = pick(next, [`${group ? `${group}/` : ''}v1beta1`, `${group ? `${group}/` : ''}v2`, `${group ? `${group}/` : ''}v1alpha1`, group === '' ? 'apps/v1' : 'v1']);
    object.apiVersion = value;
    return { note: `apiVersion: ${value}`, object };
  }],
  [2, 'kind', (next, base) => {
    const object = clone(base);
    const kind = String(base.kind);
    const value = pick(next, [`${kind}s`, kind.toLowerCase(), `${kind.slice(0, -2)}${kind.slice(-1)}${kind.slice(-2, -1)}`]);
    object.kind = value;
    return { note: `kind: ${value}`, object };
  }],
];

const TOTAL_WEIGHT = OPERATORS.reduce((sum, [w]) => sum + w, 0);

const nameOf = (base: Json) => `${String(base.kind)}-${String((base.metadata as Json | undefined)?.name ?? '')}`.replace(/[^A-Za-z0-9.-]/g, '-');

function caseOf(index: number, operator: string, base: Json, mutation: Mutation): Case {
  const n = String(index).padStart(4, '0');
  return {
    id: `mutants/${n}-${operator}`,
    corpus: 'mutants',
    files: [{ name: `${n}-${nameOf(base)}.yaml`, content: emitYaml(mutation.object) }],
    ...(mutation.previous ? { previous: [{ name: `${n}-${nameOf(base)}.yaml`, content: emitYaml(mutation.previous) }] } : {}),
    note: `${String(base.kind)} ${String((base.metadata as Json | undefined)?.name)}: ${mutation.note}`,
  };
}

/** Mutants per CEL rule the base objects fall under: every rule is tried, at every place it applies. */
export const MUTANTS_PER_RULE = 4;

/**
 * `count` mutants from a fixed seed; the same seed gives the same cases (a test names it). First
 * MUTANTS_PER_RULE under each CEL rule at each of its places in the base objects (so that every
 * rule is exercised), then operators drawn at random by weight; an operator that does not apply to
 * the object picked is retried with another.
 */
export function mutantCases(seed: number, count: number): Case[] {
  const next = random(seed);
  const bases = baseObjects().filter((b) => b.object.kind !== 'Namespace' || next() < 0.5);
  const roots = new Map(bases.map((b) => [b.object, rootNode(b.object)]));
  const placesOf = new Map<Json, Place[]>();
  const cases: Case[] = [];
  for (const { object: base } of bases) {
    const root = roots.get(base);
    if (!root) continue;
    placesOf.set(base, places(base, root));
    for (const place of placesOf.get(base)!.filter((p) => (p.node?.rules.length ?? 0) > 0)) {
      for (const rule of place.node!.rules) {
        for (let k = 0; k < MUTANTS_PER_RULE && cases.length < count; k++) {
          const mutation = celMutation(next, base, placesOf.get(base)!, place, rule);
          if (mutation) cases.push(caseOf(cases.length, 'cel', base, mutation));
        }
      }
    }
  }
  let attempts = 0;
  while (cases.length < count && attempts < count * 20) {
    attempts++;
    const base = pick(next, bases).object;
    const root = roots.get(base);
    if (!root) continue;
    if (!placesOf.has(base)) placesOf.set(base, places(base, root));
    let roll = next() * TOTAL_WEIGHT;
    const operator = OPERATORS.find(([w]) => (roll -= w) < 0) ?? OPERATORS[0]!;
    const all = placesOf.get(base)!;
    // Operators that pick a field need one (a Namespace has none but its metadata).
    if (all.length === 0 && !['metadata', 'api-version', 'kind', 'unknown-field'].includes(operator[1])) continue;
    const mutation = operator[2](next, base, root, all);
    if (!mutation) continue;
    cases.push(caseOf(cases.length, operator[1], base, mutation));
  }
  return cases;
}

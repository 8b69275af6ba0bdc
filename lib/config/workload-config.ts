import type { PoolName, Prerequisite } from '../../config/types';
import type { EnvironmentConfig } from '../../config/environment-config';
import { ComponentConfig, ComponentsOf, Image, PodSecurity, SettingsOf, WorkloadCatalog, WorkloadName, WORKLOADS } from '../../config/workloads';
import { checkLike, checkShape, list, map, number, object, string } from './config-shape';
import { fail, suggest } from './errors';
import { isDns1123Label } from 'karpenter-validate/model';
import { ResolvedPool } from './pools';
import { isPinnedImage } from 'karpenter-validate/model';
import { environmentSubject } from './environment';
import { checkWorkloadSettings } from './workload-settings';

export { ConfigField, failSetting, failSizing, poolField, settingField } from './config-field';

/** Pod Security Admission levels, from the most to the least permissive. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** A component of a workload in one environment: its enabled pools and its replica counts. */
export interface ResolvedComponent {
  readonly name: string;
  /** The enabled pools among those it names (at least one). */
  readonly pools: readonly ResolvedPool[];
  readonly minReplicas: number;
  /** Equal to minReplicas when the component does not autoscale. */
  readonly maxReplicas: number;
}

/** A workload in one environment: its entry with the environment's overrides applied, checked. */
export interface ResolvedWorkload<W extends WorkloadName = WorkloadName> {
  readonly name: W;
  readonly namespace: string;
  readonly podSecurity: { readonly level: PodSecurityLevel; readonly reason?: string };
  readonly components: { readonly [C in ComponentsOf<WorkloadCatalog[W]>]: ResolvedComponent };
  readonly images: WorkloadCatalog[W]['images'];
  readonly settings: SettingsOf<WorkloadCatalog[W]>;
  readonly prerequisites: readonly Prerequisite[];
}

/** A workload left out of an environment, and why. */
export interface LeftOut {
  readonly name: WorkloadName;
  readonly reason: string;
}

/** `repository:tag`, or `repository@sha256:...` for a digest. */
export function imageRef(image: Image): string {
  return image.tag.startsWith('sha256:') ? `${image.repository}@${image.tag}` : `${image.repository}:${image.tag}`;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Deep merge of settings: objects merge key by key, anything else (arrays included) is replaced. */
export function mergeSettings<T>(base: T, override: unknown): T {
  if (!isObject(base) || !isObject(override)) return (override === undefined ? base : override) as T;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) if (value !== undefined) merged[key] = mergeSettings(merged[key], value);
  return merged as T;
}

/** The runtime shape of a workload entry (config/workloads.ts WorkloadConfig); settings are each chart's. */
const ENTRY_SHAPE = object(
  {
    namespace: string(),
    podSecurity: object({ level: string(), reason: string() }, ['level', 'reason']),
    components: map(object({ pools: list(string()), minReplicas: number(), maxReplicas: number(), productionMinReplicas: number() }, ['pools', 'minReplicas'])),
    images: map(object({ repository: string(), tag: string(), architectures: list(string()) }, ['repository', 'tag', 'architectures'])),
    settings: { type: 'any' },
    prerequisites: list(object({ kind: string(), name: string(), namespace: string(), purpose: string() }, ['kind', 'name', 'purpose'])),
  },
  ['namespace', 'components', 'images', 'settings'],
);

/**
 * Checks every workload entry of config/workloads.ts on its own, once: names, images, pod
 * security reasons, component sizing and pool names. Mistakes name config/workloads.ts.
 */
export function checkWorkloadEntries(poolNames: readonly string[]): void {
  for (const [name, entry] of Object.entries(WORKLOADS) as [WorkloadName, WorkloadCatalog[WorkloadName]][]) {
    const subject = `config/workloads.ts: workload "${name}"`;
    checkShape(subject, '', entry, ENTRY_SHAPE);
    if (!isDns1123Label(name)) fail(subject, 'name', name, 'be a DNS-1123 label: it prefixes object names');
    if (!isDns1123Label(entry.namespace)) fail(subject, 'namespace', entry.namespace, 'be a DNS-1123 label (lower case alphanumerics and "-")');
    checkPodSecurity(subject, entry.podSecurity);
    for (const [key, image] of Object.entries(entry.images) as [string, Image][]) {
      if (!isPinnedImage(imageRef(image))) fail(subject, `images.${key}.tag`, image.tag, 'be a version tag other than "latest", or a sha256: digest');
      if (image.architectures.length === 0) fail(subject, `images.${key}.architectures`, image.architectures, 'name the architectures the image is published for (amd64, arm64)');
    }
    for (const [component, config] of Object.entries(entry.components) as [string, ComponentConfig][]) {
      if (config.pools.length === 0) fail(subject, `components.${component}.pools`, config.pools, 'name at least one pool');
      for (const pool of config.pools) {
        if (!poolNames.includes(pool)) fail(subject, `components.${component}.pools`, pool, `name a pool of config/pools.ts: [${poolNames.join(', ')}]`);
      }
      checkSizing(subject, `components.${component}`, config.minReplicas, config.maxReplicas);
      if (config.productionMinReplicas !== undefined && config.minReplicas < config.productionMinReplicas) {
        fail(subject, `components.${component}.minReplicas`, config.minReplicas, `be >= 'productionMinReplicas' (${config.productionMinReplicas})`);
      }
    }
  }
}

function checkPodSecurity(subject: string, podSecurity: PodSecurity | undefined): void {
  if (podSecurity === undefined) return;
  if (podSecurity.reason.trim().length < 10) fail(subject, 'podSecurity.reason', podSecurity.reason, `say why the namespace cannot enforce "restricted" (at least 10 characters)`);
}

function checkSizing(subject: string, field: string, min: number | undefined, max: number | undefined): void {
  if (min !== undefined && !(Number.isInteger(min) && min >= 0)) fail(subject, `${field}.minReplicas`, min, 'be an integer >= 0');
  if (max !== undefined && !(Number.isInteger(max) && max >= 1)) fail(subject, `${field}.maxReplicas`, max, 'be an integer >= 1');
  if (min !== undefined && max !== undefined && max < min) fail(subject, `${field}.maxReplicas`, max, `be >= 'minReplicas' (${min})`);
}

/**
 * The workloads of an environment: every entry of config/workloads.ts the environment does not
 * turn off and whose components each have an enabled pool, with the environment's sizing and
 * settings applied. Production promises (`productionMinReplicas`) are enforced here.
 */
export function resolveWorkloads(env: EnvironmentConfig, pools: ReadonlyMap<PoolName, ResolvedPool>): { workloads: ResolvedWorkload[]; leftOut: LeftOut[] } {
  const subject = environmentSubject(env);
  for (const name of Object.keys(env.workloads ?? {})) {
    if (!(name in WORKLOADS)) fail(subject, `workloads.${name}`, name, `name a workload of config/workloads.ts${suggest(name, Object.keys(WORKLOADS))}`);
    const override = env.workloads![name as WorkloadName] as Record<string, unknown>;
    checkShape(subject, `workloads.${name}`, override, object({ enabled: { type: 'boolean' }, components: map(object({ minReplicas: number(), maxReplicas: number() })), settings: map({ type: 'any' }) }));
    // The override deep-merges into the entry's settings: each value must be of the kind it replaces.
    checkLike(subject, `workloads.${name}.settings`, override.settings, WORKLOADS[name as WorkloadName].settings);
    for (const component of Object.keys((override.components as object | undefined) ?? {})) {
      if (!(component in WORKLOADS[name as WorkloadName].components)) {
        fail(subject, `workloads.${name}.components.${component}`, component, `name a component of workload "${name}"${suggest(component, Object.keys(WORKLOADS[name as WorkloadName].components))}`);
      }
    }
  }
  const workloads: ResolvedWorkload[] = [];
  const leftOut: LeftOut[] = [];
  for (const [name, entry] of Object.entries(WORKLOADS) as [WorkloadName, WorkloadCatalog[WorkloadName]][]) {
    const override = env.workloads?.[name];
    if (override?.enabled === false) {
      leftOut.push({ name, reason: 'turned off by the environment' });
      continue;
    }
    const components: Record<string, ResolvedComponent> = {};
    let missing: string | undefined;
    for (const [component, config] of Object.entries(entry.components) as [string, ComponentConfig][]) {
      const sizing = (override?.components as Record<string, { minReplicas?: number; maxReplicas?: number } | undefined> | undefined)?.[component];
      const field = `workloads.${name}.components.${component}`;
      checkSizing(subject, field, sizing?.minReplicas, sizing?.maxReplicas);
      const minReplicas = sizing?.minReplicas ?? config.minReplicas;
      const maxReplicas = sizing?.maxReplicas ?? (sizing?.minReplicas !== undefined && config.maxReplicas === undefined ? minReplicas : config.maxReplicas ?? minReplicas);
      if (maxReplicas < minReplicas) fail(subject, `${field}.maxReplicas`, maxReplicas, `be >= 'minReplicas' (${minReplicas})`);
      if (env.production && config.productionMinReplicas !== undefined && minReplicas < config.productionMinReplicas) {
        fail(subject, `${field}.minReplicas`, minReplicas, `be >= ${config.productionMinReplicas} in production: config/workloads.ts promises it (productionMinReplicas)`);
      }
      const enabled = config.pools.map((pool) => pools.get(pool)).filter((pool): pool is ResolvedPool => pool !== undefined);
      if (enabled.length === 0) missing ??= `component ${component}'s pools [${config.pools.join(', ')}] are all turned off`;
      components[component] = { name: component, pools: enabled, minReplicas, maxReplicas };
    }
    if (missing) {
      if (override?.enabled === true) fail(subject, `workloads.${name}.enabled`, true, `be left unset: ${missing}`);
      leftOut.push({ name, reason: missing });
      continue;
    }
    workloads.push({
      name,
      namespace: entry.namespace,
      podSecurity: entry.podSecurity ? { level: entry.podSecurity.level, reason: entry.podSecurity.reason } : { level: 'restricted' },
      components,
      images: entry.images,
      settings: mergeSettings(entry.settings, override?.settings),
      prerequisites: (entry.prerequisites ?? []).map((p) => (p.kind === 'Namespace' || p.namespace !== undefined || !isKubernetesKind(p.kind) ? p : { ...p, namespace: entry.namespace })),
    } as unknown as ResolvedWorkload);
  }
  for (const workload of workloads) checkWorkloadSettings(env, workload);
  return { workloads, leftOut };
}

/** Whether a prerequisite's kind is a Kubernetes kind (capitalized, no spaces) rather than an AWS resource. */
export function isKubernetesKind(kind: string): boolean {
  return /^[A-Z][A-Za-z]+$/.test(kind);
}

/** A setting the environment must provide: throws naming the environment, its file and the field. */
export function required<T>(env: EnvironmentConfig, workload: WorkloadName, field: string, value: T | undefined): T {
  if (value === undefined || value === '') fail(environmentSubject(env), `workloads.${workload}.settings.${field}`, value, `be set: it differs per environment and has no default`);
  return value;
}

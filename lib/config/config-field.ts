import { POOLS } from '../../config/pools';
import type { EnvironmentConfig } from '../../config/environment-config';
import type { WorkloadName } from '../../config/workloads';
import { environmentSubject } from './environment';
import { fail } from './errors';

/**
 * Where a value of workload config was written, so that an error names the line the user wrote:
 * the environment's override (`workloads.airflow.settings.dags.repo` in
 * config/environments/dev.ts) when it sets the value, else the workload's entry
 * (`settings.dags.repo` of workload "airflow" in config/workloads.ts). Charts and the settings
 * checks throw through these rather than naming a construct's prop.
 */

/** Where a value of config was written: the subject naming its file, and the path within it. */
export interface ConfigField {
  readonly subject: string;
  readonly field: string;
}

/** The value at a dot path (`dags.repo`) of an object, when every step is an object. */
function at(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(v, key) ? (v as Record<string, unknown>)[key] : undefined), value);
}

/**
 * Where a workload's setting (`dags.repo`) was written: the environment's override when it sets
 * it, else config/workloads.ts. Errors about a setting name the line the user wrote.
 */
export function settingField(env: EnvironmentConfig, workload: WorkloadName, path: string): ConfigField {
  if (at(env.workloads?.[workload]?.settings, path) !== undefined) return { subject: environmentSubject(env), field: `workloads.${workload}.settings.${path}` };
  return { subject: `config/workloads.ts: workload "${workload}"`, field: `settings.${path}` };
}

/** Throws a ConfigError about a workload's setting, naming where it was written. */
export function failSetting(env: EnvironmentConfig, workload: WorkloadName, path: string, value: unknown, rule: string): never {
  const { subject, field } = settingField(env, workload, path);
  return fail(subject, field, value, rule);
}

/**
 * Throws a ConfigError about a component's replica count (`minReplicas`, `maxReplicas`), naming
 * where it was written: the environment's sizing when it sets it, else config/workloads.ts.
 */
export function failSizing(env: EnvironmentConfig, workload: WorkloadName, component: string, field: 'minReplicas' | 'maxReplicas', value: unknown, rule: string): never {
  const sizing = (env.workloads?.[workload]?.components as Record<string, Record<string, unknown> | undefined> | undefined)?.[component];
  if (sizing?.[field] !== undefined) return fail(environmentSubject(env), `workloads.${workload}.components.${component}.${field}`, value, rule);
  return fail(`config/workloads.ts: workload "${workload}"`, `components.${component}.${field}`, value, rule);
}


/**
 * Where a pool's field of an environment was written: the environment's override of the pool,
 * else config/pools.ts; for `zones`, the cluster's zones when neither sets them (a pool takes
 * every zone of its cluster by default).
 */
export function poolField(env: EnvironmentConfig, pool: string, field: string): ConfigField {
  const override = (env.pools as Record<string, Record<string, unknown> | undefined> | undefined)?.[pool];
  if (override?.[field] !== undefined) return { subject: environmentSubject(env), field: `pools.${pool}.${field}` };
  const base = (POOLS as unknown as Record<string, Record<string, unknown> | undefined>)[pool];
  if (base?.[field] !== undefined || field !== 'zones') return { subject: `config/pools.ts: NodePool "${pool}"`, field };
  return { subject: environmentSubject(env), field: 'cluster.zones' };
}

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { CapacityPlan } from '../../../lib/plan/capacity';
import type { KubeObject } from '../../../packages/karpenter-validate/src/validation/findings';

/**
 * What the Karpenter oracle said, recorded so that the tests without Go still hold the models to
 * it, and the shapes the tests compare. `KARPENTER_AS_CODE_RECORD=1` with the Go tier
 * rewrites the records from the oracle (review the diff: every change is Karpenter's verdict).
 */

export const RECORD = process.env.KARPENTER_AS_CODE_RECORD === '1';
export const HERE = __dirname;

export function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(HERE, name), 'utf8')) as T;
}

export function writeJson(name: string, value: unknown): void {
  mkdirSync(dirname(join(HERE, name)), { recursive: true });
  writeFileSync(join(HERE, name), `${JSON.stringify(value, null, 1)}\n`);
}

// ---- scheduling ----

/** The oracle's `schedule` output (oracle/karpenter/schedule.go ScheduleResult). */
export interface OracleSchedule {
  readonly versions: { readonly karpenter: string; readonly provider: string };
  readonly region: string;
  readonly zones: readonly string[];
  readonly pools: readonly { readonly name: string; readonly weight: number; readonly instanceTypes: number }[];
  readonly idle: OracleScenario;
  readonly peak: OracleScenario;
}

export interface OracleScenario {
  readonly pods: number;
  readonly nodeClaims: readonly { readonly pool: string; readonly instanceType: string; readonly capacityType: string; readonly zone?: string; readonly options: readonly string[]; readonly pods: readonly string[] }[];
  readonly unschedulable: readonly { readonly pod: string; readonly error: string }[];
  readonly misplaced: readonly { readonly pod: string; readonly pool: string; readonly intended: readonly string[] }[];
}

/** A NodeClaim as both sides are compared: pool, launched type and capacity type, its pods (zones are Karpenter's random pick among equals). */
const claimKey = (c: { pool: string; instanceType: string; capacityType: string; pods: readonly string[] }) => `${c.pool} ${c.instanceType} ${c.capacityType} [${[...c.pods].sort().join(' ')}]`;

/** The NodeClaims of a scenario, zone-free, sorted: what the records keep and the tests compare. */
export function scheduled(scenario: Pick<OracleScenario, 'nodeClaims'>): string[] {
  return scenario.nodeClaims.map(claimKey).sort();
}

export function planned(plan: CapacityPlan, at: 'idle' | 'peak'): string[] {
  return plan.nodeClaims[at].map(claimKey).sort();
}

/** The record of one environment's scheduling: what the oracle decided on the fixture. */
export interface ScheduleRecord {
  readonly versions: OracleSchedule['versions'];
  readonly region: string;
  readonly zones: readonly string[];
  readonly idle: readonly string[];
  readonly peak: readonly string[];
  readonly unschedulable: { readonly idle: readonly string[]; readonly peak: readonly string[] };
}

export function scheduleRecord(oracle: OracleSchedule): ScheduleRecord {
  return {
    versions: oracle.versions,
    region: oracle.region,
    zones: oracle.zones,
    idle: scheduled(oracle.idle),
    peak: scheduled(oracle.peak),
    unschedulable: { idle: oracle.idle.unschedulable.map((u) => u.pod), peak: oracle.peak.unschedulable.map((u) => u.pod) },
  };
}

/** Kinds the scheduling fixture keeps of a dist/<env> folder: what Karpenter's scheduling reads. */
const SCHEDULING_KINDS = new Set(['NodePool', 'EC2NodeClass', 'Deployment', 'StatefulSet', 'Job', 'DaemonSet', 'HorizontalPodAutoscaler', 'ScaledObject']);

export function schedulingObjects(objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter((o) => SCHEDULING_KINDS.has(String(o.kind)) || (o.kind === 'ConfigMap' && Object.values((o as any).data ?? {}).some((v) => typeof v === 'string' && v.includes('clouds:'))));
}

export const fixtureDir = (env: string) => join(HERE, 'schedule', env);

export function readFixture(env: string): KubeObject[] {
  const file = join(fixtureDir(env), 'objects.yaml');
  if (!existsSync(file)) return [];
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o.kind === 'string');
}

export function writeFixture(env: string, objects: readonly KubeObject[]): void {
  mkdirSync(fixtureDir(env), { recursive: true });
  const header = `# The scheduling fixture of ${env}: the objects of dist/${env} that Karpenter's scheduling reads, as rendered\n# when the record was made (KARPENTER_AS_CODE_RECORD=1). schedule-${env}.json is what Karpenter 1.14.1 did with them.\n`;
  writeFileSync(join(fixtureDir(env), 'objects.yaml'), header + objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
}

// ---- drift ----

export interface OracleDrift {
  readonly versions: { readonly karpenter: string; readonly provider: string };
  readonly cases: readonly {
    readonly id: string;
    readonly poolHashes: Readonly<Record<string, readonly [string, string]>>;
    readonly classHashes: Readonly<Record<string, readonly [string, string]>>;
    readonly nodes: readonly NodeVerdict[];
  }[];
}

export interface NodeVerdict {
  readonly pool: string;
  readonly instanceType: string;
  readonly capacityType: string;
  readonly zone: string;
  readonly reason: string;
}

/** One case as recorded: the node count, the pools and classes whose hash changed, and the drifted nodes by pool and reason ('all' when every node of the pool). */
export interface DriftRecord {
  readonly id: string;
  readonly change: string;
  readonly nodes: number;
  readonly poolHashChanged: readonly string[];
  readonly classHashChanged: readonly string[];
  readonly drifted: Readonly<Record<string, Readonly<Record<string, 'all' | readonly string[]>>>>;
}

const nodeKey = (n: NodeVerdict) => `${n.instanceType}/${n.capacityType}/${n.zone}`;

/** The drifted nodes of a case, compressed: per pool, per reason, 'all' or the node keys. */
export function drifted(nodes: readonly NodeVerdict[]): DriftRecord['drifted'] {
  const out: Record<string, Record<string, 'all' | string[]>> = {};
  const pools = [...new Set(nodes.map((n) => n.pool))].sort();
  for (const pool of pools) {
    const of = nodes.filter((n) => n.pool === pool);
    const reasons = [...new Set(of.map((n) => n.reason).filter((r) => r !== ''))].sort();
    if (reasons.length === 0) continue;
    out[pool] = Object.fromEntries(reasons.map((r) => [r, of.every((n) => n.reason === r) ? 'all' : of.filter((n) => n.reason === r).map(nodeKey).sort()]));
  }
  return out;
}

/** The hash verdicts of a case: the names whose hash differs between the renders (a removed or added one counts). */
export function hashChanged(hashes: Readonly<Record<string, readonly [string, string]>>): string[] {
  return Object.entries(hashes)
    .filter(([, [a, b]]) => a !== b)
    .map(([name]) => name)
    .sort();
}

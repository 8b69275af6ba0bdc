import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../../../packages/karpenter-validate/src/validation/findings';
import { drifted, DriftRecord, HERE, NodeVerdict } from './verdicts';

/**
 * Karpenter 1.15.0 and the upgrade from 1.14.1 to it, as the Karpenter oracle judges them: the
 * 1.15.0 binary is the same source built with go.v1.15.0.mod and the build tag karpenter_v1_15
 * (oracle/karpenter/release_v1_15.go), into .build/go/karpenter-v1.15.0. Its verdicts on the
 * corpora and fixtures of 1.14.1 are recorded under v1.15.0/, the upgrade's under upgrade/.
 */

export const V1_14_1 = { karpenter: 'v1.14.1', provider: 'v1.14.1' } as const;
export const V1_15_0 = { karpenter: 'v1.15.0', provider: 'v1.15.0' } as const;
/** The 1.15.0 binary (scripts/oracles.mjs names a variant <module>-<variant>). */
export const KARPENTER_115 = 'karpenter-v1.15.0';

/** Where the records of Karpenter 1.15.0 live, beside 1.14.1's (readJson/writeJson names). */
export const V115 = (name: string) => `v1.15.0/${name}`;

/**
 * The drift cases where lib/plan/drift.ts (Karpenter 1.14.1's drift) and Karpenter 1.15.0 disagree,
 * each with why: 1.15.0 hashes an EC2NodeClass's kubelet as its JSON text
 * (aws/karpenter-provider-aws v1.15.0 pkg/apis/v1/ec2nodeclass.go EC2NodeClass.Hash:
 * Spec.Kubelet.String(), pkg/apis/v1/kubeletconfiguration.go KubeletConfiguration.String), where
 * 1.14.1 hashed the typed struct, in which `1m30s` and `90s` are the same metav1.Duration.
 */
export const KNOWN_115_DRIFT_DISAGREEMENTS: Readonly<Record<string, string>> = {
  c055: 'kubelet evictionSoftGracePeriod respelled: 1.15.0 hashes the kubelet as JSON text, so the class "default" drifts',
  c115: 'kubelet evictionSoftGracePeriod respelled: 1.15.0 hashes the kubelet as JSON text, so the class "default" drifts',
  c175: 'kubelet evictionSoftGracePeriod respelled: 1.15.0 hashes the kubelet as JSON text, so the class "default" drifts',
};

// ---- the upgrade ----

/** Hash annotations of a NodePool or EC2NodeClass: [as the launching release left them, as this release writes them]. */
export interface HashChange {
  readonly hash: readonly [string, string];
  readonly version: readonly [string, string];
}

/** The oracle's `drift-existing` output (oracle/karpenter/upgrade.go UpgradeResult). */
export interface OracleUpgrade {
  readonly from: typeof V1_14_1 | typeof V1_15_0;
  readonly to: typeof V1_14_1 | typeof V1_15_0;
  readonly pools: Readonly<Record<string, HashChange>>;
  readonly classes: Readonly<Record<string, HashChange>>;
  readonly nodes: readonly (NodeVerdict & { readonly nodeClaim: string; readonly restamped: readonly string[] })[];
}

/** One environment's upgrade as recorded: every node launched, the hashes, the drifted and the re-stamped NodeClaims by pool. */
export interface UpgradeRecord {
  readonly from: OracleUpgrade['from'];
  readonly to: OracleUpgrade['to'];
  readonly region: string;
  readonly zones: readonly string[];
  /** `<pool> <instance type> <capacity type> <zone>`, sorted. */
  readonly nodes: readonly string[];
  readonly pools: OracleUpgrade['pools'];
  readonly classes: OracleUpgrade['classes'];
  /** As the drift records: per pool, per reason, 'all' or the nodes. */
  readonly drifted: DriftRecord['drifted'];
  /** The same shape for the hash annotations the new release rewrote on each NodeClaim (comma-joined keys). */
  readonly restamped: DriftRecord['drifted'];
}

export const nodeName = (n: { pool: string; instanceType: string; capacityType: string; zone: string }) => `${n.pool} ${n.instanceType} ${n.capacityType} ${n.zone}`;

export function upgradeRecord(oracle: OracleUpgrade, region: string, zones: readonly string[]): UpgradeRecord {
  return {
    from: oracle.from,
    to: oracle.to,
    region,
    zones,
    nodes: oracle.nodes.map(nodeName).sort(),
    pools: oracle.pools,
    classes: oracle.classes,
    drifted: drifted(oracle.nodes),
    restamped: drifted(oracle.nodes.map((n) => ({ ...n, reason: n.restamped.join(',') }))),
  };
}

/** The fixed input of an environment's upgrade: its NodePools and EC2NodeClasses as rendered when recorded. */
export const upgradeFixtureDir = (env: string) => join(HERE, 'upgrade', env);

export function readUpgradeFixture(env: string): KubeObject[] {
  const file = join(upgradeFixtureDir(env), 'objects.yaml');
  if (!existsSync(file)) return [];
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o.kind === 'string');
}

export function writeUpgradeFixture(env: string, objects: readonly KubeObject[]): void {
  mkdirSync(upgradeFixtureDir(env), { recursive: true });
  const header = `# The upgrade fixture of ${env}: the NodePools and EC2NodeClasses of dist/${env} as rendered when the record was made\n# (KARPENTER_AS_CODE_RECORD=1). upgrade/${env}.json is what Karpenter 1.15.0 does to the nodes Karpenter 1.14.1 launched for them.\n`;
  writeFileSync(join(upgradeFixtureDir(env), 'objects.yaml'), header + objects.filter((o) => o.kind === 'NodePool' || o.kind === 'EC2NodeClass').map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
}

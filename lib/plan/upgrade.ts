import type { KarpenterRelease } from 'karpenter-validate/model';
import { isObject, Json } from 'karpenter-validate/model';
import { KubeObject } from 'karpenter-validate';
import type { CapacityPlan } from './capacity';
import { KARPENTER_KINDS, ObjectAdmission, objectAdmissions, presence, SchemaChange, schemaChanges } from './crd-changes';
import { DriftReason } from './drift';
import { GATE_BEHAVIOUR, GATE_NOTES, GATE_VALUES, RELEASE_FACTS, releaseOfChart } from './karpenter-releases';
import { KARPENTER_RELEASES } from '../../config/versions';
import { DistError } from '../synth/dist-files';
import { MonitoringChange, monitoringChanges } from './monitoring-changes';
import { upgradeDrift } from './upgrade-drift';

/**
 * What moving an environment from one Karpenter release to another does, before it merges: the
 * section `npm run plan` adds for an environment whose release changes between the base and the
 * working tree (the chart version of its `karpenter-<env>` Application in dist/argocd/apps/).
 * Everything is read from the two releases' own files (their CRDs, metric lists, hash versions and
 * feature gates: generated or held to the Karpenter oracle) and the two renders; nothing from a
 * cluster.
 */

/** A schema change, with our objects it touches. */
export interface CrdChange extends SchemaChange {
  /** Our NodePools or EC2NodeClasses it changes something for (they omit a field that gains a default, set a field that opens...). */
  readonly objects: readonly string[];
}

/** A check the API server made at the old release that its controller (and our validator) make at the new one. */
export interface MovedCheck {
  readonly kind: string;
  readonly path: string;
  readonly check: string;
  /** The validator rule that keeps it at the new release. */
  readonly keptBy: string;
  /** Our objects that set the field, whose check now happens after apply. */
  readonly objects: readonly string[];
}

/** The nodes of one pool across the upgrade: the capacity plan's NodeClaims at rest and at peak. */
export interface PoolUpgrade {
  readonly pool: string;
  readonly restamped: { readonly atRest: number; readonly atPeak: number };
  readonly drifted: { readonly atRest: number; readonly atPeak: number };
  readonly reasons: readonly DriftReason[];
  /** The annotations re-stamped on each NodeClaim. */
  readonly annotations: readonly string[];
}

export interface GateChange {
  readonly gate: string;
  readonly scope: 'core' | 'aws';
  readonly from?: boolean;
  readonly to?: boolean;
  readonly text: string;
}

export interface UpgradePlan {
  readonly from: KarpenterRelease;
  readonly to: KarpenterRelease;
  readonly crds: readonly CrdChange[];
  /** Our objects each release's API server would refuse, or store differently. */
  readonly objects: readonly ObjectAdmission[];
  readonly movedChecks: readonly MovedCheck[];
  readonly hashVersions: { readonly nodePool: readonly [string, string]; readonly ec2NodeClass: readonly [string, string] };
  readonly nodes: readonly PoolUpgrade[];
  readonly monitoring: readonly MonitoringChange[];
  readonly featureGates: readonly GateChange[];
  /** Gates our Application sets (`settings.featureGates` / `settings.awsFeatureGates`): none means every gate at its default. */
  readonly gatesSet: readonly string[];
  /** What the gates our Application turns on do differently at the new release. */
  readonly gateBehaviour: readonly string[];
  readonly steps: readonly string[];
  readonly warnings: readonly string[];
}

/** An environment's Argo CD Applications, from the argocd folder of a render. */
const applicationsOf = (argocd: readonly KubeObject[], env: string) => argocd.filter((o) => o.kind === 'Application' && String(o.metadata?.name).endsWith(`-${env}`));
const source = (app: KubeObject | undefined): Json => (app && isObject((app.spec as Json)?.source) ? ((app.spec as Json).source as Json) : {});
const wave = (app: KubeObject | undefined) => Number((app?.metadata?.annotations as Record<string, string> | undefined)?.['argocd.argoproj.io/sync-wave'] ?? 0);

/**
 * The Karpenter release each environment of a render runs: the chart version its `karpenter-<env>`
 * Application installs (charts/argocd.ts), mapped to a release by config/versions.ts; undefined for an
 * environment without one (a render from before Applications were emitted).
 */
export function karpenterReleaseOf(argocd: readonly KubeObject[], env: string): KarpenterRelease | undefined {
  const app = argocd.find((o) => o.kind === 'Application' && o.metadata?.name === `karpenter-${env}`);
  const chart = source(app);
  if (chart.chart !== 'karpenter' || typeof chart.targetRevision !== 'string') return undefined;
  const release = releaseOfChart(chart.targetRevision);
  if (!release) throw new DistError(`dist/argocd: Application karpenter-${env} installs chart karpenter ${chart.targetRevision}, which is no release config/versions.ts supports (${Object.keys(KARPENTER_RELEASES).join(', ')}): the plan cannot judge it`);
  return release;
}

const nameOf = (o: KubeObject) => `${String(o.kind)} ${String(o.metadata?.name)}`;
const karpenterObjects = (objects: readonly KubeObject[]) => objects.filter((o) => KARPENTER_KINDS.includes(`${String(o.apiVersion)}/${String(o.kind)}` as (typeof KARPENTER_KINDS)[number]));

/** Our objects a schema change touches: those of its kind that omit a field gaining a default or a requirement, or set a field that opens or changes. */
function touched(change: SchemaChange, objects: readonly KubeObject[]): string[] {
  const ofKind = karpenterObjects(objects).filter((o) => o.kind === change.kind);
  const test = (o: KubeObject) => {
    const at = presence(o, change.path);
    if (change.change === 'default' || change.change === 'optional') return at.missingUnder;
    if (change.change === 'required') return at.missingUnder;
    return at.set;
  };
  return [...new Set(ofKind.filter(test).map(nameOf))].sort();
}

/** The gates whose default differs or that exist at one release only. */
function gateChanges(from: KarpenterRelease, to: KarpenterRelease): GateChange[] {
  const out: GateChange[] = [];
  for (const scope of ['core', 'aws'] as const) {
    const [a, b] = [RELEASE_FACTS[from].featureGates[scope], RELEASE_FACTS[to].featureGates[scope]];
    for (const gate of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const [x, y] = [a[gate], b[gate]];
      if (x === y) continue;
      const note = GATE_NOTES[gate] ? ` (${GATE_NOTES[gate]})` : '';
      const text =
        x === undefined ? `new ${scope === 'aws' ? 'AWS ' : ''}gate ${gate}, ${y ? 'on' : 'off'} by default${note}` : y === undefined ? `gate ${gate} removed (was ${x ? 'on' : 'off'})` : `gate ${gate}: default ${x ? 'on' : 'off'} -> ${y ? 'on' : 'off'}${note}`;
      out.push({ gate, scope, ...(x !== undefined ? { from: x } : {}), ...(y !== undefined ? { to: y } : {}), text });
    }
  }
  return out;
}

/** The gates an environment's Karpenter Application sets in its chart values. */
function gatesSet(apps: readonly KubeObject[], env: string): string[] {
  const values = (source(apps.find((o) => o.metadata?.name === `karpenter-${env}`)).helm as Json | undefined)?.valuesObject as Json | undefined;
  const settings = isObject(values?.settings) ? (values!.settings as Json) : {};
  return Object.entries(GATE_VALUES).flatMap(([, key]) => {
    const gates = settings[key.split('.')[1]!];
    return isObject(gates) ? Object.entries(gates).map(([g, v]) => `${g}=${String(v)}`) : [];
  });
}

/** The plan of an environment's Karpenter upgrade. */
export function planUpgrade(input: {
  readonly env: string;
  readonly from: KarpenterRelease;
  readonly to: KarpenterRelease;
  readonly before: readonly KubeObject[];
  readonly after: readonly KubeObject[];
  /** dist/argocd of the working tree: the environment's Applications and their waves. */
  readonly argocd: readonly KubeObject[];
  /** The capacity plan of the previous render: how many nodes of each pool there are. */
  readonly previousPlan: CapacityPlan;
  readonly zones: readonly string[];
}): UpgradePlan {
  const { env, from, to, before, after, argocd, previousPlan, zones } = input;
  const both = [...karpenterObjects(after), ...karpenterObjects(before).filter((o) => !karpenterObjects(after).some((a) => nameOf(a) === nameOf(o)))];
  const changes = schemaChanges(from, to);
  // Rules under a subtree that opens are listed with the checks that leave admission; a field's default before its requirement.
  const rank: Readonly<Record<string, number>> = { opened: 0, default: 1, optional: 2, required: 3, added: 4, removed: 5, enum: 6, bound: 7, 'rule-added': 8, 'rule-removed': 9 };
  const crds = changes
    .filter((c) => c.change !== 'rule-removed' || !changes.some((o) => o.change === 'opened' && o.kind === c.kind && c.path === o.path))
    .map((c) => ({ ...c, objects: c.change === 'enum' || c.change === 'added' || c.change === 'rule-added' ? [] : touched(c, both) }))
    .sort((a, b) => KARPENTER_KINDS.findIndex((k) => k.endsWith(`/${a.kind}`)) - KARPENTER_KINDS.findIndex((k) => k.endsWith(`/${b.kind}`)) || a.path.replace(/\.[^.]+$/, '').localeCompare(b.path.replace(/\.[^.]+$/, '')) || rank[a.change]! - rank[b.change]! || a.path.localeCompare(b.path));
  const movedChecks: MovedCheck[] = changes
    .filter((c) => c.change === 'rule-removed')
    .map((c) => ({
      kind: c.kind,
      path: c.path,
      check: c.rule ?? c.text,
      keptBy: c.kind === 'EC2NodeClass' && c.path.startsWith('spec.kubelet') ? 'kubelet-config' : 'none',
      objects: touched({ ...c, change: 'added' }, both),
    }));
  // The nodes: each pool's planned NodeClaims, re-stamped or drifted as the new release decides.
  const upgrade = upgradeDrift(before, after, from, to, '', zones);
  const byKind = new Map(upgrade.nodes.map((n) => [`${n.pool} ${n.instanceType} ${n.capacityType}`, n]));
  const nodes: PoolUpgrade[] = previousPlan.pools.map((pool) => {
    const judged = (at: 'idle' | 'peak') => previousPlan.nodeClaims[at].filter((c) => c.pool === pool.pool).map((c) => byKind.get(`${c.pool} ${c.instanceType} ${c.capacityType}`));
    const count = (at: 'idle' | 'peak', test: (n: (typeof upgrade.nodes)[number]) => boolean) => judged(at).filter((n) => n !== undefined && test(n)).length;
    const ofPool = upgrade.nodes.filter((n) => n.pool === pool.pool);
    return {
      pool: pool.pool,
      restamped: { atRest: count('idle', (n) => n.restamped.length > 0 && n.reason === ''), atPeak: count('peak', (n) => n.restamped.length > 0 && n.reason === '') },
      drifted: { atRest: count('idle', (n) => n.reason !== ''), atPeak: count('peak', (n) => n.reason !== '') },
      reasons: [...new Set(ofPool.map((n) => n.reason).filter((r): r is DriftReason => r !== ''))].sort(),
      annotations: ofPool[0]?.restamped ?? [],
    };
  });
  const apps = applicationsOf(argocd, env);
  const crdApp = apps.find((o) => o.metadata?.name === `karpenter-crd-${env}`);
  const controllerApp = apps.find((o) => o.metadata?.name === `karpenter-${env}`);
  const platformApp = apps.find((o) => o.metadata?.name === `platform-${env}`);
  const restampedKinds = [...(RELEASE_FACTS[from].hashVersions.nodePool !== RELEASE_FACTS[to].hashVersions.nodePool ? [`NodePool hash ${RELEASE_FACTS[from].hashVersions.nodePool} -> ${RELEASE_FACTS[to].hashVersions.nodePool}`] : []), ...(RELEASE_FACTS[from].hashVersions.ec2NodeClass !== RELEASE_FACTS[to].hashVersions.ec2NodeClass ? [`EC2NodeClass hash ${RELEASE_FACTS[from].hashVersions.ec2NodeClass} -> ${RELEASE_FACTS[to].hashVersions.ec2NodeClass}`] : [])];
  const restampedAtRest = nodes.reduce((s, p) => s + p.restamped.atRest, 0);
  const driftedAtRest = nodes.reduce((s, p) => s + p.drifted.atRest, 0);
  const steps = [
    `wave ${wave(crdApp)}: karpenter-crd-${env} installs the CRDs of ${to} (chart karpenter-crd ${String(source(crdApp).targetRevision ?? '?')}); the ${from} controller keeps running on them until the next wave`,
    `wave ${wave(controllerApp)}: karpenter-${env} rolls the controller to ${to} (chart karpenter ${String(source(controllerApp).targetRevision ?? '?')}); ${restampedKinds.length > 0 ? `its hash controllers re-stamp the NodeClaims first (${restampedKinds.join(', ')}: ${restampedAtRest} at rest), so no node drifts from the upgrade itself` : 'the hash versions are the same: NodeClaims keep their hashes'}`,
    `wave ${wave(platformApp)}: platform-${env} applies dist/${env}: ${driftedAtRest > 0 ? `${driftedAtRest} node(s) at rest drift, judged by ${to}'s hash` : `no node drifts`}`,
  ];
  const warnings: string[] = [];
  if (!(wave(crdApp) < wave(controllerApp) && wave(controllerApp) < wave(platformApp))) {
    warnings.push(`the waves do not put the CRDs (${wave(crdApp)}) before the controller (${wave(controllerApp)}) before the objects (${wave(platformApp)}): the ${to} controller could start on ${from}'s CRDs, or the objects reach it first`);
  }
  const classesChanged = karpenterObjects(after)
    .filter((o) => o.kind === 'EC2NodeClass')
    .filter((o) => {
      const old = before.find((b) => b.kind === 'EC2NodeClass' && b.metadata?.name === o.metadata?.name);
      return old !== undefined && JSON.stringify(old.spec) !== JSON.stringify(o.spec);
    })
    .map(nameOf);
  if (classesChanged.length > 0 && RELEASE_FACTS[from].hashVersions.ec2NodeClass !== RELEASE_FACTS[to].hashVersions.ec2NodeClass) {
    warnings.push(
      `this change also edits ${classesChanged.join(', ')}: ${to}'s hash controller re-stamps each NodeClaim with the hash of its EC2NodeClass as it finds it, so whether those edits drift their nodes depends on whether it runs before wave ${wave(platformApp)} applies them (the plan assumes it does: they drift). Upgrade in a change of its own, then change the classes`,
    );
  }
  return {
    from,
    to,
    crds,
    objects: objectAdmissions(both, from, to).filter((o) => o.refusedBy.from.length > 0 || o.refusedBy.to.length > 0 || o.storedDifferently.length > 0),
    movedChecks,
    hashVersions: { nodePool: [RELEASE_FACTS[from].hashVersions.nodePool, RELEASE_FACTS[to].hashVersions.nodePool], ec2NodeClass: [RELEASE_FACTS[from].hashVersions.ec2NodeClass, RELEASE_FACTS[to].hashVersions.ec2NodeClass] },
    nodes: nodes.filter((p) => p.restamped.atRest + p.restamped.atPeak + p.drifted.atRest + p.drifted.atPeak > 0),
    monitoring: monitoringChanges(after, from, to),
    featureGates: gateChanges(from, to),
    gatesSet: gatesSet(apps, env),
    gateBehaviour: gatesSet(apps, env).flatMap((g) => {
      const [name, value] = g.split('=');
      const note = value === 'true' ? GATE_BEHAVIOUR[to][name!] : undefined;
      return note ? [`${name}: ${note}`] : [];
    }),
    steps,
    warnings,
  };
}

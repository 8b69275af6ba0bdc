import { instanceType, InstanceType } from 'karpenter-validate/model';
import type { KarpenterRelease } from 'karpenter-validate/model';
import type { CapacityPlan } from './capacity';
import { satisfies } from 'karpenter-validate/model';
import { customKinds, validateCustomResource } from 'karpenter-validate/model';
import { KubeObject, refOf, Reporter } from 'karpenter-validate';
import { PoolView, poolView } from 'karpenter-validate/model';
import { isObject, Json } from 'karpenter-validate/model';
import { amiFamilyOf, nodeClassHashView, nodePoolHashView } from './karpenter-hash';

/**
 * Which nodes a change to NodePools and EC2NodeClasses makes Karpenter replace (drift), at the
 * environment's release, decided node by node in Karpenter's order (kubernetes-sigs/karpenter
 * v1.14.1 pkg/controllers/nodeclaim/disruption/drift.go isDrifted, then aws/karpenter-provider-aws
 * v1.14.1 pkg/cloudprovider/drift.go isNodeClassDrifted; both files the same at v1.15.0, where only
 * the EC2NodeClass hash differs: karpenter-hash.ts); the first reason found is the node's:
 *
 * 1. NodePoolDrifted: the NodePool template's hash changed (karpenter-hash.ts: labels, annotations,
 *    taints, startup taints, nodeClassRef, expireAfter, terminationGracePeriod; not requirements);
 * 2. RequirementsDrifted: the node's labels no longer meet the requirements (narrowing strands some
 *    nodes, widening none);
 * 3. InstanceTypeNotFound: the pool's node class is gone, so its instance types are;
 * 4. NodeClassDrift: the EC2NodeClass hash changed (every spec field but the selector terms,
 *    amiFamily and ipPrefixCount, plus the resolved AMI family);
 * 5. AMIDrift: the AMI the node's instance type would get is not the node's;
 * 6. SecurityGroupDrift: the resolved security groups are not exactly the node's;
 * 7. SubnetDrift: the node's subnet is no longer among the resolved ones.
 *
 * Weight, limits and disruption never drift a node (docs concepts/disruption.md); a removed
 * NodePool deletes its NodeClaims with it. What selector terms resolve to needs the account; the
 * plan resolves them as the Go oracle does (oracle/karpenter/resolve.go): an `id` term is that
 * resource, any other term its own resources (one subnet per zone, one security group, one AMI per
 * architecture), never another term's; an instance type gets the first AMI of the terms, in order,
 * for its architecture; a node sits in the first subnet of its zone. test/oracle-karpenter.test.ts
 * holds every decision here to Karpenter's own code on a seeded corpus.
 */

export type DriftScope = 'all' | 'some' | 'none';

export type DriftReason = 'NodePoolDrifted' | 'RequirementsDrifted' | 'InstanceTypeNotFound' | 'NodeClassDrift' | 'AMIDrift' | 'SecurityGroupDrift' | 'SubnetDrift';

export interface PoolDrift {
  readonly pool: string;
  readonly scope: DriftScope;
  /** Why, per cause: the fields or the resolution that drifts nodes. */
  readonly reasons: readonly string[];
  /** Nodes of the pool that drift at rest and at peak (the capacity plan of the previous render). */
  readonly nodesAtRest: number;
  readonly nodesAtPeak: number;
  /** Set when the pool is removed: its nodes go without budgets. */
  readonly removed?: boolean;
}

/** A node Karpenter launched for a pool: its instance type, capacity type and zone. */
export interface DriftNode {
  readonly pool: string;
  readonly instanceType: string;
  readonly capacityType: string;
  readonly zone: string;
}

/** One render's NodePools and EC2NodeClasses, as the API server stores them (CRD defaults applied). */
export interface DriftRender {
  readonly pools: ReadonlyMap<string, { readonly object: KubeObject; readonly view: PoolView }>;
  readonly classes: ReadonlyMap<string, KubeObject>;
  /** The environment's region and zones (subnet resolution, node labels). */
  readonly region: string;
  readonly zones: readonly string[];
  /** The Karpenter release whose API server stores the objects and whose hash judges them. */
  readonly release: KarpenterRelease;
}

const spec = (o: KubeObject | undefined): Json => (o && isObject(o.spec) ? o.spec : {});
const terms = (o: KubeObject | undefined, field: string): Json[] => (Array.isArray(spec(o)[field]) ? (spec(o)[field] as Json[]).filter(isObject) : []);

// Renders share most of their objects (a change touches one or two): each is admitted once.
const admitted = new Map<string, KubeObject>();

/** The object as a release's API server stores it: its CRD's defaults applied, unknown fields pruned (the validator's own admission). */
function stored(object: KubeObject, release: KarpenterRelease): KubeObject {
  const kind = customKinds(release).get(`${object.apiVersion}/${object.kind}`);
  if (!kind) return object;
  const key = `${release}\0${JSON.stringify(object)}`;
  let result = admitted.get(key);
  if (!result) {
    result = validateCustomResource(object, kind, new Reporter(refOf({ object })));
    if (admitted.size > 2000) admitted.clear();
    admitted.set(key, result);
  }
  return result;
}

/** A render of a set of objects as a release stores it (by default 1.14.1): only its NodePools and EC2NodeClasses matter. */
export function driftRender(objects: readonly KubeObject[], region: string, zones: readonly string[], release: KarpenterRelease = '1.14.1'): DriftRender {
  const classes = new Map(objects.filter((o) => o.kind === 'EC2NodeClass').map((o) => [String(o.metadata?.name), stored(o, release)]));
  const pools = new Map(
    objects
      .filter((o) => o.kind === 'NodePool')
      .map((o) => {
        const object = stored(o, release);
        return [String(o.metadata?.name), { object, view: poolView(object, classes, release) }] as const;
      }),
  );
  return { pools, classes, region, zones, release };
}

/** Keys that stand for resolved resources: equal keys, the same resource (resolve.go's IDs are hashes of these). */
const termKey = (term: Json) => JSON.stringify(sortKeys(term));
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
  return value;
}

/** Subnets, in status order: an id term in the zone of its place among id terms, any other term one per zone. */
function subnetsOf(nodeClass: KubeObject, zones: readonly string[]): { key: string; zone: string }[] {
  const out: { key: string; zone: string }[] = [];
  const add = (key: string, zone: string) => (out.some((s) => s.key === key) ? undefined : out.push({ key, zone }));
  let ids = 0;
  for (const term of terms(nodeClass, 'subnetSelectorTerms')) {
    if (typeof term.id === 'string' && term.id !== '') add(`id:${term.id}`, zones[ids++ % zones.length]!);
    else for (const zone of zones) add(`${termKey(term)}@${zone}`, zone);
  }
  return out;
}

/** Security groups: an id term is that group, any other term one group of its own. */
function securityGroupsOf(nodeClass: KubeObject): Set<string> {
  return new Set(terms(nodeClass, 'securityGroupSelectorTerms').map((t) => (typeof t.id === 'string' && t.id !== '' ? `id:${t.id}` : termKey(t))));
}

/** The AMI an instance type of `arch` gets: the first term's, in order (an id term fits every architecture). */
function amiFor(nodeClass: KubeObject, arch: string): string | undefined {
  const term = terms(nodeClass, 'amiSelectorTerms')[0];
  if (!term) return undefined;
  if (typeof term.id === 'string' && term.id !== '') return `id:${term.id}`;
  return `${typeof term.alias === 'string' ? `alias:${term.alias}` : termKey(term)}#${arch}`;
}

/** Zones the node class's subnets cover, in the environment's order. */
const coveredZones = (nodeClass: KubeObject, zones: readonly string[]) => zones.filter((z) => subnetsOf(nodeClass, zones).some((s) => s.zone === z));

/** Instance types a node of the pool can be: allowed by its requirements, priced, and with images for its node class. */
function poolTypes(view: PoolView, nodeClass: KubeObject): InstanceType[] {
  // aws provider pkg/providers/instancetype/compatibility: AL2023 has no a1 images; an unpriced type has no available offering.
  const al2023 = amiFamilyOf(spec(nodeClass)) === 'AL2023';
  return (view.instances ?? []).filter((t) => t.price !== undefined && !(al2023 && t.name.startsWith('a1.')));
}

/** Every kind of node the pools of a render can launch: each allowed instance type, capacity type and covered zone. */
export function nodesOf(render: DriftRender): DriftNode[] {
  const nodes: DriftNode[] = [];
  for (const [name, { view }] of render.pools) {
    const nodeClass = view.nodeClassName !== undefined ? render.classes.get(view.nodeClassName) : undefined;
    if (!nodeClass) continue;
    const zones = coveredZones(nodeClass, render.zones).filter((z) => !view.zones || view.zones.includes(z));
    const capacityTypes = view.capacityTypes.filter((c) => c === 'on-demand' || c === 'spot');
    for (const type of poolTypes(view, nodeClass)) for (const capacityType of capacityTypes) for (const zone of zones) nodes.push({ pool: name, instanceType: type.name, capacityType, zone });
  }
  return nodes;
}

/** The labels Karpenter gives a node (aws provider pkg/cloudprovider/cloudprovider.go instanceToNodeClaim, core NodeClaimTemplate). */
function nodeLabels(node: DriftNode, render: DriftRender): Record<string, string> {
  const { view } = render.pools.get(node.pool)!;
  const type = instanceType(node.instanceType, render.release);
  return {
    ...view.labels,
    ...(type?.labels ?? {}),
    'topology.kubernetes.io/zone': node.zone,
    'topology.kubernetes.io/region': render.region,
    'topology.k8s.aws/zone-id': `zid-${node.zone}`,
    'karpenter.sh/capacity-type': node.capacityType,
    'karpenter.k8s.aws/instance-tenancy': 'default',
    'karpenter.sh/nodepool': node.pool,
    ...(view.nodeClassName !== undefined ? { 'karpenter.k8s.aws/ec2nodeclass': view.nodeClassName } : {}),
  };
}

/**
 * Why Karpenter drifts a node of `before` once `after` is applied, or undefined: judged by the
 * release of `after` (a node another release launched is re-stamped or compared first, and its
 * NodeClaim's hash is then this release's hash of `before`: upgrade-drift.ts).
 */
export function nodeDrift(node: DriftNode, before: DriftRender, after: DriftRender): DriftReason | undefined {
  const old = before.pools.get(node.pool)!;
  const now = after.pools.get(node.pool);
  if (!now) return undefined;
  if (nodePoolHashView(spec(old.object)) !== nodePoolHashView(spec(now.object))) return 'NodePoolDrifted';
  const labels = nodeLabels(node, before);
  if (!now.view.requirements.every((r) => satisfies(r, labels[r.key]))) return 'RequirementsDrifted';
  const oldClass = old.view.nodeClassName !== undefined ? before.classes.get(old.view.nodeClassName) : undefined;
  const newClass = now.view.nodeClassName !== undefined ? after.classes.get(now.view.nodeClassName) : undefined;
  if (!newClass) return 'InstanceTypeNotFound';
  if (!oldClass) return undefined;
  if (nodeClassHashView(spec(oldClass), after.release) !== nodeClassHashView(spec(newClass), after.release)) return 'NodeClassDrift';
  const arch = instanceType(node.instanceType, after.release)?.arch ?? '';
  if (amiFor(oldClass, arch) !== amiFor(newClass, arch)) return 'AMIDrift';
  const [oldGroups, newGroups] = [securityGroupsOf(oldClass), securityGroupsOf(newClass)];
  if (oldGroups.size !== newGroups.size || [...oldGroups].some((g) => !newGroups.has(g))) return 'SecurityGroupDrift';
  const subnet = subnetsOf(oldClass, before.zones).find((s) => s.zone === node.zone)?.key;
  if (!subnetsOf(newClass, after.zones).some((s) => s.key === subnet)) return 'SubnetDrift';
  return undefined;
}

/** Every node of `before` with the reason it drifts once `after` is applied ('' when it does not). */
export function driftNodes(before: DriftRender, after: DriftRender): (DriftNode & { readonly reason: DriftReason | '' })[] {
  return nodesOf(before).map((node) => ({ ...node, reason: nodeDrift(node, before, after) ?? '' }));
}

/** Paths (dot-separated) under which two values differ, for the messages. */
function changedPaths(a: unknown, b: unknown, path: string, out: string[]): string[] {
  if (JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b))) return out;
  const isRecord = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isRecord(a) && isRecord(b)) {
    for (const key of [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort()) changedPaths((a as Json)[key], (b as Json)[key], path ? `${path}.${key}` : key, out);
  } else out.push(path);
  return out;
}

const without = (value: Json, keys: readonly string[]) => Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
const HASH_IGNORED_CLASS_FIELDS = ['subnetSelectorTerms', 'securityGroupSelectorTerms', 'capacityReservationSelectorTerms', 'amiSelectorTerms', 'amiFamily', 'ipPrefixCount'];

/** Why a pool's nodes drift, one sentence per cause Karpenter finds. */
function explain(name: string, before: DriftRender, after: DriftRender, reasons: ReadonlySet<DriftReason>): string[] {
  const old = before.pools.get(name)!;
  const now = after.pools.get(name)!;
  const className = now.view.nodeClassName ?? '';
  const [oldClass, newClass] = [before.classes.get(old.view.nodeClassName ?? ''), after.classes.get(className)];
  const out: string[] = [];
  if (reasons.has('NodePoolDrifted')) {
    const template = (o: KubeObject) => ({ metadata: spec(o).template?.metadata ?? {}, spec: without(spec(o).template?.spec ?? {}, ['requirements']) });
    const paths = changedPaths(template(old.object), template(now.object), 'spec.template', []);
    out.push(`${paths.join(', ') || 'spec.template'} changed: the template hash changes, so every node of the pool drifts`);
  }
  if (reasons.has('RequirementsDrifted')) {
    const lost = (old.view.instances ?? []).filter((t) => !(now.view.instances ?? []).some((u) => u.name === t.name)).sort((a, b) => a.name.localeCompare(b.name));
    if (lost.length > 0) out.push(`requirements no longer allow ${lost.length} of its ${(old.view.instances ?? []).length} instance types (${lost.slice(0, 6).map((t) => t.name).join(', ')}${lost.length > 6 ? ', ...' : ''}): nodes of those types drift`);
    const lostCapacity = old.view.capacityTypes.filter((c) => !now.view.capacityTypes.includes(c));
    if (lostCapacity.length > 0) out.push(`capacity type ${lostCapacity.join(', ')} no longer allowed: those nodes drift`);
    const lostZones = (old.view.zones ?? before.zones).filter((z) => now.view.zones !== undefined && !now.view.zones.includes(z));
    if (lostZones.length > 0) out.push(`zones ${lostZones.join(', ')} no longer allowed: nodes there drift`);
    if (out.length === 0 || (lost.length === 0 && lostCapacity.length === 0 && lostZones.length === 0)) out.push('requirements changed: nodes whose labels no longer meet them drift');
  }
  if (reasons.has('InstanceTypeNotFound')) out.push(`EC2NodeClass ${className} is gone: its instance types with it, so every node drifts`);
  if (reasons.has('NodeClassDrift') && oldClass && newClass) {
    const paths = changedPaths(without(spec(oldClass), HASH_IGNORED_CLASS_FIELDS), without(spec(newClass), HASH_IGNORED_CLASS_FIELDS), 'spec', []);
    const family = amiFamilyOf(spec(oldClass)) !== amiFamilyOf(spec(newClass)) ? [`AMI family ${amiFamilyOf(spec(oldClass))} -> ${amiFamilyOf(spec(newClass))}`] : [];
    out.push(`EC2NodeClass ${className}: ${[...paths, ...family].join(', ') || 'spec'} changed: its hash changes, so every node using it drifts`);
  }
  if (reasons.has('AMIDrift') && oldClass && newClass) {
    const aliases = (c: KubeObject) => terms(c, 'amiSelectorTerms').map((t) => t.alias).filter((a) => typeof a === 'string');
    const [a, b] = [aliases(oldClass), aliases(newClass)];
    out.push(a.length > 0 && b.length > 0 ? `EC2NodeClass ${className}: AMI ${a.join(', ')} -> ${b.join(', ')}: the new terms resolve to other AMIs, so every node using it drifts (AMIDrift)` : `EC2NodeClass ${className}: amiSelectorTerms changed: nodes whose AMI is not the one the new terms give their instance type drift (AMIDrift)`);
  }
  if (reasons.has('SecurityGroupDrift')) out.push(`EC2NodeClass ${className}: securityGroupSelectorTerms changed: a node drifts unless the terms select exactly its security groups, so every node drifts (SecurityGroupDrift; different terms are assumed to select different groups)`);
  if (reasons.has('SubnetDrift')) out.push(`EC2NodeClass ${className}: subnetSelectorTerms changed: nodes in subnets no longer selected drift (SubnetDrift; different terms are assumed to select different subnets)`);
  return out;
}

/** An environment's zones: those its pools name (every pool of the project names its zones), else three stand-ins. */
export function zonesOf(objects: readonly KubeObject[]): string[] {
  const zones = [...new Set(objects.filter((o) => o.kind === 'NodePool').flatMap((o) => poolView(o, new Map(), '1.14.1').zones ?? []))].sort();
  return zones.length > 0 ? zones : ['zone-a', 'zone-b', 'zone-c'];
}

/**
 * The pools whose nodes a change drifts, with why and how many nodes (the previous render's capacity
 * plan), judged by `release` (the release the environment runs once the change is applied): both
 * renders as its API server serves them and hashed as it hashes them, which is what it compares
 * after an upgrade too (upgrade-drift.ts).
 */
export function driftOf(before: readonly KubeObject[], after: readonly KubeObject[], previousPlan: CapacityPlan, release: KarpenterRelease = previousPlan.karpenterVersion): PoolDrift[] {
  const zones = zonesOf(before);
  const region = '';
  const [old, now] = [driftRender(before, region, zones, release), driftRender(after, region, zones, release)];
  const planOf = (pool: string) => previousPlan.pools.find((p) => p.pool === pool);
  const drifts: PoolDrift[] = [];
  for (const [name, { object }] of old.pools) {
    const plan = planOf(name);
    const all = { nodesAtRest: plan?.idle.nodes ?? 0, nodesAtPeak: plan?.peak.nodes ?? 0 };
    const current = now.pools.get(name);
    if (!current) {
      drifts.push({ pool: name, scope: 'all', reasons: ['the NodePool is removed: its NodeClaims are deleted with it and every node drains at once, whatever the disruption budgets say'], ...all, removed: true });
      continue;
    }
    const kinds = nodesOf(old).filter((n) => n.pool === name);
    const decided = kinds.map((n) => nodeDrift(n, old, now));
    const reasons = new Set(decided.filter((r): r is DriftReason => r !== undefined));
    const drifting = decided.filter((r) => r !== undefined).length;
    const scope: DriftScope = drifting === 0 ? 'none' : drifting === kinds.length ? 'all' : 'some';
    const text = explain(name, old, now, reasons);
    if (scope === 'none' && changedPaths(spec(object).template?.spec?.requirements, spec(current.object).template?.spec?.requirements, 'requirements', []).length > 0) {
      text.push('requirements changed, but every node they allowed still satisfies them: no node drifts');
    }
    const behavioural = ['weight', 'limits', 'disruption'].filter((f) => changedPaths(spec(object)[f], spec(current.object)[f], f, []).length > 0);
    if (behavioural.length > 0) text.push(`${behavioural.map((f) => `spec.${f}`).join(', ')} changed: behavioural fields, no node drifts`);
    if (text.length === 0) continue;
    // The planned nodes: a NodeClaim not narrowed to a zone is counted in the pool's zones in turn.
    const count = (at: 'idle' | 'peak') =>
      previousPlan.nodeClaims[at]
        .filter((c) => c.pool === name)
        .filter((c, i) => {
          const poolZones = old.pools.get(name)!.view.zones ?? old.zones;
          return nodeDrift({ pool: name, instanceType: c.instanceType, capacityType: c.capacityType, zone: c.zone ?? poolZones[i % poolZones.length]! }, old, now) !== undefined;
        }).length;
    drifts.push({ pool: name, scope, reasons: text, nodesAtRest: scope === 'none' ? 0 : count('idle'), nodesAtPeak: scope === 'none' ? 0 : count('peak') });
  }
  return drifts;
}

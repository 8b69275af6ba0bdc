import { instanceType } from '../catalog';
import type { CapacityPlan, PoolPlan } from '../capacity';
import { satisfies } from '../requirements';
import { KubeObject } from '../validation/findings';
import { PoolView, poolView } from '../validation/node-pools';
import { isObject, Json } from '../validation/pods';

/**
 * Which nodes a change to a NodePool or EC2NodeClass makes Karpenter v1.14.1 replace (drift):
 *
 * - NodePool `spec.template`, hashed without `requirements` (and `resources`): labels,
 *   annotations, taints, startup taints, nodeClassRef, expireAfter, terminationGracePeriod. A
 *   change gives a new hash, and every node of the pool drifts (NodePoolDrifted; the NodePool's
 *   Hash() in kubernetes-sigs/karpenter pkg/apis/v1/nodepool.go, hashstructure with slices as
 *   sets and zero values ignored; areStaticFieldsDrifted in pkg/controllers/nodeclaim/disruption/drift.go).
 * - NodePool `requirements`: a node drifts only when its labels no longer satisfy them
 *   (areRequirementsDrifted): narrowing strands some nodes, widening strands none.
 * - NodePool `weight`, `limits`, `disruption`: behavioural, never drift (docs concepts/disruption.md).
 * - EC2NodeClass, hashed without the selector terms, amiFamily and ipPrefixCount (aws/karpenter-
 *   provider-aws pkg/apis/v1/ec2nodeclass.go Hash): any other spec change drifts every node of every
 *   pool using the class (NodeClassDrift).
 * - EC2NodeClass `amiSelectorTerms`, `subnetSelectorTerms`, `securityGroupSelectorTerms`,
 *   `capacityReservationSelectorTerms`: drift is decided on what they resolve to
 *   (pkg/cloudprovider/drift.go): a node drifts when its AMI, subnet or security groups are no
 *   longer among the resolved ones. A pinned AMI alias that changes version resolves to new AMIs:
 *   every node drifts. Other selector changes can be told only against the account.
 * - A NodePool removed: its NodeClaims are owned by it and deleted with it, every node drained
 *   at once, budgets notwithstanding.
 */

export type DriftScope = 'all' | 'some' | 'none' | 'unknown';

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

/** Values with arrays as sets and empty values dropped, as Karpenter's hash sees them. */
function hashView(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(hashView).filter((v) => v !== undefined);
    return items.length === 0 ? undefined : items.map((v) => JSON.stringify(v)).sort();
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, hashView(v)] as const).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  }
  if (value === '' || value === 0 || value === false || value === null) return undefined;
  return value;
}

/** Paths (dot-separated) under which two values differ, for the message. */
function changedPaths(a: unknown, b: unknown, path: string, out: string[]): string[] {
  if (JSON.stringify(hashView(a)) === JSON.stringify(hashView(b))) return out;
  const isRecord = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isRecord(a) && isRecord(b)) {
    for (const key of [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort()) changedPaths((a as Json)[key], (b as Json)[key], path ? `${path}.${key}` : key, out);
  } else out.push(path);
  return out;
}

const spec = (o: KubeObject | undefined): Json => (o && isObject(o.spec) ? o.spec : {});
const without = (value: Json, keys: readonly string[]) => Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));

/** The template fields Karpenter hashes. */
function templateHashed(pool: KubeObject): Json {
  const template = spec(pool).template ?? {};
  return { metadata: template.metadata ?? {}, spec: without(template.spec ?? {}, ['requirements', 'resources']) };
}

/** The node class fields Karpenter hashes. */
function nodeClassHashed(nodeClass: KubeObject): Json {
  return without(spec(nodeClass), ['subnetSelectorTerms', 'securityGroupSelectorTerms', 'capacityReservationSelectorTerms', 'amiSelectorTerms', 'amiFamily', 'ipPrefixCount']);
}

/** Labels a node of the plan's instance type carries, for requirement matching. */
function nodeLabels(plan: PoolPlan, at: 'idle' | 'peak', view: PoolView): Record<string, string> | undefined {
  const type = plan[at].instanceType ? instanceType(plan[at].instanceType!) : undefined;
  if (!type) return undefined;
  return { ...type.labels, ...view.labels, 'karpenter.sh/capacity-type': plan.capacityType };
}

/** How many of `nodes` stop satisfying the new requirements, and the instance types that no longer qualify. */
function requirementDrift(before: PoolView, after: PoolView, plan: PoolPlan | undefined): { atRest: number; atPeak: number; reasons: string[] } {
  const reasons: string[] = [];
  const lost = (before.instances ?? []).filter((t) => !(after.instances ?? []).some((u) => u.name === t.name)).sort((a, b) => a.name.localeCompare(b.name));
  if (lost.length > 0) reasons.push(`requirements no longer allow ${lost.length} of its ${(before.instances ?? []).length} instance types (${lost.slice(0, 6).map((t) => t.name).join(', ')}${lost.length > 6 ? ', ...' : ''}): nodes of those types drift`);
  const lostCapacity = before.capacityTypes.filter((c) => !after.capacityTypes.includes(c));
  if (lostCapacity.length > 0) reasons.push(`capacity type ${lostCapacity.join(', ')} no longer allowed: those nodes drift`);
  const lostZones = (before.zones ?? []).filter((z) => after.zones !== undefined && !after.zones.includes(z));
  if (lostZones.length > 0) reasons.push(`zones ${lostZones.join(', ')} no longer allowed: nodes there drift`);
  if (!plan) return { atRest: 0, atPeak: 0, reasons };
  const count = (at: 'idle' | 'peak') => {
    const nodes = plan[at].nodes;
    const labels = nodeLabels(plan, at, before);
    if (nodes === 0 || !labels) return 0;
    const instanceOk = after.requirements.filter((r) => r.key !== 'topology.kubernetes.io/zone').every((r) => satisfies(r, labels[r.key]));
    if (!instanceOk) return nodes;
    // Nodes spread over the zones the pool allowed; those in a zone no longer allowed drift.
    const zones = before.zones?.length ?? 0;
    return zones > 0 && lostZones.length > 0 ? Math.ceil((nodes * lostZones.length) / zones) : 0;
  };
  return { atRest: count('idle'), atPeak: count('peak'), reasons };
}

/** The pools whose nodes a change drifts, with why and how many nodes. */
export function driftOf(before: readonly KubeObject[], after: readonly KubeObject[], previousPlan: CapacityPlan): PoolDrift[] {
  const byName = (objects: readonly KubeObject[], kind: string) => new Map(objects.filter((o) => o.kind === kind).map((o) => [String(o.metadata?.name), o]));
  const [oldPools, newPools] = [byName(before, 'NodePool'), byName(after, 'NodePool')];
  const [oldClasses, newClasses] = [byName(before, 'EC2NodeClass'), byName(after, 'EC2NodeClass')];
  const planOf = (pool: string) => previousPlan.pools.find((p) => p.pool === pool);
  const drifts: PoolDrift[] = [];
  for (const [name, old] of oldPools) {
    const plan = planOf(name);
    const all = { nodesAtRest: plan?.idle.nodes ?? 0, nodesAtPeak: plan?.peak.nodes ?? 0 };
    const now = newPools.get(name);
    if (!now) {
      drifts.push({ pool: name, scope: 'all', reasons: ['the NodePool is removed: its NodeClaims are deleted with it and every node drains at once, whatever the disruption budgets say'], ...all, removed: true });
      continue;
    }
    const reasons: string[] = [];
    let scope: DriftScope = 'none';
    const template = changedPaths(templateHashed(old), templateHashed(now), 'spec.template', []);
    if (template.length > 0) {
      scope = 'all';
      reasons.push(`${template.join(', ')} changed: the template hash changes, so every node of the pool drifts`);
    }
    const classRef = String(spec(now).template?.spec?.nodeClassRef?.name ?? '');
    const [oldClass, newClass] = [oldClasses.get(String(spec(old).template?.spec?.nodeClassRef?.name ?? '')), newClasses.get(classRef)];
    if (oldClass && newClass && classRef === String(spec(old).template?.spec?.nodeClassRef?.name)) {
      const hashed = changedPaths(nodeClassHashed(oldClass), nodeClassHashed(newClass), 'spec', []);
      if (hashed.length > 0) {
        scope = 'all';
        reasons.push(`EC2NodeClass ${classRef}: ${hashed.join(', ')} changed: its hash changes, so every node using it drifts`);
      }
      const ami = changedPaths(spec(oldClass).amiSelectorTerms, spec(newClass).amiSelectorTerms, 'spec.amiSelectorTerms', []);
      if (ami.length > 0) {
        const aliases = (c: KubeObject) => (spec(c).amiSelectorTerms ?? []).map((t: Json) => t?.alias).filter(Boolean);
        const [a, b] = [aliases(oldClass), aliases(newClass)];
        scope = 'all';
        reasons.push(a.length > 0 && b.length > 0 ? `EC2NodeClass ${classRef}: AMI ${a.join(', ')} -> ${b.join(', ')}: the new terms resolve to other AMIs, so every node using it drifts (AMIDrift)` : `EC2NodeClass ${classRef}: amiSelectorTerms changed: every node whose AMI is not among the new terms' drifts (AMIDrift)`);
      }
      for (const field of ['subnetSelectorTerms', 'securityGroupSelectorTerms', 'capacityReservationSelectorTerms']) {
        if (changedPaths(spec(oldClass)[field], spec(newClass)[field], field, []).length === 0) continue;
        if (scope === 'none') scope = 'unknown';
        reasons.push(`EC2NodeClass ${classRef}: ${field} changed: nodes whose ${field.replace('SelectorTerms', '').replace(/([A-Z])/g, ' $1').toLowerCase()} is no longer selected drift; which they are depends on what the terms resolve to in the account`);
      }
    }
    const [oldView, newView] = [poolView(old, oldClasses), poolView(now, newClasses)];
    if (changedPaths(spec(old).template?.spec?.requirements, spec(now).template?.spec?.requirements, 'requirements', []).length > 0) {
      const req = requirementDrift(oldView, newView, plan);
      if (scope !== 'all') {
        reasons.push(...(req.reasons.length > 0 ? req.reasons : ['requirements changed, but every node they allowed still satisfies them: no node drifts']));
        if (req.reasons.length > 0) {
          drifts.push({ pool: name, scope: 'some', reasons, nodesAtRest: req.atRest, nodesAtPeak: req.atPeak });
          continue;
        }
      } else reasons.push(...req.reasons);
    }
    const behavioural = ['weight', 'limits', 'disruption'].filter((f) => changedPaths(spec(old)[f], spec(now)[f], f, []).length > 0);
    if (behavioural.length > 0) reasons.push(`${behavioural.map((f) => `spec.${f}`).join(', ')} changed: behavioural fields, no node drifts`);
    if (reasons.length === 0) continue;
    drifts.push({ pool: name, scope, reasons, ...(scope === 'all' ? all : { nodesAtRest: 0, nodesAtPeak: 0 }) });
  }
  return drifts;
}

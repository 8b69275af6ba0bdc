import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../config/environments';
import { dev } from '../config/environments/dev';
import { prod } from '../config/environments/prod';
import { PRICING } from '../config/pricing';
import type { EnvironmentConfig } from '../config/environment-config';
import { WORKLOADS } from '../config/workloads';
import { catalog } from '../packages/karpenter-validate/src/catalog';
import { capacityPlan, NODE_COUNT_SOURCE } from '../lib/plan/capacity';
import { planUpgrade } from '../lib/plan/upgrade';
import { plan } from '../lib/plan';
import { formatPlan, formatPlanJson } from '../lib/plan/format';
import { capacitySection } from '../lib/synth/report';
import { rollout } from '../lib/plan/rollout';
import { validate } from '../packages/karpenter-validate/src/validation';
import { poolViews } from '../packages/karpenter-validate/src/validation/cluster';
import { allocatable } from '../packages/karpenter-validate/src/validation/overhead';
import { manifests, render as renderAll } from './helpers';
import { changed, findings, lines, pick } from './validation-helpers';

// A change to prod is planned on renders of prod alone (the shared files included): dev would
// render the same on both sides, and rendering it for every case doubles this file's time.
const base = renderAll([prod]);
const withProd = (change: Partial<EnvironmentConfig>) => renderAll([{ ...prod, ...change }]);
const prodPlan = (after: Map<string, string>) => plan(base, after).environments.find((e) => e.env === 'prod')!;
const driftOfPool = (after: Map<string, string>, pool: string) => prodPlan(after).drift.find((d) => d.pool === pool);

describe('npm run plan: drift, as Karpenter 1.14.1 decides it', () => {
  it('is empty for the current render against itself', () => {
    const everything = renderAll(ENVIRONMENTS);
    const result = plan(everything, renderAll(ENVIRONMENTS));
    expect(result.environments.every((e) => e.status === 'unchanged')).toBe(true);
    expect(result.rejectedCount).toBe(0);
    expect(formatPlan(result, false)).toBe('no change to the fleet\n');
  });

  it('drifts every node of every pool on the node class when the AMI version changes', () => {
    const after = withProd({ amiVersions: { al2023: 'v20260625' } });
    const env = prodPlan(after);
    const onData = ['airflow-arm-ondemand', 'kafka-arm-ondemand', 'spark-exec-arm-ondemand'];
    for (const pool of onData) {
      const d = env.drift.find((x) => x.pool === pool)!;
      expect(d.scope, pool).toBe('all');
      expect(d.reasons.join(' ')).toContain('EC2NodeClass data: AMI al2023@v20260714 -> al2023@v20260625');
    }
    // Bottlerocket pools keep their AMI: no drift.
    expect(env.drift.find((d) => d.pool === 'core-arm-ondemand')).toBeUndefined();
    expect(env.drift.find((d) => d.pool === 'gpu-spot')).toBeUndefined();
    const kafka = env.drift.find((d) => d.pool === 'kafka-arm-ondemand')!;
    expect(kafka.nodesAtRest).toBe(capacityPlan(manifests(prod)).pools.find((p) => p.pool === 'kafka-arm-ondemand')!.idle.nodes);
    expect(kafka.rollout).toMatchObject({ parallel: 1, batches: kafka.nodesAtRest });
    expect(formatPlan(plan(base, after), false)).toContain("(node counts at rest and at peak: the previous render's capacity plan, its pods placed as Karpenter 1.14.1's scheduler places them (lib/plan/scheduler.ts, held to Karpenter's own scheduler by test/oracle-karpenter.test.ts))");
  });

  it('drifts only the nodes of instance types a narrowed pool no longer allows, and none when it widens', () => {
    const narrowed = driftOfPool(withProd({ pools: { 'spark-exec-arm-ondemand': { instanceTypes: ['m7g.xlarge'] } } }), 'spark-exec-arm-ondemand')!;
    expect(narrowed.scope).toBe('some');
    expect(narrowed.reasons[0]).toContain('requirements no longer allow 3 of its 4 instance types (c7g.2xlarge, c7g.large, c7g.xlarge): nodes of those types drift');
    // At rest the plan put the workers on c7g nodes (two per c7g.2xlarge, one per c7g.xlarge): all of them drift.
    const before = capacityPlan(manifests(prod)).pools.find((p) => p.pool === 'spark-exec-arm-ondemand')!;
    expect(before.idle.byType!.every((t) => t.instanceType.startsWith('c7g.'))).toBe(true);
    expect(narrowed.nodesAtRest).toBe(before.idle.nodes);
    const widened = driftOfPool(withProd({ pools: { 'spark-exec-arm-ondemand': { instanceTypes: ['c7g.large', 'c7g.xlarge', 'c7g.2xlarge', 'm7g.xlarge', 'm7g.2xlarge'] } } }), 'spark-exec-arm-ondemand')!;
    expect(widened).toMatchObject({ scope: 'none', nodesAtRest: 0, nodesAtPeak: 0 });
    expect(widened.reasons).toEqual(['requirements changed, but every node they allowed still satisfies them: no node drifts']);
  });

  it('drifts no node for a weight, limit or budget change', () => {
    const after = withProd({ pools: { 'llm-arm-ondemand': { weight: 70, limits: { cpu: '48', memory: '192Gi' } } } });
    const d = driftOfPool(after, 'llm-arm-ondemand')!;
    expect(d).toMatchObject({ scope: 'none', nodesAtRest: 0 });
    expect(d.reasons).toEqual(['spec.weight, spec.limits changed: behavioural fields, no node drifts']);
    expect(formatPlan(plan(base, after), false)).toContain('llm-arm-ondemand: no node drifts');
  });

  it('drifts every node of the pool for a template field (expireAfter), and rolls out under the budget', () => {
    const d = driftOfPool(withProd({ pools: { 'kafka-arm-ondemand': { expireAfter: '1440h' } } }), 'kafka-arm-ondemand')!;
    expect(d.scope).toBe('all');
    expect(d.reasons[0]).toBe('spec.template.spec.expireAfter changed: the template hash changes, so every node of the pool drifts');
  });

  it('says that a removed pool drains every node at once, budgets notwithstanding', () => {
    const d = driftOfPool(withProd({ pools: { 'gpu-premium': { enabled: false } } }), 'gpu-premium')!;
    expect(d).toMatchObject({ scope: 'all', removed: true });
  });
});

describe('rollout under budgets', () => {
  const pool = (budgets?: object[], terminationGracePeriod?: string) => ({ apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'p' }, spec: { template: { spec: { ...(terminationGracePeriod ? { terminationGracePeriod } : {}) } }, ...(budgets ? { disruption: { budgets } } : {}) } });

  it('takes 10% rounded up per batch by default, and the lowest budget that applies to Drifted', () => {
    expect(rollout(pool(), 25, 25, [])).toMatchObject({ parallel: 3, batches: 9 });
    expect(rollout(pool([{ nodes: '50%' }, { nodes: '2', reasons: ['Drifted'] }, { nodes: '0', reasons: ['Underutilized'] }]), 10, 10, [])).toMatchObject({ parallel: 2, batches: 5 });
  });

  it('drains for the longest pod grace period, capped by the pool terminationGracePeriod', () => {
    expect(rollout(pool([{ nodes: '1' }]), 2, 2, [{ terminationGracePeriodSeconds: 3600 }]).drainSeconds).toBe(3600);
    const capped = rollout(pool([{ nodes: '1' }], '10m'), 2, 2, [{ terminationGracePeriodSeconds: 3600 }]);
    expect(capped).toMatchObject({ drainSeconds: 600, seconds: 2 * (120 + 600) });
  });

  it('reports a budget that never lets a drifted node go, and scheduled windows', () => {
    expect(rollout(pool([{ nodes: '0', reasons: ['Drifted'] }]), 3, 3, []).blocked).toContain('a budget of 0 nodes for Drifted (nodes: "0") never lets a drifted node go');
    expect(rollout(pool([{ nodes: '1' }, { nodes: '0', schedule: '0 9 * * 1-5', duration: '8h' }]), 3, 3, []).windows).toEqual(["paused during '0 9 * * 1-5' for 8h"]);
  });
});

describe('updates the cluster refuses', () => {
  it("refuses growing Kafka's claim template, and says how to get there", () => {
    const after = withProd({ workloads: { ...prod.workloads, kafka: { settings: { storage: '200Gi' } } } });
    const env = prodPlan(after);
    expect(env.rejected).toHaveLength(1);
    expect(env.rejected[0]).toMatchObject({ kind: 'StatefulSet', name: 'kafka/kafka', path: 'spec.volumeClaimTemplates[0].spec.resources.requests.storage' });
    expect(env.rejected[0]!.message).toMatch(/^changes from "100Gi" to "200Gi", which the API server refuses on update/);
    expect(env.rejected[0]!.message).toContain('kubectl delete statefulset kafka -n kafka --cascade=orphan');
    expect(env.rejected[0]!.message).toContain(`the existing claims keep their size: grow each (kubectl -n kafka patch pvc data-kafka-<ordinal> -p '{"spec":{"resources":{"requests":{"storage":"200Gi"}}}}'`);
    // GitHub would drop <ordinal> from the Markdown as an HTML tag: written &lt; outside code.
    const md = formatPlan(plan(base, after), true);
    expect(md).toContain('grow each (kubectl -n kafka patch pvc data-kafka-&lt;ordinal> -p');
    expect(md).not.toContain('data-kafka-<ordinal>');
    expect(plan(base, after).rejectedCount).toBe(1);
  });

  const update = (mutate: (s: any[]) => void) => {
    const previous = changed(() => {});
    return lines(findings(changed(mutate), { complete: false, previous } as never), 'immutable-field');
  };

  it('refuses a new StatefulSet serviceName or podManagementPolicy, a Deployment selector, and a headless Service that stops being one', () => {
    expect(update((s) => (pick(s, 'StatefulSet', 'queue').spec.serviceName = 'queue')).join('\n')).toContain('spec.serviceName ("queue"): changes from "api" to "queue"');
    expect(update((s) => (pick(s, 'StatefulSet', 'queue').spec.podManagementPolicy = 'Parallel')).join('\n')).toContain('spec.podManagementPolicy');
    const selector = (s: any[]) => {
      const deployment = pick(s, 'Deployment', 'api');
      deployment.spec.selector.matchLabels.tier = 'web';
      deployment.spec.template.metadata.labels.tier = 'web';
    };
    expect(update(selector).join('\n')).toContain("a Deployment's selector is immutable in apps/v1");
    const headless = (s: any[]) => (pick(s, 'Service', 'api').spec.clusterIP = 'None');
    expect(lines(findings(changed(() => {}), { complete: false, previous: changed(headless) } as never), 'immutable-field').join('\n')).toContain('a Service cannot become headless, or stop being headless, in place');
  });

  it('refuses a shrinking claim, a StorageClass parameter, a Job template and a RoleBinding roleRef, and lets replicas and templates change', () => {
    const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'web' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3-encrypted', resources: { requests: { storage: '10Gi' } } } };
    const smaller = structuredClone(claim);
    smaller.spec.resources.requests.storage = '5Gi';
    const bigger = structuredClone(claim);
    bigger.spec.resources.requests.storage = '20Gi';
    const check = (old: object, now: object) => lines(findings([now], { previous: [old] } as never), 'immutable-field');
    expect(check(claim, smaller).join('\n')).toContain('a claim can grow but never shrink');
    expect(check(claim, bigger)).toEqual([]);
    const sc = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'gp3' }, provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3', encrypted: 'true' } };
    expect(check(sc, { ...sc, parameters: { type: 'gp3', encrypted: 'true', iops: '4000' } }).join('\n')).toContain("a StorageClass's parameters is immutable");
    const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'web' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'a' }, subjects: [] };
    expect(check(binding, { ...binding, roleRef: { ...binding.roleRef, name: 'b' } }).join('\n')).toContain("a binding's roleRef is immutable");
    expect(update((s) => {
      pick(s, 'StatefulSet', 'queue').spec.replicas = 3;
      pick(s, 'Deployment', 'api').spec.template.spec.containers[0].image = 'nginx:1.27.1';
    })).toEqual([]);
  });

  it("evaluates the CRDs' transition rules against the previous object", () => {
    const old = changed(() => {});
    const now = changed((s) => (pick(s, 'NodePool').spec.template.spec.nodeClassRef.group = 'karpenter.example.com'));
    const found = lines(findings(now, { complete: false, previous: old } as never), 'immutable-field');
    expect(found.join('\n')).toContain('nodeClassRef.group is immutable (the CRD\'s transition rule refuses this update)');
    expect(lines(findings(changed(() => {}), { complete: false, previous: old } as never), 'immutable-field')).toEqual([]);
    // Every transition rule of the pinned CRDs (three, all NodePool's): kind, and static/dynamic provisioning.
    const kind = changed((s) => (pick(s, 'NodePool').spec.template.spec.nodeClassRef.kind = 'OtherNodeClass'));
    expect(lines(findings(kind, { complete: false, previous: old } as never), 'immutable-field').join('\n')).toContain('nodeClassRef.kind is immutable');
    const replicas = changed((s) => {
      const pool = pick(s, 'NodePool');
      pool.spec.replicas = 2;
      // A static NodePool may only limit nodes (a create-time rule).
      pool.spec.limits = { nodes: 4 };
    });
    expect(lines(findings(replicas, { complete: false, previous: old } as never), 'immutable-field').join('\n')).toContain('Cannot transition NodePool between static (replicas set) and dynamic (replicas unset) provisioning modes');
  });
});

describe('cost', () => {
  it('prices one pool as computed by hand: the Kafka brokers on m7g.large on-demand, one per zone', () => {
    const objects = manifests(prod);
    const kafka = capacityPlan(objects).pools.find((p) => p.pool === 'kafka-arm-ondemand')!;
    const pool = poolViews(objects).find((p) => p.name === 'kafka-arm-ondemand')!;
    const type = catalog().get('m7g.large')!;
    // By hand: 3 brokers requesting 1 CPU and 2Gi; an m7g.large (2 vCPU, 8 GiB) leaves its allocatable
    // CPU minus EKS's DaemonSets (0.125) for pods: under 2 CPU, so one broker per node by CPU
    // (ceil(3 / 1.78) = 2 nodes), but the brokers spread over three zones, hard: 3 nodes.
    const room = allocatable(type, pool.kubelet, pool.rootVolume).allocatable.cpu - 0.125;
    expect(Math.max(Math.ceil(3 / room), 3)).toBe(3);
    expect(kafka.workloads).toEqual([expect.objectContaining({ name: 'kafka/kafka', idle: 3, peak: 3, requests: expect.objectContaining({ cpu: 1 }) })]);
    expect(kafka.idle).toEqual({ nodes: 3, instanceType: 'm7g.large', byType: [{ instanceType: 'm7g.large', nodes: 3 }], hourly: 3 * type.price! });
    expect(kafka.capacityType).toBe('on-demand');
  });

  it('puts one 2-CPU Spark worker on a c7g.xlarge: a NodeClaim grows only while one instance type holds all its pods', () => {
    const objects = manifests(prod);
    const plan = capacityPlan(objects);
    const pool = poolViews(objects).find((p) => p.name === 'spark-exec-arm-ondemand')!;
    const xlarge = catalog().get('c7g.xlarge')!;
    // By hand: a c7g.xlarge leaves 3.92 CPU - 0.125 for EKS's DaemonSets = 3.795 for pods: one worker of 2 CPU.
    const room = allocatable(xlarge, pool.kubelet, pool.rootVolume).allocatable.cpu - 0.125;
    expect(Math.floor(room / 2)).toBe(1);
    const sparkClaims = [...plan.nodeClaims.idle, ...plan.nodeClaims.peak].filter((c) => c.pool === 'spark-exec-arm-ondemand');
    for (const claim of sparkClaims.filter((c) => c.instanceType === 'c7g.xlarge')) expect(claim.pods).toHaveLength(1);
    // Five workers spread over three zones (their ScheduleAnyway spread holds while it can): 2 + 2 + 1.
    const spark = plan.pools.find((p) => p.pool === 'spark-exec-arm-ondemand')!;
    expect(spark.idle.byType).toEqual([
      { instanceType: 'c7g.2xlarge', nodes: 2 },
      { instanceType: 'c7g.xlarge', nodes: 1 },
    ]);
    expect(spark.idle.hourly).toBeCloseTo(2 * catalog().get('c7g.2xlarge')!.price! + xlarge.price!, 9);
  });

  it('shows mixed instance types and the pods a pool limit leaves pending in REPORT.md', () => {
    expect(capacitySection(capacityPlan(manifests(prod))).join('\n')).toContain('| spark-exec-arm-ondemand | on-demand | spark/spark-worker 5-20 | 2 x c7g.2xlarge + 1 x c7g.xlarge |');
    const limited = manifests(prod).map((o: any) => (o.kind === 'NodePool' && o.metadata.name === 'spark-exec-arm-ondemand' ? { ...o, spec: { ...o.spec, limits: { cpu: '16', memory: '64Gi' } } } : o));
    const plan = capacityPlan(limited);
    // 16 CPUs are two c7g.2xlarge (Karpenter counts each NodeClaim at its largest type): the fifth worker
    // gives up its zone spread (ScheduleAnyway) and joins one of them; at peak 3 + 3 run, 14 wait.
    expect(plan.unschedulable.idle).toEqual([]);
    expect(plan.unschedulable.peak.length).toBe(20 - 6);
    const section = capacitySection(plan).join('\n');
    expect(section).toContain('| spark-exec-arm-ondemand | on-demand | spark/spark-worker 5-20 | 2 x c7g.2xlarge | $0.58 | 2 x c7g.2xlarge | $0.58 |');
    expect(section).toContain(`- Karpenter would leave pending at peak (pool limits reached): ${plan.unschedulable.peak.join(', ')}`);
    expect(section).toContain(`- ${NODE_COUNT_SOURCE}`);
  });

  it('prices spot nodes at the spot ratio of on-demand, and says where the node counts come from', () => {
    const plan = capacityPlan(manifests(prod));
    const gpu = plan.pools.find((p) => p.pool === 'gpu-spot')!;
    expect(gpu.capacityType).toBe('spot');
    const g4dn = catalog().get('g4dn.xlarge')!;
    expect(gpu.peak.byType).toEqual([{ instanceType: 'g4dn.xlarge', nodes: gpu.peak.nodes }]);
    expect(gpu.peak.hourly).toBeCloseTo(gpu.peak.nodes * g4dn.price! * PRICING.spotRatio, 9);
    expect(plan.assumptions).toContain(NODE_COUNT_SOURCE);
    expect(NODE_COUNT_SOURCE).toContain('test/oracle-karpenter.test.ts');
  });

  it("shows a change's cost delta in the plan", () => {
    const workers = WORKLOADS.spark.components.worker;
    const after = withProd({ workloads: { ...prod.workloads, spark: { components: { worker: { minReplicas: workers.minReplicas + 10 } } } } });
    const env = prodPlan(after);
    const spark = env.cost.find((c) => c.pool === 'spark-exec-arm-ondemand')!;
    expect(spark.after!.idle).toBeGreaterThan(spark.before!.idle);
    expect(formatPlan(plan(base, after), true)).toMatch(/\| spark-exec-arm-ondemand \| \$[\d.]+ \| \$[\d.]+ \| \$[\d.]+ \| \+\$[\d.]+ \|/);
  });
});

describe('the plan and validate --previous CLIs', () => {
  const ROOT = resolve(__dirname, '..');

  it('validate --previous reports an update the cluster refuses, and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'previous-'));
    try {
      const set = changed(() => {});
      writeFileSync(join(dir, 'old.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: set }));
      const now = changed((s) => (pick(s, 'StatefulSet', 'queue').spec.serviceName = 'queue'));
      writeFileSync(join(dir, 'new.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: now }));
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
      const result = spawnSync(process.execPath, [join(ROOT, '.build', 'validate.js'), '--previous', join(dir, 'old.json'), join(dir, 'new.json')], { cwd: ROOT, encoding: 'utf8' });
      expect(result.status).toBe(1);
      expect(result.stdout).toContain('[immutable-field] spec.serviceName ("queue"): changes from "api" to "queue"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('plan refuses a ref git does not know, and unknown options, with exit 2', () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
    const unknown = spawnSync(process.execPath, [join(ROOT, '.build', 'plan.js'), 'no-such-ref-zz'], { cwd: ROOT, encoding: 'utf8' });
    expect([unknown.status, unknown.stderr.trim()]).toEqual([2, "'no-such-ref-zz' is not a commit git knows (a branch, tag or commit hash): nothing to compare dist/ with"]);
    const option = spawnSync(process.execPath, [join(ROOT, '.build', 'plan.js'), '--nope'], { cwd: ROOT, encoding: 'utf8' });
    expect(option.status).toBe(2);
    expect(option.stderr).toContain("unknown option '--nope'");
  });
});

describe('validate as plan uses it', () => {
  it('needs nothing but the two sets', () => {
    expect(validate([], { previous: [] }).findings).toEqual([]);
  });
});

describe('npm run plan for a Karpenter upgrade', () => {
  // The repository stages its upgrade: dev runs 1.15.0, prod 1.14.1 (config/environments/).
  const staged = renderAll(ENVIRONMENTS);

  it('reads each environment\'s release from its Argo CD Application, and plans dev\'s move to 1.15.0 against a render where both ran 1.14.1', () => {
    expect([dev.karpenterVersion, prod.karpenterVersion]).toEqual(['1.15.0', '1.14.1']);
    const bothOld = renderAll([{ ...dev, karpenterVersion: '1.14.1' }, prod]);
    const result = plan(bothOld, staged);
    const [devPlan, prodPlan] = ['dev', 'prod'].map((e) => result.environments.find((x) => x.env === e)!);
    expect(devPlan!.karpenterVersion).toEqual({ before: '1.14.1', after: '1.15.0' });
    expect(devPlan!.upgrade).toMatchObject({ from: '1.14.1', to: '1.15.0' });
    expect(prodPlan!).toMatchObject({ status: 'unchanged', karpenterVersion: { before: '1.14.1', after: '1.14.1' } });
    expect(prodPlan!.upgrade).toBeUndefined();
    const text = formatPlan(result, false);
    expect(text).toContain('== dev\n Karpenter 1.14.1 -> 1.15.0:');
    expect(text).not.toContain('== prod');
    expect(formatPlan(result, true)).toContain('#### Karpenter 1.14.1 → 1.15.0');
    expect(JSON.parse(formatPlanJson(result)).environments.find((e: any) => e.env === 'dev').upgrade.to).toBe('1.15.0');
    // Staged as it is, the repository plans nothing.
    expect(plan(staged, renderAll(ENVIRONMENTS)).environments.every((e) => e.status === 'unchanged' && e.upgrade === undefined)).toBe(true);
  });

  const upgraded = renderAll([dev, { ...prod, karpenterVersion: '1.15.0' }]);
  const prodUpgrade = plan(staged, upgraded).environments.find((e) => e.env === 'prod')!;

  it('lists the CRD changes with what they do to our objects: consolidateAfter defaults to 0s and is no longer required, and no NodePool of ours relies on it', () => {
    const u = prodUpgrade.upgrade!;
    const consolidateAfter = u.crds.filter((c) => c.kind === 'NodePool' && c.path === 'spec.disruption.consolidateAfter');
    expect(consolidateAfter.map((c) => [c.change, c.default ?? null, c.objects])).toEqual([
      ['default', '0s', []],
      ['optional', null, []],
    ]);
    expect(u.crds.find((c) => c.path === 'spec.disruption.budgets[].reasons[]')?.text).toBe('admits "Unhealthy"');
    expect(u.crds.find((c) => c.kind === 'EC2NodeClass' && c.path === 'spec.kubelet')).toMatchObject({ change: 'opened', objects: ['EC2NodeClass default'] });
    expect(u.objects).toEqual([]);
    // A NodePool that leaves consolidateAfter out: refused by 1.14.1's API server, stored with 0s by 1.15.0's.
    const without = structuredClone(manifests(prod)).map((o: any) => (o.kind === 'NodePool' && o.metadata.name === 'kafka-arm-ondemand' ? (delete o.spec.disruption.consolidateAfter, o) : o));
    const touched = planUpgrade({ env: 'prod', from: '1.14.1', to: '1.15.0', before: manifests(prod), after: without, argocd: [], previousPlan: capacityPlan(manifests(prod)), zones: prod.cluster.zones });
    expect(touched.crds.find((c) => c.change === 'default' && c.path === 'spec.disruption.consolidateAfter')!.objects).toEqual(['NodePool kafka-arm-ondemand']);
    const kafka = touched.objects.find((o) => o.name === 'kafka-arm-ondemand')!;
    expect(kafka.refusedBy.to).toEqual([]);
    expect(kafka.refusedBy.from.join('\n')).toContain('spec.disruption.consolidateAfter');
    expect(formatPlan({ environments: [{ ...prodUpgrade, upgrade: touched }], rejectedCount: 0 }, false)).toContain('NodePool spec.disruption.consolidateAfter: now defaults to "0s": NodePool kafka-arm-ondemand omit it and are stored with "0s"');
  });

  it('lists the kubelet checks leaving admission for the controller, kept by the validator\'s kubelet-config rule', () => {
    const u = prodUpgrade.upgrade!;
    const kubelet = u.movedChecks.filter((m) => m.kind === 'EC2NodeClass' && m.path === 'spec.kubelet');
    expect(kubelet.length).toBe(10);
    expect(new Set(kubelet.map((m) => m.keptBy))).toEqual(new Set(['kubelet-config']));
    expect(kubelet.map((m) => m.check)).toContain('imageGCHighThresholdPercent must be greater than imageGCLowThresholdPercent');
    expect(kubelet[0]!.objects).toEqual(['EC2NodeClass default']);
  });

  it("decides the nodes as Karpenter 1.15.0's own hash and drift code does: every NodeClaim re-stamped (EC2NodeClass hash v5 to v6), none drifts", () => {
    const u = prodUpgrade.upgrade!;
    expect(u.hashVersions).toEqual({ nodePool: ['v3', 'v3'], ec2NodeClass: ['v5', 'v6'] });
    const planned = capacityPlan(manifests(prod)).nodeClaims.idle.length;
    expect(u.nodes.reduce((s, p) => s + p.restamped.atRest, 0)).toBe(planned);
    expect(u.nodes.every((p) => p.drifted.atRest === 0 && p.drifted.atPeak === 0 && p.annotations.join() === 'karpenter.k8s.aws/ec2nodeclass-hash,karpenter.k8s.aws/ec2nodeclass-hash-version')).toBe(true);
    expect(prodUpgrade.drift).toEqual([]);
  });

  it('names the alerts and panels whose labels change what they count, and the new feature gates, all off', () => {
    const u = prodUpgrade.upgrade!;
    const counting = u.monitoring.filter((m) => m.affects).map((m) => `${m.where}: ${m.change}`);
    // reason="unhealthy" of karpenter_nodeclaims_disrupted_total is not new: 1.14.1's node repair records it too.
    expect(counting).toEqual(['alert KarpenterCloudProviderErrors: value-renamed', 'panel "Allowed disruptions": value-added']);
    expect(u.monitoring.filter((m) => m.change === 'metric-gone' || m.change === 'label-gone')).toEqual([]);
    expect(u.monitoring.find((m) => m.where === 'alert KarpenterPodsWaitingForCapacity')).toMatchObject({ change: 'labels-added', affects: false });
    expect(u.featureGates.filter((g) => g.from !== undefined && g.to !== undefined)).toEqual([]);
    expect(u.featureGates.map((g) => `${g.scope} ${g.gate} ${String(g.to)}`)).toEqual(['core PodDeletionCostManagement false', 'core TerminateFirstDrift false', 'core TerminateFirstRepair false', 'aws DRAEFA false', 'aws DRANVIDIAGPU false', 'aws NodeClassCEL false', 'aws RebootForRepair false']);
    expect(u.gatesSet).toEqual(['nodeRepair=true']); // config/environment-config.ts karpenter.nodeRepair, on by default
    // What the gate we turn on does differently at 1.15.0 (legacyNodeRepair off: repair rides the budgets).
    expect(u.gateBehaviour).toEqual([expect.stringMatching(/^nodeRepair: node repair becomes a disruption method .*NotReady node for at most 10 minutes/)]);
    expect(formatPlan({ environments: [prodUpgrade], rejectedCount: 0 }, false)).toContain('at 1.15.0, nodeRepair: node repair becomes a disruption method');
  });

  it('orders the steps as the Argo CD waves apply them, and warns when the same change edits an EC2NodeClass', () => {
    const u = prodUpgrade.upgrade!;
    expect(u.steps.map((s) => s.split(':')[0])).toEqual(['wave -3', 'wave -2', 'wave 0']);
    expect(u.steps[0]).toContain('karpenter-crd-prod installs the CRDs of 1.15.0');
    expect(u.warnings).toEqual([]);
    const both = renderAll([dev, { ...prod, karpenterVersion: '1.15.0', amiVersions: { al2023: 'v20260625' } }]);
    const withClass = plan(staged, both).environments.find((e) => e.env === 'prod')!;
    expect(withClass.upgrade!.warnings.join('\n')).toContain("this change also edits EC2NodeClass data, EC2NodeClass default, EC2NodeClass llm: 1.15.0's hash controller re-stamps each NodeClaim");
  });

  it('switching prod to 1.15.0 in a branch: the plan command lists the consolidateAfter default, the kubelet checks leaving admission, the alerts whose counts change, and the drift Karpenter computes', () => {
    const ROOT = resolve(__dirname, '..');
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
    const dir = mkdtempSync(join(tmpdir(), 'plan-upgrade-'));
    try {
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'pipe' });
      const writeDist = (files: ReadonlyMap<string, string>) => {
        rmSync(join(dir, 'dist'), { recursive: true, force: true });
        for (const [path, text] of files) {
          mkdirSync(join(dir, 'dist', path, '..'), { recursive: true });
          writeFileSync(join(dir, 'dist', path), text);
        }
      };
      // main: dev on 1.15.0, prod on 1.14.1, as committed.
      writeDist(staged);
      git('init', '-q', '-b', 'main');
      git('add', '.');
      git('commit', '-q', '-m', 'dev runs 1.15.0');
      // The branch: prod switched to 1.15.0, synthesized (fresh: the build's recorded source hash).
      git('checkout', '-q', '-b', 'prod-karpenter-1.15');
      writeDist(upgraded);
      writeFileSync(join(dir, 'dist', '.synthesized-from'), `${readFileSync(join(ROOT, '.build', 'source-hash'), 'utf8').trim()}\n`);
      const run = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, '.build', 'plan.js'), 'main', ...args], { cwd: dir, encoding: 'utf8' });
      const text = run();
      expect([text.status, text.stderr]).toEqual([0, '']);
      expect(text.stdout).toContain('== prod\n Karpenter 1.14.1 -> 1.15.0:');
      expect(text.stdout).toContain('NodePool spec.disruption.consolidateAfter: now defaults to "0s": none of our NodePools relies on it (each sets consolidateAfter)');
      expect(text.stdout).toContain("EC2NodeClass spec.kubelet: the API server no longer checks it; Karpenter 1.15.0's controller does after apply");
      expect(text.stdout).toContain('The validator keeps them (rule kubelet-config), so synth still refuses them');
      expect(text.stdout).toContain('alert KarpenterCloudProviderErrors (karpenter_cloudprovider_errors_total): error "" becomes "unknown"');
      expect(text.stdout).toContain('panel "Allowed disruptions" (karpenter_nodepools_allowed_disruptions): now also counts reason="unhealthy"');
      expect(text.stdout).toContain('alert KarpenterCloudProviderErrors (karpenter_cloudprovider_errors_total): error "" becomes "unknown"');
      expect(text.stdout).toMatch(/Nodes \(Karpenter 1\.15\.0's hash and drift; NodePool hash v3 -> v3, EC2NodeClass hash v5 -> v6\):\n {4}airflow-arm-ondemand: \d+ at rest, \d+ at peak re-stamped \(karpenter\.k8s\.aws\/ec2nodeclass-hash, karpenter\.k8s\.aws\/ec2nodeclass-hash-version\), not drifted; none drifts/);
      expect(text.stdout).toContain('wave 0: platform-prod applies dist/prod: no node drifts');
      expect(text.stdout).not.toContain('== dev');
      const markdown = run('--markdown');
      expect(markdown.stdout).toContain('#### Karpenter 1.14.1 → 1.15.0');
      expect(markdown.stdout).toContain('1. wave -3: karpenter-crd-prod installs the CRDs of 1.15.0');
      const json = JSON.parse(run('--format', 'json').stdout);
      expect(json.environments.find((e: any) => e.env === 'prod').upgrade.crds.some((c: any) => c.path === 'spec.disruption.consolidateAfter' && c.default === '0s')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../config/environments';
import { capacityPlan } from '../lib/plan/capacity';
import { objectsByFolder } from '../lib/synth/dist-files';
import { driftNodes, driftRender, nodesOf } from '../lib/plan/drift';
import { nodeClassHashView, nodePoolHashView } from '../lib/plan/karpenter-hash';
import { validate } from '../packages/karpenter-validate/src/validation';
import { EKS_DAEMONSET_REQUESTS } from '../packages/karpenter-validate/src/validation/cluster';
import type { KubeObject } from '../packages/karpenter-validate/src/validation/findings';
import { GO_TIER, ROOT, oracleBinary, runOracle } from './oracle';
import { DRIFT_CORPUS_SEED, DRIFT_CORPUS_SIZE, DriftCase, driftCorpus, oracleInput, REGION, ZONES } from './oracle/karpenter/drift-corpus';
import { SCHEDULE_CORPUS_SEED, SCHEDULE_CORPUS_SIZE, ScheduleCase, scheduleCorpus } from './oracle/karpenter/schedule-corpus';
import {
  DriftRecord,
  drifted,
  fixtureDir,
  hashChanged,
  OracleDrift,
  OracleSchedule,
  OracleScenario,
  planned,
  readFixture,
  readJson,
  RECORD,
  scheduled,
  scheduleRecord,
  ScheduleRecord,
  schedulingObjects,
  writeFixture,
  writeJson,
} from './oracle/karpenter/verdicts';
import {
  KARPENTER_115,
  KNOWN_115_DRIFT_DISAGREEMENTS,
  nodeName,
  OracleUpgrade,
  readUpgradeFixture,
  upgradeFixtureDir,
  upgradeRecord,
  UpgradeRecord,
  V1_14_1,
  V1_15_0,
  V115,
  writeUpgradeFixture,
} from './oracle/karpenter/upgrade';

/**
 * Karpenter 1.14.1 decides, not our models: the Karpenter oracle (oracle/karpenter, Karpenter's and
 * the AWS provider's own Go code) schedules every pod of both environments and judges the drift of
 * a seeded corpus of changes; lib/plan/capacity.ts and lib/plan/drift.ts must agree with it everywhere.
 * Its verdicts are recorded under test/oracle/karpenter/, so that the tests without Go hold the
 * models to them too.
 */

const readDist = (env: string): KubeObject[] => {
  const dir = join(ROOT, 'dist', env);
  const files = new Map(readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => [`${env}/${f}`, readFileSync(join(dir, f), 'utf8')]));
  return objectsByFolder(files).get(env) ?? [];
};

const renders = new Map<string, ReturnType<typeof driftRender>[]>();
const rendersOf = (c: DriftCase) => {
  if (!renders.has(c.id)) renders.set(c.id, [driftRender(c.before, REGION, ZONES), driftRender(c.after, REGION, ZONES)]);
  return renders.get(c.id)!;
};

/** The drift verdicts of our model on a case, node by node. */
const modelled = (c: DriftCase) => driftNodes(rendersOf(c)[0]!, rendersOf(c)[1]!);

/** Our model's record of a case: what the Go oracle's record says, derived from lib/plan/drift.ts. */
function modelRecord(c: DriftCase): DriftRecord {
  const [before, after] = rendersOf(c) as [ReturnType<typeof driftRender>, ReturnType<typeof driftRender>];
  const changed = <T>(a: ReadonlyMap<string, T>, b: ReadonlyMap<string, T>, view: (o: T) => string) =>
    [...new Set([...a.keys(), ...b.keys()])].filter((name) => !a.has(name) || !b.has(name) || view(a.get(name)!) !== view(b.get(name)!)).sort();
  const nodes = modelled(c);
  return {
    id: c.id,
    change: c.change,
    nodes: nodes.length,
    poolHashChanged: changed(before.pools, after.pools, (p) => nodePoolHashView((p.object.spec ?? {}) as Record<string, unknown>)),
    classHashChanged: changed(before.classes, after.classes, (o) => nodeClassHashView((o.spec ?? {}) as Record<string, unknown>)),
    drifted: drifted(nodes),
  };
}

const corpus = driftCorpus();

/** One case of the scheduling corpus as recorded: the NodeClaims at rest and at peak, the pods left pending. */
interface ScheduleCaseRecord {
  readonly id: string;
  readonly change: string;
  readonly idle: readonly string[];
  readonly peak: readonly string[];
  readonly pending: { readonly idle: readonly string[]; readonly peak: readonly string[] };
}

function plannedCase(c: ScheduleCase): ScheduleCaseRecord {
  const plan = capacityPlan(c.objects);
  // Every workload of the corpus has a pool (the plan's `unplaced` would be left pending by Karpenter too).
  const pending = (at: 'idle' | 'peak') => [...plan.unschedulable[at]].sort();
  if (plan.unplaced.length > 0) throw new Error(`case ${c.id} (${c.change}) has workloads no pool admits: ${plan.unplaced.join(', ')}`);
  return { id: c.id, change: c.change, idle: planned(plan, 'idle'), peak: planned(plan, 'peak'), pending: { idle: pending('idle'), peak: pending('peak') } };
}

function oracleCase(c: ScheduleCase, result: { idle: OracleScenario; peak: OracleScenario }): ScheduleCaseRecord {
  const pending = (s: OracleScenario) => s.unschedulable.map((u) => u.pod).sort();
  return { id: c.id, change: c.change, idle: scheduled(result.idle), peak: scheduled(result.peak), pending: { idle: pending(result.idle), peak: pending(result.peak) } };
}

const schedules = scheduleCorpus();

describe('the drift corpus', () => {
  it(`has ${DRIFT_CORPUS_SIZE} seeded cases (seed ${DRIFT_CORPUS_SEED}) from the committed base, each render one the API server admits`, () => {
    expect(corpus).toHaveLength(DRIFT_CORPUS_SIZE);
    expect(new Set(corpus.map((c) => c.change)).size).toBeGreaterThan(170);
    for (const c of corpus) {
      const errors = validate([...c.before, ...c.after].map((object) => ({ object })), { admissionOnly: true }).findings.filter((f) => f.severity === 'error');
      expect(errors.map((e) => `${c.id} (${c.change}): ${e.object.name} ${e.path} [${e.rule}] ${e.message}`)).toEqual([]);
    }
  });

  it('drifts nodes for every reason Karpenter has, and leaves them alone where only the spelling or the order changed', () => {
    const reasons = new Set(corpus.flatMap((c) => modelled(c).map((n) => n.reason)));
    expect([...reasons].sort()).toEqual(['', 'AMIDrift', 'NodeClassDrift', 'NodePoolDrifted', 'RequirementsDrifted', 'SecurityGroupDrift', 'SubnetDrift']);
    const single = corpus.filter((c) => !c.change.includes(';'));
    const unchanged = /^(undo: )?(nothing|.*: (expireAfter respelled|terminationGracePeriod respelled|taints reordered|instance types reordered|subnet ids reordered|block device mappings reordered|the security group term listed twice|the (NodePool|EC2NodeClass)'s own annotation changed.*|weight -> .*|cpu limit -> .*|disruption budgets and consolidateAfter changed|minValues 1 on instance types|volume 1024Gi respelled 1Ti|evictionSoftGracePeriod 1m30s respelled 90s))/;
    const quiet = single.filter((c) => unchanged.test(c.change));
    expect(quiet.length).toBeGreaterThan(30);
    for (const c of quiet) expect(modelled(c).filter((n) => n.reason !== '').map((n) => `${c.change}: ${n.pool} ${n.reason}`)).toEqual([]);
    // Pointers hash their zero values, a quantity hashes its canonical string: these do drift.
    for (const pattern of [/detailedMonitoring: false written out$/, /associatePublicIPAddress: false written out$/, /volume -> \d+G$/]) {
      const cases = single.filter((c) => pattern.test(c.change));
      expect(cases.length, String(pattern)).toBeGreaterThan(0);
      for (const c of cases) expect(new Set(modelled(c).map((n) => n.reason)), c.change).toContain('NodeClassDrift');
    }
  });
});

describe('drift: lib/plan/drift.ts against the recorded verdicts of Karpenter 1.14.1', () => {
  it('agrees with every recorded verdict of the corpus, node by node', () => {
    const recorded = readJson<{ seed: number; cases: DriftRecord[] }>('drift-verdicts.json');
    expect(recorded.seed).toBe(DRIFT_CORPUS_SEED);
    expect(corpus.map(modelRecord)).toEqual(recorded.cases);
  });
});

describe('capacity: lib/plan/capacity.ts against the recorded schedules of Karpenter 1.14.1', () => {
  for (const env of ENVIRONMENTS) {
    it(`places every pod of ${env.name}'s fixture on the NodeClaims Karpenter creates, at rest and at peak`, () => {
      const recorded = readJson<ScheduleRecord>(`schedule-${env.name}.json`);
      const plan = capacityPlan(readFixture(env.name));
      expect(planned(plan, 'idle')).toEqual(recorded.idle);
      expect(planned(plan, 'peak')).toEqual(recorded.peak);
      expect({ idle: plan.unschedulable.idle, peak: plan.unschedulable.peak }).toEqual(recorded.unschedulable);
    });
  }

  it(`schedules the ${SCHEDULE_CORPUS_SIZE} seeded variations of prod (seed ${SCHEDULE_CORPUS_SEED}) exactly as Karpenter did`, () => {
    const recorded = readJson<{ seed: number; cases: ScheduleCaseRecord[] }>('schedule-corpus-verdicts.json');
    expect(recorded.seed).toBe(SCHEDULE_CORPUS_SEED);
    expect(schedules.map(plannedCase)).toEqual(recorded.cases);
    // The corpus reaches limits (pods left pending) and launches mixed instance types in a pool.
    expect(recorded.cases.filter((c) => c.pending.peak.length > 0).length).toBeGreaterThan(5);
  });

  it('puts one 2-CPU Spark worker on a c7g.xlarge, as Karpenter does (issue 23 item 9)', () => {
    const recorded = readJson<ScheduleRecord>('schedule-prod.json');
    const xlarge = [...recorded.idle, ...recorded.peak].filter((c) => c.startsWith('spark-exec-arm-ondemand c7g.xlarge'));
    expect(xlarge.length).toBeGreaterThan(0);
    for (const claim of xlarge) expect(claim.match(/spark-worker/g)).toHaveLength(1);
    const plan = capacityPlan(readFixture('prod'));
    const spark = plan.pools.find((p) => p.pool === 'spark-exec-arm-ondemand')!;
    expect(spark.idle.nodes).toBe(recorded.idle.filter((c) => c.startsWith('spark-exec-arm-ondemand ')).length);
  });

  it("sizes nodes for EKS's own DaemonSets exactly as the oracle's eks/daemonsets.yaml declares them", () => {
    const docs = parseAllDocuments(readFileSync(join(ROOT, 'oracle', 'karpenter', 'eks', 'daemonsets.yaml'), 'utf8')).map((d) => d.toJS());
    const cpu = docs.reduce((sum, d) => sum + d.spec.template.spec.containers.reduce((s: number, c: any) => s + Number.parseInt(c.resources.requests.cpu, 10) / 1000, 0), 0);
    expect(docs.map((d) => d.metadata.name)).toEqual(['aws-node', 'kube-proxy']);
    expect(EKS_DAEMONSET_REQUESTS).toEqual({ cpu, memory: 0 });
  });
});

const KARPENTER_DATA = join(ROOT, '..', 'shared', 'data', 'karpenter-v1.14.1');

describe("the oracle's EC2 data", () => {
  it.skipIf(!existsSync(KARPENTER_DATA))('is exactly what scripts/ec2-instance-types.mjs generates from Karpenter 1.14.1 reference data', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ec2-'));
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'ec2-instance-types.mjs'), KARPENTER_DATA, '--output', join(dir, 'instance-types.json')], { stdio: 'pipe' });
      expect(readFileSync(join(dir, 'instance-types.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'oracle', 'karpenter', 'ec2', 'instance-types.json'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('describes every type of the catalog, with the vCPUs, memory, GPUs and architecture the catalog has', () => {
    const ec2 = JSON.parse(readFileSync(join(ROOT, 'oracle', 'karpenter', 'ec2', 'instance-types.json'), 'utf8')).instanceTypes as any[];
    const catalog = JSON.parse(readFileSync(join(ROOT, 'packages', 'karpenter-validate', 'src', 'catalog', 'instance-types.json'), 'utf8')).types as any[];
    expect(ec2.map((t) => t.InstanceType)).toEqual(catalog.map((t) => t.name));
    for (const [i, t] of ec2.entries()) {
      const c = catalog[i];
      expect([t.VCpuInfo.DefaultVCpus, t.MemoryInfo.SizeInMiB, t.ProcessorInfo.SupportedArchitectures[0]], t.InstanceType).toEqual([Number(c.labels.cpu), Number(c.labels.memory), c.arch === 'amd64' ? 'x86_64' : 'arm64']);
      expect(t.GpuInfo?.Gpus[0].Count ?? 0, t.InstanceType).toBe(Number(c.labels['gpu-count'] ?? 0));
    }
  });
});

/** The oracle's drift verdicts on the corpus, as they are recorded. */
function driftRecords(oracle: OracleDrift): DriftRecord[] {
  return oracle.cases.map((c, i) => ({
    id: c.id,
    change: corpus[i]!.change,
    nodes: c.nodes.length,
    poolHashChanged: hashChanged(c.poolHashes),
    classHashChanged: hashChanged(c.classHashes),
    drifted: drifted(c.nodes),
  }));
}

describe.runIf(GO_TIER)('Karpenter 1.14.1 itself (Go tier: oracle/karpenter)', () => {
  it('drift: agrees with lib/plan/drift.ts on every node of every case of the corpus, and the record is what it says', () => {
    const oracle = runOracle<OracleDrift>('karpenter', ['drift', '-'], oracleInput(corpus));
    expect(oracle.versions).toEqual({ karpenter: 'v1.14.1', provider: 'v1.14.1' });
    const theirs = driftRecords(oracle);
    if (RECORD) writeJson('drift-verdicts.json', { seed: DRIFT_CORPUS_SEED, versions: oracle.versions, cases: theirs });
    // Node by node first, for a readable failure.
    const disagreements = corpus.flatMap((c, i) => {
      const ours = new Map(modelled(c).map((n) => [`${n.pool} ${n.instanceType} ${n.capacityType} ${n.zone}`, n.reason]));
      const karpenter = new Map(oracle.cases[i]!.nodes.map((n) => [`${n.pool} ${n.instanceType} ${n.capacityType} ${n.zone}`, n.reason]));
      return [...new Set([...ours.keys(), ...karpenter.keys()])].filter((k) => ours.get(k) !== karpenter.get(k)).map((k) => `${c.id} (${c.change}) ${k}: ours ${ours.get(k) ?? 'no such node'}, Karpenter's ${karpenter.get(k) ?? 'no such node'}`);
    });
    expect(disagreements).toEqual([]);
    expect(corpus.map(modelRecord)).toEqual(theirs);
    expect(readJson<{ cases: DriftRecord[] }>('drift-verdicts.json').cases).toEqual(theirs);
  }, 300_000);

  for (const env of ENVIRONMENTS) {
    it(`schedules every pod of dist/${env.name} on an allowed pool, none left pending, exactly as lib/plan/capacity.ts plans it`, () => {
      const args = ['schedule', '--region', env.cluster.region, '--zones', env.cluster.zones.join(',')];
      const live = runOracle<OracleSchedule>('karpenter', [...args, join(ROOT, 'dist', env.name)]);
      expect(live.versions).toEqual({ karpenter: 'v1.14.1', provider: 'v1.14.1' });
      for (const at of ['idle', 'peak'] as const) {
        expect(live[at].unschedulable, at).toEqual([]);
        expect(live[at].misplaced, at).toEqual([]);
      }
      const plan = capacityPlan(readDist(env.name));
      expect(planned(plan, 'idle')).toEqual(scheduled(live.idle));
      expect(planned(plan, 'peak')).toEqual(scheduled(live.peak));
      if (RECORD) writeFixture(env.name, schedulingObjects(readDist(env.name)));
      const fixture = runOracle<OracleSchedule>('karpenter', [...args, fixtureDir(env.name)]);
      if (RECORD) writeJson(`schedule-${env.name}.json`, scheduleRecord(fixture));
      expect(readJson<ScheduleRecord>(`schedule-${env.name}.json`)).toEqual(scheduleRecord(fixture));
    });
  }

  it(`schedule: agrees with lib/plan/capacity.ts on every NodeClaim of the ${SCHEDULE_CORPUS_SIZE} variations of prod, and the record is what it says`, () => {
    const input = JSON.stringify({ region: REGION, zones: ZONES, cases: schedules.map((c) => ({ id: c.id, objects: c.objects })) });
    const oracle = runOracle<{ versions: OracleSchedule['versions']; cases: { id: string; idle: OracleScenario; peak: OracleScenario }[] }>('karpenter', ['schedule-corpus', '-'], input);
    expect(oracle.versions).toEqual({ karpenter: 'v1.14.1', provider: 'v1.14.1' });
    const theirs = schedules.map((c, i) => oracleCase(c, oracle.cases[i]!));
    if (RECORD) writeJson('schedule-corpus-verdicts.json', { seed: SCHEDULE_CORPUS_SEED, versions: oracle.versions, cases: theirs });
    const disagreements = schedules.flatMap((c, i) => {
      const ours = plannedCase(c);
      const karpenter = theirs[i]!;
      return (['idle', 'peak'] as const).flatMap((at) => [
        ...ours[at].filter((k) => !karpenter[at].includes(k)).map((k) => `${c.id} (${c.change}) ${at}: only ours: ${k}`),
        ...karpenter[at].filter((k) => !ours[at].includes(k)).map((k) => `${c.id} (${c.change}) ${at}: only Karpenter's: ${k}`),
      ]);
    });
    expect(disagreements).toEqual([]);
    expect(schedules.map(plannedCase)).toEqual(theirs);
    expect(readJson<{ cases: ScheduleCaseRecord[] }>('schedule-corpus-verdicts.json').cases).toEqual(theirs);
  }, 120_000);

  it('refuses a folder without a NodePool, naming it', () => {
    let message = '';
    try {
      execFileSync(oracleBinary('karpenter'), ['schedule', '--region', REGION, '--zones', ZONES.join(','), join(ROOT, 'oracle', 'karpenter', 'eks')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      message = String((error as { stderr?: string }).stderr);
    }
    expect(message).toContain('oracle/karpenter/eks holds no NodePool');
  });
});

// ---- Karpenter 1.15.0, and the upgrade from 1.14.1 ----

/** What 1.15.0 records where our 1.14.1 model's record differs in a known way: the class "default" drifts (see KNOWN_115_DRIFT_DISAGREEMENTS). */
const with115KubeletDrift = (ours: DriftRecord): DriftRecord => ({
  ...ours,
  classHashChanged: [...new Set([...ours.classHashChanged, 'default'])].sort(),
  drifted: Object.fromEntries(Object.entries({ ...ours.drifted, default: { NodeClassDrift: 'all' as const } }).sort(([a], [b]) => a.localeCompare(b))),
});

describe('drift: lib/plan/drift.ts against the recorded verdicts of Karpenter 1.15.0', () => {
  it('agrees with every recorded verdict but the known ones, where 1.15.0 drifts a kubelet respelt because it hashes the kubelet as JSON text', () => {
    const recorded = readJson<{ seed: number; versions: unknown; cases: DriftRecord[] }>(V115('drift-verdicts.json'));
    expect([recorded.seed, recorded.versions]).toEqual([DRIFT_CORPUS_SEED, V1_15_0]);
    const ours = corpus.map(modelRecord);
    const differing = ours.filter((r, i) => JSON.stringify(r) !== JSON.stringify(recorded.cases[i])).map((r) => r.id);
    expect(differing).toEqual(Object.keys(KNOWN_115_DRIFT_DISAGREEMENTS));
    for (const id of differing) {
      const i = ours.findIndex((r) => r.id === id);
      expect(ours[i]!.change, id).toMatch(/default: evictionSoftGracePeriod 1m30s respelled 90s/);
      expect(recorded.cases[i], id).toEqual(with115KubeletDrift(ours[i]!));
    }
  });
});

describe('capacity: lib/plan/capacity.ts against the recorded schedules of Karpenter 1.15.0', () => {
  for (const env of ENVIRONMENTS) {
    it(`places every pod of ${env.name}'s fixture on the NodeClaims Karpenter 1.15.0 creates, at rest and at peak`, () => {
      const recorded = readJson<ScheduleRecord>(V115(`schedule-${env.name}.json`));
      expect(recorded.versions).toEqual(V1_15_0);
      const plan = capacityPlan(readFixture(env.name));
      expect(planned(plan, 'idle')).toEqual(recorded.idle);
      expect(planned(plan, 'peak')).toEqual(recorded.peak);
      expect({ idle: plan.unschedulable.idle, peak: plan.unschedulable.peak }).toEqual(recorded.unschedulable);
    });
  }

  it(`schedules the ${SCHEDULE_CORPUS_SIZE} seeded variations of prod (seed ${SCHEDULE_CORPUS_SEED}) exactly as Karpenter 1.15.0 did`, () => {
    const recorded = readJson<{ seed: number; versions: unknown; cases: ScheduleCaseRecord[] }>(V115('schedule-corpus-verdicts.json'));
    expect([recorded.seed, recorded.versions]).toEqual([SCHEDULE_CORPUS_SEED, V1_15_0]);
    expect(schedules.map(plannedCase)).toEqual(recorded.cases);
  });
});

const HASH_KEYS = ['karpenter.sh/nodepool-hash', 'karpenter.sh/nodepool-hash-version', 'karpenter.k8s.aws/ec2nodeclass-hash', 'karpenter.k8s.aws/ec2nodeclass-hash-version'] as const;
const CLASS_RESTAMP = 'karpenter.k8s.aws/ec2nodeclass-hash,karpenter.k8s.aws/ec2nodeclass-hash-version';

describe('the upgrade from Karpenter 1.14.1 to 1.15.0, as recorded', () => {
  for (const env of ENVIRONMENTS) {
    it(`launches exactly the nodes lib/plan/drift.ts enumerates for ${env.name}, and 1.15.0 drifts none: it re-stamps every NodeClaim's EC2NodeClass hash (v5 to v6) and keeps the NodePool hashes (v3)`, () => {
      const recorded = readJson<UpgradeRecord>(`upgrade/${env.name}.json`);
      expect([recorded.from, recorded.to, recorded.region, recorded.zones]).toEqual([V1_14_1, V1_15_0, env.cluster.region, env.cluster.zones]);
      const render = driftRender(readUpgradeFixture(env.name), recorded.region, recorded.zones);
      expect(recorded.nodes).toEqual(nodesOf(render).map(nodeName).sort());
      expect(Object.keys(recorded.pools).sort()).toEqual([...render.pools.keys()].sort());
      expect(Object.keys(recorded.classes).sort()).toEqual([...render.classes.keys()].sort());
      expect(recorded.drifted).toEqual({});
      for (const [name, h] of Object.entries(recorded.pools)) expect([h.hash[1], h.version], name).toEqual([h.hash[0], ['v3', 'v3']]);
      for (const [name, h] of Object.entries(recorded.classes)) expect([h.hash[1] !== h.hash[0], h.version], name).toEqual([true, ['v5', 'v6']]);
      expect(recorded.restamped).toEqual(Object.fromEntries([...new Set(nodesOf(render).map((n) => n.pool))].sort().map((pool) => [pool, { [CLASS_RESTAMP]: 'all' }])));
    });
  }
});

const has115 = existsSync(join(ROOT, '.build', 'go', KARPENTER_115));
const build115 =
  'cd oracle/karpenter && GOTOOLCHAIN=go1.26.9 go build -mod=readonly -modfile=go.v1.15.0.mod -tags=karpenter_v1_15 -trimpath -o ../../.build/go/karpenter-v1.15.0 .';

describe.runIf(GO_TIER && !has115)(`Karpenter 1.15.0 itself (Go tier): .build/go/${KARPENTER_115} is missing`, () => {
  it.skip(`skipped until it is built: ${build115}`, () => {});
});

/** Runs `launch` with one release and `drift-existing` with another on what it wrote. */
function upgrade(from: string, to: string, env: (typeof ENVIRONMENTS)[number], dir: string, tamper?: (launched: any) => void): OracleUpgrade {
  const launched = runOracle<any>(from, ['launch', '--region', env.cluster.region, '--zones', env.cluster.zones.join(','), dir]);
  tamper?.(launched);
  return runOracle<OracleUpgrade>(to, ['drift-existing', '-'], JSON.stringify(launched));
}

describe.runIf(GO_TIER && has115)('Karpenter 1.15.0 itself (Go tier: oracle/karpenter built with go.v1.15.0.mod and the tag karpenter_v1_15)', () => {
  it('drift: judges the corpus as recorded, and differs from lib/plan/drift.ts exactly in the known cases', () => {
    const oracle = runOracle<OracleDrift>(KARPENTER_115, ['drift', '-'], oracleInput(corpus));
    expect(oracle.versions).toEqual(V1_15_0);
    const theirs = driftRecords(oracle);
    if (RECORD) writeJson(V115('drift-verdicts.json'), { seed: DRIFT_CORPUS_SEED, versions: oracle.versions, cases: theirs });
    const disagreeing = corpus.flatMap((c, i) => {
      const ours = new Map(modelled(c).map((n) => [nodeName(n), n.reason]));
      const karpenter = new Map(oracle.cases[i]!.nodes.map((n) => [nodeName(n), n.reason]));
      return [...new Set([...ours.keys(), ...karpenter.keys()])].some((k) => ours.get(k) !== karpenter.get(k)) ? [c.id] : [];
    });
    expect(disagreeing).toEqual(Object.keys(KNOWN_115_DRIFT_DISAGREEMENTS));
    expect(readJson<{ cases: DriftRecord[] }>(V115('drift-verdicts.json')).cases).toEqual(theirs);
  }, 300_000);

  for (const env of ENVIRONMENTS) {
    it(`schedules every pod of dist/${env.name} exactly as lib/plan/capacity.ts plans it, and its fixture as recorded`, () => {
      const args = ['schedule', '--region', env.cluster.region, '--zones', env.cluster.zones.join(',')];
      const live = runOracle<OracleSchedule>(KARPENTER_115, [...args, join(ROOT, 'dist', env.name)]);
      expect(live.versions).toEqual(V1_15_0);
      for (const at of ['idle', 'peak'] as const) expect([live[at].unschedulable, live[at].misplaced], at).toEqual([[], []]);
      const plan = capacityPlan(readDist(env.name));
      expect(planned(plan, 'idle')).toEqual(scheduled(live.idle));
      expect(planned(plan, 'peak')).toEqual(scheduled(live.peak));
      const fixture = runOracle<OracleSchedule>(KARPENTER_115, [...args, fixtureDir(env.name)]);
      if (RECORD) writeJson(V115(`schedule-${env.name}.json`), scheduleRecord(fixture));
      expect(readJson<ScheduleRecord>(V115(`schedule-${env.name}.json`))).toEqual(scheduleRecord(fixture));
    });
  }

  it(`schedule: agrees with lib/plan/capacity.ts on every NodeClaim of the ${SCHEDULE_CORPUS_SIZE} variations of prod, and the record is what it says`, () => {
    const input = JSON.stringify({ region: REGION, zones: ZONES, cases: schedules.map((c) => ({ id: c.id, objects: c.objects })) });
    const oracle = runOracle<{ versions: unknown; cases: { id: string; idle: OracleScenario; peak: OracleScenario }[] }>(KARPENTER_115, ['schedule-corpus', '-'], input);
    expect(oracle.versions).toEqual(V1_15_0);
    const theirs = schedules.map((c, i) => oracleCase(c, oracle.cases[i]!));
    if (RECORD) writeJson(V115('schedule-corpus-verdicts.json'), { seed: SCHEDULE_CORPUS_SEED, versions: oracle.versions, cases: theirs });
    expect(schedules.map(plannedCase)).toEqual(theirs);
    expect(readJson<{ cases: ScheduleCaseRecord[] }>(V115('schedule-corpus-verdicts.json')).cases).toEqual(theirs);
  }, 120_000);

  for (const env of ENVIRONMENTS) {
    it(`upgrade of ${env.name}: 1.14.1 launches, 1.14.1 itself drifts and re-stamps nothing, and 1.15.0 decides as recorded`, () => {
      if (RECORD) writeUpgradeFixture(env.name, readDist(env.name));
      const dir = upgradeFixtureDir(env.name);
      const control = upgrade('karpenter', 'karpenter', env, dir);
      expect([control.from, control.to]).toEqual([V1_14_1, V1_14_1]);
      expect(control.nodes.length).toBeGreaterThan(50);
      expect(control.nodes.filter((n) => n.reason !== '' || n.restamped.length > 0)).toEqual([]);
      for (const h of [...Object.values(control.pools), ...Object.values(control.classes)]) expect([h.hash[1], h.version[1]]).toEqual([h.hash[0], h.version[0]]);
      const upgraded = upgrade('karpenter', KARPENTER_115, env, dir);
      expect([upgraded.from, upgraded.to]).toEqual([V1_14_1, V1_15_0]);
      const record = upgradeRecord(upgraded, env.cluster.region, env.cluster.zones);
      if (RECORD) writeJson(`upgrade/${env.name}.json`, record);
      expect(readJson<UpgradeRecord>(`upgrade/${env.name}.json`)).toEqual(record);
    });
  }

  it('upgrade: a NodeClaim whose NodePool hash differs drifts at both releases (the NodePool hash version stays v3, so hashes are compared)', () => {
    const prod = ENVIRONMENTS.find((e) => e.name === 'prod')!;
    const tamper = (launched: any) => (launched.nodeClaims[0].metadata.annotations['karpenter.sh/nodepool-hash'] = '1');
    for (const to of ['karpenter', KARPENTER_115]) {
      const result = upgrade('karpenter', to, prod, upgradeFixtureDir('prod'), tamper);
      const [first, ...rest] = result.nodes;
      expect([first!.reason, ...new Set(rest.map((n) => n.reason))], to).toEqual(['NodePoolDrifted', '']);
    }
  });

  it("upgrade: a NodeClaim whose EC2NodeClass hash differs drifts at 1.14.1, but 1.15.0 re-stamps it instead (the hash version changed, v5 to v6), unless it had drifted already", () => {
    const prod = ENVIRONMENTS.find((e) => e.name === 'prod')!;
    const stale = (launched: any) => (launched.nodeClaims[0].metadata.annotations['karpenter.k8s.aws/ec2nodeclass-hash'] = '1');
    const at114 = upgrade('karpenter', 'karpenter', prod, upgradeFixtureDir('prod'), stale);
    expect([at114.nodes[0]!.reason, ...new Set(at114.nodes.slice(1).map((n) => n.reason))]).toEqual(['NodeClassDrift', '']);
    const at115 = upgrade('karpenter', KARPENTER_115, prod, upgradeFixtureDir('prod'), stale);
    expect(new Set(at115.nodes.map((n) => n.reason))).toEqual(new Set(['']));
    expect(at115.nodes[0]!.restamped).toEqual([HASH_KEYS[2], HASH_KEYS[3]]);
    const drifted = (launched: any) => {
      stale(launched);
      launched.nodeClaims[0].status.conditions.push({ type: 'Drifted', status: 'True', reason: 'NodeClassDrift', message: 'NodeClassDrift', lastTransitionTime: '2026-01-01T00:00:00Z' });
    };
    const already = upgrade('karpenter', KARPENTER_115, prod, upgradeFixtureDir('prod'), drifted);
    expect([already.nodes[0]!.reason, already.nodes[0]!.restamped]).toEqual(['NodeClassDrift', [HASH_KEYS[3]]]);
  });

  it('drift-existing refuses input that is not what launch writes, naming what it needs', () => {
    let message = '';
    try {
      execFileSync(oracleBinary(KARPENTER_115), ['drift-existing', '-'], { input: '{"region":"ap-northeast-2","zones":["ap-northeast-2a"],"nodePools":[]}', encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      message = String((error as { stderr?: string }).stderr);
    }
    expect(message).toContain('the launched cluster needs a region, zones and NodePools (the output of `karpenter launch`)');
  });
});

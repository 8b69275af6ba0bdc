import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../config/environments';
import { driftNodes, driftRender } from '../lib/plan/drift';
import { HASH_VERSIONS, kubeletText, nodeClassHashView } from '../lib/plan/karpenter-hash';
import { RELEASE_FACTS } from '../lib/plan/karpenter-releases';
import { upgradeDrift } from '../lib/plan/upgrade-drift';
import { GO_TIER, runOracle } from './oracle';
import { DRIFT_CORPUS_SEED, driftCorpus, oracleInput, REGION, ZONES } from './oracle/karpenter/drift-corpus';
import { KARPENTER_115, nodeName, readUpgradeFixture, UpgradeRecord, V1_14_1, V1_15_0, V115 } from './oracle/karpenter/upgrade';
import { DriftRecord, drifted, hashChanged, OracleDrift, readJson, RECORD, writeJson } from './oracle/karpenter/verdicts';

/**
 * Karpenter 1.15.0's hash and drift, and the upgrade from 1.14.1 (lib/plan/upgrade-drift.ts,
 * lib/plan/karpenter-hash.ts), held to the Karpenter oracle built at each release: its drift on the
 * seeded corpus at 1.15.0 (every case, the kubelet respellings 1.15.0 drifts included), what
 * 1.15.0 does to the nodes 1.14.1 launched for dev and prod, and each release's hash versions and
 * feature gates.
 */

const corpus = driftCorpus();

/** Our record of a case at 1.15.0, in the recorded verdicts' shape. */
function record115(c: (typeof corpus)[number]): DriftRecord {
  const [before, after] = [driftRender(c.before, REGION, ZONES, '1.15.0'), driftRender(c.after, REGION, ZONES, '1.15.0')];
  const changed = <T>(a: ReadonlyMap<string, T>, b: ReadonlyMap<string, T>, view: (o: T) => string) =>
    [...new Set([...a.keys(), ...b.keys()])].filter((name) => !a.has(name) || !b.has(name) || view(a.get(name)!) !== view(b.get(name)!)).sort();
  const nodes = driftNodes(before, after);
  return {
    id: c.id,
    change: c.change,
    nodes: nodes.length,
    // The NodePool hash is 1.14.1's: the drift corpus test of 1.14.1 checks its view.
    poolHashChanged: readJson<{ cases: DriftRecord[] }>(V115('drift-verdicts.json')).cases.find((r) => r.id === c.id)!.poolHashChanged,
    classHashChanged: changed(before.classes, after.classes, (o) => nodeClassHashView((o.spec ?? {}) as Record<string, unknown>, '1.15.0')),
    drifted: drifted(nodes),
  };
}

describe("drift at Karpenter 1.15.0: lib/plan/drift.ts against 1.15.0's recorded verdicts", () => {
  it('agrees on every node of every case, the kubelet respellings 1.15.0 drifts among them', () => {
    const recorded = readJson<{ seed: number; versions: unknown; cases: DriftRecord[] }>(V115('drift-verdicts.json'));
    expect([recorded.seed, recorded.versions]).toEqual([DRIFT_CORPUS_SEED, V1_15_0]);
    expect(corpus.map(record115)).toEqual(recorded.cases);
    // The cases 1.14.1 judges otherwise: 1.15.0 hashes the kubelet as its JSON text.
    const respelt = corpus.filter((c) => /default: evictionSoftGracePeriod 1m30s respelled 90s/.test(c.change));
    expect(respelt.length).toBeGreaterThan(0);
    for (const c of respelt) {
      expect(record115(c).drifted.default, c.id).toEqual({ NodeClassDrift: 'all' });
      expect(drifted(driftNodes(driftRender(c.before, REGION, ZONES), driftRender(c.after, REGION, ZONES))).default, c.id).toBeUndefined();
    }
  });

  it("hashes a kubelet as 1.15.0's KubeletConfiguration.String does: keys sorted, null when empty or absent", () => {
    expect(kubeletText(undefined)).toBe('null');
    expect(kubeletText({})).toBe('null');
    expect(kubeletText({ maxPods: 110, evictionSoft: { 'nodefs.available': '5%', 'memory.available': '10%' } })).toBe('{"evictionSoft":{"memory.available":"10%","nodefs.available":"5%"},"maxPods":110}');
    const spec = (kubelet?: object) => ({ amiSelectorTerms: [{ alias: 'al2023@v20260714' }], role: 'r', ...(kubelet ? { kubelet } : {}) });
    expect(nodeClassHashView(spec({}), '1.15.0')).toBe(nodeClassHashView(spec(), '1.15.0'));
    expect(nodeClassHashView(spec({ evictionSoftGracePeriod: { 'memory.available': '90s' } }), '1.15.0')).not.toBe(nodeClassHashView(spec({ evictionSoftGracePeriod: { 'memory.available': '1m30s' } }), '1.15.0'));
    expect(nodeClassHashView(spec({ evictionSoftGracePeriod: { 'memory.available': '90s' } }), '1.14.1')).toBe(nodeClassHashView(spec({ evictionSoftGracePeriod: { 'memory.available': '1m30s' } }), '1.14.1'));
  });
});

describe('the upgrade from 1.14.1 to 1.15.0: lib/plan/upgrade-drift.ts against the recorded launch and drift-existing', () => {
  for (const env of ENVIRONMENTS) {
    it(`re-stamps every NodeClaim of ${env.name} (EC2NodeClass hash v5 to v6), keeps the NodePool hashes (v3) and drifts no node, as Karpenter 1.15.0 does`, () => {
      const recorded = readJson<UpgradeRecord>(`upgrade/${env.name}.json`);
      expect([recorded.from, recorded.to]).toEqual([V1_14_1, V1_15_0]);
      const objects = readUpgradeFixture(env.name);
      const ours = upgradeDrift(objects, objects, '1.14.1', '1.15.0', recorded.region, recorded.zones);
      expect(ours.nodes.map(nodeName).sort()).toEqual(recorded.nodes);
      expect(drifted(ours.nodes)).toEqual(recorded.drifted);
      expect(drifted(ours.nodes.map((n) => ({ ...n, reason: n.restamped.join(',') })))).toEqual(recorded.restamped);
      expect(Object.fromEntries(Object.entries(ours.pools).map(([name, h]) => [name, [h.hashChanged, [...h.version]]]))).toEqual(Object.fromEntries(Object.entries(recorded.pools).map(([name, h]) => [name, [h.hash[0] !== h.hash[1], [...h.version]]])));
      expect(Object.fromEntries(Object.entries(ours.classes).map(([name, h]) => [name, [h.hashChanged, [...h.version]]]))).toEqual(Object.fromEntries(Object.entries(recorded.classes).map(([name, h]) => [name, [h.hash[0] !== h.hash[1], [...h.version]]])));
    });
  }

  it('drifts the nodes of a change applied after the upgrade as 1.15.0 judges it: a respelt kubelet drifts, where 1.14.1 would not', () => {
    const prod = ENVIRONMENTS.find((e) => e.name === 'prod')!;
    const before = readUpgradeFixture('prod');
    const after = structuredClone(before).map((o: any) => (o.kind === 'EC2NodeClass' && o.spec.kubelet?.evictionSoftGracePeriod ? { ...o, spec: { ...o.spec, kubelet: { ...o.spec.kubelet, evictionSoftGracePeriod: { ...o.spec.kubelet.evictionSoftGracePeriod, 'memory.available': '90s' } } } } : o));
    const respelt = after.find((o: any) => o.kind === 'EC2NodeClass' && o.spec.kubelet?.evictionSoftGracePeriod)!;
    const upgraded = upgradeDrift(before, after, '1.14.1', '1.15.0', prod.cluster.region, prod.cluster.zones);
    const onClass = (n: { pool: string }) => (before.find((o: any) => o.kind === 'NodePool' && o.metadata.name === n.pool) as any).spec.template.spec.nodeClassRef.name === respelt.metadata!.name;
    expect(new Set(upgraded.nodes.filter(onClass).map((n) => n.reason))).toEqual(new Set(['NodeClassDrift']));
    expect(new Set(upgraded.nodes.filter((n) => !onClass(n)).map((n) => n.reason))).toEqual(new Set(['']));
    const stayed = upgradeDrift(before, after, '1.14.1', '1.14.1', prod.cluster.region, prod.cluster.zones);
    expect(stayed.nodes.filter((n) => n.reason !== '' || n.restamped.length > 0)).toEqual([]);
  });
});

/** The oracle's `release` output (oracle/karpenter/release.go ReleaseFacts). */
interface OracleRelease {
  readonly versions: unknown;
  readonly hashVersions: { readonly nodePool: string; readonly ec2NodeClass: string };
  readonly featureGates: { readonly core: Record<string, boolean>; readonly aws: Record<string, boolean> };
}

const RELEASE_RECORDS = [
  ['1.14.1', 'karpenter', 'release-v1.14.1.json', V1_14_1],
  ['1.15.0', KARPENTER_115, V115('release.json'), V1_15_0],
] as const;

describe("each release's hash versions and feature gates, as recorded from its own code", () => {
  for (const [release, , file, versions] of RELEASE_RECORDS) {
    it(`${release}: lib/plan/karpenter-releases.ts says what the oracle recorded`, () => {
      const recorded = readJson<OracleRelease>(file);
      expect(recorded.versions).toEqual(versions);
      expect(RELEASE_FACTS[release]).toEqual({ hashVersions: recorded.hashVersions, featureGates: recorded.featureGates });
      expect(HASH_VERSIONS[release]).toEqual(recorded.hashVersions);
    });
  }
});

describe.runIf(GO_TIER)('Karpenter 1.15.0 and 1.14.1 themselves (Go tier: oracle/karpenter at each release)', () => {
  for (const [release, binary, file, versions] of RELEASE_RECORDS) {
    it(`${release}: the release's hash versions and gates at their defaults are what lib/plan/karpenter-releases.ts says, and the record is what the oracle says`, () => {
      const oracle = runOracle<OracleRelease>(binary, ['release']);
      expect(oracle.versions).toEqual(versions);
      if (RECORD) writeJson(file, oracle);
      expect(RELEASE_FACTS[release]).toEqual({ hashVersions: oracle.hashVersions, featureGates: oracle.featureGates });
      expect(readJson<OracleRelease>(file)).toEqual(oracle);
    });
  }

  it('drift at 1.15.0: agrees with lib/plan/drift.ts at 1.15.0 on every node of every case of the corpus', () => {
    const oracle = runOracle<OracleDrift>(KARPENTER_115, ['drift', '-'], oracleInput(corpus));
    expect(oracle.versions).toEqual(V1_15_0);
    const disagreements = corpus.flatMap((c, i) => {
      const ours = new Map(driftNodes(driftRender(c.before, REGION, ZONES, '1.15.0'), driftRender(c.after, REGION, ZONES, '1.15.0')).map((n) => [nodeName(n), n.reason]));
      const karpenter = new Map(oracle.cases[i]!.nodes.map((n) => [nodeName(n), n.reason]));
      return [...new Set([...ours.keys(), ...karpenter.keys()])].filter((k) => ours.get(k) !== karpenter.get(k)).map((k) => `${c.id} (${c.change}) ${k}: ours ${ours.get(k) ?? 'no such node'}, Karpenter's ${karpenter.get(k) ?? 'no such node'}`);
    });
    expect(disagreements).toEqual([]);
    expect(oracle.cases.map((c) => hashChanged(c.classHashes))).toEqual(corpus.map((c) => record115(c).classHashChanged));
  }, 300_000);
});

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { kubeletFields, kubeletVerdict } from '../packages/karpenter-validate/src/validation/kubelet';
import { GO_TIER, oracleBinary, runOracle } from './oracle';
import { KARPENTER_115, V1_15_0, V115 } from './oracle/karpenter/upgrade';
import { KUBELET_CORPUS_SEED, KUBELET_CORPUS_SIZE, KubeletCase, kubeletCorpus } from './oracle/karpenter/kubelet-corpus';
import { readJson, RECORD, writeJson } from './oracle/karpenter/verdicts';
import { changed, findings, lines, pick } from './validation-helpers';

/**
 * From Karpenter 1.15.0 the EC2NodeClass CRD no longer types the kubelet: the provider's nodeclass
 * validation controller judges it (ValidationSucceeded=False), and the validator's kubelet-config
 * rule (packages/karpenter-validate/src/validation/kubelet.ts) judges it as that controller does.
 * Held here to the controller's own code (the oracle's `kubelet` command, built with 1.15.0) on a
 * seeded corpus; the verdicts are recorded in test/oracle/karpenter/v1.15.0/kubelet-verdicts.json.
 */

interface Verdict {
  readonly id: string;
  readonly reason: string;
  readonly message: string;
}

const corpus = kubeletCorpus();
const ours = (c: KubeletCase): Verdict => ({ id: c.id, ...(kubeletVerdict(c.spec as Record<string, unknown>, '1.15.0') ?? { reason: '', message: '' }) });

describe('the kubelet corpus', () => {
  it(`has ${KUBELET_CORPUS_SIZE} seeded cases (seed ${KUBELET_CORPUS_SEED}) reaching every verdict the controller gives`, () => {
    expect(corpus).toHaveLength(KUBELET_CORPUS_SIZE);
    const reasons = new Set(corpus.map((c) => ours(c).reason));
    expect([...reasons].sort()).toEqual(['', 'InvalidKubeletConfiguration', 'KubeletExpressionsDisabled', 'UnsupportedKubeletConfiguration']);
    // Both halves of the upstream decode: unknown fields, and the first type error alone.
    const messages = corpus.map((c) => ours(c).message).join('\n');
    for (const part of ['unknown field', 'json: cannot unmarshal', 'time: ', "isn't a valid eviction signal", 'has no matching', 'must be a percentage or a resource quantity', "can't be set"]) expect(messages, part).toContain(part);
  });
});

describe("kubelet-config against Karpenter 1.15.0's recorded verdicts", () => {
  it('agrees with every recorded verdict: the reason and the message, word for word', () => {
    const recorded = readJson<{ seed: number; versions: unknown; cases: Verdict[] }>(V115('kubelet-verdicts.json'));
    expect([recorded.seed, recorded.versions]).toEqual([KUBELET_CORPUS_SEED, V1_15_0]);
    expect(corpus.map(ours)).toEqual(recorded.cases);
  });

  it('has nothing to judge at 1.14.1, whose API server checks the kubelet (rules schema and cel)', () => {
    expect(kubeletFields('1.14.1')).toBeNull();
    expect(kubeletVerdict({ kubelet: { maxPods: -1 } }, '1.14.1')).toBeUndefined();
    expect(kubeletFields('1.15.0')?.maxPods).toEqual({ go: 'int32', kind: 'int32' });
    expect(kubeletFields('1.15.0')?.evictionHard).toEqual({ go: 'map[string]string', kind: 'map', elem: { go: 'string', kind: 'string' } });
  });
});

describe('checks that leave admission at 1.15.0 stay in the validator', () => {
  // Each of 1.14.1's kubelet CEL rules (karpenter.k8s.aws_ec2nodeclasses.yaml at v1.14.1), broken.
  const broken: readonly [string, (kubelet: any) => void, string, string][] = [
    ['evictionHard key', (k) => (k.evictionHard = { 'memory.Available': '5%' }), "valid keys for evictionHard are ['memory.available'", 'spec.kubelet.evictionHard: "memory.Available" isn\'t a valid eviction signal'],
    ['evictionSoft without a grace period', (k) => (k.evictionSoft = { 'memory.available': '10%' }), 'evictionSoft OwnerKey does not have a matching evictionSoftGracePeriod', 'spec.kubelet.evictionSoft[memory.available]: has no matching evictionSoftGracePeriod'],
    ['a grace period without evictionSoft', (k) => ((k.evictionSoft = { 'memory.available': '10%' }), (k.evictionSoftGracePeriod = { 'memory.available': '1m', 'nodefs.available': '1m' })), 'evictionSoftGracePeriod OwnerKey does not have a matching evictionSoft', 'spec.kubelet.evictionSoftGracePeriod[nodefs.available]: has no matching evictionSoft'],
    ['kubeReserved key', (k) => (k.kubeReserved = { gpu: '1' }), "valid keys for kubeReserved are ['cpu','memory','ephemeral-storage','pid']", 'spec.kubelet.kubeReserved: "gpu" isn\'t a reservable resource'],
    ['negative systemReserved', (k) => (k.systemReserved = { memory: '-1Gi' }), 'systemReserved value cannot be a negative resource quantity', 'spec.kubelet.systemReserved[memory]: "-1Gi" can\'t be a negative resource quantity'],
    ['image GC thresholds inverted', (k) => ((k.imageGCHighThresholdPercent = 50), (k.imageGCLowThresholdPercent = 80)), 'imageGCHighThresholdPercent must be greater than imageGCLowThresholdPercent', 'spec.kubelet: imageGCHighThresholdPercent (50) must be greater than imageGCLowThresholdPercent (80)'],
  ];
  for (const [what, breakIt, at114, at115] of broken) {
    it(`refuses ${what}: by the CRD's CEL rule at 1.14.1, by kubelet-config at 1.15.0`, () => {
      const set = changed((s) => breakIt((pick(s, 'EC2NodeClass').spec.kubelet ??= {})));
      const old = lines(findings(set, { complete: true, karpenterVersion: '1.14.1' }));
      expect(old.filter((l) => l.startsWith('cel ')).join('\n')).toContain(at114);
      expect(old.filter((l) => l.startsWith('kubelet-config '))).toEqual([]);
      const now = lines(findings(set, { complete: true, karpenterVersion: '1.15.0' }));
      expect(now.filter((l) => l.startsWith('cel '))).toEqual([]);
      const rule = now.filter((l) => l.startsWith('kubelet-config '));
      expect(rule).toHaveLength(1);
      expect(rule[0]).toContain('kubelet-config EC2NodeClass/');
      expect(rule[0]).toContain('spec.kubelet: Karpenter 1.15.0 refuses this kubelet (the API server no longer checks it: the EC2NodeClass gets ValidationSucceeded=False, reason InvalidKubeletConfiguration');
      expect(rule[0]).toContain(at115);
    });
  }

  it('refuses at 1.15.0 what 1.14.1 pruned: a misspelt field the API server now keeps', () => {
    const set = changed((s) => ((pick(s, 'EC2NodeClass').spec.kubelet ??= {}).maxpods = 110));
    expect(lines(findings(set, { complete: true, karpenterVersion: '1.14.1' }), 'unknown-field').join('\n')).toContain('unknown field "spec.kubelet.maxpods"');
    expect(lines(findings(set, { complete: true, karpenterVersion: '1.15.0' }), 'kubelet-config').join('\n')).toContain('spec.kubelet: unknown field "maxpods"');
  });

  it('accepts at 1.15.0 the upstream kubelet fields 1.14.1 did not type, on AL2023', () => {
    const set = changed((s) => Object.assign((pick(s, 'EC2NodeClass').spec.kubelet ??= {}), { containerLogMaxSize: '50Mi', shutdownGracePeriod: '30s' }));
    expect(lines(findings(set, { complete: true, karpenterVersion: '1.15.0' }), 'kubelet-config')).toEqual([]);
    expect(lines(findings(set, { complete: true, karpenterVersion: '1.14.1' }), 'unknown-field')).toHaveLength(2);
  });
});

describe.runIf(GO_TIER)('Karpenter 1.15.0 itself (Go tier: its nodeclass validation on the kubelet corpus)', () => {
  it('agrees with kubelet-config on every case, and the record is what it says', () => {
    const oracle = runOracle<{ versions: unknown; cases: Verdict[] }>(KARPENTER_115, ['kubelet', '-'], JSON.stringify({ cases: corpus.map((c) => ({ id: c.id, spec: c.spec })) }));
    expect(oracle.versions).toEqual(V1_15_0);
    if (RECORD) writeJson(V115('kubelet-verdicts.json'), { seed: KUBELET_CORPUS_SEED, versions: oracle.versions, cases: oracle.cases });
    const disagreements = corpus.flatMap((c, i) => {
      const [a, b] = [ours(c), oracle.cases[i]!];
      return a.reason === b.reason && a.message === b.message ? [] : [`${c.id} (${c.change}): ours ${a.reason} "${a.message}", Karpenter's ${b.reason} "${b.message}"`];
    });
    expect(disagreements).toEqual([]);
    expect(readJson<{ cases: Verdict[] }>(V115('kubelet-verdicts.json')).cases).toEqual(oracle.cases);
  });

  it('1.14.1 has no kubelet validation to run, and says why', () => {
    let message = '';
    try {
      execFileSync(oracleBinary('karpenter'), ['kubelet', '-'], { input: '{"cases":[]}', encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      message = String((error as { stderr?: string }).stderr);
    }
    expect(message).toContain('karpenter 1.14.1 has no kubelet validation of its own: its EC2NodeClass CRD types the kubelet and the API server checks it');
  });
});

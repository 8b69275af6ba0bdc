import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GO_TIER, ROOT, runOracle } from './oracle';
import { NETPOL_SEED, netpolCorpus, NetpolCase } from './oracle/netpol/corpus';
import { cyclonusMatch, differences, ourPolicyTypes, ourSelectors, ourVerdicts, portSetDisagreements, sortedTypes } from './oracle/netpol/verdicts';

/**
 * The upstream NetworkPolicy engine decides (oracle/netpol: mattfenwick/cyclonus v0.5.6
 * pkg/matcher, the engine of the network-policy-api's policy assistant, on policies defaulted
 * by k8s.io/kubernetes v1.35.4), and Kubernetes' own label selectors (k8s.io/apimachinery
 * v0.35.4) decide what a selector matches: packages/karpenter-validate/src/network/engine.ts must agree with both on every
 * connection of the seeded corpus (test/oracle/netpol/corpus.ts, seed NETPOL_SEED).
 *
 * The one disagreement found: cyclonus reads `NotIn` on a missing label as no match (its
 * pkg/kube/labelselector.go says so on purpose), Kubernetes as a match (apimachinery's
 * Requirement.Matches; the labels concept page: "all resources with no labels with the tier
 * key"), and the VPC CNI's controller selects pods with apimachinery. The engine follows
 * Kubernetes; against cyclonus it is compared with cyclonus's reading plugged in
 * (cyclonusMatch), and its own reading is held to apimachinery's verdicts on every selector of
 * the corpus. Both verdicts are recorded in test/oracle/netpol/verdicts.json, so that the
 * engine is held to them without Go; with Go, the record must be what the oracle says now
 * (KARPENTER_AS_CODE_RECORD=1 rewrites it).
 */
const RECORDED = join(ROOT, 'test', 'oracle', 'netpol', 'verdicts.json');

interface CaseVerdict {
  readonly name: string;
  readonly policyTypes: readonly (readonly string[])[];
  /** cyclonus: a digit per connection, bit 0 ingress allowed, bit 1 egress allowed. */
  readonly verdicts: string;
  /** apimachinery: a digit per (selector, label set), 1 for a match. */
  readonly selectors: string;
}

interface Recorded {
  readonly cyclonus: string;
  readonly seed: number;
  /** A hash of the corpus: the verdicts hold for these cases only. */
  readonly corpus: string;
  readonly cases: readonly CaseVerdict[];
}

const corpusHash = (corpus: readonly NetpolCase[]): string => createHash('sha256').update(JSON.stringify(corpus)).digest('hex').slice(0, 16);
const recorded = (): Recorded => JSON.parse(readFileSync(RECORDED, 'utf8')) as Recorded;
/** One case per line: a change of the engine's upstream or of the corpus reads as a diff of the cases it touches. */
const format = (r: Recorded): string => `{"cyclonus": ${JSON.stringify(r.cyclonus)}, "seed": ${r.seed}, "corpus": ${JSON.stringify(r.corpus)}, "cases": [\n${r.cases.map((c) => JSON.stringify(c)).join(',\n')}\n]}\n`;

/** Every verdict of ours that differs from the record: cyclonus's with its selector reading, apimachinery's for selectors, the API server's policy types. */
function disagreements(corpus: readonly NetpolCase[], verdicts: readonly CaseVerdict[]): string[] {
  return corpus.flatMap((c, i) => {
    const v = verdicts[i]!;
    return [
      ...differences(c.name, v.verdicts, ourVerdicts(c, cyclonusMatch)),
      ...differences(`${c.name} selectors`, v.selectors, ourSelectors(c)),
      ...(JSON.stringify(sortedTypes(v.policyTypes)) === JSON.stringify(sortedTypes(ourPolicyTypes(c))) ? [] : [`${c.name}: policyTypes ${JSON.stringify(v.policyTypes)}, ours ${JSON.stringify(ourPolicyTypes(c))}`]),
    ];
  });
}

function agreement(verdicts: readonly CaseVerdict[]): string {
  const connections = verdicts.reduce((n, v) => n + v.verdicts.length, 0);
  const selectors = verdicts.reduce((n, v) => n + v.selectors.length, 0);
  const denied = verdicts.reduce((n, v) => n + [...v.verdicts].filter((d) => d !== '3').length, 0);
  return `${verdicts.length} cases, ${connections} connections (${denied} denied on one side or both), ${selectors} selector matches`;
}

describe.runIf(GO_TIER)("The upstream NetworkPolicy engine decides (oracle/netpol: cyclonus v0.5.6, apimachinery's selectors)", () => {
  const corpus = netpolCorpus();
  const output = runOracle<{ cyclonus: string; cases: CaseVerdict[] }>('netpol', [], JSON.stringify({ cases: corpus }));

  it('records what the oracle says of every case of the corpus', () => {
    const now: Recorded = { cyclonus: output.cyclonus, seed: NETPOL_SEED, corpus: corpusHash(corpus), cases: output.cases };
    if (process.env.KARPENTER_AS_CODE_RECORD === '1' || !existsSync(RECORDED)) writeFileSync(RECORDED, format(now));
    expect(recorded()).toEqual(now);
  });

  it('agrees with our engine on every connection, selector and policy type (100%)', () => {
    const found = disagreements(corpus, output.cases);
    expect(found, `${found.length} disagreement(s)`).toEqual([]);
    console.info(`NetworkPolicy oracle: agreement 100% on ${agreement(output.cases)}`);
  });
});

describe('The recorded NetworkPolicy verdicts (test/oracle/netpol/verdicts.json), without Go', () => {
  const corpus = netpolCorpus();

  it('are those of the corpus the seed generates now', () => {
    const { seed, corpus: hash, cases } = recorded();
    expect(seed).toBe(NETPOL_SEED);
    expect(hash, 'test/oracle/netpol/corpus.ts changed: record the verdicts again (KARPENTER_AS_CODE_RECORD=1 with Go)').toBe(corpusHash(corpus));
    expect(cases.map((c) => c.name)).toEqual(corpus.map((c) => c.name));
  });

  it('hold our engine to cyclonus and apimachinery on every case (100%)', () => {
    const found = disagreements(corpus, recorded().cases);
    expect(found, `${found.length} disagreement(s)`).toEqual([]);
  });

  it("differ from Kubernetes' own reading only where a NotIn meets a missing label", () => {
    // With Kubernetes' reading of NotIn, the engine departs from cyclonus; every such case holds a NotIn.
    const { cases } = recorded();
    const departing = corpus.filter((c, i) => ourVerdicts(c) !== cases[i]!.verdicts);
    expect(departing.length).toBeGreaterThan(0);
    for (const c of departing) expect(JSON.stringify(c.policies), c.name).toContain('"NotIn"');
  });

  it('decides every port at once (allowedPorts) as it decides each connection (verdict)', () => {
    expect(corpus.flatMap(portSetDisagreements)).toEqual([]);
  });
});

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubernetesRelease } from '../packages/karpenter-validate/src/validation/openapi';
import { Case, caseHash, exampleCases, fixtureCases, setupObjects } from './differential/corpus';
import { mutantCases } from './differential/mutants';
import { CaseOutcome, disagreement, ourOutcome, serverOutcomes } from './differential/verdicts';
import { yamlCases } from './differential/yaml-cases';
import { GO_TIER, oracleBinary, ROOT } from './oracle';

/**
 * The validator (`validate --admission-only`) held to the real API server: each case is read by
 * kubectl's own reader and applied (server-side apply, dry run) by kube-apiserver v1.35.4 with the
 * pinned CRDs (oracle/controlplane), and the pod each template makes is created (dry run) under
 * Pod Security admission; our reader and validator must say the same: readable or not, each
 * object accepted or refused (naming the fields the API server names), each pod admitted,
 * warned or refused. The API server's verdicts are recorded (test/oracle/controlplane/verdicts.json)
 * so that the tests without Go hold the validator to them too; the Go tier checks the record is
 * what the API server says now (KARPENTER_AS_CODE_RECORD=1 rewrites it).
 */
const SEED = 20261207;
const MUTANTS = 4000;
const RECORD_FILE = join(ROOT, 'test', 'oracle', 'controlplane', 'verdicts.json');

interface Recorded {
  readonly kubernetes: string;
  readonly seed: number;
  readonly cases: Readonly<Record<string, { readonly hash: string; readonly outcome: CaseOutcome }>>;
}

const CASES: readonly Case[] = [...fixtureCases(), ...yamlCases(), ...mutantCases(SEED, MUTANTS)];
const SETUP = setupObjects();
const recorded: Recorded | undefined = existsSync(RECORD_FILE) ? (JSON.parse(readFileSync(RECORD_FILE, 'utf8')) as Recorded) : undefined;

/** Agreement per corpus, as README reports it. */
function figures(results: readonly { c: Case; why: string | undefined }[]): string {
  const by = new Map<string, { agree: number; total: number }>();
  for (const { c, why } of results) {
    const f = by.get(c.corpus) ?? { agree: 0, total: 0 };
    f.total++;
    if (why === undefined) f.agree++;
    by.set(c.corpus, f);
  }
  return [...by].map(([corpus, f]) => `${corpus}: ${f.agree}/${f.total} (${((100 * f.agree) / f.total).toFixed(1)}%)`).join('; ');
}

function compareAll(cases: readonly Case[], theirs: (c: Case) => CaseOutcome | undefined): { c: Case; why: string | undefined }[] {
  return cases.map((c) => {
    const server = theirs(c);
    if (!server) return { c, why: 'no verdict of the API server recorded' };
    let ours: CaseOutcome;
    try {
      ours = ourOutcome(c, SETUP);
    } catch (error) {
      return { c, why: `ours threw: ${(error as Error).message}` };
    }
    return { c, why: disagreement(ours, server) };
  });
}

describe('the validator against the API server, on its recorded verdicts', () => {
  it(`has ${MUTANTS} seeded mutants (seed ${SEED}) and the fixture, YAML and example corpora`, () => {
    expect(CASES.filter((c) => c.corpus === 'mutants')).toHaveLength(MUTANTS);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
  });

  it('has a verdict of the API server recorded for every case, of the same content', () => {
    expect(recorded?.kubernetes).toBe(kubernetesRelease());
    const stale = CASES.filter((c) => recorded?.cases[c.id]?.hash !== caseHash(c)).map((c) => c.id);
    expect(stale.slice(0, 10), `${stale.length} cases without a current recorded verdict: record them (KARPENTER_AS_CODE_RECORD=1 npm test, with Go)`).toEqual([]);
  });

  it('agrees with every recorded verdict: read, accepted or refused (and where), pod admitted, warned or refused', () => {
    const results = compareAll(CASES, (c) => (recorded?.cases[c.id]?.hash === caseHash(c) ? recorded.cases[c.id]!.outcome : undefined));
    const disagreements = results.filter((r) => r.why !== undefined);
    console.log(`validator vs API server (recorded): ${figures(results)}`);
    expect(disagreements.slice(0, 20).map(({ c, why }) => `${c.id} [${c.note}]: ${why}`), `${disagreements.length} disagreements`).toEqual([]);
  });
});

describe.runIf(GO_TIER)('the validator against the API server, live (Go tier)', () => {
  it('the recorded verdicts are what kube-apiserver answers now', { timeout: 900_000 }, async () => {
    const { pinnedCrdFiles } = await import('../scripts/pinned-crds.mjs');
    const live = serverOutcomes(oracleBinary('controlplane'), pinnedCrdFiles(), SETUP, CASES);
    if (process.env.KARPENTER_AS_CODE_RECORD === '1') {
      // One line per case: a re-recording shows as the cases whose verdict changed.
      const lines = CASES.map((c) => `  ${JSON.stringify(c.id)}: ${JSON.stringify({ hash: caseHash(c), note: c.note, outcome: live.get(c.id)! })}`);
      writeFileSync(RECORD_FILE, `{\n "kubernetes": ${JSON.stringify(kubernetesRelease())},\n "seed": ${SEED},\n "cases": {\n${lines.join(',\n')}\n }\n}\n`);
    }
    const changed = CASES.filter((c) => JSON.stringify(recorded?.cases[c.id]?.outcome) !== JSON.stringify(live.get(c.id))).map((c) => c.id);
    expect(changed.slice(0, 10), `${changed.length} recorded verdicts differ from the API server's: record them again (KARPENTER_AS_CODE_RECORD=1)`).toEqual([]);
  });

  it("agrees with the API server on Karpenter v1.14.1's own example manifests", { timeout: 300_000 }, async () => {
    const { pinnedCrdFiles, moduleDir } = await import('../scripts/pinned-crds.mjs');
    const examples = exampleCases(moduleDir('github.com/aws/karpenter-provider-aws', 'v1.14.1'));
    expect(examples.length).toBeGreaterThan(5);
    const live = serverOutcomes(oracleBinary('controlplane'), pinnedCrdFiles(), SETUP, examples);
    const results = compareAll(examples, (c) => live.get(c.id));
    console.log(`validator vs API server (Karpenter's examples): ${figures(results)}`);
    const disagreements = results.filter((r) => r.why !== undefined);
    expect(disagreements.map(({ c, why }) => `${c.id}: ${why}`)).toEqual([]);
  });
});

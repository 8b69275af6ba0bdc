import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPOSITION } from '../compose';
import { validate } from '../packages/karpenter-validate/src/validation';
import { EXAMPLES, manifests } from './helpers';
import { GO_TIER, ROOT, runOracle } from './oracle';
import { caseObjects, KEDA_SEED, kedaBase, kedaCorpus, KedaCase } from './oracle/keda/corpus';
import { Classes, comparable, kedaClasses, KedaObjectVerdict, ourClasses } from './oracle/keda/verdicts';

/**
 * KEDA v2.20.2's own admission webhook and scaler builders (oracle/keda) decide; the keda-admission
 * and keda-trigger rules (packages/karpenter-validate/src/validation/keda.ts, keda-typed.ts, keda-formula.ts) must agree with
 * them on every case of the seeded corpus (test/oracle/keda/corpus.ts, seed KEDA_SEED). What KEDA
 * said is recorded in test/oracle/keda/verdicts.json, so that the emulation is held to it without
 * Go too; with Go, the record must be what KEDA says now (KARPENTER_AS_CODE_RECORD=1 rewrites it).
 */
const RECORDED = join(ROOT, 'test', 'oracle', 'keda', 'verdicts.json');

interface Recorded {
  readonly keda: string;
  readonly seed: number;
  /** A hash of the objects every case starts from (kedaBase): the verdicts hold for those only. */
  readonly base: string;
  readonly cases: readonly (KedaCase & { readonly verdict: readonly KedaObjectVerdict[] })[];
}

const baseHash = (): string => createHash('sha256').update(JSON.stringify(kedaBase())).digest('hex').slice(0, 16);

const recorded = (): Recorded => JSON.parse(readFileSync(RECORDED, 'utf8')) as Recorded;

/** One case per line, so that a change of KEDA or of the corpus reads as a diff of the cases it touches. */
const format = (r: Recorded): string => `{"keda": ${JSON.stringify(r.keda)}, "seed": ${r.seed}, "base": ${JSON.stringify(r.base)}, "cases": [\n${r.cases.map((c) => JSON.stringify(c)).join(',\n')}\n]}\n`;

// Our verdict on a case depends on the case alone: the Go tier and the recorded verdicts share it.
const ourVerdicts = new Map<string, Classes[]>();
function oursOf(c: KedaCase & { readonly verdict: readonly KedaObjectVerdict[] }): Classes[] {
  const key = JSON.stringify([c.objects, c.verdict.map((v) => [v.kind, v.name, v.webhook !== undefined, v.triggers?.map((t) => t.index)])]);
  if (!ourVerdicts.has(key)) ourVerdicts.set(key, ourClasses(caseObjects(c), c.verdict));
  return ourVerdicts.get(key)!;
}

/** Every case where our classes differ from KEDA's, with both. */
function disagreements(cases: readonly (KedaCase & { readonly verdict: readonly KedaObjectVerdict[] })[]): { name: string; keda: Classes[]; ours: Classes[] }[] {
  return cases.flatMap((c) => {
    const { keda, ours } = comparable(kedaClasses(c.verdict), oursOf(c));
    return JSON.stringify(keda) === JSON.stringify(ours) ? [] : [{ name: c.name, keda, ours }];
  });
}

function agreement(cases: readonly (KedaCase & { readonly verdict: readonly KedaObjectVerdict[] })[]): string {
  const objects = cases.flatMap((c) => c.verdict);
  const triggers = objects.flatMap((o) => o.triggers ?? []);
  const refused = triggers.filter((t) => t.error).length;
  return `${cases.length} cases, ${objects.length} KEDA objects (${objects.filter((o) => o.webhook && !o.webhook.allowed).length} refused by the webhook), ${triggers.length} triggers (${refused} refused by their scaler)`;
}

describe.runIf(GO_TIER)("KEDA's own webhook and scaler builders decide (oracle/keda, KEDA 2.20.2)", () => {
  const corpus = kedaCorpus();
  const output = runOracle<{ keda: string; cases: { name: string; objects: KedaObjectVerdict[] }[] }>('keda', [], JSON.stringify({ cases: corpus.map((c) => ({ name: c.name, objects: caseObjects(c) })) }));
  // The record keeps the verdicts on each case's own objects (the base's TriggerAuthentications are judged in every case alike).
  const own = (c: KedaCase, verdict: readonly KedaObjectVerdict[]) => verdict.filter((v) => c.objects.some((o) => o.kind === v.kind && o.metadata?.name === v.name));
  const judged = corpus.map((c, i) => ({ ...c, verdict: own(c, output.cases[i]!.objects) }));

  it('records what KEDA says of every case of the corpus', () => {
    const now: Recorded = { keda: output.keda, seed: KEDA_SEED, base: baseHash(), cases: judged };
    if (process.env.KARPENTER_AS_CODE_RECORD === '1' || !existsSync(RECORDED)) writeFileSync(RECORDED, format(now));
    expect(recorded()).toEqual(now);
  });

  it('agrees with our emulation on every case (100%)', () => {
    const found = disagreements(judged);
    expect(found, `${found.length} disagreement(s) of ${judged.length} cases`).toEqual([]);
    console.info(`KEDA oracle: agreement 100% on ${agreement(judged)}`);
  });

  it.each(EXAMPLES)('accepts every KEDA object $name emits, and builds every trigger (its Secrets faked)', (env) => {
    const objects = manifests(env);
    // The Secrets the objects read are prerequisites outside the set: fakes with every key they name.
    const fakes = new Map<string, { namespace: string; name: string; keys: Set<string> }>();
    const visit = (value: unknown, namespace: string): void => {
      if (Array.isArray(value)) return value.forEach((v) => visit(v, namespace));
      if (value === null || typeof value !== 'object') return;
      for (const [key, v] of Object.entries(value)) {
        const refs = key === 'secretKeyRef' ? [v] : key === 'secretTargetRef' && Array.isArray(v) ? v : [];
        for (const ref of refs as { name?: string; key?: string }[]) {
          if (!ref?.name || !ref.key || objects.some((o) => o.kind === 'Secret' && o.metadata.namespace === namespace && o.metadata.name === ref.name)) continue;
          const id = `${namespace}/${ref.name}`;
          if (!fakes.has(id)) fakes.set(id, { namespace, name: ref.name, keys: new Set() });
          fakes.get(id)!.keys.add(ref.key);
        }
        visit(v, namespace);
      }
    };
    for (const o of objects) visit(o, o.metadata.namespace ?? 'default');
    const prerequisites = new Set(COMPOSITION.build(env).prerequisites.filter((p) => p.kind === 'Secret').map((p) => p.name));
    expect([...fakes.values()].every((f) => prerequisites.has(f.name)), 'every Secret faked is a declared prerequisite').toBe(true);
    const secrets = [...fakes.values()].map((f) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: f.name, namespace: f.namespace }, stringData: Object.fromEntries([...f.keys].map((k) => [k, 'fake'])) }));
    const cluster = [...objects, ...secrets];
    const verdict = runOracle<{ cases: { objects: KedaObjectVerdict[] }[] }>('keda', [], JSON.stringify({ cases: [{ name: env.name, objects: cluster }] })).cases[0]!.objects;
    expect(verdict.length).toBeGreaterThan(0);
    for (const v of verdict) {
      expect(v.webhook, `${v.kind}/${v.name}`).toMatchObject({ allowed: true });
      expect(v.webhook?.warnings ?? [], `${v.kind}/${v.name}`).toEqual([]);
      for (const t of v.triggers ?? []) expect(t, `${v.kind}/${v.name} trigger ${t.index}`).toEqual({ index: t.index, type: t.type, connects: true });
    }
    const ours = validate(cluster.map((object) => ({ object })), { complete: false }).findings.filter((f) => /^keda-/.test(f.rule));
    expect(ours).toEqual([]);
  });
});

describe("KEDA's recorded verdicts (test/oracle/keda/verdicts.json), without Go", () => {
  it('are those of the corpus the seed generates now, on the same base objects', () => {
    const { seed, cases, base } = recorded();
    expect(seed).toBe(KEDA_SEED);
    expect(base, 'test/fixtures/valid or the base of test/oracle/keda/corpus.ts changed: record KEDA\'s verdicts again (KARPENTER_AS_CODE_RECORD=1 with Go)').toBe(baseHash());
    expect(cases.map(({ name, objects }) => ({ name, objects }))).toEqual(kedaCorpus().map(({ name, objects }) => ({ name, objects: JSON.parse(JSON.stringify(objects)) })));
  });

  it('hold our emulation to KEDA on every case (100%)', () => {
    const { cases } = recorded();
    const found = disagreements(cases);
    expect(found, `${found.length} disagreement(s) of ${cases.length} cases`).toEqual([]);
  });
});

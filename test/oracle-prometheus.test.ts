import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../packages/karpenter-validate/src/validation';
import { at, EXAMPLES, manifests } from './helpers';
import { GO_TIER, ROOT, runOracle } from './oracle';
import { PROMETHEUS_SEED, queryCorpus, ruleCorpus } from './oracle/prometheus/corpus';
import { disagreements, Recorded } from './oracle/prometheus/verdicts';

/**
 * Prometheus' own parsers decide (oracle/prometheus: promql/parser and model/rulefmt of Prometheus
 * v3.13.1, the release prometheus-operator v0.93.0 runs by default): every rule group and dashboard
 * query we emit parses, and on the seeded corpus of typos (test/oracle/prometheus/corpus.ts, seed
 * PROMETHEUS_SEED) the promql rule refuses exactly what Prometheus refuses. Prometheus' verdicts
 * are recorded in test/oracle/prometheus/verdicts.json, so the rule is held to them without Go
 * too; with Go, the record must be what Prometheus says now (KARPENTER_AS_CODE_RECORD=1 rewrites it).
 */
const RECORDED = join(ROOT, 'test', 'oracle', 'prometheus', 'verdicts.json');

const recorded = (): Recorded => JSON.parse(readFileSync(RECORDED, 'utf8')) as Recorded;

/** One query or rule case per line, so that a change reads as a diff of the cases it touches. */
const format = (r: Recorded): string =>
  `{"prometheus": ${JSON.stringify(r.prometheus)}, "seed": ${r.seed},\n"queries": [\n${r.queries.map((q) => JSON.stringify(q)).join(',\n')}\n],\n"rules": [\n${r.rules.map((q) => JSON.stringify(q)).join(',\n')}\n]}\n`;

interface Output {
  readonly prometheus: string;
  readonly queries: readonly { readonly error: string }[];
  readonly ruleSpecs: readonly { readonly errors: readonly string[] }[];
}

describe.runIf(GO_TIER)("Prometheus' own parsers decide (oracle/prometheus, Prometheus 3.13.1)", () => {
  const queries = queryCorpus();
  const rules = ruleCorpus();
  const output = runOracle<Output>('prometheus', [], JSON.stringify({ queries: queries.map((q) => q.query), ruleSpecs: rules.map((r) => r.spec) }));
  const now: Recorded = {
    prometheus: output.prometheus,
    seed: PROMETHEUS_SEED,
    queries: queries.map((q, i) => ({ ...q, error: output.queries[i]!.error })),
    rules: rules.map((r, i) => ({ ...r, errors: output.ruleSpecs[i]!.errors })),
  };

  it('records what Prometheus says of every query and rule group of the corpus', () => {
    if (process.env.KARPENTER_AS_CODE_RECORD === '1' || !existsSync(RECORDED)) writeFileSync(RECORDED, format(now));
    expect(recorded()).toEqual(JSON.parse(JSON.stringify(now)));
  });

  it('agrees with the promql rule on every case (100%)', () => {
    const found = disagreements(now);
    expect(found, `${found.length} disagreement(s)`).toEqual([]);
    const refused = now.queries.filter((q) => q.error).length;
    console.info(`Prometheus oracle: agreement 100% on ${now.queries.length} queries (${refused} refused) and ${now.rules.length} rule groups (${now.rules.filter((r) => r.errors.length > 0).length} refused)`);
  });

  it.each(EXAMPLES)('parses every rule group and dashboard query $name emits', (env) => {
    const objects = manifests(env);
    const rule = objects.find((o) => o.kind === 'PrometheusRule')!;
    const dashboard = JSON.parse((objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'karpenter-dashboard') as any).data['karpenter.json']);
    const panels = (p: any): any[] => (p.panels ?? []).flatMap((x: any) => [x, ...panels(x)]);
    // Grafana replaces its interval variables before the query reaches Prometheus.
    const dashboardQueries = panels(dashboard).flatMap((p) => (p.targets ?? []).map((t: any) => String(t.expr).replace(/\$__rate_interval/g, '5m')));
    const verdict = runOracle<Output>('prometheus', [], JSON.stringify({ queries: dashboardQueries, ruleSpecs: [at(rule, 'spec')] }));
    expect(dashboardQueries.length).toBeGreaterThan(0);
    expect(verdict.queries.map((q) => q.error)).toEqual(dashboardQueries.map(() => ''));
    expect(verdict.ruleSpecs[0]!.errors).toEqual([]);
    expect(validate([{ object: rule }, { object: objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'karpenter-dashboard')! }]).findings.filter((f) => f.rule.startsWith('promql'))).toEqual([]);
  });
});

describe("Prometheus' recorded verdicts (test/oracle/prometheus/verdicts.json), without Go", () => {
  it('are those of the corpus the seed generates now', () => {
    const r = recorded();
    expect(r.seed).toBe(PROMETHEUS_SEED);
    expect(r.queries.map(({ name, query }) => ({ name, query }))).toEqual(queryCorpus());
    expect(r.rules.map(({ name, spec }) => ({ name, spec }))).toEqual(JSON.parse(JSON.stringify(ruleCorpus())));
  });

  it('hold the promql rule to Prometheus on every case (100%)', () => {
    const found = disagreements(recorded());
    expect(found, `${found.length} disagreement(s)`).toEqual([]);
  });

  it('cover typos Prometheus refuses and typos it accepts', () => {
    const r = recorded();
    expect(r.queries.length).toBeGreaterThanOrEqual(600);
    expect(r.queries.filter((q) => q.error).length).toBeGreaterThan(300);
    expect(r.queries.filter((q) => !q.error && q.name.startsWith('typo')).length).toBeGreaterThan(50);
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dev } from '../config/environments/dev';
import { prod } from '../config/environments/prod';
import { KARPENTER_RELEASES, KARPENTER_VERSION } from '../config/versions';
import { karpenterVersionOf } from '../lib/config/environment';
import { capacityPlan } from '../lib/plan/capacity';
import { churnReasons, karpenterAlerts } from '../lib/monitoring/alerts';
import { synthEnvironment } from '../lib/synth/synth-inline';
import { COMPOSITION } from '../compose';
import { catalog, priceRegion } from '../packages/karpenter-validate/src/catalog';
import { checkLabels, checkPromql, SERVICE_MONITOR_SCRAPE } from '../packages/karpenter-validate/src/monitoring';
import { validate } from '../packages/karpenter-validate/src/validation';
import { manifests, render } from './helpers';
import { changed, findings, lines, pick } from './validation-helpers';

/**
 * Each environment runs the Karpenter release it names (`karpenterVersion`, config/versions.ts):
 * Argo CD installs that release's charts, and its objects are validated, placed, planned and
 * monitored against that release's own data.
 */

const ROOT = resolve(__dirname, '..');

describe('a Karpenter release per environment', () => {
  it('runs dev on 1.15.0 and prod on 1.14.1, the default, and installs each release\'s charts', () => {
    expect([karpenterVersionOf(dev), karpenterVersionOf(prod), karpenterVersionOf({ ...prod, karpenterVersion: undefined })]).toEqual(['1.15.0', '1.14.1', KARPENTER_VERSION]);
    const files = render([dev, prod]);
    for (const env of [dev, prod]) {
      const apps = files.get(`argocd/apps/${env.name}.yaml`)!;
      const release = KARPENTER_RELEASES[karpenterVersionOf(env)];
      expect(apps, env.name).toContain(`chart: karpenter-crd\n    helm:\n      releaseName: karpenter-crd\n    repoURL: public.ecr.aws/karpenter\n    targetRevision: ${release.crdChart}`);
      expect(apps, env.name).toContain(`chart: karpenter\n    helm:`);
      expect(apps.match(/targetRevision: 1\.1[45]\.[01]/g), env.name).toEqual([`targetRevision: ${release.crdChart}`, `targetRevision: ${release.chart}`]);
    }
  });

  it('refuses a release it does not support, naming the field, the value and the releases it does', () => {
    expect(() => synthEnvironment(COMPOSITION, { ...dev, karpenterVersion: '1.16.0' as never })).toThrow(
      `environment "dev" (config/environments/dev.ts): 'karpenterVersion' ("1.16.0") must be one of the Karpenter releases the project supports: "1.14.1", "1.15.0". Each has its charts pinned and its CRDs, instance catalog and metrics generated (config/versions.ts KARPENTER_RELEASES); another release needs an entry there and its data generated (README, Upgrading Karpenter)`,
    );
    expect(() => synthEnvironment(COMPOSITION, { ...dev, karpenterVersion: 'v1.15.0' as never })).toThrow(`'karpenterVersion' ("v1.15.0") must be one of the Karpenter releases the project supports: "1.14.1", "1.15.0" (without the "v": "1.15.0")`);
    expect(() => synthEnvironment(COMPOSITION, { ...dev, karpenterVersion: 115 as never })).toThrow(`'karpenterVersion' (115) must be a string (a Karpenter release like "1.14.1")`);
  });

  it('keeps one set of typed imports: the 1.14.1 classes build what both releases admit, and every Karpenter object of both environments is admitted by both releases alike', () => {
    for (const env of [dev, prod]) {
      const karpenter = manifests(env).filter((o) => o.kind === 'NodePool' || o.kind === 'EC2NodeClass');
      expect(karpenter.length, env.name).toBeGreaterThan(5);
      for (const release of ['1.14.1', '1.15.0']) {
        const result = validate(karpenter.map((object) => ({ object })), { admissionOnly: true, karpenterVersion: release });
        expect(result.findings.map((f) => `${release} ${f.object.kind}/${f.object.name} ${f.path}: ${f.message}`), `${env.name} at ${release}`).toEqual([]);
      }
    }
  });
});

describe('the validator judges by a release', () => {
  const noConsolidateAfter = () => changed((s) => delete pick(s, 'NodePool').spec.disruption.consolidateAfter);

  it('defaults to 1.14.1, whose API server requires consolidateAfter in a disruption block, which 1.15.0 defaults to 0s', () => {
    const set = noConsolidateAfter();
    const required = lines(findings(set, { complete: true }), 'schema').join('\n');
    expect(required).toContain('spec.disruption.consolidateAfter');
    expect(lines(findings(set, { complete: true, karpenterVersion: '1.14.1' }), 'schema').join('\n')).toBe(required);
    expect(lines(findings(set, { complete: true, karpenterVersion: '1.15.0' }), 'schema')).toEqual([]);
  });

  it('refuses a release it has no data for, naming the supported ones', () => {
    expect(() => validate([], { karpenterVersion: '1.16.0' })).toThrow(`'karpenterVersion' ("1.16.0") must be a Karpenter release the validator knows: 1.14.1, 1.15.0`);
    expect(() => validate([], { karpenterVersion: 'v1.15.0' })).toThrow(`'karpenterVersion' ("v1.15.0") must be a Karpenter release the validator knows: 1.14.1, 1.15.0 (without the "v": 1.15.0)`);
  });

  it('takes the release as --karpenter-version on the command line', () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
    const dir = mkdtempSync(join(tmpdir(), 'release-flag-'));
    try {
      writeFileSync(join(dir, 'set.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: noConsolidateAfter() }));
      const run = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, '.build', 'validate.js'), '--admission-only', ...args, join(dir, 'set.json')], { cwd: ROOT, encoding: 'utf8' });
      const old = run();
      expect(old.status).toBe(1);
      expect(old.stdout).toContain('spec.disruption.consolidateAfter');
      expect(run('--karpenter-version', '1.15.0').status).toBe(0);
      expect(run('--karpenter-version=1.14.1').status).toBe(1);
      const bad = run('--karpenter-version', '1.16');
      expect([bad.status, bad.stderr.split('\n')[0]]).toEqual([2, `'--karpenter-version' ("1.16") must be a Karpenter release the validator knows: 1.14.1, 1.15.0`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("placement, capacity and monitoring follow the environment's release", () => {
  it("has each release's catalog, with its own prices (1.15.0's were generated two weeks later; none changed for a type we use)", () => {
    expect(catalog('1.15.0').size).toBe(catalog('1.14.1').size);
    expect(priceRegion('1.15.0')).toBe('us-east-1');
    for (const name of ['m7g.large', 'c7g.2xlarge', 't3.medium', 'g4dn.xlarge']) expect(catalog('1.15.0').get(name)!.price, name).toBe(catalog('1.14.1').get(name)!.price);
    expect(catalog('1.15.0')).not.toBe(catalog('1.14.1'));
  });

  it("plans dev on 1.15.0's catalog and says so, and would place it the same on 1.14.1's", () => {
    const at115 = capacityPlan(manifests(dev), '1.15.0');
    expect(at115.karpenterVersion).toBe('1.15.0');
    expect(at115.assumptions.join('\n')).toContain("as Karpenter 1.15.0's scheduler places pending pods");
    const at114 = capacityPlan(manifests(dev), '1.14.1');
    expect(at115.nodeClaims).toEqual(at114.nodeClaims);
  });

  it('counts repair churn (reason unhealthy, recorded by node repair at 1.14.1 and 1.15.0 alike) in the churn alert where node repair runs', () => {
    expect(churnReasons({ nodeRepair: false })).not.toContain('unhealthy');
    expect(churnReasons({ nodeRepair: true })).toContain('unhealthy');
    const churn = (nodeRepair: boolean) => karpenterAlerts(capacityPlan(manifests(prod), '1.14.1'), 'prod', { nodeRepair }).find((r) => r.alert === 'KarpenterDisruptionChurn')!.expr;
    expect(churn(false)).toContain('reason=~"drifted|expired|underutilized|empty"}');
    expect(churn(true)).toContain('reason=~"drifted|expired|underutilized|empty|unhealthy"}');
    for (const env of [dev, prod]) expect((manifests(env).find((o) => o.kind === 'PrometheusRule') as any).spec.groups[0].rules.find((r: any) => r.alert === 'KarpenterDisruptionChurn').expr).toContain('|unhealthy"');
  });

  it("checks queries against the release's metrics and labels: a 1.15.0 metric or label is unknown to 1.14.1", () => {
    expect(checkPromql('sum(rate(karpenter_pods_disruption_initiated_total[5m]))', '1.15.0')).toEqual([]);
    expect(checkPromql('sum(rate(karpenter_pods_disruption_initiated_total[5m]))', '1.14.1').map((p) => p.message)).toEqual(['metric karpenter_pods_disruption_initiated_total is not one Karpenter 1.14.1 exports: the query returns nothing']);
    const byToStatus = 'sum by (to_status) (rate(operator_nodepool_status_condition_transition_seconds_count[5m]))';
    expect(checkLabels(byToStatus, SERVICE_MONITOR_SCRAPE, '1.15.0').problems).toEqual([]);
    expect(checkLabels(byToStatus, SERVICE_MONITOR_SCRAPE, '1.14.1').problems.map((p) => p.message)[0]).toContain('label to_status is not one the series of operator_nodepool_status_condition_transition_seconds_count carry once scraped');
  });
});

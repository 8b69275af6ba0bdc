import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerOf, packValidator } from './pack';

// Issue 24: the validator as another repository installs it. The package is packed (its prepack
// builds dist/), then installed into an empty folder with production dependencies only, offline,
// from the tarball and npm's cache: no TypeScript, no esbuild, nothing of this project.
const ROOT = join(__dirname, '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const BROKEN_POOL = `apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: broken
spec:
  template:
    spec:
      nodeClassRef: { group: karpenter.k8s.aws, kind: EC2NodeClass, name: default }
      requirements: []
  disruption:
    budgets:
      - nodes: "10%"
        schedule: "0 9 * * mon-fri"
  limits: { cpu: "10", memory: 40Gi }
`;

describe('the karpenter-validate package, packed and installed elsewhere', () => {
  let scratch: string;
  let consumer: string;
  const cli = (...args: string[]) => spawnSync(join(consumer, 'node_modules', '.bin', 'karpenter-validate'), args, { cwd: consumer, encoding: 'utf8' });

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'karpenter-validate-pack-'));
    consumer = join(scratch, 'consumer');
    mkdirSync(consumer);
    const tarball = packValidator(scratch);
    consumerOf(consumer, tarball, ['cdk8s', 'constructs']);
    writeFileSync(join(consumer, 'broken.yaml'), BROKEN_POOL);
    writeFileSync(join(consumer, 'unreadable.yaml'), 'kind: [unclosed\n');
  }, 180_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('installs with production dependencies only: no TypeScript, no esbuild, no sources', () => {
    const installed = readdirSync(join(consumer, 'node_modules'));
    expect(installed).toContain('karpenter-validate');
    for (const tool of ['typescript', 'esbuild', 'ts-node', 'vitest', 'cdk8s-cli']) expect(installed, tool).not.toContain(tool);
    const pkg = join(consumer, 'node_modules', 'karpenter-validate');
    expect(readdirSync(pkg).sort()).toEqual(['README.md', 'dist', 'package.json', 'schemas']);
    expect(existsSync(join(pkg, 'dist', 'types', 'index.d.ts'))).toBe(true);
  });

  it('validates: exit 0 on valid manifests, 1 with the finding, 2 on an unreadable file', () => {
    const valid = cli(join(FIXTURES, 'valid'));
    expect(valid.status, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/0 error\(s\), 0 warning\(s\) in \d+ object\(s\)/);
    const broken = cli('broken.yaml');
    expect(broken.status, broken.stderr).toBe(1);
    expect(broken.stdout).toContain("NodePool broken (broken.yaml#1)");
    expect(broken.stdout).toContain("[cel] spec.disruption.budgets: 'schedule' must be set with 'duration'");
    const unreadable = cli('unreadable.yaml');
    expect(unreadable.status).toBe(2);
    expect(unreadable.stderr).toContain('unreadable.yaml');
    expect(unreadable.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints only JSON on stdout with --format json, and lists its rules', () => {
    const json = cli('--format', 'json', 'broken.yaml');
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.errors).toBeGreaterThan(0);
    expect(report.findings.find((f: { rule: string }) => f.rule === 'cel')).toMatchObject({ severity: 'error', object: { kind: 'NodePool', name: 'broken' }, path: 'spec.disruption.budgets' });
    const rules = cli('--list-rules');
    expect(rules.status).toBe(0);
    expect(rules.stdout).toMatch(/^cel\s+admission\s+error/m);
  });

  it('is an API: validate, loadInputs and the model, from the main entry and its subpaths', () => {
    const script = `
      const { loadInputs, validate, RULE_CATALOG } = require('karpenter-validate');
      const { parseQuantity, instanceType } = require('karpenter-validate/model');
      const result = validate(loadInputs(['broken.yaml']));
      console.log(JSON.stringify({ errors: result.errors, rules: [...new Set(result.findings.map((f) => f.rule))], catalog: RULE_CATALOG.size > 50, gi: parseQuantity('1Gi'), cpus: instanceType('m7g.xlarge').vcpu }));
    `;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: consumer, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.errors).toBeGreaterThan(0);
    expect(out).toMatchObject({ rules: expect.arrayContaining(['cel']), catalog: true, gi: 2 ** 30, cpus: 4 });
  });

  it("validates this project's own `cdk8s synth` (its cdk8s.yaml lists the plugin), each environment as one cluster", { timeout: 180_000 }, () => {
    const out = join(scratch, 'project-synth');
    const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--output', join(out, 'cdk8s')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', DIST_DIR: join(out, 'dist'), HOME: scratch },
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('Validation Report (');
    expect(run.stdout).toMatch(/Status\s*│\s*success/);
    // Each environment's folder is its own cluster: the same pools in dev and prod are no duplicates.
    expect(run.stdout).not.toContain('duplicate-object');
    expect(run.stdout).toMatch(/Construct Path:\s*dev-karpenter\//);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  describe('as a cdk8s validation plugin, run by the real cdk8s-cli', () => {
    let app: string;
    const synth = (broken: boolean) =>
      spawnSync(join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth'], {
        cwd: app,
        encoding: 'utf8',
        // No upgrade check (offline it prints a stack trace); the plugin cache out of the way.
        env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', HOME: scratch, ...(broken ? { BROKEN: '1' } : { BROKEN: '0' }) },
      });

    beforeAll(() => {
      app = consumer;
      for (const file of ['main.js', 'cdk8s.yaml']) copyFileSync(join(ROOT, 'test', 'cdk8s-app', file), join(app, file));
      copyFileSync(join(FIXTURES, 'valid', 'karpenter.yaml'), join(app, 'karpenter.yaml'));
    });

    it('passes a clean app: the report says so and synth exits 0', () => {
      const run = synth(false);
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toContain('Validation Report (');
      expect(run.stdout).toMatch(/Status\s*│\s*success/);
      expect(run.stdout).toMatch(/Errors\s*│\s*0/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });

    it('fails an app with a NodePool mistake: exit 2, the finding, and the construct that made the object', () => {
      const run = synth(true);
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(2);
      expect(run.stdout).toContain('karpenter-validate/cel (error)');
      expect(run.stdout).toContain("'schedule' must be set with 'duration'");
      expect(run.stdout).toMatch(/Construct Path:\s*fleet\/pool/);
      expect(run.stdout).toContain('NodePool general: spec.disruption.budgets');
      expect(run.stderr).toContain('Validation failed');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });
  });
});

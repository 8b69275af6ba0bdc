import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../config/environments';
import { prod } from '../config/environments/prod';
import type { EnvironmentConfig } from '../config/environment-config';
import { formatDiff, semanticDiff } from '../lib/plan/diff';
import { DistError, distAt, objectsByFolder } from '../lib/synth/dist-files';
import { plan } from '../lib/plan';
import { render as renderAll } from './helpers';

const ROOT = resolve(__dirname, '..');
const base = renderAll(ENVIRONMENTS);
const withProd = (change: Partial<EnvironmentConfig>) => renderAll(ENVIRONMENTS.map((e) => (e.name === 'prod' ? { ...prod, ...change } : e)));

describe('semantic diff of dist/', () => {
  it('finds nothing between two identical renderings', () => {
    expect(semanticDiff(base, renderAll(ENVIRONMENTS))).toEqual([]);
    expect(formatDiff([], false)).toBe('no changes\n');
  });

  it('reports a changed field by path with old and new values, and flags a NodePool template change', () => {
    const after = withProd({ pools: { ...prod.pools, 'kafka-arm-ondemand': { expireAfter: '1440h' } } });
    const changes = semanticDiff(base, after);
    expect(changes).toEqual([
      {
        env: 'prod',
        kind: 'NodePool',
        id: 'kafka-arm-ondemand',
        change: 'changed',
        fields: [{ path: 'spec.template.spec.expireAfter', before: '720h', after: '1440h' }],
        replacesNodes: true,
      },
    ]);
    expect(formatDiff(changes, true)).toContain("- `kafka-arm-ondemand` changed **(Karpenter replaces this pool's nodes)**\n  - `spec.template.spec.expireAfter`: \"720h\" → \"1440h\"");
  });

  it('does not flag limit changes, which Karpenter applies without replacing nodes', () => {
    const after = withProd({ pools: { ...prod.pools, 'kafka-arm-ondemand': { limits: { cpu: '48', memory: '96Gi' } } } });
    const [change] = semanticDiff(base, after);
    expect(change).toMatchObject({ kind: 'NodePool', replacesNodes: false, fields: [{ path: 'spec.limits.cpu', before: '24', after: '48' }] });
  });

  it('reports objects added and removed, grouped by environment and kind', () => {
    const after = withProd({ pools: { ...prod.pools, 'gpu-premium': { enabled: false } } });
    // The pool's limit and cost alerts go with it.
    const changes = semanticDiff(base, after).filter((c) => c.kind !== 'PrometheusRule');
    expect(semanticDiff(base, after).filter((c) => c.kind === 'PrometheusRule').map((c) => `${c.id} ${c.change}`)).toEqual(['monitoring/karpenter changed']);
    expect(changes.map((c) => `${c.env} ${c.kind} ${c.id} ${c.change}`)).toEqual(['prod NodePool gpu-premium removed']);
    expect(formatDiff(changes, false)).toBe('== prod\n  NodePool\n    - gpu-premium\n');
  });
});

describe('plan and diff read dist/ as kubectl and validate do (issue 23, item 15)', () => {
  const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: x\ndata:\n  k: v\n';

  it('refuses a stray line in a mapping, naming the file, the document and the line, where a YAML 1.2 reader took it for a key', () => {
    const files = new Map([['prod/04-config.yaml', `${yaml}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\noops\n  namespace: x\n`]]);
    expect(() => semanticDiff(files, files)).toThrow(DistError);
    expect(() => semanticDiff(files, files)).toThrow(/^dist\/prod\/04-config\.yaml#2 \(line [0-9]+\): not valid YAML: .*: kubectl and npm run validate refuse this file too\. nothing was compared/);
    expect(() => plan(files, files)).toThrow(DistError);
  });

  it('refuses a document that is not an object, or has no kind', () => {
    expect(() => semanticDiff(new Map([['prod/04-config.yaml', `${yaml}---\n- a\n- b\n`]]), new Map())).toThrow(`dist/prod/04-config.yaml#2: is not an object (a YAML mapping), which kubectl refuses`);
    expect(() => semanticDiff(new Map([['prod/04-config.yaml', 'apiVersion: v1\nmetadata:\n  name: a\n']]), new Map())).toThrow(`dist/prod/04-config.yaml#1: has no kind, which kubectl refuses ("Object 'Kind' is missing")`);
  });

  it('reads what kubectl reads: comment-only documents skipped, List items, YAML 1.1 scalars', () => {
    const text = `# a comment only\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a, namespace: x}\n  data: {k: yes}\n`;
    const objects = objectsByFolder(new Map([['prod/04-config.yaml', text]])).get('prod')!;
    expect(objects.map((o) => `${String(o.kind)} ${String(o.metadata?.name)}`)).toEqual(['ConfigMap a']);
    // go-yaml v2 reads the plain scalar yes as true, as kubectl applies it.
    expect((objects[0] as any).data.k).toBe(true);
  });

  it('names the ref a file was read from', () => {
    const head = distAt('HEAD');
    head.set('prod/04-config.yaml', 'a: [\n');
    expect(() => objectsByFolder(head)).toThrow(/^HEAD:dist\/prod\/04-config\.yaml#1 \(line 2\): not valid YAML/);
    // A set of files read from nowhere in particular is named as dist/.
    expect(() => objectsByFolder(new Map(head))).toThrow(/^dist\/prod\/04-config\.yaml#1/);
  });
});

describe('plan and diff on a dist/ kubectl cannot read', () => {
  it('exit 2 naming the file, the document and the line, and compare nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dist-reading-'));
    try {
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'pipe' });
      mkdirSync(join(dir, 'dist', 'prod'), { recursive: true });
      const good = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: x\ndata:\n  k: v\n';
      writeFileSync(join(dir, 'dist', 'prod', '04-config.yaml'), good);
      git('init', '-q');
      git('add', '.');
      git('commit', '-q', '-m', 'dist');
      // Fresh (the stamp the build recorded), but with a stray line a YAML 1.2 reader takes for a key.
      writeFileSync(join(dir, 'dist', '.synthesized-from'), `${readFileSync(join(ROOT, '.build', 'source-hash'), 'utf8').trim()}\n`);
      writeFileSync(join(dir, 'dist', 'prod', '04-config.yaml'), good.replace('data:', 'stray\ndata:'));
      for (const command of ['diff', 'plan']) {
        const result = spawnSync(process.execPath, [join(ROOT, '.build', `${command}.js`)], { cwd: dir, encoding: 'utf8' });
        expect(result.status, command).toBe(2);
        expect(result.stderr, command).toMatch(/^dist\/prod\/04-config\.yaml#1 \(line [0-9]+\): not valid YAML: .*kubectl and npm run validate refuse this file too/);
        expect(result.stdout, command).toBe('');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run diff arguments', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, '.build', 'diff.js'), ...args], { encoding: 'utf8', cwd: ROOT });

  it('prints its usage for --help and exits 0', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run --silent diff -- \[<git-ref>\] \[--markdown\]\n/);
  });

  it('refuses an unknown option and a second ref with exit 2', () => {
    const option = run('--bogus');
    expect(option.status).toBe(2);
    expect(option.stderr).toMatch(/^unknown option '--bogus'\n/);
    const refs = run('HEAD', 'HEAD~1');
    expect(refs.status).toBe(2);
    expect(refs.stderr).toMatch(/^one git ref at most \(got HEAD, HEAD~1\)/);
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../config/environments';
import { phaseRank, waveOf } from '../lib/synth/layout';
import { StagedOutput, writeOutput } from '../lib/synth/synth';
import { STAMP_FILE } from '../lib/synth/source-hash';
import { render as renderAll } from './helpers';
import { copyProject, EXAMPLES, parseYaml } from './helpers';

const ROOT = resolve(__dirname, '..');
const rendered = renderAll(ENVIRONMENTS);
const KUBECTL = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

describe('rendered output', () => {
  // Not the source hash: it changes with every change to the code, and says nothing a reviewer reads
  // (the next test compares it with dist/).
  it.each([...rendered.keys()].filter((path) => path !== STAMP_FILE))('%s matches its reviewed snapshot', (path) => {
    expect(rendered.get(path)).toMatchSnapshot();
  });

  it('is byte-identical when synthesized twice', () => {
    expect(renderAll(ENVIRONMENTS)).toEqual(rendered);
  });

  it('is what dist/ holds (run `npm run synth` and commit dist/ when this fails)', () => {
    const onDisk = new Map<string, string>();
    for (const entry of readdirSync(join(ROOT, 'dist'), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      onDisk.set(path.slice(join(ROOT, 'dist').length + 1), readFileSync(path, 'utf8'));
    }
    expect([...onDisk.keys()].sort()).toEqual([...rendered.keys()].sort());
    for (const [path, content] of rendered) expect(onDisk.get(path), path).toBe(content);
  });

  it.each(EXAMPLES.map((e) => e.name))('applies %s in an order where every sync wave follows the one before', (env) => {
    const files = [...rendered.keys()].filter((p) => p.startsWith(`${env}/`) && p.endsWith('.yaml')).sort();
    const objects = files.flatMap((file) => parseYaml(rendered.get(file)!));
    const waves = objects.map((o) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']));
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
    for (const o of objects) expect(waves[objects.indexOf(o)]).toBe(waveOf(o));
    const ranks = objects.map(phaseRank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const first = (kind: string) => objects.findIndex((o) => o.kind === kind);
    const last = (kind: string) => objects.map((o) => o.kind).lastIndexOf(kind);
    expect(last('Namespace')).toBeLessThan(first('ServiceAccount'));
    expect(last('StorageClass')).toBeLessThan(first('StatefulSet'));
    expect(last('EC2NodeClass')).toBeLessThan(first('NodePool'));
    expect(last('PodDisruptionBudget')).toBeLessThan(first('Deployment'));
    expect(last('Deployment')).toBeLessThan(first('HorizontalPodAutoscaler'));
    expect(last('Job')).toBeLessThan(first('Deployment'));
    expect(last('TriggerAuthentication')).toBeLessThan(first('ScaledObject'));
    // Monitoring before anything that waits on AWS or on a pod; autoscalers in their targets' wave.
    expect(last('PrometheusRule')).toBeLessThan(first('EC2NodeClass'));
    const waveOfKind = (kind: string) => waves[first(kind)];
    expect(waveOfKind('ScaledObject')).toBe(waveOfKind('Deployment'));
    expect(waveOfKind('HorizontalPodAutoscaler')).toBe(waveOfKind('StatefulSet'));
  });

  it.skipIf(!KUBECTL).each(EXAMPLES.map((e) => e.name))('builds %s with kubectl kustomize in file order, every object once', (env) => {
    const dir = mkdtempSync(join(tmpdir(), `kustomize-${env}-`));
    try {
      const files = [...rendered.keys()].filter((p) => p.startsWith(`${env}/`) && p.endsWith('.yaml')).sort();
      for (const file of files) writeFileSync(join(dir, file.split('/')[1]!), rendered.get(file)!);
      writeFileSync(join(dir, 'kustomization.yaml'), `resources:\n${files.map((f) => `  - ${f.split('/')[1]}\n`).join('')}`);
      const built = parseYaml(execFileSync('kubectl', ['kustomize', dir, '--reorder', 'none'], { encoding: 'utf8' }));
      const expected = files.flatMap((file) => parseYaml(rendered.get(file)!));
      expect(built.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual(
        expected.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('writeOutput', () => {
  function scratch(): string {
    const dir = mkdtempSync(join(tmpdir(), 'write-output-'));
    mkdirSync(join(dir, 'dist', 'dev'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'dev', 'old.yaml'), 'kind: Old\n');
    return dir;
  }

  it('replaces the whole folder, dropping files no longer produced', async () => {
    const dir = scratch();
    await writeOutput(new Map([['prod/a.yaml', 'kind: A\n']]), join(dir, 'dist'));
    expect(existsSync(join(dir, 'dist', 'dev'))).toBe(false);
    expect(readFileSync(join(dir, 'dist', 'prod', 'a.yaml'), 'utf8')).toBe('kind: A\n');
    expect(readdirSync(dir)).toEqual(['dist']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the previous output untouched when writing fails', async () => {
    const dir = scratch();
    // A path that is a file and a folder at once cannot be written.
    await expect(writeOutput(new Map([['prod/a.yaml', 'x'], ['prod/a.yaml/b.yaml', 'y']]), join(dir, 'dist'))).rejects.toThrow();
    expect(readFileSync(join(dir, 'dist', 'dev', 'old.yaml'), 'utf8')).toBe('kind: Old\n');
    expect(readdirSync(dir)).toEqual(['dist']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('swaps the folder in only after every write is done, and settles with a bounded number of writes in flight', async () => {
    const dir = scratch();
    const staged = new StagedOutput(join(dir, 'dist'));
    for (let i = 0; i < 600; i++) staged.write(`prod/f${i}.yaml`, `n: ${i}\n`);
    await staged.settle();
    expect((staged as unknown as { inFlight: number }).inFlight).toBeLessThanOrEqual(256);
    // Not yet swapped in: the previous output is still there.
    expect(readFileSync(join(dir, 'dist', 'dev', 'old.yaml'), 'utf8')).toBe('kind: Old\n');
    await staged.commit();
    expect(readdirSync(join(dir, 'dist', 'prod'))).toHaveLength(600);
    expect(readFileSync(join(dir, 'dist', 'prod', 'f599.yaml'), 'utf8')).toBe('n: 599\n');
    expect(readdirSync(dir)).toEqual(['dist']);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('StagedOutput reuses unchanged files', () => {
  it('links a file whose content is unchanged, writes one that changed or is new, and leaves no staging folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'staged-reuse-'));
    try {
      const out = join(dir, 'dist');
      await writeOutput(new Map([['prod/same.yaml', 'kind: Same\n'], ['prod/changed.yaml', 'kind: Before\n']]), out);
      const before = { same: statSync(join(out, 'prod', 'same.yaml')), changed: statSync(join(out, 'prod', 'changed.yaml')) };
      await writeOutput(new Map([['prod/same.yaml', 'kind: Same\n'], ['prod/changed.yaml', 'kind: After\n'], ['dev/new.yaml', 'kind: New\n']]), out);
      const same = statSync(join(out, 'prod', 'same.yaml'));
      // The same file (inode), no longer linked from the previous output, which is gone.
      expect(same.ino).toBe(before.same.ino);
      expect(same.nlink).toBe(1);
      expect(same.mtimeMs).toBe(before.same.mtimeMs);
      expect(readFileSync(join(out, 'prod', 'same.yaml'), 'utf8')).toBe('kind: Same\n');
      expect(statSync(join(out, 'prod', 'changed.yaml')).ino).not.toBe(before.changed.ino);
      expect(readFileSync(join(out, 'prod', 'changed.yaml'), 'utf8')).toBe('kind: After\n');
      expect(readFileSync(join(out, 'dev', 'new.yaml'), 'utf8')).toBe('kind: New\n');
      expect(readdirSync(dir)).toEqual(['dist']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes a file where the previous output held a symbolic link with the same content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'staged-symlink-'));
    try {
      const out = join(dir, 'dist');
      mkdirSync(join(out, 'prod'), { recursive: true });
      writeFileSync(join(dir, 'elsewhere.yaml'), 'kind: Same\n');
      symlinkSync(join(dir, 'elsewhere.yaml'), join(out, 'prod', 'same.yaml'));
      await writeOutput(new Map([['prod/same.yaml', 'kind: Same\n']]), out);
      expect(lstatSync(join(out, 'prod', 'same.yaml')).isFile()).toBe(true);
      expect(readFileSync(join(out, 'prod', 'same.yaml'), 'utf8')).toBe('kind: Same\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('main.ts', () => {
  const failures = [
    {
      what: 'config is wrong',
      from: 'production: true,',
      to: "production: true,\n  amiVersions: { al2023: 'latest' },",
      message: `environment "prod" (config/environments/prod.ts): 'amiVersions.al2023' ("latest") must be pinned in production`,
    },
    {
      what: 'the validator finds an error',
      // Seed 000's LLM node size: the LLM server's pod cannot fit on it.
      from: '  pools: {\n',
      to: "  pools: {\n    'llm-arm-ondemand': { instanceTypes: ['t4g.medium'] },\n    'llm-arm-spot': { instanceTypes: ['t4g.medium'] },\n",
      message: 'StatefulSet llm/llm-server\n  error   [fits-instance] spec.template.spec: requests (2000m CPU, 3.5Gi memory) do not fit any instance type of NodePool "llm-arm-ondemand"',
    },
  ];
  it('builds only the bundles asked for, and refuses a name it does not know', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), 'mian'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("build: unknown bundle 'mian' (one of main, diff, plan, review, validate, verify, validator-worker, validator-start)");
  });

  it('rebuilds only the bundles whose inputs changed, and type-checks config/ only for bundles that read it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rebuild-'));
    try {
      copyProject(dir);
      const build = (...names: string[]) => spawnSync(process.execPath, [join(dir, 'scripts', 'build.mjs'), ...names], { encoding: 'utf8' });
      const built = (name: string) => statSync(join(dir, '.build', name)).mtimeMs;
      expect(build('diff', 'validator-start').status).toBe(0);
      const before = { diff: built('diff.bundle.js'), start: built('validator-start.js') };
      // An input of one bundle only.
      writeFileSync(join(dir, 'scripts', 'diff.ts'), `${readFileSync(join(dir, 'scripts', 'diff.ts'), 'utf8')}\nexport const REBUILT = 'rebuilt-marker';\n`);
      // A config that does not type-check: neither bundle reads config/, so neither waits for it.
      const prodFile = join(dir, 'config', 'environments', 'prod.ts');
      writeFileSync(prodFile, readFileSync(prodFile, 'utf8').replace('production: true,', 'production: true,\n  productoin: true,'));
      expect(build('diff', 'validator-start').status).toBe(0);
      expect(built('diff.bundle.js')).toBeGreaterThan(before.diff);
      expect(readFileSync(join(dir, '.build', 'diff.bundle.js'), 'utf8')).toContain('rebuilt-marker');
      expect(built('validator-start.js')).toBe(before.start);
      // synth's bundle reads config/: it is not built.
      const main = build('main');
      expect(main.status).toBe(1);
      expect(main.stderr).toContain('config does not type-check');
      expect(main.stderr).toContain('productoin');
      expect(existsSync(join(dir, '.build', 'main.bundle.js'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(failures)('exits non-zero with the message and leaves dist/ unchanged when $what', ({ from, to, message }) => {
    const dir = mkdtempSync(join(tmpdir(), 'main-'));
    try {
      copyProject(dir);
      const prodFile = join(dir, 'config', 'environments', 'prod.ts');
      const source = readFileSync(prodFile, 'utf8');
      expect(source).toContain(from);
      writeFileSync(prodFile, source.replace(from, to));
      mkdirSync(join(dir, 'dist', 'prod'), { recursive: true });
      writeFileSync(join(dir, 'dist', 'prod', 'keep.yaml'), 'kind: Keep\n');
      // The bundles `npm run synth` runs: main.js and the validator thread beside it.
      execFileSync(process.execPath, [join(dir, 'scripts', 'build.mjs'), 'main']);
      expect(existsSync(join(dir, '.build', 'validate.bundle.js'))).toBe(false);
      const run = spawnSync(process.execPath, [join('.build', 'main.js')], { cwd: dir, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('synth failed, dist/ left unchanged');
      expect(run.stderr).toContain(message);
      expect(readdirSync(join(dir, 'dist'))).toEqual(['prod']);
      expect(readFileSync(join(dir, 'dist', 'prod', 'keep.yaml'), 'utf8')).toBe('kind: Keep\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

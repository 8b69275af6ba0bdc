import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validationCache } from '../packages/karpenter-validate/src/validation-cache';
import type { ValidationResult } from '../packages/karpenter-validate/src/validation';
import { copyProject } from './helpers';

/**
 * The result cache (packages/karpenter-validate/src/validation-cache.ts) may only ever return what validating again would:
 * a result is found under the exact content and options it was computed for, by the validator
 * build that computed it, and never otherwise.
 */
const ROOT = resolve(__dirname, '..');
const result = (errors: number): ValidationResult => ({ findings: [], waived: [], errors, warnings: 0 });

describe('validationCache', () => {
  let build: string;
  const withCache = <T>(run: () => T): T => {
    const saved = process.env.KARPENTER_AS_CODE_NO_CACHE;
    delete process.env.KARPENTER_AS_CODE_NO_CACHE;
    try {
      return run();
    } finally {
      if (saved !== undefined) process.env.KARPENTER_AS_CODE_NO_CACHE = saved;
    }
  };
  beforeAll(() => {
    build = mkdtempSync(join(tmpdir(), 'cache-'));
    writeFileSync(join(build, 'validator-hash'), 'sha256:aaaa\n');
  });
  afterAll(() => rmSync(build, { recursive: true, force: true }));

  it('finds a result under the same content and options only', () => {
    withCache(() => {
      const cache = validationCache(build);
      const key = cache.key(['a.yaml', 'kind: A'], { complete: true });
      cache.set(key, result(1));
      expect(validationCache(build).get(key)).toEqual(result(1));
      expect(cache.get(cache.key(['a.yaml', 'kind: B'], { complete: true }))).toBeUndefined();
      expect(cache.get(cache.key(['a.yaml', 'kind: A'], { complete: false }))).toBeUndefined();
      expect(cache.get(cache.key(['b.yaml', 'kind: A'], { complete: true }))).toBeUndefined();
    });
  });

  it('keeps nothing across validator builds, and drops the old results', () => {
    withCache(() => {
      const key = validationCache(build).key('x', {});
      validationCache(build).set(key, result(0));
      writeFileSync(join(build, 'validator-hash'), 'sha256:bbbb\n');
      const next = validationCache(build);
      expect(next.get(key)).toBeUndefined();
      next.set(next.key('y', {}), result(0));
      expect(readdirSync(join(build, 'cache', 'validation'))).toEqual(['bbbb']);
    });
  });

  it('treats a damaged entry as a miss, and is off without a validator hash or when told', () => {
    withCache(() => {
      const cache = validationCache(build);
      const key = cache.key('z', {});
      cache.set(key, result(0));
      const dir = join(build, 'cache', 'validation', 'bbbb');
      writeFileSync(join(dir, `${key}.json`), '{"findings": [');
      expect(cache.get(key)).toBeUndefined();
      const empty = mkdtempSync(join(tmpdir(), 'nocache-'));
      expect(validationCache(empty).get(validationCache(empty).key('z', {}))).toBeUndefined();
      rmSync(empty, { recursive: true, force: true });
    });
    expect(validationCache(build).key('z', {})).toBe('');
  });

  it('never serves the CLI a stale result: a changed file is validated again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-cache-'));
    try {
      cpSync(join(ROOT, 'test', 'fixtures', 'valid'), join(dir, 'set'), { recursive: true });
      const env = { ...process.env };
      delete env.KARPENTER_AS_CODE_NO_CACHE;
      const run = () => spawnSync(process.execPath, [join(ROOT, '.build', 'validate.js'), join(dir, 'set')], { cwd: dir, encoding: 'utf8', env });
      expect(run().status).toBe(0);
      const second = run();
      expect(second.status).toBe(0);
      expect(second.stdout).toContain('results from the cache');
      // Content no earlier run can have cached: the comment names this run's folder.
      writeFileSync(join(dir, 'set', 'broken.yaml'), `# ${dir}\n` + 'apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: x\nspec:\n  template:\n    spec:\n      requirements: arm64\n');
      const third = run();
      expect(third.status).toBe(1);
      expect(third.stdout).not.toContain('results from the cache');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("never serves the CLI a result of its old reader: the reader (kubectl-yaml.ts) is not in the validator thread's bundle, and is in the key", () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-reader-'));
    try {
      copyProject(dir);
      const build = () => expect(spawnSync(process.execPath, [join(dir, 'scripts', 'build.mjs'), 'validate'], { cwd: dir, encoding: 'utf8' }).status).toBe(0);
      build();
      // kubectl reads 1_000 as the number 1000 (go-yaml v2 drops underscores): not a string, as data values must be.
      writeFileSync(join(dir, 'numbers.yaml'), `# ${dir}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: numbers\n  namespace: default\ndata:\n  count: 1_000\n`);
      const env = { ...process.env };
      delete env.KARPENTER_AS_CODE_NO_CACHE;
      const run = () => spawnSync(process.execPath, [join(dir, '.build', 'validate.js'), 'numbers.yaml'], { cwd: dir, encoding: 'utf8', env });
      expect(run().status).toBe(1);
      const cached = run();
      expect(cached.status).toBe(1);
      expect(cached.stdout).toContain('results from the cache');
      expect(cached.stdout).toContain('[yaml-1.1]');
      // A reader that keeps underscores reads the text as the string it looks like: valid.
      const reader = join(dir, 'packages', 'karpenter-validate', 'src', 'validation', 'kubectl-yaml.ts');
      const source = readFileSync(reader, 'utf8');
      expect(source).toContain("GO_INT.exec(source.replace(/_/g, ''))");
      writeFileSync(reader, source.replace("GO_INT.exec(source.replace(/_/g, ''))", 'GO_INT.exec(source)').replace("source.startsWith('.') ? source : source.replace(/_/g, '')", 'source'));
      build();
      const after = run();
      expect(after.stdout).not.toContain('results from the cache');
      expect(after.stdout).not.toContain('[yaml-1.1]');
      expect(after.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '..');
const CRDS = resolve(ROOT, '..', 'shared', 'crds', 'karpenter-v1.14.1');
const HAVE_CRDS = existsSync(CRDS);
if (!HAVE_CRDS) console.warn(`imports and schemas drift tests skipped: ${CRDS} (the pinned Karpenter CRDs) is not present in this checkout`);

describe('imports/', () => {
  it.skipIf(!HAVE_CRDS)('is exactly what cdk8s import generates from the pinned Karpenter v1.14.1 CRDs', () => {
    const out = mkdtempSync(join(tmpdir(), 'imports-'));
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'import.mjs'), CRDS, '--output', out], { stdio: 'pipe' });
      const committed = readdirSync(join(ROOT, 'imports')).sort();
      expect(readdirSync(out).sort()).toEqual(committed);
      for (const file of committed) expect(readFileSync(join(out, file), 'utf8'), file).toBe(readFileSync(join(ROOT, 'imports', file), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it.skipIf(!HAVE_CRDS)('schemas/ is exactly what npm run schemas generates from the same CRDs', () => {
    const out = mkdtempSync(join(tmpdir(), 'schemas-'));
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'schemas.mjs'), CRDS, '--output', join(out, 'karpenter.json')], { stdio: 'pipe' });
      for (const file of ['karpenter.json', 'karpenter-validators.js', 'karpenter-cel.json']) expect(readFileSync(join(out, file), 'utf8'), file).toBe(readFileSync(join(ROOT, 'schemas', file), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('schemas/core-fields.json is exactly what scripts/core-fields.ts generates from kubernetes-models', () => {
    const out = mkdtempSync(join(tmpdir(), 'core-fields-'));
    try {
      execFileSync(process.execPath, ['--input-type=module', '-e', `import { bundle } from './scripts/bundle.mjs'; await bundle({ 'core-fields': 'scripts/core-fields.ts' });`], { cwd: ROOT, stdio: 'pipe' });
      execFileSync(process.execPath, [join(ROOT, '.build', 'core-fields.js'), join(out, 'core-fields.json')], { stdio: 'pipe' });
      expect(readFileSync(join(out, 'core-fields.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'schemas', 'core-fields.json'), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('names the same CRDs in cdk8s.yaml, pinned to the release tag', () => {
    const config = parse(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8'));
    expect(config.imports).toEqual([
      'https://raw.githubusercontent.com/aws/karpenter-provider-aws/v1.14.1/pkg/apis/crds/karpenter.sh_nodepools.yaml',
      'https://raw.githubusercontent.com/aws/karpenter-provider-aws/v1.14.1/pkg/apis/crds/karpenter.k8s.aws_ec2nodeclasses.yaml',
    ]);
  });
});

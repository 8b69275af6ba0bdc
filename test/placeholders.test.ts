import { describe, expect, it } from 'vitest';
import { COMPOSITION } from '../compose';
import { configPlaceholders, formatPlaceholders } from '../lib/config/config-placeholders';
import { renderAll } from '../lib/synth/synth-inline';
import { validate } from '../packages/karpenter-validate/src/validation';
import { EXAMPLES, manifests, variant } from './helpers';

// Issue 23 item 11: documentation placeholders must not ship unnoticed.
describe('documentation placeholders', () => {
  const [dev, prod] = EXAMPLES as [typeof EXAMPLES[0], typeof EXAMPLES[0]];

  it("lists every placeholder of an environment's config with the file and field to set it in", () => {
    const where = (env: typeof dev) => configPlaceholders(env).map((p) => p.where);
    expect(where(dev)).toEqual(expect.arrayContaining([
      'config/environments/dev.ts: argocdDestination',
      'config/environments/dev.ts: karpenter.controllerRoleArn',
      'config/environments/dev.ts: modelsFileSystemId',
      'config/workloads.ts: airflow.settings.admin.email',
    ]));
    const key = configPlaceholders(prod).find((p) => p.where === 'config/environments/prod.ts: ebsKmsKeyId')!;
    expect(key.what).toBe('an AWS documentation account ID (111122223333); the AWS KMS documentation key ID');
  });

  it('finds none once the values are real', () => {
    const real = variant(dev, {
      argocdDestination: 'https://5E1D0F6A23B94C7D8E1F2A3B4C5D6E7F.gr7.ap-northeast-2.eks.amazonaws.com',
      modelsFileSystemId: 'fs-05e1d0f6a23b94c7d',
      karpenter: { ...dev.karpenter, controllerRoleArn: 'arn:aws:iam::210987654321:role/karpenter' },
      workloads: {},
    });
    expect(configPlaceholders(real).filter((p) => p.where.startsWith('config/environments/'))).toEqual([]);
  });

  for (const env of EXAMPLES) {
    it(`${env.name}: every placeholder in the output comes from a value config/ lists, so REPORT.md names where to set each`, () => {
      const listed = configPlaceholders(env).map((p) => p.value);
      const found = validate(manifests(env).map((object) => ({ object }))).findings.filter((f) => f.rule === 'placeholder-value');
      expect(found.length).toBeGreaterThan(0);
      for (const f of found) expect(listed.some((v) => String(f.value).includes(v)), `${f.path}: ${String(f.value)}`).toBe(true);
      // Synth passes them as listed: the validator does not report them a second time.
      expect(validate(manifests(env).map((object) => ({ object })), { listedPlaceholders: listed }).findings.filter((f) => f.rule === 'placeholder-value')).toEqual([]);
    });
  }

  it('REPORT.md lists each under "Placeholders to replace", and synth says so on the console', () => {
    const output = renderAll(COMPOSITION, EXAMPLES);
    const report = output.files.get('prod/REPORT.md')!;
    const section = report.slice(report.indexOf('## Placeholders to replace'), report.indexOf('## Prerequisites'));
    for (const p of configPlaceholders(prod)) expect(section).toContain(`| ${p.where} | \`${p.value}\` | ${p.what} |`);
    expect(formatPlaceholders(output.placeholders)).toBe([
      `dev: ${configPlaceholders(dev).length} documentation placeholder value(s) in config/ to replace before a first sync (config/environments/dev.ts, config/workloads.ts; each listed in dist/dev/REPORT.md, Placeholders to replace)`,
      `prod: ${configPlaceholders(prod).length} documentation placeholder value(s) in config/ to replace before a first sync (config/environments/prod.ts, config/workloads.ts; each listed in dist/prod/REPORT.md, Placeholders to replace)`,
    ].join('\n'));
    // No placeholder warning is printed twice: the validator's warnings hold none.
    for (const warnings of output.warnings.values()) expect(warnings.filter((w) => w.rule === 'placeholder-value')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { catalog, closestTypes, instanceType, PRICE_REGION } from '../packages/karpenter-validate/src/catalog';
import { allowedInstances } from '../packages/karpenter-validate/src/requirements';
import { allocatable } from '../packages/karpenter-validate/src/validation/overhead';

describe("Karpenter's instance catalog", () => {
  it('holds every type of Karpenter v1.14.1, with labels, resources and on-demand prices', () => {
    expect(catalog().size).toBe(1336);
    const g5 = instanceType('g5.xlarge')!;
    expect(g5).toMatchObject({ arch: 'amd64', vcpu: 4, memoryMiB: 16384, gpus: 1, gpuName: 'a10g', maxPods: 58, price: 1.006 });
    expect(g5.labels['karpenter.k8s.aws/instance-family']).toBe('g5');
    expect(PRICE_REGION).toBe('us-east-1');
  });

  it('reads instance-types.json in the shape packages/karpenter-validate/src/catalog declares (the file is required, so the type checker does not see it)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const file = require('../packages/karpenter-validate/src/catalog/instance-types.json') as { about: Record<string, unknown>; types: Record<string, unknown>[] };
    expect(typeof file.about.priceRegion).toBe('string');
    for (const raw of file.types) {
      expect(typeof raw.name).toBe('string');
      expect(['amd64', 'arm64']).toContain(raw.arch);
      expect(Object.values(raw.labels as object).every((v) => typeof v === 'string')).toBe(true);
      expect(Object.values(raw.allocatable as object).every((v) => typeof v === 'string')).toBe(true);
      expect(raw.price === undefined || typeof raw.price === 'number').toBe(true);
    }
  });

  it('chooses instance types by category, generation, size and CPU count, as Karpenter matches requirements', () => {
    const chosen = allowedInstances(
      [
        { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
        { key: 'karpenter.k8s.aws/instance-category', operator: 'In', values: ['m', 'r'] },
        { key: 'karpenter.k8s.aws/instance-generation', operator: 'Gt', values: ['6'] },
        { key: 'karpenter.k8s.aws/instance-cpu', operator: 'Lte', values: ['4'] },
        { key: 'karpenter.k8s.aws/instance-size', operator: 'NotIn', values: ['metal'] },
      ],
      catalog().values(),
    ).map((t) => t.name);
    expect(chosen).toContain('m7g.xlarge');
    expect(chosen).toContain('r8g.large');
    expect(chosen).not.toContain('m6g.xlarge');
    expect(chosen).not.toContain('m7g.2xlarge');
    expect(chosen.every((name) => instanceType(name)!.arch === 'arm64')).toBe(true);
    // A type without GPUs never satisfies a GPU count requirement.
    expect(allowedInstances([{ key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['0'] }], catalog().values()).every((t) => t.gpus > 0 || t.labels['karpenter.k8s.aws/instance-gpu-manufacturer'] !== 'nvidia')).toBe(true);
  });

  it('suggests the closest type for a typo', () => {
    expect(closestTypes('m7g.xlage')[0]).toBe('m7g.xlarge');
  });

  it("computes allocatable resources exactly as Karpenter's catalog states them, for every type", () => {
    const off: string[] = [];
    for (const type of catalog().values()) {
      const { allocatable: ours } = allocatable(type);
      const theirs = type.allocatable;
      if (Math.abs(ours.cpu - theirs.cpu) > 1e-9 || ours.memory !== theirs.memory || ours.pods !== theirs.pods || ours.ephemeralStorage !== theirs.ephemeralStorage) {
        off.push(`${type.name}: cpu ${ours.cpu} vs ${theirs.cpu}, memory ${ours.memory / 2 ** 20}Mi vs ${theirs.memory / 2 ** 20}Mi, pods ${ours.pods} vs ${theirs.pods}`);
      }
    }
    expect(off).toEqual([]);
  });
});

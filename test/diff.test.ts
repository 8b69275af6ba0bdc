import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../config/environments';
import { prod } from '../config/environments/prod';
import { EnvironmentConfig } from '../config/types';
import { formatDiff, semanticDiff } from '../lib/diff';
import { render as renderAll } from './helpers';

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

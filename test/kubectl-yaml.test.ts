import { describe, expect, it } from 'vitest';
import { readAsKubectl } from '../packages/karpenter-validate/src/validation/kubectl-yaml';

/**
 * Manifests are read as kubectl and Argo CD read them: sigs.k8s.io/yaml turns YAML into JSON with
 * gopkg.in/yaml.v2 2.4.0, whose resolve() decides what a plain scalar is (YAML 1.1 booleans,
 * strconv.ParseInt(s, 0, 64) after dropping underscores, yamlStyleFloat, time.Parse for four
 * timestamp layouts, which encoding/json then writes as RFC 3339).
 */
const read = (scalar: string) => (readAsKubectl(`a: ${scalar}\n`, {}).value as { a: unknown }).a;

describe('YAML read as kubectl reads it (go-yaml v2)', () => {
  it.each([
    ['yes', true], ['Yes', true], ['ON', true], ['y', true], ['Y', true], ['true', true],
    ['no', false], ['Off', false], ['n', false], ['FALSE', false],
    ['~', null], ['null', null], ['', null],
    ['0644', 420], ['0', 0], ['-0755', -493], ['0o17', 15], ['0x1F', 31], ['0b101', 5], ['1_000', 1000], ['+1', 1], ['42', 42],
    ['1e3', 1000], ['1.5', 1.5], ['.5', 0.5], ['1_0.5', 10.5], ['08', 8], ['.inf', Infinity], ['-.Inf', -Infinity],
    ['2024-01-01', '2024-01-01T00:00:00Z'], ['2024-1-2', '2024-01-02T00:00:00Z'], ['2024-01-01 10:00:00', '2024-01-01T10:00:00Z'],
    ['2024-01-01T10:00:00.500+02:00', '2024-01-01T10:00:00.5+02:00'], ['2024-01-01t10:00:00Z', '2024-01-01T10:00:00Z'],
    ['2024-02-30', '2024-02-30'], ['2024-13-01', '2024-13-01'], ['1:30', '1:30'], ['0o8', '0o8'], ['abc', 'abc'], ['"yes"', 'yes'], ["'0644'", '0644'],
  ] as const)('reads %s as %j', (scalar, value) => {
    expect(read(scalar)).toEqual(value);
  });

  it('merges << keys, as go-yaml does, and reads a key y as true', () => {
    expect(readAsKubectl('base: &b {x: 1}\nm:\n  <<: *b\n  z: 2\n', {}).value).toEqual({ base: { x: 1 }, m: { x: 1, z: 2 } });
    expect(readAsKubectl('point: {x: 1, y: 2}\n', {}).value).toEqual({ point: { x: 1, true: 2 } });
  });

  it('says where a YAML 1.2 reader would read a plain scalar otherwise, and only there', () => {
    const { differences } = readAsKubectl('data:\n  a: yes\n  b: "yes"\n  c: 0644\n  d: 644\n  e: [on, off, x]\non: 1\n', {});
    expect(differences).toEqual([
      { path: 'data.a', kubectl: true, yaml12: 'yes' },
      { path: 'data.c', kubectl: 420, yaml12: 644 },
      { path: 'data.e[0]', kubectl: true, yaml12: 'on' },
      { path: 'data.e[1]', kubectl: false, yaml12: 'off' },
      { path: 'on', kubectl: undefined, yaml12: 'on' },
    ]);
    expect(readAsKubectl('a: "yes"\nb: 1\nc: text\nd: 2024-x\n', {}).differences).toEqual([]);
  });
});

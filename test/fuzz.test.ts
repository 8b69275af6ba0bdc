import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { validate } from '../packages/karpenter-validate/src/validation';
import { parseYaml } from './helpers';
import { random } from './random';

/**
 * Mutated copies of fixed inputs: the validator must report, never crash. A seeded generator, so
 * a failure reproduces; each mutation class of the issue that found crashes is here: deleted
 * fields, wrong types, unknown fields (named like Object's own members too), nulls, huge and
 * negative numbers, deep nesting, kinds and lists of nonsense, and, through the CLI, duplicate
 * keys, anchors, aliases and alias bombs. The inputs are the differential corpus' base (a snapshot
 * of dist/prod and dist/argocd, and objects of other kinds: test/oracle/controlplane/base), not
 * the live dist/, so a change to the project's output does not move the mutants.
 */
const ROOT = resolve(__dirname, '..');
const BASE_DIR = join(ROOT, 'test', 'oracle', 'controlplane', 'base');
const BASE = readdirSync(BASE_DIR).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) => parseYaml(readFileSync(join(BASE_DIR, f), 'utf8')).filter((o) => o !== null));


const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'x-unknown', 'apiVersion', 'kind', 'metadata', 'spec', 'items'];

function deep(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { nested: value };
  return value;
}

/** Every (container, key) of a value, to pick a place to mutate. */
function places(value: unknown, out: [Record<string, unknown> | unknown[], string | number][] = []): typeof out {
  if (Array.isArray(value)) value.forEach((item, i) => { out.push([value, i]); places(item, out); });
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) { out.push([value as Record<string, unknown>, k]); places(v, out); }
  return out;
}

function mutate(object: unknown, next: () => number): unknown {
  const copy = structuredClone(object) as Record<string, unknown>;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const all = places(copy);
  const times = 1 + Math.floor(next() * 3);
  for (let n = 0; n < times; n++) {
    const [container, key] = pick(all.length > 0 ? all : [[copy, 'spec'] as [Record<string, unknown>, string]]);
    const set = (value: unknown) => {
      if (Array.isArray(container)) container[key as number] = value;
      else Object.defineProperty(container, key, { value, enumerable: true, configurable: true, writable: true });
    };
    switch (Math.floor(next() * 12)) {
      case 0: if (Array.isArray(container)) container.splice(key as number, 1); else delete container[key as string]; break;
      case 1: set(null); break;
      case 2: set(pick([0, -1, -(2 ** 53), 2 ** 64, 1e308, 0.5, Number.MAX_SAFE_INTEGER])); break;
      case 3: set(pick(['', 'x', '0', '-1', '1e999', 'true', '100%', 'Never', '0s'])); break;
      case 4: set(pick([true, false])); break;
      case 5: set(pick([[], [null], [{}], [1, 'a']])); break;
      case 6: set(pick([{}, { a: null }, { '': 1 }])); break;
      case 7: {
        const target = all.length > 0 && next() < 0.5 ? pick(all.map(([c, k]) => (Array.isArray(c) ? c[k as number] : (c as Record<string, unknown>)[k as string])).filter((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) ?? copy : copy;
        Object.defineProperty(target, pick(NAMES), { value: pick([1, 'x', null, {}, [], { validate: 1 }]), enumerable: true, configurable: true, writable: true });
        break;
      }
      case 8: set(deep(50 + Math.floor(next() * 2000), 'leaf')); break;
      case 9: copy.kind = pick(['constructor', '__proto__', 'toString', 'List', '', 'Pod', 'NodePool', 'ScaledObject']); break;
      case 10: Object.assign(copy, { kind: 'List', items: pick([[null], [1], [null, {}], 'x', [copy.metadata]]) }); break;
      default: copy.apiVersion = pick(['v1', 'apps/v1', 'karpenter.sh/v1beta1', 'keda.sh/v1alpha1', 'constructor/v1', '', 'x']);
    }
  }
  return copy;
}

describe('the validator on mutated manifests', () => {
  it('reports, and never throws or fails on an object itself, for 3,000 mutations of the fixed base', () => {
    const next = random(20261202);
    const crashes: string[] = [];
    // 150 sets of 20 mutated objects each, in place of the originals, so that the cross-object
    // checks (placement, fit, budgets) meet them too.
    for (let round = 0; round < 150; round++) {
      const set = BASE.map((object) => ({ object }));
      for (let n = 0; n < 20; n++) {
        const i = Math.floor(next() * set.length);
        const mutated = mutate(BASE[i], next) as { kind?: unknown; items?: unknown };
        set[i] = { object: mutated as never };
      }
      try {
        const result = validate(set, { complete: true });
        for (const f of result.findings.filter((x) => x.rule === 'validator')) crashes.push(`round ${round}, ${f.object.kind} ${f.object.name}: ${f.message}`);
      } catch (error) {
        crashes.push(`round ${round}: threw ${(error as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
      }
    }
    expect(crashes.slice(0, 10), `${crashes.length} crashes`).toEqual([]);
  });

  describe('through the CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-cli-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const run = (file: string, text: string) => {
      writeFileSync(join(dir, file), text);
      // A finding echoes the value it is about: for the 5,000-deep case that is some 50 MB of
      // indented JSON, past spawnSync's 1 MB default (the child was killed, exit null).
      return spawnSync(process.execPath, [join(ROOT, '.build', 'validate.js'), '--format', 'json', join(dir, file)], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
    };
    const yamlOf = (objects: unknown[]) => objects.map((o) => stringify(o)).join('---\n');

    it('exits 0, 1 or 2, prints only JSON, and never a stack trace', () => {
      const next = random(7);
      const texts = [
        yamlOf(BASE.slice(0, 5).map((o) => mutate(o, next))),
        yamlOf(BASE.slice(5, 12).map((o) => mutate(o, next))),
        // Duplicate keys, anchors and aliases, and an alias bomb.
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n',
        'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: a\ndata:\n  k: v\n---\napiVersion: v1\nkind: Secret\nmetadata: *m\n',
        ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`), 'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb}'].join('\n'),
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  k: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
        'kind: List\napiVersion: v1\nitems: [null, 1, {kind: Pod}]\n',
        ': not yaml : [\n',
      ];
      for (const [i, text] of texts.entries()) {
        const result = run(`case-${i}.yaml`, text);
        expect([0, 1, 2], `case ${i}: exit ${result.status}\n${result.stderr}`).toContain(result.status);
        expect(result.stderr, `case ${i}`).not.toMatch(/\n\s+at /);
        const json = JSON.parse(result.stdout);
        if (result.status === 2) expect(json.error, `case ${i}`).toBeTypeOf('string');
        else expect(json.findings.filter((f: { rule: string }) => f.rule === 'validator'), `case ${i}`).toEqual([]);
      }
      expect(JSON.parse(run('bomb.yaml', texts[4]!).stdout).error).toMatch(/excessive aliasing/);
    });
  });
});

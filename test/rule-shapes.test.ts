import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../packages/karpenter-validate/src/validation';
import { Reporter, type Finding, type Input, type KubeObject } from '../packages/karpenter-validate/src/validation/findings';
import { checkCoreUpdate } from '../packages/karpenter-validate/src/validation/updates';
import { parseYaml } from './helpers';

/**
 * Every rule survives any JSON value in any field. The schema layer checks an object's shape only
 * where it knows the kind: an object in a group no schema is known for (`example.com/v1`,
 * "unknown-kind", a warning) reaches every rule unchecked, and one the API server refuses (a
 * version its group does not serve, `apps/v2`) still reaches the rules that read refused objects
 * (waivers, the pods a ConfigMap embeds, the references and cluster checks that resolve names
 * against them). So each field of the fixed corpus (test/oracle/controlplane/base: a snapshot of
 * dist/prod and dist/argocd, and objects of other kinds; not the live dist/) holds, in turn, each
 * kind of JSON value, under its own apiVersion, an unserved version of its group and an unknown
 * group, and the validator must report, never fail (rule "validator") or throw. Exhaustive, no
 * seed: the places are every field of the corpus (array items beyond the second left out: they
 * repeat the shapes of the first two), one object per kind and path.
 */
const BASE_DIR = join(resolve(__dirname, '..'), 'test', 'oracle', 'controlplane', 'base');
const BASE: KubeObject[] = readdirSync(BASE_DIR).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) => parseYaml(readFileSync(join(BASE_DIR, f), 'utf8')).filter((o) => o !== null)) as KubeObject[];

/** One of each kind of JSON value, and the shapes a rule may expect instead: a list of mixed items, an object of wrong members. */
const VALUES: readonly unknown[] = [null, true, -1.5, 'x', [null, 1, 'x', [], {}], { '': null, x: [1] }];

type Place = readonly (string | number)[];

function placesOf(value: unknown, at: Place = [], out: Place[] = []): Place[] {
  if (Array.isArray(value)) value.slice(0, 2).forEach((item, i) => (out.push([...at, i]), placesOf(item, [...at, i], out)));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) (out.push([...at, key]), placesOf(item, [...at, key], out));
  return out;
}

/** Each (kind, path) of the corpus once, with the first object that has it; apiVersion and kind are the variants' to change. */
function distinctPlaces(): { object: KubeObject; place: Place }[] {
  const seen = new Set<string>();
  const out: { object: KubeObject; place: Place }[] = [];
  for (const object of BASE) {
    for (const place of placesOf(object)) {
      if (place.length === 1 && (place[0] === 'apiVersion' || place[0] === 'kind')) continue;
      const key = `${String(object.kind)} ${place.map((p) => (typeof p === 'number' ? `#${p}` : p)).join('.')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ object, place });
    }
  }
  return out;
}

function withValue(object: KubeObject, place: Place, value: unknown, serial: number): Record<string, any> {
  const copy = structuredClone(object) as Record<string, any>;
  // Its own name, so that the set holds every mutant (a cluster keeps one object per identity).
  if (copy.metadata !== null && typeof copy.metadata === 'object' && typeof copy.metadata.name === 'string') copy.metadata.name = `${copy.metadata.name}-m${serial}`;
  let container: any = copy;
  for (const key of place.slice(0, -1)) container = container[key];
  Object.defineProperty(container, place[place.length - 1]!, { value: structuredClone(value), enumerable: true, configurable: true, writable: true });
  return copy;
}

const VARIANTS: readonly { name: string; apiVersion: (apiVersion: string) => string }[] = [
  { name: 'its own apiVersion', apiVersion: (v) => v },
  { name: 'an unserved version of its group', apiVersion: (v) => (v.includes('/') ? `${v.split('/')[0]}/v999` : 'v999') },
  { name: 'a group no schema is known for', apiVersion: () => 'example.com/v1' },
];

describe('every rule survives any JSON value in any field', () => {
  const places = distinctPlaces();

  it.each(VARIANTS)('under $name', ({ apiVersion }) => {
    const crashes: string[] = [];
    const findings: Finding[] = [];
    let serial = 0;
    const batch: Input[] = [];
    const run = () => {
      // The unmutated corpus beside the mutants: the cross-object rules meet them with the pools,
      // node classes, budgets and namespaces they relate to.
      const set: Input[] = [...BASE.map((object) => ({ object })), ...batch];
      try {
        const result = validate(set, { complete: true, production: true });
        for (const f of result.findings) {
          if (f.object.name.includes('-m')) findings.push(f);
          if (f.rule === 'validator') crashes.push(`${f.object.kind} ${f.object.name} (${f.object.source}): ${f.message}`);
        }
      } catch (error) {
        crashes.push(`threw on ${batch.map((b) => b.source).join(', ')}: ${(error as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
      }
      batch.length = 0;
    };
    for (const { object, place } of places) {
      for (const value of VALUES) {
        const mutant = withValue(object, place, value, serial++);
        if (typeof object.apiVersion === 'string') mutant.apiVersion = apiVersion(object.apiVersion);
        batch.push({ object: mutant, source: `${String(object.kind)} ${place.join('.')} = ${JSON.stringify(value)}` });
        if (batch.length === 400) run();
      }
    }
    if (batch.length > 0) run();
    expect(crashes.slice(0, 10), `${crashes.length} crashes`).toEqual([]);
    // The mutants reached the rules, not only the schema layer.
    const rules = new Set(findings.map((f) => f.rule));
    expect(findings.length).toBeGreaterThan(places.length);
    if (apiVersion('apps/v1') === 'example.com/v1') {
      for (const rule of ['image-pinned', 'requests-limits', 'placement', 'pod-security', 'external-reference', 'pdb-selects', 'pool-limits', 'imdsv2', 'waiver']) expect(rules, rule).toContain(rule);
    }
  });

  // Updates are checked on every object, refused or not (the API server reports immutable fields
  // with its other errors): each mutant as the new and as the old version of its original.
  it('in an update, as the new version and as the old', () => {
    const crashes: string[] = [];
    let serial = 0;
    for (const { object, place } of places) {
      for (const value of VALUES) {
        const mutant = withValue(object, place, value, serial++) as KubeObject;
        const named = { ...object, metadata: mutant.metadata } as KubeObject;
        for (const [now, before] of [[mutant, named], [named, mutant]] as const) {
          try {
            checkCoreUpdate(now, before, new Reporter({ kind: String(object.kind), name: 'update' }));
          } catch (error) {
            crashes.push(`${String(object.kind)} ${place.join('.')} = ${JSON.stringify(value)}: ${(error as Error).message}`);
          }
        }
      }
    }
    expect(crashes.slice(0, 10), `${crashes.length} crashes`).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { parse } from '@bufbuild/cel';
import { RE2JS } from 're2js';
import { compileCel, UnsupportedCel } from '../packages/karpenter-validate/src/validation/cel-compile';
import * as rt from '../packages/karpenter-validate/src/validation/cel-runtime';
import { interpret, toCel } from '../packages/karpenter-validate/src/validation/cel-interpreter';
import { evaluate, isCompiled } from '../packages/karpenter-validate/src/validation/cel';
import { CUSTOM_KINDS, schemaOf } from '../packages/karpenter-validate/src/validation/crd';
import { isTransitionRule } from '../packages/karpenter-validate/src/validation/crd-schema';
import { nativeRegExp, toNativeSource } from '../packages/karpenter-validate/src/validation/regex';
import { StructuralSchema } from '../packages/karpenter-validate/src/validation/structural';
import { random } from './random';

/**
 * The CRDs' CEL rules run compiled to JavaScript (packages/karpenter-validate/src/validation/cel-compile.ts over
 * cel-runtime.ts); @bufbuild/cel's interpreter is the reference. Every rule of every pinned CRD
 * is run both ways on values generated from the schema at the rule's place, built from the
 * rule's own string literals so that each branch is reached, and must give the same outcome:
 * true, false, or an error.
 */
interface PlacedRule {
  readonly kind: string;
  readonly rule: string;
  readonly schema: StructuralSchema;
}

function placedRules(): PlacedRule[] {
  const found: PlacedRule[] = [];
  const walk = (kind: string, schema: StructuralSchema) => {
    for (const v of schema['x-kubernetes-validations'] ?? []) found.push({ kind, rule: v.rule, schema });
    for (const child of Object.values(schema.properties ?? {})) walk(kind, child);
    if (schema.items) walk(kind, schema.items);
    if (typeof schema.additionalProperties === 'object') walk(kind, schema.additionalProperties);
  };
  for (const kind of CUSTOM_KINDS.values()) walk(kind.kind, schemaOf(kind));
  return found;
}

/** Strings a rule is likely to branch on: its literals, and near misses of them. */
function stringsOf(rule: string): string[] {
  const literals = [...rule.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2]);
  const near = literals.flatMap((l) => [l, `${l}@latest`, `${l}@v1`, `x${l}`, `${l.split('/')[0]}/x`, `${l}x`, l.toUpperCase()]);
  return [...new Set(['', 'a', '-a', 'a@b', '@', '12', '-3', 'x/y', 'é😀\n', ...near])];
}

/** A value of `schema` (of its type, as CEL rules only run on objects that pass the schema). */
function valueOf(schema: StructuralSchema, next: () => number, strings: readonly string[], depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  if (schema.enum && next() < 0.8) return pick(schema.enum);
  if (schema['x-kubernetes-int-or-string']) return next() < 0.5 ? Math.floor(next() * 6) - 1 : pick(strings);
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      if (depth > 4) return out;
      for (const [key, field] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(key) || next() < 0.5) out[key] = valueOf(field, next, strings, depth + 1);
      }
      if (typeof schema.additionalProperties === 'object') {
        const n = Math.floor(next() * 4);
        for (let i = 0; i < n; i++) out[pick(strings)] = valueOf(schema.additionalProperties, next, strings, depth + 1);
      }
      return out;
    }
    case 'array': {
      const n = Math.floor(next() * 4);
      return depth > 4 || !schema.items ? [] : Array.from({ length: n }, () => valueOf(schema.items!, next, strings, depth + 1));
    }
    case 'integer':
      return Math.floor(next() * 8) - 2;
    case 'number':
      return Math.floor(next() * 16) / 4 - 1;
    case 'boolean':
      return next() < 0.5;
    default:
      return pick(strings);
  }
}

type Outcome = boolean | 'error' | `other: ${string}`;

function compiledOutcome(source: string, self: unknown, oldSelf: unknown): Outcome {
  const result = (new Function('rt', `return ${source}`)(rt) as (s: unknown, o: unknown) => unknown)(self, oldSelf);
  return rt.isErr(result) ? 'error' : typeof result === 'boolean' ? result : `other: ${String(result)}`;
}

function interpretedOutcome(rule: string, self: unknown, oldSelf: unknown, schema: StructuralSchema): Outcome {
  const result = interpret(rule, toCel(self, schema), oldSelf === undefined ? undefined : toCel(oldSelf, schema));
  if (result !== null && typeof result === 'object' && 'error' in result) return 'error';
  return typeof result === 'boolean' ? result : `other: ${String(result)}`;
}

describe('CEL rules compiled to JavaScript', () => {
  const rules = placedRules();

  it('compiles every rule of the pinned CRDs, and the validator runs them compiled', () => {
    expect(rules.length).toBeGreaterThan(60);
    for (const { rule } of rules) {
      expect(() => compileCel(rule), rule).not.toThrow();
      expect(isCompiled(rule), rule).toBe(true);
    }
  });

  it('agrees with the @bufbuild/cel interpreter on every rule, over generated values', () => {
    const next = random(20261202);
    const seen = new Map<string, Set<Outcome>>();
    for (const { rule, schema } of rules) {
      const source = compileCel(rule);
      const strings = stringsOf(rule);
      const outcomes = new Set<Outcome>();
      for (let i = 0; i < 150; i++) {
        const self = valueOf(schema, next, strings);
        const oldSelf = isTransitionRule(rule) ? (next() < 0.5 ? self : valueOf(schema, next, strings)) : undefined;
        const want = interpretedOutcome(rule, self, oldSelf, schema);
        const got = compiledOutcome(source, self, oldSelf);
        if (got !== want) expect.fail(`${rule}\n  self: ${JSON.stringify(self)}\n  oldSelf: ${JSON.stringify(oldSelf)}\n  interpreter: ${want}, compiled: ${got}`);
        outcomes.add(got);
      }
      seen.set(rule, outcomes);
    }
    // The generated values are worth something only if they reach both results of most rules.
    const both = [...seen.values()].filter((o) => o.has(true) && o.has(false)).length;
    expect(both / seen.size).toBeGreaterThan(0.7);
  });

  it("keeps cel-go's error rules: && and || absorb an error the other side decides, macros too", () => {
    // cel-go's messages, as the API server prints them after the field.
    const run = (rule: string, self: unknown) => {
      const result = (new Function('rt', `return ${compileCel(rule)}`)(rt) as (s: unknown) => unknown)(self);
      return rt.isErr(result) ? result.message : result;
    };
    for (const [rule, self] of [
      ['self.a && self.b', { b: false }],
      ['self.b && self.a', { b: false }],
      ['self.a || self.b', { b: true }],
      ['self.all(x, x.a)', [{}, { a: false }]],
      ['self.exists(x, x.a)', [{}, { a: true }]],
      ["self.exists_one(x, x == 'a')", ['a', 'b']],
      ["self.map(x, x.size()) == [1, 2]", ['a', 'bc']],
    ] as const) {
      expect(() => compileCel(rule), rule).not.toThrow();
      expect(compiledOutcome(compileCel(rule), self, undefined), rule).toBe(interpretedOutcome(rule, self, undefined, {}));
    }
    expect(run('self.a && self.b', { b: true })).toBe('no such key: a');
    expect(run("int(self) > 0", '12x')).toBe('strconv.ParseInt: parsing "12x": invalid syntax');
    expect(run('self[2] == 1', [1])).toBe("index '2' out of range in list size '1'");
  });

  it('refuses what it does not implement, and the validator interprets those rules instead', () => {
    for (const rule of ['self.a + 1 > 2', 'self.x == 1.5', 'duration(self) > duration("1h")', 'self.all(k, v, v != "")', "type(self) == string"]) {
      expect(() => compileCel(rule), rule).toThrow(UnsupportedCel);
    }
    expect(isCompiled('self.a + 1 > 2')).toBe(false);
    expect(evaluate('self.a + 1 > 2', { a: 2 }, { type: 'object', properties: { a: { type: 'integer' } } })).toBe(true);
  });

  it('compiles to the same source from the same rule (the generated file is deterministic)', () => {
    for (const { rule } of rules.slice(0, 10)) expect(compileCel(rule)).toBe(compileCel(rule));
    // The parser the compiler reads is the interpreter's own.
    expect(parse('self.size() != 0').expr).toBeDefined();
  });
});

/** Every pattern the pinned CRDs hold: the schemas' `pattern`s and the regular expressions in CEL rules. */
function patternsOfCrds(): string[] {
  const out = new Set<string>();
  const walk = (schema: StructuralSchema) => {
    if (schema.pattern !== undefined) out.add(schema.pattern);
    for (const v of schema['x-kubernetes-validations'] ?? []) for (const m of v.rule.matchAll(/\.(?:matches|find|findAll)\((['"])(.*?)\1/g)) out.add(m[2]);
    for (const child of Object.values(schema.properties ?? {})) walk(child);
    if (schema.items) walk(schema.items);
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties);
    for (const alt of schema.anyOf ?? []) walk(alt);
  };
  for (const kind of CUSTOM_KINDS.values()) walk(schemaOf(kind));
  return [...out];
}

describe('RE2 patterns run as native regular expressions where the meaning is the same', () => {
  const next = random(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const ALPHABET = [...'aAzZ09-_./@:%+ sgmhiKMGTPEeB\n\r\t\u2028é😀', 'Gi', 'ami-', 'subnet-', '100', '1.5', 'ms', 'http://', '@daily'];
  const textFor = (pattern: string) => {
    const parts = [...ALPHABET, ...[...pattern.replace(/[\\^$()[\]|*+?{}]/g, '')]];
    return Array.from({ length: Math.floor(next() * 10) }, () => pick(parts)).join('');
  };
  const agree = (pattern: string, texts: number) => {
    const native = nativeRegExp(pattern);
    if (!native) return false;
    const re2 = RE2JS.compile(pattern);
    for (let i = 0; i < texts; i++) {
      const text = textFor(pattern);
      const m = re2.matcher(text);
      const found = m.find();
      const first: RegExpExecArray | null = native.exec(text);
      if (found !== (first !== null) || (found && m.group() !== first![0])) expect.fail(`/${pattern}/ on ${JSON.stringify(text)}: re2js ${found ? JSON.stringify(m.group()) : 'no match'}, native ${first ? JSON.stringify(first[0]) : 'no match'}`);
    }
    return true;
  };

  it('agrees with re2js on every pattern of the pinned CRDs that it translates, and translates most', () => {
    const patterns = patternsOfCrds();
    expect(patterns.length).toBeGreaterThan(15);
    const translated = patterns.filter((p) => agree(p, 400));
    expect(translated.length / patterns.length).toBeGreaterThan(0.9);
    // The one with a flag is RE2's alone.
    expect(toNativeSource('^(?i)(abort|warn)?$')).toBeUndefined();
  });

  it('agrees with re2js on generated patterns', () => {
    const atoms = ['a', 'b', '.', '\\d', '\\s', '\\w', '[a-c]', '[^b]', '[-a]', '\\.', '@', '/', 'é', '😀', '\\n', '{', '}', ']', '\\b'];
    const gen = (depth: number): string => {
      let out = '';
      const n = 1 + Math.floor(next() * 4);
      for (let i = 0; i < n; i++) {
        let atom = depth < 2 && next() < 0.2 ? `(${next() < 0.5 ? '?:' : ''}${gen(depth + 1)}${next() < 0.3 ? `|${gen(depth + 1)}` : ''})` : pick(atoms);
        if (next() < 0.4 && atom !== '\\b') atom += pick(['*', '+', '?', '*?', '+?', '{2}', '{1,3}', '{2,}']);
        out += atom;
      }
      return out;
    };
    let translated = 0;
    for (let i = 0; i < 400; i++) {
      const pattern = `${next() < 0.3 ? '^' : ''}${gen(0)}${next() < 0.3 ? '$' : ''}`;
      if (agree(pattern, 40)) translated++;
    }
    expect(translated).toBeGreaterThan(300);
  });

  it('leaves to re2js what it cannot prove the same', () => {
    for (const p of ['(?i)a', '(?P<n>a)', '[[:alpha:]]', '\\pL', '\\x41', '\\Qa.b\\E', '\\z', 'a**', '[]a]', '[\\D]', 'a{1001}']) expect(toNativeSource(p), p).toBeUndefined();
    // RE2 `.` matches "\r" and U+2028 (only "\n" is excluded); ECMAScript's does not.
    expect(nativeRegExp('^.$')!.test('\r')).toBe(true);
    expect(nativeRegExp('^\\s$')!.test('\u00a0')).toBe(false);
  });
});

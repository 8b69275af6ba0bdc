import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { emitYaml, YAML_OPTIONS } from '../lib/synth/yaml-emit';
import { random } from './random';

/**
 * lib/synth/yaml-emit.ts must write exactly what `yaml`'s stringify writes: on every document synth
 * wrote to dist/, every fixture, and seeded random values built from the strings YAML finds
 * hardest (numbers, booleans and nulls as text, indicators, comments, document markers, trailing
 * and leading spaces, blank lines, control characters, long lines, long keys).
 */
const ROOT = resolve(__dirname, '..');
const reference = (value: unknown) => stringify(value, YAML_OPTIONS as never);

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}


const HARD = [
  '', ' ', '  lead', 'trail ', 'true', 'False', 'NULL', 'null', '~', 'yes', 'no', 'on', '0', '-1', '1e3', '0x1F', '0o17', '.5', '1_000', '.inf', '-.Inf', '.nan',
  '- item', '-', '?', '? key', ': x', 'a: b', 'a:b', 'a #b', '#c', 'x#y', '&anchor', '*alias', '!tag', '|', '>', "'q'", '"dq"', "it's", 'both \' and "', '%TAG', '@at', '`tick',
  '---', '--- x', '...', 'a\n---\nb', 'line1\nline2', 'line1\nline2\n', 'a\n\nb', 'x\n  indented\ny', ' lead\nline', 'trailing space \nx', 'tab\there', 'bell\u0007', 'nul\u0000',
  'unicode é ü 漢字', 'emoji 🚀', '\u2028sep', 'a'.repeat(200), `${'word '.repeat(40)}end`, '{"json": 1}', '[1, 2]', 'k8s.io/name', 'http://example.com:8080/x?y=1#z', '${VAR}', '{{ $labels.x }}',
  '\n', '\n\nlead', 'end\n\n', 'a\n ', '  \n', 'x'.repeat(1030),
];

function value(next: () => number, depth: number): unknown {
  const r = next();
  if (depth > 4 || r < 0.45) {
    const s = next();
    if (s < 0.6) return HARD[Math.floor(next() * HARD.length)];
    if (s < 0.75) return Math.floor(next() * 2e6) - 1e6;
    if (s < 0.82) return next() * 100;
    if (s < 0.9) return next() < 0.5;
    return null;
  }
  if (r < 0.7) return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
  const out: Record<string, unknown> = {};
  const keys = Math.floor(next() * 5);
  for (let i = 0; i < keys; i++) out[next() < 0.7 ? `key${Math.floor(next() * 50)}` : HARD[Math.floor(next() * HARD.length)]!] = value(next, depth + 1);
  return out;
}

describe('emitYaml', () => {
  it('writes every document of dist/ and of the fixtures as yaml does', () => {
    const files = [...yamlFiles(join(ROOT, 'dist')), ...yamlFiles(join(ROOT, 'test', 'fixtures'))];
    let documents = 0;
    for (const file of files) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const v = doc.toJS();
        documents++;
        expect(emitYaml(v), file).toBe(reference(v));
      }
    }
    expect(documents).toBeGreaterThan(100);
  });

  it('writes 3000 seeded random values as yaml does, hard strings included', () => {
    const next = random(20261202);
    for (let i = 0; i < 3000; i++) {
      const v = value(next, 0);
      expect(emitYaml(v), JSON.stringify(v)).toBe(reference(v));
    }
  });

  it('writes what a YAML 1.1 reader (kubectl, Argo CD: go-yaml v2) reads back as the same value, and a YAML 1.2 reader too', () => {
    // go-yaml v2 reads these plain scalars as booleans, numbers or null.
    const ambiguous = ['yes', 'Yes', 'NO', 'on', 'Off', 'y', 'n', 'Y', '0644', '0o17', '0x1F', '1_000', '1:30', '-1:30', '.5', '+1', '1e3', '~', 'null', 'True', '2024-01-01'];
    for (const s of ambiguous) {
      for (const v of [{ a: s }, { [s]: 'x' }, [s]]) {
        const text = emitYaml(v);
        expect(parse(text, { version: '1.1' }), `${JSON.stringify(v)} as YAML 1.1: ${text}`).toEqual(v);
        expect(parse(text), `${JSON.stringify(v)} as YAML 1.2: ${text}`).toEqual(v);
      }
    }
    // Values without line breaks in their strings: block scalars of whitespace-only lines do not
    // round-trip through the yaml library itself (a string "  \n" reads back as "\n"), in either
    // version; what matters here is how a plain scalar resolves.
    const next = random(7);
    let checked = 0;
    for (let i = 0; i < 1500; i++) {
      const v = value(next, 0);
      if (JSON.stringify(v).includes('\\n')) continue;
      expect(parse(emitYaml(v), { version: '1.1' }), JSON.stringify(v)).toEqual(v);
      expect(parse(emitYaml(v)), JSON.stringify(v)).toEqual(v);
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('writes every hard string as a key, a value and a list item as yaml does', () => {
    for (const s of HARD) {
      for (const v of [s, { [s]: s }, [s], { a: { b: [s, { c: s }] } }]) expect(emitYaml(v), JSON.stringify(v)).toBe(reference(v));
    }
  });
});

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layout shows the flow (README, Layout): main.ts composes environments from charts/, charts
// use lib/ and config/, lib/ never reaches up into charts/, the validator package depends on
// nothing of the project and the project uses it only through its public entry points; and no
// module imports itself back through others (type imports included: a circle of types is a
// circle of meaning, and the next value import makes it a circle at run time).
const ROOT = join(__dirname, '..');
const PACKAGE = 'packages/karpenter-validate';
const SOURCES = ['main.ts', 'compose.ts', 'config', 'charts', 'lib', `${PACKAGE}/src`, 'scripts'];
const EXPORTS = Object.keys((JSON.parse(readFileSync(join(ROOT, PACKAGE, 'package.json'), 'utf8')) as { exports: Record<string, string> }).exports)
  .filter((key) => key !== './package.json')
  .map((key) => `karpenter-validate${key.slice(1)}`);

function filesUnder(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (['node_modules', 'dist'].includes(e.name) ? [] : filesUnder(join(path, e.name))) : /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(path, e.name)] : []));
}

const FILES = SOURCES.flatMap(filesUnder);

/** Every module specifier a file imports or re-exports, types included. */
function specifiers(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s*'([^']+)'|^\s*import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

/** The project file a specifier names (the package's entry points at their sources), or undefined for a dependency. */
function target(file: string, spec: string): string | undefined {
  if (spec === 'karpenter-validate') return `${PACKAGE}/src/index.ts`;
  if (spec.startsWith('karpenter-validate/')) return `${PACKAGE}/src/${spec.slice('karpenter-validate/'.length)}.ts`;
  if (!spec.startsWith('.')) return undefined;
  const base = normalize(join(dirname(file), spec));
  return [`${base}.ts`, join(base, 'index.ts'), base].find((c) => existsSync(join(ROOT, c)) && statSync(join(ROOT, c)).isFile());
}

const GRAPH = new Map(FILES.map((file) => [file, specifiers(file).flatMap((spec) => target(file, spec) ?? [])]));

/** The strongly connected components of more than one module (Tarjan). */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the layout', () => {
  it('has no import circle, type imports included', () => {
    expect(circles(GRAPH)).toEqual([]);
  });

  it('finds a circle when there is one (the check itself)', () => {
    expect(circles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
  });

  it('keeps lib/ below charts/: no file of lib/ or config/ imports charts/ or compose.ts', () => {
    const upward = FILES.filter((f) => f.startsWith('lib/') || f.startsWith('config/')).flatMap((f) => (GRAPH.get(f) ?? []).filter((t) => t.startsWith('charts/') || t === 'compose.ts').map((t) => `${f} -> ${t}`));
    expect(upward).toEqual([]);
  });

  it('keeps the validator package to itself: it imports nothing of the project, cdk8s included', () => {
    const inside = FILES.filter((f) => f.startsWith(`${PACKAGE}/`));
    const outward = inside.flatMap((f) => (GRAPH.get(f) ?? []).filter((t) => !t.startsWith(`${PACKAGE}/`)).map((t) => `${f} -> ${t}`));
    expect(outward).toEqual([]);
    const dependencies = inside.flatMap((f) => specifiers(f).filter((s) => !s.startsWith('.') && !s.startsWith('node:')).map((s) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/')));
    const declared = Object.keys((JSON.parse(readFileSync(join(ROOT, PACKAGE, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    expect([...new Set(dependencies)].filter((d) => !declared.includes(d))).toEqual([]);
  });

  it('uses the validator only through its public entry points (package.json "exports")', () => {
    const outside = FILES.filter((f) => !f.startsWith(`${PACKAGE}/`) && f !== 'scripts/compile-validators.ts');
    const wrong = outside.flatMap((f) =>
      specifiers(f)
        .filter((s) => (s.startsWith('karpenter-validate') && !EXPORTS.includes(s)) || (s.startsWith('.') && target(f, s)?.startsWith(`${PACKAGE}/`)))
        .map((s) => `${relative(ROOT, join(ROOT, f))}: ${s}`),
    );
    expect(wrong).toEqual([]);
  });
});

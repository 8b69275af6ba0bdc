// The type check of config/ that `npm run synth` runs before it bundles: esbuild strips types
// without checking them, so without this a typo (`weigth: 10`, `minReplica: 3`, a workload key
// that names no workload, a key given twice) would pass synth silently. The TypeScript types of
// config/types.ts and config/workloads.ts are the one source of truth for the shape of config;
// this checks every file of config/ against them, in about half a second, and only when config/ changed
// (scripts/bundle.mjs). Unknown keys are reported with their path and the closest valid key.
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

// Required, not imported: importing a CommonJS module from ES modules makes node scan its source
// for named exports (cjs-module-lexer), a third of a second for typescript.js's 9 MB, measured.
const ts = createRequire(import.meta.url)('typescript');

const root = resolve(import.meta.dirname, '..');

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Levenshtein distance, for "did you mean". */
function distance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** The path of a node inside the exported value it belongs to: `prod.pools.default.weigth`. */
function pathOf(node) {
  const parts = [];
  for (let at = node; at; at = at.parent) {
    if (ts.isPropertyAssignment(at) || ts.isShorthandPropertyAssignment(at)) parts.unshift(at.name.getText().replace(/^['"]|['"]$/g, ''));
    else if (ts.isArrayLiteralExpression(at.parent ?? {}) ) parts.unshift(`[${at.parent.elements.indexOf(at)}]`);
    else if (ts.isVariableDeclaration(at)) {
      parts.unshift(at.name.getText());
      break;
    }
  }
  return parts.join('.').replace(/\.\[/g, '[');
}

/** The node a diagnostic points at. */
function nodeAt(sourceFile, position) {
  let found;
  (function visit(node) {
    if (position >= node.getStart(sourceFile) && position < node.getEnd()) {
      found = node;
      ts.forEachChild(node, visit);
    }
  })(sourceFile);
  return found;
}

/** One diagnostic in the project's words: file:line:col, the path in config, what is wrong, and the fix. */
function describe(diagnostic, checker, project) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  if (!diagnostic.file) return message;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const where = `${relative(project, diagnostic.file.fileName)}:${line + 1}:${character + 1}`;
  const node = nodeAt(diagnostic.file, diagnostic.start);
  // Unknown keys (TS2353, TS2561): name the valid keys of the object and the closest one.
  if ((diagnostic.code === 2353 || diagnostic.code === 2561) && node) {
    const property = ts.findAncestor(node, (n) => ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n));
    const literal = property?.parent;
    const contextual = literal && checker.getContextualType(literal);
    const type = contextual && checker.getNonNullableType(contextual);
    if (property && type) {
      const key = property.name.getText().replace(/^['"]|['"]$/g, '');
      const valid = checker.getPropertiesOfType(checker.getApparentType(type)).map((p) => p.getName());
      const closest = [...valid].sort((a, b) => distance(key, a) - distance(key, b))[0];
      const suggestion = closest !== undefined && distance(key, closest) <= Math.max(2, Math.floor(key.length / 3)) ? `did you mean '${closest}'? ` : '';
      return `${where}: '${pathOf(property)}' (${JSON.stringify(key)}) must be a key of ${checker.typeToString(type)}: ${suggestion}(valid: ${valid.join(', ')})`;
    }
  }
  const path = node ? pathOf(node) : '';
  return `${where}: ${path ? `'${path}': ` : ''}${message}`;
}

/**
 * Type-checks every .ts file under `<project>/config/`; returns the problems, one per line (empty
 * when config is well-typed). Paths in messages are relative to the project.
 */
export function checkConfig(project = root) {
  const files = filesUnder(join(project, 'config'));
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2022.d.ts'],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  });
  const checker = program.getTypeChecker();
  return ts.getPreEmitDiagnostics(program).map((d) => describe(d, checker, project));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = checkConfig();
  for (const problem of problems) console.error(problem);
  process.exitCode = problems.length > 0 ? 1 : 0;
}

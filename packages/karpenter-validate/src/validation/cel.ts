import * as runtime from './cel-runtime';
import { requireSchemaModule } from './schema-files';
import { StructuralSchema } from './structural';

/**
 * CEL rules as the API server evaluates `x-kubernetes-validations`. The pinned CRDs' rules
 * come compiled to JavaScript (schemas/crds/cel.js, written by `npm run schemas` with
 * src/validation/cel-compile.ts): no parser or planner loads at run time. Any other rule is
 * interpreted by @bufbuild/cel (src/validation/cel-interpreter.ts), loaded on first need.
 */
type Compiled = (self: unknown, oldSelf: unknown) => unknown;
type Interpreter = typeof import('./cel-interpreter');

let interpreter: Interpreter | undefined;

/**
 * Hands over the interpreter module where `require` cannot load it on first need: under
 * vitest, Node's require does not read TypeScript (test/setup.ts). The bundles and ts-node do.
 */
export function useInterpreter(module: Interpreter): void {
  interpreter = module;
}

let compiledAheadOfTime: ReadonlyMap<string, Compiled> | undefined;

/** Loads the compiled rules (once). */
export function loadCompiledRules(): ReadonlyMap<string, Compiled> {
  compiledAheadOfTime ??= requireSchemaModule<(rt: typeof runtime) => ReadonlyMap<string, Compiled>>('crds', 'cel.js')(runtime);
  return compiledAheadOfTime;
}

function compiled(rule: string): Compiled | undefined {
  return loadCompiledRules().get(rule);
}

/** Whether `rule` runs compiled (otherwise it is interpreted). */
export function isCompiled(rule: string): boolean {
  return compiled(rule) !== undefined;
}

/**
 * Evaluates `rule` with `self` (and, for a transition rule, `oldSelf`) bound to JSON values of
 * `schema`'s type: true, false, or the evaluation error's text.
 */
export function evaluate(rule: string, self: unknown, schema: StructuralSchema | undefined, oldSelf?: unknown): boolean | string {
  const program = compiled(rule);
  let result: unknown;
  if (program) {
    result = program(self, oldSelf);
    if (runtime.isErr(result)) return result.message;
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for a rule not compiled
    interpreter ??= require('./cel-interpreter') as Interpreter;
    const { interpret, toCel } = interpreter;
    result = interpret(rule, toCel(self, schema), oldSelf === undefined ? undefined : toCel(oldSelf, schema));
    if (result !== null && typeof result === 'object' && 'error' in result) return String(result.error);
  }
  if (typeof result !== 'boolean') return `rule evaluated to ${String(result)}, not a bool`;
  return result;
}

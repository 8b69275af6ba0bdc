import { parse } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';

/**
 * Compiles a CEL rule (an `x-kubernetes-validations` rule of the pinned CRDs) to the source of
 * a JavaScript function `(self, oldSelf) => value` over src/validation/cel-runtime.ts, bound as
 * `rt`. Run ahead of time by `npm run schemas` (scripts/compile-validators.ts), so that the
 * validator neither loads a CEL parser nor plans a rule at run time.
 *
 * It accepts the part of CEL the CRDs use: literals, list literals, `self`/`oldSelf`, field
 * selection, `has()`, indexing, the logical, equality, ordering and `in` operators, `?:`, the
 * macros (as the parser expands them into comprehensions), `size`, `int`, and the string
 * functions `startsWith`, `endsWith`, `contains`, `matches`, `find`, `findAll` and `split`.
 * Anything else throws `UnsupportedCel`, and the validator evaluates that rule with
 * @bufbuild/cel's interpreter instead.
 */
export class UnsupportedCel extends Error {}

/** Calls with a fixed runtime function, by CEL overload name (operators and global functions). */
const CALLS: Readonly<Record<string, { fn: string; arity: readonly number[] }>> = {
  '_==_': { fn: 'eq', arity: [2] },
  '_!=_': { fn: 'ne', arity: [2] },
  '_<_': { fn: 'lt', arity: [2] },
  '_<=_': { fn: 'le', arity: [2] },
  '_>_': { fn: 'gt', arity: [2] },
  '_>=_': { fn: 'ge', arity: [2] },
  '@in': { fn: 'isIn', arity: [2] },
  '_&&_': { fn: 'and', arity: [2] },
  '_||_': { fn: 'or', arity: [2] },
  '!_': { fn: 'not', arity: [1] },
  '_[_]': { fn: 'index', arity: [2] },
  '@not_strictly_false': { fn: 'notStrictlyFalse', arity: [1] },
  size: { fn: 'size', arity: [1] },
  int: { fn: 'int', arity: [1] },
  startsWith: { fn: 'startsWith', arity: [2] },
  endsWith: { fn: 'endsWith', arity: [2] },
  contains: { fn: 'contains', arity: [2] },
  matches: { fn: 'matches', arity: [2] },
  find: { fn: 'find', arity: [2] },
  findAll: { fn: 'findAll', arity: [2, 3] },
  split: { fn: 'split', arity: [2] },
};

/** The variables a rule may read (the API server binds `self`, and `oldSelf` on update). */
const ROOTS = new Set(['self', 'oldSelf']);

export function compileCel(rule: string): string {
  let parsed;
  try {
    parsed = parse(rule);
  } catch (error) {
    throw new UnsupportedCel(`does not parse: ${(error as Error).message}`);
  }
  let temps = 0;
  const scope: string[] = [];
  const local = (name: string) => `v_${name.replace(/[^A-Za-z0-9_]/g, (c) => `$${c.charCodeAt(0).toString(16)}`)}`;

  const expr = (e: Expr | undefined): string => {
    if (!e) throw new UnsupportedCel('an empty expression');
    const kind = e.exprKind;
    switch (kind.case) {
      case 'constExpr': {
        const c = kind.value.constantKind;
        switch (c.case) {
          case 'boolValue':
            return String(c.value);
          case 'stringValue':
            return JSON.stringify(c.value);
          case 'nullValue':
            return 'null';
          case 'doubleValue':
            throw new UnsupportedCel('a double literal');
          case 'int64Value': {
            const n = c.value;
            return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? `(${n.toString()})` : `(${n.toString()}n)`;
          }
          default:
            throw new UnsupportedCel(`a ${c.case ?? 'missing'} literal`);
        }
      }
      case 'identExpr': {
        const name = kind.value.name;
        if (scope.includes(name)) return local(name);
        if (ROOTS.has(name)) return name;
        throw new UnsupportedCel(`the variable ${name}`);
      }
      case 'selectExpr': {
        const { operand, field, testOnly } = kind.value;
        return `rt.${testOnly ? 'has' : 'sel'}(${expr(operand)}, ${JSON.stringify(field)})`;
      }
      case 'listExpr': {
        if (kind.value.optionalIndices.length > 0) throw new UnsupportedCel('an optional list element');
        return `rt.list(${kind.value.elements.map(expr).join(', ')})`;
      }
      case 'callExpr': {
        const { function: fn, target, args } = kind.value;
        const all = target ? [target, ...args] : args;
        if (fn === '_?_:_' && all.length === 3) {
          const t = `t${temps++}`;
          return `((${t} = ${expr(all[0])}) === true ? ${expr(all[1])} : ${t} === false ? ${expr(all[2])} : rt.notBool(${t}))`;
        }
        if (fn === '_+_' && all.length === 2 && all.some(isAccumulator)) return `rt.add(${expr(all[0])}, ${expr(all[1])})`;
        const call = Object.hasOwn(CALLS, fn) ? CALLS[fn] : undefined;
        if (!call || !call.arity.includes(all.length)) throw new UnsupportedCel(`the function ${fn} with ${all.length} argument(s)`);
        return `rt.${call.fn}(${all.map(expr).join(', ')})`;
      }
      case 'comprehensionExpr': {
        const c = kind.value;
        if (c.iterVar2 !== '') throw new UnsupportedCel('a two-variable comprehension');
        const range = expr(c.iterRange);
        const init = expr(c.accuInit);
        scope.push(c.accuVar);
        const condition = expr(c.loopCondition);
        const result = expr(c.result);
        scope.push(c.iterVar);
        const step = expr(c.loopStep);
        scope.pop();
        scope.pop();
        const accu = local(c.accuVar);
        return `rt.fold(${range}, ${init}, (${accu}) => ${condition}, (${accu}, ${local(c.iterVar)}) => ${step}, (${accu}) => ${result})`;
      }
      default:
        throw new UnsupportedCel(`a ${kind.case ?? 'missing'} expression`);
    }
  };
  // The macros' accumulator is the only operand `+` is compiled for (see rt.add).
  const isAccumulator = (e: Expr) => e.exprKind.case === 'identExpr' && e.exprKind.value.name.startsWith('@');

  const body = expr(parsed.expr);
  const declared = Array.from({ length: temps }, (_, i) => `t${i}`);
  return declared.length > 0 ? `(self, oldSelf) => { let ${declared.join(', ')}; return ${body}; }` : `(self, oldSelf) => ${body}`;
}

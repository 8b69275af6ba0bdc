import { re2Find, re2FindAll, re2Test } from './regex';

/**
 * The run-time half of the CEL rules compiled to JavaScript (src/validation/cel-compile.ts):
 * each operator and function of the part of CEL the compiler accepts, with cel-go's
 * semantics over the JSON value the API server hands the rule (objects and maps are JSON
 * objects, lists arrays, integers numbers; `int()` of a string beyond 2^53 a BigInt).
 *
 * Errors are values, as in cel-go: an operation on an error gives that error, except `&&`,
 * `||`, `?:` and the macros, which absorb an error when the other side decides the result
 * (`false && error` is false). https://github.com/google/cel-spec/blob/master/doc/langdef.md
 * The test suite runs every compiled rule against @bufbuild/cel's interpreter on generated
 * values (test/validation-cel-compiled.test.ts).
 */
export class CelError {
  constructor(readonly message: string) {}
}

type Value = unknown;
const isErr = (v: Value): v is CelError => v instanceof CelError;
const isMap = (v: Value): v is Record<string, Value> => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof CelError);
const isNum = (v: Value): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';
// A key whose value is undefined is absent: objects built in code may hold one, JSON cannot.
const hasKey = (m: Record<string, Value>, key: string) => Object.hasOwn(m, key) && m[key] !== undefined;
const overload = (fn: string, ...args: Value[]) => new CelError(`no such overload: ${fn}(${args.map(typeName).join(', ')})`);

function typeName(v: Value): string {
  if (v === null) return 'null_type';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return 'int';
  if (typeof v === 'number') return 'double';
  return 'map';
}

/** The first error among `values`, if any (cel-go checks a strict call's arguments in order). */
function firstErr(...values: Value[]): CelError | undefined {
  for (const v of values) if (isErr(v)) return v;
  return undefined;
}

/** `a.field`: the key of an object or map; a missing key is an error. */
export function sel(v: Value, field: string): Value {
  if (isErr(v)) return v;
  if (!isMap(v)) return overload(`.${field}`, v);
  return hasKey(v, field) ? v[field] : new CelError(`no such key: ${field}`);
}

/** `has(a.field)`. */
export function has(v: Value, field: string): Value {
  if (isErr(v)) return v;
  if (!isMap(v)) return overload(`has(.${field})`, v);
  return hasKey(v, field);
}

/** `a[i]`: a list by an int, a map by a key. */
export function index(v: Value, i: Value): Value {
  const e = firstErr(v, i);
  if (e) return e;
  if (Array.isArray(v) && isNum(i) && Number.isInteger(Number(i))) {
    const at = Number(i);
    return at >= 0 && at < v.length ? v[at] : new CelError(`index '${at}' out of range in list size '${v.length}'`);
  }
  if (isMap(v) && typeof i === 'string') return hasKey(v, i) ? v[i] : new CelError(`no such key: ${i}`);
  return overload('_[_]', v, i);
}

export function not(v: Value): Value {
  if (isErr(v)) return v;
  return typeof v === 'boolean' ? !v : overload('!_', v);
}

/** `a && b`: false wins over an error on either side; otherwise the left error first. */
export function and(a: Value, b: Value): Value {
  if (a === false || b === false) return false;
  if (a === true && b === true) return true;
  if (isErr(a)) return a;
  if (isErr(b)) return b;
  return overload('_&&_', a, b);
}

/** `a || b`: true wins over an error on either side. */
export function or(a: Value, b: Value): Value {
  if (a === true || b === true) return true;
  if (a === false && b === false) return false;
  if (isErr(a)) return a;
  if (isErr(b)) return b;
  return overload('_||_', a, b);
}

/** The condition of `c ? a : b` when it is not a bool. */
export function notBool(c: Value): Value {
  return isErr(c) ? c : overload('_?_:_', c);
}

/** `@not_strictly_false`, the macros' loop condition: only false stops the loop. */
export function notStrictlyFalse(v: Value): boolean {
  return v !== false;
}

/** CEL's equality: numbers compare by value across int and double, lists and maps deeply. */
function same(a: Value, b: Value): boolean {
  if (isNum(a) && isNum(b)) return a == b; // eslint-disable-line eqeqeq -- number and bigint by value
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isMap(a)) return isMap(b) && Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  return a === b;
}

export function eq(a: Value, b: Value): Value {
  return firstErr(a, b) ?? same(a, b);
}

export function ne(a: Value, b: Value): Value {
  return firstErr(a, b) ?? !same(a, b);
}

/** Strings order by code point in CEL (UTF-8 bytes), not by UTF-16 unit as `<` does. */
function compareStrings(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function compare(fn: string, a: Value, b: Value): number | CelError {
  const e = firstErr(a, b);
  if (e) return e;
  if (isNum(a) && isNum(b)) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return overload(fn, a, b);
}

const ordered = (fn: string, test: (c: number) => boolean) => (a: Value, b: Value): Value => {
  const c = compare(fn, a, b);
  return isErr(c) ? c : test(c);
};
export const lt = ordered('_<_', (c) => c < 0);
export const le = ordered('_<=_', (c) => c <= 0);
export const gt = ordered('_>_', (c) => c > 0);
export const ge = ordered('_>=_', (c) => c >= 0);

/** `e in list` (by equality) and `key in map`. */
export function isIn(e: Value, coll: Value): Value {
  const err = firstErr(e, coll);
  if (err) return err;
  if (Array.isArray(coll)) return coll.some((x) => same(e, x));
  if (isMap(coll)) return typeof e === 'string' && hasKey(coll, e);
  return overload('@in', e, coll);
}

/** `size()`: code points of a string, items of a list, keys of a map. */
export function size(v: Value): Value {
  if (isErr(v)) return v;
  if (typeof v === 'string') {
    let n = 0;
    for (const _ of v) n++;
    return n;
  }
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  return overload('size', v);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A BigInt as CEL's int64: a number where exact, an error beyond int64. */
function int64(n: bigint): Value {
  if (n < INT64_MIN || n > INT64_MAX) return new CelError('int overflow');
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** `int()`: of a string as Go's strconv.ParseInt(s, 10, 64); of a double, truncated. */
export function int(v: Value): Value {
  if (isErr(v)) return v;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? int64(BigInt(Math.trunc(v))) : new CelError('int overflow');
  if (typeof v === 'string') {
    if (!/^[+-]?[0-9]+$/.test(v)) return new CelError(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
    const n = int64(BigInt(v));
    return isErr(n) ? new CelError(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`) : n;
  }
  return overload('int', v);
}

/** A string function of strings: its arguments checked, then `fn`. */
const strings = (name: string, fn: (...args: string[]) => Value) => (...args: Value[]): Value => {
  const e = firstErr(...args);
  if (e) return e;
  return args.every((a) => typeof a === 'string') ? fn(...(args as string[])) : overload(name, ...args);
};
export const startsWith = strings('startsWith', (s, p) => s.startsWith(p));
export const endsWith = strings('endsWith', (s, p) => s.endsWith(p));
export const contains = strings('contains', (s, p) => s.includes(p));
export const matches = strings('matches', (s, re) => re2Test(re, s));
/** Kubernetes' regex library: https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-regex-library */
export const find = strings('find', (s, re) => re2Find(re, s));

export function findAll(s: Value, re: Value, limit?: Value): Value {
  const e = firstErr(s, re, limit);
  if (e) return e;
  if (typeof s !== 'string' || typeof re !== 'string' || (limit !== undefined && !isNum(limit))) return overload('findAll', s, re, limit);
  return re2FindAll(re, s, limit === undefined ? -1 : Number(limit));
}

/** The strings extension's `split(sep)`: Go's strings.Split ("" splits into code points). */
export const split = strings('split', (s, sep) => (sep === '' ? [...s] : s.split(sep)));

/** A list literal: an error among its items is the list's value. */
export function list(...items: Value[]): Value {
  return firstErr(...items) ?? items;
}

/**
 * `_+_` as the macros use it on their accumulator: a list and a list (filter, map), an int and
 * an int (exists_one). The compiler accepts `+` nowhere else.
 */
export function add(a: Value, b: Value): Value {
  const e = firstErr(a, b);
  if (e) return e;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b)) return int64(BigInt(a) + BigInt(b));
  return overload('_+_', a, b);
}

/**
 * A comprehension, the form every macro takes (all, exists, exists_one, filter, map): over a
 * list's items or a map's keys, while `condition` is exactly true, as cel-go folds it.
 */
export function fold(range: Value, init: Value, condition: (accu: Value) => Value, step: (accu: Value, item: Value) => Value, result: (accu: Value) => Value): Value {
  if (isErr(range)) return range;
  const items = Array.isArray(range) ? range : isMap(range) ? Object.keys(range) : undefined;
  if (!items) return overload('comprehension', range);
  let accu = init;
  for (const item of items) {
    if (condition(accu) !== true) break;
    accu = step(accu, item);
  }
  return result(accu);
}

export { isErr };

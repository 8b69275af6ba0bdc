import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { RE2JS } from 're2js';
import { nearest } from '../edit-distance';
import { activeKarpenterRelease, DEFAULT_KARPENTER_RELEASE, KarpenterRelease } from '../karpenter-release';
import { karpenterMetrics } from './karpenter-metrics';

/**
 * PromQL as Prometheus reads it, for the alert rules and dashboards we emit and any a team
 * validates: parsed with the Prometheus project's own grammar (@prometheus-io/lezer-promql, the
 * parser of Prometheus' web UI), then the checks Prometheus' own parser makes that the grammar
 * leaves out (prometheus v3.13.1 promql/parser parse.go and lex.go): a range vector (`x[5m]`)
 * only where a function takes one, a function that takes one given one, a range only on a vector
 * selector, offset and @ only after a selector or a subquery, string literals Go can unquote and
 * regular expressions Go's regexp compiles. Held to Prometheus' own parser on a seeded corpus of
 * typos (oracle/prometheus, test/oracle-prometheus.test.ts). Metric names in Karpenter's namespaces (`karpenter_`, `operator_`) must be metrics
 * the environment's Karpenter release exports (src/monitoring/karpenter-metrics*.json, from its
 * source): a misspelt name is a query that returns nothing, and an alert on it never fires.
 */

/** The metrics of the default Karpenter release, by name (each release's: {@link karpenterMetrics}). */
export const KARPENTER_METRICS: ReadonlyMap<string, { readonly section: string; readonly stability?: string; readonly description: string }> = karpenterMetrics(DEFAULT_KARPENTER_RELEASE);
export const KARPENTER_METRICS_VERSION: string = DEFAULT_KARPENTER_RELEASE;
export { karpenterMetrics };
export type { KarpenterMetric } from './karpenter-metrics';

/** Prefixes of the metrics Karpenter exports that are its own (the rest are controller-runtime's, client-go's...). */
const KARPENTER_PREFIXES = ['karpenter_', 'operator_'];
/** Series a histogram or summary adds to its name. */
const SERIES_SUFFIXES = ['_bucket', '_sum', '_count'];

/**
 * Functions whose argument at the given index is a range vector (Prometheus promql/parser/functions.go).
 * Keyed by the grammar's node name for the function.
 */
const RANGE_ARGUMENT: Readonly<Record<string, number>> = {
  Rate: 0, Irate: 0, Increase: 0, Delta: 0, Idelta: 0, Deriv: 0, PredictLinear: 0, Resets: 0, Changes: 0,
  AvgOverTime: 0, MinOverTime: 0, MaxOverTime: 0, SumOverTime: 0, CountOverTime: 0, StddevOverTime: 0, StdvarOverTime: 0,
  LastOverTime: 0, PresentOverTime: 0, AbsentOverTime: 0, MadOverTime: 0, QuantileOverTime: 1, HoltWinters: 0,
  DoubleExponentialSmoothing: 0, TsOfMaxOverTime: 0, TsOfMinOverTime: 0, TsOfLastOverTime: 0, FirstOverTime: 0, TsOfFirstOverTime: 0,
};
const RANGE_NODES = new Set(['MatrixSelector', 'SubqueryExpr']);
/** What offset and @ may follow (parse.go addOffset, setTimestamp): a selector or a subquery, possibly with the other modifier. */
const MODIFIABLE = new Set(['VectorSelector', 'MatrixSelector', 'SubqueryExpr']);

/** Go's strconv unquoting, as Prometheus' lexer and strutil.Unquote apply it to a string literal: why it fails, or undefined. */
function unquoteError(literal: string): string | undefined {
  const quote = literal[0]!;
  if (literal.length < 2 || literal[literal.length - 1] !== quote) return 'unterminated quoted string';
  if (quote === '`') return literal.slice(1, -1).includes('`') ? 'unterminated raw string' : undefined;
  const body = literal.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === quote || c === '\n') return 'unterminated quoted string';
    if (c !== '\\') continue;
    const e = body[++i];
    if (e === undefined) return 'unterminated quoted string';
    if ('abfnrtv\\'.includes(e) || e === quote) continue;
    const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hex > 0) {
      const digits = body.slice(i + 1, i + 1 + hex);
      if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) return `invalid escape \\${e}`;
      if (hex > 2 && (Number.parseInt(digits, 16) > 0x10ffff || (Number.parseInt(digits, 16) >= 0xd800 && Number.parseInt(digits, 16) < 0xe000))) return `invalid escape \\${e}${digits}`;
      i += hex;
      continue;
    }
    if (/[0-7]/.test(e)) {
      const digits = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(digits) || Number.parseInt(digits, 8) > 255) return `invalid octal escape \\${digits}`;
      i += 2;
      continue;
    }
    return `invalid escape \\${e}`;
  }
  return undefined;
}

/** The text of a string literal Go has unquoted (only called on literals unquoteError accepts). */
function unquote(literal: string): string {
  if (literal[0] === '`') return literal.slice(1, -1);
  return literal.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, e: string) => {
    if (e.length > 1 && 'xuU'.includes(e[0]!)) return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
    if (e.length === 3) return String.fromCharCode(Number.parseInt(e, 8));
    return ({ a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' } as Record<string, string>)[e] ?? e;
  });
}

/** Whether Go's regexp compiles a matcher's regular expression as Prometheus anchors it (model/labels regexp.go NewFastRegexMatcher). */
function regexError(pattern: string): string | undefined {
  try {
    RE2JS.compile(`^(?s:${pattern})$`);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export interface PromqlProblem {
  readonly message: string;
  /** Offset in the expression. */
  readonly at: number;
}

/** A metric name this project can vouch for: Karpenter's own and known, or outside its namespaces. */
export function unknownKarpenterMetric(name: string, release: KarpenterRelease = activeKarpenterRelease()): string | undefined {
  if (!KARPENTER_PREFIXES.some((p) => name.startsWith(p))) return undefined;
  const metrics = karpenterMetrics(release);
  if (metrics.has(name)) return undefined;
  const suffix = SERIES_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix && metrics.has(name.slice(0, -suffix.length))) return undefined;
  const closest = nearest(name, [...metrics.keys()].sort((a, b) => a.localeCompare(b)));
  const hint = closest && closest.distance <= Math.max(3, Math.floor(name.length / 5)) ? ` (did you mean ${closest.candidate}?)` : '';
  return `metric ${name} is not one Karpenter ${release} exports${hint}: the query returns nothing`;
}

function args(body: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = body.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

/** The metric names an expression reads. */
export function metricNames(expr: string): string[] {
  return namesIn(parser.parse(expr), expr);
}

function namesIn(tree: ReturnType<typeof parser.parse>, expr: string): string[] {
  const names: string[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(expr.slice(node.from, node.to));
      if (node.name === 'UnquotedLabelMatcher' || node.name === 'QuotedLabelMatcher') {
        const text = expr.slice(node.from, node.to);
        const named = /^\s*__name__\s*=\s*"([^"]+)"/.exec(text);
        if (named) names.push(named[1]!);
      }
    },
  });
  return names;
}

// Problems by release and expression: every environment carries the same alerts and dashboards,
// and an expression's problems depend on its text and the release's metrics alone.
const checked = new Map<string, readonly PromqlProblem[]>();

/** What Prometheus would refuse in an expression, or report as reading nothing at a Karpenter release (by default the one being validated with). */
export function checkPromql(expr: string, release: KarpenterRelease = activeKarpenterRelease()): readonly PromqlProblem[] {
  const key = `${release}\0${expr}`;
  let problems = checked.get(key);
  if (!problems) {
    problems = problemsOf(expr, release);
    if (checked.size >= 5_000) checked.clear();
    checked.set(key, problems);
  }
  return problems;
}

function problemsOf(expr: string, release: KarpenterRelease): PromqlProblem[] {
  const problems: PromqlProblem[] = [];
  if (expr.trim() === '') return [{ message: 'is empty', at: 0 }];
  const tree = parser.parse(expr);
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) {
        const near = expr.slice(node.from, Math.min(expr.length, node.from + 20));
        problems.push({ message: `does not parse at column ${node.from + 1}${near ? ` (near ${JSON.stringify(near)})` : ' (unexpected end)'}`, at: node.from });
        return false;
      }
      if (node.name === 'FunctionCall') {
        const identifier = node.node.getChild('FunctionIdentifier');
        const body = node.node.getChild('FunctionCallBody');
        const fn = identifier?.firstChild?.name;
        if (fn && body && RANGE_ARGUMENT[fn] !== undefined) {
          const arg = args(body)[RANGE_ARGUMENT[fn]!];
          if (arg && !RANGE_NODES.has(arg.name)) problems.push({ message: `${expr.slice(identifier!.from, identifier!.to)}() takes a range vector (e.g. x[5m]), not ${expr.slice(arg.from, arg.to)}`, at: arg.from });
        }
      }
      if (node.name === 'StringLiteral') {
        const literal = expr.slice(node.from, node.to);
        const error = unquoteError(literal);
        if (error) problems.push({ message: `does not parse at column ${node.from + 1}: ${error} (${literal})`, at: node.from });
      }
      if (node.name === 'UnquotedLabelMatcher' || node.name === 'QuotedLabelMatcher') {
        const op = node.node.getChild('MatchOp')?.firstChild?.name;
        const value = node.node.lastChild;
        const literal = value?.name === 'StringLiteral' ? expr.slice(value.from, value.to) : undefined;
        if ((op === 'EqlRegex' || op === 'NeqRegex') && literal !== undefined && !unquoteError(literal)) {
          const error = regexError(unquote(literal));
          if (error) problems.push({ message: `does not parse at column ${value!.from + 1}: the regular expression ${literal} does not compile (Go regexp): ${error}`, at: value!.from });
        }
      }
      if (node.name === 'OffsetExpr' || node.name === 'StepInvariantExpr') {
        let inner = node.node.firstChild;
        if (inner && (inner.name === 'OffsetExpr' || inner.name === 'StepInvariantExpr') && inner.name !== node.name) inner = inner.firstChild;
        if (!inner || !MODIFIABLE.has(inner.name)) {
          const modifier = node.name === 'OffsetExpr' ? 'offset' : '@';
          problems.push({ message: `${modifier} must follow an instant vector selector, a range vector selector or a subquery, not ${inner ? expr.slice(inner.from, inner.to) : 'nothing'}`, at: node.from });
        }
      }
      if (node.name === 'MatrixSelector') {
        const selector = node.node.firstChild;
        if (selector && selector.name !== 'VectorSelector') problems.push({ message: `a range ([...]) applies only to a vector selector, not to ${expr.slice(selector.from, selector.to)}`, at: selector.from });
        const body = node.node.parent;
        const fn = body?.name === 'FunctionCallBody' ? body.parent?.getChild('FunctionIdentifier')?.firstChild?.name : undefined;
        const index = body ? args(body).findIndex((a) => a.from === node.from && a.to === node.to) : -1;
        if (!fn || RANGE_ARGUMENT[fn] !== index) problems.push({ message: `a range vector (${expr.slice(node.from, node.to)}) is only valid as the argument of a function that takes one, such as rate()`, at: node.from });
      }
      return undefined;
    },
  });
  if (problems.length > 0) return problems;
  for (const name of namesIn(tree, expr)) {
    const unknown = unknownKarpenterMetric(name, release);
    if (unknown) problems.push({ message: unknown, at: expr.indexOf(name) });
  }
  return problems;
}

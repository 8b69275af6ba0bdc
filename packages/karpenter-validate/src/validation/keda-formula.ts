/**
 * KEDA's check of a ScaledObject's scaling formula (kedacore/keda v2.20.2
 * apis/keda/v1alpha1/scaledobject_webhook.go validateScalingModifiersFormula): the formula, wrapped
 * by castToFloatIfNecessary, compiled by expr-lang (v1.17.8, the release KEDA builds with) against
 * the named triggers that are not cpu or memory, each a float64. The subset of expr-lang here is
 * what a formula over metric values uses: numbers, names, + - * / % ** ^, comparisons, and/or/not,
 * ?: and ??, parentheses, and the numeric builtins; with expr's checker's types (a % needs
 * integers, float() refuses a boolean, a name not in the environment is unknown). Anything else
 * is reported as outside what this emulation reads.
 */

type Type = 'int' | 'float' | 'bool' | 'string' | 'nil' | 'any';

interface Token {
  readonly kind: 'number' | 'name' | 'string' | 'op' | 'end';
  readonly text: string;
  readonly at: number;
}

const OPERATORS = ['??', '**', '==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%', '^', '<', '>', '!', '?', ':', '(', ')', ','];

function tokens(source: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const number = /^(0[xX][0-9a-fA-F_]+|\d[\d_]*(\.\d[\d_]*)?([eE][-+]?\d+)?|\.\d[\d_]*([eE][-+]?\d+)?)/.exec(source.slice(i));
    if (number) {
      out.push({ kind: 'number', text: number[0], at: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(source.slice(i));
    if (name) {
      out.push({ kind: 'name', text: name[0], at: i });
      i += name[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = source.indexOf(c, i + 1);
      if (end < 0) return `literal not terminated at ${i + 1}`;
      out.push({ kind: 'string', text: source.slice(i, end + 1), at: i });
      i = end + 1;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) return `unexpected token ${JSON.stringify(c)} at ${i + 1}`;
    out.push({ kind: 'op', text: op, at: i });
    i += op.length;
  }
  out.push({ kind: 'end', text: '', at: source.length });
  return out;
}

// expr-lang's binary operators by precedence (parser/operator/operator.go).
const BINARY: Readonly<Record<string, { readonly precedence: number; readonly right?: boolean }>> = {
  or: { precedence: 10 }, '||': { precedence: 10 },
  and: { precedence: 15 }, '&&': { precedence: 15 },
  '==': { precedence: 20 }, '!=': { precedence: 20 }, '<': { precedence: 20 }, '>': { precedence: 20 }, '<=': { precedence: 20 }, '>=': { precedence: 20 },
  '+': { precedence: 30 }, '-': { precedence: 30 },
  '*': { precedence: 60 }, '/': { precedence: 60 }, '%': { precedence: 60 },
  '**': { precedence: 100, right: true }, '^': { precedence: 100, right: true },
  '??': { precedence: 500 },
};

const NUMBERS = new Set<Type>(['int', 'float', 'any']);
const numeric = (t: Type) => NUMBERS.has(t);

class Failure extends Error {}

/** Type-checks a formula against its environment (names of float64 values): the type, or throws Failure. */
class Checker {
  private i = 0;
  constructor(private readonly list: readonly Token[], private readonly env: ReadonlySet<string>, private readonly locals: Map<string, Type> = new Map()) {}

  private peek(): Token {
    return this.list[this.i]!;
  }

  private next(): Token {
    return this.list[this.i++]!;
  }

  private expect(text: string): void {
    const t = this.next();
    if (t.text !== text) throw new Failure(`unexpected token ${t.kind === 'end' ? 'EOF' : JSON.stringify(t.text)} at ${t.at + 1}, expected ${text}`);
  }

  program(): Type {
    const type = this.expression(0);
    if (this.peek().kind !== 'end') throw new Failure(`unexpected token ${JSON.stringify(this.peek().text)} at ${this.peek().at + 1}`);
    return type;
  }

  expression(min: number): Type {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'op' || t.kind === 'name' ? BINARY[t.text] : undefined;
      if (!op || op.precedence < min) break;
      this.next();
      const right = this.expression(op.right ? op.precedence : op.precedence + 1);
      left = this.binary(t.text, left, right, t.at);
    }
    if (min === 0 && this.peek().text === '?') {
      this.next();
      if (left !== 'bool' && left !== 'any') throw new Failure(`non-bool expression (type ${left}) used as condition`);
      const a = this.expression(0);
      this.expect(':');
      const b = this.expression(0);
      return a === b ? a : numeric(a) && numeric(b) ? 'any' : 'any';
    }
    return left;
  }

  private binary(op: string, l: Type, r: Type, at: number): Type {
    const mismatch = () => new Failure(`invalid operation: ${op} (mismatched types ${l} and ${r}) at ${at + 1}`);
    switch (op) {
      case '??':
        return l === 'nil' ? r : l;
      case 'or': case '||': case 'and': case '&&':
        if ((l === 'bool' || l === 'any') && (r === 'bool' || r === 'any')) return 'bool';
        throw mismatch();
      case '==': case '!=':
        return 'bool';
      case '<': case '>': case '<=': case '>=':
        if ((numeric(l) && numeric(r)) || (l === 'string' && r === 'string')) return 'bool';
        throw mismatch();
      case '+':
        if (numeric(l) && numeric(r)) return l === 'int' && r === 'int' ? 'int' : l === 'any' || r === 'any' ? 'any' : 'float';
        if (l === 'string' && r === 'string') return 'string';
        throw mismatch();
      case '-': case '*':
        if (numeric(l) && numeric(r)) return l === 'int' && r === 'int' ? 'int' : l === 'any' || r === 'any' ? 'any' : 'float';
        throw mismatch();
      case '/': case '**': case '^':
        if (numeric(l) && numeric(r)) return 'float';
        throw mismatch();
      case '%':
        if ((l === 'int' || l === 'any') && (r === 'int' || r === 'any')) return 'int';
        throw mismatch();
      default:
        throw new Failure(`unknown operator ${op}`);
    }
  }

  private unary(): Type {
    const t = this.peek();
    if (t.text === '-' || t.text === '+') {
      this.next();
      const type = this.unary();
      if (!numeric(type)) throw new Failure(`invalid operation: ${t.text} (mismatched type ${type})`);
      return type;
    }
    if (t.text === '!' || t.text === 'not') {
      this.next();
      const type = this.unary();
      if (type !== 'bool' && type !== 'any') throw new Failure(`invalid operation: ${t.text} (mismatched type ${type})`);
      return 'bool';
    }
    return this.primary();
  }

  private primary(): Type {
    const t = this.next();
    if (t.kind === 'number') return /[.eE]/.test(t.text) && !/^0[xX]/.test(t.text) ? 'float' : 'int';
    if (t.kind === 'string') return 'string';
    if (t.text === '(') {
      const type = this.expression(0);
      this.expect(')');
      return type;
    }
    if (t.kind === 'name') {
      if (t.text === 'true' || t.text === 'false') return 'bool';
      if (t.text === 'nil') return 'nil';
      if (this.peek().text === '(') return this.call(t);
      const local = this.locals.get(t.text);
      if (local) return local;
      if (this.env.has(t.text)) return 'float';
      throw new Failure(`unknown name ${t.text} (1:${t.at + 1})`);
    }
    throw new Failure(`unexpected token ${t.kind === 'end' ? 'EOF' : JSON.stringify(t.text)} at ${t.at + 1}`);
  }

  private call(name: Token): Type {
    this.expect('(');
    const args: Type[] = [];
    if (this.peek().text !== ')') {
      for (;;) {
        args.push(this.expression(0));
        if (this.peek().text !== ',') break;
        this.next();
      }
    }
    this.expect(')');
    switch (name.text) {
      case 'max': case 'min':
        if (args.length === 0 || !args.every(numeric)) throw new Failure(`invalid arguments for ${name.text}`);
        return args.every((a) => a === 'int') ? 'int' : args.some((a) => a === 'any') ? 'any' : 'float';
      case 'abs':
        if (args.length !== 1 || !numeric(args[0]!)) throw new Failure('invalid arguments for abs');
        return args[0]!;
      case 'ceil': case 'floor': case 'round':
        if (args.length !== 1 || !numeric(args[0]!)) throw new Failure(`invalid arguments for ${name.text}`);
        return 'float';
      case 'float':
        if (args.length !== 1) throw new Failure(`invalid number of arguments (expected 1, got ${args.length})`);
        if (!numeric(args[0]!) && args[0] !== 'string') throw new Failure(`invalid argument for float (type ${args[0]})`);
        return 'float';
      case 'int':
        if (args.length !== 1) throw new Failure(`invalid number of arguments (expected 1, got ${args.length})`);
        if (!numeric(args[0]!) && args[0] !== 'string') throw new Failure(`invalid argument for int (type ${args[0]})`);
        return 'int';
      default:
        throw new Failure(`${name.text}() is not a function this emulation of expr-lang knows`);
    }
  }
}

/** castToFloatIfNecessary (scaledobject_webhook.go): what KEDA compiles in place of the formula. */
function castToFloat(formula: string): string {
  if (formula.includes('??')) return formula;
  return formula.startsWith('float(') ? formula : `float(${formula})`;
}

/** Why expr-lang would not compile the formula against these trigger names, or undefined. */
export function formulaError(formula: string, triggerNames: ReadonlySet<string>): string | undefined {
  const source = castToFloat(formula);
  const list = tokens(source);
  if (typeof list === 'string') return list;
  try {
    const type = new Checker(list, triggerNames).program();
    if (formula.includes('??') && type !== 'nil' && !numeric(type) && type !== 'any') return `invalid argument for float (type ${type})`;
    return undefined;
  } catch (error) {
    if (error instanceof Failure) return error.message;
    throw error;
  }
}

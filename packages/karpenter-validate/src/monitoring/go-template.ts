/**
 * Whether Prometheus can parse an alert's label or annotation template, as it does when it loads a
 * rule file (prometheus v3.13.1 model/rulefmt/rulefmt.go testTemplateParsing): Go's text/template
 * parser (text/template/parse lex.go and parse.go) on the text after Prometheus' definitions of
 * $labels, $externalLabels, $externalURL and $value, with Prometheus' template functions
 * (template/template.go NewTemplateExpander) and Go's builtins. A template that does not parse makes
 * the operator refuse the whole PrometheusRule. What is checked is what parsing checks: delimiters,
 * actions and their operands, control structures and their {{end}}, declared variables, defined
 * functions; not what execution would find.
 */

/** Go's text/template builtins (text/template/funcs.go builtins). */
const BUILTINS = ['and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery', 'eq', 'ge', 'gt', 'le', 'lt', 'ne'];
/** Prometheus' template functions (template/template.go NewTemplateExpander funcMap). */
const PROMETHEUS = ['query', 'first', 'label', 'value', 'strvalue', 'args', 'reReplaceAll', 'safeHtml', 'match', 'title', 'toUpper', 'toLower', 'graphLink', 'tableLink', 'sortByLabel', 'stripPort', 'stripDomain', 'humanize', 'humanize1024', 'humanizeDuration', 'humanizePercentage', 'humanizeTimestamp', 'toTime', 'toDuration', 'now', 'pathPrefix', 'externalURL', 'parseDuration', 'urlQueryEscape'];
const FUNCTIONS = new Set([...BUILTINS, ...PROMETHEUS]);
const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'nil', 'template', 'with']);
/** What rulefmt puts before every template. */
const DEFINITIONS = '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

type Kind = 'text' | 'left' | 'right' | 'space' | 'identifier' | 'keyword' | 'variable' | 'field' | 'dot' | 'number' | 'string' | 'char' | 'bool' | 'pipe' | 'open' | 'close' | 'declare' | 'assign' | 'comma' | 'other' | 'eof' | 'error';

interface Item {
  readonly kind: Kind;
  readonly text: string;
}

class ParseError extends Error {}

/** text/template/parse/lex.go, for the default delimiters. */
function lex(input: string): Item[] {
  const items: Item[] = [];
  let i = 0;
  while (i < input.length) {
    const left = input.indexOf('{{', i);
    if (left < 0) {
      items.push({ kind: 'text', text: input.slice(i) });
      break;
    }
    if (left > i) items.push({ kind: 'text', text: input.slice(i, left) });
    i = left + 2;
    // A trim marker is "-" and a space after the delimiter (lex.go hasLeftTrimMarker): both skipped.
    if (input[i] === '-' && /[ \t\r\n]/.test(input[i + 1] ?? '')) i += 2;
    // A comment starts right there and must end at the closing delimiter (lexComment).
    if (input.startsWith('/*', i)) {
      const end = input.indexOf('*/', i + 2);
      if (end < 0) return [...items, { kind: 'error', text: 'unclosed comment' }];
      i = end + 2;
      const close = /^([ \t\r\n]-)?}}/.exec(input.slice(i));
      if (!close) return [...items, { kind: 'error', text: 'comment ends before closing delimiter' }];
      i += close[0].length;
      continue;
    }
    items.push({ kind: 'left', text: '{{' });
    for (;;) {
      if (i >= input.length) return [...items, { kind: 'error', text: 'unclosed action' }];
      // " -}}" closes with a trim marker; "}}" closes.
      if (/^[ \t\r\n]-}}/.test(input.slice(i))) {
        items.push({ kind: 'right', text: '}}' });
        i += 4;
        break;
      }
      if (input.startsWith('}}', i)) {
        items.push({ kind: 'right', text: '}}' });
        i += 2;
        break;
      }
      const c = input[i]!;
      const rest = input.slice(i);
      let m: RegExpExecArray | null;
      if (/[ \t\r\n]/.test(c)) {
        m = /^[ \t\r\n]+/.exec(rest)!;
        items.push({ kind: 'space', text: m[0] });
        i += m[0].length;
      } else if (c === '=') {
        items.push({ kind: 'assign', text: '=' });
        i++;
      } else if (c === ':') {
        if (input[i + 1] !== '=') return [...items, { kind: 'error', text: 'expected :=' }];
        items.push({ kind: 'declare', text: ':=' });
        i += 2;
      } else if (c === '|') {
        items.push({ kind: 'pipe', text: '|' });
        i++;
      } else if (c === '"') {
        m = /^"(\\.|[^"\\\n])*"/.exec(rest);
        if (!m) return [...items, { kind: 'error', text: 'unterminated quoted string' }];
        items.push({ kind: 'string', text: m[0] });
        i += m[0].length;
      } else if (c === '`') {
        const end = input.indexOf('`', i + 1);
        if (end < 0) return [...items, { kind: 'error', text: 'unterminated raw quoted string' }];
        items.push({ kind: 'string', text: input.slice(i, end + 1) });
        i = end + 1;
      } else if (c === "'") {
        m = /^'(\\.|[^'\\\n])*'/.exec(rest);
        if (!m) return [...items, { kind: 'error', text: 'unterminated character constant' }];
        items.push({ kind: 'char', text: m[0] });
        i += m[0].length;
      } else if (c === '$') {
        m = /^\$[A-Za-z0-9_]*/.exec(rest)!;
        items.push({ kind: 'variable', text: m[0] });
        i += m[0].length;
      } else if (c === '.' && !/[0-9]/.test(input[i + 1] ?? '')) {
        m = /^\.[A-Za-z0-9_]*/.exec(rest)!;
        items.push({ kind: m[0] === '.' ? 'dot' : 'field', text: m[0] });
        i += m[0].length;
      } else if (/[-+0-9.]/.test(c)) {
        m = /^[-+]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?[\d_]*([eEpP][-+]?\d+)?i?)/.exec(rest);
        if (!m || m[0] === '' || /^[-+]$/.test(m[0])) return [...items, { kind: 'error', text: `bad number syntax: ${JSON.stringify(rest.slice(0, 3))}` }];
        items.push({ kind: 'number', text: m[0] });
        i += m[0].length;
      } else if (/[A-Za-z_]/.test(c)) {
        m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)!;
        const word = m[0];
        items.push({ kind: word === 'true' || word === 'false' ? 'bool' : KEYWORDS.has(word) ? 'keyword' : 'identifier', text: word });
        i += word.length;
      } else if (c === '(') {
        items.push({ kind: 'open', text: '(' });
        i++;
      } else if (c === ')') {
        items.push({ kind: 'close', text: ')' });
        i++;
      } else if (c === ',') {
        items.push({ kind: 'comma', text: ',' });
        i++;
      } else {
        // Any other printable character is an item of its own, which no operand accepts.
        items.push({ kind: 'other', text: c });
        i++;
      }
    }
  }
  items.push({ kind: 'eof', text: '' });
  return items;
}

/** text/template/parse/parse.go, for what a template's parse checks. */
class Parser {
  private i = 0;
  private readonly scopes: string[][] = [['$']];

  constructor(private readonly items: readonly Item[]) {}

  private peek(skipSpace = true): Item {
    let j = this.i;
    while (skipSpace && this.items[j]?.kind === 'space') j++;
    return this.items[j]!;
  }

  private next(skipSpace = true): Item {
    while (skipSpace && this.items[this.i]?.kind === 'space') this.i++;
    const item = this.items[this.i]!;
    if (item.kind === 'error') throw new ParseError(item.text);
    this.i++;
    return item;
  }

  private declared(name: string): boolean {
    return this.scopes.some((s) => s.includes(name));
  }

  /** The top level: text and actions until EOF; {{end}} or {{else}} there is unexpected. */
  parse(): void {
    const stop = this.list();
    if (stop !== 'eof') throw new ParseError(`unexpected {{${stop}}}`);
  }

  /** Nodes until EOF, {{end}} or {{else}}: which of them ended the list. */
  private list(): 'eof' | 'end' | 'else' {
    for (;;) {
      const item = this.next(false);
      if (item.kind === 'eof') return 'eof';
      if (item.kind === 'text') continue;
      if (item.kind !== 'left') throw new ParseError(`unexpected ${item.text}`);
      const head = this.peek();
      if (head.kind === 'keyword' && (head.text === 'end' || head.text === 'else')) {
        this.next();
        if (head.text === 'end') {
          this.expectRight('end');
          return 'end';
        }
        return 'else';
      }
      this.action();
    }
  }

  private expectRight(context: string): void {
    const item = this.next();
    if (item.kind !== 'right') throw new ParseError(`unexpected ${describe(item)} in ${context}`);
  }

  private action(): void {
    const head = this.peek();
    if (head.kind === 'keyword') {
      this.next();
      switch (head.text) {
        case 'if':
        case 'with':
        case 'range':
          return this.control(head.text);
        case 'template':
        case 'block': {
          const name = this.next();
          if (name.kind !== 'string') throw new ParseError(`unexpected ${describe(name)} in template clause`);
          if (this.peek().kind !== 'right') this.pipeline(head.text, false);
          this.expectRight(head.text);
          if (head.text === 'block' && this.list() !== 'end') throw new ParseError('unexpected EOF');
          return;
        }
        case 'define':
          throw new ParseError('unexpected define in command');
        case 'break':
        case 'continue':
          throw new ParseError(`{{${head.text}}} outside {{range}}`);
        case 'nil':
          break;
      }
    }
    this.pipeline('command', true);
    this.expectRight('command');
  }

  private control(kind: string): void {
    this.scopes.push([]);
    this.pipeline(kind, true, true);
    this.expectRight(kind);
    let stop = this.list();
    while (stop === 'else') {
      // {{else if ...}} / {{else with ...}} chain; a plain {{else}} ends the branch list.
      const after = this.peek();
      if (after.kind === 'keyword' && (after.text === 'if' || after.text === 'with')) {
        this.next();
        this.pipeline(after.text, true, true);
        this.expectRight(after.text);
      } else {
        this.expectRight('else');
      }
      stop = this.list();
    }
    if (stop === 'eof') throw new ParseError('unexpected EOF');
    this.scopes.pop();
  }

  /** Declarations (`$x :=`, `$k, $v :=` in range), then commands separated by pipes. */
  private pipeline(context: string, allowDeclaration: boolean, control = false): void {
    const start = this.i;
    const first = this.next();
    if (allowDeclaration && first.kind === 'variable') {
      const after = this.peek();
      if (after.kind === 'declare' || after.kind === 'assign') {
        this.next();
        if (after.kind === 'declare') this.scopes[this.scopes.length - 1]!.push(first.text);
        else if (!this.declared(first.text)) throw new ParseError(`undefined variable "${first.text}"`);
      } else if (after.kind === 'comma' && control) {
        this.next();
        const second = this.next();
        if (second.kind !== 'variable') throw new ParseError(`expected variable in ${context}`);
        const decl = this.next();
        if (decl.kind !== 'declare') throw new ParseError(`too many declarations in ${context}`);
        this.scopes[this.scopes.length - 1]!.push(first.text, second.text);
      } else this.i = start;
    } else this.i = start;
    let commands = 0;
    for (;;) {
      const end = this.peek();
      if (end.kind === 'right' || end.kind === 'close') {
        if (commands === 0) throw new ParseError(`missing value for ${context}`);
        return;
      }
      this.command();
      commands++;
      const sep = this.peek();
      if (sep.kind === 'pipe') {
        this.next();
        continue;
      }
    }
  }

  private command(): void {
    let operands = 0;
    for (;;) {
      const item = this.peek();
      if (item.kind === 'right' || item.kind === 'close' || item.kind === 'pipe') break;
      if (item.kind === 'eof') throw new ParseError('unclosed action');
      this.operand();
      operands++;
      // Operands are separated by spaces; anything else after an operand is an error.
      const sep = this.items[this.i]!;
      if (sep.kind !== 'space' && sep.kind !== 'right' && sep.kind !== 'close' && sep.kind !== 'pipe') throw new ParseError(`unexpected ${describe(sep)} in operand`);
    }
    if (operands === 0) throw new ParseError('empty command');
  }

  private operand(): void {
    const item = this.next();
    switch (item.kind) {
      case 'identifier':
        if (!FUNCTIONS.has(item.text)) throw new ParseError(`function "${item.text}" not defined`);
        break;
      case 'variable':
        if (!this.declared(item.text)) throw new ParseError(`undefined variable "${item.text}"`);
        break;
      case 'open':
        this.pipeline('parenthesized pipeline', false);
        if (this.next().kind !== 'close') throw new ParseError('unclosed left paren');
        break;
      case 'dot':
      case 'field':
      case 'string':
      case 'number':
      case 'bool':
      case 'char':
        break;
      case 'keyword':
        if (item.text === 'nil') break;
        throw new ParseError(`unexpected <${item.text}> in operand`);
      default:
        throw new ParseError(`unexpected ${describe(item)} in operand`);
    }
    // A field chain after the term: .a.b
    while (this.items[this.i]?.kind === 'field') this.i++;
  }
}

function describe(item: Item): string {
  switch (item.kind) {
    case 'eof':
      return 'EOF';
    case 'right':
      return '"}}"';
    case 'char':
    case 'other':
    case 'comma':
    case 'assign':
    case 'declare':
    case 'close':
      return JSON.stringify(item.text);
    default:
      return `<${item.text}>`;
  }
}

/** Why Prometheus cannot parse an alert's label or annotation template, or undefined. */
export function templateParseError(template: string): string | undefined {
  try {
    new Parser(lex(DEFINITIONS + template)).parse();
    return undefined;
  } catch (error) {
    if (error instanceof ParseError) return error.message;
    throw error;
  }
}

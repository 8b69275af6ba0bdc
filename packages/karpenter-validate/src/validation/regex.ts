import { RE2JS } from 're2js';

/**
 * Regular expressions as the API server runs them: Go's RE2 syntax and semantics (no
 * backreferences or lookaround, different escapes), not ECMAScript's. Both the schema
 * `pattern`s and CEL's `matches`/`find` go through here.
 *
 * A pattern written in the part of RE2 whose meaning ECMAScript shares exactly (see
 * `toNativeSource`) runs as a native `RegExp`: compiling re2js's engine on first use costs more
 * than validating an environment. Every other pattern runs on re2js, Go's engine ported.
 */
const compiled = new Map<string, RE2JS>();

export function re2(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    compiled.set(pattern, re);
  }
  return re;
}

const natives = new Map<string, RegExp | null>();

/** The native equivalent of an RE2 pattern, or undefined when it is outside the shared part. */
export function nativeRegExp(pattern: string): RegExp | undefined {
  let native = natives.get(pattern);
  if (native === undefined) {
    const source = toNativeSource(pattern);
    native = source === undefined ? null : new RegExp(source, 'u');
    natives.set(pattern, native);
  }
  return native ?? undefined;
}

/** Whether `pattern` matches anywhere in `text` (Go's regexp.MatchString). */
export function re2Test(pattern: string, text: string): boolean {
  const native = nativeRegExp(pattern);
  return native ? native.test(text) : re2(pattern).matcher(text).find();
}

/** The first match of `pattern` in `text`, or '' (the Kubernetes CEL `find`). */
export function re2Find(pattern: string, text: string): string {
  const native = nativeRegExp(pattern);
  // RE2 picks the leftmost match and, within it, the one a backtracking engine tries first
  // (Perl's leftmost-first rule), as ECMAScript does: the same text for the shared part.
  if (native) return native.exec(text)?.[0] ?? '';
  const matcher = re2(pattern).matcher(text);
  return matcher.find() ? (matcher.group() ?? '') : '';
}

/** Every non-overlapping match of `pattern` in `text`, at most `limit` (the Kubernetes CEL `findAll`). */
export function re2FindAll(pattern: string, text: string, limit = -1): string[] {
  // Always re2js: Go and ECMAScript step over empty matches differently.
  const found: string[] = [];
  const matcher = re2(pattern).matcher(text);
  while ((limit < 0 || found.length < limit) && matcher.find()) found.push(matcher.group() ?? '');
  return found;
}

/**
 * The regular expression engine the schema validators use for `pattern` (ajv's `code.regExp`).
 * ajv keys compiled patterns by toString(), so each prints as its own pattern.
 */
export function re2Pattern(pattern: string): { test(text: string): boolean; toString(): string } {
  return { test: (text) => re2Test(pattern, text), toString: () => `/${pattern}/` };
}

// What RE2 means by these, written for an ECMAScript `u`-flag pattern. RE2's `.` excludes only
// "\n" (ECMAScript's also excludes "\r", U+2028 and U+2029); RE2's `\s` is ASCII whitespace
// (ECMAScript's adds "\v" and Unicode spaces). `\d`, `\w` and `\b` are ASCII in both.
// https://github.com/google/re2/wiki/Syntax
const DOT = '[^\\n]';
const SPACE = '\\t\\n\\f\\r ';
const PERL_CLASSES: Readonly<Record<string, string>> = { d: '\\d', D: '\\D', w: '\\w', W: '\\W', s: `[${SPACE}]`, S: `[^${SPACE}]` };
const CONTROL_ESCAPES = new Set(['n', 't', 'r', 'f', 'v']);
// Punctuation RE2 lets a backslash quote, written as ECMAScript's `u` mode allows.
const QUOTABLE = new Set([...'\\.+*?()|[]{}^$/-']);
const SYNTAX = new Set([...'\\^$.|?*+()[]{}/']);
const MAX_REPEAT = 1000; // RE2 refuses larger counts

/**
 * Translates an RE2 pattern into ECMAScript source with the same meaning under the `u` flag
 * (code points, as RE2 reads UTF-8), or undefined when it uses anything outside a deliberately
 * small common part: literals, `.`, `^`/`$` (RE2 without the `m` flag anchors at the ends of the
 * text, as ECMAScript does), groups and non-capturing groups, alternation, the greedy and lazy
 * quantifiers, bracket classes of literals and ranges, and the Perl classes above. Flags, named
 * groups, POSIX and Unicode classes, `\A`/`\z`, `\Q...\E` and hex escapes are left to re2js.
 * The test suite checks the translation against re2js on every pattern in the CRDs and on
 * generated patterns.
 */
export function toNativeSource(pattern: string): string | undefined {
  let at = 0;
  let out = '';
  let depth = 0;
  // Whether the last thing written can take a quantifier (RE2 refuses `**`, `^*` and `(*`).
  let quantifiable = false;
  const chars = [...pattern];
  const escapeLiteral = (c: string) => (SYNTAX.has(c) ? `\\${c}` : c);
  while (at < chars.length) {
    const c = chars[at];
    if (c === '(') {
      if (chars[at + 1] === '?') {
        if (chars[at + 2] !== ':') return undefined;
        out += '(?:';
        at += 3;
      } else {
        out += '(';
        at += 1;
      }
      depth++;
      quantifiable = false;
    } else if (c === ')') {
      if (depth === 0) return undefined;
      depth--;
      out += ')';
      at += 1;
      quantifiable = true;
    } else if (c === '|') {
      out += '|';
      at += 1;
      quantifiable = false;
    } else if (c === '^' || c === '$') {
      out += c;
      at += 1;
      quantifiable = false;
    } else if (c === '.') {
      out += DOT;
      at += 1;
      quantifiable = true;
    } else if (c === '*' || c === '+' || c === '?') {
      if (!quantifiable) return undefined;
      out += c;
      at += 1;
      if (chars[at] === '?') {
        out += '?';
        at += 1;
      }
      quantifiable = false;
    } else if (c === '{') {
      const repeat = /^\{(\d+)(,(\d*))?\}/.exec(chars.slice(at).join(''));
      if (!repeat) {
        // Not a repeat count: RE2 reads a literal brace.
        out += '\\{';
        at += 1;
        quantifiable = true;
        continue;
      }
      const min = Number(repeat[1]);
      const max = repeat[3] === undefined || repeat[3] === '' ? undefined : Number(repeat[3]);
      if (!quantifiable || min > MAX_REPEAT || (max !== undefined && (max > MAX_REPEAT || max < min))) return undefined;
      out += repeat[0];
      at += repeat[0].length;
      if (chars[at] === '?') {
        out += '?';
        at += 1;
      }
      quantifiable = false;
    } else if (c === '[') {
      const end = bracketClass(chars, at);
      if (!end) return undefined;
      out += end.source;
      at = end.next;
      quantifiable = true;
    } else if (c === '\\') {
      const e = chars[at + 1];
      if (e === undefined) return undefined;
      if (PERL_CLASSES[e]) out += PERL_CLASSES[e];
      else if (e === 'b' || e === 'B') out += `\\${e}`;
      else if (CONTROL_ESCAPES.has(e)) out += `\\${e}`;
      else if (QUOTABLE.has(e)) out += e === '-' ? '-' : `\\${e}`;
      else return undefined;
      at += 2;
      quantifiable = e !== 'b' && e !== 'B';
    } else {
      out += escapeLiteral(c);
      at += 1;
      quantifiable = true;
    }
  }
  return depth === 0 ? out : undefined;
}

/** A bracket class from `chars[start]` ('['): its ECMAScript source and the index after it. */
function bracketClass(chars: readonly string[], start: number): { source: string; next: number } | undefined {
  let at = start + 1;
  let out = '[';
  if (chars[at] === '^') {
    out += '^';
    at++;
  }
  // RE2 reads a leading ']' as a literal, and '[:' as a POSIX class: both left to re2js.
  if (chars[at] === ']') return undefined;
  let items = 0;
  const member = (): string | undefined => {
    const c = chars[at];
    if (c === undefined || c === '[') return undefined;
    if (c === '\\') {
      const e = chars[at + 1];
      at += 2;
      if (e === 'd' || e === 'w') return `\\${e}`;
      if (e === 's') return SPACE;
      if (e !== undefined && CONTROL_ESCAPES.has(e)) return `\\${e}`;
      if (e !== undefined && QUOTABLE.has(e)) return `\\${e}`;
      return undefined;
    }
    at += 1;
    return c === '^' || c === '-' || c === ']' ? `\\${c}` : c;
  };
  while (chars[at] !== ']') {
    const from = chars[at];
    const first = member();
    if (first === undefined) return undefined;
    // A range, unless the '-' is last in the class (then it is a literal).
    if (chars[at] === '-' && chars[at + 1] !== ']' && chars[at + 1] !== undefined) {
      const to = chars[at + 1];
      // Ranges between plain characters only, in order (RE2 refuses reversed ones).
      if (from === '\\' || to === '\\' || to === '[' || from.codePointAt(0)! > to.codePointAt(0)!) return undefined;
      at += 2;
      out += `${first}-${to === ']' || to === '^' || to === '-' ? `\\${to}` : to}`;
    } else {
      out += first;
    }
    items++;
  }
  if (items === 0) return undefined;
  return { source: `${out}]`, next: at + 1 };
}

import { RE2JS } from 're2js';

/**
 * Regular expressions as the API server runs them: Go's RE2 syntax and semantics (no
 * backreferences or lookaround, different escapes), not ECMAScript's. Both the schema
 * `pattern`s and CEL's `matches`/`find` go through here.
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

/** Whether `pattern` matches anywhere in `text` (Go's regexp.MatchString). */
export function re2Test(pattern: string, text: string): boolean {
  return re2(pattern).matcher(text).find();
}

/** The first match of `pattern` in `text`, or '' (the Kubernetes CEL `find`). */
export function re2Find(pattern: string, text: string): string {
  const matcher = re2(pattern).matcher(text);
  return matcher.find() ? (matcher.group() ?? '') : '';
}

/** Every non-overlapping match of `pattern` in `text`, at most `limit` (the Kubernetes CEL `findAll`). */
export function re2FindAll(pattern: string, text: string, limit = -1): string[] {
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

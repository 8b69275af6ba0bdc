/**
 * The matching Argo CD's AppProject checks are made of, as its own code matches: glob patterns
 * (github.com/gobwas/glob v0.2.3, through argo-cd v3.1.16 util/glob Match), Go's path/filepath
 * Match (group and kind lists), and repository URLs normalized before they are compared
 * (argo-cd v3.1.16 util/git/git.go NormalizeGitURL, which goes through Go's net/url). Held to
 * Argo CD's verdicts by test/oracle-argocd.test.ts on seeded corpora.
 */

type GlobNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'any' | 'super' | 'single' }
  | { readonly kind: 'list'; readonly chars: string; readonly not: boolean }
  | { readonly kind: 'range'; readonly lo: string; readonly hi: string; readonly not: boolean }
  | { readonly kind: 'anyOf'; readonly alternatives: GlobNode[][] };

type Token =
  | { readonly type: 'text'; readonly raw: string }
  | { readonly type: 'any' | 'super' | 'single' | 'rangeOpen' | 'rangeClose' | 'not' | 'between' | 'termsOpen' | 'termsClose' | 'separator' | 'eof' }
  | { readonly type: 'rangeLo' | 'rangeHi'; readonly raw: string };

class GlobSyntaxError extends Error {}

/**
 * gobwas/glob v0.2.3 syntax/lexer/lexer.go: the tokens of a pattern. A lexer error anywhere makes
 * the pattern fail to compile, whatever came before it (Next returns the error first).
 */
function lex(pattern: string): Token[] {
  const runes = Array.from(pattern);
  const tokens: Token[] = [];
  let pos = 0;
  let terms = 0;
  const textBreakers = ['?', '*', '[', '{'];
  const termsBreakers = [...textBreakers, '}', ','];
  const text = (breakers: readonly string[]) => {
    let data = '';
    let escaped = false;
    while (pos < runes.length) {
      const r = runes[pos]!;
      if (!escaped) {
        if (r === '\\') {
          escaped = true;
          pos++;
          continue;
        }
        if (breakers.includes(r)) break;
      }
      escaped = false;
      data += r;
      pos++;
    }
    if (data !== '') tokens.push({ type: 'text', raw: data });
  };
  const range = () => {
    let wantHi = false;
    let wantClose = false;
    let seenNot = false;
    for (;;) {
      if (pos >= runes.length) throw new GlobSyntaxError('unexpected end of input');
      const r = runes[pos++]!;
      if (wantClose) {
        if (r !== ']') throw new GlobSyntaxError('expected close range character');
        tokens.push({ type: 'rangeClose' });
        return;
      }
      if (wantHi) {
        tokens.push({ type: 'rangeHi', raw: r });
        wantClose = true;
        continue;
      }
      if (!seenNot && r === '!') {
        tokens.push({ type: 'not' });
        seenNot = true;
        continue;
      }
      if (runes[pos] === '-') {
        pos++;
        tokens.push({ type: 'rangeLo', raw: r }, { type: 'between' });
        wantHi = true;
        continue;
      }
      pos--;
      text([']']);
      wantClose = true;
    }
  };
  for (;;) {
    if (pos >= runes.length) {
      tokens.push({ type: 'eof' });
      return tokens;
    }
    const r = runes[pos++]!;
    if (r === '{') {
      terms++;
      tokens.push({ type: 'termsOpen' });
    } else if (r === ',' && terms > 0) tokens.push({ type: 'separator' });
    else if (r === '}' && terms > 0) {
      tokens.push({ type: 'termsClose' });
      terms--;
    } else if (r === '[') {
      tokens.push({ type: 'rangeOpen' });
      range();
    } else if (r === '?') tokens.push({ type: 'single' });
    else if (r === '*') {
      if (runes[pos] === '*') {
        pos++;
        tokens.push({ type: 'super' });
      } else tokens.push({ type: 'any' });
    } else {
      pos--;
      text(terms > 0 ? termsBreakers : textBreakers);
    }
  }
}

/**
 * gobwas/glob v0.2.3 syntax/ast/parser.go: a pattern is a sequence of nodes; `{a,b}` holds
 * alternatives, each a sequence. An unclosed `{` is closed by the end of the pattern.
 */
function parse(tokens: readonly Token[]): GlobNode[] {
  const root: GlobNode[] = [];
  // The sequence being filled, and the alternatives it belongs to.
  const stack: { sequence: GlobNode[]; anyOf?: GlobNode[][] }[] = [{ sequence: root }];
  let i = 0;
  for (;;) {
    const token = tokens[i++]!;
    const top = stack[stack.length - 1]!;
    switch (token.type) {
      case 'eof':
        return root;
      case 'text':
        top.sequence.push({ kind: 'text', text: token.raw });
        break;
      case 'any':
      case 'super':
      case 'single':
        top.sequence.push({ kind: token.type });
        break;
      case 'termsOpen': {
        const first: GlobNode[] = [];
        const alternatives = [first];
        top.sequence.push({ kind: 'anyOf', alternatives });
        stack.push({ sequence: first, anyOf: alternatives });
        break;
      }
      case 'separator': {
        const next: GlobNode[] = [];
        top.anyOf!.push(next);
        top.sequence = next;
        break;
      }
      case 'termsClose':
        stack.pop();
        break;
      case 'rangeOpen': {
        let not = false;
        let lo = '';
        let hi = '';
        let chars = '';
        for (;;) {
          const t = tokens[i++]!;
          if (t.type === 'eof') throw new GlobSyntaxError('unexpected end');
          if (t.type === 'not') not = true;
          else if (t.type === 'rangeLo') lo = t.raw;
          else if (t.type === 'rangeHi') {
            hi = t.raw;
            if (hi.codePointAt(0)! < lo.codePointAt(0)!) throw new GlobSyntaxError(`hi character '${hi}' should be greater than lo '${lo}'`);
          } else if (t.type === 'text') chars = t.raw;
          else if (t.type === 'rangeClose') {
            const isRange = lo !== '' && hi !== '';
            if (isRange === (chars !== '')) throw new GlobSyntaxError('could not parse range');
            top.sequence.push(isRange ? { kind: 'range', lo, hi, not } : { kind: 'list', chars, not });
            break;
          }
        }
        break;
      }
      default:
        throw new GlobSyntaxError(`unexpected token: ${token.type}`);
    }
  }
}

const escapeRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
const escapeClass = (s: string) => Array.from(s).map((c) => (/[\\\]^-]/.test(c) ? `\\${c}` : c)).join('');

function regexOf(sequence: readonly GlobNode[], separators: string): string {
  const notSeparator = separators === '' ? '[\\s\\S]' : `[^${escapeClass(separators)}]`;
  return sequence
    .map((node) => {
      switch (node.kind) {
        case 'text':
          return escapeRegex(node.text);
        case 'any':
          return `${notSeparator}*`;
        case 'super':
          return '[\\s\\S]*';
        case 'single':
          return notSeparator;
        case 'list':
          return `[${node.not ? '^' : ''}${escapeClass(node.chars)}]`;
        case 'range':
          return `[${node.not ? '^' : ''}${escapeClass(node.lo)}-${escapeClass(node.hi)}]`;
        case 'anyOf':
          return `(?:${node.alternatives.map((a) => regexOf(a, separators)).join('|')})`;
      }
    })
    .join('');
}

const compiled = new Map<string, RegExp | null>();

/**
 * argo-cd v3.1.16 util/glob/glob.go Match: whether `text` matches the gobwas glob `pattern`,
 * where `*` and `?` do not cross a separator and `**` does. A pattern that does not compile
 * matches nothing (Argo CD logs it and returns false).
 */
export function globMatch(pattern: string, text: string, separators = ''): boolean {
  const key = `${separators}\0${pattern}`;
  let regex = compiled.get(key);
  if (regex === undefined) {
    try {
      regex = new RegExp(`^${regexOf(parse(lex(pattern)), separators)}$`, 'u');
    } catch (error) {
      if (!(error instanceof GlobSyntaxError)) throw error;
      regex = null;
    }
    compiled.set(key, regex);
  }
  return regex !== null && regex.test(text);
}

/**
 * argo-cd v3.1.16 pkg/apis/application/v1alpha1/app_project_types.go globMatch: a pattern
 * starting with `!` (where negation is allowed) matches what its remainder does not.
 */
export function projectGlobMatch(pattern: string, value: string, allowNegation: boolean, separators = ''): boolean {
  if (allowNegation && pattern.startsWith('!')) return !globMatch(pattern.slice(1), value, separators);
  if (pattern === '*') return true;
  return globMatch(pattern, value, separators);
}

/** One possibly escaped character of a character class (Go path/filepath match.go getEsc), or undefined when malformed. */
function classChar(chunk: string): { r: number; rest: string } | undefined {
  if (chunk === '' || chunk[0] === '-' || chunk[0] === ']') return undefined;
  if (chunk[0] === '\\') {
    chunk = chunk.slice(1);
    if (chunk === '') return undefined;
  }
  const r = chunk.codePointAt(0)!;
  const rest = chunk.slice(String.fromCodePoint(r).length);
  return rest === '' ? undefined : { r, rest };
}

/** Go path/filepath match.go matchChunk: the rest of `s` after `chunk` matched its start, or 'bad' for a malformed chunk. */
function matchChunk(chunk: string, s: string): { rest: string; ok: boolean } | 'bad' {
  let failed = false;
  while (chunk.length > 0) {
    failed = failed || s.length === 0;
    const c = chunk[0]!;
    if (c === '[') {
      let r = 0;
      if (!failed) {
        r = s.codePointAt(0)!;
        s = s.slice(String.fromCodePoint(r).length);
      }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk[0] === '^') {
        negated = true;
        chunk = chunk.slice(1);
      }
      let matched = false;
      let ranges = 0;
      for (;;) {
        if (chunk[0] === ']' && ranges > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = classChar(chunk);
        if (!lo) return 'bad';
        let hi = lo.r;
        chunk = lo.rest;
        if (chunk[0] === '-') {
          const h = classChar(chunk.slice(1));
          if (!h) return 'bad';
          hi = h.r;
          chunk = h.rest;
        }
        matched = matched || (lo.r <= r && r <= hi);
        ranges++;
      }
      failed = failed || matched === negated;
    } else if (c === '?') {
      if (!failed) {
        failed = s[0] === '/';
        s = s.slice(String.fromCodePoint(s.codePointAt(0)!).length);
      }
      chunk = chunk.slice(1);
    } else {
      if (c === '\\') {
        chunk = chunk.slice(1);
        if (chunk === '') return 'bad';
      }
      if (!failed) {
        failed = chunk[0] !== s[0];
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    }
  }
  return failed ? { rest: '', ok: false } : { rest: s, ok: true };
}

/** Go path/filepath match.go scanChunk. */
function scanChunk(pattern: string): { star: boolean; chunk: string; rest: string } {
  let star = false;
  while (pattern[0] === '*') {
    pattern = pattern.slice(1);
    star = true;
  }
  let inRange = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (i + 1 < pattern.length) i++;
    } else if (c === '[') inRange = true;
    else if (c === ']') inRange = false;
    else if (c === '*' && !inRange) return { star, chunk: pattern.slice(0, i), rest: pattern.slice(i) };
  }
  return { star, chunk: pattern, rest: '' };
}

/**
 * Go path/filepath Match (on Linux), as argo-cd v3.1.16 types.go isResourceInList uses it for
 * groups and kinds: true only when the name matches and the pattern is well formed.
 */
export function filepathMatch(pattern: string, name: string): boolean {
  outer: while (pattern.length > 0) {
    const scanned = scanChunk(pattern);
    const { star, chunk } = scanned;
    pattern = scanned.rest;
    if (star && chunk === '') return !name.includes('/');
    const here = matchChunk(chunk, name);
    if (here !== 'bad' && here.ok && (here.rest.length === 0 || pattern.length > 0)) {
      name = here.rest;
      continue;
    }
    if (here === 'bad') return false;
    if (star) {
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const skipped = matchChunk(chunk, name.slice(i + 1));
        if (skipped === 'bad') return false;
        if (skipped.ok) {
          if (pattern.length === 0 && skipped.rest.length > 0) continue;
          name = skipped.rest;
          continue outer;
        }
      }
    }
    return false;
  }
  return name.length === 0;
}

// Go net/url (Go 1.26 encoding_table.go): the bytes a path and a host keep unescaped.
const PATH_KEEPS = /^[A-Za-z0-9$&+,\-./:;=@_~]$/;
const HOST_KEEPS = /^[A-Za-z0-9!"$&'()*+,\-.:;<=>[\]_~]$/;
// validEncoded: what a path written by hand may hold and still be kept as written.
const PATH_VALID = /^[A-Za-z0-9$&+,\-./:;=@_~!'()*[\]%]$/;

const utf8 = new TextEncoder();

function escapeBytes(s: string, keeps: RegExp): string {
  let out = '';
  for (const c of s) {
    if (keeps.test(c)) out += c;
    else for (const byte of utf8.encode(c)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go net/url URL.EscapedPath for a path read without `%` escapes: kept as written when valid, else escaped. */
function escapedPath(path: string): string {
  if (path === '*') return '*';
  return Array.from(path).every((c) => PATH_VALID.test(c)) ? path : escapeBytes(path, PATH_KEEPS);
}

/**
 * Go net/url Parse then String, for the URLs Argo CD normalizes: undefined where Go refuses the
 * URL (Argo CD then normalizes it to ""). Inputs with `%` escapes, `#` fragments or IP-literal
 * hosts are outside this model: 'unmodelled'.
 */
function goUrlRoundTrip(raw: string): string | undefined | 'unmodelled' {
  if (/[%#]/.test(raw) || /[\x00-\x1f\x7f]/.test(raw)) return /[\x00-\x1f\x7f]/.test(raw) ? undefined : 'unmodelled';
  if (raw === '*') return '*';
  // getScheme
  let scheme = '';
  let rest = raw;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) break;
      continue;
    }
    if (c === ':') {
      if (i === 0) return undefined;
      scheme = raw.slice(0, i).toLowerCase();
      rest = raw.slice(i + 1);
    }
    break;
  }
  let query: string | undefined;
  if (rest.endsWith('?') && rest.split('?').length === 2) {
    query = '';
    rest = rest.slice(0, -1);
  } else if (rest.includes('?')) {
    query = rest.slice(rest.indexOf('?') + 1);
    rest = rest.slice(0, rest.indexOf('?'));
  }
  const suffix = query !== undefined ? `?${query}` : '';
  if (!rest.startsWith('/')) {
    if (scheme !== '') return `${scheme}:${rest}${suffix}`;
    if (rest.split('/')[0]!.includes(':')) return undefined;
  }
  let user: string | undefined;
  let host = '';
  let omitHost = false;
  if ((scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    if (authority.includes('/')) {
      rest = authority.slice(authority.indexOf('/'));
      authority = authority.slice(0, authority.indexOf('/'));
    }
    const at = authority.lastIndexOf('@');
    host = at < 0 ? authority : authority.slice(at + 1);
    if (host.includes('[')) return 'unmodelled';
    if (host.includes(':')) {
      let i = host.indexOf(':');
      if (host.lastIndexOf(':') !== i) {
        // Go 1.26 parseHost: several colons are refused in http(s) hosts, the last one starts the port elsewhere.
        if (scheme === 'http' || scheme === 'https') return undefined;
        i = host.lastIndexOf(':');
      }
      if (!/^:[0-9]*$/.test(host.slice(i))) return undefined;
    }
    if (at >= 0) {
      user = authority.slice(0, at);
      // validUserinfo
      if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(user)) return undefined;
      if (user.includes(':')) return 'unmodelled';
    }
  } else if (scheme !== '' && rest.startsWith('/')) omitHost = true;
  let out = scheme !== '' ? `${scheme}:` : '';
  if (scheme !== '' || host !== '' || user !== undefined) {
    if (!(omitHost && host === '' && user === undefined)) {
      if (host !== '' || rest !== '' || user !== undefined) out += '//';
      if (user !== undefined) out += `${escapeBytes(user, /^[A-Za-z0-9\-._~$&+,;=]$/)}@`;
      out += escapeBytes(host, HOST_KEEPS);
    }
  }
  const path = escapedPath(rest);
  if (path !== '' && path[0] !== '/' && host !== '') out += '/';
  if (out === '' && path.split('/')[0]!.includes(':')) out += './';
  return `${out}${path}${suffix}`;
}

// argo-cd v3.1.16 util/git/git.go sshURLRegex.
const SSH_URL = /^(ssh:\/\/)?([^/:]*?)@[^@]+$/;

/**
 * argo-cd v3.1.16 util/git/git.go NormalizeGitURL: lower case, scp-like SSH made an ssh:// URL,
 * `.git` dropped, through Go's URL parser, `ssh://` dropped again. "" where Go refuses the URL;
 * undefined where this model does not follow Go's parser (see goUrlRoundTrip).
 */
export function normalizeGitURL(repo: string): string | undefined {
  repo = repo.trim().toLowerCase();
  if (SSH_URL.test(repo) && !repo.startsWith('ssh://')) repo = `ssh://${repo.replace(':', '/')}`;
  if (repo.endsWith('.git')) repo = repo.slice(0, -'.git'.length);
  const parsed = goUrlRoundTrip(repo);
  if (parsed === 'unmodelled') return undefined;
  if (parsed === undefined) return '';
  return parsed.startsWith('ssh://') ? parsed.slice('ssh://'.length) : parsed;
}

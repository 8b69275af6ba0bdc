import { Document, stringify } from 'yaml';
import { stringifyNumber, stringifyString } from 'yaml/util';

/**
 * YAML text of plain JSON data, byte for byte what `yaml`'s `stringify(value, YAML_OPTIONS)`
 * writes, several times faster: the `yaml` library builds a node tree for every value before
 * writing it, which was most of synth's main-thread time. Here maps and sequences are laid out
 * directly, as `yaml` lays out block collections (stringifyCollection, stringifyPair: two-space
 * steps, sequences indented under their key, empty collections as `{}` and `[]`), and every
 * string and number is still written by `yaml`'s own scalar functions (exported from
 * `yaml/util`), so quoting, escaping and block scalars are the library's, not a copy. What this
 * does not lay out the same way (block scalars that keep trailing newlines, keys over 1024
 * characters, values that are not JSON) goes to `yaml` itself. test/yaml-emit.test.ts compares
 * the two on every file synth writes, every fixture and a seeded fuzz run.
 *
 * Strings are quoted by YAML 1.1's rules, not 1.2's: kubectl and Argo CD read manifests with
 * sigs.k8s.io/yaml, that is go-yaml v2, a YAML 1.1 parser, which reads a plain `yes`, `on`, `y`,
 * `0644`, `1_000` or `1:30` as a boolean or a number. Written plain (YAML 1.2 sees strings
 * there), a label value `on` would reach the API server as `true`, and be refused. Strings that
 * YAML 1.2 reads as numbers are quoted too (YAML12_NUMBERS).
 */

// createStringifyContext's defaults (yaml 2.x, dist/stringify/stringify.js), with lineWidth 0.
const OPTIONS = {
  blockQuote: true,
  commentString: (s: string) => s.replace(/^(?!$)(?: $)?/gm, '#'),
  defaultKeyType: null,
  defaultStringType: 'PLAIN',
  directives: null,
  doubleQuotedAsJSON: false,
  doubleQuotedMinMultiLineLength: 40,
  falseStr: 'false',
  flowCollectionPadding: true,
  indentSeq: true,
  lineWidth: 0,
  minContentWidth: 20,
  nullStr: 'null',
  simpleKeys: false,
  singleQuote: null,
  trailingComma: false,
  trueStr: 'true',
  verifyAliasOrder: true,
} as const;

const STEP = '  ';

/**
 * The plain scalars YAML 1.2's core schema reads as numbers and YAML 1.1 does not (`0o17`,
 * `1e3`): kustomize (go-yaml v3) and js-yaml read 1.2. With these beside 1.1's own, a string
 * either would misread is quoted. They only ever test strings: having no `identify`, they never
 * write a value.
 */
const YAML12_NUMBERS = [
  { tag: 'tag:yaml.org,2002:int', format: 'OCT', default: true, test: /^0o[0-7]+$/, resolve: (s: string) => parseInt(s.slice(2), 8) },
  { tag: 'tag:yaml.org,2002:float', format: 'EXP', default: true, test: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, resolve: (s: string) => Number(s) },
];

/** How `yaml` writes our documents, which this emitter reproduces (see above). */
export const YAML_OPTIONS = { lineWidth: 0, version: '1.1', customTags: (tags: unknown[]) => [...tags, ...YAML12_NUMBERS] } as const;
/** Layouts this emitter does not reproduce: the caller falls back to `yaml`. */
class Unsupported extends Error {}

let schemaDoc: Document | undefined;
// Written scalars, by string: keys and values apart. Most strings are written the same at any
// indentation and are found by the string alone; the few that are not (spanning lines, or
// starting like a document marker) are kept by indentation too.
const keys = new Map<string, string>();
const values = new Map<string, string>();
const byIndent = new Map<string, string>();
const DEPENDS_ON_INDENT = /\n|^(%|---|\.\.\.)/m;

/** A string scalar as `yaml` writes it in this position (a key, or a value at `indent`). */
function scalar(value: string, implicitKey: boolean, indent: string): string {
  const plain = implicitKey ? keys : values;
  const found = plain.get(value);
  if (found !== undefined) return found;
  const key = DEPENDS_ON_INDENT.test(value) ? `${implicitKey ? 'k' : 'v'}${indent.length}\u0000${value}` : undefined;
  if (key !== undefined) {
    const cached = byIndent.get(key);
    if (cached !== undefined) return cached;
  }
  schemaDoc ??= new Document(undefined, YAML_OPTIONS as never);
  const ctx = { doc: schemaDoc, indent, indentStep: STEP, implicitKey, inFlow: null, actualString: true, options: OPTIONS };
  const text = stringifyString({ value } as never, ctx as never);
  // Keep chomping (`|+`) changes how what follows is laid out; `yaml` handles that itself.
  if (/^[|>][0-9]?\+/.test(text)) throw new Unsupported();
  // Short strings repeat (keys, labels, names); long ones (scripts, dashboards) rarely do, and are not kept.
  if (value.length <= 200) {
    const memo = key === undefined ? plain : byIndent;
    if (memo.size > 20_000) memo.clear();
    memo.set(key ?? value, text);
  }
  return text;
}

/** A value in a position whose context indentation is `indent`. */
function node(value: unknown, indent: string): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return scalar(value, false, indent);
    case 'number':
      return stringifyNumber({ value } as never);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw new Unsupported();
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const itemIndent = indent + STEP;
    let out = '';
    for (let i = 0; i < value.length; i++) out += `${i === 0 ? '' : `\n${indent}`}- ${node(value[i], itemIndent)}`;
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new Unsupported();
  const inner = indent + STEP;
  let out = '';
  let first = true;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    const keyText = scalar(k, true, inner);
    if (keyText.length > 1024) throw new Unsupported();
    let pair: string;
    if (v !== null && typeof v === 'object') {
      const empty = Array.isArray(v) ? v.length === 0 : Object.keys(v).every((x) => (v as Record<string, unknown>)[x] === undefined);
      pair = empty ? `${keyText}: ${Array.isArray(v) ? '[]' : '{}'}` : `${keyText}:\n${inner}${node(v, inner)}`;
    } else {
      const text = node(v, inner);
      pair = `${keyText}:${text === '' || text[0] === '\n' ? '' : ' '}${text}`;
    }
    out += first ? pair : `\n${indent}${pair}`;
    first = false;
  }
  return first ? '{}' : out;
}

/** One document's YAML, as `stringify(value, YAML_OPTIONS)` writes it. */
export function emitYaml(value: unknown): string {
  try {
    return `${node(value, '')}\n`;
  } catch (error) {
    if (!(error instanceof Unsupported)) throw error;
    return stringify(value, YAML_OPTIONS as never);
  }
}

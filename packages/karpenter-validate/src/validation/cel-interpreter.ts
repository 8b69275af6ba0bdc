import { celEnv, CelScalar, celMethod, isCelError, listType, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { re2Find, re2FindAll, re2Test } from './regex';
import { own } from './pods';
import { StructuralSchema } from './structural';

/**
 * CEL as the API server evaluates `x-kubernetes-validations`, interpreted by @bufbuild/cel:
 * cel-go's standard library, the strings extension, RE2 regular expressions, and the
 * Kubernetes library functions the Karpenter rules use. @bufbuild/cel has no `find`/`findAll`
 * (they come from Kubernetes' regex library), so they are added here. The rules of the pinned
 * CRDs run compiled (src/validation/cel-compile.ts); this is for any other rule, and the
 * reference the compiled rules are tested against.
 * @see https://kubernetes.io/docs/reference/using-api/cel/#kubernetes-regex-library
 */
const KUBERNETES_FUNCS = [
  celMethod('find', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (this: string, pattern: string) {
    return re2Find(pattern, this);
  }),
  celMethod('findAll', CelScalar.STRING, [CelScalar.STRING], listType(CelScalar.STRING), function (this: string, pattern: string) {
    return re2FindAll(pattern, this);
  }),
  celMethod('findAll', CelScalar.STRING, [CelScalar.STRING, CelScalar.INT], listType(CelScalar.STRING), function (this: string, pattern: string, limit: bigint) {
    return re2FindAll(pattern, this, Number(limit));
  }),
];

const ENV = celEnv({ funcs: [...strings, ...KUBERNETES_FUNCS], re2: { compile: (pattern) => ({ test: (text) => re2Test(pattern, text) }) } });

type Program = ReturnType<typeof plan>;
const programs = new Map<string, Program>();

function compileRule(rule: string): Program {
  let compiled = programs.get(rule);
  if (!compiled) {
    compiled = plan(ENV, parse(rule));
    programs.set(rule, compiled);
  }
  return compiled;
}

/**
 * A JSON value as the interpreter sees it under `schema`: `integer` fields are CEL ints
 * (BigInt), `number` fields doubles, int-or-string either, objects maps.
 */
export function toCel(value: unknown, schema: StructuralSchema | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => toCel(item, schema?.items));
  if (value !== null && typeof value === 'object') {
    return new Map(Object.entries(value).map(([key, item]) => [key, toCel(item, own(schema?.properties, key) ?? (typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined))]));
  }
  if (typeof value === 'number' && Number.isInteger(value) && schema?.type !== 'number') return BigInt(value);
  return value;
}

/** `rule` interpreted over values `toCel` converted: its value, or the error's text as `{ error }`. */
export function interpret(rule: string, self: unknown, oldSelf?: unknown): unknown {
  const result = compileRule(rule)(oldSelf === undefined ? { self: self as never } : { self: self as never, oldSelf: oldSelf as never });
  return isCelError(result) ? { error: result.message } : result;
}

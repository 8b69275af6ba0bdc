// How a file is read decides what reaches the API server: these cases are the YAML and JSON
// shapes people's files take (issue: every one of Karpenter's own example files starts with a
// comment-only document), each read by kubectl in the Go tier and by our reader.
import type { Case } from './corpus';

const cm = (name: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: spark\ndata:\n  key: value\n${extra}`;

function nested(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

const CASES: readonly [string, string][] = [
  ['comment-only-first', `# Karpenter's examples start like this\n---\n${cm('a')}`],
  ['comment-only-between', `${cm('a')}---\n# nothing here\n---\n${cm('b')}`],
  ['empty-documents', `---\n---\n${cm('a')}---\n---\n`],
  ['leading-separator', `---\n${cm('a')}`],
  ['trailing-separator', `${cm('a')}---\n`],
  ['document-end-marker', `${cm('a')}...\n---\n${cm('b')}`],
  ['separator-with-comment', `${cm('a')}--- # next\n${cm('b')}`],
  ['only-comments', '# nothing\n# at all\n'],
  ['empty-file', ''],
  ['null-document', `null\n---\n${cm('a')}`],
  ['tilde-document', `~\n---\n${cm('a')}`],
  ['bom', `\uFEFF${cm('a')}`],
  ['crlf', cm('a').replace(/\n/g, '\r\n')],
  ['crlf-multi', `${cm('a')}---\n${cm('b')}`.replace(/\n/g, '\r\n')],
  ['tab-indent', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: a\n'],
  ['tab-in-value', `${cm('a')}  other: "a\\tb"\n`],
  ['tab-after-colon', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name:\ta\n  namespace: spark\n'],
  ['duplicate-key-top', `${cm('a')}data:\n  key: other\n`],
  ['duplicate-key-nested', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n  namespace: spark\n'],
  ['anchor-alias', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: spark\n  labels: &l\n    app: x\n  annotations: *l\n`],
  ['merge-key', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: spark\n  labels:\n    <<: {app: x, tier: y}\n    tier: z\n`],
  ['merge-key-list', 'base: &b {app: x}\nextra: &e {tier: y}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: spark\n  labels:\n    <<: [*b, *e]\n'],
  ['list-kind', `apiVersion: v1\nkind: List\nitems:\n- ${cm('a').replace(/\n(?=.)/g, '\n  ')}- ${cm('b').replace(/\n(?=.)/g, '\n  ')}`],
  ['list-kind-empty', 'apiVersion: v1\nkind: List\nitems: []\n'],
  ['config-map-list-kind', `apiVersion: v1\nkind: ConfigMapList\nitems:\n- ${cm('a').replace(/\n(?=.)/g, '\n  ')}`],
  ['json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'spark' }, data: { key: 'value' } })],
  ['json-pretty', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'spark' } }, null, 2)],
  ['json-two-objects', `${JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'spark' } })}\n${JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'spark' } })}`],
  ['json-in-yaml-stream', `${cm('a')}---\n${JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'spark' } })}\n`],
  ['flow-mapping-document', '{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: spark}}\n'],
  ['yaml11-booleans', `${cm('a')}  yes: on\n`],
  ['yaml11-octal', `${cm('a')}  mode: 0644\n`],
  ['yaml11-underscore', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: spark}\nspec:\n  replicas: 1_0\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: "x:1"}]}\n'],
  ['yaml11-timestamp', `${cm('a')}  when: 2024-01-01\n`],
  ['yaml11-y', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: spark}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: y}]}\n'],
  ['number-name', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 123\n  namespace: spark\n'],
  ['quoted-number-value', `${cm('a')}  n: "1"\n`],
  ['number-data-value', `${cm('a')}  n: 1\n`],
  ['deep-nesting-150', `${cm('a')}binaryData: ${nested(150)}\n`],
  ['deep-nesting-5000', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: spark}\nx: ${nested(5000)}\n`],
  ['deep-nesting-12000', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: spark}\nx: ${nested(12000)}\n`],
  ['many-aliases', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: spark\n  labels: &l {app: x}\ndata:\n${Array.from({ length: 200 }, (_, i) => `  k${i}: &v${i} value${i}`).join('\n')}\nbinaryData: {}\nextra: [${Array.from({ length: 200 }, (_, i) => `*v${i}`).join(', ')}]\n`],
  ['alias-bomb', ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`), 'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb, namespace: spark}'].join('\n')],
  ['config-map-at-limit', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: spark}\ndata:\n  k: ${'x'.repeat(1048575)}\n`],
  ['config-map-over-limit', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: spark}\ndata:\n  k: ${'x'.repeat(1048577)}\n`],
  ['config-map-over-limit-two-keys', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: spark}\ndata:\n  a: ${'x'.repeat(600000)}\n  b: ${'y'.repeat(600000)}\n`],
  ['secret-over-limit', `apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: spark}\nstringData:\n  k: ${'x'.repeat(1048577)}\n`],
  ['annotations-over-limit', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: spark\n  annotations:\n    big: ${'x'.repeat(262145)}\n`],
  ['annotations-at-limit', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: spark\n  annotations:\n    big: ${'x'.repeat(262141)}\n`],
  ['multi-megabyte-file', Array.from({ length: 400 }, (_, i) => `${cm(`m${i}`, `  blob: ${'z'.repeat(8000)}\n`)}`).join('---\n')],
  ['not-a-mapping', '- a\n- b\n'],
  ['scalar-document', 'hello\n'],
  ['missing-kind', 'apiVersion: v1\nmetadata: {name: a, namespace: spark}\n'],
  ['missing-apiversion', 'kind: ConfigMap\nmetadata: {name: a, namespace: spark}\n'],
  ['unknown-builtin-kind', 'apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: a, namespace: spark}\n'],
  ['unknown-core-kind', 'apiVersion: v1\nkind: Sevice\nmetadata: {name: a, namespace: spark}\n'],
  ['unserved-version', 'apiVersion: policy/v2\nkind: PodDisruptionBudget\nmetadata: {name: a, namespace: spark}\nspec: {maxUnavailable: 1, selector: {matchLabels: {a: b}}}\n'],
  ['removed-version', 'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: a, namespace: spark}\nspec: {maxUnavailable: 1, selector: {matchLabels: {a: b}}}\n'],
  ['replication-controller-string-replicas', 'apiVersion: v1\nkind: ReplicationController\nmetadata: {name: a, namespace: spark}\nspec:\n  replicas: "asd"\n  selector: {app: a}\n  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: c, image: "x:1"}]}\n'],
  ['hpa-v1-min-zero', 'apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: a, namespace: spark}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: a}\n  minReplicas: 0\n  maxReplicas: 3\n'],
  ['syntax-error', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a\n'],
  ['syntax-error-second-document', `${cm('a')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b\n`],
  ['stray-line', `${cm('a')}this line is not yaml\n`],
  ['indentation-error', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n namespace: spark\n'],
];

export function yamlCases(): Case[] {
  return CASES.map(([name, content]) => ({ id: `yaml/${name}`, corpus: 'yaml', files: [{ name: `${name}.${content.trimStart().startsWith('{') && name.startsWith('json') ? 'json' : 'yaml'}`, content }], note: name }));
}

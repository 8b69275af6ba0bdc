import { objectsByFolder } from '../synth/dist-files';

/** One changed field of an object. */
export interface FieldChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** What changed in one object. */
export interface ObjectChange {
  readonly env: string;
  readonly kind: string;
  readonly id: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly fields: readonly FieldChange[];
  /** Set when the change makes Karpenter replace nodes (a NodePool template or an EC2NodeClass). */
  readonly replacesNodes: boolean;
}

type Objects = Map<string, { env: string; kind: string; id: string; object: any }>;

/** Objects of a set of dist files (path relative to dist/ → YAML), keyed by environment, kind, namespace and name. */
function objectsOf(files: ReadonlyMap<string, string>): Objects {
  const objects: Objects = new Map();
  for (const [env, list] of objectsByFolder(files)) {
    for (const object of list as any[]) {
      const id = object.metadata?.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata?.name;
      objects.set(`${env}|${object.kind}|${id}`, { env, kind: object.kind, id, object });
    }
  }
  return objects;
}

function fieldChanges(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  const isObject = (v: unknown) => typeof v === 'object' && v !== null;
  if (isObject(before) && isObject(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = new Set([...Object.keys(before as object), ...Object.keys(after as object)]);
    for (const key of [...keys].sort()) {
      const next = Array.isArray(before) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      fieldChanges((before as any)[key], (after as any)[key], next, out);
    }
    return;
  }
  out.push({ path, before, after });
}

/** Semantic diff between two renderings of dist/: objects added, removed and changed, field by field. */
export function semanticDiff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): ObjectChange[] {
  const old = objectsOf(before);
  const now = objectsOf(after);
  const changes: ObjectChange[] = [];
  for (const key of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const a = old.get(key);
    const b = now.get(key);
    const { env, kind, id } = (b ?? a)!;
    if (!a || !b) {
      changes.push({ env, kind, id, change: a ? 'removed' : 'added', fields: [], replacesNodes: false });
      continue;
    }
    const fields: FieldChange[] = [];
    fieldChanges(a.object, b.object, '', fields);
    if (fields.length === 0) continue;
    // Karpenter drifts (replaces) nodes when a NodePool's template or its EC2NodeClass's spec changes.
    const replacesNodes =
      (kind === 'NodePool' && fields.some((f) => f.path.startsWith('spec.template'))) || (kind === 'EC2NodeClass' && fields.some((f) => f.path.startsWith('spec.')));
    changes.push({ env, kind, id, change: 'changed', fields, replacesNodes });
  }
  return changes;
}

const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));

/** The diff as text for a terminal, or Markdown for a pull request comment. */
export function formatDiff(changes: readonly ObjectChange[], markdown: boolean): string {
  if (changes.length === 0) return markdown ? 'No changes to the synthesized output.\n' : 'no changes\n';
  const lines: string[] = [];
  for (const env of [...new Set(changes.map((c) => c.env))]) {
    lines.push(markdown ? `### ${env}` : `== ${env}`);
    for (const kind of [...new Set(changes.filter((c) => c.env === env).map((c) => c.kind))]) {
      lines.push(markdown ? `#### ${kind}` : `  ${kind}`);
      for (const c of changes.filter((x) => x.env === env && x.kind === kind)) {
        const flag = c.replacesNodes ? (markdown ? ' **(Karpenter replaces this pool\'s nodes)**' : '  [replaces nodes]') : '';
        lines.push(markdown ? `- \`${c.id}\` ${c.change}${flag}` : `    ${c.change === 'added' ? '+' : c.change === 'removed' ? '-' : '~'} ${c.id}${flag}`);
        for (const f of c.fields) lines.push(markdown ? `  - \`${f.path}\`: ${show(f.before)} → ${show(f.after)}` : `        ${f.path}: ${show(f.before)} -> ${show(f.after)}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

import { Checked } from './cluster';
import { KubeObject, Reporter, Severity } from './findings';
import { isObject, Json } from './pods';

/**
 * What Argo CD would refuse or keep redoing, for Applications, ApplicationSets and their
 * AppProjects, and for the objects an Application syncs with server-side apply.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/projects/
 */

/**
 * Annotation on an Application listing the cluster-scoped kinds its source holds, as
 * `group/Kind` (`karpenter.sh/NodePool`, `/Namespace` for the core group): the objects are
 * not in the Application itself, so the project check needs them stated.
 */
export const CLUSTER_SCOPED_KINDS_ANNOTATION = 'karpenter-as-code.io/cluster-scoped-kinds';

const ARGO = 'argoproj.io/';
const nameOf = (o: KubeObject) => String(o.metadata?.name ?? '');

/** The Application spec an object makes: its own, or an ApplicationSet's template. */
function applicationSpec(object: KubeObject): { spec: Json; path: string } | undefined {
  const spec = isObject(object.spec) ? object.spec : undefined;
  if (!spec) return undefined;
  if (object.kind === 'Application') return { spec, path: 'spec' };
  if (object.kind === 'ApplicationSet' && isObject(spec.template) && isObject(spec.template.spec)) return { spec: spec.template.spec, path: 'spec.template.spec' };
  return undefined;
}

// Argo CD matches project patterns with glob: `*` for any run of characters.
function globMatches(pattern: unknown, value: string): boolean {
  if (typeof pattern !== 'string') return false;
  const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return regex.test(value);
}

function whitelisted(project: Json, group: string, kind: string): boolean {
  const list = Array.isArray(project.clusterResourceWhitelist) ? (project.clusterResourceWhitelist as Json[]) : [];
  return list.some((entry) => globMatches(entry?.group ?? '', group) && globMatches(entry?.kind, kind));
}

/** Checks Applications and ApplicationSets against the AppProjects of the set and Argo CD's sync behaviour. */
export function checkArgoCd(items: readonly Checked[], complete: boolean): void {
  const projects = new Map(items.filter((i) => i.object.kind === 'AppProject' && String(i.object.apiVersion).startsWith(ARGO)).map((i) => [nameOf(i.object), (i.object.spec ?? {}) as Json]));
  for (const { object, reporter } of items) {
    if (!String(object.apiVersion).startsWith(ARGO)) continue;
    const found = applicationSpec(object);
    if (!found) continue;
    const { spec, path } = found;
    const projectName = typeof spec.project === 'string' ? spec.project : 'default';
    const project = projects.get(projectName);
    if (!project) {
      // The default project exists in every Argo CD; any other must be created before the Application.
      if (projectName !== 'default' || complete) {
        const severity: Severity = complete ? 'error' : projectName === 'default' ? 'warning' : 'warning';
        reporter.report('argocd-project', `${path}.project`, `AppProject "${projectName}" is not ${complete ? 'in the set' : 'in the files given'}: Argo CD refuses to sync the Application ("project ${projectName} does not exist") until it exists. Emit the AppProject with the Applications`, projectName, projectName === 'default' && !complete ? 'warning' : severity);
      }
    } else {
      checkAgainstProject(object, spec, path, projectName, project, reporter);
    }
    const sync = isObject(spec.syncPolicy) ? spec.syncPolicy : {};
    if (isObject(sync.automated) && !isObject(sync.retry)) {
      reporter.report('argocd-retry', `${path}.syncPolicy`, 'syncs automatically without syncPolicy.retry: Argo CD never retries a failed automated sync of the same commit, so a transient failure (a webhook not ready yet, a CRD established a moment late) waits for the next commit. Add retry with a backoff');
    }
  }
}

function checkAgainstProject(object: KubeObject, spec: Json, path: string, projectName: string, project: Json, reporter: Reporter): void {
  const annotations = (object.metadata?.annotations ?? {}) as Record<string, unknown>;
  const kinds = typeof annotations[CLUSTER_SCOPED_KINDS_ANNOTATION] === 'string' ? (annotations[CLUSTER_SCOPED_KINDS_ANNOTATION] as string).split(',').filter(Boolean) : [];
  const missing = kinds.filter((kind) => {
    const [group, name] = kind.includes('/') ? (kind.split('/') as [string, string]) : ['', kind];
    return !whitelisted(project, group, name);
  });
  if (missing.length > 0) {
    reporter.report('argocd-whitelist', `metadata.annotations[${JSON.stringify(CLUSTER_SCOPED_KINDS_ANNOTATION)}]`, `syncs cluster-scoped ${missing.join(', ')}, which AppProject "${projectName}" does not whitelist (clusterResourceWhitelist): the sync fails on them. Add them to the project, reviewed`, missing);
  }
  const destination = isObject(spec.destination) ? spec.destination : {};
  const server = typeof destination.server === 'string' ? destination.server : undefined;
  const namespace = typeof destination.namespace === 'string' ? destination.namespace : undefined;
  const allowed = Array.isArray(project.destinations) ? (project.destinations as Json[]) : [];
  // Templated values ({{...}}) are resolved per generated Application; they cannot be checked here.
  if (server && !server.includes('{{') && !allowed.some((d) => globMatches(d?.server ?? '*', server) && (namespace === undefined || globMatches(d?.namespace ?? '*', namespace)))) {
    reporter.report('argocd-project', `${path}.destination`, `AppProject "${projectName}" does not permit destination ${server}${namespace ? ` namespace ${namespace}` : ''}: Argo CD refuses to sync. Add it to the project's destinations`, destination);
  }
  const sources = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])].filter(isObject);
  const repos = Array.isArray(project.sourceRepos) ? project.sourceRepos : [];
  for (const source of sources) {
    if (typeof source.repoURL === 'string' && !source.repoURL.includes('{{') && !repos.some((repo) => globMatches(repo, source.repoURL))) {
      reporter.report('argocd-project', `${path}.source.repoURL`, `AppProject "${projectName}" does not permit source repository ${source.repoURL}: Argo CD refuses to sync. Add it to the project's sourceRepos`, source.repoURL);
    }
  }
}

/**
 * Objects Argo CD's server-side diff shows as forever OutOfSync, which with self-heal is a sync
 * loop: a StatefulSet claim template without apiVersion and kind (the API server fills them in;
 * argo-cd #11143, #16707), and a PersistentVolume with a claimRef (the binder writes its uid and
 * resourceVersion into it; argo-cd #16058).
 */
export function checkServerSideDiff(object: KubeObject, reporter: Reporter): void {
  const spec = isObject(object.spec) ? object.spec : {};
  if (object.kind === 'StatefulSet' && Array.isArray(spec.volumeClaimTemplates)) {
    spec.volumeClaimTemplates.forEach((claim: Json, i: number) => {
      if (isObject(claim) && (claim.apiVersion === undefined || claim.kind === undefined)) {
        reporter.report('argocd-sync-loop', `spec.volumeClaimTemplates[${i}]`, 'has no apiVersion and kind: the API server fills them in, and Argo CD with server-side apply then shows the StatefulSet OutOfSync forever (a sync loop with self-heal). Set apiVersion: v1 and kind: PersistentVolumeClaim');
      }
    });
  }
  if (object.kind === 'PersistentVolume' && isObject(spec.claimRef)) {
    reporter.report('argocd-sync-loop', 'spec.claimRef', "binds the volume by claimRef: the binder adds the claim's uid and resourceVersion, and Argo CD with server-side apply then shows the volume OutOfSync forever (a sync loop with self-heal). Bind from the claim instead (spec.volumeName), with a storageClassName only that claim names");
  }
}

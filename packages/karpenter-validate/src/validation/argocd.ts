import { Checked } from './cluster';
import { KubeObject, Reporter, Severity } from './findings';
import { filepathMatch, normalizeGitURL, projectGlobMatch } from './argocd-match';
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
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

/** The API server address of the cluster Argo CD runs in (argo-cd v3.1.16 KubernetesInternalAPIServerAddr). */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';
/** The name Argo CD gives that cluster when no Secret registers it (argo-cd v3.1.16 util/db/cluster.go localCluster). */
export const IN_CLUSTER_NAME = 'in-cluster';

/** The Application spec an object makes: its own, or an ApplicationSet's template. */
function applicationSpec(object: KubeObject): { spec: Json; path: string } | undefined {
  const spec = isObject(object.spec) ? object.spec : undefined;
  if (!spec) return undefined;
  if (object.kind === 'Application') return { spec, path: 'spec' };
  if (object.kind === 'ApplicationSet' && isObject(spec.template) && isObject(spec.template.spec)) return { spec: spec.template.spec, path: 'spec.template.spec' };
  return undefined;
}

/** A cluster as Argo CD resolves an Application's destination to it. */
export interface ArgoCluster {
  readonly server: string;
  readonly name: string;
}

/** A cluster registered with Argo CD (a cluster Secret): its server and, when set, its name and the project it is scoped to. */
export interface RegisteredCluster {
  readonly server: string;
  readonly name?: string;
  readonly project?: string;
}

/** An ApplicationCondition Argo CD sets on an Application whose spec it refuses. */
export interface ArgoCondition {
  readonly type: 'InvalidSpecError';
  readonly message: string;
}

/**
 * argo-cd v3.1.16 types.go isResourceInList: a group and kind in a list of patterns (Go's
 * filepath.Match each, a malformed pattern matching nothing).
 */
function inResourceList(entries: readonly Json[], group: string, kind: string): boolean {
  return entries.some((entry) => filepathMatch(str(entry?.kind), kind) && filepathMatch(str(entry?.group), group));
}

/**
 * argo-cd v3.1.16 app_project_types.go IsGroupKindPermitted: namespaced kinds are permitted
 * unless a namespace whitelist leaves them out (an empty whitelist permits none) or the
 * blacklist names them; cluster-scoped kinds only when the cluster whitelist names them.
 */
export function isGroupKindPermitted(project: Json, group: string, kind: string, namespaced: boolean): boolean {
  const whitelist = namespaced ? project.namespaceResourceWhitelist : project.clusterResourceWhitelist;
  const blacklist = list(namespaced ? project.namespaceResourceBlacklist : project.clusterResourceBlacklist);
  const whitelisted = namespaced && (whitelist === undefined || whitelist === null) ? true : list(whitelist).length !== 0 && inResourceList(list(whitelist), group, kind);
  return whitelisted && !(blacklist.length !== 0 && inResourceList(blacklist, group, kind));
}

/**
 * argo-cd v3.1.16 app_project_types.go IsSourcePermitted: the repository, normalized, against
 * each sourceRepos pattern (`*` within a path segment, `!` denies). undefined where the URL is
 * outside what argocd-match.ts models.
 */
export function isSourcePermitted(project: Json, repoURL: string): boolean | undefined {
  const source = normalizeGitURL(repoURL);
  if (source === undefined) return undefined;
  let anyMatched = false;
  for (const pattern of list(project.sourceRepos).map(str)) {
    const normalized = pattern.startsWith('!') ? normalizeGitURL(pattern.slice(1)) : normalizeGitURL(pattern);
    if (normalized === undefined) return undefined;
    const effective = pattern.startsWith('!') ? `!${normalized}` : normalized;
    const matched = projectGlobMatch(effective, source, true, '/');
    if (matched) anyMatched = true;
    else if (effective.startsWith('!')) return false;
  }
  return anyMatched;
}

/** argo-cd v3.1.16 app_project_types.go isDestinationMatched: server or name, and namespace; `!` entries deny. */
function isDestinationMatched(project: Json, server: string, name: string, namespace: string): boolean {
  let anyMatched = false;
  for (const item of list(project.destinations)) {
    const [itemName, itemServer, itemNamespace] = [str(item?.name), str(item?.server), str(item?.namespace)];
    const nameMatched = name !== '' && projectGlobMatch(itemName, name, true);
    const serverMatched = server !== '' && projectGlobMatch(itemServer, server, true);
    const namespaceMatched = projectGlobMatch(itemNamespace, namespace, true);
    if ((serverMatched || nameMatched) && namespaceMatched) anyMatched = true;
    else if ((!nameMatched && itemName.startsWith('!')) || (!serverMatched && itemServer.startsWith('!') && namespaceMatched)) return false;
    else if (!namespaceMatched && itemNamespace.startsWith('!') && serverMatched) return false;
  }
  return anyMatched;
}

/**
 * argo-cd v3.1.16 app_project_types.go IsDestinationPermitted: the resolved cluster and the
 * namespace against the project's destinations. A missing namespace is the empty string, which
 * only `*` (or an empty pattern) matches: it is never "any namespace". A project that permits
 * only its own clusters also needs the cluster scoped to it (util/db GetProjectClusters).
 */
export function isDestinationPermitted(project: Json, cluster: ArgoCluster, namespace: string, clusters: readonly RegisteredCluster[] = []): boolean {
  const matched = isDestinationMatched(project, cluster.server, cluster.name, namespace);
  if (matched && project.permitOnlyProjectScopedClusters === true) {
    const own = clusters.filter((c) => c.project !== undefined && c.project === str(project.metadata?.name));
    return own.some((c) => (c.name ?? '') === cluster.name || c.server.replace(/\/+$/, '') === cluster.server);
  }
  return matched;
}

const goQuote = (s: string) => JSON.stringify(s);

/**
 * argo-cd v3.1.16 util/argo/argo.go GetDestinationCluster with util/db/cluster.go GetCluster and
 * GetClusterServersByName: the cluster an Application's destination names, among the
 * registered ones and the in-cluster one, or the error Argo CD reports.
 */
export function destinationCluster(destination: Json, clusters: readonly RegisteredCluster[]): ArgoCluster | { error: string } {
  const server = str(destination.server);
  const name = str(destination.name);
  const byServer = (s: string): ArgoCluster | undefined => {
    const found = clusters.find((c) => c.server.replace(/\/+$/, '') === s);
    if (found) return { server: found.server.replace(/\/+$/, ''), name: found.name ?? '' };
    return s === IN_CLUSTER_SERVER ? { server: IN_CLUSTER_SERVER, name: IN_CLUSTER_NAME } : undefined;
  };
  if (name !== '' && server !== '') return { error: `application destination can't have both name and server defined: ${name} ${server}` };
  if (server !== '') return byServer(server) ?? { error: `error getting cluster by server ${goQuote(server)}: rpc error: code = NotFound desc = cluster ${goQuote(server)} not found` };
  if (name !== '') {
    const inClusterRegistered = clusters.some((c) => c.server.replace(/\/+$/, '') === IN_CLUSTER_SERVER);
    const servers = !inClusterRegistered && name === IN_CLUSTER_NAME ? [IN_CLUSTER_SERVER] : clusters.filter((c) => c.name === name).map((c) => c.server.replace(/\/+$/, ''));
    if (servers.length === 0) return { error: `there are no clusters with this name: ${name}` };
    if (servers.length > 1) return { error: `there are ${servers.length} clusters with the same name: [${servers.join(' ')}]` };
    return byServer(servers[0]!) ?? { error: `error getting cluster by URL: rpc error: code = NotFound desc = cluster ${goQuote(servers[0]!)} not found` };
  }
  return { error: 'Destination server missing from app spec' };
}

/**
 * argo-cd v3.1.16 util/argo/argo.go ValidatePermissions: the conditions Argo CD sets on an
 * Application its project does not permit, with Argo CD's own messages. Clusters are resolved
 * among `clusters` (and the in-cluster one). undefined where the verdict is outside this model:
 * a repository URL with `%` escapes, a fragment or an IP-literal host (argocd-match.ts), a source
 * hydrator, or one of several sources without a repository or a path, chart or ref (Argo CD's
 * message then prints the whole source as Go formats it). The rule then reports nothing.
 */
export function validatePermissions(spec: Json, project: Json, clusters: readonly RegisteredCluster[]): ArgoCondition[] | undefined {
  const conditions: ArgoCondition[] = [];
  const condition = (message: string): ArgoCondition => ({ type: 'InvalidSpecError', message });
  const projectName = str(project.metadata?.name);
  const notPermitted = (repoURL: string) => condition(`application repo ${repoURL} is not permitted in project '${projectName}'`);
  const sources = list(spec.sources).filter(isObject);
  if (isObject(spec.sourceHydrator)) return undefined;
  if (Array.isArray(spec.sources) && spec.sources.length > 0) {
    for (const source of sources) {
      if (str(source.repoURL) === '' || (str(source.path) === '' && str(source.chart) === '' && str(source.ref) === '')) return undefined;
      if (str(source.chart) !== '' && str(source.targetRevision) === '') return [...conditions, condition('spec.source.targetRevision is required if the manifest source is a helm chart')];
      const permitted = isSourcePermitted(project, str(source.repoURL));
      if (permitted === undefined) return undefined;
      if (!permitted) conditions.push(notPermitted(str(source.repoURL)));
    }
  } else {
    const source = isObject(spec.source) ? spec.source : {};
    if (str(source.repoURL) === '' || (str(source.path) === '' && str(source.chart) === '')) return [condition('spec.source.repoURL and either spec.source.path or spec.source.chart are required')];
    if (str(source.chart) !== '' && str(source.targetRevision) === '') return [condition('spec.source.targetRevision is required if the manifest source is a helm chart')];
    const permitted = isSourcePermitted(project, str(source.repoURL));
    if (permitted === undefined) return undefined;
    if (!permitted) conditions.push(notPermitted(str(source.repoURL)));
  }
  const destination = isObject(spec.destination) ? spec.destination : {};
  const cluster = destinationCluster(destination, clusters);
  if ('error' in cluster) return [...conditions, condition(cluster.error)];
  const namespace = str(destination.namespace);
  if (!isDestinationPermitted(project, cluster, namespace, clusters)) {
    const server = str(destination.name) !== '' ? cluster.name : cluster.server;
    conditions.push(condition(`application destination server '${server}' and namespace '${namespace}' do not match any of the allowed destinations in project '${projectName}'`));
  }
  return conditions;
}

/** Checks Applications and ApplicationSets against the AppProjects of the set and Argo CD's sync behaviour. */
export function checkArgoCd(items: readonly Checked[], complete: boolean): void {
  const projects = new Map(items.filter((i) => i.object.kind === 'AppProject' && String(i.object.apiVersion).startsWith(ARGO)).map((i) => [nameOf(i.object), i.object as Json]));
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

/**
 * The clusters the validator assumes registered: every server an Application names (whether
 * `argocd cluster add` registered it is not in the manifests), the in-cluster one by its name.
 */
function assumedClusters(spec: Json): RegisteredCluster[] {
  const server = isObject(spec.destination) ? str(spec.destination.server) : '';
  return server !== '' && server.replace(/\/+$/, '') !== IN_CLUSTER_SERVER ? [{ server }] : [];
}

function checkAgainstProject(object: KubeObject, spec: Json, path: string, projectName: string, project: Json, reporter: Reporter): void {
  const projectSpec = isObject(project.spec) ? project.spec : {};
  const annotations = (object.metadata?.annotations ?? {}) as Record<string, unknown>;
  const kinds = typeof annotations[CLUSTER_SCOPED_KINDS_ANNOTATION] === 'string' ? (annotations[CLUSTER_SCOPED_KINDS_ANNOTATION] as string).split(',').filter(Boolean) : [];
  const missing = kinds.filter((kind) => {
    const [group, name] = kind.includes('/') ? (kind.split('/') as [string, string]) : ['', kind];
    return !isGroupKindPermitted(projectSpec, group, name, false);
  });
  if (missing.length > 0) {
    reporter.report('argocd-whitelist', `metadata.annotations[${JSON.stringify(CLUSTER_SCOPED_KINDS_ANNOTATION)}]`, `syncs cluster-scoped ${missing.join(', ')}, which AppProject "${projectName}" does not whitelist (clusterResourceWhitelist): the sync fails on them. Add them to the project, reviewed`, missing);
  }
  // Templated values ({{...}}) are resolved per generated Application; they cannot be checked here.
  if (JSON.stringify([spec.source ?? null, spec.sources ?? null, spec.destination ?? null]).includes('{{')) return;
  const destination = isObject(spec.destination) ? spec.destination : {};
  // A cluster named in the destination is resolved by its registration, which the manifests do not hold.
  const byName = str(destination.name) !== '' && str(destination.name) !== IN_CLUSTER_NAME && str(destination.server) === '';
  // Nor do they hold the name a registered cluster has: a project that permits clusters by name may permit this one.
  const namesUnknown = str(destination.server).replace(/\/+$/, '') !== IN_CLUSTER_SERVER && list(projectSpec.destinations).some((d) => str(d?.name) !== '' && !str(d?.name).startsWith('!'));
  const conditions = validatePermissions(spec, { ...projectSpec, metadata: project.metadata }, assumedClusters(spec));
  for (const { message } of conditions ?? []) {
    const aboutDestination = !message.startsWith('application repo') && !message.startsWith('spec.source');
    if (aboutDestination && byName) continue;
    const field = message.startsWith('application repo') ? 'source.repoURL' : message.startsWith('application destination server') ? 'destination' : message.startsWith('spec.source') ? 'source' : 'destination';
    const namespace = str(destination.namespace);
    const fix = message.startsWith('application repo')
      ? "Add the repository to the project's sourceRepos"
      : message.startsWith('application destination server') && namespace === ''
        ? `Set destination.namespace to a namespace the project permits on that cluster: without one, Argo CD matches the empty namespace against every destination of the project, which only "*" matches`
        : message.startsWith('application destination server')
          ? "Add the server and namespace to the project's destinations"
          : 'Fix the Application spec';
    const uncertain = aboutDestination && namesUnknown ? ` (unless the cluster is registered under a name one of the project's destinations permits: the manifests do not say)` : '';
    reporter.report('argocd-project', `${path}.${field}`, `Argo CD refuses to sync it (InvalidSpecError: "${message}")${uncertain}. ${fix}`, field === 'destination' ? destination : field === 'source.repoURL' ? /^application repo (.*) is not permitted in project/.exec(message)?.[1] : undefined, uncertain ? 'warning' : undefined);
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

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lauxlib, lua, lualib, to_luastring } from 'fengari';
import { ENVIRONMENTS } from '../config/environments';
import { dev } from '../config/environments/dev';
import type { EnvironmentConfig } from '../config/environment-config';
import { ARGOCD } from '../config/argocd';
import { revisionOf, rootOf } from '../charts/argocd';
import { CLUSTER_SCOPED } from './argocd-sim';
import { KARPENTER_RELEASES, KEDA_VERSION } from '../config/versions';
import { karpenterVersionOf } from '../lib/config/environment';
import { APPLICATION_HEALTH_KEY, APPLICATION_HEALTH_LUA, healthPatch } from '../lib/constructs/argocd-health';
import { render as renderAll } from './helpers';
import { validate } from '../packages/karpenter-validate/src/validation';
import { at, parseYaml } from './helpers';

/** A Lua table constructor for a JSON value. */
function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(', ')}}`;
  return `{${Object.entries(value as object).map(([k, v]) => `[${JSON.stringify(k)}] = ${luaLiteral(v)}`).join(', ')}}`;
}

/** Runs the health script as ArgoCD does (`obj` global), returning its status and message. */
function health(obj: unknown): { status: string; message: string } {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const code = `obj = ${luaLiteral(obj)}\nlocal function check()\n${APPLICATION_HEALTH_LUA}\nend\nlocal hs = check()\nreturn hs.status, hs.message`;
  if (lauxlib.luaL_dostring(L, to_luastring(code)) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1));
  return { status: lua.lua_tojsstring(L, -2), message: lua.lua_tojsstring(L, -1) };
}

const files = renderAll(ENVIRONMENTS);
const shared = [...files].filter(([p]) => p.startsWith('argocd/') && !p.startsWith('argocd/patches/'));
const objectsOf = (path: string) => parseYaml(files.get(path)!);

describe('ArgoCD health for Applications (argocd/patches/argocd-cm.yaml)', () => {
  it("is the child Application's own health, so a wave of Applications waits for them", () => {
    expect(health({ status: { health: { status: 'Healthy' } } })).toEqual({ status: 'Healthy', message: '' });
    expect(health({ status: { health: { status: 'Degraded', message: 'NodePool default not ready' } } })).toEqual({ status: 'Degraded', message: 'NodePool default not ready' });
  });

  it('is Progressing until the child reports a health', () => {
    expect(health({}).status).toBe('Progressing');
    expect(health({ status: { sync: { status: 'OutOfSync' } } }).status).toBe('Progressing');
  });

  it('merges into an existing argocd-cm, keeping its data, and is itself a valid ConfigMap', () => {
    const dir = mkdtempSync(join(tmpdir(), 'argocd-cm-'));
    try {
      writeFileSync(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: argocd-cm\n  namespace: argocd\ndata:\n  url: https://argocd.example.com\n');
      writeFileSync(join(dir, 'patch.yaml'), healthPatch());
      const [merged] = parseYaml(execFileSync('kubectl', ['patch', '--local', '-f', join(dir, 'cm.yaml'), '--type', 'merge', '--patch-file', join(dir, 'patch.yaml'), '-o', 'yaml'], { encoding: 'utf8' })) as any[];
      expect(merged.data.url).toBe('https://argocd.example.com');
      expect(merged.data[APPLICATION_HEALTH_KEY]).toBe(APPLICATION_HEALTH_LUA);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(files.get('argocd/patches/argocd-cm.yaml')).toBe(healthPatch());
    expect(validate(parseYaml(healthPatch()).map((object) => ({ object })), { prerequisites: [{ kind: 'Namespace', name: 'argocd' }] }).findings).toEqual([]);
  });
});

describe('dist/argocd/bootstrap.yaml', () => {
  const objects = objectsOf('argocd/bootstrap.yaml');
  const project = objects.find((o) => o.kind === 'AppProject')!;
  const applications = objects.filter((o) => o.kind === 'Application');

  it('holds the bootstrap project, the bootstrap Application that keeps this file in sync, and one root per cluster', () => {
    expect(objects.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual(['AppProject platform', ...ENVIRONMENTS.map((env) => `Application ${rootOf(env)}`).sort(), 'Application platform-bootstrap'].sort((a, b) => (a.startsWith('AppProject') ? -1 : b.startsWith('AppProject') ? 1 : a.localeCompare(b))));
    const bootstrap = applications.find((a) => a.metadata.name === 'platform-bootstrap')!;
    expect(at(bootstrap, 'spec.source')).toEqual({ repoURL: ARGOCD.repoURL, targetRevision: ARGOCD.targetRevision, path: 'dist/argocd', directory: { include: 'bootstrap.yaml' } });
    for (const app of applications) {
      expect(at(app, 'spec.project')).toBe(project.metadata.name);
      expect(at(app, 'spec.destination')).toEqual({ server: 'https://kubernetes.default.svc', namespace: ARGOCD.namespace });
      expect(at(app, 'spec.syncPolicy.retry.limit')).toBe(ARGOCD.retry.limit);
    }
  });

  it("gives each cluster a root that syncs that cluster's Applications from its environment's revision: dev follows main, prod its promoted branch", () => {
    for (const env of ENVIRONMENTS) {
      const root = applications.find((a) => a.metadata.name === rootOf(env))!;
      expect(at(root, 'spec.source')).toEqual({ repoURL: ARGOCD.repoURL, targetRevision: revisionOf(env), path: 'dist/argocd/apps', directory: { include: `${env.name}.yaml` } });
    }
    expect(revisionOf(dev)).toBe('main');
    expect(revisionOf(ENVIRONMENTS.find((env) => env.production)!)).toBe('prod');
  });

  it('puts the roots in the last wave, which Argo CD does not wait for: the bootstrap never waits for a cluster', () => {
    const wave = (o: (typeof objects)[number]) => Number(o.metadata.annotations!['argocd.argoproj.io/sync-wave']);
    expect(wave(project)).toBeLessThan(Math.min(...applications.map(wave)));
    expect(new Set(applications.map(wave)).size).toBe(1);
  });

  it('permits the roots nothing but Applications and AppProjects in Argo CD\'s namespace, from this repository', () => {
    expect(at(project, 'spec')).toMatchObject({
      sourceRepos: [ARGOCD.repoURL],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: ARGOCD.namespace }],
      namespaceResourceWhitelist: [{ group: 'argoproj.io', kind: 'AppProject' }, { group: 'argoproj.io', kind: 'Application' }],
    });
    expect(at(project, 'spec.clusterResourceWhitelist')).toBeUndefined();
  });

  it('is, with the Applications, a set the validator passes as complete', () => {
    const set = shared.flatMap(([, text]) => parseYaml(text)).map((object) => ({ object }));
    expect(validate(set, { complete: true, prerequisites: [{ kind: 'Namespace', name: 'argocd' }] }).findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('dist/argocd/apps/<env>.yaml', () => {
  it('holds the environment\'s project, which whitelists exactly the cluster-scoped kinds the environment and the charts create', () => {
    for (const env of ENVIRONMENTS) {
      const project = objectsOf(`argocd/apps/${env.name}.yaml`).find((o) => o.kind === 'AppProject')!;
      expect(project.metadata.name).toBe(env.name);
      const kinds = at(project, 'spec.clusterResourceWhitelist').map((k: any) => `${k.group}/${k.kind}`);
      const used = new Set<string>();
      for (const [path, text] of files) {
        if (!path.startsWith(`${env.name}/`) || !path.endsWith('.yaml')) continue;
        for (const o of parseYaml(text)) if (!o.metadata.namespace) used.add(`${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`);
      }
      for (const kind of used) expect(kinds).toContain(kind);
      expect(kinds).not.toContain('*/*');
      expect(kinds.filter((k: string) => !used.has(k)).sort()).toEqual([
        'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
        'apiextensions.k8s.io/CustomResourceDefinition',
        'apiregistration.k8s.io/APIService',
        'rbac.authorization.k8s.io/ClusterRole',
        'rbac.authorization.k8s.io/ClusterRoleBinding',
      ]);
      // Its own cluster only, in the namespaces in use.
      expect(new Set(at(project, 'spec.destinations').map((d: any) => d.server))).toEqual(new Set([env.argocdDestination]));
    }
  });

  it('installs the CRDs and KEDA first, then Karpenter, then the environment, each pinned, each in a namespace its project permits', () => {
    for (const env of ENVIRONMENTS) {
      const apps = objectsOf(`argocd/apps/${env.name}.yaml`);
      const byName = (name: string) => apps.find((o) => o.kind === 'Application' && o.metadata.name === `${name}-${env.name}`)!;
      const wave = (name: string) => Number(byName(name).metadata.annotations!['argocd.argoproj.io/sync-wave']);
      expect(wave('karpenter-crd')).toBeLessThan(wave('karpenter'));
      expect(wave('keda')).toBeLessThan(wave('platform'));
      expect(wave('karpenter')).toBeLessThan(wave('platform'));
      const release = KARPENTER_RELEASES[karpenterVersionOf(env)];
      expect(at(byName('karpenter-crd'), 'spec.source')).toMatchObject({ chart: 'karpenter-crd', targetRevision: release.crdChart });
      expect(at(byName('keda'), 'spec.source')).toMatchObject({ chart: 'keda', targetRevision: KEDA_VERSION });
      expect(at(byName('keda'), 'spec.syncPolicy.syncOptions')).toContain('CreateNamespace=true');
      const controller = byName('karpenter');
      expect(at(controller, 'spec.source')).toMatchObject({ chart: 'karpenter', targetRevision: release.chart, helm: { releaseName: 'karpenter', skipCrds: true } });
      const values = at(controller, 'spec.source.helm.valuesObject');
      expect(values.settings).toEqual({ clusterName: env.cluster.name, ...(env.karpenter.interruptionQueue ? { interruptionQueue: env.karpenter.interruptionQueue } : {}), featureGates: { nodeRepair: true } });
      expect(values.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toBe(env.karpenter.controllerRoleArn);
      expect(values.nodeSelector).toEqual(env.systemNodeSelector);
      expect(JSON.stringify(values.affinity)).toContain('"key":"karpenter.sh/nodepool","operator":"DoesNotExist"');
      expect(at(byName('platform'), 'spec.source')).toEqual({ repoURL: ARGOCD.repoURL, targetRevision: revisionOf(env), path: `dist/${env.name}` });
      expect(at(byName('platform'), 'spec.destination')).toEqual({ server: env.argocdDestination, namespace: ARGOCD.destinationNamespace });
      for (const app of apps.filter((o) => o.kind === 'Application')) {
        expect(at(app, 'spec.project')).toBe(env.name);
        expect(at(app, 'spec.destination.server')).toBe(env.argocdDestination);
        expect(at(app, 'spec.destination.namespace')).toEqual(expect.any(String));
        expect(at(app, 'spec.syncPolicy')).toMatchObject({ automated: { prune: true, selfHeal: true }, retry: { limit: ARGOCD.retry.limit } });
        expect(at(app, 'spec.syncPolicy.syncOptions')).toContain('ServerSideApply=true');
      }
    }
  });

  it("leaves the destination namespace of the environment's Application unused: every namespaced object names its own", () => {
    for (const env of ENVIRONMENTS) {
      for (const [path, text] of files) {
        if (!path.startsWith(`${env.name}/`) || !path.endsWith('.yaml')) continue;
        for (const o of parseYaml(text)) expect(o.metadata.namespace !== undefined || CLUSTER_SCOPED.includes(`${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`), `${o.kind} ${o.metadata.name}`).toBe(true);
      }
    }
  });
});

describe('a third cluster', () => {
  it('is one entry in config: its folder, its report, its root, its project and its Applications appear', () => {
    const third: EnvironmentConfig = { ...dev, name: 'zz-fixture-env', cluster: { ...dev.cluster, name: 'zz-fixture-cluster' }, argocdDestination: 'https://zz-fixture.example.internal' };
    const files = renderAll([...ENVIRONMENTS, third]);
    expect([...files.keys()].filter((p) => p.startsWith('zz-fixture-env/')).sort()).toEqual(
      [...files.keys()].filter((p) => p.startsWith('dev/')).map((p) => p.replace('dev/', 'zz-fixture-env/')).sort(),
    );
    expect(files.get('zz-fixture-env/REPORT.md')).toContain('# zz-fixture-env: cluster zz-fixture-cluster');
    const apps = parseYaml(files.get('argocd/apps/zz-fixture-env.yaml')!);
    expect(apps.map((a) => `${a.kind} ${a.metadata.name}`).sort()).toEqual(['AppProject zz-fixture-env', 'Application karpenter-crd-zz-fixture-env', 'Application karpenter-zz-fixture-env', 'Application keda-zz-fixture-env', 'Application platform-zz-fixture-env']);
    const project = apps.find((o) => o.kind === 'AppProject')!;
    expect(at(project, 'spec.destinations')).toContainEqual({ server: 'https://zz-fixture.example.internal', namespace: 'kafka' });
    expect(parseYaml(files.get('argocd/bootstrap.yaml')!).map((o) => o.metadata.name)).toContain('platform-apps-zz-fixture-env');
    expect(files.get('zz-fixture-env/03-ec2nodeclasses.yaml')).toContain('Name: zz-fixture-cluster-default');
  });

  it('cannot be named after the bootstrap project or Argo CD\'s default project', () => {
    for (const name of [ARGOCD.project, 'default']) {
      expect(() => renderAll([...ENVIRONMENTS, { ...dev, name, argocdDestination: 'https://zz-fixture.example.internal' }])).toThrow(`environment name '${name}' is the name of the`);
    }
  });
});

describe('argocd-project: what Argo CD refuses to sync (packages/karpenter-validate/src/validation/argocd.ts, held to Argo CD by test/oracle-argocd-permissions.test.ts)', () => {
  const project = (destinations: object[], sourceRepos = ['https://git.example.com/*']) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'team', namespace: 'argocd' }, spec: { sourceRepos, destinations } });
  const application = (destination: object, repoURL = 'https://git.example.com/web.git') => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'web', namespace: 'argocd' },
    spec: { project: 'team', source: { repoURL, path: 'dist', targetRevision: 'main' }, destination, syncPolicy: { automated: {}, retry: { limit: 2 } } },
  });
  const findings = (...objects: object[]) => validate(objects.map((object) => ({ object: object as any })), { prerequisites: [{ kind: 'Namespace', name: 'argocd' }] }).findings.filter((f) => f.rule === 'argocd-project');

  it('fails a destination without a namespace when every destination of the project names one (test/fixtures/argocd/no-namespace.yaml)', () => {
    const objects = parseYaml(readFileSync(join(__dirname, 'fixtures', 'argocd', 'no-namespace.yaml'), 'utf8'));
    const found = findings(...objects);
    expect(found.map((f) => `${f.object.kind} ${f.object.name} ${f.path}: ${f.message}`)).toEqual([
      `Application web spec.destination: Argo CD refuses to sync it (InvalidSpecError: "application destination server 'https://kubernetes.default.svc' and namespace '' do not match any of the allowed destinations in project 'team'"). Set destination.namespace to a namespace the project permits on that cluster: without one, Argo CD matches the empty namespace against every destination of the project, which only "*" matches`,
    ]);
  });

  it('passes it once it names a permitted namespace, or the project permits every namespace (test/fixtures/argocd/namespace.yaml)', () => {
    expect(findings(...parseYaml(readFileSync(join(__dirname, 'fixtures', 'argocd', 'namespace.yaml'), 'utf8')))).toEqual([]);
    expect(findings(project([{ server: 'https://kubernetes.default.svc', namespace: '*' }]), application({ server: 'https://kubernetes.default.svc' }))).toEqual([]);
  });

  it('fails a namespace a denying destination refuses, and a repository only a denied pattern matches', () => {
    const denied = findings(project([{ server: '*', namespace: '*' }, { server: '*', namespace: '!kube-system' }], ['*', '!https://git.example.com/secret']), application({ server: 'https://kubernetes.default.svc', namespace: 'kube-system' }, 'https://git.example.com/secret.git'));
    expect(denied.map((f) => f.message)).toEqual([
      `Argo CD refuses to sync it (InvalidSpecError: "application repo https://git.example.com/secret.git is not permitted in project 'team'"). Add the repository to the project's sourceRepos`,
      `Argo CD refuses to sync it (InvalidSpecError: "application destination server 'https://kubernetes.default.svc' and namespace 'kube-system' do not match any of the allowed destinations in project 'team'"). Add the server and namespace to the project's destinations`,
    ]);
  });

  it('warns, not fails, where the project permits clusters by name and the manifests do not say the name of the destination cluster', () => {
    const [finding] = findings(project([{ name: 'dev', namespace: 'web' }]), application({ server: 'https://dev.example.internal', namespace: 'web' }));
    expect(finding).toMatchObject({ severity: 'warning', message: expect.stringContaining('unless the cluster is registered under a name one of the project\'s destinations permits') });
  });
});

describe('sync-order: the waves Argo CD reads (packages/karpenter-validate/src/validation/sync-order.ts, held to gitops-engine by test/oracle-argocd-sync.test.ts)', () => {
  const configMap = (name: string, wave: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'web', annotations: { 'argocd.argoproj.io/sync-wave': wave } } });
  const findings = (...objects: object[]) => validate(objects.map((object) => ({ object: object as any })), { prerequisites: [{ kind: 'Namespace', name: 'web' }] }).findings.filter((f) => f.rule === 'sync-order');

  it('fails a wave Go\'s strconv.Atoi does not read, with the wave Argo CD uses instead', () => {
    expect(findings(configMap('spaced', ' 5'), { ...configMap('helm', '1.5'), metadata: { ...configMap('helm', '1.5').metadata, annotations: { 'argocd.argoproj.io/sync-wave': '1.5', 'helm.sh/hook-weight': '3' } } }).map((f) => `${f.object.name}: ${f.message}`)).toEqual([
      "spaced: is not an integer: Argo CD cannot parse it and syncs the object in wave 0 (it reads a wave with Go's strconv.Atoi: digits with an optional sign, nothing around them). Use a whole number, quoted",
      "helm: is not an integer: Argo CD cannot parse it and syncs the object in wave 3 (it reads a wave with Go's strconv.Atoi: digits with an optional sign, nothing around them). Use a whole number, quoted",
    ]);
  });

  it('passes a signed wave, which Argo CD reads', () => {
    expect(findings(configMap('signed', '+5'), configMap('negative', '-2'))).toEqual([]);
  });

  it('says a claim left Pending in the last wave keeps the Application Progressing, since Argo CD does not wait for the last wave', () => {
    const storageClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'late', annotations: { 'argocd.argoproj.io/sync-wave': '0' } }, provisioner: 'ebs.csi.aws.com', volumeBindingMode: 'WaitForFirstConsumer' };
    const claim = (wave: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'web', annotations: { 'argocd.argoproj.io/sync-wave': wave } }, spec: { storageClassName: 'late', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    const last = validate([storageClass, claim('5')].map((object) => ({ object: object as any })), { complete: true, prerequisites: [{ kind: 'Namespace', name: 'web' }] }).findings.filter((f) => f.rule === 'sync-order');
    expect(last.map((f) => f.message)).toEqual(['uses StorageClass late (WaitForFirstConsumer) and no pod of the set mounts it: the claim stays Pending, which Argo CD counts as Progressing, so the sync ends without waiting for its last wave, but the Application stays Progressing, and whatever waits for its health waits for good. Sync the claim in its consumer\'s wave, or use a claim template']);
    const earlier = validate([storageClass, claim('5'), configMap('after', '6')].map((object) => ({ object: object as any })), { complete: true, prerequisites: [{ kind: 'Namespace', name: 'web' }] }).findings.filter((f) => f.rule === 'sync-order');
    expect(earlier.map((f) => f.message)).toEqual([expect.stringContaining('so wave 5 never completes')]);
  });

  // A GPU worker as KEDA scales it: no replicas (the autoscaler owns the count), a ScaledObject to zero.
  const worker = (wave: string, spec: object = {}) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'worker', namespace: 'web', annotations: { 'argocd.argoproj.io/sync-wave': wave } },
    spec: { selector: { matchLabels: { app: 'worker' } }, template: { metadata: { labels: { app: 'worker' } }, spec: { containers: [{ name: 'worker', image: 'worker:1.0.0' }] } }, ...spec },
  });
  const scaler = (wave: string, spec: object = {}) => ({
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'worker', namespace: 'web', annotations: { 'argocd.argoproj.io/sync-wave': wave } },
    spec: { scaleTargetRef: { name: 'worker' }, maxReplicaCount: 4, triggers: [{ type: 'redis', metadata: { address: 'redis.web.svc:6379', listName: 'jobs', listLength: '5' } }], ...spec },
  });
  const hpa = (wave: string, minReplicas: number) => ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'worker', namespace: 'web', annotations: { 'argocd.argoproj.io/sync-wave': wave } },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' }, minReplicas, maxReplicas: 4, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
  });

  it('fails an autoscaler that scales its target to zero in a later wave than the target: the replica the API server defaults must come up first', () => {
    expect(findings(worker('7'), scaler('8')).map((f) => `${f.object.kind} ${f.object.name} ${f.path}: ${f.message}`)).toEqual([
      "ScaledObject worker spec.minReplicaCount: scales Deployment worker to zero, but syncs in wave 8, after its target's wave 7: Argo CD first waits for the target to be healthy with the replica the API server gives it (spec.replicas unset: 1), whose pod needs a node of its pool, its image and the services it talks to, before the autoscaler that would remove it even exists; with one of them missing the sync stops there. Sync the autoscaler in its target's wave (Argo CD applies the target first within a wave)",
    ]);
    expect(findings(worker('7', { replicas: 2 }), scaler('8', { minReplicaCount: 0 })).map((f) => f.message)).toEqual([expect.stringContaining('healthy with its 2 replica(s), whose pod needs a node')]);
  });

  it('passes it in its target\'s wave, or when it keeps a replica, or when the target starts at zero', () => {
    expect(findings(worker('7'), scaler('7'))).toEqual([]);
    expect(findings(worker('7'), scaler('8', { minReplicaCount: 1 }))).toEqual([]);
    expect(findings(worker('7', { replicas: 0 }), scaler('8'))).toEqual([]);
    expect(findings(worker('7'), hpa('8', 1))).toEqual([]);
  });

  it('fails an autoscaler synced before its target, which cannot read its scale', () => {
    expect(findings(worker('8'), scaler('7')).map((f) => f.message)).toEqual([expect.stringMatching(/^targets Deployment worker, which syncs in wave 8, after this object's wave 7: the autoscaler cannot read its scale \(FailedGetScale\)/)]);
  });
});

describe('argocd-job-retry: a plain Job Argo CD waits for stays Failed (held to gitops-engine by test/oracle-argocd-sync.test.ts, found-failed-plain-job-fails-every-later-sync)', () => {
  const job = (wave: string, annotations: Record<string, string> = {}) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'migrate', namespace: 'web', annotations: { 'argocd.argoproj.io/sync-wave': wave, ...annotations } },
    spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'migrate', image: 'migrate:1.0.0' }] } } },
  });
  const app = (wave: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'web', annotations: { 'argocd.argoproj.io/sync-wave': wave } } });
  const hook = { 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' };
  const findings = (...objects: object[]) => validate(objects.map((object) => ({ object: object as any })), { prerequisites: [{ kind: 'Namespace', name: 'web' }] }).findings.filter((f) => f.rule === 'argocd-job-retry').map((f) => f.message);

  it('fails a plain Job in a wave before the last, and in a last wave that holds a hook', () => {
    expect(findings(job('5'), app('6'))).toEqual([
      'is a plain Job in wave 5, which Argo CD waits for: a Job that fails keeps its name and its Failed status, so this and every later sync stop on it (Degraded) until someone deletes it. Make it a Sync hook (argocd.argoproj.io/hook: Sync, hook-delete-policy: BeforeHookCreation): each sync deletes it and creates it anew, and Argo CD\'s retry runs it again',
    ]);
    expect(findings(job('6'), { ...job('6', hook), metadata: { ...job('6', hook).metadata, name: 'seed' } })).toEqual([expect.stringMatching(/^is a plain Job in wave 6, which Argo CD waits for/)]);
  });

  it('passes a Sync hook anywhere, and a plain Job in a last wave Argo CD does not wait for', () => {
    expect(findings(job('5', hook), app('6'))).toEqual([]);
    expect(findings(job('6'), app('5'))).toEqual([]);
  });
});
